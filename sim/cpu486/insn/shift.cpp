// Shifts and rotates: group 2 (C0/C1 by imm8, D0/D1 by 1, D2/D3 by CL) with
// ROL, ROR, RCL, RCR, SHL, SHR, SAL (/6, an alias of SHL on Intel parts), SAR;
// and the double-precision shifts SHLD (0F A4/A5) and SHRD (0F AC/AD).
//
// Rules common to the family (Intel SDM vol. 2 "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR",
// "SHLD", "SHRD"):
// * The count is masked to 5 bits (the 8086 did not mask; the 80286 and later do).
//   A masked count of 0 changes neither the operand nor any flag; the memory
//   operand is still checked for writing (it is a read-modify-write access) but
//   not written.
// * RCL/RCR on 8- and 16-bit operands rotate through CF modulo 9 / 17 after the
//   masking; if that leaves 0 no flag changes (the SDM's loop sets CF only while
//   it rotates).
// * OF is defined only for 1-bit counts. For other counts we apply the 1-bit
//   formula to the last single-bit step of the operation, which is also what
//   Bochs does (SHL/ROL/RCL/SHLD: OF = MSB(result) XOR CF; SHR/ROR/RCR/SHRD:
//   OF = XOR of the two most significant result bits; SAR: OF = 0). We know of
//   no documented i486 behaviour that differs; the choice is deterministic.
// * AF is undefined after a shift with a non-zero count; we clear it (as Bochs
//   and QEMU do). Rotates leave SF, ZF, AF, PF unchanged (they define only CF/OF).
#include <type_traits>

#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

enum Shift { kRol, kRor, kRcl, kRcr, kShl, kShr, kSal, kSar };

template <class T>
constexpr unsigned kBits = sizeof(T) * 8;

template <class T>
bool msb(T v) {
  return (v >> (kBits<T> - 1)) & 1;
}
template <class T>
bool msb2(T v) {  // the bit below the most significant one
  return (v >> (kBits<T> - 2)) & 1;
}

// Sets CF and OF only (rotates).
inline void set_cf_of(Cpu& c, bool cf, bool of) {
  c.s.eflags = (c.s.eflags & ~(fl::CF | fl::OF)) | (cf ? fl::CF : 0) | (of ? fl::OF : 0);
}

// Sets all arithmetic flags of a shift: SF/ZF/PF from the result, AF cleared
// (undefined: our choice, see the file comment).
template <class T>
void set_shift_flags(Cpu& c, T r, bool cf, bool of) {
  flags::set_arith(c, flags::szp<T>(r) | (cf ? fl::CF : 0) | (of ? fl::OF : 0));
}

// One shift/rotate with a masked, non-zero count (1..31).
template <class T, int Op>
T shift(Cpu& c, T a, unsigned count) {
  constexpr unsigned W = kBits<T>;
  switch (Op) {
    case kRol: {
      const unsigned n = count % W;
      const T r = n ? static_cast<T>((a << n) | (a >> (W - n))) : a;
      // SDM "ROL": CF <- LSB(DEST) whenever the masked count is non-zero, even
      // when the rotation itself is a multiple of the width.
      const bool cf = r & 1;
      set_cf_of(c, cf, msb(r) != cf);
      return r;
    }
    case kRor: {
      const unsigned n = count % W;
      const T r = n ? static_cast<T>((a >> n) | (a << (W - n))) : a;
      set_cf_of(c, msb(r), msb(r) != msb2(r));
      return r;
    }
    case kRcl: {
      const unsigned n = count % (W + 1);
      if (n == 0) return a;
      const u64 mask = (u64{1} << (W + 1)) - 1;
      const u64 v = (static_cast<u64>(c.flag(fl::CF)) << W) | a;
      const u64 rot = ((v << n) | (v >> (W + 1 - n))) & mask;
      const T r = static_cast<T>(rot);
      const bool cf = (rot >> W) & 1;
      set_cf_of(c, cf, msb(r) != cf);
      return r;
    }
    case kRcr: {
      const unsigned n = count % (W + 1);
      if (n == 0) return a;
      const u64 mask = (u64{1} << (W + 1)) - 1;
      const u64 v = (static_cast<u64>(c.flag(fl::CF)) << W) | a;
      const u64 rot = ((v >> n) | (v << (W + 1 - n))) & mask;
      const T r = static_cast<T>(rot);
      const bool cf = (rot >> W) & 1;
      set_cf_of(c, cf, msb(r) != msb2(r));
      return r;
    }
    case kShl:
    case kSal: {
      // A count above the width (8/16-bit operands) shifts everything out: the
      // result and CF are 0.
      const u64 wide = static_cast<u64>(a) << count;
      const T r = static_cast<T>(wide);
      const bool cf = (wide >> W) & 1;
      set_shift_flags<T>(c, r, cf, msb(r) != cf);
      return r;
    }
    case kShr: {
      const u64 wide = a;
      const T r = static_cast<T>(wide >> count);
      const bool cf = (wide >> (count - 1)) & 1;
      set_shift_flags<T>(c, r, cf, msb(r) != msb2(r));
      return r;
    }
    default: {  // kSar
      using S = std::make_signed_t<T>;
      const i64 wide = static_cast<S>(a);
      const T r = static_cast<T>(wide >> count);
      const bool cf = (wide >> (count - 1)) & 1;
      set_shift_flags<T>(c, r, cf, false);
      return r;
    }
  }
}

template <class T, int Op>
void shift_rm(Cpu& c, const DecodedInsn& d, unsigned count) {
  count &= 31;
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  if (count == 0) return;
  c.rmw_write<T>(ref, shift<T, Op>(c, a, count));
}

