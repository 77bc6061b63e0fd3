// Data movement (MOV, MOVZX/MOVSX, XCHG, NOP, LEA, CBW..CDQ, XLAT, LAHF/SAHF,
// SALC) and segment-register instructions (MOV Sreg, PUSH/POP Sreg, LDS..LGS).
// Expected values are worked out by hand from the Intel SDM vol. 2 pages.
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

// Adds GDT entry 8 (selector 0x40): ring-0 read/write data, base 0x5000, 64 KB.
void add_data_segment(Flat& f) {
  f.m.set_gdt_entry(8, 0x5000, 0xFFFF, 0x93, 0x4);
  f.s.gdtr.limit = 9 * 8 - 1;
}

}  // namespace

TEST_CASE("300 given register and memory operands when MOV runs in every form then the bytes move unchanged",
          "[datamov]") {
  SECTION("register, memory and immediate forms with 8, 16 and 32-bit operands") {
    Flat f(
        "mov eax, 0x11223344\n"                 // B8
        "mov ebx, eax\n"                        // 89 C3
        "mov cl, 0x55\n"                        // B1
        "mov ch, 0x66\n"                        // B5
        "mov dx, 0x7788\n"                      // 66 BA
        "mov [0x2000], ebx\n"                   // 89 1D
        "mov si, [0x2000]\n"                    // 66 8B 35
        "mov byte ptr [0x2004], 0x99\n"         // C6 05
        "mov dword ptr [0x2008], 0xdeadbeef\n"  // C7 05
        "mov word ptr [0x200c], 0x1234\n"       // 66 C7 05
        "mov ah, [0x2003]\n"                    // 8A 25
        "mov [0x2010], ch\n"                    // 88 2D
        "mov bh, cl\n"                          // 88 CF
        "mov edi, [0x2008]\n");                 // 8B 3D
    f.s.r[ECX] = 0xFFFF0000;
    f.s.r[EDX] = 0xAAAA0000;
    f.s.r[ESI] = 0xCCCC0000;
    f.m.poke32(0x200C, 0xFFFFFFFF);
    f.m.poke32(0x2010, 0xFFFFFFFF);
    const u32 fl0 = f.s.eflags;
    f.step(14);
    CHECK(f.s.r[EAX] == 0x11221144);  // AH <- byte at 0x2003 (0x11)
    CHECK(f.s.r[EBX] == 0x11225544);  // BH <- CL
    CHECK(f.s.r[ECX] == 0xFFFF6655);
    CHECK(f.s.r[EDX] == 0xAAAA7788);
    CHECK(f.s.r[ESI] == 0xCCCC3344);
    CHECK(f.s.r[EDI] == 0xDEADBEEF);
    CHECK(f.m.peek32(0x2000) == 0x11223344);
    CHECK(f.m.peek8(0x2004) == 0x99);
    CHECK(f.m.peek32(0x200C) == 0xFFFF1234);  // only two bytes written
    CHECK(f.m.peek32(0x2010) == 0xFFFFFF66);  // only one byte written
    CHECK(f.s.eflags == fl0);                 // MOV changes no flags
    CHECK(f.s.eip == kCode + f.code_len);
  }
  SECTION("C6 and C7 with ModRM.reg other than 0 are undefined") {
    Flat f(".byte 0xc6, 0x08, 0x01\n");  // C6 /1
    f.expect_fault(vec::UD, kCode);
  }
  SECTION("MOV with a LOCK prefix is undefined") {
    Flat f(".byte 0xf0, 0x89, 0x03\n");  // lock mov [ebx], eax
    f.s.r[EBX] = 0x2000;
    f.expect_fault(vec::UD, kCode);
  }
  SECTION("a store beyond the segment limit faults and leaves memory alone") {
    Flat f("mov [0x100], eax\n");
    f.s.seg[DS].limit = 0xFF;
    f.s.seg[DS].refresh();
    f.m.poke32(0x100, 0x5A5A5A5A);
    f.expect_fault(vec::GP, kCode, true, 0);
    CHECK(f.m.peek32(0x100) == 0x5A5A5A5A);
  }
}

