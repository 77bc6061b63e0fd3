#include "cli/sweep_command.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/config_options.hpp"
#include "cli/ipc_command.hpp"
#include "cli/options.hpp"
#include "common/error.hpp"
#include "config/config_keys.hpp"
#include "config/presets.hpp"
#include "report/ipc_report.hpp"
#include "report/sweep_output.hpp"

extern char** environ;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace l4sim {

namespace {

constexpr size_t kMaxPoints = 10000;

struct Grid {
  std::string key;
  std::vector<std::string> values;
};

Grid parse_grid(const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) throw ConfigError("--grid: expected KEY=V1,V2,..., got '" + spec + "'");
  Grid g{spec.substr(0, eq), {}};
  // Unknown keys get the configuration's message, with its suggestion.
  require_config_key(g.key);
  const std::string list = spec.substr(eq + 1);
  size_t start = 0;
  for (;;) {
    const size_t comma = list.find(',', start);
    const std::string v = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (v.empty()) throw ConfigError("--grid " + g.key + ": empty value in '" + list + "'");
    g.values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return g;
}

std::string point_label(const std::vector<Grid>& grids, const std::vector<std::string>& values) {
  std::string s;
  for (size_t i = 0; i < grids.size(); ++i) s += fmt::format("{}{}={}", i ? " " : "", grids[i].key, values[i]);
  return s;
}

// One running child: `l4sim ipc` for one point.
struct Child {
  pid_t pid;
  size_t point;
};

pid_t spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error(fmt::format("sweep: cannot start {}: {}", argv[0], std::strerror(rc)));
  return pid;
}

std::string first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line, last;
  while (std::getline(f, line))
    if (!line.empty()) last = line;  // the last message is the reason
  return last;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir) {
  IpcRunOptions o = IpcRunOptions::defaults(self_dir);
  std::vector<std::string> grid_specs;
  std::string out_dir, metric = "inter_as.one_way_median", title;
  unsigned jobs = 0;
  bool kernel_given = false;
  po::options_description desc("l4sim sweep --grid KEY=V1,V2,... [--grid ...] --out DIR [options]");
  desc.add_options()("grid", po::value(&grid_specs)->composing(),
                     "a configuration key and its values (repeatable; the first is the chart's x axis, the others "
                     "make one line each)")("out", po::value(&out_dir), "directory for the results (created)")(
      "jobs,j", po::value(&jobs), "points run at the same time (default: the host's processors)")(
      "metric", po::value(&metric),
      "the figure to chart (default inter_as.one_way_median; any figure of l4sim ipc --json)")(
      "title", po::value(&title), "the chart's title")("kernel", po::value(&o.kernel), "the microkernel")(
      "sigma0", po::value(&o.sigma0), "sigma0")("root", po::value(&o.root), "the root task")("help,h",
                                                                                             "show this help");
  o.config.add_to(desc);
  po::variables_map vm;
  if (!parse_options(desc, args, vm)) return 0;
  kernel_given = vm.count("kernel") || vm.count("sigma0") || vm.count("root");
  if (grid_specs.empty()) throw ConfigError("sweep: give at least one --grid KEY=V1,V2,...");
  if (out_dir.empty()) throw ConfigError("sweep: give --out DIR for the results");
  if (vm.count("jobs") && (jobs < 1 || jobs > 256)) throw ConfigError("--jobs must be between 1 and 256");
  if (!jobs) jobs = std::max(1u, std::thread::hardware_concurrency());

  std::vector<Grid> grids;
  for (const std::string& s : grid_specs) {
    grids.push_back(parse_grid(s));
    for (size_t i = 0; i + 1 < grids.size(); ++i)
      if (grids[i].key == grids.back().key) throw ConfigError("sweep: --grid " + grids.back().key + " given twice");
  }
  size_t n_points = 1;
  for (const Grid& g : grids) {
    n_points *= g.values.size();
    if (n_points > kMaxPoints) throw ConfigError(fmt::format("sweep: more than {} points", kMaxPoints));
  }

  // Every point's configuration is built and validated before anything runs,
  // so an impossible combination is reported up front, by name.
  std::vector<std::vector<std::string>> points;
  for (size_t p = 0; p < n_points; ++p) {
    std::vector<std::string> values(grids.size());
    size_t rest = p;
    for (size_t i = grids.size(); i-- > 0;) {
      values[i] = grids[i].values[rest % grids[i].values.size()];
      rest /= grids[i].values.size();
    }
    std::vector<std::string> sets;
    for (size_t i = 0; i < grids.size(); ++i) sets.push_back(grids[i].key + "=" + values[i]);
    try {
      ConfigOptions c = o.config;
      c.sets.insert(c.sets.end(), sets.begin(), sets.end());
      check_benchmark_config(c.build());
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("sweep point {}: {}", point_label(grids, values), e.what()));
    }
    points.push_back(std::move(values));
  }
  {
    // The metric must be a figure the benchmark reports.
    IpcBenchmark none;
    bool known = false;
    std::string names;
    for (const auto& [name, v] : headline_figures(none)) {
      known |= name == metric;
      names += (names.empty() ? "" : ", ") + name;
    }
    if (!known) throw ConfigError(fmt::format("sweep: unknown --metric '{}' (one of {})", metric, names));
  }

  const fs::path dir(out_dir), pdir = dir / "points";
  std::error_code ec;
  fs::create_directories(pdir, ec);
  if (ec) throw ConfigError(fmt::format("sweep: cannot create '{}': {}", pdir.string(), ec.message()));
  // Each point runs this very binary.
  const std::string self = fs::canonical("/proc/self/exe", ec).string();
  if (ec) throw std::runtime_error("sweep: cannot find the l4sim binary: " + ec.message());

  const bool tty = isatty(2);
  std::cerr << fmt::format("l4sim sweep: {} points, {} at a time, results in {}\n", n_points, jobs, dir.string());
  std::vector<int> status(n_points, -1);
  std::vector<Child> running;
  size_t next = 0, done = 0;
  auto files = [&](size_t p, const char* ext) { return (pdir / fmt::format("{:04}.{}", p, ext)).string(); };
  while (done < n_points) {
    while (running.size() < jobs && next < n_points) {
      std::vector<std::string> argv{self, "ipc", "--no-listing", "--json", files(next, "json"), "--cpu", o.config.cpu};
      for (const std::string& f : o.config.files) argv.insert(argv.end(), {"--config", f});
      for (const std::string& s : o.config.sets) argv.insert(argv.end(), {"--set", s});
      for (size_t i = 0; i < grids.size(); ++i)
        argv.insert(argv.end(), {"--set", grids[i].key + "=" + points[next][i]});
      if (kernel_given) argv.insert(argv.end(), {"--kernel", o.kernel, "--sigma0", o.sigma0, "--root", o.root});
      fs::remove(files(next, "json"), ec);
      pid_t pid;
      try {
        pid = spawn(argv, files(next, "txt"), files(next, "log"));
      } catch (...) {
        // Leave no orphans: stop and reap the points already running.
        for (const Child& c : running) kill(c.pid, SIGTERM);
        for (const Child& c : running) waitpid(c.pid, nullptr, 0);
        throw;
      }
      running.push_back(Child{pid, next});
      ++next;
    }
    int ws = 0;
    const pid_t pid = waitpid(-1, &ws, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("sweep: waitpid: {}", std::strerror(errno)));
    }
    auto it = std::find_if(running.begin(), running.end(), [pid](const Child& c) { return c.pid == pid; });
    if (it == running.end()) continue;
    const size_t p = it->point;
    running.erase(it);
    status[p] = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    ++done;
    std::string what = status[p] == 0 ? "" : fmt::format(" FAILED ({})", first_line(files(p, "log")));
    if (status[p] == 0) {
      std::ifstream f(files(p, "json"));
      try {
        const nlohmann::json j = nlohmann::json::parse(f);
        what = fmt::format(": {} = {}", metric, j.at("figures").at(metric).get<double>());
      } catch (const std::exception&) {
        what = " (no figures)";
      }
    }
    const std::string line = fmt::format("[{}/{}] {}{}", done, n_points, point_label(grids, points[p]), what);
    if (tty)
      std::cerr << "\r\033[K" << line << (done == n_points ? "\n" : "") << std::flush;
    else
      std::cerr << line << "\n";
  }

  // Collect every point's figures.
  SweepResult r;
  r.title = title.empty() ? fmt::format("{} vs {}", metric, grids[0].key) : title;
  r.version = version;
  for (const Grid& g : grids) {
    r.grid_keys.push_back(g.key);
    r.grid_values.push_back(g.values);
  }
  {
    IpcBenchmark none;
    for (const auto& [name, v] : headline_figures(none)) r.figure_names.push_back(name);
  }
  r.base_config = config_json(o.config.build());
  size_t failed = 0;
  for (size_t p = 0; p < n_points; ++p) {
    SweepPoint sp;
    sp.values = points[p];
    nlohmann::json j;
    if (status[p] == 0) {
      try {
        std::ifstream f(files(p, "json"));
        j = nlohmann::json::parse(f);
        for (const std::string& name : r.figure_names) sp.figures.push_back(j.at("figures").at(name).get<double>());
      } catch (const std::exception& e) {
        sp.ok = false;
        sp.error = fmt::format("unreadable results {}: {}", files(p, "json"), e.what());
      }
    } else {
      sp.ok = false;
      sp.error = fmt::format("l4sim ipc exited with status {}: {} (see {})", status[p], first_line(files(p, "log")),
                             files(p, "log"));
    }
    failed += !sp.ok;
    r.points.push_back(std::move(sp));
  }
  // The published 486-DX50 figures (REFERENCE.md): L4's measured one-way IPC
  // and the analysis' lower bound.
  const std::vector<SweepReference> refs{{"L4: 250", published::kL4}, {"bound: 172", published::kLowerBound}};
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream f(dir / name);
    if (!f) throw ConfigError(fmt::format("sweep: cannot write '{}'", (dir / name).string()));
    f << text;
  };
  write("results.csv", sweep_csv(r));
  write("results.json", sweep_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  // The published lines are inter-address-space one-way IPC figures.
  const bool cycles_metric = metric.rfind("inter_as.one_way_", 0) == 0;
  write("chart.svg", sweep_svg(r, metric, cycles_metric ? refs : std::vector<SweepReference>{}));
  write("chart.html", sweep_html(r, metric, cycles_metric ? refs : std::vector<SweepReference>{}));
  std::cout << fmt::format("l4sim sweep: {} points ({} failed); {}/results.csv, results.json, chart.svg, chart.html\n",
                           n_points, failed, dir.string());
  return failed ? 1 : 0;
}

}  // namespace l4sim
