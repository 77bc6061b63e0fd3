// The x87 subset a kernel needs for lazy FPU switching: FNINIT, FNCLEX, FNSTSW,
// FNSTCW, FLDCW, FNSTENV, FLDENV, FNSAVE, FRSTOR, FNOP and WAIT, plus the CR0
// EM/MP/TS checks for every escape (D8-DF). The arithmetic, loads and stores are
// not modelled yet: they stop the run with CpuUnsupported naming the instruction.
//
// The escapes are registered as one form per opcode byte ("esc", ModRM operand)
// and dispatched here on ModRM mod/reg/rm, because the x87 map selects on mod
// (memory vs register forms) as well as reg, which the group table cannot express.
#include <fmt/format.h>

#include "cpu486/cpu.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// Status-word bits (Intel SDM vol. 1 §8.1.3).
namespace sw {
constexpr u16 kExceptions = 0x003F;  // IE DE ZE OE UE PE
constexpr u16 SF = 1u << 6;          // stack fault
constexpr u16 ES = 1u << 7;          // exception summary
constexpr u16 B = 1u << 15;          // busy: mirrors ES on the 387 and later
constexpr unsigned kTopShift = 11;
}  // namespace sw

// Control-word bits (Intel SDM vol. 1 §8.1.5).
namespace cw {
constexpr u16 kMasks = 0x003F;
constexpr u16 kInit = 0x037F;  // FNINIT value
// Bit 6 is reserved and reads as 1, bits 7 and 13-15 are reserved and read as 0
// (the FNINIT value 037FH shows bit 6 set). Intel documents them only as
// reserved; we force them as Bochs does, so FNSTCW after FLDCW is deterministic.
constexpr u16 kReservedZero = 0xE080;
constexpr u16 kReservedOne = 0x0040;
}  // namespace cw

// ---- Names for the diagnostic of unmodelled forms -------------------------

// Memory forms, [opcode - D8][ModRM.reg] (Intel SDM vol. 2 appendix A.4, table A-7 ff.).
// "(reserved)" forms are undefined on the i486.
constexpr const char* kMemNames[8][8] = {
    {"fadd m32fp", "fmul m32fp", "fcom m32fp", "fcomp m32fp", "fsub m32fp", "fsubr m32fp", "fdiv m32fp", "fdivr m32fp"},
    {"fld m32fp", "(reserved D9 /1)", "fst m32fp", "fstp m32fp", "fldenv", "fldcw", "fnstenv", "fnstcw"},
    {"fiadd m32int", "fimul m32int", "ficom m32int", "ficomp m32int", "fisub m32int", "fisubr m32int", "fidiv m32int",
     "fidivr m32int"},
    {"fild m32int", "(reserved DB /1)", "fist m32int", "fistp m32int", "(reserved DB /4)", "fld m80fp",
     "(reserved DB /6)", "fstp m80fp"},
    {"fadd m64fp", "fmul m64fp", "fcom m64fp", "fcomp m64fp", "fsub m64fp", "fsubr m64fp", "fdiv m64fp", "fdivr m64fp"},
    {"fld m64fp", "(reserved DD /1)", "fst m64fp", "fstp m64fp", "frstor", "(reserved DD /5)", "fnsave", "fnstsw m16"},
    {"fiadd m16int", "fimul m16int", "ficom m16int", "ficomp m16int", "fisub m16int", "fisubr m16int", "fidiv m16int",
     "fidivr m16int"},
    {"fild m16int", "(reserved DF /1)", "fist m16int", "fistp m16int", "fbld m80bcd", "fild m64int", "fbstp m80bcd",
     "fistp m64int"},
};