TEST_CASE("301 given a moffs operand when MOV A0-A3 runs then the offset has the address size and honours overrides",
          "[datamov]") {
  SECTION("32-bit addresses with FS and ES overrides") {
    Flat f(
        "mov eax, fs:[0x100]\n"        // 64 A1 imm32
        "mov ds:[0x3000], ax\n"        // 66 A3
        "mov [0x3004], al\n"           // A2
        "addr16 mov cl, es:[0x100]\n"  // (not A0: CL) -- a ModRM form with a 16-bit address
        "addr16 mov al, es:[0x104]\n"  // 26 67 A0 imm16
        "mov bl, [0x3005]\n");
    f.s.seg[FS].base = 0x5000;
    f.s.seg[ES].base = 0x6000;
    f.m.poke32(0x5100, 0xCAFEBABE);
    f.m.poke32(0x3000, 0xFFFFFFFF);
    f.m.poke32(0x3004, 0x7777FFFF);
    f.m.poke32(0x6100, 0x000000C1);
    f.m.poke32(0x6104, 0x000000A7);
    f.step(6);
    CHECK(f.s.r[EAX] == 0xCAFEBAA7);
    CHECK(f.s.r[ECX] == 0xC1);
    CHECK(f.m.peek32(0x3000) == 0xFFFFBABE);
    CHECK(f.m.peek32(0x3004) == 0x7777FFBE);
    CHECK((f.s.r[EBX] & 0xFF) == 0xFF);
    CHECK(f.s.eip == kCode + f.code_len);
  }
  SECTION("the 16-bit moffs of an address-size prefix is two bytes long") {
    Flat f(".byte 0x67, 0xa1, 0x00, 0x01\n nop\n");  // mov eax, [0x0100] with a 16-bit offset
    f.s.seg[DS].base = 0x40000;
    f.m.poke32(0x40100, 0x01020304);
    f.step();
    CHECK(f.s.r[EAX] == 0x01020304);
    CHECK(f.s.eip == kCode + 4);
  }
  SECTION("real mode with the default DS and an SS override") {
    Real r(
        "mov ax, [0x500]\n"     // A1 imm16
        "mov ebx, [0x504]\n"    // 66 8B 1E
        "mov al, ss:[0x10]\n"   // 36 A0
        "mov [0x508], eax\n");  // 66 A3
    r.s.r[EAX] = 0xFFFF0000;
    r.m.poke32(0x10500, 0x00001234);
    r.m.poke32(0x10504, 0x89ABCDEF);
    r.m.poke32(0x20010, 0x000000EE);
    r.step(4);
    CHECK(r.s.r[EAX] == 0xFFFF12EE);
    CHECK(r.s.r[EBX] == 0x89ABCDEF);
    CHECK(r.m.peek32(0x10508) == 0xFFFF12EE);
  }
  SECTION("a moffs beyond the FS limit is #GP(0)") {
    Flat f("mov eax, fs:[0x100]\n");
    f.s.seg[FS].limit = 0xFF;
    f.s.seg[FS].refresh();
    f.s.r[EAX] = 0x12345678;
    f.expect_fault(vec::GP, kCode, true, 0);
    CHECK(f.s.r[EAX] == 0x12345678);
  }
}

