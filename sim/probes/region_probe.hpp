// Measured regions: the stretch of execution from the first instruction at
// one address (a "begin" marker, e.g. the ELF symbol pingpong_loop_begin) to
// the first instruction at another ("end"), with everything that ran in
// between — kernel entries, other threads, other address spaces — counted in
// its cycles. Each pass through the markers is one instance (DESIGN.md §3:
// markers stay outside the measured loop).
//
// The probe looks only at its markers: the machine's run loop asks it, before
// a step at one of addresses(), whether the step would open or close a region
// (wants()), takes a snapshot of the counters then, and hands it over after
// the step if the step executed the instruction there (at_marker()). Nothing
// is done per instruction elsewhere.
#pragma once

#include <string>
#include <vector>

#include "timing/timing_stats.hpp"

namespace l4sim {

struct RegionSpec {
  std::string name;
  u32 begin = 0;  // linear address of the first instruction inside
  u32 end = 0;    // linear address of the first instruction after
};

struct RegionInstance {
  std::string name;
  u32 index = 0;  // 0 for the first pass
  u64 start_cycle = 0;
  u64 cycles = 0;
  u64 instructions = 0;
  u64 ipcs = 0;       // INT n of the IPC vector delivered inside (one-way IPCs)
  TimingStats stats;  // the timing model's statistics over the instance
};

// The machine's counters just before a step at a marker.
struct RegionSnapshot {
  u64 cycle = 0;
  u64 retired = 0;                     // instructions retired so far
  u64 ipcs = 0;                        // INT n of the IPC vector delivered so far
  const TimingStats* stats = nullptr;  // the timing statistics before the step (null without a timing model)
};

class RegionProbe {
 public:
  explicit RegionProbe(std::vector<RegionSpec> specs, u8 ipc_vector = 0x30)
      : specs_(std::move(specs)), ipc_vector_(ipc_vector), open_(specs_.size(), false), start_(specs_.size()) {}

  // Every begin and end marker.
  std::vector<u32> addresses() const;
  u8 ipc_vector() const { return ipc_vector_; }
  // Whether executing the instruction at `at` (in the given iteration of a
  // REP instruction) would open or close a region.
  bool wants(u32 at, u32 rep_iteration) const;
  // The instruction at `at` was executed; `before` holds the counters just
  // before its step.
  void at_marker(u32 at, u32 rep_iteration, const RegionSnapshot& before);

  const std::vector<RegionInstance>& instances() const { return done_; }
  bool empty() const { return specs_.empty(); }

 private:
  struct Open {
    RegionInstance instance;
    u64 retired = 0, ipcs = 0;
  };
  std::vector<RegionSpec> specs_;
  u8 ipc_vector_;
  std::vector<bool> open_;
  std::vector<Open> start_;
  std::vector<u32> count_ = std::vector<u32>(specs_.size(), 0);
  std::vector<RegionInstance> done_;
};

}  // namespace l4sim
