// Shared pieces for device unit tests: an IRQ sink that records every edge
// with the cycle it happened at, and the machine's way of letting time pass.
#pragma once

#include <vector>

#include "devices/irq.hpp"
#include "time/clock.hpp"
#include "time/event_queue.hpp"

namespace l4sim::test {

struct IrqEdge {
  u64 cycle;
  unsigned line;
  bool level;
  bool operator==(const IrqEdge&) const = default;
};

class IrqRecorder : public IrqSink {
 public:
  explicit IrqRecorder(const Clock& c) : clock_(c) {}
  void set_irq(unsigned line, bool level) override { edges.push_back({clock_.now(), line, level}); }
  std::vector<IrqEdge> edges;

 private:
  const Clock& clock_;
};

// Advances the clock to `cycle`, firing each due timer at its own cycle in
// order, as the machine's run loop does at instruction boundaries.
inline void run_events_to(Clock& clock, EventQueue& q, u64 cycle) {
  while (q.next_due() <= cycle) {
    clock.advance_to(q.next_due());
    q.run_due(clock.now());
  }
  clock.advance_to(cycle);
}

}  // namespace l4sim::test
