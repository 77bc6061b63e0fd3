// Near control transfers and the instructions that trap or stop: Jcc (70-7F,
// 0F 80-8F), JMP rel (EB, E9) and JMP Ev (FF /4), CALL rel (E8) and CALL Ev
// (FF /2), RET (C3) and RET Iw (C2), LOOP/LOOPE/LOOPNE (E2/E1/E0), JCXZ/JECXZ
// (E3), INT Ib (CD), INT3 (CC), INTO (CE), IRET (CF), BOUND (62), HLT (F4).
// The far forms (EA, 9A, CA, CB, FF /3, FF /5) live in far_control.cpp.
#include <type_traits>

#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// Relative branch target: EIP of the next instruction plus the displacement,
// truncated to 16 bits when the operand size is 16 (Intel SDM vol. 2 "Jcc",
// "JMP", "CALL": "IF OperandSize = 16 THEN EIP <- tempEIP AND 0000FFFFH").
template <bool kOp32>
u32 rel_target(const Cpu& c, i32 rel) {
  const u32 t = c.s.eip + static_cast<u32>(rel);
  return kOp32 ? t : (t & 0xFFFF);
}

// Jcc rel8 (70-7F): the condition is the low nibble of the opcode.
template <bool kOp32>
void jcc_rel8(Cpu& c, const DecodedInsn& d) {
  if (flags::cond(c, d.opcode & 0xF)) c.jump_near(rel_target<kOp32>(c, d.simm8()));
}

// Jcc rel16/32 (0F 80-8F).
template <bool kOp32>
void jcc_relz(Cpu& c, const DecodedInsn& d) {
  if (flags::cond(c, d.opcode & 0xF)) c.jump_near(rel_target<kOp32>(c, d.simmz()));
}

template <bool kOp32>
void jmp_rel8(Cpu& c, const DecodedInsn& d) {
  c.jump_near(rel_target<kOp32>(c, d.simm8()));
}

template <bool kOp32>
void jmp_relz(Cpu& c, const DecodedInsn& d) {
  c.jump_near(rel_target<kOp32>(c, d.simmz()));
}

// JMP r/m16 / r/m32 (FF /4): absolute offset; the 16-bit form zero-extends.
template <class T>
void jmp_e(Cpu& c, const DecodedInsn& d) {
  c.jump_near(static_cast<u32>(c.read_rm<T>(d)));
}

// Near CALL: Intel SDM vol. 2 "CALL" checks the target against the CS limit
// (#GP(0)) before pushing the return address (#SS(0) if the stack cannot hold
// it), so a call to a bad target leaves the stack untouched.
template <class T>
void call_near(Cpu& c, u32 target) {
  if (target > c.s.seg[CS].limit) c.raise_gp(0);
  c.push<T>(static_cast<T>(c.s.eip));
  c.jump_near(target);
}

template <bool kOp32>
void call_relz(Cpu& c, const DecodedInsn& d) {
  using T = std::conditional_t<kOp32, u32, u16>;
  call_near<T>(c, rel_target<kOp32>(c, d.simmz()));
}

// CALL r/m16 / r/m32 (FF /2). The operand is read before anything is pushed, so
// "call [esp]" uses the old stack top.
template <class T>
void call_e(Cpu& c, const DecodedInsn& d) {
  call_near<T>(c, static_cast<u32>(c.read_rm<T>(d)));
}

// RET / RET imm16 (C3 / C2): pop the return offset (16 bits zero-extended with
// a 16-bit operand size), then release imm16 bytes of parameters. A target
// beyond the CS limit is #GP(0); the step loop restores ESP.
template <class T, bool kImm>
void ret_near(Cpu& c, const DecodedInsn& d) {
  const u32 target = static_cast<u32>(c.pop<T>());
  if constexpr (kImm) c.set_sp(c.sp() + (d.imm & 0xFFFF));
  c.jump_near(target);
}

// The count register of LOOP/JCXZ is CX or ECX by the ADDRESS size (Intel SDM
// vol. 2 "LOOP/LOOPcc", "Jcc": "IF AddressSize = 32 THEN Count is ECX").
template <bool kA32>
u32 count_reg(const Cpu& c) {
  return kA32 ? c.s.r[ECX] : (c.s.r[ECX] & 0xFFFF);
}

enum LoopKind { kLoopne, kLoope, kLoop };

// LOOP/LOOPE/LOOPNE (E2/E1/E0). The counter is decremented without touching
// any flag. The branch (and its limit check) happens before the new count is
// committed so a #GP leaves ECX as it was.
template <bool kOp32, bool kA32, int Kind>
void loop_a(Cpu& c, const DecodedInsn& d) {
  const u32 n = count_reg<kA32>(c) - 1;
  const u32 left = kA32 ? n : (n & 0xFFFF);
  bool take = left != 0;
  if (Kind == kLoope) take = take && c.flag(fl::ZF);
  if (Kind == kLoopne) take = take && !c.flag(fl::ZF);
  if (take) c.jump_near(rel_target<kOp32>(c, d.simm8()));
  if (kA32)
    c.s.r[ECX] = n;
  else
    c.set_reg<u16>(ECX, static_cast<u16>(n));
}

