// Flag instructions (CLC..STD, CLI/STI with their privilege rules and the STI
// interrupt shadow) and the decimal adjust instructions (DAA, DAS, AAA, AAS, AAM,
// AAD). Expected values are worked out by hand from the Intel SDM vol. 2
// pseudocode; where Intel leaves a flag undefined the tests pin the documented
// choice of insn/bcd.cpp (SF/ZF/PF from the result, OF/AF/CF cleared as stated).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "support/snippet_rig.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = FlatRig::kCode;
constexpr u32 kHandler = FlatRig::kHandler;

using Flat = FlatRig;

// Runs one instruction with EAX and EFLAGS preset; returns {EAX, EFLAGS}.
std::pair<u32, u32> run1(const std::vector<u8>& code, u32 eax, u32 eflags) {
  Flat f(code);
  f.s.r[EAX] = eax;
  f.s.eflags = fl::R1 | eflags;
  f.step();
  CHECK(f.s.eip == kCode + code.size());
  return {f.s.r[EAX], f.s.eflags};
}

struct Intr : InterruptSource {
  bool pending = false;
  bool intr_pending() const override { return pending; }
  u8 intr_acknowledge() override {
    pending = false;
    return 0x40;
  }
};

constexpr u32 R1 = fl::R1;

}  // namespace

TEST_CASE("320 given flags when CLC STC CMC CLD and STD run then only CF or DF changes", "[flagops]") {
  Flat f(std::vector<u8>{0xF9, 0xF5, 0xF5, 0xF8, 0xFD, 0xFC});
  f.s.eflags = R1 | fl::ZF | fl::OF;
  f.step();
  CHECK(f.s.eflags == (R1 | fl::ZF | fl::OF | fl::CF));
  f.step();
  CHECK(f.s.eflags == (R1 | fl::ZF | fl::OF));
  f.step();
  CHECK(f.s.eflags == (R1 | fl::ZF | fl::OF | fl::CF));
  f.step();
  CHECK(f.s.eflags == (R1 | fl::ZF | fl::OF));
  f.step();
  CHECK(f.s.eflags == (R1 | fl::ZF | fl::OF | fl::DF));
  f.step();
  CHECK(f.s.eflags == (R1 | fl::ZF | fl::OF));
}

TEST_CASE("321 given a mode CPL and IOPL when CLI and STI run then IF changes or #GP(0) is raised", "[flagops]") {
  SECTION("ring 0") {
    Flat f(std::vector<u8>{0xFB, 0xFA});
    f.step();
    CHECK(f.s.eflags == (R1 | fl::IF));
    f.step();
    CHECK(f.s.eflags == R1);
  }
  SECTION("real mode ignores IOPL") {
    TestMachine m;
    m.setup_real(0x1000, 0);
    m.load(0x10000, {0xFB, 0xFA});
    REQUIRE(m.cpu.step() == StepResult::kOk);
    CHECK(m.cpu.state().eflags == (R1 | fl::IF));
    REQUIRE(m.cpu.step() == StepResult::kOk);
    CHECK(m.cpu.state().eflags == R1);
  }
  SECTION("CPL 3 with IOPL 3 may change IF") {
    Flat f(std::vector<u8>{0xFB, 0xFA});
    f.ring3(3);
    f.step();
    CHECK(f.s.eflags == (R1 | fl::IOPL | fl::IF));
    f.step();
    CHECK(f.s.eflags == (R1 | fl::IOPL));
  }
  SECTION("CPL 3 with IOPL 2: CLI and STI are #GP(0)") {
    for (u8 op : {0xFA, 0xFB}) {
      Flat f(std::vector<u8>{op});
      f.ring3(2);
      f.s.eflags |= fl::IF;
      f.expect_fault(vec::GP, kCode, true, 0);
      CHECK(f.m.peek32(f.s.r[ESP] + 12) == (R1 | fl::IF | (2u << 12)));  // the saved EFLAGS: IF unchanged
    }
  }
  SECTION("v86 with IOPL 3 may change IF, with IOPL 0 it is #GP(0)") {
    Flat f(std::vector<u8>{0xFA});
    f.v86(3);
    f.s.eflags |= fl::IF;
    f.step();
    CHECK(f.s.eflags == (R1 | fl::VM | fl::IOPL));
    for (u8 op : {0xFA, 0xFB}) {
      Flat g(std::vector<u8>{op});
      g.v86(0);
      g.expect_fault(vec::GP, 0, true, 0);
    }
  }
  SECTION("Pentium with CR4.PVI at CPL 3: CLI and STI change VIF, STI with VIP pending is #GP(0)") {
    Flat f(std::vector<u8>{0xFA, 0xFB, 0xFB}, CpuModel::kPentium);
    f.ring3(0);
    f.s.cr4 = cr4::PVI;
    f.s.eflags |= fl::IF | fl::VIF;
    f.step();
    CHECK(f.s.eflags == (R1 | fl::IF));
    f.step();
    CHECK(f.s.eflags == (R1 | fl::IF | fl::VIF));
    f.s.eflags |= fl::VIP;
    f.expect_fault(vec::GP, kCode + 2, true, 0);
  }
  SECTION("Pentium with CR4.VME in v86 mode: CLI changes VIF") {
    Flat f(std::vector<u8>{0xFA}, CpuModel::kPentium);
    f.v86(0);
    f.s.cr4 = cr4::VME;
    f.s.eflags |= fl::IF | fl::VIF;
    f.step();
    CHECK(f.s.eflags == (R1 | fl::VM | fl::IF));
  }
  SECTION("the i486 has no PVI: CPL 3 CLI with IOPL 0 is #GP(0) whatever CR4 holds") {
    Flat f(std::vector<u8>{0xFA});
    f.ring3(0);
    f.s.cr4 = cr4::PVI;
    f.expect_fault(vec::GP, kCode, true, 0);
  }
}

