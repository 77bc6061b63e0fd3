// The interface between the machine and a CPU timing model (DESIGN.md §1):
// after every step the CPU's InsnEvent goes to the model, which owns all
// timing state (pipeline, cache, write buffers) and answers how many cycles
// the step took. The functional CPU never sees a cycle. What the model needs
// of an instruction that never changes it computes once, at decode, through
// the annotator interface (cpu486/insn_timing.hpp).
#pragma once

#include <memory>
#include <string>

#include "cpu486/event.hpp"
#include "cpu486/insn_timing.hpp"
#include "timing/timing_stats.hpp"

namespace l4sim {

class TimingModel : public InsnAnnotator {
 public:
  virtual ~TimingModel() = default;
  virtual const char* name() const = 0;
  // Cycles of one step that starts at cycle `now`. Never 0 for a step that ran.
  virtual u32 step(const InsnEvent& ev, u64 now) = 0;
  virtual const TimingStats& stats() const = 0;
};

}  // namespace l4sim
