// The disassembler (cpu486/disasm.hpp): hand-checked renderings of typical kernel
// instructions, assembled with GNU as and decoded by our decoder, and a sweep over
// the whole opcode table checking that every form has a complete rendering.
// Expected strings follow Capstone 4 / objdump -M intel conventions (see disasm.hpp).
#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "cpu486/decoder.hpp"
#include "cpu486/disasm.hpp"
#include "support/asm.hpp"

using namespace l4sim;

namespace {

// Assembles `src` at `org` and disassembles every instruction in turn.
std::vector<std::string> listing(const std::string& src, u32 org = 0x401000, int bits = 32) {
  const std::vector<u8> code = test::assemble(src, org, bits);
  const DecodeMode mode{bits == 32, true};
  std::vector<std::string> out;
  for (unsigned at = 0; at < code.size();) {
    DecodedInsn d;
    const unsigned n = decode_buffer(code.data() + at, static_cast<unsigned>(code.size() - at), mode, d);
    REQUIRE(n > 0);
    out.push_back(disassemble(d, org + at));
    at += n;
  }
  return out;
}

std::string one(std::initializer_list<u8> bytes, u32 eip = 0x1000, bool code32 = true) {
  const std::vector<u8> v(bytes);
  DecodedInsn d;
  REQUIRE(decode_buffer(v.data(), static_cast<unsigned>(v.size()), DecodeMode{code32, true}, d) == v.size());
  return disassemble(d, eip);
}

}  // namespace

TEST_CASE("210 given memory operands when disassembled then sizes registers and addressing modes are spelled out",
          "[disasm]") {
  const auto l = listing(R"(
    mov eax, dword ptr [ebx + 8]
    lea eax, [ebx + ecx*4 + 8]
    mov byte ptr [esi - 0x80], 1
    mov word ptr [eax + eax], dx
    mov ecx, [esp]
    mov edx, [ecx*4 + 0x1000]
    mov eax, dword ptr es:[ebp - 8]
    movzx eax, byte ptr [eax]
    inc dword ptr [0xc0001000]
  )");
  CHECK(l == std::vector<std::string>{
                 "mov eax, dword ptr [ebx + 8]",
                 "lea eax, [ebx + ecx*4 + 8]",
                 "mov byte ptr [esi - 0x80], 1",
                 "mov word ptr [eax + eax], dx",
                 "mov ecx, dword ptr [esp]",
                 "mov edx, dword ptr [ecx*4 + 0x1000]",
                 "mov eax, dword ptr es:[ebp - 8]",
                 "movzx eax, byte ptr [eax]",
                 "inc dword ptr [0xc0001000]",
             });
}

TEST_CASE("211 given 16-bit code when disassembled then 16-bit addressing and register names are used", "[disasm]") {
  const auto l = listing(R"(
    mov ax, word ptr [bx + si + 4]
    mov al, byte ptr [bp]
    mov dx, [0x1234]
    mov eax, dword ptr [bp + di - 2]
    mov ds, ax
    lgdt [0x1000]
  )",
                         0, 16);
  CHECK(l == std::vector<std::string>{
                 "mov ax, word ptr [bx + si + 4]",
                 "mov al, byte ptr [bp]",
                 "mov dx, word ptr [0x1234]",
                 "mov eax, dword ptr [bp + di - 2]",
                 "mov ds, ax",
                 "lgdt [0x1000]",
             });
}

TEST_CASE("212 given relative branches when disassembled then targets are resolved from eip", "[disasm]") {
  const auto l = listing(R"(
    top:
    jne 0x401020
    jmp 0x401000
    call 0x402000
    loop top
    jecxz top + 0x10
  )");
  CHECK(l == std::vector<std::string>{
                 "jne 0x401020",
                 "jmp 0x401000",
                 "call 0x402000",
                 "loop 0x401000",
                 "jecxz 0x401010",
             });
  // A 16-bit operand size cuts the target to 16 bits: 0x110f + 0x8000 wraps to 0x910f.
  CHECK(one({0x66, 0xE8, 0x00, 0x80}, 0x110B) == "call 0x910f");
  CHECK(one({0x74, 0xFE}, 0x1000) == "je 0x1000");
}

