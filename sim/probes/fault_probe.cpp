#include "probes/fault_probe.hpp"

namespace l4sim {

namespace {
constexpr i16 kPageFault = 14;
}  // namespace

void PageFaultProbe::begin(const InsnEvent& ev, u64 now) {
  FaultRecord r;
  r.index = static_cast<u32>(records_.size());
  r.start_cycle = now;
  r.fault_eip = ev.cs_base + ev.eip;
  // An exception through an interrupt or trap gate leaves CR3 alone, so
  // before the first CR3 load the value after the step is the faulting one.
  if (!cr3_known_) {
    cur_cr3_ = cr3_();
    cr3_known_ = true;
  }
  r.cr3 = cur_cr3_;
  records_.push_back(r);
  open_ = true;
}

void PageFaultProbe::add_step(FaultRecord& r, const InsnEvent& ev, u32 cycles, const CycleCauses& causes) {
  if (ev.retired || ev.vector >= 0) ++r.instructions;
  if (ev.cpl_before == 3 && ev.vector >= 0) ++r.kernel_entries;
  if (ev.cpl_before == 3 && ev.cpl_after == 3 && ev.vector < 0) {
    if (ev.retired) ++r.user_instructions;
    r.user_cycles += cycles;
    if (cur_cr3_ != r.cr3) r.other_as = true;
  }
  if (ev.cr3_loaded) ++r.cr3_loads;
  r.tlb_misses += ev.tlb_refills();
  r.causes += causes;
}

void PageFaultProbe::on_step(const InsnEvent& ev, u64 now, u32 cycles, const CycleCauses& causes) {
  if (ev.halted) return;
  const u32 at = ev.cs_base + ev.eip;
  // Vector 14 is also INT 14 and, with the PICs at their BIOS bases, IRQ 6.
  const bool user_pf =
      ev.cpl_before == 3 && ev.vector == kPageFault && !ev.software_interrupt && !ev.external_interrupt;
  bool counted = false;
  if (open_) {
    FaultRecord& r = records_.back();
    // The restart: the faulting instruction runs again where it faulted. An
    // interrupt taken just before it does not count (it has not started).
    if (ev.cpl_before == 3 && !ev.external_interrupt && at == r.fault_eip && cur_cr3_ == r.cr3) {
      r.cycles = now - r.start_cycle;
      r.complete = true;
      open_ = false;
    } else {
      add_step(r, ev, cycles, causes);
      if (user_pf) ++r.nested_faults;
      counted = true;
    }
  }
  if (!counted && user_pf && at >= eip_begin_ && at < eip_end_) {
    begin(ev, now);
    add_step(records_.back(), ev, cycles, causes);
  }
  if (ev.cr3_loaded) {
    cur_cr3_ = cr3_();
    cr3_known_ = true;
  }
}

}  // namespace l4sim
