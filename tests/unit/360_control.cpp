// Near control transfers, LOOP/JCXZ, INT/INTO/INT3/IRET, BOUND and HLT
// (sim/cpu486/insn/control.cpp). Expected values come from the Intel SDM vol. 2
// instruction pages.
#include <catch2/catch.hpp>
#include <functional>
#include <vector>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x10000;

// Loads raw bytes at kCode and enters flat 32-bit ring 0 there.
void flat_bytes(TestMachine& m, const std::vector<u8>& bytes, u32 addr = kCode) {
  m.setup_flat32(addr);
  m.load(addr, bytes);
}

void flat_asm(TestMachine& m, const std::string& src, u32 addr = kCode) {
  flat_bytes(m, assemble(src, addr, 32), addr);
}

struct FlagSet {
  bool of, cf, zf, sf, pf;
};

u32 eflags_of(const FlagSet& f) {
  return fl::R1 | (f.of ? fl::OF : 0) | (f.cf ? fl::CF : 0) | (f.zf ? fl::ZF : 0) | (f.sf ? fl::SF : 0) |
         (f.pf ? fl::PF : 0);
}

// The Jcc conditions exactly as the Intel SDM vol. 2 "Jcc" table words them.
const std::function<bool(const FlagSet&)> kJccTaken[16] = {
    [](const FlagSet& f) { return f.of; },                   // JO: OF = 1
    [](const FlagSet& f) { return !f.of; },                  // JNO: OF = 0
    [](const FlagSet& f) { return f.cf; },                   // JB: CF = 1
    [](const FlagSet& f) { return !f.cf; },                  // JAE: CF = 0
    [](const FlagSet& f) { return f.zf; },                   // JE: ZF = 1
    [](const FlagSet& f) { return !f.zf; },                  // JNE: ZF = 0
    [](const FlagSet& f) { return f.cf || f.zf; },           // JBE: CF = 1 or ZF = 1
    [](const FlagSet& f) { return !f.cf && !f.zf; },         // JA: CF = 0 and ZF = 0
    [](const FlagSet& f) { return f.sf; },                   // JS: SF = 1
    [](const FlagSet& f) { return !f.sf; },                  // JNS: SF = 0
    [](const FlagSet& f) { return f.pf; },                   // JP: PF = 1
    [](const FlagSet& f) { return !f.pf; },                  // JNP: PF = 0
    [](const FlagSet& f) { return f.sf != f.of; },           // JL: SF != OF
    [](const FlagSet& f) { return f.sf == f.of; },           // JGE: SF = OF
    [](const FlagSet& f) { return f.zf || f.sf != f.of; },   // JLE: ZF = 1 or SF != OF
    [](const FlagSet& f) { return !f.zf && f.sf == f.of; },  // JG: ZF = 0 and SF = OF
};

}  // namespace

TEST_CASE("361 given every flag combination when each Jcc rel8 and rel32 runs then it branches iff its condition holds",
          "[control]") {
  TestMachine m;
  for (unsigned cc = 0; cc < 16; ++cc) {
    unsigned taken = 0, not_taken = 0;
    for (unsigned bits = 0; bits < 32; ++bits) {
      const FlagSet f{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (bits & 8) != 0, (bits & 16) != 0};
      const bool expect = kJccTaken[cc](f);
      (expect ? taken : not_taken)++;
      // Short form: 7x 10 -> next EIP kCode+2, target kCode+0x12.
      flat_bytes(m, {static_cast<u8>(0x70 + cc), 0x10});
      m.cpu.state().eflags = eflags_of(f);
      m.cpu.step();
      INFO("cc=" << cc << " flags=" << bits);
      CHECK(m.cpu.state().eip == (expect ? kCode + 0x12 : kCode + 2));
      CHECK(m.cpu.state().eflags == eflags_of(f));  // Jcc changes no flag
      // Near form: 0F 8x rel32 = 0x100 -> next EIP kCode+6, target kCode+0x106.
      flat_bytes(m, {0x0F, static_cast<u8>(0x80 + cc), 0x00, 0x01, 0x00, 0x00});
      m.cpu.state().eflags = eflags_of(f);
      m.cpu.step();
      CHECK(m.cpu.state().eip == (expect ? kCode + 0x106 : kCode + 6));
    }
    CHECK(taken >= 8);  // every condition is both true and false among the 32 combinations
    CHECK(not_taken >= 8);
  }
}

