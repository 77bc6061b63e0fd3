#include "mmu/bus.hpp"

#include "common/error.hpp"

namespace l4sim {

namespace {
u32 checked_size(u32 ram_bytes) {
  if (ram_bytes < kPageSize || (ram_bytes & kPageMask) != 0)
    throw ConfigError("memory size must be a non-zero multiple of 4 KB");
  return ram_bytes;
}
}  // namespace

Bus::Bus(u32 ram_bytes)
    : ram_size_(checked_size(ram_bytes)), ram_(ram_bytes), page_kind_((ram_bytes + kPageMask) / kPageSize, kRam) {}

void Bus::map_rom(u32 base, std::vector<u8> image) {
  if ((base & kPageMask) != 0) throw ConfigError("ROM base must be page aligned");
  const u64 end = static_cast<u64>(base) + image.size();
  if (end > (1ull << 32)) throw ConfigError("ROM image does not fit below 4 GB");
  for (u64 p = base; p < end; p += kPageSize)
    if ((p >> 12) < page_kind_.size()) page_kind_[p >> 12] = kRom;
  roms_.push_back(Rom{base, std::move(image)});
}

u8 Bus::read_byte_slow(u32 a) const {
  for (const Rom& r : roms_)
    if (a - r.base < r.data.size()) return r.data[a - r.base];
  if (a < ram_size_) return ram_[a];
  return 0xFF;  // unclaimed physical space floats high on a PC bus
}

void Bus::write_byte_slow(u32 a, u8 v) {
  for (const Rom& r : roms_)
    if (a - r.base < r.data.size()) return;  // ROM ignores writes
  if (a < ram_size_) ram_[a] = v;
}

u32 Bus::read_slow(PhysAddr a, unsigned size) const {
  u32 v = 0;
  for (unsigned i = 0; i < size; ++i) v |= static_cast<u32>(read_byte_slow(a.v + i)) << (8 * i);
  return v;
}

void Bus::write_slow(PhysAddr a, unsigned size, u32 v) {
  bool code = false;
  for (unsigned i = 0; i < size; ++i) {
    const u32 b = a.v + i;
    write_byte_slow(b, static_cast<u8>(v >> (8 * i)));
    if ((b >> 12) < page_kind_.size() && page_kind_[b >> 12] == kRamCode) code = true;
  }
  if (code && listener_) listener_->on_code_write(a, size);
}

void Bus::load(PhysAddr dst, const void* src, u32 size) {
  if (!in_ram(dst, size)) throw ConfigError("load outside physical memory");
  if (size == 0) return;  // src may be null (an empty vector's data())
  std::memcpy(&ram_[dst.v], src, size);
  if (listener_)
    for (u32 p = dst.v >> 12; p <= (dst.v + size - 1) >> 12 && size; ++p)
      if (page_kind_[p] == kRamCode) listener_->on_code_write(PhysAddr(p << 12), kPageSize);
}

}  // namespace l4sim
