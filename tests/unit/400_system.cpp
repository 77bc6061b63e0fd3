// System instructions (insn/system.cpp): descriptor-table registers, LDTR and
// TR, privilege checks, control and debug registers, INVLPG, CPUID and MSRs,
// LAR/LSL/VERR/VERW/ARPL. Expected values follow the Intel SDM vol. 2 pages.
#include <catch2/catch.hpp>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x10000;
constexpr u32 kHandler = 0x20000;

void load_asm(TestMachine& m, u32 addr, const std::string& src, int bits = 32) {
  m.load(addr, assemble(src, addr, bits));
}

void enter_ring3(TestMachine& m, u32 eip, u32 esp = 0x80000) {
  m.enter_ring3();
  m.cpu.state().eip = eip;
  m.cpu.state().r[ESP] = esp;
}

// A handler that records the error code in EDX and the faulting EIP in ESI and exits.
const char* kRecordFault = "pop edx\n pop esi\n out 0xf4, al\n";

}  // namespace

TEST_CASE("401 given LGDT and LIDT operands when SGDT and SIDT store them back then the values round trip",
          "[system]") {
  TestMachine m;
  load_asm(m, kCode, R"(
    lgdt [0x5000]
    lidt [0x5008]
    sgdt [0x5020]
    sidt [0x5028]
    .byte 0x66          # 16-bit operand size: a 24-bit base
    lgdt [0x5010]
    .byte 0x66
    sgdt [0x5030]
    out 0xf4, al
  )");
  m.setup_flat32(kCode);
  m.bus.write<u16>(PhysAddr(0x5000), 0x7F);
  m.poke32(0x5002, 0x800);
  m.bus.write<u16>(PhysAddr(0x5008), 0x3FF);
  m.poke32(0x500A, 0x400);
  m.bus.write<u16>(PhysAddr(0x5010), 0x1F);
  m.poke32(0x5012, 0x12345678);
  m.poke32(0x5030, 0xFFFFFFFF);
  m.poke32(0x5034, 0xFFFFFFFF);
  REQUIRE(m.run_until_exit(100));
  const CpuState& s = m.cpu.state();
  CHECK((m.peek32(0x5020) & 0xFFFF) == 0x7F);
  CHECK(m.peek32(0x5022) == 0x800);
  CHECK((m.peek32(0x5028) & 0xFFFF) == 0x3FF);
  CHECK(m.peek32(0x502A) == 0x400);
  CHECK(s.idtr.base == 0x400);
  CHECK(s.idtr.limit == 0x3FF);
  // LGDT with a 16-bit operand size keeps 24 bits of the base; SGDT with a
  // 16-bit operand size stores 24 bits and a zero fourth byte.
  CHECK(s.gdtr.base == 0x345678);
  CHECK(s.gdtr.limit == 0x1F);
  CHECK((m.peek32(0x5030) & 0xFFFF) == 0x1F);
  CHECK(m.peek32(0x5032) == 0x00345678);
}

TEST_CASE("402 given an available TSS descriptor when LTR loads it then STR reads it and the TSS is busy", "[system]") {
  TestMachine m;
  load_asm(m, kCode, R"(
    mov ax, 0x40
    ltr ax
    str bx
    str ecx
    ltr ax              # now busy: #GP(0x40)
  )");
  load_asm(m, kHandler, kRecordFault);
  m.setup_flat32(kCode);
  m.set_gate(13, kHandler);
  m.set_gdt_entry(8, 0x3000, 0x67, 0x89, 0x0);
  m.cover_gdt(8);
  m.cpu.state().r[ECX] = 0xFFFFFFFF;
  REQUIRE(m.run_until_exit(100));
  const CpuState& s = m.cpu.state();
  CHECK((s.r[EBX] & 0xFFFF) == 0x40);
  CHECK(s.r[ECX] == 0x40);  // 32-bit register destination: zero-extended
  CHECK(s.tr.selector == 0x40);
  CHECK(s.tr.base == 0x3000);
  CHECK(s.tr.limit == 0x67);
  CHECK(((m.peek32(kGdtBase + 0x44) >> 8) & 0xF) == sdt::kTss32Busy);
  CHECK(s.r[EDX] == 0x40);  // the second LTR found a busy TSS
}

