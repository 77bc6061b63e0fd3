// Differential fuzzing of the integer instruction set against Unicorn (QEMU's
// x86 translator), in the spirit of dynarmic's tests/A32/fuzz_arm.cpp.
//
// Each case: a random initial state (GPRs, arithmetic flags, a 4 KB data page and
// a 4 KB stack page) and one random instruction from a generator over the integer
// forms. The instruction runs once in Unicorn (UC_MODE_32, flat memory) and once
// in l4sim (TestMachine, flat 32-bit ring 0, paging off), from the same state.
// Compared: every GPR, EIP, both memory pages, and the flags Intel defines for
// that instruction (the mask table below). Faults must agree (same vector).
//
// Environment: L4SIM_FUZZ_SEED (default kDefaultSeed) and L4SIM_FUZZ_SCALE (a
// float, default 1.0, scales the number of cases). A mismatch prints the
// instruction bytes, the initial state and both results. L4SIM_FUZZ_VERBOSE
// lists every form; L4SIM_FUZZ_ALLFLAGS compares the undefined flags too (to
// study where Unicorn and we differ; expected to fail).
//
// Not covered: 16-bit addressing (67 prefix; the data page lies above 64 KB),
// segment overrides, string, control-transfer and system instructions.
#include <unicorn/unicorn.h>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cpu486/decoder.hpp"
#include "support/fuzz_env.hpp"
#include "support/test_machine.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {

constexpr u64 kDefaultSeed = 0x1486'0050'5EEDull;
constexpr u32 kBaseCases = 100000;

// Guest layout, identical in both emulators (clear of the GDT/IDT/TSS that
// TestMachine places below 0x4000).
constexpr u32 kCodeBase = 0x40000;
constexpr u32 kDataBase = 0x50000;
constexpr u32 kStackBase = 0x60000;
constexpr u32 kPage = 0x1000;
constexpr u32 kHandlerBase = 0x70000;  // ours only: vector v enters at kHandlerBase + 16 * v
constexpr u32 kStackMid = kStackBase + 0x800;

// ============================================================================
// Defined-flag table: which arithmetic flags each instruction family defines
// (Intel SDM vol. 2, "Flags Affected" of each instruction page, summarised in
// SDM vol. 1 appendix A table A-2). A flag the instruction leaves unchanged is
// "defined" (it must keep its value). Flags outside the mask are undefined and
// not compared. Known Unicorn/QEMU deviations from the i486 where Intel DOES
// define a flag also go here, with a comment.
// ============================================================================
namespace defined {
constexpr u32 kAll = fl::CF | fl::PF | fl::AF | fl::ZF | fl::SF | fl::OF;
constexpr u32 kArith = kAll;            // ADD ADC SUB SBB CMP NEG INC DEC CMPXCHG XADD; flags-neutral forms
constexpr u32 kLogic = kAll & ~fl::AF;  // AND OR XOR TEST: AF undefined
constexpr u32 kMul = fl::CF | fl::OF;   // MUL, IMUL (all forms): SF ZF AF PF undefined
constexpr u32 kDiv = 0;                 // DIV, IDIV: all six undefined
constexpr u32 kBt = kAll & ~(fl::OF | fl::SF | fl::AF | fl::PF);  // BT BTS BTR BTC: CF = bit, ZF unchanged
constexpr u32 kBsf = fl::ZF;                                      // BSF BSR: CF OF SF AF PF undefined
constexpr u32 kDaa = kAll & ~fl::OF;                              // DAA DAS: OF undefined
constexpr u32 kAaa = fl::AF | fl::CF;                             // AAA AAS: OF SF ZF PF undefined
constexpr u32 kAam = fl::SF | fl::ZF | fl::PF;                    // AAM AAD: OF AF CF undefined

enum class Shift { kRol, kRor, kRcl, kRcr, kShl, kShr, kSar, kShld, kShrd };

// Shifts and rotates (Intel SDM vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR,
// SHLD, SHRD). `count` is the raw count operand; the CPU masks it to 5 bits.
inline u32 shift(Shift k, unsigned count, unsigned bits) {
  const unsigned c = count & 31;
  if (c == 0) return kAll;  // a zero count affects no flag
  u32 m = kAll;
  if (c != 1) m &= ~fl::OF;  // OF is defined only for 1-bit shifts and rotates
  switch (k) {
    case Shift::kRol:
    case Shift::kRor:
    case Shift::kRcl:
    case Shift::kRcr:
      // Rotates affect only CF and OF; SF ZF AF PF keep their values.
      break;
    case Shift::kShl:
    case Shift::kShr:
      m &= ~fl::AF;  // AF undefined for a non-zero count
      // "CF is undefined for SHL and SHR where the count is greater than or equal
      // to the size (in bits) of the destination operand."
      if (c >= bits) m &= ~fl::CF;
      break;
    case Shift::kSar: m &= ~fl::AF; break;
    case Shift::kShld:
    case Shift::kShrd:
      m &= ~fl::AF;
      // A count greater than the operand size leaves result and flags undefined;
      // the generator avoids it (16-bit forms only).
      break;
  }
  return m;
}
}  // namespace defined

// ---- Random numbers (splitmix64: deterministic on every host) ----------------

