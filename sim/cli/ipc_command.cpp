#include "cli/ipc_command.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "cli/input_files.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"
#include "cpu486/disasm.hpp"
#include "machine/machine.hpp"
#include "report/ipc_report.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace l4sim {

namespace {

constexpr const char* kBuildHint = " (build the project first: make)";

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw ConfigError("cannot open trace '" + path + "'");
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Feeds every step, with its cycles and their causes, to the IPC probe.
class ProbeAdapter : public InsnObserver {
 public:
  ProbeAdapter(Machine& m, IpcProbe& p) : m_(m), p_(p), timing_(dynamic_cast<const I486Timing*>(m.timing())) {}
  void on_step(const InsnEvent& ev) override {
    p_.on_step(ev, m_.clock().now(), m_.last_step_cycles(), timing_->last());
  }

 private:
  Machine& m_;
  IpcProbe& p_;
  const I486Timing* timing_;
};

std::string step_text(const InsnEvent& ev) {
  if (ev.vector >= 0 && !ev.software_interrupt)
    return fmt::format("<{} {:#x}>", ev.external_interrupt ? "interrupt" : "exception", ev.vector);
  return ev.insn ? disassemble(*ev.insn, ev.eip) : "<no instruction>";
}

}  // namespace

int ipc_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir) {
  std::string kernel = self_dir + "/kernel/kernel.elf", sigma0 = self_dir + "/guest/sigma0.elf",
              root = self_dir + "/guest/root.elf";
  std::string cpu = "i486dx50", json_path, diff_trace, write_trace, log_level = "warn";
  u32 memory_mb = 16;
  u32 vector = 0x30;
  bool no_listing = false;
  po::options_description desc("l4sim ipc [options]");
  desc.add_options()("kernel", po::value(&kernel), "the microkernel (default: next to l4sim, kernel/kernel.elf)")(
      "sigma0", po::value(&sigma0), "sigma0 (default: guest/sigma0.elf next to l4sim)")(
      "root", po::value(&root), "the root task with the ping-pong benchmark (default: guest/root.elf)")(
      "cpu", po::value(&cpu), "CPU model: i486dx50 (the only one with a timing model so far)")(
      "memory", po::value(&memory_mb), "physical memory in MB (default 16)")(
      "ipc-vector", po::value(&vector), "the kernel's IPC trap vector (default 0x30 = 48)")(
      "json", po::value(&json_path), "write the figures as JSON to this file")(
      "diff-trace", po::value(&diff_trace),
      "compare the warm IPC listings with reference traces: a directory holding <cpu>-inter.trace and "
      "<cpu>-intra.trace (e.g. traces/)")("write-trace", po::value(&write_trace),
                                          "write the listings as reference traces into this directory")(
      "no-listing", po::bool_switch(&no_listing), "do not print the annotated listings")(
      "log-level,v", po::value(&log_level), "diagnostics on stderr")("help,h", "show this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }
  po::notify(vm);
  spdlog::set_level(parse_log_level(log_level));
  if (vector > 255) throw ConfigError("--ipc-vector must be 0..255");

  MachineConfig mc;
  mc.memory_bytes = memory_mb << 20;
  mc.cpu.model = parse_cpu_model(cpu);
  if (mc.cpu.model != CpuModel::kI486DX)
    throw ConfigError("l4sim ipc needs a timing model: only i486dx50 has one so far");
  mc.timing = MachineConfig::Timing::kOn;
  std::string serial;
  Machine m(mc, MachineIo{[&serial](u8 c) { serial.push_back(static_cast<char>(c)); }, {}, {}});
  std::vector<BootModule> mods{{sigma0, "", read_input_file(sigma0, "sigma0", kBuildHint)}, {root, "", read_input_file(root, "root task", kBuildHint)}};
  m.boot_multiboot(kernel, read_input_file(kernel, "kernel", kBuildHint), "", mods);

  IpcProbe probe(
      static_cast<u8>(vector), [&m] { return m.cpu().state().cr3; }, step_text);
  probe.set_capture(true);
  probe.set_tlb_occupancy([&m] { return m.cpu().tlb().valid_entries(); });
  ProbeAdapter adapter(m, probe);
  m.add_observer(&adapter);
  std::vector<RegionSpec> regions;
  const auto b = m.find_symbol("pingpong_loop_begin"), e = m.find_symbol("pingpong_loop_end");
  if (!b || !e) throw ConfigError("the root task has no pingpong_loop_begin/end symbols");
  regions.push_back(RegionSpec{"pingpong", *b, *e});
  m.set_regions(regions);
  const RunResult r = m.run(RunLimits{1'000'000'000, 10'000'000'000});
  if (r.reason != ExitReason::kGuestExit || r.guest_status != 1) {
    std::cerr << serial;
    throw std::runtime_error(fmt::format("the benchmark did not pass: {} (status {}) {}", exit_reason_name(r.reason),
                                         r.guest_status, r.message));
  }
  // The root task runs the loop four times: inter-address-space warm-up and
  // measured, intra-address-space warm-up and measured.
  const auto& inst = m.regions().instances();
  if (inst.size() < 4) throw std::runtime_error("the ping-pong benchmark did not run its four loops");
  auto in = [](const IpcRecord& rec, const RegionInstance& ri) {
    return rec.complete && rec.start_cycle >= ri.start_cycle && rec.start_cycle < ri.start_cycle + ri.cycles;
  };
  auto scenario = [&](const char* name, const RegionInstance& warmup, const RegionInstance& measured) {
    std::vector<const IpcRecord*> warm;
    const IpcRecord* cold = nullptr;
    for (const IpcRecord& rec : probe.records()) {
      if (in(rec, measured)) warm.push_back(&rec);
      if (!cold && in(rec, warmup)) cold = &rec;
    }
    return summarize(name, std::move(warm), cold);
  };
  const IpcScenario inter = scenario("inter_as", inst[0], inst[1]);
  const IpcScenario intra = scenario("intra_as", inst[2], inst[3]);
  const double mhz = double(m.config().cpu_hz) / 1e6;
  auto describe = [&m](u32 a) { return m.describe(a); };

  std::cout << fmt::format("l4sim ipc: {} at {:.0f} MHz, kernel {} (l4sim {})\n\n", cpu, mhz, kernel, version);
  std::cout << format_report(inter, mhz, true) << "\n" << format_report(intra, mhz, false);
  const std::string inter_listing = inter.example ? format_listing(*inter.example, describe) : "";
  const std::string intra_listing = intra.example ? format_listing(*intra.example, describe) : "";
  if (!no_listing) {
    std::cout << fmt::format("\none warm inter-address-space IPC ({} cycles), trap to receiver:\n",
                             inter.example ? inter.example->cycles : 0)
              << inter_listing;
    std::cout << fmt::format("\none warm intra-address-space IPC ({} cycles), trap to receiver:\n",
                             intra.example ? intra.example->cycles : 0)
              << intra_listing;
  }
  if (!write_trace.empty()) {
    fs::create_directories(write_trace);
    for (auto [suffix, text] : {std::pair{"inter", &inter_listing}, std::pair{"intra", &intra_listing}}) {
      const std::string path = fmt::format("{}/{}-{}.trace", write_trace, cpu, suffix);
      std::ofstream f(path);
      if (!f) throw ConfigError("cannot write '" + path + "'");
      f << *text;
    }
  }
  u32 total_changes = 0;
  if (!diff_trace.empty()) {
    for (auto [suffix, text] : {std::pair{"inter", &inter_listing}, std::pair{"intra", &intra_listing}}) {
      const std::string path = fmt::format("{}/{}-{}.trace", diff_trace, cpu, suffix);
      u32 changes = 0;
      const std::string d = diff_listing(read_text(path), *text, &changes);
      total_changes += changes;
      std::cout << fmt::format("\ntrace diff against {}: {}\n{}", path,
                               changes ? fmt::format("{} lines differ", changes) : "identical", d);
    }
  }
  if (!json_path.empty()) {
    nlohmann::json j;
    j["inter_as"] = report_json(inter, mhz);
    j["intra_as"] = report_json(intra, mhz);
    j["published"] = {{"entry_exit", published::kEntryExit},
                      {"lower_bound", published::kLowerBound},
                      {"l4_measured", published::kL4},
                      {"tlb_misses", published::kTlbMisses},
                      {"tlb_miss_cost", published::kTlbMissCost}};
    j["config"] = {{"cpu", cpu}, {"cpu_hz", m.config().cpu_hz}, {"memory_mb", memory_mb}, {"kernel", kernel}};
    j["version"] = version;
    j["trace_diff_lines"] = total_changes;
    std::ofstream f(json_path);
    if (!f) throw ConfigError("cannot write '" + json_path + "'");
    f << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace l4sim
