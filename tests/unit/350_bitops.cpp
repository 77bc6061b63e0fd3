// Bit operations family (insn/bitops.cpp): BT/BTS/BTR/BTC, BSF/BSR, SETcc,
// CMPXCHG, XADD, BSWAP, CMPXCHG8B. Expected values are computed by hand from
// the Intel SDM vol. 2 definitions; undefined flags are pinned to the choices
// documented in bitops.cpp (left unchanged).
#include <catch2/catch.hpp>
#include <string>

#include "support/snippet_rig.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = FlatRig::kCode;
constexpr u32 kData = 0x20000;
constexpr u32 kStack = FlatRig::kStack;
constexpr u32 kUdHandler = 0x30000;
constexpr u32 kGpHandler = 0x30100;

// #UD and #GP go to handlers of their own.
struct Rig : FlatRig {
  explicit Rig(const std::string& src, CpuModel model = CpuModel::kI486DX) : FlatRig(src, 32, model) {
    m.set_gate(vec::UD, kUdHandler);
    m.set_gate(vec::GP, kGpHandler);
  }
};

constexpr u32 CF = fl::CF, PF = fl::PF, AF = fl::AF, ZF = fl::ZF, SF = fl::SF, OF = fl::OF;

}  // namespace

TEST_CASE("351 given BT BTS BTR BTC on registers when the offset exceeds the width then it is taken modulo the width",
          "[bitops]") {
  const u32 others = ZF | SF | OF | AF | PF;  // BT leaves ZF and (our choice) OF SF AF PF unchanged
  SECTION("bt eax,ecx") {
    Rig g("bt eax, ecx");
    g.r(EAX) = 0x10;
    g.r(ECX) = 4;
    g.exec(others);
    CHECK(g.arith() == (others | CF));
    g.r(ECX) = 36;
    g.exec();
    CHECK(g.arith() == CF);
    g.r(ECX) = 5;
    g.exec(CF);
    CHECK(g.arith() == 0);
    CHECK(g.r(EAX) == 0x10);
  }
  SECTION("bts eax,ecx") {
    Rig g("bts eax, ecx");
    g.r(EAX) = 0;
    g.r(ECX) = 3;
    g.exec(CF);
    CHECK(g.r(EAX) == 8);
    CHECK(g.arith() == 0);
    g.r(ECX) = 35;
    g.exec();
    CHECK(g.r(EAX) == 8);
    CHECK(g.arith() == CF);
  }
  SECTION("btr ax,cx with offset 19 clears bit 3 and keeps the upper half") {
    Rig g("btr ax, cx");
    g.r(EAX) = 0xFFFFFFFF;
    g.r(ECX) = 0x13;
    g.exec();
    CHECK(g.r(EAX) == 0xFFFFFFF7);
    CHECK(g.arith() == CF);
  }
  SECTION("btc ebx,31 toggles the sign bit") {
    Rig g("btc ebx, 31");
    g.r(EBX) = 0x80000000;
    g.exec();
    CHECK(g.r(EBX) == 0);
    CHECK(g.arith() == CF);
    g.exec(CF);
    CHECK(g.r(EBX) == 0x80000000);
    CHECK(g.arith() == 0);
  }
  SECTION("bt ax,17 masks the immediate to 4 bits") {
    Rig g(".byte 0x66, 0x0f, 0xba, 0xe0, 17");  // bt ax, 17
    g.r(EAX) = 2;
    g.exec();
    CHECK(g.arith() == CF);
  }
  SECTION("bt eax,0x21 masks the immediate to 5 bits") {
    Rig g(".byte 0x0f, 0xba, 0xe0, 0x21");
    g.r(EAX) = 2;
    g.exec();
    CHECK(g.arith() == CF);
  }
}

