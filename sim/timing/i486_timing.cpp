#include "timing/i486_timing.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace l4sim {

namespace {

// Pipeline penalties (REFERENCE.md "Intel 486", with its sources):
constexpr u32 kAgi = 1;              // a base/index register written by the previous instruction
constexpr u32 kPartialReg = 1;       // reading a full register after writing its byte or word
constexpr u32 kIndexAddressing = 1;  // base + index or a scaled index in the address (Abrash)
constexpr u32 kDispAndImm = 1;       // displacement and immediate in one instruction
constexpr u32 kPrefix = 1;           // each prefix byte (secondary); REP on strings is in the formulas
constexpr u32 kMisaligned = 3;       // a data access crossing a 4-byte boundary (secondary)
constexpr u32 kSplitTarget = 3;      // a branch target instruction that spans a 16-byte line
constexpr u32 kWalkRead = 1;         // a page-table read that hits the cache: one cache access (choice)

// Interrupt and exception delivery (Intel486 PRM INT n; REFERENCE.md): real
// mode 30, protected mode to the same level 44, to an inner level 71, from
// virtual-8086 mode to level 0 82. Exceptions and hardware interrupts have no
// figure of their own; they cost what INT n costs (choice).
constexpr u32 kIntSame = 44;
constexpr u32 kIntFromV86 = 82;

// String instructions (Intel486 PRM; REFERENCE.md for REP MOVS), per
// iteration so the sums match the formulas for every count n:
//   MOVS 7, REP MOVS 5 (n=0), 13 (n=1), 12+3n: iterations 13, 5, then 3
//   STOS/LODS 5, REP 5 (n=0), 7+4n: 11, then 4
//   SCAS 6, REP 5 (n=0), 7+5n: 12, then 5
//   CMPS 8, REP 5 (n=0), 7+7n: 14, then 7
//   INS/OUTS 17 real, 10 protected (CPL <= IOPL), 32 otherwise;
//   REP INS 16+8n / 10+8n / 30+8n, REP OUTS 17+5n / 11+5n / 31+5n.
struct StringClocks {
  u16 single, rep_zero, first, second, rest;
};
constexpr StringClocks kStrings[5] = {
    {7, 5, 13, 5, 3},  // movs
    {5, 5, 11, 4, 4},  // stos
    {5, 5, 11, 4, 4},  // lods
    {6, 5, 12, 5, 5},  // scas
    {8, 5, 14, 7, 7},  // cmps
};

// IN/OUT (Intel486 PRM): real mode; protected CPL <= IOPL; protected CPL >
// IOPL (I/O permission bitmap consulted); virtual-8086.
struct IoClocks {
  u16 real, prot, checked, v86;
};
constexpr IoClocks kIo[4] = {
    {14, 9, 29, 27},   // IN AL/eAX,imm8
    {14, 8, 28, 27},   // IN AL/eAX,DX
    {16, 11, 31, 29},  // OUT imm8,AL/eAX
    {16, 10, 30, 29},  // OUT DX,AL/eAX
};

// DIV/IDIV (Intel486 PRM): 8, 16 and 32-bit; IDIV from memory one more.
u32 divide_clocks(u8 variant, bool op32, bool mem) {
  switch (variant) {
    case 0: return 16;
    case 1: return op32 ? 40 : 24;
    case 2: return mem ? 20 : 19;
    default: return op32 ? (mem ? 44 : 43) : (mem ? 28 : 27);
  }
}

// x87 control instructions the CPU implements (Intel486 PRM; protected mode is the faster
// figure: FLDENV 44/34, FNSTENV 67/56, FRSTOR 131/120, FNSAVE 154/143 real/protected).
u32 x87_clocks(const DecodedInsn& d, bool prot) {
  const u8 reg = d.reg();
  switch (d.opcode) {
    case 0xD9:
      if (reg == 5) return 4;               // FLDCW
      if (reg == 7) return 3;               // FNSTCW
      if (reg == 4) return prot ? 34 : 44;  // FLDENV
      if (reg == 6) return prot ? 56 : 67;  // FNSTENV
      return 3;
    case 0xDB:
      if (d.modrm == 0xE3) return 17;  // FNINIT
      if (d.modrm == 0xE2) return 7;   // FNCLEX
      return 3;
    case 0xDD:
      if (reg == 4) return prot ? 120 : 131;  // FRSTOR
      if (reg == 6) return prot ? 143 : 154;  // FNSAVE
      return 3;                               // FNSTSW m16
    default: return 3;                        // FNSTSW AX and the rest of the subset
  }
}

}  // namespace

