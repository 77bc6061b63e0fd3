// A Machine is one PC: CPU, physical memory and bus, the I/O port map and the
// devices (two 8259A PICs, 8254 PIT, 16550 UART at COM1, MC146818 RTC/CMOS,
// VGA text memory, debug/exit ports), the cycle clock and its event queue.
// One object, passed explicitly (DESIGN.md §1): two machines can live in one
// process.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cpu486/cpu.hpp"
#include "devices/debug_ports.hpp"
#include "devices/io_map.hpp"
#include "devices/pic8259.hpp"
#include "devices/pit8254.hpp"
#include "devices/rtc_cmos.hpp"
#include "devices/uart16550.hpp"
#include "loader/multiboot.hpp"
#include "machine/run_result.hpp"
#include "probes/region_probe.hpp"
#include "time/clock.hpp"
#include "time/event_queue.hpp"
#include "timing/i486_timing.hpp"

namespace l4sim {

struct MachineConfig {
  u32 memory_bytes = 16u << 20;  // 16 MB default
  CpuConfig cpu{};
  // Modelled CPU clock; 0 = the model's own (50 MHz for the 486-DX50, 90 MHz
  // for the Pentium P54C-90). The PIT and RTC are derived from it.
  u64 cpu_hz = 0;
  i64 rtc_start_unix = 946684800;  // RTC time of day at cycle 0: 2000-01-01T00:00:00Z
  // The cycle-approximate timing model (the i486 model for the i486 CPU).
  // Off: every step counts one cycle (the functional mode). Auto: on for the
  // i486; off for the Pentium, whose timing model is not written yet.
  enum class Timing : u8 { kAuto, kOn, kOff };
  Timing timing = Timing::kAuto;
  I486TimingConfig i486{};
};

// Where the machine's character devices lead.
struct MachineIo {
  std::function<void(u8)> serial_out;     // COM1 transmit
  std::vector<u8> serial_in;              // COM1 receive: what the other end sends
  std::function<void(char)> console_out;  // port 0xE9 debug console
};

struct RunLimits {
  u64 max_insns = kNever;
  u64 max_cycles = kNever;
};

u64 default_cpu_hz(CpuModel m);

class Machine {
 public:
  // Legacy PC interrupt wiring (IBM PC/AT).
  static constexpr unsigned kIrqPit = 0, kIrqCom1 = 4, kIrqRtc = 8;
  static constexpr u16 kCom1 = 0x3F8;
  static constexpr u32 kVgaText = 0xB8000, kVgaCols = 80, kVgaRows = 25;

  Machine(const MachineConfig& cfg, MachineIo io);
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  const MachineConfig& config() const { return cfg_; }
  Bus& bus() { return bus_; }
  Cpu& cpu() { return cpu_; }
  const Cpu& cpu() const { return cpu_; }
  Clock& clock() { return clock_; }
  EventQueue& events() { return events_; }
  IoMap& io() { return io_; }
  Pic8259Pair& pic() { return pic_; }
  Pit8254& pit() { return pit_; }
  Uart16550& uart() { return uart_; }
  RtcCmos& rtc() { return rtc_; }
  DebugPorts& debug_ports() { return ports_; }

  // ---- Boot ---------------------------------------------------------------
  // Multiboot v1: loads kernel and modules, writes the boot information and
  // leaves the CPU as the spec and QEMU leave it (flat 32-bit protected mode,
  // paging and interrupts off, EAX = 0x2BADB002, EBX = info address).
  void boot_multiboot(const std::string& kernel_path, const std::vector<u8>& kernel, const std::string& cmdline,
                      const std::vector<BootModule>& modules);
  // Reset boot: maps the image as a PC BIOS ROM (at the top of the 4 GB space
  // and its last 128 KB or less below 1 MB) and resets the CPU to F000:FFF0.
  void boot_rom(const std::vector<u8>& rom);
  // Raw images for ISA tests: a flat binary at a physical address, entered in
  // real mode at cs:ip or in flat 32-bit protected mode at ring 0.
  void load_flat(const std::vector<u8>& image, u32 addr);
  void start_real(u16 cs, u16 ip);
  void start_flat32(u32 entry, u32 gdt_addr = 0x500);

  // ---- Run ----------------------------------------------------------------
  // Runs until the guest exits, halts for good, triple-faults, meets something
  // unsupported, or reaches a limit. May be called again to continue.
  RunResult run(const RunLimits& limits);