TEST_CASE("213 given immediates when disassembled then they print in hex and sign-extended imm8 as signed",
          "[disasm]") {
  const auto l = listing(R"(
    int 0x30
    .byte 0xcd, 0x03
    int3
    add esp, -0x10
    and eax, 0xfffffff0
    cmp eax, -1
    add eax, 0xffffffff
    .byte 0x05, 0xff, 0xff, 0xff, 0xff
    mov ax, -1
    push -0x80
    push 0x12345678
    imul eax, ebx, -3
    enter 0x10, 0
    ret 8
    in al, 0x60
    out dx, al
    shl eax, 1
  )");
  CHECK(l == std::vector<std::string>{
                 "int 0x30",
                 "int 3",
                 "int3",
                 "add esp, -0x10",
                 "and eax, 0xfffffff0",
                 "cmp eax, -1",
                 "add eax, -1",
                 "add eax, 0xffffffff",
                 "mov ax, 0xffff",
                 "push -0x80",
                 "push 0x12345678",
                 "imul eax, ebx, -3",
                 "enter 0x10, 0",
                 "ret 8",
                 "in al, 0x60",
                 "out dx, al",
                 "shl eax, 1",
             });
}

TEST_CASE("214 given system instructions when disassembled then control debug and segment registers are named",
          "[disasm]") {
  const auto l = listing(R"(
    mov cr3, eax
    mov eax, cr0
    mov dr7, ebx
    push ds
    pop es
    push fs
    mov ax, ss
    mov word ptr [eax], gs
    ltr ax
    lidt [eax]
    invlpg [ecx]
    iret
    hlt
  )");
  CHECK(l == std::vector<std::string>{
                 "mov cr3, eax",
                 "mov eax, cr0",
                 "mov dr7, ebx",
                 "push ds",
                 "pop es",
                 "push fs",
                 "mov ax, ss",
                 "mov word ptr [eax], gs",
                 "ltr ax",
                 "lidt [eax]",
                 "invlpg byte ptr [ecx]",
                 "iretd",
                 "hlt",
             });
}

TEST_CASE("215 given string instructions and prefixes when disassembled then short forms and rep lock are shown",
          "[disasm]") {
  const auto l = listing(R"(
    rep movsd
    movsb
    rep stosb
    repe cmpsb
    repne scasw
    lodsd
    insb
    rep outsw
    movsb byte ptr es:[edi], byte ptr fs:[esi]
    lock cmpxchg dword ptr [ebx], ecx
    lock inc dword ptr [eax]
  )");
  CHECK(l == std::vector<std::string>{
                 "rep movsd",
                 "movsb",
                 "rep stosb",
                 "repe cmpsb",
                 "repne scasw",
                 "lodsd",
                 "insb",
                 "rep outsw",
                 "movsb byte ptr es:[edi], byte ptr fs:[esi]",
                 "lock cmpxchg dword ptr [ebx], ecx",
                 "lock inc dword ptr [eax]",
             });
}

TEST_CASE("216 given far transfers and size-named forms when disassembled then ljmp lcall and suffixes are used",
          "[disasm]") {
  const auto l = listing(R"(
    ljmp 0x8, 0x1000
    lcall 0x10, 0x12345
    jmp fword ptr [eax]
    call dword ptr [eax + 4]
    jmp eax
    retf
    les eax, [ebx]
    cwde
    cdq
    pushad
    popfd
    xlatb
    mov eax, [0x1234]
    mov al, fs:[0x1234]
  )");
  CHECK(l == std::vector<std::string>{
                 "ljmp 8:0x1000",
                 "lcall 0x10:0x12345",
                 "ljmp fword ptr [eax]",
                 "call dword ptr [eax + 4]",
                 "jmp eax",
                 "retf",
                 "les eax, fword ptr [ebx]",
                 "cwde",
                 "cdq",
                 "pushad",
                 "popfd",
                 "xlatb",
                 "mov eax, dword ptr [0x1234]",
                 "mov al, byte ptr fs:[0x1234]",
             });
  CHECK(one({0x26, 0xD7}) == "xlat byte ptr es:[ebx]");  // an override makes XLAT's table worth showing
  CHECK(one({0x66, 0xEA, 0x00, 0x10, 0x08, 0x00}) == "ljmp 8:0x1000");
}