void I486TimingConfig::validate() const {
  cache.validate();
  bus.validate();
  if (l2.present()) {
    l2.cache.validate("l2");
    if (l2.cache.line < cache.line)
      throw ConfigError(
          fmt::format("l2.line ({}) must be at least cache.line ({}): an on-chip line lies in one L2 line",
                      l2.cache.line, cache.line));
    if (l2.cache.size <= cache.size)
      throw ConfigError(fmt::format("l2.size ({}) must be larger than cache.size ({})", l2.cache.size, cache.size));
    if (l2.first < 1 || l2.next < 1) throw ConfigError("l2.latency and l2.next must be at least 1 bus clock");
  }
  if (write_buffers < 1 || write_buffers > 64) throw ConfigError("bus.write_buffers must be between 1 and 64");
  if (walk_fixed > 1000) throw ConfigError("tlb.walk_fixed must be at most 1000 cycles");
}

I486Timing::I486Timing(const I486TimingConfig& cfg)
    : cfg_((cfg.validate(), cfg)),
      clocks_(build_i486_clocks(op_table())),
      cache_(cfg.cache),
      icache_(cfg.unified_cache ? nullptr : std::make_unique<Cache>(cfg.cache)),
      l2_(cfg.l2.present() ? std::make_unique<Cache>(cfg.l2.cache) : nullptr),
      wb_(cfg.write_buffers, write_cycles(cfg.bus)),
      fill_cycles_(line_fill_cycles(cfg.bus, cfg.cache.line)),
      l2_fill_cycles_(burst_cycles(cfg.bus, cfg.cache.line, cfg.l2.first, cfg.l2.next)) {}

// The instruction's own clocks from the table, by class.
u32 I486Timing::base_clocks(const InsnTimingInfo& fc, const DecodedInsn& d, const InsnEvent& ev, CycleCauses& c) {
  const bool prot = ev.protected_mode && !ev.v86;
  const bool inner = ev.cpl_after < ev.cpl_before;
  const bool outer = ev.cpl_after > ev.cpl_before;
  switch (static_cast<ClockClass>(fc.cls)) {
    case ClockClass::kPlain: return d.mem ? fc.mem : fc.reg;
    case ClockClass::kModeDep: return prot ? fc.mem : fc.reg;
    case ClockClass::kBranch:
      // The not-taken clocks are the base; what a taken branch costs over it is a branch cost.
      if (ev.branch_taken) c.branch += fc.reg - fc.mem;
      return fc.mem;
    case ClockClass::kFarCall: return !prot ? fc.reg : inner ? i486::kCallInner : fc.mem;
    case ClockClass::kRetFar: return !prot ? fc.reg : outer ? i486::kRetOuter : fc.mem;
    case ClockClass::kInto:
      if (ev.vector < 0) return fc.reg;
      [[fallthrough]];
    case ClockClass::kInt:
      if (ev.v86) return kIntFromV86;
      if (!ev.protected_mode) return fc.cls == static_cast<u8>(ClockClass::kInto) ? 28 : fc.reg;
      return inner ? i486::kIntInner : kIntSame;
    case ClockClass::kIret: return !prot ? fc.reg : outer ? i486::kIretOuter : fc.mem;
    case ClockClass::kIn: {
      const IoClocks& io = kIo[fc.variant];
      if (ev.v86) return io.v86;
      if (!ev.protected_mode) return io.real;
      return ev.cpl_before <= ev.iopl ? io.prot : io.checked;
    }
    case ClockClass::kString: {
      if (fc.variant >= 5) {  // INS, OUTS
        const bool checked = prot && ev.cpl_before > ev.iopl;
        const u32 single = !prot ? 17 : checked ? 32 : 10;
        const u32 per = fc.variant == 5 ? 8 : 5;
        const u32 rep_base = fc.variant == 5 ? (!prot ? 16 : checked ? 30 : 10) : (!prot ? 17 : checked ? 31 : 11);
        if (!(fc.flags & kRepString)) return single;
        return ev.rep_iteration == 0 ? rep_base + per : per;
      }
      const StringClocks& s = kStrings[fc.variant];
      if (!(fc.flags & kRepString)) return s.single;
      bool data = false;
      for (u32 i = 0; i < ev.n_access; ++i)
        if (ev.access[i].kind == AccessKind::kRead || ev.access[i].kind == AccessKind::kWrite) data = true;
      if (!data) return s.rep_zero;  // ECX was 0
      return ev.rep_iteration == 0 ? s.first : ev.rep_iteration == 1 ? s.second : s.rest;
    }
    case ClockClass::kDivide: return divide_clocks(fc.variant, d.op32, d.mem);
    case ClockClass::kEnter: {
      const u32 level = d.imm2 & 31;  // Intel486 PRM: ENTER 14 (L=0), 17 (L=1), 17+3L
      return level == 0 ? 14 : level == 1 ? 17 : 17 + 3 * level;
    }
    case ClockClass::kMovCr: return d.reg() == 0 ? i486::kMovCr0 : i486::kMovCrOther;
    case ClockClass::kX87: return x87_clocks(d, prot);
    case ClockClass::kNotOn486: return 0;
  }
  return 1;
}

