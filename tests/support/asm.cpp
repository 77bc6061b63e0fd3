#include "support/asm.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace l4sim::test {

namespace {
std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) throw std::runtime_error("cannot run: " + cmd);
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) throw std::runtime_error("command failed: " + cmd + "\n" + out);
  return out;
}

std::string make_temp_dir() {
  char dir[] = "/tmp/l4sim-asm-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp failed");
  return dir;
}

std::vector<u8> slurp(const std::string& path) {
  std::ifstream b(path, std::ios::binary);
  return std::vector<u8>((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
}
}  // namespace

std::vector<u8> assemble(const std::string& source, u32 org, int bits) {
  const std::string d = make_temp_dir();
  {
    std::ofstream f(d + "/a.s");
    f << ".intel_syntax noprefix\n" << (bits == 16 ? ".code16\n" : ".code32\n") << ".text\n" << source << "\n";
  }
  char org_s[32];
  std::snprintf(org_s, sizeof org_s, "0x%x", org);
  run("as --32 -o " + d + "/a.o " + d + "/a.s");
  run("ld -m elf_i386 -N --no-warn-rwx-segments -Ttext=" + std::string(org_s) + " -e 0 -o " + d + "/a.elf " + d +
      "/a.o");
  run("objcopy -O binary -j .text " + d + "/a.elf " + d + "/a.bin");
  std::vector<u8> bytes = slurp(d + "/a.bin");
  run("rm -rf " + d);
  return bytes;
}

std::vector<u8> assemble_elf(const std::string& source, const std::string& linker_script) {
  const std::string d = make_temp_dir();
  {
    std::ofstream f(d + "/a.s");
    f << ".intel_syntax noprefix\n.code32\n" << source << "\n";
    std::ofstream l(d + "/a.ld");
    l << linker_script;
  }
  run("as --32 -o " + d + "/a.o " + d + "/a.s");
  run("ld -m elf_i386 --no-warn-rwx-segments -T " + d + "/a.ld -o " + d + "/a.elf " + d + "/a.o");
  std::vector<u8> bytes = slurp(d + "/a.elf");
  run("rm -rf " + d);
  return bytes;
}

}  // namespace l4sim::test