TEST_CASE(
    "352 given BT forms on memory with a register offset when the offset is large or negative then the bit is outside "
    "the operand",
    "[bitops]") {
  SECTION("bt dword ptr [mem],ecx with 100 reads the dword at +12, bit 4") {
    Rig g("bt dword ptr [0x20000], ecx");
    g.m.poke32(kData, 0);
    g.m.poke32(kData + 12, 0x10);
    g.r(ECX) = 100;
    g.exec();
    CHECK(g.arith() == CF);
    g.r(ECX) = 101;
    g.exec(CF);
    CHECK(g.arith() == 0);
  }
  SECTION("bts dword ptr [ebx],ecx with -1 sets bit 31 of the dword below") {
    Rig g("bts dword ptr [ebx], ecx");
    g.m.poke32(kData + 12, 0);
    g.m.poke32(kData + 16, 0);
    g.r(EBX) = kData + 16;
    g.r(ECX) = 0xFFFFFFFF;
    g.exec(CF);
    CHECK(g.dword(kData + 12) == 0x80000000);
    CHECK(g.dword(kData + 16) == 0);
    CHECK(g.arith() == 0);
  }
  SECTION("bts dword ptr [ebx],ecx with -33 is bit 31 two dwords below") {
    Rig g("bts dword ptr [ebx], ecx");
    g.m.poke32(kData + 8, 0x80000000);
    g.r(EBX) = kData + 16;
    g.r(ECX) = static_cast<u32>(-33);
    g.exec();
    CHECK(g.dword(kData + 8) == 0x80000000);
    CHECK(g.arith() == CF);
  }
  SECTION("btr dword ptr [ebx+4],ecx with 2^20 reaches 128 KB further") {
    Rig g("btr dword ptr [ebx+4], ecx");
    g.m.poke32(0x40004, 0xFFFFFFFF);
    g.r(EBX) = kData;
    g.r(ECX) = 0x00100000;
    g.exec();
    CHECK(g.dword(0x40004) == 0xFFFFFFFE);
    CHECK(g.arith() == CF);
  }
  SECTION("btc word ptr [ebx],cx uses a signed 16-bit offset and word units") {
    Rig g("btc word ptr [ebx], cx");
    g.r(EBX) = kData;
    g.m.poke32(0x1FFFC, 0);
    g.r(ECX) = 0x1234FFF0;  // CX = -16: the word below, bit 0
    g.exec();
    CHECK(g.dword(0x1FFFC) == 0x00010000);
    CHECK(g.arith() == 0);
    g.m.poke32(0x1F000, 1);
    g.r(ECX) = 0x8000;  // -32768: 4096 bytes below, bit 0
    g.exec();
    CHECK(g.dword(0x1F000) == 0);
    CHECK(g.arith() == CF);
    g.m.poke32(0x20FFC, 0);
    g.r(ECX) = 0x7FFF;  // +32767: the word at +4094, bit 15
    g.exec();
    CHECK(g.dword(0x20FFC) == 0x80000000);
    CHECK(g.arith() == 0);
    g.m.poke32(kData, 0);
    g.r(ECX) = 0xFFFF0010;  // upper half ignored: +16 is the next word
    g.exec();
    CHECK(g.dword(kData) == 0x00010000);
  }
  SECTION("bt word ptr [bx],ax with 16-bit addressing wraps the address at 64 KB") {
    Rig g("bt word ptr [bx], ax");  // 67 0F A3 07
    g.m.poke32(4, 1);
    g.r(EBX) = 0xFFFE;
    g.r(EAX) = 0x30;  // three words on: 0xFFFE + 6 wraps to 0x0004
    g.exec();
    CHECK(g.arith() == CF);
  }
}

TEST_CASE("353 given BT forms with imm8 on memory when run then the ModRM address is used and LOCK is checked",
          "[bitops]") {
  SECTION("bts dword ptr [mem],35 sets bit 3 of the dword itself") {
    Rig g("bts dword ptr [0x20000], 35");
    g.m.poke32(kData, 0);
    g.exec();
    CHECK(g.dword(kData) == 8);
    CHECK(g.dword(kData + 4) == 0);
    CHECK(g.arith() == 0);
  }
  SECTION("btr word ptr [mem],31 clears bit 15") {
    Rig g("btr word ptr [0x20000], 31");
    g.m.poke32(kData, 0xFFFF8008);
    g.exec();
    CHECK(g.dword(kData) == 0xFFFF0008);
    CHECK(g.arith() == CF);
  }
  SECTION("lock bts on memory with a register offset is legal") {
    Rig g("lock bts dword ptr [0x20000], ecx");
    g.m.poke32(kData, 0);
    g.r(ECX) = 1;
    g.exec();
    CHECK(g.dword(kData) == 2);
    CHECK(g.s.eip == kCode + 8);
  }
  SECTION("lock btc on memory with imm8 is legal") {
    Rig g("lock btc dword ptr [0x20000], 2");
    g.m.poke32(kData, 4);
    g.exec();
    CHECK(g.dword(kData) == 0);
    CHECK(g.arith() == CF);
  }
  SECTION("lock bt is #UD") {
    Rig g(".byte 0xf0\n bt dword ptr [0x20000], ecx");
    g.exec();
    CHECK(g.s.eip == kUdHandler);
  }
  SECTION("lock bts on a register is #UD") {
    Rig g(".byte 0xf0\n bts eax, ecx");
    g.r(EAX) = 0;
    g.exec();
    CHECK(g.s.eip == kUdHandler);
    CHECK(g.r(EAX) == 0);
  }
}

