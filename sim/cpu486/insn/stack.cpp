// Stack instructions: PUSH/POP reg (50-5F), PUSH imm (68, 6A), PUSH Ev (FF /6),
// POP Ev (8F /0), PUSHA/POPA (60/61), PUSHF/POPF (9C/9D), ENTER (C8), LEAVE (C9).
// The stack address size is SS.B (Cpu::push/pop/sp honour it); the operand size
// decides how many bytes move. A fault restores ESP (Cpu::handle_fault), so
// handlers may move ESP early but commit every other register last.
#include "cpu486/cpu.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// 50-57. PUSH eSP pushes the value before the decrement (Intel SDM vol. 2 "PUSH":
// the i486 and later push the old value, unlike the 8086).
template <class T>
void push_r(Cpu& c, const DecodedInsn& d) {
  c.push<T>(c.reg<T>(d.opcode & 7));
}

// 58-5F. POP eSP: the pointer is incremented first and then overwritten by the
// popped value, so eSP ends as the value read (Intel SDM vol. 2 "POP").
template <class T>
void pop_r(Cpu& c, const DecodedInsn& d) {
  const T v = c.pop<T>();
  c.set_reg<T>(d.opcode & 7, v);
}

// 68 Iz / 6A Ib (the byte is sign-extended to the operand size).
template <class T>
void push_iz(Cpu& c, const DecodedInsn& d) {
  c.push<T>(static_cast<T>(d.imm));
}
template <class T>
void push_ib(Cpu& c, const DecodedInsn& d) {
  c.push<T>(static_cast<T>(d.simm8()));
}

// FF /6. The source address is computed with ESP before the decrement.
template <class T>
void push_e(Cpu& c, const DecodedInsn& d) {
  c.push<T>(c.read_rm<T>(d));
}

// 8F /0. "If the ESP register is used as a base register for addressing a
// destination operand in memory, the POP instruction computes the effective
// address of the operand after it increments the ESP register" (Intel SDM vol. 2
// "POP"). The destination write can fault; ESP is then restored by the step loop.
template <class T>
void pop_e(Cpu& c, const DecodedInsn& d) {
  const T v = c.read_stack<T>(0);
  c.set_sp(c.sp() + sizeof(T));
  c.write_rm<T>(d, v);
}

// 60: PUSHA/PUSHAD: eAX, eCX, eDX, eBX, the original eSP, eBP, eSI, eDI.
template <class T>
void pusha(Cpu& c, const DecodedInsn&) {
  const T orig_sp = c.reg<T>(ESP);
  for (unsigned r = EAX; r <= EDI; ++r) c.push<T>(r == ESP ? orig_sp : c.reg<T>(r));
}

// 61: POPA/POPAD: every slot is read before any register changes (a fault in
// the middle leaves the registers intact); the saved eSP is discarded.
template <class T>
void popa(Cpu& c, const DecodedInsn&) {
  T v[8];
  for (unsigned i = 0; i < 8; ++i) v[i] = c.read_stack<T>(i * sizeof(T));  // v[0] = eDI ... v[7] = eAX
  for (unsigned r = EAX; r <= EDI; ++r)
    if (r != ESP) c.set_reg<T>(r, v[7 - r]);
  c.set_sp(c.sp() + 8 * sizeof(T));
}

// True in virtual-8086 mode when the Pentium's VME extensions handle PUSHF/POPF,
// CLI/STI with IOPL < 3 and a 16-bit operand size (Intel SDM vol. 3 §20.3).
bool vme_active(const Cpu& c) { return c.pentium() && (c.s.cr4 & cr4::VME); }

// 9C: PUSHF/PUSHFD. In v86 mode with IOPL < 3 it is #GP(0) unless VME handles
// the 16-bit form (IF replaced by VIF, IOPL shown as 3). The 32-bit image has VM
// and RF cleared (Intel SDM vol. 2 "PUSHF/PUSHFD").
void pushf16(Cpu& c, const DecodedInsn&) {
  u32 f = c.s.eflags;
  if (c.s.v86() && c.s.iopl() < 3) {
    if (!vme_active(c)) c.raise_gp(0);
    f = (f & ~fl::IF) | ((f & fl::VIF) ? fl::IF : 0) | fl::IOPL;
  }
  c.push<u16>(static_cast<u16>(f));
}
void pushf32(Cpu& c, const DecodedInsn&) {
  if (c.s.v86() && c.s.iopl() < 3) c.raise_gp(0);
  c.push<u32>(c.s.eflags & 0x00FCFFFFu);
}

