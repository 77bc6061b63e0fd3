#include <catch2/catch.hpp>

#include "common/error.hpp"
#include "devices/rtc_cmos.hpp"
#include "support/device_rig.hpp"

using namespace l4sim;
using namespace l4sim::rtc;

namespace {

constexpr unsigned kIrq8 = 8;
constexpr u64 kHz = 50'000'000;
// The 1024 Hz periodic boundaries: 32 ticks of 32.768 kHz = 48828.125 cycles, rounded up.
constexpr u64 kPeriodic1 = 48'829;
constexpr u64 kPeriodic2 = 97'657;
// UIP leads each update by 244 us = 12200 cycles at 50 MHz.
constexpr u64 kUipLead = 12'200;

using test::IrqEdge;
using test::IrqRecorder;

RtcConfig starting_at(const char* iso) {
  RtcConfig cfg;
  cfg.start_unix = RtcCmos::parse_time(iso);
  return cfg;
}

struct Bench {
  explicit Bench(const RtcConfig& cfg = {}) : rtc(clock, q, IrqLine(&irq, kIrq8), cfg) {}
  void run_to(u64 target) { test::run_events_to(clock, q, target); }
  u8 read(unsigned index) {
    rtc.io_write(kIndexPort, 1, index);
    return static_cast<u8>(rtc.io_read(kDataPort, 1));
  }
  void write(unsigned index, u8 value) {
    rtc.io_write(kIndexPort, 1, index);
    rtc.io_write(kDataPort, 1, value);
  }

  Clock clock{kHz};
  EventQueue q;
  IrqRecorder irq{clock};
  RtcCmos rtc;
};

}  // namespace

TEST_CASE("630: RTC parse_time converts ISO UTC times and rejects bad ones", "[rtc]") {
  CHECK(RtcCmos::parse_time("1970-01-01T00:00:00") == 0);
  CHECK(RtcCmos::parse_time("2000-01-01T00:00:00") == 946684800);
  CHECK(RtcCmos::parse_time("2026-03-14T15:09:26Z") == 1773500966);
  CHECK(RtcCmos::parse_time("2000-02-29T00:00:00") == 951782400);
  CHECK_THROWS_AS(RtcCmos::parse_time("2026-13-01T00:00:00"), ConfigError);
  CHECK_THROWS_WITH(RtcCmos::parse_time("2026-13-01T00:00:00"), Catch::Contains("month 13"));
  CHECK_THROWS_WITH(RtcCmos::parse_time("yesterday"), Catch::Contains("YYYY-MM-DDTHH:MM:SS"));
  CHECK_THROWS_AS(RtcCmos::parse_time(""), ConfigError);
  CHECK_THROWS_AS(RtcCmos::parse_time("2026-01-01 00:00:00"), ConfigError);
  CHECK_THROWS_AS(RtcCmos::parse_time("2100-02-29T00:00:00"), ConfigError);  // 2100 is not a leap year
  CHECK_THROWS_AS(RtcCmos::parse_time("2026-01-01T24:00:00"), ConfigError);
}

TEST_CASE("631: RTC reads the configured start time in BCD binary and 12-hour formats", "[rtc]") {
  Bench b(starting_at("2026-03-14T15:09:26"));
  SECTION("BCD 24-hour after reset") {
    CHECK(b.read(kSeconds) == 0x26);
    CHECK(b.read(kMinutes) == 0x09);
    CHECK(b.read(kHours) == 0x15);
    CHECK(b.read(kDayOfWeek) == 0x07);  // Saturday
    CHECK(b.read(kDayOfMonth) == 0x14);
    CHECK(b.read(kMonth) == 0x03);
    CHECK(b.read(kYear) == 0x26);
    CHECK(b.read(kCentury) == 0x20);
    CHECK(b.read(kRegA) == 0x26);
    CHECK(b.read(kRegB) == 0x02);
    CHECK(b.read(kRegC) == 0x00);
    CHECK(b.read(kRegD) == 0x80);
  }
  SECTION("binary 24-hour") {
    b.write(kRegB, kBBinary | kB24Hour);
    CHECK(b.read(kSeconds) == 26);
    CHECK(b.read(kMinutes) == 9);
    CHECK(b.read(kHours) == 15);
    CHECK(b.read(kDayOfMonth) == 14);
    CHECK(b.read(kYear) == 26);
    CHECK(b.read(kCentury) == 20);
  }
  SECTION("12-hour sets the PM bit") {
    b.write(kRegB, 0);  // BCD 12-hour
    CHECK(b.read(kHours) == (kHourPm | 0x03));
    b.write(kRegB, kBBinary);
    CHECK(b.read(kHours) == (kHourPm | 3));
    // Midnight and noon are 12 AM and 12 PM.
    b.write(kHours, 12);  // 12 AM
    b.write(kRegB, kBBinary | kB24Hour);
    CHECK(b.read(kHours) == 0);
    b.write(kRegB, kBBinary);
    b.write(kHours, kHourPm | 12);  // 12 PM
    b.write(kRegB, kBBinary | kB24Hour);
    CHECK(b.read(kHours) == 12);
  }
}

