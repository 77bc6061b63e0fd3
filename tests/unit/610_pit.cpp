// The 8254 PIT and port 61h: counting computed from PIT pulses, OUT0 edges on
// IRQ0 at exact CPU cycles, latches, read-back, BCD and channel 2's gate
// (Intel 82C54 datasheet).
#include <catch2/catch.hpp>
#include <vector>

#include "devices/pit8254.hpp"
#include "support/device_rig.hpp"

using namespace l4sim;

namespace {

struct Edge {
  u64 cycle;
  bool level;
  bool operator==(const Edge&) const = default;
};

class IrqRecorder : public IrqSink {
 public:
  explicit IrqRecorder(const Clock& clock) : clock_(clock) {}
  void set_irq(unsigned line, bool level) override {
    CHECK(line == 0);
    edges.push_back(Edge{clock_.now(), level});
  }
  std::vector<Edge> edges;

 private:
  const Clock& clock_;
};

constexpr u16 kCh0 = 0x40, kCh2 = 0x42, kCtl = 0x43, kPortB = 0x61;

// A PIT on a 50 MHz 486 clock, driven the way the machine drives it: due
// timers fire at their cycle, in order.
struct Rig {
  Clock clock{50'000'000};
  EventQueue q;
  IrqRecorder irq{clock};
  Pit8254 pit{clock, q, IrqLine(&irq, 0)};

  static u64 cyc(const Clock& c, u64 tick) { return c.cycle_of_tick(tick, Pit8254::kHz); }
  u64 cyc(u64 tick) const { return cyc(clock, tick); }
  u64 tick() const { return clock.ticks_at(clock.now(), Pit8254::kHz); }
  void run_to(u64 cycle) { test::run_events_to(clock, q, cycle); }
  void run_to_tick(u64 t) { run_to(cyc(t)); }
  void out(u16 port, u8 v) { pit.io_write(port, 1, v); }
  u8 in(u16 port) { return static_cast<u8>(pit.io_read(port, 1)); }
  void count16(u16 port, u16 n) {
    out(port, static_cast<u8>(n));
    out(port, static_cast<u8>(n >> 8));
  }
  u16 read16(u16 port) {
    const u8 lo = in(port);
    return static_cast<u16>(lo | (in(port) << 8));
  }
  u16 latched(unsigned ch) {
    out(kCtl, static_cast<u8>(ch << 6));  // counter latch command
    return read16(static_cast<u16>(kCh0 + ch));
  }
  bool out2() { return in(kPortB)&0x20; }
};

}  // namespace

TEST_CASE("610: PIT mode 2 rate generator raises IRQ0 every N ticks", "[pit]") {
  Rig r;
  // Linux's PIT setup: channel 0, LSB then MSB, mode 2, binary, LATCH = 1193.
  r.out(kCtl, 0x34);
  r.count16(kCh0, 1193);
  // Written at tick 0, the count is loaded on pulse 1; OUT goes low on the
  // pulse where the count reaches 1 and high again with the reload, every
  // 1193 pulses: rising edges on pulses 1 + k * 1193.
  GIVEN("the counter runs for three periods") {
    r.run_to_tick(3581);
    THEN("IRQ0 rises at the exact CPU cycles of pulses 1194 2387 and 3580") {
      CHECK(Rig::cyc(r.clock, 1194) == 50035);
      CHECK(Rig::cyc(r.clock, 2387) == 100027);
      CHECK(Rig::cyc(r.clock, 3580) == 150020);
      const std::vector<Edge> want{{0, true},  // the control word sets OUT high
                                   {49993, false},
                                   {50035, true},  // count 1 on pulse 1193
                                   {r.cyc(2386), false},
                                   {100027, true},
                                   {r.cyc(3579), false},
                                   {150020, true}};
      CHECK(r.irq.edges == want);
      CHECK(r.q.next_due() == r.cyc(4772));  // the next falling edge; never one event per pulse
    }
  }
  GIVEN("the count is read during a period") {
    r.run_to_tick(1);
    CHECK(r.latched(0) == 1193);
    r.run_to_tick(1193);
    THEN("it counts down to 1 with OUT low there and reloads") {
      CHECK(r.latched(0) == 1);
      CHECK(r.pit.count(0) == 1);
      CHECK_FALSE(r.pit.out(0));
      r.run_to_tick(1194);
      CHECK(r.latched(0) == 1193);
      CHECK(r.pit.out(0));
    }
  }
  GIVEN("a new count written in the middle of a period") {
    r.run_to_tick(600);
    r.count16(kCh0, 100);
    r.run_to_tick(1400);
    THEN("the current period completes and the new one starts at the reload") {
      REQUIRE(r.irq.edges.size() >= 5);
      CHECK(r.irq.edges[1] == Edge{r.cyc(1193), false});
      CHECK(r.irq.edges[2] == Edge{r.cyc(1194), true});
      CHECK(r.irq.edges[3] == Edge{r.cyc(1293), false});
      CHECK(r.irq.edges[4] == Edge{r.cyc(1294), true});
    }
  }
}

