// The opcode map as data: one OpInfo per instruction form, shared by the decoder,
// the disassembler, the timing tables and the tests. Instruction families register
// their forms from their own files (insn/*.cpp).
#pragma once

#include <array>
#include <vector>

#include "cpu486/decoded.hpp"

namespace l4sim {

// How many immediate bytes follow the ModRM/SIB/displacement, derived from the
// operand string (Intel SDM vol. 2 appendix A notation).
enum class ImmKind : u8 {
  kNone,
  kB,       // Ib, Jb
  kW,       // Iw
  kZ,       // Iz, Jz, Iv: 2 or 4 by operand size
  kWB,      // ENTER Iw,Ib
  kFarPtr,  // Ap: offset (operand size) then selector
  kMoffs,   // Ob, Ov: offset of address size
};

enum OpFlags : u16 {
  kOpNone = 0,
  kOpModrm = 1,      // has a ModRM byte
  kOpLockable = 2,   // LOCK is legal when the destination is memory
  kOpPentium = 4,    // only on the Pentium model (CPUID, RDTSC, RDMSR, WRMSR, CMPXCHG8B)
  kOpPriv = 8,       // privileged (CPL 0), for documentation and tests
  kOpBranch = 16,    // may change the flow of control
  kOpString = 32,    // string instruction honouring REP prefixes
  kOpX87 = 64,       // x87 escape
  kOpMemOnly = 128,  // ModRM operand must be memory; register form is #UD
};

struct OpInfo {
  const char* mnemonic = nullptr;  // null marks an undefined opcode (#UD)
  const char* operands = "";       // e.g. "Ev,Gv"
  Handler h16 = nullptr;           // handler for 16-bit operand size (and byte forms)
  Handler h32 = nullptr;           // handler for 32-bit operand size
  u16 flags = 0;
  ImmKind imm = ImmKind::kNone;
  u16 id = 0;  // dense index over all registered forms (timing tables key on it)
};

class OpTable {
 public:
  OpTable();

  // opcode: 0x00-0xFF for the one-byte map, 0x100 | b for 0F b.
  void set(u16 opcode, const char* mnemonic, const char* operands, Handler h16, Handler h32, u16 flags = 0);
  void set(u16 opcode, const char* mnemonic, const char* operands, Handler h, u16 flags = 0) {
    set(opcode, mnemonic, operands, h, h, flags);
  }
  // A form selected by ModRM.reg (opcode groups).
  void set_group(u16 opcode, u8 reg, const char* mnemonic, const char* operands, Handler h16, Handler h32,
                 u16 flags = 0);
  void set_group(u16 opcode, u8 reg, const char* mnemonic, const char* operands, Handler h, u16 flags = 0) {
    set_group(opcode, reg, mnemonic, operands, h, h, flags);
  }

  bool has_modrm(u16 opcode) const { return modrm_[opcode]; }
  // The ModRM r/m field always names a register whatever its mod bits (the "R"
  // operands of MOV CRn/DRn, Intel SDM vol. 2 "MOV—Move to/from Control
  // Registers": "the two bits in the mod field are ignored").
  bool modrm_reg_only(u16 opcode) const { return reg_only_[opcode]; }
  bool is_group(u16 opcode) const { return group_[opcode] >= 0; }
  const OpInfo& lookup(u16 opcode, u8 modrm) const {
    const int g = group_[opcode];
    return g >= 0 ? groups_[static_cast<size_t>(g)][(modrm >> 3) & 7] : ops_[opcode];
  }
  std::vector<const OpInfo*> all_forms() const;
  u16 form_count() const { return next_id_; }

 private:
  OpInfo make(const char* mnemonic, const char* operands, Handler h16, Handler h32, u16 flags);
  std::array<OpInfo, 512> ops_{};
  std::array<bool, 512> modrm_{};
  std::array<bool, 512> reg_only_{};
  std::array<int, 512> group_{};
  std::vector<std::array<OpInfo, 8>> groups_;
  u16 next_id_ = 1;  // 0 is "undefined"
};

// The instruction set of the modelled CPUs, built once on first use. Immutable
// after construction, so it is shared data rather than machine state.
const OpTable& op_table();

// Registration functions of the instruction families (insn/*.cpp).
void register_alu(OpTable& t);
void register_shift(OpTable& t);
void register_muldiv(OpTable& t);
void register_bcd(OpTable& t);
void register_bitops(OpTable& t);
void register_datamov(OpTable& t);
void register_stack(OpTable& t);
void register_control(OpTable& t);
void register_string(OpTable& t);
void register_io(OpTable& t);
void register_flagops(OpTable& t);
void register_system(OpTable& t);
void register_segment_insns(OpTable& t);
void register_x87(OpTable& t);
void register_far_control(OpTable& t);

}  // namespace l4sim
