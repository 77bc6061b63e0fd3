// The i486's write buffers, modelled in absolute CPU cycles.
//
// Writes that go to memory (every write on the write-through i486, plus
// write-backs of dirty lines in the write-back what-if) are posted into a FIFO
// of `depth` entries and drain over the bus in order, one at a time, each
// taking `write_cycles` clocks. The CPU waits only when
//  * it writes while every entry is occupied (until the oldest has drained), or
//  * a read needs the bus (a cache line fill or an uncached read): the read
//    waits until every buffered write has completed.
//
// Depth: the on-chip write buffers are described in the Intel486 HRM's "write
// buffers" section; four entries is the figure commonly stated for the i486,
// but REFERENCE.md records the depth as open (no primary source read here), so
// it is a constructor parameter and kI486Depth = 4 is only the default choice.
//
// Read ordering (Intel486 HRM, write buffers): reads are not reordered ahead of
// buffered writes on a miss, so a read that needs the bus waits for the buffer
// to drain. The HRM's one exception (REFERENCE.md: a read miss may pass the
// buffered writes when all of them were cache hits, once until the buffers
// empty) is not modelled: a read here always waits for every pending write,
// the conservative (slower) side of that rule.
//
// Everything is computed from the `now` the caller passes, so results depend
// only on the sequence of calls: deterministic, and O(1) amortised per call.
#pragma once

#include <vector>

#include "common/types.hpp"

namespace l4sim {

class WriteBuffer {
 public:
  static constexpr u32 kI486Depth = 4;        // commonly stated, open (see above)
  static constexpr u32 kI486WriteCycles = 2;  // a zero-wait-state write cycle (bus_timing.hpp)

  // depth >= 1 and write_cycles >= 1, else ConfigError.
  explicit WriteBuffer(u32 depth = kI486Depth, u32 write_cycles = kI486WriteCycles);

  // A write entering the buffer at cycle `now`; returns the stall cycles the CPU
  // waits (0 if an entry was free). Calls must come with non-decreasing `now`.
  u32 write(u64 now);
  // A bus read (cache line fill or uncached read) at cycle `now`: returns the
  // cycles the CPU waits for the pending writes (and any bus activity noted with
  // note_bus_busy_until) to finish before the read can start.
  u32 drain_for_read(u64 now);
  u32 pending(u64 now) const;                    // entries still waiting (or draining) at `now`
  u64 bus_free_at() const { return bus_free_; }  // when the last buffered write (or noted read) completes
  // A read occupied the bus until `cycle`: later writes queue behind it. Call it
  // after drain_for_read, when no writes are pending.
  void note_bus_busy_until(u64 cycle);

  u32 depth() const { return depth_; }
  u32 write_cycles() const { return write_cycles_; }
  u64 stall_cycles() const { return stall_cycles_; }  // total returned by write() and drain_for_read()

 private:
  void retire(u64 now);  // drops entries whose write has completed by `now`

  u32 depth_;
  u32 write_cycles_;
  std::vector<u64> done_;  // ring of completion cycles, oldest at head_; increasing
  u32 head_ = 0;
  u32 count_ = 0;
  u64 bus_free_ = 0;
  u64 stall_cycles_ = 0;
};

}  // namespace l4sim
