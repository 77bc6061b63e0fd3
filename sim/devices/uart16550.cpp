#include "devices/uart16550.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace l4sim {

using namespace uart;

namespace {

u32 all_ones(unsigned size) { return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1; }

}  // namespace

// The divisor latch has no defined reset value (the datasheet's reset table
// leaves it out). We start at 1 (115200 baud), which is what QEMU effectively
// does: it never paces reception by the divisor, i.e. input arrives as fast as
// the guest takes it.
Uart16550::Uart16550(u16 base, const Clock& clock, EventQueue& events, IrqLine irq, TxSink tx, std::vector<u8> rx_input)
    : base_(base),
      clock_(clock),
      events_(events),
      irq_(irq),
      tx_(std::move(tx)),
      rx_input_(std::move(rx_input)),
      rx_timer_(events.add("uart rx", [this](u64 when) { on_rx_timer(when); })),
      timeout_timer_(events.add("uart rx timeout", [this](u64 when) { update(when); })),
      last_arrival_(clock.now()),
      last_rx_activity_(clock.now()) {
  schedule_rx_from(clock_.now());
}

u64 Uart16550::char_cycles() const {
  if (divisor_ == 0) return kNever;
  // Counted in half bits so that 1.5 stop bits (5-bit words with LCR bit 2) stay exact.
  const u64 word_bits = 5 + (lcr_ & kLcrWordLengthMask);
  const u64 parity_bits = (lcr_ & kLcrParity) ? 1 : 0;
  u64 stop_half_bits = 2;
  if (lcr_ & kLcrStopBits) stop_half_bits = word_bits == 5 ? 3 : 4;
  const u64 half_bits = 2 * (1 + word_bits + parity_bits) + stop_half_bits;
  // One bit lasts 16 baud-clock periods times the divisor.
  return clock_.cycle_of_tick(half_bits * 8 * divisor_, kBaudClockHz);
}

unsigned Uart16550::trigger_level() const {
  switch ((fcr_ & kFcrTriggerMask) >> kFcrTriggerShift) {
    case 0: return 1;
    case 1: return 4;
    case 2: return 8;
    default: return 14;
  }
}

bool Uart16550::receiver_has_room() const { return fifo_enabled() ? rx_queue_.size() < kFifoSize : rx_queue_.empty(); }

// Datasheet, "FIFO Interrupt Mode Operation": a timeout interrupt occurs when
// at least one character is in the FIFO and nothing has been received into or
// read from it for four character times.
bool Uart16550::timeout_pending(u64 t) const {
  if (!fifo_enabled() || rx_queue_.empty()) return false;
  const u64 c = char_cycles();
  if (c == kNever) return false;
  return t >= last_rx_activity_ + 4 * c;
}

// Datasheet Table IV, "Interrupt Control Functions", in priority order.
u8 Uart16550::pending_interrupt(u64 t) const {
  if ((ier_ & kIerElsi) && (lsr_errors_ & kLsrErrors)) return kIirLineStatus;
  if (ier_ & kIerErbfi) {
    const std::size_t threshold = fifo_enabled() ? trigger_level() : 1;
    if (rx_queue_.size() >= threshold) return kIirRxData;
    if (timeout_pending(t)) return kIirTimeout;
  }
  if ((ier_ & kIerEtbei) && thre_pending_) return kIirThre;
  if ((ier_ & kIerEdssi) && (msr_deltas_ & kMsrDeltas)) return kIirModem;
  return kIirNone;
}

// Outside loopback the other end is a connected terminal (CTS, DSR and DCD
// asserted, no ring), as QEMU reports. In loopback the modem control outputs
// drive the inputs internally (datasheet, MCR bit 4).
u8 Uart16550::modem_inputs() const {
  if (!loopback()) return kMsrCts | kMsrDsr | kMsrDcd;
  u8 v = 0;
  if (mcr_ & kMcrRts) v |= kMsrCts;
  if (mcr_ & kMcrDtr) v |= kMsrDsr;
  if (mcr_ & kMcrOut1) v |= kMsrRi;
  if (mcr_ & kMcrOut2) v |= kMsrDcd;
  return v;
}

u32 Uart16550::io_read(u16 port, unsigned size) {
  if (size != 1 || port < base_ || port >= base_ + kPortCount) return all_ones(size);
  return read_register(static_cast<u16>(port - base_), clock_.now());
}