TEST_CASE("362 given backward and 16-bit operand-size branches when they run then the target wraps as Intel defines",
          "[control]") {
  TestMachine m;
  SECTION("jz rel8 -0x20 goes backwards") {
    flat_bytes(m, {0x74, 0xE0});
    m.cpu.state().eflags |= fl::ZF;
    m.cpu.step();
    CHECK(m.cpu.state().eip == kCode + 2 - 0x20);
  }
  SECTION("jne rel32 negative") {
    flat_bytes(m, {0x0F, 0x85, 0x00, 0xFF, 0xFF, 0xFF});  // rel = -0x100
    m.cpu.step();
    CHECK(m.cpu.state().eip == kCode + 6 - 0x100);
  }
  SECTION("jmp short with a 66 prefix truncates EIP to 16 bits") {
    flat_bytes(m, {0x66, 0xEB, 0x10});  // next 0x10003, + 0x10 = 0x10013 -> 0x0013
    m.cpu.step();
    CHECK(m.cpu.state().eip == 0x0013);
  }
  SECTION("jmp rel16 with a 66 prefix takes a 16-bit displacement") {
    flat_bytes(m, {0x66, 0xE9, 0x00, 0x80});  // next 0x10004, + (-0x8000) = 0x8004 -> 0x8004
    m.cpu.step();
    CHECK(m.cpu.state().eip == 0x8004);
  }
  SECTION("jmp rel32 forward") {
    flat_bytes(m, {0xE9, 0x00, 0x10, 0x00, 0x00});
    m.cpu.step();
    CHECK(m.cpu.state().eip == kCode + 5 + 0x1000);
  }
  SECTION("jmp eax and jmp dword [mem]") {
    flat_bytes(m, {0xFF, 0xE0});  // jmp eax
    m.cpu.state().r[EAX] = 0x23456;
    m.cpu.step();
    CHECK(m.cpu.state().eip == 0x23456);
    flat_bytes(m, {0xFF, 0x25, 0x00, 0x30, 0x00, 0x00});  // jmp dword ptr [0x3000]
    m.poke32(0x3000, 0x31234);
    m.cpu.step();
    CHECK(m.cpu.state().eip == 0x31234);
  }
  SECTION("jmp ax zero-extends the 16-bit operand") {
    flat_bytes(m, {0x66, 0xFF, 0xE0});  // jmp ax
    m.cpu.state().r[EAX] = 0xFFFF1234;
    m.cpu.step();
    CHECK(m.cpu.state().eip == 0x1234);
  }
}

