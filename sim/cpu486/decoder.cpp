#include "cpu486/decoder.hpp"

#include "cpu486/cpu.hpp"

namespace l4sim {

void ud_handler(Cpu& c, const DecodedInsn&) { c.raise_ud(); }

namespace {
struct BufferEnd {};
}  // namespace

unsigned decode_buffer(const u8* buf, unsigned size, const DecodeMode& mode, DecodedInsn& d) {
  try {
    auto src = [&](unsigned i) -> u8 {
      if (i >= size) throw BufferEnd{};
      return buf[i];
    };
    if (!decode_insn(src, mode, d)) return 0;
    return d.len;
  } catch (const BufferEnd&) {
    return 0;
  }
}

}  // namespace l4sim
