// The differential tests' knobs: L4SIM_FUZZ_SEED overrides the seed (printed
// by every test so a failure can be replayed), L4SIM_FUZZ_SCALE scales the
// number of cases (the sanitizer build runs fewer).
#pragma once

#include <cstdlib>

#include "common/types.hpp"

namespace l4sim::test {

inline u64 fuzz_seed(u64 default_seed) {
  const char* e = std::getenv("L4SIM_FUZZ_SEED");
  return e ? std::strtoull(e, nullptr, 0) : default_seed;
}

inline double fuzz_scale() {
  const char* e = std::getenv("L4SIM_FUZZ_SCALE");
  const double v = e ? std::strtod(e, nullptr) : 1.0;
  return v > 0 ? v : 1.0;
}

}  // namespace l4sim::test