TEST_CASE("302 given byte and word sources when MOVZX and MOVSX run then they zero or sign extend to 16 and 32 bits",
          "[datamov]") {
  Flat f(
      "movzx eax, byte ptr [ebx]\n"
      "movsx ecx, byte ptr [ebx]\n"
      "movzx edx, word ptr [ebx]\n"
      "movsx esi, word ptr [ebx]\n"
      "movsx di, byte ptr [ebx+2]\n"
      "movsx bp, byte ptr [ebx]\n"
      "movzx sp, byte ptr [ebx+1]\n"
      "movsx eax, ax\n"
      "movzx ecx, cl\n"
      "movzx dx, dh\n");
  f.s.r[EBX] = 0x2000;
  f.s.r[EDI] = 0x55550000;
  f.s.r[EBP] = 0x12340000;
  f.s.r[ESP] = 0x00080000;
  f.m.poke32(0x2000, 0x017FFF80);
  f.step(4);
  CHECK(f.s.r[EAX] == 0x80);
  CHECK(f.s.r[ECX] == 0xFFFFFF80);
  CHECK(f.s.r[EDX] == 0xFF80);
  CHECK(f.s.r[ESI] == 0xFFFFFF80);
  f.step(3);
  CHECK(f.s.r[EDI] == 0x5555007F);
  CHECK(f.s.r[EBP] == 0x1234FF80);
  CHECK(f.s.r[ESP] == 0x000800FF);
  f.s.r[EAX] = 0x00008001;
  f.step(3);
  CHECK(f.s.r[EAX] == 0xFFFF8001);
  CHECK(f.s.r[ECX] == 0x80);
  CHECK(f.s.r[EDX] == 0x00FF);  // DX <- zero-extend(DH = 0xFF), upper half was 0
}

TEST_CASE("303 given two operands when XCHG runs in every form then they are swapped and LOCK is legal only on memory",
          "[datamov]") {
  SECTION("register, memory and short forms") {
    Flat f(
        "xchg eax, ebx\n"           // 93
        "xchg cl, ch\n"             // 86
        "xchg [0x2000], edx\n"      // 87 15
        "xchg si, di\n"             // 66 87
        ".byte 0x66, 0x91\n"        // xchg ax, cx
        ".byte 0x97\n"              // xchg eax, edi
        "lock xchg [0x2004], bl\n"  // F0 86 1D
        "nop\n");
    f.s.r[EAX] = 0x11111111;
    f.s.r[EBX] = 0x22222222;
    f.s.r[ECX] = 0xAABBCCDD;
    f.s.r[EDX] = 0x33333333;
    f.s.r[ESI] = 0x44445555;
    f.s.r[EDI] = 0x66667777;
    f.m.poke32(0x2000, 0x99999999);
    f.m.poke32(0x2004, 0x000000F0);
    f.step(3);
    CHECK(f.s.r[EAX] == 0x22222222);
    CHECK(f.s.r[EBX] == 0x11111111);
    CHECK(f.s.r[ECX] == 0xAABBDDCC);
    CHECK(f.s.r[EDX] == 0x99999999);
    CHECK(f.m.peek32(0x2000) == 0x33333333);
    f.step();
    CHECK(f.s.r[ESI] == 0x44447777);
    CHECK(f.s.r[EDI] == 0x66665555);
    f.step();  // xchg ax, cx: EAX 0x22222222, ECX 0xAABBDDCC
    CHECK(f.s.r[EAX] == 0x2222DDCC);
    CHECK(f.s.r[ECX] == 0xAABB2222);
    f.step();  // xchg eax, edi
    CHECK(f.s.r[EAX] == 0x66665555);
    CHECK(f.s.r[EDI] == 0x2222DDCC);
    f.step();  // lock xchg [0x2004], bl
    CHECK((f.s.r[EBX] & 0xFF) == 0xF0);
    CHECK(f.m.peek32(0x2004) == 0x11);
    const CpuState before = f.s;
    f.step();  // nop
    CHECK(f.s.r == before.r);
    CHECK(f.s.eflags == before.eflags);
    CHECK(f.s.eip == kCode + f.code_len);
  }
  SECTION("LOCK XCHG with a register destination is undefined") {
    Flat f(".byte 0xf0, 0x87, 0xc3\n");
    f.expect_fault(vec::UD, kCode);
  }
  SECTION("XCHG with a read-only memory operand faults before changing the register") {
    Flat f("xchg [0x2000], eax\n");
    f.m.set_gdt_entry(8, 0, 0xFFFFF, 0x91, 0xC);  // read-only data
    f.s.gdtr.limit = 9 * 8 - 1;
    Descriptor d;
    d.lo = f.m.peek32(kGdtBase + 0x40);
    d.hi = f.m.peek32(kGdtBase + 0x44);
    f.s.seg[DS].load_from(0x40, d);
    f.s.r[EAX] = 0x12345678;
    f.expect_fault(vec::GP, kCode, true, 0);
    CHECK(f.s.r[EAX] == 0x12345678);
  }
}

