// Why a run ended, with the exit status l4sim reports for it.
#pragma once

#include <string>

#include "common/types.hpp"

namespace l4sim {

enum class ExitReason : u8 {
  kGuestExit,    // the guest wrote the exit port (QEMU isa-debug-exit convention)
  kHalted,       // HLT with interrupts disabled: nothing can wake the CPU
  kTripleFault,  // shutdown
  kInsnLimit,    // --max-insns reached
  kCycleLimit,   // --max-cycles reached
  kUnsupported,  // the guest used something the simulator does not model
};

const char* exit_reason_name(ExitReason r);

struct RunResult {
  ExitReason reason = ExitReason::kInsnLimit;
  u32 guest_status = 0;  // exit port: (value << 1) | 1, as QEMU reports it
  u64 instructions = 0;
  u64 steps = 0;
  u64 cycles = 0;         // simulated CPU cycles (the machine clock) at the end
  u64 halted_cycles = 0;  // of which the CPU waited in HLT
  // External interrupts the CPU took, and a digest of where: each delivery's
  // instruction count, cycle and vector (FNV-1a). Two runs whose digests agree
  // took every interrupt at the same instruction boundary and cycle.
  u64 interrupts = 0;
  u64 interrupt_digest = 0;
  std::string message;    // human-readable detail (register dump, unsupported feature)
};

// Process exit status for a run (documented in README.md). Guest exits are odd
// ((value << 1) | 1, as QEMU reports them); l4sim's own statuses are even:
//   0 halted with interrupts disabled (the guest stopped itself)
//   2 bad usage or input (reported by the CLI before a run)
//   4 triple fault, 6 instruction limit, 8 unsupported feature, 10 cycle limit.
int process_exit_status(const RunResult& r);

}  // namespace l4sim
