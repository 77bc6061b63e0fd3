#include "config/config_keys.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.hpp"

namespace l4sim {

using nlohmann::json;

namespace {

// A key bound to one u32 field; `field` is a generic lambda returning a
// reference into the (const or mutable) configuration.
template <class F>
ConfigKey u32_key(std::string name, KeyKind kind, double min, double max, std::string help, F field) {
  return ConfigKey{std::move(name),
                   kind,
                   std::move(help),
                   {},
                   min,
                   max,
                   [field](const MachineConfig& c) { return json(field(c)); },
                   [field](MachineConfig& c, const json& v) { field(c) = v.get<u32>(); }};
}

template <class F>
ConfigKey bool_key(std::string name, std::string help, F field) {
  return ConfigKey{std::move(name),
                   KeyKind::kBool,
                   std::move(help),
                   {},
                   0,
                   0,
                   [field](const MachineConfig& c) { return json(static_cast<bool>(field(c))); },
                   [field](MachineConfig& c, const json& v) { field(c) = v.get<bool>(); }};
}

template <class F>
ConfigKey string_key(std::string name, std::vector<std::string> choices, std::string help, F field) {
  return ConfigKey{std::move(name),
                   KeyKind::kChoice,
                   std::move(help),
                   std::move(choices),
                   0,
                   0,
                   [field](const MachineConfig& c) { return json(field(c)); },
                   [field](MachineConfig& c, const json& v) { field(c) = v.get<std::string>(); }};
}

// Whole numbers print as integers in JSON, fractions as decimals.
json number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return json(static_cast<std::int64_t>(v));
  return json(v);
}

std::vector<ConfigKey> build_keys() {
  constexpr double kMB = 1 << 20;
  const std::vector<std::string> policies{"plru", "lru", "fifo"};
  std::vector<ConfigKey> k;

  // CPU
  k.push_back(ConfigKey{
      "cpu.model",
      KeyKind::kChoice,
      "the CPU: i486 (Intel486 DX, with the cycle-approximate timing model) or pentium (P54C; functional only: "
      "its timing model is not written yet)",
      {"i486", "pentium"},
      0,
      0,
      [](const MachineConfig& c) { return json(c.cpu.model == CpuModel::kPentium ? "pentium" : "i486"); },
      [](MachineConfig& c, const json& v) {
        c.cpu.model = v.get<std::string>() == "pentium" ? CpuModel::kPentium : CpuModel::kI486DX;
      }});
  k.push_back(ConfigKey{
      "cpu.mhz",
      KeyKind::kDecimal,
      "core clock in MHz (cycles per IPC do not depend on it; microseconds, the PIT and the RTC do)",
      {},
      1,
      1000,
      [](const MachineConfig& c) {
        const u64 hz = c.cpu_hz ? c.cpu_hz : default_cpu_hz(c.cpu.model);
        return number(static_cast<double>(hz) / 1e6);
      },
      [](MachineConfig& c, const json& v) { c.cpu_hz = static_cast<u64>(std::llround(v.get<double>() * 1e6)); }});
  k.push_back(
      ConfigKey{"cpu.timing",
                KeyKind::kChoice,
                "on: cycle-approximate timing; off: one cycle per instruction (functional); auto: on for the i486, off "
                "for the Pentium",
                {"auto", "on", "off"},
                0,
                0,
                [](const MachineConfig& c) {
                  return json(c.timing == MachineConfig::Timing::kOn    ? "on"
                              : c.timing == MachineConfig::Timing::kOff ? "off"
                                                                        : "auto");
                },
                [](MachineConfig& c, const json& v) {
                  const std::string s = v.get<std::string>();
                  c.timing = s == "on"    ? MachineConfig::Timing::kOn
                             : s == "off" ? MachineConfig::Timing::kOff
                                          : MachineConfig::Timing::kAuto;
                }});
  k.push_back(u32_key(
      "memory.size", KeyKind::kSize, 2 * kMB, 3072 * kMB,
      "physical memory (whole megabytes); the multiboot memory map reports it",
      [](auto& c) -> auto& { return c.memory_bytes; }));

  // TLB
  k.push_back(u32_key(
      "tlb.entries", KeyKind::kUint, 1, 4096,
      "TLB entries (the data TLB when tlb.split); i486: 32 (Intel486 PRM; 8 sets of 4)",
      [](auto& c) -> auto& { return c.cpu.tlb.entries; }));
  k.push_back(u32_key(
      "tlb.ways", KeyKind::kUint, 1, 4096, "TLB associativity; entries/ways sets, a power of two",
      [](auto& c) -> auto& { return c.cpu.tlb.ways; }));
  k.push_back(ConfigKey{"tlb.replacement", KeyKind::kChoice,
                        "TLB replacement: plru (tree pseudo-LRU, the i486's), lru, fifo (both TLBs when split)",
                        policies, 0, 0, [](const MachineConfig& c) { return json(c.cpu.tlb.replacement); },
                        [](MachineConfig& c, const json& v) { c.cpu.tlb.replacement = v.get<std::string>(); }});
  k.push_back(
      ConfigKey{"tlb.tagged",
                KeyKind::kBool,
                "what-if: entries carry an address-space tag (the CR3 page), so a CR3 load flushes nothing; "
                "INVLPG drops the page in every space (the i486 and Pentium TLBs are untagged). The kernel "
                "must know: l4sim ipc/check/sweep boot it with `tagged-tlb`; with run, add --cmdline tagged-tlb",
                {},
                0,
                0,
                [](const MachineConfig& c) { return json(c.cpu.tlb.tagged); },
                [](MachineConfig& c, const json& v) { c.cpu.tlb.tagged = v.get<bool>(); }});
  k.push_back(bool_key(
      "tlb.split",
      "split instruction and data TLBs (the Pentium's); tlb.entries/ways is then the data TLB "
      "and tlb.itlb_entries/itlb_ways the instruction TLB",
      [](auto& c) -> auto& { return c.cpu.split_tlb; }));
  k.push_back(u32_key(
      "tlb.itlb_entries", KeyKind::kUint, 1, 4096, "instruction TLB entries when tlb.split",
      [](auto& c) -> auto& { return c.cpu.itlb_entries; }));
  k.push_back(u32_key(
      "tlb.itlb_ways", KeyKind::kUint, 1, 4096, "instruction TLB associativity when tlb.split",
      [](auto& c) -> auto& { return c.cpu.itlb_ways; }));
  k.push_back(u32_key(
      "tlb.walk_fixed", KeyKind::kUint, 0, 1000,
      "cycles of a TLB refill besides its two page-table reads (which go through the cache); 7 "
      "from the papers' 9-cycle miss (sim/timing/i486_timing.hpp)",
      [](auto& c) -> auto& { return c.i486.walk_fixed; }));

  // On-chip cache
  k.push_back(u32_key(
      "cache.size", KeyKind::kSize, 16, 16 * kMB,
      "on-chip cache size in bytes, a power of two (i486: 8 KB unified; Intel486 HRM §3.3)",
      [](auto& c) -> auto& { return c.i486.cache.size; }));
  k.push_back(u32_key(
      "cache.line", KeyKind::kSize, 4, 1 * kMB, "cache line in bytes, from one bus transfer to a page (i486: 16)",
      [](auto& c) -> auto& { return c.i486.cache.line; }));
  k.push_back(u32_key(
      "cache.ways", KeyKind::kUint, 1, 65536, "cache associativity, a power of two (i486: 4)",
      [](auto& c) -> auto& { return c.i486.cache.ways; }));
  k.push_back(string_key(
      "cache.replacement", policies, "cache replacement: plru (the i486's), lru, fifo",
      [](auto& c) -> auto& { return c.i486.cache.replacement; }));
  k.push_back(string_key(
      "cache.write_policy", {"write-through", "write-back"},
      "write-through (the i486's: every write goes to memory through the write buffers) or "
      "write-back (dirty lines are written when evicted)",
      [](auto& c) -> auto& { return c.i486.cache.write_policy; }));
  k.push_back(bool_key(
      "cache.write_allocate", "allocate a line on a write miss (the i486 does not)",
      [](auto& c) -> auto& { return c.i486.cache.write_allocate; }));
  k.push_back(bool_key(
      "cache.unified",
      "one cache for code and data (the i486's); false: an instruction and a data cache, each of "
      "the cache.* geometry (the Pentium's 8 KB + 8 KB)",
      [](auto& c) -> auto& { return c.i486.unified_cache; }));

  // External L2
  k.push_back(u32_key(
      "l2.size", KeyKind::kSize, 0, 64 * kMB,
      "external L2 cache size in bytes; 0 = none (the default, as in the published measurements' "
      "model)",
      [](auto& c) -> auto& { return c.i486.l2.cache.size; }));
  k.push_back(u32_key(
      "l2.line", KeyKind::kSize, 4, 1 * kMB, "L2 line in bytes",
      [](auto& c) -> auto& { return c.i486.l2.cache.line; }));
  k.push_back(u32_key(
      "l2.ways", KeyKind::kUint, 1, 65536, "L2 associativity (486 boards: usually direct-mapped, 1)",
      [](auto& c) -> auto& { return c.i486.l2.cache.ways; }));
  k.push_back(u32_key(
      "l2.latency", KeyKind::kUint, 1, 64,
      "bus clocks of the first transfer of an on-chip line fill that hits the L2 (2 = 2-1-1-1)",
      [](auto& c) -> auto& { return c.i486.l2.first; }));
  k.push_back(u32_key(
      "l2.next", KeyKind::kUint, 1, 64, "bus clocks of each further transfer of a fill from the L2",
      [](auto& c) -> auto& { return c.i486.l2.next; }));

  // Bus and memory
  k.push_back(ConfigKey{"bus.multiplier",
                        KeyKind::kDecimal,
                        "core clocks per bus clock: 1 (DX-50), 2 (DX2), 3 (DX4), 1.5 (Pentium-90); bus costs are "
                        "multiplied by it",
                        {},
                        1,
                        8,
                        [](const MachineConfig& c) { return number(c.i486.bus.multiplier); },
                        [](MachineConfig& c, const json& v) { c.i486.bus.multiplier = v.get<double>(); }});
  k.push_back(u32_key(
      "bus.wait_states", KeyKind::kUint, 0, 64,
      "memory wait states, added to a burst's first transfer and to every single write",
      [](auto& c) -> auto& { return c.i486.bus.wait_states; }));
  k.push_back(u32_key(
      "bus.burst_first", KeyKind::kUint, 1, 64,
      "bus clocks of a burst's first transfer at zero wait states (2 in 2-1-1-1; Intel486 HRM §9.3)",
      [](auto& c) -> auto& { return c.i486.bus.burst_first; }));
  k.push_back(u32_key(
      "bus.burst_next", KeyKind::kUint, 1, 64, "bus clocks of each further transfer of a burst (1)",
      [](auto& c) -> auto& { return c.i486.bus.burst_next; }));
  k.push_back(u32_key(
      "bus.write_cycles", KeyKind::kUint, 1, 64, "bus clocks of a single write at zero wait states (2: T1 + T2)",
      [](auto& c) -> auto& { return c.i486.bus.write_cycles; }));
  k.push_back(u32_key(
      "bus.write_buffers", KeyKind::kUint, 1, 64,
      "write buffer entries (4, the commonly stated i486 figure; REFERENCE.md: open)",
      [](auto& c) -> auto& { return c.i486.write_buffers; }));
  // What the range alone does not say; validate_config checks these.
  const std::pair<const char*, const char*> limits[] = {
      {"memory.size", "whole megabytes; a multiboot kernel needs 2M, l4sim ipc 12M"},
      {"tlb.entries", "a multiple of tlb.ways; entries/ways sets, a power of two"},
      {"tlb.ways", "at most tlb.entries; a power of two for plru"},
      {"tlb.itlb_entries", "as tlb.entries, for the instruction TLB"},
      {"tlb.itlb_ways", "as tlb.ways, for the instruction TLB"},
      {"cache.size", "a power of two"},
      {"cache.line", "a power of two, at most a page (4K) and cache.size / cache.ways"},
      {"cache.ways", "a power of two, at most cache.size / cache.line"},
      {"l2.size", "0, or a power of two larger than cache.size"},
      {"l2.line", "a power of two, at least cache.line, at most a page (4K)"},
      {"l2.ways", "a power of two, at most l2.size / l2.line"},
      {"bus.multiplier", "in steps of 0.5"},
  };
  for (auto [name, text] : limits)
    for (ConfigKey& key : k)
      if (key.name == name) key.limits = text;
  return k;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

const ConfigKey& require_config_key(std::string_view name) {
  if (const ConfigKey* k = find_config_key(name)) return *k;
  const ConfigKey* best = nullptr;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (const ConfigKey& k : config_keys()) {
    const size_t d = edit_distance(name, k.name);
    if (d < best_d) best_d = d, best = &k;
  }
  std::string msg = fmt::format("unknown configuration key '{}'", name);
  if (best && best_d <= 3) msg += fmt::format(" (did you mean {}?)", best->name);
  throw ConfigError(msg + "; `l4sim config keys` lists them");
}

namespace {

// Text to a number: decimal, 0x hex, and for sizes a 1024-based suffix.
std::optional<double> parse_number(std::string s, bool size) {
  double scale = 1;
  if (size) {
    std::string upper;
    for (char ch : s) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    for (auto [suffix, mult] : {std::pair{"KB", 1024.0},
                                {"K", 1024.0},
                                {"MB", 1048576.0},
                                {"M", 1048576.0},
                                {"GB", 1073741824.0},
                                {"G", 1073741824.0}}) {
      const std::string_view sv(suffix);
      if (upper.size() > sv.size() && upper.compare(upper.size() - sv.size(), sv.size(), sv) == 0) {
        s.resize(s.size() - sv.size());
        scale = mult;
        break;
      }
    }
  }
  if (s.empty() || s.find_first_of(" \t") != std::string::npos) return std::nullopt;
  try {
    size_t pos = 0;
    double v;
    if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) {
      v = static_cast<double>(std::stoull(s, &pos, 16));
    } else {
      v = std::stod(s, &pos);
    }
    if (pos != s.size() || !std::isfinite(v)) return std::nullopt;
    return v * scale;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string human_size(double v) {
  const u64 n = static_cast<u64>(v);
  if (n >= (1u << 20) && n % (1u << 20) == 0) return fmt::format("{}M", n >> 20);
  if (n >= 1024 && n % 1024 == 0) return fmt::format("{}K", n >> 10);
  return fmt::format("{}", n);
}

std::string limits_of(const ConfigKey& k) { return k.limits.empty() ? "" : "; " + k.limits; }

std::string range_text(const ConfigKey& k) {
  return k.kind == KeyKind::kSize ? fmt::format("bytes, {} to {}", human_size(k.min), human_size(k.max))
                                  : fmt::format("{} to {}", k.min, k.max);
}

// Checks a value (from text or JSON) against the key and returns it in the
// key's JSON form.
json checked_value(const ConfigKey& k, const json& v) {
  auto bad = [&](const std::string& why) -> ConfigError {
    return ConfigError(fmt::format("{}: {} ({} expected)", k.name, why, kind_text(k)));
  };
  switch (k.kind) {
    case KeyKind::kBool: {
      if (v.is_boolean()) return v;
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "true" || s == "on" || s == "yes" || s == "1") return true;
        if (s == "false" || s == "off" || s == "no" || s == "0") return false;
      }
      throw bad(fmt::format("'{}' is not true or false", v.is_string() ? v.get<std::string>() : v.dump()));
    }
    case KeyKind::kChoice: {
      if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (std::find(k.choices.begin(), k.choices.end(), s) != k.choices.end()) return s;
      }
      throw bad(fmt::format("'{}' is not one of the choices", v.is_string() ? v.get<std::string>() : v.dump()));
    }
    default: break;
  }
  const bool integral = k.kind != KeyKind::kDecimal;
  std::optional<double> n;
  if (v.is_number())
    n = v.get<double>();
  else if (v.is_string())
    n = parse_number(v.get<std::string>(), k.kind == KeyKind::kSize);
  const std::string shown = v.is_string() ? v.get<std::string>() : v.dump();
  if (!n) throw bad(fmt::format("'{}' is not a number", shown));
  if (integral && *n != std::floor(*n)) throw bad(fmt::format("'{}' is not a whole number", shown));
  if (*n < k.min || *n > k.max)
    throw ConfigError(fmt::format("{}: {} is out of range ({})", k.name, shown, range_text(k)));
  if (integral) return json(static_cast<u32>(*n));
  return json(*n);
}

void flatten(const json& j, const std::string& prefix, std::vector<std::pair<std::string, json>>& out,
             const std::string& origin) {
  for (const auto& [name, v] : j.items()) {
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    if (prefix.empty() && name == "description") {
      if (!v.is_string()) throw ConfigError(origin + ": \"description\" must be a string");
      continue;
    }
    if (v.is_object() && v.empty()) throw ConfigError(fmt::format("{}: '{}' is an empty object", origin, key));
    if (v.is_object()) {
      flatten(v, key, out, origin);
      continue;
    }
    // Nested and dotted forms of one key in one object: which would win is
    // not what the file's order says (JSON objects are unordered), so refuse.
    for (const auto& [seen, _] : out)
      if (seen == key) throw ConfigError(fmt::format("{}: '{}' is given twice", origin, key));
    out.emplace_back(key, v);
  }
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = build_keys();  // immutable table, built once
  return keys;
}

const ConfigKey* find_config_key(std::string_view name) {
  for (const ConfigKey& k : config_keys())
    if (k.name == name) return &k;
  return nullptr;
}

std::string kind_text(const ConfigKey& k) {
  switch (k.kind) {
    case KeyKind::kBool: return "true or false";
    case KeyKind::kChoice: {
      std::string s;
      for (const std::string& c : k.choices) s += (s.empty() ? "" : " | ") + c;
      return s;
    }
    case KeyKind::kSize:
    case KeyKind::kUint:
    case KeyKind::kDecimal: return range_text(k) + limits_of(k);
  }
  return "";
}

void set_config_key(MachineConfig& c, std::string_view key, const std::string& value) {
  const ConfigKey& k = require_config_key(key);
  k.set(c, checked_value(k, json(value)));
}

void set_config_assignment(MachineConfig& c, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(fmt::format("--set: expected KEY=VALUE, got '{}'", assignment));
  set_config_key(c, assignment.substr(0, eq), assignment.substr(eq + 1));
}

void apply_config_json(MachineConfig& c, const json& j, const std::string& origin) {
  if (!j.is_object()) throw ConfigError(origin + ": a configuration must be a JSON object");
  std::vector<std::pair<std::string, json>> items;
  flatten(j, "", items, origin);
  for (const auto& [key, v] : items) {
    try {
      const ConfigKey& k = require_config_key(key);
      k.set(c, checked_value(k, v));
    } catch (const ConfigError& e) {
      throw ConfigError(origin + ": " + e.what());
    }
  }
}

json config_json(const MachineConfig& c) {
  json out = json::object();
  for (const ConfigKey& k : config_keys()) {
    const size_t dot = k.name.find('.');
    out[k.name.substr(0, dot)][k.name.substr(dot + 1)] = k.get(c);
  }
  return out;
}

void validate_config(const MachineConfig& c) {
  if (c.memory_bytes % (1u << 20))
    throw ConfigError(fmt::format("memory.size ({}) must be a whole number of megabytes", c.memory_bytes));
  c.cpu.tlb.validate();
  if (c.cpu.split_tlb) c.cpu.itlb_geometry().validate("tlb.itlb_");
  if (c.cpu.model == CpuModel::kPentium && c.timing == MachineConfig::Timing::kOn)
    throw ConfigError("cpu.timing=on: the Pentium has no timing model yet (it comes with the Pentium work)");
  c.i486.validate();
  const double mhz = static_cast<double>(c.cpu_hz ? c.cpu_hz : default_cpu_hz(c.cpu.model)) / 1e6;
  if (mhz / c.i486.bus.multiplier < 1)
    throw ConfigError(
        fmt::format("bus.multiplier ({}) leaves a bus slower than 1 MHz at cpu.mhz {}", c.i486.bus.multiplier, mhz));
}

std::string format_config_keys() {
  const MachineConfig defaults;
  std::string out;
  std::string section;
  for (const ConfigKey& k : config_keys()) {
    const std::string s = k.name.substr(0, k.name.find('.'));
    if (s != section) {
      out += (section.empty() ? "" : "\n");
      section = s;
    }
    const json d = k.get(defaults);
    std::string shown = d.is_string() ? d.get<std::string>() : d.dump();
    if (k.kind == KeyKind::kSize) shown = human_size(d.get<double>());
    out += fmt::format("{:<20} default {:<14} {}\n{:<20} {}\n", k.name, shown, kind_text(k), "", k.help);
  }
  return out;
}

}  // namespace l4sim