TEST_CASE("363 given LOOP LOOPE LOOPNE and JCXZ when run with 32 and 16-bit address sizes then CX or ECX counts",
          "[control]") {
  TestMachine m;
  SECTION("loop to itself runs ECX times and leaves flags alone") {
    flat_bytes(m, {0xE2, 0xFE});  // loop $
    CpuState& s = m.cpu.state();
    s.r[ECX] = 3;
    s.eflags = fl::R1 | fl::ZF | fl::CF;
    m.cpu.step();
    CHECK(s.r[ECX] == 2);
    CHECK(s.eip == kCode);
    m.cpu.step();
    CHECK(s.r[ECX] == 1);
    CHECK(s.eip == kCode);
    m.cpu.step();
    CHECK(s.r[ECX] == 0);
    CHECK(s.eip == kCode + 2);
    CHECK(s.eflags == (fl::R1 | fl::ZF | fl::CF));
  }
  SECTION("loop with ECX = 0 wraps to 0xFFFFFFFF and branches") {
    flat_bytes(m, {0xE2, 0x10});
    m.cpu.state().r[ECX] = 0;
    m.cpu.step();
    CHECK(m.cpu.state().r[ECX] == 0xFFFFFFFFu);
    CHECK(m.cpu.state().eip == kCode + 0x12);
  }
  SECTION("a 67 prefix makes LOOP count CX only") {
    flat_bytes(m, {0x67, 0xE2, 0x10});
    CpuState& s = m.cpu.state();
    s.r[ECX] = 0x12340001;  // CX = 1 -> 0: not taken though ECX would be nonzero
    m.cpu.step();
    CHECK(s.r[ECX] == 0x12340000u);
    CHECK(s.eip == kCode + 3);
    flat_bytes(m, {0x67, 0xE2, 0x10});
    s.r[ECX] = 0x00010000;  // CX = 0 -> 0xFFFF: taken, upper half untouched
    m.cpu.step();
    CHECK(s.r[ECX] == 0x0001FFFFu);
    CHECK(s.eip == kCode + 0x13);
  }
  SECTION("loope continues only while ZF = 1, loopne only while ZF = 0") {
    CpuState& s = m.cpu.state();
    flat_bytes(m, {0xE1, 0x10});  // loope
    s.r[ECX] = 5;
    s.eflags = fl::R1;  // ZF = 0
    m.cpu.step();
    CHECK(s.r[ECX] == 4);
    CHECK(s.eip == kCode + 2);
    flat_bytes(m, {0xE1, 0x10});
    s.r[ECX] = 5;
    s.eflags = fl::R1 | fl::ZF;
    m.cpu.step();
    CHECK(s.r[ECX] == 4);
    CHECK(s.eip == kCode + 0x12);
    flat_bytes(m, {0xE0, 0x10});  // loopne
    s.r[ECX] = 5;
    s.eflags = fl::R1 | fl::ZF;
    m.cpu.step();
    CHECK(s.r[ECX] == 4);
    CHECK(s.eip == kCode + 2);
    flat_bytes(m, {0xE0, 0x10});
    s.r[ECX] = 5;
    s.eflags = fl::R1;
    m.cpu.step();
    CHECK(s.r[ECX] == 4);
    CHECK(s.eip == kCode + 0x12);
    flat_bytes(m, {0xE0, 0x10});  // count reaching zero ends loopne even with ZF = 0
    s.r[ECX] = 1;
    s.eflags = fl::R1;
    m.cpu.step();
    CHECK(s.r[ECX] == 0);
    CHECK(s.eip == kCode + 2);
  }
  SECTION("in 16-bit real-mode code LOOP counts CX and JMP rel16 wraps IP") {
    CpuState& s = m.cpu.state();
    m.setup_real(0x1000, 0x0100);
    m.load(0x10100, {0xE2, 0xFE});  // loop $
    s.r[ECX] = 0xABCD0002;
    m.cpu.step();
    CHECK(s.r[ECX] == 0xABCD0001u);
    CHECK(s.eip == 0x0100u);
    m.cpu.step();
    CHECK(s.r[ECX] == 0xABCD0000u);
    CHECK(s.eip == 0x0102u);
    m.load(0x10102, {0xE9, 0x00, 0xF0});  // jmp rel16 -0x1000: 0x105 - 0x1000 wraps to 0xF105
    m.cpu.step();
    CHECK(s.eip == 0xF105u);
    CHECK(s.seg[CS].base == 0x10000u);
  }
  SECTION("jecxz tests ECX and, with a 67 prefix, jcxz tests CX") {
    CpuState& s = m.cpu.state();
    flat_bytes(m, {0xE3, 0x10});
    s.r[ECX] = 0x10000;
    m.cpu.step();
    CHECK(s.eip == kCode + 2);
    flat_bytes(m, {0xE3, 0x10});
    s.r[ECX] = 0;
    m.cpu.step();
    CHECK(s.eip == kCode + 0x12);
    flat_bytes(m, {0x67, 0xE3, 0x10});
    s.r[ECX] = 0x10000;  // CX = 0
    m.cpu.step();
    CHECK(s.eip == kCode + 0x13);
    CHECK(s.r[ECX] == 0x10000u);  // JCXZ does not decrement
  }
}

