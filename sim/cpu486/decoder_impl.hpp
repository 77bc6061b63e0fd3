// Template body of decode_insn (included by decoder.hpp).
#pragma once

namespace l4sim {

namespace detail {
// 16-bit ModRM effective addresses (Intel SDM vol. 2 table 2-1).
constexpr u8 kBase16[8] = {EBX, EBX, EBP, EBP, kNoReg, kNoReg, EBP, EBX};
constexpr u8 kIndex16[8] = {ESI, EDI, ESI, EDI, ESI, EDI, kNoReg, kNoReg};
}  // namespace detail

template <class Source>
bool decode_insn(Source&& byte_at, const DecodeMode& mode, DecodedInsn& d) {
  unsigned n = 0;
  auto next = [&]() -> u8 { return byte_at(n++); };
  auto next16 = [&]() -> u32 {
    const u32 lo = next();
    return lo | (static_cast<u32>(next()) << 8);
  };
  auto next32 = [&]() -> u32 {
    const u32 lo = next16();
    return lo | (next16() << 16);
  };

  d = DecodedInsn{};
  d.mode_key = mode.code32;
  u8 seg_override = kNoSeg;
  u8 b = 0;
  for (;;) {
    if (n >= kMaxInsnLen) return false;
    b = next();
    switch (b) {
      case 0xF0: d.prefixes |= pfx::kLock; break;
      case 0xF2: d.prefixes = (d.prefixes & ~pfx::kRep) | pfx::kRepne; break;  // last of F2/F3 wins
      case 0xF3: d.prefixes = (d.prefixes & ~pfx::kRepne) | pfx::kRep; break;
      case 0x26: seg_override = ES; break;
      case 0x2E: seg_override = CS; break;
      case 0x36: seg_override = SS; break;
      case 0x3E: seg_override = DS; break;
      case 0x64: seg_override = FS; break;
      case 0x65: seg_override = GS; break;
      case 0x66: d.prefixes |= pfx::kOpsize; break;
      case 0x67: d.prefixes |= pfx::kAddrsize; break;
      default: goto opcode;
    }
    ++d.n_prefixes;
  }
opcode:
  if (seg_override != kNoSeg) d.prefixes |= pfx::kSeg;
  d.op32 = mode.code32 != ((d.prefixes & pfx::kOpsize) != 0);
  d.addr32 = mode.code32 != ((d.prefixes & pfx::kAddrsize) != 0);
  d.opcode = b;
  if (b == 0x0F) d.opcode = 0x100 | next();

  const OpTable& t = op_table();
  if (t.has_modrm(d.opcode)) {
    d.has_modrm = true;
    d.modrm = next();
    d.mem = d.mod() != 3 && !t.modrm_reg_only(d.opcode);
    if (d.mem) {
      u8 def_seg = DS;
      if (d.addr32) {
        u8 rm = d.rm();
        if (rm == 4) {  // SIB
          const u8 sib = next();
          const u8 base = sib & 7;
          const u8 index = (sib >> 3) & 7;
          d.scale = sib >> 6;
          d.index = index == 4 ? u8{kNoReg} : index;
          if (base == 5 && d.mod() == 0) {
            d.base = kNoReg;
            d.disp = next32();
          } else {
            d.base = base;
          }
        } else if (rm == 5 && d.mod() == 0) {
          d.base = kNoReg;
          d.disp = next32();
        } else {
          d.base = rm;
        }
        if (d.base == ESP || d.base == EBP) def_seg = SS;
        if (d.mod() == 1) d.disp = static_cast<u32>(static_cast<i32>(static_cast<i8>(next())));
        if (d.mod() == 2) d.disp = next32();
      } else {
        const u8 rm = d.rm();
        if (rm == 6 && d.mod() == 0) {
          d.base = kNoReg;
          d.index = kNoReg;
          d.disp = next16();
        } else {
          d.base = detail::kBase16[rm];
          d.index = detail::kIndex16[rm];
          if (d.base == EBP) def_seg = SS;
        }
        if (d.mod() == 1) d.disp = static_cast<u32>(static_cast<i32>(static_cast<i8>(next())));
        if (d.mod() == 2) d.disp = static_cast<u32>(static_cast<i32>(static_cast<i16>(next16())));
      }
      d.seg = seg_override != kNoSeg ? seg_override : def_seg;
    } else {
      d.seg = seg_override != kNoSeg ? seg_override : u8{DS};
    }
  } else {
    d.seg = seg_override != kNoSeg ? seg_override : u8{DS};
  }

  const OpInfo& info = t.lookup(d.opcode, d.modrm);
  d.info = &info;
  switch (info.imm) {
    case ImmKind::kNone: break;
    case ImmKind::kB: d.imm = next(); break;
    case ImmKind::kW: d.imm = next16(); break;
    case ImmKind::kZ: d.imm = d.op32 ? next32() : next16(); break;
    case ImmKind::kWB:
      d.imm = next16();
      d.imm2 = next();
      break;
    case ImmKind::kFarPtr:
      d.imm = d.op32 ? next32() : next16();
      d.imm2 = static_cast<u16>(next16());
      break;
    case ImmKind::kMoffs: d.imm = d.addr32 ? next32() : next16(); break;
  }
  if (n > kMaxInsnLen) return false;
  d.len = static_cast<u8>(n);

  bool legal = info.mnemonic != nullptr;
  if (legal && (info.flags & kOpPentium) && !mode.pentium) legal = false;
  if (legal && (info.flags & kOpMemOnly) && !d.mem) legal = false;
  // LOCK is legal only on the lockable forms with a memory destination (Intel SDM
  // vol. 2 "LOCK"); anything else raises #UD, which kernels use as a trap.
  if (legal && d.lock() && (!(info.flags & kOpLockable) || !d.mem)) legal = false;
  d.fn = legal ? (d.op32 ? info.h32 : info.h16) : &ud_handler;
  if (!d.fn) d.fn = &ud_handler;
  return true;
}

}  // namespace l4sim
