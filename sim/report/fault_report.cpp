#include "report/fault_report.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/ipc_report.hpp"

namespace l4sim {

FaultScenario summarize_faults(std::vector<const FaultRecord*> warm, const FaultRecord* cold) {
  FaultScenario s;
  s.warm = std::move(warm);
  s.cold = cold;
  if (s.warm.empty()) return s;
  std::vector<u64> c;
  for (const FaultRecord* r : s.warm) c.push_back(r->cycles);
  const Spread sp = spread_of(std::move(c));
  s.min = sp.min;
  s.max = sp.max;
  s.median = sp.median;
  const double n = double(s.warm.size());
  for (const FaultRecord* r : s.warm) {
    s.mean += double(r->cycles) / n;
    s.instructions += double(r->instructions) / n;
    s.pager_instructions += double(r->user_instructions) / n;
    s.pager_cycles += double(r->user_cycles) / n;
    s.kernel_entries += double(r->kernel_entries) / n;
    s.cr3_loads += double(r->cr3_loads) / n;
    s.tlb_misses += double(r->tlb_misses) / n;
    s.tlb_cycles += double(r->causes.tlb_refill) / n;
    s.cache_miss_cycles += double(r->causes.cache_miss) / n;
    s.other_as += r->other_as;
  }
  return s;
}

std::string format_fault_report(const FaultScenario& s, double mhz) {
  std::string o = fmt::format(
      "page-fault round trip (user #PF -> kernel -> fault IPC to the pager -> map reply -> restart): {} warm faults\n",
      s.warm.size());
  if (s.warm.empty()) return o + "  (no complete round trips recorded)\n";
  o += fmt::format("  cycles: min {}  median {:.1f}  mean {:.1f}  max {}   = {:.2f} us at {:g} MHz\n", s.min, s.median,
                   s.mean, s.max, s.mean / mhz, mhz);
  if (s.cold) o += fmt::format("  cold (first) fault: {} cycles\n", s.cold->cycles);
  o += fmt::format(
      "  per fault: {:.1f} instructions ({:.1f} of them the pager's user code, {:.1f} cycles), {:.1f} kernel entries, "
      "{:.1f} CR3 loads, {:.1f} TLB misses ({:.1f} cycles), {:.1f} cycles of cache misses; pager in another address "
      "space: {} of {}\n",
      s.instructions, s.pager_instructions, s.pager_cycles, s.kernel_entries, s.cr3_loads, s.tlb_misses, s.tlb_cycles,
      s.cache_miss_cycles, s.other_as, s.warm.size());
  return o;
}

nlohmann::json fault_report_json(const FaultScenario& s, double mhz) {
  nlohmann::json j;
  j["faults"] = s.warm.size();
  j["round_trip_cycles"] = {{"min", s.min}, {"median", s.median}, {"mean", s.mean}, {"max", s.max}};
  j["round_trip_us"] = mhz > 0 ? s.mean / mhz : 0;
  if (s.cold) j["cold_cycles"] = s.cold->cycles;
  j["per_fault"] = {{"instructions", s.instructions}, {"pager_instructions", s.pager_instructions},
                    {"pager_cycles", s.pager_cycles}, {"kernel_entries", s.kernel_entries},
                    {"cr3_loads", s.cr3_loads},       {"tlb_misses", s.tlb_misses},
                    {"tlb_cycles", s.tlb_cycles},     {"cache_miss_cycles", s.cache_miss_cycles}};
  j["pager_in_other_address_space"] = s.other_as;
  return j;
}

}  // namespace l4sim
