// Cross-checks the decoder's instruction lengths against Capstone on random byte
// strings, in 32-bit and 16-bit code. Where both decode an instruction, the
// lengths must agree, except for the documented differences in kExclusions
// (Capstone knows later CPUs; some encodings are #UD on the i486/Pentium, where
// the length the decoder reports has no architectural meaning).
#include <capstone/capstone.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "cpu486/decoder.hpp"
#include "support/fuzz_env.hpp"

using namespace l4sim;

namespace {

constexpr u64 kDefaultSeed = 0xCA95'7014'86ull;
constexpr u32 kBaseStrings = 100000;  // per mode

struct Rng {
  u64 s;
  u64 next() {
    u64 z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  u32 below(u32 n) { return static_cast<u32>(next() % n); }
};

// One case: the bytes and both decodings.
struct Case {
  u8 buf[16];
  bool code32;
  DecodedInsn d;
  unsigned ours;  // our length (0: longer than 15 bytes)
  const cs_insn* cs;
};

unsigned prefix_count(const u8* b) {
  unsigned n = 0;
  while (n < 15) {
    switch (b[n]) {
      case 0xF0:
      case 0xF2:
      case 0xF3:
      case 0x26:
      case 0x2E:
      case 0x36:
      case 0x3E:
      case 0x64:
      case 0x65:
      case 0x66:
      case 0x67: ++n; break;
      default: return n;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------
// Documented Capstone-vs-i486/Pentium differences. A case matching an entry is
// counted under that entry and its lengths are not compared.
// ---------------------------------------------------------------------------
struct Exclusion {
  const char* name;
  const char* reason;
  bool (*match)(const Case& c);
};

const Exclusion kExclusions[] = {
    {"ours-#UD",
     "our decoder marks the encoding #UD (undefined opcode on the i486/P5, register form of a memory-only "
     "instruction, illegal LOCK): the chip faults before the length matters. Capstone also decodes encodings of "
     "later CPUs here (SSE/MMX/CMOV/UD2/NOP Ev/VEX/EVEX/XOP...)",
     [](const Case& c) { return c.d.fn == &ud_handler; }},
    {"cs-66-rep-call",
     "Capstone 4.0.2 bug: for CALL/JMP rel (E8/E9) with 66 followed later by F2 or F3 it ignores the 66 and "
     "reads a rel32 (66 F3 E8 -> 7 bytes, F3 66 E8 -> 5). Prefix order does not matter on the chip: 66 selects "
     "rel16 (Intel SDM vol. 2 CALL/JMP; §2.1.1 prefixes in any order)",
     [](const Case& c) {
       const unsigned p = prefix_count(c.buf);
       if (c.d.opcode != 0xE8 && c.d.opcode != 0xE9) return false;
       bool seen66 = false;
       for (unsigned i = 0; i < p; ++i) {
         if (c.buf[i] == 0x66) seen66 = true;
         if ((c.buf[i] == 0xF2 || c.buf[i] == 0xF3) && seen66) return c.cs->size > c.ours;
       }
       return false;
     }},
};

struct Stats {
  u64 checked = 0, agreed = 0, ours_too_long = 0, capstone_rejects = 0, both_reject = 0;
  std::map<std::string, u64> excluded;
  std::map<std::string, u64> disagree;         // key: opcode and mnemonics
  std::map<std::string, std::string> example;  // key -> bytes
  std::map<std::string, u64> not_in_table;     // "opcode capstone-mnemonic" -> count
};

std::string hex(const u8* b, unsigned n) {
  std::string s;
  char t[4];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(t, sizeof t, "%02x ", b[i]);
    s += t;
  }
  if (!s.empty()) s.pop_back();
  return s;
}

void run_mode(bool code32, u64 seed, u64 count, Stats& st) {
  csh h;
  REQUIRE(cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &h) == CS_ERR_OK);
  Rng rng{seed};
  cs_insn* insn = cs_malloc(h);
  const DecodeMode mode{code32, true};
  for (u64 n = 0; n < count; ++n) {
    Case c{};
    c.code32 = code32;
    for (u8& x : c.buf) x = static_cast<u8>(rng.next());
    // Bias: a third of the strings exercise the 0F map, some start with prefixes.
    unsigned at = 0;
    if (rng.below(4) == 0) {
      static constexpr u8 kPfx[] = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65};
      const unsigned np = 1 + rng.below(3);
      for (unsigned i = 0; i < np; ++i) c.buf[at++] = kPfx[rng.below(sizeof kPfx)];
    }
    if (rng.below(3) == 0) c.buf[at] = 0x0F;
    c.ours = decode_buffer(c.buf, sizeof c.buf, mode, c.d);
    const u8* code = c.buf;
    size_t size = sizeof c.buf;
    u64 addr = 0x1000;
    const bool cs_ok = cs_disasm_iter(h, &code, &size, &addr, insn);
    c.cs = insn;
    if (!c.ours && !cs_ok) {
      ++st.both_reject;
      continue;
    }
    if (!cs_ok) {
      ++st.capstone_rejects;
      continue;
    }
    if (!c.ours) {
      ++st.ours_too_long;
      continue;
    }
    ++st.checked;
    bool excluded = false;
    for (const Exclusion& e : kExclusions) {
      if (e.match(c)) {
        ++st.excluded[e.name];
        excluded = true;
        break;
      }
    }
    if (excluded) {
      if (!c.d.info || !c.d.info->mnemonic) {
        // Not in our table: which opcodes does Capstone know there (a 486/P5 form
        // missing from our table would show up here)?
        char key[64];
        std::snprintf(key, sizeof key, "%03X %s", c.d.opcode, insn->mnemonic);
        ++st.not_in_table[key];
      }
      continue;
    }
    if (c.ours == insn->size) {
      ++st.agreed;
      continue;
    }
    char key[160];
    std::snprintf(key, sizeof key, "%s-bit opcode %03X (%s %s) vs capstone '%s'", code32 ? "32" : "16", c.d.opcode,
                  c.d.info && c.d.info->mnemonic ? c.d.info->mnemonic : "?", c.d.info ? c.d.info->operands : "",
                  insn->mnemonic);
    if (st.disagree[key]++ == 0) {
      char lens[48];
      std::snprintf(lens, sizeof lens, "  ours %u bytes, capstone %u", c.ours, insn->size);
      st.example[key] = hex(c.buf, sizeof c.buf) + lens + " (" + insn->mnemonic + " " + insn->op_str + ")";
    }
  }
  cs_free(insn, 1);
  cs_close(&h);
}

}  // namespace

TEST_CASE("002 given random byte strings when decoded by l4sim and Capstone then instruction lengths agree",
          "[diff][capstone]") {
  const u64 seed = test::fuzz_seed(kDefaultSeed);
  const u64 count = static_cast<u64>(kBaseStrings * test::fuzz_scale());
  std::printf("capstone lengths: seed %#llx (L4SIM_FUZZ_SEED), %llu strings per mode\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(count));
  Stats st;
  run_mode(true, seed, count, st);
  run_mode(false, seed ^ 0x16, count, st);
  u64 disagreements = 0;
  for (const auto& [key, n] : st.disagree) {
    std::printf("LENGTH DISAGREEMENT x%llu: %s\n    e.g. %s\n", static_cast<unsigned long long>(n), key.c_str(),
                st.example[key].c_str());
    disagreements += n;
  }
  std::string nit;
  for (const auto& [key, n] : st.not_in_table) nit += key + ", ";
  std::printf("opcodes not in our table that Capstone decodes (opcode, Capstone mnemonic): %s\n", nit.c_str());
  for (const Exclusion& e : kExclusions)
    std::printf("excluded %-12s %8llu  (%s)\n", e.name, static_cast<unsigned long long>(st.excluded[e.name]), e.reason);
  std::printf(
      "capstone lengths: %llu strings, %llu decoded by both, %llu compared and agreed, %llu disagreed; "
      "capstone rejected %llu, ours over 15 bytes %llu, both rejected %llu\n",
      static_cast<unsigned long long>(2 * count), static_cast<unsigned long long>(st.checked),
      static_cast<unsigned long long>(st.agreed), static_cast<unsigned long long>(disagreements),
      static_cast<unsigned long long>(st.capstone_rejects), static_cast<unsigned long long>(st.ours_too_long),
      static_cast<unsigned long long>(st.both_reject));
  CHECK(st.agreed > 0);
  CHECK(disagreements == 0);
}
