// x87 subset for lazy FPU switching (sim/cpu486/insn/x87.cpp): control-word and
// status-word access, FNSAVE/FRSTOR/FNSTENV/FLDENV images (Intel SDM vol. 1
// §8.1.10, figures 8-9 to 8-12), the CR0 EM/MP/TS rules (SDM vol. 3 table 2-2) and
// the diagnostic for the arithmetic that is not modelled yet.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x10000;
constexpr u32 kData = 0x20000;
constexpr u32 kHandler = 0x30000;

// Flat 32-bit ring 0 with `bytes` at kCode, EBX pointing at kData.
void setup(TestMachine& m, const std::vector<u8>& bytes) {
  m.setup_flat32(kCode);
  m.load(kCode, bytes);
  m.cpu.state().r[EBX] = kData;
}

u16 peek16(const TestMachine& m, u32 a) { return static_cast<u16>(m.peek8(a) | (m.peek8(a + 1) << 8)); }

// A recognisable 80-bit image for physical register i.
std::array<u8, 10> image(unsigned i) {
  std::array<u8, 10> r{};
  for (unsigned k = 0; k < 10; ++k) r[k] = static_cast<u8>(0x10 * i + k);
  r[7] |= 0x80;  // integer bit set: a normal number (tag 00 when not empty)
  r[9] = 0x3F;   // exponent 3Fxx: neither zero nor all ones
  return r;
}

}  // namespace

TEST_CASE("390 given a dirty FPU when FNINIT runs then control status tag and pointers take their reset values",
          "[x87]") {
  TestMachine m;
  setup(m, {0xDB, 0xE3});  // fninit
  FpuState& f = m.cpu.state().fpu;
  f.cw = 0x0C00;
  f.sw = 0xB8FF;
  f.tw = 0x1234;
  f.fip = 0x11111111;
  f.fcs = 0x22;
  f.fop = 0x333;
  f.fdp = 0x44444444;
  f.fds = 0x55;
  f.st[3] = image(3);
  m.cpu.step();
  CHECK(f.cw == 0x037F);
  CHECK(f.sw == 0);
  CHECK(f.tw == 0xFFFF);
  CHECK(f.fip == 0);
  CHECK(f.fcs == 0);
  CHECK(f.fop == 0);
  CHECK(f.fdp == 0);
  CHECK(f.fds == 0);
  CHECK(f.st[3] == image(3));  // data registers are not touched
  CHECK(m.cpu.state().eip == kCode + 2);
}

TEST_CASE(
    "391 given exception flags when FNSTSW and FNCLEX run then AX and memory get the status word and FNCLEX "
    "clears flags SF ES and B only",
    "[x87]") {
  TestMachine m;
  setup(m, {0xDF, 0xE0,          // fnstsw ax
            0xDD, 0x3B,          // fnstsw [ebx]
            0xDB, 0xE2,          // fnclex
            0xDD, 0x7B, 0x02});  // fnstsw [ebx+2]
  m.cpu.state().r[EAX] = 0xAAAA5555;
  m.cpu.state().fpu.sw = 0xBFFF;  // B, C3, TOP=7, C2 C1 C0, ES, SF, all exception flags
  for (int i = 0; i < 4; ++i) m.cpu.step();
  CHECK(m.cpu.state().r[EAX] == 0xAAAABFFF);  // only AX is written
  CHECK(peek16(m, kData) == 0xBFFF);
  // 0xBFFF without bits 0-7 and 15: C3 C2 C1 C0 and TOP remain.
  CHECK(m.cpu.state().fpu.sw == 0x3F00);
  CHECK(peek16(m, kData + 2) == 0x3F00);
}

TEST_CASE(
    "392 given a control word in memory when FLDCW then FNSTCW run then it round-trips with the reserved bits "
    "forced",
    "[x87]") {
  TestMachine m;
  setup(m, {0xD9, 0x2B,          // fldcw [ebx]
            0xD9, 0x7B, 0x04,    // fnstcw [ebx+4]
            0xD9, 0x6B, 0x08,    // fldcw [ebx+8]
            0xD9, 0x7B, 0x0C});  // fnstcw [ebx+12]
  m.poke32(kData, 0x0E72);       // RC=down... PC=53 bits, some masks clear, bit 6 clear
  m.poke32(kData + 8, 0xFFFF);   // every bit set: bits 7 and 13-15 read back as 0
  m.cpu.step();
  CHECK(m.cpu.state().fpu.cw == 0x0E72);  // bit 6 already 1 in 0x72
  m.cpu.step();
  CHECK(peek16(m, kData + 4) == 0x0E72);
  m.cpu.step();
  m.cpu.step();
  CHECK(peek16(m, kData + 12) == 0x1F7F);
}