// Register forms (mod = 3) whose name depends only on reg, [opcode - D8][reg];
// null where rm selects the instruction (handled in reg_form_name).
constexpr const char* kRegNames[8][8] = {
    {"fadd st,st(i)", "fmul st,st(i)", "fcom st(i)", "fcomp st(i)", "fsub st,st(i)", "fsubr st,st(i)", "fdiv st,st(i)",
     "fdivr st,st(i)"},
    {"fld st(i)", "fxch st(i)", nullptr, "(reserved D9 /3)", nullptr, nullptr, nullptr, nullptr},
    // DA C0-DF are FCMOVcc (P6, not the i486 or Pentium).
    {"(reserved DA /0)", "(reserved DA /1)", "(reserved DA /2)", "(reserved DA /3)", "(reserved DA /4)", nullptr,
     "(reserved DA /6)", "(reserved DA /7)"},
    {"(reserved DB /0)", "(reserved DB /1)", "(reserved DB /2)", "(reserved DB /3)", nullptr, "(reserved DB /5)",
     "(reserved DB /6)", "(reserved DB /7)"},
    // DC E0+i is FSUBR st(i),st and E8+i FSUB st(i),st (Intel SDM vol. 2 FSUB/FSUBR).
    {"fadd st(i),st", "fmul st(i),st", "(reserved DC /2)", "(reserved DC /3)", "fsubr st(i),st", "fsub st(i),st",
     "fdivr st(i),st", "fdiv st(i),st"},
    {"ffree st(i)", "(reserved DD /1)", "fst st(i)", "fstp st(i)", "fucom st(i)", "fucomp st(i)", "(reserved DD /6)",
     "(reserved DD /7)"},
    {"faddp st(i),st", "fmulp st(i),st", "(reserved DE /2)", nullptr, "fsubrp st(i),st", "fsubp st(i),st",
     "fdivrp st(i),st", "fdivp st(i),st"},
    {"(reserved DF /0)", "(reserved DF /1)", "(reserved DF /2)", "(reserved DF /3)", nullptr, "(reserved DF /5)",
     "(reserved DF /6)", "(reserved DF /7)"},
};

constexpr const char* kD9E0[8] = {"fchs", "fabs", "(reserved D9 E2)", "(reserved D9 E3)",
                                  "ftst", "fxam", "(reserved D9 E6)", "(reserved D9 E7)"};
constexpr const char* kD9E8[8] = {"fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", "(reserved D9 EF)"};
constexpr const char* kD9F0[8] = {"f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp"};
constexpr const char* kD9F8[8] = {"fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos"};

const char* reg_form_name(unsigned esc, unsigned reg, unsigned rm) {
  if (const char* n = kRegNames[esc][reg]) return n;
  switch (esc * 8 + reg) {
    case 1 * 8 + 2: return rm == 0 ? "fnop" : "(reserved D9 /2)";
    case 1 * 8 + 4: return kD9E0[rm];
    case 1 * 8 + 5: return kD9E8[rm];
    case 1 * 8 + 6: return kD9F0[rm];
    case 1 * 8 + 7: return kD9F8[rm];
    case 2 * 8 + 5: return rm == 1 ? "fucompp" : "(reserved DA /5)";
    case 3 * 8 + 4: {
      constexpr const char* kDBE0[8] = {"fneni",   "fndisi",           "fnclex",           "fninit",
                                        "fnsetpm", "(reserved DB E5)", "(reserved DB E6)", "(reserved DB E7)"};
      return kDBE0[rm];
    }
    case 6 * 8 + 3: return rm == 1 ? "fcompp" : "(reserved DE /3)";
    case 7 * 8 + 4: return rm == 0 ? "fnstsw ax" : "(reserved DF /4)";
    default: return "(reserved)";
  }
}

[[noreturn]] void unsupported(Cpu& c, const DecodedInsn& d) {
  const unsigned esc = d.opcode - 0xD8;
  const char* name = d.mem ? kMemNames[esc][d.reg()] : reg_form_name(esc, d.reg(), d.rm());
  throw CpuUnsupported(fmt::format("x87 arithmetic instruction {} ({:02X} {:02X}) at {:#x} is not modelled yet", name,
                                   d.opcode, d.modrm, c.insn_eip()));
}

// ---- Exception checks ------------------------------------------------------

// CR0.EM/TS for an ESC instruction (Intel SDM vol. 3 §2.5 and table 2-2 "Action
// Taken By x87 FPU Instructions for Different Combinations of EM, MP, and TS"):
// EM = 1 or TS = 1 raises #NM, for the non-waiting control forms as well.
void check_nm_esc(Cpu& c) {
  if (c.s.cr0 & (cr0::EM | cr0::TS)) c.raise(vec::NM);
}

// A pending unmasked exception is signalled at the next waiting x87 instruction
// (everything but the FN control forms) before it executes (Intel SDM vol. 1
// §8.6 and §8.7). With CR0.NE = 1 that is #MF; with NE = 0 the chip asserts FERR#
// for the PC's IRQ13 logic, which the simulator does not model.
void check_pending(Cpu& c) {
  if (!(c.s.fpu.sw & sw::ES)) return;
  if (c.s.cr0 & cr0::NE) c.raise(vec::MF);
  throw CpuUnsupported(
      fmt::format("x87 error reporting through FERR#/IRQ13 (CR0.NE = 0) at {:#x} is not modelled", c.insn_eip()));
}