TEST_CASE("364 given a near call when the callee returns with ret and ret imm then EIP and ESP round trip",
          "[control]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("call rel32 then ret 8") {
    flat_asm(m, "call f\n nop\n f: ret 8\n");  // call at kCode (5 bytes), nop, f at kCode+6
    m.cpu.step();
    CHECK(s.eip == kCode + 6);
    CHECK(s.r[ESP] == 0x80000 - 4);
    CHECK(m.peek32(0x80000 - 4) == kCode + 5);
    m.cpu.step();
    CHECK(s.eip == kCode + 5);
    CHECK(s.r[ESP] == 0x80000 + 8);
  }
  SECTION("call eax and call dword [mem] push the next EIP") {
    flat_bytes(m, {0xFF, 0xD0});  // call eax
    s.r[EAX] = 0x20000;
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(m.peek32(0x80000 - 4) == kCode + 2);
    flat_bytes(m, {0xFF, 0x15, 0x00, 0x30, 0x00, 0x00});  // call dword ptr [0x3000]
    m.poke32(0x3000, 0x20040);
    m.cpu.step();
    CHECK(s.eip == 0x20040);
    CHECK(s.r[ESP] == 0x80000 - 4);
    CHECK(m.peek32(0x80000 - 4) == kCode + 6);
  }
  SECTION("call [esp] reads its target before pushing") {
    flat_bytes(m, {0xFF, 0x14, 0x24});  // call dword ptr [esp]
    m.poke32(0x80000, 0x20080);
    m.cpu.step();
    CHECK(s.eip == 0x20080);
    CHECK(m.peek32(0x80000 - 4) == kCode + 3);
  }
  SECTION("16-bit call and ret push and pop a word") {
    m.load(0x8234, {0x66, 0xC3});             // o16 ret at 0x8234
    flat_bytes(m, {0x66, 0xE8, 0x30, 0x82});  // o16 call: (0x10004 + 0x8230) & 0xFFFF = 0x8234
    m.cpu.step();
    CHECK(s.eip == 0x8234);
    CHECK(s.r[ESP] == 0x80000 - 2);
    CHECK(m.bus.read<u16>(PhysAddr(0x80000 - 2)) == 0x0004);  // return offset 0x10004 truncated
    m.cpu.step();
    CHECK(s.eip == 0x0004);
    CHECK(s.r[ESP] == 0x80000u);
  }
  SECTION("ret pops the return address, ret imm16 also releases parameters (16-bit form)") {
    flat_bytes(m, {0x66, 0xC2, 0x06, 0x00});  // o16 ret 6
    m.poke32(0x80000, 0xABCD5678);
    m.cpu.step();
    CHECK(s.eip == 0x5678);
    CHECK(s.r[ESP] == 0x80000 + 2 + 6);
  }
}

TEST_CASE("365 given a small CS limit when a near jmp call or ret leaves it then #GP(0) is raised with nothing pushed",
          "[control]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  auto shrink_cs = [&] {
    s.seg[CS].limit = 0x10FFF;
    s.seg[CS].refresh();
  };
  m.load(0x20000, {0x90});
  SECTION("jmp rel32 to 0x11000") {
    flat_bytes(m, {0xE9, 0xFB, 0x0F, 0x00, 0x00});  // next 0x10005 + 0xFFB = 0x11000
    shrink_cs();
    m.set_gate(vec::GP, 0x20000);
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(s.r[ESP] == 0x80000 - 16);         // error code, EIP, CS, EFLAGS
    CHECK(m.peek32(0x80000 - 16) == 0);      // error code 0
    CHECK(m.peek32(0x80000 - 12) == kCode);  // faulting EIP: the jmp itself
  }
  SECTION("jmp to the last byte inside the limit is allowed") {
    flat_bytes(m, {0xE9, 0xFA, 0x0F, 0x00, 0x00});  // target 0x10FFF
    shrink_cs();
    m.cpu.step();
    CHECK(s.eip == 0x10FFFu);
  }
  SECTION("call rel32 beyond the limit checks the target before the push") {
    // At CPL 3 with a stack that cannot take the return address: the limit check
    // comes first, so the fault is #GP, not #SS (Intel SDM vol. 2 "CALL").
    flat_bytes(m, {0xE8, 0xFB, 0x0F, 0x00, 0x00});
    m.set_gate(vec::GP, 0x20000);
    m.set_gate(vec::SS, 0x20100);
    m.enter_ring3();
    shrink_cs();
    s.seg[SS].limit = 0xFFFF;
    s.seg[SS].refresh();
    s.r[ESP] = 2;  // the push would go to 0xFFFFFFFE, beyond the SS limit
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(m.peek32(0x90000 - 20) == kCode);  // faulting EIP
    CHECK(m.peek32(0x90000 - 8) == 2u);      // the old ESP, unchanged
  }
  SECTION("call rel32 inside the limit with a full stack is #SS") {
    flat_bytes(m, {0xE8, 0x00, 0x01, 0x00, 0x00});
    m.set_gate(vec::GP, 0x20000);
    m.set_gate(vec::SS, 0x20100);
    m.enter_ring3();
    s.seg[SS].limit = 0xFFFF;
    s.seg[SS].refresh();
    s.r[ESP] = 2;
    m.cpu.step();
    CHECK(s.eip == 0x20100);
  }
  SECTION("ret to beyond the limit") {
    flat_bytes(m, {0xC3});
    shrink_cs();
    m.set_gate(vec::GP, 0x20000);
    m.poke32(0x80000, 0x12000);
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(s.r[ESP] == 0x80000 - 16);  // ESP restored before the frame was pushed
    CHECK(m.peek32(0x80000 - 12) == kCode);
  }
  SECTION("loop beyond the limit leaves ECX unchanged") {
    flat_bytes(m, {0xE2, 0x7F});  // target 0x10081 with a limit of 0x1007F
    s.seg[CS].limit = 0x1007F;
    s.seg[CS].refresh();
    m.set_gate(vec::GP, 0x20000);
    s.r[ECX] = 7;
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(s.r[ECX] == 7u);
  }
}

