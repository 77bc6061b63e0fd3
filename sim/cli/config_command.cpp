#include "cli/config_command.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/config_options.hpp"
#include "cli/options.hpp"
#include "common/error.hpp"
#include "config/config_keys.hpp"
#include "config/presets.hpp"

namespace po = boost::program_options;

namespace l4sim {

namespace {

void usage(std::ostream& o) {
  o << "usage: l4sim config <show|keys|presets> [options]\n\n"
       "  show      print the effective configuration as JSON: l4sim config show [--cpu P] [--config F] [--set K=V]\n"
       "  keys      list every configuration key with its default, range and meaning\n"
       "  presets   list the presets (presets/*.json) with their descriptions\n";
}

}  // namespace

int config_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    usage(std::cerr);
    return 2;
  }
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "show") {
    ConfigOptions co;
    po::options_description desc("l4sim config show [options]");
    co.add_to(desc);
    desc.add_options()("help,h", "show this help");
    po::variables_map vm;
    if (!parse_options(desc, rest, vm)) return 0;
    std::cout << config_json(co.build()).dump(2) << "\n";
    return 0;
  }
  if (sub == "keys" || sub == "presets") {
    po::options_description desc("l4sim config " + sub);
    desc.add_options()("help,h", "show this help");
    po::variables_map vm;
    if (!parse_options(desc, rest, vm)) return 0;
    if (sub == "keys") {
      std::cout << format_config_keys();
      return 0;
    }
    const std::string dir = presets_dir();
    for (const std::string& name : preset_names(dir)) {
      std::ifstream f(dir + "/" + name + ".json");
      std::string description;
      try {
        const nlohmann::json j = nlohmann::json::parse(f);
        if (j.is_object() && j.contains("description") && j["description"].is_string())
          description = j["description"].get<std::string>();
        load_preset(name, dir);  // and it must be a valid configuration
      } catch (const std::exception& e) {
        description = fmt::format("(invalid: {})", e.what());
      }
      std::cout << fmt::format("{:<14} {}\n", name, description);
    }
    return 0;
  }
  if (sub == "--help" || sub == "-h" || sub == "help") {
    usage(std::cout);
    return 0;
  }
  std::cerr << "l4sim config: unknown subcommand '" << sub << "'\n";
  usage(std::cerr);
  return 2;
}

}  // namespace l4sim
