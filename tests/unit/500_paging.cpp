#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {
constexpr u32 kPd = 0x100000, kPt = 0x101000;

// Identity-maps the first 4 MB with the given PTE flags, paging on.
void enable_paging(TestMachine& m, u32 pte_flags = 7) {
  m.poke32(kPd, kPt | 7);
  for (u32 i = 0; i < 1024; ++i) m.poke32(kPt + 4 * i, (i << 12) | pte_flags);
  m.cpu.write_cr3(kPd);
  m.cpu.write_cr0(m.cpu.state().cr0 | cr0::PG);
}

}  // namespace

TEST_CASE("501 given a supervisor page when ring 3 reads it then #PF has error P|U and CR2", "[paging]") {
  TestMachine m;
  m.load(0x10000, {0x8B, 0x05, 0x00, 0x30, 0x00, 0x00});  // mov eax, [0x3000]
  m.setup_flat32(0x10000);
  m.set_gate(14, 0x20000);
  enable_paging(m);
  m.poke32(kPt + 3 * 4, 0x3000 | 3);  // page 3: present, writable, supervisor only
  m.enter_ring3();
  m.cpu.step();
  const CpuState& s = m.cpu.state();
  REQUIRE(s.eip == 0x20000);
  CHECK(s.cpl == 0);
  CHECK(s.cr2 == 0x3000);
  CHECK(m.peek32(s.r[ESP]) == (pf::P | pf::U));
  CHECK(m.peek32(s.r[ESP] + 4) == 0x10000);  // faulting EIP
}

TEST_CASE("502 given a read-only user page when ring 3 writes then #PF error is P|W|U", "[paging]") {
  TestMachine m;
  m.load(0x10000, {0xC7, 0x05, 0x00, 0x30, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});  // mov dword [0x3000], 1
  m.setup_flat32(0x10000);
  m.set_gate(14, 0x20000);
  enable_paging(m);
  m.poke32(kPt + 3 * 4, 0x3000 | 5);  // user, read-only
  m.enter_ring3();
  m.cpu.step();
  CHECK(m.cpu.state().eip == 0x20000);
  CHECK(m.peek32(m.cpu.state().r[ESP]) == (pf::P | pf::W | pf::U));
  CHECK(m.peek32(0x3000) == 0);  // nothing written
}

TEST_CASE("503 given a translation in the TLB when the PTE changes then the stale entry is used until INVLPG",
          "[paging][tlb]") {
  TestMachine m;
  m.setup_flat32(0x10000);
  enable_paging(m);
  m.poke32(0x5000, 0xAAAA);
  m.poke32(0x6000, 0xBBBB);
  CHECK(m.cpu.read_lin<u32>(0x5000) == 0xAAAA);
  m.poke32(kPt + 5 * 4, 0x6000 | 7);  // remap page 5 to frame 6, no flush
  CHECK(m.cpu.read_lin<u32>(0x5000) == 0xAAAA);
  m.cpu.tlb().flush_page(5);
  CHECK(m.cpu.read_lin<u32>(0x5000) == 0xBBBB);
}

TEST_CASE("504 given a walk when it succeeds then A is set on the PDE and PTE and D on write", "[paging]") {
  TestMachine m;
  m.setup_flat32(0x10000);
  enable_paging(m);
  m.poke32(kPd, kPt | 7);
  m.poke32(kPt + 7 * 4, 0x7000 | 7);
  m.cpu.read_lin<u32>(0x7000);
  CHECK((m.peek32(kPd) & 0x20) != 0);
  CHECK((m.peek32(kPt + 7 * 4) & 0x60) == 0x20);
  m.cpu.write_lin<u32>(0x7000, 1);  // a write through a clean TLB entry re-walks to set D
  CHECK((m.peek32(kPt + 7 * 4) & 0x60) == 0x60);
}

TEST_CASE("505 given an access crossing into a non-present page then CR2 names the second page", "[paging]") {
  TestMachine m;
  m.setup_flat32(0x10000);
  enable_paging(m);
  m.poke32(kPt + 9 * 4, 0);  // page 9 not present
  try {
    m.cpu.read_lin<u32>(0x8FFE);
    FAIL("no fault");
  } catch (const CpuFault& f) {
    CHECK(f.vector == vec::PF);
    CHECK(f.error == 0);
    CHECK(m.cpu.state().cr2 == 0x9000);
  }
}

TEST_CASE("506 given the 486 TLB when 33 pages are touched then the first one was evicted", "[paging][tlb]") {
  TestMachine m;
  m.setup_flat32(0x10000);
  enable_paging(m);
  for (u32 p = 0x10; p < 0x10 + 33; ++p) m.cpu.read_lin<u32>(p << 12);
  CHECK(m.cpu.tlb().valid_entries() == 32);
  CHECK(m.cpu.tlb().peek(0x10) == nullptr);
  CHECK(m.cpu.tlb().peek(0x10 + 32) != nullptr);
}

