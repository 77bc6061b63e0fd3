#include "cli/config_options.hpp"

#include <cstdlib>

#include "config/config_keys.hpp"
#include "config/presets.hpp"

namespace po = boost::program_options;

namespace l4sim {

std::string presets_dir() {
  if (const char* env = std::getenv("L4SIM_PRESETS"); env && *env) return env;
  return std::string(L4SIM_SOURCE_DIR) + "/presets";
}

void ConfigOptions::add_to(po::options_description& desc) {
  desc.add_options()("cpu", po::value(&cpu),
                     "machine preset: i486dx50 (default), i486dx33, i486dx2-66, i486dx4-100, pentium90, pentium133 "
                     "(presets/*.json), or a preset file path")(
      "config", po::value(&files)->composing(),
      "apply a configuration file (JSON, as `l4sim config show` prints; repeatable)")(
      "set", po::value(&sets)->composing(),
      "set a configuration key, e.g. --set cache.size=16K (repeatable; `l4sim config keys` lists the keys)");
}

MachineConfig ConfigOptions::build(const std::vector<std::string>& extra) const {
  MachineConfig c = load_preset(cpu, presets_dir());
  for (const std::string& f : files) apply_config_file(c, f);
  for (const std::string& s : extra) set_config_assignment(c, s);
  for (const std::string& s : sets) set_config_assignment(c, s);
  validate_config(c);
  return c;
}

nlohmann::json ConfigOptions::describe() const {
  return nlohmann::json{{"preset", preset_name(cpu)}, {"config_files", files}, {"set", sets}};
}

}  // namespace l4sim
