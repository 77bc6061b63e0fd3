// Multiply and divide: MUL/IMUL/DIV/IDIV (F6/F7 /4-/7), IMUL Gv,Ev (0F AF),
// IMUL Gv,Ev,Iz (69) and IMUL Gv,Ev,Ib (6B, imm8 sign-extended).
//
// Flags (Intel SDM vol. 2 "MUL", "IMUL", "DIV", "IDIV"):
// * MUL: CF = OF = 1 when the upper half of the product is non-zero.
// * IMUL: CF = OF = 1 when the product does not fit the destination as a signed
//   value (one-operand form: the upper half is not the sign extension of the lower).
// * SF, ZF, AF, PF after MUL/IMUL are undefined. We follow Bochs: SF, ZF and PF
//   from the lower half of the product (AL, AX or EAX for the one-operand
//   forms, the truncated destination for the others), AF cleared.
// * DIV/IDIV: every arithmetic flag is undefined; we leave them all unchanged
//   (as Bochs does). A zero divisor or a quotient that does not fit raises #DE
//   (a fault: EIP stays on the instruction) before any register is written.
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

template <class T>
constexpr unsigned kBits = sizeof(T) * 8;

template <class T>
void set_mul_flags(Cpu& c, T low, bool overflow) {
  flags::set_arith(c, flags::szp<T>(low) | (overflow ? (fl::CF | fl::OF) : 0));
}

// Stores a double-width result: AX for bytes, DX:AX or EDX:EAX otherwise.
template <class T>
void store_wide(Cpu& c, u64 v) {
  if constexpr (sizeof(T) == 1) {
    c.set_reg<u16>(EAX, static_cast<u16>(v));
  } else {
    c.set_reg<T>(EAX, static_cast<T>(v));
    c.set_reg<T>(EDX, static_cast<T>(v >> kBits<T>));
  }
}

// The dividend: AX for bytes, DX:AX or EDX:EAX otherwise.
template <class T>
u64 load_wide(const Cpu& c) {
  if constexpr (sizeof(T) == 1)
    return c.reg<u16>(EAX);
  else
    return (static_cast<u64>(c.reg<T>(EDX)) << kBits<T>) | c.reg<T>(EAX);
}

template <class T>
void mul(Cpu& c, const DecodedInsn& d) {
  const T src = c.read_rm<T>(d);
  const u64 p = static_cast<u64>(c.reg<T>(EAX)) * src;
  store_wide<T>(c, p);
  set_mul_flags<T>(c, static_cast<T>(p), (p >> kBits<T>) != 0);
}

template <class T>
void imul1(Cpu& c, const DecodedInsn& d) {
  using S = std::make_signed_t<T>;
  const S src = static_cast<S>(c.read_rm<T>(d));
  const i64 p = static_cast<i64>(static_cast<S>(c.reg<T>(EAX))) * src;
  store_wide<T>(c, static_cast<u64>(p));
  set_mul_flags<T>(c, static_cast<T>(p), p != static_cast<S>(p));
}

// IMUL with an explicit destination: the product truncated to the operand size.
template <class T>
T imul_trunc(Cpu& c, T a, T b) {
  using S = std::make_signed_t<T>;
  const i64 p = static_cast<i64>(static_cast<S>(a)) * static_cast<S>(b);
  set_mul_flags<T>(c, static_cast<T>(p), p != static_cast<S>(p));
  return static_cast<T>(p);
}

template <class T>
void imul_g_e(Cpu& c, const DecodedInsn& d) {
  const T src = c.read_rm<T>(d);
  c.set_reg<T>(d.reg(), imul_trunc<T>(c, c.reg<T>(d.reg()), src));
}

template <class T, bool kImm8>
void imul_g_e_i(Cpu& c, const DecodedInsn& d) {
  const T src = c.read_rm<T>(d);
  const T imm = kImm8 ? static_cast<T>(d.simm8()) : static_cast<T>(d.imm);
  c.set_reg<T>(d.reg(), imul_trunc<T>(c, src, imm));
}

// Stores quotient and remainder: AL/AH, AX/DX or EAX/EDX.
template <class T>
void store_div(Cpu& c, T q, T r) {
  if constexpr (sizeof(T) == 1) {
    c.set_reg<u8>(0, q);  // AL
    c.set_reg<u8>(4, r);  // AH
  } else {
    c.set_reg<T>(EAX, q);
    c.set_reg<T>(EDX, r);
  }
}

template <class T>
void div(Cpu& c, const DecodedInsn& d) {
  const T src = c.read_rm<T>(d);
  if (src == 0) c.raise(vec::DE);
  const u64 n = load_wide<T>(c);
  const u64 q = n / src;
  if (q > static_cast<T>(~T{0})) c.raise(vec::DE);  // quotient overflow
  store_div<T>(c, static_cast<T>(q), static_cast<T>(n % src));
}

template <class T>
void idiv(Cpu& c, const DecodedInsn& d) {
  using S = std::make_signed_t<T>;
  const S src = static_cast<S>(c.read_rm<T>(d));
  if (src == 0) c.raise(vec::DE);
  // Sign-extend the double-width dividend to 64 bits.
  const u64 raw = load_wide<T>(c);
  i64 n;
  if constexpr (sizeof(T) == 4)
    n = static_cast<i64>(raw);
  else if constexpr (sizeof(T) == 2)
    n = static_cast<i32>(static_cast<u32>(raw));
  else
    n = static_cast<i16>(static_cast<u16>(raw));
  // The most negative 64-bit dividend divided by -1 overflows i64 itself; its
  // quotient (2^63) never fits a 32-bit register, so it is #DE like any other
  // overflow (SDM "IDIV": quotient outside the signed range).
  if (src == -1 && n == INT64_MIN) c.raise(vec::DE);
  const i64 q = n / src;  // C++ truncates toward zero, as IDIV does
  const i64 r = n % src;  // the remainder has the sign of the dividend
  // SDM "IDIV" (i486 and later): the quotient must lie in [-2^(n-1), 2^(n-1)-1];
  // the most negative value is allowed (the 8086 rejected it).
  if (q > std::numeric_limits<S>::max() || q < std::numeric_limits<S>::min()) c.raise(vec::DE);
  store_div<T>(c, static_cast<T>(q), static_cast<T>(r));
}

}  // namespace

void register_muldiv(OpTable& t) {
  t.set_group(0xF6, 4, "mul", "Eb", mul<u8>);
  t.set_group(0xF7, 4, "mul", "Ev", mul<u16>, mul<u32>);
  t.set_group(0xF6, 5, "imul", "Eb", imul1<u8>);
  t.set_group(0xF7, 5, "imul", "Ev", imul1<u16>, imul1<u32>);
  t.set_group(0xF6, 6, "div", "Eb", div<u8>);
  t.set_group(0xF7, 6, "div", "Ev", div<u16>, div<u32>);
  t.set_group(0xF6, 7, "idiv", "Eb", idiv<u8>);
  t.set_group(0xF7, 7, "idiv", "Ev", idiv<u16>, idiv<u32>);
  t.set(0x1AF, "imul", "Gv,Ev", imul_g_e<u16>, imul_g_e<u32>);
  t.set(0x69, "imul", "Gv,Ev,Iz", imul_g_e_i<u16, false>, imul_g_e_i<u32, false>);
  t.set(0x6B, "imul", "Gv,Ev,Ib", imul_g_e_i<u16, true>, imul_g_e_i<u32, true>);
}

}  // namespace l4sim
