// Bus cycle costs of the i486's 32-bit bus (Embedded Intel486 HRM chapter 9;
// REFERENCE.md "Intel 486"). The DX-50 runs its bus at the CPU clock
// (multiplier 1), so bus clocks are CPU cycles. A clock-multiplied part (DX2:
// 2, DX4: 3, Pentium-90: 1.5) spends `multiplier` CPU cycles per bus clock;
// the results below are CPU cycles, rounded up to whole cycles.
//
// Wait states: `wait_states` is added to the first transfer of a burst and to
// every non-burst cycle; the later transfers of a burst cost `burst_next`
// exactly. So a line fill is
//     (burst_first + wait_states) + (line_bytes / 4 - 1) * burst_next
// giving 2-1-1-1 = 5 clocks for a 16-byte line at 0 wait states and 3-1-1-1 = 6
// with one. A board whose burst transfers also wait (e.g. 3-2-2-2) is modelled
// by raising burst_next as well.
#pragma once

#include "common/types.hpp"

namespace l4sim {

struct BusConfig {
  double multiplier = 1;  // CPU clocks per bus clock: 1 on the DX-50; a multiple of 0.5 from 1 to 8
  u32 wait_states = 0;    // added to the first transfer of a burst and to each non-burst cycle
  u32 burst_first = 2;    // 2-1-1-1: 16 bytes per 5 clocks, 160 MB/s at 50 MHz (HRM §9.3.1)
  u32 burst_next = 1;     // each further 4-byte transfer of a burst
  u32 write_cycles = 2;   // a single non-burst write cycle at zero wait states (T1 + T2)

  // Throws ConfigError naming the key (bus.multiplier, bus.burst_first, ...).
  void validate() const;
};

constexpr u32 kBusBytesPerTransfer = 4;  // the i486 data bus is 32 bits wide

// CPU clocks for a burst line fill of `line_bytes` (4-byte transfers); at least one transfer.
u32 line_fill_cycles(const BusConfig& b, u32 line_bytes);
// CPU clocks for a burst of `line_bytes` whose first transfer takes `first` bus
// clocks and each further one `next` (an external L2 cache answering a fill).
u32 burst_cycles(const BusConfig& b, u32 line_bytes, u32 first, u32 next);
// CPU clocks for one buffered write draining to memory: write_cycles + wait_states.
u32 write_cycles(const BusConfig& b);

}  // namespace l4sim
