#include "devices/pic8259.hpp"

#include <spdlog/spdlog.h>

namespace l4sim {

namespace {

constexpr u8 bit(unsigned level) { return static_cast<u8>(1u << level); }

// Command port (A0 = 0) writes: D4 = 1 is ICW1; otherwise D3 tells OCW3 (1)
// from OCW2 (0).
namespace icw1 {
constexpr u8 kIc4 = 0x01;   // ICW4 follows
constexpr u8 kSngl = 0x02;  // single chip: no ICW3
constexpr u8 kAdi = 0x04;   // call address interval (MCS-80/85 only)
constexpr u8 kLtim = 0x08;  // level-triggered inputs
constexpr u8 kIsIcw1 = 0x10;
}  // namespace icw1

namespace icw4 {
constexpr u8 kUpm = 0x01;   // 8086/8088 mode (0: MCS-80/85)
constexpr u8 kAeoi = 0x02;  // automatic end of interrupt
constexpr u8 kBuf = 0x08;   // buffered mode (M/S in bit 2)
constexpr u8 kSfnm = 0x10;  // special fully nested mode
}  // namespace icw4

constexpr u8 kVectorBaseMask = 0xF8;  // ICW2 T7..T3; T2..T0 come from the level in 8086 mode

namespace ocw {
constexpr u8 kKindMask = 0x18;  // D4..D3: 00 = OCW2, 01 = OCW3
constexpr u8 kOcw2 = 0x00;
constexpr u8 kOcw3 = 0x08;
constexpr u8 kLevelMask = 0x07;  // OCW2 L2..L0
// OCW2 R/SL/EOI (D7..D5).
enum Ocw2Cmd : u8 {
  kRotateAeoiClear = 0,
  kNonSpecificEoi = 1,
  kNop = 2,
  kSpecificEoi = 3,
  kRotateAeoiSet = 4,
  kRotateNonSpecificEoi = 5,
  kSetPriority = 6,
  kRotateSpecificEoi = 7,
};
// OCW3 bits.
constexpr u8 kRis = 0x01;   // read ISR (with RR)
constexpr u8 kRr = 0x02;    // read register command
constexpr u8 kPoll = 0x04;  // poll command
constexpr u8 kSmm = 0x20;   // special mask mode (with ESMM)
constexpr u8 kEsmm = 0x40;  // enable special mask mode change
}  // namespace ocw

constexpr u8 kPollInterrupt = 0x80;  // poll word: I bit, W2..W0 = level
constexpr u8 kSpuriousLevel = 7;     // the "default IR7" of the datasheet
constexpr u8 kSlaveIdMask = 0x07;    // slave ICW3 ID2..ID0
constexpr u8 kFloatingBus = 0xFF;    // nobody drives the data bus

// Power-on state. The datasheet leaves the registers undefined until ICW1;
// l4sim has no BIOS, so the chips start as a PC BIOS leaves them: 8086 mode,
// edge triggered, master vectors 0x08..0x0F, slave vectors 0x70..0x77, slave
// on master IR2 with ID 2. The IMR starts at 0 (everything unmasked) as in
// QEMU, where a BIOS would mask the unused lines.
constexpr u8 kBootMasterBase = 0x08;
constexpr u8 kBootSlaveBase = 0x70;

}  // namespace

// ---- One chip ---------------------------------------------------------------

int Pic8259Pair::Chip::highest(u8 mask) const {
  for (unsigned r = 0; r < 8; ++r) {
    const unsigned level = (lowest_priority + 1 + r) & 7u;
    if (mask & bit(level)) return static_cast<int>(level);
  }
  return -1;
}

int Pic8259Pair::Chip::resolve(bool is_master) const {
  const int req = highest(irr & ~imr);
  if (req < 0) return -1;
  // Fully nested mode: only a request of higher priority than every level in
  // service interrupts. In special mask mode a masked level in service does
  // not inhibit anything (datasheet "Special Mask Mode").
  const u8 in_service = special_mask ? static_cast<u8>(isr & ~imr) : isr;
  const int cur = highest(in_service);
  if (cur < 0 || rank(static_cast<unsigned>(req)) < rank(static_cast<unsigned>(cur))) return req;
  // Special fully nested mode: a slave's input is not locked out while one of
  // its requests is in service, so that the slave can pass on a request of
  // higher priority within itself (datasheet "Special Fully Nested Mode").
  // QEMU drops the cascade ISR bit from the comparison instead, which also
  // lets lower master levels through; this follows the datasheet.
  const bool cascade_input = !single && (icw3 & bit(static_cast<unsigned>(req)));
  if (is_master && special_fully_nested && req == cur && cascade_input) return req;
  return -1;
}

void Pic8259Pair::Chip::acknowledge(unsigned level) {
  // In level mode the IRR bit follows the input, it is not latched.
  if (!level_mode) irr &= static_cast<u8>(~bit(level));
  if (auto_eoi) {
    // AEOI clears the ISR bit at the end of the last INTA pulse: it is never
    // seen set. Rotation in AEOI mode makes the level the lowest priority.
    if (rotate_on_aeoi) lowest_priority = static_cast<u8>(level);
  } else {
    isr |= bit(level);
  }
}

void Pic8259Pair::Chip::set_input(unsigned ir, bool level) {
  const u8 b = bit(ir);
  const bool was = line_levels & b;
  line_levels = level ? static_cast<u8>(line_levels | b) : static_cast<u8>(line_levels & ~b);
  if (level_mode) {
    irr = level ? static_cast<u8>(irr | b) : static_cast<u8>(irr & ~b);
  } else if (level && !was) {
    irr |= b;  // rising edge
  } else if (!level) {
    // The request is withdrawn: the datasheet requires IR to stay high until
    // the first INTA, otherwise a default IR7 (spurious) is returned. QEMU
    // keeps the IRR bit latched here and delivers the short pulse instead.
    irr &= static_cast<u8>(~b);
  }
}

void Pic8259Pair::Chip::write_command(u8 value) {
  if (value & icw1::kIsIcw1) {
    // Initialisation (datasheet "Initialization Command Words"): the edge
    // sense circuit is reset (an input already high must go low and high
    // again: line_levels is kept, so it is not seen as a new edge), the IMR
    // is cleared, IR7 gets the lowest priority, special mask mode is cleared
    // and the status read is set to IRR. ISR, IRR and the poll/rotate state
    // are cleared as well, as QEMU does.
    expect = Expect::kIcw2;
    icw4_needed = value & icw1::kIc4;
    single = value & icw1::kSngl;
    level_mode = value & icw1::kLtim;
    imr = 0;
    isr = 0;
    irr = level_mode ? line_levels : 0;
    lowest_priority = 7;
    special_mask = false;
    read_isr = false;
    poll = false;
    rotate_on_aeoi = false;
    if (value & icw1::kAdi) spdlog::debug("8259A: ICW1 ADI (MCS-80/85 call interval) ignored");
    if (!icw4_needed) {
      // "If IC4 = 0, then all functions selected in ICW4 are set to zero",
      // which selects MCS-80/85 mode.
      mode_8086 = false;
      auto_eoi = false;
      special_fully_nested = false;
      spdlog::debug("8259A: ICW1 without ICW4 selects MCS-80/85 mode; vectors are still delivered 8086-style");
    }
    return;
  }
  if ((value & ocw::kKindMask) == ocw::kOcw3) {
    if (value & ocw::kPoll) poll = true;  // overrides a read-register command for the next read
    if (value & ocw::kRr) read_isr = value & ocw::kRis;
    if (value & ocw::kEsmm) special_mask = value & ocw::kSmm;
    return;
  }
  if ((value & ocw::kKindMask) != ocw::kOcw2) {
    spdlog::debug("8259A: command {:#04x} is neither ICW1, OCW2 nor OCW3", value);
    return;
  }
  const unsigned level = value & ocw::kLevelMask;
  switch (static_cast<ocw::Ocw2Cmd>(value >> 5)) {
    case ocw::kRotateAeoiClear: rotate_on_aeoi = false; break;
    case ocw::kRotateAeoiSet: rotate_on_aeoi = true; break;
    case ocw::kNonSpecificEoi:
    case ocw::kRotateNonSpecificEoi: {
      // Resets the highest-priority ISR bit. "An IS bit that is masked by an
      // IMR bit will not be cleared by a non-specific EOI if the 8259A is in
      // the Special Mask Mode" (QEMU clears it regardless).
      const u8 eligible = special_mask ? static_cast<u8>(isr & ~imr) : isr;
      const int l = highest(eligible);
      if (l < 0) break;
      isr &= static_cast<u8>(~bit(static_cast<unsigned>(l)));
      if ((value >> 5) == ocw::kRotateNonSpecificEoi) lowest_priority = static_cast<u8>(l);
      break;
    }
    case ocw::kSpecificEoi: isr &= static_cast<u8>(~bit(level)); break;
    case ocw::kRotateSpecificEoi:
      isr &= static_cast<u8>(~bit(level));
      lowest_priority = static_cast<u8>(level);
      break;
    case ocw::kSetPriority: lowest_priority = static_cast<u8>(level); break;
    case ocw::kNop: break;
  }
}

void Pic8259Pair::Chip::write_data(u8 value) {
  switch (expect) {
    case Expect::kOcw: imr = value; break;  // OCW1
    case Expect::kIcw2:
      vector_base = value & kVectorBaseMask;
      expect = single ? (icw4_needed ? Expect::kIcw4 : Expect::kOcw) : Expect::kIcw3;
      break;
    case Expect::kIcw3:
      icw3 = value;
      expect = icw4_needed ? Expect::kIcw4 : Expect::kOcw;
      break;
    case Expect::kIcw4:
      mode_8086 = value & icw4::kUpm;
      auto_eoi = value & icw4::kAeoi;
      special_fully_nested = value & icw4::kSfnm;
      expect = Expect::kOcw;
      if (!mode_8086) spdlog::debug("8259A: ICW4 selects MCS-80/85 mode; vectors are still delivered 8086-style");
      if (value & icw4::kBuf) spdlog::debug("8259A: ICW4 buffered mode has no effect (master/slave roles are wired)");
      break;
  }
}

u8 Pic8259Pair::Chip::read(bool data_port, bool is_master) {
  if (poll) {
    // "The 8259A treats the next RD pulse as an interrupt acknowledge" (any
    // port, as in QEMU). No cascade: the poll word names the master's input.
    poll = false;
    const int l = resolve(is_master);
    if (l < 0) return 0;
    acknowledge(static_cast<unsigned>(l));
    return static_cast<u8>(kPollInterrupt | l);
  }
  if (data_port) return imr;
  return read_isr ? isr : irr;
}

// ---- The pair -----------------------------------------------------------------

Pic8259Pair::Pic8259Pair() {
  Chip& m = chips_[kMaster];
  m.vector_base = kBootMasterBase;
  m.icw3 = bit(kCascadeIr);
  Chip& s = chips_[kSlave];
  s.vector_base = kBootSlaveBase;
  s.icw3 = kCascadeIr;
}

u32 Pic8259Pair::io_read(u16 port, unsigned size) {
  // Only byte accesses reach an 8-bit device through the IoMap; a wider one is
  // served as a byte access with the upper lanes floating high.
  const bool is_master = !(port & 0x80);
  const u8 v = chip_of(port).read(port & 1, is_master);
  update();  // a poll read acknowledges
  const u32 lanes = size >= 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
  return (lanes & ~0xFFu) | v;
}

void Pic8259Pair::io_write(u16 port, unsigned /*size*/, u32 value) {
  Chip& c = chip_of(port);
  const u8 v = static_cast<u8>(value);
  if (port & 1)
    c.write_data(v);
  else
    c.write_command(v);
  update();
}

void Pic8259Pair::set_irq(unsigned line, bool level) {
  if (line >= 16) {
    spdlog::debug("8259A: IRQ line {} does not exist", line);
    return;
  }
  if (line >= 8) {
    chips_[kSlave].set_input(line - 8, level);
  } else if (line == kCascadeIr) {
    line2_level_ = level;
    chips_[kMaster].set_input(kCascadeIr, level || slave_int_);
  } else {
    chips_[kMaster].set_input(line, level);
  }
  update();
}

void Pic8259Pair::update() {
  slave_int_ = chips_[kSlave].resolve(false) >= 0;
  chips_[kMaster].set_input(kCascadeIr, slave_int_ || line2_level_);
  int_out_ = chips_[kMaster].resolve(true) >= 0;
}

u8 Pic8259Pair::intr_acknowledge() {
  Chip& m = chips_[kMaster];
  const int level = m.resolve(true);
  u8 vector;
  if (level < 0) {
    // No request qualifies any more: the datasheet's default IR7, without
    // setting ISR bit 7.
    ++spurious_;
    vector = m.vector_base | kSpuriousLevel;
    spdlog::debug("8259A: spurious interrupt on the master (vector {:#04x})", vector);
  } else {
    const unsigned l = static_cast<unsigned>(level);
    m.acknowledge(l);
    if (!m.single && (m.icw3 & bit(l))) {
      // Cascade: the master puts the level on CAS0..2 and the slave with that
      // ID supplies the vector.
      Chip& s = chips_[kSlave];
      if ((s.icw3 & kSlaveIdMask) != l) {
        vector = kFloatingBus;
        spdlog::debug("8259A: no slave answers cascade address {}", l);
      } else if (const int sl = s.resolve(false); sl < 0) {
        // The slave's request went away: its default IR7, while the master
        // keeps its cascade ISR bit set as on real hardware.
        ++spurious_;
        vector = s.vector_base | kSpuriousLevel;
        spdlog::debug("8259A: spurious interrupt on the slave (vector {:#04x})", vector);
      } else {
        s.acknowledge(static_cast<unsigned>(sl));
        vector = static_cast<u8>(s.vector_base | sl);
      }
    } else {
      vector = static_cast<u8>(m.vector_base | l);
    }
  }
  update();
  return vector;
}

}  // namespace l4sim
