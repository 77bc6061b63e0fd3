// The cycle clock, the device event queue and the I/O port map.
#include <catch2/catch.hpp>
#include <vector>

#include "devices/io_map.hpp"
#include "time/clock.hpp"
#include "time/event_queue.hpp"

using namespace l4sim;

TEST_CASE("640: clock converts between CPU cycles and a device time base exactly") {
  const Clock c(50'000'000);
  // 1.193182 MHz PIT ticks at 50 MHz: tick n starts at ceil(n * 50e6 / 1193182).
  CHECK(c.cycle_of_tick(1, 1'193'182) == 42);                // 41.9 -> 42
  CHECK(c.cycle_of_tick(1193182, 1'193'182) == 50'000'000);  // one second
  CHECK(c.ticks_at(41, 1'193'182) == 0);
  CHECK(c.ticks_at(42, 1'193'182) == 1);
  // No overflow far into a run: 10^12 cycles (5.5 simulated hours).
  CHECK(c.ticks_at(1'000'000'000'000ull, 32768) == 655'360'000ull);
  CHECK(c.cycle_of_tick(c.ticks_at(123'456'789, 32768), 32768) <= 123'456'789);
}

TEST_CASE("641: event queue fires due timers in cycle order then registration order") {
  EventQueue q;
  std::vector<std::pair<int, u64>> fired;
  const auto a = q.add("a", [&](u64 when) { fired.push_back({0, when}); });
  const auto b = q.add("b", [&](u64 when) { fired.push_back({1, when}); });
  const auto c = q.add("c", [&](u64 when) { fired.push_back({2, when}); });
  CHECK(q.next_due() == kNever);
  q.schedule(c, 100);
  q.schedule(b, 50);
  q.schedule(a, 100);
  CHECK(q.next_due() == 50);
  q.run_due(49);
  CHECK(fired.empty());
  q.run_due(100);
  REQUIRE(fired.size() == 3);
  CHECK(fired[0] == std::pair<int, u64>{1, 50});
  CHECK(fired[1] == std::pair<int, u64>{0, 100});  // ties: first registered first
  CHECK(fired[2] == std::pair<int, u64>{2, 100});
  CHECK(q.next_due() == kNever);
}

TEST_CASE("642: a timer that reschedules itself into the past fires again in the same call") {
  EventQueue q;
  int count = 0;
  EventQueue::Id id = 0;
  id = q.add("periodic", [&](u64 when) {
    ++count;
    q.schedule(id, when + 10);
  });
  q.schedule(id, 0);
  q.run_due(35);  // fires at 0, 10, 20, 30
  CHECK(count == 4);
  CHECK(q.when(id) == 40);
  q.cancel(id);
  CHECK(q.next_due() == kNever);
}

namespace {
struct Recorder : IoPortHandler {
  std::vector<std::tuple<u16, unsigned, u32>> writes;
  u32 io_read(u16 port, unsigned size) override { return size == 1 ? (port & 0xFF) : 0x12345678; }
  void io_write(u16 port, unsigned size, u32 value) override { writes.emplace_back(port, size, value); }
};
}  // namespace

TEST_CASE("643: IoMap splits wide accesses to byte devices and floats unclaimed ports high") {
  IoMap io;
  Recorder byte_dev, wide_dev;
  io.map(0x40, 4, &byte_dev);
  io.map(0xF4, 4, &wide_dev, true);
  CHECK(io.io_read(0x100, 1) == 0xFF);
  CHECK(io.io_read(0x100, 4) == 0xFFFFFFFFu);
  // A 16-bit read at 0x43: byte 0x43 from the device, 0x44 unclaimed.
  CHECK(io.io_read(0x43, 2) == 0xFF43);
  io.io_write(0x42, 2, 0xBEEF);
  REQUIRE(byte_dev.writes.size() == 2);
  CHECK(byte_dev.writes[0] == std::tuple<u16, unsigned, u32>{0x42, 1, 0xEF});
  CHECK(byte_dev.writes[1] == std::tuple<u16, unsigned, u32>{0x43, 1, 0xBE});
  CHECK(io.io_read(0xF4, 4) == 0x12345678);
  io.io_write(0xF4, 4, 0xCAFE);
  REQUIRE(wide_dev.writes.size() == 1);
  CHECK(wide_dev.writes[0] == std::tuple<u16, unsigned, u32>{0xF4, 4, 0xCAFE});
  CHECK_THROWS_AS(io.map(0x43, 1, &wide_dev), std::logic_error);
}
