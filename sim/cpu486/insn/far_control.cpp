// Far control transfers: JMP ptr16:16/32 (EA), CALL ptr16:16/32 (9A), JMP m16:16/32
// (FF /5), CALL m16:16/32 (FF /3), RET far (CB) and RET far imm16 (CA). The
// work is done by Cpu::far_jump/far_call/far_return (far_transfer.cpp), which
// implement the real, v86 and protected-mode pseudocode of Intel SDM vol. 2.
// The direct forms (EA, 9A) are valid in every mode of the i486 (they become
// invalid only in 64-bit mode).
#include "cpu486/cpu.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// Ap: the decoder puts the offset (operand size) in imm and the selector in imm2.
void jmp_ap(Cpu& c, const DecodedInsn& d) { c.far_jump(d.imm2, d.imm, d.op32); }
void call_ap(Cpu& c, const DecodedInsn& d) { c.far_call(d.imm2, d.imm, d.op32); }

// Mp: a far pointer in memory, offset first (16 or 32 bits by operand size),
// then the 16-bit selector. Both are read before anything changes.
struct FarPtr {
  u16 sel;
  u32 off;
};
FarPtr read_far_ptr(Cpu& c, const DecodedInsn& d) {
  const u32 ea = c.ea(d);
  if (d.op32) {
    const u32 off = c.read<u32>(d.seg, ea);
    return {c.read<u16>(d.seg, ea + 4), off};
  }
  const u32 off = c.read<u16>(d.seg, ea);
  return {c.read<u16>(d.seg, ea + 2), off};
}
void jmp_mp(Cpu& c, const DecodedInsn& d) {
  const FarPtr p = read_far_ptr(c, d);
  c.far_jump(p.sel, p.off, d.op32);
}
void call_mp(Cpu& c, const DecodedInsn& d) {
  const FarPtr p = read_far_ptr(c, d);
  c.far_call(p.sel, p.off, d.op32);
}

void retf16(Cpu& c, const DecodedInsn&) { c.far_return(false, 0); }
void retf32(Cpu& c, const DecodedInsn&) { c.far_return(true, 0); }
void retf16_iw(Cpu& c, const DecodedInsn& d) { c.far_return(false, static_cast<u16>(d.imm)); }
void retf32_iw(Cpu& c, const DecodedInsn& d) { c.far_return(true, static_cast<u16>(d.imm)); }

}  // namespace

void register_far_control(OpTable& t) {
  t.set(0xEA, "jmp", "Ap", jmp_ap, kOpBranch);
  t.set(0x9A, "call", "Ap", call_ap, kOpBranch);
  // FF /3 and /5 with a register operand are #UD (Intel SDM vol. 2 CALL/JMP: "m16:16/32").
  t.set_group(0xFF, 3, "call", "Mp", call_mp, kOpBranch | kOpMemOnly);
  t.set_group(0xFF, 5, "jmp", "Mp", jmp_mp, kOpBranch | kOpMemOnly);
  t.set(0xCB, "retf", "", retf16, retf32, kOpBranch);
  t.set(0xCA, "retf", "Iw", retf16_iw, retf32_iw, kOpBranch);
}

}  // namespace l4sim