TEST_CASE("611: PIT mode 3 square wave is high for the longer half with odd N", "[pit]") {
  Rig r;
  GIVEN("N = 5") {
    r.out(kCtl, 0x36);
    r.count16(kCh0, 5);
    THEN("OUT is high for 3 pulses and low for 2 and the count drops by two") {
      const bool want_out[] = {true, true, true, true, false, false, true, true, true, false, false};
      const u16 want_count[] = {0, 4, 2, 0, 4, 2, 4, 2, 0, 4, 2};  // odd N loads N-1
      for (u64 t = 1; t <= 10; ++t) {
        r.run_to_tick(t);
        INFO("pulse " << t);
        CHECK(r.pit.out(0) == want_out[t]);
        CHECK(r.latched(0) == want_count[t]);
      }
      const std::vector<Edge> want{{0, true}, {r.cyc(4), false}, {r.cyc(6), true}, {r.cyc(9), false}};
      CHECK(r.irq.edges == want);
    }
  }
  GIVEN("N = 4") {
    r.out(kCtl, 0x36);
    r.count16(kCh0, 4);
    THEN("OUT is high for 2 pulses and low for 2") {
      const bool want_out[] = {true, true, true, false, false, true};
      const u16 want_count[] = {0, 4, 2, 4, 2, 4};
      for (u64 t = 1; t <= 5; ++t) {
        r.run_to_tick(t);
        INFO("pulse " << t);
        CHECK(r.pit.out(0) == want_out[t]);
        CHECK(r.latched(0) == want_count[t]);
      }
    }
  }
}

