#include "loader/multiboot.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace l4sim {

namespace {

using namespace multiboot;

constexpr u32 page_align(u64 v) { return static_cast<u32>((v + kPageMask) & ~u64{kPageMask}); }

// Header flags (spec §3.1.2). Bits 0-15 are requirements: a loader that does
// not understand one must refuse the image.
constexpr u32 kFlagPageAlign = 1u << 0;
constexpr u32 kFlagMemInfo = 1u << 1;
constexpr u32 kFlagVideo = 1u << 2;
constexpr u32 kFlagAddrs = 1u << 16;
constexpr u32 kKnownRequired = kFlagPageAlign | kFlagMemInfo | kFlagVideo;

// Boot information flags (spec §3.3).
constexpr u32 kInfoMemory = 1u << 0, kInfoBootDevice = 1u << 1, kInfoCmdline = 1u << 2, kInfoMods = 1u << 3,
              kInfoMmap = 1u << 6, kInfoLoaderName = 1u << 9;
constexpr u32 kInfoSize = 88;
constexpr u32 kModSize = 16;

struct Header {
  u32 offset = 0;  // in the file
  u32 flags = 0;
  u32 header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;
};

u32 le32(const std::vector<u8>& f, u32 off) {
  u32 v;
  std::memcpy(&v, f.data() + off, 4);
  return v;
}

Header find_header(const std::vector<u8>& f, const std::string& path) {
  const u32 limit = static_cast<u32>(std::min<size_t>(f.size(), kSearchLimit));
  for (u32 off = 0; off + 12 <= limit; off += 4) {
    if (le32(f, off) != kHeaderMagic) continue;
    Header h;
    h.offset = off;
    h.flags = le32(f, off + 4);
    if (kHeaderMagic + h.flags + le32(f, off + 8) != 0) continue;  // checksum: the three sum to zero
    if (h.flags & kFlagAddrs) {
      if (off + 32 > f.size()) throw MultibootError(path + ": truncated multiboot header (address fields missing)");
      h.header_addr = le32(f, off + 12);
      h.load_addr = le32(f, off + 16);
      h.load_end_addr = le32(f, off + 20);
      h.bss_end_addr = le32(f, off + 24);
      h.entry_addr = le32(f, off + 28);
    }
    return h;
  }
  throw MultibootError(path + ": no multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8192 bytes");
}

// Keeps every placed region apart and inside RAM.
class Placer {
 public:
  Placer(Bus& bus, std::vector<LoadedRegion>& regions) : bus_(bus), regions_(regions) {}
  void claim(const std::string& what, u32 start, u64 end) {
    if (end > bus_.ram_size() || start > end)
      throw MultibootError(fmt::format("{} at [{:#x}, {:#x}) lies outside the {} MB of memory", what, start, end,
                                       bus_.ram_size() >> 20));
    for (const LoadedRegion& r : regions_)
      if (start < r.end && r.start < end && end != start)
        throw MultibootError(fmt::format("{} at [{:#x}, {:#x}) overlaps {} at [{:#x}, {:#x})", what, start, end, r.what,
                                         r.start, r.end));
    regions_.push_back(LoadedRegion{what, start, static_cast<u32>(end)});
  }

 private:
  Bus& bus_;
  std::vector<LoadedRegion>& regions_;
};

// The BIOS memory map QEMU's multiboot option ROM hands over (SeaBIOS's e820
// table, observed with QEMU 7.2 for 3, 16 and 32 MB): conventional memory
// below the EBDA, the EBDA and the BIOS area reserved, extended memory up to
// the last 128 KB (where SeaBIOS keeps its tables; reserved here too so a
// kernel sees the same map under both), and the BIOS ROM below 4 GB.
constexpr u32 kTopReserve = 0x20000;
struct MmapEntry {
  u64 base, len;
  u32 type;  // 1 = available, 2 = reserved
};
std::vector<MmapEntry> memory_map(u32 ram) {
  return {{0, 0x9FC00, 1},
          {0x9FC00, 0x400, 2},
          {0xF0000, 0x10000, 2},
          {0x100000, u64{ram} - kTopReserve - 0x100000, 1},
          {u64{ram} - kTopReserve, kTopReserve, 2},
          {0xFFFC0000, 0x40000, 2}};
}

}  // namespace

