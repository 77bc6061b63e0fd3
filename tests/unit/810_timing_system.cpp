// The i486 timing model on system paths: the int/iret pair across rings that
// the published analysis prices at 107 clocks, a TLB refill whose PDE and PTE
// hit the cache, and the model's determinism.
#include <catch2/catch.hpp>

#include "machine/machine.hpp"
#include "support/asm.hpp"
#include "support/timing_rig.hpp"

using namespace l4sim;
using test::TimingRig;

TEST_CASE("810: int to ring 0 and iret to ring 3 take 71 + 36 = 107 clocks") {
  TimingRig rig;
  // Gate 0x30 (DPL 3) to a handler that returns at once.
  rig.after_setup = [](test::TestMachine& tm) {
    tm.set_gate(0x30, TimingRig::kOrg + 0x300, 3);
    tm.cpu.state().eflags |= fl::IOPL;  // so ring 3 may use the exit port
  };
  const std::string body = "int 0x30";
  // The handler sits after the program's exit code.
  const auto steps = rig.run("", body + "\njmp 2f\n.org 0x300, 0x90\niretd\n2:", "", 6, /*ring3=*/true);
  REQUIRE(steps.size() >= 2);
  CHECK(steps[0].cycles == 71);
  CHECK(steps[1].cycles == 36);
  CHECK(steps[0].cycles + steps[1].cycles == 107);
}

TEST_CASE("811: a TLB miss whose PDE and PTE hit the cache costs 9 clocks") {
  TimingRig rig;
  // Identity-map the first 4 MB: page directory at 0x100000, table at 0x101000.
  rig.tm.poke32(0x100000, 0x101000 | 3);
  for (u32 i = 0; i < 1024; ++i) rig.tm.poke32(0x101000 + 4 * i, (i << 12) | 3);
  const char* setup = "mov eax, 0x100000\nmov cr3, eax\nmov eax, cr0\nor eax, 0x80000000\nmov cr0, eax\njmp 1f\n1:";
  // INVLPG drops the data page's entry every iteration; the walk's two table
  // reads hit the cache from the second iteration on.
  const auto steps = rig.run(setup, "mov edx, [0x20000]", "invlpg [0x20000]");
  CHECK(steps[0].causes.tlb_refill == 9);
  CHECK(steps[0].cycles == 1 + 9);
  // Without the INVLPG the translation stays in the TLB.
  CHECK(rig.run(setup, "mov edx, [0x20000]")[0].cycles == 1);
}

namespace {

struct Counter : InsnObserver {
  u64 steps = 0;
  void on_step(const InsnEvent&) override { ++steps; }
};

RunResult run_program(MachineConfig::Timing timing, bool traced, std::string* console) {
  MachineConfig cfg;
  cfg.timing = timing;
  Machine m(cfg, MachineIo{{}, {}, [console](char c) { console->push_back(c); }});
  const char* prog = R"(
  mov ebx, 0x20000
  mov edx, 200
1:
  mov eax, [ebx + edx * 4]
  add eax, edx
  mov [ebx + edx * 4 + 0x1000], eax
  mov esi, 0x30000
  mov edi, 0x31000
  mov ecx, edx
  rep movsb
  dec edx
  jnz 1b
  mov eax, [0x20000 + 0x1000 + 4 * 7]
  add al, '0'
  out 0xE9, al
  mov eax, 0
  out 0xF4, eax
)";
  m.load_flat(test::assemble(prog, 0x100000), 0x100000);
  m.start_flat32(0x100000);
  Counter c;
  if (traced) m.add_observer(&c);
  return m.run({});
}

}  // namespace

TEST_CASE("812: timing is deterministic and does not change what the guest computes") {
  std::string out_a, out_b, out_c, out_off;
  const RunResult a = run_program(MachineConfig::Timing::kOn, false, &out_a);
  const RunResult b = run_program(MachineConfig::Timing::kOn, false, &out_b);
  const RunResult c = run_program(MachineConfig::Timing::kOn, true, &out_c);
  const RunResult off = run_program(MachineConfig::Timing::kOff, false, &out_off);
  CHECK(a.cycles == b.cycles);
  CHECK(a.cycles == c.cycles);  // an extra observer (a trace) changes nothing
  CHECK(a.instructions == off.instructions);
  CHECK(a.cycles > off.cycles);  // the model charges more than one clock per instruction
  CHECK(out_a == out_off);
  CHECK(out_a == out_c);
  CHECK(a.guest_status == off.guest_status);
}

TEST_CASE("813: every form of the opcode table has a row in the i486 clock table") {
  const auto clocks = build_i486_clocks(op_table());
  u32 rows = 0;
  for (const OpInfo* f : op_table().all_forms()) {
    REQUIRE(clocks[f->id].row != nullptr);
    REQUIRE(clocks[f->id].row->source != nullptr);
    ++rows;
  }
  CHECK(rows > 300);
}
