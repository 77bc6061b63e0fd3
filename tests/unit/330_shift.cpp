// Shift and rotate family (insn/shift.cpp): group 2 and SHLD/SHRD. Expected
// values are computed by hand from the Intel SDM vol. 2 definitions; where
// Intel leaves a flag undefined the test pins the documented choice of
// shift.cpp (OF by the 1-bit formula on the final result, AF cleared).
#include <catch2/catch.hpp>
#include <string>

#include "support/snippet_rig.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = FlatRig::kCode;
constexpr u32 kData = 0x20000;

using Rig = FlatRig;

constexpr u32 CF = fl::CF, PF = fl::PF, AF = fl::AF, ZF = fl::ZF, SF = fl::SF, OF = fl::OF;

}  // namespace

TEST_CASE("331 given shifts by one when SHL SHR SAR and SAL run then result CF OF SF ZF PF follow the SDM", "[shift]") {
  SECTION("shl al,1 of 0x81 carries out and overflows") {
    Rig g("shl al, 1");
    g.r(EAX) = 0xAAAAAA81;
    g.exec(AF | ZF);
    CHECK(g.r(EAX) == 0xAAAAAA02);
    CHECK(g.arith() == (CF | OF));  // 0x02: odd parity, AF cleared
  }
  SECTION("shl al,1 of 0x40 sets SF and OF without CF") {
    Rig g("shl al, 1");
    g.r(EAX) = 0x40;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x80);
    CHECK(g.arith() == (SF | OF));
  }
  SECTION("shr ax,1 of 0x8001: OF is the old MSB") {
    Rig g("shr ax, 1");
    g.r(EAX) = 0x12348001;
    g.exec();
    CHECK(g.r(EAX) == 0x12344000);
    CHECK(g.arith() == (CF | OF | PF));
  }
  SECTION("sar eax,1 of 0x80000001 keeps the sign and clears OF") {
    Rig g("sar eax, 1");
    g.r(EAX) = 0x80000001;
    g.exec(OF);
    CHECK(g.r(EAX) == 0xC0000000);
    CHECK(g.arith() == (CF | SF | PF));
  }
  SECTION("the undocumented /6 encoding behaves as SHL") {
    Rig g(".byte 0xd0, 0xf0");  // D0 /6 with rm = AL
    g.r(EAX) = 0xC0;
    g.exec();
    CHECK(g.r(EAX) == 0x80);
    CHECK(g.arith() == (CF | SF));  // OF = MSB 1 xor CF 1 = 0
  }
  SECTION("shr edx,1 of 1 gives zero with ZF and PF") {
    Rig g("shr edx, 1");
    g.r(EDX) = 1;
    g.exec();
    CHECK(g.r(EDX) == 0);
    CHECK(g.arith() == (CF | ZF | PF));
  }
}

