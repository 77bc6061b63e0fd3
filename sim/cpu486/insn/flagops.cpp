// Flag instructions: CLC/STC/CMC (F8/F9/F5), CLD/STD (FC/FD), CLI/STI (FA/FB).
#include "cpu486/cpu.hpp"
#include "cpu486/optable.hpp"

namespace l4sim {
namespace {

void clc(Cpu& c, const DecodedInsn&) { c.set_flag(fl::CF, false); }
void stc(Cpu& c, const DecodedInsn&) { c.set_flag(fl::CF, true); }
void cmc(Cpu& c, const DecodedInsn&) { c.s.eflags ^= fl::CF; }
void cld(Cpu& c, const DecodedInsn&) { c.set_flag(fl::DF, false); }
void std_(Cpu& c, const DecodedInsn&) { c.set_flag(fl::DF, true); }

// Where IF may be changed directly (Intel SDM vol. 2 "CLI", "STI"): always in
// real mode; in protected mode when CPL <= IOPL; in v86 mode when IOPL = 3.
// Otherwise the Pentium's virtual interrupt extensions change VIF instead
// (protected mode: CPL 3 with CR4.PVI; v86: CR4.VME), else #GP(0). The i486 has
// no CR4, so there the only alternative is #GP(0).
enum class IfAccess { kIf, kVif };

IfAccess if_access(Cpu& c) {
  if (c.s.real_mode()) return IfAccess::kIf;
  if (!c.s.v86()) {
    if (c.s.cpl <= c.s.iopl()) return IfAccess::kIf;
    if (c.pentium() && c.s.cpl == 3 && (c.s.cr4 & cr4::PVI)) return IfAccess::kVif;
  } else {
    if (c.s.iopl() == 3) return IfAccess::kIf;
    if (c.pentium() && (c.s.cr4 & cr4::VME)) return IfAccess::kVif;
  }
  c.raise_gp(0);
}

void cli(Cpu& c, const DecodedInsn&) {
  if (if_access(c) == IfAccess::kIf)
    c.set_flag(fl::IF, false);
  else
    c.set_flag(fl::VIF, false);
}

// STI: external interrupts are recognised only after the NEXT instruction when
// STI changes IF from 0 to 1 (Intel SDM vol. 2 "STI"); if IF was already 1
// there is no interrupt shadow. The VIF form raises #GP(0) if VIP is set.
void sti(Cpu& c, const DecodedInsn&) {
  if (if_access(c) == IfAccess::kIf) {
    if (!c.flag(fl::IF)) c.inhibit_interrupts();
    c.set_flag(fl::IF, true);
  } else {
    if (c.flag(fl::VIP)) c.raise_gp(0);
    c.set_flag(fl::VIF, true);
  }
}

}  // namespace

void register_flagops(OpTable& t) {
  t.set(0xF8, "clc", "", clc);
  t.set(0xF9, "stc", "", stc);
  t.set(0xF5, "cmc", "", cmc);
  t.set(0xFC, "cld", "", cld);
  t.set(0xFD, "std", "", std_);
  t.set(0xFA, "cli", "", cli);
  t.set(0xFB, "sti", "", sti);
}

}  // namespace l4sim
