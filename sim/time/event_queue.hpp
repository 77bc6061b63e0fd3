// Device timers on the cycle clock. Each device registers its timers once and
// (re)schedules them in absolute cycles; the machine fires due timers at
// instruction boundaries, in (cycle, registration order) order, so runs are
// deterministic. A handful of timers exist per machine, so a flat array with a
// cached minimum beats a heap.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "time/clock.hpp"

namespace l4sim {

class EventQueue {
 public:
  using Id = u32;
  // Called with the cycle the timer was scheduled for (<= the current cycle).
  using Callback = std::function<void(u64 when)>;

  Id add(std::string name, Callback cb);
  // Schedules (or reschedules) a timer; an earlier schedule is replaced.
  void schedule(Id id, u64 when);
  void cancel(Id id) { schedule(id, kNever); }
  u64 when(Id id) const { return timers_[id].when; }
  const std::string& name(Id id) const { return timers_[id].name; }

  // The earliest scheduled cycle, kNever when nothing is scheduled.
  u64 next_due() const { return next_due_; }
  // Fires every timer due at or before `now`; callbacks may reschedule
  // (a timer rescheduled to a cycle <= now fires again in the same call).
  void run_due(u64 now);

 private:
  struct Timer {
    std::string name;
    Callback cb;
    u64 when = kNever;
  };
  void recompute();

  std::vector<Timer> timers_;
  u64 next_due_ = kNever;
};

}  // namespace l4sim