TEST_CASE("403 given an LDT descriptor when LLDT loads it then a segment is loaded from the LDT", "[system]") {
  TestMachine m;
  load_asm(m, kCode, R"(
    mov ax, 0x48
    lldt ax
    sldt cx
    mov bx, 0x0c        # LDT index 1, TI = 1, RPL 0
    mov ds, bx
    mov eax, [0x10]
    mov bx, 0x10
    mov ds, bx
    mov bx, 0x08
    lldt bx             # a code segment is not an LDT: #GP(0x08)
  )");
  load_asm(m, kHandler, kRecordFault);
  m.setup_flat32(kCode);
  m.set_gate(13, kHandler);
  // LDT at 0x4000 with two entries; entry 1 is a data segment at 0x123000.
  m.poke32(0x4000, 0);
  m.poke32(0x4004, 0);
  m.poke32(0x4008, 0x3000'0FFF);                // base 15:0 = 0x3000, limit 0xFFF
  m.poke32(0x400C, 0x0000'9312);                // base 23:16 = 0x12, P DPL0 data RW
  m.set_gdt_entry(9, 0x4000, 0x0F, 0x82, 0x0);  // LDT descriptor
  m.cover_gdt(9);
  m.poke32(0x123010, 0xCAFEBABE);
  REQUIRE(m.run_until_exit(100));
  const CpuState& s = m.cpu.state();
  CHECK(s.r[EAX] == 0xCAFEBABE);
  CHECK((s.r[ECX] & 0xFFFF) == 0x48);
  CHECK(s.ldtr.selector == 0x48);
  CHECK(s.ldtr.base == 0x4000);
  CHECK(s.ldtr.limit == 0x0F);
  CHECK(s.r[EDX] == 0x08);
  // The LDT data descriptor got its accessed bit.
  CHECK((m.peek32(0x400C) & 0x100) != 0);
}

TEST_CASE("404 given CPL 3 when privileged system instructions run then each raises #GP(0)", "[system]") {
  struct Case {
    const char* name;
    const char* src;
  };
  const Case cases[] = {
      {"mov cr0", "mov cr0, eax"},
      {"mov cr3", "mov cr3, eax"},
      {"read cr0", "mov eax, cr0"},
      {"lgdt", "lgdt [0x100]"},
      {"lidt", "lidt [0x100]"},
      {"lldt", "lldt ax"},
      {"ltr", "ltr ax"},
      {"lmsw", "lmsw ax"},
      {"clts", "clts"},
      {"invlpg", "invlpg [0x1000]"},
      {"mov dr7", "mov dr7, eax"},
      {"wbinvd", "wbinvd"},
      {"invd", "invd"},
  };
  for (const Case& k : cases) {
    SECTION(k.name) {
      TestMachine m;
      load_asm(m, kCode, k.src);
      load_asm(m, kHandler, kRecordFault);
      m.setup_flat32(kCode);
      m.set_gate(13, kHandler);
      enter_ring3(m, kCode);
      const u32 cr0 = m.cpu.state().cr0;
      REQUIRE(m.run_until_exit(10));
      CHECK(m.cpu.state().r[EDX] == 0);      // error code 0
      CHECK(m.cpu.state().r[ESI] == kCode);  // the fault points at the instruction
      CHECK(m.cpu.state().cr0 == cr0);
    }
  }
}

TEST_CASE("405 given cached translations when INVLPG runs then only the named page leaves the TLB", "[system]") {
  SECTION("4 KB pages") {
    TestMachine m;
    load_asm(m, kCode, R"(
      mov eax, 0x200000
      mov cr3, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov eax, [0x300000]
      mov eax, [0x301000]
      mov ebx, 0x300000
      invlpg [ebx + 0x234]
      out 0xf4, al
    )");
    m.setup_flat32(kCode);
    // Identity map of the first 4 MB: PD at 0x200000, PT at 0x201000.
    m.poke32(0x200000, 0x201000 | 7);
    for (u32 i = 0; i < 1024; ++i) m.poke32(0x201000 + 4 * i, (i << 12) | 7);
    REQUIRE(m.run_until_exit(100));
    CHECK(m.cpu.state().paging());
    CHECK(m.cpu.tlb().peek(0x300) == nullptr);
    CHECK(m.cpu.tlb().peek(0x301) != nullptr);
    CHECK(m.cpu.tlb().peek(0x010) != nullptr);  // the code page stays cached
  }
  SECTION("a Pentium 4 MB page cached in 4 KB pieces") {
    TestMachine m(4u << 20, CpuModel::kPentium);
    load_asm(m, kCode, R"(
      mov eax, 0x10
      mov cr4, eax         # PSE
      mov eax, 0x200000
      mov cr3, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov eax, [0x400000]
      mov eax, [0x401000]
      mov eax, [0x300000]
      invlpg [0x401000]
      out 0xf4, al
    )");
    m.setup_flat32(kCode);
    m.poke32(0x200000, 0x201000 | 7);
    for (u32 i = 0; i < 1024; ++i) m.poke32(0x201000 + 4 * i, (i << 12) | 7);
    m.poke32(0x200004, 0x000000 | 0x87);  // 4 MB page: linear 4-8 MB -> physical 0
    REQUIRE(m.run_until_exit(100));
    CHECK(m.cpu.tlb().peek(0x400) == nullptr);
    CHECK(m.cpu.tlb().peek(0x401) == nullptr);
    CHECK(m.cpu.tlb().peek(0x300) != nullptr);  // a 4 KB page elsewhere stays
  }
}

TEST_CASE(
    "406 given Pentium-only instructions when CPUID and MOV CR4 run then the Pentium executes them and the 486 raises "
    "#UD",
    "[system]") {
  SECTION("Pentium") {
    TestMachine m(4u << 20, CpuModel::kPentium);
    load_asm(m, kCode, R"(
      xor eax, eax
      cpuid
      mov [0x5000], eax
      mov [0x5004], ebx
      mov [0x5008], edx
      mov [0x500c], ecx
      mov eax, 1
      cpuid
      out 0xf4, al
    )");
    m.setup_flat32(kCode);
    REQUIRE(m.run_until_exit(100));
    CHECK(m.peek32(0x5000) == 1);
    std::string vendor;
    for (u32 a = 0x5004; a < 0x5010; ++a) vendor.push_back(static_cast<char>(m.peek8(a)));
    CHECK(vendor == "GenuineIntel");
    const CpuState& s = m.cpu.state();
    CHECK(s.r[EAX] == 0x525);
    // FPU VME DE PSE TSC MSR MCE CX8.
    CHECK(s.r[EDX] == 0x1BF);
    CHECK(s.r[EBX] == 0);
    CHECK(s.r[ECX] == 0);
  }
  SECTION("486") {
    TestMachine m;
    load_asm(m, kCode, "cpuid");
    load_asm(m, kHandler, "mov edx, 0x66\n out 0xf4, al");
    m.setup_flat32(kCode);
    m.set_gate(6, kHandler);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == 0x66);
    CHECK(m.peek32(m.cpu.state().r[ESP]) == kCode);
  }
  SECTION("486 CR4") {
    TestMachine m;
    load_asm(m, kCode, "mov eax, cr4");
    load_asm(m, kHandler, "mov edx, 0x66\n out 0xf4, al");
    m.setup_flat32(kCode);
    m.set_gate(6, kHandler);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == 0x66);
  }
  SECTION("Pentium CR4") {
    TestMachine m(4u << 20, CpuModel::kPentium);
    load_asm(m, kCode, "mov eax, 0x10\n mov cr4, eax\n mov ebx, cr4\n out 0xf4, al");
    m.setup_flat32(kCode);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().cr4 == cr4::PSE);
    CHECK(m.cpu.state().r[EBX] == cr4::PSE);
  }
}

