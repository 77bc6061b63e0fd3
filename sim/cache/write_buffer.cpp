#include "cache/write_buffer.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace l4sim {

WriteBuffer::WriteBuffer(u32 depth, u32 write_cycles) : depth_(depth), write_cycles_(write_cycles) {
  if (depth_ == 0) throw ConfigError("write buffer depth must be at least 1");
  if (write_cycles_ == 0) throw ConfigError("write buffer write_cycles must be at least 1");
  done_.assign(depth_, 0);
}

void WriteBuffer::retire(u64 now) {
  while (count_ != 0 && done_[head_] <= now) {
    head_ = (head_ + 1) % depth_;
    --count_;
  }
}

u32 WriteBuffer::write(u64 now) {
  retire(now);
  u64 t = now;
  if (count_ == depth_) {
    // Full: the CPU waits until the oldest write has drained and frees its entry.
    t = done_[head_];
    head_ = (head_ + 1) % depth_;
    --count_;
  }
  // Writes drain back to back, behind earlier writes and any read on the bus.
  const u64 done = std::max(t, bus_free_) + write_cycles_;
  done_[(head_ + count_) % depth_] = done;
  ++count_;
  bus_free_ = done;
  const u32 stall = static_cast<u32>(t - now);
  stall_cycles_ += stall;
  return stall;
}

u32 WriteBuffer::drain_for_read(u64 now) {
  // No reordering (see the header): the read starts once the bus is idle, i.e.
  // after the newest buffered write.
  const u32 wait = bus_free_ > now ? static_cast<u32>(bus_free_ - now) : 0;
  retire(now + wait);
  stall_cycles_ += wait;
  return wait;
}

u32 WriteBuffer::pending(u64 now) const {
  u32 n = 0;
  for (u32 i = 0; i < count_; ++i)
    if (done_[(head_ + i) % depth_] > now) ++n;
  return n;
}

void WriteBuffer::note_bus_busy_until(u64 cycle) { bus_free_ = std::max(bus_free_, cycle); }

}  // namespace l4sim
