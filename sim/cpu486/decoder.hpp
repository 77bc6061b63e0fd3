// The instruction decoder: prefixes, opcode maps, ModRM/SIB/displacement and
// immediates, driven by the OpTable. It never raises #UD itself: an undefined or
// illegal form decodes to a handler that raises #UD when executed, so cached
// entries behave like the chip. Fetching bytes may fault (#PF, #GP at the CS
// limit); the byte source throws those.
#pragma once

#include "cpu486/decoded.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {

// Maximum instruction length; longer encodings raise #GP(0) (Intel SDM vol. 2 §2.3.11).
constexpr unsigned kMaxInsnLen = 15;

struct DecodeMode {
  bool code32 = true;    // CS.D
  bool pentium = false;  // accept Pentium-only forms
};

void ud_handler(Cpu& c, const DecodedInsn& d);

// Source: any callable u8(unsigned index) returning the byte at that offset
// from the instruction start (it may throw a CpuFault). Returns false if the
// encoding exceeds 15 bytes (the caller raises #GP(0)).
template <class Source>
bool decode_insn(Source&& byte_at, const DecodeMode& mode, DecodedInsn& d);

// Convenience for tests and tools: decode from a buffer. Returns the length, or
// 0 if the buffer ends before the instruction does or it exceeds 15 bytes.
unsigned decode_buffer(const u8* buf, unsigned size, const DecodeMode& mode, DecodedInsn& d);

}  // namespace l4sim

#include "cpu486/decoder_impl.hpp"