struct Rng {
  u64 s;
  u64 next() {
    u64 z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  u32 u() { return static_cast<u32>(next()); }
  u32 below(u32 n) { return static_cast<u32>(next() % n); }
  bool chance(u32 one_in) { return below(one_in) == 0; }
  // Values that exercise carries, overflows, zero and sign edges.
  u32 interesting() {
    static constexpr u32 kEdges[] = {0,          1,      2,      0x7F,    0x80,       0xFF,       0x100,
                                     0x7FFF,     0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                                     0xFFFFFFFE, 0x0F,   0x09,   0x99,    0x8001,     0x80000001};
    switch (below(6)) {
      case 0: return kEdges[below(sizeof(kEdges) / sizeof(kEdges[0]))];
      case 1: return below(64);
      case 2: return static_cast<u32>(-static_cast<i32>(below(64)));
      default: return u();
    }
  }
};

// ---- Machine state and one generated instruction ------------------------------

struct State {
  std::array<u32, 8> r{};
  u32 eflags = 0x2;
  u32 eip = kCodeBase;
  std::array<u8, kPage> data{};
  std::array<u8, kPage> stack{};
};

struct Insn {
  std::vector<u8> bytes;
  std::string form;
  u32 flag_mask = defined::kAll;
  int undef_reg_if_zf = -1;  // BSF/BSR: destination undefined when the source is 0 (ZF = 1)
  unsigned undef_reg_size = 4;
};

const char* const kReg32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

// Builds one instruction and adjusts the initial state so that its memory
// operand lands in the data or stack page, divisions do not overflow, and so on.
struct Gen {
  Rng& rng;
  State& st;
  Insn& in;
  u32 reserved = 1u << ESP;  // full registers whose value the instruction depends on exactly
  bool last_mem = false;
  u32 last_ea = 0;

  void b(u8 x) { in.bytes.push_back(x); }
  void imm(u32 v, unsigned size) {
    for (unsigned i = 0; i < size; ++i) b(static_cast<u8>(v >> (8 * i)));
  }
  void osize(unsigned size) {
    if (size == 2) b(0x66);
  }
  static const char* sfx(unsigned size) { return size == 1 ? " b" : size == 2 ? " w" : " d"; }

  // Register access by operand size and ModRM number (byte registers AL..BH).
  void set_reg(unsigned size, unsigned n, u32 v) {
    if (size == 1) {
      const unsigned sh = (n >> 2) * 8;
      st.r[n & 3] = (st.r[n & 3] & ~(0xFFu << sh)) | ((v & 0xFF) << sh);
    } else if (size == 2) {
      st.r[n] = (st.r[n] & 0xFFFF0000u) | (v & 0xFFFF);
    } else {
      st.r[n] = v;
    }
  }
  u32 get_reg(unsigned size, unsigned n) const {
    if (size == 1) return (st.r[n & 3] >> ((n >> 2) * 8)) & 0xFF;
    if (size == 2) return st.r[n] & 0xFFFF;
    return st.r[n];
  }
  static unsigned full(unsigned size, unsigned n) { return size == 1 ? (n & 3) : n; }
  void reserve(unsigned size, unsigned n) { reserved |= 1u << full(size, n); }

  // A ModRM register number whose full register is not reserved.
  unsigned free_reg(unsigned size) {
    for (;;) {
      const unsigned n = rng.below(8);
      if (!(reserved & (1u << full(size, n)))) return n;
    }
  }

  u8* mem_ptr(u32 ea) {
    if (ea >= kDataBase && ea < kDataBase + kPage) return &st.data[ea - kDataBase];
    if (ea >= kStackBase && ea < kStackBase + kPage) return &st.stack[ea - kStackBase];
    return nullptr;
  }
  void put_mem(u32 ea, unsigned size, u32 v) {
    for (unsigned i = 0; i < size; ++i)
      if (u8* p = mem_ptr(ea + i)) *p = static_cast<u8>(v >> (8 * i));
  }
  u32 get_mem(u32 ea, unsigned size) {
    u32 v = 0;
    for (unsigned i = 0; i < size; ++i)
      if (u8* p = mem_ptr(ea + i)) v |= static_cast<u32>(*p) << (8 * i);
    return v;
  }

  // The value of the ModRM operand (after rm()).
  u32 rm_value(unsigned size) { return last_mem ? get_mem(last_ea, size) : get_reg(size, in.bytes.back() & 7); }

