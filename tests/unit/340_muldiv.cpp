// Multiply/divide family (insn/muldiv.cpp). Expected values are computed by hand
// from the Intel SDM vol. 2 definitions. Undefined flags are pinned to the
// documented choice: after MUL/IMUL SF/ZF/PF come from the low half and AF is
// cleared; DIV/IDIV leave every flag unchanged.
#include <catch2/catch.hpp>
#include <string>

#include "support/snippet_rig.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = FlatRig::kCode;
constexpr u32 kData = 0x20000;
constexpr u32 kDeHandler = 0x30000;
constexpr u32 kStack = FlatRig::kStack;

// Divides fault with #DE to a handler at kDeHandler.
struct Rig : FlatRig {
  explicit Rig(const std::string& src) : FlatRig(src) { m.set_gate(vec::DE, kDeHandler); }
};

constexpr u32 CF = fl::CF, PF = fl::PF, AF = fl::AF, ZF = fl::ZF, SF = fl::SF, OF = fl::OF;

// Runs the divide in `src` with the given registers and checks that #DE was
// delivered as a fault: the handler runs, the stacked EIP is the divide itself,
// and no register or flag changed.
void check_de(const std::string& src, u32 eax, u32 edx, u32 divisor_reg_value, u32 mem = 0) {
  Rig g(src);
  g.r(EAX) = eax;
  g.r(EDX) = edx;
  g.r(ECX) = divisor_reg_value;
  g.r(EBX) = divisor_reg_value;
  g.m.poke32(kData, mem);
  const u32 flags_in = CF | ZF | SF | AF;
  g.exec(flags_in);
  INFO(src);
  CHECK(g.s.eip == kDeHandler);
  CHECK(g.s.r[ESP] == kStack - 12);      // EFLAGS, CS, EIP; #DE has no error code
  CHECK(g.dword(kStack - 12) == kCode);  // faulting instruction
  CHECK(g.dword(kStack - 8) == kCode0);
  CHECK((g.dword(kStack - 4) & fl::kArith) == flags_in);
  CHECK(g.r(EAX) == eax);
  CHECK(g.r(EDX) == edx);
  CHECK(g.r(ECX) == divisor_reg_value);
  CHECK(g.r(EBX) == divisor_reg_value);
}

}  // namespace

