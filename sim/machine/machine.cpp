#include "machine/machine.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace l4sim {

Machine::Machine(const MachineConfig& cfg, DebugPorts::Sink console)
    : cfg_(cfg), bus_(cfg.memory_bytes), ports_(std::move(console)), cpu_(bus_, cfg.cpu) {
  bus_.set_io_handler(&ports_);
}

void Machine::load_flat(const std::vector<u8>& image, u32 addr) {
  if (!bus_.in_ram(PhysAddr(addr), static_cast<u32>(image.size())))
    throw ConfigError(fmt::format("image of {} bytes at {:#x} does not fit in {} bytes of memory", image.size(), addr,
                                  bus_.ram_size()));
  bus_.load(PhysAddr(addr), image.data(), static_cast<u32>(image.size()));
}

void Machine::start_real(u16 cs, u16 ip) {
  cpu_.reset();
  CpuState& s = cpu_.state();
  for (unsigned i = 0; i < 6; ++i) s.seg[i].load_real(i == CS ? cs : 0);
  s.eip = ip;
  s.r[ESP] = 0xFFFE;
}

void Machine::start_flat32(u32 entry, u32 gdt_addr) {
  cpu_.reset();
  // Null, flat ring-0 code (0x08) and flat ring-0 data (0x10): what a multiboot
  // loader leaves behind (Multiboot spec §3.2: the OS must set up its own GDT).
  const u32 gdt[6] = {0, 0, 0x0000FFFF, 0x00CF9A00, 0x0000FFFF, 0x00CF9200};
  for (u32 i = 0; i < 6; ++i) bus_.write<u32>(PhysAddr(gdt_addr + 4 * i), gdt[i]);
  CpuState& s = cpu_.state();
  s.cr0 = cr0::PE | cr0::ET;
  s.gdtr = TableReg{gdt_addr, 23};
  Descriptor code{gdt[2], gdt[3]};
  Descriptor data{gdt[4], gdt[5]};
  s.seg[CS].load_from(0x08, code);
  for (unsigned sr : {DS, ES, SS, FS, GS}) s.seg[sr].load_from(0x10, data);
  s.cpl = 0;
  s.eip = entry;
}

RunResult Machine::run(u64 max_insns) {
  RunResult r;
  try {
    while (true) {
      if (ports_.exit_requested()) {
        r.reason = ExitReason::kGuestExit;
        r.guest_status = (ports_.exit_value() << 1) | 1;
        break;
      }
      if (cpu_.retired() >= max_insns) {
        r.reason = ExitReason::kInsnLimit;
        r.message = fmt::format("instruction limit {} reached", max_insns);
        break;
      }
      const StepResult sr = cpu_.step();
      ++r.steps;
      if (sr == StepResult::kShutdown) {
        r.reason = ExitReason::kTripleFault;
        r.message = cpu_.shutdown_reason() + "\n" + cpu_.dump_registers();
        break;
      }
      if (sr == StepResult::kHalted && !(cpu_.state().eflags & fl::IF)) {
        r.reason = ExitReason::kHalted;
        r.message = "halted with interrupts disabled";
        break;
      }
    }
  } catch (const CpuUnsupported& e) {
    r.reason = ExitReason::kUnsupported;
    r.message = std::string(e.what()) + "\n" + cpu_.dump_registers();
  }
  r.instructions = cpu_.retired();
  return r;
}

}  // namespace l4sim