TEST_CASE("366 given an interrupt gate when INT n runs in flat protected mode then IRET returns after it",
          "[control]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("int 0x30 then iretd") {
    flat_bytes(m, {0xCD, 0x30, 0x90});
    m.load(0x20000, {0xCF});  // iretd
    m.set_gate(0x30, 0x20000);
    s.eflags = fl::R1 | fl::IF | fl::CF;
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(s.r[ESP] == 0x80000 - 12);
    CHECK(m.peek32(0x80000 - 12) == kCode + 2);
    CHECK(m.peek32(0x80000 - 8) == kCode0);
    CHECK(m.peek32(0x80000 - 4) == (fl::R1 | fl::IF | fl::CF));
    CHECK_FALSE(s.eflags & fl::IF);  // an interrupt gate clears IF
    m.cpu.step();
    CHECK(s.eip == kCode + 2);
    CHECK(s.r[ESP] == 0x80000u);
    CHECK(s.eflags == (fl::R1 | fl::IF | fl::CF));
    CHECK(s.seg[CS].selector == kCode0);
  }
  SECTION("int3 and into trap with the next EIP, into without OF does nothing") {
    flat_bytes(m, {0xCC});
    m.set_gate(vec::BP, 0x20000);
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(m.peek32(0x80000 - 12) == kCode + 1);
    flat_bytes(m, {0xCE});
    m.set_gate(vec::OF, 0x20000);
    m.cpu.step();
    CHECK(s.eip == kCode + 1);
    CHECK(s.r[ESP] == 0x80000u);
    flat_bytes(m, {0xCE});
    m.set_gate(vec::OF, 0x20000);
    s.eflags |= fl::OF;
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(m.peek32(0x80000 - 12) == kCode + 1);
  }
  SECTION("int n at CPL 3 through a DPL 0 gate is #GP(vector*8+2)") {
    flat_bytes(m, {0xCD, 0x30});
    m.set_gate(0x30, 0x20000, 0);
    m.set_gate(vec::GP, 0x20100);
    m.enter_ring3();
    m.cpu.step();
    CHECK(s.eip == 0x20100);
    CHECK(s.cpl == 0);
    CHECK(s.r[ESP] == 0x90000 - 24);                 // ring-0 stack from the TSS: SS ESP EFLAGS CS EIP error
    CHECK(m.peek32(0x90000 - 24) == 0x30u * 8 + 2);  // IDT error code
    CHECK(m.peek32(0x90000 - 20) == kCode);          // the INT itself
  }
}

