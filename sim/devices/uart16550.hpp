// The NS16550A UART (COM1 at 0x3F8, IRQ 4 on a PC), modelled from the National
// Semiconductor NS16550A datasheet. Transmission is instantaneous: a byte
// written to THR reaches the TxSink at once, so THRE and TEMT always read 1.
// Reception is paced at the line rate: the bytes the "other end" sends arrive
// one character time apart on the cycle clock, with QEMU-style flow control
// (the sender waits while the receiver is full), so no input is ever lost.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "devices/irq.hpp"
#include "mmu/io_port.hpp"
#include "time/event_queue.hpp"

namespace l4sim {

namespace uart {

// Register offsets from the base port (datasheet Table II, "Summary of Registers").
constexpr u16 kRbrThr = 0;  // DLAB=0: receiver buffer (read) / transmitter holding register (write)
constexpr u16 kIer = 1;     // DLAB=0: interrupt enable
constexpr u16 kDll = 0;     // DLAB=1: divisor latch, low byte
constexpr u16 kDlm = 1;     // DLAB=1: divisor latch, high byte
constexpr u16 kIirFcr = 2;  // interrupt identification (read) / FIFO control (write)
constexpr u16 kLcr = 3;
constexpr u16 kMcr = 4;
constexpr u16 kLsr = 5;
constexpr u16 kMsr = 6;
constexpr u16 kScr = 7;
constexpr u16 kPortCount = 8;

// Interrupt enable register.
constexpr u8 kIerErbfi = 0x01;  // received data available (and, with FIFOs, character timeout)
constexpr u8 kIerEtbei = 0x02;  // transmitter holding register empty
constexpr u8 kIerElsi = 0x04;   // receiver line status
constexpr u8 kIerEdssi = 0x08;  // modem status
constexpr u8 kIerMask = 0x0F;   // bits 4-7 are always 0

// Interrupt identification register: bits 3-0 name the highest-priority pending source.
constexpr u8 kIirNone = 0x01;
constexpr u8 kIirLineStatus = 0x06;
constexpr u8 kIirRxData = 0x04;
constexpr u8 kIirTimeout = 0x0C;
constexpr u8 kIirThre = 0x02;
constexpr u8 kIirModem = 0x00;
constexpr u8 kIirFifosEnabled = 0xC0;

// FIFO control register.
constexpr u8 kFcrEnable = 0x01;
constexpr u8 kFcrClearRx = 0x02;
constexpr u8 kFcrClearTx = 0x04;
constexpr u8 kFcrDmaMode = 0x08;
constexpr u8 kFcrTriggerMask = 0xC0;
constexpr unsigned kFcrTriggerShift = 6;

// Line control register.
constexpr u8 kLcrWordLengthMask = 0x03;  // word length - 5
constexpr u8 kLcrStopBits = 0x04;        // 2 stop bits (1.5 with 5-bit words)
constexpr u8 kLcrParity = 0x08;
constexpr u8 kLcrBreak = 0x40;
constexpr u8 kLcrDlab = 0x80;

// Modem control register.
constexpr u8 kMcrDtr = 0x01;
constexpr u8 kMcrRts = 0x02;
constexpr u8 kMcrOut1 = 0x04;
constexpr u8 kMcrOut2 = 0x08;
constexpr u8 kMcrLoop = 0x10;
constexpr u8 kMcrMask = 0x1F;

// Line status register.
constexpr u8 kLsrDr = 0x01;
constexpr u8 kLsrOe = 0x02;
constexpr u8 kLsrPe = 0x04;
constexpr u8 kLsrFe = 0x08;
constexpr u8 kLsrBi = 0x10;
constexpr u8 kLsrThre = 0x20;
constexpr u8 kLsrTemt = 0x40;
constexpr u8 kLsrErrors = kLsrOe | kLsrPe | kLsrFe | kLsrBi;

// Modem status register: deltas in the low nibble, input levels in the high one.
constexpr u8 kMsrDcts = 0x01;
constexpr u8 kMsrDdsr = 0x02;
constexpr u8 kMsrTeri = 0x04;
constexpr u8 kMsrDdcd = 0x08;
constexpr u8 kMsrDeltas = 0x0F;
constexpr u8 kMsrCts = 0x10;
constexpr u8 kMsrDsr = 0x20;
constexpr u8 kMsrRi = 0x40;
constexpr u8 kMsrDcd = 0x80;

constexpr unsigned kFifoSize = 16;
// The PC's UART crystal: baud rate = 1.8432 MHz / (16 * divisor).
constexpr u64 kBaudClockHz = 1'843'200;

}  // namespace uart

class Uart16550 : public IoPortHandler {
 public:
  using TxSink = std::function<void(u8)>;

