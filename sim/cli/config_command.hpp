// `l4sim config`: show the effective configuration, list the keys and the presets.
#pragma once

#include <string>
#include <vector>

namespace l4sim {

int config_command(const std::vector<std::string>& args);

}  // namespace l4sim
