// Arithmetic flag computation, eager (results and EFLAGS are exact after every
// instruction). Intel SDM vol. 1 appendix A gives which flags each instruction
// defines; where Intel leaves a flag undefined the choice is written next to it.
#pragma once

#include "cpu486/cpu.hpp"

namespace l4sim::flags {

template <class T>
constexpr u32 kMsb = 1u << (sizeof(T) * 8 - 1);

inline u32 parity(u32 v) { return (__builtin_popcount(v & 0xFF) & 1) ? 0 : fl::PF; }

// SF, ZF, PF of a result.
template <class T>
inline u32 szp(T r) {
  u32 f = parity(r);
  if (r == 0) f |= fl::ZF;
  if (r & kMsb<T>) f |= fl::SF;
  return f;
}

inline void set_arith(Cpu& c, u32 f) { c.s.eflags = (c.s.eflags & ~fl::kArith) | f; }

template <class T>
inline T add(Cpu& c, T a, T b, u32 carry_in = 0) {
  const T r = static_cast<T>(a + b + carry_in);
  u32 f = szp(r);
  if (carry_in ? r <= a : r < a) f |= fl::CF;
  if ((a ^ b ^ r) & 0x10) f |= fl::AF;
  if ((a ^ r) & (b ^ r) & kMsb<T>) f |= fl::OF;
  set_arith(c, f);
  return r;
}

template <class T>
inline T sub(Cpu& c, T a, T b, u32 borrow_in = 0) {
  const T r = static_cast<T>(a - b - borrow_in);
  u32 f = szp(r);
  if (static_cast<u64>(a) < static_cast<u64>(b) + borrow_in) f |= fl::CF;
  if ((a ^ b ^ r) & 0x10) f |= fl::AF;
  if ((a ^ b) & (a ^ r) & kMsb<T>) f |= fl::OF;
  set_arith(c, f);
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
  const u32 cf = c.s.eflags & fl::CF;
  const T r = add<T>(c, a, 1);
  c.s.eflags = (c.s.eflags & ~fl::CF) | cf;
  return r;
}
template <class T>
inline T dec(Cpu& c, T a) {
  const u32 cf = c.s.eflags & fl::CF;
  const T r = sub<T>(c, a, 1);
  c.s.eflags = (c.s.eflags & ~fl::CF) | cf;
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
