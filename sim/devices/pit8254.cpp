#include "devices/pit8254.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace l4sim {

namespace {

// Control word (82C54 datasheet, "Control Word Format").
namespace ctl {
constexpr unsigned kSelectShift = 6;  // SC1..SC0
constexpr u8 kReadBack = 3;           // SC = 11: read-back command
constexpr unsigned kRwShift = 4;      // RW1..RW0
constexpr u8 kRwMask = 0x03;
constexpr u8 kRwLatch = 0;  // counter latch command
constexpr u8 kRwLsb = 1;
constexpr u8 kRwMsb = 2;
constexpr u8 kRwLsbMsb = 3;
constexpr unsigned kModeShift = 1;  // M2..M0
constexpr u8 kModeMask = 0x07;
constexpr u8 kBcd = 0x01;
constexpr u8 kProgrammedBits = 0x3F;  // RW, M, BCD: what the status byte echoes
}  // namespace ctl

// Read-back command (SC = 11): the latch bits are active low.
namespace readback {
constexpr u8 kNoCount = 0x20;
constexpr u8 kNoStatus = 0x10;
constexpr u8 kCounter0 = 0x02;  // CNT0; CNT1 and CNT2 follow
constexpr u8 kReserved = 0x01;
}  // namespace readback

// Status byte (read-back): OUT, NULL COUNT, then the programmed bits.
constexpr u8 kStatusOut = 0x80;
constexpr u8 kStatusNullCount = 0x40;

// System control port B (IBM PC/AT Technical Reference, port 61h).
namespace portb {
constexpr u8 kGate2 = 0x01;        // timer 2 gate (r/w)
constexpr u8 kSpeakerData = 0x02;  // speaker data enable (r/w)
constexpr u8 kRefresh = 0x10;      // refresh request toggle (read only)
constexpr u8 kOut2 = 0x20;         // timer 2 output (read only)
constexpr u8 kWritable = kGate2 | kSpeakerData;
// The BIOS programs counter 1 for DRAM refresh with a count of 18: one
// request every 18 PIT pulses (15.085 us), and bit 4 toggles with each.
constexpr u64 kRefreshPulses = 18;
}  // namespace portb

constexpr u8 kOpenBus = 0xFF;  // the control register cannot be read: the data bus floats

u32 all_ones(unsigned size) { return size >= 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1); }

}  // namespace

// ---- PitCounter ---------------------------------------------------------------

PitCounter::PitCounter() {
  // The datasheet leaves everything undefined at power-on. l4sim starts each
  // counter as if the control word "LSB then MSB, mode 0, binary" had been
  // written and no count yet: not counting, OUT low. That matches the low
  // level the interrupt controller assumes for IRQ0 at power-on, and no
  // interrupt comes from the PIT until the guest programs it. (QEMU instead
  // starts all three counters counting in mode 3 with 65536; a BIOS would then
  // reprogram them.)
  control_ = static_cast<u8>(ctl::kRwLsbMsb << ctl::kRwShift);
  rw_ = ctl::kRwLsbMsb;
  mode_ = 0;
  pre_out_ = false;
}

u32 PitCounter::effective(u16 raw) const {
  if (!bcd_) return raw == 0 ? 65536u : raw;
  u32 v = 0;
  bool valid = true;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const u32 digit = (raw >> shift) & 0xF;
    valid = valid && digit <= 9;
    v = v * 10 + digit;
  }
  if (!valid) {
    spdlog::debug("8254: count {:#06x} is not valid BCD", raw);
    v %= 10000;
  }
  return v == 0 ? 10000u : v;
}

u16 PitCounter::encode(u32 count) const {
  if (!bcd_) return static_cast<u16>(count);
  u16 v = 0;
  for (int shift = 0; shift < 16; shift += 4) {
    v = static_cast<u16>(v | ((count % 10) << shift));
    count /= 10;
  }
  return v;
}

const PitCounter::Run& PitCounter::run_for(u64 t) const {
  return (next_.start != kNever && t >= next_.start) ? next_ : run_;
}

u32 PitCounter::run_count(const Run& r, u64 t) const {
  const u64 j = std::min(t, r.stop) - r.start;
  const u32 m = modulus();
  switch (mode_) {
    case 2: {
      // Rate generator: N, N-1, ..., 1, then reload.
      const u32 n = r.v0;
      const u32 p = static_cast<u32>((r.phase0 + j) % n);
      return (n - p) % m;
    }
    case 3: {
      // Square wave (datasheet "Mode 3"): even N is loaded and decremented
      // by two; odd N is loaded as N-1 and decremented by two, the high half
      // lasting one pulse more ((N+1)/2 high, (N-1)/2 low).
      const u32 n = r.v0;
      const u32 high = (n + 1) / 2;
      const u32 p = static_cast<u32>((r.phase0 + j) % n);
      const u32 in_half = p < high ? p : p - high;
      const u32 top = (n & 1) ? n - 1 : n;
      return (top - 2 * in_half) % m;
    }
    default:
      // Modes 0, 1, 4, 5 count down by one and wrap after 0.
      return static_cast<u32>((r.v0 + m - j % m) % m);
  }
}

