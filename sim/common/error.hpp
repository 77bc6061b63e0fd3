// Errors that stop a simulation run. These are host-side conditions (bad input,
// an unmodelled feature), never guest-visible exceptions, which are CpuFault.
#pragma once

#include <stdexcept>
#include <string>

namespace l4sim {

// The simulator met something it does not model; the run must stop with a
// clear message rather than continue with silently wrong state.
class UnsupportedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad user input: configuration, files, options.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace l4sim
