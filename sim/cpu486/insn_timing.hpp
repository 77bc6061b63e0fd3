// What a timing model needs of an instruction that never changes -- its base
// clocks, decode penalties, the registers it reads and writes, its pairing
// class -- computed once when the instruction is decoded and kept with it in
// the decoded-instruction cache (DESIGN.md §1), so that per step the model
// looks only at what varies (addresses, hits, the branch outcome).
//
// The CPU stores these fields and never reads them; the timing model that the
// machine attaches fills them through InsnAnnotator::annotate().
#pragma once

#include "common/types.hpp"

namespace l4sim {

struct DecodedInsn;

struct InsnTimingInfo {
  u16 reg = 0;       // base clocks with a register operand (or the class's first figure)
  u16 mem = 0;       // base clocks with a memory operand (or the class's second figure)
  u8 cls = 0;        // the model's clock class (how reg/mem are chosen per step)
  u8 variant = 0;    // within the class (which string instruction, which I/O form, ...)
  u8 decode = 0;     // decode-stage clocks that never change: prefixes, index, displacement with immediate
  u8 addr_regs = 0;  // registers that form the memory address, bit per register number (interlocks)
  u8 full_regs = 0;  // registers read whole as operands (partial-register stalls)
  u8 writes = 0;     // registers written, bit per register number
  u8 partial = 0;    // of those, written only in a byte or a word
  u8 flags = 0;      // the model's per-form flags
  u8 pairing = 0;    // the Pentium's pairing class
  u8 reads = 0;      // registers read (the Pentium's dependence checks)
  u8 spare[2] = {};
};
static_assert(sizeof(InsnTimingInfo) == 16);

class InsnAnnotator {
 public:
  virtual ~InsnAnnotator() = default;
  // Fills d.timing from the decoded fields; called once per decode.
  virtual void annotate(DecodedInsn& d) const = 0;
};

}  // namespace l4sim
