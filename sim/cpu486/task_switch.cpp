// The hardware task switch of the i486 (Intel SDM vol. 3 §7.3, table 7-1 for
// the checks and table 7-2 for the busy flag, NT and back link). Reached from
// JMP/CALL to a TSS or task gate (far_transfer.cpp), from an interrupt or
// exception through an IDT task gate, and from IRET with EFLAGS.NT set
// (interrupts.cpp). The callers have already checked the descriptor's type,
// presence, privilege and busy bit.
//
// Layout of the 32-bit TSS (Intel SDM vol. 3 fig. 7-2) and the 16-bit TSS
// (fig. 7-11), as byte offsets:
//   32-bit: link 00, ESP0..SS2 04-18, CR3 1C, EIP 20, EFLAGS 24, EAX..EDI 28-44,
//           ES CS SS DS FS GS 48-5C, LDT 60, T bit 64, I/O map base 66
//   16-bit: link 00, SP0..SS2 02-0C, IP 0E, FLAGS 10, AX..DI 12-20,
//           ES CS SS DS 22-28, LDT 2A
#include <array>

#include "cpu486/task.hpp"

namespace l4sim {

namespace {

// The state a task switch loads from the incoming TSS, read in full before the
// switch commits so that a page fault on the TSS is raised in the old task.
struct TssImage {
  u32 cr3 = 0;
  u32 eip = 0;
  u32 eflags = 0;
  std::array<u32, 8> r{};
  std::array<u16, 6> sreg{};  // ES CS SS DS FS GS
  u16 ldt = 0;
  bool trap = false;
};

TssImage read_tss(Cpu& c, u32 base, bool tss32) {
  TssImage t;
  if (tss32) {
    t.cr3 = c.read_sys<u32>(base + 0x1C);
    t.eip = c.read_sys<u32>(base + 0x20);
    t.eflags = c.read_sys<u32>(base + 0x24);
    for (unsigned i = 0; i < 8; ++i) t.r[i] = c.read_sys<u32>(base + 0x28 + 4 * i);
    for (unsigned i = 0; i < 6; ++i) t.sreg[i] = c.read_sys<u16>(base + 0x48 + 4 * i);
    t.ldt = c.read_sys<u16>(base + 0x60);
    t.trap = (c.read_sys<u16>(base + 0x64) & 1) != 0;
  } else {
    t.eip = c.read_sys<u16>(base + 0x0E);
    t.eflags = c.read_sys<u16>(base + 0x10);
    // A 16-bit TSS holds only the low words. Like Bochs, we set the upper word
    // of each general register to FFFFh (what the i386/i486 are reported to
    // leave there); FS and GS become null, EFLAGS' upper word zero.
    for (unsigned i = 0; i < 8; ++i) t.r[i] = 0xFFFF0000u | c.read_sys<u16>(base + 0x12 + 2 * i);
    for (unsigned i = 0; i < 4; ++i) t.sreg[i] = c.read_sys<u16>(base + 0x22 + 2 * i);
    t.ldt = c.read_sys<u16>(base + 0x2A);
  }
  return t;
}

void save_tss(Cpu& c, u32 base, bool tss32, u32 eip, u32 eflags) {
  const CpuState& s = c.s;
  if (tss32) {
    c.write_sys<u32>(base + 0x20, eip);
    c.write_sys<u32>(base + 0x24, eflags);
    for (unsigned i = 0; i < 8; ++i) c.write_sys<u32>(base + 0x28 + 4 * i, s.r[i]);
    // Selector slots are 32 bits wide; the upper word is reserved and left alone.
    for (unsigned i = 0; i < 6; ++i) c.write_sys<u16>(base + 0x48 + 4 * i, s.seg[i].selector);
  } else {
    c.write_sys<u16>(base + 0x0E, static_cast<u16>(eip));
    c.write_sys<u16>(base + 0x10, static_cast<u16>(eflags));
    for (unsigned i = 0; i < 8; ++i) c.write_sys<u16>(base + 0x12 + 2 * i, static_cast<u16>(s.r[i]));
    for (unsigned i = 0; i < 4; ++i) c.write_sys<u16>(base + 0x22 + 2 * i, s.seg[i].selector);
  }
}

constexpr u32 kBusyBit = 2u << 8;  // type bit 1 of a TSS descriptor

}  // namespace

void Cpu::task_switch(u16 tss_selector, const Descriptor& nd, int reason, u32 return_eip, bool has_error, u32 error) {
  const bool new32 = nd.tss32();
  const u32 new_base = nd.base();
  // The new TSS must hold at least the fixed part: 104 bytes (limit 67h) for a
  // 32-bit TSS, 44 bytes (limit 2Bh) for a 16-bit one; else #TS(new TSS), in
  // the old task (Intel SDM vol. 3 table 7-1).
  if (nd.limit() < (new32 ? 0x67u : 0x2Bu)) raise(vec::TS, sel_error(tss_selector));
  // The old TSS must have room for the state saved into it (through GS at 5Ch,
  // DS at 28h); Bochs checks the same and raises #TS(old TSS).
  const SegCache old_tr = s.tr;
  const bool old32 = (old_tr.type() & 8) != 0;
  if (old_tr.limit < (old32 ? 0x5Fu : 0x29u)) raise(vec::TS, sel_error(old_tr.selector));

  // Everything that can fault before the commit: read the new TSS, save the
  // old state, update the busy flags and the back link. Paging faults here
  // are taken in the old task and the instruction restarts cleanly.
  TssImage n = read_tss(*this, new_base, new32);
  u32 saved_flags = s.eflags;
  if (reason == kTaskSwitchIret) saved_flags &= ~fl::NT;  // table 7-2: IRET clears NT in the old image
  save_tss(*this, old_tr.base, old32, return_eip, saved_flags);

  // Busy flags (table 7-2): JMP and IRET leave the old task (clear its busy
  // bit); CALL and interrupts nest, so the old task stays busy. The new task is
  // marked busy unless this is an IRET back to it (it is busy already).
  const u32 gdt_hi = s.gdtr.base + (old_tr.selector & ~7u) + 4;  // the old TSS descriptor's high dword
  if (reason == kTaskSwitchJump || reason == kTaskSwitchIret) write_sys<u32>(gdt_hi, read_sys<u32>(gdt_hi) & ~kBusyBit);
  if (reason == kTaskSwitchCall || reason == kTaskSwitchInterrupt) {
    write_sys<u16>(new_base, old_tr.selector);  // back link
    n.eflags |= fl::NT;
  }
  Descriptor td = nd;
  if (reason != kTaskSwitchIret) {
    td.hi |= kBusyBit;
    write_descriptor_hi(tss_selector, td.hi);
  }

  // ---- Commit point: from here on the new task is current, and any fault is
  // taken in its context (Intel SDM vol. 3 §7.3 step 13, table 7-1 note). ----
  s.tr.load_from(tss_selector, td);
  s.cr0 |= cr0::TS;  // the x87 state now belongs to another task (§7.3, §2.5)
  // The PDBR is loaded only from a 32-bit TSS, and only matters with paging.
  // A CR3 load flushes the (untagged) TLB, so a task switch does too.
  if (new32 && s.paging()) write_cr3(n.cr3);
  u32 ef_mask = fl::kArith | fl::TF | fl::IF | fl::DF | fl::IOPL | fl::NT | fl::RF | fl::VM | fl::AC;
  if (pentium()) ef_mask |= fl::VIF | fl::VIP | fl::ID;
  s.eflags = (n.eflags & ef_mask) | fl::R1;
  s.eip = n.eip;
  for (unsigned i = 0; i < 8; ++i) s.r[i] = n.r[i];
  // The processor clears the local breakpoint enables L0-L3 and LE on a task
  // switch (Intel SDM vol. 3 §17.2.4).
  s.dr[7] &= ~0x155u;
  // Selectors are loaded before their descriptors: if a descriptor check fails
  // the registers hold the new selectors with unusable caches.
  for (unsigned sr = 0; sr < 6; ++sr)
    if (sr != CS) s.seg[sr].load_null(n.sreg[sr]);
  s.seg[CS].selector = n.sreg[CS];
  s.ldtr.load_null(n.ldt);
  if (tracing_) ev_.seg_loads = 0x3F;

  try {
    // LDTR: null, or an LDT descriptor in the GDT, present; else #TS(LDT selector).
    const Selector ldt{n.ldt};
    if (!ldt.null()) {
      if (ldt.ldt() || !descriptor_in_limits(n.ldt)) raise(vec::TS, sel_error(n.ldt));
      const Descriptor ld = read_descriptor(n.ldt, vec::TS);
      if (!ld.system() || ld.type() != sdt::kLdt || !ld.present()) raise(vec::TS, sel_error(n.ldt));
      s.ldtr.load_from(n.ldt, ld);
    }

    if (s.v86()) {
      // A task whose EFLAGS has VM set runs in virtual-8086 mode at CPL 3: its
      // segment registers are loaded as in real mode (Intel SDM vol. 3 §20.2.5).
      s.cpl = 3;
      for (unsigned sr = 0; sr < 6; ++sr) load_segment(sr, n.sreg[sr]);
      inhibit_ = false;  // the SS load above is not a MOV SS
    } else {
      const u16 cs = n.sreg[CS];
      const u8 cpl = Selector{cs}.rpl();
      s.cpl = cpl;  // the new task's CPL is the RPL of its CS selector
      // CS: a code segment whose DPL matches the RPL (non-conforming) or is at
      // most the RPL (conforming); #TS(CS), #NP(CS) if not present.
      if (Selector{cs}.null() || !descriptor_in_limits(cs)) raise(vec::TS, sel_error(cs));
      Descriptor cd = read_descriptor(cs, vec::TS);
      if (!cd.code() || (cd.conforming() ? cd.dpl() > cpl : cd.dpl() != cpl)) raise(vec::TS, sel_error(cs));
      if (!cd.present()) raise(vec::NP, sel_error(cs));
      // SS: a writable data segment with RPL = DPL = CPL; #SS(SS) if not present.
      const u16 ss = n.sreg[SS];
      if (Selector{ss}.null() || !descriptor_in_limits(ss)) raise(vec::TS, sel_error(ss));
      Descriptor sd = read_descriptor(ss, vec::TS);
      if (!sd.writable() || Selector{ss}.rpl() != cpl || sd.dpl() != cpl) raise(vec::TS, sel_error(ss));
      if (!sd.present()) raise(vec::SS, sel_error(ss));
      set_accessed(cs, cd);
      load_cs(cs, cd, cpl);
      set_accessed(ss, sd);
      load_ss(ss, sd);
      // DS, ES, FS, GS: null, or readable and (unless conforming code) DPL >=
      // CPL and RPL; #TS(selector), #NP(selector) if not present.
      for (unsigned sr : {ES, DS, FS, GS}) {
        const u16 sel = n.sreg[sr];
        if (Selector{sel}.null()) continue;
        if (!descriptor_in_limits(sel)) raise(vec::TS, sel_error(sel));
        Descriptor d = read_descriptor(sel, vec::TS);
        if (d.system() || (d.code() && !d.readable())) raise(vec::TS, sel_error(sel));
        if ((d.data() || !d.conforming()) && (d.dpl() < cpl || d.dpl() < Selector{sel}.rpl()))
          raise(vec::TS, sel_error(sel));
        if (!d.present()) raise(vec::NP, sel_error(sel));
        set_accessed(sel, d);
        s.seg[sr].load_from(sel, d);
      }
    }
    // JMP/CALL/INT/IRET pseudocode: "IF EIP not within code segment limit THEN #GP(0)",
    // in the new task.
    if (s.eip > s.seg[CS].limit) raise_gp(0);
    // An exception with an error code that switched tasks pushes the code on
    // the new task's stack, sized by the new TSS (Intel SDM vol. 3 §6.13).
    if (has_error) {
      if (new32)
        push<u32>(error);
      else
        push<u16>(static_cast<u16>(error));
    }
    if (tracing_) {
      ev_.branch_taken = true;
      ev_.branch_target = s.eip;
    }
  } catch (const CpuFault& f) {
    // The switch has committed, so the exception belongs to the new task: it
    // is delivered now with the new task's EIP and ESP (the caller's rollback
    // must not undo the switch). We do not set EXT in these error codes, and a
    // fault here is delivered as a first exception (no double-fault pairing
    // with an interrupt that caused the switch).
    deliver(f.vector, f.has_error, f.error, false, false);
    return;
  }
  // The T flag of the new 32-bit TSS raises a debug trap once the switch is
  // complete, before the new task's first instruction (Intel SDM vol. 3
  // §7.2.1, §17.3.1.5); DR6.BT tells the handler why.
  if (n.trap) {
    s.dr[6] |= 1u << 15;
    deliver(vec::DB, false, 0, false, false);
  }
}

}  // namespace l4sim
