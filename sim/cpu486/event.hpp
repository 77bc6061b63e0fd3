// The per-instruction event record the CPU hands to timing models and observers
// (DESIGN.md §1). Filled only while an observer is attached, so it costs nothing
// when nobody listens.
#pragma once

#include <array>

#include "common/types.hpp"

namespace l4sim {

struct DecodedInsn;

enum class AccessKind : u8 {
  kFetch,      // instruction bytes
  kRead,       // data read
  kWrite,      // data write
  kWalk,       // page-table read by the walker (PDE/PTE)
  kWalkWrite,  // accessed/dirty bit update by the walker
  kSystem,     // descriptor-table, TSS or IDT read by the processor itself
  kSystemWrite,
};

struct MemAccess {
  u32 lin = 0;
  u32 phys = 0;
  u8 size = 0;
  AccessKind kind = AccessKind::kRead;
  bool tlb_miss = false;  // this access needed a page walk
};

struct InsnEvent {
  static constexpr unsigned kMaxAccesses = 48;

  u32 eip = 0;  // address of the instruction (offset in CS)
  u32 cs_base = 0;
  const DecodedInsn* insn = nullptr;  // null when no instruction ran (interrupt delivery, halt)
  u8 cpl_before = 0;
  u8 cpl_after = 0;
  bool v86 = false;
  bool protected_mode = false;  // CR0.PE at the start of the step
  u8 iopl = 0;                  // EFLAGS.IOPL at the start of the step
  bool retired = false;         // the instruction completed (a REP iteration that repeats does not)
  u32 rep_iteration = 0;        // 0 for the first iteration of a REP string instruction
  bool branch_taken = false;
  u32 branch_target = 0;
  i16 vector = -1;  // exception or interrupt delivered during this step, else -1
  bool external_interrupt = false;
  bool software_interrupt = false;
  bool cr3_loaded = false;
  bool tlb_flushed = false;
  bool halted = false;  // the CPU sat in HLT for this step
  u8 seg_loads = 0;     // bit per segment register loaded (ES..GS)
  u8 tlb_misses = 0;
  u8 n_access = 0;
  u8 n_writes = 0;               // of the listed accesses, writes (data, system and A/D-bit updates)
  bool access_overflow = false;  // more accesses than kMaxAccesses (task switch): counted, not listed
  u32 dropped_accesses = 0;
  std::array<MemAccess, kMaxAccesses> access{};

  void clear() {
    insn = nullptr;
    retired = false;
    rep_iteration = 0;
    branch_taken = false;
    vector = -1;
    external_interrupt = software_interrupt = cr3_loaded = tlb_flushed = halted = false;
    seg_loads = 0;
    tlb_misses = 0;
    n_access = 0;
    n_writes = 0;
    access_overflow = false;
    dropped_accesses = 0;
  }
  void add(const MemAccess& a) {
    if (n_access < kMaxAccesses) {
      access[n_access++] = a;
      n_writes +=
          a.kind == AccessKind::kWrite || a.kind == AccessKind::kSystemWrite || a.kind == AccessKind::kWalkWrite;
    } else {
      access_overflow = true;
      ++dropped_accesses;
    }
  }
  // TLB refills in this step: accesses that missed the TLB. The walk's own
  // table reads carry the flag too; each miss counts once.
  u8 tlb_refills() const {
    u8 n = 0;
    for (u32 i = 0; i < n_access; ++i)
      if (access[i].kind != AccessKind::kWalk && access[i].kind != AccessKind::kWalkWrite) n += access[i].tlb_miss;
    return n;
  }
};

class InsnObserver {
 public:
  virtual ~InsnObserver() = default;
  virtual void on_step(const InsnEvent& ev) = 0;
};

}  // namespace l4sim
