// Guest physical memory as one anonymous host mapping. The host kernel hands
// out zero pages on first touch, so memory that the guest never writes costs
// nothing: start-up takes the same time for 16 MB and for 3 GB (the simulator
// used to zero all of it, a third of a short kernel run's time).
#pragma once

#include "common/types.hpp"

namespace l4sim {

class GuestRam {
 public:
  explicit GuestRam(u32 bytes);  // zero-filled; throws ConfigError if the host refuses the mapping
  ~GuestRam();
  GuestRam(const GuestRam&) = delete;
  GuestRam& operator=(const GuestRam&) = delete;

  u8* data() { return data_; }
  const u8* data() const { return data_; }
  u32 size() const { return size_; }
  u8& operator[](u32 i) { return data_[i]; }
  const u8& operator[](u32 i) const { return data_[i]; }

 private:
  u8* data_ = nullptr;
  u32 size_ = 0;
};

}  // namespace l4sim
