// Named machine presets (presets/<name>.json): a configuration object, as
// `l4sim config show` prints it, plus a "description".
#pragma once

#include <string>
#include <vector>

#include "machine/machine.hpp"

namespace l4sim {

// The preset names found in `dir`, sorted.
std::vector<std::string> preset_names(const std::string& dir);
// The built-in defaults with the preset applied. `name` is a preset name (or
// the alias i486 = i486dx50, pentium = pentium90) looked up in `dir`, or a
// path to a .json file. Throws ConfigError listing the presets when unknown.
MachineConfig load_preset(const std::string& name, const std::string& dir);
// The canonical name of a preset (resolves aliases; paths stay as given).
std::string preset_name(const std::string& name);
// Applies a configuration file on top of `c`.
void apply_config_file(MachineConfig& c, const std::string& path);

}  // namespace l4sim