void Uart16550::io_write(u16 port, unsigned size, u32 value) {
  if (size != 1 || port < base_ || port >= base_ + kPortCount) {
    spdlog::debug("uart: ignored {}-byte write to port {:#06x}", size, port);
    return;
  }
  write_register(static_cast<u16>(port - base_), static_cast<u8>(value), clock_.now());
}

u8 Uart16550::read_register(u16 offset, u64 t) {
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kRbrThr: {
      if (dlab) return static_cast<u8>(divisor_);
      if (!rx_queue_.empty()) {
        rbr_last_ = rx_queue_.front();
        rx_queue_.pop_front();
        last_rx_activity_ = t;
        room_appeared(t);
      }
      update(t);
      return rbr_last_;
    }
    case kIer: return dlab ? static_cast<u8>(divisor_ >> 8) : ier_;
    case kIirFcr: {
      const u8 id = pending_interrupt(t);
      // Reading IIR while THRE is the reported source clears it (Table IV).
      if (id == kIirThre) {
        thre_pending_ = false;
        update(t);
      }
      return static_cast<u8>(id | (fifo_enabled() ? kIirFifosEnabled : 0));
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: {
      // The transmitter empties the moment THR is written, so THRE and TEMT
      // always read 1. Bit 7 (error in RCVR FIFO) stays 0: no parity, framing
      // or break errors are ever received.
      const u8 v = static_cast<u8>((rx_queue_.empty() ? 0 : kLsrDr) | lsr_errors_ | kLsrThre | kLsrTemt);
      lsr_errors_ = 0;  // reading LSR clears the error bits and the line status interrupt
      update(t);
      return v;
    }
    case kMsr: {
      const u8 v = static_cast<u8>(modem_inputs() | msr_deltas_);
      msr_deltas_ = 0;
      update(t);
      return v;
    }
    default: return scr_;
  }
}

void Uart16550::write_register(u16 offset, u8 value, u64 t) {
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kRbrThr:
      if (dlab)
        set_divisor(static_cast<u16>((divisor_ & 0xFF00) | value), t);
      else
        transmit(value, t);
      break;
    case kIer:
      if (dlab) {
        set_divisor(static_cast<u16>((divisor_ & 0x00FF) | (value << 8)), t);
      } else {
        // Enabling ETBEI while THR is empty (always, here) makes THRE pending at once.
        if (!(ier_ & kIerEtbei) && (value & kIerEtbei)) thre_pending_ = true;
        ier_ = value & kIerMask;
        update(t);
      }
      break;
    case kIirFcr: write_fcr(value, t); break;
    case kLcr: {
      const u64 old = char_cycles();
      if ((value & kLcrBreak) && !(lcr_ & kLcrBreak)) spdlog::debug("uart: break control set (not modelled)");
      lcr_ = value;
      line_parameters_changed(old, t);
      break;
    }
    case kMcr: write_mcr(value, t); break;
    case kLsr:
    case kMsr: spdlog::debug("uart: write {:#04x} to read-only register {} ignored", value, offset); break;
    default: scr_ = value; break;
  }
}

void Uart16550::write_fcr(u8 value, u64 t) {
  // "FCR0 must be 1 when other FCR bits are written to or they will not be
  // programmed", and changing FCR0 clears both FIFOs. The datasheet states the
  // clearing for FCR0 going to 0; QEMU clears on either change, and so do we.
  const bool enable = (value & kFcrEnable) != 0;
  bool clear = enable != fifo_enabled();
  if (enable) {
    clear = clear || (value & kFcrClearRx);
    fcr_ = value & (kFcrEnable | kFcrDmaMode | kFcrTriggerMask);
  } else {
    fcr_ = 0;
  }
  // FCR bit 2 would clear the TX FIFO; transmission is instantaneous, so it is always empty.
  if (clear && !rx_queue_.empty()) {
    rx_queue_.clear();
    room_appeared(t);
  }
  update(t);
}

void Uart16550::write_mcr(u8 value, u64 t) {
  const u8 before = modem_inputs();
  const bool was_loopback = loopback();
  mcr_ = value & kMcrMask;
  const u8 after = modem_inputs();
  // Delta bits record any change of the (internal, in loopback) modem inputs,
  // including the switch into and out of loopback. TERI is set on the
  // trailing edge of RI only. QEMU never reports deltas in loopback.
  const u8 changed = before ^ after;
  if (changed & kMsrCts) msr_deltas_ |= kMsrDcts;
  if (changed & kMsrDsr) msr_deltas_ |= kMsrDdsr;
  if (changed & kMsrDcd) msr_deltas_ |= kMsrDdcd;
  if ((before & kMsrRi) && !(after & kMsrRi)) msr_deltas_ |= kMsrTeri;
  // Leaving loopback reconnects the serial input: the sender may resume.
  if (was_loopback && !loopback()) room_appeared(t);
  update(t);
}

