// Decimal adjust instructions: DAA (27), DAS (2F), AAA (37), AAS (3F), AAM (D4 Ib),
// AAD (D5 Ib). Results and defined flags follow the pseudocode of the Intel SDM
// vol. 2 instruction pages. For the flags Intel leaves undefined we know of no
// documented i486 behaviour, so we compute them from the result as Bochs does:
// SF/ZF/PF from the final AL and OF = 0 where they are undefined (AAA, AAS),
// OF = 0 for DAA/DAS, and OF = AF = CF = 0 for AAM/AAD. A differential test
// against another emulator must mask these flags.
#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

constexpr unsigned kAH = 4;  // byte-register number of AH

// 27: DAA.
//   old_AL <- AL; old_CF <- CF; CF <- 0
//   IF (AL & 0F) > 9 or AF: AL <- AL + 6; CF <- old_CF or carry; AF <- 1 ELSE AF <- 0
//   IF old_AL > 99 or old_CF: AL <- AL + 60; CF <- 1 ELSE CF <- 0
// (QEMU tests the adjusted AL > 9F for the second step, which differs from the
// SDM only for old AL >= FA; we follow the SDM, as Bochs does.)
void daa(Cpu& c, const DecodedInsn&) {
  const u8 old_al = c.reg<u8>(EAX);
  const bool old_cf = c.flag(fl::CF);
  u8 al = old_al;
  u32 f = 0;
  if ((al & 0x0F) > 9 || c.flag(fl::AF)) {
    al = static_cast<u8>(al + 6);
    f |= fl::AF;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<u8>(al + 0x60);
    f |= fl::CF;
  }
  c.set_reg<u8>(EAX, al);
  flags::set_arith(c, f | flags::szp<u8>(al));  // OF undefined: 0
}

// 2F: DAS. As DAA with subtraction; unlike DAA's pseudocode there is no "ELSE
// CF <- 0" after the second step, so the borrow of AL - 6 survives.
void das(Cpu& c, const DecodedInsn&) {
  const u8 old_al = c.reg<u8>(EAX);
  const bool old_cf = c.flag(fl::CF);
  u8 al = old_al;
  u32 f = 0;
  if ((al & 0x0F) > 9 || c.flag(fl::AF)) {
    if (old_cf || al < 6) f |= fl::CF;
    al = static_cast<u8>(al - 6);
    f |= fl::AF;
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<u8>(al - 0x60);
    f |= fl::CF;
  }
  c.set_reg<u8>(EAX, al);
  flags::set_arith(c, f | flags::szp<u8>(al));  // OF undefined: 0
}

// 37: AAA. IF (AL & 0F) > 9 or AF: AX <- AX + 106h; AF <- CF <- 1 ELSE AF <- CF <- 0;
// AL <- AL & 0F. The SDM's AX + 106h (the 8086 did AL + 6, AH + 1 separately,
// which QEMU still models) lets a carry out of AL reach AH, as on the 286 and
// later. SF/ZF/PF/OF are undefined: SZP of the final AL, OF = 0.
void aaa(Cpu& c, const DecodedInsn&) {
  u16 ax = c.reg<u16>(EAX);
  u32 f = 0;
  if ((ax & 0x0F) > 9 || c.flag(fl::AF)) {
    ax = static_cast<u16>(ax + 0x106);
    f = fl::AF | fl::CF;
  }
  ax &= 0xFF0F;
  c.set_reg<u16>(EAX, ax);
  flags::set_arith(c, f | flags::szp<u8>(static_cast<u8>(ax)));
}

// 3F: AAS. IF (AL & 0F) > 9 or AF: AX <- AX - 6; AH <- AH - 1; AF <- CF <- 1
// ELSE AF <- CF <- 0; AL <- AL & 0F. Undefined flags as for AAA.
void aas(Cpu& c, const DecodedInsn&) {
  u16 ax = c.reg<u16>(EAX);
  u32 f = 0;
  if ((ax & 0x0F) > 9 || c.flag(fl::AF)) {
    ax = static_cast<u16>(ax - 6);
    ax = static_cast<u16>(ax - 0x100);
    f = fl::AF | fl::CF;
  }
  ax &= 0xFF0F;
  c.set_reg<u16>(EAX, ax);
  flags::set_arith(c, f | flags::szp<u8>(static_cast<u8>(ax)));
}

// D4 Ib: AAM. AH <- AL / imm8; AL <- AL mod imm8 (D4 0A is the documented form;
// any base works on Intel processors). imm8 = 0 raises #DE. SF/ZF/PF from AL;
// OF/AF/CF undefined: cleared.
void aam(Cpu& c, const DecodedInsn& d) {
  const u8 base = static_cast<u8>(d.imm);
  if (base == 0) c.raise(vec::DE);
  const u8 al = c.reg<u8>(EAX);
  const u8 r = static_cast<u8>(al % base);
  c.set_reg<u16>(EAX, static_cast<u16>(((al / base) << 8) | r));
  flags::set_arith(c, flags::szp<u8>(r));
}

// D5 Ib: AAD. AL <- (AL + AH * imm8) & FF; AH <- 0. SF/ZF/PF from AL; OF/AF/CF
// undefined: cleared.
void aad(Cpu& c, const DecodedInsn& d) {
  const u8 base = static_cast<u8>(d.imm);
  const u8 al = static_cast<u8>(c.reg<u8>(EAX) + c.reg<u8>(kAH) * base);
  c.set_reg<u16>(EAX, al);
  flags::set_arith(c, flags::szp<u8>(al));
}

}  // namespace

void register_bcd(OpTable& t) {
  t.set(0x27, "daa", "", daa);
  t.set(0x2F, "das", "", das);
  t.set(0x37, "aaa", "", aaa);
  t.set(0x3F, "aas", "", aas);
  t.set(0xD4, "aam", "Ib", aam);
  t.set(0xD5, "aad", "Ib", aad);
}

}  // namespace l4sim
