#include <catch2/catch.hpp>

#include "cpu486/optable.hpp"
#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {
struct Recorder : InsnObserver {
  std::vector<InsnEvent> events;
  void on_step(const InsnEvent& ev) override { events.push_back(ev); }
};
}  // namespace

TEST_CASE("481 given an observer when an instruction reads memory then the event lists fetch and data access",
          "[events]") {
  TestMachine m;
  Recorder rec;
  m.load(0x10000, {0x8B, 0x05, 0x00, 0x30, 0x00, 0x00});  // mov eax, [0x3000]
  m.setup_flat32(0x10000);
  m.cpu.set_observer(&rec);
  m.cpu.step();
  REQUIRE(rec.events.size() == 1);
  const InsnEvent& e = rec.events[0];
  CHECK(e.eip == 0x10000);
  CHECK(e.retired);
  REQUIRE(e.insn != nullptr);
  CHECK(std::string(e.insn->info->mnemonic) == "mov");
  REQUIRE(e.n_access == 2);
  CHECK(e.access[0].kind == AccessKind::kFetch);
  CHECK(e.access[0].size == 6);
  CHECK(e.access[1].kind == AccessKind::kRead);
  CHECK(e.access[1].lin == 0x3000);
  CHECK(e.access[1].size == 4);
}

TEST_CASE("482 given paging when a TLB miss occurs then the walk reads are in the event", "[events]") {
  TestMachine m;
  Recorder rec;
  m.load(0x10000, {0x8B, 0x05, 0x00, 0x30, 0x00, 0x00, 0x8B, 0x05, 0x00, 0x30, 0x00, 0x00});
  m.setup_flat32(0x10000);
  m.poke32(0x100000, 0x101000 | 7);
  for (u32 i = 0; i < 1024; ++i) m.poke32(0x101000 + 4 * i, (i << 12) | 7);
  m.cpu.write_cr3(0x100000);
  m.cpu.write_cr0(m.cpu.state().cr0 | cr0::PG);
  m.cpu.set_observer(&rec);
  m.cpu.step();
  m.cpu.step();
  REQUIRE(rec.events.size() == 2);
  // First: fetch misses (walk), data misses (walk): two misses, four walk reads.
  CHECK(rec.events[0].tlb_misses == 2);
  int walks = 0;
  for (unsigned i = 0; i < rec.events[0].n_access; ++i) walks += rec.events[0].access[i].kind == AccessKind::kWalk;
  CHECK(walks == 4);
  // Second: both translations hit.
  CHECK(rec.events[1].tlb_misses == 0);
}

TEST_CASE("483 given a software interrupt when it is delivered then the event shows vector and privilege", "[events]") {
  TestMachine m;
  Recorder rec;
  m.load(0x10000, {0xCD, 0x30});  // int 0x30
  m.load(0x20000, {0xF4});
  m.setup_flat32(0x10000);
  m.set_gate(0x30, 0x20000);
  m.cpu.set_observer(&rec);
  m.cpu.step();
  REQUIRE(rec.events.size() == 1);
  CHECK(rec.events[0].vector == 0x30);
  CHECK(rec.events[0].software_interrupt);
  CHECK(rec.events[0].seg_loads & (1u << CS));
}

TEST_CASE("484 given the same program when run with and without an observer then results are identical", "[events]") {
  auto run = [](bool observe) {
    TestMachine m;
    Recorder rec;
    if (observe) m.cpu.set_observer(&rec);
    REQUIRE(m.run_flat32(R"(
      mov ecx, 100
      xor eax, eax
    1:
      add eax, ecx
      push eax
      pop ebx
      loop 1b
      out 0xf4, al
    )"));
    return std::make_pair(m.cpu.state().r, m.cpu.retired());
  };
  CHECK(run(false) == run(true));
}