TEST_CASE("341 given MUL when the product needs the upper half then CF and OF are set", "[muldiv]") {
  SECTION("mul bl: 0x80 * 2 = 0x100") {
    Rig g("mul bl");
    g.r(EAX) = 0xFFFF0080;
    g.r(EBX) = 2;
    g.exec(AF);
    CHECK(g.r(EAX) == 0xFFFF0100);
    CHECK(g.arith() == (CF | OF | ZF | PF));  // SF/ZF/PF from AL = 0, AF cleared
  }
  SECTION("mul bl: 0x0F * 3 = 0x2D fits") {
    Rig g("mul bl");
    g.r(EAX) = 0x0F;
    g.r(EBX) = 3;
    g.exec(CF | OF);
    CHECK(g.r(EAX) == 0x2D);
    CHECK(g.arith() == PF);
  }
  SECTION("mul cx: 0xFFFF * 0xFFFF into DX:AX keeps the upper halves") {
    Rig g("mul cx");
    g.r(EAX) = 0xAAAAFFFF;
    g.r(EDX) = 0x55551234;
    g.r(ECX) = 0xFFFF;
    g.exec();
    CHECK(g.r(EAX) == 0xAAAA0001);
    CHECK(g.r(EDX) == 0x5555FFFE);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("mul ecx: 0x80000000 * 4") {
    Rig g("mul ecx");
    g.r(EAX) = 0x80000000;
    g.r(ECX) = 4;
    g.exec();
    CHECK(g.r(EAX) == 0);
    CHECK(g.r(EDX) == 2);
    CHECK(g.arith() == (CF | OF | ZF | PF));
  }
  SECTION("mul dword ptr [mem]") {
    Rig g("mul dword ptr [0x20000]");
    g.m.poke32(kData, 0x10);
    g.r(EAX) = 0x12345678;
    g.exec();
    CHECK(g.r(EAX) == 0x23456780);
    CHECK(g.r(EDX) == 1);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("mul edx: the source is read before EDX is overwritten") {
    Rig g("mul edx");
    g.r(EAX) = 3;
    g.r(EDX) = 5;
    g.exec();
    CHECK(g.r(EAX) == 15);
    CHECK(g.r(EDX) == 0);
    CHECK(g.arith() == PF);
  }
}

TEST_CASE("342 given one-operand IMUL when the product is not a sign extension then CF and OF are set", "[muldiv]") {
  SECTION("imul bl: -1 * -128 = 128 does not fit a byte") {
    Rig g("imul bl");
    g.r(EAX) = 0xFF;
    g.r(EBX) = 0x80;
    g.exec();
    CHECK(g.r(EAX) == 0x0080);
    CHECK(g.arith() == (CF | OF | SF));
  }
  SECTION("imul bl: -2 * 3 = -6 fits") {
    Rig g("imul bl");
    g.r(EAX) = 0xFE;
    g.r(EBX) = 3;
    g.exec(CF | OF);
    CHECK(g.r(EAX) == 0xFFFA);
    CHECK(g.arith() == (SF | PF));
  }
  SECTION("imul cx: 0x100 * 0x100") {
    Rig g("imul cx");
    g.r(EAX) = 0x0100;
    g.r(ECX) = 0x0100;
    g.exec();
    CHECK(g.r(EAX) == 0);
    CHECK(g.r(EDX) == 1);
    CHECK(g.arith() == (CF | OF | ZF | PF));
  }
  SECTION("imul ecx: -1 * 0x7FFFFFFF fits 32 bits") {
    Rig g("imul ecx");
    g.r(EAX) = 0xFFFFFFFF;
    g.r(ECX) = 0x7FFFFFFF;
    g.exec();
    CHECK(g.r(EAX) == 0x80000001);
    CHECK(g.r(EDX) == 0xFFFFFFFF);
    CHECK(g.arith() == SF);
  }
  SECTION("imul dword ptr [mem]: 0x80000000 * 0x80000000") {
    Rig g("imul dword ptr [0x20000]");
    g.m.poke32(kData, 0x80000000);
    g.r(EAX) = 0x80000000;
    g.exec();
    CHECK(g.r(EAX) == 0);
    CHECK(g.r(EDX) == 0x40000000);
    CHECK(g.arith() == (CF | OF | ZF | PF));
  }
}

TEST_CASE("343 given two- and three-operand IMUL when the product is truncated then CF and OF report it", "[muldiv]") {
  SECTION("imul ebx,ecx: 0x10000 squared truncates to 0") {
    Rig g("imul ebx, ecx");
    g.r(EBX) = 0x10000;
    g.r(ECX) = 0x10000;
    g.exec();
    CHECK(g.r(EBX) == 0);
    CHECK(g.arith() == (CF | OF | ZF | PF));
  }
  SECTION("imul bx,cx: -3 * 7 keeps the upper half of EBX") {
    Rig g("imul bx, cx");
    g.r(EBX) = 0x1234FFFD;
    g.r(ECX) = 7;
    g.exec();
    CHECK(g.r(EBX) == 0x1234FFEB);
    CHECK(g.arith() == (SF | PF));  // 0xEB has six ones
  }
  SECTION("imul eax,ebx,0x12345 (69, imm32)") {
    Rig g("imul eax, ebx, 0x12345");
    g.r(EBX) = 0x10;
    g.exec(CF | OF);
    CHECK(g.r(EAX) == 0x123450);
    CHECK(g.arith() == PF);  // 0x50 has two ones
  }
  SECTION("imul ax,bx,0x4000 (69, imm16) overflows") {
    Rig g("imul ax, bx, 0x4000");
    g.r(EAX) = 0xFFFFFFFF;
    g.r(EBX) = 4;
    g.exec();
    CHECK(g.r(EAX) == 0xFFFF0000);
    CHECK(g.arith() == (CF | OF | ZF | PF));
  }
  SECTION("imul ecx,edx,-2 (6B, sign-extended imm8)") {
    Rig g("imul ecx, edx, -2");
    g.r(EDX) = 5;
    g.exec();
    CHECK(g.r(ECX) == 0xFFFFFFF6);
    CHECK(g.arith() == (SF | PF));
  }
  SECTION("imul cx,word ptr [mem],-1: -(-32768) does not fit") {
    Rig g("imul cx, word ptr [0x20000], -1");
    g.m.poke32(kData, 0x8000);
    g.exec();
    CHECK(g.r(ECX) == 0x8000);
    CHECK(g.arith() == (CF | OF | SF | PF));
  }
}

TEST_CASE("344 given DIV and IDIV with valid operands when run then quotient and remainder are exact and flags kept",
          "[muldiv]") {
  const u32 keep = CF | ZF | OF;
  SECTION("div bl: 100 / 7") {
    Rig g("div bl");
    g.r(EAX) = 0xABCD0064;
    g.r(EBX) = 7;
    g.exec(keep);
    CHECK(g.r(EAX) == 0xABCD020E);  // AH = 2, AL = 14
    CHECK(g.arith() == keep);
  }
  SECTION("div cx: 65536 / 3") {
    Rig g("div cx");
    g.r(EAX) = 0x0000;
    g.r(EDX) = 0x0001;
    g.r(ECX) = 3;
    g.exec();
    CHECK(g.r(EAX) == 0x5555);
    CHECK(g.r(EDX) == 1);
    CHECK(g.arith() == 0);
  }
  SECTION("div ecx: 2^32 / 16") {
    Rig g("div ecx");
    g.r(EAX) = 0;
    g.r(EDX) = 1;
    g.r(ECX) = 16;
    g.exec();
    CHECK(g.r(EAX) == 0x10000000);
    CHECK(g.r(EDX) == 0);
  }
  SECTION("div dword ptr [mem]: the largest quotient that fits") {
    Rig g("div dword ptr [0x20000]");
    g.m.poke32(kData, 0xFFFFFFFF);
    g.r(EAX) = 0xFFFFFFFF;
    g.r(EDX) = 0xFFFFFFFE;
    g.exec();
    CHECK(g.r(EAX) == 0xFFFFFFFF);
    CHECK(g.r(EDX) == 0xFFFFFFFE);
  }
  SECTION("idiv bl: -100 / 7 truncates toward zero") {
    Rig g("idiv bl");
    g.r(EAX) = 0xFF9C;
    g.r(EBX) = 7;
    g.exec(keep);
    CHECK(g.r(EAX) == 0xFEF2);  // AH = -2, AL = -14
    CHECK(g.arith() == keep);
  }
  SECTION("idiv cx: 100 / -7") {
    Rig g("idiv cx");
    g.r(EAX) = 0x64;
    g.r(EDX) = 0;
    g.r(ECX) = 0xFFF9;
    g.exec();
    CHECK(g.r(EAX) == 0xFFF2);
    CHECK(g.r(EDX) == 2);
  }
  SECTION("idiv ecx: -1 / 2 leaves remainder -1") {
    Rig g("idiv ecx");
    g.r(EAX) = 0xFFFFFFFF;
    g.r(EDX) = 0xFFFFFFFF;
    g.r(ECX) = 2;
    g.exec();
    CHECK(g.r(EAX) == 0);
    CHECK(g.r(EDX) == 0xFFFFFFFF);
  }
  SECTION("idiv bl: -256 / 2 = -128 is allowed on the i486") {
    Rig g("idiv bl");
    g.r(EAX) = 0xFF00;
    g.r(EBX) = 2;
    g.exec();
    CHECK(g.r(EAX) == 0x0080);
  }
  SECTION("idiv ecx: -2^31 / 1 = -2^31 fits") {
    Rig g("idiv ecx");
    g.r(EAX) = 0x80000000;
    g.r(EDX) = 0xFFFFFFFF;
    g.r(ECX) = 1;
    g.exec();
    CHECK(g.r(EAX) == 0x80000000);
    CHECK(g.r(EDX) == 0);
  }
  SECTION("idiv word ptr [mem]: -7 / -2") {
    Rig g("idiv word ptr [0x20000]");
    g.m.poke32(kData, 0xFFFE);
    g.r(EAX) = 0xFFF9;
    g.r(EDX) = 0xFFFF;
    g.exec();
    CHECK(g.r(EAX) == 3);
    CHECK(g.r(EDX) == 0xFFFF);  // remainder -1 has the dividend's sign
  }
}

TEST_CASE("345 given a zero divisor or an overflowing quotient when dividing then #DE is a fault with no state change",
          "[muldiv]") {
  check_de("div bl", 0x1234, 0, 0);
  check_de("div cx", 0x1234, 0x5678, 0);
  check_de("div dword ptr [0x20000]", 1, 2, 0x77, 0);        // memory divisor 0
  check_de("div bl", 0x0100, 0, 1);                          // quotient 256
  check_de("div cx", 0, 0x0001, 1);                          // quotient 0x10000
  check_de("div ecx", 0, 1, 1);                              // quotient 2^32
  check_de("idiv bl", 0x0080, 0, 1);                         // +128 does not fit
  check_de("idiv bl", 0x8000, 0, 0xFF);                      // -32768 / -1
  check_de("idiv cx", 0x0000, 0x8000, 0xFFFF);               // -2^31 / -1
  check_de("idiv ecx", 0x80000000, 0xFFFFFFFF, 0xFFFFFFFF);  // -2^31 / -1 = 2^31
  check_de("idiv ecx", 0, 0x80000000, 0xFFFFFFFF);           // -2^63 / -1
  check_de("idiv ecx", 0, 0x00000001, 1);                    // 2^32 / 1
  check_de("idiv ecx", 5, 5, 0);                             // zero
}