// ES and B follow the unmasked exception flags after the control word or the
// status word is loaded (FLDCW, FLDENV, FRSTOR: Intel SDM vol. 2 "If one or more
// unmasked exception flags are set ... a floating-point exception will be
// generated upon execution of the next floating-point instruction"). Bochs
// recomputes the summary the same way.
void update_summary(FpuState& f) {
  if (f.sw & ~f.cw & sw::kExceptions)
    f.sw |= sw::ES | sw::B;
  else
    f.sw &= static_cast<u16>(~(sw::ES | sw::B));
}

// ---- State helpers ---------------------------------------------------------

void fninit(FpuState& f) {
  // Intel SDM vol. 2 FINIT/FNINIT: CW = 037FH, SW = 0, TW = FFFFH, the instruction
  // and data pointers and the last opcode cleared; data registers unchanged.
  f.cw = cw::kInit;
  f.sw = 0;
  f.tw = 0xFFFF;
  f.fip = 0;
  f.fcs = 0;
  f.fop = 0;
  f.fdp = 0;
  f.fds = 0;
}

unsigned top_of(const FpuState& f) { return (f.sw >> sw::kTopShift) & 7; }

// The tag a non-empty register gets from its contents (Intel SDM vol. 1 §8.1.7):
// 00 valid, 01 zero, 10 special (NaN, infinity, denormal, and the unsupported
// formats with a clear integer bit).
unsigned tag_of(const std::array<u8, 10>& r) {
  u64 mant = 0;
  for (int i = 7; i >= 0; --i) mant = (mant << 8) | r[static_cast<size_t>(i)];
  const unsigned exp = (r[8] | (static_cast<unsigned>(r[9]) << 8)) & 0x7FFF;
  if (exp == 0) return mant == 0 ? 1 : 2;
  if (exp == 0x7FFF) return 2;
  if (!(mant >> 63)) return 2;  // unnormal / pseudo-NaN: unsupported on the i486
  return 0;
}

// FSTENV/FSAVE store tags computed from the register contents for every
// register not tagged empty (Intel SDM vol. 1 §8.1.7; the stored tag word always
// describes the contents), so the internal tag word only needs empty/non-empty.
u16 stored_tag_word(const FpuState& f) {
  u16 tw = 0;
  for (unsigned i = 0; i < 8; ++i) {
    unsigned t = (f.tw >> (2 * i)) & 3;
    if (t != 3) t = tag_of(f.st[i]);
    tw = static_cast<u16>(tw | (t << (2 * i)));
  }
  return tw;
}

bool real_layout(const Cpu& c) { return c.s.real_mode() || c.s.v86(); }

// Offset of byte k of the memory operand, wrapping at the address size.
u32 off(const Cpu& c, const DecodedInsn& d, u32 k) {
  const u32 a = c.ea(d) + k;
  return d.addr32 ? a : (a & 0xFFFF);
}

// The environment image (Intel SDM vol. 1 §8.1.10, figures 8-9 to 8-12). Layout
// by operand size (14 or 28 bytes) and by mode: protected mode stores the
// selector:offset pointers, real and virtual-8086 mode the 20/32-bit linear
// pointers split around the opcode. Reserved halves of the 32-bit image are
// stored as 1s (what Bochs does and the chips are observed to store).
struct EnvImage {
  u32 w[7] = {};  // 32-bit format: seven doublewords; 16-bit format: seven words
};

unsigned env_size(const DecodedInsn& d) { return d.op32 ? 28 : 14; }

EnvImage make_env(const Cpu& c, const DecodedInsn& d) {
  const FpuState& f = c.s.fpu;
  EnvImage e;
  const u32 tw = stored_tag_word(f);
  if (d.op32) {
    e.w[0] = 0xFFFF0000u | f.cw;
    e.w[1] = 0xFFFF0000u | f.sw;
    e.w[2] = 0xFFFF0000u | tw;
    if (!real_layout(c)) {
      e.w[3] = f.fip;
      e.w[4] = f.fcs | (static_cast<u32>(f.fop & 0x7FF) << 16);
      e.w[5] = f.fdp;
      e.w[6] = 0xFFFF0000u | f.fds;
    } else {
      const u32 ip = (static_cast<u32>(f.fcs) << 4) + f.fip;
      const u32 dp = (static_cast<u32>(f.fds) << 4) + f.fdp;
      e.w[3] = 0xFFFF0000u | (ip & 0xFFFF);
      e.w[4] = (f.fop & 0x7FFu) | ((ip >> 16) << 12);
      e.w[5] = 0xFFFF0000u | (dp & 0xFFFF);
      e.w[6] = (dp >> 16) << 12;
    }
  } else {
    e.w[0] = f.cw;
    e.w[1] = f.sw;
    e.w[2] = tw;
    if (!real_layout(c)) {
      e.w[3] = f.fip & 0xFFFF;
      e.w[4] = f.fcs;
      e.w[5] = f.fdp & 0xFFFF;
      e.w[6] = f.fds;
    } else {
      const u32 ip = (static_cast<u32>(f.fcs) << 4) + f.fip;
      const u32 dp = (static_cast<u32>(f.fds) << 4) + f.fdp;
      e.w[3] = ip & 0xFFFF;
      e.w[4] = (f.fop & 0x7FFu) | (((ip >> 16) & 0xF) << 12);
      e.w[5] = dp & 0xFFFF;
      e.w[6] = ((dp >> 16) & 0xF) << 12;
    }
  }
  return e;
}

