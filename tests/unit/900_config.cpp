// Configuration keys, files and presets (sim/config): every key reads back
// what was set, invalid configurations are rejected with a message naming the
// key, presets load, and the built-in defaults are the i486dx50 preset.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "config/config_keys.hpp"
#include "config/presets.hpp"

using namespace l4sim;
using nlohmann::json;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string set_error(std::initializer_list<const char*> sets) {
  return error_of([&] {
    MachineConfig c;
    for (const char* s : sets) set_config_assignment(c, s);
    validate_config(c);
  });
}

const std::string kPresets = std::string(L4SIM_SOURCE_DIR) + "/presets";

}  // namespace

TEST_CASE("900: given each key, when set from text, then config_json shows the new value", "[config]") {
  const MachineConfig defaults;
  for (const ConfigKey& k : config_keys()) {
    INFO(k.name);
    MachineConfig c;
    std::string text;
    json expect;
    switch (k.kind) {
      case KeyKind::kBool:
        expect = !k.get(defaults).get<bool>();
        text = expect.get<bool>() ? "true" : "false";
        break;
      case KeyKind::kChoice:
        text = k.choices.back() == k.get(defaults).get<std::string>() ? k.choices.front() : k.choices.back();
        expect = text;
        break;
      default:
        // A value in range and different from the default.
        expect = k.get(defaults) == json(k.max) ? json(static_cast<u32>(k.min)) : json(static_cast<u32>(k.max));
        text = expect.dump();
    }
    set_config_key(c, k.name, text);
    const size_t dot = k.name.find('.');
    CHECK(config_json(c)[k.name.substr(0, dot)][k.name.substr(dot + 1)] == expect);
    CHECK(k.get(c) != k.get(defaults));
  }
}

TEST_CASE("901: given sizes with suffixes, when set, then they are bytes", "[config]") {
  MachineConfig c;
  set_config_assignment(c, "cache.size=16K");
  set_config_assignment(c, "l2.size=256KB");
  set_config_assignment(c, "memory.size=32M");
  set_config_assignment(c, "cache.line=0x20");
  set_config_assignment(c, "bus.multiplier=2.5");
  set_config_assignment(c, "tlb.tagged=on");
  CHECK(c.i486.cache.size == 16384);
  CHECK(c.i486.l2.cache.size == 262144);
  CHECK(c.memory_bytes == 32u << 20);
  CHECK(c.i486.cache.line == 32);
  CHECK(c.i486.bus.multiplier == 2.5);
  CHECK(c.cpu.tlb.tagged);
  CHECK(c.cpu.itlb_geometry().tagged);
  CHECK_NOTHROW(validate_config(c));
}

TEST_CASE("902: given an invalid configuration, when validated, then the message names the problem", "[config]") {
  using Catch::Matchers::Contains;
  CHECK_THAT(set_error({"cache.size=3000"}), Contains("cache.size (3000) must be a power of two"));
  CHECK_THAT(set_error({"cache.size=1K", "cache.ways=128"}),
             Contains("cache.ways (128) exceeds the number of lines (64"));
  CHECK_THAT(set_error({"cache.line=8K"}), Contains("cache.line (8192) is larger than a page"));
  CHECK_THAT(set_error({"cache.line=24"}), Contains("cache.line (24) must be a power of two"));
  CHECK_THAT(set_error({"cache.sise=4K"}),
             Contains("unknown configuration key 'cache.sise' (did you mean cache.size?)"));
  CHECK_THAT(set_error({"frobnicate=1"}), Contains("unknown configuration key 'frobnicate'"));
  CHECK_THAT(set_error({"tlb.entries=0"}), Contains("tlb.entries: 0 is out of range (1 to 4096)"));
  CHECK_THAT(set_error({"tlb.entries=100000"}), Contains("out of range"));
  CHECK_THAT(set_error({"cpu.mhz=5000"}), Contains("cpu.mhz: 5000 is out of range"));
  CHECK_THAT(set_error({"tlb.entries=24"}), Contains("must be a power of two"));
  CHECK_THAT(set_error({"tlb.ways=64"}), Contains("tlb.ways (64) exceeds tlb.entries (32)"));
  CHECK_THAT(set_error({"tlb.split=true", "tlb.itlb_entries=12"}), Contains("tlb.itlb_entries"));
  CHECK_THAT(set_error({"tlb.tagged=maybe"}), Contains("tlb.tagged: 'maybe' is not true or false"));
  CHECK_THAT(set_error({"cache.ways=two"}), Contains("cache.ways: 'two' is not a number"));
  CHECK_THAT(set_error({"cache.ways=2.5"}), Contains("not a whole number"));
  CHECK_THAT(set_error({"cache.ways=-2"}), Contains("cache.ways: -2 is out of range"));
  CHECK_THAT(set_error({"cache.ways=4x"}), Contains("cache.ways: '4x' is not a number"));
  CHECK_THAT(set_error({"cache.write_policy=write-around"}), Contains("cache.write_policy: 'write-around'"));
  CHECK_THAT(set_error({"bus.multiplier=1.3"}), Contains("bus.multiplier (1.3) must be a multiple of 0.5"));
  CHECK_THAT(set_error({"l2.size=64K", "l2.line=8"}), Contains("l2.line (8) must be at least cache.line (16)"));
  CHECK_THAT(set_error({"l2.size=4K"}), Contains("l2.size (4096) must be larger than cache.size"));
  CHECK_THAT(set_error({"l2.size=100K"}), Contains("l2.size (102400) must be a power of two"));
  CHECK_THAT(set_error({"memory.size=2560K"}), Contains("memory.size (2621440) must be a whole number of megabytes"));
  CHECK_THAT(set_error({"cache.size"}), Contains("expected KEY=VALUE"));
}