TEST_CASE("367 given real mode when INT n runs then it vectors through the IVT and IRET returns", "[control]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  m.setup_real(0x1000, 0x0100);
  m.load(0x10100, {0xCD, 0x21, 0x90});
  m.load(0x20050, {0xCF});  // iret (16-bit)
  m.bus.write<u16>(PhysAddr(0x21 * 4), 0x0050);
  m.bus.write<u16>(PhysAddr(0x21 * 4 + 2), 0x2000);
  s.eflags = fl::R1 | fl::IF | fl::ZF;
  m.cpu.step();
  CHECK(s.seg[CS].selector == 0x2000);
  CHECK(s.seg[CS].base == 0x20000u);
  CHECK(s.eip == 0x0050u);
  CHECK((s.r[ESP] & 0xFFFF) == 0xFFF0 - 6);
  CHECK(m.bus.read<u16>(PhysAddr(0xFFF0 - 6)) == 0x0102);  // IP after the INT
  CHECK(m.bus.read<u16>(PhysAddr(0xFFF0 - 4)) == 0x1000);  // CS
  CHECK(m.bus.read<u16>(PhysAddr(0xFFF0 - 2)) == (fl::R1 | fl::IF | fl::ZF));
  CHECK_FALSE(s.eflags & fl::IF);
  m.cpu.step();
  CHECK(s.seg[CS].selector == 0x1000);
  CHECK(s.eip == 0x0102u);
  CHECK((s.r[ESP] & 0xFFFF) == 0xFFF0);
  CHECK(s.eflags == (fl::R1 | fl::IF | fl::ZF));
}

TEST_CASE("368 given BOUND when the index is outside the signed bounds then #BR is raised as a fault", "[control]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  const std::vector<u8> code = {0x62, 0x05, 0x00, 0x30, 0x00, 0x00};  // bound eax, [0x3000]
  auto setup = [&] {
    flat_bytes(m, code);
    m.poke32(0x3000, static_cast<u32>(-5));
    m.poke32(0x3004, 10);
    m.set_gate(vec::BR, 0x20000);
    m.set_gate(vec::UD, 0x20100);
  };
  for (i32 v : {-5, 0, 10}) {
    setup();
    s.r[EAX] = static_cast<u32>(v);
    m.cpu.step();
    CHECK(s.eip == kCode + 6);
  }
  for (i32 v : {-6, 11, 0x7FFFFFFF}) {
    setup();
    s.r[EAX] = static_cast<u32>(v);
    m.cpu.step();
    CHECK(s.eip == 0x20000);
    CHECK(s.r[ESP] == 0x80000 - 12);         // no error code
    CHECK(m.peek32(0x80000 - 12) == kCode);  // a fault: EIP of the BOUND
  }
  SECTION("16-bit form compares words") {
    flat_bytes(m, {0x66, 0x62, 0x05, 0x00, 0x30, 0x00, 0x00});  // bound ax, [0x3000]
    m.bus.write<u16>(PhysAddr(0x3000), 0xFFF0);                 // -16
    m.bus.write<u16>(PhysAddr(0x3002), 0x0010);
    m.set_gate(vec::BR, 0x20000);
    s.r[EAX] = 0x7777FFF0;  // AX = -16: in range
    m.cpu.step();
    CHECK(s.eip == kCode + 7);
  }
  SECTION("the register form is #UD") {
    flat_bytes(m, {0x62, 0xC0});
    m.set_gate(vec::UD, 0x20100);
    m.cpu.step();
    CHECK(s.eip == 0x20100);
  }
}

TEST_CASE("369 given HLT when run at CPL 0 or in real mode it halts and at CPL 3 it raises #GP(0)", "[control]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("ring 0") {
    flat_bytes(m, {0xF4, 0x90});
    m.cpu.step();
    CHECK(s.halted);
    CHECK(s.eip == kCode + 1);
    CHECK(m.cpu.step() == StepResult::kHalted);
  }
  SECTION("real mode") {
    m.setup_real(0x1000, 0);
    m.load(0x10000, {0xF4});
    m.cpu.step();
    CHECK(s.halted);
    CHECK(s.eip == 1u);
  }
  SECTION("ring 3") {
    flat_bytes(m, {0xF4});
    m.set_gate(vec::GP, 0x20000);
    m.enter_ring3();
    m.cpu.step();
    CHECK_FALSE(s.halted);
    CHECK(s.eip == 0x20000);
    CHECK(m.peek32(0x90000 - 24) == 0u);      // error code 0
    CHECK(m.peek32(0x90000 - 20) == kCode);   // HLT itself
    CHECK(m.peek32(0x90000 - 16) == kCode3);  // old CS
  }
}
