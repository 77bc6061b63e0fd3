// String instructions and REP prefixes (sim/cpu486/insn/string.cpp). Expected
// values from the Intel SDM vol. 2 pages "MOVS", "CMPS", "SCAS", "LODS",
// "STOS", "INS", "OUTS" and "REP/REPE/REPNE".
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x20000;
constexpr u32 kSrc = 0x3000;
constexpr u32 kDst = 0x4000;

void flat_bytes(TestMachine& m, const std::vector<u8>& bytes, u32 addr = kCode) {
  m.setup_flat32(addr);
  m.load(addr, bytes);
}

void put_string(TestMachine& m, u32 addr, const std::string& str) {
  m.load(addr, std::vector<u8>(str.begin(), str.end()));
}

std::string get_string(TestMachine& m, u32 addr, unsigned n) {
  std::string r;
  for (unsigned i = 0; i < n; ++i) r.push_back(static_cast<char>(m.peek8(addr + i)));
  return r;
}

// Steps until EIP leaves the instruction at kCode (or max steps); returns the step count.
unsigned run_insn(TestMachine& m, unsigned max_steps = 1000) {
  unsigned n = 0;
  do {
    m.cpu.step();
    ++n;
  } while (m.cpu.state().eip == kCode && n < max_steps);
  return n;
}

}  // namespace

TEST_CASE("371 given REP MOVSB with DF clear when it runs then bytes are copied forward one per step", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  flat_bytes(m, {0xF3, 0xA4});  // rep movsb
  put_string(m, kSrc, "abcdef");
  put_string(m, kDst, "......");
  s.r[ESI] = kSrc;
  s.r[EDI] = kDst;
  s.r[ECX] = 6;
  CHECK(run_insn(m) == 6);
  CHECK(get_string(m, kDst, 7) == std::string("abcdef") + '\0');
  CHECK(s.r[ESI] == kSrc + 6);
  CHECK(s.r[EDI] == kDst + 6);
  CHECK(s.r[ECX] == 0u);
  CHECK(s.eip == kCode + 2);
  CHECK(m.cpu.retired() == 1u);  // one instruction, however many iterations
}

TEST_CASE("372 given REP MOVSD with DF set when it runs then dwords are copied backwards", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  flat_bytes(m, {0xF3, 0xA5});  // rep movsd
  m.poke32(kSrc + 0, 0x11111111);
  m.poke32(kSrc + 4, 0x22222222);
  m.poke32(kSrc + 8, 0x33333333);
  m.poke32(kSrc + 12, 0x44444444);
  s.r[ESI] = kSrc + 8;
  s.r[EDI] = kDst + 8;
  s.r[ECX] = 3;
  s.eflags |= fl::DF;
  CHECK(run_insn(m) == 3);
  CHECK(m.peek32(kDst + 0) == 0x11111111u);
  CHECK(m.peek32(kDst + 4) == 0x22222222u);
  CHECK(m.peek32(kDst + 8) == 0x33333333u);
  CHECK(m.peek32(kDst + 12) == 0u);
  CHECK(s.r[ESI] == kSrc - 4);
  CHECK(s.r[EDI] == kDst - 4);
  CHECK(s.r[ECX] == 0u);
}

TEST_CASE("373 given REPE CMPSB when the strings differ at index 3 then it stops after that element", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  flat_bytes(m, {0xF3, 0xA6});  // repe cmpsb
  put_string(m, kSrc, "abcXef");
  put_string(m, kDst, "abcYef");
  s.r[ESI] = kSrc;
  s.r[EDI] = kDst;
  s.r[ECX] = 6;
  CHECK(run_insn(m) == 4);
  CHECK(s.r[ESI] == kSrc + 4);
  CHECK(s.r[EDI] == kDst + 4);
  CHECK(s.r[ECX] == 2u);
  // Last compare: 'X' (0x58) - 'Y' (0x59) = 0xFF: ZF = 0, CF = 1, SF = 1, AF = 1, PF = 1 (8 ones).
  CHECK((s.eflags & fl::kArith) == (fl::CF | fl::SF | fl::AF | fl::PF));
  SECTION("equal strings run out the count with ZF = 1") {
    flat_bytes(m, {0xF3, 0xA6});
    put_string(m, kDst, "abcXef");
    s.r[ESI] = kSrc;
    s.r[EDI] = kDst;
    s.r[ECX] = 6;
    CHECK(run_insn(m) == 6);
    CHECK(s.r[ECX] == 0u);
    CHECK((s.eflags & fl::kArith) == (fl::ZF | fl::PF));
  }
  SECTION("cmpsw compares source minus destination") {
    flat_bytes(m, {0x66, 0xA7});  // cmpsw
    m.bus.write<u16>(PhysAddr(kSrc), 0x0001);
    m.bus.write<u16>(PhysAddr(kDst), 0x0002);
    s.r[ESI] = kSrc;
    s.r[EDI] = kDst;
    m.cpu.step();
    CHECK((s.eflags & fl::CF) != 0);  // 1 - 2 borrows
    CHECK(s.r[ESI] == kSrc + 2);
    CHECK(s.r[EDI] == kDst + 2);
  }
}