TEST_CASE("304 given address and operand sizes when LEA runs then the offset is truncated and the register form is #UD",
          "[datamov]") {
  SECTION("32-bit address, 32 and 16-bit destinations, 16-bit address") {
    Flat f(
        "lea eax, [ebx+ecx*4+8]\n"
        "lea si, [ebx+ecx*4+8]\n"
        "lea di, [bx+si+0x10]\n"      // 67 66 8D
        "lea edx, [bp+di-2]\n"        // 67 8D: zero-extended 16-bit address
        "lea ebp, fs:[esp+0x10]\n");  // the segment plays no part
    f.s.r[EBX] = 0x12345678;
    f.s.r[ECX] = 3;
    f.s.r[ESI] = 0xAAAA0000;
    f.s.r[EDI] = 0xBBBB0000;
    f.s.r[EBP] = 0x00000001;
    f.s.r[ESP] = 0x80000;
    f.step(2);
    CHECK(f.s.r[EAX] == 0x1234568C);
    CHECK(f.s.r[ESI] == 0xAAAA568C);
    f.s.r[EBX] = 0x9999FFF8;
    f.s.r[ESI] = 0x00000010;
    f.step();
    CHECK(f.s.r[EDI] == 0xBBBB0018);  // (FFF8 + 0010 + 0010) mod 2^16
    f.step();
    CHECK(f.s.r[EDX] == 0x00000017);  // BP 0001 + DI 0018 - 2
    f.step();
    CHECK(f.s.r[EBP] == 0x80010);
  }
  SECTION("LEA with a register operand is undefined") {
    Flat f(".byte 0x8d, 0xc3\n");
    f.s.r[EAX] = 0x1234;
    f.expect_fault(vec::UD, kCode);
    CHECK(f.s.r[EAX] == 0x1234);
  }
}

TEST_CASE("305 given values in eAX when CBW CWDE CWD and CDQ run then they sign extend", "[datamov]") {
  Flat f("cbw\n cwde\n cdq\n cwd\n cbw\n cwde\n cdq\n");
  f.s.r[EAX] = 0x12345680;
  f.s.r[EDX] = 0x5555AAAA;
  f.step();
  CHECK(f.s.r[EAX] == 0x1234FF80);
  f.step();
  CHECK(f.s.r[EAX] == 0xFFFFFF80);
  f.step();
  CHECK(f.s.r[EDX] == 0xFFFFFFFF);
  f.s.r[EAX] = 0x80007FFF;
  f.s.r[EDX] = 0x5555AAAA;
  f.step();  // cwd: AX positive
  CHECK(f.s.r[EDX] == 0x55550000);
  CHECK(f.s.r[EAX] == 0x80007FFF);
  f.step();  // cbw: AL = FF
  CHECK(f.s.r[EAX] == 0x8000FFFF);
  f.s.r[EAX] = 0xFFFF1234;
  f.step();  // cwde: AX positive
  CHECK(f.s.r[EAX] == 0x00001234);
  f.step();  // cdq: EAX positive
  CHECK(f.s.r[EDX] == 0);
}

TEST_CASE("306 given a table when XLAT runs then AL indexes it with the address size and segment override",
          "[datamov]") {
  Flat f("xlat\n es xlat\n addr16 xlat\n");
  f.s.r[EBX] = 0x2000;
  f.s.r[EAX] = 0xAABBCC05;
  f.s.seg[ES].base = 0x4000;
  f.m.poke32(0x2004, 0x0000AB00);  // byte 0x2005 = AB
  f.m.poke32(0x60A8, 0xCD000000);  // ES:20AB (linear 0x60AB) = CD
  f.step();
  CHECK(f.s.r[EAX] == 0xAABBCCAB);
  f.step();
  CHECK(f.s.r[EAX] == 0xAABBCCCD);
  f.s.r[EBX] = 0x1234FFFE;
  f.s.r[EAX] = 0x00000003;
  f.s.seg[DS].base = 0x40000;
  f.m.poke32(0x40000, 0x0000EE00);  // DS:0001 after the 16-bit wrap
  f.step();
  CHECK(f.s.r[EAX] == 0xEE);
}

