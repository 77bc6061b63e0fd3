// Bit operations and the i486 atomic/byte-order additions:
// BT/BTS/BTR/BTC (0F A3/AB/B3/BB with a register bit offset, 0F BA /4-/7 with
// imm8), BSF/BSR (0F BC/BD), SETcc (0F 90-9F), CMPXCHG (0F B0/B1), XADD
// (0F C0/C1), BSWAP (0F C8-CF) and the Pentium's CMPXCHG8B (0F C7 /1).
#include <type_traits>

#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

template <class T>
constexpr unsigned kBits = sizeof(T) * 8;
template <class T>
constexpr unsigned kLog2Bits = sizeof(T) == 2 ? 4 : 5;

enum BitOp { kBt, kBts, kBtr, kBtc };

// Intel SDM vol. 2 "BT": CF receives the selected bit; ZF is unaffected; OF, SF,
// AF and PF are undefined and we leave them unchanged. CF is set
// after the write, so a faulting access changes no flag.
template <int Op, class T>
T bit_apply(T v, unsigned bit) {
  const T m = static_cast<T>(T{1} << bit);
  switch (Op) {
    case kBts: return static_cast<T>(v | m);
    case kBtr: return static_cast<T>(v & ~m);
    case kBtc: return static_cast<T>(v ^ m);
    default: return v;
  }
}

// BTx Ev,Gv. With a register operand the offset is taken modulo the operand
// size. With a memory operand the offset is a signed 16- or 32-bit value that
// can address any bit relative to the ModRM address (SDM "BT", "Bit(BitBase,
// BitOffset)"): the word or dword at EA + (size in bytes) * (offset SAR log2(bits))
// is accessed, and bit (offset mod bits) of it is used. With 16-bit addressing
// the sum wraps at 64 KB like any other 16-bit offset.
template <class T, int Op>
void bt_e_g(Cpu& c, const DecodedInsn& d) {
  using S = std::make_signed_t<T>;
  const T off = c.reg<T>(d.reg());
  const unsigned bit = off & (kBits<T> - 1);
  if (!d.mem) {
    const T v = c.reg<T>(d.rm());
    if constexpr (Op != kBt) c.set_reg<T>(d.rm(), bit_apply<Op>(v, bit));
    c.set_flag(fl::CF, (v >> bit) & 1);
    return;
  }
  const i32 units = static_cast<i32>(static_cast<S>(off)) >> kLog2Bits<T>;  // arithmetic shift (C++20)
  u32 addr = c.ea(d) + static_cast<u32>(units) * static_cast<u32>(sizeof(T));
  if (!d.addr32) addr &= 0xFFFF;
  constexpr bool kWrite = Op != kBt;
  const u32 lin = c.seg_check(d.seg, addr, sizeof(T), kWrite);
  if (kWrite) c.probe_write(lin, sizeof(T));
  const T v = c.read_lin<T>(lin);
  if constexpr (kWrite) c.write_lin<T>(lin, bit_apply<Op>(v, bit));
  c.set_flag(fl::CF, (v >> bit) & 1);
}

// BTx Ev,Ib: the immediate offset is masked to the operand size; the memory
// operand is the ModRM address itself.
template <class T, int Op>
void bt_e_ib(Cpu& c, const DecodedInsn& d) {
  const unsigned bit = d.imm & (kBits<T> - 1);
  T v;
  if constexpr (Op == kBt) {
    v = c.read_rm<T>(d);
  } else {
    Cpu::RmwRef ref;
    v = c.rmw_read<T>(d, ref);
    c.rmw_write<T>(ref, bit_apply<Op>(v, bit));
  }
  c.set_flag(fl::CF, (v >> bit) & 1);
}

// BSF/BSR (SDM vol. 2 "BSF", "BSR"): a zero source sets ZF and leaves the
// destination unchanged. Intel calls the destination "undefined"; the i486 (and
// the Intel parts after it) leave it unchanged, AMD documents exactly that, and
// software relies on it. Otherwise ZF = 0 and the destination receives the bit
// index. CF, OF, SF, AF and PF are undefined: we leave them unchanged.
template <class T, bool kReverse>
void bsf_bsr(Cpu& c, const DecodedInsn& d) {
  const T src = c.read_rm<T>(d);
  if (src == 0) {
    c.set_flag(fl::ZF, true);
    return;
  }
  const u32 v = src;
  const unsigned idx =
      kReverse ? 31u - static_cast<unsigned>(__builtin_clz(v)) : static_cast<unsigned>(__builtin_ctz(v));
  c.set_reg<T>(d.reg(), static_cast<T>(idx));
  c.set_flag(fl::ZF, false);
}

// SETcc Eb: 1 if the condition holds, else 0. ModRM.reg is ignored.
void setcc(Cpu& c, const DecodedInsn& d) { c.write_rm<u8>(d, flags::cond(c, d.opcode & 0xF) ? 1 : 0); }

