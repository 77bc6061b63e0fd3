// ELF32 parsing: segments, entry, symbols, and a specific error for each
// malformation.
#include <catch2/catch.hpp>
#include <cstring>

#include "loader/elf.hpp"
#include "support/asm.hpp"

using namespace l4sim;

namespace {

const char* kScript = R"(ENTRY(_start)
SECTIONS {
  . = 0x100000;
  .text : { *(.text) }
  . = ALIGN(4096);
  .data : { *(.data) }
  .bss : { *(.bss) }
})";

const char* kSource = R"(
.text
.globl _start
.type _start, @function
_start:
  mov eax, 1
  call helper
  hlt
.size _start, . - _start
.globl helper
.type helper, @function
helper:
  ret
.size helper, . - helper
label_no_size:
  nop
.data
.globl counter
.type counter, @object
counter: .long 42
.size counter, 4
.bss
.skip 8192
)";

const std::vector<u8>& sample() {
  static const std::vector<u8> elf = test::assemble_elf(kSource, kScript);
  return elf;
}

template <class T>
void poke(std::vector<u8>& f, size_t off, T v) {
  std::memcpy(f.data() + off, &v, sizeof v);
}

std::string error_of(const std::vector<u8>& f) {
  try {
    parse_elf32(f, "k.elf");
  } catch (const ElfError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("650: a linked i386 executable yields its entry and loadable segments") {
  const ElfImage img = parse_elf32(sample(), "k.elf");
  CHECK(img.entry == 0x100000);
  REQUIRE(img.segments.size() >= 2);
  CHECK(img.segments[0].paddr == 0x100000);
  const ElfSegment& data = img.segments.back();
  CHECK(data.paddr == 0x101000);
  CHECK(data.filesz == 4);
  CHECK(data.memsz == 4 + 8192);  // .bss rides along as memory-only bytes
}

TEST_CASE("651: symbols map addresses to name plus offset") {
  const ElfImage img = parse_elf32(sample(), "k.elf");
  const Symbol* start = img.symbols.find("_start");
  const Symbol* helper = img.symbols.find("helper");
  REQUIRE(start);
  REQUIRE(helper);
  CHECK(img.symbols.describe(0x100000) == "_start");
  CHECK(img.symbols.describe(0x100005) == "_start+0x5");
  CHECK(img.symbols.describe(helper->addr) == "helper");
  // An unsized label covers up to the next symbol.
  CHECK(img.symbols.describe(helper->addr + 1) == "label_no_size");
  CHECK(img.symbols.describe(0x101000) == "counter");
  CHECK(img.symbols.describe(0x101004).empty());  // past counter's size, no enclosing symbol
  CHECK(img.symbols.describe(0xFFFFF).empty());
}

TEST_CASE("652: malformed ELF files get specific errors") {
  std::vector<u8> f = sample();
  SECTION("not ELF") {
    f[0] = 'X';
    CHECK_THAT(error_of(f), Catch::Contains("not an ELF file"));
  }
  SECTION("64-bit class") {
    f[4] = 2;
    CHECK_THAT(error_of(f), Catch::Contains("64-bit"));
  }
  SECTION("big-endian") {
    f[5] = 2;
    CHECK_THAT(error_of(f), Catch::Contains("big-endian"));
  }
  SECTION("wrong machine") {
    poke<u16>(f, 18, 62);  // EM_X86_64
    CHECK_THAT(error_of(f), Catch::Contains("wrong machine 62"));
  }
  SECTION("shared object") {
    poke<u16>(f, 16, 3);
    CHECK_THAT(error_of(f), Catch::Contains("ET_DYN"));
  }
  SECTION("truncated header") {
    f.resize(40);
    CHECK_THAT(error_of(f), Catch::Contains("truncated"));
  }
  SECTION("truncated segment data") {
    f.resize(0x1000 + 2);  // the .text segment's file bytes are cut off
    CHECK_THAT(error_of(f), Catch::Contains("truncated"));
  }
  SECTION("program headers past the end") {
    poke<u32>(f, 28, static_cast<u32>(f.size()));
    CHECK_THAT(error_of(f), Catch::Contains("program header table"));
  }
  SECTION("file size larger than memory size") {
    u32 phoff;
    std::memcpy(&phoff, f.data() + 28, 4);
    poke<u32>(f, phoff + 20, 0);  // p_memsz = 0 < p_filesz
    CHECK_THAT(error_of(f), Catch::Contains("larger than its memory size"));
  }
  SECTION("no program headers") {
    poke<u16>(f, 44, 0);
    CHECK_THAT(error_of(f), Catch::Contains("no program headers"));
  }
  SECTION("error names the file") {
    f[0] = 0;
    CHECK_THAT(error_of(f), Catch::StartsWith("k.elf: "));
  }
}
