#include "mmu/guest_ram.hpp"

#include <fmt/format.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace l4sim {

GuestRam::GuestRam(u32 bytes) : size_(bytes) {
  if (bytes == 0) return;
  // Private and anonymous: zero on first touch. No reservation of swap for
  // pages the guest never writes.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    throw ConfigError(fmt::format("cannot allocate {} MB of guest memory: {}", bytes >> 20, std::strerror(errno)));
  data_ = static_cast<u8*>(p);
}

GuestRam::~GuestRam() {
  if (data_) munmap(data_, size_);
}

}  // namespace l4sim
