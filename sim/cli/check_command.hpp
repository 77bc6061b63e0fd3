// `l4sim check`: run every budgeted scenario and compare its simulated cycles
// with the budgets in traces/budgets.json; non-zero exit when a path is over
// budget, with the trace diff of that path against traces/.
#pragma once

#include <string>
#include <vector>

namespace l4sim {

int check_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir);

}  // namespace l4sim
