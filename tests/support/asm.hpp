// Assembles guest code snippets for tests with the system's GNU assembler
// (binutils, always present with the compiler): Intel syntax, flat binary.
#pragma once

#include <string>
#include <vector>

#include "common/types.hpp"

namespace l4sim::test {

// `bits` is 16 or 32. `org` is the address the code will run at (for absolute
// jumps and data references). Throws std::runtime_error with the assembler's
// message on failure.
std::vector<u8> assemble(const std::string& source, u32 org = 0, int bits = 32);

// Assembles 32-bit Intel-syntax source (sections as the source declares them)
// and links it with the given GNU ld linker script; returns the ELF file.
std::vector<u8> assemble_elf(const std::string& source, const std::string& linker_script);

}  // namespace l4sim::test
