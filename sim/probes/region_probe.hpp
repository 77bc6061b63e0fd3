// Measured regions: the stretch of execution from the first instruction at
// one address (a "begin" marker, e.g. the ELF symbol pingpong_loop_begin) to
// the first instruction at another ("end"), with everything that ran in
// between — kernel entries, other threads, other address spaces — counted in
// its cycles. Each pass through the markers is one instance (DESIGN.md §3:
// markers stay outside the measured loop).
#pragma once

#include <string>
#include <vector>

#include "cpu486/event.hpp"
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
  u64 ipcs = 0;       // int 0x30 executed inside (one-way IPCs)
  TimingStats stats;  // the timing model's statistics over the instance
};

class RegionProbe {
 public:
  explicit RegionProbe(std::vector<RegionSpec> specs, u8 ipc_vector = 0x30)
      : specs_(std::move(specs)), ipc_vector_(ipc_vector), open_(specs_.size(), false), start_(specs_.size()) {}
  // Called before the step's cycles are added: `now` is the cycle the step
  // starts at, `stats` the timing statistics before the step.
  void before_step(const InsnEvent& ev, u64 now, const TimingStats* stats);
  void after_step(const InsnEvent& ev);
  const std::vector<RegionInstance>& instances() const { return done_; }
  bool empty() const { return specs_.empty(); }

 private:
  std::vector<RegionSpec> specs_;
  u8 ipc_vector_;
  std::vector<bool> open_;
  std::vector<RegionInstance> start_;
  std::vector<u32> count_ = std::vector<u32>(specs_.size(), 0);
  std::vector<RegionInstance> done_;
};

}  // namespace l4sim
