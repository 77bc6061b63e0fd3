// IN and OUT (sim/cpu486/insn/io.cpp) and their I/O permission checks
// (Intel SDM vol. 2 "IN", "OUT"; vol. 1 §16.5 the I/O permission bitmap).
#include <catch2/catch.hpp>
#include <vector>

#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u32 kCode = 0x20000;
constexpr u32 kHandler = 0x30000;

void flat_bytes(TestMachine& m, const std::vector<u8>& bytes, u32 addr = kCode) {
  m.setup_flat32(addr);
  m.load(addr, bytes);
}

void deny_port(TestMachine& m, u16 port) {
  const u32 a = kTssBase + 0x68 + port / 8;
  m.bus.write<u8>(PhysAddr(a), static_cast<u8>(m.peek8(a) | (1u << (port % 8))));
}

}  // namespace

TEST_CASE("381 given OUT with an immediate or DX port when it runs then the port receives AL AX or EAX", "[io]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  SECTION("out 0xe9, al") {
    flat_bytes(m, {0xE6, 0xE9});
    s.r[EAX] = 0x12345641;
    m.cpu.step();
    CHECK(m.io.out == "A");
    CHECK(s.eip == kCode + 2);
  }
  SECTION("out dx, al") {
    flat_bytes(m, {0xEE});
    s.r[EAX] = 0x42;
    s.r[EDX] = 0xFFFF00E9;  // only DX is the port
    m.cpu.step();
    CHECK(m.io.out == "B");
  }
  SECTION("out 0x80, eax and out 0x80, ax") {
    flat_bytes(m, {0xE7, 0x80});
    s.r[EAX] = 0x12345678;
    m.cpu.step();
    CHECK(m.io.last_write[0x80] == 0x12345678u);
    flat_bytes(m, {0x66, 0xE7, 0x80});
    s.r[EAX] = 0x12345678;
    m.cpu.step();
    CHECK(m.io.last_write[0x80] == 0x5678u);
  }
  SECTION("out dx, ax and out dx, eax to a 16-bit port number") {
    flat_bytes(m, {0x66, 0xEF});
    s.r[EAX] = 0xAABBCCDD;
    s.r[EDX] = 0x3F8;
    m.cpu.step();
    CHECK(m.io.last_write[0x3F8] == 0xCCDDu);
    flat_bytes(m, {0xEF});
    s.r[EAX] = 0xAABBCCDD;
    s.r[EDX] = 0xCF8;
    m.cpu.step();
    CHECK(m.io.last_write[0xCF8] == 0xAABBCCDDu);
  }
  SECTION("an assembled program prints through port 0xE9 and exits through 0xF4") {
    const std::vector<u8> code = assemble("out dx, al\n out 0xf4, al\n", kCode, 32);
    REQUIRE(code == std::vector<u8>{0xEE, 0xE6, 0xF4});
    flat_bytes(m, code);
    s.r[EAX] = 'Z';
    s.r[EDX] = 0xE9;
    REQUIRE(m.run_until_exit(10));
    CHECK(m.io.out == "Z");
    CHECK(m.io.exit_value == 'Z');
  }
}

TEST_CASE("382 given IN with an immediate or DX port when it runs then AL AX or EAX receives the port value", "[io]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  m.io.read_value[0x60] = 0x5A;
  m.io.read_value[0x1F0] = 0x87654321;
  SECTION("in al, 0x60 keeps the upper 24 bits") {
    flat_bytes(m, {0xE4, 0x60});
    s.r[EAX] = 0x11223344;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x1122335Au);
  }
  SECTION("in ax, dx keeps the upper half") {
    flat_bytes(m, {0x66, 0xED});
    s.r[EAX] = 0x11223344;
    s.r[EDX] = 0x1F0;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x11224321u);
  }
  SECTION("in eax, dx and in eax, imm8") {
    flat_bytes(m, {0xED});
    s.r[EDX] = 0x1F0;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x87654321u);
    flat_bytes(m, {0xE5, 0x60});
    s.r[EAX] = 0;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x5Au);
  }
  SECTION("in al, dx from an unmapped port reads all ones") {
    flat_bytes(m, {0xEC});
    s.r[EAX] = 0x11223344;
    s.r[EDX] = 0x2F8;
    m.cpu.step();
    CHECK(s.r[EAX] == 0x112233FFu);
  }
  SECTION("IN and OUT leave the flags alone") {
    flat_bytes(m, {0xE4, 0x60});
    s.eflags = fl::R1 | fl::CF | fl::ZF | fl::OF;
    m.cpu.step();
    CHECK(s.eflags == (fl::R1 | fl::CF | fl::ZF | fl::OF));
  }
}