TEST_CASE(
    "393 given a loaded FPU in 32-bit protected mode when FNSAVE then FRSTOR run then the 108-byte image has "
    "the SDM layout and the state round-trips",
    "[x87]") {
  TestMachine m;
  setup(m, {0xDD, 0x33,    // fnsave [ebx]
            0xDD, 0x23});  // frstor [ebx]
  FpuState& f = m.cpu.state().fpu;
  f.cw = 0x027F;
  f.sw = 0x3000 | 0x0100;  // TOP = 6, C0
  f.tw = 0x0FFF;           // R6 and R7 non-empty, the rest empty
  f.fip = 0x00401234;
  f.fcs = 0x0008;
  f.fop = 0x5C1;  // 11-bit opcode
  f.fdp = 0x00405678;
  f.fds = 0x0010;
  for (unsigned i = 0; i < 8; ++i) f.st[i] = image(i);
  f.st[7] = {};  // +0.0: tag 01 when stored
  m.cpu.step();

  // Environment (SDM vol. 1 figure 8-9): reserved high halves stored as 1s.
  CHECK(m.peek32(kData + 0x00) == 0xFFFF027F);
  CHECK(m.peek32(kData + 0x04) == 0xFFFF3100);
  // Tags computed from contents: R7 zero (01), R6 valid (00), others empty (11).
  CHECK(m.peek32(kData + 0x08) == 0xFFFF4FFF);
  CHECK(m.peek32(kData + 0x0C) == 0x00401234);
  CHECK(m.peek32(kData + 0x10) == 0x05C10008);  // FOP in bits 16-26, FCS in 0-15
  CHECK(m.peek32(kData + 0x14) == 0x00405678);
  CHECK(m.peek32(kData + 0x18) == 0xFFFF0010);
  // ST(0) = R6, ST(1) = R7, ST(2) = R0 ... at 28 + 10*i.
  for (unsigned i = 0; i < 8; ++i) {
    const auto r = i == 1 ? std::array<u8, 10>{} : image((6 + i) & 7);
    for (unsigned k = 0; k < 10; ++k) CHECK(m.peek8(kData + 28 + 10 * i + k) == r[k]);
  }
  // FNSAVE re-initialises the FPU.
  CHECK(f.cw == 0x037F);
  CHECK(f.sw == 0);
  CHECK(f.tw == 0xFFFF);
  CHECK(f.fip == 0);
  // Scribble on the registers, then restore.
  for (auto& r : f.st) r.fill(0xEE);
  m.cpu.step();
  CHECK(f.cw == 0x027F);
  CHECK(f.sw == 0x3100);
  CHECK(f.tw == 0x4FFF);
  CHECK(f.fip == 0x00401234);
  CHECK(f.fcs == 0x0008);
  CHECK(f.fop == 0x5C1);
  CHECK(f.fdp == 0x00405678);
  CHECK(f.fds == 0x0010);
  for (unsigned i = 0; i < 7; ++i) CHECK(f.st[i] == image(i));
  CHECK(f.st[7] == std::array<u8, 10>{});
}

TEST_CASE("394 given 16-bit operand size in protected mode when FNSAVE runs then the 94-byte image uses word fields",
          "[x87]") {
  TestMachine m;
  setup(m, {0x66, 0xDD, 0x33});  // fnsave [ebx] with o16
  FpuState& f = m.cpu.state().fpu;
  f.cw = 0x037F;
  f.sw = 0x0000;  // TOP = 0
  f.tw = 0xFFFC;  // R0 non-empty
  f.fip = 0x1234;
  f.fcs = 0x0030;
  f.fdp = 0x5678;
  f.fds = 0x0038;
  f.st[0] = image(0);
  m.poke32(kData + 94, 0xCCCCCCCC);
  m.cpu.step();
  CHECK(peek16(m, kData + 0x0) == 0x037F);
  CHECK(peek16(m, kData + 0x2) == 0x0000);
  CHECK(peek16(m, kData + 0x4) == 0xFFFC);
  CHECK(peek16(m, kData + 0x6) == 0x1234);
  CHECK(peek16(m, kData + 0x8) == 0x0030);
  CHECK(peek16(m, kData + 0xA) == 0x5678);
  CHECK(peek16(m, kData + 0xC) == 0x0038);
  for (unsigned k = 0; k < 10; ++k) CHECK(m.peek8(kData + 14 + k) == image(0)[k]);
  CHECK(m.peek32(kData + 94) == 0xCCCCCCCC);  // nothing beyond 94 bytes
}

