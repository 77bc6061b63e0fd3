// Stack instructions: PUSH/POP reg, imm, Ev; PUSHA/POPA; PUSHF/POPF with the
// IOPL rules; ENTER/LEAVE. Expected values are worked out by hand from the
// Intel SDM vol. 2 pages.
#include <catch2/catch.hpp>
#include <string>

#include "support/snippet_rig.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = FlatRig::kCode;
constexpr u32 kHandler = FlatRig::kHandler;

using Flat = FlatRig;
using Real = RealRig;

}  // namespace

TEST_CASE("310 given registers when PUSH and POP reg run then values move through the stack and eSP is special",
          "[stack]") {
  SECTION("32 and 16-bit operands, PUSH ESP pushes the old value") {
    Flat f("push eax\n push esp\n push bx\n pop cx\n pop edx\n pop esi\n");
    f.s.r[EAX] = 0x11111111;
    f.s.r[EBX] = 0x55552222;
    f.s.r[ECX] = 0xFFFFFFFF;
    f.step(3);
    CHECK(f.s.r[ESP] == 0x7FFF6);
    CHECK(f.m.peek32(0x7FFFC) == 0x11111111);
    CHECK(f.m.peek32(0x7FFF8) == 0x7FFFC);
    CHECK((f.m.peek32(0x7FFF4) >> 16) == 0x2222);
    f.step(3);
    CHECK(f.s.r[ECX] == 0xFFFF2222);
    CHECK(f.s.r[EDX] == 0x7FFFC);
    CHECK(f.s.r[ESI] == 0x11111111);
    CHECK(f.s.r[ESP] == 0x80000);
  }
  SECTION("POP ESP loads the popped value and POP SP keeps the upper half") {
    Flat f("pop esp\n pop sp\n");
    f.s.r[ESP] = 0x7FFF0;
    f.m.poke32(0x7FFF0, 0x00060000);
    f.m.poke32(0x60000, 0x9999ABCD);
    f.step();
    CHECK(f.s.r[ESP] == 0x60000);
    f.step();
    CHECK(f.s.r[ESP] == 0x0006ABCD);
  }
  SECTION("a 16-bit stack wraps SP and keeps the upper half of ESP") {
    Real r("push sp\n push ax\n pop cx\n", 0x0002);
    r.s.r[ESP] = 0x12340002;
    r.s.r[EAX] = 0xBEEF;
    r.step();  // push sp: SP 0002 -> 0000, pushes 0002
    CHECK(r.s.r[ESP] == 0x12340000);
    CHECK(r.peek16(0x20000) == 0x0002);
    r.step();  // push ax: SP wraps to FFFE
    CHECK(r.s.r[ESP] == 0x1234FFFE);
    CHECK(r.peek16(0x2FFFE) == 0xBEEF);
    r.step();  // pop cx: SP wraps back to 0000
    CHECK(r.s.r[ESP] == 0x12340000);
    CHECK((r.s.r[ECX] & 0xFFFF) == 0xBEEF);
  }
}

TEST_CASE("311 given immediates when PUSH 68 and 6A run then Iz is pushed and Ib is sign extended", "[stack]") {
  Flat f("push 0x12345678\n push -2\n pushw 0x1234\n pushw -1\n push 0x7f\n");
  f.step(5);
  CHECK(f.s.r[ESP] == 0x80000 - 4 - 4 - 2 - 2 - 4);
  CHECK(f.m.peek32(0x7FFFC) == 0x12345678);
  CHECK(f.m.peek32(0x7FFF8) == 0xFFFFFFFE);
  CHECK(f.m.peek32(0x7FFF4) == 0x1234FFFF);
  CHECK(f.m.peek32(0x7FFF0) == 0x0000007F);
}

