// Basic integer aliases and strong address/cycle types shared by every subsystem.
#pragma once

#include <cstddef>
#include <cstdint>

namespace l4sim {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i8 = std::int8_t;
using i16 = std::int16_t;
using i32 = std::int32_t;
using i64 = std::int64_t;

// A linear (post-segmentation, pre-paging) address. Kept distinct from physical
// addresses so the two cannot be mixed up silently at MMU boundaries.
struct LinAddr {
  u32 v = 0;
  constexpr explicit LinAddr(u32 x = 0) : v(x) {}
  constexpr u32 page() const { return v >> 12; }
  constexpr u32 offset() const { return v & 0xFFFu; }
  friend constexpr bool operator==(LinAddr a, LinAddr b) { return a.v == b.v; }
};

// A physical address as seen on the bus.
struct PhysAddr {
  u32 v = 0;
  constexpr explicit PhysAddr(u32 x = 0) : v(x) {}
  constexpr u32 page() const { return v >> 12; }
  constexpr u32 offset() const { return v & 0xFFFu; }
  friend constexpr bool operator==(PhysAddr a, PhysAddr b) { return a.v == b.v; }
};

constexpr u32 kPageSize = 4096;
constexpr u32 kPageMask = kPageSize - 1;

}  // namespace l4sim
