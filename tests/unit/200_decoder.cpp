#include <catch2/catch.hpp>

#include "cpu486/decoder.hpp"

using namespace l4sim;

namespace {
unsigned len32(std::initializer_list<u8> bytes, DecodedInsn* out = nullptr) {
  std::vector<u8> v(bytes);
  DecodedInsn d;
  const unsigned n = decode_buffer(v.data(), static_cast<unsigned>(v.size()), DecodeMode{true, false}, d);
  if (out) *out = d;
  return n;
}
unsigned len16(std::initializer_list<u8> bytes, DecodedInsn* out = nullptr) {
  std::vector<u8> v(bytes);
  DecodedInsn d;
  const unsigned n = decode_buffer(v.data(), static_cast<unsigned>(v.size()), DecodeMode{false, false}, d);
  if (out) *out = d;
  return n;
}
}  // namespace

TEST_CASE("201 given 32-bit ModRM forms when decoded then SIB and displacements set the length", "[decoder]") {
  DecodedInsn d;
  CHECK(len32({0x01, 0xC8}, &d) == 2);  // add eax, ecx
  CHECK_FALSE(d.mem);
  CHECK(len32({0x01, 0x08}, &d) == 2);  // add [eax], ecx
  CHECK(d.mem);
  CHECK(d.base == EAX);
  CHECK(len32({0x01, 0x0C, 0x24}, &d) == 3);  // add [esp], ecx: SIB, SS default
  CHECK(d.base == ESP);
  CHECK(d.seg == SS);
  CHECK(len32({0x01, 0x0D, 0x78, 0x56, 0x34, 0x12}, &d) == 6);  // add [0x12345678], ecx
  CHECK(d.base == kNoReg);
  CHECK(d.disp == 0x12345678u);
  CHECK(len32({0x01, 0x4C, 0x8B, 0xFC}, &d) == 4);  // add [ebx+ecx*4-4], ecx
  CHECK(d.base == EBX);
  CHECK(d.index == ECX);
  CHECK(d.scale == 2);
  CHECK(d.disp == 0xFFFFFFFCu);
  CHECK(len32({0x01, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00}, &d) == 7);  // SIB, no base, no index
  CHECK(d.base == kNoReg);
  CHECK(d.index == kNoReg);
  CHECK(len32({0x01, 0x45, 0x08}, &d) == 3);  // add [ebp+8], eax: SS default
  CHECK(d.seg == SS);
}

TEST_CASE("202 given 16-bit addressing when decoded then base/index pairs and BP defaults follow table 2-1",
          "[decoder]") {
  DecodedInsn d;
  CHECK(len16({0x01, 0x00}, &d) == 2);  // add [bx+si], ax
  CHECK(d.base == EBX);
  CHECK(d.index == ESI);
  CHECK(d.seg == DS);
  CHECK(len16({0x01, 0x46, 0x02}, &d) == 3);  // add [bp+2], ax
  CHECK(d.base == EBP);
  CHECK(d.seg == SS);
  CHECK(len16({0x01, 0x06, 0x34, 0x12}, &d) == 4);  // add [0x1234], ax
  CHECK(d.base == kNoReg);
  CHECK(d.disp == 0x1234);
  CHECK(len16({0x67, 0x01, 0x04, 0x24}, &d) == 4);  // 32-bit address size in 16-bit code: SIB
  CHECK(d.addr32);
}

TEST_CASE("203 given prefixes when decoded then operand size, segment and REP are recorded", "[decoder]") {
  DecodedInsn d;
  CHECK(len32({0x66, 0x05, 0x34, 0x12}, &d) == 4);  // add ax, 0x1234
  CHECK_FALSE(d.op32);
  CHECK(len32({0x05, 0x78, 0x56, 0x34, 0x12}, &d) == 5);  // add eax, imm32
  CHECK(d.op32);
  CHECK(len32({0x64, 0x01, 0x08}, &d) == 3);
  CHECK(d.seg == FS);
  CHECK(len32({0x36, 0x01, 0x08}, &d) == 3);
  CHECK(d.seg == SS);
  CHECK(len32({0x26, 0x01, 0x45, 0x00}, &d) == 4);  // ES override beats the EBP default
  CHECK(d.seg == ES);
  CHECK(len32({0xF3, 0xF2, 0x90}, &d) == 3);
  CHECK(d.repne());
  CHECK_FALSE(d.rep());
}

TEST_CASE("204 given more than 15 bytes when decoded then the decoder refuses the instruction", "[decoder]") {
  std::vector<u8> v(14, 0x66);
  v.push_back(0x05);
  v.push_back(0x00);
  v.push_back(0x00);
  DecodedInsn d;
  CHECK(decode_buffer(v.data(), static_cast<unsigned>(v.size()), DecodeMode{true, false}, d) == 0);
}

TEST_CASE("205 given LOCK on a register destination or a non-lockable form then the handler is #UD", "[decoder]") {
  DecodedInsn d;
  REQUIRE(len32({0xF0, 0x01, 0x08}, &d) == 3);  // lock add [eax], ecx: legal
  CHECK(d.fn != &ud_handler);
  REQUIRE(len32({0xF0, 0x01, 0xC8}, &d) == 3);  // lock add eax, ecx: #UD
  CHECK(d.fn == &ud_handler);
  REQUIRE(len32({0xF0, 0x39, 0x08}, &d) == 3);  // lock cmp [eax], ecx: #UD
  CHECK(d.fn == &ud_handler);
}

TEST_CASE("206 given the opcode table when listed then forms have unique ids and mnemonics", "[decoder]") {
  const auto forms = op_table().all_forms();
  CHECK(forms.size() > 100);
  std::vector<bool> seen(op_table().form_count(), false);
  for (const OpInfo* o : forms) {
    REQUIRE(o->id < seen.size());
    CHECK_FALSE(seen[o->id]);
    seen[o->id] = true;
    CHECK(o->mnemonic != nullptr);
  }
}

TEST_CASE("207 given MOV to or from CR/DR with mod bits not 11 then no SIB or displacement is read", "[decoder]") {
  // Intel SDM vol. 2 "MOV—Move to/from Control Registers": the mod bits are ignored.
  DecodedInsn d;
  CHECK(len32({0x0F, 0x23, 0xAF, 0x11, 0x22, 0x33, 0x44}, &d) == 3);  // mov dr5, edi
  CHECK_FALSE(d.mem);
  CHECK(d.rm() == EDI);
  CHECK(len32({0x0F, 0x22, 0x1C, 0x24}, &d) == 3);  // mov cr3, esp with mod 00 and rm 100: no SIB
  CHECK_FALSE(d.mem);
}
