// Interrupt request lines from devices to the interrupt controller. A device
// holds an IrqLine and drives its level; the controller decides what an edge
// or a level means (the 8259A in edge mode latches rising edges).
#pragma once

#include "common/types.hpp"

namespace l4sim {

class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(unsigned line, bool level) = 0;
};

class IrqLine {
 public:
  IrqLine() = default;
  IrqLine(IrqSink* sink, unsigned line) : sink_(sink), line_(line) {}
  void set(bool level) const {
    if (sink_) sink_->set_irq(line_, level);
  }
  void raise() const { set(true); }
  void lower() const { set(false); }
  unsigned line() const { return line_; }

 private:
  IrqSink* sink_ = nullptr;
  unsigned line_ = 0;
};

}  // namespace l4sim