bool PitCounter::run_out(const Run& r, u64 t) const {
  const u64 j = std::min(t, r.stop) - r.start;
  const bool stopped = t >= r.stop;
  switch (mode_) {
    case 0:  // interrupt on terminal count: low until the count reaches 0
    case 1:  // one-shot: low from the load until the count reaches 0
      return r.done || j >= r.v0;
    case 2: {
      // Low for the one pulse at count 1; GATE low forces OUT high.
      if (stopped) return true;
      const u32 n = r.v0;
      return (r.phase0 + j) % n != n - 1;
    }
    case 3: {
      if (stopped) return true;
      const u32 n = r.v0;
      return (r.phase0 + j) % n < (n + 1) / 2;
    }
    default:  // 4 and 5, strobes: low for the one pulse at count 0
      return r.done || j != r.v0;
  }
}

u32 PitCounter::count_at(u64 t) const {
  const Run& r = run_for(t);
  if (r.start == kNever || t < r.start) return pre_count_;
  return run_count(r, t);
}

bool PitCounter::out_at(u64 t) const {
  const Run& r = run_for(t);
  if (r.start == kNever || t < r.start) return pre_out_;
  return run_out(r, t);
}

u8 PitCounter::status_at(u64 t) const {
  return static_cast<u8>((out_at(t) ? kStatusOut : 0) | (null_count_at(t) ? kStatusNullCount : 0) | control_);
}

u64 PitCounter::run_next_change(const Run& r, u64 from) const {
  // From pulse `from` of run r, the next pulse where OUT changes. A suspended
  // run is frozen (its stop is never after `from`).
  if (r.stop != kNever) return kNever;
  const u64 j = from - r.start;
  switch (mode_) {
    case 0:
    case 1:
      if (r.done || j >= r.v0) return kNever;
      return r.start + r.v0;
    case 2: {
      const u32 n = r.v0;
      if (n == 1) return kNever;  // "a count of 1 is illegal": OUT stays low
      const u32 p = static_cast<u32>((r.phase0 + j) % n);
      return p == n - 1 ? from + 1 : from + (n - 1 - p);
    }
    case 3: {
      const u32 n = r.v0;
      const u32 high = (n + 1) / 2;
      if (high == n) return kNever;  // N = 1: never low
      const u32 p = static_cast<u32>((r.phase0 + j) % n);
      return p < high ? from + (high - p) : from + (n - p);
    }
    default:
      if (r.done || j > r.v0) return kNever;
      return j < r.v0 ? r.start + r.v0 : r.start + r.v0 + 1;
  }
}

u64 PitCounter::next_out_change(u64 t) const {
  if (run_.start == kNever) return kNever;
  const bool cur = out_at(t);
  u64 from = t;
  if (t < run_.start) {
    if (run_out(run_, run_.start) != cur) return run_.start;
    from = run_.start;
  }
  if (next_.start == kNever) return run_next_change(run_, from);
  if (from < next_.start) {
    const u64 c = run_next_change(run_, from);
    if (c < next_.start) return c;
    if (run_out(next_, next_.start) != cur) return next_.start;
    from = next_.start;
  }
  return run_next_change(next_, from);
}

void PitCounter::promote(u64 t) {
  if (next_.start != kNever && t >= next_.start) {
    run_ = next_;
    next_ = Run{};
  }
}

void PitCounter::freeze(u64 t, bool out) {
  pre_count_ = count_at(t);
  pre_out_ = out;
  run_ = Run{};
  next_ = Run{};
}

void PitCounter::write_control(u64 t, u8 control) {
  promote(t);
  // "When a Control Word is written to a Counter, all Control Logic is
  // immediately reset and OUT goes to a known initial state": low in mode 0,
  // high in the others. The counting element keeps its value and stops until
  // a count is written. (QEMU keeps counting with the old count.)
  u8 mode = (control >> ctl::kModeShift) & ctl::kModeMask;
  if (mode > 5) mode -= 4;  // modes 6 and 7 are 2 and 3 (M2 is "don't care")
  freeze(t, mode != 0);
  control_ = control & ctl::kProgrammedBits;
  rw_ = (control >> ctl::kRwShift) & ctl::kRwMask;
  mode_ = mode;
  bcd_ = control & ctl::kBcd;
  pre_count_ %= modulus();
  cr_valid_ = false;
  write_msb_next_ = false;
  read_msb_next_ = false;
  cr_load_tick_ = kNever;  // null count until a new count reaches the counting element
}

