// The Intel486 DX timing model (the 486-DX50 of the published analysis):
// the clock table (i486_clocks), the five-stage pipeline's penalties, the
// 8 KB unified write-through cache with its write buffers, and TLB refills
// through that cache. Every parameter names its source; see i486_timing.cpp.
#pragma once

#include <vector>

#include "cache/bus_timing.hpp"
#include "cache/cache.hpp"
#include "cache/write_buffer.hpp"
#include "timing/i486_clocks.hpp"
#include "timing/timing_model.hpp"

namespace l4sim {

struct I486TimingConfig {
  CacheGeometry cache{};  // 8 KB, 16-byte lines, 4-way, pseudo-LRU, write-through, no write-allocate
  BusConfig bus{};        // 50 MHz, 2-1-1-1 bursts, no wait states
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
  u32 step(const InsnEvent& ev, u64 now) override;
  const TimingStats& stats() const override { return stats_; }
  const Cache& cache() const { return cache_; }
  const I486TimingConfig& config() const { return cfg_; }
  // The clocks of the last step, by cause (for traces and the IPC report).
  const CycleCauses& last() const { return last_; }

 private:
  u32 base_clocks(const FormClocks& fc, const DecodedInsn& d, const InsnEvent& ev, CycleCauses& c);
  void memory(const InsnEvent& ev, u64 now, u32 base, bool check_alignment, CycleCauses& c);
  void pipeline(const FormClocks& fc, const DecodedInsn& d, const InsnEvent& ev, CycleCauses& c);

  I486TimingConfig cfg_;
  std::vector<FormClocks> clocks_;
  Cache cache_;
  WriteBuffer wb_;
  u32 fill_cycles_;
  TimingStats stats_;
  CycleCauses last_;
  // Pipeline state carried from one instruction to the next.
  u8 prev_written_ = 0;  // registers (bit per register number) the previous instruction wrote
  u8 prev_partial_ = 0;  // of which only a byte or word
  bool prev_taken_ = false;
};

}  // namespace l4sim
