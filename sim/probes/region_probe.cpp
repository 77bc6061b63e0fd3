#include "probes/region_probe.hpp"

namespace l4sim {

void RegionProbe::before_step(const InsnEvent& ev, u64 now, const TimingStats* stats) {
  if (!ev.insn) return;
  const u32 at = ev.cs_base + ev.eip;
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (open_[i] && at == specs_[i].end) {
      RegionInstance r = start_[i];
      r.cycles = now - r.start_cycle;
      if (stats) {
        TimingStats s = *stats;
        s.subtract(r.stats);
        r.stats = s;
      }
      done_.push_back(r);
      open_[i] = false;
    }
    if (!open_[i] && at == specs_[i].begin && ev.rep_iteration == 0) {
      open_[i] = true;
      RegionInstance& r = start_[i];
      r = RegionInstance{};
      r.name = specs_[i].name;
      r.index = count_[i]++;
      r.start_cycle = now;
      if (stats) r.stats = *stats;
    }
  }
}

void RegionProbe::after_step(const InsnEvent& ev) {
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (!open_[i]) continue;
    if (ev.retired) ++start_[i].instructions;
    if (ev.software_interrupt && ev.vector == ipc_vector_) ++start_[i].ipcs;
  }
}

}  // namespace l4sim
