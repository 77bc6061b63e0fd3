// String instructions: MOVS (A4/A5), CMPS (A6/A7), STOS (AA/AB), LODS (AC/AD),
// SCAS (AE/AF), INS (6C/6D), OUTS (6E/6F), with the REP/REPE/REPNE prefixes.
//
// Intel SDM vol. 2 "MOVS", "CMPS", "SCAS", "LODS", "STOS", "INS", "OUTS",
// "REP/REPE/REPZ/REPNE/REPNZ":
// * The address size selects SI/DI/CX (16-bit wrap, upper halves untouched) or
//   ESI/EDI/ECX.
// * The source DS:(E)SI honours a segment override; the destination ES:(E)DI
//   cannot be overridden.
// * EFLAGS.DF = 0 increments the index registers by the element size, DF = 1
//   decrements them.
// * A repeated instruction runs ONE iteration per step (see
//   Cpu::repeat_instruction): with (E)CX = 0 it does nothing; otherwise it does
//   one element, decrements the count and re-executes itself while the count is
//   not zero and, for CMPS/SCAS, the REPE (ZF = 1) / REPNE (ZF = 0) condition
//   holds. Interrupts are therefore taken between iterations, with EIP pointing
//   at the instruction and the registers reflecting the progress, as on the chip.
// * Each element does all its memory and I/O checks before it updates (E)SI,
//   (E)DI or (E)CX, so a fault in the middle of a REP leaves the registers
//   describing the elements already done (restartable).
#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

template <bool kA32>
u32 index_reg(const Cpu& c, unsigned r) {
  return kA32 ? c.s.r[r] : (c.s.r[r] & 0xFFFF);
}

template <bool kA32>
void set_index_reg(Cpu& c, unsigned r, u32 v) {
  if (kA32)
    c.s.r[r] = v;
  else
    c.set_reg<u16>(r, static_cast<u16>(v));
}

// Steps an index register by one element in the direction of DF.
template <class T, bool kA32>
void advance(Cpu& c, unsigned r) {
  const u32 delta = c.flag(fl::DF) ? static_cast<u32>(-static_cast<i32>(sizeof(T))) : static_cast<u32>(sizeof(T));
  set_index_reg<kA32>(c, r, c.s.r[r] + delta);
}

struct Movs {
  static constexpr bool kCompare = false;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn& d) {
    const T v = c.read<T>(d.seg, index_reg<kA32>(c, ESI));
    c.write<T>(ES, index_reg<kA32>(c, EDI), v);
    advance<T, kA32>(c, ESI);
    advance<T, kA32>(c, EDI);
  }
};

// CMPS computes [source] - [destination] for the flags (operand order of the
// Intel mnemonic "CMPS m, m": SRC1 = DS:(E)SI, SRC2 = ES:(E)DI).
struct Cmps {
  static constexpr bool kCompare = true;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn& d) {
    const T a = c.read<T>(d.seg, index_reg<kA32>(c, ESI));
    const T b = c.read<T>(ES, index_reg<kA32>(c, EDI));
    flags::sub<T>(c, a, b);
    advance<T, kA32>(c, ESI);
    advance<T, kA32>(c, EDI);
  }
};

// SCAS computes AL/AX/EAX - [ES:(E)DI] for the flags.
struct Scas {
  static constexpr bool kCompare = true;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn&) {
    const T b = c.read<T>(ES, index_reg<kA32>(c, EDI));
    flags::sub<T>(c, c.reg<T>(EAX), b);
    advance<T, kA32>(c, EDI);
  }
};

struct Lods {
  static constexpr bool kCompare = false;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn& d) {
    const T v = c.read<T>(d.seg, index_reg<kA32>(c, ESI));
    c.set_reg<T>(EAX, v);
    advance<T, kA32>(c, ESI);
  }
};

struct Stos {
  static constexpr bool kCompare = false;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn&) {
    c.write<T>(ES, index_reg<kA32>(c, EDI), c.reg<T>(EAX));
    advance<T, kA32>(c, EDI);
  }
};

