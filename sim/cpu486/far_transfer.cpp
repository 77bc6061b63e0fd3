// Far JMP, CALL and RET: real and virtual-8086 mode CS:IP loads, and the
// protected-mode transfers of Intel SDM vol. 2 "JMP", "CALL", "RET" (pseudocode)
// and vol. 3 §5.8 (privilege checks for control transfers, call gates, stack
// switching, returning from a called procedure) and §7.3 (task switching).
//
// Every check and every stack write happens before a register changes, so a
// fault leaves the caller's state intact (the step loop restores EIP and ESP).
#include "cpu486/new_stack.hpp"
#include "cpu486/task.hpp"

namespace l4sim {

namespace {

// Real-address and virtual-8086 mode: CS is loaded like a data segment
// (base = selector << 4), and the new offset must lie inside the CS limit
// (Intel SDM vol. 2 JMP/CALL/RET, real-address mode pseudocode). The limit
// checked is the current one: real-mode loads keep the hidden limit, and v86
// forces 64 KB.
void real_mode_target_check(Cpu& c, u32 offset) {
  if (offset > c.s.seg[CS].limit) c.raise_gp(0);
}

// The checks JMP and CALL apply to a code-segment descriptor named directly
// (Intel SDM vol. 2 JMP/CALL: CONFORMING-CODE-SEGMENT, NONCONFORMING-CODE-SEGMENT;
// vol. 3 §5.8.1). The transfer stays at the current privilege level either way.
void check_direct_code(Cpu& c, u16 selector, const Descriptor& d) {
  const Selector sel{selector};
  if (d.conforming()) {
    if (d.dpl() > c.s.cpl) c.raise_gp(sel_error(selector));
  } else {
    if (sel.rpl() > c.s.cpl || d.dpl() != c.s.cpl) c.raise_gp(sel_error(selector));
  }
  if (!d.present()) c.raise(vec::NP, sel_error(selector));
}

// A call gate named by JMP or CALL: gate checks, then the code segment it points
// at. Returns the code-segment selector and descriptor (Intel SDM vol. 2 JMP/CALL,
// CALL-GATE; vol. 3 §5.8.4).
struct GateTarget {
  u16 cs;
  Descriptor cd;
  u32 offset;  // truncated to 16 bits for a 16-bit gate
};

GateTarget check_call_gate(Cpu& c, u16 gate_sel, const Descriptor& gate) {
  if (gate.dpl() < c.s.cpl || gate.dpl() < Selector{gate_sel}.rpl()) c.raise_gp(sel_error(gate_sel));
  if (!gate.present()) c.raise(vec::NP, sel_error(gate_sel));
  const u16 cs = gate.gate_selector();
  if (Selector{cs}.null()) c.raise_gp(0);
  if (!c.descriptor_in_limits(cs)) c.raise_gp(sel_error(cs));
  const Descriptor cd = c.read_descriptor(cs);
  // CALL through a gate may go to a more privileged non-conforming segment; a
  // code segment of a lower privilege (DPL > CPL) is never reachable.
  if (!cd.code() || cd.dpl() > c.s.cpl) c.raise_gp(sel_error(cs));
  if (!cd.present()) c.raise(vec::NP, sel_error(cs));
  const u32 off = gate.gate32() ? gate.gate_offset() : (gate.gate_offset() & 0xFFFF);
  return {cs, cd, off};
}

// JMP or CALL to a task gate or a TSS descriptor (Intel SDM vol. 2 JMP/CALL,
// TASK-GATE and TASK-STATE-SEGMENT; vol. 3 §7.3). The return EIP saved in the
// old TSS is the instruction after the JMP/CALL.
void switch_through(Cpu& c, u16 selector, const Descriptor& d, int reason) {
  const Selector sel{selector};
  if (d.type() == sdt::kTaskGate) {
    if (d.dpl() < c.s.cpl || d.dpl() < sel.rpl()) c.raise_gp(sel_error(selector));
    if (!d.present()) c.raise(vec::NP, sel_error(selector));
    const u16 tsel = d.gate_selector();
    // A TSS descriptor may only live in the GDT (Intel SDM vol. 3 §7.2.2).
    if (Selector{tsel}.ldt() || !c.descriptor_in_limits(tsel)) c.raise_gp(sel_error(tsel));
    const Descriptor td = c.read_descriptor(tsel);
    if (!td.is_tss() || td.tss_busy()) c.raise_gp(sel_error(tsel));
    if (!td.present()) c.raise(vec::NP, sel_error(tsel));
    c.task_switch(tsel, td, reason, c.s.eip);
    return;
  }
  // A TSS descriptor named directly.
  if (sel.ldt() || d.dpl() < c.s.cpl || d.dpl() < sel.rpl() || d.tss_busy()) c.raise_gp(sel_error(selector));
  if (!d.present()) c.raise(vec::NP, sel_error(selector));
  c.task_switch(selector, d, reason, c.s.eip);
}

// Reads the descriptor a far JMP/CALL names, with the checks common to both:
// null selector #GP(0), beyond the table limit #GP(selector) (Intel SDM vol. 2 JMP/CALL).
Descriptor target_descriptor(Cpu& c, u16 selector) {
  if (Selector{selector}.null()) c.raise_gp(0);
  if (!c.descriptor_in_limits(selector)) c.raise_gp(sel_error(selector));
  const Descriptor d = c.read_descriptor(selector);
  if (d.code()) return d;
  if (d.system()) {
    switch (d.type()) {
      case sdt::kCallGate16:
      case sdt::kCallGate32:
      case sdt::kTaskGate:
      case sdt::kTss16Avail:
      case sdt::kTss32Avail:
      case sdt::kTss16Busy:  // busy TSSs fail their own check with #GP(selector) below
      case sdt::kTss32Busy: return d;
      default: break;
    }
  }
  c.raise_gp(sel_error(selector));
}

}  // namespace

// ---------------------------------------------------------------------------
// JMP ptr16:16/32, JMP m16:16/32

void Cpu::far_jump(u16 selector, u32 offset, bool op32) {
  if (!op32) offset &= 0xFFFF;
  if (!s.protected_mode() || s.v86()) {
    real_mode_target_check(*this, offset);
    load_segment(CS, selector);
    s.eip = offset;
    record_branch(offset);
    return;
  }
  Descriptor d = target_descriptor(*this, selector);
  if (d.code()) {
    check_direct_code(*this, selector, d);
    if (offset > d.limit()) raise_gp(0);
    set_accessed(selector, d);
    load_cs(selector, d, s.cpl);  // CS.RPL <- CPL
    s.eip = offset;
    record_branch(offset);
    return;
  }
  if (d.type() == sdt::kCallGate16 || d.type() == sdt::kCallGate32) {
    GateTarget g = check_call_gate(*this, selector, d);
    // JMP through a call gate never changes privilege: a non-conforming target
    // must have DPL = CPL (Intel SDM vol. 2 JMP, CALL-GATE; vol. 3 §5.8.5).
    if (!g.cd.conforming() && g.cd.dpl() != s.cpl) raise_gp(sel_error(g.cs));
    if (g.offset > g.cd.limit()) raise_gp(0);
    set_accessed(g.cs, g.cd);
    load_cs(g.cs, g.cd, s.cpl);
    s.eip = g.offset;
    record_branch(g.offset);
    return;
  }
  switch_through(*this, selector, d, kTaskSwitchJump);
}

// ---------------------------------------------------------------------------
// CALL ptr16:16/32, CALL m16:16/32

void Cpu::far_call(u16 selector, u32 offset, bool op32) {
  if (!op32) offset &= 0xFFFF;
  const u16 old_cs = s.seg[CS].selector;
  const u32 ret = s.eip;
  if (!s.protected_mode() || s.v86()) {
    // Intel SDM vol. 2 CALL, real-address/v86 far call: the target is checked
    // against the CS limit, then CS and (E)IP are pushed (CS zero-extended to 32
    // bits with a 32-bit operand size).
    real_mode_target_check(*this, offset);
    if (op32) {
      push<u32>(old_cs);
      push<u32>(ret);
    } else {
      push<u16>(old_cs);
      push<u16>(static_cast<u16>(ret));
    }
    load_segment(CS, selector);
    s.eip = offset;
    record_branch(offset);
    return;
  }
  Descriptor d = target_descriptor(*this, selector);
  if (d.code()) {
    check_direct_code(*this, selector, d);
    NewStack ns(*this, s.seg[SS].selector, s.seg[SS], sp(), s.cpl == 3, 0);
    ns.push_word(op32, old_cs);
    ns.push_word(op32, ret);
    if (offset > d.limit()) raise_gp(0);
    set_sp(ns.esp());
    set_accessed(selector, d);
    load_cs(selector, d, s.cpl);
    s.eip = offset;
    record_branch(offset);
    return;
  }
  if (d.type() != sdt::kCallGate16 && d.type() != sdt::kCallGate32) {
    switch_through(*this, selector, d, kTaskSwitchCall);
    return;
  }

  // CALL through a call gate (Intel SDM vol. 2 CALL, CALL-GATE; vol. 3 §5.8.4-§5.8.5).
  // The gate's size, not the instruction's operand size, decides the width of
  // everything pushed and of the copied parameters.
  GateTarget g = check_call_gate(*this, selector, d);
  const bool g32 = d.gate32();
  if (!g.cd.conforming() && g.cd.dpl() < s.cpl) {
    // MORE-PRIVILEGE: switch to the inner stack named in the TSS, then copy
    // the parameters from the caller's stack (Intel SDM vol. 3 §5.8.5, fig. 5-13).
    const u8 ncpl = g.cd.dpl();
    const TssStack st = tss_stack_for(*this, ncpl, false);
    Descriptor sd = check_inner_ss(*this, st.ss, ncpl, false);
    // The new stack must hold the parameters plus 16 (32-bit gate) or 8 bytes:
    // every push below is limit-checked and raises #SS(new SS selector).
    NewStack ns(*this, st.ss, sd, st.esp, ncpl == 3, sel_error(st.ss));
    ns.push_word(g32, s.seg[SS].selector);
    ns.push_word(g32, s.r[ESP]);
    // Parameters are copied so that they keep their order: the deepest one
    // (highest address on the caller's stack) is pushed first. They are read
    // with the caller's SS and CPL, so a bad caller stack raises #SS(0).
    const unsigned w = g32 ? 4 : 2;
    for (unsigned i = d.gate_params(); i-- > 0;) {
      if (g32)
        ns.push<u32>(read_stack<u32>(i * w));
      else
        ns.push<u16>(read_stack<u16>(i * w));
    }
    ns.push_word(g32, old_cs);
    ns.push_word(g32, ret);
    if (g.offset > g.cd.limit()) raise_gp(0);
    // Commit.
    switch_stack(*this, st.ss, sd, ns.esp());
    set_accessed(g.cs, g.cd);
    load_cs(g.cs, g.cd, ncpl);
    s.eip = g.offset;
    record_branch(g.offset);
    return;
  }
  // SAME-PRIVILEGE through a gate (a conforming target, or DPL = CPL).
  NewStack ns(*this, s.seg[SS].selector, s.seg[SS], sp(), s.cpl == 3, 0);
  ns.push_word(g32, old_cs);
  ns.push_word(g32, ret);
  if (g.offset > g.cd.limit()) raise_gp(0);
  set_sp(ns.esp());
  set_accessed(g.cs, g.cd);
  load_cs(g.cs, g.cd, s.cpl);
  s.eip = g.offset;
  record_branch(g.offset);
}

// ---------------------------------------------------------------------------
// RET far, RET far imm16

void Cpu::far_return(bool op32, u16 pop_bytes) {
  const unsigned w = op32 ? 4 : 2;
  // The return address: (E)IP then CS; a 32-bit pop of CS discards the high
  // word. Reading through read_stack gives #SS(0) when it lies outside SS.
  const u32 ret_eip = op32 ? read_stack<u32>(0) : read_stack<u16>(0);
  const u16 ret_cs = op32 ? static_cast<u16>(read_stack<u32>(w)) : read_stack<u16>(w);

  if (!s.protected_mode() || s.v86()) {
    real_mode_target_check(*this, ret_eip);
    set_sp(sp() + 2 * w + pop_bytes);
    load_segment(CS, ret_cs);
    s.eip = ret_eip;
    record_branch(ret_eip);
    return;
  }

  // Protected mode (Intel SDM vol. 2 RET, "protected mode" pseudocode).
  const Selector cs_sel{ret_cs};
  if (cs_sel.null()) raise_gp(0);
  if (!descriptor_in_limits(ret_cs)) raise_gp(sel_error(ret_cs));
  Descriptor cd = read_descriptor(ret_cs);
  const u8 rpl = cs_sel.rpl();
  if (!cd.code() || rpl < s.cpl) raise_gp(sel_error(ret_cs));
  if (cd.conforming() ? cd.dpl() > rpl : cd.dpl() != rpl) raise_gp(sel_error(ret_cs));
  if (!cd.present()) raise(vec::NP, sel_error(ret_cs));

  if (rpl == s.cpl) {
    // RETURN-TO-SAME-PRIVILEGE-LEVEL.
    if (ret_eip > cd.limit()) raise_gp(0);
    set_sp(sp() + 2 * w + pop_bytes);
    set_accessed(ret_cs, cd);
    load_cs(ret_cs, cd, rpl);
    s.eip = ret_eip;
    record_branch(ret_eip);
    return;
  }

  // RETURN-TO-OUTER-PRIVILEGE-LEVEL: the outer SS:ESP lies above the return
  // address and the pop_bytes parameters the callee releases.
  const u32 new_esp = op32 ? read_stack<u32>(2 * w + pop_bytes) : read_stack<u16>(2 * w + pop_bytes);
  const u16 new_ss = op32 ? static_cast<u16>(read_stack<u32>(3 * w + pop_bytes)) : read_stack<u16>(3 * w + pop_bytes);
  Descriptor sd = check_outer_ss(*this, new_ss, rpl);
  if (ret_eip > cd.limit()) raise_gp(0);
  // Commit: CPL becomes the RPL of the return CS; the immediate is released
  // from the outer stack as well (it holds the caller's copy of the parameters).
  set_accessed(ret_cs, cd);
  load_cs(ret_cs, cd, rpl);
  s.eip = ret_eip;
  switch_stack(*this, new_ss, sd, new_esp);
  set_sp(sp() + pop_bytes);
  invalidate_outer_segments(*this);
  record_branch(ret_eip);
}

}  // namespace l4sim
