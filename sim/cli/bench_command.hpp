// `l4sim bench`: how fast the simulator runs (guest instructions and simulated
// cycles per host second) on fixed workloads, in every mode, optionally side by
// side with QEMU's TCG on the same kernel images.
#pragma once

#include <string>
#include <vector>

namespace l4sim {

int bench_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir);

}  // namespace l4sim