// 9D: POPF/POPFD. Which bits may change depends on mode, CPL and IOPL
// (Cpu::eflags_writable_mask: IOPL only at CPL 0, IF only with CPL <= IOPL, VM
// and RF never). A 16-bit POPF leaves the upper half of EFLAGS alone. In v86
// mode with IOPL < 3 it is #GP(0) unless VME handles the 16-bit form: then IF
// goes to VIF, and a popped TF = 1, or IF = 1 with VIP set, is #GP(0)
// (Intel SDM vol. 2 "POPF/POPFD").
void popf16(Cpu& c, const DecodedInsn&) {
  if (c.s.v86() && c.s.iopl() < 3) {
    if (!vme_active(c)) c.raise_gp(0);
    const u16 v = c.read_stack<u16>(0);
    if ((v & fl::TF) || ((v & fl::IF) && (c.s.eflags & fl::VIP))) c.raise_gp(0);
    c.set_sp(c.sp() + 2);
    const u32 mask = fl::kArith | fl::TF | fl::DF | fl::NT;  // IOPL and IF stay; TF is 0 here
    c.write_eflags(v, mask);
    c.set_flag(fl::VIF, (v & fl::IF) != 0);
    return;
  }
  const u16 v = c.pop<u16>();
  c.write_eflags(v, c.eflags_writable_mask() & 0xFFFFu);
}
void popf32(Cpu& c, const DecodedInsn&) {
  if (c.s.v86() && c.s.iopl() < 3) c.raise_gp(0);
  const u32 v = c.pop<u32>();
  c.write_eflags(v, c.eflags_writable_mask());
}

// C8 Iw,Ib: ENTER size, level (Intel SDM vol. 2 "ENTER"). The level is taken
// modulo 32. The pushes use the operand size; the frame-pointer walk uses eBP at
// the stack address size (SS.B). EBP is committed last, after every memory
// access that can fault (ESP is restored by the step loop on a fault). The
// 16-bit form sets only BP. Later processors also probe the final stack
// pointer for writability; the i486 does not document that, so we do not.
template <class T>
void enter(Cpu& c, const DecodedInsn& d) {
  const u32 size = d.imm & 0xFFFF;
  const unsigned level = d.imm2 & 31;
  const bool s32 = c.stack32();
  c.push<T>(c.reg<T>(EBP));
  const u32 frame = c.sp();  // FrameTemp: ESP (32-bit stack) or SP (16-bit stack)
  if (level > 0) {
    u32 bp = s32 ? c.s.r[EBP] : (c.s.r[EBP] & 0xFFFF);
    for (unsigned i = 1; i < level; ++i) {
      bp = s32 ? bp - sizeof(T) : ((bp - sizeof(T)) & 0xFFFF);
      c.push<T>(c.read<T>(SS, bp));
    }
    c.push<T>(static_cast<T>(frame));
  }
  c.set_sp(c.sp() - size);
  c.set_reg<T>(EBP, static_cast<T>(frame));
}

// C9: LEAVE. eSP <- eBP (at the stack address size), then pop eBP (operand
// size). The read happens before any register changes.
template <class T>
void leave(Cpu& c, const DecodedInsn&) {
  const u32 nsp = c.stack32() ? c.s.r[EBP] : (c.s.r[EBP] & 0xFFFF);
  const T v = c.read<T>(SS, nsp);
  c.set_sp(nsp + sizeof(T));
  c.set_reg<T>(EBP, v);
}

}  // namespace

void register_stack(OpTable& t) {
  for (u16 r = 0; r < 8; ++r) {
    t.set(0x50 + r, "push", "Zv", push_r<u16>, push_r<u32>);
    t.set(0x58 + r, "pop", "Zv", pop_r<u16>, pop_r<u32>);
  }
  t.set(0x68, "push", "Iz", push_iz<u16>, push_iz<u32>);
  t.set(0x6A, "push", "Ib", push_ib<u16>, push_ib<u32>);
  t.set_group(0xFF, 6, "push", "Ev", push_e<u16>, push_e<u32>);
  // 8F /1-/7 are undefined on the i486 (#UD).
  t.set_group(0x8F, 0, "pop", "Ev", pop_e<u16>, pop_e<u32>);
  t.set(0x60, "pusha", "", pusha<u16>, pusha<u32>);
  t.set(0x61, "popa", "", popa<u16>, popa<u32>);
  t.set(0x9C, "pushf", "", pushf16, pushf32);
  t.set(0x9D, "popf", "", popf16, popf32);
  t.set(0xC8, "enter", "Iw,Ib", enter<u16>, enter<u32>);
  t.set(0xC9, "leave", "", leave<u16>, leave<u32>);
}

}  // namespace l4sim
