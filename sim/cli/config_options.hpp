// The options every command that builds a machine shares: --cpu PRESET,
// --config FILE (repeatable), --set KEY=VALUE (repeatable). The effective
// configuration is the preset, then each file in order, then each --set in
// order, then validated as a whole before anything runs.
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "machine/machine.hpp"

namespace l4sim {

struct ConfigOptions {
  std::string cpu = "i486dx50";
  std::vector<std::string> files;
  std::vector<std::string> sets;

  // Adds --cpu, --config and --set to `desc`.
  void add_to(boost::program_options::options_description& desc);
  // The effective, validated configuration; `extra` are assignments applied
  // before --set (a command's shorthand options such as --mhz).
  MachineConfig build(const std::vector<std::string>& extra = {}) const;
  // For reports: the preset and the overrides, as given.
  nlohmann::json describe() const;
};

// Where presets live: $L4SIM_PRESETS, else presets/ of the source tree.
std::string presets_dir();

}  // namespace l4sim
