#include "loader/elf.hpp"

#include <fmt/format.h>

#include <cstring>

namespace l4sim {

namespace {

// Field offsets of the ELF32 file header, program header and section header
// (System V ABI, "ELF Header", "Program Header", "Sections").
constexpr u32 kEhdrSize = 52, kPhdrSize = 32, kShdrSize = 40, kSymSize = 16;
constexpr u8 kClass32 = 1, kData2Lsb = 1;
constexpr u16 kTypeExec = 2, kTypeDyn = 3, kMachine386 = 3;
constexpr u32 kPtLoad = 1, kShtSymtab = 2;
constexpr u16 kShnAbs = 0xFFF1;
constexpr u8 kSttObject = 1, kSttFunc = 2, kSttNotype = 0;

class Reader {
 public:
  Reader(const std::vector<u8>& f, const std::string& what) : f_(f), what_(what) {}
  template <class T>
  T get(u64 off) const {
    if (off + sizeof(T) > f_.size())
      fail(fmt::format("truncated: needs byte {:#x} but has {:#x}", off + sizeof(T), f_.size()));
    T v;
    std::memcpy(&v, f_.data() + off, sizeof(T));
    return v;
  }
  void need(u64 off, u64 len, const char* part) const {
    if (off + len > f_.size())
      fail(fmt::format("truncated: {} at {:#x}+{:#x} extends past the end of the file ({:#x} bytes)", part, off, len,
                       f_.size()));
  }
  [[noreturn]] void fail(const std::string& msg) const { throw ElfError(fmt::format("{}: {}", what_, msg)); }

 private:
  const std::vector<u8>& f_;
  const std::string& what_;
};

void read_symbols(const Reader& r, const std::vector<u8>& file, ElfImage& img) {
  const u32 shoff = r.get<u32>(32);
  const u16 shentsize = r.get<u16>(46), shnum = r.get<u16>(48);
  if (shoff == 0 || shnum == 0) return;  // stripped: no symbols, not an error
  if (shentsize != kShdrSize) r.fail(fmt::format("section header size {} (expected {})", shentsize, kShdrSize));
  r.need(shoff, u64{shnum} * kShdrSize, "section header table");
  for (u32 i = 0; i < shnum; ++i) {
    const u64 sh = shoff + u64{i} * kShdrSize;
    if (r.get<u32>(sh + 4) != kShtSymtab) continue;
    const u32 off = r.get<u32>(sh + 16), size = r.get<u32>(sh + 20), link = r.get<u32>(sh + 24);
    if (link >= shnum) r.fail("symbol table links to a missing string table");
    const u64 str_sh = shoff + u64{link} * kShdrSize;
    const u32 str_off = r.get<u32>(str_sh + 16), str_size = r.get<u32>(str_sh + 20);
    r.need(off, size, "symbol table");
    r.need(str_off, str_size, "string table");
    for (u64 s = off; s + kSymSize <= u64{off} + size; s += kSymSize) {
      const u32 name = r.get<u32>(s), value = r.get<u32>(s + 4), sz = r.get<u32>(s + 8);
      const u8 info = r.get<u8>(s + 12);
      const u16 shndx = r.get<u16>(s + 14);
      const u8 type = info & 0xF;
      // Undefined, unnamed and absolute symbols (linker constants such as
      // KERNEL_BASE) name no code or data.
      if (shndx == 0 || shndx == kShnAbs || name == 0 || name >= str_size) continue;
      if (type != kSttFunc && type != kSttObject && type != kSttNotype) continue;
      const char* p = reinterpret_cast<const char*>(file.data()) + str_off + name;
      const size_t len = strnlen(p, str_size - name);
      if (len == str_size - name) r.fail("unterminated symbol name");
      img.symbols.add(Symbol{value, sz, std::string(p, len)});
    }
  }
}

}  // namespace

bool is_elf(const std::vector<u8>& file) {
  return file.size() >= 4 && file[0] == 0x7F && file[1] == 'E' && file[2] == 'L' && file[3] == 'F';
}

ElfImage parse_elf32(const std::vector<u8>& file, const std::string& what) {
  const Reader r(file, what);
  if (!is_elf(file)) r.fail("not an ELF file (bad magic)");
  if (file.size() < kEhdrSize) r.fail(fmt::format("truncated: {} bytes is shorter than an ELF header", file.size()));
  if (file[4] != kClass32)
    r.fail(file[4] == 2 ? "wrong class: 64-bit ELF (l4sim runs 32-bit i386 images)"
                        : fmt::format("wrong class {} (expected ELFCLASS32)", file[4]));
  if (file[5] != kData2Lsb) r.fail("wrong data encoding: big-endian (i386 is little-endian)");
  const u16 type = r.get<u16>(16), machine = r.get<u16>(18);
  if (machine != kMachine386) r.fail(fmt::format("wrong machine {} (expected EM_386 = 3)", machine));
  if (type == kTypeDyn)
    r.fail("position-independent (ET_DYN) images are not supported; link a fixed-address executable");
  if (type != kTypeExec) r.fail(fmt::format("not an executable (e_type {})", type));

  ElfImage img;
  img.entry = r.get<u32>(24);
  const u32 phoff = r.get<u32>(28);
  const u16 phentsize = r.get<u16>(42), phnum = r.get<u16>(44);
  if (phnum == 0) r.fail("no program headers");
  if (phentsize != kPhdrSize) r.fail(fmt::format("program header size {} (expected {})", phentsize, kPhdrSize));
  r.need(phoff, u64{phnum} * kPhdrSize, "program header table");
  for (u32 i = 0; i < phnum; ++i) {
    const u64 ph = phoff + u64{i} * kPhdrSize;
    if (r.get<u32>(ph) != kPtLoad) continue;
    ElfSegment s;
    s.offset = r.get<u32>(ph + 4);
    s.vaddr = r.get<u32>(ph + 8);
    s.paddr = r.get<u32>(ph + 12);
    s.filesz = r.get<u32>(ph + 16);
    s.memsz = r.get<u32>(ph + 20);
    s.flags = r.get<u32>(ph + 24);
    if (s.memsz < s.filesz)
      r.fail(fmt::format("segment {} has file size {:#x} larger than its memory size {:#x}", i, s.filesz, s.memsz));
    r.need(s.offset, s.filesz, fmt::format("segment {}", i).c_str());
    if (u64{s.paddr} + s.memsz > (u64{1} << 32) || u64{s.vaddr} + s.memsz > (u64{1} << 32))
      r.fail(fmt::format("segment {} wraps around the 4 GB address space", i));
    if (s.memsz != 0) img.segments.push_back(s);
  }
  if (img.segments.empty()) r.fail("no loadable (PT_LOAD) segments");
  read_symbols(r, file, img);
  return img;
}

}  // namespace l4sim
