// `l4sim ipc`: boot the real kernel with its ping-pong benchmark and report
// per-IPC cycles, their decomposition next to the published analysis, and an
// annotated listing of one warm IPC (DESIGN.md §3).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/config_options.hpp"
#include "machine/machine.hpp"
#include "report/fault_report.hpp"
#include "report/ipc_report.hpp"

namespace l4sim {

struct IpcRunOptions {
  std::string kernel, sigma0, root;
  ConfigOptions config;  // --cpu preset, --config files, --set overrides
  u32 vector = 0x30;
  // The images of the build tree, next to the l4sim binary.
  static IpcRunOptions defaults(const std::string& self_dir) {
    IpcRunOptions o;
    o.kernel = self_dir + "/kernel/kernel.elf";
    o.sigma0 = self_dir + "/guest/sigma0.elf";
    o.root = self_dir + "/guest/root.elf";
    return o;
  }
};

// One run of the ping-pong benchmark under the timing model, with its IPC
// records summarised per scenario and the warm listings.
struct IpcBenchmark {
  std::string serial;
  std::unique_ptr<Machine> machine;
  std::unique_ptr<IpcProbe> probe;
  std::unique_ptr<PageFaultProbe> fault_probe;
  IpcScenario inter, intra;
  FaultScenario page_fault;
  std::string inter_listing, intra_listing;  // for people: symbol+offset, addresses
  std::string inter_trace, intra_trace;      // for diffs: symbols only (format_listing for_trace)
  double mhz = 0;
  std::string preset;  // the configuration's preset name (names the reference traces)
};
IpcBenchmark run_ipc_benchmark(const IpcRunOptions& o);
// What the benchmark needs of a configuration beyond validate_config: the
// i486 timing model and enough memory for the root task. Throws ConfigError.
void check_benchmark_config(const MachineConfig& mc);

// The benchmark's headline figures by name, as budgets (traces/budgets.json),
// sweeps and `l4sim ipc --json` ("figures") call them: <scenario>.one_way_median,
// .one_way_mean, .one_way_min, .one_way_max, .cold, .address_space_switch (the
// CR3 load and every TLB refill it causes, in the IPC and after it),
// .tlb_misses and .cache_misses (per warm IPC), for inter_as and intra_as; and
// page_fault.round_trip_median, _mean, _min, _max, .cold, .tlb_misses.
std::vector<std::pair<std::string, double>> headline_figures(const IpcBenchmark& b);

int ipc_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir);

}  // namespace l4sim
