// Architectural state of an i486/Pentium: everything a guest can observe.
#pragma once

#include <array>

#include "common/types.hpp"
#include "cpu486/descriptor.hpp"
#include "cpu486/regs.hpp"

namespace l4sim {

// x87 state needed for lazy FPU switching (FNSAVE/FRSTOR/FNSTENV/FLDENV); the
// arithmetic comes in a later issue. Registers are kept as raw 80-bit images.
struct FpuState {
  u16 cw = 0x037F;  // FNINIT value (Intel SDM vol. 1 §8.7)
  u16 sw = 0;
  u16 tw = 0xFFFF;  // all empty
  u32 fip = 0;
  u16 fcs = 0;
  u16 fop = 0;
  u32 fdp = 0;
  u16 fds = 0;
  std::array<std::array<u8, 10>, 8> st{};  // physical registers R0..R7
};

struct CpuState {
  // GPRs; index 8 is a constant zero so "no base/index" in an effective address
  // needs no branch.
  std::array<u32, 9> r{};
  u32 eip = 0;
  u32 eflags = fl::R1;
  std::array<SegCache, 6> seg{};
  SegCache ldtr{};
  SegCache tr{};
  TableReg gdtr{};
  TableReg idtr{};
  u32 cr0 = 0;
  u32 cr2 = 0;
  u32 cr3 = 0;
  u32 cr4 = 0;
  std::array<u32, 8> dr{};
  u8 cpl = 0;
  bool halted = false;
  bool shutdown = false;  // triple fault: the processor stopped
  u64 tsc = 0;            // time-stamp counter (Pentium), advanced by the machine clock
  FpuState fpu{};

  bool protected_mode() const { return (cr0 & cr0::PE) != 0; }
  bool v86() const { return (eflags & fl::VM) != 0; }
  bool real_mode() const { return !protected_mode(); }
  bool paging() const { return (cr0 & cr0::PG) != 0; }
  u32 iopl() const { return fl::iopl_of(eflags); }
};

}  // namespace l4sim
