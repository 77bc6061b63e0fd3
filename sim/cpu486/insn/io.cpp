// Port I/O: IN AL/eAX, imm8 (E4/E5), IN AL/eAX, DX (EC/ED), OUT imm8, AL/eAX
// (E6/E7), OUT DX, AL/eAX (EE/EF). Intel SDM vol. 2 "IN", "OUT": in protected
// mode with CPL > IOPL, and always in virtual-8086 mode, every port byte touched
// must be allowed by the TSS I/O permission bitmap, else #GP(0) (vol. 1 §16.5);
// Cpu::check_io implements that. No flags change.
#include "cpu486/cpu.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

template <class T>
void in_port(Cpu& c, u16 port) {
  c.check_io(port, sizeof(T));
  c.set_reg<T>(EAX, static_cast<T>(c.bus().io_read(port, sizeof(T))));
}

template <class T>
void out_port(Cpu& c, u16 port) {
  c.check_io(port, sizeof(T));
  c.bus().io_write(port, sizeof(T), c.reg<T>(EAX));
}

// The immediate port number is an unsigned byte (ports 0-255).
template <class T>
void in_ib(Cpu& c, const DecodedInsn& d) {
  in_port<T>(c, static_cast<u16>(d.imm & 0xFF));
}
template <class T>
void in_dx(Cpu& c, const DecodedInsn&) {
  in_port<T>(c, c.reg<u16>(EDX));
}
template <class T>
void out_ib(Cpu& c, const DecodedInsn& d) {
  out_port<T>(c, static_cast<u16>(d.imm & 0xFF));
}
template <class T>
void out_dx(Cpu& c, const DecodedInsn&) {
  out_port<T>(c, c.reg<u16>(EDX));
}

}  // namespace

void register_io(OpTable& t) {
  t.set(0xE4, "in", "AL,Ib", in_ib<u8>);
  t.set(0xE5, "in", "eAX,Ib", in_ib<u16>, in_ib<u32>);
  t.set(0xEC, "in", "AL,DX", in_dx<u8>);
  t.set(0xED, "in", "eAX,DX", in_dx<u16>, in_dx<u32>);
  t.set(0xE6, "out", "Ib,AL", out_ib<u8>);
  t.set(0xE7, "out", "Ib,eAX", out_ib<u16>, out_ib<u32>);
  t.set(0xEE, "out", "DX,AL", out_dx<u8>);
  t.set(0xEF, "out", "DX,eAX", out_dx<u16>, out_dx<u32>);
}

}  // namespace l4sim