TEST_CASE("332 given shift counts in CL and imm8 when they exceed the width then the count is masked to 5 bits",
          "[shift]") {
  SECTION("shl eax,cl with CL=33 shifts by 1") {
    Rig g("shl eax, cl");
    g.r(EAX) = 0x40000000;
    g.r(ECX) = 33;
    g.exec();
    CHECK(g.r(EAX) == 0x80000000);
    CHECK(g.arith() == (OF | SF | PF));
  }
  SECTION("shl eax,cl with CL=32 is a masked count of 0: no change, flags kept") {
    Rig g("shl eax, cl");
    g.r(EAX) = 0x40000000;
    g.r(ECX) = 32;
    g.exec(CF | ZF | OF | AF);
    CHECK(g.r(EAX) == 0x40000000);
    CHECK(g.arith() == (CF | ZF | OF | AF));
  }
  SECTION("shl al,cl with CL=9 shifts every bit out: result 0 and CF 0") {
    Rig g("shl al, cl");
    g.r(EAX) = 0xFF;
    g.r(ECX) = 9;
    g.exec(CF);
    CHECK(g.r(EAX) == 0);
    CHECK(g.arith() == (ZF | PF));
  }
  SECTION("shl al,cl with CL=8: CF is the old bit 0") {
    Rig g("shl al, cl");
    g.r(EAX) = 0x01;
    g.r(ECX) = 8;
    g.exec();
    CHECK(g.r(EAX) == 0);
    CHECK(g.arith() == (CF | OF | ZF | PF));  // OF = MSB(0) xor CF
  }
  SECTION("shr ax,cl with CL=16: CF is the old bit 15") {
    Rig g("shr ax, cl");
    g.r(EAX) = 0xFFFF8000;
    g.r(ECX) = 16;
    g.exec();
    CHECK(g.r(EAX) == 0xFFFF0000);
    CHECK(g.arith() == (CF | ZF | PF));
  }
  SECTION("shr ax,cl with CL=17: result and CF are 0") {
    Rig g("shr ax, cl");
    g.r(EAX) = 0xFFFF;
    g.r(ECX) = 17;
    g.exec(CF);
    CHECK(g.r(EAX) == 0);
    CHECK(g.arith() == (ZF | PF));
  }
  SECTION("sar al,cl with CL=31 fills with the sign and CF takes it") {
    Rig g("sar al, cl");
    g.r(EAX) = 0x80;
    g.r(ECX) = 31;
    g.exec();
    CHECK(g.r(EAX) == 0xFF);
    CHECK(g.arith() == (CF | SF | PF));
  }
  SECTION("sar bl,3 of 0x94") {
    Rig g("sar bl, 3");
    g.r(EBX) = 0x94;
    g.exec();
    CHECK(g.r(EBX) == 0xF2);
    CHECK(g.arith() == (CF | SF));  // 0xF2 has five ones: PF clear
  }
  SECTION("shr edx,4 of 0x12345678") {
    Rig g("shr edx, 4");
    g.r(EDX) = 0x12345678;
    g.exec();
    CHECK(g.r(EDX) == 0x01234567);
    CHECK(g.arith() == CF);  // 0x67 has five ones
  }
  SECTION("shl ecx,28 of 0x1F: OF = MSB xor CF = 0") {
    Rig g("shl ecx, 28");
    g.r(ECX) = 0x1F;
    g.exec();
    CHECK(g.r(ECX) == 0xF0000000);
    CHECK(g.arith() == (CF | SF | PF));
  }
  SECTION("an imm8 count of 0x21 is masked to 1") {
    Rig g(".byte 0xc1, 0xe0, 0x21");  // shl eax, 0x21
    g.r(EAX) = 3;
    g.exec();
    CHECK(g.r(EAX) == 6);
    CHECK(g.arith() == PF);
  }
  SECTION("a 16-bit shr by 3 leaves the upper half") {
    Rig g("shr bx, 3");
    g.r(EBX) = 0xFFFF0009;
    g.exec();
    CHECK(g.r(EBX) == 0xFFFF0001);
    CHECK(g.arith() == 0);  // CF = bit 2 of 9 = 0, OF from the top bits = 0, 0x01 odd
  }
}

