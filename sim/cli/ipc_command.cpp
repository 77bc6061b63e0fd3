#include "cli/ipc_command.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <tuple>

#include "cli/input_files.hpp"
#include "cli/options.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"
#include "config/config_keys.hpp"
#include "config/presets.hpp"
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

// Feeds every step, with its cycles and their causes, to the probes.
class ProbeAdapter : public InsnObserver {
 public:
  ProbeAdapter(Machine& m, IpcProbe& p, PageFaultProbe& f)
      : m_(m), p_(p), f_(f), timing_(dynamic_cast<const I486Timing*>(m.timing())) {}
  void on_step(const InsnEvent& ev) override {
    p_.on_step(ev, m_.clock().now(), m_.last_step_cycles(), timing_->last());
    f_.on_step(ev, m_.clock().now(), m_.last_step_cycles(), timing_->last());
  }

 private:
  Machine& m_;
  IpcProbe& p_;
  PageFaultProbe& f_;
  const I486Timing* timing_;
};

// The complete records that started in the measured region instance (warm),
// and the first that started in the warm-up instance (cold).
template <class Record>
std::pair<std::vector<const Record*>, const Record*> warm_and_cold(const std::vector<Record>& records,
                                                                   const RegionInstance& warmup,
                                                                   const RegionInstance& measured) {
  auto in = [](const Record& rec, const RegionInstance& ri) {
    return rec.complete && rec.start_cycle >= ri.start_cycle && rec.start_cycle < ri.start_cycle + ri.cycles;
  };
  std::vector<const Record*> warm;
  const Record* cold = nullptr;
  for (const Record& rec : records) {
    if (in(rec, measured)) warm.push_back(&rec);
    if (!cold && in(rec, warmup)) cold = &rec;
  }
  return {std::move(warm), cold};
}

std::string step_text(const InsnEvent& ev) {
  if (ev.vector >= 0 && !ev.software_interrupt)
    return fmt::format("<{} {:#x}>", ev.external_interrupt ? "interrupt" : "exception", ev.vector);
  return ev.insn ? disassemble(*ev.insn, ev.eip) : "<no instruction>";
}

}  // namespace

void check_benchmark_config(const MachineConfig& mc) {
  if (mc.cpu.model != CpuModel::kI486DX)
    throw ConfigError("l4sim ipc needs a timing model: only the i486 (cpu.model=i486) has one so far");
  if (mc.timing == MachineConfig::Timing::kOff)
    throw ConfigError("l4sim ipc measures cycles: it cannot run with cpu.timing=off");
  // The root task's tests take sigma0's frames at 8 MB and up, which must lie
  // below the kernel's pool at the top of memory.
  if (mc.memory_bytes < (12u << 20))
    throw ConfigError(fmt::format("l4sim ipc: the benchmark's root task needs memory.size of at least 12M (got {}M)",
                                  mc.memory_bytes >> 20));
}

