// A Machine owns the bus, the CPU and the devices; one object, passed explicitly
// (DESIGN.md §1): two machines can live in one process.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cpu486/cpu.hpp"
#include "machine/debug_ports.hpp"
#include "machine/run_result.hpp"

namespace l4sim {

struct MachineConfig {
  u32 memory_bytes = 16u << 20;  // 16 MB default
  CpuConfig cpu{};
};

class Machine {
 public:
  explicit Machine(const MachineConfig& cfg, DebugPorts::Sink console);

  Bus& bus() { return bus_; }
  Cpu& cpu() { return cpu_; }
  const MachineConfig& config() const { return cfg_; }

  // Loads a flat binary image at a physical address; ConfigError if it does not fit.
  void load_flat(const std::vector<u8>& image, u32 addr);
  // Starts in real mode at cs:ip (the image's own code sets up everything else).
  void start_real(u16 cs, u16 ip);
  // Starts in flat 32-bit protected mode at ring 0 (a minimal GDT at `gdt_addr`).
  void start_flat32(u32 entry, u32 gdt_addr = 0x500);

  // Runs until the guest exits, halts with interrupts disabled, triple-faults,
  // or `max_insns` instructions have retired.
  RunResult run(u64 max_insns);

 private:
  MachineConfig cfg_;
  Bus bus_;
  DebugPorts ports_;
  Cpu cpu_;
};

}  // namespace l4sim
