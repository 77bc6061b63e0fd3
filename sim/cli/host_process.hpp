// Running another program and timing it on the host: wall-clock seconds and
// the CPU seconds the child used (user + system, from wait4's rusage). Used by
// `l4sim bench` to time l4sim and QEMU processes alike. Host time is read here,
// in the command-line front end only; the simulator never reads it.
#pragma once

#include <string>
#include <vector>

namespace l4sim {

struct ProcessResult {
  int exit_status = -1;  // the child's exit status, or 128 + signal
  double wall_seconds = 0;
  double cpu_seconds = 0;  // user + system time of the child
};

// Runs argv[0] (a path, or a name looked up in PATH) with argv, stdout and stderr to the given files
// ("/dev/null" to drop them). Throws std::runtime_error if it cannot start.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& out, const std::string& err);

}  // namespace l4sim