// What never changes about an instruction, from its form's row and the
// decoded operands: the base clocks, the decode-stage penalties, the registers
// that form its address, that it reads whole and that it writes.
void I486Timing::annotate(DecodedInsn& d) const {
  const FormClocks& fc = clocks_[d.info->id];
  InsnTimingInfo& t = d.timing;
  t = InsnTimingInfo{};
  t.reg = fc.reg;
  t.mem = fc.mem;
  t.cls = static_cast<u8>(fc.cls);
  t.variant = fc.variant;
  t.flags = kAnnotated;
  if (fc.flushes_cache) t.flags |= kFlushesCache;
  if (fc.unaligned_operand) t.flags |= kUnalignedOperand;
  const bool rep_string = (d.rep() || d.repne()) && fc.cls == ClockClass::kString;
  if (rep_string) t.flags |= kRepString;

  // Decode: each prefix (REP on a string instruction is in its formula), an
  // index register in the address, a displacement with an immediate.
  u32 decode = d.n_prefixes;
  if (rep_string && decode) --decode;
  decode *= kPrefix;
  if (d.mem) {
    if (d.index != kNoReg) decode += kIndexAddressing;
    const bool has_disp = d.addr32 ? (d.mod() == 1 || d.mod() == 2 ||
                                      (d.mod() == 0 && (d.rm() == 5 || (d.rm() == 4 && d.base == kNoReg))))
                                   : (d.mod() == 1 || d.mod() == 2 || (d.mod() == 0 && d.rm() == 6));
    if (has_disp && fc.has_imm) decode += kDispAndImm;
    t.addr_regs = static_cast<u8>((d.base < 8 ? 1u << d.base : 0u) | (d.index < 8 ? 1u << d.index : 0u));
  }
  t.decode = static_cast<u8>(decode);
  // Full-size register operands (a read after a partial write stalls).
  if (d.op32 && fc.dest_size == 0 && d.has_modrm)
    t.full_regs = static_cast<u8>((1u << d.reg()) | (!d.mem ? 1u << d.rm() : 0u));

  // What this instruction writes, for the next one.
  u8 written = 0, partial = 0;
  const bool small = fc.dest_size == 1 || fc.dest_size == 2 || !d.op32;
  auto reg_bit = [&](u8 r) {
    if (fc.dest_size == 1) r &= 3;  // AL..BL and AH..BH live in EAX..EBX
    written |= static_cast<u8>(1u << r);
    if (small) partial |= static_cast<u8>(1u << r);
  };
  switch (fc.dest) {
    case DestKind::kG: reg_bit(d.reg()); break;
    case DestKind::kE:
      if (!d.mem) reg_bit(d.rm());
      break;
    case DestKind::kZ: reg_bit(static_cast<u8>(d.opcode & 7)); break;
    case DestKind::kAcc: reg_bit(0); break;
    case DestKind::kAccDx:
      reg_bit(0);
      reg_bit(2);
      break;
    case DestKind::kNone: break;
  }
  t.writes = written;
  t.partial = partial;
}

