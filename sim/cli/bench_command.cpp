#include "cli/bench_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/host_process.hpp"
#include "cli/options.hpp"
#include "common/error.hpp"
#include "common/types.hpp"
#include "report/bench_report.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace l4sim {

namespace {

// The compute loop: mov ecx,0; 1: inc ecx; cmp ecx,100000000; jne 1b; hlt
// (300,000,002 instructions; the CPU halts with interrupts off).
const u8 kComputeLoop[] = {0xb9, 0x00, 0x00, 0x00, 0x00, 0x41, 0x81, 0xf9, 0x00, 0xe1, 0xf5, 0x05, 0x75, 0xf7, 0xf4};
constexpr u64 kComputeInsns = 300'000'002;

struct Images {
  std::string kernel, sigma0, root, root_bench, exit_kernel;
};

// A workload: how l4sim boots it, how QEMU boots it (empty: not for QEMU), and
// what proves that a run did the work (exit status and a serial line).
struct Workload {
  std::string name;
  std::vector<std::string> l4sim_args;
  std::vector<std::string> qemu_args;
  int l4sim_status;  // the expected process status
  std::string serial_mark;
};

// An engine: l4sim in a mode, or QEMU.
struct Engine {
  std::string name;
  std::vector<std::string> args;  // l4sim: mode options; QEMU: empty
  bool qemu = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t c = s.find(',', start);
    out.push_back(s.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void require_file(const std::string& path, const char* what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw ConfigError(fmt::format("bench: {} '{}' is not a file", what, path));
}

std::vector<std::string> kernel_args(const Images& im, const std::string& root) {
  return {"--kernel", im.kernel, "--module", im.sigma0, "--module", root};
}
std::vector<std::string> qemu_kernel_args(const Images& im, const std::string& root, const char* mem) {
  return {"-kernel", im.kernel, "-initrd", im.sigma0 + "," + root, "-m", mem};
}

// One timed run; the result's instructions and cycles come from l4sim's JSON.
struct Measured {
  BenchSample sample;
  u64 instructions = 0, cycles = 0, cpu_hz = 0;
};

Measured run_once(const std::string& l4sim, const std::string& qemu, const Workload& w, const Engine& e,
                  const std::string& tmp) {
  const std::string serial = tmp + "/serial", json = tmp + "/run.json", err = tmp + "/stderr";
  fs::remove(serial);
  fs::remove(json);
  std::vector<std::string> argv;
  if (e.qemu) {
    argv = {qemu,
            "-accel",
            "tcg",
            "-cpu",
            "486",
            "-display",
            "none",
            "-nodefaults",
            "-no-reboot",
            "-serial",
            "file:" + serial,
            "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04"};
    argv.insert(argv.end(), w.qemu_args.begin(), w.qemu_args.end());
  } else {
    argv = {l4sim, "run"};
    argv.insert(argv.end(), w.l4sim_args.begin(), w.l4sim_args.end());
    argv.insert(argv.end(), e.args.begin(), e.args.end());
    argv.insert(argv.end(), {"--serial", serial, "--console", "/dev/null", "--json", json});
  }
  const ProcessResult p = run_process(argv, "/dev/null", err);
  // QEMU reports the guest's exit like l4sim does: (value << 1) | 1.
  if (p.exit_status != w.l4sim_status)
    throw std::runtime_error(fmt::format("bench: {} on {} exited with status {} (expected {}):\n{}", w.name, e.name,
                                         p.exit_status, w.l4sim_status, read_text(err)));
  if (!w.serial_mark.empty() && read_text(serial).find(w.serial_mark) == std::string::npos)
    throw std::runtime_error(
        fmt::format("bench: {} on {} did not print '{}': the workload did not run", w.name, e.name, w.serial_mark));
  Measured m;
  m.sample = BenchSample{p.wall_seconds, p.cpu_seconds};
  if (!e.qemu) {
    const nlohmann::json j = nlohmann::json::parse(read_text(json));
    m.instructions = j.at("instructions").get<u64>();
    m.cycles = j.at("cycles").get<u64>();
    m.cpu_hz = j.at("config").at("cpu_hz").get<u64>();
  }
  return m;
}

}  // namespace

int bench_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir) {
  Images im{self_dir + "/kernel/kernel.elf", self_dir + "/guest/sigma0.elf", self_dir + "/guest/root.elf",
            self_dir + "/guest/root_bench.elf", self_dir + "/guest/exit.elf"};
  std::string l4sim = self_dir + "/l4sim", qemu, json_out, workload_list = "startup,compute,kernel,pingpong",
              mode_list = "functional,i486";
  unsigned runs = 3;
  po::options_description desc(
      "l4sim bench [options]: simulation speed on fixed workloads (a benchmark: figures depend on the host)");
  desc.add_options()("workloads", po::value(&workload_list),
                     "comma-separated: startup (a kernel that exits at once, 16 MB and 256 MB), compute (a 300 M "
                     "instruction loop), kernel (the microkernel's in-guest tests), pingpong (over 100 M instructions "
                     "of inter-address-space IPC); default all")(
      "modes", po::value(&mode_list),
      "comma-separated l4sim modes: functional (timing off), i486 (the 486-DX50 model); "
      "default all")("runs", po::value(&runs), "runs per workload and engine (default 3)")(
      "qemu", po::value(&qemu)->implicit_value("qemu-system-i386"),
      "also run the kernel workloads in QEMU (TCG), interleaved with l4sim's runs (optionally the QEMU binary)")(
      "l4sim", po::value(&l4sim), "the l4sim binary to measure (default: this one; compare builds)")(
      "kernel", po::value(&im.kernel), "the microkernel (default: next to l4sim)")(
      "sigma0", po::value(&im.sigma0), "sigma0")("root", po::value(&im.root), "the root task with the in-guest tests")(
      "root-bench", po::value(&im.root_bench), "the root task with the long ping-pong (guest/root_bench.elf)")(
      "exit-kernel", po::value(&im.exit_kernel), "the kernel that exits at once (guest/exit.elf)")(
      "json", po::value(&json_out), "also write the figures as JSON to this file")("help,h", "show this help");
  po::variables_map vm;
  if (!parse_options(desc, args, vm)) return 0;
  if (runs < 1 || runs > 100) throw ConfigError("bench: --runs must be between 1 and 100");

  std::vector<Engine> engines;
  for (const std::string& m : split_list(mode_list)) {
    if (m == "functional")
      engines.push_back(Engine{"l4sim functional", {"--timing", "off"}});
    else if (m == "i486")
      engines.push_back(Engine{"l4sim i486", {"--cpu", "i486dx50", "--timing", "on"}});
    else
      throw ConfigError(fmt::format("bench: unknown mode '{}' (expected functional or i486)", m));
  }
  const bool with_qemu = vm.count("qemu") > 0;
  if (with_qemu) engines.push_back(Engine{"qemu tcg", {}, true});

  std::vector<Workload> workloads;
  const char* pp_mark = "pingpong inter-AS: ";
  for (const std::string& w : split_list(workload_list)) {
    if (w == "startup") {
      workloads.push_back(
          Workload{"startup-16M", {"--kernel", im.exit_kernel}, {"-kernel", im.exit_kernel, "-m", "16"}, 1, ""});
      workloads.push_back(Workload{"startup-256M",
                                   {"--kernel", im.exit_kernel, "--memory", "256"},
                                   {"-kernel", im.exit_kernel, "-m", "256"},
                                   1,
                                   ""});
    } else if (w == "compute") {
      workloads.push_back(Workload{"compute", {"--raw", "@LOOP"}, {}, 0, ""});
    } else if (w == "kernel") {
      workloads.push_back(Workload{"kernel", kernel_args(im, im.root), qemu_kernel_args(im, im.root, "16"), 1, "PASS"});
    } else if (w == "pingpong") {
      workloads.push_back(
          Workload{"pingpong", kernel_args(im, im.root_bench), qemu_kernel_args(im, im.root_bench, "16"), 1, pp_mark});
    } else {
      throw ConfigError(fmt::format("bench: unknown workload '{}' (expected startup, compute, kernel or pingpong)", w));
    }
  }
  require_file(l4sim, "l4sim binary");
  for (const auto& [path, what] : {std::pair{im.kernel, "kernel"},
                                   {im.sigma0, "sigma0"},
                                   {im.root, "root task"},
                                   {im.root_bench, "root-bench task"},
                                   {im.exit_kernel, "exit kernel"}})
    require_file(path, what);

  // A scratch directory for the compute image, serial output and JSON.
  std::string tmp = (fs::temp_directory_path() / fmt::format("l4sim-bench-{}", getpid())).string();
  fs::create_directories(tmp);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmp};
  {
    std::ofstream f(tmp + "/loop.bin", std::ios::binary);
    f.write(reinterpret_cast<const char*>(kComputeLoop), sizeof kComputeLoop);
  }
  for (Workload& w : workloads)
    for (std::string& a : w.l4sim_args)
      if (a == "@LOOP") a = tmp + "/loop.bin";