TEST_CASE("374 given REPNE SCASB when AL occurs in the buffer then it stops just past the match", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  flat_bytes(m, {0xF2, 0xAE});  // repne scasb
  put_string(m, kDst, "abcdef");
  s.r[EAX] = 'd';
  s.r[EDI] = kDst;
  s.r[ECX] = 10;
  CHECK(run_insn(m) == 4);
  CHECK(s.r[EDI] == kDst + 4);
  CHECK(s.r[ECX] == 6u);
  CHECK((s.eflags & fl::ZF) != 0);
  SECTION("not found: the count runs out with ZF = 0") {
    flat_bytes(m, {0xF2, 0xAE});
    s.r[EAX] = 'z';
    s.r[EDI] = kDst;
    s.r[ECX] = 6;
    CHECK(run_insn(m) == 6);
    CHECK(s.r[EDI] == kDst + 6);
    CHECK(s.r[ECX] == 0u);
    CHECK((s.eflags & fl::ZF) == 0);
  }
  SECTION("repe scasd skips equal dwords") {
    flat_bytes(m, {0xF3, 0xAF});  // repe scasd
    m.poke32(kDst, 7);
    m.poke32(kDst + 4, 7);
    m.poke32(kDst + 8, 9);
    s.r[EAX] = 7;
    s.r[EDI] = kDst;
    s.r[ECX] = 5;
    CHECK(run_insn(m) == 3);
    CHECK(s.r[EDI] == kDst + 12);
    CHECK(s.r[ECX] == 2u);
    CHECK((s.eflags & fl::kArith) == (fl::CF | fl::SF | fl::AF));  // 7 - 9 = 0xFFFFFFFE
  }
}

TEST_CASE("375 given 16-bit addresses when STOS and LODS pass 0xFFFF then DI and SI wrap keeping their upper halves",
          "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("stosd with a 67 prefix") {
    flat_bytes(m, {0x67, 0xAB});  // addr16 stosd
    s.r[EAX] = 0xA1B2C3D4;
    s.r[EDI] = 0xABCDFFF8;
    m.cpu.step();
    CHECK(m.peek32(0xFFF8) == 0xA1B2C3D4u);
    CHECK(s.r[EDI] == 0xABCDFFFCu);
    flat_bytes(m, {0x67, 0xAB});
    s.r[EAX] = 0x01020304;
    s.r[EDI] = 0xABCDFFFC;
    m.cpu.step();
    CHECK(m.peek32(0xFFFC) == 0x01020304u);
    CHECK(s.r[EDI] == 0xABCD0000u);  // DI wrapped, upper half kept
  }
  SECTION("rep stosw with a 67 prefix counts CX and wraps DI") {
    flat_bytes(m, {0x67, 0xF3, 0x66, 0xAB});  // addr16 rep stosw
    s.r[EAX] = 0xBEEF;
    s.r[EDI] = 0x0000FFFC;
    s.r[ECX] = 0x00050003;  // CX = 3
    CHECK(run_insn(m) == 3);
    CHECK(m.bus.read<u16>(PhysAddr(0xFFFC)) == 0xBEEF);
    CHECK(m.bus.read<u16>(PhysAddr(0xFFFE)) == 0xBEEF);
    CHECK(m.bus.read<u16>(PhysAddr(0x0000)) == 0xBEEF);
    CHECK(s.r[EDI] == 0x00000002u);
    CHECK(s.r[ECX] == 0x00050000u);
  }
  SECTION("lodsw backwards with DF set") {
    flat_bytes(m, {0x67, 0x66, 0xAD});  // addr16 lodsw
    m.bus.write<u16>(PhysAddr(0x0000), 0x4321);
    s.r[ESI] = 0x77770000;
    s.r[EAX] = 0x99999999;
    s.eflags |= fl::DF;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x99994321u);
    CHECK(s.r[ESI] == 0x7777FFFEu);
  }
  SECTION("lodsb and lodsd with 32-bit addresses") {
    flat_bytes(m, {0xAC});
    m.poke32(kSrc, 0x89ABCDEF);
    s.r[ESI] = kSrc;
    s.r[EAX] = 0x11111111;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x111111EFu);
    CHECK(s.r[ESI] == kSrc + 1);
    flat_bytes(m, {0xAD});
    s.r[ESI] = kSrc;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x89ABCDEFu);
    CHECK(s.r[ESI] == kSrc + 4);
  }
}