TEST_CASE("333 given ROL and ROR when counts vary then only CF and OF change", "[shift]") {
  const u32 others = ZF | SF | PF | AF;
  SECTION("rol al,1 of 0x81") {
    Rig g("rol al, 1");
    g.r(EAX) = 0x81;
    g.exec(others);
    CHECK(g.r(EAX) == 0x03);
    CHECK(g.arith() == (others | CF | OF));
  }
  SECTION("ror al,1 of 0x01") {
    Rig g("ror al, 1");
    g.r(EAX) = 0x01;
    g.exec();
    CHECK(g.r(EAX) == 0x80);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("rol ax,cl by 4 of 0x1234") {
    Rig g("rol ax, cl");
    g.r(EAX) = 0x55551234;
    g.r(ECX) = 4;
    g.exec();
    CHECK(g.r(EAX) == 0x55552341);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("rol al,cl by 8 leaves the value but sets CF from bit 0") {
    Rig g("rol al, cl");
    g.r(EAX) = 0x81;
    g.r(ECX) = 8;
    g.exec(OF);
    CHECK(g.r(EAX) == 0x81);
    CHECK(g.arith() == CF);  // OF = MSB 1 xor CF 1
  }
  SECTION("rol al,cl by 32 is a masked count of 0") {
    Rig g("rol al, cl");
    g.r(EAX) = 0x81;
    g.r(ECX) = 32;
    g.exec(OF);
    CHECK(g.r(EAX) == 0x81);
    CHECK(g.arith() == OF);
  }
  SECTION("ror eax,cl by 36 rotates by 4") {
    Rig g("ror eax, cl");
    g.r(EAX) = 0x12345678;
    g.r(ECX) = 36;
    g.exec();
    CHECK(g.r(EAX) == 0x81234567);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("ror ax,12 of 0xABCD") {
    Rig g("ror ax, 12");
    g.r(EAX) = 0xABCD;
    g.exec();
    CHECK(g.r(EAX) == 0xBCDA);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("ror ecx,8 of 0xFF") {
    Rig g("ror ecx, 8");
    g.r(ECX) = 0xFF;
    g.exec(OF);
    CHECK(g.r(ECX) == 0xFF000000);
    CHECK(g.arith() == CF);
  }
}

TEST_CASE("334 given RCL and RCR when the count is reduced modulo width plus one then CF rotates through", "[shift]") {
  SECTION("rcl al,1 of 0x80 with CF=0") {
    Rig g("rcl al, 1");
    g.r(EAX) = 0x80;
    g.exec();
    CHECK(g.r(EAX) == 0x00);
    CHECK(g.arith() == (CF | OF));  // ZF untouched by rotates
  }
  SECTION("rcl al,1 of 0x01 with CF=1") {
    Rig g("rcl al, 1");
    g.r(EAX) = 0x01;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x03);
    CHECK(g.arith() == 0);
  }
  SECTION("rcr al,1 of 0x01 with CF=1") {
    Rig g("rcr al, 1");
    g.r(EAX) = 0x01;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x80);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("rcl al,cl by 9 is a full turn: nothing changes") {
    Rig g("rcl al, cl");
    g.r(EAX) = 0x80;
    g.r(ECX) = 9;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x80);
    CHECK(g.arith() == CF);
  }
  SECTION("rcl al,cl by 10 acts as by 1") {
    Rig g("rcl al, cl");
    g.r(EAX) = 0x80;
    g.r(ECX) = 10;
    g.exec();
    CHECK(g.r(EAX) == 0x00);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("rcr ax,cl by 17 is a full turn") {
    Rig g("rcr ax, cl");
    g.r(EAX) = 0x1234;
    g.r(ECX) = 17;
    g.exec(OF);
    CHECK(g.r(EAX) == 0x1234);
    CHECK(g.arith() == OF);
  }
  SECTION("rcr ax,cl by 18 acts as by 1") {
    Rig g("rcr ax, cl");
    g.r(EAX) = 0x0001;
    g.r(ECX) = 18;
    g.exec();
    CHECK(g.r(EAX) == 0);
    CHECK(g.arith() == CF);
  }
  SECTION("rcl ax,cl by 2 of 0x8000 with CF=1") {
    Rig g("rcl ax, cl");
    g.r(EAX) = 0x8000;
    g.r(ECX) = 2;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x0003);
    CHECK(g.arith() == 0);
  }
  SECTION("rcl ax,cl by 31 rotates by 14 in 17 bits") {
    Rig g("rcl ax, cl");
    g.r(EAX) = 0x8000;
    g.r(ECX) = 31;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x3000);
    CHECK(g.arith() == 0);
  }
  SECTION("rcr eax,cl by 32 is a masked count of 0") {
    Rig g("rcr eax, cl");
    g.r(EAX) = 1;
    g.r(ECX) = 32;
    g.exec(CF);
    CHECK(g.r(EAX) == 1);
    CHECK(g.arith() == CF);
  }
  SECTION("rcr eax,1 of 1 with CF=1") {
    Rig g("rcr eax, 1");
    g.r(EAX) = 1;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x80000000);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("rcl eax,31 of 2 with CF=1") {
    Rig g("rcl eax, 31");
    g.r(EAX) = 2;
    g.exec(CF);
    CHECK(g.r(EAX) == 0x40000000);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("rcr ebx,31 of 0x80000000 with CF=0") {
    Rig g("rcr ebx, 31");
    g.r(EBX) = 0x80000000;
    g.exec(OF);
    CHECK(g.r(EBX) == 1);
    CHECK(g.arith() == 0);
  }
}

TEST_CASE("335 given memory operands when shifted then memory is updated and 16-bit addresses wrap", "[shift]") {
  SECTION("shl dword ptr [mem],4") {
    Rig g("shl dword ptr [0x20000], 4");
    g.m.poke32(kData, 0x0F000001);
    g.exec();
    CHECK(g.dword(kData) == 0xF0000010);
    CHECK(g.arith() == (OF | SF));
  }
  SECTION("ror word ptr [mem],cl with CL=0 changes nothing") {
    Rig g("ror word ptr [0x20000], cl");
    g.m.poke32(kData, 0x00001234);
    g.r(ECX) = 0;
    g.exec(ZF | OF);
    CHECK(g.dword(kData) == 0x1234);
    CHECK(g.arith() == (ZF | OF));
  }
  SECTION("sar byte ptr [ebx+1],cl") {
    Rig g("sar byte ptr [ebx+1], cl");
    g.m.poke32(kData, 0x00008000);
    g.r(EBX) = kData;
    g.r(ECX) = 7;
    g.exec();
    CHECK(g.dword(kData) == 0x0000FF00);
    CHECK(g.arith() == (SF | PF));  // CF = bit 6 of 0x80 = 0
  }
  SECTION("shr byte ptr [bx+si+2],1 with 16-bit addressing wraps at 64 KB") {
    Rig g("shr byte ptr [bx+si+2], 1");
    g.r(EBX) = 0x1234F000;
    g.r(ESI) = 0x56783000;
    g.m.poke32(0x2000, 0x00030000);  // byte 0x03 at 0x2002
    g.exec();
    CHECK(g.byte(0x2002) == 0x01);
    CHECK(g.arith() == CF);
  }
  SECTION("rcl dword ptr [mem],1 through CF") {
    Rig g("rcl dword ptr [0x20000], 1");
    g.m.poke32(kData, 0x80000000);
    g.exec(CF);
    CHECK(g.dword(kData) == 1);
    CHECK(g.arith() == (CF | OF));
  }
}

TEST_CASE("336 given SHLD and SHRD when run with imm8 and CL then bits come from the source register", "[shift]") {
  SECTION("shld eax,ebx,8") {
    Rig g("shld eax, ebx, 8");
    g.r(EAX) = 0x12345678;
    g.r(EBX) = 0x9ABCDEF0;
    g.exec();
    CHECK(g.r(EAX) == 0x3456789A);
    CHECK(g.r(EBX) == 0x9ABCDEF0);
    CHECK(g.arith() == PF);
  }
  SECTION("shrd eax,ebx,cl by 8") {
    Rig g("shrd eax, ebx, cl");
    g.r(EAX) = 0x12345678;
    g.r(EBX) = 0x9ABCDEF0;
    g.r(ECX) = 8;
    g.exec();
    CHECK(g.r(EAX) == 0xF0123456);
    CHECK(g.arith() == (SF | PF));
  }
  SECTION("shld ax,bx,cl by 4") {
    Rig g("shld ax, bx, cl");
    g.r(EAX) = 0xFFFF1234;
    g.r(EBX) = 0xABCD;
    g.r(ECX) = 4;
    g.exec();
    CHECK(g.r(EAX) == 0xFFFF234A);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("shrd ax,bx,4") {
    Rig g("shrd ax, bx, 4");
    g.r(EAX) = 0x1234;
    g.r(EBX) = 0xABCD;
    g.exec();
    CHECK(g.r(EAX) == 0xD123);
    CHECK(g.arith() == SF);
  }
  SECTION("shld eax,ebx,cl with CL=32 is a masked count of 0") {
    Rig g("shld eax, ebx, cl");
    g.r(EAX) = 0x12345678;
    g.r(EBX) = 0x9ABCDEF0;
    g.r(ECX) = 32;
    g.exec(CF | AF);
    CHECK(g.r(EAX) == 0x12345678);
    CHECK(g.arith() == (CF | AF));
  }
  SECTION("shld eax,ebx,cl with CL=33 shifts by 1") {
    Rig g("shld eax, ebx, cl");
    g.r(EAX) = 0x80000000;
    g.r(EBX) = 0x80000000;
    g.r(ECX) = 33;
    g.exec();
    CHECK(g.r(EAX) == 1);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("shld ax,bx,cl by 20 (undefined): shifts DEST:SRC:DEST, i.e. SRC:DEST by 4") {
    Rig g("shld ax, bx, cl");
    g.r(EAX) = 0x1234;
    g.r(EBX) = 0xABCD;
    g.r(ECX) = 20;
    g.exec();
    CHECK(g.r(EAX) == 0xBCD1);
    CHECK(g.arith() == (OF | SF | PF));
  }
  SECTION("shrd ax,bx,cl by 20 (undefined): DEST re-enters after SRC") {
    Rig g("shrd ax, bx, cl");
    g.r(EAX) = 0x1234;
    g.r(EBX) = 0xABCD;
    g.r(ECX) = 20;
    g.exec();
    CHECK(g.r(EAX) == 0x4ABC);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("shrd ax,bx,16 gives the source") {
    Rig g("shrd ax, bx, 16");
    g.r(EAX) = 0x8000;
    g.r(EBX) = 0xABCD;
    g.exec();
    CHECK(g.r(EAX) == 0xABCD);
    CHECK(g.arith() == (CF | SF | OF));  // CF = bit 15 of AX; OF = bit15 xor bit14 = 1 xor 0
  }
  SECTION("shld dword ptr [mem],ecx,1") {
    Rig g("shld dword ptr [0x20000], ecx, 1");
    g.m.poke32(kData, 0x80000000);
    g.r(ECX) = 0x80000000;
    g.exec();
    CHECK(g.dword(kData) == 1);
    CHECK(g.arith() == (CF | OF));
  }
  SECTION("shrd word ptr [mem],dx,cl by 1") {
    Rig g("shrd word ptr [0x20000], dx, cl");
    g.m.poke32(kData, 0x00000003);
    g.r(EDX) = 0;
    g.r(ECX) = 1;
    g.exec();
    CHECK(g.dword(kData) == 0x00000001);
    CHECK(g.arith() == CF);
  }
}
