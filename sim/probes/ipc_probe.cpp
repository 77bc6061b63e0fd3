#include "probes/ipc_probe.hpp"

namespace l4sim {

void IpcProbe::add_step(IpcRecord& r, const InsnEvent& ev, u32 cycles, const CycleCauses& causes) {
  if (esp_ && ev.cpl_after == 0) last_kernel_esp_ = esp_();
  if (ev.retired || ev.vector >= 0) ++r.kernel_instructions;
  r.causes += causes;
  const u8 tlb = ev.tlb_refills();
  r.tlb_misses += tlb;
  r.cache_misses += step_fills_;
  if (ev.cr3_loaded) {
    ++r.cr3_loads;
    r.cr3_load_cycles += cycles;
    r.tlb_entries_lost += tlb_valid_before_;
    switched_ = true;
  } else if (switched_) {
    r.refills_after_switch += tlb;
    r.refill_cycles_after_switch += causes.tlb_refill;
  }
  if (capture_) {
    IpcStep s;
    s.addr = ev.cs_base + ev.eip;
    s.cpl = ev.cpl_before;
    s.cycles = cycles;
    s.causes = causes;
    s.tlb_misses = tlb;
    s.cr3_loaded = ev.cr3_loaded;
    if (fmt_) s.text = fmt_(ev);
    r.steps.push_back(std::move(s));
  }
}

void IpcProbe::begin(const InsnEvent& ev, u64 now, u32 cycles, const CycleCauses& causes) {
  IpcRecord r;
  r.index = static_cast<u32>(records_.size());
  r.start_cycle = now;
  r.sender_cr3 = cr3_();
  if (esp_) r.sender_kstack = esp_() & ~kPageMask;
  r.trap_addr = ev.cs_base + ev.eip;
  r.entry_cycles = cycles;
  r.entry_base = static_cast<u32>(causes.base);
  switched_ = false;
  add_step(r, ev, cycles, causes);
  records_.push_back(std::move(r));
  state_ = State::kInKernel;
}

void IpcProbe::on_step(const InsnEvent& ev, u64 now, u32 cycles, const CycleCauses& causes) {
  if (ev.halted) return;
  struct Occupancy {  // sample the TLB after every step, for the next one
    IpcProbe& p;
    ~Occupancy() {
      if (p.tlb_occupancy_) p.tlb_valid_before_ = p.tlb_occupancy_();
    }
  } sample{*this};
  if (fills_) {
    const u64 f = fills_();
    step_fills_ = static_cast<u32>(f - fills_seen_);
    fills_seen_ = f;
  } else {
    step_fills_ = causes.cache_miss ? 1 : 0;
  }
  const bool user_insn = ev.cpl_before == 3 && ev.insn && !(ev.vector >= 0 && !ev.software_interrupt);
  const bool is_ipc_trap = ev.cpl_before == 3 && ev.software_interrupt && ev.vector == vector_;
  // The receiver's user run after a switch: its TLB refills belong to the IPC.
  if (after_ != ~size_t{0}) {
    if (ev.cpl_before == 3 && ev.cpl_after == 3 && ev.vector < 0) {
      records_[after_].after_tlb_misses += ev.tlb_refills();
      records_[after_].after_tlb_cycles += causes.tlb_refill;
    } else {
      after_ = ~size_t{0};
    }
  }
  switch (state_) {
    case State::kIdle:
      if (is_ipc_trap) begin(ev, now, cycles, causes);
      return;
    case State::kInKernel:
    case State::kReturned: {
      IpcRecord& r = records_.back();
      if (user_insn) {
        // The first user instruction: the IPC ends where it starts.
        r.cycles = now - r.start_cycle;
        r.receiver_cr3 = cr3_();
        r.receiver_kstack = last_kernel_esp_ & ~kPageMask;
        r.as_switch = r.receiver_cr3 != r.sender_cr3;
        r.return_addr = ev.cs_base + ev.eip;
        r.complete = true;
        state_ = State::kIdle;
        after_ = records_.size() - 1;
        if (is_ipc_trap) {
          after_ = ~size_t{0};
          begin(ev, now, cycles, causes);
        } else {
          records_[after_].after_tlb_misses += ev.tlb_refills();
          records_[after_].after_tlb_cycles += causes.tlb_refill;
        }
        return;
      }
      add_step(r, ev, cycles, causes);
      if (ev.cpl_before == 0 && ev.cpl_after == 3) {
        r.exit_cycles = cycles;
        r.exit_base = static_cast<u32>(causes.base);
        state_ = State::kReturned;
      }
      return;
    }
  }
}

}  // namespace l4sim