TEST_CASE("376 given ECX = 0 when REP string instructions run then nothing happens", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  for (const std::vector<u8>& code : {std::vector<u8>{0xF3, 0xA4}, std::vector<u8>{0xF3, 0xAB},
                                      std::vector<u8>{0xF3, 0xA6}, std::vector<u8>{0xF2, 0xAE}}) {
    flat_bytes(m, code);
    put_string(m, kSrc, "xy");
    put_string(m, kDst, "zw");
    s.r[ESI] = kSrc;
    s.r[EDI] = kDst;
    s.r[ECX] = 0;
    s.r[EAX] = 0x41414141;
    s.eflags = fl::R1 | fl::ZF | fl::CF;
    m.cpu.step();
    CHECK(s.eip == kCode + 2);
    CHECK(s.r[ESI] == kSrc);
    CHECK(s.r[EDI] == kDst);
    CHECK(s.r[ECX] == 0u);
    CHECK(s.eflags == (fl::R1 | fl::ZF | fl::CF));
    CHECK(get_string(m, kDst, 2) == "zw");
  }
  SECTION("with a 67 prefix only CX counts") {
    flat_bytes(m, {0x67, 0xF3, 0xA4});
    s.r[ECX] = 0x00010000;  // CX = 0
    s.r[ESI] = kSrc;
    s.r[EDI] = kDst;
    m.cpu.step();
    CHECK(s.eip == kCode + 3);
    CHECK(s.r[ECX] == 0x00010000u);
    CHECK(get_string(m, kDst, 2) == "zw");
  }
}

TEST_CASE("377 given a REP MOVS when the CPU steps once then one element moved and EIP still points at the instruction",
          "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  flat_bytes(m, {0xF3, 0xA4});
  put_string(m, kSrc, "wxyz");
  put_string(m, kDst, "....");
  s.r[ESI] = kSrc;
  s.r[EDI] = kDst;
  s.r[ECX] = 4;
  REQUIRE(m.cpu.step() == StepResult::kOk);
  CHECK(get_string(m, kDst, 4) == "w...");
  CHECK(s.eip == kCode);
  CHECK(s.r[ECX] == 3u);
  CHECK(s.r[ESI] == kSrc + 1);
  CHECK(s.r[EDI] == kDst + 1);
  CHECK(m.cpu.retired() == 0u);
  m.cpu.step();
  CHECK(get_string(m, kDst, 4) == "wx..");
  CHECK(s.eip == kCode);
  CHECK(s.r[ECX] == 2u);
}

TEST_CASE("378 given segment overrides when string instructions run then only the source segment changes", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("fs: movsb reads FS:ESI and writes ES:EDI") {
    flat_bytes(m, {0x64, 0xA4});
    s.seg[FS].base = 0x100;
    s.seg[ES].base = 0x200;
    put_string(m, kSrc + 0x100, "F");
    put_string(m, kSrc, "D");
    s.r[ESI] = kSrc;
    s.r[EDI] = kDst;
    m.cpu.step();
    CHECK(m.peek8(kDst + 0x200) == 'F');
  }
  SECTION("fs: stosb still writes ES:EDI") {
    flat_bytes(m, {0x64, 0xAA});
    s.seg[FS].base = 0x100;
    s.r[EAX] = 'S';
    s.r[EDI] = kDst;
    m.cpu.step();
    CHECK(m.peek8(kDst) == 'S');
    CHECK(m.peek8(kDst + 0x100) == 0);
  }
  SECTION("es: cmpsb compares ES:ESI with ES:EDI") {
    flat_bytes(m, {0x26, 0xA6});
    s.seg[ES].base = 0x1000;
    put_string(m, kSrc + 0x1000, "q");
    put_string(m, kSrc, "r");
    put_string(m, kDst + 0x1000, "q");
    s.r[ESI] = kSrc;
    s.r[EDI] = kDst;
    m.cpu.step();
    CHECK((s.eflags & fl::ZF) != 0);
  }
}

