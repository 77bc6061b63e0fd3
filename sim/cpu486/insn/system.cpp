// System instructions: group 6 (0F 00: SLDT STR LLDT LTR VERR VERW), group 7
// (0F 01: SGDT SIDT LGDT LIDT SMSW LMSW INVLPG), LAR, LSL, CLTS, INVD, WBINVD,
// MOV to/from control and debug registers, ARPL, and the Pentium's CPUID,
// RDTSC, RDMSR and WRMSR. Intel SDM vol. 2 instruction pages; vol. 3 §2.7
// (system instruction summary) and §5.9 (privileged instructions).
//
// 0F 0B (UD2) is not an i486/P5 instruction and stays unregistered (#UD, as any
// undefined opcode). The i486's MOV to/from test registers (0F 24/26, TR3-TR7)
// are not modelled and raise #UD.
#include "cpu486/flags.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

// ---------------------------------------------------------------------------
// Mode and privilege rules

// Privileged instructions need CPL 0: #GP(0) otherwise, and always in v86 mode
// (CPL 3). Real-address mode runs at CPL 0 (Intel SDM vol. 3 §5.9).
void require_cpl0(Cpu& c) {
  if (c.s.protected_mode() && (c.s.v86() || c.s.cpl != 0)) c.raise_gp(0);
}

// Instructions that exist only in protected mode (group 6, LAR, LSL, ARPL): #UD
// in real-address and virtual-8086 mode (Intel SDM vol. 2, their exception tables).
void require_protected(Cpu& c) {
  if (!c.s.protected_mode() || c.s.v86()) c.raise_ud();
}

// Stores a selector-sized result: memory operands are always 16 bits; a 32-bit
// register destination gets the value zero-extended. Intel documents the upper
// word as undefined on the i486 and Pentium (SLDT, STR); we clear it, as Bochs
// and QEMU do.
void store_selector(Cpu& c, const DecodedInsn& d, u16 v) {
  if (d.mem)
    c.write<u16>(d.seg, c.ea(d), v);
  else if (d.op32)
    c.set_reg<u32>(d.rm(), v);
  else
    c.set_reg<u16>(d.rm(), v);
}

// ---------------------------------------------------------------------------
// Group 6

void sldt(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  store_selector(c, d, c.s.ldtr.selector);
}

void str(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  store_selector(c, d, c.s.tr.selector);
}

void lldt(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  require_cpl0(c);
  const u16 selector = c.read_rm<u16>(d);
  const Selector sel{selector};
  if (sel.null()) {
    // A null selector marks the LDTR invalid; later LDT references raise #GP.
    c.s.ldtr.selector = selector;
    c.s.ldtr.usable = false;
    return;
  }
  // Intel SDM vol. 2 LLDT: the selector must name an LDT descriptor in the GDT.
  if (sel.ldt() || !c.descriptor_in_limits(selector)) c.raise_gp(sel_error(selector));
  const Descriptor desc = c.read_descriptor(selector);
  if (!desc.system() || desc.type() != sdt::kLdt) c.raise_gp(sel_error(selector));
  if (!desc.present()) c.raise(vec::NP, sel_error(selector));
  c.s.ldtr.load_from(selector, desc);
}

void ltr(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  require_cpl0(c);
  const u16 selector = c.read_rm<u16>(d);
  const Selector sel{selector};
  // Intel SDM vol. 2 LTR: null #GP(0); the selector must name an available TSS
  // in the GDT (#GP(selector)), present (#NP(selector)). LTR marks it busy.
  if (sel.null()) c.raise_gp(0);
  if (sel.ldt() || !c.descriptor_in_limits(selector)) c.raise_gp(sel_error(selector));
  Descriptor desc = c.read_descriptor(selector);
  if (!desc.system() || (desc.type() != sdt::kTss16Avail && desc.type() != sdt::kTss32Avail))
    c.raise_gp(sel_error(selector));
  if (!desc.present()) c.raise(vec::NP, sel_error(selector));
  desc.hi |= 2u << 8;  // busy
  c.write_descriptor_hi(selector, desc.hi);
  c.s.tr.load_from(selector, desc);
}

