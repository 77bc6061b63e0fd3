#include "machine/debug_ports.hpp"

#include <spdlog/spdlog.h>

namespace l4sim {

u32 DebugPorts::io_read(u16 port, unsigned size) {
  if (port == 0xE9 && size == 1) return 0xE9;  // Bochs convention: reading E9 returns E9 (port present)
  return size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
}

void DebugPorts::io_write(u16 port, unsigned size, u32 value) {
  switch (port) {
    case 0xE9: console_(static_cast<char>(value)); break;
    case 0xF4:
      exit_requested_ = true;
      exit_value_ = value;
      break;
    case 0x80: spdlog::debug("POST code {:#04x}", value & 0xFF); break;
    default: spdlog::trace("write to unclaimed port {:#06x} (size {}) value {:#x}", port, size, value); break;
  }
}

}  // namespace l4sim