TEST_CASE("312 given memory operands when PUSH Ev and POP Ev run then POP computes an ESP based address after the pop",
          "[stack]") {
  SECTION("every form") {
    Flat f(
        "push dword ptr [ebx]\n"
        "push dword ptr [esp]\n"
        "push word ptr [ebx+4]\n"
        "pop word ptr [ebx+8]\n"
        "pop dword ptr [esp+4]\n"
        "pop dword ptr [ebx+12]\n"
        ".byte 0x8f, 0xc4\n");  // pop esp through 8F /0
    f.s.r[EBX] = 0x2000;
    f.m.poke32(0x2000, 0xAABBCCDD);
    f.m.poke32(0x2004, 0x33331111);
    f.m.poke32(0x2008, 0xFFFFFFFF);
    f.m.poke32(0x80000, 0);
    f.step(3);
    CHECK(f.s.r[ESP] == 0x7FFF6);
    CHECK(f.m.peek32(0x7FFF8) == 0xAABBCCDD);
    f.step();
    CHECK(f.m.peek32(0x2008) == 0xFFFF1111);
    CHECK(f.s.r[ESP] == 0x7FFF8);
    f.step();  // value from 0x7FFF8, ESP -> 0x7FFFC, destination 0x7FFFC + 4
    CHECK(f.s.r[ESP] == 0x7FFFC);
    CHECK(f.m.peek32(0x80000) == 0xAABBCCDD);
    f.step();
    CHECK(f.m.peek32(0x200C) == 0xAABBCCDD);
    CHECK(f.s.r[ESP] == 0x80000);
    f.step();
    CHECK(f.s.r[ESP] == 0xAABBCCDD);
  }
  SECTION("8F /1 and FF /7 are undefined") {
    Flat f(".byte 0x8f, 0xc8\n");
    f.expect_fault(vec::UD, kCode);
    Flat g(".byte 0xff, 0xf8\n");
    g.expect_fault(vec::UD, kCode);
  }
  SECTION("a POP whose destination faults leaves ESP unchanged") {
    Flat f("pop dword ptr [0x1000]\n");
    f.s.seg[DS].limit = 0xFFF;
    f.s.seg[DS].refresh();
    f.s.r[ESP] = 0x7FFF0;
    f.expect_fault(vec::GP, kCode, true, 0);
    CHECK(f.s.r[ESP] == 0x7FFF0 - 16);  // the ring-0 frame (error, EIP, CS, EFLAGS) below the old ESP
  }
}

TEST_CASE("313 given all registers when PUSHA then POPA run then they round trip and the saved eSP is ignored",
          "[stack]") {
  SECTION("32-bit") {
    Flat f("pushad\n popad\n");
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) f.s.r[r] = 0x01010101u * (r + 1);
    f.step();
    CHECK(f.s.r[ESP] == 0x7FFE0);
    CHECK(f.m.peek32(0x7FFE0) == 0x08080808);  // EDI
    CHECK(f.m.peek32(0x7FFE4) == 0x07070707);  // ESI
    CHECK(f.m.peek32(0x7FFE8) == 0x06060606);  // EBP
    CHECK(f.m.peek32(0x7FFEC) == 0x80000);     // original ESP
    CHECK(f.m.peek32(0x7FFF0) == 0x04040404);  // EBX
    CHECK(f.m.peek32(0x7FFF4) == 0x03030303);  // EDX
    CHECK(f.m.peek32(0x7FFF8) == 0x02020202);  // ECX
    CHECK(f.m.peek32(0x7FFFC) == 0x01010101);  // EAX
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) f.s.r[r] = 0;
    f.m.poke32(0x7FFEC, 0xDEADBEEF);
    f.step();
    CHECK(f.s.r[ESP] == 0x80000);
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) CHECK(f.s.r[r] == 0x01010101u * (r + 1));
  }
  SECTION("16-bit keeps the upper halves") {
    Flat f("pushaw\n popaw\n");
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) f.s.r[r] = 0xAAAA0000u | (0x1111u * (r + 1));
    f.step();
    CHECK(f.s.r[ESP] == 0x7FFF0);
    CHECK(f.m.peek32(0x7FFF0) == 0x77778888);  // SI:DI
    CHECK(f.m.peek32(0x7FFF4) == 0x00006666);  // SP (0000 of 0x80000):BP
    CHECK(f.m.peek32(0x7FFF8) == 0x33334444);  // DX:BX
    CHECK(f.m.peek32(0x7FFFC) == 0x11112222);  // AX:CX
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) f.s.r[r] = 0x55550000;
    f.step();
    CHECK(f.s.r[ESP] == 0x80000);
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) CHECK(f.s.r[r] == (0x55550000u | (0x1111u * (r + 1))));
  }
  SECTION("a POPAD that would read beyond the SS limit faults before any register changes") {
    Flat f("popad\n");
    f.s.seg[SS].limit = 0x7FFF7;
    f.s.seg[SS].refresh();
    f.s.r[ESP] = 0x7FFE0;
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) f.s.r[r] = 0xC0C0C0C0;
    f.m.set_gate(vec::SS, kHandler);
    f.step();
    REQUIRE(f.s.eip == kHandler);
    CHECK(f.m.peek32(f.s.r[ESP]) == 0);  // error code
    CHECK(f.m.peek32(f.s.r[ESP] + 4) == kCode);
    CHECK(f.s.r[ESP] == 0x7FFE0 - 16);
    for (unsigned r = EAX; r <= EDI; ++r)
      if (r != ESP) CHECK(f.s.r[r] == 0xC0C0C0C0);
  }
  SECTION("real mode PUSHA stores the original SP") {
    Real r("pusha\n");
    r.s.r[EBX] = 0x1234;
    r.step();
    CHECK((r.s.r[ESP] & 0xFFFF) == 0xFFE0);
    CHECK(r.peek16(0x2FFE0 + 6) == 0xFFF0);  // SP slot
    CHECK(r.peek16(0x2FFE0 + 8) == 0x1234);  // BX slot
  }
}

