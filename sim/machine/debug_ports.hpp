// The ports every l4sim machine has: 0xE9 debug console (Bochs/QEMU), 0xF4
// exit (QEMU isa-debug-exit), POST codes on 0x80. Unclaimed ports read as all
// ones, as on a PC. The full PC device set (PIC, PIT, UART, RTC) comes with the
// machine issue and plugs in beside these.
#pragma once

#include <functional>
#include <string>

#include "mmu/io_port.hpp"

namespace l4sim {

class DebugPorts : public IoPortHandler {
 public:
  using Sink = std::function<void(char)>;
  explicit DebugPorts(Sink console) : console_(std::move(console)) {}

  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;

  bool exit_requested() const { return exit_requested_; }
  u32 exit_value() const { return exit_value_; }

 private:
  Sink console_;
  bool exit_requested_ = false;
  u32 exit_value_ = 0;
};

}  // namespace l4sim
