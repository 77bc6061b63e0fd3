// The debug ports every l4sim machine has: the 0xE9 console (Bochs/QEMU
// convention), the exit port at 0xF4-0xF7 (QEMU isa-debug-exit with
// iobase=0xf4,iosize=4: any write ends the run with status (value << 1) | 1),
// and POST codes on 0x80 and 0x190 (logged at debug level).
#pragma once

#include <functional>
#include <string>

#include "mmu/io_port.hpp"

namespace l4sim {

class DebugPorts : public IoPortHandler {
 public:
  using Sink = std::function<void(char)>;
  static constexpr u16 kConsole = 0xE9, kExit = 0xF4, kExitPorts = 4, kPost = 0x80, kPost2 = 0x190;

  explicit DebugPorts(Sink console) : console_(std::move(console)) {}

  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;

  bool exit_requested() const { return exit_requested_; }
  u32 exit_value() const { return exit_value_; }
  // The last POST code written to 0x80 or 0x190 (-1 before any).
  int last_post_code() const { return last_post_; }

 private:
  Sink console_;
  bool exit_requested_ = false;
  u32 exit_value_ = 0;
  int last_post_ = -1;
};

}  // namespace l4sim
