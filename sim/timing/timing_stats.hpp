// Statistics of a timing model: plain structs, filled by the model, printed
// by the reporting layer (DESIGN.md §6: stats separate from printers).
#pragma once

#include "common/types.hpp"

namespace l4sim {

// Where cycles went. base + agi + ... = cycles, always.
struct CycleCauses {
  u64 base = 0;          // the instruction's clocks from the clock table (cache hits, no stalls)
  u64 agi = 0;           // address-generation interlocks
  u64 decode = 0;        // prefixes, base+index addressing, displacement with immediate
  u64 partial_reg = 0;   // reading a full register after writing part of it
  u64 misaligned = 0;    // data accesses crossing a 4-byte boundary
  u64 branch = 0;        // taken-branch extra and targets that span a cache line
  u64 cache_miss = 0;    // line fills (instruction and data)
  u64 tlb_refill = 0;    // page walks after TLB misses
  u64 write_buffer = 0;  // waits for the write buffers (full, or drained before a read miss)
  u64 total() const {
    return base + agi + decode + partial_reg + misaligned + branch + cache_miss + tlb_refill + write_buffer;
  }
  CycleCauses& operator+=(const CycleCauses& o) {
    base += o.base;
    agi += o.agi;
    decode += o.decode;
    partial_reg += o.partial_reg;
    misaligned += o.misaligned;
    branch += o.branch;
    cache_miss += o.cache_miss;
    tlb_refill += o.tlb_refill;
    write_buffer += o.write_buffer;
    return *this;
  }
};

// Hits and misses by instruction/data side and by privilege (user = CPL 3):
// for the cache, of reads and instruction fetches (writes are not counted: a
// write-allocate fill shows only in the cache-miss cycles).
struct SideCounts {
  u64 hits = 0;
  u64 misses = 0;
};
struct SplitCounts {
  SideCounts inst_user, inst_kernel, data_user, data_kernel;
  SideCounts& pick(bool inst, bool user) {
    return inst ? (user ? inst_user : inst_kernel) : (user ? data_user : data_kernel);
  }
  u64 misses() const { return inst_user.misses + inst_kernel.misses + data_user.misses + data_kernel.misses; }
};

struct TimingStats {
  u64 instructions = 0;
  u64 steps = 0;  // instructions, REP iterations and interrupt deliveries
  u64 cycles = 0;
  CycleCauses causes;
  SplitCounts cache;
  SplitCounts tlb;
  u64 l2_hits = 0, l2_misses = 0;  // L1 line fills answered by the external L2 cache / by memory (0 without one)
  u64 writebacks = 0;              // dirty L1 lines written to memory (write-back what-if)
  u64 line_fills = 0;              // on-chip lines filled (read, fetch and page-walk misses, write-allocate fills)

  void add(const TimingStats& o);
  void subtract(const TimingStats& o);  // for region deltas
};

}  // namespace l4sim
