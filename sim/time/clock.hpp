// The machine's cycle clock: simulated CPU cycles since power-on. Devices read
// it to know "now" and convert between CPU cycles and their own time bases
// (the PIT's 1.193182 MHz, the RTC's 32.768 kHz). Nothing reads host time:
// same inputs, same cycle counts (DESIGN.md §1).
#pragma once

#include "common/types.hpp"

namespace l4sim {

constexpr u64 kNever = ~u64{0};

class Clock {
 public:
  explicit Clock(u64 hz) : hz_(hz) {}

  u64 now() const { return now_; }
  u64 hz() const { return hz_; }
  void advance(u64 cycles) { now_ += cycles; }
  void advance_to(u64 cycle) {
    if (cycle > now_) now_ = cycle;
  }

  // Whole ticks of a `tick_hz` time base elapsed at CPU cycle `cycle`
  // (floor(cycle * tick_hz / hz)), exact in 128-bit arithmetic.
  u64 ticks_at(u64 cycle, u64 tick_hz) const {
    return static_cast<u64>(static_cast<unsigned __int128>(cycle) * tick_hz / hz_);
  }
  // The first CPU cycle at which `ticks` ticks of a `tick_hz` base have
  // elapsed (ceil(ticks * hz / tick_hz)); kNever if it does not fit.
  u64 cycle_of_tick(u64 ticks, u64 tick_hz) const {
    const unsigned __int128 c = (static_cast<unsigned __int128>(ticks) * hz_ + tick_hz - 1) / tick_hz;
    return c >= kNever ? kNever : static_cast<u64>(c);
  }

 private:
  u64 hz_;
  u64 now_ = 0;
};

}  // namespace l4sim
