// Builds a stack frame on a stack that is not yet SS:ESP (an inner stack during
// an interrupt or call-gate transfer, or the current one when the transfer may
// still fault). Nothing in the CPU changes until the caller commits, so a fault
// part-way leaves the registers as they were.
#pragma once

#include "cpu486/cpu.hpp"

namespace l4sim {

class NewStack {
 public:
  // `fault_error` is the #SS error code for a limit violation (the new SS
  // selector for a stack switch, 0 for the current stack).
  NewStack(Cpu& c, u16 ss_selector, const Descriptor& ss, u32 esp, bool user, u32 fault_error)
      : c_(c), user_(user), err_(fault_error) {
    ss_.load_from(ss_selector, ss);
    esp_ = ss_.big ? esp : (esp & 0xFFFF);
  }
  NewStack(Cpu& c, u16, const SegCache& ss, u32 esp, bool user, u32 fault_error)
      : c_(c), ss_(ss), user_(user), err_(fault_error) {
    esp_ = ss_.big ? esp : (esp & 0xFFFF);
  }

  template <class T>
  void push(T v) {
    esp_ = ss_.big ? esp_ - sizeof(T) : ((esp_ - sizeof(T)) & 0xFFFF);
    const u32 lin = check(esp_, sizeof(T));
    c_.write_lin<T>(lin, v, user_ ? AccessKind::kWrite : AccessKind::kSystemWrite);
  }
  // Pushes a 32-bit or 16-bit value depending on the gate/operand size.
  void push_word(bool w32, u32 v) {
    if (w32)
      push<u32>(v);
    else
      push<u16>(static_cast<u16>(v));
  }
  u32 esp() const { return esp_; }

 private:
  u32 check(u32 off, unsigned size) {
    if (!ss_.usable || !ss_.writable || off < ss_.off_lo || static_cast<u64>(off) + size - 1 > ss_.off_hi)
      c_.raise(vec::SS, err_);
    return ss_.base + off;
  }
  Cpu& c_;
  SegCache ss_;
  u32 esp_ = 0;
  bool user_;
  u32 err_;
};

}  // namespace l4sim