template <bool kOp32, int Kind>
void loop_op(Cpu& c, const DecodedInsn& d) {
  if (d.addr32)
    loop_a<kOp32, true, Kind>(c, d);
  else
    loop_a<kOp32, false, Kind>(c, d);
}

// JCXZ/JECXZ (E3): CX or ECX by the address size.
template <bool kOp32>
void jcxz(Cpu& c, const DecodedInsn& d) {
  const u32 n = d.addr32 ? count_reg<true>(c) : count_reg<false>(c);
  if (n == 0) c.jump_near(rel_target<kOp32>(c, d.simm8()));
}

void int_ib(Cpu& c, const DecodedInsn& d) { c.software_interrupt(static_cast<u8>(d.imm)); }
void int3(Cpu& c, const DecodedInsn&) { c.software_interrupt(vec::BP); }
// INTO (CE): #OF as a trap only if OF is set; otherwise a no-op (Intel SDM vol. 2 "INT n/INTO/INT3").
void into(Cpu& c, const DecodedInsn&) {
  if (c.flag(fl::OF)) c.software_interrupt(vec::OF);
}

template <bool kOp32>
void iret(Cpu& c, const DecodedInsn&) {
  c.iret(kOp32);
}

// BOUND r16/32, m16&16/m32&32 (62): signed comparison of the register with the
// lower bound at [ea] and the upper bound at [ea + size]. Out of range is #BR, a
// fault (saved EIP = the BOUND itself), delivered like any exception and not as
// a software interrupt (no gate DPL check) (Intel SDM vol. 2 "BOUND", vol. 3 §6.15 int 5).
template <class T>
void bound(Cpu& c, const DecodedInsn& d) {
  using S = std::make_signed_t<T>;
  const u32 a = c.ea(d);
  const u32 a2 = d.addr32 ? a + sizeof(T) : ((a + sizeof(T)) & 0xFFFF);
  const S lower = static_cast<S>(c.read<T>(d.seg, a));
  const S upper = static_cast<S>(c.read<T>(d.seg, a2));
  const S idx = static_cast<S>(c.reg<T>(d.reg()));
  if (idx < lower || idx > upper) c.raise(vec::BR);
}

// HLT (F4): privileged. In protected mode CPL must be 0, and in virtual-8086
// mode (CPL 3) it always raises #GP(0) (Intel SDM vol. 2 "HLT"). The saved EIP
// after the waking interrupt is the instruction after HLT.
void hlt(Cpu& c, const DecodedInsn&) {
  if (c.s.protected_mode() && (c.s.v86() || c.s.cpl != 0)) c.raise_gp(0);
  c.enter_halt();
}

}  // namespace

void register_control(OpTable& t) {
  static const char* const kJcc[16] = {"jo", "jno", "jb", "jnb", "jz", "jnz", "jbe", "jnbe",
                                       "js", "jns", "jp", "jnp", "jl", "jnl", "jle", "jnle"};
  for (u16 cc = 0; cc < 16; ++cc) {
    t.set(0x70 + cc, kJcc[cc], "Jb", jcc_rel8<false>, jcc_rel8<true>, kOpBranch);
    t.set(0x180 + cc, kJcc[cc], "Jz", jcc_relz<false>, jcc_relz<true>, kOpBranch);
  }
  t.set(0xEB, "jmp", "Jb", jmp_rel8<false>, jmp_rel8<true>, kOpBranch);
  t.set(0xE9, "jmp", "Jz", jmp_relz<false>, jmp_relz<true>, kOpBranch);
  t.set(0xE8, "call", "Jz", call_relz<false>, call_relz<true>, kOpBranch);
  t.set_group(0xFF, 2, "call", "Ev", call_e<u16>, call_e<u32>, kOpBranch);
  t.set_group(0xFF, 4, "jmp", "Ev", jmp_e<u16>, jmp_e<u32>, kOpBranch);
  t.set(0xC3, "ret", "", ret_near<u16, false>, ret_near<u32, false>, kOpBranch);
  t.set(0xC2, "ret", "Iw", ret_near<u16, true>, ret_near<u32, true>, kOpBranch);
  t.set(0xE0, "loopne", "Jb", loop_op<false, kLoopne>, loop_op<true, kLoopne>, kOpBranch);
  t.set(0xE1, "loope", "Jb", loop_op<false, kLoope>, loop_op<true, kLoope>, kOpBranch);
  t.set(0xE2, "loop", "Jb", loop_op<false, kLoop>, loop_op<true, kLoop>, kOpBranch);
  t.set(0xE3, "jcxz", "Jb", jcxz<false>, jcxz<true>, kOpBranch);
  t.set(0xCC, "int3", "", int3, kOpBranch);
  t.set(0xCD, "int", "Ib", int_ib, kOpBranch);
  t.set(0xCE, "into", "", into, kOpBranch);
  t.set(0xCF, "iret", "", iret<false>, iret<true>, kOpBranch);
  t.set(0x62, "bound", "Gv,Ma", bound<u16>, bound<u32>, kOpMemOnly);
  t.set(0xF4, "hlt", "", hlt, kOpPriv);
}

}  // namespace l4sim