template <class T, int Op>
void shift_e_1(Cpu& c, const DecodedInsn& d) {
  shift_rm<T, Op>(c, d, 1);
}
template <class T, int Op>
void shift_e_cl(Cpu& c, const DecodedInsn& d) {
  shift_rm<T, Op>(c, d, c.reg<u8>(ECX));
}
template <class T, int Op>
void shift_e_ib(Cpu& c, const DecodedInsn& d) {
  shift_rm<T, Op>(c, d, d.imm & 0xFF);
}

// SHLD/SHRD with a masked, non-zero count. The bits are taken from a
// concatenation held in a u64:
// * 32-bit: SHLD shifts DEST:SRC left, SHRD shifts SRC:DEST right.
// * 16-bit: counts 17..31 are undefined (SDM "SHLD"/"SHRD"). We shift the
//   48-bit pattern DEST:SRC:DEST (SHLD) or DEST:SRC:DEST read from the right
//   (SHRD), so bits of DEST re-enter after SRC is exhausted. This is the P6
//   behaviour that Bochs also models; counts 1..16 give the defined results.
// Flags: CF = last bit shifted out; OF by the 1-bit formula applied to the
// final result (SHLD: MSB XOR CF, SHRD: XOR of the top two bits), as in the
// file comment; SF/ZF/PF from the result; AF cleared (undefined).
template <class T, bool kLeft>
T double_shift(Cpu& c, T a, T b, unsigned n) {
  constexpr unsigned W = kBits<T>;
  if constexpr (W == 32) {
    if constexpr (kLeft) {
      const u64 v = (static_cast<u64>(a) << 32) | b;
      const T r = static_cast<T>(v >> (32 - n));
      const bool cf = (v >> (64 - n)) & 1;
      set_shift_flags<T>(c, r, cf, msb(r) != cf);
      return r;
    } else {
      const u64 v = (static_cast<u64>(b) << 32) | a;
      const T r = static_cast<T>(v >> n);
      const bool cf = (v >> (n - 1)) & 1;
      set_shift_flags<T>(c, r, cf, msb(r) != msb2(r));
      return r;
    }
  } else {
    static_assert(W == 16);
    if constexpr (kLeft) {
      const u64 v = (static_cast<u64>(a) << 32) | (static_cast<u64>(b) << 16) | a;  // DEST:SRC:DEST
      const T r = static_cast<T>(v >> (32 - n));
      const bool cf = (v >> (48 - n)) & 1;
      set_shift_flags<T>(c, r, cf, msb(r) != cf);
      return r;
    } else {
      const u64 v = (static_cast<u64>(a) << 32) | (static_cast<u64>(b) << 16) | a;  // ...:SRC:DEST
      const T r = static_cast<T>(v >> n);
      const bool cf = (v >> (n - 1)) & 1;
      set_shift_flags<T>(c, r, cf, msb(r) != msb2(r));
      return r;
    }
  }
}

template <class T, bool kLeft>
void double_shift_rm(Cpu& c, const DecodedInsn& d, unsigned count) {
  count &= 31;
  const T b = c.reg<T>(d.reg());
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  if (count == 0) return;
  c.rmw_write<T>(ref, double_shift<T, kLeft>(c, a, b, count));
}

template <class T, bool kLeft>
void dshift_ib(Cpu& c, const DecodedInsn& d) {
  double_shift_rm<T, kLeft>(c, d, d.imm & 0xFF);
}
template <class T, bool kLeft>
void dshift_cl(Cpu& c, const DecodedInsn& d) {
  double_shift_rm<T, kLeft>(c, d, c.reg<u8>(ECX));
}

template <int Op>
void register_group2(OpTable& t, const char* name) {
  t.set_group(0xC0, Op, name, "Eb,Ib", shift_e_ib<u8, Op>);
  t.set_group(0xC1, Op, name, "Ev,Ib", shift_e_ib<u16, Op>, shift_e_ib<u32, Op>);
  t.set_group(0xD0, Op, name, "Eb,1", shift_e_1<u8, Op>);
  t.set_group(0xD1, Op, name, "Ev,1", shift_e_1<u16, Op>, shift_e_1<u32, Op>);
  t.set_group(0xD2, Op, name, "Eb,CL", shift_e_cl<u8, Op>);
  t.set_group(0xD3, Op, name, "Ev,CL", shift_e_cl<u16, Op>, shift_e_cl<u32, Op>);
}

}  // namespace

void register_shift(OpTable& t) {
  register_group2<kRol>(t, "rol");
  register_group2<kRor>(t, "ror");
  register_group2<kRcl>(t, "rcl");
  register_group2<kRcr>(t, "rcr");
  register_group2<kShl>(t, "shl");
  register_group2<kShr>(t, "shr");
  // /6 is undocumented; Intel processors execute it as SHL/SAL.
  register_group2<kSal>(t, "sal");
  register_group2<kSar>(t, "sar");
  t.set(0x1A4, "shld", "Ev,Gv,Ib", dshift_ib<u16, true>, dshift_ib<u32, true>);
  t.set(0x1A5, "shld", "Ev,Gv,CL", dshift_cl<u16, true>, dshift_cl<u32, true>);
  t.set(0x1AC, "shrd", "Ev,Gv,Ib", dshift_ib<u16, false>, dshift_ib<u32, false>);
  t.set(0x1AD, "shrd", "Ev,Gv,CL", dshift_cl<u16, false>, dshift_cl<u32, false>);
}

}  // namespace l4sim
