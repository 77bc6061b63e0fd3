#include "time/event_queue.hpp"

namespace l4sim {

EventQueue::Id EventQueue::add(std::string name, Callback cb) {
  timers_.push_back(Timer{std::move(name), std::move(cb), kNever});
  return static_cast<Id>(timers_.size() - 1);
}

void EventQueue::schedule(Id id, u64 when) {
  timers_[id].when = when;
  if (when <= next_due_)
    next_due_ = when;
  else
    recompute();
}

void EventQueue::recompute() {
  u64 m = kNever;
  for (const Timer& t : timers_) m = t.when < m ? t.when : m;
  next_due_ = m;
}

void EventQueue::run_due(u64 now) {
  while (next_due_ <= now) {
    // The earliest due timer; ties go to the first registered.
    Id first = 0;
    for (Id i = 0; i < timers_.size(); ++i)
      if (timers_[i].when < timers_[first].when) first = i;
    const u64 when = timers_[first].when;
    timers_[first].when = kNever;
    recompute();
    timers_[first].cb(when);
  }
}

}  // namespace l4sim