MultibootBoot load_multiboot(Bus& bus, const std::string& kernel_path, const std::vector<u8>& kernel,
                             const std::string& cmdline, const std::vector<BootModule>& modules) {
  if (bus.ram_size() < 2u << 20) throw MultibootError("multiboot needs at least 2 MB of memory");
  // An ELF file is checked first, so a 64-bit or foreign-machine image gets
  // that diagnosis rather than "no multiboot header".
  std::optional<ElfImage> elf;
  if (is_elf(kernel)) elf = parse_elf32(kernel, kernel_path);
  const Header h = find_header(kernel, kernel_path);
  if (h.flags & 0xFFFF & ~kKnownRequired)
    throw MultibootError(fmt::format("{}: multiboot header requires features l4sim does not provide (flags {:#x})",
                                     kernel_path, h.flags & 0xFFFF & ~kKnownRequired));
  if (h.flags & kFlagVideo) spdlog::warn("{}: kernel asks for a video mode; l4sim only has VGA text mode", kernel_path);

  MultibootBoot boot;
  Placer place(bus, boot.regions);
  place.claim("multiboot information", kMmapAddr, kInfoAddr + kInfoSize);

  u32 low = ~0u;
  u64 high = 0;
  if (!(h.flags & kFlagAddrs)) {
    // ELF: segments at their physical addresses (spec §3.1.3).
    if (!elf) throw MultibootError(kernel_path + ": not an ELF file, and its multiboot header gives no load addresses");
    ElfImage& img = *elf;
    for (size_t i = 0; i < img.segments.size(); ++i) {
      const ElfSegment& s = img.segments[i];
      place.claim(fmt::format("kernel segment {}", i), s.paddr, u64{s.paddr} + s.memsz);
      bus.load(PhysAddr(s.paddr), kernel.data() + s.offset, s.filesz);
      std::vector<u8> zeros(s.memsz - s.filesz, 0);
      bus.load(PhysAddr(s.paddr + s.filesz), zeros.data(), static_cast<u32>(zeros.size()));
      low = std::min(low, s.paddr);
      high = std::max(high, u64{s.paddr} + s.memsz);
    }
    // A kernel linked to run at a high virtual address may give a virtual
    // entry point; translate it through the segment that holds it (GRUB does).
    boot.entry = img.entry;
    const bool physical = std::any_of(img.segments.begin(), img.segments.end(),
                                      [&](const ElfSegment& s) { return img.entry - s.paddr < s.memsz; });
    if (!physical)
      for (const ElfSegment& s : img.segments)
        if (img.entry - s.vaddr < s.memsz) boot.entry = img.entry - s.vaddr + s.paddr;
    boot.kernel_symbols = std::move(img.symbols);
  } else {
    // The a.out kludge: load addresses from the header (spec §3.1.3).
    if (h.header_addr < h.load_addr || h.header_addr - h.load_addr > h.offset)
      throw MultibootError(kernel_path + ": multiboot header_addr/load_addr do not match the header's file offset");
    const u32 file_off = h.offset - (h.header_addr - h.load_addr);
    u32 load_size = static_cast<u32>(kernel.size()) - file_off;
    if (h.load_end_addr) {
      if (h.load_end_addr < h.load_addr) throw MultibootError(kernel_path + ": multiboot load_end_addr < load_addr");
      load_size = h.load_end_addr - h.load_addr;
      if (u64{file_off} + load_size > kernel.size())
        throw MultibootError(kernel_path + ": truncated: load_end_addr extends past the end of the file");
    }
    u64 mem_end = u64{h.load_addr} + load_size;
    if (h.bss_end_addr) {
      if (h.bss_end_addr < mem_end) throw MultibootError(kernel_path + ": multiboot bss_end_addr < load_end_addr");
      mem_end = h.bss_end_addr;
    }
    place.claim("kernel image", h.load_addr, mem_end);
    bus.load(PhysAddr(h.load_addr), kernel.data() + file_off, load_size);
    std::vector<u8> zeros(static_cast<size_t>(mem_end - h.load_addr - load_size), 0);
    bus.load(PhysAddr(h.load_addr + load_size), zeros.data(), static_cast<u32>(zeros.size()));
    low = h.load_addr;
    high = mem_end;
    boot.entry = h.entry_addr;
    if (elf) boot.kernel_symbols = std::move(elf->symbols);
  }
  if (!(boot.entry - low < high - low))
    throw MultibootError(fmt::format("{}: entry point {:#x} is outside the loaded kernel [{:#x}, {:#x})", kernel_path,
                                     boot.entry, low, high));

  // After the kernel (page-aligned): the module list, command lines and the
  // loader name; then each module on its own page boundary (QEMU's layout).
  const u32 mods_addr = page_align(high);
  std::vector<u8> strings;
  auto add_string = [&](const std::string& s, u32 base) {
    const u32 at = base + static_cast<u32>(strings.size());
    strings.insert(strings.end(), s.begin(), s.end());
    strings.push_back(0);
    return at;
  };
  const u32 strings_addr = mods_addr + kModSize * static_cast<u32>(modules.size());
  std::vector<u32> mod_cmdline;
  for (const BootModule& m : modules)
    mod_cmdline.push_back(add_string(m.args.empty() ? m.path : m.path + " " + m.args, strings_addr));
  // QEMU formats the kernel's command line as "%s %s" (path, -append): a
  // trailing blank when there is no -append. Kept for identical output.
  const u32 cmdline_addr = add_string(kernel_path + " " + cmdline, strings_addr);
  const u32 loader_name_addr = add_string("l4sim", strings_addr);
  place.claim("module list and command lines", mods_addr, u64{strings_addr} + strings.size());
  bus.load(PhysAddr(strings_addr), strings.data(), static_cast<u32>(strings.size()));

  u64 next = page_align(u64{strings_addr} + strings.size());
  for (size_t i = 0; i < modules.size(); ++i) {
    const BootModule& m = modules[i];
    const u32 start = static_cast<u32>(std::min<u64>(next, ~0u));
    place.claim(fmt::format("module {} ({})", i, m.path), start, next + m.data.size());
    bus.load(PhysAddr(start), m.data.data(), static_cast<u32>(m.data.size()));
    const u32 entry = mods_addr + kModSize * static_cast<u32>(i);
    bus.write<u32>(PhysAddr(entry + 0), start);
    bus.write<u32>(PhysAddr(entry + 4), start + static_cast<u32>(m.data.size()));
    bus.write<u32>(PhysAddr(entry + 8), mod_cmdline[i]);
    bus.write<u32>(PhysAddr(entry + 12), 0);
    SymbolTable syms;
    if (is_elf(m.data)) {
      try {
        syms = parse_elf32(m.data, m.path).symbols;
      } catch (const ElfError& e) {
        // A module is opaque data to the loader; a broken ELF module is the
        // kernel's problem, but say so since its symbols will be missing.
        spdlog::warn("module {}: {} (no symbols loaded)", m.path, e.what());
      }
    }
    boot.module_symbols.push_back(std::move(syms));
    next = page_align(next + m.data.size());
  }

  // Memory map: entries of {size = 20, base, length, type} (spec §3.3).
  const std::vector<MmapEntry> mmap = memory_map(bus.ram_size());
  u32 at = kMmapAddr;
  for (const MmapEntry& e : mmap) {
    bus.write<u32>(PhysAddr(at), 20);
    bus.write<u32>(PhysAddr(at + 4), static_cast<u32>(e.base));
    bus.write<u32>(PhysAddr(at + 8), static_cast<u32>(e.base >> 32));
    bus.write<u32>(PhysAddr(at + 12), static_cast<u32>(e.len));
    bus.write<u32>(PhysAddr(at + 16), static_cast<u32>(e.len >> 32));
    bus.write<u32>(PhysAddr(at + 20), e.type);
    at += 24;
  }

  std::vector<u8> info(kInfoSize, 0);
  auto put = [&](u32 off, u32 v) { std::memcpy(info.data() + off, &v, 4); };
  put(0, kInfoMemory | kInfoBootDevice | kInfoCmdline | kInfoMods | kInfoMmap | kInfoLoaderName);
  // QEMU's option ROM derives both from the e820 map: 639 KB below the EBDA
  // and the extended memory entry.
  put(4, kMemLowerKb);
  put(8, (bus.ram_size() - kTopReserve) / 1024 - 1024);
  put(12, 0x8000FFFF);  // boot device: "no disk", as QEMU reports
  put(16, cmdline_addr);
  put(20, static_cast<u32>(modules.size()));
  put(24, mods_addr);
  put(44, at - kMmapAddr);
  put(48, kMmapAddr);
  put(64, loader_name_addr);
  bus.load(PhysAddr(kInfoAddr), info.data(), kInfoSize);
  boot.info_addr = kInfoAddr;
  return boot;
}

}  // namespace l4sim