TEST_CASE("217 given x87 escapes when disassembled then the modelled control forms are named and others show esc",
          "[disasm]") {
  const auto l = listing(R"(
    fninit
    fnclex
    fnstsw ax
    fnstsw word ptr [eax]
    fnstcw word ptr [esp + 4]
    fldcw word ptr [esp + 4]
    fnsave [edi]
    frstor [edi]
    wait
  )");
  CHECK(l == std::vector<std::string>{
                 "fninit",
                 "fnclex",
                 "fnstsw ax",
                 "fnstsw word ptr [eax]",
                 "fnstcw word ptr [esp + 4]",
                 "fldcw word ptr [esp + 4]",
                 "fnsave [edi]",
                 "frstor [edi]",
                 "wait",
             });
  CHECK(one({0xD8, 0xC1}) == "esc 0xd8, 0xc1");                   // fadd st, st(1)
  CHECK(one({0xDD, 0x43, 0x08}) == "esc 0xdd, 0x43, [ebx + 8]");  // fld qword ptr [ebx + 8]
}

TEST_CASE("218 given undefined opcodes when disassembled then they read (bad)", "[disasm]") {
  CHECK(one({0x0F, 0x0B}) == "(bad)");  // UD2 is not an i486/P5 opcode in our table
  CHECK(one({0x0F, 0xFF}) == "(bad)");
}

TEST_CASE(
    "219 given every form of the opcode table when disassembled then each starts with its mnemonic and is complete",
    "[disasm]") {
  // Where the listing shows another name than the table's (condition aliases,
  // operand-size names, far forms, x87 names), the accepted prefixes of the text.
  struct Alias {
    const char* table;
    const char* shown;
  };
  static constexpr Alias kAliases[] = {
      {"jnb", "jae"},  {"jz", "je"},   {"jnz", "jne"},    {"jnbe", "ja"},  {"jnl", "jge"},    {"jnle", "jg"},
      {"cbw", "cwde"}, {"cwd", "cdq"}, {"jcxz", "jecxz"}, {"jmp", "ljmp"}, {"call", "lcall"}, {"esc", "f"},
  };
  const OpTable& t = op_table();
  std::set<const OpInfo*> seen;
  std::vector<std::string> bad;
  u64 checked = 0, undecodable = 0;
  for (const bool code32 : {true, false}) {
    for (const bool opsize : {false, true}) {
      for (u16 op = 0; op < 0x200; ++op) {
        const u8 first = static_cast<u8>(op);
        // Prefix bytes and 0F are not opcodes of the one-byte map.
        if (op < 0x100 &&
            (first == 0x0F || first == 0x26 || first == 0x2E || first == 0x36 || first == 0x3E || first == 0x64 ||
             first == 0x65 || first == 0x66 || first == 0x67 || first == 0xF0 || first == 0xF2 || first == 0xF3))
          continue;
        for (unsigned modrm = 0; modrm < 256; ++modrm) {
          u8 buf[16] = {};
          unsigned n = 0;
          if (opsize) buf[n++] = 0x66;
          if (op >= 0x100) buf[n++] = 0x0F;
          buf[n++] = first;
          buf[n++] = static_cast<u8>(modrm);
          DecodedInsn d;
          if (decode_buffer(buf, sizeof buf, DecodeMode{code32, true}, d) == 0) {
            ++undecodable;
            continue;
          }
          if (!d.info || !d.info->mnemonic) continue;
          seen.insert(d.info);
          ++checked;
          const std::string text = disassemble(d, 0x1000);
          std::string word = text;
          for (const char* p : {"lock ", "repne ", "repe ", "rep "})
            if (word.rfind(p, 0) == 0) word.erase(0, std::strlen(p));
          bool name_ok = word.rfind(d.info->mnemonic, 0) == 0;
          for (const Alias& a : kAliases)
            if (!std::strcmp(a.table, d.info->mnemonic) && word.rfind(a.shown, 0) == 0) name_ok = true;
          const bool complete = text.find('?') == std::string::npos && text.find("(bad)") == std::string::npos;
          if ((!name_ok || !complete) && bad.size() < 20)
            bad.push_back(std::string(d.info->mnemonic) + " " + d.info->operands + " -> " + text);
          if (!t.has_modrm(d.opcode)) break;  // no ModRM: one pass is enough
        }
      }
    }
  }
  for (const std::string& b : bad) UNSCOPED_INFO(b);
  CHECK(bad.empty());
  CHECK(undecodable == 0);
  CHECK(checked > 1000);
  const std::vector<const OpInfo*> all = t.all_forms();
  std::vector<std::string> missing;
  for (const OpInfo* o : all)
    if (!seen.count(o)) missing.push_back(std::string(o->mnemonic) + " " + o->operands);
  for (const std::string& m : missing) UNSCOPED_INFO("form not reached: " << m);
  CHECK(missing.empty());
  CHECK(seen.size() == all.size());
}
