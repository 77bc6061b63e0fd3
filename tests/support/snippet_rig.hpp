// The rigs the instruction-family tests share: one snippet of code in a test
// machine, stepped by hand, with helpers for flags, faults and privilege.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/asm.hpp"
#include "support/test_machine.hpp"

namespace l4sim::test {

// Flat 32-bit ring-0 protected mode with the snippet at kCode and the stack
// at kStack. Source assembled with bits = 16 is for offset 0: virtual-8086
// code at 1000:0000 (see v86()).
struct FlatRig {
  static constexpr u32 kCode = 0x10000;
  static constexpr u32 kHandler = 0x30000;  // where expect_fault() points the vector
  static constexpr u32 kStack = 0x80000;

  TestMachine m;
  CpuState& s;
  u32 code_len = 0;

  explicit FlatRig(const std::vector<u8>& code, CpuModel model = CpuModel::kI486DX)
      : m(4u << 20, model), s(m.cpu.state()), code_len(static_cast<u32>(code.size())) {
    m.setup_flat32(kCode, kStack);
    m.load(kCode, code);
  }
  explicit FlatRig(const std::string& src, int bits = 32, CpuModel model = CpuModel::kI486DX)
      : FlatRig(assemble(src, bits == 32 ? kCode : 0, bits), model) {}

  u32& r(unsigned i) { return s.r[i]; }
  u32 arith() const { return s.eflags & fl::kArith; }
  u8 byte(u32 a) const { return m.peek8(a); }
  u32 dword(u32 a) const { return m.peek32(a); }

  // Steps that must each run normally.
  void step(int n = 1) {
    for (int i = 0; i < n; ++i) REQUIRE(m.cpu.step() == StepResult::kOk);
  }
  // Restarts the snippet (EIP, ESP) with the given flags and runs n steps,
  // whatever they deliver.
  void exec(u32 flags_in = 0, unsigned n = 1) {
    s.eip = kCode;
    s.r[ESP] = kStack;
    s.eflags = fl::R1 | flags_in;
    for (unsigned i = 0; i < n; ++i) m.cpu.step();
  }
  // The step must deliver `vector` to a ring-0 handler; checks the pushed
  // error code (if any) and the faulting EIP.
  void expect_fault(u8 vector, u32 fault_eip, bool has_error = false, u32 error = 0) {
    m.set_gate(vector, kHandler);
    step();
    REQUIRE(s.eip == kHandler);
    const u32 esp = s.r[ESP];
    if (has_error) CHECK(m.peek32(esp) == error);
    CHECK(m.peek32(esp + (has_error ? 4 : 0)) == fault_eip);
  }
  void ring3(u32 iopl) {
    m.enter_ring3();
    s.eflags = (s.eflags & ~fl::IOPL) | (iopl << 12);
  }
  // Virtual-8086 mode: all segments 0x1000 (base kCode), IP 0, SP 0xFFF0.
  void v86(u32 iopl) { m.enter_v86(0x1000, iopl); }
};

// Real mode: code at 1000:0000 (linear 0x10000), stack 2000:sp.
struct RealRig {
  TestMachine m;
  CpuState& s;
  explicit RealRig(const std::string& src, u16 sp = 0xFFF0) : s(m.cpu.state()) {
    m.setup_real(0x1000, 0, 0x2000, sp);
    m.load(0x10000, assemble(src, 0, 16));
  }
  void step(int n = 1) {
    for (int i = 0; i < n; ++i) REQUIRE(m.cpu.step() == StepResult::kOk);
  }
  u16 peek16(u32 a) const { return static_cast<u16>(m.peek8(a) | (m.peek8(a + 1) << 8)); }
};

}  // namespace l4sim::test
