// Segment-register instructions: MOV Ew,Sw (8C), MOV Sw,Ew (8E), PUSH/POP of
// ES/CS/SS/DS (06/07/0E/16/17/1E/1F) and FS/GS (0F A0/A1/A8/A9), and the far
// pointer loads LES/LDS (C4/C5), LSS/LFS/LGS (0F B2/B4/B5). The protected-mode
// checks of a segment load live in Cpu::load_segment (segments.cpp), which also
// inhibits interrupts after a load of SS.
#include "cpu486/cpu.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// 8C: MOV r/m16, Sreg. ModRM.reg 6 and 7 name no segment register: #UD.
// A memory destination is always written as a word whatever the operand size.
// A register destination with a 32-bit operand size: Intel SDM vol. 2 "MOV"
// says the upper 16 bits are undefined on processors before the P6 (the P6 and
// later zero them). We zero-extend, as the P6, Bochs and QEMU do, so the value is
// deterministic.
template <class T>
void mov_e_s(Cpu& c, const DecodedInsn& d) {
  if (d.reg() > GS) c.raise_ud();
  const u16 sel = c.s.seg[d.reg()].selector;
  if (d.mem)
    c.write<u16>(d.seg, c.ea(d), sel);
  else
    c.set_reg<T>(d.rm(), static_cast<T>(sel));
}

// 8E: MOV Sreg, r/m16. Loading CS this way is #UD (Intel SDM vol. 2 "MOV": "If
// attempt is made to load the CS register"), as are reg 6 and 7. The source is
// always a word (register low half, or a word in memory).
void mov_s_e(Cpu& c, const DecodedInsn& d) {
  if (d.reg() == CS || d.reg() > GS) c.raise_ud();
  c.load_segment(d.reg(), c.read_rm<u16>(d));
}

// PUSH Sreg. With a 32-bit operand size the i486 decrements ESP by 4 but writes
// only the low word (the selector) and leaves the upper word of the stack slot
// unchanged (Intel SDM vol. 2 "PUSH": "the segment selector is written on the
// stack using a 16-bit move"). QEMU writes a zero-extended doubleword instead;
// the difference is visible only in the untouched upper word.
template <class T>
void push_s(Cpu& c, const DecodedInsn& d) {
  unsigned sr;
  switch (d.opcode) {
    case 0x06: sr = ES; break;
    case 0x0E: sr = CS; break;
    case 0x16: sr = SS; break;
    case 0x1E: sr = DS; break;
    case 0x1A0: sr = FS; break;
    default: sr = GS; break;  // 0F A8
  }
  const u16 sel = c.s.seg[sr].selector;
  if constexpr (sizeof(T) == 2) {
    c.push<u16>(sel);
  } else {
    const u32 nsp = c.stack32() ? c.s.r[ESP] - 4 : ((c.s.r[ESP] - 4) & 0xFFFF);
    c.write<u16>(SS, nsp, sel);
    c.set_sp(nsp);
  }
}

// POP Sreg. A 32-bit operand size pops a doubleword and discards the upper half.
// The stack pointer moves with the B bit of the OLD SS (the increment happens in
// pop() before the load); if the load faults, the step loop restores ESP.
template <class T>
void pop_s(Cpu& c, const DecodedInsn& d) {
  unsigned sr;
  switch (d.opcode) {
    case 0x07: sr = ES; break;
    case 0x17: sr = SS; break;
    case 0x1F: sr = DS; break;
    case 0x1A1: sr = FS; break;
    default: sr = GS; break;  // 0F A9
  }
  const T v = c.pop<T>();
  c.load_segment(sr, static_cast<u16>(v));
}

// LES/LDS/LSS/LFS/LGS r, m16:16 / m16:32: the offset (operand size) is read
// first, then the selector from the following word (the address wraps at the
// address size); the segment is loaded (all its checks) before the general
// register is written, so a faulting load leaves the register unchanged (Intel
// SDM vol. 2 "LDS/LES/LFS/LGS/LSS").
template <class T, unsigned kSr>
void load_far(Cpu& c, const DecodedInsn& d) {
  const u32 off = c.ea(d);
  const T v = c.read<T>(d.seg, off);
  const u32 sel_off = d.addr32 ? off + sizeof(T) : ((off + sizeof(T)) & 0xFFFF);
  const u16 sel = c.read<u16>(d.seg, sel_off);
  c.load_segment(kSr, sel);
  c.set_reg<T>(d.reg(), v);
}

}  // namespace

void register_segment_insns(OpTable& t) {
  t.set(0x8C, "mov", "Ew,Sw", mov_e_s<u16>, mov_e_s<u32>);
  t.set(0x8E, "mov", "Sw,Ew", mov_s_e);

  t.set(0x06, "push", "ES", push_s<u16>, push_s<u32>);
  t.set(0x0E, "push", "CS", push_s<u16>, push_s<u32>);
  t.set(0x16, "push", "SS", push_s<u16>, push_s<u32>);
  t.set(0x1E, "push", "DS", push_s<u16>, push_s<u32>);
  t.set(0x1A0, "push", "FS", push_s<u16>, push_s<u32>);
  t.set(0x1A8, "push", "GS", push_s<u16>, push_s<u32>);
  // 0F would be POP CS on the 8086; on the i486 it is the two-byte escape.
  t.set(0x07, "pop", "ES", pop_s<u16>, pop_s<u32>);
  t.set(0x17, "pop", "SS", pop_s<u16>, pop_s<u32>);
  t.set(0x1F, "pop", "DS", pop_s<u16>, pop_s<u32>);
  t.set(0x1A1, "pop", "FS", pop_s<u16>, pop_s<u32>);
  t.set(0x1A9, "pop", "GS", pop_s<u16>, pop_s<u32>);

  t.set(0xC4, "les", "Gv,Mp", load_far<u16, ES>, load_far<u32, ES>, kOpMemOnly);
  t.set(0xC5, "lds", "Gv,Mp", load_far<u16, DS>, load_far<u32, DS>, kOpMemOnly);
  t.set(0x1B2, "lss", "Gv,Mp", load_far<u16, SS>, load_far<u32, SS>, kOpMemOnly);
  t.set(0x1B4, "lfs", "Gv,Mp", load_far<u16, FS>, load_far<u32, FS>, kOpMemOnly);
  t.set(0x1B5, "lgs", "Gv,Mp", load_far<u16, GS>, load_far<u32, GS>, kOpMemOnly);
}

}  // namespace l4sim