TEST_CASE("383 given CPL 3 and IOPL 0 when a port is denied in the TSS bitmap then IN and OUT raise #GP(0)", "[io]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  auto setup = [&](const std::vector<u8>& code) {
    flat_bytes(m, code);
    m.set_gate(vec::GP, kHandler);
    m.enter_ring3();
  };
  SECTION("an all-zero bitmap allows every port") {
    setup({0xE6, 0xE9});
    s.r[EAX] = 'k';
    m.cpu.step();
    CHECK(m.io.out == "k");
    CHECK(s.eip == kCode + 2);
  }
  SECTION("out 0x80, al with bit 0x80 set faults with the OUT as the saved EIP") {
    setup({0xE6, 0x80});
    deny_port(m, 0x80);
    s.r[EAX] = 1;
    m.cpu.step();
    CHECK(s.eip == kHandler);
    CHECK(s.cpl == 0);
    CHECK(m.io.last_write.count(0x80) == 0);
    CHECK(m.peek32(0x90000 - 24) == 0u);     // error code
    CHECK(m.peek32(0x90000 - 20) == kCode);  // EIP of the OUT
  }
  SECTION("a neighbouring port stays allowed") {
    setup({0xE6, 0x81});
    deny_port(m, 0x80);
    s.r[EAX] = 3;
    m.cpu.step();
    CHECK(s.eip == kCode + 2);
    CHECK(m.io.last_write[0x81] == 3u);
  }
  SECTION("a word access at 0x7F covers the denied port 0x80") {
    setup({0x66, 0xE5, 0x7F});  // in ax, 0x7f
    deny_port(m, 0x80);
    s.r[EAX] = 0x12345678;
    m.cpu.step();
    CHECK(s.eip == kHandler);
    CHECK(s.r[EAX] == 0x12345678u);
  }
  SECTION("in eax, dx with a denied port") {
    setup({0xED});
    deny_port(m, 0x3FB);
    s.r[EDX] = 0x3F8;  // dword covers 0x3F8..0x3FB
    s.r[EAX] = 0x77;
    m.cpu.step();
    CHECK(s.eip == kHandler);
    CHECK(s.r[EAX] == 0x77u);
  }
  SECTION("with IOPL 3 the bitmap is not consulted") {
    setup({0xE6, 0x80});
    deny_port(m, 0x80);
    s.eflags |= fl::IOPL;
    s.r[EAX] = 9;
    m.cpu.step();
    CHECK(s.eip == kCode + 2);
    CHECK(m.io.last_write[0x80] == 9u);
  }
  SECTION("at CPL 0 the bitmap is not consulted") {
    flat_bytes(m, {0xE6, 0x80});
    deny_port(m, 0x80);
    s.r[EAX] = 4;
    m.cpu.step();
    CHECK(s.eip == kCode + 2);
    CHECK(m.io.last_write[0x80] == 4u);
  }
}

TEST_CASE("384 given real mode when IN and OUT run then no permission check applies", "[io]") {
  TestMachine m;
  CpuState& s = m.cpu.state();
  m.setup_real(0x2000, 0x0000);
  m.load(0x20000, {0xE6, 0xE9, 0xED});  // out 0xe9, al ; in ax, dx (16-bit code)
  m.io.read_value[0x60] = 0xBEEF;
  s.r[EAX] = 0xFFFF0041;
  s.r[EDX] = 0x60;
  m.cpu.step();
  CHECK(m.io.out == "A");
  m.cpu.step();
  CHECK(s.r[EAX] == 0xFFFFBEEFu);
  CHECK(s.eip == 3u);
}
