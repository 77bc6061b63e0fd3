// Far JMP, CALL and RET (far_transfer.cpp, insn/far_control.cpp): real mode,
// protected mode to code segments and through call gates, inner-level calls with
// parameter copying and returns to an outer level (Intel SDM vol. 2 JMP, CALL,
// RET; vol. 3 §5.8).
#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x10000;
constexpr u32 kHandler = 0x20000;
constexpr u32 kFaultHandler = 0x28000;

void load_asm(TestMachine& m, u32 addr, const std::string& src, int bits = 32) {
  m.load(addr, assemble(src, addr, bits));
}

void enter_ring3(TestMachine& m, u32 eip, u32 esp = 0x80000) {
  m.enter_ring3();
  m.cpu.state().eip = eip;
  m.cpu.state().r[ESP] = esp;
}

// A call gate descriptor in the GDT (Intel SDM vol. 3 fig. 5-8).
void set_call_gate(TestMachine& m, unsigned index, u16 sel, u32 offset, u8 dpl, u8 params, bool gate32 = true) {
  m.poke32(kGdtBase + index * 8, (offset & 0xFFFF) | (static_cast<u32>(sel) << 16));
  m.poke32(kGdtBase + index * 8 + 4, (offset & 0xFFFF0000u) | 0x8000u | (static_cast<u32>(dpl) << 13) |
                                         ((gate32 ? 0xCu : 0x4u) << 8) | (params & 0x1F));
  m.cover_gdt(index);
}

// #GP handler: error code to EDX, faulting EIP to ESI, then exit.
const char* kRecordFault = "pop edx\n pop esi\n out 0xf4, al\n";

}  // namespace

TEST_CASE("411 given a code segment descriptor when far JMP names it then CS EIP and CPL follow", "[far]") {
  SECTION("protected mode, direct") {
    TestMachine m;
    load_asm(m, kCode + 0x10, "jmp 0x40:0x100");
    load_asm(m, kCode + 0x100, "mov eax, 0x1234\n out 0xf4, al");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode + 0x10);
    m.set_gate(13, kFaultHandler);
    m.set_gdt_entry(8, kCode, 0xFFFF, 0x9B, 0x4);  // 32-bit ring-0 code at 0x10000
    m.cover_gdt(8);
    REQUIRE(m.cpu.step() == StepResult::kOk);
    const CpuState& s = m.cpu.state();
    CHECK(s.seg[CS].selector == 0x40);
    CHECK(s.seg[CS].base == kCode);
    CHECK(s.seg[CS].limit == 0xFFFF);
    CHECK(s.eip == 0x100);
    CHECK(s.cpl == 0);
    REQUIRE(m.run_until_exit(10));
    CHECK(s.r[EAX] == 0x1234);
    CHECK((m.peek32(kGdtBase + 0x44) & 0x100) != 0);  // accessed
  }
  SECTION("protected mode, RPL above CPL") {
    TestMachine m;
    load_asm(m, kCode, "jmp 0x43:0x100");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(13, kFaultHandler);
    m.set_gdt_entry(8, kCode, 0xFFFF, 0x9B, 0x4);
    m.cover_gdt(8);
    REQUIRE(m.run_until_exit(10));
    // Non-conforming target: RPL 3 > CPL 0 is #GP(selector).
    CHECK(m.cpu.state().r[EDX] == 0x40);
    CHECK(m.cpu.state().r[ESI] == kCode);
  }
  SECTION("protected mode, offset beyond the limit") {
    TestMachine m;
    load_asm(m, kCode, "jmp 0x40:0x10000");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(13, kFaultHandler);
    m.set_gdt_entry(8, kCode, 0xFFFF, 0x9B, 0x4);
    m.cover_gdt(8);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == 0);
    CHECK(m.cpu.state().r[ESI] == kCode);
  }
  SECTION("real mode, direct and through memory") {
    TestMachine m;
    load_asm(m, 0x1000, "jmp 0x2000:0x10", 16);
    load_asm(m, 0x20010, "jmp dword ptr [0x20]", 16);  // DS = 0x100: pointer at 0x1020
    load_asm(m, 0x3005, "out 0xf4, al", 16);
    m.setup_real(0x100, 0);
    m.poke32(0x1020, 0x02FF0015);  // 02FF:0015 = linear 0x3005
    REQUIRE(m.cpu.step() == StepResult::kOk);
    CHECK(m.cpu.state().seg[CS].selector == 0x2000);
    CHECK(m.cpu.state().seg[CS].base == 0x20000);
    CHECK(m.cpu.state().eip == 0x10);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().seg[CS].selector == 0x02FF);
    CHECK(m.cpu.state().eip == 0x17);
  }
}

