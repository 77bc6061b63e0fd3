#include <catch2/catch.hpp>

#include "cache/write_buffer.hpp"
#include "common/error.hpp"

using namespace l4sim;

TEST_CASE("710: write buffer four back-to-back writes at cycle 0 fit without stalling", "[wbuf]") {
  GIVEN("the i486 default of 4 entries and 2-cycle writes") {
    WriteBuffer wb;
    REQUIRE(wb.depth() == 4);
    REQUIRE(wb.write_cycles() == 2);
    WHEN("four writes arrive at cycle 0") {
      u32 stalls = 0;
      for (int i = 0; i < 4; ++i) stalls += wb.write(0);
      THEN("none stalls and they drain back to back until cycle 8") {
        CHECK(stalls == 0);
        CHECK(wb.pending(0) == 4);
        CHECK(wb.bus_free_at() == 8);
      }
    }
  }
}

TEST_CASE("711: write buffer a fifth write into a full buffer stalls until the oldest drains", "[wbuf]") {
  WriteBuffer wb(4, 2);
  for (int i = 0; i < 4; ++i) REQUIRE(wb.write(0) == 0);
  CHECK(wb.write(0) == 2);  // the first write completes at cycle 2
  CHECK(wb.bus_free_at() == 10);
  CHECK(wb.pending(2) == 4);
  // A sixth write at cycle 2 finds the buffer full again: the second write ends at 4.
  CHECK(wb.write(2) == 2);
  CHECK(wb.stall_cycles() == 4);
}

TEST_CASE("712: write buffer writes spaced by the write time never stall", "[wbuf]") {
  WriteBuffer wb(4, 2);
  u32 stalls = 0;
  for (u64 t = 0; t < 200; t += 2) stalls += wb.write(t);
  CHECK(stalls == 0);
  CHECK(wb.pending(198) == 1);
  CHECK(wb.bus_free_at() == 200);
  for (u64 t = 300; t < 400; t += 3) stalls += wb.write(t);
  CHECK(stalls == 0);
  CHECK(wb.pending(400) == 1);  // the last write, at 399, ends at 401
  CHECK(wb.pending(401) == 0);
}

TEST_CASE("713: write buffer a read after three writes waits until all three have drained", "[wbuf]") {
  WriteBuffer wb(4, 2);
  for (int i = 0; i < 3; ++i) wb.write(0);
  WHEN("a line fill needs the bus at cycle 0") {
    const u32 wait = wb.drain_for_read(0);
    THEN("it waits 3 x 2 cycles and the buffer is then empty") {
      CHECK(wait == 6);
      CHECK(wb.pending(6) == 0);
    }
    AND_WHEN("the fill holds the bus for 5 cycles and a write follows at once") {
      wb.note_bus_busy_until(6 + 5);
      const u32 stall = wb.write(7);
      THEN("the write is posted without a stall and drains after the fill") {
        CHECK(stall == 0);
        CHECK(wb.bus_free_at() == 13);
        CHECK(wb.pending(12) == 1);
        CHECK(wb.pending(13) == 0);
      }
    }
  }
  WHEN("the read comes after one write has drained") { CHECK(wb.drain_for_read(3) == 3); }
  WHEN("the read comes after every write has drained") {
    CHECK(wb.drain_for_read(6) == 0);
    CHECK(wb.drain_for_read(50) == 0);
  }
}

TEST_CASE("714: write buffer pending counts down as the writes drain", "[wbuf]") {
  WriteBuffer wb(4, 3);
  for (int i = 0; i < 4; ++i) wb.write(10);  // complete at 13 16 19 22
  CHECK(wb.pending(10) == 4);
  CHECK(wb.pending(12) == 4);
  CHECK(wb.pending(13) == 3);
  CHECK(wb.pending(16) == 2);
  CHECK(wb.pending(21) == 1);
  CHECK(wb.pending(22) == 0);
  CHECK(wb.bus_free_at() == 22);
}

TEST_CASE("715: write buffer of depth 1 stalls every write made while the previous drains", "[wbuf]") {
  WriteBuffer wb(1, 2);
  CHECK(wb.write(0) == 0);  // drains 0..2
  CHECK(wb.write(0) == 2);  // waits for the entry then drains 2..4
  CHECK(wb.write(3) == 1);  // waits until 4, drains 4..6
  CHECK(wb.write(6) == 0);
  CHECK(wb.pending(7) == 1);
  CHECK(wb.drain_for_read(7) == 1);
  CHECK_THROWS_AS(WriteBuffer(0, 2), ConfigError);
  CHECK_THROWS_AS(WriteBuffer(4, 0), ConfigError);
}
