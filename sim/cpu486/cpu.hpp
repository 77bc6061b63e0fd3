// The functional i486/Pentium CPU. It changes architectural state and never
// decides a cycle count: after every step it hands an InsnEvent to the attached
// observer (a timing model, a tracer), as DESIGN.md §1 describes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/types.hpp"
#include "cpu486/decode_cache.hpp"
#include "cpu486/decoded.hpp"
#include "cpu486/event.hpp"
#include "cpu486/fault.hpp"
#include "cpu486/state.hpp"
#include "mmu/bus.hpp"
#include "tlb/tlb.hpp"

namespace l4sim {

enum class CpuModel : u8 {
  kI486DX,   // Intel486 DX (no CPUID on the original DX-50 steppings)
  kPentium,  // Pentium P54C: CPUID, RDTSC, MSRs, CMPXCHG8B, CR4, 4 MB pages
};

struct CpuConfig {
  CpuModel model = CpuModel::kI486DX;
  // The TLB: unified on the i486 (32 entries, 4-way). With split_tlb, `tlb` is
  // the data TLB and an instruction TLB of itlb_entries/itlb_ways translates
  // fetches (the Pentium: 64-entry and 32-entry, both 4-way; Pentium Processor
  // Family Developer's Manual vol. 1 §2.2). Replacement and tagging are shared.
  TlbGeometry tlb{};
  bool split_tlb = false;
  u32 itlb_entries = 32, itlb_ways = 4;
  TlbGeometry itlb_geometry() const {
    TlbGeometry g = tlb;
    g.entries = itlb_entries;
    g.ways = itlb_ways;
    return g;
  }
};

// The interrupt controller as the CPU sees it: the INTR line and the INTA cycle.
class InterruptSource {
 public:
  virtual ~InterruptSource() = default;
  virtual bool intr_pending() const = 0;
  virtual u8 intr_acknowledge() = 0;  // returns the vector
  // A source whose INTR line is a plain flag exposes it here, so that the CPU
  // samples it at every instruction boundary without a call (intr_pending()
  // must return exactly *intr_line()).
  virtual const bool* intr_line() const { return nullptr; }
};

enum class StepResult : u8 {
  kOk,        // an instruction (or REP iteration, or interrupt delivery) ran
  kHalted,    // the CPU is in HLT waiting for an interrupt
  kShutdown,  // triple fault: the CPU stopped
};

// Describes a stop the simulator cannot model (x87 arithmetic before its issue,
// for instance). Thrown out of step(); the run ends with a clear message.
class CpuUnsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Cpu : private CodeWriteListener {
 public:
  Cpu(Bus& bus, const CpuConfig& cfg = {});
  ~Cpu() override;
  Cpu(const Cpu&) = delete;
  Cpu& operator=(const Cpu&) = delete;

  // Power-on/RESET state (Intel SDM vol. 3 §9.1.1): real mode, CS:IP = F000:FFF0
  // with CS base FFFF0000.
  void reset();
  // One step: an instruction (or one REP iteration), an interrupt delivery, or
  // a cycle in HLT. With an observer attached, the step's event goes to it.
  StepResult step();
  // Runs up to max_steps steps; stops early on shutdown or when halted with
  // interrupts disabled. Returns the number of steps taken.
  u64 run(u64 max_steps);

  // The step for a run loop that dispatches the events itself (the machine):
  // fills the event when Trace (see set_tracing) and calls no observer.
  // Defined in cpu_step.hpp, so that the run loop inlines it.
  template <bool Trace>
  StepResult step_inline();
  // The event of the last step (Trace only).
  const InsnEvent& last_event() const { return ev_; }
  // Records events (memory accesses, branches, ...) without an observer: the
  // run loop reads them with last_event().
  void set_tracing(bool on) { tracing_ = on || obs_ != nullptr; }
  // Whether the next step will execute an instruction (not deliver an
  // interrupt, sit in HLT or stay shut down).
  bool next_step_executes() const {
    return !s.shutdown && !s.halted && (inhibit_ || !(s.eflags & fl::IF) || !intr_pending());
  }
  u32 rep_iteration() const { return rep_iteration_; }
  // INT n instructions (INT3, INTO, INT n) delivered without a fault, by vector.
  u64 software_interrupts(u8 vector) const { return soft_ints_[vector]; }

