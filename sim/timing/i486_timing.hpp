// The Intel486 DX timing model (the 486-DX50 of the published analysis):
// the clock table (i486_clocks), the five-stage pipeline's penalties, the
// 8 KB unified write-through cache with its write buffers, and TLB refills
// through that cache. Every parameter names its source; see i486_timing.cpp.
#pragma once

#include <memory>
#include <vector>

#include "cache/bus_timing.hpp"
#include "cache/cache.hpp"
#include "cache/write_buffer.hpp"
#include "timing/i486_clocks.hpp"
#include "timing/timing_model.hpp"

namespace l4sim {

// An optional external (board) L2 cache between the on-chip cache and memory,
// as on many 486 boards (typically 64-256 KB, direct-mapped). Tags only: it
// answers the on-chip cache's line fills; an L1 fill that hits it bursts in
// at `first`-`next`-`next`-... bus clocks, one that misses costs a memory fill
// of the on-chip line, and the L2 takes its whole line at no further cost (as
// if it filled the rest behind the CPU's line: a simplification that makes a
// long L2 line a free prefetch). Writes go to memory at the bus's write cost
// either way (an L2 absorbing writes is not modelled).
struct L2Config {
  CacheGeometry cache{0, 32, 1, "lru", "write-back", true};  // size 0 = no L2
  // Choice, no single source: a zero-wait-state SRAM L2 bursts at the bus's
  // best rate, 2-1-1-1 (Intel486 HRM §9.3 burst timing).
  u32 first = 2;  // bus clocks of the first transfer of a fill from the L2
  u32 next = 1;   // bus clocks of each further transfer
  bool present() const { return cache.size != 0; }
};

struct I486TimingConfig {
  CacheGeometry cache{};  // 8 KB, 16-byte lines, 4-way, pseudo-LRU, write-through, no write-allocate
  // i486: one unified cache. What-if: split, an instruction cache and a data
  // cache each of the `cache` geometry (the Pentium's 8 KB + 8 KB).
  bool unified_cache = true;
  L2Config l2{};
  BusConfig bus{};        // 2-1-1-1 bursts, no wait states, bus at the core clock
  u32 write_buffers = 4;  // Intel486 HRM: four write buffers ("commonly stated"; REFERENCE.md: open)
  // The fixed part of a page walk after a TLB miss. No Intel figure exists; the
  // papers measured about 9 cycles for a miss whose PDE and PTE hit the cache.
  // The walk's two table reads are charged as cache accesses (1 clock each on
  // a hit, a line fill on a miss), so the rest of the papers' figure, 7 clocks,
  // is taken as the fixed part: detecting the miss, forming the two addresses
  // and loading the TLB entry. Chosen from that per-event figure only.
  u32 walk_fixed = 7;
  void validate() const;
};

class I486Timing final : public TimingModel {
 public:
  explicit I486Timing(const I486TimingConfig& cfg = {});
  const char* name() const override { return "i486dx50"; }
  void annotate(DecodedInsn& d) const override;
  u32 step(const InsnEvent& ev, u64 now) override;
  const TimingStats& stats() const override { return stats_; }
  const Cache& cache() const { return cache_; }  // the data cache when split, else the only one
  const Cache& icache() const { return icache_ ? *icache_ : cache_; }
  const Cache* l2() const { return l2_.get(); }
  const I486TimingConfig& config() const { return cfg_; }
  // The clocks of the last step, by cause (for traces and the IPC report).
  const CycleCauses& last() const { return last_; }

 private:
  // InsnTimingInfo::flags of the i486 model.
  static constexpr u8 kAnnotated = 1;         // annotate() ran (else the step annotates a copy)
  static constexpr u8 kFlushesCache = 2;      // INVD, WBINVD
  static constexpr u8 kUnalignedOperand = 4;  // LGDT-style 6-byte operands: misaligned by layout, in the figure
  static constexpr u8 kRepString = 8;         // a string instruction with a REP prefix

  u32 base_clocks(const InsnTimingInfo& t, const DecodedInsn& d, const InsnEvent& ev, CycleCauses& c);
  void memory(const InsnEvent& ev, u64 now, u32 base, bool check_alignment, CycleCauses& c);
  void read_lines(Cache& cache, CacheOp op, const MemAccess& a, SideCounts& side, bool walk, u64 t, CycleCauses& c);
  void write_lines(const MemAccess& a, bool walk, u64 t, CycleCauses& c);
  void pipeline(const InsnTimingInfo& t, const InsnEvent& ev, CycleCauses& c);
  Cache& cache_for(bool fetch) { return fetch && icache_ ? *icache_ : cache_; }
  void line_miss(u32 line_addr, const CacheResult& r, bool walk, u64 t, CycleCauses& c);

  I486TimingConfig cfg_;
  std::vector<FormClocks> clocks_;
  Cache cache_;
  std::unique_ptr<Cache> icache_;  // split caches only
  std::unique_ptr<Cache> l2_;      // with an external L2 only
  WriteBuffer wb_;
  u32 fill_cycles_;     // an on-chip line from memory
  u32 l2_fill_cycles_;  // an on-chip line from the L2
  TimingStats stats_;
  CycleCauses last_;
  // Pipeline state carried from one instruction to the next.
  u8 prev_written_ = 0;  // registers (bit per register number) the previous instruction wrote
  u8 prev_partial_ = 0;  // of which only a byte or word
  bool prev_taken_ = false;
};

}  // namespace l4sim
