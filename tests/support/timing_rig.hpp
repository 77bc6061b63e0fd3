// Measuring instruction timings the way one would on the chip: a warm loop
// that runs an instruction many times, with the i486 timing model watching
// every step; the last iteration gives the steady-state (cache and TLB warm)
// cycles of each instruction.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "support/test_machine.hpp"
#include "timing/i486_timing.hpp"

namespace l4sim::test {

struct TimedStep {
  u32 addr = 0;
  u32 cycles = 0;
  CycleCauses causes;
};

class TimingRig : public InsnObserver {
 public:
  static constexpr u32 kOrg = 0x10000;
  static constexpr u32 kTarget = kOrg + 0x100;  // the measured code starts here
  static constexpr u32 kCounter = 0x7010;       // cache set 1: away from the test data in set 0

  explicit TimingRig(const I486TimingConfig& cfg = {}, u32 mem = 4u << 20) : tm(mem), model(cfg) {
    tm.cpu.set_observer(this);
  }

  // Runs `setup` once, then `iterations` times: `before`, then (at kTarget)
  // `body`; returns the steps of the last pass through `body`, in order. The
  // loop control follows the body and writes no register.
  std::vector<TimedStep> run(const std::string& setup, const std::string& body, const std::string& before = "",
                             u32 iterations = 6, bool ring3 = false);
  // Cycles of the first instruction of `body` in the last iteration.
  u32 cycles(const std::string& setup, const std::string& body, const std::string& before = "") {
    const auto steps = run(setup, body, before);
    return steps.empty() ? 0 : steps.front().cycles;
  }

  void on_step(const InsnEvent& ev) override;

  TestMachine tm;
  I486Timing model;
  u64 now = 0;
  // Runs after the flat 32-bit setup (and the switch to ring 3), before the
  // program starts: gates, flags, page tables.
  std::function<void(TestMachine&)> after_setup;

 private:
  std::vector<std::vector<TimedStep>> passes_;
  bool in_body_ = false;
};

}  // namespace l4sim::test