  // base: first port (0x3F8 for COM1). rx_input: the bytes the "other end"
  // sends, delivered one character at a time at the line rate.
  Uart16550(u16 base, const Clock& clock, EventQueue& events, IrqLine irq, TxSink tx, std::vector<u8> rx_input = {});
  Uart16550(const Uart16550&) = delete;  // timers hold `this`
  Uart16550& operator=(const Uart16550&) = delete;

  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;

  // Bytes handed to the TxSink (loopback bytes are not transmitted).
  u64 bytes_transmitted() const { return tx_count_; }
  // Bytes of rx_input delivered into the receiver.
  u64 bytes_received() const { return rx_count_; }
  // CPU cycles one character takes on the line with the current LCR and
  // divisor; kNever when the divisor is 0 (the baud generator is stopped).
  u64 char_cycles() const;
  // The level this UART drives onto its IRQ line.
  bool irq_level() const { return irq_level_; }

 private:
  bool fifo_enabled() const { return (fcr_ & uart::kFcrEnable) != 0; }
  bool loopback() const { return (mcr_ & uart::kMcrLoop) != 0; }
  unsigned trigger_level() const;
  bool receiver_has_room() const;
  bool accepts_line_input() const { return !loopback() && receiver_has_room(); }
  bool timeout_pending(u64 t) const;
  u8 pending_interrupt(u64 t) const;
  u8 modem_inputs() const;

  u8 read_register(u16 offset, u64 t);
  void write_register(u16 offset, u8 value, u64 t);
  void write_fcr(u8 value, u64 t);
  void write_mcr(u8 value, u64 t);
  void transmit(u8 byte, u64 t);
  void receive(u8 byte, u64 t);
  void set_divisor(u16 divisor, u64 t);
  void line_parameters_changed(u64 old_char_cycles, u64 t);

  void on_rx_timer(u64 when);
  void schedule_rx_from(u64 ref);
  void room_appeared(u64 t);
  void update(u64 t);

  u16 base_;
  const Clock& clock_;
  EventQueue& events_;
  IrqLine irq_;
  TxSink tx_;
  std::vector<u8> rx_input_;
  std::size_t rx_next_ = 0;
  EventQueue::Id rx_timer_;
  EventQueue::Id timeout_timer_;

  std::deque<u8> rx_queue_;  // the RX FIFO; without FIFOs at most one byte, the RBR
  u8 rbr_last_ = 0;          // what RBR reads when the receiver is empty
  u8 ier_ = 0;
  u8 fcr_ = 0;
  u8 lcr_ = 0;
  u8 mcr_ = 0;
  u8 lsr_errors_ = 0;  // OE/PE/FE/BI; DR, THRE and TEMT are derived
  u8 msr_deltas_ = 0;
  u8 scr_ = 0;
  u16 divisor_ = 1;
  bool thre_pending_ = false;
  bool irq_level_ = false;
  u64 last_arrival_ = 0;      // when the last byte of rx_input arrived (construction time before the first)
  u64 last_rx_activity_ = 0;  // last byte into or out of the receiver: the character timeout counts from here
  u64 tx_count_ = 0;
  u64 rx_count_ = 0;
};

}  // namespace l4sim
