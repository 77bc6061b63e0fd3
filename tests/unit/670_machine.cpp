// The Machine: run loop, cycle clock and HLT, limits, boot paths, reports.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "common/error.hpp"
#include "machine/machine.hpp"
#include "support/asm.hpp"

using namespace l4sim;

namespace {

// A machine with its console and serial output captured. These tests are
// about the machine's clock and run control, so they use the functional
// timing (one cycle per step) unless they ask otherwise.
MachineConfig functional() {
  MachineConfig c;
  c.timing = MachineConfig::Timing::kOff;
  return c;
}

struct Captured {
  std::string console, serial;
  Machine m;
  explicit Captured(MachineConfig cfg = functional())
      : m(cfg, MachineIo{[this](u8 c) { serial.push_back(static_cast<char>(c)); },
                         {},
                         [this](char c) { console.push_back(c); }}) {}
};

constexpr u32 kOrg = 0x100000;

// Flat 32-bit program that prints `text` on port 0xE9 and exits with `code`.
std::string print_and_exit(const std::string& text, int code) {
  std::string s;
  for (char c : text) s += "mov al, " + std::to_string(static_cast<int>(c)) + "\nout 0xE9, al\n";
  return s + "mov eax, " + std::to_string(code) + "\nout 0xF4, eax\n";
}

}  // namespace

TEST_CASE("670: two machines run side by side without sharing state") {
  Captured a, b;
  a.m.load_flat(test::assemble(print_and_exit("one", 3), kOrg), kOrg);
  b.m.load_flat(test::assemble(print_and_exit("two!", 5), kOrg), kOrg);
  a.m.start_flat32(kOrg);
  b.m.start_flat32(kOrg);
  const RunResult ra = a.m.run({});
  const RunResult rb = b.m.run({});
  CHECK(a.console == "one");
  CHECK(b.console == "two!");
  CHECK(ra.reason == ExitReason::kGuestExit);
  CHECK(ra.guest_status == 7);  // (3 << 1) | 1, as QEMU's isa-debug-exit
  CHECK(rb.guest_status == 11);
  CHECK(ra.instructions == 2 * 3 + 2);
  CHECK(ra.cycles == ra.instructions);  // one cycle per instruction until the timing model
}

TEST_CASE("671: HLT sleeps until the PIT interrupt and the clock jumps to it") {
  // Pentium, so the handler can read the cycle clock with RDTSC.
  const char* prog = R"(
  mov eax, offset handler
  mov edi, 0x2000 + 0x20 * 8
  mov word ptr [edi], ax
  mov word ptr [edi + 2], 0x08
  mov word ptr [edi + 4], 0x8E00
  shr eax, 16
  mov word ptr [edi + 6], ax
  lidt [idtr]
  mov esp, 0x90000
  mov al, 0x11
  out 0x20, al
  mov al, 0x20
  out 0x21, al
  mov al, 4
  out 0x21, al
  mov al, 1
  out 0x21, al
  mov al, 0xFE
  out 0x21, al
  mov al, 0x34
  out 0x43, al
  mov al, 0xE8
  out 0x40, al
  mov al, 0x03
  out 0x40, al
  sti
wait:
  hlt
  cmp dword ptr [count], 4
  jb wait
  cli
  mov eax, [count]
  out 0xF4, eax
handler:
  push eax
  push edx
  push ecx
  rdtsc
  mov ecx, [count]
  mov [stamps + ecx * 4], eax
  inc dword ptr [count]
  mov al, 0x20
  out 0x20, al
  pop ecx
  pop edx
  pop eax
  iretd
.align 4
count: .long 0
stamps: .long 0, 0, 0, 0, 0
idtr: .word 0x7FF
  .long 0x2000
)";
  MachineConfig cfg = functional();
  cfg.cpu.model = CpuModel::kPentium;
  Captured c(cfg);
  const std::vector<u8> image = test::assemble(prog, kOrg);
  c.m.load_flat(image, kOrg);
  c.m.start_flat32(kOrg);
  const RunResult r = c.m.run({});
  REQUIRE(r.reason == ExitReason::kGuestExit);
  CHECK(r.guest_status == 9);  // four interrupts
  // Mode 2 with count 1000: IRQ 0 every 1000 PIT ticks = 1000 * 50 MHz /
  // 1.193182 MHz = 41905.3 CPU cycles (at 90 MHz: 75429.5). The CPU sleeps in
  // HLT, so each interrupt is taken at the very cycle of its PIT tick; the
  // handler's RDTSC runs a fixed number of steps later. (The first interrupt
  // may come from the edge of programming the counter, so time the others.)
  const u32 stamps = kOrg + static_cast<u32>(image.size()) - 6 - 20;
  const double period = 1000.0 * 90e6 / Pit8254::kHz;
  for (u32 i = 2; i < 4; ++i) {
    const u32 delta =
        c.m.bus().read<u32>(PhysAddr(stamps + 4 * i)) - c.m.bus().read<u32>(PhysAddr(stamps + 4 * (i - 1)));
    CHECK(std::abs(static_cast<double>(delta) - period) <= 1.0);
  }
  CHECK(r.instructions < 200);
  CHECK(r.halted_cycles > r.cycles - 300);
}

