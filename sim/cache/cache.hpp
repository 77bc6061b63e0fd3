// A tags-only set-associative cache model (DESIGN.md §1: memory is always
// coherent elsewhere). It answers only "hit or miss, was a line filled, was a
// dirty victim written back, does this write reach memory" so the timing model
// can charge bus cycles. Defaults are the i486's unified cache: 8 KB, 4-way,
// 16-byte lines, 128 sets, tree pseudo-LRU, write-through, no write allocation
// (Embedded Intel486 HRM §3.3, fig. 3-7; REFERENCE.md "Intel 486").
//
// It runs on every memory access of every simulated instruction, so lookups use
// precomputed shifts and masks over a flat tag array, and each set's most
// recently used way is tried before the set is searched.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cache/write_policy.hpp"
#include "common/types.hpp"
#include "tlb/replacement.hpp"

namespace l4sim {

struct CacheGeometry {
  u32 size = 8192;  // bytes (i486: 8 KB unified; Intel486 HRM §3.3 / REFERENCE.md)
  u32 line = 16;    // bytes
  u32 ways = 4;
  std::string replacement = "plru";            // plru | lru | fifo (sim/tlb/replacement.hpp)
  std::string write_policy = "write-through";  // write-through | write-back
  bool write_allocate = false;                 // i486: no allocation on write misses

  // Throws ConfigError naming the offending key (cache.size, cache.line, ...;
  // `key` is the prefix: "cache", "l2"). Write-through combined with
  // write-allocate is allowed.
  void validate(std::string_view key = "cache") const;
  u32 sets() const { return size / (line * ways); }
};

enum class CacheOp : u8 { kRead, kWrite, kFetch };  // fetch = instruction fetch (a read for a unified cache)

struct CacheResult {
  bool hit = false;
  bool filled = false;         // a line was allocated (read miss, or write miss with write-allocate)
  bool wrote_back = false;     // a dirty victim was evicted (write-back only)
  bool write_through = false;  // this write goes to memory (write-through, or write miss without allocate)
  u32 victim_line = 0;         // address of the evicted line when wrote_back
};

struct CacheStats {
  u64 reads = 0;
  u64 read_misses = 0;
  u64 writes = 0;
  u64 write_misses = 0;
  u64 fetches = 0;
  u64 fetch_misses = 0;
  u64 writebacks = 0;  // dirty lines written to memory (evictions and flush_all)
  u64 fills = 0;       // lines allocated
};

class Cache {
 public:
  explicit Cache(const CacheGeometry& g);  // validates; throws ConfigError

  // One access lying within one line (the caller splits line-crossing accesses).
  CacheResult access(u32 phys, CacheOp op) {
    const u32 line_no = phys >> line_shift_;
    count(op);
    // The way touched last in the set is already its most recently used, so a
    // hit there needs no set search and no replacement update: for tree PLRU,
    // true LRU and FIFO, touching the MRU way again leaves the next victim
    // unchanged. (Instruction fetches and data alternate between sets, so one
    // MRU line for the whole cache would rarely hit.)
    const u32 set = line_no & set_mask_;
    const u32 index = set * geo_.ways + mru_[set];
    if (tags_[index] == line_no) return hit(index, op);
    return access_slow(line_no, op);
  }

  bool probe(u32 phys) const;  // hit? No side effects on state or statistics.
  void invalidate_all();       // INVD: every line invalid; dirty lines are dropped, not written back
  u32 flush_all();             // WBINVD: writes back dirty lines (returned and counted), then invalidates

  const CacheStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  const CacheGeometry& geometry() const { return geo_; }
  u32 sets() const { return sets_; }
  u32 line_address(u32 phys) const { return phys & ~line_mask_; }

 private:
  static constexpr u32 kInvalid = ~0u;  // never a line number: lines are >= 4 bytes, so < 2^30 of them

  void count(CacheOp op) {
    static constexpr u64 CacheStats::*kCounter[3] = {&CacheStats::reads, &CacheStats::writes, &CacheStats::fetches};
    ++(stats_.*kCounter[static_cast<u8>(op)]);
  }
  CacheResult hit(u32 index, CacheOp op) {
    CacheResult r;
    r.hit = true;
    if (op == CacheOp::kWrite) {
      if (policy_ == WritePolicy::kWriteBack)
        dirty_[index] = 1;
      else
        r.write_through = true;
    }
    return r;
  }
  CacheResult access_slow(u32 line_no, CacheOp op);

  CacheGeometry geo_;
  WritePolicy policy_;
  u32 sets_;
  u32 line_shift_;         // log2(line)
  u32 line_mask_;          // line - 1
  u32 set_mask_;           // sets - 1 (applied to the line number)
  std::vector<u32> tags_;  // line number per (set, way), kInvalid when empty; index set * ways + way
  std::vector<u8> dirty_;  // parallel to tags_
  std::unique_ptr<ReplacementPolicy> repl_;
  TreePlru* plru_ = nullptr;  // repl_ when it is tree PLRU: touched without a virtual call
  void touch(u32 set, u32 way) {
    if (plru_)
      plru_->touch_fast(set, way);
    else
      repl_->touch(set, way);
  }
  std::vector<u32> mru_;  // per set: the way of the last access that hit or filled
  CacheStats stats_;
};

}  // namespace l4sim
