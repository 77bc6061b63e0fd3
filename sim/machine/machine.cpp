#include "machine/machine.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "cpu486/cpu_step.hpp"

namespace l4sim {

u64 default_cpu_hz(CpuModel m) {
  // The 486-DX50 of the published analysis runs at 50 MHz; the first Pentium
  // modelled (P54C) is the 90 MHz part. Presets for other clocks come with the
  // configuration work.
  return m == CpuModel::kPentium ? 90'000'000 : 50'000'000;
}

namespace {

MachineConfig resolved(MachineConfig c) {
  if (c.cpu_hz == 0) c.cpu_hz = default_cpu_hz(c.cpu.model);
  if (c.memory_bytes < (1u << 20)) throw ConfigError("memory must be at least 1 MB");
  return c;
}

}  // namespace

Machine::Machine(const MachineConfig& cfg, MachineIo io)
    : cfg_(resolved(cfg)),
      io_sinks_(std::move(io)),
      clock_(cfg_.cpu_hz),
      bus_(cfg_.memory_bytes),
      ports_([this](char c) {
        if (io_sinks_.console_out) io_sinks_.console_out(c);
      }),
      pit_(clock_, events_, IrqLine(&pic_, kIrqPit)),
      uart_(
          kCom1, clock_, events_, IrqLine(&pic_, kIrqCom1),
          [this](u8 c) {
            if (io_sinks_.serial_out) io_sinks_.serial_out(c);
          },
          std::move(io_sinks_.serial_in)),
      rtc_(clock_, events_, IrqLine(&pic_, kIrqRtc), RtcConfig{cfg_.rtc_start_unix, cfg_.memory_bytes}),
      cpu_(bus_, cfg_.cpu) {
  io_.map(0x20, 2, &pic_);
  io_.map(0xA0, 2, &pic_);
  io_.map(0x40, 4, &pit_);
  io_.map(0x61, 1, &pit_);  // system control port B: PIT channel 2 gate and output
  io_.map(0x70, 2, &rtc_);
  io_.map(kCom1, 8, &uart_);
  io_.map(DebugPorts::kConsole, 1, &ports_);
  io_.map(DebugPorts::kExit, DebugPorts::kExitPorts, &ports_, /*wide=*/true);
  io_.map(DebugPorts::kPost, 1, &ports_);
  io_.map(DebugPorts::kPost2, 1, &ports_);
  bus_.set_io_handler(&io_);
  cpu_.set_interrupt_source(&interrupt_tap_);
  const bool i486 = cfg_.cpu.model == CpuModel::kI486DX;
  if (cfg_.timing == MachineConfig::Timing::kOn || (cfg_.timing == MachineConfig::Timing::kAuto && i486)) {
    if (!i486)
      throw ConfigError("the Pentium has no timing model yet (it comes with the Pentium work): run it with timing off");
    auto t = std::make_unique<I486Timing>(cfg_.i486);
    i486_ = t.get();
    timing_ = std::move(t);
    cpu_.set_annotator(timing_.get());
  }
  choose_loop();
}

void Machine::choose_loop() {
  const bool observed = !observers_.empty();
  if (i486_)
    loop_ = observed ? &Machine::run_steps<I486Timing, true> : &Machine::run_steps<I486Timing, false>;
  else
    loop_ = observed ? &Machine::run_steps<void, true> : &Machine::run_steps<void, false>;
  cpu_.set_tracing(i486_ || observed);
}

void Machine::set_regions(std::vector<RegionSpec> regions) {
  regions_ = RegionProbe(std::move(regions));
  watch_ = regions_.addresses();
  watch_filter_.fill(0);
  for (u32 a : watch_) watch_filter_[watch_hash(a) >> 6] |= u64{1} << (watch_hash(a) & 63);
  choose_loop();
}

void Machine::add_observer(InsnObserver* o) {
  observers_.push_back(o);
  choose_loop();
}

void Machine::remove_observer(InsnObserver* o) {
  std::erase(observers_, o);
  choose_loop();
}

bool Machine::at_watch(u32 lin) const { return std::find(watch_.begin(), watch_.end(), lin) != watch_.end(); }

bool Machine::region_before(u32 lin, RegionSnapshot& snap) {
  if (!at_watch(lin) || !regions_.wants(lin, cpu_.rep_iteration())) return false;
  snap.cycle = clock_.now();
  snap.retired = cpu_.retired();
  snap.ipcs = cpu_.software_interrupts(regions_.ipc_vector());
  snap.stats = nullptr;
  if (timing_) {
    region_stats_ = timing_->stats();  // the step will change the model's own
    snap.stats = &region_stats_;
  }
  return true;
}

u8 Machine::InterruptTap::intr_acknowledge() {
  const u8 v = m_.pic_.intr_acknowledge();
  ++m_.interrupts_;
  for (u64 x : {m_.cpu_.retired(), m_.clock_.now(), u64{v}})
    for (int i = 0; i < 8; ++i)
      m_.interrupt_digest_ = (m_.interrupt_digest_ ^ ((x >> (8 * i)) & 0xFF)) * 0x100000001b3ull;
  return v;
}

// ---------------------------------------------------------------------------
// Boot

void Machine::boot_multiboot(const std::string& kernel_path, const std::vector<u8>& kernel, const std::string& cmdline,
                             const std::vector<BootModule>& modules) {
  MultibootBoot b = load_multiboot(bus_, kernel_path, kernel, cmdline, modules);
  start_flat32(b.entry);
  CpuState& s = cpu_.state();
  s.r[EAX] = multiboot::kBootMagic;
  s.r[EBX] = b.info_addr;
  // ESP is undefined at entry (spec §3.2); QEMU's option ROM leaves it in
  // conventional memory. Give a harmless value below the boot information.
  s.r[ESP] = 0x7000;
  add_symbols(kernel_path, b.kernel_symbols);
  for (size_t i = 0; i < modules.size(); ++i)
    if (b.module_symbols[i].size() != 0) add_symbols(modules[i].path, b.module_symbols[i]);
  multiboot_ = std::move(b);
}

void Machine::boot_rom(const std::vector<u8>& rom) {
  // A PC decodes its BIOS ROM at the top of the 4 GB space (where the reset
  // vector FFFFFFF0 lands) and aliases the last 128 KB (or less) below 1 MB;
  // images that are not a whole number of pages are padded at the front with
  // erased-flash bytes (FF) so that their end stays at the top.
  constexpr u32 kMaxRom = 16u << 20;
  constexpr u32 kLowAlias = 128u << 10;
  if (rom.size() < 16)
    throw ConfigError(fmt::format("ROM image of {} bytes is too small to hold the reset vector", rom.size()));
  if (rom.size() > kMaxRom) throw ConfigError(fmt::format("ROM image of {} bytes is larger than 16 MB", rom.size()));
  const u32 padded = (static_cast<u32>(rom.size()) + kPageMask) & ~kPageMask;
  std::vector<u8> image(padded - rom.size(), 0xFF);
  image.insert(image.end(), rom.begin(), rom.end());
  const u32 low = std::min(padded, kLowAlias);
  bus_.map_rom(static_cast<u32>((u64{1} << 32) - padded), image);
  bus_.map_rom(0x100000 - low, std::vector<u8>(image.end() - low, image.end()));
  cpu_.reset();
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

// ---------------------------------------------------------------------------
// Run

template <class Timing, bool Observed>
StepResult Machine::run_steps(const RunLimits& limits) {
  constexpr bool kTimed = !std::is_void_v<Timing>;
  constexpr bool kTrace = kTimed || Observed;
  CpuState& s = cpu_.state();
  const bool watching = !watch_.empty();
  if (s.shutdown) return StepResult::kShutdown;  // already stopped: nothing runs
  for (;;) {
    const u64 now = clock_.now();
    const u32 lin = s.seg[CS].base + s.eip;
    history_[history_count_++ % kHistory] = lin;

    // A region marker: the counters before the step, and whether the step
    // executed the instruction there (an interrupt may be delivered instead,
    // or its fetch may fault), which only the event tells.
    bool marker = false;
    if (watching && watched(lin)) [[unlikely]] {
      marker = region_before(lin, region_snap_);
      if (marker && !kTrace) cpu_.set_tracing(true);
    }
    const u32 rep_before = cpu_.rep_iteration();
    StepResult sr;
    if (kTrace || !marker)
      sr = cpu_.step_inline<kTrace>();
    else
      sr = cpu_.step_inline<true>();
    if (marker) {
      if (!kTrace) cpu_.set_tracing(false);
      if (cpu_.last_event().insn) regions_.at_marker(lin, rep_before, region_snap_);
    }

    // The step's cycles: the timing model's, else one per step.
    u32 cycles = 1;
    if constexpr (kTrace) {
      const InsnEvent& ev = cpu_.last_event();
      if constexpr (kTimed)
        cycles = ev.halted ? 0 : static_cast<Timing*>(i486_)->step(ev, now);
      else
        cycles = ev.halted ? 0 : 1;
      last_cycles_ = cycles;
      if constexpr (Observed)
        for (InsnObserver* o : observers_) o->on_step(ev);
      if (!kTimed) cycles = 1;
    }
    if (sr != StepResult::kOk) return sr;  // HLT or triple fault: the outer loop decides
    clock_.advance(cycles);
    s.tsc += cycles;
    // What the outer loop handles: the exit port, the limits, device events
    // (a device may schedule one earlier at any I/O instruction, so the queue
    // is asked every time: it keeps its minimum).
    const u64 next = clock_.now();
    if (ports_.exit_requested() || cpu_.retired() >= limits.max_insns || next >= limits.max_cycles ||
        next >= events_.next_due()) [[unlikely]]
      return StepResult::kOk;
  }
}

template StepResult Machine::run_steps<void, false>(const RunLimits&);
template StepResult Machine::run_steps<void, true>(const RunLimits&);
template StepResult Machine::run_steps<I486Timing, false>(const RunLimits&);
template StepResult Machine::run_steps<I486Timing, true>(const RunLimits&);

RunResult Machine::run(const RunLimits& limits) {
  RunResult r;
  u64 halted = 0, halt_steps = 0;
  const u64 steps_before = history_count_;
  try {
    while (true) {
      if (ports_.exit_requested()) {
        r.reason = ExitReason::kGuestExit;
        r.guest_status = (ports_.exit_value() << 1) | 1;
        break;
      }
      if (cpu_.retired() >= limits.max_insns) {
        r.reason = ExitReason::kInsnLimit;
        r.message = fmt::format("instruction limit {} reached", limits.max_insns);
        break;
      }
      if (clock_.now() >= limits.max_cycles) {
        r.reason = ExitReason::kCycleLimit;
        r.message = fmt::format("cycle limit {} reached", limits.max_cycles);
        break;
      }
      // Device events due by now take effect before the next instruction
      // boundary, where the CPU samples INTR.
      if (clock_.now() >= events_.next_due()) events_.run_due(clock_.now());

      const StepResult sr = (this->*loop_)(limits);
      if (sr == StepResult::kOk) continue;
      if (sr == StepResult::kShutdown) {
        r.reason = ExitReason::kTripleFault;
        r.message =
            cpu_.shutdown_reason() + "\n" + cpu_.dump_registers() + "last instructions:\n" + recent_instructions();
        break;
      }
      // HLT: waiting for an interrupt.
      --history_count_;  // nothing executed
      ++halt_steps;
      const CpuState& s = cpu_.state();
      if (!(s.eflags & fl::IF)) {
        r.reason = ExitReason::kHalted;
        r.message = "halted with interrupts disabled";
        break;
      }
      // Jump the clock to the next device event (no host time passes in HLT;
      // the skipped cycles are idle time). Only the PICs can wake it (NMI is
      // not modelled): if every input is masked, or no device has anything
      // scheduled, it sleeps forever.
      const u8 master = pic_.imr(0), slave = pic_.imr(1);
      if (master == 0xFF || ((master | 0x04) == 0xFF && slave == 0xFF)) {
        r.reason = ExitReason::kHalted;
        r.message = "halted with every interrupt masked at the PICs: nothing can wake the CPU";
        break;
      }
      const u64 next = events_.next_due();
      if (next == kNever) {
        r.reason = ExitReason::kHalted;
        r.message = "halted with interrupts enabled, but no device has an event scheduled: nothing can wake the CPU";
        break;
      }
      const u64 target = std::min(next, limits.max_cycles);
      if (target > clock_.now()) {
        const u64 skipped = target - clock_.now();
        halted += skipped;
        clock_.advance(skipped);
        cpu_.state().tsc += skipped;
      }
    }
  } catch (const CpuUnsupported& e) {
    r.reason = ExitReason::kUnsupported;
    r.message = std::string(e.what()) + "\n" + cpu_.dump_registers();
  }
  r.steps = history_count_ - steps_before + halt_steps;
  r.instructions = cpu_.retired();
  r.cycles = clock_.now();
  r.halted_cycles = halted;
  r.interrupts = interrupts_;
  r.interrupt_digest = interrupt_digest_;
  return r;
}

// ---------------------------------------------------------------------------
// Symbols and inspection

void Machine::add_symbols(std::string image, SymbolTable syms) {
  symbols_.emplace_back(std::move(image), std::move(syms));
}

std::string Machine::describe(u32 addr) const {
  for (const auto& [image, table] : symbols_) {
    const std::string d = table.describe(addr);
    if (!d.empty()) return d;
  }
  return {};
}

std::optional<u32> Machine::find_symbol(const std::string& name) const {
  for (const auto& [image, table] : symbols_)
    if (const Symbol* sym = table.find(name)) return sym->addr;
  return std::nullopt;
}

std::string Machine::screen_text() const {
  std::string out;
  for (u32 row = 0; row < kVgaRows; ++row) {
    std::string line;
    for (u32 col = 0; col < kVgaCols; ++col) {
      const u8 ch = bus_.read<u8>(PhysAddr(kVgaText + 2 * (row * kVgaCols + col)));
      line.push_back(ch >= 0x20 && ch < 0x7F ? static_cast<char>(ch) : (ch == 0 ? ' ' : '.'));
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string Machine::recent_instructions() const {
  std::string out;
  const u64 n = std::min<u64>(history_count_, kHistory);
  for (u64 i = history_count_ - n; i < history_count_; ++i) {
    const u32 a = history_[i % kHistory];
    const std::string sym = describe(a);
    out += fmt::format("  {:08x}{}\n", a, sym.empty() ? "" : "  <" + sym + ">");
  }
  return out;
}

}  // namespace l4sim
