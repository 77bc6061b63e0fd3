// Multiboot v1 loading: what a kernel finds in memory and in the boot
// information, laid out as QEMU lays it out, and the errors for bad input.
#include <catch2/catch.hpp>
#include <cstring>

#include "loader/multiboot.hpp"
#include "support/asm.hpp"

using namespace l4sim;

namespace {

const char* kScript = R"(ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .text : { *(.multiboot) *(.text) }
  .data : { *(.data) }
  .bss : { *(.bss) }
})";

std::string kernel_source(u32 flags, const std::string& extra = "") {
  return ".section .multiboot, \"a\"\n.long 0x1BADB002, " + std::to_string(flags) + ", -(0x1BADB002 + " +
         std::to_string(flags) + ")\n" + extra +
         "\n.text\n.globl _start\n_start:\n  hlt\n.globl kmain\nkmain: ret\n.data\n.long 7\n.bss\n.skip 100\n";
}

std::vector<u8> kernel(u32 flags = 3) { return test::assemble_elf(kernel_source(flags), kScript); }

std::string error_of(Bus& bus, const std::vector<u8>& k, const std::vector<BootModule>& mods = {}) {
  try {
    load_multiboot(bus, "k.elf", k, "", mods);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::string c_string(const Bus& bus, u32 addr) {
  std::string s;
  for (u8 c; (c = bus.read<u8>(PhysAddr(addr))) != 0; ++addr) s.push_back(static_cast<char>(c));
  return s;
}

}  // namespace

TEST_CASE("660: an ELF kernel with two modules gets QEMU's boot information layout") {
  Bus bus(16u << 20);
  const std::vector<u8> k = kernel();
  std::vector<BootModule> mods{{"a.bin", "x=1 y", std::vector<u8>(5000, 0xAA)}, {"b.bin", "", {1, 2, 3}}};
  const MultibootBoot b = load_multiboot(bus, "k.elf", k, "console=com1", mods);
  CHECK(b.entry == 0x10000C);  // _start, after the 12-byte header
  CHECK(b.info_addr == 0x9500);
  const auto info = [&](u32 off) { return bus.read<u32>(PhysAddr(0x9500 + off)); };
  CHECK(info(0) == 0x24F);  // memory, boot device, cmdline, modules, mmap, loader name
  CHECK(info(4) == 639);
  CHECK(info(8) == (16u << 10) - 128 - 1024);  // extended memory below SeaBIOS's top 128 KB
  CHECK(c_string(bus, info(16)) == "k.elf console=com1");
  CHECK(c_string(bus, info(64)) == "l4sim");
  REQUIRE(info(20) == 2);
  const u32 mods_addr = info(24);
  CHECK(mods_addr == 0x101000);  // the page after the kernel (text + data + bss < 4 KB)
  const u32 m0 = bus.read<u32>(PhysAddr(mods_addr)), m0_end = bus.read<u32>(PhysAddr(mods_addr + 4));
  const u32 m1 = bus.read<u32>(PhysAddr(mods_addr + 16)), m1_end = bus.read<u32>(PhysAddr(mods_addr + 20));
  CHECK((m0 & 0xFFF) == 0);
  CHECK(m0 > mods_addr);
  CHECK(m0_end - m0 == 5000);
  CHECK(m1 == ((m0_end + 0xFFF) & ~0xFFFu));
  CHECK(m1_end - m1 == 3);
  CHECK(bus.read<u8>(PhysAddr(m0 + 4999)) == 0xAA);
  CHECK(bus.read<u8>(PhysAddr(m1 + 2)) == 3);
  CHECK(c_string(bus, bus.read<u32>(PhysAddr(mods_addr + 8))) == "a.bin x=1 y");
  CHECK(c_string(bus, bus.read<u32>(PhysAddr(mods_addr + 24))) == "b.bin");
}

TEST_CASE("661: the memory map matches QEMU's for the configured memory") {
  Bus bus(32u << 20);
  load_multiboot(bus, "k.elf", kernel(), "", {});
  CHECK(bus.read<u32>(PhysAddr(0x9500 + 44)) == 6 * 24);
  CHECK(bus.read<u32>(PhysAddr(0x9500 + 48)) == 0x9000);
  struct E {
    u32 base, len, type;
  };
  const E expect[] = {{0, 0x9FC00, 1},          {0x9FC00, 0x400, 2},     {0xF0000, 0x10000, 2},
                      {0x100000, 0x1EE0000, 1}, {0x1FE0000, 0x20000, 2}, {0xFFFC0000, 0x40000, 2}};
  for (u32 i = 0; i < 6; ++i) {
    const u32 e = 0x9000 + 24 * i;
    CHECK(bus.read<u32>(PhysAddr(e)) == 20);
    CHECK(bus.read<u32>(PhysAddr(e + 4)) == expect[i].base);
    CHECK(bus.read<u32>(PhysAddr(e + 12)) == expect[i].len);
    CHECK(bus.read<u32>(PhysAddr(e + 20)) == expect[i].type);
  }
}

TEST_CASE("662: segments are loaded at their physical addresses and bss is zeroed") {
  Bus bus(16u << 20);
  std::vector<u8> junk(4096, 0xCC);
  bus.load(PhysAddr(0x100000), junk.data(), 4096);
  const MultibootBoot b = load_multiboot(bus, "k.elf", kernel(), "", {});
  CHECK(bus.read<u32>(PhysAddr(0x100000)) == 0x1BADB002);
  const Symbol* kmain = b.kernel_symbols.find("kmain");
  REQUIRE(kmain);
  CHECK(bus.read<u8>(PhysAddr(kmain->addr)) == 0xC3);  // ret
  // The last byte of the loaded kernel is .bss: zeroed over the junk.
  u32 end = 0;
  for (const LoadedRegion& r : b.regions)
    if (r.what.rfind("kernel segment", 0) == 0) end = std::max(end, r.end);
  REQUIRE(end > 0x100000);
  REQUIRE(end <= 0x101000);
  CHECK(bus.read<u8>(PhysAddr(end - 1)) == 0);
  CHECK(bus.read<u8>(PhysAddr(end)) == 0xCC);  // beyond the kernel: untouched
}

TEST_CASE("663: a kernel linked high with physical load addresses enters at the physical entry") {
  const char* script = R"(ENTRY(_start)
SECTIONS {
  . = 0xC0100000;
  .text : AT(0x100000) { *(.multiboot) *(.text) }
})";
  Bus bus(16u << 20);
  const MultibootBoot b = load_multiboot(bus, "k.elf", test::assemble_elf(kernel_source(3), script), "", {});
  CHECK(b.entry == 0x10000C);  // _start follows the 12-byte header
  CHECK(b.kernel_symbols.describe(0xC010000C) == "_start");
}

