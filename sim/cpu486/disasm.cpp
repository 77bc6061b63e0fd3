#include "cpu486/disasm.hpp"

#include <fmt/format.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "cpu486/optable.hpp"

namespace l4sim {

namespace {

constexpr const char* kReg8[8] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
constexpr const char* kReg16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
constexpr const char* kReg32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
// ModRM.reg 6 and 7 name no segment register (MOV Sreg raises #UD for them); they
// still get a name so a trace of the faulting instruction is readable.
constexpr const char* kSegName[8] = {"es", "cs", "ss", "ds", "fs", "gs", "sreg6", "sreg7"};

// The operand-string letters of Intel SDM vol. 2 appendix A.2 that are not size
// codes but whole operands.
struct FixedOperand {
  std::string_view token;
  const char* text;
};
constexpr FixedOperand kFixedOperands[] = {
    {"AL", "al"}, {"CL", "cl"}, {"DX", "dx"}, {"1", "1"},   {"ES", "es"},
    {"CS", "cs"}, {"SS", "ss"}, {"DS", "ds"}, {"FS", "fs"}, {"GS", "gs"},
};

// The table names the conditions after the flag tests (Intel SDM vol. 2 appendix B
// "tttn"); Capstone and objdump print the more common aliases.
struct Alias {
  const char* table;
  const char* shown;
};
constexpr Alias kJccAliases[] = {
    {"jnb", "jae"}, {"jz", "je"}, {"jnz", "jne"}, {"jnbe", "ja"}, {"jnl", "jge"}, {"jnle", "jg"},
};

// The x87 control instructions the CPU models (insn/x87.cpp), by escape byte and
// ModRM.reg for the memory forms (Intel SDM vol. 2 appendix A.4 tables A-7 ff.).
// Size 0: an environment or state image, printed without a size keyword.
struct X87MemForm {
  u16 opcode;
  u8 reg;
  const char* name;
  unsigned size;
};
constexpr X87MemForm kX87MemForms[] = {
    {0xD9, 4, "fldenv", 0}, {0xD9, 5, "fldcw", 2},  {0xD9, 6, "fnstenv", 0}, {0xD9, 7, "fnstcw", 2},
    {0xDD, 4, "frstor", 0}, {0xDD, 6, "fnsave", 0}, {0xDD, 7, "fnstsw", 2},
};
// ... and the register forms, by escape byte and the whole ModRM byte.
struct X87RegForm {
  u16 opcode;
  u8 modrm;
  const char* text;
};
constexpr X87RegForm kX87RegForms[] = {
    {0xD9, 0xD0, "fnop"},
    {0xDB, 0xE2, "fnclex"},
    {0xDB, 0xE3, "fninit"},
    {0xDF, 0xE0, "fnstsw ax"},
};

constexpr u16 kX87First = 0xD8;
constexpr u16 kX87Last = 0xDF;
constexpr u16 kXlat = 0xD7;
constexpr u32 kAamAadDefaultBase = 10;  // D4 0A / D5 0A, printed without operand

// Numbers as Capstone prints them: 0-9 in decimal, the rest in hex.
std::string num(u64 v) { return v < 10 ? std::to_string(v) : fmt::format("{:#x}", v); }
std::string signed_num(i64 v) { return v < 0 ? "-" + num(static_cast<u64>(-v)) : num(static_cast<u64>(v)); }

const char* reg_name(unsigned r, unsigned size) {
  switch (size) {
    case 1: return kReg8[r & 7];
    case 2: return kReg16[r & 7];
    default: return kReg32[r & 7];
  }
}

const char* size_keyword(unsigned size) {
  switch (size) {
    case 1: return "byte";
    case 2: return "word";
    case 4: return "dword";
    case 6: return "fword";
    case 8: return "qword";
    default: return nullptr;
  }
}

unsigned operand_size(const DecodedInsn& d) { return d.opsize_bytes(); }

// Bytes addressed by an operand of the given size letter (Intel SDM vol. 2 §A.2.2);
// 0 where no size keyword is printed (M, Ms: descriptor-table images).
unsigned size_of_letter(const DecodedInsn& d, char c) {
  switch (c) {
    case 'b': return 1;
    case 'w': return 2;
    case 'd': return 4;
    case 'v':
    case 'z': return operand_size(d);
    case 'q': return 8;
    case 'p': return d.op32 ? 6 : 4;  // m16:32 or m16:16 far pointer
    case 'a': return d.op32 ? 8 : 4;  // BOUND's pair of bounds
    default: return 0;
  }
}

bool has_seg_override(const DecodedInsn& d) { return d.prefixes & pfx::kSeg; }

// The ModRM effective address, "[base + index*scale +/- disp]".
std::string address(const DecodedInsn& d) {
  const char* const* names = d.addr32 ? kReg32 : kReg16;
  std::string s;
  if (d.base != kNoReg) s += names[d.base];
  if (d.index != kNoReg) {
    if (!s.empty()) s += " + ";
    s += names[d.index];
    if (d.addr32 && d.scale) s += "*" + std::to_string(1u << d.scale);
  }
  if (s.empty()) return "[" + num(d.addr32 ? d.disp : d.disp & 0xFFFF) + "]";  // absolute: unsigned
  const i64 disp = d.addr32 ? static_cast<i32>(d.disp) : static_cast<i16>(d.disp);
  if (disp > 0) s += " + " + num(static_cast<u64>(disp));
  if (disp < 0) s += " - " + num(static_cast<u64>(-disp));
  return "[" + s + "]";
}

// "dword ptr fs:[...]": size keyword if any, segment only when overridden.
std::string memory(unsigned size, const std::string& addr, u8 seg, bool show_seg) {
  std::string s;
  if (const char* kw = size_keyword(size)) {
    s += kw;
    s += " ptr ";
  }
  if (show_seg) {
    s += kSegName[seg & 7];
    s += ':';
  }
  return s + addr;
}

std::string modrm_memory(const DecodedInsn& d, unsigned size) {
  return memory(size, address(d), d.seg, has_seg_override(d));
}

// Forms whose "Ew" register operand has the operand size: MOV Sreg (8C/8E), LAR,
// LSL, SLDT, STR and SMSW write or read a full 32-bit register with a 32-bit
// operand size (Intel SDM vol. 2 "MOV", "LAR", "SLDT", "STR", "SMSW": "r32/m16"
// forms). Capstone and objdump print them that way too.
bool ew_register_has_operand_size(const DecodedInsn& d) {
  switch (d.opcode) {
    case 0x8C:
    case 0x8E:
    case 0x102:
    case 0x103: return true;
    case 0x100: return d.reg() <= 1;  // SLDT, STR
    case 0x101: return d.reg() == 4;  // SMSW
    default: return false;
  }
}

// Forms whose imm8 is sign-extended to the operand size (Intel SDM vol. 2 "ADD",
// "PUSH", "IMUL": "imm8 sign-extended"). Capstone prints the extended value as a
// signed number, except for the logical operations, whose masks it prints unsigned.
std::string sign_extended_imm8(const DecodedInsn& d) {
  const char* m = d.info->mnemonic;
  const bool logical = d.opcode == 0x83 && (!std::strcmp(m, "and") || !std::strcmp(m, "or") || !std::strcmp(m, "xor"));
  if (!logical) return signed_num(d.simm8());
  const u32 mask = d.op32 ? 0xFFFFFFFFu : 0xFFFFu;
  return num(static_cast<u32>(d.simm8()) & mask);
}

std::string immediate(const DecodedInsn& d, char size, bool second) {
  if (second) return num(d.imm2 & 0xFF);  // ENTER's nesting level
  switch (size) {
    case 'b':
      if (d.opcode == 0x83 || d.opcode == 0x6A || d.opcode == 0x6B) return sign_extended_imm8(d);
      return num(d.imm & 0xFF);
    case 'w': return num(d.imm & 0xFFFF);
    default: return num(d.op32 ? d.imm : d.imm & 0xFFFF);
  }
}

// A relative branch's target: the next instruction plus the displacement, cut to
// 16 bits with a 16-bit operand size (Intel SDM vol. 2 "Jcc": "IF OperandSize = 16
// THEN EIP <- tempEIP AND 0000FFFFH").
std::string branch_target(const DecodedInsn& d, char size, u32 eip) {
  const i32 rel = size == 'b' ? d.simm8() : d.simmz();
  u32 target = eip + d.len + static_cast<u32>(rel);
  if (!d.op32) target &= 0xFFFF;
  return num(target);
}

// Operands of the string instructions: X is DS:eSI (overridable), Y is ES:eDI.
std::string string_operand(const DecodedInsn& d, char which, char size) {
  const unsigned bytes = size == 'b' ? 1 : operand_size(d);
  const bool source = which == 'X';
  const char* reg = d.addr32 ? (source ? "esi" : "edi") : (source ? "si" : "di");
  return memory(bytes, std::string("[") + reg + "]", source ? d.seg : u8{ES}, true);
}

std::string operand(const DecodedInsn& d, std::string_view tok, u32 eip, bool second_imm) {
  for (const FixedOperand& f : kFixedOperands)
    if (tok == f.token) return f.text;
  if (tok == "eAX") return d.op32 ? "eax" : "ax";
  const char size = tok.size() > 1 ? tok[1] : '\0';
  switch (tok[0]) {
    case 'E': {
      const unsigned bytes = size_of_letter(d, size);
      if (d.mem) return modrm_memory(d, bytes);
      if (size == 'w' && ew_register_has_operand_size(d)) return reg_name(d.rm(), operand_size(d));
      return reg_name(d.rm(), bytes);
    }
    case 'M':
      // The register form is #UD (kOpMemOnly); name the register anyway.
      if (!d.mem) return reg_name(d.rm(), operand_size(d));
      return modrm_memory(d, size_of_letter(d, size));
    case 'G': return reg_name(d.reg(), size_of_letter(d, size));
    case 'R': return kReg32[d.rm()];
    case 'S': return kSegName[d.reg()];
    case 'C': return "cr" + std::to_string(d.reg());
    case 'D': return "dr" + std::to_string(d.reg());
    case 'Z': return reg_name(d.opcode & 7, size_of_letter(d, size));
    case 'I': return immediate(d, size, second_imm);
    case 'J': return branch_target(d, size, eip);
    case 'A': return num(d.imm2) + ":" + num(d.op32 ? d.imm : d.imm & 0xFFFF);
    case 'O': return memory(size_of_letter(d, size), "[" + num(d.imm) + "]", d.seg, has_seg_override(d));
    case 'X':
    case 'Y': return string_operand(d, tok[0], size);
    default: return "?" + std::string(tok);  // an operand kind this file does not know yet
  }
}

bool is_string(const DecodedInsn& d) { return d.info->flags & kOpString; }

// CMPS and SCAS stop on a condition, so F3 reads "repe" for them (Intel SDM vol. 2 "REP/REPE/REPZ").
bool is_compare_string(const DecodedInsn& d) {
  return d.opcode == 0xA6 || d.opcode == 0xA7 || d.opcode == 0xAE || d.opcode == 0xAF;
}

std::string mnemonic(const DecodedInsn& d) {
  const char* m = d.info->mnemonic;
  for (const Alias& a : kJccAliases)
    if (!std::strcmp(m, a.table)) return a.shown;
  if (is_string(d)) {
    const bool bytes = std::strstr(d.info->operands, "Xb") || std::strstr(d.info->operands, "Yb");
    return std::string(m) + (bytes ? 'b' : d.op32 ? 'd' : 'w');
  }
  switch (d.opcode) {
    case 0x98: return d.op32 ? "cwde" : "cbw";
    case 0x99: return d.op32 ? "cdq" : "cwd";
    case 0x60: return d.op32 ? "pushad" : "pusha";
    case 0x61: return d.op32 ? "popad" : "popa";
    case 0x9C: return d.op32 ? "pushfd" : "pushf";
    case 0x9D: return d.op32 ? "popfd" : "popf";
    case 0xCF: return d.op32 ? "iretd" : "iret";
    case 0xE3: return d.addr32 ? "jecxz" : "jcxz";  // the counter follows the address size
    case kXlat: return has_seg_override(d) ? "xlat" : "xlatb";
    case 0xEA: return "ljmp";
    case 0x9A: return "lcall";
    case 0xFF:
      if (d.reg() == 3) return "lcall";
      if (d.reg() == 5) return "ljmp";
      break;
    default: break;
  }
  return m;
}

std::string x87(const DecodedInsn& d) {
  if (d.mem) {
    for (const X87MemForm& f : kX87MemForms)
      if (f.opcode == d.opcode && f.reg == d.reg()) return std::string(f.name) + " " + modrm_memory(d, f.size);
    return fmt::format("esc {:#04x}, {:#04x}, {}", d.opcode, d.modrm, modrm_memory(d, 0));
  }
  for (const X87RegForm& f : kX87RegForms)
    if (f.opcode == d.opcode && f.modrm == d.modrm) return f.text;
  return fmt::format("esc {:#04x}, {:#04x}", d.opcode, d.modrm);
}

std::vector<std::string_view> split_operands(std::string_view s) {
  std::vector<std::string_view> v;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    v.push_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return v;
}

}  // namespace

std::string disassemble(const DecodedInsn& d, u32 eip) {
  if (!d.info || !d.info->mnemonic) return "(bad)";
  std::string out;
  if (d.lock()) out += "lock ";
  if (d.opcode >= kX87First && d.opcode <= kX87Last) return out + x87(d);
  // REP/REPNE matter only on string instructions; elsewhere the CPU ignores them
  // and so does the listing (as Capstone does).
  if (is_string(d)) {
    if (d.rep()) out += is_compare_string(d) ? "repe " : "rep ";
    if (d.repne()) out += "repne ";
  }
  out += mnemonic(d);

  // The implicit operands of string instructions and XLAT are shown only when a
  // segment override changes them (XLAT's table is DS:[eBX + AL]).
  if (d.opcode == kXlat && has_seg_override(d)) return out + " " + memory(1, d.addr32 ? "[ebx]" : "[bx]", d.seg, true);
  std::vector<std::string_view> toks = split_operands(d.info->operands);
  if (is_string(d) && !has_seg_override(d)) toks.clear();
  if ((d.opcode == 0xD4 || d.opcode == 0xD5) && d.imm == kAamAadDefaultBase) toks.clear();

  bool prev_imm = false;
  for (size_t i = 0; i < toks.size(); ++i) {
    out += i == 0 ? " " : ", ";
    out += operand(d, toks[i], eip, prev_imm);
    prev_imm = toks[i][0] == 'I';
  }
  return out;
}

}  // namespace l4sim
