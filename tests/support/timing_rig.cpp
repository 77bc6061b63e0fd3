#include "support/timing_rig.hpp"

#include <stdexcept>

#include "support/asm.hpp"

namespace l4sim::test {

std::vector<TimedStep> TimingRig::run(const std::string& setup, const std::string& body, const std::string& before,
                                      u32 iterations, bool ring3) {
  // setup, jump to the loop at +0x80; the loop's "before" part is padded with
  // NOPs up to +0x100 (the body), which is 16-byte aligned so a body
  // instruction never starts split across cache lines.
  const std::string src = setup + "\nmov dword ptr [" + std::to_string(kCounter) + "], " + std::to_string(iterations) +
                          "\njmp loop\n.org 0x80, 0x90\nloop:\n" + before + "\n.org 0x100, 0x90\n" + body +
                          "\nbody_end:\ndec dword ptr [" + std::to_string(kCounter) +
                          "]\njnz loop\nmov eax, 0\nout 0xF4, eax\n";
  tm.load(kOrg, assemble(src, kOrg, 32));
  tm.setup_flat32(kOrg);
  if (ring3) tm.enter_ring3();
  if (after_setup) after_setup(tm);
  tm.io.exited = false;
  in_body_ = false;
  passes_.clear();
  if (!tm.run_until_exit(1000000)) throw std::runtime_error("timing rig: the program did not finish");
  if (passes_.empty()) throw std::runtime_error("timing rig: the body never ran");
  return passes_.back();
}

void TimingRig::on_step(const InsnEvent& ev) {
  const u32 c = model.step(ev, now);
  now += c;
  const u32 at = ev.cs_base + ev.eip;
  if (at == kTarget && ev.rep_iteration == 0 && ev.insn) {
    passes_.emplace_back();
    in_body_ = true;
  }
  // The body ends at the loop control (dec dword ptr [kCounter]: FF 0D).
  if (in_body_ && ev.insn && ev.insn->opcode == 0xFF && ev.insn->modrm == 0x0D && ev.insn->disp == kCounter)
    in_body_ = false;
  if (in_body_) passes_.back().push_back(TimedStep{at, c, model.last()});
}

}  // namespace l4sim::test
