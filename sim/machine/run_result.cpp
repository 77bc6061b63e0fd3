#include "machine/run_result.hpp"

namespace l4sim {

const char* exit_reason_name(ExitReason r) {
  switch (r) {
    case ExitReason::kGuestExit: return "guest_exit";
    case ExitReason::kHalted: return "halted";
    case ExitReason::kTripleFault: return "triple_fault";
    case ExitReason::kInsnLimit: return "insn_limit";
    case ExitReason::kCycleLimit: return "cycle_limit";
    case ExitReason::kUnsupported: return "unsupported";
  }
  return "unknown";
}

int process_exit_status(const RunResult& r) {
  switch (r.reason) {
    case ExitReason::kGuestExit: return static_cast<int>(r.guest_status & 0xFF);
    case ExitReason::kHalted: return 0;
    case ExitReason::kTripleFault: return 4;
    case ExitReason::kInsnLimit: return 6;
    case ExitReason::kUnsupported: return 8;
    case ExitReason::kCycleLimit: return 10;
  }
  return 12;
}

}  // namespace l4sim