  CpuState& state() { return s; }
  const CpuState& state() const { return s; }
  const CpuConfig& config() const { return cfg_; }
  bool pentium() const { return cfg_.model == CpuModel::kPentium; }
  Tlb& tlb() { return tlb_; }  // the data TLB when split, else the only one
  Tlb& itlb() { return cfg_.split_tlb ? itlb_ : tlb_; }
  bool split_tlb() const { return cfg_.split_tlb; }
  u32 tlb_valid_entries() const { return tlb_.valid_entries() + (cfg_.split_tlb ? itlb_.valid_entries() : 0); }
  // Drops every cached translation of the page from every TLB (INVLPG, faults).
  void flush_tlb_page(u32 vpn) {
    tlb_.flush_page(vpn);
    if (cfg_.split_tlb) itlb_.flush_page(vpn);
  }
  Bus& bus() { return bus_; }
  u64 retired() const { return retired_; }

  // The timing model's annotator: fills each decoded instruction's timing
  // figures once (null: none). Changing it drops the decoded instructions.
  void set_annotator(const InsnAnnotator* a) {
    annotator_ = a;
    invalidate_decode_cache();
  }
  void set_interrupt_source(InterruptSource* src) {
    intr_ = src;
    intr_line_ = src ? src->intr_line() : nullptr;
  }
  void set_observer(InsnObserver* o) {
    obs_ = o;
    tracing_ = o != nullptr;
  }
  // Why the CPU shut down (triple fault), for the register dump.
  const std::string& shutdown_reason() const { return shutdown_reason_; }
  std::string dump_registers() const;

  // ---- Architectural helpers used by instruction handlers ----------------

  CpuState s;  // public: handlers and tests read and write it directly

  // Register access by ModRM number; byte registers use the AL..BH encoding.
  template <class T>
  T reg(unsigned n) const {
    if constexpr (sizeof(T) == 1)
      return reinterpret_cast<const u8*>(&s.r[n & 3])[n >> 2];
    else
      return static_cast<T>(s.r[n]);
  }
  template <class T>
  void set_reg(unsigned n, T v) {
    if constexpr (sizeof(T) == 1)
      reinterpret_cast<u8*>(&s.r[n & 3])[n >> 2] = v;
    else if constexpr (sizeof(T) == 2)
      s.r[n] = (s.r[n] & 0xFFFF0000u) | v;
    else
      s.r[n] = v;
  }

  // Effective address (offset in the segment) of the ModRM memory operand.
  u32 ea(const DecodedInsn& d) const {
    const u32 a = d.disp + s.r[d.base] + (s.r[d.index] << d.scale);
    return d.addr32 ? a : (a & 0xFFFF);
  }

  // Flags.
  bool flag(u32 f) const { return (s.eflags & f) != 0; }
  void set_flag(u32 f, bool on) { s.eflags = on ? (s.eflags | f) : (s.eflags & ~f); }

  // Faults: never return.
  [[noreturn]] void raise(u8 vector) { throw CpuFault{vector, false, 0}; }
  [[noreturn]] void raise(u8 vector, u32 error) { throw CpuFault{vector, true, error}; }
  [[noreturn]] void raise_ud() { raise(vec::UD); }
  [[noreturn]] void raise_gp(u32 error = 0) { raise(vec::GP, error); }

  // ---- Memory -----------------------------------------------------------

  // Segment check (limit, rights, usability) for seg:off, size bytes; returns
  // the linear address. #SS for SS-relative accesses, #GP otherwise.
  u32 seg_check(unsigned sr, u32 off, unsigned size, bool write) {
    const SegCache& sc = s.seg[sr];
    if (!sc.usable || !(write ? sc.writable : sc.readable) || off < sc.off_lo ||
        static_cast<u64>(off) + size - 1 > sc.off_hi)
      seg_violation(sr);
    return sc.base + off;
  }