void PitCounter::write_count_byte(u64 t, u8 value) {
  promote(t);
  switch (rw_) {
    case ctl::kRwLsb: load(t, value); break;
    case ctl::kRwMsb: load(t, static_cast<u16>(value << 8)); break;
    default:
      if (!write_msb_next_) {
        cr_lsb_ = value;
        write_msb_next_ = true;
        // Mode 0: "Writing the first byte disables counting. OUT is set low
        // immediately (no clock pulse required)."
        if (mode_ == 0) freeze(t, false);
      } else {
        write_msb_next_ = false;
        load(t, static_cast<u16>(cr_lsb_ | (value << 8)));
      }
      break;
  }
}

void PitCounter::load(u64 t, u16 raw) {
  cr_ = raw;
  cr_valid_ = true;
  const u32 n = effective(raw);
  switch (mode_) {
    case 0:
    case 4: {
      // Loaded on the next CLK pulse, which does not decrement: OUT changes
      // N+1 pulses after the write. A new count restarts the counter; mode 0
      // drives OUT low at once.
      freeze(t, mode_ == 0 ? false : out_at(t));
      run_.start = t + 1;
      run_.v0 = n;
      if (!gate_) run_.stop = run_.start;  // loaded, but GATE low holds the count
      cr_load_tick_ = run_.start;
      break;
    }
    case 2:
    case 3:
      if (run_.start != kNever && t < run_.start) {
        // The previous count has not reached the counting element yet.
        run_.v0 = n;
        cr_load_tick_ = run_.start;
      } else if (counting(t)) {
        // "Writing a new count while counting does not affect the current
        // counting sequence": mode 2 loads it at the end of the period, mode
        // 3 at the end of the current half cycle. (QEMU restarts counting
        // with the new count at once.)
        const u32 old_n = run_.v0;
        const u32 p = static_cast<u32>((run_.phase0 + (t - run_.start)) % old_n);
        Run next{};
        next.v0 = n;
        if (mode_ == 2) {
          next.start = t + (old_n - p);
        } else if (const u32 high = (old_n + 1) / 2; p < high) {
          next.start = t + (high - p);
          next.phase0 = (n + 1) / 2;  // the reload starts the low half
        } else {
          next.start = t + (old_n - p);
        }
        next_ = next;
        cr_load_tick_ = next.start;
      } else if (run_.start == kNever) {
        // The first count after the control word: loaded on the next pulse.
        freeze(t, true);
        run_.start = t + 1;
        run_.v0 = n;
        if (!gate_) run_.stop = run_.start;
        cr_load_tick_ = run_.start;
      } else {
        cr_load_tick_ = kNever;  // GATE is low: the rising edge loads it
      }
      break;
    default:
      // Modes 1 and 5: the count is loaded by the next trigger (GATE rising).
      cr_load_tick_ = kNever;
      break;
  }
}

u8 PitCounter::read_byte(u64 t) {
  if (status_latched_) {
    // A latched status is read before a latched count.
    status_latched_ = false;
    return latched_status_;
  }
  u16 v;
  bool msb;
  if (count_latched_) {
    // The latch holds until every byte of the RW format has been read.
    v = latched_count_;
    msb = rw_ == ctl::kRwMsb || (rw_ == ctl::kRwLsbMsb && latch_msb_next_);
    const bool last = rw_ != ctl::kRwLsbMsb || latch_msb_next_;
    latch_msb_next_ = !last;
    count_latched_ = !last;
  } else {
    v = encode(count_at(t));
    msb = rw_ == ctl::kRwMsb || (rw_ == ctl::kRwLsbMsb && read_msb_next_);
    if (rw_ == ctl::kRwLsbMsb) read_msb_next_ = !read_msb_next_;
  }
  return static_cast<u8>(msb ? v >> 8 : v);
}

void PitCounter::latch_count(u64 t) {
  // A second latch before the first is read is ignored.
  if (count_latched_) return;
  latched_count_ = encode(count_at(t));
  count_latched_ = true;
  latch_msb_next_ = false;
}

void PitCounter::latch_status(u64 t) {
  if (status_latched_) return;
  latched_status_ = status_at(t);
  status_latched_ = true;
}

// A gate trigger: the count register is loaded on the next CLK pulse.
void PitCounter::restart(u64 t) {
  pre_count_ = count_at(t);
  pre_out_ = out_at(t);
  run_ = Run{t + 1, kNever, effective(cr_), 0, false};
  next_ = Run{};
  cr_load_tick_ = std::min(cr_load_tick_, t + 1);
}