TEST_CASE("354 given BSF and BSR when the source is zero then ZF is set and the destination is unchanged", "[bitops]") {
  const u32 others = CF | OF | SF | AF | PF;
  SECTION("bsf eax,ecx") {
    Rig g("bsf eax, ecx");
    g.r(ECX) = 0x00018000;
    g.exec(others | ZF);
    CHECK(g.r(EAX) == 15);
    CHECK(g.arith() == others);
    g.r(EAX) = 0xDEADBEEF;
    g.r(ECX) = 0;
    g.exec();
    CHECK(g.r(EAX) == 0xDEADBEEF);
    CHECK(g.arith() == ZF);
    g.r(ECX) = 1;
    g.exec(ZF);
    CHECK(g.r(EAX) == 0);
    CHECK(g.arith() == 0);
  }
  SECTION("bsr eax,ecx") {
    Rig g("bsr eax, ecx");
    g.r(ECX) = 0x00018000;
    g.exec(ZF);
    CHECK(g.r(EAX) == 16);
    CHECK(g.arith() == 0);
    g.r(ECX) = 0x80000000;
    g.exec();
    CHECK(g.r(EAX) == 31);
    g.r(EAX) = 0x12345678;
    g.r(ECX) = 0;
    g.exec(others);
    CHECK(g.r(EAX) == 0x12345678);
    CHECK(g.arith() == (others | ZF));
  }
  SECTION("bsf ax,word ptr [mem] keeps the upper half") {
    Rig g("bsf ax, word ptr [0x20000]");
    g.m.poke32(kData, 0xFFFF8000);
    g.r(EAX) = 0x12345678;
    g.exec();
    CHECK(g.r(EAX) == 0x1234000F);
    CHECK(g.arith() == 0);
  }
  SECTION("bsr ax,cx looks only at CX") {
    Rig g("bsr ax, cx");
    g.r(EAX) = 0x12345678;
    g.r(ECX) = 0xFFFF0000;
    g.exec();
    CHECK(g.r(EAX) == 0x12345678);
    CHECK(g.arith() == ZF);
    g.r(ECX) = 0x00000001;
    g.exec();
    CHECK(g.r(EAX) == 0x12340000);
    CHECK(g.arith() == 0);
  }
  SECTION("bsr edx,dword ptr [mem]") {
    Rig g("bsr edx, dword ptr [0x20000]");
    g.m.poke32(kData, 0x00000300);
    g.exec();
    CHECK(g.r(EDX) == 9);
  }
}

TEST_CASE("355 given each flag combination when the 16 SETcc run then each stores the condition", "[bitops]") {
  static const char* kNames[16] = {"seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta",
                                   "sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg"};
  std::string src;
  for (int cc = 0; cc < 16; ++cc) src += std::string(kNames[cc]) + " byte ptr [0x20000 + " + std::to_string(cc) + "]\n";
  Rig g(src);
  struct Case {
    u32 flags;
    u8 expect[16];  // o no b ae e ne be a s ns p np l ge le g
  };
  const Case cases[] = {
      {0, {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}},
      {CF | ZF, {0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 0}},
      {SF, {0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0}},
      {SF | OF | PF, {1, 0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1}},
      {OF | CF, {1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0}},
  };
  for (const Case& k : cases) {
    for (u32 a = 0; a < 16; a += 4) g.m.poke32(kData + a, 0xCCCCCCCC);
    g.exec(k.flags, 16);
    CHECK((g.s.eflags & fl::kArith) == k.flags);
    for (int cc = 0; cc < 16; ++cc) {
      INFO("flags " << k.flags << " " << kNames[cc]);
      CHECK(g.byte(kData + cc) == k.expect[cc]);
    }
  }
  SECTION("setne bh writes the second byte of EBX") {
    Rig b("setne bh");
    b.r(EBX) = 0x12345678;
    b.exec();
    CHECK(b.r(EBX) == 0x12340178);
    b.exec(ZF);
    CHECK(b.r(EBX) == 0x12340078);
  }
  SECTION("the ModRM reg field is ignored") {
    Rig b(".byte 0x0f, 0x94, 0xc8");  // sete al with reg = 1
    b.r(EAX) = 0xFFFFFFFF;
    b.exec(ZF);
    CHECK(b.r(EAX) == 0xFFFFFF01);
  }
}