TEST_CASE("507 given a Pentium with CR4.PSE when a 4 MB PDE is used then it maps the whole 4 MB region",
          "[paging][pentium]") {
  TestMachine m(8u << 20, CpuModel::kPentium);
  m.setup_flat32(0x10000);
  m.poke32(kPd, kPt | 7);
  for (u32 i = 0; i < 1024; ++i) m.poke32(kPt + 4 * i, (i << 12) | 7);
  m.poke32(kPd + 4 * 2, 0x400000 | 0x80 | 7);  // linear 8 MB.. -> physical 4 MB.., large page
  m.cpu.write_cr4(cr4::PSE);
  m.cpu.write_cr3(kPd);
  m.cpu.write_cr0(m.cpu.state().cr0 | cr0::PG);
  m.poke32(0x400000 + 0x12344, 0xCAFE);
  CHECK(m.cpu.read_lin<u32>(0x800000 + 0x12344) == 0xCAFE);
  CHECK((m.peek32(kPd + 8) & 0x20) != 0);  // accessed set in the PDE
  m.cpu.write_lin<u32>(0x800000, 1);
  CHECK((m.peek32(kPd + 8) & 0x40) != 0);  // dirty set in the PDE of a large page
}

TEST_CASE("508 given the 486 when a PDE has the PS bit then it is still a page-table pointer", "[paging]") {
  TestMachine m;
  m.setup_flat32(0x10000);
  m.poke32(kPd, kPt | 0x80 | 7);
  for (u32 i = 0; i < 1024; ++i) m.poke32(kPt + 4 * i, (i << 12) | 7);
  m.cpu.write_cr3(kPd);
  m.cpu.write_cr0(m.cpu.state().cr0 | cr0::PG);
  m.poke32(0x5000, 0x77);
  CHECK(m.cpu.read_lin<u32>(0x5000) == 0x77);
}

TEST_CASE(
    "509 given split TLBs when code runs then fetches fill the instruction TLB and data the data TLB, and "
    "every flush empties both",
    "[paging][tlb]") {
  CpuConfig cfg;
  cfg.model = CpuModel::kPentium;
  cfg.split_tlb = true;
  cfg.tlb = TlbGeometry{64, 4, "lru", false};
  cfg.itlb_entries = 32;
  cfg.itlb_ways = 4;
  TestMachine m(4u << 20, cfg);
  // mov eax, [0x5000]; mov eax, [0x6000]; hlt  — code on page 0x10, data on pages 5 and 6
  m.load(0x10000, {0xA1, 0x00, 0x50, 0x00, 0x00, 0xA1, 0x00, 0x60, 0x00, 0x00, 0xF4});
  m.setup_flat32(0x10000);
  enable_paging(m);
  m.cpu.step();
  m.cpu.step();
  REQUIRE(m.cpu.split_tlb());
  CHECK(m.cpu.itlb().geometry().entries == 32);
  CHECK(m.cpu.tlb().geometry().entries == 64);
  CHECK(m.cpu.itlb().peek(0x10));
  CHECK_FALSE(m.cpu.tlb().peek(0x10));  // the code page is not in the data TLB
  CHECK(m.cpu.tlb().peek(5));
  CHECK(m.cpu.tlb().peek(6));
  CHECK_FALSE(m.cpu.itlb().peek(5));
  CHECK(m.cpu.tlb_valid_entries() >= 3);
  // A remapped code page is seen only after INVLPG drops it from the instruction TLB.
  m.cpu.flush_tlb_page(0x10);
  CHECK_FALSE(m.cpu.itlb().peek(0x10));
  // A CR3 load empties both.
  m.cpu.step();  // hlt: the fetch refills the instruction TLB
  CHECK(m.cpu.itlb().peek(0x10));
  m.cpu.write_cr3(kPd);
  CHECK(m.cpu.tlb_valid_entries() == 0);
}

TEST_CASE("510 given a unified TLB when split is off then fetches and data share it", "[paging][tlb]") {
  TestMachine m;
  m.load(0x10000, {0xA1, 0x00, 0x50, 0x00, 0x00, 0xF4});  // mov eax, [0x5000]; hlt
  m.setup_flat32(0x10000);
  enable_paging(m);
  m.cpu.step();
  CHECK_FALSE(m.cpu.split_tlb());
  CHECK(&m.cpu.itlb() == &m.cpu.tlb());
  CHECK(m.cpu.tlb().peek(0x10));
  CHECK(m.cpu.tlb().peek(5));
}
