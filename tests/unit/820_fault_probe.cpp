// The page-fault probe on synthetic step events: a user-mode #PF opens a
// record that closes where the faulting instruction restarts in its own
// address space, whatever ran in between (a pager in another space, its own
// faults, interrupts).
#include <catch2/catch.hpp>

#include "probes/fault_probe.hpp"

using namespace l4sim;

namespace {

constexpr u32 kFaulterCr3 = 0x00100000, kPagerCr3 = 0x00200000;
constexpr u32 kFaultEip = 0x00401000, kPagerEip = 0x00402000, kKernelEip = 0xC0100000;

// Feeds steps to the probe with a running clock and a CR3 register that the
// "kernel" steps may load.
struct Feed {
  u32 cr3 = kFaulterCr3;
  u64 now = 1000;
  PageFaultProbe probe{[this] { return cr3; }};

  void step(InsnEvent ev, u32 cycles, CycleCauses causes = {}) {
    if (causes.total() == 0) causes.base = cycles;
    probe.on_step(ev, now, cycles, causes);
    now += cycles;
  }
  static InsnEvent at(u32 eip, u8 cpl_before, u8 cpl_after) {
    InsnEvent ev;
    ev.eip = eip;
    ev.cpl_before = cpl_before;
    ev.cpl_after = cpl_after;
    ev.protected_mode = true;
    return ev;
  }
  // An instruction that completes in user mode.
  void user(u32 eip, u32 cycles = 1, CycleCauses causes = {}) {
    InsnEvent ev = at(eip, 3, 3);
    ev.retired = true;
    step(ev, cycles, causes);
  }
  // An instruction at `eip` whose data access faults in user mode.
  void page_fault(u32 eip, u32 cycles = 71) {
    InsnEvent ev = at(eip, 3, 0);
    ev.vector = 14;
    step(ev, cycles);
  }
  void kernel(u32 cycles = 1, CycleCauses causes = {}) {
    InsnEvent ev = at(kKernelEip, 0, 0);
    ev.retired = true;
    step(ev, cycles, causes);
  }
  void load_cr3(u32 value) {
    cr3 = value;
    InsnEvent ev = at(kKernelEip, 0, 0);
    ev.retired = true;
    ev.cr3_loaded = true;
    ev.tlb_flushed = true;
    step(ev, 4);
  }
  void trap(u32 eip, u8 vector, u32 cycles = 71) {  // INT n from user mode
    InsnEvent ev = at(eip, 3, 0);
    ev.retired = true;
    ev.vector = vector;
    ev.software_interrupt = true;
    step(ev, cycles);
  }
  void irq(u32 eip, u8 vector) {  // an external interrupt taken in user mode
    InsnEvent ev = at(eip, 3, 0);
    ev.vector = vector;
    ev.external_interrupt = true;
    step(ev, 71);
  }
  void iret_to_user(u32 cycles = 36) {
    InsnEvent ev = at(kKernelEip, 0, 3);
    ev.retired = true;
    step(ev, cycles);
  }
};

// One page-fault round trip with the pager in another address space: the
// fault, a kernel path that switches to the pager, the pager's code and its
// reply (one TLB miss in it), a switch back and the return.
void pager_round_trip(Feed& f) {
  f.page_fault(kFaultEip);  // 71
  f.kernel(10);             // fault IPC
  f.load_cr3(kPagerCr3);    // 4
  f.iret_to_user();         // 36
  CycleCauses miss;         // the pager's first access refills the TLB
  miss.base = 1;
  miss.tlb_refill = 9;
  InsnEvent ev = Feed::at(kPagerEip, 3, 3);
  ev.retired = true;
  MemAccess walk{0x00A00000, 0x00300000, 4, AccessKind::kWalk, true};
  MemAccess data{0x00A00000, 0x00A00000, 4, AccessKind::kWrite, true};
  ev.add(walk);
  ev.add(walk);
  ev.add(data);
  f.step(ev, 10, miss);
  f.user(kPagerEip + 4, 2);     // 2
  f.trap(kPagerEip + 8, 0x30);  // 71: reply with a map item
  CycleCauses fill;             // the mapping code misses the cache once
  fill.base = 3;
  fill.cache_miss = 5;
  f.kernel(8, fill);
  f.load_cr3(kFaulterCr3);  // 4
  f.iret_to_user();         // 36
}

}  // namespace

TEST_CASE(
    "820 given a fault answered by a pager in another address space when the instruction restarts then one "
    "complete record spans delivery to restart",
    "[probes]") {
  Feed f;
  f.user(kFaultEip - 4);
  const u64 start = f.now;
  pager_round_trip(f);
  const u64 restart = f.now;
  f.user(kFaultEip);  // the restarted instruction
  f.user(kFaultEip + 4);

  const auto& recs = f.probe.records();
  REQUIRE(recs.size() == 1);
  const FaultRecord& r = recs[0];
  CHECK(r.complete);
  CHECK(r.start_cycle == start);
  CHECK(r.cycles == restart - start);
  CHECK(r.cycles == 71 + 10 + 4 + 36 + 10 + 2 + 71 + 8 + 4 + 36);
  CHECK(r.causes.total() == r.cycles);
  CHECK(r.fault_eip == kFaultEip);
  CHECK(r.cr3 == kFaulterCr3);
  CHECK(r.kernel_entries == 2);  // the #PF and the pager's IPC
  CHECK(r.cr3_loads == 2);
  CHECK(r.other_as);
  CHECK(r.nested_faults == 0);
  CHECK(r.instructions == 10);  // every step above retired or delivered a vector
  CHECK(r.user_instructions == 2);
  CHECK(r.user_cycles == 12);
  CHECK(r.tlb_misses == 1);  // the data access, not the walk's two reads
  CHECK(r.causes.tlb_refill == 9);
  CHECK(r.causes.cache_miss == 5);
}