  // Linear to physical through the modelled TLB and the page tables. `user`
  // selects the U/S check (CPL 3 data access, not implicit supervisor accesses).
  PhysAddr translate(u32 lin, AccessKind kind, bool user) {
    if (!s.paging()) return PhysAddr(lin);
    const bool write = kind == AccessKind::kWrite || kind == AccessKind::kSystemWrite;
    TlbEntry* e = tlb_for(kind).lookup(lin >> 12, tlb_tag_);
    if (e && (!write || e->dirty) && (!user || e->user) && (!write || e->writable || (!user && !(s.cr0 & cr0::WP))))
      return PhysAddr((e->ppn << 12) | (lin & kPageMask));
    return translate_slow(lin, kind, user, e);
  }

  bool user_access() const { return s.cpl == 3; }

  template <class T>
  T read_lin(u32 lin, AccessKind kind = AccessKind::kRead) {
    const bool user = kind == AccessKind::kRead ? user_access() : false;
    if ((lin & kPageMask) > kPageSize - sizeof(T)) return read_split<T>(lin, kind, user);
    if (sizeof(T) > 1 && (lin & (sizeof(T) - 1)) && user) check_alignment(lin);
    const PhysAddr p = translate(lin, kind, user);
    if (tracing_) record(lin, p, sizeof(T), kind);
    return bus_.read<T>(p);
  }

  template <class T>
  void write_lin(u32 lin, T v, AccessKind kind = AccessKind::kWrite) {
    const bool user = kind == AccessKind::kWrite ? user_access() : false;
    if ((lin & kPageMask) > kPageSize - sizeof(T)) return write_split<T>(lin, v, kind, user);
    if (sizeof(T) > 1 && (lin & (sizeof(T) - 1)) && user) check_alignment(lin);
    const PhysAddr p = translate(lin, kind, user);
    if (tracing_) record(lin, p, sizeof(T), kind);
    bus_.write<T>(p, v);
  }

  template <class T>
  T read(unsigned sr, u32 off) {
    return read_lin<T>(seg_check(sr, off, sizeof(T), false));
  }
  template <class T>
  void write(unsigned sr, u32 off, T v) {
    write_lin<T>(seg_check(sr, off, sizeof(T), true), v);
  }

  // Implicit supervisor-mode accesses by the processor (descriptor tables, TSS,
  // IDT): no U/S check whatever the CPL.
  template <class T>
  T read_sys(u32 lin) {
    return read_lin<T>(lin, AccessKind::kSystem);
  }
  template <class T>
  void write_sys(u32 lin, T v) {
    write_lin<T>(lin, v, AccessKind::kSystemWrite);
  }

  // ModRM operand access.
  template <class T>
  T read_rm(const DecodedInsn& d) {
    return d.mem ? read<T>(d.seg, ea(d)) : reg<T>(d.rm());
  }
  template <class T>
  void write_rm(const DecodedInsn& d, T v) {
    if (d.mem)
      write<T>(d.seg, ea(d), v);
    else
      set_reg<T>(d.rm(), v);
  }

  // Read-modify-write of the ModRM operand: the destination is checked for
  // writing before it is read (so a read-only page faults with W set in the
  // error code, as the chip reports), and written back at the same place.
  struct RmwRef {
    bool mem;
    u8 reg;
    u32 lin;
  };
  template <class T>
  T rmw_read(const DecodedInsn& d, RmwRef& ref) {
    if (!d.mem) {
      ref = RmwRef{false, d.rm(), 0};
      return reg<T>(d.rm());
    }
    ref = RmwRef{true, 0, seg_check(d.seg, ea(d), sizeof(T), true)};
    probe_write(ref.lin, sizeof(T));
    return read_lin<T>(ref.lin);
  }
  template <class T>
  void rmw_write(const RmwRef& ref, T v) {
    if (ref.mem)
      write_lin<T>(ref.lin, v);
    else
      set_reg<T>(ref.reg, v);
  }

