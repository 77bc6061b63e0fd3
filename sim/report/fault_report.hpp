// The page-fault round trip of the benchmark (sim/probes/fault_probe): warm
// statistics and where the cycles went, for `l4sim ipc`, budgets and sweeps.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "probes/fault_probe.hpp"

namespace l4sim {

struct FaultScenario {
  std::vector<const FaultRecord*> warm;
  const FaultRecord* cold = nullptr;  // the first fault of the warm-up round
  u64 min = 0, max = 0;
  double median = 0, mean = 0;
  // Means per warm round trip.
  double instructions = 0, pager_instructions = 0, pager_cycles = 0, kernel_entries = 0, cr3_loads = 0;
  double tlb_misses = 0, tlb_cycles = 0, cache_miss_cycles = 0;
  u32 other_as = 0;  // warm round trips whose pager ran in another address space
};

FaultScenario summarize_faults(std::vector<const FaultRecord*> warm, const FaultRecord* cold);
std::string format_fault_report(const FaultScenario& s, double mhz);
nlohmann::json fault_report_json(const FaultScenario& s, double mhz);

}  // namespace l4sim
