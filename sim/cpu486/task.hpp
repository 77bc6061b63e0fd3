// Privilege-change and task-switch helpers shared by interrupt delivery, far
// calls through gates and IRET/RET to outer levels.
#pragma once

#include "cpu486/cpu.hpp"

namespace l4sim {

// Why a task switch happens; it decides busy bits, NT and the back link
// (Intel SDM vol. 3 table 7-2).
enum TaskSwitchReason : int {
  kTaskSwitchJump = 0,
  kTaskSwitchCall = 1,
  kTaskSwitchInterrupt = 2,  // through a task gate in the IDT: nests like CALL
  kTaskSwitchIret = 3,
};

struct TssStack {
  u16 ss;
  u32 esp;
};

// SS:ESP for privilege level `cpl` from the current TSS (32- or 16-bit);
// #TS(TSS selector) if the TSS is too short.
TssStack tss_stack_for(Cpu& c, u8 cpl, bool ext);
// Checks a stack selector taken from the TSS for a switch to `cpl`; returns its
// descriptor. #TS for a bad selector or descriptor, #SS if not present.
Descriptor check_inner_ss(Cpu& c, u16 ss, u8 cpl, bool ext);
// After a return to an outer level, data segment registers whose DPL is below
// the new CPL are nulled (Intel SDM vol. 2 RET/IRET, "return to outer level").
void invalidate_outer_segments(Cpu& c);

}  // namespace l4sim
