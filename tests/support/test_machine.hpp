// A minimal machine for CPU tests: RAM, the CPU, and two ports: 0xE9 collects
// output bytes, 0xF4 ends the run (QEMU isa-debug-exit convention). Helpers
// put the CPU straight into real mode or flat 32-bit protected mode.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cpu486/cpu.hpp"
#include "support/asm.hpp"

namespace l4sim::test {

class TestIo : public IoPortHandler {
 public:
  u32 io_read(u16 port, unsigned size) override;
  void io_write(u16 port, unsigned size, u32 value) override;
  std::string out;
  bool exited = false;
  u32 exit_value = 0;
  std::map<u16, u32> last_write;  // every other port: the last value written
  std::map<u16, u32> read_value;  // value returned by reads (default all ones)
};

// GDT layout installed by setup_flat32 at kGdtBase.
constexpr u32 kGdtBase = 0x800;
constexpr u16 kCode0 = 0x08, kData0 = 0x10, kCode3 = 0x1B, kData3 = 0x23, kTss = 0x28, kCode16 = 0x30, kData16 = 0x38;
constexpr u32 kIdtBase = 0x400;  // 256 gates * 8 = 0x800 bytes: 0x400..0x7FF... (placed below GDT)
constexpr u32 kTssBase = 0x1000;

class TestMachine {
 public:
  explicit TestMachine(u32 mem_bytes = 4u << 20, CpuModel model = CpuModel::kI486DX, TlbGeometry tlb = {});
  TestMachine(u32 mem_bytes, const CpuConfig& cfg);

  Bus bus;
  TestIo io;
  Cpu cpu;

  void load(u32 addr, const std::vector<u8>& bytes) {
    bus.load(PhysAddr(addr), bytes.data(), static_cast<u32>(bytes.size()));
  }
  void poke32(u32 addr, u32 v) { bus.write<u32>(PhysAddr(addr), v); }
  u32 peek32(u32 addr) const { return bus.read<u32>(PhysAddr(addr)); }
  u8 peek8(u32 addr) const { return bus.read<u8>(PhysAddr(addr)); }

  // Real mode at cs:ip (segments = cs, SP = 0xFFF0 in segment ss).
  void setup_real(u16 cs, u16 ip, u16 ss = 0, u16 sp = 0xFFF0);
  // Flat 4 GB protected mode at ring 0, paging off. GDT at kGdtBase holds ring-0
  // and ring-3 flat code/data, a 32-bit TSS at kTssBase (ESP0 = tss_esp0) and
  // 16-bit code/data. IDT at kIdtBase is empty (limit 0x7FF, all gates zero).
  void setup_flat32(u32 eip, u32 esp = 0x80000, u32 tss_esp0 = 0x90000);
  // Sets IDT gate `vector` to a 32-bit interrupt (or trap) gate to kCode0:handler.
  void set_gate(u8 vector, u32 handler, u8 dpl = 0, bool trap = false);
  void set_gdt_entry(unsigned index, u32 base, u32 limit, u8 access, u8 flags_nibble);
  // Grows GDTR.limit so that entries up to `index` are inside the table.
  void cover_gdt(unsigned index);
  Descriptor gdt_descriptor(u16 selector) const;
  // Loads a segment register's descriptor cache straight from the GDT, without
  // the architectural checks (test setup only).
  void load_seg(unsigned sr, u16 selector);
  // Ring 3 with the flat ring-3 code and data segments; EIP and ESP unchanged.
  void enter_ring3();
  // Virtual-8086 mode: every segment = `segment` (64 KB, DPL 3), IP 0, SP 0xFFF0.
  void enter_v86(u16 segment, u32 iopl);

  // Assembles and loads code at `addr`, then runs it in flat 32-bit mode until
  // it writes port 0xF4 or `max_steps` pass. Returns true if it exited.
  bool run_flat32(const std::string& source, u32 addr = 0x10000, u64 max_steps = 100000);
  bool run_until_exit(u64 max_steps = 100000);
};

}  // namespace l4sim::test