  // ---- Timing and measurement ------------------------------------------------
  const TimingModel* timing() const { return timing_.get(); }
  void set_regions(std::vector<RegionSpec> regions);
  const RegionProbe& regions() const { return regions_; }
  // Further observers of every step (traces); they see the event after the
  // timing model, and last_step_cycles() is that step's cost.
  void add_observer(InsnObserver* o);
  void remove_observer(InsnObserver* o);
  u32 last_step_cycles() const { return last_cycles_; }

  // ---- Symbols and inspection ---------------------------------------------
  void add_symbols(std::string image, SymbolTable syms);
  // "image:symbol+0x12" for an address, or "" when no loaded symbol covers it.
  std::string describe(u32 addr) const;
  // The address of a symbol in any loaded image (the kernel's first).
  std::optional<u32> find_symbol(const std::string& name) const;
  const MultibootBoot* multiboot() const { return multiboot_ ? &*multiboot_ : nullptr; }
  // The VGA text screen (80x25 characters at 0xB8000), one line per row,
  // trailing blanks removed.
  std::string screen_text() const;
  // The last instructions' linear addresses, oldest first, with symbols.
  std::string recent_instructions() const;

 private:
  static constexpr unsigned kHistory = 16;

  // The PICs as the CPU sees them, noting every interrupt the CPU takes (for
  // RunResult::interrupts and its digest).
  class InterruptTap : public InterruptSource {
   public:
    explicit InterruptTap(Machine& m) : m_(m) {}
    bool intr_pending() const override { return m_.pic_.intr_pending(); }
    const bool* intr_line() const override { return m_.pic_.intr_line(); }
    u8 intr_acknowledge() override;

   private:
    Machine& m_;
  };

  // The run loop's inner part: steps until a device event, a limit or the exit
  // port needs the outer loop, or a step does not end normally (HLT, triple
  // fault). One instance per combination of timing model (void: none) and
  // observers, so that the common cases pay for nothing they do not use: the
  // CPU fills its event only when the timing model or an observer reads it.
  template <class Timing, bool Observed>
  StepResult run_steps(const RunLimits& limits);
  using StepLoop = StepResult (Machine::*)(const RunLimits&);
  void choose_loop();  // after the timing model, observers or regions change

  // Region markers: the run loop looks at the probe only before a step at one
  // of their linear addresses (a small filter first, then the list).
  bool watched(u32 lin) const { return (watch_filter_[watch_hash(lin) >> 6] >> (watch_hash(lin) & 63)) & 1; }
  static u32 watch_hash(u32 lin) { return (lin * 0x9E3779B1u) >> 20; }  // 12 bits
  bool at_watch(u32 lin) const;
  // A step is about to run at a marker: returns true (and fills the snapshot)
  // if the probe wants the step's outcome.
  bool region_before(u32 lin, RegionSnapshot& snap);

  MachineConfig cfg_;
  MachineIo io_sinks_;
  Clock clock_;
  EventQueue events_;
  Bus bus_;
  IoMap io_;
  Pic8259Pair pic_;
  DebugPorts ports_;
  Pit8254 pit_;
  Uart16550 uart_;
  RtcCmos rtc_;
  Cpu cpu_;

  std::unique_ptr<TimingModel> timing_;
  I486Timing* i486_ = nullptr;  // timing_ when it is the i486 model (its loop calls it directly)
  RegionProbe regions_{{}};
  std::vector<u32> watch_;              // region marker addresses
  std::array<u64, 64> watch_filter_{};  // one bit per watch_hash value of a marker
  RegionSnapshot region_snap_;          // the counters before a step at a marker
  TimingStats region_stats_;            // the timing statistics in that snapshot
  std::vector<InsnObserver*> observers_;
  StepLoop loop_ = nullptr;
  InterruptTap interrupt_tap_{*this};
  u64 interrupts_ = 0;
  u64 interrupt_digest_ = 0xcbf29ce484222325ull;  // FNV-1a offset basis
  u32 last_cycles_ = 1;

  std::vector<std::pair<std::string, SymbolTable>> symbols_;
  std::optional<MultibootBoot> multiboot_;
  std::array<u32, kHistory> history_{};
  u64 history_count_ = 0;
};

}  // namespace l4sim