TEST_CASE("307 given flags when LAHF SAHF and SALC run then AH and AL reflect the flags and OF is untouched",
          "[datamov]") {
  SECTION("LAHF and SAHF") {
    Flat f("lahf\n lahf\n sahf\n sahf\n");
    f.s.eflags = fl::R1 | fl::SF | fl::CF | fl::OF | fl::IF;
    f.s.r[EAX] = 0x12345678;
    f.step();
    CHECK(f.s.r[EAX] == 0x12348378);  // SF | R1 | CF
    f.s.eflags = fl::R1 | fl::kArith;
    f.step();
    CHECK(f.s.r[EAX] == 0x1234D778);
    f.s.eflags = fl::R1;
    f.s.r[EAX] = 0x0000FF00;
    f.step();  // SAHF with AH = FF: bits 1, 3, 5 keep 1, 0, 0; OF unchanged
    CHECK(f.s.eflags == (fl::R1 | fl::SF | fl::ZF | fl::AF | fl::PF | fl::CF));
    f.s.eflags = fl::R1 | fl::kArith;
    f.s.r[EAX] = 0;
    f.step();
    CHECK(f.s.eflags == (fl::R1 | fl::OF));
  }
  SECTION("SALC") {
    Flat f(".byte 0xd6, 0xd6\n");
    f.s.r[EAX] = 0x12345678;
    f.s.eflags = fl::R1 | fl::CF | fl::ZF;
    f.step();
    CHECK(f.s.r[EAX] == 0x123456FF);
    CHECK(f.s.eflags == (fl::R1 | fl::CF | fl::ZF));
    f.s.eflags = fl::R1 | fl::SF;
    f.step();
    CHECK(f.s.r[EAX] == 0x12345600);
    CHECK(f.s.eflags == (fl::R1 | fl::SF));
  }
}

TEST_CASE("308 given segment registers when MOV Sreg runs then selectors move and CS or bad registers are #UD",
          "[segins]") {
  SECTION("MOV from a segment register to 16 and 32-bit registers and to memory") {
    Flat f(
        "mov ax, ds\n"                // 66 8C D8
        "mov ecx, ss\n"               // 8C D1: zero-extended
        "mov [ebx], cs\n"             // 8C 0B: a word store
        ".byte 0x66, 0x8c, 0x23\n");  // mov [ebx], fs with a 16-bit operand size: also a word
    f.s.r[EAX] = 0xFFFFFFFF;
    f.s.r[ECX] = 0xFFFFFFFF;
    f.s.r[EBX] = 0x2000;
    f.m.poke32(0x2000, 0xAAAAAAAA);
    f.step(3);
    CHECK(f.s.r[EAX] == 0xFFFF0010);
    CHECK(f.s.r[ECX] == 0x00000010);
    CHECK(f.m.peek32(0x2000) == 0xAAAA0008);
    f.s.seg[FS].selector = 0x1234;
    f.step();
    CHECK(f.m.peek32(0x2000) == 0xAAAA1234);
  }
  SECTION("MOV to ES and FS from a register and memory loads the descriptor") {
    Flat f("mov es, ax\n mov fs, [ebx]\n");
    add_data_segment(f);
    f.s.r[EAX] = 0xFFFF0040;
    f.s.r[EBX] = 0x2000;
    f.m.poke32(0x2000, 0x12340040);
    f.step(2);
    CHECK(f.s.seg[ES].selector == 0x40);
    CHECK(f.s.seg[ES].base == 0x5000);
    CHECK(f.s.seg[FS].selector == 0x40);
    CHECK(f.s.seg[FS].limit == 0xFFFF);
  }
  SECTION("MOV to CS is #UD") {
    Flat f(".byte 0x8e, 0xc8\n");
    f.expect_fault(vec::UD, kCode);
    CHECK(f.s.seg[CS].selector == kCode0);
  }
  SECTION("ModRM.reg 6 and 7 name no segment register") {
    Flat f(".byte 0x8e, 0xf0\n");
    f.expect_fault(vec::UD, kCode);
    Flat g(".byte 0x8c, 0xf8\n");
    g.expect_fault(vec::UD, kCode);
  }
  SECTION("MOV DS with a selector beyond the GDT limit is #GP(selector)") {
    Flat f("mov ds, ax\n");
    f.s.r[EAX] = 0x48;
    f.expect_fault(vec::GP, kCode, true, 0x48);
    CHECK(f.s.seg[DS].selector == kData0);
  }
  SECTION("MOV SS holds off an interrupt for one instruction") {
    struct Intr : InterruptSource {
      bool pending = true;
      bool intr_pending() const override { return pending; }
      u8 intr_acknowledge() override {
        pending = false;
        return 0x40;
      }
    } intr;
    Flat f("mov ss, ax\n nop\n nop\n");
    f.m.set_gate(0x40, kHandler);
    f.s.r[EAX] = kData0;
    f.s.eflags |= fl::IF;
    f.m.cpu.set_interrupt_source(&intr);
    intr.pending = false;
    f.step();  // mov ss, ax
    intr.pending = true;
    f.step();  // the NOP runs: interrupts are inhibited after MOV SS
    CHECK(f.s.eip == kCode + 3);
    f.step();  // now the interrupt is taken
    CHECK(f.s.eip == kHandler);
    CHECK(f.m.peek32(f.s.r[ESP]) == kCode + 3);
  }
}

