#include "support/test_machine.hpp"

namespace l4sim::test {

u32 TestIo::io_read(u16 port, unsigned size) {
  auto it = read_value.find(port);
  if (it != read_value.end()) return it->second;
  return size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
}

void TestIo::io_write(u16 port, unsigned, u32 value) {
  if (port == 0xE9) {
    out.push_back(static_cast<char>(value));
  } else if (port == 0xF4) {
    exited = true;
    exit_value = value;
  } else {
    last_write[port] = value;
  }
}

TestMachine::TestMachine(u32 mem_bytes, CpuModel model, TlbGeometry tlb)
    : TestMachine(mem_bytes, CpuConfig{model, tlb, false, 32, 4}) {}

TestMachine::TestMachine(u32 mem_bytes, const CpuConfig& cfg) : bus(mem_bytes), cpu(bus, cfg) {
  bus.set_io_handler(&io);
}

void TestMachine::setup_real(u16 cs, u16 ip, u16 ss, u16 sp) {
  cpu.reset();
  CpuState& s = cpu.state();
  for (unsigned i = 0; i < 6; ++i) s.seg[i].load_real(cs);
  s.seg[SS].load_real(ss);
  s.eip = ip;
  s.r[ESP] = sp;
  s.cr0 &= ~(cr0::CD | cr0::NW);
}

void TestMachine::set_gdt_entry(unsigned index, u32 base, u32 limit, u8 access, u8 flags_nibble) {
  const u32 lo = (limit & 0xFFFF) | (base << 16);
  const u32 hi = ((base >> 16) & 0xFF) | (static_cast<u32>(access) << 8) | (limit & 0xF0000) |
                 (static_cast<u32>(flags_nibble & 0xF) << 20) | (base & 0xFF000000u);
  poke32(kGdtBase + index * 8, lo);
  poke32(kGdtBase + index * 8 + 4, hi);
}

void TestMachine::setup_flat32(u32 eip, u32 esp, u32 tss_esp0) {
  cpu.reset();
  set_gdt_entry(0, 0, 0, 0, 0);
  set_gdt_entry(1, 0, 0xFFFFF, 0x9B, 0xC);                       // ring-0 code, 4 GB, 32-bit
  set_gdt_entry(2, 0, 0xFFFFF, 0x93, 0xC);                       // ring-0 data
  set_gdt_entry(3, 0, 0xFFFFF, 0xFB, 0xC);                       // ring-3 code
  set_gdt_entry(4, 0, 0xFFFFF, 0xF3, 0xC);                       // ring-3 data
  set_gdt_entry(5, kTssBase, 0x67 + 0x2000 / 8 + 1, 0x89, 0x0);  // 32-bit TSS with an all-zero I/O bitmap
  set_gdt_entry(6, 0, 0xFFFF, 0x9B, 0x0);                        // 16-bit code
  set_gdt_entry(7, 0, 0xFFFF, 0x93, 0x0);                        // 16-bit data
  for (u32 a = kTssBase; a < kTssBase + 0x68 + 0x2000 / 8 + 1; a += 1) bus.write<u8>(PhysAddr(a), 0);
  poke32(kTssBase + 4, tss_esp0);
  poke32(kTssBase + 8, kData0);
  bus.write<u16>(PhysAddr(kTssBase + 0x66), 0x68);
  bus.write<u8>(PhysAddr(kTssBase + 0x68 + 0x2000 / 8), 0xFF);  // bitmap terminator
  for (u32 a = kIdtBase; a < kIdtBase + 0x400; a += 4) poke32(a, 0);

  CpuState& s = cpu.state();
  s.cr0 = cr0::PE | cr0::ET;
  s.gdtr = TableReg{kGdtBase, 8 * 8 - 1};
  s.idtr = TableReg{kIdtBase, 0x3FF};  // 128 gates
  load_seg(CS, kCode0);
  for (unsigned sr : {DS, ES, SS, FS, GS}) load_seg(sr, kData0);
  Descriptor td;
  td.lo = peek32(kGdtBase + kTss);
  td.hi = peek32(kGdtBase + kTss + 4) | (2u << 8);  // mark busy, as LTR would
  poke32(kGdtBase + kTss + 4, td.hi);
  s.tr.load_from(kTss, td);
  s.cpl = 0;
  s.eip = eip;
  s.r[ESP] = esp;
}

void TestMachine::cover_gdt(unsigned index) {
  CpuState& s = cpu.state();
  if (s.gdtr.limit < index * 8 + 7) s.gdtr.limit = index * 8 + 7;
}

Descriptor TestMachine::gdt_descriptor(u16 selector) const {
  return Descriptor{peek32(kGdtBase + (selector & ~7u)), peek32(kGdtBase + (selector & ~7u) + 4)};
}

void TestMachine::load_seg(unsigned sr, u16 selector) {
  cpu.state().seg[sr].load_from(selector, gdt_descriptor(selector));
}

void TestMachine::enter_ring3() {
  load_seg(CS, kCode3);
  for (unsigned sr : {DS, ES, SS, FS, GS}) load_seg(sr, kData3);
  cpu.state().cpl = 3;
}

void TestMachine::enter_v86(u16 segment, u32 iopl) {
  CpuState& s = cpu.state();
  for (SegCache& sc : s.seg) {
    sc.load_real(segment);
    sc.limit = 0xFFFF;
    sc.access = 0xF3;
    sc.big = false;
    sc.granular = false;
    sc.refresh();
  }
  s.cpl = 3;
  s.eflags = fl::R1 | fl::VM | (iopl << 12);
  s.eip = 0;
  s.r[ESP] = 0xFFF0;
}

void TestMachine::set_gate(u8 vector, u32 handler, u8 dpl, bool trap) {
  const u32 lo = (handler & 0xFFFF) | (static_cast<u32>(kCode0) << 16);
  const u32 hi = (handler & 0xFFFF0000u) | (1u << 15) | (static_cast<u32>(dpl) << 13) | ((trap ? 0xFu : 0xEu) << 8);
  poke32(kIdtBase + vector * 8u, lo);
  poke32(kIdtBase + vector * 8u + 4, hi);
}

bool TestMachine::run_until_exit(u64 max_steps) {
  for (u64 i = 0; i < max_steps && !io.exited; ++i) {
    const StepResult r = cpu.step();
    if (r == StepResult::kShutdown) return false;
    if (r == StepResult::kHalted && !(cpu.state().eflags & fl::IF)) return false;
  }
  return io.exited;
}

bool TestMachine::run_flat32(const std::string& source, u32 addr, u64 max_steps) {
  load(addr, assemble(source, addr, 32));
  setup_flat32(addr);
  return run_until_exit(max_steps);
}

}  // namespace l4sim::test