// The checks LAR, LSL, VERR and VERW share (Intel SDM vol. 2 pseudocode): the
// selector is not null and lies inside its table, and unless the descriptor is
// a conforming code segment its DPL is at least CPL and RPL. Presence is not
// checked. Returns false (ZF = 0) when a check fails; never faults on the
// selector itself (only on the descriptor-table read).
bool visible(Cpu& c, u16 selector, Descriptor& desc) {
  const Selector sel{selector};
  if (sel.null() || !c.descriptor_in_limits(selector)) return false;
  desc = c.read_descriptor(selector);
  if (!desc.conforming() && (c.s.cpl > desc.dpl() || sel.rpl() > desc.dpl())) return false;
  return true;
}

template <bool kWrite>
void verify(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  const u16 selector = c.read_rm<u16>(d);
  Descriptor desc;
  bool ok = visible(c, selector, desc) && !desc.system();
  // VERR: data segments and readable code; VERW: writable data only.
  if (ok) ok = kWrite ? desc.writable() : desc.readable();
  c.set_flag(fl::ZF, ok);
}

// ---------------------------------------------------------------------------
// LAR, LSL

// System descriptor types LAR accepts in 16/32-bit modes (Intel SDM vol. 2 LAR,
// "valid descriptor types"): TSSs, LDT, call gates, task gate; not interrupt or
// trap gates.
bool lar_type_ok(const Descriptor& d) {
  if (!d.system()) return true;
  switch (d.type()) {
    case sdt::kTss16Avail:
    case sdt::kLdt:
    case sdt::kTss16Busy:
    case sdt::kCallGate16:
    case sdt::kTaskGate:
    case sdt::kTss32Avail:
    case sdt::kTss32Busy:
    case sdt::kCallGate32: return true;
    default: return false;
  }
}

// LSL: only descriptors that have a limit (segments, TSSs, LDT).
bool lsl_type_ok(const Descriptor& d) {
  if (!d.system()) return true;
  switch (d.type()) {
    case sdt::kTss16Avail:
    case sdt::kLdt:
    case sdt::kTss16Busy:
    case sdt::kTss32Avail:
    case sdt::kTss32Busy: return true;
    default: return false;
  }
}

template <class T>
void lar(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  const u16 selector = c.read_rm<u16>(d);
  Descriptor desc;
  if (!visible(c, selector, desc) || !lar_type_ok(desc)) {
    c.set_flag(fl::ZF, false);
    return;
  }
  // 32-bit: the second descriptor dword masked with 00FxFF00h; Intel leaves the
  // x nibble (limit 19:16) undefined: we keep it, as Bochs does. 16-bit: FF00h.
  c.set_reg<T>(d.reg(), static_cast<T>(desc.hi & (sizeof(T) == 4 ? 0x00FFFF00u : 0xFF00u)));
  c.set_flag(fl::ZF, true);
}

template <class T>
void lsl(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  const u16 selector = c.read_rm<u16>(d);
  Descriptor desc;
  if (!visible(c, selector, desc) || !lsl_type_ok(desc)) {
    c.set_flag(fl::ZF, false);
    return;
  }
  // The byte-granular limit (G applied); a 16-bit destination gets its low word.
  c.set_reg<T>(d.reg(), static_cast<T>(desc.limit()));
  c.set_flag(fl::ZF, true);
}

// ---------------------------------------------------------------------------
// Group 7

// SGDT/SIDT: 16-bit limit then 32-bit base. With a 16-bit operand size the
// i486 and Pentium store 24 bits of base and a zero fourth byte (Intel SDM
// vol. 2 SGDT, "IA-32 architecture compatibility"). Not privileged.
void store_table(Cpu& c, const DecodedInsn& d, const TableReg& tr) {
  const u32 off = c.ea(d);
  const u32 lin = c.seg_check(d.seg, off, 6, true);
  c.probe_write(lin, 6);
  c.write<u16>(d.seg, off, static_cast<u16>(tr.limit));
  c.write<u32>(d.seg, off + 2, d.op32 ? tr.base : (tr.base & 0x00FFFFFFu));
}
void sgdt(Cpu& c, const DecodedInsn& d) { store_table(c, d, c.s.gdtr); }
void sidt(Cpu& c, const DecodedInsn& d) { store_table(c, d, c.s.idtr); }

