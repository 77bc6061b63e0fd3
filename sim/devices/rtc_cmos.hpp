// The Motorola MC146818A real-time clock and its CMOS RAM (ports 0x70/0x71,
// IRQ 8 on a PC). Time of day advances with simulated time only: an update
// cycle every second of CPU cycles, counted from cycle 0 on the 32.768 kHz
// divider chain. Everything between timer events (the periodic flag, the
// update-in-progress window, updates not yet applied) is computed from "now"
// when the guest reads it.
#pragma once

#include <array>
#include <string>

#include "devices/irq.hpp"
#include "mmu/io_port.hpp"
#include "time/event_queue.hpp"

namespace l4sim {

namespace rtc {

constexpr u16 kIndexPort = 0x70;
constexpr u16 kDataPort = 0x71;
constexpr u8 kIndexMask = 0x7F;
constexpr u8 kNmiMask = 0x80;  // index port bit 7: NMI disable on a PC

// Register indices (MC146818A datasheet Figure 3, "Address Map").
constexpr unsigned kSeconds = 0x00;
constexpr unsigned kSecondsAlarm = 0x01;
constexpr unsigned kMinutes = 0x02;
constexpr unsigned kMinutesAlarm = 0x03;
constexpr unsigned kHours = 0x04;
constexpr unsigned kHoursAlarm = 0x05;
constexpr unsigned kDayOfWeek = 0x06;  // 1 = Sunday
constexpr unsigned kDayOfMonth = 0x07;
constexpr unsigned kMonth = 0x08;
constexpr unsigned kYear = 0x09;  // 00-99
constexpr unsigned kRegA = 0x0A;
constexpr unsigned kRegB = 0x0B;
constexpr unsigned kRegC = 0x0C;
constexpr unsigned kRegD = 0x0D;
constexpr unsigned kRamSize = 128;

// PC BIOS CMOS layout (IBM AT Technical Reference; QEMU hw/i386/pc.c).
constexpr unsigned kFloppyTypes = 0x10;
constexpr unsigned kEquipment = 0x14;
constexpr unsigned kBaseMemoryLo = 0x15;  // KB below 1 MB
constexpr unsigned kBaseMemoryHi = 0x16;
constexpr unsigned kExtMemoryLo = 0x17;  // KB above 1 MB, capped at 0xFFFF
constexpr unsigned kExtMemoryHi = 0x18;
constexpr unsigned kChecksumHi = 0x2E;  // sum of bytes 0x10-0x2D
constexpr unsigned kChecksumLo = 0x2F;
constexpr unsigned kExtMemory2Lo = 0x30;  // copy of 0x17/0x18
constexpr unsigned kExtMemory2Hi = 0x31;
constexpr unsigned kCentury = 0x32;
constexpr unsigned kHighMemoryLo = 0x34;  // 64 KB units above 16 MB, capped at 0xFFFF
constexpr unsigned kHighMemoryHi = 0x35;

constexpr u8 kEquipmentFpu = 0x02;

// Register A.
constexpr u8 kAUip = 0x80;
constexpr u8 kADividerMask = 0x70;
constexpr u8 kADividerRunning = 0x20;  // DV2-0 = 010: 32.768 kHz time base, running
constexpr u8 kADividerReset = 0x60;    // DV2-0 = 11x: divider chain held in reset
constexpr u8 kARateMask = 0x0F;
constexpr u8 kARate1024Hz = 0x06;  // RS = 6: the rate PC BIOSes program
// Register B.
constexpr u8 kBSet = 0x80;
constexpr u8 kBPie = 0x40;
constexpr u8 kBAie = 0x20;
constexpr u8 kBUie = 0x10;
constexpr u8 kBSqwe = 0x08;
constexpr u8 kBBinary = 0x04;  // DM: 1 = binary, 0 = BCD
constexpr u8 kB24Hour = 0x02;
constexpr u8 kBDse = 0x01;
// Register C.
constexpr u8 kCIrqf = 0x80;
constexpr u8 kCPf = 0x40;
constexpr u8 kCAf = 0x20;
constexpr u8 kCUf = 0x10;
// Register D.
constexpr u8 kDVrt = 0x80;

constexpr u8 kHourPm = 0x80;         // hour bit 7 in 12-hour mode
constexpr u8 kAlarmDontCare = 0xC0;  // alarm bytes 0xC0-0xFF match any value
constexpr u64 kTimeBaseHz = 32'768;  // the PC's RTC crystal
constexpr u64 kUipLeadMicros = 244;  // UIP rises this long before each update (datasheet, UIP bit)

}  // namespace rtc

struct RtcConfig {
  i64 start_unix = 946684800;  // 2000-01-01T00:00:00Z: time of day at cycle 0
  u32 ram_bytes = 16u << 20;   // for the CMOS memory-size bytes
};

class RtcCmos : public IoPortHandler {
 public:
  RtcCmos(const Clock& clock, EventQueue& events, IrqLine irq8, const RtcConfig& cfg);
  RtcCmos(const RtcCmos&) = delete;  // timers hold `this`
  RtcCmos& operator=(const RtcCmos&) = delete;

  // 0x70: index (write-only: reads 0xFF); 0x71: the selected register.
  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;

  // Bit 7 of the last index write (NMI is not modelled; kept for later).
  bool nmi_masked() const { return nmi_masked_; }
  // The byte the guest would read at `index` (0..127) now, without the side
  // effect of reading register C.
  u8 cmos(unsigned index) const;
  // The level this RTC drives onto IRQ 8 (register C's IRQF).
  bool irq_level() const { return irq_level_; }

  // "YYYY-MM-DDTHH:MM:SS" (UTC, an optional trailing 'Z') -> unix seconds.
  // Throws ConfigError on bad input.
  static i64 parse_time(const std::string& iso);

 private:
  // The time of day, binary, 24-hour, full year; weekday 1 = Sunday.
  struct DateTime {
    i64 year = 2000;
    int month = 1, day = 1, hour = 0, minute = 0, second = 0, weekday = 7;
  };
  // Everything that changes with time alone, so that cmos() can advance a copy.
  struct State {
    DateTime time;
    std::array<u8, rtc::kRamSize> ram{};  // alarms, A (UIP not stored), B, C's flags, 14..127
    u64 next_update = 1;                  // divider second of the next update cycle
    i64 pf_tick = 0;                      // divider tick up to which PF has been evaluated
  };

  bool divider_running(const State& s) const;
  bool updates_enabled(const State& s) const;
  i64 divider_tick(u64 cycle) const;
  u64 divider_cycle(i64 tick) const;
  u64 update_cycle(const State& s) const;
  static i64 periodic_ticks(const State& s);
  void advance(State& s, u64 t) const;
  static void update_cycle_step(State& s);
  static bool irqf(const State& s);
  u8 read_register(const State& s, unsigned index, u64 t) const;
  void write_register(unsigned index, u8 value, u64 t);
  void write_register_a(u8 value, u64 t);
  void write_register_b(u8 value, u64 t);
  void on_timer(u64 when);
  void sync();

  const Clock& clock_;
  EventQueue& events_;
  IrqLine irq_;
  EventQueue::Id update_timer_;
  EventQueue::Id periodic_timer_;
  State st_;
  i64 origin_ = 0;  // 32.768 kHz tick at which the divider chain last started counting
  u8 index_ = 0;
  bool nmi_masked_ = false;
  bool irq_level_ = false;
};

}  // namespace l4sim
