// Guest-visible exceptions. Instruction code raises them with Cpu::raise*(); the
// step loop catches them, rolls the instruction back and delivers them through
// the IDT (or IVT), handling double and triple faults.
#pragma once

#include "common/types.hpp"

namespace l4sim {

struct CpuFault {
  u8 vector;
  bool has_error;
  u32 error;
};

// Exception classes for the double-fault rules (Intel SDM vol. 3 table 6-4/6-5).
enum class FaultClass : u8 { kBenign, kContributory, kPageFault };

constexpr FaultClass fault_class(u8 v) {
  return (v == 0 || (v >= 10 && v <= 13)) ? FaultClass::kContributory
         : v == 14                        ? FaultClass::kPageFault
                                          : FaultClass::kBenign;
}

// Error code for a selector-related fault: index | TI, with EXT and IDT bits.
constexpr u32 sel_error(u16 selector, bool ext = false) { return (selector & 0xFFFCu) | (ext ? 1u : 0u); }
constexpr u32 idt_error(u8 vector, bool ext = false) { return (static_cast<u32>(vector) << 3) | 2u | (ext ? 1u : 0u); }

// Page-fault error code bits (Intel SDM vol. 3 §6.15, interrupt 14).
namespace pf {
constexpr u32 P = 1;  // protection violation (0 = not present)
constexpr u32 W = 2;  // write access
constexpr u32 U = 4;  // access from user mode (CPL 3)
}  // namespace pf

}  // namespace l4sim
