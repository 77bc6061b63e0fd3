#include "devices/io_map.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace l4sim {

IoMap::IoMap() { claims_.push_back(Claim{nullptr, false}); }

void IoMap::map(u16 first, u16 count, IoPortHandler* dev, bool wide) {
  if (claims_.size() >= 256) throw std::logic_error("IoMap: too many port claims");
  for (u32 p = first; p < u32{first} + count; ++p)
    if (p > 0xFFFF || owner_[p] != 0) throw std::logic_error("IoMap: overlapping or out-of-range port claim");
  claims_.push_back(Claim{dev, wide});
  for (u32 p = first; p < u32{first} + count; ++p) owner_[p] = static_cast<u8>(claims_.size() - 1);
}

u32 IoMap::io_read(u16 port, unsigned size) {
  const Claim& c = claims_[owner_[port]];
  if (c.dev && (size == 1 || c.wide)) return c.dev->io_read(port, size);
  u32 v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const u16 p = static_cast<u16>(port + i);
    const Claim& ci = claims_[owner_[p]];
    u32 b = 0xFF;
    if (ci.dev)
      b = ci.dev->io_read(p, 1) & 0xFF;
    else
      spdlog::trace("read of unclaimed port {:#06x}", p);
    v |= b << (8 * i);
  }
  return v;
}

void IoMap::io_write(u16 port, unsigned size, u32 value) {
  const Claim& c = claims_[owner_[port]];
  if (c.dev && (size == 1 || c.wide)) return c.dev->io_write(port, size, value);
  for (unsigned i = 0; i < size; ++i) {
    const u16 p = static_cast<u16>(port + i);
    const Claim& ci = claims_[owner_[p]];
    const u32 b = (value >> (8 * i)) & 0xFF;
    if (ci.dev)
      ci.dev->io_write(p, 1, b);
    else
      spdlog::trace("write of {:#04x} to unclaimed port {:#06x}", b, p);
  }
}

}  // namespace l4sim