TEST_CASE("322 given a pending interrupt when STI sets IF then one more instruction runs before it is taken",
          "[flagops]") {
  SECTION("IF was 0: the interrupt waits for the instruction after STI") {
    Flat f(std::vector<u8>{0xFB, 0x90, 0x90});
    Intr intr;
    f.m.cpu.set_interrupt_source(&intr);
    f.m.set_gate(0x40, kHandler);
    intr.pending = true;
    f.step();  // sti
    CHECK(f.s.eip == kCode + 1);
    f.step();  // nop runs in the shadow
    CHECK(f.s.eip == kCode + 2);
    f.step();  // the interrupt
    CHECK(f.s.eip == kHandler);
    CHECK(f.m.peek32(f.s.r[ESP]) == kCode + 2);
  }
  SECTION("IF was already 1: no shadow") {
    Flat f(std::vector<u8>{0xFB, 0x90, 0x90});
    Intr intr;
    f.m.cpu.set_interrupt_source(&intr);
    f.m.set_gate(0x40, kHandler);
    f.s.eflags |= fl::IF;
    f.step();  // sti
    intr.pending = true;
    f.step();  // taken at once
    CHECK(f.s.eip == kHandler);
    CHECK(f.m.peek32(f.s.r[ESP]) == kCode + 1);
  }
}

TEST_CASE("323 given AL and flags when DAA runs then AL is decimal adjusted after addition", "[bcd]") {
  using P = std::pair<u32, u32>;
  CHECK(run1({0x27}, 0x123456AE, fl::OF) == P{0x12345614, R1 | fl::CF | fl::AF | fl::PF});  // OF cleared
  CHECK(run1({0x27}, 0x12, fl::AF) == P{0x18, R1 | fl::AF | fl::PF});
  CHECK(run1({0x27}, 0x9A, 0) == P{0x00, R1 | fl::CF | fl::AF | fl::ZF | fl::PF});
  CHECK(run1({0x27}, 0x00, fl::CF) == P{0x60, R1 | fl::CF | fl::PF});
  CHECK(run1({0x27}, 0xFA, 0) == P{0x60, R1 | fl::CF | fl::AF | fl::PF});  // SDM: old AL > 99
  CHECK(run1({0x27}, 0x45, fl::ZF | fl::SF) == P{0x45, R1});
  SECTION("79 + 35 = 114 with ADD then DAA") {
    Flat f(std::vector<u8>{0xB0, 0x79, 0x04, 0x35, 0x27});  // mov al, 0x79; add al, 0x35; daa
    f.step(3);
    CHECK((f.s.r[EAX] & 0xFF) == 0x14);
    CHECK(f.s.eflags & fl::CF);
  }
}

