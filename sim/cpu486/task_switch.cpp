// Placeholder: hardware task switch (helper task in progress).
#include "cpu486/task.hpp"

namespace l4sim {
void Cpu::task_switch(u16, const Descriptor&, int, u32, bool, u32) { throw CpuUnsupported("task switch not yet modelled"); }
}  // namespace l4sim