TEST_CASE("314 given a mode CPL and IOPL when PUSHF and POPF run then only the permitted flags change", "[stack]") {
  SECTION("PUSHFD clears VM and RF in the image and PUSHF pushes the low word") {
    Flat f("pushfd\n pushfw\n");
    f.s.eflags = fl::R1 | fl::CF | fl::IF | fl::RF | fl::AC;
    f.step();
    CHECK(f.m.peek32(0x7FFFC) == (fl::R1 | fl::CF | fl::IF | fl::AC));
    f.s.eflags = fl::R1 | fl::ZF | fl::AC;
    f.step();
    CHECK(f.s.r[ESP] == 0x7FFFA);
    CHECK((f.m.peek32(0x7FFF8) >> 16) == (fl::R1 | fl::ZF));
  }
  SECTION("CPL 0 POPFD changes IOPL, IF and AC but never VM, RF or the reserved bits") {
    Flat f("popfd\n");
    f.s.eflags = fl::R1;
    f.m.poke32(0x7FFFC, 0xFFFFFFFF);
    f.s.r[ESP] = 0x7FFFC;
    f.step();
    CHECK(f.s.eflags == 0x00047FD7u);
    CHECK(f.s.r[ESP] == 0x80000);
  }
  SECTION("a 16-bit POPF keeps the upper half") {
    Flat f("popfw\n");
    f.s.eflags = fl::R1 | fl::AC | fl::IF;
    f.m.poke32(0x7FFFC, 0xFFFF0001);  // word at 0x7FFFC = 0x0001
    f.s.r[ESP] = 0x7FFFC;
    f.step();
    CHECK(f.s.eflags == (fl::R1 | fl::AC | fl::CF));
    CHECK(f.s.r[ESP] == 0x7FFFE);
  }
  SECTION("CPL 3 with IOPL 0: IF and IOPL are silently kept") {
    Flat f("popfd\n");
    f.ring3(0);
    f.s.eflags |= fl::IF;
    f.s.r[ESP] = 0x7FFFC;
    f.m.poke32(0x7FFFC, fl::IOPL | fl::CF | fl::DF);
    f.step();
    CHECK(f.s.eflags == (fl::R1 | fl::IF | fl::CF | fl::DF));
  }
  SECTION("CPL 3 with IOPL 3: IF changes, IOPL does not") {
    Flat f("popfd\n");
    f.ring3(3);
    f.s.eflags |= fl::IF;
    f.s.r[ESP] = 0x7FFFC;
    f.m.poke32(0x7FFFC, fl::ZF);
    f.step();
    CHECK(f.s.eflags == (fl::R1 | fl::IOPL | fl::ZF));
  }
  SECTION("real mode POPF sets IOPL and IF") {
    Real r("popf\n");
    r.m.poke32(0x2FFF0, fl::IOPL | fl::IF | fl::SF);
    r.step();
    CHECK(r.s.eflags == (fl::R1 | fl::IOPL | fl::IF | fl::SF));
  }
  SECTION("v86 with IOPL below 3: PUSHF, PUSHFD and POPF are #GP(0)") {
    for (const char* src : {"pushf\n", "pushfd\n", "popf\n", "popfd\n"}) {
      Flat f(src, 16);
      f.v86(2);
      f.expect_fault(vec::GP, 0, true, 0);
      CHECK((f.s.eflags & fl::VM) == 0);
    }
  }
  SECTION("v86 with IOPL 3: PUSHF works and POPF changes IF but not IOPL") {
    Flat f("pushf\n popf\n", 16);
    f.v86(3);
    f.s.eflags |= fl::IF | fl::CF;
    f.step();
    CHECK(f.s.r[ESP] == 0xFFEE);
    CHECK((f.m.peek32(0x1FFEC) >> 16) == (fl::R1 | fl::IOPL | fl::IF | fl::CF));
    f.m.poke32(0x1FFEC, static_cast<u32>(fl::ZF) << 16);  // IOPL 0, IF 0 in the image
    f.step();
    CHECK(f.s.eflags == (fl::R1 | fl::VM | fl::IOPL | fl::ZF));
  }
}