TEST_CASE("412 given a far CALL to a code segment when RETF returns then the return address round trips", "[far]") {
  SECTION("protected mode, 32-bit, memory operand, RETF imm16") {
    TestMachine m;
    load_asm(m, kCode, R"(
      push 0x77
      call fword ptr [0x5000]
      out 0xf4, al
    )");
    load_asm(m, kHandler, "mov eax, [esp]\n mov ebx, [esp+4]\n mov ecx, [esp+8]\n retf 4");
    m.setup_flat32(kCode);
    m.poke32(0x5000, kHandler);
    m.bus.write<u16>(PhysAddr(0x5004), kCode0);
    REQUIRE(m.run_until_exit(20));
    const CpuState& s = m.cpu.state();
    CHECK(s.r[EAX] == kCode + 2 + 6);  // return EIP: after the 2-byte push and the 6-byte call
    CHECK(s.r[EBX] == kCode0);
    CHECK(s.r[ECX] == 0x77);
    CHECK(s.r[ESP] == 0x80000);  // RETF 4 released the parameter
  }
  SECTION("real mode, 16-bit") {
    TestMachine m;
    load_asm(m, 0x1000, "call 0x0200:0x0034\n out 0xf4, al", 16);
    load_asm(m, 0x2034, "mov bx, sp\n mov ax, [bx]\n mov dx, [bx+2]\n retf", 16);
    m.setup_real(0, 0x1000, 0, 0x8000);
    REQUIRE(m.run_until_exit(20));
    const CpuState& s = m.cpu.state();
    CHECK((s.r[EAX] & 0xFFFF) == 0x1005);
    CHECK((s.r[EDX] & 0xFFFF) == 0x0000);
    CHECK((s.r[ESP] & 0xFFFF) == 0x8000);
    CHECK(s.seg[CS].selector == 0);
  }
}

TEST_CASE(
    "413 given a call gate from ring 3 to ring 0 with 2 parameters when CALL and RETF run then the stacks switch and "
    "parameters are copied",
    "[far]") {
  TestMachine m;
  load_asm(m, kCode, R"(
    push 0x1111
    push 0x2222
    call 0x4b:0          # gate selector 0x48, RPL 3; the offset is ignored
    mov esi, 0x600d
    out 0xf4, al
  )");
  load_asm(m, kHandler, R"(
    mov eax, [esp+8]
    mov ebx, [esp+12]
    mov ecx, [esp+16]
    mov edx, [esp+20]
    retf 8
  )");
  m.setup_flat32(kCode, 0x80000, 0x90000);
  set_call_gate(m, 9, kCode0, kHandler, 3, 2);
  enter_ring3(m, kCode, 0x80000);
  CpuState& s = m.cpu.state();
  m.cpu.step();
  m.cpu.step();
  REQUIRE(m.cpu.step() == StepResult::kOk);  // the CALL
  CHECK(s.cpl == 0);
  CHECK(s.seg[CS].selector == kCode0);
  CHECK(s.eip == kHandler);
  CHECK(s.seg[SS].selector == kData0);
  CHECK(s.r[ESP] == 0x90000 - 24);
  // Inner stack (Intel SDM vol. 3 fig. 5-13): old SS, old ESP, the parameters
  // in their original order, old CS, old EIP.
  CHECK(m.peek32(0x90000 - 4) == kData3);
  CHECK(m.peek32(0x90000 - 8) == 0x80000 - 8);
  CHECK(m.peek32(0x90000 - 12) == 0x1111);
  CHECK(m.peek32(0x90000 - 16) == 0x2222);
  CHECK(m.peek32(0x90000 - 20) == kCode3);
  CHECK(m.peek32(0x90000 - 24) == kCode + 10 + 7);
  REQUIRE(m.run_until_exit(20));
  CHECK(s.r[EAX] == 0x2222);
  CHECK(s.r[EBX] == 0x1111);
  CHECK(s.r[ECX] == 0x80000 - 8);
  CHECK(s.r[EDX] == kData3);
  CHECK(s.r[ESI] == 0x600D);
  // Back at ring 3 with the caller's parameters released by RETF 8.
  CHECK(s.cpl == 3);
  CHECK(s.seg[CS].selector == kCode3);
  CHECK(s.seg[SS].selector == kData3);
  CHECK(s.r[ESP] == 0x80000);
  CHECK(s.seg[DS].selector == kData3);  // DPL 3 data survives the return
}

TEST_CASE("414 given a 16-bit call gate when CALL crosses to ring 0 then words are pushed and one parameter is copied",
          "[far]") {
  TestMachine m;
  load_asm(m, kCode, R"(
    push 0xabcd1234
    call 0x4b:0
  )");
  load_asm(m, kHandler, "nop");
  m.setup_flat32(kCode, 0x80000, 0x90000);
  set_call_gate(m, 9, kCode0, kHandler, 3, 1, false);
  enter_ring3(m, kCode, 0x80000);
  m.cpu.step();
  REQUIRE(m.cpu.step() == StepResult::kOk);
  const CpuState& s = m.cpu.state();
  CHECK(s.cpl == 0);
  CHECK(s.eip == (kHandler & 0xFFFF));  // a 16-bit gate holds a 16-bit offset
  CHECK(s.r[ESP] == 0x90000 - 10);
  CHECK(m.bus.read<u16>(PhysAddr(0x90000 - 2)) == kData3);
  CHECK(m.bus.read<u16>(PhysAddr(0x90000 - 4)) == static_cast<u16>(0x80000 - 4));
  CHECK(m.bus.read<u16>(PhysAddr(0x90000 - 6)) == 0x1234);  // the low word of the caller's top of stack
  CHECK(m.bus.read<u16>(PhysAddr(0x90000 - 8)) == kCode3);
  CHECK(m.bus.read<u16>(PhysAddr(0x90000 - 10)) == static_cast<u16>(kCode + 5 + 7));
}

