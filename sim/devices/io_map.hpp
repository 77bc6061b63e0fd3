// The I/O port space: which device answers which port. Devices register port
// ranges; accesses wider than a byte are split into byte cycles on consecutive
// ports (as the ISA bus does for 8-bit devices) unless the device registered
// as wide. Ports nobody claims read as all ones, as on a PC.
#pragma once

#include <array>
#include <vector>

#include "mmu/io_port.hpp"

namespace l4sim {

class IoMap : public IoPortHandler {
 public:
  IoMap();
  // Claims ports [first, first + count) for `dev`. `wide` devices receive
  // 16/32-bit accesses whole. Throws std::logic_error on overlapping claims.
  void map(u16 first, u16 count, IoPortHandler* dev, bool wide = false);

  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;

 private:
  struct Claim {
    IoPortHandler* dev;
    bool wide;
  };
  std::vector<Claim> claims_;      // index 0 is "unclaimed"
  std::array<u8, 65536> owner_{};  // port -> claims_ index
};

}  // namespace l4sim