void PitCounter::set_gate(u64 t, bool level) {
  promote(t);
  if (level == gate_) return;
  gate_ = level;
  switch (mode_) {
    case 0:
    case 4:
      // GATE low suspends counting; GATE high resumes it.
      if (!level) {
        if (run_.start != kNever && run_.stop == kNever) run_.stop = std::max(t, run_.start);
      } else if (run_.start != kNever && run_.stop != kNever) {
        if (t < run_.start) {
          run_.stop = kNever;  // not loaded yet: nothing was suspended
        } else {
          const u64 j = run_.stop - run_.start;
          const bool done = run_.done || (mode_ == 0 ? j >= run_.v0 : j > run_.v0);
          run_ = Run{t, kNever, run_count(run_, t), 0, done};
        }
      }
      break;
    case 2:
    case 3:
      if (!level) {
        // Counting stops and OUT goes high at once; a pending new count waits
        // for the rising edge.
        if (run_.start != kNever && run_.stop == kNever) run_.stop = std::max(t, run_.start);
        if (next_.start != kNever) {
          next_ = Run{};
          cr_load_tick_ = kNever;
        }
      } else if (cr_valid_) {
        // The rising edge reloads the count on the next pulse.
        restart(t);
      }
      break;
    default:
      // Modes 1 and 5: the rising edge triggers (and retriggers) the count;
      // the level does not matter. OUT changes on the pulse after it.
      if (level && cr_valid_) restart(t);
      break;
  }
}

// ---- Pit8254 --------------------------------------------------------------------

Pit8254::Pit8254(const Clock& clock, EventQueue& events, IrqLine irq0) : clock_(clock), events_(events), irq0_(irq0) {
  out0_timer_ = events_.add("pit.out0", [this](u64 when) { sync_out0(clock_.ticks_at(when, kHz)); });
  // Port B starts at 0: channel 2's GATE is low. Channels 0 and 1 have GATE
  // tied high on the PC.
  counters_[2].set_gate(tick(), false);
  irq0_level_ = counters_[0].out_at(tick());
}

u16 Pit8254::count(unsigned ch) const { return counters_[ch].read_value_at(tick()); }

void Pit8254::sync_out0(u64 t) {
  const bool level = counters_[0].out_at(t);
  if (level != irq0_level_) {
    irq0_level_ = level;
    irq0_.set(level);
  }
  const u64 next = counters_[0].next_out_change(t);
  events_.schedule(out0_timer_, next == kNever ? kNever : clock_.cycle_of_tick(next, kHz));
}

void Pit8254::write_control(u64 t, u8 value) {
  const u8 select = value >> ctl::kSelectShift;
  if (select == ctl::kReadBack) {
    if (value & readback::kReserved) spdlog::debug("8254: read-back command {:#04x} sets the reserved bit", value);
    for (unsigned ch = 0; ch < kChannels; ++ch) {
      if (!(value & (readback::kCounter0 << ch))) continue;
      if (!(value & readback::kNoCount)) counters_[ch].latch_count(t);
      if (!(value & readback::kNoStatus)) counters_[ch].latch_status(t);
    }
    return;
  }
  if (((value >> ctl::kRwShift) & ctl::kRwMask) == ctl::kRwLatch) {
    counters_[select].latch_count(t);
    return;
  }
  counters_[select].write_control(t, value);
  if (select == 0) sync_out0(t);
}

u32 Pit8254::io_read(u16 port, unsigned size) {
  const u64 t = tick();
  u8 v = kOpenBus;
  if (port >= kCounter0 && port < kCounter0 + kChannels) {
    v = counters_[port - kCounter0].read_byte(t);
  } else if (port == kControl) {
    // The control word register cannot be read (the 82C54 does not drive the
    // bus). QEMU returns 0.
    v = kOpenBus;
  } else if (port == kPortB) {
    const PitCounter& c2 = counters_[2];
    v = static_cast<u8>((c2.gate() ? portb::kGate2 : 0) | (speaker_data_ ? portb::kSpeakerData : 0) |
                        (((t / portb::kRefreshPulses) & 1) ? portb::kRefresh : 0) | (c2.out_at(t) ? portb::kOut2 : 0));
  }
  return (all_ones(size) & ~0xFFu) | v;
}

void Pit8254::io_write(u16 port, unsigned /*size*/, u32 value) {
  const u64 t = tick();
  const u8 v = static_cast<u8>(value);
  if (port >= kCounter0 && port < kCounter0 + kChannels) {
    const unsigned ch = port - kCounter0;
    counters_[ch].write_count_byte(t, v);
    if (ch == 0) sync_out0(t);
  } else if (port == kControl) {
    write_control(t, v);
  } else if (port == kPortB) {
    if (v & ~portb::kWritable) spdlog::trace("8254: port 61h write {:#04x}: only bits 0 and 1 are writable", v);
    speaker_data_ = v & portb::kSpeakerData;
    counters_[2].set_gate(t, v & portb::kGate2);
  }
}

}  // namespace l4sim
