// `l4sim ipc`: boot the real kernel with its ping-pong benchmark and report
// per-IPC cycles, their decomposition next to the published analysis, and an
// annotated listing of one warm IPC (DESIGN.md §3).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "machine/machine.hpp"
#include "report/ipc_report.hpp"

namespace l4sim {

struct IpcRunOptions {
  std::string kernel, sigma0, root;
  std::string cpu = "i486dx50";
  u32 memory_mb = 16;
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
  IpcScenario inter, intra;
  std::string inter_listing, intra_listing;  // for people: symbol+offset, addresses
  std::string inter_trace, intra_trace;      // for diffs: symbols only (format_listing for_trace)
  double mhz = 0;
};
IpcBenchmark run_ipc_benchmark(const IpcRunOptions& o);

int ipc_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir);

}  // namespace l4sim
