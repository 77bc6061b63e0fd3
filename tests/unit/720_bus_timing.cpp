#include <catch2/catch.hpp>
#include <string>

#include "cache/bus_timing.hpp"
#include "common/error.hpp"

using namespace l4sim;

TEST_CASE("720: bus a 16-byte line fill at zero wait states is a 2-1-1-1 burst of 5 clocks", "[bus]") {
  BusConfig b;
  REQUIRE_NOTHROW(b.validate());
  CHECK(line_fill_cycles(b, 16) == 5);  // 16 bytes per 5 clocks = 160 MB/s at 50 MHz
  CHECK(line_fill_cycles(b, 4) == 2);   // a single transfer
}

TEST_CASE("721: bus wait states lengthen the first transfer of a burst and every single cycle", "[bus]") {
  BusConfig b;
  b.wait_states = 1;
  // (burst_first + wait_states) + (16/4 - 1) * burst_next = 3 + 3 = 6 (3-1-1-1).
  CHECK(line_fill_cycles(b, 16) == 6);
  CHECK(write_cycles(b) == 3);
  b.wait_states = 2;
  b.burst_next = 2;  // a board with 4-2-2-2 bursts
  CHECK(line_fill_cycles(b, 16) == 10);
  CHECK(write_cycles(b) == 4);
}

TEST_CASE("722: bus a 32-byte line costs 2+7 clocks and a write cycle 2 plus wait states", "[bus]") {
  BusConfig b;
  CHECK(line_fill_cycles(b, 32) == 9);
  CHECK(write_cycles(b) == 2);
  b.wait_states = 3;
  CHECK(write_cycles(b) == 5);
  b = {};
  b.burst_next = 0;
  try {
    b.validate();
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("bus.burst_next"));
  }
  b = {};
  b.write_cycles = 0;
  CHECK_THROWS_AS(b.validate(), ConfigError);
}

TEST_CASE("723: bus a clock-multiplied CPU pays the multiplier per bus clock, rounded up", "[bus]") {
  BusConfig b;
  b.multiplier = 2;  // a DX2: the bus at half the core clock
  CHECK(line_fill_cycles(b, 16) == 10);
  CHECK(write_cycles(b) == 4);
  b.multiplier = 1.5;  // Pentium-90 on a 60 MHz bus
  CHECK(line_fill_cycles(b, 16) == 8);  // 5 bus clocks = 7.5 CPU clocks, rounded up
  CHECK(burst_cycles(b, 16, 3, 1) == 9);
  for (double bad : {0.5, 1.25, 9.0}) {
    b.multiplier = bad;
    CHECK_THROWS_WITH(b.validate(), Catch::Matchers::Contains("bus.multiplier"));
  }
}