// CMPXCHG Ex,Gx (SDM vol. 2 "CMPXCHG"): compares the accumulator with the
// destination (flags as CMP acc, dest). Equal: dest <- src. Not equal: acc <- dest.
// The destination is always written (the old value on failure), so a locked
// CMPXCHG on memory is always a locked read-modify-write cycle.
// (Early i486 A-step parts used opcodes 0F A6/A7; we model the production B0/B1.)
template <class T>
void cmpxchg(Cpu& c, const DecodedInsn& d) {
  const T src = c.reg<T>(d.reg());
  Cpu::RmwRef ref;
  const T dst = c.rmw_read<T>(d, ref);
  const T acc = c.reg<T>(EAX);
  if (acc == dst) {
    c.rmw_write<T>(ref, src);
  } else {
    c.rmw_write<T>(ref, dst);
    c.set_reg<T>(EAX, dst);
  }
  flags::sub<T>(c, acc, dst);
}

// XADD Ex,Gx (SDM vol. 2 "XADD"): TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP,
// flags as ADD. Writing DEST last makes XADD reg,reg with the same register
// leave the sum there.
template <class T>
void xadd(Cpu& c, const DecodedInsn& d) {
  const T src = c.reg<T>(d.reg());
  Cpu::RmwRef ref;
  const T dst = c.rmw_read<T>(d, ref);
  const T sum = static_cast<T>(dst + src);
  if (ref.mem) {
    c.rmw_write<T>(ref, sum);
    c.set_reg<T>(d.reg(), dst);
  } else {
    c.set_reg<T>(d.reg(), dst);
    c.rmw_write<T>(ref, sum);
  }
  flags::add<T>(c, dst, src);
}

// BSWAP r32. With a 16-bit operand size the result is undefined (SDM "BSWAP");
// we clear the low 16 bits and keep the upper half, the result commonly reported
// for Intel processors.
void bswap32(Cpu& c, const DecodedInsn& d) {
  const unsigned r = d.opcode & 7;
  c.s.r[r] = __builtin_bswap32(c.s.r[r]);
}
void bswap16(Cpu& c, const DecodedInsn& d) { c.set_reg<u16>(d.opcode & 7, 0); }

// CMPXCHG8B m64 (Pentium; SDM vol. 2 "CMPXCHG8B"): compares EDX:EAX with m64.
// Equal: ZF = 1 and m64 <- ECX:EBX. Otherwise ZF = 0 and EDX:EAX <- m64; the
// destination is written back with its old value. Only ZF changes. The register
// form is #UD (kOpMemOnly) and so is the opcode on the i486 (kOpPentium).
void cmpxchg8b(Cpu& c, const DecodedInsn& d) {
  const u32 off = c.ea(d);
  const u32 lin = c.seg_check(d.seg, off, 8, true);
  c.probe_write(lin, 8);
  const u32 lo = c.read_lin<u32>(lin);
  const u32 hi = c.read_lin<u32>(lin + 4);
  const bool equal = lo == c.s.r[EAX] && hi == c.s.r[EDX];
  if (equal) {
    c.write_lin<u32>(lin, c.s.r[EBX]);
    c.write_lin<u32>(lin + 4, c.s.r[ECX]);
  } else {
    c.write_lin<u32>(lin, lo);
    c.write_lin<u32>(lin + 4, hi);
    c.s.r[EAX] = lo;
    c.s.r[EDX] = hi;
  }
  c.set_flag(fl::ZF, equal);
}

template <int Op>
void register_bt(OpTable& t, u16 opcode, const char* name) {
  const u16 lock = Op == kBt ? kOpNone : kOpLockable;
  t.set(opcode, name, "Ev,Gv", bt_e_g<u16, Op>, bt_e_g<u32, Op>, lock);
  t.set_group(0x1BA, static_cast<u8>(4 + Op), name, "Ev,Ib", bt_e_ib<u16, Op>, bt_e_ib<u32, Op>, lock);
}

}  // namespace

void register_bitops(OpTable& t) {
  register_bt<kBt>(t, 0x1A3, "bt");
  register_bt<kBts>(t, 0x1AB, "bts");
  register_bt<kBtr>(t, 0x1B3, "btr");
  register_bt<kBtc>(t, 0x1BB, "btc");
  t.set(0x1BC, "bsf", "Gv,Ev", bsf_bsr<u16, false>, bsf_bsr<u32, false>);
  t.set(0x1BD, "bsr", "Gv,Ev", bsf_bsr<u16, true>, bsf_bsr<u32, true>);
  static constexpr const char* kSet[16] = {"seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta",
                                           "sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg"};
  for (u16 cc = 0; cc < 16; ++cc) t.set(0x190 + cc, kSet[cc], "Eb", setcc);
  t.set(0x1B0, "cmpxchg", "Eb,Gb", cmpxchg<u8>, kOpLockable);
  t.set(0x1B1, "cmpxchg", "Ev,Gv", cmpxchg<u16>, cmpxchg<u32>, kOpLockable);
  t.set(0x1C0, "xadd", "Eb,Gb", xadd<u8>, kOpLockable);
  t.set(0x1C1, "xadd", "Ev,Gv", xadd<u16>, xadd<u32>, kOpLockable);
  for (u16 r = 0; r < 8; ++r) t.set(0x1C8 + r, "bswap", "Zv", bswap16, bswap32);
  t.set_group(0x1C7, 1, "cmpxchg8b", "Mq", cmpxchg8b, kOpPentium | kOpMemOnly | kOpLockable);
}

}  // namespace l4sim