  // Emits a ModRM (+SIB, displacement) with `reg` in the reg field. mode: 0 either,
  // 1 register only, 2 memory only. `rm_exclude`: full registers the register
  // form must not use. Memory operands address [margin, 4K - margin) of the data
  // page, or the stack page through ESP.
  void rm(unsigned reg, unsigned size, int mode = 0, u32 rm_exclude = 0, u32 margin = 16) {
    const bool mem = mode == 2 || (mode == 0 && rng.chance(2));
    last_mem = mem;
    if (!mem) {
      unsigned n;
      do n = rng.below(8);
      while (rm_exclude & (1u << full(size, n)));
      b(static_cast<u8>(0xC0 | (reg << 3) | n));
      return;
    }
    auto pick_free = [&](u32 extra) {
      for (;;) {
        const unsigned n = rng.below(8);
        if (!((reserved | extra) & (1u << n))) return n;
      }
    };
    const u32 ea = kDataBase + margin + rng.below(kPage - 2 * margin);
    const u8 r3 = static_cast<u8>(reg << 3);
    switch (rng.below(7)) {
      case 0: {  // [base]
        const unsigned base = pick_free((1u << ESP) | (1u << EBP));
        b(r3 | base);
        st.r[base] = ea;
        reserved |= 1u << base;
        last_ea = ea;
        break;
      }
      case 1: {  // [base + disp8]
        const unsigned base = pick_free(1u << ESP);
        const i32 disp = static_cast<i8>(rng.u());
        b(0x40 | r3 | base);
        b(static_cast<u8>(disp));
        st.r[base] = ea - disp;
        reserved |= 1u << base;
        last_ea = ea;
        break;
      }
      case 2: {  // [base + disp32]
        const unsigned base = pick_free(1u << ESP);
        const u32 disp = rng.chance(2) ? rng.u() : rng.below(0x10000);
        b(0x80 | r3 | base);
        imm(disp, 4);
        st.r[base] = ea - disp;
        reserved |= 1u << base;
        last_ea = ea;
        break;
      }
      case 3: {  // [disp32]
        b(r3 | 5);
        imm(ea, 4);
        last_ea = ea;
        break;
      }
      case 4:
      case 5: {  // SIB: [base + index*scale + disp], or [index*scale + disp32] without a base
        const unsigned mod = rng.below(3);
        const bool no_base = mod == 0 && rng.chance(3);
        const unsigned base = no_base ? 5 : pick_free((1u << ESP) | (mod == 0 ? (1u << EBP) : 0));
        const bool no_index = rng.chance(4);
        const unsigned index = no_index ? 4 : pick_free((1u << ESP) | (no_base ? 0 : (1u << base)));
        const unsigned scale = rng.below(4);
        b(static_cast<u8>((mod << 6) | r3 | 4));
        b(static_cast<u8>((scale << 6) | (index << 3) | base));
        u32 disp = 0;
        if (no_base) {
          disp = rng.u();
          imm(disp, 4);
        } else if (mod == 1) {
          disp = static_cast<u32>(static_cast<i32>(static_cast<i8>(rng.u())));
          b(static_cast<u8>(disp));
        } else if (mod == 2) {
          disp = rng.chance(2) ? rng.u() : rng.below(0x10000);
          imm(disp, 4);
        }
        u32 idx_part = 0;
        if (!no_index) {
          const u32 iv = rng.chance(2) ? rng.below(256) : static_cast<u32>(-static_cast<i32>(rng.below(256)));
          st.r[index] = iv;
          reserved |= 1u << index;
          idx_part = iv << scale;
        }
        if (no_base) {
          // disp32 + index*scale = ea: fix the displacement instead.
          disp = ea - idx_part;
          for (int i = 0; i < 4; ++i) in.bytes[in.bytes.size() - 4 + i] = static_cast<u8>(disp >> (8 * i));
        } else {
          st.r[base] = ea - disp - idx_part;
          reserved |= 1u << base;
        }
        last_ea = ea;
        break;
      }
      default: {  // [esp + disp8] into the stack page
        const i32 disp = static_cast<i8>(rng.u()) / 2;
        b(0x44 | r3);
        b(0x24);  // SIB: no index, base ESP
        b(static_cast<u8>(disp));
        last_ea = st.r[ESP] + disp;
        break;
      }
    }
    if (rng.chance(2)) put_mem(last_ea, size, rng.interesting());
  }
};

// ---- The instruction generator --------------------------------------------

using defined::Shift;

constexpr const char* kAluNames[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
constexpr const char* kShiftNames[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
constexpr Shift kShiftKinds[8] = {Shift::kRol, Shift::kRor, Shift::kRcl, Shift::kRcr,
                                  Shift::kShl, Shift::kShr, Shift::kShl, Shift::kSar};

u32 alu_mask(unsigned op) { return (op == 1 || op == 4 || op == 6) ? defined::kLogic : defined::kArith; }

unsigned vsize(Rng& r) { return r.chance(2) ? 2 : 4; }
u32 size_mask(unsigned size) { return size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1); }

// Picks one form at random, emits it and adjusts the initial state for it.
void generate(Rng& rng, State& st, Insn& in) {
  Gen g{rng, st, in};
  const unsigned kind = rng.below(40);
  switch (kind) {
    case 0:
    case 1:
    case 2: {  // ALU r/m forms 00-03 (+8*op)
      const unsigned op = rng.below(8);
      const unsigned dir = rng.below(4);
      const unsigned size = (dir & 1) ? vsize(rng) : 1;
      g.osize(size);
      g.b(static_cast<u8>(op * 8 + dir));
      g.rm(rng.below(8), size);
      in.form = std::string(kAluNames[op]) + ((dir & 2) ? " G,E" : " E,G") + Gen::sfx(size);
      in.flag_mask = alu_mask(op);
      break;
    }
    case 3: {  // ALU AL/eAX, imm
      const unsigned op = rng.below(8);
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      g.b(static_cast<u8>(op * 8 + (size == 1 ? 4 : 5)));
      g.imm(rng.interesting(), size);
      in.form = std::string(kAluNames[op]) + " A,I" + Gen::sfx(size);
      in.flag_mask = alu_mask(op);
      break;
    }
    case 4:
    case 5: {  // group 1: 80 81 82 83
      const unsigned op = rng.below(8);
      const unsigned opc = 0x80 + rng.below(4);
      const unsigned size = (opc & 1) ? vsize(rng) : 1;
      g.osize(size);
      g.b(static_cast<u8>(opc));
      g.rm(op, size);
      g.imm(rng.interesting(), opc == 0x81 ? size : 1);
      char name[32];
      std::snprintf(name, sizeof name, "%s %02X/%u", kAluNames[op], opc, op);
      in.form = std::string(name) + Gen::sfx(size);
      in.flag_mask = alu_mask(op);
      break;
    }
    case 6: {  // TEST forms
      const unsigned f = rng.below(3);
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      if (f == 0) {
        g.b(size == 1 ? 0x84 : 0x85);
        g.rm(rng.below(8), size);
        in.form = "test E,G";
      } else if (f == 1) {
        g.b(size == 1 ? 0xA8 : 0xA9);
        g.imm(rng.interesting(), size);
        in.form = "test A,I";
      } else {
        g.b(size == 1 ? 0xF6 : 0xF7);
        g.rm(0, size);
        g.imm(rng.interesting(), size);
        in.form = "test F6/F7 /0";
      }
      in.form += Gen::sfx(size);
      in.flag_mask = defined::kLogic;
      break;
    }
    case 7: {  // INC/DEC: 40-4F, FE/FF /0-1
      const bool dec = rng.chance(2);
      if (rng.chance(2)) {
        const unsigned size = vsize(rng);
        g.osize(size);
        g.b(static_cast<u8>((dec ? 0x48 : 0x40) + rng.below(8)));
        in.form = std::string(dec ? "dec" : "inc") + " r" + Gen::sfx(size);
      } else {
        const unsigned size = rng.chance(2) ? 1 : vsize(rng);
        g.osize(size);
        g.b(size == 1 ? 0xFE : 0xFF);
        g.rm(dec ? 1 : 0, size);
        in.form = std::string(dec ? "dec" : "inc") + " E" + Gen::sfx(size);
      }
      in.flag_mask = defined::kArith;
      break;
    }
    case 8: {  // NOT/NEG
      const bool neg = rng.chance(2);
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      g.b(size == 1 ? 0xF6 : 0xF7);
      g.rm(neg ? 3 : 2, size);
      in.form = std::string(neg ? "neg" : "not") + Gen::sfx(size);
      in.flag_mask = defined::kArith;
      break;
    }
    case 9:
    case 10: {  // MOV forms
      const unsigned f = rng.below(6);
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      switch (f) {
        case 0:
        case 1:
          g.b(static_cast<u8>((size == 1 ? 0x88 : 0x89) + (f ? 2 : 0)));
          g.rm(rng.below(8), size);
          in.form = f ? "mov G,E" : "mov E,G";
          break;
        case 2:
          g.b(static_cast<u8>((size == 1 ? 0xB0 : 0xB8) + rng.below(8)));
          g.imm(rng.interesting(), size);
          in.form = "mov r,I";
          break;
        case 3:
          g.b(size == 1 ? 0xC6 : 0xC7);
          g.rm(0, size);
          g.imm(rng.interesting(), size);
          in.form = "mov E,I";
          break;
        default: {  // A0-A3 moffs
          const bool store = f == 5;
          g.b(static_cast<u8>(0xA0 + (store ? 2 : 0) + (size == 1 ? 0 : 1)));
          g.imm(kDataBase + rng.below(kPage - 4), 4);
          in.form = store ? "mov O,A" : "mov A,O";
          break;
        }
      }
      in.form += Gen::sfx(size);
      break;
    }
    case 11: {  // MOVZX / MOVSX
      const bool sx = rng.chance(2);
      const bool word_src = rng.chance(2);
      const unsigned size = vsize(rng);
      g.osize(size);
      g.b(0x0F);
      g.b(static_cast<u8>((sx ? 0xBE : 0xB6) + (word_src ? 1 : 0)));
      g.rm(rng.below(8), word_src ? 2 : 1);
      in.form = std::string(sx ? "movsx" : "movzx") + (word_src ? " Ew" : " Eb") + Gen::sfx(size);
      break;
    }
    case 12: {  // XCHG
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      if (size != 1 && rng.chance(3)) {
        g.b(static_cast<u8>(0x90 + rng.below(8)));
        in.form = "xchg eAX,r";
      } else {
        g.b(size == 1 ? 0x86 : 0x87);
        g.rm(rng.below(8), size);
        in.form = "xchg E,G";
      }
      in.form += Gen::sfx(size);
      break;
    }
    case 13: {  // LEA
      const unsigned size = vsize(rng);
      g.osize(size);
      g.b(0x8D);
      g.rm(rng.below(8), size, 2);
      in.form = std::string("lea") + Gen::sfx(size);
      break;
    }
    case 14:
    case 15:
    case 16: {  // shifts and rotates: C0 C1 (imm8), D0 D1 (1), D2 D3 (CL)
      unsigned op = rng.below(8);
      if (op == 6) op = 4;  // /6 is an undocumented alias; test the documented SHL
      const unsigned how = rng.below(3);
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      unsigned count = 1;
      if (how == 0) {
        count = rng.chance(4) ? rng.below(256) : rng.below(34);
        g.b(size == 1 ? 0xC0 : 0xC1);
        g.rm(op, size);
        g.b(static_cast<u8>(count));
      } else if (how == 1) {
        g.b(size == 1 ? 0xD0 : 0xD1);
        g.rm(op, size);
      } else {
        count = rng.chance(4) ? rng.below(256) : rng.below(34);
        g.set_reg(1, ECX, count);  // CL
        g.reserved |= 1u << ECX;
        g.b(size == 1 ? 0xD2 : 0xD3);
        g.rm(op, size);
      }
      in.form = std::string(kShiftNames[op]) + (how == 0 ? " E,Ib" : how == 1 ? " E,1" : " E,CL") + Gen::sfx(size);
      in.flag_mask = defined::shift(kShiftKinds[op], count, size * 8);
      break;
    }
    case 17: {  // SHLD / SHRD
      const bool right = rng.chance(2);
      const bool cl = rng.chance(2);
      const unsigned size = vsize(rng);
      unsigned count = rng.chance(4) ? rng.below(256) : rng.below(33);
      if (size == 2 && (count & 31) > 16) count &= 15;  // > 16 is undefined for 16-bit operands
      g.osize(size);
      g.b(0x0F);
      if (cl) {
        g.set_reg(1, ECX, count);
        g.reserved |= 1u << ECX;
      }
      g.b(static_cast<u8>((right ? 0xAC : 0xA4) + (cl ? 1 : 0)));
      g.rm(rng.below(8), size);
      if (!cl) g.b(static_cast<u8>(count));
      in.form = std::string(right ? "shrd" : "shld") + (cl ? " E,G,CL" : " E,G,Ib") + Gen::sfx(size);
      in.flag_mask = defined::shift(right ? Shift::kShrd : Shift::kShld, count, size * 8);
      break;
    }
    case 18:
    case 19: {  // MUL / IMUL one-operand
      const bool imul = rng.chance(2);
      const unsigned size = rng.chance(3) ? 1 : vsize(rng);
      g.osize(size);
      g.b(size == 1 ? 0xF6 : 0xF7);
      g.rm(imul ? 5 : 4, size);
      in.form = std::string(imul ? "imul E" : "mul E") + Gen::sfx(size);
      in.flag_mask = defined::kMul;
      break;
    }
    case 20: {  // IMUL two- and three-operand
      const unsigned f = rng.below(3);
      const unsigned size = vsize(rng);
      g.osize(size);
      if (f == 0) {
        g.b(0x0F);
        g.b(0xAF);
        g.rm(rng.below(8), size);
        in.form = "imul G,E";
      } else if (f == 1) {
        g.b(0x69);
        g.rm(rng.below(8), size);
        g.imm(rng.interesting(), size);
        in.form = "imul G,E,Iz";
      } else {
        g.b(0x6B);
        g.rm(rng.below(8), size);
        g.b(static_cast<u8>(rng.interesting()));
        in.form = "imul G,E,Ib";
      }
      in.form += Gen::sfx(size);
      in.flag_mask = defined::kMul;
      break;
    }
    case 21:
    case 22: {  // DIV / IDIV with operands chosen so that no #DE occurs (1 in 32 left to chance)
      const bool idiv = rng.chance(2);
      const unsigned size = rng.chance(3) ? 1 : vsize(rng);
      const unsigned bits = size * 8;
      g.osize(size);
      g.reserved |= (1u << EAX) | (size == 1 ? 0 : (1u << EDX));
      g.b(size == 1 ? 0xF6 : 0xF7);
      g.rm(idiv ? 7 : 6, size, 0, g.reserved);
      const bool wild = rng.chance(32);
      u32 divisor = rng.chance(3) ? rng.below(20) + 1 : rng.interesting() & size_mask(size);
      if (divisor == 0) divisor = 1;
      u64 dividend;
      if (!idiv) {
        const u64 hi = wild ? rng.u() & size_mask(size) : (rng.u() & size_mask(size)) % divisor;
        dividend = (hi << bits) | (rng.interesting() & size_mask(size));
      } else {
        const i64 d = static_cast<i64>(static_cast<i32>(divisor << (32 - bits)) >> (32 - bits));
        const i64 qmax = (i64{1} << (bits - 1)) - 1;
        const i64 q = static_cast<i64>(rng.next() % static_cast<u64>(2 * qmax + 1)) - qmax;
        const i64 ad = d < 0 ? -d : d;
        i64 rem = static_cast<i64>(rng.next() % static_cast<u64>(ad));
        const i64 prod = q * d;
        if (prod < 0 || (prod == 0 && rng.chance(2))) rem = -rem;
        dividend = static_cast<u64>(wild ? static_cast<i64>(rng.next()) : prod + rem);
      }
      if (g.last_mem)
        g.put_mem(g.last_ea, size, divisor);
      else
        g.set_reg(size, in.bytes.back() & 7, divisor);
      if (size == 1) {
        g.set_reg(2, EAX, static_cast<u32>(dividend));
      } else {
        g.set_reg(size, EAX, static_cast<u32>(dividend));
        g.set_reg(size, EDX, static_cast<u32>(dividend >> bits));
      }
      in.form = std::string(idiv ? "idiv E" : "div E") + Gen::sfx(size);
      in.flag_mask = defined::kDiv;
      break;
    }
    case 23:
    case 24: {  // BT BTS BTR BTC: Ev,Gv and 0F BA /4-7 Ib
      const unsigned op = rng.below(4);
      static constexpr const char* kNames[4] = {"bt", "bts", "btr", "btc"};
      const unsigned size = vsize(rng);
      g.osize(size);
      g.b(0x0F);
      if (rng.chance(2)) {
        const unsigned r = g.free_reg(size);
        g.reserve(size, r);
        g.b(static_cast<u8>(0xA3 + 8 * op));
        // Memory: the bit offset reaches beyond the operand; keep it in the page.
        g.rm(r, size, 0, 0, 0x400);
        u32 off = rng.interesting();
        if (g.last_mem) off = static_cast<u32>(static_cast<i32>(rng.below(0x3000)) - 0x1800);
        // The register form must not pick the offset register's value by accident: fine either way.
        g.set_reg(size, r, off);
        if (!g.last_mem && (in.bytes.back() & 7) == r) g.set_reg(size, r, off);
        in.form = std::string(kNames[op]) + " E,G" + Gen::sfx(size);
      } else {
        g.b(0xBA);
        g.rm(4 + op, size);
        g.b(static_cast<u8>(rng.below(256)));
        in.form = std::string(kNames[op]) + " E,Ib" + Gen::sfx(size);
      }
      in.flag_mask = defined::kBt;
      break;
    }
    case 25: {  // BSF / BSR
      const bool rev = rng.chance(2);
      const unsigned size = vsize(rng);
      g.osize(size);
      g.b(0x0F);
      g.b(rev ? 0xBD : 0xBC);
      const unsigned dst = rng.below(8);
      g.rm(dst, size);
      if (rng.chance(6)) {
        if (g.last_mem)
          g.put_mem(g.last_ea, size, 0);
        else
          g.set_reg(size, in.bytes.back() & 7, 0);
      }
      in.form = std::string(rev ? "bsr" : "bsf") + Gen::sfx(size);
      in.flag_mask = defined::kBsf;
      in.undef_reg_if_zf = static_cast<int>(dst);
      in.undef_reg_size = size;
      break;
    }
    case 26: {  // SETcc
      const unsigned cc = rng.below(16);
      g.b(0x0F);
      g.b(static_cast<u8>(0x90 + cc));
      g.rm(0, 1);
      char name[16];
      std::snprintf(name, sizeof name, "set%X", cc);
      in.form = name;
      break;
    }
    case 27: {  // CMPXCHG
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      g.reserved |= 1u << EAX;
      g.b(0x0F);
      g.b(size == 1 ? 0xB0 : 0xB1);
      g.rm(rng.below(8), size);
      if (rng.chance(2)) g.set_reg(size, EAX, g.rm_value(size));  // make the compare succeed
      in.form = std::string("cmpxchg") + Gen::sfx(size);
      in.flag_mask = defined::kArith;
      break;
    }
    case 28: {  // XADD
      const unsigned size = rng.chance(2) ? 1 : vsize(rng);
      g.osize(size);
      g.b(0x0F);
      g.b(size == 1 ? 0xC0 : 0xC1);
      g.rm(rng.below(8), size);
      in.form = std::string("xadd") + Gen::sfx(size);
      in.flag_mask = defined::kArith;
      break;
    }
    case 29: {  // BSWAP (32-bit only: the 16-bit form is undefined)
      g.b(0x0F);
      g.b(static_cast<u8>(0xC8 + rng.below(8)));
      in.form = "bswap d";
      break;
    }
    case 30: {  // CBW/CWDE, CWD/CDQ
      const unsigned size = vsize(rng);
      g.osize(size);
      const bool cwd = rng.chance(2);
      g.b(cwd ? 0x99 : 0x98);
      in.form = size == 2 ? (cwd ? "cwd" : "cbw") : (cwd ? "cdq" : "cwde");
      break;
    }
    case 31: {  // decimal adjust
      static constexpr u8 kOps[6] = {0x27, 0x2F, 0x37, 0x3F, 0xD4, 0xD5};
      static constexpr const char* kNames[6] = {"daa", "das", "aaa", "aas", "aam", "aad"};
      static constexpr u32 kMasks[6] = {defined::kDaa, defined::kDaa, defined::kAaa,
                                        defined::kAaa, defined::kAam, defined::kAam};
      const unsigned i = rng.below(6);
      g.b(kOps[i]);
      if (i >= 4) g.b(static_cast<u8>(rng.chance(2) ? 10 : rng.below(255) + 1));  // AAM 0 is #DE
      in.form = kNames[i];
      in.flag_mask = kMasks[i];
      break;
    }
    case 32:
    case 33: {  // PUSH / POP
      const unsigned f = rng.below(6);
      const unsigned size = vsize(rng);
      g.osize(size);
      switch (f) {
        case 0:
          g.b(static_cast<u8>(0x50 + rng.below(8)));
          in.form = "push r";
          break;
        case 1:
          g.b(static_cast<u8>(0x58 + rng.below(8)));
          in.form = "pop r";
          break;
        case 2:
          g.b(0x68);
          g.imm(rng.interesting(), size);
          in.form = "push Iz";
          break;
        case 3:
          g.b(0x6A);
          g.b(static_cast<u8>(rng.u()));
          in.form = "push Ib";
          break;
        case 4:
          g.b(0xFF);
          g.rm(6, size);
          in.form = "push E";
          break;
        default:
          g.b(0x8F);
          g.rm(0, size);
          in.form = "pop E";
          break;
      }
      in.form += Gen::sfx(size);
      break;
    }
    case 34: {  // flag instructions
      static constexpr u8 kOps[5] = {0xF8, 0xF9, 0xF5, 0x9E, 0x9F};
      static constexpr const char* kNames[5] = {"clc", "stc", "cmc", "sahf", "lahf"};
      const unsigned i = rng.below(5);
      g.b(kOps[i]);
      in.form = kNames[i];
      break;
    }
    default: {  // weight towards the common ALU forms again, with memory destinations
      const unsigned op = rng.below(8);
      const unsigned size = rng.chance(3) ? 1 : vsize(rng);
      g.osize(size);
      g.b(static_cast<u8>(op * 8 + (size == 1 ? 0 : 1)));
      g.rm(rng.below(8), size, 2);
      in.form = std::string(kAluNames[op]) + " M,G" + Gen::sfx(size);
      in.flag_mask = alu_mask(op);
      break;
    }
  }
}

void random_state(Rng& rng, State& st) {
  for (unsigned i = 0; i < 8; ++i) st.r[i] = rng.interesting();
  st.r[ESP] = kStackMid + 4 * (rng.below(128) - 64);
  st.eflags = 0x2 | (rng.u() & defined::kAll);
  st.eip = kCodeBase;
  for (auto& x : st.data) x = static_cast<u8>(rng.u());
  for (auto& x : st.stack) x = static_cast<u8>(rng.u());
}

// ---- Running one case in each emulator --------------------------------------

struct Result {
  std::array<u32, 8> r{};
  u32 eip = 0;
  u32 eflags = 0;
  int fault = -1;     // vector, or -1
  std::string error;  // emulator error / unsupported
  std::array<u8, kPage> data{};
  std::array<u8, kPage> stack{};
};

class UnicornRunner {
 public:
  UnicornRunner() { open(); }
  ~UnicornRunner() { uc_close(uc_); }
  UnicornRunner(const UnicornRunner&) = delete;
  UnicornRunner& operator=(const UnicornRunner&) = delete;

  Result run(const State& st, const Insn& in) {
    static constexpr int kRegs[8] = {UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
                                     UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI};
    std::array<u8, 32> code{};
    std::copy(in.bytes.begin(), in.bytes.end(), code.begin());
    code[in.bytes.size()] = 0xF4;  // HLT after the instruction, never reached
    uc_mem_write(uc_, kCodeBase, code.data(), code.size());
    uc_ctl_remove_cache(uc_, kCodeBase, kCodeBase + kPage);
    uc_mem_write(uc_, kDataBase, st.data.data(), kPage);
    uc_mem_write(uc_, kStackBase, st.stack.data(), kPage);
    for (unsigned i = 0; i < 8; ++i) {
      u32 v = st.r[i];
      uc_reg_write(uc_, kRegs[i], &v);
    }
    u32 fl = st.eflags;
    uc_reg_write(uc_, UC_X86_REG_EFLAGS, &fl);
    u32 eip = st.eip;
    uc_reg_write(uc_, UC_X86_REG_EIP, &eip);
    intno_ = -1;
    // Run to the end of the instruction (count 0): with count = 1 Unicorn 2.0.1
    // does not report exceptions through the interrupt hook.
    const uc_err err = uc_emu_start(uc_, kCodeBase, kCodeBase + static_cast<u32>(in.bytes.size()), 0, 0);
    Result r;
    if (err == UC_ERR_INSN_INVALID)
      r.fault = vec::UD;
    else if (err != UC_ERR_OK && intno_ < 0)
      r.error = uc_strerror(err);
    if (intno_ >= 0) r.fault = intno_;
    for (unsigned i = 0; i < 8; ++i) uc_reg_read(uc_, kRegs[i], &r.r[i]);
    uc_reg_read(uc_, UC_X86_REG_EFLAGS, &r.eflags);
    uc_reg_read(uc_, UC_X86_REG_EIP, &r.eip);
    uc_mem_read(uc_, kDataBase, r.data.data(), kPage);
    uc_mem_read(uc_, kStackBase, r.stack.data(), kPage);
    if (r.fault < 0 && r.error.empty() && r.eip == st.eip) r.error = "unicorn did not execute the instruction";
    // After an exception Unicorn 2.0.1 keeps QEMU's pending-exception state: the
    // next exception comes out as #DF (8) and the one after that not at all.
    // A fresh engine avoids it.
    if (r.fault >= 0 || err != UC_ERR_OK) {
      uc_close(uc_);
      open();
    }
    return r;
  }

 private:
  void open() {
    if (uc_open(UC_ARCH_X86, UC_MODE_32, &uc_) != UC_ERR_OK) throw std::runtime_error("uc_open failed");
    uc_ctl_set_cpu_model(uc_, UC_CPU_X86_486);
    for (u32 base : {kCodeBase, kDataBase, kStackBase}) uc_mem_map(uc_, base, kPage, UC_PROT_ALL);
    uc_hook_add(uc_, &hook_, UC_HOOK_INTR, reinterpret_cast<void*>(&on_intr), this, 1, 0);
  }
  static void on_intr(uc_engine* uc, u32 intno, void* self) {
    static_cast<UnicornRunner*>(self)->intno_ = static_cast<int>(intno);
    uc_emu_stop(uc);
  }
  uc_engine* uc_ = nullptr;
  uc_hook hook_{};
  int intno_ = -1;
};

class OursRunner {
 public:
  OursRunner() {
    m_.setup_flat32(kCodeBase);
    for (u8 v = 0; v < 32; ++v) m_.set_gate(v, kHandlerBase + 16u * v);
    base_ = m_.cpu.state();
  }

  Result run(const State& st, const Insn& in) {
    CpuState& s = m_.cpu.state();
    s = base_;
    std::vector<u8> code(in.bytes);
    code.push_back(0xF4);
    m_.load(kCodeBase, code);
    m_.load(kDataBase, std::vector<u8>(st.data.begin(), st.data.end()));
    m_.load(kStackBase, std::vector<u8>(st.stack.begin(), st.stack.end()));
    m_.cpu.invalidate_decode_cache();
    for (unsigned i = 0; i < 8; ++i) s.r[i] = st.r[i];
    s.eflags = st.eflags;
    s.eip = st.eip;
    Result r;
    try {
      m_.cpu.step();
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    if (s.eip >= kHandlerBase && s.eip < kHandlerBase + 32 * 16 && r.error.empty()) {
      r.fault = static_cast<int>((s.eip - kHandlerBase) / 16);
    }
    for (unsigned i = 0; i < 8; ++i) r.r[i] = s.r[i];
    r.eflags = s.eflags;
    r.eip = s.eip;
    for (u32 i = 0; i < kPage; ++i) {
      r.data[i] = m_.peek8(kDataBase + i);
      r.stack[i] = m_.peek8(kStackBase + i);
    }
    return r;
  }

 private:
  TestMachine m_;
  CpuState base_;
};

std::string hex_bytes(const std::vector<u8>& b) {
  std::string s;
  char buf[4];
  for (u8 x : b) {
    std::snprintf(buf, sizeof buf, "%02x ", x);
    s += buf;
  }
  if (!s.empty()) s.pop_back();
  return s;
}

std::string regs_str(const std::array<u32, 8>& r, u32 eip, u32 eflags) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x eip=%08x eflags=%08x", r[0],
                r[1], r[2], r[3], r[4], r[5], r[6], r[7], eip, eflags);
  return buf;
}

std::string flags_str(u32 f) {
  std::string s;
  static constexpr std::pair<u32, const char*> kF[] = {{fl::OF, "O"}, {fl::SF, "S"}, {fl::ZF, "Z"},
                                                       {fl::AF, "A"}, {fl::PF, "P"}, {fl::CF, "C"}};
  for (auto [bit, n] : kF) s += (f & bit) ? n : "-";
  return s;
}

// Compares; returns an empty string when the results agree.
std::string compare(const Insn& in, const Result& u, const Result& o) {
  std::ostringstream why;
  if (!u.error.empty() || !o.error.empty()) {
    if (u.error != o.error) why << " error: unicorn='" << u.error << "' ours='" << o.error << "'";
    return why.str();
  }
  if (u.fault != o.fault) {
    why << " fault: unicorn=" << u.fault << " ours=" << o.fault;
    return why.str();
  }
  if (u.fault >= 0) return "";  // both faulted with the same vector
  u32 skip = 0;
  if (in.undef_reg_if_zf >= 0 && (u.eflags & fl::ZF)) {
    skip = 1u << in.undef_reg_if_zf;
  }
  for (unsigned i = 0; i < 8; ++i) {
    if (skip & (1u << i)) {
      // Only the low `size` bytes are undefined for a 16-bit destination.
      if (in.undef_reg_size == 2 && (u.r[i] >> 16) != (o.r[i] >> 16)) why << " " << kReg32[i] << "[31:16]";
      continue;
    }
    if (u.r[i] != o.r[i]) why << " " << kReg32[i];
  }
  if (u.eip != o.eip) why << " eip";
  const u32 m = std::getenv("L4SIM_FUZZ_ALLFLAGS") ? defined::kAll : in.flag_mask;
  if ((u.eflags & m) != (o.eflags & m)) why << " flags(" << flags_str((u.eflags ^ o.eflags) & m) << ")";
  for (u32 i = 0; i < kPage; ++i) {
    if (u.data[i] != o.data[i]) {
      why << " mem[" << std::hex << (kDataBase + i) << std::dec << "]";
      break;
    }
  }
  for (u32 i = 0; i < kPage; ++i) {
    if (u.stack[i] != o.stack[i]) {
      why << " mem[" << std::hex << (kStackBase + i) << std::dec << "]";
      break;
    }
  }
  return why.str();
}

std::string mem_diff(const State& st, const Result& u, const Result& o) {
  std::ostringstream s;
  int shown = 0;
  for (int page = 0; page < 2; ++page) {
    const u32 base = page ? kStackBase : kDataBase;
    const auto& init = page ? st.stack : st.data;
    const auto& a = page ? u.stack : u.data;
    const auto& b = page ? o.stack : o.data;
    for (u32 i = 0; i < kPage && shown < 16; ++i) {
      if (a[i] != init[i] || b[i] != init[i]) {
        char buf[80];
        std::snprintf(buf, sizeof buf, "    [%08x] initial %02x unicorn %02x ours %02x%s\n", base + i, init[i], a[i],
                      b[i], a[i] != b[i] ? "  <--" : "");
        s << buf;
        ++shown;
      }
    }
  }
  return s.str();
}

struct FormStats {
  u64 runs = 0;
  u64 mismatches = 0;
  u64 unimplemented = 0;  // our table has no form: #UD where Unicorn executes
  u64 both_fault = 0;
  std::vector<std::string> examples;
};

}  // namespace

