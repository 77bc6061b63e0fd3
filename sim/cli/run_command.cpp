#include "cli/run_command.hpp"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/config_options.hpp"
#include "cli/input_files.hpp"
#include "cli/options.hpp"
#include "cli/parse.hpp"
#include "common/error.hpp"
#include "config/config_keys.hpp"
#include "config/presets.hpp"
#include "machine/machine.hpp"

namespace po = boost::program_options;

namespace l4sim {

namespace {

// An output stream that is stdout or a file we own.
class OutFile {
 public:
  OutFile(const std::string& path, const char* what) {
    if (path.empty() || path == "-") return;
    f_ = std::fopen(path.c_str(), "wb");
    if (!f_) throw ConfigError(fmt::format("cannot write {} '{}'", what, path));
  }
  ~OutFile() {
    if (f_) std::fclose(f_);
  }
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  FILE* get() const { return f_ ? f_ : stdout; }

 private:
  FILE* f_ = nullptr;
};

struct RunOptions {
  std::string kernel, rom, raw, cmdline;
  std::vector<std::string> modules;
  std::string mode = "flat32", load_addr = "0x100000", entry;
  ConfigOptions config;
  double mhz = 0;
  u32 memory_mb = 0;
  u64 max_insns = 1'000'000'000;
  u64 max_cycles = 10'000'000'000;
  std::string serial, serial_in, console, screen, json, rtc_base = "2000-01-01T00:00:00";
  std::string log_level = "warn";
  std::string timing;
  bool stats = false;
  std::vector<std::string> regions;
};

po::options_description describe_options(RunOptions& o) {
  po::options_description boot("boot (exactly one)");
  boot.add_options()("kernel", po::value(&o.kernel),
                     "multiboot v1 kernel (ELF32, or a.out kludge) to boot as QEMU -kernel does")(
      "module", po::value(&o.modules)->composing(),
      "boot module for a multiboot kernel: PATH or PATH,ARGS (repeatable; page-aligned after the kernel, command line "
      "\"PATH ARGS\" as with QEMU -initrd)")(
      "cmdline", po::value(&o.cmdline),
      "kernel command line (the kernel sees \"KERNEL CMDLINE\", as with QEMU -append)")(
      "rom", po::value(&o.rom), "BIOS ROM image: reset boot in real mode at F000:FFF0")(
      "raw", po::value(&o.raw), "flat binary image (ISA tests); see --mode, --load-addr, --entry")(
      "mode", po::value(&o.mode), "--raw start mode: flat32 (ring 0, flat segments, paging off; default) or real")(
      "load-addr", po::value(&o.load_addr), "--raw physical load address (default 0x100000)")(
      "entry", po::value(&o.entry),
      "--raw entry point (default: the load address; real mode: CS:IP = addr>>4:addr&15)");
  po::options_description machine("machine");
  o.config.add_to(machine);
  machine.add_options()("mhz", po::value(&o.mhz),
                        "shorthand for --set cpu.mhz=N: the core clock in MHz (the preset's by default: 50 for "
                        "i486dx50); the PIT and RTC follow it")(
      "memory", po::value(&o.memory_mb), "shorthand for --set memory.size=NM: physical memory in MB (default 16)")(
      "rtc-base", po::value(&o.rtc_base),
      "RTC time at power-on, YYYY-MM-DDTHH:MM:SS (default 2000-01-01T00:00:00); it advances in simulated time")(
      "timing", po::value(&o.timing),
      "shorthand for --set cpu.timing=on|off: cycle-approximate timing (the i486 model; default for the i486 "
      "presets) or one cycle per instruction (default for the Pentium presets, whose model is not written yet)")(
      "region", po::value(&o.regions)->composing(),
      "time a region NAME=BEGIN:END between two symbols or addresses (repeatable); "
      "pingpong_loop_begin:pingpong_loop_end is timed as \"pingpong\" when present");
  po::options_description run("run control and output");
  run.add_options()("max-insns", po::value(&o.max_insns), "stop after this many instructions (default 1000000000)")(
      "max-cycles", po::value(&o.max_cycles), "stop after this many simulated cycles (default 10000000000)")(
      "serial", po::value(&o.serial), "COM1 output to this file (default: standard output)")(
      "serial-in", po::value(&o.serial_in), "COM1 input: bytes from this file arrive at the line rate")(
      "console", po::value(&o.console), "port 0xE9 console output to this file (default: standard output)")(
      "screen", po::value(&o.screen), "dump the VGA text screen to this file at the end of the run")(
      "json", po::value(&o.json), "write a JSON summary of the run to this file")(
      "log-level,v", po::value(&o.log_level), "diagnostics on stderr: trace, debug, info, warn (default), error, off")(
      "stats", po::bool_switch(&o.stats),
      "print the timing model's statistics: cycles by cause, cache and TLB hits and misses")("help,h",
                                                                                             "show this help");
  po::options_description all("l4sim run [options]");
  all.add(boot).add(machine).add(run);
  return all;
}

std::vector<BootModule> read_modules(const std::vector<std::string>& specs) {
  std::vector<BootModule> mods;
  for (const std::string& spec : specs) {
    BootModule m;
    const size_t comma = spec.find(',');
    m.path = spec.substr(0, comma);
    if (comma != std::string::npos) m.args = spec.substr(comma + 1);
    if (m.path.empty()) throw ConfigError("--module: empty path in '" + spec + "'");
    m.data = read_input_file(m.path, "module");
    mods.push_back(std::move(m));
  }
  return mods;
}

std::string format_stats(const TimingStats& t) {
  const CycleCauses& c = t.causes;
  auto pct = [&](u64 v) { return t.cycles ? 100.0 * double(v) / double(t.cycles) : 0.0; };
  std::string out = fmt::format("timing: {} instructions, {} cycles ({:.2f} cycles per instruction)\n", t.instructions,
                                t.cycles, t.instructions ? double(t.cycles) / double(t.instructions) : 0.0);
  for (auto [name, v] : {std::pair<const char*, u64>{"base clocks", c.base},
                         {"AGI", c.agi},
                         {"decode", c.decode},
                         {"partial register", c.partial_reg},
                         {"misaligned", c.misaligned},
                         {"branch", c.branch},
                         {"cache misses", c.cache_miss},
                         {"TLB refills", c.tlb_refill},
                         {"write buffers", c.write_buffer}})
    out += fmt::format("  {:<17} {:>12} {:5.1f}%\n", name, v, pct(v));
  auto side = [&](const char* what, const SplitCounts& s) {
    for (auto [name, x] : {std::pair<const char*, const SideCounts*>{"inst user", &s.inst_user},
                           {"inst kernel", &s.inst_kernel},
                           {"data user", &s.data_user},
                           {"data kernel", &s.data_kernel}})
      out += fmt::format("  {} {:<12} {:>12} hits {:>10} misses\n", what, name, x->hits, x->misses);
  };
  side("cache", t.cache);
  side("TLB  ", t.tlb);
  if (t.l2_hits + t.l2_misses)
    out += fmt::format("  L2 line fills       {:>12} hits {:>10} misses\n", t.l2_hits, t.l2_misses);
  if (t.writebacks) out += fmt::format("  dirty lines written back {:>7}\n", t.writebacks);
  return out;
}

nlohmann::json stats_json(const TimingStats& t) {
  auto side = [](const SplitCounts& s) {
    auto hm = [](const SideCounts& x) { return nlohmann::json{{"hits", x.hits}, {"misses", x.misses}}; };
    return nlohmann::json{{"inst_user", hm(s.inst_user)},
                          {"inst_kernel", hm(s.inst_kernel)},
                          {"data_user", hm(s.data_user)},
                          {"data_kernel", hm(s.data_kernel)}};
  };
  const CycleCauses& c = t.causes;
  return nlohmann::json{{"instructions", t.instructions},
                        {"cycles", t.cycles},
                        {"causes",
                         {{"base", c.base},
                          {"agi", c.agi},
                          {"decode", c.decode},
                          {"partial_register", c.partial_reg},
                          {"misaligned", c.misaligned},
                          {"branch", c.branch},
                          {"cache_miss", c.cache_miss},
                          {"tlb_refill", c.tlb_refill},
                          {"write_buffer", c.write_buffer}}},
                        {"cache", side(t.cache)},
                        {"tlb", side(t.tlb)},
                        {"l2", {{"hits", t.l2_hits}, {"misses", t.l2_misses}}},
                        {"writebacks", t.writebacks}};
}

// --region NAME=BEGIN:END (symbols or numbers), plus the ping-pong loop when
// the loaded images have its markers.
std::vector<RegionSpec> resolve_regions(const Machine& m, const std::vector<std::string>& specs) {
  auto addr = [&](const std::string& s) -> u32 {
    if (auto a = m.find_symbol(s)) return *a;
    try {
      return parse_u32(s, "--region");
    } catch (const ConfigError&) {
      throw ConfigError("--region: '" + s + "' is neither a symbol of the loaded images nor an address");
    }
  };
  std::vector<RegionSpec> out;
  for (const std::string& spec : specs) {
    const size_t eq = spec.find('='), colon = spec.find(':', eq == std::string::npos ? 0 : eq);
    if (eq == std::string::npos || colon == std::string::npos || eq == 0)
      throw ConfigError("--region: expected NAME=BEGIN:END, got '" + spec + "'");
    out.push_back(
        RegionSpec{spec.substr(0, eq), addr(spec.substr(eq + 1, colon - eq - 1)), addr(spec.substr(colon + 1))});
  }
  const auto b = m.find_symbol("pingpong_loop_begin"), e = m.find_symbol("pingpong_loop_end");
  if (b && e) out.push_back(RegionSpec{"pingpong", *b, *e});
  return out;
}

nlohmann::json summary(const RunOptions& o, const Machine& m, const RunResult& r, int status, const char* version,
                       u64 serial_out) {
  nlohmann::json j;
  j["exit_reason"] = exit_reason_name(r.reason);
  j["exit_status"] = status;
  j["guest_status"] = r.guest_status;
  j["instructions"] = r.instructions;
  j["cycles"] = r.cycles;
  j["halted_cycles"] = r.halted_cycles;
  j["interrupts"] = {{"count", r.interrupts}, {"digest", fmt::format("{:016x}", r.interrupt_digest)}};
  j["simulated_seconds"] = static_cast<double>(r.cycles) / static_cast<double>(m.config().cpu_hz);
  j["serial_bytes_out"] = serial_out;
  j["message"] = r.message;
  nlohmann::json c;
  c["cpu"] = preset_name(o.config.cpu);
  c["cpu_hz"] = m.config().cpu_hz;
  c["memory_mb"] = m.config().memory_bytes >> 20;
  c["machine"] = config_json(m.config());
  c["config_files"] = o.config.files;
  c["set"] = o.config.sets;
  c["rtc_base"] = o.rtc_base;
  c["max_insns"] = o.max_insns;
  c["max_cycles"] = o.max_cycles;
  if (!o.kernel.empty()) {
    c["boot"] = "multiboot";
    c["kernel"] = o.kernel;
    c["cmdline"] = o.cmdline;
    c["modules"] = o.modules;
  } else if (!o.rom.empty()) {
    c["boot"] = "rom";
    c["rom"] = o.rom;
  } else {
    c["boot"] = "raw";
    c["raw"] = o.raw;
    c["mode"] = o.mode;
  }
  c["timing"] = m.timing() ? m.timing()->name() : "off (one cycle per instruction)";
  j["config"] = c;
  j["version"] = version;
  if (const TimingModel* t = m.timing()) j["timing"] = stats_json(t->stats());
  nlohmann::json regions = nlohmann::json::array();
  for (const RegionInstance& ri : m.regions().instances()) {
    nlohmann::json e{{"name", ri.name},
                     {"index", ri.index},
                     {"cycles", ri.cycles},
                     {"instructions", ri.instructions},
                     {"ipcs", ri.ipcs}};
    if (ri.ipcs) e["cycles_per_ipc"] = double(ri.cycles) / double(ri.ipcs);
    if (m.timing()) e["timing"] = stats_json(ri.stats);
    regions.push_back(e);
  }
  j["regions"] = regions;
  return j;
}

}  // namespace

int run_command(const std::vector<std::string>& args, const char* version) {
  RunOptions o;
  const po::options_description desc = describe_options(o);
  po::variables_map vm;
  if (!parse_options(desc, args, vm)) return 0;
  spdlog::set_level(parse_log_level(o.log_level));

  const int boots = !o.kernel.empty() + !o.rom.empty() + !o.raw.empty();
  if (boots != 1) throw ConfigError("give exactly one of --kernel, --rom or --raw (see l4sim run --help)");
  if ((!o.modules.empty() || vm.count("cmdline")) && o.kernel.empty())
    throw ConfigError("--module and --cmdline need a multiboot --kernel");
  if (o.max_insns == 0 || o.max_cycles == 0) throw ConfigError("--max-insns and --max-cycles must be positive");
  // The shorthands are checked here so their messages name the option.
  std::vector<std::string> shorthands;
  if (vm.count("memory")) {
    if (o.memory_mb < 1 || o.memory_mb > 3072) throw ConfigError("--memory must be between 1 and 3072 MB");
    shorthands.push_back(fmt::format("memory.size={}M", o.memory_mb));
  }
  if (vm.count("mhz")) {
    if (!(o.mhz >= 1 && o.mhz <= 1000)) throw ConfigError("--mhz must be between 1 and 1000");
    shorthands.push_back(fmt::format("cpu.mhz={}", o.mhz));
  }
  if (vm.count("timing")) {
    if (o.timing != "auto" && o.timing != "on" && o.timing != "off")
      throw ConfigError("--timing must be on or off, not '" + o.timing + "'");
    shorthands.push_back("cpu.timing=" + o.timing);
  }
  MachineConfig mc = o.config.build(shorthands);
  try {
    mc.rtc_start_unix = RtcCmos::parse_time(o.rtc_base);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("--rtc-base: ") + e.what());
  }

