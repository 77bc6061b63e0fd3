// Exception and interrupt delivery (real mode IVT, protected-mode IDT with
// interrupt, trap and task gates, virtual-8086 mode), double and triple faults,
// software interrupts and IRET. Intel SDM vol. 3 chapter 6 and vol. 2 "INT n",
// "IRET".
#include <fmt/format.h>

#include "cpu486/cpu.hpp"
#include "cpu486/new_stack.hpp"
#include "cpu486/task.hpp"

namespace l4sim {

void Cpu::deliver(u8 vector, bool has_error, u32 error, bool external, bool software) {
  u8 v = vector;
  bool he = has_error;
  u32 er = error;
  bool ext = external;
  bool soft = software;
  const u32 eip0 = s.eip;
  const u32 esp0 = s.r[ESP];
  for (int depth = 0;; ++depth) {
    try {
      if (s.protected_mode())
        deliver_protected(v, he, er, ext, soft);
      else
        deliver_real(v);
      s.halted = false;
      return;
    } catch (const CpuFault& f) {
      s.eip = eip0;
      s.r[ESP] = esp0;
      if (v == vec::DF || depth > 8) {
        s.shutdown = true;
        shutdown_reason_ = fmt::format("triple fault: exception {} (error {:#x}) while delivering {}", f.vector,
                                       f.error, v == vec::DF ? "a double fault" : fmt::format("exception {}", v));
        return;
      }
      // Intel SDM vol. 3 table 6-5: contributory after contributory, or anything
      // but benign after a page fault, is a double fault; otherwise the second
      // exception is handled serially.
      const FaultClass first = (soft || (ext && depth == 0)) ? FaultClass::kBenign : fault_class(v);
      const FaultClass second = fault_class(f.vector);
      if ((first == FaultClass::kContributory && second == FaultClass::kContributory) ||
          (first == FaultClass::kPageFault && second != FaultClass::kBenign)) {
        v = vec::DF;
        he = true;
        er = 0;
      } else {
        v = f.vector;
        he = f.has_error;
        er = f.error;
      }
      ext = true;
      soft = false;
      if (tracing_) ev_.vector = v;
    }
  }
}

void Cpu::deliver_real(u8 vector) {
  // Real mode: the IVT at IDTR.base holds CS:IP pairs (Intel SDM vol. 3 §20.1.4).
  if (vector * 4u + 3 > s.idtr.limit) raise_gp(0);
  const u16 ip = read_sys<u16>(s.idtr.base + vector * 4u);
  const u16 cs = read_sys<u16>(s.idtr.base + vector * 4u + 2);
  push<u16>(static_cast<u16>(s.eflags));
  push<u16>(s.seg[CS].selector);
  push<u16>(static_cast<u16>(s.eip));
  s.eflags &= ~(fl::IF | fl::TF | fl::AC | fl::RF);
  s.seg[CS].load_real(cs);
  if (tracing_) ev_.seg_loads |= 1u << CS;
  s.eip = ip;
}

void Cpu::deliver_protected(u8 vector, bool has_error, u32 error, bool ext, bool software) {
  if (vector * 8u + 7 > s.idtr.limit) raise_gp(idt_error(vector, ext));
  Descriptor gate;
  gate.lo = read_sys<u32>(s.idtr.base + vector * 8u);
  gate.hi = read_sys<u32>(s.idtr.base + vector * 8u + 4);
  const u8 t = gate.type();
  const bool ok_type = gate.system() && (t == sdt::kTaskGate || t == sdt::kIntGate16 || t == sdt::kTrapGate16 ||
                                         t == sdt::kIntGate32 || t == sdt::kTrapGate32);
  if (!ok_type) raise_gp(idt_error(vector, ext));
  // INT n, INT3 and INTO check the gate's DPL against CPL; exceptions and
  // external interrupts do not (Intel SDM vol. 3 §6.12.1.1).
  if (software && gate.dpl() < s.cpl) raise_gp(idt_error(vector, false));
  if (!gate.present()) raise(vec::NP, idt_error(vector, ext));

  if (t == sdt::kTaskGate) {
    const u16 tsel = gate.gate_selector();
    if (Selector{tsel}.ldt() || !descriptor_in_limits(tsel)) raise_gp(sel_error(tsel, ext));
    const Descriptor td = read_descriptor(tsel);
    if (!td.is_tss() || td.tss_busy()) raise_gp(sel_error(tsel, ext));
    if (!td.present()) raise(vec::NP, sel_error(tsel, ext));
    task_switch(tsel, td, kTaskSwitchInterrupt, s.eip, has_error, error);
    return;
  }

  const u16 csel = gate.gate_selector();
  if (Selector{csel}.null()) raise_gp(ext ? 1 : 0);
  if (!descriptor_in_limits(csel)) raise_gp(sel_error(csel, ext));
  Descriptor cd = read_descriptor(csel);
  if (!cd.code() || cd.dpl() > s.cpl) raise_gp(sel_error(csel, ext));
  if (!cd.present()) raise(vec::NP, sel_error(csel, ext));
  const bool g32 = gate.gate32();
  const u32 target = g32 ? gate.gate_offset() : (gate.gate_offset() & 0xFFFF);
  if (target > cd.limit()) raise_gp(ext ? 1 : 0);

  const bool from_v86 = s.v86();
  if (from_v86 && (cd.conforming() || cd.dpl() != 0)) raise_gp(sel_error(csel, ext));
  const u32 old_eflags = s.eflags;

  if (!cd.conforming() && cd.dpl() < s.cpl) {
    // Interrupt to an inner privilege level: switch to the stack named in the TSS.
    const u8 ncpl = cd.dpl();
    const TssStack st = tss_stack_for(*this, ncpl, ext);
    Descriptor sd = check_inner_ss(*this, st.ss, ncpl, ext);
    NewStack ns(*this, st.ss, sd, st.esp, ncpl == 3, sel_error(st.ss, ext));
    if (from_v86) {
      ns.push_word(g32, s.seg[GS].selector);
      ns.push_word(g32, s.seg[FS].selector);
      ns.push_word(g32, s.seg[DS].selector);
      ns.push_word(g32, s.seg[ES].selector);
    }
    ns.push_word(g32, s.seg[SS].selector);
    ns.push_word(g32, s.r[ESP]);
    ns.push_word(g32, old_eflags);
    ns.push_word(g32, s.seg[CS].selector);
    ns.push_word(g32, s.eip);
    if (has_error) ns.push_word(g32, error);
    // Everything is on the new stack: commit.
    if (from_v86) {
      for (unsigned sr : {ES, DS, FS, GS}) s.seg[sr].load_null(0);
      s.eflags &= ~fl::VM;
    }
    switch_stack(*this, st.ss, sd, ns.esp());
    set_accessed(csel, cd);
    load_cs(csel, cd, ncpl);
  } else {
    // Same privilege (or a conforming handler, which runs at the current CPL).
    NewStack ns(*this, s.seg[SS].selector, s.seg[SS], sp(), s.cpl == 3, 0);
    ns.push_word(g32, old_eflags);
    ns.push_word(g32, s.seg[CS].selector);
    ns.push_word(g32, s.eip);
    if (has_error) ns.push_word(g32, error);
    set_sp(ns.esp());
    set_accessed(csel, cd);
    load_cs(csel, cd, s.cpl);
  }
  s.eip = target;
  s.eflags &= ~(fl::TF | fl::NT | fl::RF | fl::VM);
  if (t == sdt::kIntGate16 || t == sdt::kIntGate32) s.eflags &= ~fl::IF;
}

void Cpu::software_interrupt(u8 vector) {
  // In virtual-8086 mode INT n, INT3 and INTO are IOPL-sensitive (Intel SDM
  // vol. 3 §20.3): with IOPL < 3 they raise #GP(0) for the monitor to handle.
  if (s.v86() && s.iopl() < 3) raise_gp(0);
  if (tracing_) {
    ev_.vector = vector;
    ev_.software_interrupt = true;
  }
  if (s.protected_mode())
    deliver_protected(vector, false, 0, false, true);
  else
    deliver_real(vector);
  ++soft_ints_[vector];  // delivered: a fault above would have thrown
}

// ---------------------------------------------------------------------------
// IRET (Intel SDM vol. 2 "IRET/IRETD")

void Cpu::iret(bool op32) {
  if (!s.protected_mode()) {
    const u32 ip = op32 ? read_stack<u32>(0) : read_stack<u16>(0);
    const u16 cs = op32 ? static_cast<u16>(read_stack<u32>(4)) : read_stack<u16>(2);
    const u32 f = op32 ? read_stack<u32>(8) : read_stack<u16>(4);
    if (ip > s.seg[CS].limit && !op32) raise_gp(0);
    set_sp(sp() + (op32 ? 12 : 6));
    s.seg[CS].load_real(cs);
    if (tracing_) ev_.seg_loads |= 1u << CS;
    s.eip = op32 ? ip : (ip & 0xFFFF);
    const u32 mask = op32 ? eflags_writable_mask() : (eflags_writable_mask() & 0xFFFF);
    write_eflags(f, mask);
    return;
  }
  if (s.v86()) {
    // IRET in v86 mode is IOPL-sensitive; with IOPL 3 it returns within v86.
    if (s.iopl() < 3) raise_gp(0);
    const u32 ip = op32 ? read_stack<u32>(0) : read_stack<u16>(0);
    const u16 cs = op32 ? static_cast<u16>(read_stack<u32>(4)) : read_stack<u16>(2);
    const u32 f = op32 ? read_stack<u32>(8) : read_stack<u16>(4);
    if ((op32 ? ip : (ip & 0xFFFF)) > 0xFFFF) raise_gp(0);
    set_sp(sp() + (op32 ? 12 : 6));
    load_segment(CS, cs);
    s.eip = ip & 0xFFFF;
    const u32 mask = (op32 ? eflags_writable_mask() : (eflags_writable_mask() & 0xFFFF)) & ~fl::IOPL;
    write_eflags(f, mask);
    return;
  }
  if (s.eflags & fl::NT) {
    // Return from a nested task through the TSS back link.
    const u16 link = read_sys<u16>(s.tr.base);
    if (Selector{link}.ldt()) raise(vec::TS, sel_error(link));
    if (!descriptor_in_limits(link)) raise(vec::TS, sel_error(link));
    const Descriptor td = read_descriptor(link, vec::TS);
    if (!td.is_tss() || !td.tss_busy()) raise(vec::TS, sel_error(link));
    if (!td.present()) raise(vec::NP, sel_error(link));
    task_switch(link, td, kTaskSwitchIret, s.eip);
    return;
  }
  const unsigned w = op32 ? 4 : 2;
  const u32 new_eip = op32 ? read_stack<u32>(0) : read_stack<u16>(0);
  const u16 new_cs = op32 ? static_cast<u16>(read_stack<u32>(w)) : read_stack<u16>(w);
  const u32 new_flags = op32 ? read_stack<u32>(2 * w) : read_stack<u16>(2 * w);

  if (op32 && (new_flags & fl::VM) && s.cpl == 0) {
    // Return to virtual-8086 mode: the frame also holds ESP, SS, ES, DS, FS, GS.
    const u32 new_esp = read_stack<u32>(12);
    const u16 new_ss = static_cast<u16>(read_stack<u32>(16));
    const u16 es = static_cast<u16>(read_stack<u32>(20));
    const u16 ds = static_cast<u16>(read_stack<u32>(24));
    const u16 fs = static_cast<u16>(read_stack<u32>(28));
    const u16 gs = static_cast<u16>(read_stack<u32>(32));
    write_eflags(new_flags | fl::VM, 0xFFFFFFFFu & ~(fl::VIF | fl::VIP | (pentium() ? 0u : fl::ID)));
    s.cpl = 3;
    for (auto [sr, sel] : {std::pair<unsigned, u16>{CS, new_cs}, {SS, new_ss}, {ES, es}, {DS, ds}, {FS, fs}, {GS, gs}})
      load_segment(sr, sel);
    inhibit_ = false;  // the SS load above is not a MOV SS
    s.r[ESP] = new_esp;
    s.eip = new_eip & 0xFFFF;
    return;
  }

  const Selector cs_sel{new_cs};
  if (cs_sel.null()) raise_gp(0);
  if (!descriptor_in_limits(new_cs)) raise_gp(sel_error(new_cs));
  Descriptor cd = read_descriptor(new_cs);
  const u8 rpl = cs_sel.rpl();
  if (!cd.code() || rpl < s.cpl) raise_gp(sel_error(new_cs));
  if (cd.conforming() ? cd.dpl() > rpl : cd.dpl() != rpl) raise_gp(sel_error(new_cs));
  if (!cd.present()) raise(vec::NP, sel_error(new_cs));
  const u32 target = op32 ? new_eip : (new_eip & 0xFFFF);

  const u8 old_cpl = s.cpl;
  // Flags an IRET may change depend on the CPL before the return.
  u32 mask = fl::kArith | fl::TF | fl::DF | fl::NT | fl::RF | fl::AC | (pentium() ? fl::ID : 0);
  if (old_cpl <= s.iopl()) mask |= fl::IF;
  if (old_cpl == 0) mask |= fl::IOPL | (pentium() ? (fl::VIF | fl::VIP) : 0);
  if (!op32) mask &= 0xFFFF;

  if (rpl == s.cpl) {
    if (target > cd.limit()) raise_gp(0);
    set_sp(sp() + 3 * w);
    set_accessed(new_cs, cd);
    load_cs(new_cs, cd, rpl);
    s.eip = target;
    write_eflags(new_flags, mask);
    return;
  }
  // Return to an outer privilege level: the frame holds the outer SS:ESP too.
  const u32 new_esp = op32 ? read_stack<u32>(3 * w) : read_stack<u16>(3 * w);
  const u16 new_ss = op32 ? static_cast<u16>(read_stack<u32>(4 * w)) : read_stack<u16>(4 * w);
  Descriptor sd = check_outer_ss(*this, new_ss, rpl);
  if (target > cd.limit()) raise_gp(0);
  set_accessed(new_cs, cd);
  load_cs(new_cs, cd, rpl);
  s.eip = target;
  write_eflags(new_flags, mask);
  switch_stack(*this, new_ss, sd, new_esp);
  invalidate_outer_segments(*this);
}

}  // namespace l4sim
