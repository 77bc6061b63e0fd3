// The machine's configuration as named keys (`cpu.mhz`, `tlb.entries`,
// `cache.size`, ...): one table that the command line (--set), configuration
// files and presets (--config, --cpu), `l4sim config show` and the README all
// go through. Each key has a kind, a range, a default (the built-in
// MachineConfig, which is the i486dx50 preset) and help text.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "machine/machine.hpp"

namespace l4sim {

enum class KeyKind : u8 {
  kUint,     // a whole number (decimal or 0x hex)
  kSize,     // bytes; K, KB, M, MB, G, GB suffixes (1024-based) accepted
  kBool,     // true/false (also on/off, yes/no, 1/0 on the command line)
  kChoice,   // one of a fixed set of words
  kDecimal,  // a number that may have a fraction
};

struct ConfigKey {
  std::string name;  // dotted: section.field
  KeyKind kind;
  std::string help;
  std::vector<std::string> choices;  // kChoice
  double min = 0, max = 0;           // kUint, kSize, kDecimal: the accepted range, inclusive
  std::function<nlohmann::json(const MachineConfig&)> get;
  std::function<void(MachineConfig&, const nlohmann::json&)> set;  // the value is already checked
  std::string limits;  // what else a valid value must be (e.g. "a power of two"), shown with the range
};

const std::vector<ConfigKey>& config_keys();
const ConfigKey* find_config_key(std::string_view name);
// The key, or ConfigError naming the nearest known key.
const ConfigKey& require_config_key(std::string_view name);

// Sets one key from text (--set KEY=VALUE). Throws ConfigError naming the key:
// unknown key (with the nearest known one), malformed value, out of range.
void set_config_key(MachineConfig& c, std::string_view key, const std::string& value);
// "KEY=VALUE".
void set_config_assignment(MachineConfig& c, const std::string& assignment);
// Applies a configuration object: nested ({"cache": {"size": 8192}}) or dotted
// ({"cache.size": "8K"}). A top-level "description" is a comment. `origin`
// names the file in messages.
void apply_config_json(MachineConfig& c, const nlohmann::json& j, const std::string& origin);

// Every key's effective value, nested by section.
nlohmann::json config_json(const MachineConfig& c);
// The checks that involve several keys, and the models' own geometry checks
// (power-of-two sizes, ways against lines, lines against the page size...).
// Throws ConfigError naming the key(s).
void validate_config(const MachineConfig& c);

// The key table for people: name, kind and range, default, help.
std::string format_config_keys();
std::string kind_text(const ConfigKey& k);

}  // namespace l4sim
