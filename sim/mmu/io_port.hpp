// Interface between the CPU's IN/OUT instructions and port-mapped devices.
#pragma once

#include "common/types.hpp"

namespace l4sim {

class IoPortHandler {
 public:
  virtual ~IoPortHandler() = default;
  // size is 1, 2 or 4 bytes. Reads of ports nobody claims return all ones, as on a PC.
  virtual u32 io_read(u16 port, unsigned size) = 0;
  virtual void io_write(u16 port, unsigned size, u32 value) = 0;
};

}  // namespace l4sim