TEST_CASE(
    "395 given real mode when FNSTENV runs then the real-mode layout holds linear pointers and exceptions "
    "are masked afterwards",
    "[x87]") {
  TestMachine m;
  m.setup_real(0x1000, 0x0100);
  // 66 d9 37 = fnstenv [bx] with o32 (28-byte real-mode image), then 16-bit form at [bx+0x40].
  m.load(0x10100, {0x66, 0xD9, 0x37, 0xD9, 0x77, 0x40});
  CpuState& s = m.cpu.state();
  s.r[EBX] = 0x0200;  // DS = 0x1000: linear 0x10200
  FpuState& f = s.fpu;
  f.cw = 0x0360;  // all exceptions unmasked
  f.sw = 0x0000;
  f.tw = 0xFFFF;
  f.fip = 0x0123;
  f.fcs = 0xABCD;  // linear ip = 0xABCD0 + 0x123 = 0xABDF3
  f.fop = 0x1D9;
  f.fdp = 0x0456;
  f.fds = 0x9876;  // linear dp = 0x98760 + 0x456 = 0x98BB6
  m.cpu.step();
  CHECK(m.peek32(0x10200 + 0x00) == 0xFFFF0360);
  CHECK(m.peek32(0x10200 + 0x0C) == 0xFFFFBDF3);
  CHECK(m.peek32(0x10200 + 0x10) == ((0x000Au << 12) | 0x1D9));
  CHECK(m.peek32(0x10200 + 0x14) == 0xFFFF8BB6);
  CHECK(m.peek32(0x10200 + 0x18) == (0x0009u << 12));
  CHECK(f.cw == 0x037F);  // FNSTENV masks all exceptions after storing
  m.cpu.step();
  CHECK(peek16(m, 0x10240 + 0x0) == 0x037F);
  CHECK(peek16(m, 0x10240 + 0x6) == 0xBDF3);
  CHECK(peek16(m, 0x10240 + 0x8) == ((0xAu << 12) | 0x1D9));
  CHECK(peek16(m, 0x10240 + 0xA) == 0x8BB6);
  CHECK(peek16(m, 0x10240 + 0xC) == (0x9u << 12));
}

TEST_CASE("396 given CR0 TS or EM when an x87 escape or WAIT runs then #NM follows the EM MP TS table", "[x87]") {
  struct Case {
    u32 cr0_bits;
    std::vector<u8> code;
    bool nm;
  };
  const std::vector<Case> cases = {
      {cr0::TS, {0xDB, 0xE3}, true},       // FNINIT with TS
      {cr0::EM, {0xDD, 0x33}, true},       // FNSAVE with EM
      {cr0::EM | cr0::MP, {0x9B}, false},  // WAIT ignores EM
      {cr0::TS, {0x9B}, false},            // WAIT with TS but not MP executes
      {cr0::MP | cr0::TS, {0x9B}, true},   // WAIT with MP and TS
      {cr0::MP, {0xDD, 0x33}, false},      // MP alone does not stop ESC
  };
  for (const Case& k : cases) {
    TestMachine m;
    setup(m, k.code);
    m.set_gate(vec::NM, kHandler);
    m.cpu.state().cr0 |= k.cr0_bits;
    m.cpu.state().fpu.cw = 0x0000;
    m.cpu.step();
    INFO("cr0 bits " << k.cr0_bits << " opcode " << int(k.code[0]));
    if (k.nm) {
      CHECK(m.cpu.state().eip == kHandler);
      CHECK(m.peek32(m.cpu.state().r[ESP]) == kCode);  // the faulting instruction
      CHECK(m.cpu.state().fpu.cw == 0x0000);           // nothing executed
    } else {
      CHECK(m.cpu.state().eip == kCode + k.code.size());
    }
  }
}