TEST_CASE("632: RTC time advances one second every clock.hz() cycles and not before", "[rtc]") {
  Bench b;
  b.run_to(kHz - 1);
  CHECK(b.read(kSeconds) == 0x00);
  b.run_to(kHz);
  CHECK(b.read(kSeconds) == 0x01);
  b.run_to(60 * kHz);
  CHECK(b.read(kSeconds) == 0x00);
  CHECK(b.read(kMinutes) == 0x01);
  // Updates set UF with UIE clear (and the 1024 Hz periodic flag is set too), with no IRQ.
  CHECK(b.read(kRegC) == (kCUf | kCPf));
  CHECK(b.irq.edges.empty());
  CHECK(b.rtc.cmos(kSeconds) == 0x00);
}

TEST_CASE("633: RTC update carries across month end year end and February", "[rtc]") {
  struct Case {
    const char* start;
    u8 day, month, year, century, weekday;
  };
  const Case cases[] = {
      {"2000-01-31T23:59:59", 0x01, 0x02, 0x00, 0x20, 3},  // 31-day month
      {"2024-04-30T23:59:59", 0x01, 0x05, 0x24, 0x20, 4},  // 30-day month
      {"1999-12-31T23:59:59", 0x01, 0x01, 0x00, 0x20, 7},  // year and century end
      {"2000-02-28T23:59:59", 0x29, 0x02, 0x00, 0x20, 3},  // 2000 is a leap year
      {"2100-02-28T23:59:59", 0x01, 0x03, 0x00, 0x21, 2},  // 2100 is not
  };
  for (const Case& c : cases) {
    INFO(c.start);
    Bench b(starting_at(c.start));
    b.run_to(kHz);
    CHECK(b.read(kSeconds) == 0x00);
    CHECK(b.read(kMinutes) == 0x00);
    CHECK(b.read(kHours) == 0x00);
    CHECK(b.read(kDayOfMonth) == c.day);
    CHECK(b.read(kMonth) == c.month);
    CHECK(b.read(kYear) == c.year);
    CHECK(b.read(kCentury) == c.century);
    CHECK(b.read(kDayOfWeek) == c.weekday);
  }
}

TEST_CASE("634: RTC UIP reads 1 during the 244 us before each update", "[rtc]") {
  Bench b;
  b.run_to(kHz - kUipLead - 1);
  CHECK(b.read(kRegA) == 0x26);
  b.run_to(kHz - kUipLead);
  CHECK(b.read(kRegA) == (kAUip | 0x26));
  CHECK(b.read(kSeconds) == 0x00);
  b.run_to(kHz - 1);
  CHECK(b.read(kRegA) == (kAUip | 0x26));
  b.run_to(kHz);
  CHECK(b.read(kRegA) == 0x26);
  CHECK(b.read(kSeconds) == 0x01);
  // UIP is read-only and SET suppresses it.
  b.run_to(2 * kHz - 1);
  b.write(kRegA, 0x26 & ~kAUip);
  CHECK(b.read(kRegA) == (kAUip | 0x26));
  b.write(kRegB, kBSet | kB24Hour);
  CHECK(b.read(kRegA) == 0x26);
}