TEST_CASE("324 given AL and flags when DAS runs then AL is decimal adjusted after subtraction", "[bcd]") {
  using P = std::pair<u32, u32>;
  CHECK(run1({0x2F}, 0x2B, fl::OF) == P{0x25, R1 | fl::AF});
  CHECK(run1({0x2F}, 0x03, fl::AF) == P{0xFD, R1 | fl::CF | fl::AF | fl::SF});  // the borrow of AL - 6 stays
  CHECK(run1({0x2F}, 0xA0, 0) == P{0x40, R1 | fl::CF});
  CHECK(run1({0x2F}, 0x00, fl::CF) == P{0xA0, R1 | fl::CF | fl::SF | fl::PF});
  CHECK(run1({0x2F}, 0xEE, fl::CF | fl::AF) == P{0x88, R1 | fl::CF | fl::AF | fl::SF | fl::PF});  // 35 - 47
  CHECK(run1({0x2F}, 0x00, 0) == P{0x00, R1 | fl::ZF | fl::PF});
}

TEST_CASE("325 given AX and AF when AAA runs then AX is ASCII adjusted after addition", "[bcd]") {
  using P = std::pair<u32, u32>;
  CHECK(run1({0x37}, 0xABCD000F, 0) == P{0xABCD0105, R1 | fl::AF | fl::CF | fl::PF});
  CHECK(run1({0x37}, 0x000000FA, fl::OF) == P{0x0200, R1 | fl::AF | fl::CF | fl::ZF | fl::PF});  // AX + 106h
  CHECK(run1({0x37}, 0x0105, fl::CF) == P{0x0105, R1 | fl::PF});
  CHECK(run1({0x37}, 0x0102, fl::AF) == P{0x0208, R1 | fl::AF | fl::CF});
  CHECK(run1({0x37}, 0x0035, 0) == P{0x0005, R1 | fl::PF});
}

TEST_CASE("326 given AX and AF when AAS runs then AX is ASCII adjusted after subtraction", "[bcd]") {
  using P = std::pair<u32, u32>;
  CHECK(run1({0x3F}, 0xABCD020F, 0) == P{0xABCD0109, R1 | fl::AF | fl::CF | fl::PF});
  CHECK(run1({0x3F}, 0x0203, fl::AF) == P{0x000D, R1 | fl::AF | fl::CF});  // AX - 6 borrows from AH, then AH - 1
  CHECK(run1({0x3F}, 0x0005, fl::CF) == P{0x0005, R1 | fl::PF});
  CHECK(run1({0x3F}, 0x0000, fl::AF) == P{0xFE0A, R1 | fl::AF | fl::CF | fl::PF});
}

TEST_CASE("327 given AL when AAM runs then AH and AL hold the quotient and remainder and base 0 is #DE", "[bcd]") {
  using P = std::pair<u32, u32>;
  const u32 junk = fl::CF | fl::OF | fl::AF;
  CHECK(run1({0xD4, 0x0A}, 0xABCD004F, junk) == P{0xABCD0709, R1 | fl::PF});
  CHECK(run1({0xD4, 0x10}, 0x4F, 0) == P{0x040F, R1 | fl::PF});
  CHECK(run1({0xD4, 0x0A}, 0x1200, 0) == P{0x0000, R1 | fl::ZF | fl::PF});
  CHECK(run1({0xD4, 0x0A}, 0xFF, 0) == P{0x1905, R1 | fl::PF});
  CHECK(run1({0xD4, 0x07}, 0x80, 0) == P{0x1202, R1});  // 128 = 18 * 7 + 2
  SECTION("base 0") {
    Flat f(std::vector<u8>{0xD4, 0x00});
    f.s.r[EAX] = 0x1234;
    f.expect_fault(vec::DE, kCode);
    CHECK(f.s.r[EAX] == 0x1234);
  }
}

TEST_CASE("328 given AH and AL when AAD runs then AL becomes AH times the base plus AL and AH is cleared", "[bcd]") {
  using P = std::pair<u32, u32>;
  const u32 junk = fl::CF | fl::OF | fl::AF;
  CHECK(run1({0xD5, 0x0A}, 0xABCD0709, junk) == P{0xABCD004F, R1});
  CHECK(run1({0xD5, 0x10}, 0x040F, 0) == P{0x004F, R1});
  CHECK(run1({0xD5, 0x0A}, 0xFFFF, 0) == P{0x00F5, R1 | fl::SF | fl::PF});  // (255 + 2550) mod 256
  CHECK(run1({0xD5, 0x0A}, 0x0000, 0) == P{0x0000, R1 | fl::ZF | fl::PF});
  CHECK(run1({0xD5, 0x00}, 0x0937, 0) == P{0x0037, R1});
}
