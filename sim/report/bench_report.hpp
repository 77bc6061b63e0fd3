// The figures of `l4sim bench`: per workload and engine (l4sim in a mode, or
// QEMU), the guest instructions and simulated cycles of one run and the host
// time of each run, summarised as min/median/max; and the table and JSON that
// print them. Pure data and formatting: the runs themselves are the CLI's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/types.hpp"

namespace l4sim {

struct BenchSample {
  double wall_seconds = 0;
  double cpu_seconds = 0;  // user + system of the process
};

struct Spread {
  double min = 0, median = 0, max = 0;
};
// min/median/max of the values (the median of an even count is the mean of the middle two).
Spread spread(std::vector<double> v);

struct BenchRow {
  std::string workload;                  // compute, kernel, pingpong, startup-16M, ...
  std::string engine;                    // "l4sim functional", "l4sim i486", "qemu tcg"
  u64 instructions = 0;                  // guest instructions of one run
  bool instructions_from_l4sim = false;  // QEMU does not count them: l4sim's functional count is used
  u64 cycles = 0;                        // simulated cycles of one run (0: not simulated, e.g. QEMU)
  u64 cpu_hz = 0;                        // the modelled clock, for the real-time factor
  double startup_seconds = 0;            // this engine's median start-up, subtracted in the "net" figures
  std::vector<BenchSample> samples;

  // Per-run figures.
  Spread wall() const;
  Spread mips() const;             // millions of guest instructions per wall-clock second
  Spread net_mips() const;         // the same with the engine's start-up subtracted
  Spread cpu_mips() const;         // per CPU second of the process (steadier on a loaded host)
  Spread mcps() const;             // millions of simulated cycles per wall-clock second
  double realtime_factor() const;  // median simulated cycles per second / modelled clock (> 1: faster than the chip)
  double net_ns_per_insn() const;  // median host nanoseconds per guest instruction, start-up subtracted
};

// A start-up row (workload "startup-..."): a guest that exits at once.
bool is_startup(const BenchRow& r);

// The per-instruction cost of one engine against another on the same workload
// (start-up subtracted on both sides): > 1 means `a` is slower.
struct BenchRatio {
  std::string workload, a, b;
  double ratio = 0;
};
std::vector<BenchRatio> bench_ratios(const std::vector<BenchRow>& rows, const std::string& against);

std::string bench_table(const std::vector<BenchRow>& rows, const std::vector<BenchRatio>& ratios);
nlohmann::json bench_json(const std::vector<BenchRow>& rows, const std::vector<BenchRatio>& ratios);

}  // namespace l4sim