IpcBenchmark run_ipc_benchmark(const IpcRunOptions& o) {
  IpcBenchmark b;
  MachineConfig mc = o.config.build();
  check_benchmark_config(mc);
  mc.timing = MachineConfig::Timing::kOn;
  b.preset = preset_name(o.config.cpu);
  b.machine =
      std::make_unique<Machine>(mc, MachineIo{[&b](u8 c) { b.serial.push_back(static_cast<char>(c)); }, {}, {}});
  Machine& m = *b.machine;
  std::vector<BootModule> mods{{o.sigma0, "", read_input_file(o.sigma0, "sigma0", kBuildHint)},
                               {o.root, "", read_input_file(o.root, "root task", kBuildHint)}};
  // A tagged TLB keeps every address space's entries, so the kernel must
  // invalidate pages of spaces that are not loaded: its boot option says so.
  const std::string cmdline = mc.cpu.tlb.tagged ? "tagged-tlb" : "";
  m.boot_multiboot(o.kernel, read_input_file(o.kernel, "kernel", kBuildHint), cmdline, mods);

  b.probe = std::make_unique<IpcProbe>(
      static_cast<u8>(o.vector), [&m] { return m.cpu().state().cr3; }, step_text);
  IpcProbe& probe = *b.probe;
  probe.set_capture(true);
  probe.set_tlb_occupancy([&m] { return m.cpu().tlb_valid_entries(); });
  probe.set_esp_reader([&m] { return m.cpu().state().r[ESP]; });
  probe.set_fill_counter([&m] { return m.timing()->stats().line_fills; });
  const auto begin = m.find_symbol("pingpong_loop_begin"), end = m.find_symbol("pingpong_loop_end");
  if (!begin || !end) throw ConfigError("the root task has no pingpong_loop_begin/end symbols");
  const auto pf_begin = m.find_symbol("pf_loop_begin"), pf_end = m.find_symbol("pf_loop_end");
  if (!pf_begin || !pf_end) throw ConfigError("the root task has no pf_loop_begin/end symbols");
  // Only the benchmark loop's faults start records: the kernel tests before it
  // fault on purpose and never restart (see fault_probe.hpp).
  b.fault_probe = std::make_unique<PageFaultProbe>([&m] { return m.cpu().state().cr3; });
  b.fault_probe->set_eip_range(*pf_begin, *pf_end);
  ProbeAdapter adapter(m, probe, *b.fault_probe);
  m.add_observer(&adapter);
  m.set_regions({RegionSpec{"pingpong", *begin, *end}, RegionSpec{"pagefault", *pf_begin, *pf_end}});
  // The benchmark takes about 3 million instructions and 6 million cycles on
  // the i486dx50; the limits leave room for configurations 100x slower and
  // stop a guest that waits forever (it idles on timer ticks) in seconds.
  const RunResult r = m.run(RunLimits{100'000'000, 2'000'000'000});
  m.remove_observer(&adapter);
  if (r.reason != ExitReason::kGuestExit || r.guest_status != 1) {
    std::cerr << b.serial;
    throw std::runtime_error(fmt::format("the benchmark did not pass: {} (status {}) {}", exit_reason_name(r.reason),
                                         r.guest_status, r.message));
  }
  // The root task runs the ping-pong loop four times: inter-address-space
  // warm-up and measured, intra-address-space warm-up and measured; then the
  // page-fault loop twice: warm-up and measured.
  std::vector<RegionInstance> inst, pf;
  for (const RegionInstance& ri : m.regions().instances()) (ri.name == "pingpong" ? inst : pf).push_back(ri);
  if (inst.size() != 4) throw std::runtime_error("the ping-pong benchmark did not run its four loops");
  if (pf.size() != 2) throw std::runtime_error("the page-fault benchmark did not run its two rounds");
  {
    auto [warm, cold] = warm_and_cold(probe.records(), inst[0], inst[1]);
    b.inter = summarize("inter_as", std::move(warm), cold);
  }
  {
    auto [warm, cold] = warm_and_cold(probe.records(), inst[2], inst[3]);
    b.intra = summarize("intra_as", std::move(warm), cold);
  }
  {
    auto [warm, cold] = warm_and_cold(b.fault_probe->records(), pf[0], pf[1]);
    b.page_fault = summarize_faults(std::move(warm), cold);
  }
  b.mhz = double(m.config().cpu_hz) / 1e6;
  auto describe = [&m](u32 a) { return m.describe(a); };
  b.inter_listing = b.inter.example ? format_listing(*b.inter.example, describe) : "";
  b.intra_listing = b.intra.example ? format_listing(*b.intra.example, describe) : "";
  b.inter_trace = b.inter.example ? format_listing(*b.inter.example, describe, true) : "";
  b.intra_trace = b.intra.example ? format_listing(*b.intra.example, describe, true) : "";
  return b;
}

std::vector<std::pair<std::string, double>> headline_figures(const IpcBenchmark& b) {
  std::vector<std::pair<std::string, double>> f;
  for (auto [s, scenario] : {std::pair{&b.inter, "inter_as"}, std::pair{&b.intra, "intra_as"}}) {
    auto add = [&, scenario = scenario](const char* what, double v) {
      f.emplace_back(std::string(scenario) + "." + what, v);
    };
    add("one_way_median", s->median);
    add("one_way_mean", s->mean);
    add("one_way_min", double(s->min));
    add("one_way_max", double(s->max));
    add("cold", s->cold ? double(s->cold->cycles) : 0);
    add("address_space_switch", s->d.cr3_load_cycles + s->d.refill_cycle_after_switch_total());
    add("tlb_misses", s->d.tlb_misses + s->d.after_tlb_misses);
    add("cache_misses", s->d.cache_misses);
  }
  const FaultScenario& p = b.page_fault;
  f.emplace_back("page_fault.round_trip_median", p.median);
  f.emplace_back("page_fault.round_trip_mean", p.mean);
  f.emplace_back("page_fault.round_trip_min", double(p.min));
  f.emplace_back("page_fault.round_trip_max", double(p.max));
  f.emplace_back("page_fault.cold", p.cold ? double(p.cold->cycles) : 0);
  f.emplace_back("page_fault.tlb_misses", p.tlb_misses);
  return f;
}

int ipc_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir) {
  IpcRunOptions o = IpcRunOptions::defaults(self_dir);
  std::string json_path, diff_trace, write_trace, log_level = "warn";
  bool no_listing = false;
  po::options_description desc("l4sim ipc [options]");
  desc.add_options()("kernel", po::value(&o.kernel), "the microkernel (default: next to l4sim, kernel/kernel.elf)")(
      "sigma0", po::value(&o.sigma0), "sigma0 (default: guest/sigma0.elf next to l4sim)")(
      "root", po::value(&o.root), "the root task with the ping-pong benchmark (default: guest/root.elf)")(
      "ipc-vector", po::value(&o.vector), "the kernel's IPC trap vector (default 0x30 = 48)")(
      "json", po::value(&json_path), "write the figures as JSON to this file")(
      "diff-trace", po::value(&diff_trace),
      "compare the warm IPC listings with reference traces: a directory holding <cpu>-inter.trace and "
      "<cpu>-intra.trace (e.g. traces/)")("write-trace", po::value(&write_trace),
                                          "write the listings as reference traces into this directory")(
      "no-listing", po::bool_switch(&no_listing), "do not print the annotated listings")(
      "log-level,v", po::value(&log_level), "diagnostics on stderr")("help,h", "show this help");
  o.config.add_to(desc);
  po::variables_map vm;
  if (!parse_options(desc, args, vm)) return 0;
  spdlog::set_level(parse_log_level(log_level));
  if (o.vector > 255) throw ConfigError("--ipc-vector must be 0..255");
  if (!write_trace.empty() && (!o.config.files.empty() || !o.config.sets.empty()))
    throw ConfigError("--write-trace writes a preset's reference traces: not with --config or --set");

  const IpcBenchmark b = run_ipc_benchmark(o);
  const std::string& cpu = b.preset;
  const std::string& kernel = o.kernel;
  const double mhz = b.mhz;
  const IpcScenario& inter = b.inter;
  const IpcScenario& intra = b.intra;
  const std::string& inter_listing = b.inter_listing;
  const std::string& intra_listing = b.intra_listing;
  const Machine& m = *b.machine;

  std::cout << fmt::format("l4sim ipc: {} at {:g} MHz, kernel {} (l4sim {})\n", cpu, mhz, kernel, version);
  for (const std::string& f : o.config.files) std::cout << "  config " << f << "\n";
  for (const std::string& s : o.config.sets) std::cout << "  set " << s << "\n";
  std::cout << "\n";
  std::cout << format_report(inter, mhz, true) << "\n"
            << format_report(intra, mhz, false) << "\n"
            << format_fault_report(b.page_fault, mhz);
  if (!no_listing) {
    for (auto [sc, listing, what] :
         {std::tuple{&inter, &inter_listing, "inter"}, std::tuple{&intra, &intra_listing, "intra"}}) {
      if (!sc->example) continue;
      const IpcRecord& x = *sc->example;
      std::cout << fmt::format(
                       "\none warm {}-address-space IPC ({} cycles), trap to receiver; sender CR3 {:#x} kernel stack "
                       "{:#x}, receiver CR3 {:#x} kernel stack {:#x}:\n",
                       what, x.cycles, x.sender_cr3, x.sender_kstack, x.receiver_cr3, x.receiver_kstack)
                << *listing;
    }
  }
  if (!write_trace.empty()) {
    fs::create_directories(write_trace);
    for (auto [suffix, text] : {std::pair{"inter", &b.inter_trace}, std::pair{"intra", &b.intra_trace}}) {
      const std::string path = fmt::format("{}/{}-{}.trace", write_trace, cpu, suffix);
      std::ofstream f(path);
      if (!f) throw ConfigError("cannot write '" + path + "'");
      f << *text;
    }
  }
  u32 total_changes = 0;
  if (!diff_trace.empty()) {
    for (auto [suffix, text] : {std::pair{"inter", &b.inter_trace}, std::pair{"intra", &b.intra_trace}}) {
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
    j["page_fault"] = fault_report_json(b.page_fault, mhz);
    j["published"] = {{"entry_exit", published::kEntryExit},
                      {"lower_bound", published::kLowerBound},
                      {"l4_measured", published::kL4},
                      {"tlb_misses", published::kTlbMisses},
                      {"tlb_miss_cost", published::kTlbMissCost}};
    j["config"] = {{"cpu", cpu},
                   {"cpu_hz", m.config().cpu_hz},
                   {"memory_mb", m.config().memory_bytes >> 20},
                   {"kernel", kernel},
                   {"config_files", o.config.files},
                   {"set", o.config.sets},
                   {"machine", config_json(m.config())}};
    j["figures"] = nlohmann::json::object();
    for (const auto& [name, v] : headline_figures(b)) j["figures"][name] = v;
    j["version"] = version;
    j["trace_diff_lines"] = total_changes;
    std::ofstream f(json_path);
    if (!f) throw ConfigError("cannot write '" + json_path + "'");
    f << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace l4sim