// Pipeline penalties that depend on the instruction and its predecessor.
void I486Timing::pipeline(const InsnTimingInfo& t, const InsnEvent& ev, CycleCauses& c) {
  c.decode += t.decode;
  if (t.addr_regs & prev_written_) c.agi += kAgi;
  if (t.addr_regs & prev_partial_) c.partial_reg += kPartialReg;
  if (t.full_regs & prev_partial_) c.partial_reg += kPartialReg;
  // A branch target that spans a cache line costs a second fetch.
  if (prev_taken_ && ev.n_access && ev.access[0].kind == AccessKind::kFetch &&
      (ev.access[0].phys & (cfg_.cache.line - 1)) + ev.access[0].size > cfg_.cache.line)
    c.branch += kSplitTarget;
  prev_written_ = t.writes;
  prev_partial_ = t.partial;
}

// Cache, TLB and write-buffer costs of the step's memory accesses. Writes are
// spread one per clock over the instruction (the 486 issues at most one per
// clock), which is when they enter the write buffers.
// An on-chip line miss: the fill waits for the buffered writes, then bursts
// the line in from the L2 (when there is one and it holds the line) or from
// memory. A dirty victim (write-back what-if) is written to memory as a burst
// before the fill (choice: no write-back buffer, the conservative side).
void I486Timing::line_miss(u32 line_addr, const CacheResult& r, bool walk, u64 t, CycleCauses& c) {
  const u32 wait = wb_.drain_for_read(t + c.write_buffer);
  c.write_buffer += wait;
  ++stats_.line_fills;
  u32 cost = fill_cycles_;
  if (l2_) {
    const bool hit = l2_->access(line_addr, CacheOp::kRead).hit;
    ++(hit ? stats_.l2_hits : stats_.l2_misses);
    if (hit) cost = l2_fill_cycles_;
  }
  if (r.wrote_back) {
    ++stats_.writebacks;
    cost += fill_cycles_;
  }
  if (walk)
    c.tlb_refill += cost;
  else
    c.cache_miss += cost;
  wb_.note_bus_busy_until(t + c.write_buffer + cost);
}

// Reads of one access, line by line (an instruction or a misaligned datum may
// touch two lines): hits and misses on the given side, a line fill per miss.
inline void I486Timing::read_lines(Cache& cache, CacheOp op, const MemAccess& a, SideCounts& side, bool walk, u64 t,
                                   CycleCauses& c) {
  const u32 line = cfg_.cache.line;
  const u32 first = a.phys & ~(line - 1), last = (a.phys + (a.size ? a.size - 1 : 0)) & ~(line - 1);
  for (u32 l = first;; l += line) {
    const CacheResult r = cache.access(l, op);
    if (r.hit) {
      ++side.hits;
    } else {
      ++side.misses;
      line_miss(l, r, walk, t, c);
    }
    if (l == last) break;
  }
}

// A write: write-through (the i486) updates the cache on a hit, allocates
// nothing on a miss, and sends the write to memory through the write buffers.
// Write-back: a hit only dirties the line; a miss goes to memory, or allocates
// the line first with write-allocate. The instruction's writes are spread
// evenly over its clocks: Intel's figures (PUSHAD: 8 writes in 11 clocks)
// include its own writes when the buffers start empty.
inline void I486Timing::write_lines(const MemAccess& a, bool walk, u64 t, CycleCauses& c) {
  const u32 line = cfg_.cache.line;
  const u32 first = a.phys & ~(line - 1), last = (a.phys + (a.size ? a.size - 1 : 0)) & ~(line - 1);
  bool to_memory = false;
  for (u32 l = first;; l += line) {
    const CacheResult r = cache_.access(l, CacheOp::kWrite);
    to_memory |= r.write_through;
    if (r.filled) line_miss(l, r, walk, t, c);
    if (l == last) break;
  }
  if (to_memory) c.write_buffer += wb_.write(t + c.write_buffer);
}

