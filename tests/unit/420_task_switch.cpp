// Hardware task switches (task_switch.cpp): JMP to a TSS, CALL through a task
// gate and IRET back, interrupts and exceptions through IDT task gates (Intel
// SDM vol. 3 §7.3, tables 7-1 and 7-2).
#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCodeA = 0x10000;  // task A: the test's initial task, TSS kTss at kTssBase
constexpr u32 kCodeB = 0x20000;  // task B
constexpr u32 kTssB = 0x3000;
constexpr u16 kTssBSel = 0x40;    // GDT entry 8
constexpr u16 kTaskGateB = 0x48;  // GDT entry 9
constexpr u32 kFaultHandler = 0x28000;

void load_asm(TestMachine& m, u32 addr, const std::string& src, int bits = 32) {
  m.load(addr, assemble(src, addr, bits));
}

u8 gdt_type(TestMachine& m, u16 sel) { return (m.peek32(kGdtBase + (sel & ~7u) + 4) >> 8) & 0xF; }

// Sets up task A (the running one) and an available 32-bit task B whose TSS
// starts it at kCodeB with EAX = 0xB0B0, ring 0, flat segments.
void setup_tasks(TestMachine& m) {
  m.setup_flat32(kCodeA, 0x80000);
  m.set_gdt_entry(8, kTssB, 0x67, 0x89, 0x0);  // available 32-bit TSS
  // Task gate to TSS B, DPL 0 (Intel SDM vol. 3 fig. 7-6).
  m.poke32(kGdtBase + 9 * 8, static_cast<u32>(kTssBSel) << 16);
  m.poke32(kGdtBase + 9 * 8 + 4, 0x8500);
  m.cpu.state().gdtr.limit = 10 * 8 - 1;
  for (u32 a = kTssB; a < kTssB + 0x68; a += 4) m.poke32(a, 0);
  m.poke32(kTssB + 0x20, kCodeB);   // EIP
  m.poke32(kTssB + 0x24, 0x2);      // EFLAGS
  m.poke32(kTssB + 0x28, 0xB0B0);   // EAX
  m.poke32(kTssB + 0x38, 0x70000);  // ESP
  m.poke32(kTssB + 0x48, kData0);   // ES
  m.poke32(kTssB + 0x4C, kCode0);   // CS
  m.poke32(kTssB + 0x50, kData0);   // SS
  m.poke32(kTssB + 0x54, kData0);   // DS
  m.poke32(kTssB + 0x58, kData0);   // FS
  m.poke32(kTssB + 0x5C, kData0);   // GS
}

}  // namespace

TEST_CASE("421 given two tasks when far JMP switches to the other TSS and back then state is saved and restored",
          "[task]") {
  TestMachine m;
  load_asm(m, kCodeA, R"(
    mov eax, 0xaaaa
    mov ebx, 0xbbbb
    jmp 0x40:0
    mov edi, 0x600d
    out 0xf4, al
  )");
  load_asm(m, kCodeB, R"(
    mov ecx, 0xc0
    jmp 0x28:0
  )");
  setup_tasks(m);
  CpuState& s = m.cpu.state();
  m.cpu.step();
  m.cpu.step();
  REQUIRE(m.cpu.step() == StepResult::kOk);  // JMP to TSS B
  CHECK(s.tr.selector == kTssBSel);
  CHECK(s.tr.base == kTssB);
  CHECK(s.eip == kCodeB);
  CHECK(s.r[EAX] == 0xB0B0);
  CHECK(s.r[EBX] == 0);
  CHECK(s.r[ESP] == 0x70000);
  CHECK(s.seg[CS].selector == kCode0);
  CHECK((s.cr0 & cr0::TS) != 0);
  CHECK((s.eflags & fl::NT) == 0);  // a JMP does not nest
  // Table 7-2: JMP clears the old task's busy bit and sets the new one's.
  CHECK(gdt_type(m, kTss) == sdt::kTss32Avail);
  CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Busy);
  CHECK((s.tr.type()) == sdt::kTss32Busy);
  // Task A's state in its TSS: EIP after the JMP (5 + 5 + 7 bytes in).
  CHECK(m.peek32(kTssBase + 0x20) == kCodeA + 17);
  CHECK(m.peek32(kTssBase + 0x28) == 0xAAAA);
  CHECK(m.peek32(kTssBase + 0x34) == 0xBBBB);
  CHECK(m.peek32(kTssBase + 0x38) == 0x80000);
  CHECK((m.peek32(kTssBase + 0x4C) & 0xFFFF) == kCode0);
  CHECK(m.peek32(kTssB) == 0);  // no back link for a JMP
  REQUIRE(m.run_until_exit(10));
  // Back in task A.
  CHECK(s.tr.selector == kTss);
  CHECK(s.r[EAX] == 0xAAAA);
  CHECK(s.r[EBX] == 0xBBBB);
  CHECK(s.r[ECX] == 0);  // A's ECX, restored
  CHECK(s.r[EDI] == 0x600D);
  CHECK(s.r[ESP] == 0x80000);
  CHECK(m.peek32(kTssB + 0x2C) == 0xC0);  // B's ECX saved when B left
  CHECK(m.peek32(kTssB + 0x20) == kCodeB + 5 + 7);
  CHECK(gdt_type(m, kTss) == sdt::kTss32Busy);
  CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Avail);
}