TEST_CASE("903: given configuration objects, when applied, then nested and dotted forms agree", "[config]") {
  MachineConfig a, b;
  apply_config_json(
      a, json::parse(R"({"description": "x", "cache": {"size": "4K", "ways": 2}, "tlb": {"tagged": true}})"), "a.json");
  apply_config_json(b, json::parse(R"({"cache.size": 4096, "cache.ways": 2, "tlb.tagged": "true"})"), "b.json");
  CHECK(config_json(a) == config_json(b));
  CHECK(a.i486.cache.size == 4096);
  using Catch::Matchers::Contains;
  MachineConfig c;
  CHECK_THAT(error_of([&] { apply_config_json(c, json::parse(R"({"cache": {"wayz": 2}})"), "f.json"); }),
             Contains("f.json: unknown configuration key 'cache.wayz' (did you mean cache.ways?)"));
  CHECK_THAT(error_of([&] { apply_config_json(c, json::parse("[1]"), "f.json"); }), Contains("must be a JSON object"));
  CHECK_THAT(error_of([&] { apply_config_json(c, json::parse(R"({"cache": {"ways": true}})"), "f.json"); }),
             Contains("cache.ways"));
}

TEST_CASE("904: given the presets, when loaded, then each is valid and i486dx50 is the built-in default", "[config]") {
  const auto names = preset_names(kPresets);
  for (const char* expected : {"i486dx50", "i486dx33", "i486dx2-66", "i486dx4-100", "pentium90", "pentium133"})
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
  for (const std::string& n : names) {
    INFO(n);
    MachineConfig c;
    REQUIRE_NOTHROW(c = load_preset(n, kPresets));
    CHECK_NOTHROW(validate_config(c));
    // A preset states every key, so it does not depend on the built-in defaults.
    json j;
    std::ifstream(kPresets + "/" + n + ".json") >> j;
    j.erase("description");
    MachineConfig other;
    other.i486.cache.size = 1024;  // different defaults underneath change nothing
    other.cpu.tlb.entries = 8;
    apply_config_json(other, j, n);
    CHECK(config_json(other) == config_json(c));
  }
  CHECK(config_json(load_preset("i486dx50", kPresets)) == config_json(MachineConfig{}));
  CHECK(config_json(load_preset("i486", kPresets)) == config_json(MachineConfig{}));
  const MachineConfig p = load_preset("pentium", kPresets);
  CHECK(p.cpu.model == CpuModel::kPentium);
  CHECK(p.cpu.split_tlb);
  CHECK(p.cpu.tlb.entries == 64);
  CHECK(p.cpu.itlb_entries == 32);
  CHECK_THAT(error_of([] { load_preset("z80", kPresets); }),
             Catch::Matchers::Contains("unknown CPU preset 'z80' (presets in"));
}

TEST_CASE("905: given keys that do not apply or clash, when validated, then the answer is consistent", "[config]") {
  using Catch::Matchers::Contains;
  // The instruction TLB's keys do not matter unless the TLB is split: such a
  // configuration is valid and a machine with it can be built.
  MachineConfig c;
  set_config_assignment(c, "tlb.itlb_entries=3");
  CHECK_NOTHROW(validate_config(c));
  CHECK_NOTHROW(Machine(c, MachineIo{}));
  CHECK_THAT(set_error({"tlb.itlb_entries=3", "tlb.split=true"}), Contains("tlb.itlb_entries"));
  CHECK_THAT(set_error({"cpu.model=pentium", "cpu.timing=on"}), Contains("the Pentium has no timing model yet"));
  MachineConfig d;
  CHECK_THAT(error_of([&] { apply_config_json(d, json::parse(R"({"cache": {}})"), "f.json"); }),
             Contains("f.json: 'cache' is an empty object"));
  CHECK_THAT(error_of([&] {
               apply_config_json(d, json::parse(R"({"cache": {"size": 4096}, "cache.size": 2048})"), "f.json");
             }),
             Contains("'cache.size' is given twice"));
}