TEST_CASE("635: RTC periodic interrupt at RS 6 raises IRQ 8 at 1024 Hz and reading C lowers it", "[rtc]") {
  Bench b;
  b.write(kRegB, kBPie | kB24Hour);  // RS is 6 (1024 Hz) after reset
  b.run_to(kPeriodic1 - 1);
  CHECK(b.irq.edges.empty());
  b.run_to(kPeriodic1);
  REQUIRE(b.irq.edges.size() == 1);
  CHECK(b.irq.edges[0] == IrqEdge{kPeriodic1, kIrq8, true});
  b.run_to(kPeriodic1 + 100);
  CHECK(b.read(kRegC) == (kCIrqf | kCPf));
  REQUIRE(b.irq.edges.size() == 2);
  CHECK(b.irq.edges[1] == IrqEdge{kPeriodic1 + 100, kIrq8, false});
  CHECK(b.read(kRegC) == 0x00);
  b.run_to(kPeriodic2);
  REQUIRE(b.irq.edges.size() == 3);
  CHECK(b.irq.edges[2] == IrqEdge{kPeriodic2, kIrq8, true});
  // Without reading C the line stays high: no further edges.
  b.run_to(kPeriodic2 + 10 * kPeriodic1);
  CHECK(b.irq.edges.size() == 3);
}

TEST_CASE("636: RTC periodic flag is set with PIE clear but raises no IRQ", "[rtc]") {
  Bench b;
  b.run_to(kPeriodic1 - 1);
  CHECK(b.read(kRegC) == 0x00);
  b.run_to(kPeriodic1);
  CHECK(b.read(kRegC) == kCPf);
  CHECK(b.read(kRegC) == 0x00);
  CHECK(b.q.when(1) == kNever);  // no periodic timer without PIE
  b.run_to(kPeriodic2 + 5);
  CHECK(b.rtc.cmos(kRegC) == kCPf);  // cmos() peeks without clearing
  CHECK(b.read(kRegC) == kCPf);
  CHECK(b.irq.edges.empty());
  // Enabling PIE with PF already set raises IRQ 8 at once.
  b.run_to(kPeriodic2 + kPeriodic1);
  b.write(kRegB, kBPie | kB24Hour);
  REQUIRE(b.irq.edges.size() == 1);
  CHECK(b.irq.edges[0].level);
}

TEST_CASE("637: RTC alarm and update-ended interrupts", "[rtc]") {
  Bench b;
  b.write(kRegA, kADividerRunning);  // RS 0: no periodic flag, so C shows only the flags under test
  SECTION("alarm at second 5 with minutes and hours don't care") {
    b.write(kSecondsAlarm, 0x05);
    b.write(kMinutesAlarm, 0xC0);
    b.write(kHoursAlarm, 0xFF);
    b.write(kRegB, kBAie | kB24Hour);
    b.run_to(5 * kHz - 1);
    CHECK(b.irq.edges.empty());
    b.run_to(5 * kHz);
    REQUIRE(b.irq.edges.size() == 1);
    CHECK(b.irq.edges[0] == IrqEdge{5 * kHz, kIrq8, true});
    CHECK(b.read(kRegC) == (kCIrqf | kCAf | kCUf));
    b.run_to(65 * kHz - 1);
    CHECK(b.irq.edges.size() == 2);  // only the lowering by the C read
    b.run_to(65 * kHz);              // 00:01:05
    REQUIRE(b.irq.edges.size() == 3);
    CHECK(b.irq.edges[2] == IrqEdge{65 * kHz, kIrq8, true});
  }
  SECTION("an alarm with a different minute does not fire") {
    b.write(kSecondsAlarm, 0x05);
    b.write(kMinutesAlarm, 0x01);
    b.write(kHoursAlarm, 0xC0);
    b.write(kRegB, kBAie | kB24Hour);
    b.run_to(5 * kHz);
    CHECK(b.irq.edges.empty());
    CHECK(b.read(kRegC) == kCUf);
  }
  SECTION("update-ended interrupt every second") {
    b.write(kRegB, kBUie | kB24Hour);
    b.run_to(kHz);
    REQUIRE(b.irq.edges.size() == 1);
    CHECK(b.irq.edges[0] == IrqEdge{kHz, kIrq8, true});
    CHECK(b.read(kRegC) == (kCIrqf | kCUf));
    b.run_to(2 * kHz);
    REQUIRE(b.irq.edges.size() == 3);
    CHECK(b.irq.edges[2] == IrqEdge{2 * kHz, kIrq8, true});
  }
}