TEST_CASE(
    "407 given a Pentium when RDTSC and the TSC MSR are used then they read and write the counter and CR4.TSD guards "
    "RDTSC",
    "[system]") {
  SECTION("CPL 0") {
    TestMachine m(4u << 20, CpuModel::kPentium);
    load_asm(m, kCode, R"(
      rdtsc
      mov [0x5000], eax
      mov [0x5004], edx
      mov ecx, 0x10
      mov eax, 0x11223344
      mov edx, 0x55
      wrmsr
      xor eax, eax
      xor edx, edx
      rdmsr
      mov ecx, 0x1234     # not a P5 MSR: #GP(0)
      rdmsr
    )");
    load_asm(m, kHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(13, kHandler);
    m.cpu.state().tsc = 0x0000000700000009ull;
    REQUIRE(m.run_until_exit(100));
    CHECK(m.peek32(0x5000) == 9);
    CHECK(m.peek32(0x5004) == 7);
    const CpuState& s = m.cpu.state();
    CHECK(s.r[EAX] == 0x11223344);
    CHECK(s.tsc == 0x0000005511223344ull);
    CHECK(s.r[EDX] == 0);  // the error code of the #GP for MSR 0x1234
  }
  SECTION("CR4.TSD at CPL 3") {
    TestMachine m(4u << 20, CpuModel::kPentium);
    load_asm(m, kCode, "rdtsc");
    load_asm(m, kHandler, kRecordFault);
    m.setup_flat32(kCode);
    m.set_gate(13, kHandler);
    m.cpu.state().cr4 = cr4::TSD;
    enter_ring3(m, kCode);
    m.cpu.state().r[EDX] = 0xDEAD;
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().r[EDX] == 0);
    CHECK(m.cpu.state().r[ESI] == kCode);
  }
}

