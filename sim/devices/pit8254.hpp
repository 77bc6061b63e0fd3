// The Intel 8254 programmable interval timer of the PC (ports 0x40..0x43) and
// the PC/AT system control port B (0x61), which holds channel 2's GATE and
// shows its OUT.
//
// Nothing ticks: each counter remembers the PIT clock pulse at which its
// count was loaded and derives the count and OUT from the pulses elapsed
// since. Only the edges of channel 0's OUT, which drives IRQ0, become timer
// events, scheduled at the CPU cycle of the PIT pulse where they happen.
//
// Reference: Intel 82C54 CHMOS Programmable Interval Timer datasheet (order
// number 231244); QEMU's hw/timer/i8254*.c differences are noted in comments.
#pragma once

#include <array>

#include "common/types.hpp"
#include "devices/irq.hpp"
#include "mmu/io_port.hpp"
#include "time/clock.hpp"
#include "time/event_queue.hpp"

namespace l4sim {

// One 8254 counter, as functions of the PIT pulse count t (t pulses of the
// PIT clock have occurred; pulse k happens at Clock::cycle_of_tick(k, kHz)).
// Mutators take the current t; queries may look at any t at or after it.
class PitCounter {
 public:
  PitCounter();

  // ---- Programming (the Pit8254 decodes ports into these) ----
  void write_control(u64 t, u8 control);  // a control word addressed to this counter (not latch/read-back)
  void write_count_byte(u64 t, u8 value);
  u8 read_byte(u64 t);
  void latch_count(u64 t);   // counter latch command, or read-back with COUNT = 0
  void latch_status(u64 t);  // read-back with STATUS = 0
  void set_gate(u64 t, bool level);

  // ---- State at pulse t ----
  u32 count_at(u64 t) const;  // the counting element, as a number (0 .. 65535 or 0 .. 9999)
  u16 read_value_at(u64 t) const { return encode(count_at(t)); }  // as a latch shows it (BCD digits in BCD)
  bool out_at(u64 t) const;
  bool null_count_at(u64 t) const { return t < cr_load_tick_; }
  u8 status_at(u64 t) const;
  // The first pulse after t at which OUT differs from out_at(t), or kNever.
  u64 next_out_change(u64 t) const;
  bool gate() const { return gate_; }

 private:
  // A stretch of counting that starts when the counting element is loaded
  // (pulse `start`, j = 0) and follows the mode's rules from there.
  struct Run {
    u64 start = kNever;  // kNever: no run
    u64 stop = kNever;   // counting suspended from this pulse on (GATE low)
    u32 v0 = 0;          // modes 0,1,4,5: the value at j = 0 (0 .. modulus); modes 2,3: the count N
    u32 phase0 = 0;      // modes 2,3: the phase within the period at j = 0
    bool done = false;   // modes 0,1,4,5: the terminal count was reached in an earlier run
  };

  u32 modulus() const { return bcd_ ? 10000u : 65536u; }
  u32 effective(u16 raw) const;  // N as written -> 1 .. modulus (0 means the modulus)
  u16 encode(u32 count) const;   // counting element -> the 16 bits a read shows (BCD or binary)
  void load(u64 t, u16 raw);     // a complete count was written
  void freeze(u64 t, bool out);  // stops counting, keeping the count, OUT set to `out`
  void promote(u64 t);           // makes a pending reload current once it has happened
  void restart(u64 t);           // a gate trigger: reload the count on the next pulse
  const Run& run_for(u64 t) const;
  u32 run_count(const Run& r, u64 t) const;
  bool run_out(const Run& r, u64 t) const;
  u64 run_next_change(const Run& r, u64 from) const;
  bool counting(u64 t) const { return run_.start != kNever && run_.start <= t && run_.stop == kNever; }

  // Control word state.
  u8 control_ = 0;  // D5..D0 as written (RW1 RW0 M2 M1 M0 BCD), for the status byte
  u8 mode_ = 0;     // 0..5 (6 and 7 are 2 and 3)
  u8 rw_ = 0;       // 1 LSB, 2 MSB, 3 LSB then MSB
  bool bcd_ = false;

  // Count register and the byte pointers.
  u16 cr_ = 0;
  bool cr_valid_ = false;  // a complete count was written since the control word
  bool write_msb_next_ = false;
  u8 cr_lsb_ = 0;
  bool read_msb_next_ = false;

  // Latches.
  bool count_latched_ = false;
  bool latch_msb_next_ = false;
  u16 latched_count_ = 0;
  bool status_latched_ = false;
  u8 latched_status_ = 0;

  bool gate_ = true;
  u64 cr_load_tick_ = kNever;  // pulse at which the CR reaches the counting element (null count before)

  // Counting element and OUT: before run_.start (or with no run) they are
  // pre_count_ and pre_out_; next_ is a count that takes over at a reload.
  Run run_;
  Run next_;
  u32 pre_count_ = 0;
  bool pre_out_ = false;
};

class Pit8254 : public IoPortHandler {
 public:
  // The PIT input clock: 14.31818 MHz / 12 = 1.193182 MHz (IBM PC/AT
  // Technical Reference, "System Timer"); QEMU's PIT_FREQ is the same.
  static constexpr u64 kHz = 1'193'182;
  static constexpr u16 kCounter0 = 0x40, kControl = 0x43, kPortB = 0x61;
  static constexpr unsigned kChannels = 3;

  Pit8254(const Clock& clock, EventQueue& events, IrqLine irq0);
  Pit8254(const Pit8254&) = delete;
  Pit8254& operator=(const Pit8254&) = delete;

  u32 io_read(u16 port, unsigned size) override;  // 0x40-0x43 and 0x61
  void io_write(u16 port, unsigned size, u32 value) override;

  // Inspection: output level and current count of channel ch at clock.now()
  // (the count as a counter latch would read it: BCD digits in BCD mode).
  bool out(unsigned ch) const { return counters_[ch].out_at(tick()); }
  u16 count(unsigned ch) const;

 private:
  u64 tick() const { return clock_.ticks_at(clock_.now(), kHz); }
  void write_control(u64 t, u8 value);
  // Reports OUT0 to IRQ0 if it changed and schedules its next edge after t.
  void sync_out0(u64 t);

  const Clock& clock_;
  EventQueue& events_;
  IrqLine irq0_;
  EventQueue::Id out0_timer_;
  bool irq0_level_ = false;  // the level last driven on IRQ0
  std::array<PitCounter, kChannels> counters_;
  bool speaker_data_ = false;  // port B bit 1
};

}  // namespace l4sim
