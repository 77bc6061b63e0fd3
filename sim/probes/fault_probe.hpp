// Kernel-agnostic page-fault round trips: from the step that delivers a #PF
// (vector 14, an exception, not INT 14) raised in user mode, to the start of
// the faulting instruction's restart — the first later step that starts in
// user mode in the faulting address space (same CR3) at the faulting EIP.
// Whatever the kernel does in between (fault IPC to a pager in another
// address space, the pager's user code, its reply with a map item, the
// return) is counted in the record without knowing the kernel: the probe
// sees only privilege changes, vectors, CR3 loads and each step's cycles.
//
// While a record is open, further user-mode #PFs (a pager's own faults) do
// not start records; they are counted in the open one. A fault that is
// never restarted (its thread redirected or killed, as the kernel tests do
// on purpose) therefore keeps its record open and swallows every later
// fault: set_eip_range() limits the faults that start records to the code
// of interest (a benchmark loop), everything else still counts as nested.
#pragma once

#include <functional>
#include <vector>

#include "cpu486/event.hpp"
#include "timing/timing_stats.hpp"

namespace l4sim {

struct FaultRecord {
  u32 index = 0;
  u64 start_cycle = 0;        // start of the step that delivered the fault
  u64 cycles = 0;             // fault delivery's start to the restarted instruction's start
  u64 instructions = 0;       // retired instructions and vector deliveries, the fault's own step included
  u64 user_instructions = 0;  // of those, retired in user mode without leaving it (the pager's code)
  u64 user_cycles = 0;        // cycles of those user-mode steps
  // Traps, exceptions and interrupts taken from user mode inside the record,
  // the fault itself included: a fault answered by a pager in one reply is 2
  // (the #PF and the pager's IPC trap).
  u32 kernel_entries = 0;
  u32 nested_faults = 0;  // further user-mode #PFs (e.g. the pager's own) while this one was open
  u32 cr3_loads = 0;
  u32 tlb_misses = 0;  // accesses that refilled the TLB (as the timing model charges them)
  // Every step of the record by cause: causes.total() == cycles, unless the
  // CPU sat in HLT inside it (those cycles are idle, in no step).
  CycleCauses causes;
  u32 fault_eip = 0;  // linear address of the faulting instruction
  u32 cr3 = 0;        // the faulting address space
  // User code ran in another address space (another CR3) before the restart:
  // the fault was handled by a pager outside the faulting task.
  bool other_as = false;
  bool complete = false;  // the restart was seen
};

class PageFaultProbe {
 public:
  using Cr3Reader = std::function<u32()>;  // CR3 after the step just reported

  explicit PageFaultProbe(Cr3Reader cr3) : cr3_(std::move(cr3)) {}
  // A step that started at cycle `now` and took `cycles`, with the timing
  // model's causes for it (the arguments of IpcProbe::on_step).
  void on_step(const InsnEvent& ev, u64 now, u32 cycles, const CycleCauses& causes);
  // Only faults of instructions at linear addresses in [begin, end) start
  // records (default: every address).
  void set_eip_range(u32 begin, u32 end) {
    eip_begin_ = begin;
    eip_end_ = end;
  }
  const std::vector<FaultRecord>& records() const { return records_; }

 private:
  void begin(const InsnEvent& ev, u64 now);
  void add_step(FaultRecord& r, const InsnEvent& ev, u32 cycles, const CycleCauses& causes);

  Cr3Reader cr3_;
  u32 eip_begin_ = 0;
  u64 eip_end_ = u64{1} << 32;
  bool open_ = false;
  // CR3 at the start of the next step: read after every step that loaded it,
  // so the reader is called only on CR3 loads (and at a first fault).
  bool cr3_known_ = false;
  u32 cur_cr3_ = 0;
  std::vector<FaultRecord> records_;
};

}  // namespace l4sim