TEST_CASE("356 given CMPXCHG when the accumulator matches or not then the destination or the accumulator is loaded",
          "[bitops]") {
  SECTION("cmpxchg ecx,edx equal") {
    Rig g("cmpxchg ecx, edx");
    g.r(EAX) = 5;
    g.r(ECX) = 5;
    g.r(EDX) = 9;
    g.exec(CF | SF);
    CHECK(g.r(ECX) == 9);
    CHECK(g.r(EAX) == 5);
    CHECK(g.arith() == (ZF | PF));
  }
  SECTION("cmpxchg ecx,edx not equal") {
    Rig g("cmpxchg ecx, edx");
    g.r(EAX) = 3;
    g.r(ECX) = 5;
    g.r(EDX) = 9;
    g.exec(ZF);
    CHECK(g.r(ECX) == 5);
    CHECK(g.r(EAX) == 5);
    CHECK(g.arith() == (CF | SF | AF));  // flags of 3 - 5
  }
  SECTION("cmpxchg byte ptr [mem],bl equal") {
    Rig g("cmpxchg byte ptr [0x20000], bl");
    g.m.poke32(kData, 0xAAAAAA10);
    g.r(EAX) = 0x10;
    g.r(EBX) = 0x77;
    g.exec();
    CHECK(g.dword(kData) == 0xAAAAAA77);
    CHECK(g.arith() == (ZF | PF));
  }
  SECTION("cmpxchg word ptr [mem],cx not equal loads AX only") {
    Rig g("cmpxchg word ptr [0x20000], cx");
    g.m.poke32(kData, 0x00001235);
    g.r(EAX) = 0xAAAA1234;
    g.r(ECX) = 0x9999;
    g.exec();
    CHECK(g.r(EAX) == 0xAAAA1235);
    CHECK(g.dword(kData) == 0x1235);
    CHECK(g.arith() == (CF | SF | AF | PF));
  }
  SECTION("lock cmpxchg on memory is legal, on a register it is #UD") {
    Rig g("lock cmpxchg dword ptr [0x20000], ecx");
    g.m.poke32(kData, 7);
    g.r(EAX) = 7;
    g.r(ECX) = 8;
    g.exec();
    CHECK(g.dword(kData) == 8);
    Rig u(".byte 0xf0\n cmpxchg ecx, edx");
    u.r(ECX) = 1;
    u.exec();
    CHECK(u.s.eip == kUdHandler);
    CHECK(u.r(ECX) == 1);
  }
  SECTION("a failing cmpxchg still writes the destination: a read-only segment gives #GP") {
    Rig g("cmpxchg dword ptr [0x20000], ecx");
    // GDT entry 7 becomes a read-only flat data segment, loaded into DS.
    g.m.set_gdt_entry(7, 0, 0xFFFFF, 0x91, 0xC);
    Descriptor d;
    d.lo = g.m.peek32(kGdtBase + 7 * 8);
    d.hi = g.m.peek32(kGdtBase + 7 * 8 + 4);
    g.s.seg[DS].load_from(kData16, d);
    g.m.poke32(kData, 0x1111);
    g.r(EAX) = 0x2222;
    g.r(ECX) = 0x3333;
    g.exec(ZF);
    CHECK(g.s.eip == kGpHandler);
    CHECK(g.dword(kStack - 16) == 0);      // error code
    CHECK(g.dword(kStack - 12) == kCode);  // faulting instruction
    CHECK(g.r(EAX) == 0x2222);
    CHECK(g.dword(kData) == 0x1111);
    CHECK((g.dword(kStack - 4) & fl::kArith) == ZF);
  }
}

