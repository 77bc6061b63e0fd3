// Arithmetic flag computation, eager (results and EFLAGS are exact after every
// instruction). Intel SDM vol. 1 appendix A gives which flags each instruction
// defines; where Intel leaves a flag undefined the choice is written next to it.
#pragma once

#include "cpu486/cpu.hpp"

namespace l4sim::flags {

template <class T>
constexpr u32 kMsb = 1u << (sizeof(T) * 8 - 1);
template <class T>
constexpr unsigned kBits = sizeof(T) * 8;

// The flags are computed without branches: each is a shift of the bit that
// defines it into its EFLAGS position (CF 0, PF 2, AF 4, ZF 6, SF 7, OF 11),
// since this runs for nearly every instruction.
static_assert(fl::CF == 1u << 0 && fl::PF == 1u << 2 && fl::AF == 1u << 4 && fl::ZF == 1u << 6 && fl::SF == 1u << 7 &&
              fl::OF == 1u << 11);

// PF: set when the low byte of the result has an even number of ones. The
// byte folds to a nibble whose parity is bit n of 0x6996 (odd parity of n).
inline u32 parity(u32 v) { return ((~(0x6996u >> ((v ^ (v >> 4)) & 0xF))) & 1) << 2; }

// SF, ZF, PF of a result.
template <class T>
inline u32 szp(T r) {
  const u32 sf = (static_cast<u32>(r) >> (kBits<T> - 8)) & fl::SF;
  return parity(r) | (static_cast<u32>(r == 0) << 6) | sf;
}
// OF from the sign bit of x (x = the operands' and result's sign relation).
template <class T>
inline u32 of_from(T x) {
  return ((static_cast<u32>(x) >> (kBits<T> - 1)) & 1) << 11;
}

inline void set_arith(Cpu& c, u32 f) { c.s.eflags = (c.s.eflags & ~fl::kArith) | f; }

template <class T>
inline u32 add_flags(T a, T b, T r, u32 carry_in) {
  const u32 cf = carry_in ? (r <= a) : (r < a);
  return szp(r) | cf | ((a ^ b ^ r) & fl::AF) | of_from<T>(static_cast<T>((a ^ r) & (b ^ r)));
}
template <class T>
inline u32 sub_flags(T a, T b, T r, u32 borrow_in) {
  const u32 cf = static_cast<u64>(a) < static_cast<u64>(b) + borrow_in;
  return szp(r) | cf | ((a ^ b ^ r) & fl::AF) | of_from<T>(static_cast<T>((a ^ b) & (a ^ r)));
}

template <class T>
inline T add(Cpu& c, T a, T b, u32 carry_in = 0) {
  const T r = static_cast<T>(a + b + carry_in);
  set_arith(c, add_flags<T>(a, b, r, carry_in));
  return r;
}

template <class T>
inline T sub(Cpu& c, T a, T b, u32 borrow_in = 0) {
  const T r = static_cast<T>(a - b - borrow_in);
  set_arith(c, sub_flags<T>(a, b, r, borrow_in));
  return r;
}

// AND/OR/XOR/TEST: CF = OF = 0, SF/ZF/PF from the result. AF is undefined
// (Intel SDM vol. 2); we clear it, as the i486 is observed to and as Bochs and
// QEMU do.
template <class T>
inline T logic(Cpu& c, T r) {
  set_arith(c, szp(r));
  return r;
}

// INC/DEC leave CF unchanged.
template <class T>
inline T inc(Cpu& c, T a) {
  const T r = static_cast<T>(a + 1);
  c.s.eflags = (c.s.eflags & ~(fl::kArith & ~fl::CF)) | (add_flags<T>(a, 1, r, 0) & ~fl::CF);
  return r;
}
template <class T>
inline T dec(Cpu& c, T a) {
  const T r = static_cast<T>(a - 1);
  c.s.eflags = (c.s.eflags & ~(fl::kArith & ~fl::CF)) | (sub_flags<T>(a, 1, r, 0) & ~fl::CF);
  return r;
}

// Condition codes for Jcc/SETcc/CMOVcc by the low nibble of the opcode.
inline bool cond(const Cpu& c, unsigned cc) {
  const u32 f = c.s.eflags;
  bool r;
  switch (cc >> 1) {
    case 0: r = f & fl::OF; break;
    case 1: r = f & fl::CF; break;
    case 2: r = f & fl::ZF; break;
    case 3: r = f & (fl::CF | fl::ZF); break;
    case 4: r = f & fl::SF; break;
    case 5: r = f & fl::PF; break;
    case 6: r = ((f & fl::SF) != 0) != ((f & fl::OF) != 0); break;
    default: r = (f & fl::ZF) || (((f & fl::SF) != 0) != ((f & fl::OF) != 0)); break;
  }
  return (cc & 1) ? !r : r;
}

}  // namespace l4sim::flags