TEST_CASE(
    "408 given descriptors of several kinds when LAR LSL VERR and VERW test them then ZF and results follow the SDM",
    "[system]") {
  TestMachine m;
  load_asm(m, kCode, R"(
    mov bx, 0x08
    lar eax, bx          # ring-0 code: ZF = 1, access bytes
    setz byte ptr [0x5000]
    lsl ecx, bx          # 4 GB limit
    setz byte ptr [0x5001]
    mov bx, 0x28
    lsl edx, bx          # the TSS: valid for LSL
    setz byte ptr [0x5002]
    mov bx, 0x50
    lsl esi, bx          # interrupt gate: not valid for LSL
    setz byte ptr [0x5003]
    lar esi, bx          # nor for LAR
    setz byte ptr [0x5004]
    mov bx, 0x10
    verw bx              # ring-0 data: writable
    setz byte ptr [0x5005]
    mov bx, 0x08
    verw bx              # code: never writable
    setz byte ptr [0x5006]
    verr bx              # readable code
    setz byte ptr [0x5007]
    mov bx, 0x0b         # RPL 3 > DPL 0
    verr bx
    setz byte ptr [0x5008]
    mov bx, 0
    verr bx              # null
    setz byte ptr [0x5009]
    mov bx, 0x400        # beyond the GDT limit
    lar edi, bx
    setz byte ptr [0x500a]
    out 0xf4, al
  )");
  m.setup_flat32(kCode);
  // Entry 10: a 32-bit interrupt gate (type E), DPL 0.
  m.poke32(kGdtBase + 80, 0x00081000);
  m.poke32(kGdtBase + 84, 0x00008E00);
  m.cover_gdt(10);
  REQUIRE(m.run_until_exit(200));
  const CpuState& s = m.cpu.state();
  CHECK(m.peek8(0x5000) == 1);
  // Second dword of the descriptor (00CF9B00h after the accessed bit was set by
  // the CS load in setup) masked with 00FFFF00h.
  CHECK(s.r[EAX] == (m.peek32(kGdtBase + 12) & 0x00FFFF00u));
  CHECK(m.peek8(0x5001) == 1);
  CHECK(s.r[ECX] == 0xFFFFFFFF);
  CHECK(m.peek8(0x5002) == 1);
  CHECK(s.r[EDX] == 0x67 + 0x2000 / 8 + 1);
  CHECK(m.peek8(0x5003) == 0);
  CHECK(m.peek8(0x5004) == 0);
  CHECK(m.peek8(0x5005) == 1);
  CHECK(m.peek8(0x5006) == 0);
  CHECK(m.peek8(0x5007) == 1);
  CHECK(m.peek8(0x5008) == 0);
  CHECK(m.peek8(0x5009) == 0);
  CHECK(m.peek8(0x500A) == 0);
}

