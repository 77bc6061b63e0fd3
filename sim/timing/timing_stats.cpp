#include "timing/timing_stats.hpp"

#include <initializer_list>
#include <utility>

namespace l4sim {

namespace {
template <class F>
void each(TimingStats& a, const TimingStats& b, F f) {
  f(a.instructions, b.instructions);
  f(a.steps, b.steps);
  f(a.cycles, b.cycles);
  f(a.causes.base, b.causes.base);
  f(a.causes.agi, b.causes.agi);
  f(a.causes.decode, b.causes.decode);
  f(a.causes.partial_reg, b.causes.partial_reg);
  f(a.causes.misaligned, b.causes.misaligned);
  f(a.causes.branch, b.causes.branch);
  f(a.causes.cache_miss, b.causes.cache_miss);
  f(a.causes.tlb_refill, b.causes.tlb_refill);
  f(a.causes.write_buffer, b.causes.write_buffer);
  for (auto [x, y] : {std::pair{&a.cache, &b.cache}, std::pair{&a.tlb, &b.tlb}}) {
    for (auto [p, q] : {std::pair{&x->inst_user, &y->inst_user}, std::pair{&x->inst_kernel, &y->inst_kernel},
                        std::pair{&x->data_user, &y->data_user}, std::pair{&x->data_kernel, &y->data_kernel}}) {
      f(p->hits, q->hits);
      f(p->misses, q->misses);
    }
  }
  f(a.l2_hits, b.l2_hits);
  f(a.l2_misses, b.l2_misses);
  f(a.writebacks, b.writebacks);
  f(a.line_fills, b.line_fills);
}
}  // namespace

void TimingStats::add(const TimingStats& o) {
  each(*this, o, [](u64& x, u64 y) { x += y; });
}
void TimingStats::subtract(const TimingStats& o) {
  each(*this, o, [](u64& x, u64 y) { x -= y; });
}

}  // namespace l4sim
