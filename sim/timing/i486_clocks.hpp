// The i486 clock table: one row per instruction form, as data, each with its
// source. Clocks are Intel's "cache hit, no wait states" figures; the timing
// model adds pipeline penalties, cache misses, TLB refills and write-buffer
// stalls on top (i486_timing.cpp).
#pragma once

#include <vector>

#include "common/types.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {

// How a form's clocks depend on what happened (the event), beyond reg/mem.
enum class ClockClass : u8 {
  kPlain,     // reg / mem clocks
  kModeDep,   // reg = real mode, mem = protected mode (segment loads, POPF, ...)
  kBranch,    // reg = taken, mem = not taken (Jcc, LOOPcc, JCXZ)
  kFarCall,   // reg = real, mem = protected same privilege; to an inner level see kCallInner
  kRetFar,    // reg = real, mem = protected same privilege; to an outer level see kRetOuter
  kInt,       // INT n / INT3 / INTO taken: reg = real, mem = protected same level; inner see kIntInner
  kInto,      // not taken: reg; taken: as kInt
  kIret,      // reg = real, mem = protected same level; outer see kIretOuter
  kIn,        // IN/OUT: by mode, privilege and I/O-permission path (constants in the .cpp)
  kString,    // string instruction: per-iteration formula (constants in the .cpp)
  kDivide,    // DIV/IDIV by operand size
  kEnter,     // 14 / 17 / 17+3L by nesting level
  kMovCr,     // MOV CRn,r: CR0 16, others 4
  kX87,       // x87 control instructions by opcode
  kNotOn486,  // Pentium-only: raises #UD on the 486 (the fault delivery is what costs)
};

struct ClockRow {
  const char* mnemonics;  // space-separated list
  const char* operands;   // an operand string as the opcode table spells it, or "*" for any
  u16 reg;
  u16 mem;
  ClockClass cls;
  const char* source;
};

// What a form writes, for the interlock and partial-register rules.
enum class DestKind : u8 { kNone, kG, kE, kZ, kAcc, kAccDx };

struct FormClocks {
  u16 reg = 0;
  u16 mem = 0;
  ClockClass cls = ClockClass::kPlain;
  u8 variant = 0;  // kString: movs stos lods scas cmps ins outs (0-6); kIn: in Ib, in DX, out Ib, out DX;
                   // kDivide: div Eb, div Ev, idiv Eb, idiv Ev
  DestKind dest = DestKind::kNone;
  u8 dest_size = 0;                // 1 byte, 2 word, 0 operand size (v/z)
  bool has_imm = false;            // an immediate operand (for the displacement-and-immediate rule)
  bool flushes_cache = false;      // INVD, WBINVD
  bool unaligned_operand = false;  // LGDT/SGDT-style 6-byte operands: misaligned by layout, in the figure
  const ClockRow* row = nullptr;
};

// The rows (for documentation, tests and the report).
const std::vector<ClockRow>& i486_clock_rows();

// Clocks for every form of the opcode table, indexed by OpInfo::id. Throws
// std::logic_error naming the forms that have no row (a test keeps it total).
std::vector<FormClocks> build_i486_clocks(const OpTable& table);

// Constants of the classes above that are not per-row (sources next to them).
namespace i486 {
constexpr u16 kIntInner = 71;       // INT n to an inner privilege level (Intel486 PRM; REFERENCE.md, confirmed)
constexpr u16 kIretOuter = 36;      // IRET to an outer privilege level (Intel486 PRM; REFERENCE.md, confirmed)
constexpr u16 kRetOuter = 33;       // RETF to a lower privilege level (REFERENCE.md)
constexpr u16 kCallInner = 69;      // CALL through a gate to an inner level, no parameters (Intel486 PRM)
constexpr u16 kMovCr0 = 16;         // MOV CR0,r32 (REFERENCE.md; MAME agrees)
constexpr u16 kMovCrOther = 4;      // MOV CR2/CR3/CR4,r32 (REFERENCE.md: CR3 = 4)
constexpr u16 kExceptionReal = 30;  // exception/interrupt delivery, real mode: as INT n (no separate Intel figure)
}  // namespace i486

}  // namespace l4sim