TEST_CASE("415 given call gate privilege rules when they are violated then the right fault is raised", "[far]") {
  SECTION("gate DPL below CPL: #GP(gate)") {
    TestMachine m;
    load_asm(m, kCode, "call 0x4b:0");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(13, kFaultHandler);
    set_call_gate(m, 9, kCode0, kHandler, 0, 0);
    enter_ring3(m, kCode);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == 0x48);
    CHECK(m.cpu.state().r[ESI] == kCode);
  }
  SECTION("JMP through a gate to an inner level: #GP(code selector)") {
    TestMachine m;
    load_asm(m, kCode, "jmp 0x4b:0");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(13, kFaultHandler);
    set_call_gate(m, 9, kCode0, kHandler, 3, 0);
    enter_ring3(m, kCode);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == kCode0);
  }
  SECTION("not-present gate: #NP(gate)") {
    TestMachine m;
    load_asm(m, kCode, "call 0x48:0");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(11, kFaultHandler);
    set_call_gate(m, 9, kCode0, kHandler, 0, 0);
    m.poke32(kGdtBase + 0x4C, m.peek32(kGdtBase + 0x4C) & ~0x8000u);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == 0x48);
  }
  SECTION("inner stack from the TSS not writable: #TS(SS)") {
    TestMachine m;
    load_asm(m, kCode, "call 0x4b:0");
    load_asm(m, kFaultHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(10, kFaultHandler);
    // The gate leads to a ring-1 code segment; SS1 in the TSS names a DPL 0
    // segment (the #TS handler itself runs on the valid ring-0 stack).
    m.set_gdt_entry(10, 0, 0xFFFFF, 0xBB, 0xC);
    m.cover_gdt(10);
    set_call_gate(m, 9, 0x50, kHandler, 3, 0);
    m.poke32(kTssBase + 0x0C, 0x70000);     // ESP1
    m.poke32(kTssBase + 0x10, kData0 | 1);  // SS1: RPL 1 but DPL 0
    enter_ring3(m, kCode);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == kData0);
    CHECK(m.cpu.state().r[ESI] == kCode);
  }
  SECTION("same-level JMP through a gate") {
    TestMachine m;
    load_asm(m, kCode, "jmp 0x48:0");
    load_asm(m, kHandler, "mov eax, 7\n out 0xf4, al");
    m.setup_flat32(kCode);
    set_call_gate(m, 9, kCode0, kHandler, 0, 0);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EAX] == 7);
    CHECK(m.cpu.state().seg[CS].selector == kCode0);
  }
}

TEST_CASE("416 given a ring-0 stack holding a ring-3 return frame when RETF runs then DPL 0 data registers are nulled",
          "[far]") {
  TestMachine m;
  load_asm(m, kCode, "retf");
  m.setup_flat32(kCode, 0x8FFF0);
  m.poke32(0x8FFF0, 0x12345);  // EIP
  m.poke32(0x8FFF4, kCode3);   // CS
  m.poke32(0x8FFF8, 0x7F000);  // ESP
  m.poke32(0x8FFFC, kData3);   // SS
  CpuState& s = m.cpu.state();
  m.load_seg(ES, kData3);
  m.load_seg(GS, kCode3);  // a DPL 3 code segment also stays
  REQUIRE(m.cpu.step() == StepResult::kOk);
  CHECK(s.cpl == 3);
  CHECK(s.eip == 0x12345);
  CHECK(s.seg[CS].selector == kCode3);
  CHECK(s.seg[SS].selector == kData3);
  CHECK(s.r[ESP] == 0x7F000);
  // DS and FS held the DPL 0 data segment: nulled (Intel SDM vol. 2 RET).
  CHECK(s.seg[DS].selector == 0);
  CHECK_FALSE(s.seg[DS].usable);
  CHECK(s.seg[FS].selector == 0);
  CHECK(s.seg[ES].selector == kData3);
  CHECK(s.seg[ES].usable);
  CHECK(s.seg[GS].selector == kCode3);
}

TEST_CASE("417 given a return frame to a more privileged level when RETF runs then it raises #GP(selector)", "[far]") {
  TestMachine m;
  load_asm(m, kCode, "retf");
  load_asm(m, kFaultHandler, kRecordFault);
  m.setup_flat32(kCode);
  m.set_gate(13, kFaultHandler);
  enter_ring3(m, kCode, 0x7FFF8);
  m.poke32(0x7FFF8, 0x1000);
  m.poke32(0x7FFFC, kCode0);  // RPL 0 < CPL 3
  REQUIRE(m.run_until_exit(10));
  CHECK(m.cpu.state().r[EDX] == kCode0);
  CHECK(m.cpu.state().r[ESI] == kCode);
}