TEST_CASE("672: HLT with interrupts enabled and nothing scheduled ends the run") {
  Captured c;
  c.m.load_flat(test::assemble("sti\nhlt\njmp $", kOrg), kOrg);
  c.m.start_flat32(kOrg);
  const RunResult r = c.m.run({});
  CHECK(r.reason == ExitReason::kHalted);
  CHECK_THAT(r.message, Catch::Contains("nothing can wake the CPU"));
}

TEST_CASE("673: instruction and cycle limits stop a runaway guest exactly") {
  Captured c;
  c.m.load_flat(test::assemble("spin: jmp spin", kOrg), kOrg);
  c.m.start_flat32(kOrg);
  RunResult r = c.m.run({kNever, 1000});
  CHECK(r.reason == ExitReason::kCycleLimit);
  CHECK(r.cycles == 1000);
  CHECK(process_exit_status(r) == 10);
  r = c.m.run({1500, kNever});  // runs continue where they stopped
  CHECK(r.reason == ExitReason::kInsnLimit);
  CHECK(r.instructions == 1500);
  CHECK(process_exit_status(r) == 6);
}

TEST_CASE("674: ROM boot starts at F000:FFF0 and continues in the alias below 1 MB") {
  // A 64 KB BIOS: code at F000:0000, a far jump to it at the reset vector.
  std::vector<u8> rom(0x10000, 0xFF);
  const std::vector<u8> code = test::assemble(print_and_exit("BIOS", 0), 0, 16);
  std::copy(code.begin(), code.end(), rom.begin());
  const std::vector<u8> reset = test::assemble("jmp 0xF000:0x0000", 0xFFF0, 16);
  std::copy(reset.begin(), reset.end(), rom.begin() + 0xFFF0);
  Captured c;
  c.m.boot_rom(rom);
  CHECK(c.m.cpu().state().eip == 0xFFF0);
  CHECK(c.m.bus().read<u8>(PhysAddr(0xFFFFFFF0)) == 0xEA);  // top of 4 GB
  CHECK(c.m.bus().read<u8>(PhysAddr(0xFFFF0)) == 0xEA);     // alias below 1 MB
  const RunResult r = c.m.run({});
  CHECK(c.console == "BIOS");
  CHECK(r.reason == ExitReason::kGuestExit);
  CHECK(r.guest_status == 1);
}

