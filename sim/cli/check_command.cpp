#include "cli/check_command.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/ipc_command.hpp"
#include "cli/options.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace l4sim {

namespace {

// The measured value of a budgeted path, by its name in budgets.json.
double measured(const IpcBenchmark& b, const std::string& path) {
  for (const auto& [name, v] : headline_figures(b))
    if (name == path) return v;
  throw ConfigError("budgets: unknown path '" + path + "' (paths are the figures of l4sim ipc --json)");
}

}  // namespace

int check_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir) {
  IpcRunOptions o = IpcRunOptions::defaults(self_dir);
  std::string budgets_path, traces_dir;
  po::options_description desc("l4sim check [options]");
  desc.add_options()("budgets", po::value(&budgets_path),
                     "the budgets (default: traces/budgets.json of the source tree)")(
      "traces", po::value(&traces_dir),
      "reference traces for the diff of a path over budget (default: the budgets' directory)")(
      "kernel", po::value(&o.kernel), "the microkernel to check (default: the build's kernel/kernel.elf)")(
      "sigma0", po::value(&o.sigma0), "sigma0")("root", po::value(&o.root), "the root task")(
      "config", po::value(&o.config.files)->composing(),
      "apply a configuration file on top of each budgeted preset (what-if: does it still meet the budgets?)")(
      "set", po::value(&o.config.sets)->composing(), "set a configuration key on top of each budgeted preset")(
      "help,h", "show this help");
  po::variables_map vm;
  if (!parse_options(desc, args, vm)) return 0;
  if (budgets_path.empty()) budgets_path = std::string(L4SIM_SOURCE_DIR) + "/traces/budgets.json";
  if (traces_dir.empty()) traces_dir = fs::path(budgets_path).parent_path().string();
  std::ifstream f(budgets_path);
  if (!f) throw ConfigError("cannot open budgets '" + budgets_path + "'");
  nlohmann::json budgets;
  try {
    budgets = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("budgets '{}': {}", budgets_path, e.what()));
  }

  if (!budgets.is_object()) throw ConfigError("budgets '" + budgets_path + "': expected an object of CPU models");
  for (const auto& [cpu, paths] : budgets.items()) {
    if (!paths.is_object()) throw ConfigError("budgets: '" + cpu + "' must map paths to budgets");
    for (const auto& [path, spec] : paths.items())
      if (!spec.is_object() || !spec.contains("budget") || !spec["budget"].is_number() ||
          (spec.contains("tolerance") && !spec["tolerance"].is_number()) ||
          (spec.contains("trace") && !spec["trace"].is_string()))
        throw ConfigError("budgets: '" + cpu + "/" + path +
                          "' needs a numeric budget (and optionally a numeric tolerance and a trace file name)");
  }
  int over = 0;
  // Under a what-if, a path under budget says nothing about the budget.
  const bool what_if = !o.config.files.empty() || !o.config.sets.empty();
  std::cout << fmt::format("l4sim check: budgets {} (l4sim {})\n", budgets_path, version);
  for (const std::string& f : o.config.files) std::cout << "  what-if: config " << f << "\n";
  for (const std::string& v : o.config.sets) std::cout << "  what-if: set " << v << "\n";
  for (const auto& [cpu, paths] : budgets.items()) {
    o.config.cpu = cpu;
    const IpcBenchmark b = run_ipc_benchmark(o);
    std::cout << fmt::format("\n{:<34} {:>10} {:>10} {:>10} {:>10}  {}\n", cpu + " path", "budget", "tolerance",
                             "measured", "margin", "status");
    for (const auto& [path, spec] : paths.items()) {
      const double budget = spec["budget"].get<double>();
      const double tolerance = spec.value("tolerance", 0.0);
      const double m = measured(b, path);
      const double margin = budget + tolerance - m;
      const bool ok = margin >= 0;
      std::cout << fmt::format("{:<34} {:>10.1f} {:>10.1f} {:>10.1f} {:>+10.1f}  {}\n", path, budget, tolerance, m,
                               margin,
                               ok ? (m < budget - tolerance && !what_if ? "ok (under: lower the budget?)" : "ok") : "OVER BUDGET");
      if (ok) continue;
      ++over;
      const std::string trace = spec.value("trace", "");
      if (!trace.empty()) {
        std::ifstream t(traces_dir + "/" + trace);
        const std::string ref((std::istreambuf_iterator<char>(t)), std::istreambuf_iterator<char>());
        u32 changes = 0;
        const std::string& cur = path.rfind("inter_as.", 0) == 0 ? b.inter_trace : b.intra_trace;
        const std::string d = diff_listing(ref, cur, &changes);
        std::cout << fmt::format("  trace diff of {} against {}/{} ({} lines):\n{}", path, traces_dir, trace, changes,
                                 d);
      }
    }
  }
  std::cout << (over ? fmt::format("\n{} path(s) over budget\n", over) : std::string("\nall paths within budget\n"));
  return over ? 1 : 0;
}

}  // namespace l4sim