  // Checks that a write of size bytes at lin would succeed (paging), without writing.
  void probe_write(u32 lin, unsigned size) {
    translate(lin, AccessKind::kWrite, user_access());
    if (((lin & kPageMask) + size - 1) > kPageMask) translate(lin + size - 1, AccessKind::kWrite, user_access());
  }
  void probe_read(u32 lin, unsigned size) {
    translate(lin, AccessKind::kRead, user_access());
    if (((lin & kPageMask) + size - 1) > kPageMask) translate(lin + size - 1, AccessKind::kRead, user_access());
  }

  // ---- Stack --------------------------------------------------------------

  bool stack32() const { return s.seg[SS].big; }
  u32 sp() const { return stack32() ? s.r[ESP] : (s.r[ESP] & 0xFFFF); }
  void set_sp(u32 v) {
    if (stack32())
      s.r[ESP] = v;
    else
      s.r[ESP] = (s.r[ESP] & 0xFFFF0000u) | (v & 0xFFFF);
  }
  template <class T>
  void push(T v) {
    const u32 nsp = stack32() ? s.r[ESP] - sizeof(T) : ((s.r[ESP] - sizeof(T)) & 0xFFFF);
    write<T>(SS, nsp, v);
    set_sp(nsp);
  }
  template <class T>
  T pop() {
    const T v = read<T>(SS, sp());
    set_sp(sp() + sizeof(T));
    return v;
  }
  // Stack access relative to the current SP without moving it (multi-push sequences
  // that must check everything before committing).
  template <class T>
  T read_stack(u32 offset_from_sp) {
    return read<T>(SS, stack32() ? sp() + offset_from_sp : ((sp() + offset_from_sp) & 0xFFFF));
  }

  // ---- Control flow -------------------------------------------------------

  // Near jump inside CS to an offset (already truncated to the operand size).
  void jump_near(u32 target) {
    if (target > s.seg[CS].limit) raise_gp(0);
    s.eip = target;
    record_branch(target);
  }
  // Notes a taken control transfer in the event record (near and far).
  void record_branch(u32 target) {
    if (tracing_) {
      ev_.branch_taken = true;
      ev_.branch_target = target;
    }
  }
  u32 insn_eip() const { return insn_eip_; }  // address of the instruction being executed

  // Marks a REP string instruction as not finished: it will run again from the
  // same address after this step (interrupts may be taken in between).
  void repeat_instruction() {
    s.eip = insn_eip_;
    repeating_ = true;
  }

  // ---- System-architecture services (segments.cpp, interrupts.cpp, ...) ----

  // MOV/POP Sreg, LDS..LSS: loads a data or stack segment register with every
  // protected-mode check (Intel SDM vol. 3 §5.5-§5.7).
  void load_segment(unsigned sr, u16 selector);
  // Far JMP/CALL/RET/IRET helpers (far_transfer.cpp).
  void far_jump(u16 selector, u32 offset, bool op32);
  void far_call(u16 selector, u32 offset, bool op32);
  void far_return(bool op32, u16 pop_bytes);
  void iret(bool op32);
  // Software interrupt (INT n, INT3, INTO): delivers now, checking the gate DPL.
  void software_interrupt(u8 vector);
  void set_cpl(u8 cpl) { s.cpl = cpl; }
  // Loads CS from a descriptor (after checks) and sets CPL.
  void load_cs(u16 selector, const Descriptor& d, u8 cpl);
  // Loads SS from a descriptor (after checks).
  void load_ss(u16 selector, const Descriptor& d);
  // Reads a descriptor from the GDT/LDT; raises `vec` with the selector error
  // code if the selector is beyond the table limit.
  Descriptor read_descriptor(u16 selector, u8 fault_vec = vec::GP);
  bool descriptor_in_limits(u16 selector) const;
  void write_descriptor_hi(u16 selector, u32 hi);
  void set_accessed(u16 selector, Descriptor& d);
  void task_switch(u16 tss_selector, const Descriptor& d, int reason, u32 return_eip, bool has_error = false,
                   u32 error = 0);
  // Control registers with their side effects (TLB flush, mode change).
  void write_cr0(u32 v);
  void write_cr3(u32 v);
  void write_cr4(u32 v);
  // I/O permission: CPL <= IOPL, else the TSS bitmap (Intel SDM vol. 1 §16.5).
  void check_io(u16 port, unsigned size);
  // POPF/IRET flag update with the rules for CPL and IOPL.
  void write_eflags(u32 v, u32 mask);
  u32 eflags_writable_mask() const;
  // MOV SS / POP SS / STI inhibit interrupts for one instruction.
  void inhibit_interrupts() { inhibit_ = true; }
  void enter_halt() { s.halted = true; }
  void invalidate_decode_cache() {
    dcache_.clear();
    code_ppn_ = kNoCodePage;
  }

