// `l4sim ipc`: boot the real kernel with its ping-pong benchmark and report
// per-IPC cycles, their decomposition next to the published analysis, and an
// annotated listing of one warm IPC (DESIGN.md §3).
#pragma once

#include <string>
#include <vector>

namespace l4sim {

int ipc_command(const std::vector<std::string>& args, const char* version, const std::string& self_dir);

}  // namespace l4sim
