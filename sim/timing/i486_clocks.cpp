#include "timing/i486_clocks.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace l4sim {

namespace {

// Sources:
//   PRM  Intel486 Microprocessor Programmer's Reference Manual (1990), clock tables, as transcribed
//        in the Norton Guide x86.ng and HelpPC, and the figures REFERENCE.md confirms.
//   MAME src/devices/cpu/i386/cycles.h, i486 column (secondary: used where the PRM transcription
//        was not at hand, marked so).
//   ABR  Abrash, Graphics Programming Black Book, 486 chapters (measurements).
// Ranges in the PRM (MUL, BSF, RCL by CL) depend on operand values the model does not see; the
// row takes the lower bound, which kernel code (small operands) meets. Marked "choice".
constexpr const char* PRM = "Intel486 PRM";
constexpr const char* PRM_REF = "Intel486 PRM; REFERENCE.md";
constexpr const char* MAME = "MAME i486 (secondary)";
constexpr const char* CHOICE = "Intel486 PRM range, lower bound (choice)";

using C = ClockClass;
const std::vector<ClockRow> kRows = {
    // Data movement
    {"mov", "Eb,Gb", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Ev,Gv", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Gb,Eb", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Gv,Ev", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Eb,Ib", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Ev,Iz", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Zb,Ib", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Zv,Iv", 1, 1, C::kPlain, PRM_REF},
    {"mov", "AL,Ob", 1, 1, C::kPlain, PRM_REF},
    {"mov", "eAX,Ov", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Ob,AL", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Ov,eAX", 1, 1, C::kPlain, PRM_REF},
    {"mov", "Ew,Sw", 3, 3, C::kPlain, PRM},
    {"mov", "Sw,Ew", 3, 9, C::kModeDep, PRM_REF},  // real 3, protected 9
    {"mov", "Cd,Rd", 0, 0, C::kMovCr, PRM_REF},
    {"mov", "Rd,Cd", 4, 4, C::kPlain, PRM},
    {"mov", "Dd,Rd", 10, 10, C::kPlain, MAME},
    {"mov", "Rd,Dd", 11, 11, C::kPlain, MAME},
    {"movsx movzx", "*", 3, 3, C::kPlain, PRM},
    {"lea", "Gv,M", 1, 1, C::kPlain, PRM_REF},
    {"xchg", "Eb,Gb", 3, 5, C::kPlain, PRM_REF},
    {"xchg", "Ev,Gv", 3, 5, C::kPlain, PRM_REF},
    {"xchg", "Zv,eAX", 3, 3, C::kPlain, PRM},
    {"xlat", "", 4, 4, C::kPlain, PRM},
    {"bswap", "Zv", 1, 1, C::kPlain, PRM_REF},
    {"lds les lfs lgs lss", "Gv,Mp", 6, 12, C::kModeDep, PRM_REF},  // real 6, protected 12
    // Stack. POP reg: the PRM lists 4, measured 1 (ABR); REFERENCE.md takes 1.
    {"push", "Zv", 1, 1, C::kPlain, PRM_REF},
    {"push", "Ev", 1, 4, C::kPlain, PRM_REF},
    {"push", "Ib", 1, 1, C::kPlain, PRM},
    {"push", "Iz", 1, 1, C::kPlain, PRM},
    {"push", "CS", 3, 3, C::kPlain, PRM},
    {"push", "DS", 3, 3, C::kPlain, PRM},
    {"push", "ES", 3, 3, C::kPlain, PRM},
    {"push", "SS", 3, 3, C::kPlain, PRM},
    {"push", "FS", 3, 3, C::kPlain, PRM},
    {"push", "GS", 3, 3, C::kPlain, PRM},
    {"pop", "Zv", 1, 1, C::kPlain, "ABR measured 1 (PRM lists 4); REFERENCE.md"},
    {"pop", "Ev", 1, 6, C::kPlain, PRM_REF},
    {"pop", "DS", 3, 9, C::kModeDep, PRM},
    {"pop", "ES", 3, 9, C::kModeDep, PRM},
    {"pop", "SS", 3, 9, C::kModeDep, PRM},
    {"pop", "FS", 3, 9, C::kModeDep, PRM},
    {"pop", "GS", 3, 9, C::kModeDep, PRM},
    {"pusha", "", 11, 11, C::kPlain, PRM_REF},
    {"popa", "", 9, 9, C::kPlain, PRM_REF},
    {"pushf", "", 4, 3, C::kModeDep, PRM},  // real 4, protected 3
    {"popf", "", 9, 6, C::kModeDep, PRM},   // real 9, protected 6
    {"enter", "Iw,Ib", 14, 17, C::kEnter, PRM},
    {"leave", "", 5, 5, C::kPlain, PRM},
    // Arithmetic and logic: reg,reg 1; reg,mem 2; mem,reg 3 (REFERENCE.md)
    {"add adc sub sbb and or xor", "Eb,Gb", 1, 3, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor", "Ev,Gv", 1, 3, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor", "Gb,Eb", 1, 2, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor", "Gv,Ev", 1, 2, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor", "Eb,Ib", 1, 3, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor", "Ev,Ib", 1, 3, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor", "Ev,Iz", 1, 3, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor cmp test", "AL,Ib", 1, 1, C::kPlain, PRM_REF},
    {"add adc sub sbb and or xor cmp test", "eAX,Iz", 1, 1, C::kPlain, PRM_REF},
    {"cmp", "*", 1, 2, C::kPlain, PRM},
    {"test", "*", 1, 2, C::kPlain, PRM},
    {"inc dec", "Eb", 1, 3, C::kPlain, PRM},
    {"inc dec", "Ev", 1, 3, C::kPlain, PRM},
    {"inc dec", "Zv", 1, 1, C::kPlain, PRM},
    {"neg not", "*", 1, 3, C::kPlain, PRM},
    {"mul imul", "*", 13, 13, C::kPlain, CHOICE},  // 13-18 (8 bit), 13-26 (16), 13-42 (32)
    {"div idiv", "*", 0, 0, C::kDivide, PRM},
    {"aaa aas", "", 3, 3, C::kPlain, PRM},
    {"daa das", "", 2, 2, C::kPlain, PRM},
    {"aad", "Ib", 14, 14, C::kPlain, PRM},
    {"aam", "Ib", 15, 15, C::kPlain, PRM},
    {"cbw cwd", "", 3, 3, C::kPlain, PRM},
    {"salc", "", 3, 3, C::kPlain, "undocumented; as SETcc (choice)"},
    // Shifts and rotates
    {"rol ror shl sal shr sar", "Eb,1", 3, 4, C::kPlain, PRM},
    {"rol ror shl sal shr sar", "Ev,1", 3, 4, C::kPlain, PRM},
    {"rol ror shl sal shr sar", "Eb,CL", 3, 4, C::kPlain, PRM},
    {"rol ror shl sal shr sar", "Ev,CL", 3, 4, C::kPlain, PRM},
    {"rol ror shl sal shr sar", "Eb,Ib", 2, 4, C::kPlain, PRM},
    {"rol ror shl sal shr sar", "Ev,Ib", 2, 4, C::kPlain, PRM},
    {"rcl rcr", "Eb,1", 3, 4, C::kPlain, PRM},
    {"rcl rcr", "Ev,1", 3, 4, C::kPlain, PRM},
    {"rcl rcr", "*", 8, 9, C::kPlain, CHOICE},  // by CL or imm: 8-30 / 9-31
    {"shld shrd", "Ev,Gv,Ib", 2, 3, C::kPlain, PRM},
    {"shld shrd", "Ev,Gv,CL", 3, 4, C::kPlain, PRM},
    // Bit operations
    {"bt", "Ev,Gv", 3, 8, C::kPlain, PRM},
    {"bt", "Ev,Ib", 3, 3, C::kPlain, PRM},
    {"bts btr btc", "Ev,Gv", 6, 13, C::kPlain, PRM},
    {"bts btr btc", "Ev,Ib", 6, 8, C::kPlain, PRM},
    {"bsf bsr", "Gv,Ev", 6, 7, C::kPlain, CHOICE},  // 6-42 / 6-103
    {"seto setno setb setae sete setne setbe seta sets setns setp setnp setl setge setle setg", "Eb", 3, 4, C::kPlain,
     MAME},                                      // PRM: 4/3 reg and 3/4 mem by condition
    {"cmpxchg", "*", 6, 7, C::kPlain, PRM_REF},  // memory: 7 equal, 10 not equal
    {"xadd", "*", 3, 4, C::kPlain, PRM},
    // Control transfer: Jcc taken 3 / not taken 1 (REFERENCE.md)
    {"jo jno jb jnb jz jnz jbe jnbe js jns jp jnp jl jnl jle jnle", "*", 3, 1, C::kBranch, PRM_REF},
    {"jcxz", "Jb", 8, 5, C::kBranch, PRM},
    {"loop", "Jb", 7, 6, C::kBranch, PRM},
    {"loope loopne", "Jb", 9, 6, C::kBranch, PRM},
    {"jmp", "Jb", 3, 3, C::kPlain, PRM_REF},
    {"jmp", "Jz", 3, 3, C::kPlain, PRM_REF},
    {"jmp", "Ev", 5, 5, C::kPlain, PRM_REF},
    {"call", "Jz", 3, 3, C::kPlain, PRM_REF},
    {"call", "Ev", 5, 5, C::kPlain, PRM_REF},
    {"ret", "", 5, 5, C::kPlain, PRM_REF},
    {"ret", "Iw", 5, 5, C::kPlain, PRM},
    {"jmp", "Ap", 13, 18, C::kModeDep, PRM},
    {"jmp", "Mp", 13, 18, C::kModeDep, PRM},
    {"call", "Ap", 18, 20, C::kFarCall, PRM},
    {"call", "Mp", 17, 20, C::kFarCall, PRM},
    {"retf", "*", 13, 18, C::kRetFar, PRM_REF},  // protected same 18, lower 33
    {"int", "Ib", 30, 44, C::kInt, PRM_REF},     // inner 71
    {"int3", "", 26, 44, C::kInt, PRM},
    {"into", "", 3, 3, C::kInto, PRM},
    {"iret", "", 15, 15, C::kIret, "PRM (NG, HelpPC, MAME 15; 86Box 20); REFERENCE.md"},
    {"bound", "Gv,Ma", 7, 7, C::kPlain, PRM},
    // Flags
    {"clc stc cmc cld std", "", 2, 2, C::kPlain, PRM},
    {"cli sti", "", 5, 5, C::kPlain, PRM_REF},
    {"lahf", "", 3, 3, C::kPlain, PRM},
    {"sahf", "", 2, 2, C::kPlain, PRM},
    // I/O and strings: formulas in the model
    {"in out", "*", 0, 0, C::kIn, PRM_REF},
    {"movs stos lods scas cmps ins outs", "*", 0, 0, C::kString, PRM_REF},
    // System
    {"lgdt lidt", "Ms", 11, 11, C::kPlain, PRM_REF},
    {"sgdt sidt", "Ms", 10, 10, C::kPlain, PRM},
    {"lldt", "Ew", 11, 11, C::kPlain, PRM_REF},
    {"ltr", "Ew", 20, 20, C::kPlain, PRM_REF},
    {"sldt str smsw", "Ew", 2, 3, C::kPlain, PRM},
    {"lmsw", "Ew", 13, 13, C::kPlain, PRM},
    {"clts", "", 7, 7, C::kPlain, PRM},
    {"lar", "Gv,Ew", 11, 11, C::kPlain, PRM},
    {"lsl", "Gv,Ew", 10, 10, C::kPlain, PRM},
    {"verr verw", "Ew", 11, 11, C::kPlain, PRM},
    {"arpl", "Ew,Gw", 9, 9, C::kPlain, PRM},
    {"invlpg", "Mb", 12, 12, C::kPlain, "Intel486 PRM 12 (11 on a miss); REFERENCE.md secondary"},
    {"invd", "", 4, 4, C::kPlain, PRM},
    {"wbinvd", "", 5, 5, C::kPlain, PRM},
    {"hlt", "", 4, 4, C::kPlain, PRM},
    {"nop", "", 1, 1, C::kPlain, PRM},
    {"wait", "", 1, 1, C::kPlain, "Intel486 PRM 1-3, lower bound (choice)"},
    {"esc", "*", 0, 0, C::kX87, PRM},
    {"cpuid rdtsc rdmsr wrmsr cmpxchg8b", "*", 0, 0, C::kNotOn486, "Pentium only (#UD on the 486)"},
};

bool word_in(const char* list, const char* word) {
  const size_t n = std::strlen(word);
  for (const char* p = list; *p;) {
    const char* e = std::strchr(p, ' ');
    const size_t len = e ? static_cast<size_t>(e - p) : std::strlen(p);
    if (len == n && std::strncmp(p, word, n) == 0) return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

u8 variant_of(const OpInfo& f, ClockClass cls) {
  const std::string m = f.mnemonic, ops = f.operands;
  switch (cls) {
    case ClockClass::kString: {
      const char* kinds[] = {"movs", "stos", "lods", "scas", "cmps", "ins", "outs"};
      for (u8 i = 0; i < 7; ++i)
        if (m == kinds[i]) return i;
      return 0;
    }
    case ClockClass::kIn: return static_cast<u8>((m == "out" ? 2 : 0) + (ops.find("DX") != std::string::npos ? 1 : 0));
    case ClockClass::kDivide: return static_cast<u8>((m == "idiv" ? 2 : 0) + (ops == "Eb" ? 0 : 1));
    default: return 0;
  }
}

// The register a form writes (its first operand, when it is a register), and
// the implicit accumulator writes. Compares and bit tests write nothing.
void dest_of(const OpInfo& f, FormClocks& c) {
  const std::string m = f.mnemonic, ops = f.operands;
  c.has_imm = f.imm == ImmKind::kB || f.imm == ImmKind::kW || f.imm == ImmKind::kZ;
  if (ops.find('J') != std::string::npos) c.has_imm = false;  // a branch displacement is not an immediate
  if (m == "cmp" || m == "test" || m == "bt" || m.rfind("push", 0) == 0 || m == "out" || m == "outs" || m == "stos" ||
      m == "movs" || m == "cmps" || m == "scas")
    return;
  if (m == "mul" || m == "div" || m == "idiv" || (m == "imul" && ops.find(',') == std::string::npos) || m == "cwd") {
    c.dest = DestKind::kAccDx;
    return;
  }
  if (m == "lods" || m == "in" || m == "cbw" || m == "lahf" || m == "xlat" || m == "aaa" || m == "aas" || m == "daa" ||
      m == "das" || m == "aad" || m == "aam" || m == "salc") {
    c.dest = DestKind::kAcc;
    c.dest_size = 1;
    return;
  }
  if (ops.empty()) return;
  const char k = ops[0];
  const char size = ops.size() > 1 ? ops[1] : 'v';
  c.dest_size = size == 'b' ? 1 : size == 'w' ? 2 : 0;
  if (ops.rfind("AL", 0) == 0)
    c.dest = DestKind::kAcc, c.dest_size = 1;
  else if (ops.rfind("eAX", 0) == 0)
    c.dest = DestKind::kAcc, c.dest_size = 0;
  else if (k == 'G')
    c.dest = DestKind::kG;
  else if (k == 'E' || k == 'R')
    c.dest = DestKind::kE;
  else if (k == 'Z')
    c.dest = DestKind::kZ;
}

}  // namespace

const std::vector<ClockRow>& i486_clock_rows() { return kRows; }

std::vector<FormClocks> build_i486_clocks(const OpTable& table) {
  std::vector<FormClocks> out(table.form_count());
  std::string missing;
  for (const OpInfo* f : table.all_forms()) {
    const ClockRow* hit = nullptr;
    for (const ClockRow& r : kRows) {
      if (!word_in(r.mnemonics, f->mnemonic)) continue;
      if (std::strcmp(r.operands, "*") != 0 && std::strcmp(r.operands, f->operands) != 0) continue;
      hit = &r;
      break;
    }
    if (!hit) {
      missing += std::string(missing.empty() ? "" : ", ") + f->mnemonic + " " + f->operands;
      continue;
    }
    FormClocks& c = out[f->id];
    c.reg = hit->reg;
    c.mem = hit->mem;
    c.cls = hit->cls;
    c.row = hit;
    c.variant = variant_of(*f, hit->cls);
    c.unaligned_operand = std::strcmp(f->operands, "Ms") == 0;
    c.flushes_cache = std::strcmp(f->mnemonic, "invd") == 0 || std::strcmp(f->mnemonic, "wbinvd") == 0;
    dest_of(*f, c);
  }
  if (!missing.empty()) throw std::logic_error("i486 clock table has no row for: " + missing);
  return out;
}

}  // namespace l4sim