TEST_CASE("309 given segment registers and far pointers when PUSH POP Sreg and LDS to LGS run then selectors move",
          "[segins]") {
  SECTION("32-bit pushes move ESP by 4 and write only the selector word") {
    Flat f("push es\n push cs\n push ss\n push fs\n push gs\n pushw ds\n");
    for (u32 a = 0x7FFE0; a < 0x80000; a += 4) f.m.poke32(a, 0xDEADBEEF);
    f.s.seg[FS].selector = 0x1111;
    f.s.seg[GS].selector = 0x2222;
    f.step(6);
    CHECK(f.s.r[ESP] == 0x80000 - 5 * 4 - 2);
    CHECK(f.m.peek32(0x7FFFC) == 0xDEAD0010);  // ES
    CHECK(f.m.peek32(0x7FFF8) == 0xDEAD0008);  // CS
    CHECK(f.m.peek32(0x7FFF4) == 0xDEAD0010);  // SS
    CHECK(f.m.peek32(0x7FFF0) == 0xDEAD1111);  // FS
    CHECK(f.m.peek32(0x7FFEC) == 0xDEAD2222);  // GS
    CHECK(f.m.peek32(0x7FFE8) == 0x0010BEEF);  // DS, a 16-bit push at 0x7FFEA
  }
  SECTION("32-bit pops read a doubleword and load the low word") {
    Flat f("pop es\n pop gs\n popw fs\n pop ds\n");
    add_data_segment(f);
    f.s.r[ESP] = 0x7FF00;
    f.m.poke32(0x7FF00, 0xFFFF0040);
    f.m.poke32(0x7FF04, 0x00000040);
    f.m.poke32(0x7FF08, 0x00100040);  // popw fs reads 0x0040; pop ds reads 0x????0010 at 0x7FF0A
    f.m.poke32(0x7FF0C, 0xFFFFFFFF);
    f.step(3);
    CHECK(f.s.seg[ES].base == 0x5000);
    CHECK(f.s.seg[GS].selector == 0x40);
    CHECK(f.s.seg[FS].selector == 0x40);
    CHECK(f.s.r[ESP] == 0x7FF0A);
    f.step();  // pop ds at 0x7FF0A: word 0x0010, next word 0x0040
    CHECK(f.s.seg[DS].selector == 0x10);
    CHECK(f.s.seg[DS].base == 0);
    CHECK(f.s.r[ESP] == 0x7FF0E);
  }
  SECTION("POP DS of an invalid selector faults with ESP restored") {
    Flat f("pop ds\n");
    f.m.poke32(0x7FFF0, 0x48);
    f.s.r[ESP] = 0x7FFF0;
    f.expect_fault(vec::GP, kCode, true, 0x48);
    CHECK(f.s.r[ESP] == 0x7FFF0 - 16);  // the ring-0 frame sits below the restored ESP
  }
  SECTION("POP SS loads the stack segment and PUSH CS / POP DS work in real mode") {
    Real r("push cs\n pop ds\n pop ss\n");
    r.step(2);
    CHECK(r.s.seg[DS].selector == 0x1000);
    CHECK(r.s.seg[DS].base == 0x10000);
    CHECK((r.s.r[ESP] & 0xFFFF) == 0xFFF0);
    r.m.poke32(0x2FFF0, 0x00003000);
    r.step();
    CHECK(r.s.seg[SS].selector == 0x3000);
    CHECK(r.s.seg[SS].base == 0x30000);
    CHECK((r.s.r[ESP] & 0xFFFF) == 0xFFF2);
  }
  SECTION("0F A0/A1/A8/A9 with a 16-bit operand size") {
    Flat f("pushw fs\n popw gs\n");
    f.s.seg[FS].selector = 0x10;
    f.s.seg[GS].selector = 0;
    f.step(2);
    CHECK(f.s.seg[GS].selector == 0x10);
    CHECK(f.s.r[ESP] == 0x80000);
  }
  SECTION("LES LFS LGS LSS LDS with 32 and 16-bit offsets") {
    Flat f(
        "les eax, [ebx]\n"
        "lfs cx, [ebx+8]\n"
        "lgs edx, [ebx]\n"
        "lss esp, [ebx]\n"
        "lds esi, [ebx]\n");
    add_data_segment(f);
    f.s.r[EBX] = 0x2000;
    f.s.r[ECX] = 0xFFFFFFFF;
    f.m.poke32(0x2000, 0x12345678);
    f.m.poke32(0x2004, 0xFFFF0040);
    f.m.poke32(0x2008, 0x0040BEEF);
    f.step(5);
    CHECK(f.s.r[EAX] == 0x12345678);
    CHECK(f.s.seg[ES].base == 0x5000);
    CHECK(f.s.r[ECX] == 0xFFFFBEEF);
    CHECK(f.s.seg[FS].selector == 0x40);
    CHECK(f.s.r[EDX] == 0x12345678);
    CHECK(f.s.seg[GS].selector == 0x40);
    CHECK(f.s.r[ESP] == 0x12345678);
    CHECK(f.s.seg[SS].base == 0x5000);
    CHECK(f.s.r[ESI] == 0x12345678);
    CHECK(f.s.seg[DS].selector == 0x40);
  }
  SECTION("LDS and LSS with a register operand are #UD") {
    Flat f(".byte 0xc5, 0xc0\n");
    f.expect_fault(vec::UD, kCode);
    Flat g(".byte 0x0f, 0xb2, 0xc0\n");
    g.expect_fault(vec::UD, kCode);
  }
  SECTION("LDS with a faulting segment load leaves the offset register unchanged") {
    Flat f("lds eax, [ebx]\n");
    f.s.r[EBX] = 0x2000;
    f.s.r[EAX] = 0xA5A5A5A5;
    f.m.poke32(0x2000, 0x12345678);
    f.m.poke32(0x2004, 0x48);
    f.expect_fault(vec::GP, kCode, true, 0x48);
    CHECK(f.s.r[EAX] == 0xA5A5A5A5);
    CHECK(f.s.seg[DS].selector == kData0);
  }
  SECTION("real mode LES with a 16-bit address") {
    Real r("les di, [0x100]\n");
    r.m.poke32(0x10100, 0x3000ABCD);
    r.step();
    CHECK((r.s.r[EDI] & 0xFFFF) == 0xABCD);
    CHECK(r.s.seg[ES].base == 0x30000);
  }
}
