// ADD, OR, ADC, SBB, AND, SUB, XOR, CMP in all their forms (00-3D, 80-83),
// TEST (84/85, A8/A9, F6/F7 /0), INC/DEC (40-4F, FE/FF /0-1), NOT/NEG (F6/F7 /2-3).
#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

enum Alu { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp };

template <class T, int Op>
T alu(Cpu& c, T a, T b) {
  switch (Op) {
    case kAdd: return flags::add<T>(c, a, b);
    case kOr: return flags::logic<T>(c, a | b);
    case kAdc: return flags::add<T>(c, a, b, c.flag(fl::CF));
    case kSbb: return flags::sub<T>(c, a, b, c.flag(fl::CF));
    case kAnd: return flags::logic<T>(c, a & b);
    case kSub: return flags::sub<T>(c, a, b);
    case kXor: return flags::logic<T>(c, a ^ b);
    default: flags::sub<T>(c, a, b); return a;  // CMP
  }
}

// Ex, Gx: destination is the ModRM operand.
template <class T, int Op>
void alu_e_g(Cpu& c, const DecodedInsn& d) {
  const T b = c.reg<T>(d.reg());
  if constexpr (Op == kCmp) {
    alu<T, Op>(c, c.read_rm<T>(d), b);
  } else {
    Cpu::RmwRef ref;
    const T a = c.rmw_read<T>(d, ref);
    c.rmw_write<T>(ref, alu<T, Op>(c, a, b));
  }
}

// Gx, Ex: destination is the register.
template <class T, int Op>
void alu_g_e(Cpu& c, const DecodedInsn& d) {
  const T r = alu<T, Op>(c, c.reg<T>(d.reg()), c.read_rm<T>(d));
  if constexpr (Op != kCmp) c.set_reg<T>(d.reg(), r);
}

// AL/eAX, imm.
template <class T, int Op>
void alu_a_i(Cpu& c, const DecodedInsn& d) {
  const T r = alu<T, Op>(c, c.reg<T>(EAX), static_cast<T>(d.imm));
  if constexpr (Op != kCmp) c.set_reg<T>(EAX, r);
}

// Group 1: Ex, imm (80, 81) and Ex, sign-extended imm8 (83).
template <class T, int Op, bool kSignExt8>
void alu_e_i(Cpu& c, const DecodedInsn& d) {
  const T b = kSignExt8 ? static_cast<T>(d.simm8()) : static_cast<T>(d.imm);
  if constexpr (Op == kCmp) {
    alu<T, Op>(c, c.read_rm<T>(d), b);
  } else {
    Cpu::RmwRef ref;
    const T a = c.rmw_read<T>(d, ref);
    c.rmw_write<T>(ref, alu<T, Op>(c, a, b));
  }
}

template <class T>
void test_e_g(Cpu& c, const DecodedInsn& d) {
  flags::logic<T>(c, static_cast<T>(c.read_rm<T>(d) & c.reg<T>(d.reg())));
}
template <class T>
void test_a_i(Cpu& c, const DecodedInsn& d) {
  flags::logic<T>(c, static_cast<T>(c.reg<T>(EAX) & static_cast<T>(d.imm)));
}
template <class T>
void test_e_i(Cpu& c, const DecodedInsn& d) {
  flags::logic<T>(c, static_cast<T>(c.read_rm<T>(d) & static_cast<T>(d.imm)));
}

template <class T>
void inc_r(Cpu& c, const DecodedInsn& d) {
  const unsigned r = d.opcode & 7;
  c.set_reg<T>(r, flags::inc<T>(c, c.reg<T>(r)));
}
template <class T>
void dec_r(Cpu& c, const DecodedInsn& d) {
  const unsigned r = d.opcode & 7;
  c.set_reg<T>(r, flags::dec<T>(c, c.reg<T>(r)));
}
template <class T>
void inc_e(Cpu& c, const DecodedInsn& d) {
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  c.rmw_write<T>(ref, flags::inc<T>(c, a));
}
template <class T>
void dec_e(Cpu& c, const DecodedInsn& d) {
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  c.rmw_write<T>(ref, flags::dec<T>(c, a));
}
template <class T>
void not_e(Cpu& c, const DecodedInsn& d) {  // NOT changes no flags
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  c.rmw_write<T>(ref, static_cast<T>(~a));
}
template <class T>
void neg_e(Cpu& c, const DecodedInsn& d) {  // NEG: CF = (operand != 0)
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  c.rmw_write<T>(ref, flags::sub<T>(c, 0, a));
}