TEST_CASE("001 given random integer instructions when run on l4sim and Unicorn then registers flags and memory agree",
          "[diff][unicorn]") {
  const u64 seed = test::fuzz_seed(kDefaultSeed);
  const u64 cases = static_cast<u64>(kBaseCases * test::fuzz_scale());
  std::printf("unicorn fuzz: seed %#llx (L4SIM_FUZZ_SEED), %llu cases (L4SIM_FUZZ_SCALE)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(cases));
  UnicornRunner uc;
  OursRunner ours;
  std::map<std::string, FormStats> stats;
  u64 mismatches = 0, unimplemented = 0;
  Rng rng{seed};
  for (u64 n = 0; n < cases; ++n) {
    // Each case has its own seed so it can be replayed alone.
    const u64 case_seed = rng.next();
    Rng r{case_seed};
    State st;
    Insn in;
    random_state(r, st);
    generate(r, st, in);
    FormStats& fs = stats[in.form];
    ++fs.runs;
    const Result u = uc.run(st, in);
    const Result o = ours.run(st, in);
    // An opcode our table does not have yet (another family still being written).
    DecodedInsn d;
    decode_buffer(in.bytes.data(), static_cast<unsigned>(in.bytes.size()), DecodeMode{true, false}, d);
    const bool not_in_table = d.info == nullptr || d.info->mnemonic == nullptr;
    if (o.fault == vec::UD && u.fault != vec::UD && not_in_table) {
      ++fs.unimplemented;
      ++unimplemented;
      continue;
    }
    const std::string why = compare(in, u, o);
    if (u.fault >= 0 && why.empty()) ++fs.both_fault;
    if (why.empty()) continue;
    ++fs.mismatches;
    ++mismatches;
    if (fs.examples.size() < 3) {
      std::ostringstream s;
      s << "MISMATCH " << in.form << " [" << hex_bytes(in.bytes) << "] case seed " << std::hex << "0x" << case_seed
        << std::dec << ":" << why << "\n"
        << "  initial: " << regs_str(st.r, st.eip, st.eflags) << " flags " << flags_str(st.eflags) << "\n"
        << "  unicorn: " << regs_str(u.r, u.eip, u.eflags) << " flags " << flags_str(u.eflags) << " fault " << u.fault
        << "\n"
        << "  ours:    " << regs_str(o.r, o.eip, o.eflags) << " flags " << flags_str(o.eflags) << " fault " << o.fault
        << (o.error.empty() ? "" : " error: " + o.error) << "\n"
        << "  compared flags: " << flags_str(in.flag_mask) << "\n"
        << mem_diff(st, u, o);
      fs.examples.push_back(s.str());
    }
  }
  for (const auto& [form, fs] : stats)
    for (const auto& e : fs.examples) std::printf("%s", e.c_str());
  std::printf("\n%-22s %8s %8s %8s %8s\n", "form", "runs", "mismatch", "not-impl", "faulted");
  for (const auto& [form, fs] : stats) {
    if (!fs.mismatches && !fs.unimplemented && !std::getenv("L4SIM_FUZZ_VERBOSE")) continue;
    std::printf("%-22s %8llu %8llu %8llu %8llu\n", form.c_str(), static_cast<unsigned long long>(fs.runs),
                static_cast<unsigned long long>(fs.mismatches), static_cast<unsigned long long>(fs.unimplemented),
                static_cast<unsigned long long>(fs.both_fault));
  }
  std::printf(
      "unicorn fuzz: %llu cases, %zu forms, %llu mismatches, %llu not implemented in l4sim (#UD, no table "
      "entry)\n",
      static_cast<unsigned long long>(cases), stats.size(), static_cast<unsigned long long>(mismatches),
      static_cast<unsigned long long>(unimplemented));
  CHECK(mismatches == 0);
}
