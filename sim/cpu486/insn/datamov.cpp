// Data movement: MOV (88-8B, B0-BF, C6/C7 /0, A0-A3 moffs), MOVZX/MOVSX (0F B6/B7/BE/BF),
// XCHG (86/87, 91-97), NOP (90), LEA (8D), CBW/CWDE (98), CWD/CDQ (99), XLAT (D7),
// LAHF/SAHF (9F/9E) and the undocumented SALC (D6). None of these changes the
// arithmetic flags except SAHF (Intel SDM vol. 2, instruction pages).
#include <type_traits>

#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// ---- MOV -----------------------------------------------------------------

template <class T>
void mov_e_g(Cpu& c, const DecodedInsn& d) {
  c.write_rm<T>(d, c.reg<T>(d.reg()));
}
template <class T>
void mov_g_e(Cpu& c, const DecodedInsn& d) {
  c.set_reg<T>(d.reg(), c.read_rm<T>(d));
}
// B0-B7 / B8-BF: the register is in the low three opcode bits.
template <class T>
void mov_z_i(Cpu& c, const DecodedInsn& d) {
  c.set_reg<T>(d.opcode & 7, static_cast<T>(d.imm));
}
// C6 /0, C7 /0.
template <class T>
void mov_e_i(Cpu& c, const DecodedInsn& d) {
  c.write_rm<T>(d, static_cast<T>(d.imm));
}
// A0-A3: the offset follows the opcode and has the ADDRESS size (the decoder
// reads 2 or 4 bytes into imm); the segment is DS unless overridden (Intel SDM
// vol. 2 "MOV", moffs8/16/32).
template <class T>
void mov_a_o(Cpu& c, const DecodedInsn& d) {
  c.set_reg<T>(EAX, c.read<T>(d.seg, d.imm));
}
template <class T>
void mov_o_a(Cpu& c, const DecodedInsn& d) {
  c.write<T>(d.seg, d.imm, c.reg<T>(EAX));
}

// ---- MOVZX / MOVSX (0F B6/B7/BE/BF) ----------------------------------------
// D is the destination size (operand size), S the source size (b or w). With a
// 16-bit operand size 0F B7/BF degenerate to a 16-bit move.
template <class D, class S, bool kSigned>
void movx(Cpu& c, const DecodedInsn& d) {
  const S v = c.read_rm<S>(d);
  if constexpr (kSigned) {
    using SS = std::make_signed_t<S>;
    c.set_reg<D>(d.reg(), static_cast<D>(static_cast<i32>(static_cast<SS>(v))));
  } else {
    c.set_reg<D>(d.reg(), static_cast<D>(v));
  }
}

// ---- XCHG ------------------------------------------------------------------
// With a memory operand XCHG asserts LOCK# whether or not the prefix is present
// (Intel SDM vol. 2 "XCHG"); the access is a single read-modify-write here, and
// the destination is checked for writing before anything changes.
template <class T>
void xchg_e_g(Cpu& c, const DecodedInsn& d) {
  Cpu::RmwRef ref;
  const T a = c.rmw_read<T>(d, ref);
  const T b = c.reg<T>(d.reg());
  c.rmw_write<T>(ref, b);
  c.set_reg<T>(d.reg(), a);
}
// 91-97: XCHG eAX, reg.
template <class T>
void xchg_a_z(Cpu& c, const DecodedInsn& d) {
  const unsigned r = d.opcode & 7;
  const T a = c.reg<T>(EAX);
  c.set_reg<T>(EAX, c.reg<T>(r));
  c.set_reg<T>(r, a);
}
// 90: XCHG eAX, eAX is NOP (Intel SDM vol. 2 "NOP"); F3 90 (PAUSE on later
// processors) is also a plain NOP on the i486.
void nop(Cpu&, const DecodedInsn&) {}

// ---- LEA -------------------------------------------------------------------
// The effective address is computed at the address size (Cpu::ea truncates a
// 16-bit address to 16 bits) and then truncated or zero-extended to the operand
// size (Intel SDM vol. 2 "LEA", table 3-54). No memory is accessed and no
// segment is involved. The register form is #UD (kOpMemOnly).
template <class T>
void lea(Cpu& c, const DecodedInsn& d) {
  c.set_reg<T>(d.reg(), static_cast<T>(c.ea(d)));
}

// ---- Conversions -------------------------------------------------------------

void cbw(Cpu& c, const DecodedInsn&) {  // AX <- sign-extend(AL)
  c.set_reg<u16>(EAX, static_cast<u16>(static_cast<i16>(static_cast<i8>(c.reg<u8>(EAX)))));
}
void cwde(Cpu& c, const DecodedInsn&) {  // EAX <- sign-extend(AX)
  c.set_reg<u32>(EAX, static_cast<u32>(static_cast<i32>(static_cast<i16>(c.reg<u16>(EAX)))));
}
void cwd(Cpu& c, const DecodedInsn&) {  // DX:AX <- sign-extend(AX)
  c.set_reg<u16>(EDX, (c.reg<u16>(EAX) & 0x8000) ? 0xFFFF : 0);
}
void cdq(Cpu& c, const DecodedInsn&) {  // EDX:EAX <- sign-extend(EAX)
  c.set_reg<u32>(EDX, (c.reg<u32>(EAX) & 0x80000000u) ? 0xFFFFFFFFu : 0);
}