// LGDT/LIDT: privileged; a 16-bit operand size loads only 24 bits of base
// (Intel SDM vol. 2 LGDT/LIDT).
TableReg load_table(Cpu& c, const DecodedInsn& d) {
  require_cpl0(c);
  const u32 off = c.ea(d);
  const u16 limit = c.read<u16>(d.seg, off);
  const u32 base = c.read<u32>(d.seg, off + 2);
  return TableReg{d.op32 ? base : (base & 0x00FFFFFFu), limit};
}
void lgdt(Cpu& c, const DecodedInsn& d) { c.s.gdtr = load_table(c, d); }
void lidt(Cpu& c, const DecodedInsn& d) { c.s.idtr = load_table(c, d); }

// SMSW: the machine status word (CR0 bits 15:0). A memory destination is 16
// bits; for a 32-bit register Intel leaves the upper word undefined on the
// i486 and Pentium: we store all of CR0 there, as those processors (and Bochs
// and QEMU) do. Not privileged.
void smsw(Cpu& c, const DecodedInsn& d) {
  if (d.mem)
    c.write<u16>(d.seg, c.ea(d), static_cast<u16>(c.s.cr0));
  else if (d.op32)
    c.set_reg<u32>(d.rm(), c.s.cr0);
  else
    c.set_reg<u16>(d.rm(), static_cast<u16>(c.s.cr0));
}

// LMSW: loads PE, MP, EM and TS from the operand; it can set PE but never clear
// it (Intel SDM vol. 2 LMSW).
void lmsw(Cpu& c, const DecodedInsn& d) {
  require_cpl0(c);
  const u32 v = c.read_rm<u16>(d);
  const u32 low = cr0::PE | cr0::MP | cr0::EM | cr0::TS;
  c.write_cr0((c.s.cr0 & ~(cr0::MP | cr0::EM | cr0::TS)) | (v & low));
}

// INVLPG m: drops the TLB entry of the page holding the operand's linear
// address. It is privileged, reads no memory and applies no segment-limit
// check (the address is only used as a TLB tag; Bochs does the same).
void invlpg(Cpu& c, const DecodedInsn& d) {
  require_cpl0(c);
  const u32 lin = c.s.seg[d.seg].base + c.ea(d);
  const u32 vpn = lin >> 12;
  c.flush_tlb_page(vpn);
  // On the Pentium a 4 MB page is one translation and INVLPG anywhere in it
  // drops all of it (Intel SDM vol. 3 §3.7.6 / INVLPG). The modelled TLB holds
  // large pages as 4 KB pieces, so drop every cached piece of the 4 MB region
  // when the page directory maps it with PS. The PDE is looked at on the host
  // side only (no architectural access, nothing recorded).
  if (!c.pentium() || !(c.s.cr4 & cr4::PSE) || !c.s.paging()) return;
  const u32 pde = c.bus().read<u32>(PhysAddr((c.s.cr3 & ~kPageMask) | ((lin >> 20) & 0xFFC)));
  if (!(pde & 1) || !(pde & 0x80)) return;
  const u32 tag = c.config().tlb.tagged ? c.s.cr3 >> 12 : 0;
  const u32 first = vpn & ~0x3FFu;
  for (u32 v = first; v < first + 1024; ++v) {
    for (Tlb* tlb : {&c.tlb(), &c.itlb()}) {
      const TlbEntry* e = v == vpn ? nullptr : tlb->peek(v, tag);
      if (e && e->large) c.flush_tlb_page(v);
    }
  }
}

// ---------------------------------------------------------------------------
// CLTS, INVD, WBINVD

void clts(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  c.s.cr0 &= ~cr0::TS;
}

// Memory is always coherent in the simulator and the caches hold tags only, so
// the cache flushes have no architectural effect; they stay privileged.
void invd(Cpu& c, const DecodedInsn&) { require_cpl0(c); }

// ---------------------------------------------------------------------------
// MOV to/from CR0, CR2, CR3 (CR4 on the Pentium) and DR0-DR7.
// The ModRM mod field is ignored: the operand is always the 32-bit register
// named by r/m, whatever the operand size (Intel SDM vol. 2 MOV—Move to/from
// Control Registers).

bool cr_exists(const Cpu& c, unsigned n) { return n == 0 || n == 2 || n == 3 || (n == 4 && c.pentium()); }

void mov_r_cr(Cpu& c, const DecodedInsn& d) {
  const unsigned n = d.reg();
  if (!cr_exists(c, n)) c.raise_ud();
  require_cpl0(c);
  const u32 v = n == 0 ? c.s.cr0 : n == 2 ? c.s.cr2 : n == 3 ? c.s.cr3 : c.s.cr4;
  c.set_reg<u32>(d.rm(), v);
}