TEST_CASE(
    "422 given a task gate when CALL switches through it and the new task IRETs then NT back link and busy bits follow "
    "table 7-2",
    "[task]") {
  TestMachine m;
  load_asm(m, kCodeA, R"(
    mov eax, 0xaaaa
    call 0x48:0
    mov edi, 0x600d
    out 0xf4, al
  )");
  load_asm(m, kCodeB, R"(
    mov ecx, 0xc0
    iret
  )");
  setup_tasks(m);
  CpuState& s = m.cpu.state();
  m.cpu.step();
  REQUIRE(m.cpu.step() == StepResult::kOk);  // CALL through the task gate
  CHECK(s.tr.selector == kTssBSel);
  CHECK(s.eip == kCodeB);
  CHECK((s.eflags & fl::NT) != 0);
  CHECK((m.peek32(kTssB) & 0xFFFF) == kTss);  // back link to task A
  // CALL keeps the old task busy and marks the new one busy.
  CHECK(gdt_type(m, kTss) == sdt::kTss32Busy);
  CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Busy);
  CHECK(m.peek32(kTssBase + 0x20) == kCodeA + 5 + 7);
  m.cpu.step();
  REQUIRE(m.cpu.step() == StepResult::kOk);  // IRET with NT: back to task A
  CHECK(s.tr.selector == kTss);
  CHECK(s.eip == kCodeA + 12);
  CHECK(s.r[EAX] == 0xAAAA);
  CHECK((s.eflags & fl::NT) == 0);
  // IRET frees task B and clears NT in the EFLAGS image saved for it.
  CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Avail);
  CHECK(gdt_type(m, kTss) == sdt::kTss32Busy);
  CHECK((m.peek32(kTssB + 0x24) & fl::NT) == 0);
  CHECK(m.peek32(kTssB + 0x2C) == 0xC0);
  CHECK(m.peek32(kTssB + 0x20) == kCodeB + 6);  // after the IRET
  REQUIRE(m.run_until_exit(10));
  CHECK(s.r[EDI] == 0x600D);
}

TEST_CASE(
    "423 given an IDT task gate when INT n and an exception use it then the handler task runs and the error code is on "
    "its stack",
    "[task]") {
  SECTION("INT n and IRET") {
    TestMachine m;
    load_asm(m, kCodeA, R"(
      int 0x40
      mov edi, 0x600d
      out 0xf4, al
    )");
    load_asm(m, kCodeB, "mov ecx, 0xc0\n iret");
    setup_tasks(m);
    m.poke32(kIdtBase + 0x40 * 8, static_cast<u32>(kTssBSel) << 16);
    m.poke32(kIdtBase + 0x40 * 8 + 4, 0x8500);
    CpuState& s = m.cpu.state();
    REQUIRE(m.cpu.step() == StepResult::kOk);
    CHECK(s.tr.selector == kTssBSel);
    CHECK(s.eip == kCodeB);
    CHECK((s.eflags & fl::NT) != 0);
    CHECK(s.r[ESP] == 0x70000);  // nothing pushed for a software interrupt
    CHECK((m.peek32(kTssB) & 0xFFFF) == kTss);
    CHECK(m.peek32(kTssBase + 0x20) == kCodeA + 2);
    REQUIRE(m.run_until_exit(10));
    CHECK(s.tr.selector == kTss);
    CHECK(s.r[EDI] == 0x600D);
    CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Avail);
  }
  SECTION("#GP with an error code") {
    TestMachine m;
    load_asm(m, kCodeA, R"(
      mov ax, 0x08
      lldt ax            # not an LDT descriptor: #GP(0x08)
    )");
    load_asm(m, kCodeB, "pop edx\n out 0xf4, al");
    setup_tasks(m);
    m.poke32(kIdtBase + 13 * 8, static_cast<u32>(kTssBSel) << 16);
    m.poke32(kIdtBase + 13 * 8 + 4, 0x8500);
    REQUIRE(m.run_until_exit(10));
    const CpuState& s = m.cpu.state();
    CHECK(s.tr.selector == kTssBSel);
    CHECK(s.r[EDX] == 0x08);
    CHECK(s.r[ESP] == 0x70000);
    // Task A's saved EIP is the faulting instruction, so it can be restarted.
    CHECK(m.peek32(kTssBase + 0x20) == kCodeA + 4);
  }
}

