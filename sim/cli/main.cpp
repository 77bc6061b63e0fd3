// l4sim command-line front end.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/parse.hpp"
#include "common/error.hpp"
#include "machine/machine.hpp"

namespace po = boost::program_options;
using namespace l4sim;

namespace {

constexpr const char* kVersion = L4SIM_GIT_VERSION;

void usage(std::ostream& o) {
  o << "usage: l4sim <command> [options]\n\n"
       "commands:\n"
       "  run       run a guest image (see l4sim run --help)\n"
       "  version   print the l4sim version\n";
}

std::vector<u8> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConfigError("cannot open '" + path + "'");
  std::vector<u8> v((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (v.empty()) throw ConfigError("'" + path + "' is empty");
  return v;
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description desc("l4sim run options");
  std::string raw, mode = "flat32", cpu = "i486dx50", json_path, console_path, log_level = "warn";
  std::string load_addr_s = "0x100000", entry_s;
  u64 max_insns = 100'000'000;
  u32 memory_mb = 16;
  desc.add_options()("help,h", "show this help")("raw", po::value(&raw)->required(),
                                                 "flat binary image to load and run")(
      "load-addr", po::value(&load_addr_s), "physical load address of the image (default 0x100000)")(
      "entry", po::value(&entry_s), "entry point (default: the load address; real mode: CS:IP = addr>>4:addr&15)")(
      "mode", po::value(&mode), "start mode: flat32 (ring 0, flat segments, paging off) or real")(
      "cpu", po::value(&cpu), "CPU model: i486dx50 (default) or pentium")("memory", po::value(&memory_mb),
                                                                          "physical memory in MB (default 16)")(
      "max-insns", po::value(&max_insns), "stop after this many instructions (default 100000000)")(
      "console", po::value(&console_path), "write port 0xE9 console output to this file instead of stdout")(
      "json", po::value(&json_path), "write a JSON summary of the run to this file")(
      "log-level,v", po::value(&log_level), "diagnostics level: trace, debug, info, warn (default), error");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  po::notify(vm);
  spdlog::set_level(parse_log_level(log_level));

  MachineConfig mc;
  if (memory_mb < 1 || memory_mb > 3072) throw ConfigError("--memory must be between 1 and 3072 MB");
  mc.memory_bytes = memory_mb << 20;
  mc.cpu.model = parse_cpu_model(cpu);
  if (mode != "flat32" && mode != "real") throw ConfigError("--mode must be flat32 or real, not '" + mode + "'");
  const u32 load_addr = parse_u32(load_addr_s, "--load-addr");
  const u32 entry = entry_s.empty() ? load_addr : parse_u32(entry_s, "--entry");

  FILE* console = stdout;
  if (!console_path.empty()) {
    console = std::fopen(console_path.c_str(), "wb");
    if (!console) throw ConfigError("cannot write '" + console_path + "'");
  }
  Machine m(mc, [console](char c) { std::fputc(c, console); });
  m.load_flat(read_file(raw), load_addr);
  if (mode == "real") {
    if (entry >= 0x100000) throw ConfigError("--entry must be below 1 MB in real mode");
    m.start_real(static_cast<u16>(entry >> 4), static_cast<u16>(entry & 15));
  } else {
    m.start_flat32(entry);
  }
  const RunResult r = m.run(max_insns);
  std::fflush(console);
  if (console != stdout) std::fclose(console);

  const int status = process_exit_status(r);
  std::cerr << "l4sim: " << exit_reason_name(r.reason) << " after " << r.instructions << " instructions";
  if (r.reason == ExitReason::kGuestExit) std::cerr << " (guest status " << r.guest_status << ")";
  std::cerr << "\n";
  if (!r.message.empty() && r.reason != ExitReason::kGuestExit) std::cerr << r.message << "\n";

  if (!json_path.empty()) {
    nlohmann::json j;
    j["exit_reason"] = exit_reason_name(r.reason);
    j["exit_status"] = status;
    j["guest_status"] = r.guest_status;
    j["instructions"] = r.instructions;
    // Until the timing model lands one instruction counts as one cycle.
    j["cycles"] = r.instructions;
    j["config"] = {{"cpu", cpu}, {"memory_mb", memory_mb}, {"mode", mode}, {"max_insns", max_insns}};
    j["version"] = kVersion;
    std::ofstream f(json_path);
    if (!f) throw ConfigError("cannot write '" + json_path + "'");
    f << j.dump(2) << "\n";
  }
  return status;
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
    if (cmd == "run") return cmd_run(args);
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
  } catch (const ConfigError& e) {
    std::cerr << "l4sim: " << e.what() << "\n";
    return 2;
  }
}