TEST_CASE(
    "821 given a pager in the faulting address space when the fault is answered then no CR3 load and no other "
    "address space",
    "[probes]") {
  Feed f;
  f.page_fault(kFaultEip);
  f.kernel(20);
  f.iret_to_user();
  f.user(kPagerEip);  // the pager, same CR3
  f.trap(kPagerEip + 4, 0x30);
  f.kernel(20);
  f.iret_to_user();
  f.user(kFaultEip);
  REQUIRE(f.probe.records().size() == 1);
  const FaultRecord& r = f.probe.records()[0];
  CHECK(r.complete);
  CHECK(r.cr3_loads == 0);
  CHECK_FALSE(r.other_as);
  CHECK(r.kernel_entries == 2);
  CHECK(r.cycles == 71 + 20 + 36 + 1 + 71 + 20 + 36);
}

TEST_CASE(
    "822 given the pager faults while it handles a fault then the pager's fault is counted as nested, not "
    "recorded",
    "[probes]") {
  Feed f;
  f.page_fault(kFaultEip);
  f.load_cr3(kPagerCr3);
  f.iret_to_user();
  f.page_fault(kPagerEip);  // the pager touches a page of its own
  f.load_cr3(0x00300000);   // ... its pager runs, answers
  f.iret_to_user();
  f.user(0x00500000);
  f.trap(0x00500004, 0x30);
  f.load_cr3(kPagerCr3);
  f.iret_to_user();
  f.user(kPagerEip);  // the pager's restart: not the record's
  f.trap(kPagerEip + 4, 0x30);
  f.load_cr3(kFaulterCr3);
  f.iret_to_user();
  f.user(kFaultEip);
  REQUIRE(f.probe.records().size() == 1);
  const FaultRecord& r = f.probe.records()[0];
  CHECK(r.complete);
  CHECK(r.nested_faults == 1);
  CHECK(r.kernel_entries == 4);
  CHECK(r.cr3_loads == 4);
  CHECK(r.other_as);
}

TEST_CASE("823 given vector 14 from INT 14, from an IRQ or from kernel mode then no record starts", "[probes]") {
  Feed f;
  f.trap(kFaultEip, 14);  // INT 14
  f.iret_to_user();
  f.irq(kFaultEip, 14);  // IRQ 6 with the PIC at the BIOS base 8
  f.iret_to_user();
  InsnEvent kpf = Feed::at(kKernelEip, 0, 0);
  kpf.vector = 14;
  f.step(kpf, 71);
  f.user(kFaultEip);
  CHECK(f.probe.records().empty());
}

TEST_CASE(
    "824 given the faulting EIP in another address space or an interrupt before the restart then the record "
    "stays open until the instruction runs in its own space",
    "[probes]") {
  Feed f;
  f.page_fault(kFaultEip);
  f.load_cr3(kPagerCr3);
  f.iret_to_user();
  f.user(kFaultEip);  // the same code runs in the pager's space: not the restart
  f.trap(kFaultEip + 4, 0x30);
  f.load_cr3(kFaulterCr3);
  f.iret_to_user();
  f.irq(kFaultEip, 0x20);  // the timer, at the restart point: the instruction has not run
  f.kernel(30);
  f.iret_to_user();
  REQUIRE(f.probe.records().size() == 1);
  CHECK_FALSE(f.probe.records()[0].complete);
  const u64 restart = f.now;
  f.user(kFaultEip);
  const FaultRecord& r = f.probe.records()[0];
  CHECK(r.complete);
  CHECK(r.cycles == restart - r.start_cycle);
  CHECK(r.kernel_entries == 3);  // the fault, the pager's IPC, the timer
  CHECK(r.user_instructions == 1);
}

TEST_CASE("825 given a restarted instruction that faults again then the first record completes and a second starts",
          "[probes]") {
  Feed f;
  pager_round_trip(f);
  const u64 second = f.now;
  pager_round_trip(f);  // the restart faults again
  f.user(kFaultEip);
  const auto& recs = f.probe.records();
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].complete);
  CHECK(recs[0].cycles == second - recs[0].start_cycle);
  CHECK(recs[0].nested_faults == 0);
  CHECK(recs[1].complete);
  CHECK(recs[1].start_cycle == second);
  CHECK(recs[1].index == 1);
  CHECK(recs[0].cycles == recs[1].cycles);
}

TEST_CASE(
    "826 given a fault that is never restarted then its record stays incomplete and takes later faults as "
    "nested; an EIP range keeps other faults from starting records",
    "[probes]") {
  SECTION("no range: the first fault holds the record") {
    Feed f;
    f.page_fault(0x00403000);  // its thread is sent elsewhere and never retries
    f.iret_to_user();
    f.user(0x00404000);
    pager_round_trip(f);
    f.user(kFaultEip);
    REQUIRE(f.probe.records().size() == 1);
    CHECK_FALSE(f.probe.records()[0].complete);
    CHECK(f.probe.records()[0].nested_faults == 1);
  }
  SECTION("a range around the benchmark's loop") {
    Feed f;
    f.probe.set_eip_range(kFaultEip, kFaultEip + 0x100);
    f.page_fault(0x00403000);  // outside: no record
    f.iret_to_user();
    f.user(0x00404000);
    pager_round_trip(f);
    f.user(kFaultEip);
    REQUIRE(f.probe.records().size() == 1);
    CHECK(f.probe.records()[0].complete);
    CHECK(f.probe.records()[0].fault_eip == kFaultEip);
  }
}
