#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {
// An interrupt controller stub: raises one vector when armed.
struct OneIrq : InterruptSource {
  bool armed = false;
  u8 vector = 0x20;
  int acks = 0;
  bool intr_pending() const override { return armed; }
  u8 intr_acknowledge() override {
    armed = false;
    ++acks;
    return vector;
  }
};
}  // namespace

TEST_CASE("461 given RESET when the CPU starts then it fetches F000:FFF0 from the top of the address space",
          "[reset]") {
  TestMachine m;
  std::vector<u8> rom(0x10000, 0xF4);  // HLT everywhere
  rom[0xFFF0] = 0xB8;                  // mov ax, 0x1234
  rom[0xFFF1] = 0x34;
  rom[0xFFF2] = 0x12;
  m.bus.map_rom(0xFFFF0000u, rom);
  m.cpu.reset();
  const CpuState& s = m.cpu.state();
  CHECK(s.real_mode());
  CHECK(s.seg[CS].selector == 0xF000);
  CHECK(s.seg[CS].base == 0xFFFF0000u);
  CHECK(s.eip == 0xFFF0);
  CHECK(s.r[EDX] == 0x0402);  // family 4 signature in DX
  m.cpu.step();
  CHECK((s.r[EAX] & 0xFFFF) == 0x1234);
  CHECK(s.eip == 0xFFF3);
}

TEST_CASE("462 given a pending interrupt when IF is set then it is taken at the next boundary", "[interrupts]") {
  TestMachine m;
  OneIrq irq;
  m.cpu.set_interrupt_source(&irq);
  m.load(0x10000, {0x90, 0x90, 0x90});
  m.load(0x20000, {0xF4});
  m.setup_flat32(0x10000);
  m.set_gate(0x20, 0x20000);
  m.cpu.state().eflags |= fl::IF;
  m.cpu.step();
  CHECK(m.cpu.state().eip == 0x10001);
  irq.armed = true;
  m.cpu.step();
  CHECK(irq.acks == 1);
  CHECK(m.cpu.state().eip == 0x20000);
  CHECK((m.cpu.state().eflags & fl::IF) == 0);       // interrupt gate clears IF
  CHECK(m.peek32(m.cpu.state().r[ESP]) == 0x10001);  // return address: the next instruction
}

TEST_CASE("463 given STI when an interrupt is pending then one more instruction runs first", "[interrupts]") {
  TestMachine m;
  OneIrq irq;
  m.cpu.set_interrupt_source(&irq);
  m.load(0x10000, {0xFB, 0x90, 0x90});  // sti, nop, nop
  m.load(0x20000, {0xF4});
  m.setup_flat32(0x10000);
  m.set_gate(0x20, 0x20000);
  irq.armed = true;
  m.cpu.step();  // sti
  CHECK(irq.acks == 0);
  m.cpu.step();  // the shadow: nop runs
  CHECK(irq.acks == 0);
  CHECK(m.cpu.state().eip == 0x10002);
  m.cpu.step();  // now the interrupt
  CHECK(irq.acks == 1);
  CHECK(m.cpu.state().eip == 0x20000);
}

TEST_CASE("464 given HLT when an interrupt arrives then the CPU wakes and returns after the HLT", "[interrupts]") {
  TestMachine m;
  OneIrq irq;
  m.cpu.set_interrupt_source(&irq);
  m.load(0x10000, {0xF4, 0x90});
  m.load(0x20000, {0xCF});  // iretd
  m.setup_flat32(0x10000);
  m.set_gate(0x20, 0x20000);
  m.cpu.state().eflags |= fl::IF;
  m.cpu.step();
  CHECK(m.cpu.state().halted);
  CHECK(m.cpu.step() == StepResult::kHalted);
  irq.armed = true;
  m.cpu.step();
  CHECK_FALSE(m.cpu.state().halted);
  m.cpu.step();  // iretd
  CHECK(m.cpu.state().eip == 0x10001);
}

TEST_CASE("465 given HLT with interrupts disabled when run then run() stops", "[interrupts]") {
  TestMachine m;
  m.load(0x10000, {0xF4});
  m.setup_flat32(0x10000);
  CHECK(m.cpu.run(1000) == 2);
  CHECK(m.cpu.state().halted);
}

TEST_CASE("466 given the trap flag when an instruction completes then #DB is delivered after it", "[interrupts]") {
  TestMachine m;
  m.load(0x10000, {0x90, 0x90});
  m.load(0x20000, {0xF4});
  m.setup_flat32(0x10000);
  m.set_gate(1, 0x20000);
  m.cpu.state().eflags |= fl::TF;
  m.cpu.step();
  CHECK(m.cpu.state().eip == 0x20000);
  CHECK(m.peek32(m.cpu.state().r[ESP]) == 0x10001);
  CHECK((m.cpu.state().dr[6] & (1u << 14)) != 0);
  CHECK((m.cpu.state().eflags & fl::TF) == 0);
}
