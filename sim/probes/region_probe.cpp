#include "probes/region_probe.hpp"

namespace l4sim {

std::vector<u32> RegionProbe::addresses() const {
  std::vector<u32> out;
  for (const RegionSpec& s : specs_) {
    out.push_back(s.begin);
    out.push_back(s.end);
  }
  return out;
}

bool RegionProbe::wants(u32 at, u32 rep_iteration) const {
  for (size_t i = 0; i < specs_.size(); ++i)
    if ((open_[i] && at == specs_[i].end) || (!open_[i] && at == specs_[i].begin && rep_iteration == 0)) return true;
  return false;
}

void RegionProbe::at_marker(u32 at, u32 rep_iteration, const RegionSnapshot& before) {
  for (size_t i = 0; i < specs_.size(); ++i) {
    // The instruction at the end marker is the first one outside: the
    // instance ends before it.
    if (open_[i] && at == specs_[i].end) {
      RegionInstance r = start_[i].instance;
      r.cycles = before.cycle - r.start_cycle;
      r.instructions = before.retired - start_[i].retired;
      r.ipcs = before.ipcs - start_[i].ipcs;
      if (before.stats) {
        TimingStats s = *before.stats;
        s.subtract(r.stats);
        r.stats = s;
      }
      done_.push_back(r);
      open_[i] = false;
    }
    // The instruction at the begin marker is the first one inside (a REP
    // instruction there opens the region on its first iteration only).
    if (!open_[i] && at == specs_[i].begin && rep_iteration == 0) {
      open_[i] = true;
      Open& o = start_[i];
      o.instance = RegionInstance{};
      o.instance.name = specs_[i].name;
      o.instance.index = count_[i]++;
      o.instance.start_cycle = before.cycle;
      if (before.stats) o.instance.stats = *before.stats;
      o.retired = before.retired;
      o.ipcs = before.ipcs;
    }
  }
}

}  // namespace l4sim
