// The IPC report: per-scenario figures from the IPC records (min, median,
// mean, max of the warm one-way IPCs, the cold first IPC) and the
// decomposition in the form of the published analysis (Liedtke 1993/1995),
// as plain data; text, JSON and trace printers beside it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "probes/ipc_probe.hpp"

namespace l4sim {

struct IpcDecomposition {
  double entry_exit = 0;           // base clocks of the trap and the return (int + iret)
  double other_instructions = 0;   // base clocks of every other instruction of the IPC
  double kernel_instructions = 0;  // instructions from the trap to the return, both included
  double tlb_misses = 0;           // count inside the IPC
  double tlb_cycles = 0;
  double cache_misses = 0;
  double cache_cycles = 0;
  double stall_cycles = 0;      // AGI, decode, partial registers, misalignment, branches, write buffers
  double total = 0;             // = the measured mean; the parts above add up to it
  double lower_bound = 0;       // this kernel's path with no cache or TLB misses
  double after_tlb_misses = 0;  // refills the receiver then pays in user mode (not in total)
  double after_tlb_cycles = 0;
  double cr3_loads = 0;
  // The address-space switch (per IPC that switched).
  double cr3_load_cycles = 0;
  double tlb_entries_lost = 0;
  double refills_after_switch = 0;
  double refill_cycles_after_switch = 0;
  // Everything the switch costs in refills: inside the IPC and in the receiver afterwards.
  double refill_cycle_after_switch_total() const { return refill_cycles_after_switch + after_tlb_cycles; }
};

struct IpcScenario {
  std::string name;  // "inter_as" or "intra_as"
  std::vector<const IpcRecord*> warm;
  const IpcRecord* cold = nullptr;
  u64 min = 0, max = 0;
  double median = 0, mean = 0;
  IpcDecomposition d;
  const IpcRecord* example = nullptr;  // the warm IPC shown in the listing
};

// Min, median and max of a non-empty sample (the median of an even count is
// the mean of the middle two).
struct Spread {
  u64 min = 0, max = 0;
  double median = 0;
};
Spread spread_of(std::vector<u64> v);

IpcScenario summarize(const std::string& name, std::vector<const IpcRecord*> warm, const IpcRecord* cold);

// Published figures for the 486-DX50 (REFERENCE.md).
namespace published {
constexpr double kEntryExit = 107, kLowerBound = 172, kL4 = 250, kTlbMisses = 5, kTlbMissCost = 9;
constexpr double kInstructions = 20;
}  // namespace published

std::string format_report(const IpcScenario& s, double mhz, bool inter);
nlohmann::json report_json(const IpcScenario& s, double mhz);
// The annotated listing of one IPC: one line per step, diffable (no cycle
// counters of the run, only the step's own cycles). `describe` gives
// symbol+offset for an address.
// With `for_trace`, locations are symbols without offsets and branch targets
// are symbols, so that one added instruction shows as one added line in a diff.
std::string format_listing(const IpcRecord& r, const std::function<std::string(u32)>& describe, bool for_trace = false);
// Lines that differ between a reference listing and the current one
// (a longest-common-subsequence diff: "- " removed, "+ " added).
std::string diff_listing(const std::string& reference, const std::string& current, u32* changes);

}  // namespace l4sim