template <int Op>
void register_op(OpTable& t, const char* name) {
  const u16 base = static_cast<u16>(Op * 8);
  const u16 lock = Op == kCmp ? kOpNone : kOpLockable;
  t.set(base + 0, name, "Eb,Gb", alu_e_g<u8, Op>, lock);
  t.set(base + 1, name, "Ev,Gv", alu_e_g<u16, Op>, alu_e_g<u32, Op>, lock);
  t.set(base + 2, name, "Gb,Eb", alu_g_e<u8, Op>);
  t.set(base + 3, name, "Gv,Ev", alu_g_e<u16, Op>, alu_g_e<u32, Op>);
  t.set(base + 4, name, "AL,Ib", alu_a_i<u8, Op>);
  t.set(base + 5, name, "eAX,Iz", alu_a_i<u16, Op>, alu_a_i<u32, Op>);
  t.set_group(0x80, Op, name, "Eb,Ib", alu_e_i<u8, Op, false>, lock);
  t.set_group(0x81, Op, name, "Ev,Iz", alu_e_i<u16, Op, false>, alu_e_i<u32, Op, false>, lock);
  // 82 is an alias of 80 on the i486 (removed only in 64-bit mode).
  t.set_group(0x82, Op, name, "Eb,Ib", alu_e_i<u8, Op, false>, lock);
  t.set_group(0x83, Op, name, "Ev,Ib", alu_e_i<u16, Op, true>, alu_e_i<u32, Op, true>, lock);
}

}  // namespace

void register_alu(OpTable& t) {
  register_op<kAdd>(t, "add");
  register_op<kOr>(t, "or");
  register_op<kAdc>(t, "adc");
  register_op<kSbb>(t, "sbb");
  register_op<kAnd>(t, "and");
  register_op<kSub>(t, "sub");
  register_op<kXor>(t, "xor");
  register_op<kCmp>(t, "cmp");
  t.set(0x84, "test", "Eb,Gb", test_e_g<u8>);
  t.set(0x85, "test", "Ev,Gv", test_e_g<u16>, test_e_g<u32>);
  t.set(0xA8, "test", "AL,Ib", test_a_i<u8>);
  t.set(0xA9, "test", "eAX,Iz", test_a_i<u16>, test_a_i<u32>);
  for (u16 r = 0; r < 8; ++r) {
    t.set(0x40 + r, "inc", "Zv", inc_r<u16>, inc_r<u32>);
    t.set(0x48 + r, "dec", "Zv", dec_r<u16>, dec_r<u32>);
  }
  t.set_group(0xF6, 0, "test", "Eb,Ib", test_e_i<u8>);
  t.set_group(0xF7, 0, "test", "Ev,Iz", test_e_i<u16>, test_e_i<u32>);
  // F6/F7 /1 is an undocumented alias of TEST on Intel processors.
  t.set_group(0xF6, 1, "test", "Eb,Ib", test_e_i<u8>);
  t.set_group(0xF7, 1, "test", "Ev,Iz", test_e_i<u16>, test_e_i<u32>);
  t.set_group(0xF6, 2, "not", "Eb", not_e<u8>, kOpLockable);
  t.set_group(0xF7, 2, "not", "Ev", not_e<u16>, not_e<u32>, kOpLockable);
  t.set_group(0xF6, 3, "neg", "Eb", neg_e<u8>, kOpLockable);
  t.set_group(0xF7, 3, "neg", "Ev", neg_e<u16>, neg_e<u32>, kOpLockable);
  t.set_group(0xFE, 0, "inc", "Eb", inc_e<u8>, kOpLockable);
  t.set_group(0xFE, 1, "dec", "Eb", dec_e<u8>, kOpLockable);
  t.set_group(0xFF, 0, "inc", "Ev", inc_e<u16>, inc_e<u32>, kOpLockable);
  t.set_group(0xFF, 1, "dec", "Ev", dec_e<u16>, dec_e<u32>, kOpLockable);
}

}  // namespace l4sim