TEST_CASE("315 given a Pentium with CR4.VME when v86 code at IOPL 0 runs PUSHF and POPF then VIF stands in for IF",
          "[stack]") {
  SECTION("PUSHF shows VIF as IF and IOPL as 3, POPF loads VIF from IF and keeps IF and IOPL") {
    Flat f("pushf\n popf\n", 16, CpuModel::kPentium);
    f.v86(0);
    f.s.cr4 = cr4::VME;
    f.s.eflags |= fl::VIF | fl::CF;
    f.step();
    CHECK(f.s.r[ESP] == 0xFFEE);
    CHECK((f.m.peek32(0x1FFEC) >> 16) == (fl::R1 | fl::IF | fl::IOPL | fl::CF));
    f.s.eflags &= ~fl::VIF;
    f.m.poke32(0x1FFEC, static_cast<u32>(fl::IF | fl::ZF) << 16);
    f.step();
    CHECK(f.s.eflags == (fl::R1 | fl::VM | fl::VIF | fl::ZF));
    CHECK(f.s.r[ESP] == 0xFFF0);
  }
  SECTION("POPF of TF = 1, or of IF = 1 with VIP set, is #GP(0); 32-bit forms are #GP(0)") {
    struct Case {
      const char* src;
      u32 image;
      u32 extra;
    };
    for (const Case& k :
         {Case{"popf\n", fl::TF, 0}, Case{"popf\n", fl::IF, fl::VIP}, Case{"popfd\n", 0, 0}, Case{"pushfd\n", 0, 0}}) {
      Flat f(k.src, 16, CpuModel::kPentium);
      f.v86(0);
      f.s.cr4 = cr4::VME;
      f.s.eflags |= k.extra;
      f.m.poke32(0x1FFF0, k.image);
      f.expect_fault(vec::GP, 0, true, 0);
    }
  }
}