void write_env(Cpu& c, const DecodedInsn& d, const EnvImage& e) {
  for (u32 i = 0; i < 7; ++i) {
    if (d.op32)
      c.write<u32>(d.seg, off(c, d, 4 * i), e.w[i]);
    else
      c.write<u16>(d.seg, off(c, d, 2 * i), static_cast<u16>(e.w[i]));
  }
}

EnvImage read_env(Cpu& c, const DecodedInsn& d) {
  EnvImage e;
  for (u32 i = 0; i < 7; ++i)
    e.w[i] = d.op32 ? c.read<u32>(d.seg, off(c, d, 4 * i)) : c.read<u16>(d.seg, off(c, d, 2 * i));
  return e;
}

// Loads an environment image into the state (after every read has succeeded).
// In real/v86 mode the pointers are linear; they are kept as offsets with a
// zero selector.
void apply_env(Cpu& c, const DecodedInsn& d, const EnvImage& e) {
  FpuState& f = c.s.fpu;
  f.cw = static_cast<u16>((e.w[0] & ~cw::kReservedZero) | cw::kReservedOne);
  f.sw = static_cast<u16>(e.w[1]);
  f.tw = static_cast<u16>(e.w[2]);
  if (!real_layout(c)) {
    f.fip = d.op32 ? e.w[3] : (e.w[3] & 0xFFFF);
    f.fcs = static_cast<u16>(e.w[4]);
    f.fop = d.op32 ? static_cast<u16>((e.w[4] >> 16) & 0x7FF) : 0;
    f.fdp = d.op32 ? e.w[5] : (e.w[5] & 0xFFFF);
    f.fds = static_cast<u16>(e.w[6]);
  } else {
    const unsigned hi_bits = d.op32 ? 16 : 4;
    const u32 hi_mask = (1u << hi_bits) - 1;
    f.fip = (e.w[3] & 0xFFFF) | (((e.w[4] >> 12) & hi_mask) << 16);
    f.fop = static_cast<u16>(e.w[4] & 0x7FF);
    f.fdp = (e.w[5] & 0xFFFF) | (((e.w[6] >> 12) & hi_mask) << 16);
    f.fcs = 0;
    f.fds = 0;
  }
  update_summary(f);
}

// ---- Handlers --------------------------------------------------------------

// FNSTENV m14/28byte: stores the environment, then masks all exceptions (Intel
// SDM vol. 2 FSTENV/FNSTENV: "FPUControlWord[5:0] <- 111111B").
void fnstenv(Cpu& c, const DecodedInsn& d) {
  write_env(c, d, make_env(c, d));
  c.s.fpu.cw |= cw::kMasks;
}

void fldenv(Cpu& c, const DecodedInsn& d) {
  check_pending(c);
  apply_env(c, d, read_env(c, d));
}

// FNSAVE m94/108byte: environment then ST(0)..ST(7) (stack order, 10 bytes each),
// then the FPU is re-initialised as by FNINIT (Intel SDM vol. 2 FSAVE/FNSAVE).
void fnsave(Cpu& c, const DecodedInsn& d) {
  FpuState& f = c.s.fpu;
  write_env(c, d, make_env(c, d));
  const u32 base = env_size(d);
  const unsigned top = top_of(f);
  for (u32 i = 0; i < 8; ++i) {
    const auto& r = f.st[(top + i) & 7];
    for (u32 k = 0; k < 10; ++k) c.write<u8>(d.seg, off(c, d, base + 10 * i + k), r[k]);
  }
  fninit(f);
}

