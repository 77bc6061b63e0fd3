// Virtual-8086 mode: entry by IRET from ring 0, real-mode style execution and
// far transfers, IOPL-sensitive INT n, the ring-0 frame of an exception from
// v86 and IRET back, and the I/O permission bitmap (Intel SDM vol. 3 chapter 20).
#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x10000;     // ring-0 code that IRETs into v86 mode
constexpr u32 kHandler = 0x28000;  // ring-0 handler
constexpr u32 kEsp0 = 0x90000;

void load_asm(TestMachine& m, u32 addr, const std::string& src, int bits = 32) {
  m.load(addr, assemble(src, addr, bits));
}

// Flat ring 0 at kCode holding IRET, with a v86 return frame on the stack:
// CS:IP = 2000:0000, SS:SP = 3000:FFF0, ES 4000, DS 5000, FS 6000, GS 7000.
void setup_v86(TestMachine& m, const std::string& v86_code, u32 iopl = 0) {
  load_asm(m, kCode, "iret");
  load_asm(m, 0x20000, v86_code, 16);
  m.setup_flat32(kCode, 0x7FF00, kEsp0);
  const u32 frame[] = {0x0000, 0x2000, fl::VM | fl::R1 | (iopl << 12), 0xFFF0, 0x3000, 0x4000, 0x5000, 0x6000, 0x7000};
  for (u32 i = 0; i < 9; ++i) m.poke32(0x7FF00 + 4 * i, frame[i]);
}

}  // namespace

TEST_CASE(
    "431 given a v86 frame when ring 0 IRETs then v86 code runs and INT n with IOPL 0 raises #GP to ring 0 with the "
    "full v86 frame",
    "[v86]") {
  TestMachine m;
  setup_v86(m, R"(
    mov ax, 0x1234
    mov bx, [0x10]       # DS = 0x5000: linear 0x50010
    int 0x21
  )");
  load_asm(m, kHandler, "out 0xf4, al");
  m.set_gate(13, kHandler);
  m.poke32(0x50010, 0xBEEF);
  CpuState& s = m.cpu.state();
  REQUIRE(m.cpu.step() == StepResult::kOk);  // IRET to v86
  CHECK(s.v86());
  CHECK(s.cpl == 3);
  CHECK(s.seg[CS].base == 0x20000);
  CHECK(s.seg[SS].base == 0x30000);
  CHECK(s.seg[DS].base == 0x50000);
  CHECK(s.seg[GS].selector == 0x7000);
  CHECK(s.r[ESP] == 0xFFF0);
  CHECK(s.eip == 0);
  m.cpu.step();
  m.cpu.step();
  CHECK((s.r[EAX] & 0xFFFF) == 0x1234);
  CHECK((s.r[EBX] & 0xFFFF) == 0xBEEF);
  REQUIRE(m.cpu.step() == StepResult::kOk);  // INT 0x21: #GP(0) to the monitor
  CHECK_FALSE(s.v86());
  CHECK(s.cpl == 0);
  CHECK(s.eip == kHandler);
  CHECK(s.seg[SS].selector == kData0);
  CHECK(s.r[ESP] == kEsp0 - 40);
  // Intel SDM vol. 3 fig. 6-4 / §20.3.1.1: GS FS DS ES SS ESP EFLAGS CS EIP, error code.
  CHECK(m.peek32(kEsp0 - 4) == 0x7000);
  CHECK(m.peek32(kEsp0 - 8) == 0x6000);
  CHECK(m.peek32(kEsp0 - 12) == 0x5000);
  CHECK(m.peek32(kEsp0 - 16) == 0x4000);
  CHECK(m.peek32(kEsp0 - 20) == 0x3000);
  CHECK(m.peek32(kEsp0 - 24) == 0xFFF0);
  CHECK(m.peek32(kEsp0 - 28) == (fl::VM | fl::R1));
  CHECK(m.peek32(kEsp0 - 32) == 0x2000);
  CHECK(m.peek32(kEsp0 - 36) == 7);  // the INT instruction, restartable
  CHECK(m.peek32(kEsp0 - 40) == 0);  // error code
  // The data segment registers are null in the monitor.
  CHECK(s.seg[DS].selector == 0);
  CHECK(s.seg[GS].selector == 0);
  REQUIRE(m.run_until_exit(5));
}

