#include "config/presets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "config/config_keys.hpp"

namespace fs = std::filesystem;

namespace l4sim {

std::vector<std::string> preset_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string preset_name(const std::string& name) {
  if (name == "i486") return "i486dx50";
  if (name == "pentium") return "pentium90";
  return name;
}

void apply_config_file(MachineConfig& c, const std::string& path) {
  std::ifstream f(path);
  if (!f) throw ConfigError(fmt::format("cannot open configuration '{}'", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("configuration '{}' is not valid JSON: {}", path, e.what()));
  }
  apply_config_json(c, j, path);
}

MachineConfig load_preset(const std::string& name, const std::string& dir) {
  const std::string canonical = preset_name(name);
  const bool is_path = canonical.find('/') != std::string::npos || fs::path(canonical).extension() == ".json";
  const std::string path = is_path ? canonical : dir + "/" + canonical + ".json";
  if (!is_path && !fs::exists(path)) {
    std::string list;
    for (const std::string& n : preset_names(dir)) list += (list.empty() ? "" : ", ") + n;
    throw ConfigError(
        fmt::format("unknown CPU preset '{}' (presets in {}: {})", name, dir, list.empty() ? "none found" : list));
  }
  MachineConfig c;
  apply_config_file(c, path);
  return c;
}

}  // namespace l4sim