  // Read every input before any output file is created, so bad input leaves
  // nothing behind.
  std::vector<u8> image = read_input_file(!o.kernel.empty() ? o.kernel
                                          : !o.rom.empty()  ? o.rom
                                                            : o.raw,
                                          !o.kernel.empty() ? "kernel"
                                          : !o.rom.empty()  ? "ROM image"
                                                            : "image");
  std::vector<BootModule> modules = read_modules(o.modules);
  MachineIo io;
  if (!o.serial_in.empty()) {
    std::ifstream f(o.serial_in, std::ios::binary);
    if (!f) throw ConfigError("cannot open --serial-in '" + o.serial_in + "'");
    io.serial_in.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  OutFile serial(o.serial, "--serial");
  OutFile console(o.console, "--console");
  u64 serial_out = 0;
  FILE* serial_f = serial.get();
  FILE* console_f = console.get();
  io.serial_out = [serial_f, &serial_out](u8 c) {
    std::fputc(c, serial_f);
    ++serial_out;
  };
  io.console_out = [console_f](char c) { std::fputc(c, console_f); };

  auto m = std::make_unique<Machine>(mc, std::move(io));
  if (!o.kernel.empty()) {
    m->boot_multiboot(o.kernel, image, o.cmdline, modules);
  } else if (!o.rom.empty()) {
    m->boot_rom(image);
  } else {
    if (o.mode != "flat32" && o.mode != "real")
      throw ConfigError("--mode must be flat32 or real, not '" + o.mode + "'");
    const u32 load_addr = parse_u32(o.load_addr, "--load-addr");
    const u32 entry = o.entry.empty() ? load_addr : parse_u32(o.entry, "--entry");
    m->load_flat(image, load_addr);
    if (o.mode == "real") {
      if (entry >= 0x100000) throw ConfigError("--entry must be below 1 MB in real mode");
      m->start_real(static_cast<u16>(entry >> 4), static_cast<u16>(entry & 15));
    } else {
      m->start_flat32(entry);
    }
  }

  m->set_regions(resolve_regions(*m, o.regions));
  const RunResult r = m->run(RunLimits{o.max_insns, o.max_cycles});
  std::fflush(serial_f);
  std::fflush(console_f);

  const int status = process_exit_status(r);
  std::cerr << "l4sim: " << exit_reason_name(r.reason) << " after " << r.instructions << " instructions, " << r.cycles
            << " cycles";
  if (r.reason == ExitReason::kGuestExit) std::cerr << " (guest status " << r.guest_status << ")";
  std::cerr << "\n";
  if (!r.message.empty()) std::cerr << r.message << "\n";
  if (o.stats && m->timing()) std::cerr << format_stats(m->timing()->stats());
  for (const RegionInstance& ri : m->regions().instances())
    std::cerr << fmt::format(
        "l4sim: region {}#{}: {} cycles, {} instructions, {} IPCs{}\n", ri.name, ri.index, ri.cycles, ri.instructions,
        ri.ipcs, ri.ipcs ? fmt::format(", {:.1f} cycles per IPC", double(ri.cycles) / double(ri.ipcs)) : "");

  if (!o.screen.empty()) {
    std::ofstream f(o.screen);
    if (!f) throw ConfigError("cannot write --screen '" + o.screen + "'");
    f << m->screen_text();
  }
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    if (!f) throw ConfigError("cannot write --json '" + o.json + "'");
    f << summary(o, *m, r, status, version, serial_out).dump(2) << "\n";
  }
  return status;
}

}  // namespace l4sim
