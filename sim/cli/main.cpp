// l4sim command-line front end.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "cli/bench_command.hpp"
#include "cli/check_command.hpp"
#include "cli/config_command.hpp"
#include "cli/ipc_command.hpp"
#include "cli/run_command.hpp"
#include "cli/sweep_command.hpp"
#include "common/error.hpp"
#include "l4sim_version.hpp"

namespace po = boost::program_options;
using namespace l4sim;

namespace {

constexpr const char* kVersion = L4SIM_GIT_VERSION;

void usage(std::ostream& o) {
  o << "usage: l4sim <command> [options]\n\n"
       "commands:\n"
       "  run       run a guest image (see l4sim run --help)\n"
       "  ipc       per-IPC cycles of the real kernel, decomposed as in the published analysis\n"
       "  check     compare the kernel's measured paths with the cycle budgets (traces/budgets.json)\n"
       "  sweep     run the IPC benchmark over a grid of configurations (CSV, JSON, chart)\n"
       "  bench     how fast the simulator runs, optionally against QEMU\n"
       "  config    show the effective configuration, the keys and the presets\n"
       "  version   print the l4sim version\n";
}

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("l4sim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  try {
    if (cmd == "run") return run_command(args, kVersion);
    if (cmd == "config") return config_command(args);
    if (cmd == "ipc" || cmd == "check" || cmd == "sweep" || cmd == "bench") {
      // Default images sit next to the l4sim binary in the build tree.
      std::error_code ec;
      const auto self = std::filesystem::canonical("/proc/self/exe", ec);
      const std::string dir = ec ? std::string(".") : self.parent_path().string();
      if (cmd == "sweep") return sweep_command(args, kVersion, dir);
      if (cmd == "bench") return bench_command(args, kVersion, dir);
      return cmd == "ipc" ? ipc_command(args, kVersion, dir) : check_command(args, kVersion, dir);
    }
    if (cmd == "version" || cmd == "--version") {
      std::cout << "l4sim " << kVersion << "\n";
      return 0;
    }
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      usage(std::cout);
      return 0;
    }
    std::cerr << "l4sim: unknown command '" << cmd << "'\n";
    usage(std::cerr);
    return 2;
  } catch (const po::error& e) {
    std::cerr << "l4sim " << cmd << ": " << e.what() << "\n";
    return 2;
  } catch (const std::runtime_error& e) {
    // ConfigError, ElfError, MultibootError: bad input, reported before the run.
    std::cerr << "l4sim: " << e.what() << "\n";
    return 2;
  }
}