// FRSTOR m94/108byte: every byte is read before anything is committed, so a
// fault leaves the FPU unchanged.
void frstor(Cpu& c, const DecodedInsn& d) {
  check_pending(c);
  const EnvImage e = read_env(c, d);
  const u32 base = env_size(d);
  std::array<std::array<u8, 10>, 8> regs;
  for (u32 i = 0; i < 8; ++i)
    for (u32 k = 0; k < 10; ++k) regs[i][k] = c.read<u8>(d.seg, off(c, d, base + 10 * i + k));
  apply_env(c, d, e);
  const unsigned top = top_of(c.s.fpu);
  for (unsigned i = 0; i < 8; ++i) c.s.fpu.st[(top + i) & 7] = regs[i];
}

void fldcw(Cpu& c, const DecodedInsn& d) {
  check_pending(c);
  const u16 v = c.read<u16>(d.seg, c.ea(d));
  c.s.fpu.cw = static_cast<u16>((v & ~cw::kReservedZero) | cw::kReservedOne);
  update_summary(c.s.fpu);
}

void fnstcw(Cpu& c, const DecodedInsn& d) { c.write<u16>(d.seg, c.ea(d), c.s.fpu.cw); }
void fnstsw_m(Cpu& c, const DecodedInsn& d) { c.write<u16>(d.seg, c.ea(d), c.s.fpu.sw); }

// FNCLEX: clears the exception flags, SF, ES and B; C0-C3 are undefined and left
// unchanged (Intel SDM vol. 2 FCLEX/FNCLEX).
void fnclex(FpuState& f) { f.sw &= static_cast<u16>(~(sw::kExceptions | sw::SF | sw::ES | sw::B)); }

// FNOP is a waiting, non-control instruction: it records its address and opcode
// as the last x87 instruction (Intel SDM vol. 1 §8.1.8 and §8.1.9). It has no
// memory operand, so the data pointer is left as it was.
void fnop(Cpu& c, const DecodedInsn& d) {
  check_pending(c);
  FpuState& f = c.s.fpu;
  f.fip = c.insn_eip();
  f.fcs = c.s.seg[CS].selector;
  f.fop = static_cast<u16>(((d.opcode & 7) << 8) | d.modrm);
}

void esc_mem(Cpu& c, const DecodedInsn& d) {
  switch ((d.opcode - 0xD8) * 8 + d.reg()) {
    case 1 * 8 + 4: return fldenv(c, d);
    case 1 * 8 + 5: return fldcw(c, d);
    case 1 * 8 + 6: return fnstenv(c, d);
    case 1 * 8 + 7: return fnstcw(c, d);
    case 5 * 8 + 4: return frstor(c, d);
    case 5 * 8 + 6: return fnsave(c, d);
    case 5 * 8 + 7: return fnstsw_m(c, d);
    default: break;
  }
  check_pending(c);
  unsupported(c, d);
}

void esc_reg(Cpu& c, const DecodedInsn& d) {
  switch (d.opcode) {
    case 0xD9:
      if (d.modrm == 0xD0) return fnop(c, d);
      break;
    case 0xDB:
      switch (d.modrm) {
        case 0xE0:  // FNENI
        case 0xE1:  // FNDISI
        case 0xE4:  // FNSETPM
          // 8087/80287 controls; the 387 and the i486 execute them as FNOP without
          // changing state (Intel387 programmer's reference, "FENI/FDISI/FSETPM").
          return;
        case 0xE2: return fnclex(c.s.fpu);
        case 0xE3: return fninit(c.s.fpu);
        default: break;
      }
      break;
    case 0xDF:
      if (d.modrm == 0xE0) {  // FNSTSW AX
        c.set_reg<u16>(EAX, c.s.fpu.sw);
        return;
      }
      break;
    default: break;
  }
  check_pending(c);
  unsupported(c, d);
}

void esc(Cpu& c, const DecodedInsn& d) {
  check_nm_esc(c);
  if (d.mem)
    esc_mem(c, d);
  else
    esc_reg(c, d);
}

// WAIT/FWAIT: #NM only when MP = 1 and TS = 1 (Intel SDM vol. 3 table 2-2);
// otherwise it signals a pending unmasked exception, if any.
void fwait(Cpu& c, const DecodedInsn&) {
  if ((c.s.cr0 & (cr0::MP | cr0::TS)) == (cr0::MP | cr0::TS)) c.raise(vec::NM);
  check_pending(c);
}

}  // namespace

void register_x87(OpTable& t) {
  for (u16 op = 0xD8; op <= 0xDF; ++op) t.set(op, "esc", "Ev", esc, kOpX87);
  t.set(0x9B, "wait", "", fwait, kOpX87);
}

}  // namespace l4sim