// INS: the I/O permission check comes first (#GP(0), Intel SDM vol. 2 "INS"),
// then the destination is checked for writing (segment and paging) before the
// port is read. Intel's pseudo-code only says "DEST <- SRC"; probing first means
// a faulting INS that is restarted after the handler does not read the device
// twice (a FIFO would lose a byte).
struct Ins {
  static constexpr bool kCompare = false;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn&) {
    const u16 port = c.reg<u16>(EDX);
    c.check_io(port, sizeof(T));
    const u32 lin = c.seg_check(ES, index_reg<kA32>(c, EDI), sizeof(T), true);
    c.probe_write(lin, sizeof(T));
    const T v = static_cast<T>(c.bus().io_read(port, sizeof(T)));
    c.write_lin<T>(lin, v);
    advance<T, kA32>(c, EDI);
  }
};

struct Outs {
  static constexpr bool kCompare = false;
  template <class T, bool kA32>
  static void one(Cpu& c, const DecodedInsn& d) {
    const u16 port = c.reg<u16>(EDX);
    c.check_io(port, sizeof(T));
    const T v = c.read<T>(d.seg, index_reg<kA32>(c, ESI));
    c.bus().io_write(port, sizeof(T), v);
    advance<T, kA32>(c, ESI);
  }
};

// One step of a possibly repeated string instruction. F2 and F3 both act as a
// plain REP on the instructions that do not compare (MOVS, LODS, STOS, INS,
// OUTS): Intel documents REPNE only for CMPS/SCAS; Intel processors since the
// 8086 repeat the others under F2 exactly as under F3, and Bochs and QEMU do
// the same.
template <class Op, class T, bool kA32>
void string_a(Cpu& c, const DecodedInsn& d) {
  if (!(d.prefixes & (pfx::kRep | pfx::kRepne))) {
    Op::template one<T, kA32>(c, d);
    return;
  }
  const u32 n = index_reg<kA32>(c, ECX);
  if (n == 0) return;
  Op::template one<T, kA32>(c, d);
  const u32 left = kA32 ? n - 1 : ((n - 1) & 0xFFFF);
  set_index_reg<kA32>(c, ECX, left);
  bool more = left != 0;
  // REPE/REPZ continues while ZF = 1, REPNE/REPNZ while ZF = 0.
  if constexpr (Op::kCompare) more = more && (c.flag(fl::ZF) == d.rep());
  if (more) c.repeat_instruction();
}

template <class Op, class T>
void string_op(Cpu& c, const DecodedInsn& d) {
  if (d.addr32)
    string_a<Op, T, true>(c, d);
  else
    string_a<Op, T, false>(c, d);
}

}  // namespace

void register_string(OpTable& t) {
  t.set(0xA4, "movs", "Yb,Xb", string_op<Movs, u8>, kOpString);
  t.set(0xA5, "movs", "Yv,Xv", string_op<Movs, u16>, string_op<Movs, u32>, kOpString);
  t.set(0xA6, "cmps", "Xb,Yb", string_op<Cmps, u8>, kOpString);
  t.set(0xA7, "cmps", "Xv,Yv", string_op<Cmps, u16>, string_op<Cmps, u32>, kOpString);
  t.set(0xAA, "stos", "Yb,AL", string_op<Stos, u8>, kOpString);
  t.set(0xAB, "stos", "Yv,eAX", string_op<Stos, u16>, string_op<Stos, u32>, kOpString);
  t.set(0xAC, "lods", "AL,Xb", string_op<Lods, u8>, kOpString);
  t.set(0xAD, "lods", "eAX,Xv", string_op<Lods, u16>, string_op<Lods, u32>, kOpString);
  t.set(0xAE, "scas", "AL,Yb", string_op<Scas, u8>, kOpString);
  t.set(0xAF, "scas", "eAX,Yv", string_op<Scas, u16>, string_op<Scas, u32>, kOpString);
  // INS/OUTS: the 32-bit operand size moves doublewords ("z" = 16 or 32).
  t.set(0x6C, "ins", "Yb,DX", string_op<Ins, u8>, kOpString);
  t.set(0x6D, "ins", "Yz,DX", string_op<Ins, u16>, string_op<Ins, u32>, kOpString);
  t.set(0x6E, "outs", "DX,Xb", string_op<Outs, u8>, kOpString);
  t.set(0x6F, "outs", "DX,Xz", string_op<Outs, u16>, string_op<Outs, u32>, kOpString);
}

}  // namespace l4sim