// Cache, TLB and write-buffer costs of the step's memory accesses, in the
// order the CPU made them. Writes enter the write buffers spread one per
// clock over the instruction (the 486 issues at most one per clock); a read
// is timed at the last write before it.
void I486Timing::memory(const InsnEvent& ev, u64 now, u32 base, bool check_alignment, CycleCauses& c) {
  const bool user = ev.cpl_before == 3;
  SideCounts& tlb_inst = stats_.tlb.pick(true, user);
  SideCounts& tlb_data = stats_.tlb.pick(false, user);
  SideCounts& cache_inst = stats_.cache.pick(true, user);
  SideCounts& cache_data = stats_.cache.pick(false, user);
  const u32 writes = ev.n_writes;
  u32 nth_write = 0;
  u64 t = now;
  auto tlb = [&](const MemAccess& a, SideCounts& side) {
    if (a.tlb_miss) {
      ++side.misses;
      c.tlb_refill += cfg_.walk_fixed;
    } else {
      ++side.hits;
    }
  };
  auto misaligned = [&](const MemAccess& a) {
    if (check_alignment && (a.lin & 3) + a.size > 4) c.misaligned += kMisaligned;
  };
  auto write_time = [&]() {
    t = writes == 1 ? now : now + static_cast<u64>(nth_write) * base / writes;
    ++nth_write;
  };
  for (u32 i = 0; i < ev.n_access; ++i) {
    const MemAccess& a = ev.access[i];
    switch (a.kind) {
      case AccessKind::kFetch:
        tlb(a, tlb_inst);
        read_lines(cache_for(true), CacheOp::kFetch, a, cache_inst, false, t, c);
        break;
      case AccessKind::kRead:
        tlb(a, tlb_data);
        misaligned(a);
        read_lines(cache_, CacheOp::kRead, a, cache_data, false, t, c);
        break;
      case AccessKind::kSystem:
        tlb(a, tlb_data);
        read_lines(cache_, CacheOp::kRead, a, cache_data, false, t, c);
        break;
      case AccessKind::kWalk:
        c.tlb_refill += kWalkRead;
        read_lines(cache_, CacheOp::kRead, a, cache_data, true, t, c);
        break;
      case AccessKind::kWrite:
        tlb(a, tlb_data);
        misaligned(a);
        write_time();
        write_lines(a, false, t, c);
        break;
      case AccessKind::kSystemWrite:
        tlb(a, tlb_data);
        write_time();
        write_lines(a, false, t, c);
        break;
      case AccessKind::kWalkWrite:
        write_time();
        write_lines(a, true, t, c);
        break;
    }
  }
}

u32 I486Timing::step(const InsnEvent& ev, u64 now) {
  if (ev.halted) return 0;
  ++stats_.steps;
  CycleCauses& c = last_;
  c = CycleCauses{};
  const DecodedInsn* d = ev.insn;
  const bool delivered = ev.vector >= 0 && !(d && ev.software_interrupt);
  u32 base = 0;
  InsnTimingInfo local;
  const InsnTimingInfo* t = d ? &d->timing : nullptr;
  if (t && !(t->flags & kAnnotated)) [[unlikely]] {
    // Decoded without this model's annotator (a CPU driven directly, as in
    // some tests): the same figures, computed now.
    DecodedInsn copy = *d;
    annotate(copy);
    local = copy.timing;
    t = &local;
  }
  if (d && !delivered) {
    base = t->cls == static_cast<u8>(ClockClass::kPlain) ? (d->mem ? t->mem : t->reg) : base_clocks(*t, *d, ev, c);
    pipeline(*t, ev, c);
    // INVD/WBINVD. Write-through: nothing to write back. Write-back what-if:
    // the dirty lines' write-back is not charged (not on any measured path).
    if ((t->flags & kFlushesCache) && ev.retired) {
      cache_.invalidate_all();
      if (icache_) icache_->invalidate_all();
    }
  } else if (delivered) {
    // An exception or a hardware interrupt: the faulting instruction's work is
    // abandoned; the delivery costs what INT n costs.
    base = ev.v86                         ? kIntFromV86
           : !ev.protected_mode           ? i486::kExceptionReal
           : ev.cpl_after < ev.cpl_before ? i486::kIntInner
                                          : kIntSame;
    prev_written_ = prev_partial_ = 0;
  }
  const bool check_alignment = !(t && (t->flags & kUnalignedOperand));
  if (base == 0) base = 1;  // every step takes at least a clock
  c.base = base;
  memory(ev, now, base, check_alignment, c);
  prev_taken_ = ev.branch_taken || ev.vector >= 0;
  if (ev.retired) ++stats_.instructions;
  const u64 total = c.total();
  stats_.cycles += total;
  stats_.causes += c;
  return static_cast<u32>(total);
}

}  // namespace l4sim