TEST_CASE("432 given IOPL 3 in v86 when INT n goes through a DPL 3 gate and the handler IRETs then v86 resumes",
          "[v86]") {
  TestMachine m;
  setup_v86(m, R"(
    int 0x21
    mov cx, 0x77
    out 0xf4, al
  )",
            3);
  load_asm(m, kHandler, "mov eax, [esp+8]\n iret");
  m.set_gate(0x21, kHandler, 3);
  CpuState& s = m.cpu.state();
  m.cpu.step();
  REQUIRE(m.cpu.step() == StepResult::kOk);  // INT 0x21
  CHECK(s.cpl == 0);
  CHECK_FALSE(s.v86());
  CHECK(m.peek32(kEsp0 - 36) == 2);  // return EIP after the INT
  CHECK(s.r[ESP] == kEsp0 - 36);     // no error code
  REQUIRE(m.run_until_exit(10));
  CHECK((s.r[EAX] & (fl::VM | fl::IOPL)) == (fl::VM | fl::IOPL));
  CHECK(s.v86());
  CHECK((s.r[ECX] & 0xFFFF) == 0x77);
  CHECK(s.seg[CS].selector == 0x2000);
  CHECK(s.seg[SS].selector == 0x3000);
  CHECK(s.seg[ES].selector == 0x4000);
  CHECK(s.seg[DS].selector == 0x5000);
  CHECK(s.seg[FS].selector == 0x6000);
  CHECK(s.seg[GS].selector == 0x7000);
  CHECK(s.r[ESP] == 0xFFF0);
}

TEST_CASE(
    "433 given the TSS I/O bitmap when v86 code uses IN and OUT then permitted ports work and a set bit raises #GP",
    "[v86]") {
  TestMachine m;
  setup_v86(m, R"(
    mov al, 0x41
    out 0xe9, al
    in al, 0x80
  )");
  load_asm(m, kHandler, "out 0xf4, al");
  m.set_gate(13, kHandler);
  // Bit for port 0x80 in the bitmap at TSS + 0x68 (I/O map base).
  m.bus.write<u8>(PhysAddr(kTssBase + 0x68 + 0x80 / 8), 0x01);
  REQUIRE(m.run_until_exit(10));
  CHECK(m.io.out == "A");
  CHECK(m.peek32(kEsp0 - 36) == 4);  // #GP at the IN
  CHECK(m.peek32(kEsp0 - 40) == 0);
  CHECK((m.cpu.state().r[EAX] & 0xFF) == 0x41);  // AL unchanged
}

TEST_CASE("434 given v86 mode when far CALL RETF and JMP run then CS is loaded real-mode style", "[v86]") {
  TestMachine m;
  setup_v86(m, R"(
    call 0x2100:0x0010
    jmp 0x2200:0x0020
  )");
  load_asm(m, 0x21010, "mov dx, sp\n retf", 16);
  load_asm(m, 0x22020, "int 0x21", 16);
  load_asm(m, kHandler, "out 0xf4, al");
  m.set_gate(13, kHandler);
  REQUIRE(m.run_until_exit(20));
  const CpuState& s = m.cpu.state();
  CHECK((s.r[EDX] & 0xFFFF) == 0xFFF0 - 4);             // CS and IP pushed as words
  CHECK(m.peek32(0x30000 + 0xFFF0 - 4) == 0x20000005);  // 2000:0005
  CHECK(m.peek32(kEsp0 - 32) == 0x2200);                // #GP frame: CS of the INT
  CHECK(m.peek32(kEsp0 - 36) == 0x20);
  CHECK(m.peek32(kEsp0 - 24) == 0xFFF0);
}