TEST_CASE("664: the a.out kludge loads from the header's addresses") {
  // header_addr, load_addr, load_end_addr (0 = whole file), bss_end_addr, entry_addr
  const std::string fields = ".long 0x200000, 0x200000, 0, 0x201000, 0x200020\n";
  const char* script = R"(OUTPUT_FORMAT(binary)
SECTIONS { . = 0x200000; .text : { *(.multiboot) *(.text) } })";
  Bus bus(16u << 20);
  std::vector<u8> raw = test::assemble_elf(kernel_source(0x10003, fields), script);
  const MultibootBoot b = load_multiboot(bus, "k.bin", raw, "", {});
  CHECK(b.entry == 0x200020);
  CHECK(bus.read<u32>(PhysAddr(0x200000)) == 0x1BADB002);
  CHECK(bus.read<u32>(PhysAddr(0x200004)) == 0x10003);
}

TEST_CASE("665: bad kernels and modules are refused with a specific message") {
  Bus bus(16u << 20);
  SECTION("no multiboot header") {
    const std::vector<u8> k = test::assemble_elf(".text\n.globl _start\n_start: hlt\n", kScript);
    CHECK_THAT(error_of(bus, k), Catch::Contains("no multiboot header"));
  }
  SECTION("bad checksum") {
    std::vector<u8> k = kernel();
    for (size_t i = 0; i + 4 <= k.size(); i += 4) {
      u32 v;
      std::memcpy(&v, &k[i], 4);
      if (v == 0x1BADB002) {
        k[i + 8] ^= 1;
        break;
      }
    }
    CHECK_THAT(error_of(bus, k), Catch::Contains("no multiboot header"));
  }
  SECTION("a required feature l4sim does not have") {
    CHECK_THAT(error_of(bus, kernel(0x8003)), Catch::Contains("requires features"));
  }
  SECTION("64-bit ELF") {
    std::vector<u8> k = kernel();
    k[4] = 2;
    CHECK_THAT(error_of(bus, k), Catch::Contains("64-bit"));
  }
  SECTION("segment outside memory") {
    Bus small(2u << 20);
    const char* script = "ENTRY(_start)\nSECTIONS { . = 0x300000; .text : { *(.multiboot) *(.text) } }";
    CHECK_THAT(error_of(small, test::assemble_elf(kernel_source(3), script)), Catch::Contains("outside the 2 MB"));
  }
  SECTION("segment over the boot information") {
    const char* script = "ENTRY(_start)\nSECTIONS { . = 0x9000; .text : { *(.multiboot) *(.text) } }";
    CHECK_THAT(error_of(bus, test::assemble_elf(kernel_source(3), script)),
               Catch::Contains("overlaps multiboot information"));
  }
  SECTION("overlapping segments") {
    // Point the second loadable segment's physical address at the first's.
    const char* script = R"(ENTRY(_start)
SECTIONS { . = 0x100000; .text : { *(.multiboot) *(.text) } . = 0x200000; .data : { *(.data) } })";
    std::vector<u8> k = test::assemble_elf(kernel_source(3), script);
    u32 phoff;
    u16 phnum;
    std::memcpy(&phoff, &k[28], 4);
    std::memcpy(&phnum, &k[44], 2);
    std::vector<u32> loads;
    for (u32 i = 0; i < phnum; ++i) {
      u32 type;
      std::memcpy(&type, &k[phoff + 32 * i], 4);
      if (type == 1) loads.push_back(phoff + 32 * i);
    }
    REQUIRE(loads.size() >= 2);
    std::memcpy(&k[loads[1] + 12], &k[loads[0] + 12], 4);
    CHECK_THAT(error_of(bus, k), Catch::Contains("overlaps kernel segment"));
  }
  SECTION("modules that do not fit") {
    std::vector<BootModule> mods{{"big.bin", "", std::vector<u8>(15u << 20, 1)}};
    CHECK_THAT(error_of(bus, kernel(), mods), Catch::Contains("module 0 (big.bin)"));
  }
}
