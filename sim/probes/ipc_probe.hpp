// Kernel-agnostic IPC records (DESIGN.md §3): a one-way IPC runs from a
// user-mode `int <ipc vector>` to the first user-mode instruction after it
// (normally the receiver's). Along the way the probe sees privilege changes,
// CR3 loads and every step's cycles by cause; after the return it keeps
// counting the TLB refills the receiver pays in user mode until its next
// kernel entry, since those are caused by the address-space switch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cpu486/event.hpp"
#include "timing/timing_stats.hpp"

namespace l4sim {

// One step of a recorded IPC, for the annotated listing.
struct IpcStep {
  u32 addr = 0;  // linear address of the instruction (or of the interrupted one)
  u8 cpl = 0;
  u32 cycles = 0;
  CycleCauses causes;
  u8 tlb_misses = 0;
  bool cr3_loaded = false;
  std::string text;  // disassembly, filled by the caller's formatter
};

struct IpcRecord {
  u32 index = 0;
  u64 start_cycle = 0;
  u64 cycles = 0;  // trap instruction's start to the first user instruction's start
  u32 sender_cr3 = 0, receiver_cr3 = 0;
  // The kernel stack page each side ran on: identifies the thread on any
  // kernel that gives each thread its own kernel stack (L4's TCB pages).
  u32 sender_kstack = 0, receiver_kstack = 0;
  bool as_switch = false;  // CR3 differs on return
  u32 trap_addr = 0, return_addr = 0;
  u64 kernel_instructions = 0;        // instructions between the trap and the return, both included
  u32 entry_cycles = 0;               // the trap instruction, all causes
  u32 exit_cycles = 0;                // the instruction that returned to user mode, all causes
  u32 entry_base = 0, exit_base = 0;  // their base clocks (71 and 36 on the 486 across rings)
  u32 cr3_loads = 0;
  u32 tlb_misses = 0;        // inside the IPC (kernel)
  u32 cache_misses = 0;      // line fills inside the IPC (steps with a miss, without a fill counter)
  CycleCauses causes;        // all steps of the IPC
  u32 after_tlb_misses = 0;  // in the receiver's user code until its next kernel entry
  u64 after_tlb_cycles = 0;
  // The address-space switch, when there is one: the CR3 load's own clocks,
  // the TLB entries it threw away, and the refills paid afterwards inside
  // the IPC (kernel); the receiver's come in after_tlb_* above.
  u32 cr3_load_cycles = 0;
  u32 tlb_entries_lost = 0;
  u32 refills_after_switch = 0;
  u64 refill_cycles_after_switch = 0;
  bool complete = false;
  std::vector<IpcStep> steps;  // when listing capture is on
};

class IpcProbe {
 public:
  using Cr3Reader = std::function<u32()>;
  using TlbOccupancy = std::function<u32()>;  // valid TLB entries now
  using Formatter = std::function<std::string(const InsnEvent&)>;

  IpcProbe(u8 vector, Cr3Reader cr3, Formatter fmt = {})
      : vector_(vector), cr3_(std::move(cr3)), fmt_(std::move(fmt)) {}
  // A step that started at cycle `now`, took `cycles`, with the timing
  // model's causes for it.
  void on_step(const InsnEvent& ev, u64 now, u32 cycles, const CycleCauses& causes);
  void set_capture(bool on) { capture_ = on; }
  void set_tlb_occupancy(TlbOccupancy f) { tlb_occupancy_ = std::move(f); }
  // ESP after a step, to tell the threads apart by their kernel stacks.
  void set_esp_reader(std::function<u32()> f) { esp_ = std::move(f); }
  // The timing model's running count of cache line fills, so that a step
  // with two misses (fetch and data) counts two.
  void set_fill_counter(std::function<u64()> f) { fills_ = std::move(f); }
  const std::vector<IpcRecord>& records() const { return records_; }

 private:
  enum class State : u8 { kIdle, kInKernel, kReturned };
  void begin(const InsnEvent& ev, u64 now, u32 cycles, const CycleCauses& causes);
  void add_step(IpcRecord& r, const InsnEvent& ev, u32 cycles, const CycleCauses& causes);

  u8 vector_;
  Cr3Reader cr3_;
  Formatter fmt_;
  TlbOccupancy tlb_occupancy_;
  std::function<u32()> esp_;
  std::function<u64()> fills_;
  u64 fills_seen_ = 0;  // the counter after the previous step
  u32 step_fills_ = 0;  // line fills of the step being recorded
  u32 last_kernel_esp_ = 0;
  u32 tlb_valid_before_ = 0;  // valid TLB entries before the current step
  bool switched_ = false;     // the current IPC has loaded CR3
  bool capture_ = false;
  State state_ = State::kIdle;
  std::vector<IpcRecord> records_;
  size_t after_ = ~size_t{0};  // record whose receiver's user run is being watched
};

}  // namespace l4sim
