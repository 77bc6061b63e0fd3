#include "devices/debug_ports.hpp"

#include <spdlog/spdlog.h>

namespace l4sim {

u32 DebugPorts::io_read(u16 port, unsigned size) {
  if (port == kConsole && size == 1) return 0xE9;  // Bochs convention: reading E9 returns E9 (port present)
  return size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
}

void DebugPorts::io_write(u16 port, unsigned size, u32 value) {
  if (port >= kExit && port < kExit + kExitPorts) {
    // isa-debug-exit takes the whole access, whatever its width.
    exit_requested_ = true;
    exit_value_ = value;
    return;
  }
  switch (port) {
    case kConsole: console_(static_cast<char>(value)); break;
    case kPost:
    case kPost2:
      last_post_ = static_cast<int>(value & 0xFF);
      spdlog::debug("POST code {:#04x} (port {:#x})", value & 0xFF, port);
      break;
    default: spdlog::trace("write to debug port {:#06x} (size {}) value {:#x}", port, size, value); break;
  }
}

}  // namespace l4sim
