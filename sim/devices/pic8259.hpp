// The two cascaded Intel 8259A programmable interrupt controllers of the
// PC/AT: the master at ports 0x20/0x21 drives the CPU's INTR line, the slave at
// 0xA0/0xA1 drives the master's IR2. Devices raise lines 0..15 (8..15 are the
// slave's IR0..7); the CPU asks intr_pending() at every instruction boundary
// and runs the INTA sequence with intr_acknowledge().
//
// Before any ICW1 the pair behaves as a PC BIOS leaves it (master vectors
// 0x08.., slave 0x70.., cascade on IR2, edge triggered) with nothing masked.
//
// Reference: Intel 8259A Programmable Interrupt Controller datasheet
// (order number 231468). QEMU's hw/intc/i8259.c differs in a few corners; the
// differences are noted where they are implemented.
#pragma once

#include "common/types.hpp"
#include "cpu486/cpu.hpp"
#include "devices/irq.hpp"
#include "mmu/io_port.hpp"

namespace l4sim {

class Pic8259Pair : public IoPortHandler, public IrqSink, public InterruptSource {
 public:
  static constexpr u16 kMasterCmd = 0x20, kMasterData = 0x21, kSlaveCmd = 0xA0, kSlaveData = 0xA1;
  static constexpr unsigned kMaster = 0, kSlave = 1;
  static constexpr unsigned kCascadeIr = 2;  // the master input the slave's INT is wired to (PC/AT)

  Pic8259Pair();
  Pic8259Pair(const Pic8259Pair&) = delete;
  Pic8259Pair& operator=(const Pic8259Pair&) = delete;

  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;

  // Line 0..15 (8..15 = slave IR0..7). Line 2 drives the master's IR2 input
  // directly, OR-ed with the slave's INT output: nothing on a PC/AT uses it
  // (the ISA bus IRQ2 pin is rerouted to IRQ9), as in QEMU it only pulses the
  // cascade input.
  void set_irq(unsigned line, bool level) override;
  bool intr_pending() const override { return int_out_; }
  const bool* intr_line() const override { return &int_out_; }
  u8 intr_acknowledge() override;

  // Inspection (tests, reports): chip 0 = master, 1 = slave.
  u8 irr(unsigned chip) const { return chips_[chip].irr; }
  u8 isr(unsigned chip) const { return chips_[chip].isr; }
  u8 imr(unsigned chip) const { return chips_[chip].imr; }
  u8 vector_base(unsigned chip) const { return chips_[chip].vector_base; }
  u64 spurious_count() const { return spurious_; }

 private:
  // One 8259A. The pair wires two of them together.
  struct Chip {
    // Registers (datasheet "Interrupt Request Register", "In-Service
    // Register", "Interrupt Mask Register").
    u8 irr = 0, isr = 0, imr = 0;
    u8 line_levels = 0;  // current level of the IR0..7 inputs, for edge detection

    // Initialisation state: which ICW the data port expects next.
    enum class Expect : u8 { kOcw, kIcw2, kIcw3, kIcw4 } expect = Expect::kOcw;
    bool icw4_needed = false;           // ICW1 IC4
    bool single = false;                // ICW1 SNGL: no cascade, no ICW3
    bool level_mode = false;            // ICW1 LTIM
    u8 vector_base = 0;                 // ICW2 T7..T3
    u8 icw3 = 0;                        // master: inputs with a slave; slave: its ID (bits 0..2)
    bool mode_8086 = true;              // ICW4 uPM
    bool auto_eoi = false;              // ICW4 AEOI
    bool special_fully_nested = false;  // ICW4 SFNM

    // Operation state (OCW2, OCW3).
    bool rotate_on_aeoi = false;
    u8 lowest_priority = 7;  // the level with the lowest priority; lowest+1 has the highest
    bool read_isr = false;   // OCW3 RR/RIS: the command port reads ISR instead of IRR
    bool poll = false;       // OCW3 P: the next read is an interrupt acknowledge
    bool special_mask = false;

    // Priority rank of a level: 0 = highest.
    unsigned rank(unsigned level) const { return (level - lowest_priority - 1) & 7u; }
    // The level of highest priority among the set bits of mask, or -1.
    int highest(u8 mask) const;
    // The level that would interrupt now (priority resolver), or -1. is_master
    // enables the special-fully-nested exception for cascade inputs.
    int resolve(bool is_master) const;
    // Moves the level from IRR to ISR (INTA or poll), with AEOI and rotation.
    void acknowledge(unsigned level);
    void set_input(unsigned ir, bool level);
    void write_command(u8 value);
    void write_data(u8 value);
    u8 read(bool data_port, bool is_master);
  };

  Chip& chip_of(u16 port) { return chips_[(port & 0x80) ? kSlave : kMaster]; }
  // Recomputes the slave's INT output, feeds it to the master's IR2, and
  // recomputes the master's INT output (the CPU's INTR line).
  void update();

  Chip chips_[2];
  bool slave_int_ = false;    // the slave's INT output
  bool line2_level_ = false;  // external level on line 2 (see set_irq)
  bool int_out_ = false;      // the master's INT output, cached for intr_pending()
  u64 spurious_ = 0;
};

}  // namespace l4sim