// ---- XLAT ------------------------------------------------------------------
// AL <- [seg:(E)BX + zero-extend(AL)], DS unless overridden; the sum wraps at
// the address size (Intel SDM vol. 2 "XLAT/XLATB").
void xlat(Cpu& c, const DecodedInsn& d) {
  const u32 off = d.addr32 ? c.s.r[EBX] + c.reg<u8>(EAX) : ((c.s.r[EBX] + c.reg<u8>(EAX)) & 0xFFFF);
  c.set_reg<u8>(EAX, c.read<u8>(d.seg, off));
}

// ---- LAHF / SAHF -------------------------------------------------------------
// AH <-> SF:ZF:0:AF:0:PF:1:CF (Intel SDM vol. 2 "LAHF", "SAHF"). SAHF leaves OF
// alone and keeps the reserved bits 1, 3, 5 at 1, 0, 0.
constexpr u32 kAhFlags = fl::SF | fl::ZF | fl::AF | fl::PF | fl::CF;

void lahf(Cpu& c, const DecodedInsn&) { c.set_reg<u8>(4 /* AH */, static_cast<u8>((c.s.eflags & kAhFlags) | fl::R1)); }
void sahf(Cpu& c, const DecodedInsn&) { c.s.eflags = (c.s.eflags & ~kAhFlags) | (c.reg<u8>(4 /* AH */) & kAhFlags); }

// ---- SALC (D6) -----------------------------------------------------------------
// Undocumented: Intel's opcode map (SDM vol. 2 appendix A) leaves D6 blank, but
// the 8086 through the Pentium and later execute it as AL <- CF ? FF : 00 with
// no flag changed; QEMU and Bochs model it the same way.
void salc(Cpu& c, const DecodedInsn&) { c.set_reg<u8>(EAX, c.flag(fl::CF) ? 0xFF : 0x00); }

}  // namespace

void register_datamov(OpTable& t) {
  t.set(0x88, "mov", "Eb,Gb", mov_e_g<u8>);
  t.set(0x89, "mov", "Ev,Gv", mov_e_g<u16>, mov_e_g<u32>);
  t.set(0x8A, "mov", "Gb,Eb", mov_g_e<u8>);
  t.set(0x8B, "mov", "Gv,Ev", mov_g_e<u16>, mov_g_e<u32>);
  for (u16 r = 0; r < 8; ++r) {
    t.set(0xB0 + r, "mov", "Zb,Ib", mov_z_i<u8>);
    t.set(0xB8 + r, "mov", "Zv,Iv", mov_z_i<u16>, mov_z_i<u32>);
  }
  // C6/C7 /1-/7 are undefined on the i486 (#UD).
  t.set_group(0xC6, 0, "mov", "Eb,Ib", mov_e_i<u8>);
  t.set_group(0xC7, 0, "mov", "Ev,Iz", mov_e_i<u16>, mov_e_i<u32>);
  t.set(0xA0, "mov", "AL,Ob", mov_a_o<u8>);
  t.set(0xA1, "mov", "eAX,Ov", mov_a_o<u16>, mov_a_o<u32>);
  t.set(0xA2, "mov", "Ob,AL", mov_o_a<u8>);
  t.set(0xA3, "mov", "Ov,eAX", mov_o_a<u16>, mov_o_a<u32>);

  t.set(0x1B6, "movzx", "Gv,Eb", movx<u16, u8, false>, movx<u32, u8, false>);
  t.set(0x1B7, "movzx", "Gv,Ew", movx<u16, u16, false>, movx<u32, u16, false>);
  t.set(0x1BE, "movsx", "Gv,Eb", movx<u16, u8, true>, movx<u32, u8, true>);
  t.set(0x1BF, "movsx", "Gv,Ew", movx<u16, u16, true>, movx<u32, u16, true>);

  t.set(0x86, "xchg", "Eb,Gb", xchg_e_g<u8>, kOpLockable);
  t.set(0x87, "xchg", "Ev,Gv", xchg_e_g<u16>, xchg_e_g<u32>, kOpLockable);
  t.set(0x90, "nop", "", nop);
  for (u16 r = 1; r < 8; ++r) t.set(0x90 + r, "xchg", "Zv,eAX", xchg_a_z<u16>, xchg_a_z<u32>);

  t.set(0x8D, "lea", "Gv,M", lea<u16>, lea<u32>, kOpMemOnly);

  t.set(0x98, "cbw", "", cbw, cwde);  // CWDE with a 32-bit operand size
  t.set(0x99, "cwd", "", cwd, cdq);   // CDQ with a 32-bit operand size
  t.set(0xD7, "xlat", "", xlat);
  t.set(0x9E, "sahf", "", sahf);
  t.set(0x9F, "lahf", "", lahf);
  t.set(0xD6, "salc", "", salc);
}

}  // namespace l4sim