TEST_CASE("357 given XADD when run then the destination gets the sum and the source the old destination", "[bitops]") {
  SECTION("xadd ecx,edx") {
    Rig g("xadd ecx, edx");
    g.r(ECX) = 1;
    g.r(EDX) = 0xFFFFFFFF;
    g.exec();
    CHECK(g.r(ECX) == 0);
    CHECK(g.r(EDX) == 1);
    CHECK(g.arith() == (CF | ZF | PF | AF));
  }
  SECTION("xadd eax,eax leaves the sum") {
    Rig g("xadd eax, eax");
    g.r(EAX) = 3;
    g.exec();
    CHECK(g.r(EAX) == 6);
    CHECK(g.arith() == PF);
  }
  SECTION("xadd byte ptr [mem],ah") {
    Rig g("xadd byte ptr [0x20000], ah");
    g.m.poke32(kData, 0x5555557F);
    g.r(EAX) = 0x0100;
    g.exec();
    CHECK(g.dword(kData) == 0x55555580);
    CHECK(g.r(EAX) == 0x7F00);
    CHECK(g.arith() == (OF | SF | AF));
  }
  SECTION("lock xadd word ptr [mem],cx") {
    Rig g("lock xadd word ptr [0x20000], cx");
    g.m.poke32(kData, 1);
    g.r(ECX) = 0xABCD0002;
    g.exec();
    CHECK(g.dword(kData) == 3);
    CHECK(g.r(ECX) == 0xABCD0001);
    CHECK(g.arith() == PF);
  }
}

TEST_CASE("358 given BSWAP when run then bytes are reversed and a 16-bit operand clears the low word", "[bitops]") {
  SECTION("bswap ecx") {
    Rig g("bswap ecx");
    g.r(ECX) = 0x12345678;
    g.exec(CF | ZF);
    CHECK(g.r(ECX) == 0x78563412);
    CHECK(g.arith() == (CF | ZF));
  }
  SECTION("bswap edi") {
    Rig g("bswap edi");
    g.r(EDI) = 0x11223344;
    g.exec();
    CHECK(g.r(EDI) == 0x44332211);
  }
  SECTION("66 bswap ecx (undefined): low 16 bits become 0") {
    Rig g(".byte 0x66, 0x0f, 0xc9");
    g.r(ECX) = 0x12345678;
    g.exec();
    CHECK(g.r(ECX) == 0x12340000);
  }
}

TEST_CASE("359 given CMPXCHG8B when run on the i486 then it is #UD and on the Pentium it compares EDX:EAX",
          "[bitops]") {
  SECTION("i486: #UD") {
    Rig g("cmpxchg8b qword ptr [0x20000]");
    g.m.poke32(kData, 0x22222222);
    g.m.poke32(kData + 4, 0x11111111);
    g.r(EAX) = 0x22222222;
    g.r(EDX) = 0x11111111;
    g.r(EBX) = 0xBBBBBBBB;
    g.exec();
    CHECK(g.s.eip == kUdHandler);
    CHECK(g.dword(kData) == 0x22222222);
  }
  SECTION("Pentium: equal stores ECX:EBX and sets ZF") {
    Rig g("cmpxchg8b qword ptr [0x20000]", CpuModel::kPentium);
    g.m.poke32(kData, 0x22222222);
    g.m.poke32(kData + 4, 0x11111111);
    g.r(EAX) = 0x22222222;
    g.r(EDX) = 0x11111111;
    g.r(EBX) = 0xBBBBBBBB;
    g.r(ECX) = 0xAAAAAAAA;
    g.exec(CF | SF);
    CHECK(g.s.eip == kCode + 7);  // 0F C7 0D disp32
    CHECK(g.dword(kData) == 0xBBBBBBBB);
    CHECK(g.dword(kData + 4) == 0xAAAAAAAA);
    CHECK(g.r(EAX) == 0x22222222);
    CHECK(g.r(EDX) == 0x11111111);
    CHECK(g.arith() == (CF | SF | ZF));
  }
  SECTION("Pentium: not equal loads EDX:EAX and clears ZF") {
    Rig g("lock cmpxchg8b qword ptr [ebx]", CpuModel::kPentium);
    g.m.poke32(kData, 0x44444444);
    g.m.poke32(kData + 4, 0x33333333);
    g.r(EAX) = 0x22222222;
    g.r(EDX) = 0x11111111;
    g.r(EBX) = kData;
    g.r(ECX) = 0xAAAAAAAA;
    g.exec(CF | ZF);
    CHECK(g.r(EAX) == 0x44444444);
    CHECK(g.r(EDX) == 0x33333333);
    CHECK(g.dword(kData) == 0x44444444);
    CHECK(g.dword(kData + 4) == 0x33333333);
    CHECK(g.arith() == CF);
  }
  SECTION("Pentium: the register form and other /reg values are #UD") {
    Rig g(".byte 0x0f, 0xc7, 0xc8", CpuModel::kPentium);  // cmpxchg8b eax
    g.exec();
    CHECK(g.s.eip == kUdHandler);
    Rig h(".byte 0x0f, 0xc7, 0x00", CpuModel::kPentium);  // 0F C7 /0
    h.exec();
    CHECK(h.s.eip == kUdHandler);
  }
}
