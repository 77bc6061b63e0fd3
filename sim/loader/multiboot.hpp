// Multiboot v1 loading, as the Multiboot Specification 0.6.96 describes and as
// QEMU's `-kernel`/`-initrd` does it: the kernel's ELF segments at their
// physical addresses (or the a.out-kludge load addresses of its header),
// modules page-aligned after it with their command lines, and the boot
// information at the same place QEMU puts it, so a kernel sees the same
// layout under both.
#pragma once

#include <string>
#include <vector>

#include "loader/elf.hpp"
#include "mmu/bus.hpp"

namespace l4sim {

class MultibootError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BootModule {
  std::string path;  // as given on the command line
  std::string args;  // text after the path ("" for none)
  std::vector<u8> data;
};

// Where things went, for logs, reports and tests.
struct LoadedRegion {
  std::string what;
  u32 start = 0;
  u32 end = 0;  // exclusive
};

struct MultibootBoot {
  u32 entry = 0;      // physical entry point
  u32 info_addr = 0;  // EBX at entry
  std::vector<LoadedRegion> regions;
  SymbolTable kernel_symbols;
  std::vector<SymbolTable> module_symbols;  // empty tables for non-ELF modules
};

// Multiboot header constants (spec §3.1.1, §3.3).
namespace multiboot {
constexpr u32 kHeaderMagic = 0x1BADB002;
constexpr u32 kBootMagic = 0x2BADB002;  // in EAX at entry
constexpr u32 kSearchLimit = 8192;      // the header must lie in the first 8 KB
constexpr u32 kInfoAddr = 0x9500;       // QEMU's MBI address (hw/i386/multiboot.c)
constexpr u32 kMmapAddr = 0x9000;       // QEMU's memory-map address
constexpr u32 kMemLowerKb = 639;        // what QEMU reports: conventional memory below the EBDA
}  // namespace multiboot

// Loads kernel and modules into memory and writes the boot information.
// Throws MultibootError/ElfError with a specific message on bad input.
MultibootBoot load_multiboot(Bus& bus, const std::string& kernel_path, const std::vector<u8>& kernel,
                             const std::string& cmdline, const std::vector<BootModule>& modules);

}  // namespace l4sim
