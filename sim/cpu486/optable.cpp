#include "cpu486/optable.hpp"

#include <cctype>
#include <cstring>
#include <stdexcept>
#include <string>

namespace l4sim {

namespace {

// Derive the immediate kind from the operand string. Only I, J, A and O operands
// carry bytes after the ModRM/SIB/displacement.
ImmKind imm_kind(const char* operands) {
  const std::string s(operands);
  if (s.find("Iw,Ib") != std::string::npos) return ImmKind::kWB;
  if (s.find("Ap") != std::string::npos) return ImmKind::kFarPtr;
  if (s.find('O') != std::string::npos) return ImmKind::kMoffs;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != 'I' && s[i] != 'J') continue;
    if (i > 0 && std::isalpha(static_cast<unsigned char>(s[i - 1]))) continue;  // part of a register name
    switch (s[i + 1]) {
      case 'b': return ImmKind::kB;
      case 'w': return ImmKind::kW;
      case 'z':
      case 'v': return ImmKind::kZ;
      default: break;
    }
  }
  return ImmKind::kNone;
}

bool operands_need_modrm(const char* operands) {
  // E, G, M, R, S, C, D, T operands come from ModRM (Intel SDM vol. 2 §A.2.1).
  const std::string s(operands);
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool start = (i == 0 || s[i - 1] == ',');
    if (start && std::strchr("EGMRSCDT", c) && i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1])))
      return true;
  }
  return false;
}

}  // namespace

OpTable::OpTable() { group_.fill(-1); }

OpInfo OpTable::make(const char* mnemonic, const char* operands, Handler h16, Handler h32, u16 flags) {
  OpInfo o;
  o.mnemonic = mnemonic;
  o.operands = operands;
  o.h16 = h16;
  o.h32 = h32;
  o.flags = flags;
  o.imm = imm_kind(operands);
  o.id = next_id_++;
  return o;
}

void OpTable::set(u16 opcode, const char* mnemonic, const char* operands, Handler h16, Handler h32, u16 flags) {
  if (opcode >= 512) throw std::logic_error("opcode out of range");
  if (group_[opcode] >= 0 || ops_[opcode].mnemonic)
    throw std::logic_error(std::string("opcode registered twice: ") + mnemonic);
  ops_[opcode] = make(mnemonic, operands, h16, h32, flags);
  modrm_[opcode] = (flags & kOpModrm) || operands_need_modrm(operands);
  reg_only_[opcode] = operands[0] == 'R' || std::strstr(operands, ",R") != nullptr;
}

void OpTable::set_group(u16 opcode, u8 reg, const char* mnemonic, const char* operands, Handler h16, Handler h32,
                        u16 flags) {
  if (opcode >= 512 || reg > 7) throw std::logic_error("group opcode out of range");
  if (ops_[opcode].mnemonic) throw std::logic_error(std::string("group opcode already a plain form: ") + mnemonic);
  if (group_[opcode] < 0) {
    group_[opcode] = static_cast<int>(groups_.size());
    groups_.emplace_back();
  }
  OpInfo& slot = groups_[static_cast<size_t>(group_[opcode])][reg];
  if (slot.mnemonic) throw std::logic_error(std::string("group form registered twice: ") + mnemonic);
  slot = make(mnemonic, operands, h16, h32, flags);
  modrm_[opcode] = true;
}

std::vector<const OpInfo*> OpTable::all_forms() const {
  std::vector<const OpInfo*> v;
  for (const OpInfo& o : ops_)
    if (o.mnemonic) v.push_back(&o);
  for (const auto& g : groups_)
    for (const OpInfo& o : g)
      if (o.mnemonic) v.push_back(&o);
  return v;
}

const OpTable& op_table() {
  static const OpTable table = [] {
    OpTable t;
    register_alu(t);
    register_shift(t);
    register_muldiv(t);
    register_bcd(t);
    register_bitops(t);
    register_datamov(t);
    register_stack(t);
    register_control(t);
    register_string(t);
    register_io(t);
    register_flagops(t);
    register_system(t);
    register_segment_insns(t);
    register_x87(t);
    register_far_control(t);
    return t;
  }();
  return table;
}

}  // namespace l4sim