TEST_CASE("612: PIT mode 0 fires once and a new count restarts it", "[pit]") {
  Rig r;
  r.run_to(1000);
  REQUIRE(r.tick() == 23);
  r.out(kCtl, 0x30);
  r.count16(kCh0, 100);
  CHECK_FALSE(r.pit.out(0));
  r.run_to_tick(50'000);
  THEN("OUT rises N+1 pulses after the write and stays high") {
    const std::vector<Edge> want{{r.cyc(124), true}};
    CHECK(r.irq.edges == want);
    CHECK(r.q.next_due() == kNever);
    CHECK(r.pit.out(0));
  }
  WHEN("the counter is read after the terminal count") {
    THEN("it has wrapped and keeps counting") { CHECK(r.latched(0) == static_cast<u16>(124 - 50'000)); }
  }
  WHEN("a new count is written") {
    r.count16(kCh0, 50);
    const u64 t = r.tick();
    THEN("OUT drops at once and rises again N+1 pulses later") {
      r.run_to_tick(t + 100);
      const std::vector<Edge> want{{r.cyc(124), true}, {r.cyc(50'000), false}, {r.cyc(t + 51), true}};
      CHECK(r.irq.edges == want);
    }
  }
  WHEN("only the LSB of a new count is written") {
    r.out(kCh0, 0x10);
    const u16 held = r.latched(0);
    r.run_to_tick(50'200);
    THEN("counting stops with OUT low until the MSB arrives") {
      CHECK_FALSE(r.pit.out(0));
      CHECK(r.latched(0) == held);
      r.out(kCh0, 0x00);
      r.run_to_tick(50'200 + 17);
      CHECK(r.irq.edges.back() == Edge{r.cyc(50'200 + 17), true});
    }
  }
}

TEST_CASE("613: PIT counter latch freezes the value and LSB MSB reads toggle", "[pit]") {
  Rig r;
  r.out(kCtl, 0x34);
  r.count16(kCh0, 1000);
  r.run_to_tick(101);
  GIVEN("a count latched at pulse 101") {
    r.out(kCtl, 0x00);
    r.run_to_tick(401);
    THEN("reads return the latched value although time passed") {
      CHECK(r.in(kCh0) == 0x84);  // 900 = 0x384
      CHECK(r.in(kCh0) == 0x03);
      AND_THEN("after both bytes the reads follow the counter again") { CHECK(r.read16(kCh0) == 600); }
    }
    WHEN("a second latch command comes before the first is read") {
      r.out(kCtl, 0x00);
      THEN("it is ignored") { CHECK(r.read16(kCh0) == 900); }
    }
  }
  GIVEN("reads without a latch") {
    THEN("the byte pointer alternates LSB and MSB of the live count") {
      CHECK(r.in(kCh0) == 0x84);  // 900
      r.run_to_tick(101 + 0x85);  // 900 - 0x85 = 767 = 0x2FF
      CHECK(r.in(kCh0) == 0x02);  // MSB now
      CHECK(r.in(kCh0) == 0xFF);  // LSB again
    }
  }
  GIVEN("a counter programmed for the LSB only") {
    r.out(kCtl, 0x50);  // channel 1, LSB only, mode 0
    r.out(0x41, 0x80);
    r.run_to_tick(102 + 0x10);
    THEN("every read returns the LSB") {
      CHECK(r.in(0x41) == 0x70);
      CHECK(r.in(0x41) == 0x70);
    }
  }
}

TEST_CASE("614: PIT read-back latches status and count", "[pit]") {
  Rig r;
  r.out(kCtl, 0x34);
  GIVEN("a control word and no count yet") {
    r.out(kCtl, 0xE2);  // read-back: status only, counter 0
    THEN("OUT is high and the count is null") { CHECK(r.in(kCh0) == 0xF4); }
  }
  GIVEN("a count written at pulse 0") {
    r.count16(kCh0, 10);
    THEN("null count stays set until the next pulse loads it") {
      r.out(kCtl, 0xE2);
      CHECK(r.in(kCh0) == 0xF4);
      r.run_to_tick(1);
      r.out(kCtl, 0xE2);
      CHECK(r.in(kCh0) == 0xB4);
    }
    WHEN("status and count are latched together at pulse 5") {
      r.run_to_tick(5);
      r.out(kCtl, 0xC2);
      r.run_to_tick(10);
      THEN("the status comes first then the count as they were at pulse 5") {
        CHECK(r.in(kCh0) == 0xB4);
        CHECK(r.read16(kCh0) == 6);
        r.out(kCtl, 0xE2);
        CHECK(r.in(kCh0) == 0x34);  // at pulse 10 the count is 1: OUT low
      }
    }
    WHEN("a status latch is not read before the next one") {
      r.out(kCtl, 0xE2);
      r.run_to_tick(10);
      r.out(kCtl, 0xE2);
      THEN("the first status is kept") { CHECK(r.in(kCh0) == 0xF4); }
    }
  }
  GIVEN("several counters selected at once") {
    r.out(kCtl, 0x70);  // channel 1: LSB then MSB, mode 0
    r.out(kCtl, 0xB7);  // channel 2: LSB then MSB, mode 3, BCD
    r.out(kCtl, 0xEE);  // status of counters 0, 1 and 2
    THEN("each one latches its own status") {
      CHECK(r.in(0x40) == 0xF4);
      CHECK(r.in(0x41) == 0x70);
      CHECK(r.in(0x42) == 0xF7);
    }
  }
}

TEST_CASE("615: PIT BCD counting counts in decimal digits and 0 means 10000", "[pit]") {
  Rig r;
  GIVEN("mode 0 BCD with count 0100") {
    r.out(kCtl, 0x31);
    r.count16(kCh0, 0x0100);
    r.run_to_tick(1);
    CHECK(r.latched(0) == 0x0100);
    r.run_to_tick(2);
    CHECK(r.latched(0) == 0x0099);
    r.run_to_tick(91);
    CHECK(r.latched(0) == 0x0010);
    r.run_to_tick(102);
    THEN("OUT rises after 100 decrements and the count wraps to 9999") {
      CHECK(r.irq.edges == std::vector<Edge>{{r.cyc(101), true}});
      CHECK(r.latched(0) == 0x9999);
    }
  }
  GIVEN("mode 2 BCD with count 0") {
    r.out(kCtl, 0x35);
    r.count16(kCh0, 0);
    r.run_to_tick(1);
    CHECK(r.latched(0) == 0x0000);
    r.run_to_tick(2);
    CHECK(r.latched(0) == 0x9999);
    r.run_to_tick(20'002);
    THEN("the period is 10000 pulses") {
      const std::vector<Edge> want{
          {0, true}, {r.cyc(10'000), false}, {r.cyc(10'001), true}, {r.cyc(20'000), false}, {r.cyc(20'001), true}};
      CHECK(r.irq.edges == want);
    }
  }
}

TEST_CASE("616: PIT channel 2 is gated by port 61h bit 0 and shows OUT on bit 5", "[pit]") {
  Rig r;
  GIVEN("the TSC calibration sequence: gate high then mode 0 with N = 1000") {
    r.out(kPortB, 0x01);
    r.out(kCtl, 0xB0);
    r.count16(kCh2, 1000);
    THEN("bit 5 turns on exactly 1001 pulses later and IRQ0 sees nothing") {
      r.run_to(r.cyc(1001) - 1);
      CHECK_FALSE(r.out2());
      r.run_to(r.cyc(1001));
      CHECK(r.out2());
      CHECK(r.in(kPortB)&0x01);
      CHECK(r.irq.edges.empty());
    }
    WHEN("the gate goes low for 300 pulses in the middle") {
      r.run_to_tick(501);
      r.out(kPortB, 0x00);
      const u16 held = r.latched(2);
      CHECK(held == 500);
      r.run_to_tick(801);
      CHECK(r.latched(2) == held);
      r.out(kPortB, 0x01);
      THEN("counting resumes where it stopped") {
        r.run_to(r.cyc(1301) - 1);
        CHECK_FALSE(r.out2());
        r.run_to(r.cyc(1301));
        CHECK(r.out2());
      }
    }
  }
  GIVEN("the gate low while the count is written") {
    r.out(kCtl, 0xB0);
    r.count16(kCh2, 1000);
    r.run_to_tick(50);
    CHECK(r.latched(2) == 1000);
    r.out(kPortB, 0x01);
    THEN("counting starts with the gate") {
      r.run_to(r.cyc(1050) - 1);
      CHECK_FALSE(r.out2());
      r.run_to(r.cyc(1050));
      CHECK(r.out2());
    }
  }
  GIVEN("mode 1 hardware one-shot") {
    r.out(kCtl, 0xB2);
    r.count16(kCh2, 100);
    r.run_to_tick(10);
    CHECK(r.out2());
    r.out(kPortB, 0x01);  // the trigger
    THEN("OUT is low from the next pulse until the count expires") {
      CHECK(r.out2());
      r.run_to_tick(11);
      CHECK_FALSE(r.out2());
      r.run_to_tick(110);
      CHECK_FALSE(r.out2());
      r.run_to_tick(111);
      CHECK(r.out2());
    }
  }
  GIVEN("mode 2 with OUT low at count 1") {
    r.out(kPortB, 0x01);
    r.out(kCtl, 0xB4);
    r.count16(kCh2, 10);
    r.run_to_tick(10);
    REQUIRE_FALSE(r.out2());
    WHEN("the gate falls") {
      r.out(kPortB, 0x00);
      THEN("OUT is forced high and the count holds") {
        CHECK(r.out2());
        r.run_to_tick(40);
        CHECK(r.out2());
        CHECK(r.latched(2) == 1);
        AND_WHEN("the gate rises again") {
          r.out(kPortB, 0x01);
          THEN("the count reloads on the next pulse") {
            r.run_to_tick(41);
            CHECK(r.latched(2) == 10);
            r.run_to_tick(50);
            CHECK_FALSE(r.out2());
          }
        }
      }
    }
  }
  GIVEN("channel 0 in mode 1") {
    r.out(kCtl, 0x32);
    r.count16(kCh0, 10);
    r.run_to_tick(100);
    THEN("its gate is tied high so it never triggers") {
      CHECK(r.pit.out(0));
      CHECK(r.irq.edges == std::vector<Edge>{{0, true}});
    }
  }
}

TEST_CASE("617: PIT port 61h refresh bit toggles every 18 pulses and the writable bits read back", "[pit]") {
  Rig r;
  for (u64 t = 0; t < 18; ++t) {
    r.run_to_tick(t);
    CHECK((r.in(kPortB)&0x10) == 0);
  }
  r.run_to_tick(18);
  CHECK((r.in(kPortB)&0x10) == 0x10);
  r.run_to_tick(35);
  CHECK((r.in(kPortB)&0x10) == 0x10);
  r.run_to_tick(36);
  CHECK((r.in(kPortB)&0x10) == 0);
  r.out(kPortB, 0x03);
  CHECK(r.in(kPortB) == 0x03);
  r.out(kPortB, 0xFC);  // only bits 0 and 1 are writable
  CHECK(r.in(kPortB) == 0x00);
  CHECK(r.in(kCtl) == 0xFF);  // the control register cannot be read
}

TEST_CASE("618: PIT mode 4 software strobe pulses OUT low for one tick", "[pit]") {
  Rig r;
  r.out(kCtl, 0x38);
  r.count16(kCh0, 10);
  r.run_to_tick(1000);
  THEN("OUT is low only on pulse 11 and nothing more is scheduled") {
    const std::vector<Edge> want{{0, true}, {r.cyc(11), false}, {r.cyc(12), true}};
    CHECK(r.irq.edges == want);
    CHECK(r.q.next_due() == kNever);
  }
  WHEN("a new count is written") {
    r.count16(kCh0, 3);
    const u64 t = r.tick();
    r.run_to_tick(t + 10);
    THEN("it strobes again N+1 pulses later") {
      CHECK(r.irq.edges.size() == 5);
      CHECK(r.irq.edges[3] == Edge{r.cyc(t + 4), false});
      CHECK(r.irq.edges[4] == Edge{r.cyc(t + 5), true});
    }
  }
}

TEST_CASE("619: PIT runs are deterministic", "[pit]") {
  auto script = [] {
    Rig r;
    std::vector<u64> trace;
    r.out(kCtl, 0x34);
    r.count16(kCh0, 1193);
    r.run_to(3'000'000);
    trace.push_back(r.latched(0));
    r.out(kCtl, 0x36);
    r.count16(kCh0, 777);
    r.out(kPortB, 0x01);
    r.out(kCtl, 0xB0);
    r.count16(kCh2, 5000);
    r.run_to(4'123'457);
    trace.push_back(r.in(kPortB));
    r.out(kCtl, 0x38);
    r.count16(kCh0, 40);
    r.run_to(6'000'000);
    trace.push_back(r.latched(0));
    for (const Edge& e : r.irq.edges) trace.push_back(e.cycle * 2 + e.level);
    return trace;
  };
  const std::vector<u64> first = script();
  const std::vector<u64> second = script();
  CHECK(first.size() > 100);
  CHECK(first == second);
}
