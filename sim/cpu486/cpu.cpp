#include "cpu486/cpu.hpp"

#include <fmt/format.h>

#include "cpu486/cpu_step.hpp"
#include "cpu486/decoder.hpp"

namespace l4sim {

Cpu::Cpu(Bus& bus, const CpuConfig& cfg)
    : bus_(bus),
      cfg_(cfg),
      tlb_(cfg.tlb),
      itlb_(cfg.split_tlb ? cfg.itlb_geometry() : TlbGeometry{}),
      dcache_(bus.ram_size() / kPageSize) {
  bus_.set_code_listener(this);
  reset();
}

Cpu::~Cpu() { bus_.set_code_listener(nullptr); }

void Cpu::reset() {
  s = CpuState{};
  // Intel SDM vol. 3 §9.1.1 table 9-1: state after RESET.
  s.eip = 0xFFF0;
  s.eflags = fl::R1;
  s.cr0 = cr0::ET | cr0::CD | cr0::NW;  // i486: CD and NW set, ET set with the on-chip FPU
  for (unsigned i = 0; i < 6; ++i) {
    SegCache& sc = s.seg[i];
    sc = SegCache{};
    sc.refresh();
  }
  s.seg[CS].selector = 0xF000;
  s.seg[CS].base = 0xFFFF0000u;
  s.ldtr.access = 0x82;  // LDT type, present
  s.tr.access = 0x8B;    // busy 32-bit TSS
  s.idtr = TableReg{0, 0x3FF};
  s.gdtr = TableReg{0, 0xFFFF};
  // EDX holds the processor signature after reset: family 4 model 0 (486DX) or
  // family 5 model 2 (P54C). The stepping digits are a model choice.
  s.r[EDX] = pentium() ? 0x0525 : 0x0402;
  s.dr[6] = 0xFFFF0FF0u;
  s.dr[7] = 0x400;
  flush_tlbs();
  invalidate_decode_cache();
  inhibit_ = false;
  repeating_ = false;
  fault_depth_ = 0;
  retired_ = 0;
  shutdown_reason_.clear();
}

// ---------------------------------------------------------------------------
// Memory

void Cpu::seg_violation(unsigned sr) {
  // Intel SDM vol. 3 §6.15: limit or rights violations raise #SS(0) for the
  // stack segment and #GP(0) for the others; a null selector in protected mode
  // gives #GP(0) even through SS-relative addressing of a non-SS register.
  if (sr == SS) raise(vec::SS, 0);
  raise_gp(0);
}

void Cpu::check_alignment(u32 lin) {
  // #AC(0): CR0.AM, EFLAGS.AC and CPL 3 (Intel SDM vol. 3 §6.15, interrupt 17).
  (void)lin;
  if ((s.cr0 & cr0::AM) && (s.eflags & fl::AC)) raise(vec::AC, 0);
}

PhysAddr Cpu::translate_slow(u32 lin, AccessKind kind, bool user, TlbEntry* stale) {
  const bool write = kind == AccessKind::kWrite || kind == AccessKind::kSystemWrite;
  u32 err = (write ? pf::W : 0) | (user ? pf::U : 0);
  auto fault = [&](u32 code) {
    s.cr2 = lin;
    // A page fault drops the faulting address's TLB entry, so a permission
    // upgrade in the page tables is seen on the retry (Intel SDM vol. 3 §4.10.4.1).
    flush_tlb_page(lin >> 12);
    raise(vec::PF, code);
  };
  if (stale) {
    // A TLB hit that failed its check. If the rights allow the access, only the
    // dirty bit was missing: the walker re-reads the tables to set D. Otherwise
    // the cached rights are used, as on the chip, and the access faults.
    const bool ok = (!user || stale->user) && (!write || stale->writable || (!user && !(s.cr0 & cr0::WP)));
    if (!ok) fault(err | pf::P);
  }

  last_walked_ = true;
  if (tracing_) ++ev_.tlb_misses;
  const u32 pde_addr = (s.cr3 & ~kPageMask) | ((lin >> 20) & 0xFFC);
  const u32 pde = bus_.read<u32>(PhysAddr(pde_addr));
  if (tracing_) ev_.add(MemAccess{lin, pde_addr, 4, AccessKind::kWalk, true});
  if (!(pde & 1)) fault(err);

  u32 ppn;
  bool u_ok, w_ok, dirty;
  const bool large = (pde & 0x80) && (s.cr4 & cr4::PSE) && pentium();
  u32 pte_addr = 0, pte = 0;
  if (large) {
    u_ok = pde & 4;
    w_ok = pde & 2;
    ppn = ((pde & 0xFFC00000u) | (lin & 0x003FF000u)) >> 12;
  } else {
    pte_addr = (pde & ~kPageMask) | ((lin >> 10) & 0xFFC);
    pte = bus_.read<u32>(PhysAddr(pte_addr));
    if (tracing_) ev_.add(MemAccess{lin, pte_addr, 4, AccessKind::kWalk, true});
    if (!(pte & 1)) fault(err);
    u_ok = (pde & 4) && (pte & 4);
    w_ok = (pde & 2) && (pte & 2);
    ppn = pte >> 12;
  }
  if (user && !u_ok) fault(err | pf::P);
  if (write && !w_ok && (user || (s.cr0 & cr0::WP))) fault(err | pf::P);

  // Accessed and dirty bits are written only for a translation that succeeds.
  if (!(pde & 0x20) || (large && write && !(pde & 0x40))) {
    const u32 npde = pde | 0x20 | ((large && write) ? 0x40 : 0);
    bus_.write<u32>(PhysAddr(pde_addr), npde);
    if (tracing_) ev_.add(MemAccess{lin, pde_addr, 4, AccessKind::kWalkWrite, true});
  }
  if (large) {
    dirty = (pde & 0x40) || write;
  } else {
    const u32 npte = pte | 0x20 | (write ? 0x40 : 0);
    if (npte != pte) {
      bus_.write<u32>(PhysAddr(pte_addr), npte);
      if (tracing_) ev_.add(MemAccess{lin, pte_addr, 4, AccessKind::kWalkWrite, true});
    }
    dirty = (npte & 0x40) != 0;
  }
  TlbEntry ne;
  ne.vpn = lin >> 12;
  ne.ppn = ppn;
  ne.tag = tlb_tag_;
  ne.user = u_ok;
  ne.writable = w_ok;
  ne.dirty = dirty;
  ne.large = large;
  tlb_for(kind).insert(ne);
  return PhysAddr((ppn << 12) | (lin & kPageMask));
}

template <class T>
T Cpu::read_split(u32 lin, AccessKind kind, bool user) {
  // An access crossing a page boundary: both pages are translated (and may
  // fault, with CR2 naming the second page) before any byte is used.
  const u32 first = kPageSize - (lin & kPageMask);
  const PhysAddr p1 = translate(lin, kind, user);
  if (tracing_) record(lin, p1, first, kind);
  const PhysAddr p2 = translate(lin + first, kind, user);
  if (tracing_) record(lin + first, p2, sizeof(T) - first, kind);
  if (user && (s.cr0 & cr0::AM) && (s.eflags & fl::AC)) check_alignment(lin);
  u64 v = 0;
  for (unsigned i = 0; i < sizeof(T); ++i) {
    const u8 b = i < first ? bus_.read<u8>(PhysAddr(p1.v + i)) : bus_.read<u8>(PhysAddr(p2.v + i - first));
    v |= static_cast<u64>(b) << (8 * i);
  }
  return static_cast<T>(v);
}

template <class T>
void Cpu::write_split(u32 lin, T v, AccessKind kind, bool user) {
  const u32 first = kPageSize - (lin & kPageMask);
  const PhysAddr p1 = translate(lin, kind, user);
  const PhysAddr p2 = translate(lin + first, kind, user);
  if (user && (s.cr0 & cr0::AM) && (s.eflags & fl::AC)) check_alignment(lin);
  if (tracing_) {
    record(lin, p1, first, kind);
    record(lin + first, p2, sizeof(T) - first, kind);
  }
  const u64 x = static_cast<u64>(v);
  for (unsigned i = 0; i < sizeof(T); ++i) {
    const u8 b = static_cast<u8>(x >> (8 * i));
    if (i < first)
      bus_.write<u8>(PhysAddr(p1.v + i), b);
    else
      bus_.write<u8>(PhysAddr(p2.v + i - first), b);
  }
}

template u8 Cpu::read_split<u8>(u32, AccessKind, bool);
template u16 Cpu::read_split<u16>(u32, AccessKind, bool);
template u32 Cpu::read_split<u32>(u32, AccessKind, bool);
template u64 Cpu::read_split<u64>(u32, AccessKind, bool);
template void Cpu::write_split<u8>(u32, u8, AccessKind, bool);
template void Cpu::write_split<u16>(u32, u16, AccessKind, bool);
template void Cpu::write_split<u32>(u32, u32, AccessKind, bool);
template void Cpu::write_split<u64>(u32, u64, AccessKind, bool);

void Cpu::on_code_write(PhysAddr addr, unsigned size) {
  // Split per page: the cache keeps one slot array per page.
  u32 a = addr.v;
  u32 left = size;
  while (left) {
    const u32 chunk = std::min<u32>(left, kPageSize - (a & kPageMask));
    dcache_.invalidate(a, chunk);
    a += chunk;
    left -= chunk;
  }
}

// ---------------------------------------------------------------------------
// Fetch and decode

const DecodedInsn& Cpu::fetch_decode_slow(u32 lin, PhysAddr p) {
  const SegCache& cs = s.seg[CS];
  const u32 eip = insn_eip_;
  const bool user = s.cpl == 3;
  const u8 key = cs.big;
  bool fresh = false;
  DecodeCache::Page* page = bus_.page_kind(p.page()) == Bus::kRom ? nullptr : dcache_.page(p.page(), fresh);
  DecodedInsn* slot = page ? &(*page)[p.v & kPageMask] : nullptr;
  if (page) {
    code_ppn_ = p.page();
    code_page_ = page;
  }
  if (slot && slot->len && slot->mode_key == key) {
    if (static_cast<u64>(eip) + slot->len - 1 > cs.limit) raise_gp(0);
    if (tracing_) record(lin, p, slot->len, AccessKind::kFetch);
    return *slot;
  }
  // Decode through the linear address space: every byte obeys the CS limit and
  // paging, so a fetch that crosses into a non-present page faults with CR2 set
  // to that page (Intel SDM vol. 3 §6.15).
  u32 page_lin = lin & ~kPageMask;
  PhysAddr page_phys(p.v & ~kPageMask);
  bool crossed = false;
  auto byte_at = [&](unsigned i) -> u8 {
    const u32 off = cs.big ? eip + i : ((eip + i) & 0xFFFF);
    if (off > cs.limit) raise_gp(0);
    const u32 l = cs.base + off;
    if ((l & ~kPageMask) != page_lin) {
      page_lin = l & ~kPageMask;
      page_phys = PhysAddr(translate(l, AccessKind::kFetch, user).v & ~kPageMask);
      crossed = true;
    }
    return bus_.read<u8>(PhysAddr(page_phys.v | (l & kPageMask)));
  };
  DecodeMode mode{cs.big, pentium()};
  DecodedInsn& target = slot ? *slot : scratch_;
  if (!decode_insn(byte_at, mode, target)) {
    target.len = 0;
    raise_gp(0);  // longer than 15 bytes
  }
  if (annotator_) annotator_->annotate(target);
  if (tracing_) record(lin, p, target.len, AccessKind::kFetch);
  if (crossed && slot) {
    // Instructions spanning two pages are not cached: the second page's
    // translation may change independently.
    scratch_ = target;
    target.len = 0;
    return scratch_;
  }
  if (slot && fresh) bus_.mark_code_page(p.page());
  return target;
}

// ---------------------------------------------------------------------------
// The step loop

void Cpu::finish_event() {
  if (!tracing_) return;
  ev_.cpl_after = s.cpl;
  obs_->on_step(ev_);
}

StepResult Cpu::step() {
  // While tracing the step fills the event and hands it to the observer; the
  // untraced path skips all of that.
  if (!tracing_) return step_inline<false>();
  if (s.shutdown) return StepResult::kShutdown;  // nothing ran: no event
  const StepResult r = step_inline<true>();
  if (obs_) obs_->on_step(ev_);
  return r;
}

void Cpu::handle_fault(const CpuFault& f) {
  // Faults are restartable: the instruction's visible effects are rolled back
  // (handlers commit registers only after their memory accesses succeed; ESP
  // is restored here because pushes move it early).
  s.eip = insn_eip_;
  s.r[ESP] = insn_esp_;
  repeating_ = false;
  rep_iteration_ = 0;
  if (tracing_) ev_.vector = f.vector;
  deliver(f.vector, f.has_error, f.error, false, false);
}

u64 Cpu::run(u64 max_steps) {
  u64 n = 0;
  while (n < max_steps) {
    const StepResult r = step();
    ++n;
    if (r == StepResult::kShutdown) break;
    if (r == StepResult::kHalted && !(s.eflags & fl::IF)) break;
  }
  return n;
}

std::string Cpu::dump_registers() const {
  static const char* const kNames[] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
  static const char* const kSeg[] = {"ES", "CS", "SS", "DS", "FS", "GS"};
  std::string out;
  for (unsigned i = 0; i < 8; ++i) out += fmt::format("{}={:08x}{}", kNames[i], s.r[i], i % 4 == 3 ? "\n" : " ");
  out += fmt::format("EIP={:08x} EFLAGS={:08x} CPL={} {}\n", s.eip, s.eflags, s.cpl,
                     s.v86() ? "v86" : (s.protected_mode() ? "protected" : "real"));
  for (unsigned i = 0; i < 6; ++i)
    out += fmt::format("{}={:04x} base={:08x} limit={:08x} access={:02x}{}\n", kSeg[i], s.seg[i].selector,
                       s.seg[i].base, s.seg[i].limit, s.seg[i].access, s.seg[i].big ? " D" : "");
  out += fmt::format("CR0={:08x} CR2={:08x} CR3={:08x} CR4={:08x}\n", s.cr0, s.cr2, s.cr3, s.cr4);
  out += fmt::format("GDTR={:08x}/{:04x} IDTR={:08x}/{:04x} LDTR={:04x} TR={:04x}\n", s.gdtr.base, s.gdtr.limit,
                     s.idtr.base, s.idtr.limit, s.ldtr.selector, s.tr.selector);
  return out;
}

}  // namespace l4sim