void mov_cr_r(Cpu& c, const DecodedInsn& d) {
  const unsigned n = d.reg();
  if (!cr_exists(c, n)) c.raise_ud();
  require_cpl0(c);
  const u32 v = c.reg<u32>(d.rm());
  switch (n) {
    case 0: c.write_cr0(v); break;
    case 2: c.s.cr2 = v; break;
    case 3: c.write_cr3(v); break;
    default: c.write_cr4(v); break;
  }
}

// Debug register number after the DR4/DR5 aliasing: on the i486, and on the
// Pentium with CR4.DE = 0, DR4 and DR5 are DR6 and DR7; with CR4.DE = 1 they
// raise #UD (Intel SDM vol. 3 §17.2.2). DR7.GD makes any DR access raise #DB
// with DR6.BD set, and the processor clears GD so the handler can use the
// registers (§17.2.4, §17.3.1.2).
unsigned debug_reg(Cpu& c, unsigned n) {
  if (n == 4 || n == 5) {
    if (c.s.cr4 & cr4::DE) c.raise_ud();
    n += 2;
  }
  require_cpl0(c);
  if (c.s.dr[7] & (1u << 13)) {
    c.s.dr[6] |= 1u << 13;  // BD
    c.s.dr[7] &= ~(1u << 13);
    c.raise(vec::DB);
  }
  return n;
}

void mov_r_dr(Cpu& c, const DecodedInsn& d) {
  const unsigned n = debug_reg(c, d.reg());
  c.set_reg<u32>(d.rm(), c.s.dr[n]);
}

void mov_dr_r(Cpu& c, const DecodedInsn& d) {
  const unsigned n = debug_reg(c, d.reg());
  u32 v = c.reg<u32>(d.rm());
  // Reserved bits read back fixed: DR6 bits 4-11 and 16-31 are ones and bit 12
  // zero; DR7 bit 10 is one and bits 11, 12, 14, 15 zero.
  if (n == 6) v = (v & 0x0000E00Fu) | 0xFFFF0FF0u;
  if (n == 7) v = (v & ~0x0000D800u) | 0x400u;
  c.s.dr[n] = v;
}

// ---------------------------------------------------------------------------
// ARPL Ew, Gw: raises the RPL of the destination selector to the source's.

void arpl(Cpu& c, const DecodedInsn& d) {
  require_protected(c);
  Cpu::RmwRef ref;
  const u16 dest = c.rmw_read<u16>(d, ref);
  const u16 src = c.reg<u16>(d.reg());
  if ((dest & 3) < (src & 3)) {
    c.rmw_write<u16>(ref, static_cast<u16>((dest & ~3u) | (src & 3)));
    c.set_flag(fl::ZF, true);
  } else {
    c.set_flag(fl::ZF, false);
  }
}

// ---------------------------------------------------------------------------
// Pentium: CPUID, RDTSC, RDMSR, WRMSR

// CPUID of a P54C (Intel AP-485): leaf 0 is the maximum leaf (1) and the
// vendor string; leaf 1 the signature, family 5 model 2 stepping 5, and the
// feature flags FPU VME DE PSE TSC MSR MCE CX8. Leaves above the maximum return
// the highest basic leaf, as Intel documents for its processors.
void cpuid(Cpu& c, const DecodedInsn&) {
  auto& r = c.s.r;
  if (r[EAX] == 0) {
    r[EAX] = 1;
    r[EBX] = 0x756E6547;  // "Genu"
    r[EDX] = 0x49656E69;  // "ineI"
    r[ECX] = 0x6C65746E;  // "ntel"
    return;
  }
  constexpr u32 kFpu = 1u << 0, kVme = 1u << 1, kDe = 1u << 2, kPse = 1u << 3, kTsc = 1u << 4, kMsr = 1u << 5,
                kMce = 1u << 7, kCx8 = 1u << 8;
  r[EAX] = (5u << 8) | (2u << 4) | 5u;
  r[EBX] = 0;
  r[ECX] = 0;
  r[EDX] = kFpu | kVme | kDe | kPse | kTsc | kMsr | kMce | kCx8;
}

// RDTSC: privileged only when CR4.TSD is set (Intel SDM vol. 2 RDTSC).
void rdtsc(Cpu& c, const DecodedInsn&) {
  if ((c.s.cr4 & cr4::TSD) && c.s.protected_mode() && (c.s.v86() || c.s.cpl != 0)) c.raise_gp(0);
  c.s.r[EAX] = static_cast<u32>(c.s.tsc);
  c.s.r[EDX] = static_cast<u32>(c.s.tsc >> 32);
}