TEST_CASE("424 given bad task switch targets when JMP or CALL name them then the checks of table 7-1 fault", "[task]") {
  SECTION("busy TSS: #GP(TSS) in the old task") {
    TestMachine m;
    load_asm(m, kCodeA, "jmp 0x28:0");  // the running task's own (busy) TSS
    load_asm(m, kFaultHandler, "pop edx\n pop esi\n out 0xf4, al");
    setup_tasks(m);
    m.set_gate(13, kFaultHandler);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == kTss);
    CHECK(m.cpu.state().r[ESI] == kCodeA);
    CHECK(m.cpu.state().tr.selector == kTss);
  }
  SECTION("TSS limit below 67h: #TS(TSS) in the old task") {
    TestMachine m;
    load_asm(m, kCodeA, "jmp 0x40:0");
    load_asm(m, kFaultHandler, "pop edx\n pop esi\n out 0xf4, al");
    setup_tasks(m);
    m.set_gdt_entry(8, kTssB, 0x60, 0x89, 0x0);
    m.set_gate(10, kFaultHandler);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == kTssBSel);
    CHECK(m.cpu.state().r[ESI] == kCodeA);
    CHECK(m.cpu.state().tr.selector == kTss);
    CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Avail);
  }
  SECTION("bad DS in the new TSS: #TS(DS) in the new task") {
    TestMachine m;
    load_asm(m, kCodeA, "jmp 0x40:0");
    load_asm(m, kFaultHandler, "pop edx\n pop esi\n out 0xf4, al");
    setup_tasks(m);
    m.poke32(kTssB + 0x54, kTss);  // DS = a system descriptor
    m.set_gate(10, kFaultHandler);
    REQUIRE(m.run_until_exit(10));
    const CpuState& s = m.cpu.state();
    CHECK(s.r[EDX] == kTss);
    // The fault is taken after the commit: TR names task B and the frame holds
    // B's first instruction.
    CHECK(s.r[ESI] == kCodeB);
    CHECK(s.tr.selector == kTssBSel);
    CHECK(gdt_type(m, kTssBSel) == sdt::kTss32Busy);
    CHECK(gdt_type(m, kTss) == sdt::kTss32Avail);
  }
}

TEST_CASE("425 given a 16-bit TSS when a task switch loads it then the word registers are loaded", "[task]") {
  TestMachine m;
  load_asm(m, kCodeA, "jmp 0x40:0");
  load_asm(m, kCodeB, "nop", 16);
  setup_tasks(m);
  m.set_gdt_entry(8, kTssB, 0x2B, 0x81, 0x0);  // available 16-bit TSS
  for (u32 a = kTssB; a < kTssB + 0x2C; a += 2) m.bus.write<u16>(PhysAddr(a), 0);
  auto w = [&](u32 off, u16 v) { m.bus.write<u16>(PhysAddr(kTssB + off), v); };
  w(0x0E, 0x0100);  // IP
  w(0x10, 0x0046);  // FLAGS: ZF PF
  w(0x12, 0x1234);  // AX
  w(0x1A, 0xFFF0);  // SP
  w(0x22, kData16);
  w(0x24, kCode16);
  w(0x26, kData16);
  w(0x28, kData16);
  REQUIRE(m.cpu.step() == StepResult::kOk);
  const CpuState& s = m.cpu.state();
  CHECK(s.tr.selector == kTssBSel);
  CHECK(s.tr.type() == sdt::kTss16Busy);
  CHECK(s.eip == 0x100);
  CHECK(s.eflags == 0x46);
  CHECK((s.r[EAX] & 0xFFFF) == 0x1234);
  CHECK((s.r[ESP] & 0xFFFF) == 0xFFF0);
  CHECK(s.seg[CS].selector == kCode16);
  CHECK_FALSE(s.seg[CS].big);
  CHECK(s.seg[FS].selector == 0);  // a 16-bit TSS has no FS or GS
  CHECK_FALSE(s.seg[FS].usable);
}
