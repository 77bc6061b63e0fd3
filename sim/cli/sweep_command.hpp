// `l4sim sweep`: the IPC benchmark over the cartesian product of configuration
// grids, one process per point, several at a time; writes results.csv,
// results.json, chart.svg and chart.html.
#pragma once

#include <string>
#include <vector>

namespace l4sim {

int sweep_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir);

}  // namespace l4sim
