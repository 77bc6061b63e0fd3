#include "devices/rtc_cmos.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "common/error.hpp"

namespace l4sim {

using namespace rtc;

namespace {

constexpr i64 kSecondsPerDay = 86'400;
constexpr u64 kTicksPerSecond = kTimeBaseHz;
// Leaving divider reset, "the first update cycle begins one-half second later" (datasheet, DV bits).
constexpr i64 kFirstUpdateAfterResetTicks = static_cast<i64>(kTimeBaseHz / 2);
// parse_time's format: d is a digit, anything else must match as is.
constexpr char kTimePattern[] = "dddd-dd-ddTdd:dd:dd";

u32 all_ones(unsigned size) { return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

// The Gregorian calendar, full years. The MC146818A itself has no century: it
// treats every year divisible by 4 (00 included) as a leap year. We keep the
// full year (as QEMU does) so that 2100 is not a leap year.
bool is_leap(i64 year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(i64 year, int month) {
  switch (month) {
    case 2: return is_leap(year) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11: return 30;
    default: return 31;  // also for out-of-range months a guest may have written
  }
}

i64 floor_div(i64 a, i64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// Days since 1970-01-01 of a civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
i64 days_from_civil(i64 y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const i64 era = floor_div(y, 400);
  const i64 yoe = y - era * 400;
  const i64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const i64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(i64 z, i64& y, int& m, int& d) {
  z += 719468;
  const i64 era = floor_div(z, 146097);
  const i64 doe = z - era * 146097;
  const i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const i64 mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

// Register B's DM bit selects binary or BCD for every time, alarm and date byte.
u8 to_reg(int v, u8 b) {
  if (b & kBBinary) return static_cast<u8>(v);
  const int x = ((v % 100) + 100) % 100;
  return static_cast<u8>(((x / 10) << 4) | (x % 10));
}

int from_reg(u8 v, u8 b) { return (b & kBBinary) ? v : (v >> 4) * 10 + (v & 0x0F); }

// Register B's 24/12 bit: in 12-hour mode hours run 1-12 with bit 7 set for PM.
u8 hour_to_reg(int hour, u8 b) {
  if (b & kB24Hour) return to_reg(hour, b);
  const int h12 = hour % 12 == 0 ? 12 : hour % 12;
  return static_cast<u8>(to_reg(h12, b) | (hour >= 12 ? kHourPm : 0));
}

int hour_from_reg(u8 v, u8 b) {
  if (b & kB24Hour) return from_reg(v, b);
  return from_reg(v & static_cast<u8>(~kHourPm), b) % 12 + ((v & kHourPm) ? 12 : 0);
}

bool alarm_matches(u8 alarm, u8 current) { return (alarm & kAlarmDontCare) == kAlarmDontCare || alarm == current; }

void check_range(const char* what, int v, int lo, int hi) {
  if (v < lo || v > hi)
    spdlog::debug("rtc: guest wrote {} {} (outside {}-{}); the chip's behaviour is undefined", what, v, lo, hi);
}

}  // namespace

RtcCmos::RtcCmos(const Clock& clock, EventQueue& events, IrqLine irq8, const RtcConfig& cfg)
    : clock_(clock),
      events_(events),
      irq_(irq8),
      update_timer_(events.add("rtc update", [this](u64 when) { on_timer(when); })),
      periodic_timer_(events.add("rtc periodic", [this](u64 when) { on_timer(when); })) {
  // The time of day at cycle 0.
  const i64 days = floor_div(cfg.start_unix, kSecondsPerDay);
  const i64 secs = cfg.start_unix - days * kSecondsPerDay;
  DateTime& t = st_.time;
  civil_from_days(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs / 60 % 60);
  t.second = static_cast<int>(secs % 60);
  t.weekday = static_cast<int>(((days % 7) + 7 + 4) % 7) + 1;  // 1970-01-01 was a Thursday (5)

  std::array<u8, kRamSize>& ram = st_.ram;
  ram[kRegA] = kADividerRunning | kARate1024Hz;  // 0x26: what a PC BIOS leaves
  ram[kRegB] = kB24Hour;                         // 24-hour, BCD
  ram[kRegC] = 0;
  ram[kRegD] = kDVrt;
  // The memory-size bytes, as a PC BIOS leaves them (and as QEMU's pc_cmos_init sets them).
  const u64 ram_kb = cfg.ram_bytes / 1024;
  const u64 base_kb = std::min<u64>(ram_kb, 640);
  const u64 ext_kb = std::min<u64>(ram_kb > 1024 ? ram_kb - 1024 : 0, 0xFFFF);
  const u64 high_64k = std::min<u64>(cfg.ram_bytes > (16u << 20) ? (cfg.ram_bytes - (16u << 20)) / 65536 : 0, 0xFFFF);
  ram[kFloppyTypes] = 0;  // no floppy drives
  // Equipment byte: no floppy (bit 0), math coprocessor present (bit 1: the
  // 486DX has its FPU on chip), primary display code 00 (EGA/VGA). QEMU sets
  // 0x06: it also reports a PS/2 mouse (bit 2), which this machine lacks.
  ram[kEquipment] = kEquipmentFpu;
  ram[kBaseMemoryLo] = static_cast<u8>(base_kb);
  ram[kBaseMemoryHi] = static_cast<u8>(base_kb >> 8);
  ram[kExtMemoryLo] = ram[kExtMemory2Lo] = static_cast<u8>(ext_kb);
  ram[kExtMemoryHi] = ram[kExtMemory2Hi] = static_cast<u8>(ext_kb >> 8);
  ram[kHighMemoryLo] = static_cast<u8>(high_64k);
  ram[kHighMemoryHi] = static_cast<u8>(high_64k >> 8);
  // The AT BIOS checksum over 0x10-0x2D, which POST leaves valid.
  u16 sum = 0;
  for (unsigned i = kFloppyTypes; i < kChecksumHi; ++i) sum = static_cast<u16>(sum + ram[i]);
  ram[kChecksumHi] = static_cast<u8>(sum >> 8);
  ram[kChecksumLo] = static_cast<u8>(sum);

  advance(st_, clock_.now());
  sync();
}

i64 RtcCmos::parse_time(const std::string& iso) {
  const auto bad = [&iso](const std::string& why) {
    return ConfigError("bad time '" + iso + "': " + why + " (expected YYYY-MM-DDTHH:MM:SS, UTC)");
  };
  std::string s = iso;
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  if (s.size() != sizeof(kTimePattern) - 1) throw bad("wrong length");
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
    if (kTimePattern[i] == 'd' ? !digit : s[i] != kTimePattern[i])
      throw bad("unexpected character at position " + std::to_string(i + 1));
  }
  const auto num = [&s](std::size_t pos, std::size_t len) { return std::stoi(s.substr(pos, len)); };
  const i64 year = num(0, 4);
  const int month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  if (month < 1 || month > 12) throw bad("month " + std::to_string(month) + " out of range 1-12");
  if (day < 1 || day > days_in_month(year, month))
    throw bad("day " + std::to_string(day) + " out of range 1-" + std::to_string(days_in_month(year, month)));
  if (hour > 23) throw bad("hour " + std::to_string(hour) + " out of range 0-23");
  if (minute > 59) throw bad("minute " + std::to_string(minute) + " out of range 0-59");
  if (second > 59) throw bad("second " + std::to_string(second) + " out of range 0-59");
  return days_from_civil(year, month, day) * kSecondsPerDay + hour * 3600 + minute * 60 + second;
}

bool RtcCmos::divider_running(const State& s) const { return (s.ram[kRegA] & kADividerMask) == kADividerRunning; }

bool RtcCmos::updates_enabled(const State& s) const { return divider_running(s) && !(s.ram[kRegB] & kBSet); }

// Ticks of the divider chain's 32.768 kHz stage since it last started counting.
i64 RtcCmos::divider_tick(u64 cycle) const { return static_cast<i64>(clock_.ticks_at(cycle, kTimeBaseHz)) - origin_; }

// The first CPU cycle at which the divider chain has counted `tick` ticks.
u64 RtcCmos::divider_cycle(i64 tick) const {
  return clock_.cycle_of_tick(static_cast<u64>(tick + origin_), kTimeBaseHz);
}

u64 RtcCmos::update_cycle(const State& s) const {
  return divider_cycle(static_cast<i64>(s.next_update * kTicksPerSecond));
}

// The periodic interrupt's period in 32.768 kHz ticks (datasheet Table 5):
// RS 1 and 2 give 256 and 128 Hz, RS 3-15 give 32768 >> (RS - 1) Hz, RS 0 none.
i64 RtcCmos::periodic_ticks(const State& s) {
  const unsigned rs = s.ram[kRegA] & kARateMask;
  if (rs == 0) return 0;
  if (rs <= 2) return i64{1} << (rs + 6);
  return i64{1} << (rs - 1);
}

// Brings `s` to cycle `t`: applies the update cycles due by then and sets PF
// if a periodic boundary passed. The update timer keeps the number of pending
// updates small, so they are applied one second at a time (alarms need that).
void RtcCmos::advance(State& s, u64 t) const {
  if (!divider_running(s)) return;
  if (!(s.ram[kRegB] & kBSet)) {
    while (update_cycle(s) <= t) {
      update_cycle_step(s);
      ++s.next_update;
    }
  }
  // The divider keeps running while SET is held, so the periodic flag does too.
  const i64 d = divider_tick(t);
  if (d > s.pf_tick) {
    const i64 period = periodic_ticks(s);
    if (period != 0 && d / period > s.pf_tick / period) s.ram[kRegC] |= kCPf;
    s.pf_tick = d;
  }
}

// One update cycle: the time advances one second with full calendar carry,
// then the alarm bytes are compared and UF set (datasheet, "Update Cycle").
// The update is instantaneous here; on the chip it takes 1984 us, during which
// the time bytes must not be read (UIP warns of it).
void RtcCmos::update_cycle_step(State& s) {
  DateTime& t = s.time;
  if (++t.second >= 60) {
    t.second = 0;
    if (++t.minute >= 60) {
      t.minute = 0;
      if (++t.hour >= 24) {
        t.hour = 0;
        t.weekday = t.weekday % 7 + 1;
        if (++t.day > days_in_month(t.year, t.month)) {
          t.day = 1;
          if (++t.month > 12) {
            t.month = 1;
            ++t.year;
          }
        }
      }
    }
  }
  const u8 b = s.ram[kRegB];
  if (alarm_matches(s.ram[kSecondsAlarm], to_reg(t.second, b)) &&
      alarm_matches(s.ram[kMinutesAlarm], to_reg(t.minute, b)) &&
      alarm_matches(s.ram[kHoursAlarm], hour_to_reg(t.hour, b)))
    s.ram[kRegC] |= kCAf;
  s.ram[kRegC] |= kCUf;
}

bool RtcCmos::irqf(const State& s) {
  const u8 c = s.ram[kRegC];
  const u8 b = s.ram[kRegB];
  return ((c & kCPf) && (b & kBPie)) || ((c & kCAf) && (b & kBAie)) || ((c & kCUf) && (b & kBUie));
}

u8 RtcCmos::read_register(const State& s, unsigned index, u64 t) const {
  const u8 b = s.ram[kRegB];
  const DateTime& tm = s.time;
  switch (index) {
    case kSeconds: return to_reg(tm.second, b);
    case kMinutes: return to_reg(tm.minute, b);
    case kHours: return hour_to_reg(tm.hour, b);
    case kDayOfWeek: return to_reg(tm.weekday, b);
    case kDayOfMonth: return to_reg(tm.day, b);
    case kMonth: return to_reg(tm.month, b);
    case kYear: return to_reg(static_cast<int>(((tm.year % 100) + 100) % 100), b);
    // The century byte is plain RAM to the chip; like QEMU we derive it from
    // the full year and format it per DM (BCD 0x20 for 20xx, as BIOSes keep it).
    case kCentury: return to_reg(static_cast<int>(floor_div(tm.year, 100)), b);
    case kRegA: {
      // UIP is 1 from 244 us before each update until the update is done.
      const u64 lead = clock_.cycle_of_tick(kUipLeadMicros, 1'000'000);
      const bool uip = updates_enabled(s) && t + lead >= update_cycle(s);
      return static_cast<u8>((s.ram[kRegA] & ~kAUip) | (uip ? kAUip : 0));
    }
    case kRegC: return static_cast<u8>(s.ram[kRegC] | (irqf(s) ? kCIrqf : 0));
    case kRegD: return kDVrt;  // the battery is always good
    default: return s.ram[index];
  }
}

u8 RtcCmos::cmos(unsigned index) const {
  State s = st_;
  advance(s, clock_.now());
  return read_register(s, index & kIndexMask, clock_.now());
}

u32 RtcCmos::io_read(u16 port, unsigned size) {
  if (size != 1 || port != kDataPort) return all_ones(size);  // the index port is write-only
  const u64 t = clock_.now();
  advance(st_, t);
  const u8 v = read_register(st_, index_, t);
  if (index_ == kRegC) st_.ram[kRegC] = 0;  // reading C clears every flag, and with IRQF the IRQ line
  sync();
  return v;
}

void RtcCmos::io_write(u16 port, unsigned size, u32 value) {
  if (size != 1) return;
  if (port == kIndexPort) {
    index_ = static_cast<u8>(value & kIndexMask);
    nmi_masked_ = (value & kNmiMask) != 0;
    return;
  }
  if (port != kDataPort) return;
  const u64 t = clock_.now();
  advance(st_, t);
  write_register(index_, static_cast<u8>(value), t);
  sync();
}

// Time and date writes are parsed by the current register B into the binary
// time of day. The chip instead stores the bytes as written and counts in the
// format of the moment; the two differ only for a guest that changes DM or
// 24/12 without rewriting the time, which the datasheet leaves undefined.
void RtcCmos::write_register(unsigned index, u8 value, u64 t) {
  const u8 b = st_.ram[kRegB];
  DateTime& tm = st_.time;
  switch (index) {
    case kSeconds:
      tm.second = from_reg(value, b);
      check_range("seconds", tm.second, 0, 59);
      break;
    case kMinutes:
      tm.minute = from_reg(value, b);
      check_range("minutes", tm.minute, 0, 59);
      break;
    case kHours:
      tm.hour = hour_from_reg(value, b);
      check_range("hours", tm.hour, 0, 23);
      break;
    case kDayOfWeek:
      tm.weekday = from_reg(value, b);
      check_range("day of week", tm.weekday, 1, 7);
      break;
    case kDayOfMonth:
      tm.day = from_reg(value, b);
      check_range("day of month", tm.day, 1, 31);
      break;
    case kMonth:
      tm.month = from_reg(value, b);
      check_range("month", tm.month, 1, 12);
      break;
    case kYear: {
      const int y = from_reg(value, b);
      check_range("year", y, 0, 99);
      tm.year = floor_div(tm.year, 100) * 100 + y;
      break;
    }
    case kCentury: tm.year = i64{from_reg(value, b)} * 100 + ((tm.year % 100) + 100) % 100; break;
    case kRegA: write_register_a(value, t); break;
    case kRegB: write_register_b(value, t); break;
    case kRegC:
    case kRegD: spdlog::debug("rtc: write {:#04x} to read-only register {:#04x} ignored", value, index); break;
    default: st_.ram[index] = value; break;  // alarms and CMOS RAM
  }
}

void RtcCmos::write_register_a(u8 value, u64 t) {
  const bool was_running = divider_running(st_);
  st_.ram[kRegA] = value & static_cast<u8>(~kAUip);  // UIP is read-only
  const u8 dv = value & kADividerMask;
  if (dv != kADividerRunning && (dv & kADividerReset) != kADividerReset)
    spdlog::debug("rtc: divider select {:#04x} (not the 32.768 kHz time base) is not modelled; the clock stops", dv);
  if (!was_running && divider_running(st_)) {
    // Out of reset, the chain restarts from zero and the first update comes
    // half a second later; the periodic boundaries restart with it.
    origin_ = static_cast<i64>(clock_.ticks_at(t, kTimeBaseHz)) - kFirstUpdateAfterResetTicks;
    st_.next_update = 1;
    st_.pf_tick = kFirstUpdateAfterResetTicks;
  }
}

void RtcCmos::write_register_b(u8 value, u64 t) {
  const u8 old = st_.ram[kRegB];
  // "UIE is cleared when the SET bit goes high" (datasheet, register B bit 4; QEMU does the same).
  if (value & kBSet) value &= static_cast<u8>(~kBUie);
  if ((value ^ old) & kBDse) spdlog::debug("rtc: daylight saving enable stored but not applied");
  st_.ram[kRegB] = value;
  if ((old & kBSet) && !(value & kBSet)) {
    // SET only inhibits the transfer to the time bytes; the divider chain kept
    // counting, so the next update comes at its next one-second boundary
    // (QEMU keeps the sub-second phase the same way).
    st_.next_update = static_cast<u64>(divider_tick(t)) / kTicksPerSecond + 1;
  }
}

void RtcCmos::on_timer(u64 when) {
  advance(st_, when);
  sync();
}

// Reschedules the timers for the current state and drives IRQ 8 from IRQF.
void RtcCmos::sync() {
  // Updates are applied lazily when the guest reads (advance()); a timer is
  // only needed when an update can raise IRQ 8. An idle machine then has no
  // pending events, which is how the run loop knows a halted CPU will never
  // wake up.
  const bool update_irq = (st_.ram[kRegB] & (kBUie | kBAie)) != 0;
  const u64 next_update = updates_enabled(st_) && update_irq ? update_cycle(st_) : kNever;
  if (events_.when(update_timer_) != next_update) events_.schedule(update_timer_, next_update);

  u64 next_periodic = kNever;
  const i64 period = periodic_ticks(st_);
  if (divider_running(st_) && (st_.ram[kRegB] & kBPie) && period != 0)
    next_periodic = divider_cycle((st_.pf_tick / period + 1) * period);
  if (events_.when(periodic_timer_) != next_periodic) events_.schedule(periodic_timer_, next_periodic);

  const bool level = irqf(st_);
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
}

}  // namespace l4sim