TEST_CASE("409 given ARPL LMSW SMSW CLTS and MOV DR when they run then results follow the SDM", "[system]") {
  SECTION("ARPL") {
    TestMachine m;
    load_asm(m, kCode, R"(
      mov ax, 0x10
      mov bx, 0x23
      arpl ax, bx          # RPL 0 < 3: AX = 0x13, ZF = 1
      setz cl
      mov dx, 0x23
      arpl dx, ax          # RPL 3 >= 3: unchanged, ZF = 0
      setz ch
      out 0xf4, al
    )");
    m.setup_flat32(kCode);
    REQUIRE(m.run_until_exit(100));
    const CpuState& s = m.cpu.state();
    CHECK((s.r[EAX] & 0xFFFF) == 0x13);
    CHECK((s.r[EDX] & 0xFFFF) == 0x23);
    CHECK((s.r[ECX] & 0xFFFF) == 0x0001);
  }
  SECTION("real mode") {
    TestMachine m;
    load_asm(m, 0x1000, R"(
      smsw ax
      mov bx, 0x0a         # MP and TS set, PE clear
      lmsw bx
      clts
      smsw cx
      arpl ax, bx
    )",
             16);
    m.setup_real(0, 0x1000);
    // Real-mode IVT entry 6 -> 0000:2000, where OUT 0xF4 ends the run.
    m.poke32(6 * 4, 0x00002000);
    load_asm(m, 0x2000, "out 0xf4, al", 16);
    m.cpu.state().cr0 = cr0::ET;
    REQUIRE(m.run_until_exit(100));
    const CpuState& s = m.cpu.state();
    CHECK((s.r[EAX] & 0xFFFF) == cr0::ET);
    CHECK((s.r[ECX] & 0xFFFF) == (cr0::ET | cr0::MP));
    CHECK(s.cr0 == (cr0::ET | cr0::MP));
    CHECK(s.eip == 0x2000 + 2);
  }
  SECTION("LMSW keeps PE") {
    TestMachine m;
    load_asm(m, kCode, "xor eax, eax\n lmsw ax\n out 0xf4, al");
    m.setup_flat32(kCode);
    REQUIRE(m.run_until_exit(10));
    CHECK(m.cpu.state().protected_mode());
  }
  SECTION("DR4 and DR5 alias DR6 and DR7") {
    TestMachine m;
    load_asm(m, kCode, R"(
      mov eax, 0x00000003
      mov dr5, eax
      mov ebx, dr7
      mov eax, 0x12345678
      mov dr0, eax
      mov ecx, dr0
      mov edx, dr4
      out 0xf4, al
    )");
    m.setup_flat32(kCode);
    REQUIRE(m.run_until_exit(100));
    const CpuState& s = m.cpu.state();
    CHECK(s.r[EBX] == 0x403);  // bit 10 reads as one
    CHECK(s.dr[7] == 0x403);
    CHECK(s.r[ECX] == 0x12345678);
    CHECK(s.r[EDX] == 0xFFFF0FF0);
  }
}