TEST_CASE("397 given an x87 arithmetic instruction when it runs then CpuUnsupported names it unless #NM comes first",
          "[x87]") {
  TestMachine m;
  setup(m, {0xD8, 0xC1});  // fadd st, st(1)
  try {
    m.cpu.step();
    FAIL("no exception");
  } catch (const CpuUnsupported& e) {
    const std::string msg = e.what();
    CHECK(msg.find("fadd st,st(i)") != std::string::npos);
    CHECK(msg.find("0x10000") != std::string::npos);
  }
  setup(m, {0xDD, 0x03});  // fld qword [ebx]
  CHECK_THROWS_WITH(m.cpu.step(), Catch::Contains("fld m64fp"));
  // With TS set the lazy-switching #NM is raised before anything else.
  setup(m, {0xD8, 0xC1});
  m.set_gate(vec::NM, kHandler);
  m.cpu.state().cr0 |= cr0::TS;
  CHECK_NOTHROW(m.cpu.step());
  CHECK(m.cpu.state().eip == kHandler);
}

TEST_CASE(
    "398 given a restored status word with an unmasked exception flag when WAIT runs with CR0.NE then #MF is "
    "raised",
    "[x87]") {
  TestMachine m;
  setup(m, {0xD9, 0x23,  // fldenv [ebx]
            0x9B,        // wait
            0xDB, 0xE2,  // fnclex
            0x9B});      // wait
  m.set_gate(vec::MF, kHandler);
  m.cpu.state().cr0 |= cr0::NE;
  m.poke32(kData + 0x00, 0x037B);  // ZE unmasked
  m.poke32(kData + 0x04, 0x0004);  // ZE flag set, ES clear in the image
  m.poke32(kData + 0x08, 0xFFFF);
  m.cpu.step();
  // ES and B are recomputed from the unmasked flags.
  CHECK(m.cpu.state().fpu.sw == 0x8084);
  m.cpu.step();
  CHECK(m.cpu.state().eip == kHandler);
  CHECK(m.peek32(m.cpu.state().r[ESP]) == kCode + 2);  // the WAIT
  // Clearing the flags lets WAIT pass.
  m.cpu.state().eip = kCode + 3;
  m.cpu.step();
  CHECK(m.cpu.state().fpu.sw == 0x0000);
  m.cpu.step();
  CHECK(m.cpu.state().eip == kCode + 6);
}

TEST_CASE(
    "399 given FNSTENV and FLDENV in 32-bit protected mode when registers hold special values then tags are "
    "computed from contents and FLDENV restores the environment",
    "[x87]") {
  TestMachine m;
  setup(m, {0xD9, 0x33,          // fnstenv [ebx]
            0xD9, 0x63, 0x40});  // fldenv [ebx+0x40]
  FpuState& f = m.cpu.state().fpu;
  f.cw = 0x037F;
  f.tw = 0x0000;                                      // all non-empty internally
  f.st[0] = image(0);                                 // valid 00
  f.st[1] = {};                                       // zero 01
  f.st[2] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xFF, 0x7F};  // +infinity 10
  f.st[3] = {1, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00};  // denormal 10
  f.st[4] = {0, 0, 0, 0, 0, 0, 0, 0x40, 0x00, 0x40};  // unnormal 10
  f.st[5] = {0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF};  // QNaN 10
  f.st[6] = image(6);                                 // valid 00
  f.st[7] = {0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x80};  // -0.0 01
  m.cpu.step();
  // R7..R0 = 01 00 10 10 10 10 01 00
  CHECK(m.peek32(kData + 8) == 0xFFFF0000u + 0b0100101010100100u);
  // A 28-byte environment to load.
  const u32 env[7] = {0xFFFF0262, 0xFFFF2801, 0xFFFFFFF0, 0x00123456, 0x07FF0008, 0x00654321, 0xFFFF0010};
  for (u32 i = 0; i < 7; ++i) m.poke32(kData + 0x40 + 4 * i, env[i]);
  m.cpu.step();
  CHECK(f.cw == 0x0262);
  CHECK(f.sw == (0x2801 | 0x8080));  // IE flagged and unmasked: ES and B set
  CHECK(f.tw == 0xFFF0);
  CHECK(f.fip == 0x00123456);
  CHECK(f.fcs == 0x0008);
  CHECK(f.fop == 0x7FF);
  CHECK(f.fdp == 0x00654321);
  CHECK(f.fds == 0x0010);
}
