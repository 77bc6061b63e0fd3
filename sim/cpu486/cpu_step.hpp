// The CPU's step, inline: included by cpu.cpp and by the machine's run loop,
// which runs it millions of times a second. The common case -- no interrupt,
// not halted, the instruction already decoded on the page of the last fetch --
// is a handful of compares before the instruction's handler; everything else
// goes to out-of-line slow paths.
#pragma once

#include "cpu486/cpu.hpp"

namespace l4sim {

[[gnu::always_inline]] inline const DecodedInsn& Cpu::fetch_decode() {
  const SegCache& cs = s.seg[CS];
  const u32 eip = insn_eip_;
  if (eip > cs.limit) raise_gp(0);
  const u32 lin = cs.base + eip;
  const PhysAddr p = translate(lin, AccessKind::kFetch, s.cpl == 3);
  if (p.page() == code_ppn_) [[likely]] {
    const DecodedInsn& slot = (*code_page_)[p.v & kPageMask];
    if (slot.len && slot.mode_key == cs.big && static_cast<u64>(eip) + slot.len - 1 <= cs.limit) [[likely]] {
      if (tracing_) record(lin, p, slot.len, AccessKind::kFetch);
      return slot;
    }
  }
  return fetch_decode_slow(lin, p);
}

// Runs the instruction at CS:EIP (or one iteration of a REP string instruction).
template <bool Trace>
[[gnu::always_inline]] inline StepResult Cpu::execute() {
  insn_eip_ = s.eip;
  insn_esp_ = s.r[ESP];
  const bool single_step = (s.eflags & fl::TF) != 0;
  try {
    const DecodedInsn& d = fetch_decode();
    if constexpr (Trace) {
      ev_.insn = &d;
      ev_.rep_iteration = rep_iteration_;
    }
    s.eip = s.seg[CS].big ? insn_eip_ + d.len : ((insn_eip_ + d.len) & 0xFFFF);
    repeating_ = false;
    d.fn(*this, d);
    if (repeating_) {
      ++rep_iteration_;
    } else {
      rep_iteration_ = 0;
      ++retired_;
      if constexpr (Trace) ev_.retired = true;
    }
    s.eflags &= ~fl::RF;
    if (single_step && !s.shutdown) [[unlikely]] {
      // Single-step trap after the instruction (Intel SDM vol. 3 §17.3.1.4).
      s.dr[6] |= 1u << 14;  // BS
      insn_eip_ = s.eip;
      insn_esp_ = s.r[ESP];
      deliver(vec::DB, false, 0, false, false);
    }
  } catch (const CpuFault& f) {
    handle_fault(f);
  }
  if constexpr (Trace) ev_.cpl_after = s.cpl;
  return s.shutdown ? StepResult::kShutdown : StepResult::kOk;
}

// A step that is not simply the next instruction: a shut-down CPU, the
// instruction after STI/MOV SS (interrupts inhibited), an interrupt to take,
// or HLT.
template <bool Trace>
StepResult Cpu::step_special() {
  if (s.shutdown) return StepResult::kShutdown;
  // Interrupts are recognised at instruction boundaries, except right after an
  // instruction that inhibits them (STI, MOV SS, POP SS).
  if (inhibit_) {
    inhibit_ = false;
  } else if ((s.eflags & fl::IF) && intr_pending()) {
    s.halted = false;
    const u8 v = intr_->intr_acknowledge();
    insn_eip_ = s.eip;
    insn_esp_ = s.r[ESP];
    if constexpr (Trace) {
      ev_.vector = v;
      ev_.external_interrupt = true;
    }
    deliver(v, false, 0, true, false);
    if constexpr (Trace) ev_.cpl_after = s.cpl;
    return s.shutdown ? StepResult::kShutdown : StepResult::kOk;
  }
  if (s.halted) {
    if constexpr (Trace) {
      ev_.halted = true;
      ev_.cpl_after = s.cpl;
    }
    return StepResult::kHalted;
  }
  return execute<Trace>();
}

template <bool Trace>
[[gnu::always_inline]] inline StepResult Cpu::step_inline() {
  if constexpr (Trace) {
    if (s.shutdown) return StepResult::kShutdown;  // nothing ran: the event is left as it was
    ev_.clear();
    ev_.eip = s.eip;
    ev_.cs_base = s.seg[CS].base;
    ev_.cpl_before = s.cpl;
    ev_.v86 = s.v86();
    ev_.protected_mode = (s.cr0 & cr0::PE) != 0;
    ev_.iopl = static_cast<u8>((s.eflags >> 12) & 3);
  }
  if (s.shutdown | s.halted | inhibit_ | ((s.eflags & fl::IF) != 0 && intr_pending())) [[unlikely]]
    return step_special<Trace>();
  return execute<Trace>();
}

}  // namespace l4sim
