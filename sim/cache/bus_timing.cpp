#include "cache/bus_timing.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace l4sim {

void BusConfig::validate() const {
  auto positive = [](u32 v, const char* key) {
    if (v == 0) throw ConfigError(fmt::format("{} must be at least 1", key));
  };
  positive(mhz, "bus.mhz");
  positive(burst_first, "bus.burst_first");
  positive(burst_next, "bus.burst_next");
  positive(write_cycles, "bus.write_cycles");
}

u32 line_fill_cycles(const BusConfig& b, u32 line_bytes) {
  const u32 transfers = line_bytes > kBusBytesPerTransfer ? line_bytes / kBusBytesPerTransfer : 1;
  return b.burst_first + b.wait_states + (transfers - 1) * b.burst_next;
}

u32 write_cycles(const BusConfig& b) { return b.write_cycles + b.wait_states; }

}  // namespace l4sim
