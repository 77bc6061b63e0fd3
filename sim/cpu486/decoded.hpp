// A decoded instruction: everything execution needs, computed once and kept in
// the decoded-instruction cache. No allocation per instruction.
#pragma once

#include "common/types.hpp"
#include "cpu486/insn_timing.hpp"
#include "cpu486/regs.hpp"

namespace l4sim {

class Cpu;
struct DecodedInsn;
struct OpInfo;
using Handler = void (*)(Cpu&, const DecodedInsn&);

namespace pfx {
constexpr u8 kRep = 1;        // F3
constexpr u8 kRepne = 2;      // F2
constexpr u8 kLock = 4;       // F0
constexpr u8 kOpsize = 8;     // 66
constexpr u8 kAddrsize = 16;  // 67
constexpr u8 kSeg = 32;       // a segment override was present
}  // namespace pfx

struct DecodedInsn {
  Handler fn = nullptr;
  const OpInfo* info = nullptr;
  u32 disp = 0;    // displacement, sign-extended to 32 bits (16-bit forms wrap at use)
  u32 imm = 0;     // first immediate, raw (zero-extended); handlers sign-extend as the form requires
  u16 imm2 = 0;    // second immediate: ENTER's level byte, a far pointer's selector
  u16 opcode = 0;  // 0x00-0xFF one-byte map, 0x100-0x1FF the 0F map
  u8 len = 0;      // total length in bytes including prefixes; 0 marks an empty cache slot
  u8 modrm = 0;
  u8 base = kNoReg;   // effective-address base register (kNoReg = none)
  u8 index = kNoReg;  // effective-address index register
  u8 scale = 0;       // shift count for the index
  u8 seg = DS;        // segment of the memory operand after overrides and SS defaults
  u8 prefixes = 0;
  u8 n_prefixes = 0;
  bool op32 = true;    // effective operand size 32
  bool addr32 = true;  // effective address size 32
  bool has_modrm = false;
  bool mem = false;       // the ModRM operand is memory (mod != 3)
  u8 mode_key = 0;        // decoding mode (CS.D) the entry was decoded for
  InsnTimingInfo timing;  // the attached timing model's figures (insn_timing.hpp)

  u8 mod() const { return modrm >> 6; }
  u8 reg() const { return (modrm >> 3) & 7; }
  u8 rm() const { return modrm & 7; }
  bool rep() const { return prefixes & pfx::kRep; }
  bool repne() const { return prefixes & pfx::kRepne; }
  bool lock() const { return prefixes & pfx::kLock; }
  u8 opsize_bytes() const { return op32 ? 4 : 2; }
  i32 simm8() const { return static_cast<i8>(imm); }
  i32 simm16() const { return static_cast<i16>(imm); }
  // Immediate of the "z" kind (16 or 32 bits by operand size), sign-extended to 32.
  i32 simmz() const { return op32 ? static_cast<i32>(imm) : static_cast<i16>(imm); }
};

}  // namespace l4sim