TEST_CASE("379 given INS and OUTS when they run then ports are read into ES:EDI and written from DS:ESI", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("rep outsb to port 0xE9") {
    flat_bytes(m, {0xF3, 0x6E});
    put_string(m, kSrc, "hi!");
    s.r[ESI] = kSrc;
    s.r[EDX] = 0xE9;
    s.r[ECX] = 3;
    CHECK(run_insn(m) == 3);
    CHECK(m.io.out == "hi!");
    CHECK(s.r[ESI] == kSrc + 3);
  }
  SECTION("outsd and outsw write the whole element") {
    flat_bytes(m, {0x6F});
    m.poke32(kSrc, 0xCAFEBABE);
    s.r[ESI] = kSrc;
    s.r[EDX] = 0x1F0;
    m.cpu.step();
    CHECK(m.io.last_write[0x1F0] == 0xCAFEBABEu);
    flat_bytes(m, {0x66, 0x6F});
    s.r[ESI] = kSrc;
    s.r[EDX] = 0x1F0;
    m.cpu.step();
    CHECK(m.io.last_write[0x1F0] == 0xBABEu);
    CHECK(s.r[ESI] == kSrc + 2);
  }
  SECTION("rep insb and insd store the port values") {
    flat_bytes(m, {0xF3, 0x6C});
    m.io.read_value[0x60] = 0x5A;
    s.r[EDI] = kDst;
    s.r[EDX] = 0x60;
    s.r[ECX] = 2;
    CHECK(run_insn(m) == 2);
    CHECK(m.peek8(kDst) == 0x5A);
    CHECK(m.peek8(kDst + 1) == 0x5A);
    CHECK(s.r[EDI] == kDst + 2);
    flat_bytes(m, {0x6D});
    m.io.read_value[0x1F0] = 0xDEADBEEF;
    s.r[EDI] = kDst;
    s.r[EDX] = 0x1F0;
    s.eflags |= fl::DF;
    m.cpu.step();
    CHECK(m.peek32(kDst) == 0xDEADBEEFu);
    CHECK(s.r[EDI] == kDst - 4);
  }
  SECTION("outsb at CPL 3 to a port denied by the TSS bitmap is #GP(0) before anything is written") {
    flat_bytes(m, {0xF3, 0x6E});
    m.set_gate(vec::GP, 0x30000);
    m.enter_ring3();
    m.bus.write<u8>(PhysAddr(kTssBase + 0x68 + 0xE9 / 8), 1u << (0xE9 % 8));
    put_string(m, kSrc, "no");
    s.r[ESI] = kSrc;
    s.r[EDX] = 0xE9;
    s.r[ECX] = 2;
    m.cpu.step();
    CHECK(s.eip == 0x30000);
    CHECK(m.io.out.empty());
    CHECK(m.peek32(0x90000 - 24) == 0u);
    CHECK(m.peek32(0x90000 - 20) == kCode);
    CHECK(s.r[ECX] == 2u);
    CHECK(s.r[ESI] == kSrc);
  }
}

TEST_CASE("370 given real mode when REP MOVSW runs then SI DI CX are 16-bit and DS ES bases apply", "[string]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  m.setup_real(0x2000, 0x0000);
  m.load(0x20000, {0xF3, 0xA5});  // rep movsw (16-bit code)
  s.seg[DS].load_real(0x0300);    // DS:SI = 0x3000 + 0x10
  s.seg[ES].load_real(0x0400);    // ES:DI = 0x4000 + 0x20
  m.bus.write<u16>(PhysAddr(0x3010), 0x1111);
  m.bus.write<u16>(PhysAddr(0x3012), 0x2222);
  s.r[ESI] = 0xFFFF0010;
  s.r[EDI] = 0xEEEE0020;
  s.r[ECX] = 0xDDDD0002;
  m.cpu.step();
  CHECK(s.eip == 0u);  // still on the instruction after one iteration
  m.cpu.step();
  CHECK(s.eip == 2u);
  CHECK(m.bus.read<u16>(PhysAddr(0x4020)) == 0x1111);
  CHECK(m.bus.read<u16>(PhysAddr(0x4022)) == 0x2222);
  CHECK(s.r[ESI] == 0xFFFF0014u);
  CHECK(s.r[EDI] == 0xEEEE0024u);
  CHECK(s.r[ECX] == 0xDDDD0000u);
}