TEST_CASE("675: a small ROM sits at the top as a PC decodes it") {
  std::vector<u8> rom(512, 0x90);
  const std::vector<u8> reset = test::assemble("mov al, 0x2A\nout 0xF4, al", 0, 16);
  std::copy(reset.begin(), reset.end(), rom.end() - 16);
  Captured c;
  c.m.boot_rom(rom);
  CHECK(c.m.bus().read<u8>(PhysAddr(0xFFFFFE00)) == 0x90);
  CHECK(c.m.bus().read<u8>(PhysAddr(0xFFFFFDFF)) == 0xFF);  // padding below the image
  const RunResult r = c.m.run({});
  CHECK(r.reason == ExitReason::kGuestExit);
  CHECK(r.guest_status == (0x2Au << 1 | 1));
  SECTION("too small to hold a reset vector") { CHECK_THROWS_AS(c.m.boot_rom(std::vector<u8>(8)), ConfigError); }
}

TEST_CASE("676: a triple fault report names the last instructions with symbols") {
  Captured c;
  c.m.load_flat(test::assemble("nop\nnop\nfault_here:\nlidt [empty]\nint3\nempty: .word 0\n.long 0", kOrg), kOrg);
  c.m.start_flat32(kOrg);
  SymbolTable syms;
  syms.add(Symbol{kOrg, 2, "start"});
  syms.add(Symbol{kOrg + 2, 0, "fault_here"});
  c.m.add_symbols("test", syms);
  const RunResult r = c.m.run({});
  CHECK(r.reason == ExitReason::kTripleFault);
  CHECK(process_exit_status(r) == 4);
  CHECK_THAT(r.message, Catch::Contains("last instructions"));
  CHECK_THAT(r.message, Catch::Contains("<start+0x1>"));
  CHECK_THAT(r.message, Catch::Contains("<fault_here>"));
  CHECK_THAT(r.message, Catch::Contains("EIP"));
}

TEST_CASE("677: RDTSC on the Pentium counts the machine's cycles") {
  MachineConfig cfg = functional();
  cfg.cpu.model = CpuModel::kPentium;
  Captured c(cfg);
  c.m.load_flat(test::assemble("rdtsc\nmov ecx, eax\nnop\nnop\nrdtsc\nsub eax, ecx\nout 0xF4, eax", kOrg), kOrg);
  c.m.start_flat32(kOrg);
  const RunResult r = c.m.run({});
  CHECK(r.guest_status == (4u << 1 | 1));  // four instructions (cycles) between the two reads
  CHECK(c.m.config().cpu_hz == 90'000'000);
}

TEST_CASE("678: multiboot entry state is what the specification promises") {
  const char* script = "ENTRY(_start)\nSECTIONS { . = 0x100000; .text : { *(.text) } }";
  const char* src = R"(
.text
.long 0x1BADB002, 3, -(0x1BADB002 + 3)
.globl _start
_start:
  cmp eax, 0x2BADB002
  jne bad
  pushfd
  pop ecx
  test ecx, 0x200
  jnz bad
  mov eax, cr0
  test eax, 0x80000000
  jnz bad
  mov eax, [ebx + 20]
  out 0xF4, eax
bad:
  mov eax, 0x55
  out 0xF4, eax
)";
  Captured c;
  c.m.boot_multiboot("k.elf", test::assemble_elf(src, script), "", {{"m", "", {1, 2, 3}}});
  REQUIRE(c.m.multiboot());
  CHECK(c.m.describe(0x10000C) == "_start");
  const RunResult r = c.m.run({});
  CHECK(r.guest_status == (1u << 1 | 1));  // one module, and no "bad"
}

TEST_CASE("679: the VGA text screen is read from 0xB8000") {
  Captured c;
  c.m.load_flat(test::assemble("mov word ptr [0xB8000], 0x0748\nmov word ptr [0xB8002], 0x0769\nmov word ptr "
                               "[0xB80A0], 0x0721\nout 0xF4, al",
                               kOrg),
                kOrg);
  c.m.start_flat32(kOrg);
  c.m.run({});
  const std::string screen = c.m.screen_text();
  CHECK(screen.substr(0, 6) == "Hi\n!\n\n");
}
