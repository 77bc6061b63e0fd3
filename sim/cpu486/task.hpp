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
// Checks the SS selector popped by a return to outer privilege `rpl` (far RET,
// IRET): #GP(selector) unless it names a writable data segment
// with RPL = DPL = rpl; #SS(selector) if not present (Intel SDM vol. 2 RET, IRET).
Descriptor check_outer_ss(Cpu& c, u16 ss, u8 rpl);
// Commits a stack switch: marks the descriptor accessed, loads SS and sets ESP
// (only SP for a 16-bit stack segment, the upper half of ESP kept).
void switch_stack(Cpu& c, u16 ss, Descriptor& sd, u32 esp);
// After a return to an outer level, data segment registers whose DPL is below
// the new CPL are nulled (Intel SDM vol. 2 RET/IRET, "return to outer level").
void invalidate_outer_segments(Cpu& c);

}  // namespace l4sim
