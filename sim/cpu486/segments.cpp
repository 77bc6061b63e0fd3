// Segment-register loads, descriptor tables, control registers, I/O permission
// and the EFLAGS update rules: the parts of the system architecture that many
// instructions share.
#include "cpu486/cpu.hpp"

namespace l4sim {

bool Cpu::descriptor_in_limits(u16 selector) const {
  const Selector sel{selector};
  if (sel.ldt()) {
    if (!s.ldtr.usable || s.ldtr.selector == 0) return false;
    return static_cast<u64>(sel.offset()) + 7 <= s.ldtr.limit;
  }
  return static_cast<u64>(sel.offset()) + 7 <= s.gdtr.limit;
}

Descriptor Cpu::read_descriptor(u16 selector, u8 fault_vec) {
  const Selector sel{selector};
  if (!descriptor_in_limits(selector)) raise(fault_vec, sel_error(selector));
  const u32 base = sel.ldt() ? s.ldtr.base : s.gdtr.base;
  Descriptor d;
  d.lo = read_sys<u32>(base + sel.offset());
  d.hi = read_sys<u32>(base + sel.offset() + 4);
  return d;
}

void Cpu::write_descriptor_hi(u16 selector, u32 hi) {
  const Selector sel{selector};
  const u32 base = sel.ldt() ? s.ldtr.base : s.gdtr.base;
  write_sys<u32>(base + sel.offset() + 4, hi);
}

void Cpu::set_accessed(u16 selector, Descriptor& d) {
  // The processor sets the accessed bit in the descriptor in memory when it
  // loads a segment register (Intel SDM vol. 3 §3.4.5.1).
  if (d.accessed()) return;
  d.hi = d.with_accessed_hi();
  write_descriptor_hi(selector, d.hi);
}

void Cpu::load_cs(u16 selector, const Descriptor& d, u8 cpl) {
  s.seg[CS].load_from(static_cast<u16>((selector & ~3u) | cpl), d);
  s.cpl = cpl;
  if (tracing_) ev_.seg_loads |= 1u << CS;
}

void Cpu::load_ss(u16 selector, const Descriptor& d) {
  s.seg[SS].load_from(selector, d);
  if (tracing_) ev_.seg_loads |= 1u << SS;
}

void Cpu::load_segment(unsigned sr, u16 selector) {
  if (tracing_) ev_.seg_loads |= 1u << sr;
  if (!s.protected_mode() || s.v86()) {
    SegCache& sc = s.seg[sr];
    sc.load_real(selector);
    if (s.v86()) {
      // Virtual-8086 segments are always 64 KB read/write, DPL 3 (Intel SDM vol. 3 §20.1.1).
      sc.limit = 0xFFFF;
      sc.access = 0xF3;
      sc.big = false;
      sc.granular = false;
      sc.refresh();
    }
    if (sr == SS) inhibit_interrupts();
    return;
  }
  const Selector sel{selector};
  if (sr == SS) {
    // MOV SS / POP SS / LSS (Intel SDM vol. 2, MOV: protected-mode SS checks).
    if (sel.null()) raise_gp(0);
    Descriptor d = read_descriptor(selector);
    if (sel.rpl() != s.cpl || !d.writable() || d.dpl() != s.cpl) raise_gp(sel_error(selector));
    if (!d.present()) raise(vec::SS, sel_error(selector));
    set_accessed(selector, d);
    load_ss(selector, d);
    inhibit_interrupts();
    return;
  }
  SegCache& sc = s.seg[sr];
  if (sel.null()) {
    // A null selector may be loaded into DS/ES/FS/GS; using it faults later.
    sc.load_null(selector);
    return;
  }
  Descriptor d = read_descriptor(selector);
  if (d.system() || (d.code() && !d.readable())) raise_gp(sel_error(selector));
  if (d.data() || !d.conforming())
    if (sel.rpl() > d.dpl() || s.cpl > d.dpl()) raise_gp(sel_error(selector));
  if (!d.present()) raise(vec::NP, sel_error(selector));
  set_accessed(selector, d);
  sc.load_from(selector, d);
}

// ---------------------------------------------------------------------------
// Control registers

void Cpu::write_cr0(u32 v) {
  // Intel SDM vol. 3 §2.5 and MOV CR: PG without PE, or NW without CD, is #GP(0).
  if ((v & cr0::PG) && !(v & cr0::PE)) raise_gp(0);
  if ((v & cr0::NW) && !(v & cr0::CD)) raise_gp(0);
  const u32 writable =
      cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::NE | cr0::WP | cr0::AM | cr0::NW | cr0::CD | cr0::PG;
  const u32 old = s.cr0;
  s.cr0 = (v & writable) | cr0::ET;  // ET is hardwired on the i486DX and Pentium
  if ((old ^ s.cr0) & (cr0::PG | cr0::WP | cr0::PE)) {
    flush_tlbs();
    if (tracing_) ev_.tlb_flushed = true;
  }
  // Turning protection on or off leaves the processor at privilege 0: CPL
  // changes only when a far transfer loads CS (Intel SDM vol. 3 §9.9.1).
  if ((old ^ s.cr0) & cr0::PE) s.cpl = 0;
}

void Cpu::write_cr3(u32 v) {
  s.cr3 = v & 0xFFFFF018u;  // page-directory base, PCD, PWT
  if (cfg_.tlb.tagged) tlb_tag_ = s.cr3 >> 12;
  tlb_.flush_for_cr3_load();
  if (cfg_.split_tlb) itlb_.flush_for_cr3_load();
  if (tracing_) {
    ev_.cr3_loaded = true;
    ev_.tlb_flushed = !cfg_.tlb.tagged;
  }
}

void Cpu::write_cr4(u32 v) {
  const u32 writable = cr4::VME | cr4::PVI | cr4::TSD | cr4::DE | cr4::PSE | cr4::MCE;
  if (v & ~writable) raise_gp(0);
  const u32 old = s.cr4;
  s.cr4 = v;
  if ((old ^ v) & cr4::PSE) {
    flush_tlbs();
    if (tracing_) ev_.tlb_flushed = true;
  }
}

// ---------------------------------------------------------------------------
// I/O permission (Intel SDM vol. 1 §16.5)

void Cpu::check_io(u16 port, unsigned size) {
  if (!s.protected_mode()) return;
  if (!s.v86() && s.cpl <= s.iopl()) return;
  // Consult the I/O permission bitmap of a 32-bit TSS; a 16-bit TSS has none.
  const SegCache& tr = s.tr;
  const u8 type = tr.type();
  if (!tr.usable || (type != sdt::kTss32Avail && type != sdt::kTss32Busy) || tr.limit < 0x67) raise_gp(0);
  const u32 map_base = read_sys<u16>(tr.base + 0x66);
  const u32 off = map_base + port / 8;
  if (static_cast<u64>(off) + 1 > tr.limit) raise_gp(0);
  const u32 bits = read_sys<u16>(tr.base + off);
  const u32 mask = ((1u << size) - 1) << (port & 7);
  if (bits & mask) raise_gp(0);
}

// ---------------------------------------------------------------------------
// EFLAGS

u32 Cpu::eflags_writable_mask() const {
  // What POPF may change (Intel SDM vol. 2 POPF): IOPL only at CPL 0, IF only when
  // CPL <= IOPL; VM, RF never; AC on the i486 and later; ID only where CPUID exists.
  u32 m = fl::kArith | fl::TF | fl::DF | fl::NT | fl::AC;
  if (pentium()) m |= fl::ID;
  if (!s.protected_mode()) return m | fl::IF | fl::IOPL;
  if (s.v86()) return m | fl::IF;  // reached only with IOPL = 3; IOPL itself is fixed in v86
  if (s.cpl == 0) m |= fl::IOPL;
  if (s.cpl <= s.iopl()) m |= fl::IF;
  return m;
}

void Cpu::write_eflags(u32 v, u32 mask) { s.eflags = ((s.eflags & ~mask) | (v & mask) | fl::R1) & ~0x8028u; }

}  // namespace l4sim