void Uart16550::transmit(u8 byte, u64 t) {
  // Writing THR clears the THRE interrupt; the (instantaneous) transmitter
  // then empties THR again, which sets it anew. Lowering and re-raising the
  // line gives an edge-triggered PIC a fresh interrupt, as QEMU does.
  thre_pending_ = false;
  update(t);
  if (loopback()) {
    receive(byte, t);  // the transmitter output is looped back to the receiver input, not sent
  } else {
    tx_(byte);
    ++tx_count_;
  }
  thre_pending_ = true;
  update(t);
}

void Uart16550::receive(u8 byte, u64 t) {
  if (receiver_has_room()) {
    rx_queue_.push_back(byte);
  } else {
    // Overrun (LSR bit 1). Without FIFOs the new character overwrites RBR;
    // with FIFOs it stays in the shift register and is lost (datasheet, LSR
    // bit 1). Only loopback gets here: line input waits for room instead.
    lsr_errors_ |= kLsrOe;
    if (!fifo_enabled()) rx_queue_.back() = byte;
  }
  last_rx_activity_ = std::max(last_rx_activity_, t);
}

void Uart16550::set_divisor(u16 divisor, u64 t) {
  const u64 old = char_cycles();
  if (divisor == 0 && divisor_ != 0) spdlog::debug("uart: divisor 0 stops the baud generator; reception stops");
  divisor_ = divisor;
  line_parameters_changed(old, t);
}

// A character in flight when the line parameters change would be garbled on
// real hardware; we restart it: the next byte arrives one (new) character time
// after the change.
void Uart16550::line_parameters_changed(u64 old_char_cycles, u64 t) {
  if (char_cycles() == old_char_cycles) return;
  schedule_rx_from(t);
  update(t);
}

void Uart16550::on_rx_timer(u64 when) {
  if (rx_next_ >= rx_input_.size() || !accepts_line_input()) return;  // room_appeared() restarts the sender
  receive(rx_input_[rx_next_++], when);
  ++rx_count_;
  last_arrival_ = when;
  schedule_rx_from(when);
  update(when);
}

// The next byte of rx_input arrives one character time after `ref`, if the
// receiver can take it; otherwise no timer runs until room appears.
void Uart16550::schedule_rx_from(u64 ref) {
  const u64 c = char_cycles();
  if (rx_next_ < rx_input_.size() && accepts_line_input() && c != kNever)
    events_.schedule(rx_timer_, ref + c);
  else if (events_.when(rx_timer_) != kNever)
    events_.cancel(rx_timer_);
}

// Flow control like QEMU's can_receive: the sender resumes one character time
// after the later of its previous byte and the moment the receiver had room.
void Uart16550::room_appeared(u64 t) {
  if (events_.when(rx_timer_) == kNever) schedule_rx_from(std::max(last_arrival_, t));
}

void Uart16550::update(u64 t) {
  // The character timeout only needs a timer for the moment it becomes
  // pending; before and after that it is computed from `t`.
  u64 deadline = kNever;
  const u64 c = char_cycles();
  if ((ier_ & kIerErbfi) && fifo_enabled() && !rx_queue_.empty() && c != kNever) {
    const u64 d = last_rx_activity_ + 4 * c;
    if (d > t) deadline = d;
  }
  if (events_.when(timeout_timer_) != deadline) events_.schedule(timeout_timer_, deadline);

  // On a PC, OUT2 enables the tri-state driver between the UART's INTR pin
  // and the ISA IRQ line; in loopback the chip forces OUT2 inactive (datasheet,
  // MCR bit 4), so no interrupt reaches the bus then either. QEMU models
  // neither gate: a guest that forgets OUT2 gets interrupts in QEMU but not on
  // a real PC.
  const bool gate = (mcr_ & kMcrOut2) && !loopback();
  const bool level = gate && pending_interrupt(t) != kIirNone;
  if (level != irq_level_) {
    irq_level_ = level;
    irq_.set(level);
  }
}

}  // namespace l4sim
