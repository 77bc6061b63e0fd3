// Placeholder: far JMP/CALL/RET (helper task in progress).
#include "cpu486/task.hpp"

namespace l4sim {
void Cpu::far_jump(u16, u32, bool) { throw CpuUnsupported("far jump not yet modelled"); }
void Cpu::far_call(u16, u32, bool) { throw CpuUnsupported("far call not yet modelled"); }
void Cpu::far_return(bool, u16) { throw CpuUnsupported("far return not yet modelled"); }
}  // namespace l4sim
