#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

TEST_CASE("451 given an empty IDT when an exception occurs then it escalates to a triple fault", "[exceptions]") {
  TestMachine m;
  m.load(0x10000, {0x0F, 0x0B});  // not a 486 instruction: #UD
  m.setup_flat32(0x10000);
  // #UD finds no gate: #GP(idt) handled serially (benign then contributory);
  // that #GP finds no gate either: contributory twice = #DF; #DF has no gate: shutdown.
  CHECK(m.cpu.step() == StepResult::kShutdown);
  CHECK(m.cpu.state().shutdown);
  CHECK_THAT(m.cpu.shutdown_reason(), Catch::Matchers::Contains("triple fault"));
}

TEST_CASE("452 given a double-fault handler when #GP cannot be delivered then #DF runs with error code 0",
          "[exceptions]") {
  TestMachine m;
  m.load(0x10000, {0x0F, 0x0B});
  m.load(0x20000, {0xF4});  // the #DF handler: HLT
  m.setup_flat32(0x10000);
  m.set_gate(8, 0x20000);
  m.cpu.step();
  const CpuState& s = m.cpu.state();
  CHECK_FALSE(s.shutdown);
  CHECK(s.eip == 0x20000);
  // Frame on the ring-0 stack: error code, EIP, CS, EFLAGS.
  const u32 esp = s.r[ESP];
  CHECK(m.peek32(esp) == 0);
  CHECK(m.peek32(esp + 4) == 0x10000);
  CHECK(m.peek32(esp + 8) == kCode0);
}

TEST_CASE("453 given a #UD handler when an undefined opcode runs then the fault points at the instruction",
          "[exceptions]") {
  TestMachine m;
  m.load(0x10000, {0x0F, 0xFF});
  m.setup_flat32(0x10000, 0x80000);
  m.set_gate(6, 0x20000);
  m.cpu.step();
  const CpuState& s = m.cpu.state();
  CHECK(s.eip == 0x20000);
  CHECK(s.r[ESP] == 0x80000 - 12);  // no error code for #UD
  CHECK(m.peek32(s.r[ESP]) == 0x10000);
}

TEST_CASE("454 given a fetch beyond the CS limit when stepping then #GP(0) is raised", "[exceptions]") {
  TestMachine m;
  m.setup_flat32(0x10000);
  m.set_gate(13, 0x20000);
  m.cpu.state().seg[CS].limit = 0xFFFF;
  m.cpu.state().seg[CS].refresh();
  m.cpu.state().eip = 0x10000;  // beyond the 64 KB limit
  m.cpu.step();
  CHECK(m.cpu.state().eip == 0x20000);
  CHECK(m.peek32(m.cpu.state().r[ESP]) == 0);  // error code 0
}

TEST_CASE("455 given code that rewrites itself when it runs again then the new bytes execute", "[exceptions][decode]") {
  // The decoded-instruction cache must drop an entry when its bytes are written.
  TestMachine m;
  REQUIRE(m.run_flat32(R"(
    mov ebx, 0
  again:
  patch:
    mov eax, 1
    add ebx, eax
    mov byte ptr [patch + 1], 5
    cmp ebx, 1
    je again
    out 0xf4, al
  )"));
  CHECK(m.cpu.state().r[EBX] == 6);
}