TEST_CASE("316 given a frame size and nesting level when ENTER runs then the display and frame are built", "[stack]") {
  SECTION("32-bit, level 0") {
    Flat f("enter 0x10, 0\n");
    f.s.r[EBP] = 0x12345678;
    f.step();
    CHECK(f.m.peek32(0x7FFFC) == 0x12345678);
    CHECK(f.s.r[EBP] == 0x7FFFC);
    CHECK(f.s.r[ESP] == 0x7FFFC - 0x10);
  }
  SECTION("32-bit, level 1 pushes the new frame pointer") {
    Flat f("enter 8, 1\n");
    f.s.r[EBP] = 0x70000;
    f.step();
    CHECK(f.m.peek32(0x7FFFC) == 0x70000);
    CHECK(f.m.peek32(0x7FFF8) == 0x7FFFC);
    CHECK(f.s.r[EBP] == 0x7FFFC);
    CHECK(f.s.r[ESP] == 0x7FFF8 - 8);
  }
  SECTION("32-bit, level 2 copies one display entry from the old frame") {
    Flat f("enter 8, 2\n");
    f.s.r[EBP] = 0x70000;
    f.m.poke32(0x6FFFC, 0xAAAA0001);
    f.step();
    CHECK(f.m.peek32(0x7FFFC) == 0x70000);
    CHECK(f.m.peek32(0x7FFF8) == 0xAAAA0001);
    CHECK(f.m.peek32(0x7FFF4) == 0x7FFFC);
    CHECK(f.s.r[EBP] == 0x7FFFC);
    CHECK(f.s.r[ESP] == 0x7FFEC);
  }
  SECTION("level 3 with the level taken modulo 32") {
    Flat f(".byte 0xc8, 0x00, 0x00, 0x23\n");  // enter 0, 35 -> level 3
    f.s.r[EBP] = 0x70000;
    f.m.poke32(0x6FFFC, 0x11111111);
    f.m.poke32(0x6FFF8, 0x22222222);
    f.step();
    CHECK(f.m.peek32(0x7FFF8) == 0x11111111);
    CHECK(f.m.peek32(0x7FFF4) == 0x22222222);
    CHECK(f.m.peek32(0x7FFF0) == 0x7FFFC);
    CHECK(f.s.r[ESP] == 0x7FFF0);
    CHECK(f.s.r[EBP] == 0x7FFFC);
  }
  SECTION("16-bit operand size on a 32-bit stack") {
    Flat f("enterw 4, 2\n");
    f.s.r[EBP] = 0x00076000;
    f.m.poke32(0x75FFC, 0xBEEF0000);  // word at 0x75FFE
    f.step();
    CHECK((f.m.peek32(0x7FFFC) >> 16) == 0x6000);  // BP at 0x7FFFE
    CHECK((f.m.peek32(0x7FFFC) & 0xFFFF) == 0xBEEF);
    CHECK((f.m.peek32(0x7FFF8) >> 16) == 0xFFFE);  // frame pointer (low word of 0x7FFFE)
    CHECK(f.s.r[ESP] == 0x7FFF6);
    CHECK(f.s.r[EBP] == 0x0007FFFE);
  }
  SECTION("real mode, 16-bit stack, level 2") {
    Real r("enter 6, 2\n");
    r.s.r[EBP] = 0xABCD0100;
    r.m.poke32(0x200FC, 0x55660000);  // SS:00FE = 0x5566
    r.step();
    CHECK(r.peek16(0x2FFEE) == 0x0100);
    CHECK(r.peek16(0x2FFEC) == 0x5566);
    CHECK(r.peek16(0x2FFEA) == 0xFFEE);
    CHECK(r.s.r[EBP] == 0xABCDFFEE);
    CHECK((r.s.r[ESP] & 0xFFFF) == 0xFFEA - 6);
  }
  SECTION("a fault while copying the display leaves EBP and ESP unchanged") {
    Flat f("enter 0, 2\n");
    f.s.seg[SS].limit = 0x8FFFF;
    f.s.seg[SS].refresh();
    f.s.r[EBP] = 0xA0004;  // the display read at 0xA0000 is beyond the SS limit
    f.m.set_gate(vec::SS, kHandler);
    f.step();
    REQUIRE(f.s.eip == kHandler);
    CHECK(f.s.r[EBP] == 0xA0004);
    CHECK(f.s.r[ESP] == 0x80000 - 16);
    CHECK(f.m.peek32(f.s.r[ESP] + 4) == kCode);
  }
}

TEST_CASE("317 given a frame when LEAVE runs then eSP takes eBP and eBP is popped", "[stack]") {
  SECTION("32-bit") {
    Flat f("leave\n");
    f.s.r[EBP] = 0x7FFF0;
    f.m.poke32(0x7FFF0, 0x12345678);
    f.step();
    CHECK(f.s.r[ESP] == 0x7FFF4);
    CHECK(f.s.r[EBP] == 0x12345678);
  }
  SECTION("16-bit operand size on a 32-bit stack") {
    Flat f("leavew\n");
    f.s.r[EBP] = 0x0007FFF0;
    f.m.poke32(0x7FFF0, 0x12345678);
    f.step();
    CHECK(f.s.r[ESP] == 0x7FFF2);
    CHECK(f.s.r[EBP] == 0x00075678);
  }
  SECTION("16-bit stack uses BP and keeps the upper half of ESP") {
    Real r("leave\n");
    r.s.r[ESP] = 0x99990010;
    r.s.r[EBP] = 0x7777FF00;
    r.m.poke32(0x2FF00, 0x0000CDEF);
    r.step();
    CHECK(r.s.r[ESP] == 0x9999FF02);
    CHECK(r.s.r[EBP] == 0x7777CDEF);
  }
  SECTION("ENTER then LEAVE restores the stack") {
    Flat f("enter 0x20, 1\n leave\n");
    f.s.r[EBP] = 0x60000;
    f.step(2);
    CHECK(f.s.r[ESP] == 0x80000);
    CHECK(f.s.r[EBP] == 0x60000);
  }
  SECTION("a LEAVE whose read faults changes nothing") {
    Flat f("leave\n");
    f.s.seg[SS].limit = 0x8FFFF;
    f.s.seg[SS].refresh();
    f.s.r[EBP] = 0xA0000;
    f.m.set_gate(vec::SS, kHandler);
    f.step();
    REQUIRE(f.s.eip == kHandler);
    CHECK(f.s.r[EBP] == 0xA0000);
    CHECK(f.s.r[ESP] == 0x80000 - 16);
  }
}