  InsnEvent& event() { return ev_; }
  // Adds a memory access to the event record (only call while tracing).
  void record(u32 lin, PhysAddr p, unsigned size, AccessKind kind) {
    ev_.add(MemAccess{lin, p.v, static_cast<u8>(size), kind, last_walked_});
    last_walked_ = false;
  }
  bool tracing() const { return tracing_; }

 private:
  [[noreturn]] void seg_violation(unsigned sr);
  PhysAddr translate_slow(u32 lin, AccessKind kind, bool user, TlbEntry* stale);
  void check_alignment(u32 lin);
  template <class T>
  T read_split(u32 lin, AccessKind kind, bool user);
  template <class T>
  void write_split(u32 lin, T v, AccessKind kind, bool user);

  const DecodedInsn& fetch_decode();
  const DecodedInsn& fetch_decode_slow(u32 lin, PhysAddr p);
  template <bool Trace>
  StepResult execute();
  template <bool Trace>
  StepResult step_special();
  bool intr_pending() const { return intr_line_ ? *intr_line_ : (intr_ && intr_->intr_pending()); }
  void deliver(u8 vector, bool has_error, u32 error, bool external, bool software);
  void deliver_real(u8 vector);
  void deliver_protected(u8 vector, bool has_error, u32 error, bool external, bool software);
  void handle_fault(const CpuFault& f);
  void on_code_write(PhysAddr addr, unsigned size) override;
  void finish_event();

  Tlb& tlb_for(AccessKind kind) { return cfg_.split_tlb && kind == AccessKind::kFetch ? itlb_ : tlb_; }
  void flush_tlbs() {
    tlb_.flush_all();
    if (cfg_.split_tlb) itlb_.flush_all();
  }

  Bus& bus_;
  CpuConfig cfg_;
  Tlb tlb_;
  Tlb itlb_;  // used only when cfg_.split_tlb (else a default one, never looked up)
  DecodeCache dcache_;
  InterruptSource* intr_ = nullptr;
  const InsnAnnotator* annotator_ = nullptr;
  const bool* intr_line_ = nullptr;  // intr_->intr_line(), when it has one
  // The decoded-instruction page of the last fetch: its physical page number
  // and its slots, so that a fetch from the same page needs no cache lookup.
  static constexpr u32 kNoCodePage = ~0u;
  u32 code_ppn_ = kNoCodePage;
  DecodeCache::Page* code_page_ = nullptr;
  std::array<u64, 256> soft_ints_{};
  InsnObserver* obs_ = nullptr;
  bool tracing_ = false;
  InsnEvent ev_;
  bool last_walked_ = false;  // the most recent translate() needed a page walk
  u32 tlb_tag_ = 0;           // address-space tag for a tagged-TLB what-if
  u32 insn_eip_ = 0;
  u32 insn_esp_ = 0;
  bool repeating_ = false;
  bool inhibit_ = false;
  u32 rep_iteration_ = 0;
  int fault_depth_ = 0;  // nesting of exception delivery, for double/triple faults
  u8 first_fault_ = 0;
  u64 retired_ = 0;
  std::string shutdown_reason_;
  DecodedInsn scratch_;  // decode target for instructions that cannot be cached
};

}  // namespace l4sim