TEST_CASE("638: RTC SET inhibits updates and keeps the written time", "[rtc]") {
  Bench b;
  GIVEN("SET raised half a second in") {
    b.run_to(kHz / 2);
    b.write(kRegB, kBSet | kBUie | kB24Hour);
    CHECK(b.read(kRegB) == (kBSet | kB24Hour));  // SET clears UIE
    b.write(kHours, 0x12);
    b.write(kMinutes, 0x34);
    b.write(kSeconds, 0x56);
    WHEN("three seconds pass") {
      b.run_to(3 * kHz + kHz / 4);
      THEN("the time has not moved") {
        CHECK(b.read(kSeconds) == 0x56);
        CHECK(b.read(kMinutes) == 0x34);
        CHECK(b.read(kHours) == 0x12);
        CHECK(b.q.when(0) == kNever);  // no update timer while SET
      }
      AND_WHEN("SET is cleared") {
        b.write(kRegB, kB24Hour);
        THEN("the next update comes at the divider's next second boundary") {
          b.run_to(4 * kHz - 1);
          CHECK(b.read(kSeconds) == 0x56);
          b.run_to(4 * kHz);
          CHECK(b.read(kSeconds) == 0x57);
        }
      }
    }
  }
  GIVEN("the divider held in reset") {
    b.run_to(kHz + kHz / 3);
    b.write(kRegA, 0x70);
    b.run_to(3 * kHz);
    CHECK(b.read(kSeconds) == 0x01);  // stopped
    WHEN("it is released at cycle 150012345") {
      b.run_to(150'012'345);
      b.write(kRegA, 0x26);
      THEN("the first update comes half a second later on the 32.768 kHz grid") {
        b.run_to(175'012'207);
        CHECK(b.read(kSeconds) == 0x01);
        b.run_to(175'012'208);
        CHECK(b.read(kSeconds) == 0x02);
        b.run_to(225'012'208);
        CHECK(b.read(kSeconds) == 0x03);
      }
    }
  }
}

TEST_CASE("639: RTC index port keeps the NMI mask and CMOS RAM holds the BIOS bytes", "[rtc]") {
  Bench b;
  b.rtc.io_write(kIndexPort, 1, kNmiMask | 0x0F);
  CHECK(b.rtc.nmi_masked());
  CHECK(b.rtc.io_read(kIndexPort, 1) == 0xFF);  // the index port is write-only
  b.rtc.io_write(kDataPort, 1, 0x5A);
  CHECK(b.rtc.cmos(0x0F) == 0x5A);
  b.rtc.io_write(kIndexPort, 1, 0x0F);
  CHECK_FALSE(b.rtc.nmi_masked());
  for (unsigned i = 0x40; i < kRamSize; ++i) b.write(i, static_cast<u8>(i ^ 0xA5));
  b.run_to(2 * kHz);
  for (unsigned i = 0x40; i < kRamSize; ++i) CHECK(b.read(i) == static_cast<u8>(i ^ 0xA5));
  SECTION("16 MB") {
    CHECK(b.read(kFloppyTypes) == 0x00);
    CHECK(b.read(kEquipment) == kEquipmentFpu);
    CHECK(b.read(kBaseMemoryLo) == 0x80);  // 640 KB
    CHECK(b.read(kBaseMemoryHi) == 0x02);
    CHECK(b.read(kExtMemoryLo) == 0x00);  // 15360 KB
    CHECK(b.read(kExtMemoryHi) == 0x3C);
    CHECK(b.read(kExtMemory2Lo) == 0x00);
    CHECK(b.read(kExtMemory2Hi) == 0x3C);
    CHECK(b.read(kHighMemoryLo) == 0x00);
    CHECK(b.read(kHighMemoryHi) == 0x00);
    CHECK(b.read(kChecksumHi) == 0x00);  // 0x02 + 0x80 + 0x02 + 0x3C
    CHECK(b.read(kChecksumLo) == 0xC0);
  }
  SECTION("64 MB") {
    RtcConfig cfg;
    cfg.ram_bytes = 64u << 20;
    Bench big(cfg);
    CHECK(big.read(kExtMemoryLo) == 0x00);  // 64512 KB
    CHECK(big.read(kExtMemoryHi) == 0xFC);
    CHECK(big.read(kHighMemoryLo) == 0x00);  // 48 MB in 64 KB units
    CHECK(big.read(kHighMemoryHi) == 0x03);
  }
}
