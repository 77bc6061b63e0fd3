// ELF32 (i386) executables: parsing with validation, for the multiboot loader
// and for the symbols of boot modules. Every malformation gets a specific
// ElfError naming the file and the problem (System V ABI, Intel386 supplement).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "loader/symbols.hpp"

namespace l4sim {

class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ElfSegment {
  u32 vaddr = 0;
  u32 paddr = 0;
  u32 offset = 0;  // in the file
  u32 filesz = 0;
  u32 memsz = 0;
  u32 flags = 0;  // PF_X = 1, PF_W = 2, PF_R = 4
};

struct ElfImage {
  u32 entry = 0;
  std::vector<ElfSegment> segments;  // PT_LOAD only, in file order
  SymbolTable symbols;
};

// True if the bytes start with the ELF magic.
bool is_elf(const std::vector<u8>& file);

// Parses an i386 ELF32 executable. `what` names the file in error messages.
ElfImage parse_elf32(const std::vector<u8>& file, const std::string& what);

}  // namespace l4sim