// Model-specific registers of the P5 (Intel SDM vol. 3 appendix "MSRs in the
// Pentium processor"): 0 P5_MC_ADDR and 1 P5_MC_TYPE (machine check, read as
// zero: no machine check ever happens here), 10h TSC, and 11h-13h CESR, CTR0,
// CTR1 (performance monitoring, not modelled: read zero, writes ignored).
// Anything else raises #GP(0).
namespace msr {
constexpr u32 kMcAddr = 0x0, kMcType = 0x1, kTsc = 0x10, kCesr = 0x11, kCtr0 = 0x12, kCtr1 = 0x13;
}

void rdmsr(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  u64 v = 0;
  switch (c.s.r[ECX]) {
    case msr::kTsc: v = c.s.tsc; break;
    case msr::kMcAddr:
    case msr::kMcType:
    case msr::kCesr:
    case msr::kCtr0:
    case msr::kCtr1: v = 0; break;
    default: c.raise_gp(0);
  }
  c.s.r[EAX] = static_cast<u32>(v);
  c.s.r[EDX] = static_cast<u32>(v >> 32);
}

void wrmsr(Cpu& c, const DecodedInsn&) {
  require_cpl0(c);
  const u64 v = (static_cast<u64>(c.s.r[EDX]) << 32) | c.s.r[EAX];
  switch (c.s.r[ECX]) {
    case msr::kTsc: c.s.tsc = v; break;
    case msr::kMcAddr:
    case msr::kMcType:
    case msr::kCesr:
    case msr::kCtr0:
    case msr::kCtr1: break;
    default: c.raise_gp(0);
  }
}

}  // namespace

void register_system(OpTable& t) {
  // Group 6.
  t.set_group(0x100, 0, "sldt", "Ew", sldt);
  t.set_group(0x100, 1, "str", "Ew", str);
  t.set_group(0x100, 2, "lldt", "Ew", lldt, kOpPriv);
  t.set_group(0x100, 3, "ltr", "Ew", ltr, kOpPriv);
  t.set_group(0x100, 4, "verr", "Ew", verify<false>);
  t.set_group(0x100, 5, "verw", "Ew", verify<true>);
  // Group 7 (/5 is undefined on the i486 and Pentium).
  t.set_group(0x101, 0, "sgdt", "Ms", sgdt, kOpMemOnly);
  t.set_group(0x101, 1, "sidt", "Ms", sidt, kOpMemOnly);
  t.set_group(0x101, 2, "lgdt", "Ms", lgdt, kOpMemOnly | kOpPriv);
  t.set_group(0x101, 3, "lidt", "Ms", lidt, kOpMemOnly | kOpPriv);
  t.set_group(0x101, 4, "smsw", "Ew", smsw);
  t.set_group(0x101, 6, "lmsw", "Ew", lmsw, kOpPriv);
  t.set_group(0x101, 7, "invlpg", "Mb", invlpg, kOpMemOnly | kOpPriv);
  t.set(0x102, "lar", "Gv,Ew", lar<u16>, lar<u32>);
  t.set(0x103, "lsl", "Gv,Ew", lsl<u16>, lsl<u32>);
  t.set(0x106, "clts", "", clts, kOpPriv);
  t.set(0x108, "invd", "", invd, kOpPriv);
  t.set(0x109, "wbinvd", "", invd, kOpPriv);
  t.set(0x120, "mov", "Rd,Cd", mov_r_cr, kOpPriv);
  t.set(0x121, "mov", "Rd,Dd", mov_r_dr, kOpPriv);
  t.set(0x122, "mov", "Cd,Rd", mov_cr_r, kOpPriv);
  t.set(0x123, "mov", "Dd,Rd", mov_dr_r, kOpPriv);
  t.set(0x63, "arpl", "Ew,Gw", arpl);
  t.set(0x1A2, "cpuid", "", cpuid, kOpPentium);
  t.set(0x131, "rdtsc", "", rdtsc, kOpPentium);
  t.set(0x130, "wrmsr", "", wrmsr, kOpPentium | kOpPriv);
  t.set(0x132, "rdmsr", "", rdmsr, kOpPentium | kOpPriv);
}

}  // namespace l4sim