  // Rows in workload order, engines interleaved run by run so that a change in
  // the host's load touches every engine alike.
  std::vector<BenchRow> rows;
  std::vector<std::pair<const Workload*, const Engine*>> cells;
  for (const Workload& w : workloads)
    for (const Engine& e : engines) {
      if (e.qemu && w.qemu_args.empty()) continue;
      cells.emplace_back(&w, &e);
      rows.push_back(BenchRow{w.name, e.name});
    }
  const bool tty = isatty(STDERR_FILENO);
  for (unsigned run = 0; run < runs; ++run)
    for (size_t i = 0; i < cells.size(); ++i) {
      const auto [w, e] = cells[i];
      if (tty)
        std::cerr << fmt::format("\rbench: run {}/{}: {} on {}\033[K", run + 1, runs, w->name, e->name) << std::flush;
      const Measured m = run_once(l4sim, qemu, *w, *e, tmp);
      BenchRow& r = rows[i];
      if (!e->qemu) {
        const u64 cycles = e->args[1] == "off" ? 0 : m.cycles;  // functional: one per step, not a figure
        if (run > 0 && (m.instructions != r.instructions || cycles != r.cycles))
          throw std::runtime_error(
              fmt::format("bench: {} on {} was not deterministic: {} instructions and {} cycles, then {} and {}",
                          w->name, e->name, r.instructions, r.cycles, m.instructions, cycles));
        r.instructions = m.instructions;
        r.cycles = cycles;
        r.cpu_hz = m.cpu_hz;
      }
      r.samples.push_back(m.sample);
    }
  if (tty) std::cerr << "\r\033[K";

