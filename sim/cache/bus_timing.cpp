#include "cache/bus_timing.hpp"

#include <fmt/format.h>

#include <cmath>

#include "common/error.hpp"

namespace l4sim {

void BusConfig::validate() const {
  auto positive = [](u32 v, const char* key) {
    if (v == 0) throw ConfigError(fmt::format("{} must be at least 1", key));
  };
  if (!(multiplier >= 1 && multiplier <= 8) || multiplier * 2 != std::floor(multiplier * 2))
    throw ConfigError(fmt::format("bus.multiplier ({}) must be a multiple of 0.5 from 1 to 8", multiplier));
  positive(burst_first, "bus.burst_first");
  positive(burst_next, "bus.burst_next");
  positive(write_cycles, "bus.write_cycles");
}

namespace {
u32 cpu_clocks(const BusConfig& b, u32 bus_clocks) {
  return static_cast<u32>(std::ceil(static_cast<double>(bus_clocks) * b.multiplier));
}
}  // namespace

u32 burst_cycles(const BusConfig& b, u32 line_bytes, u32 first, u32 next) {
  const u32 transfers = line_bytes > kBusBytesPerTransfer ? line_bytes / kBusBytesPerTransfer : 1;
  return cpu_clocks(b, first + (transfers - 1) * next);
}

u32 line_fill_cycles(const BusConfig& b, u32 line_bytes) {
  return burst_cycles(b, line_bytes, b.burst_first + b.wait_states, b.burst_next);
}

u32 write_cycles(const BusConfig& b) { return cpu_clocks(b, b.write_cycles + b.wait_states); }

}  // namespace l4sim