  // QEMU counts no instructions: use l4sim's functional count of the same
  // workload (the same guest code; they differ only in idle time and timer
  // interrupts). Start-up: each engine's median on the 16 MB start-up run.
  for (BenchRow& r : rows) {
    for (const BenchRow& s : rows)
      if (s.workload == "startup-16M" && s.engine == r.engine) r.startup_seconds = s.wall().median;
    if (r.engine != "qemu tcg") continue;
    for (const BenchRow& s : rows)
      if (s.workload == r.workload && s.engine != r.engine && s.instructions) {
        r.instructions = s.instructions;
        r.instructions_from_l4sim = true;
        if (s.engine == "l4sim functional") break;
      }
  }
  for (BenchRow& r : rows)
    if (r.workload.rfind("startup", 0) == 0) r.startup_seconds = 0;  // the start-up rows are the start-up
  const std::vector<BenchRatio> ratios = with_qemu ? bench_ratios(rows, "qemu tcg") : std::vector<BenchRatio>{};

  std::cout << fmt::format(
      "l4sim bench ({}), {} run(s) each; host seconds are wall-clock, \"net\" subtracts the "
      "engine's start-up\n",
      version, runs);
  std::cout << bench_table(rows, ratios);
  if (with_qemu) std::cout << "* QEMU counts no instructions: l4sim's count for the same guest code is used.\n";
  std::cout << "x real: simulated cycles per host second over the modelled clock (above 1: faster than the chip).\n";
  if (!json_out.empty()) {
    nlohmann::json j = bench_json(rows, ratios);
    j["version"] = version;
    j["runs"] = runs;
    std::ofstream f(json_out);
    f << j.dump(1) << "\n";
    if (!f) throw ConfigError(fmt::format("bench: cannot write '{}'", json_out));
  }
  return 0;
}

}  // namespace l4sim
