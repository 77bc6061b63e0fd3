// Decoded instructions cached by physical address (blink's approach): a slot per
// byte of each code page, filled on first execution and invalidated when the
// bytes are written (self-modifying code, code loaded by the guest).
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "cpu486/decoded.hpp"

namespace l4sim {

class DecodeCache {
 public:
  using Page = std::array<DecodedInsn, 4096>;

  explicit DecodeCache(u32 phys_pages) : pages_(phys_pages) {}

  // The slots of a physical page, or null outside cached memory. `fresh` is
  // set when the page had no slots yet (the caller marks it as code). A page's
  // slots stay where they are until clear().
  Page* page(u32 ppn, bool& fresh) {
    if (ppn >= pages_.size()) return nullptr;
    auto& p = pages_[ppn];
    fresh = !p;
    if (!p) p = std::make_unique<Page>();
    return p.get();
  }

  // Drops every slot whose instruction may overlap [phys, phys + size).
  void invalidate(u32 phys, unsigned size) {
    constexpr u32 kMaxInsn = 15;
    const u32 ppn = phys >> 12;
    if (ppn >= pages_.size() || !pages_[ppn]) return;
    Page& p = *pages_[ppn];
    const u32 off = phys & 0xFFF;
    const u32 first = off >= kMaxInsn - 1 ? off - (kMaxInsn - 1) : 0;
    const u32 last = off + size < 4096 ? off + size : 4096;
    for (u32 i = first; i < last; ++i)
      if (p[i].len && i + p[i].len > off) p[i].len = 0;
    // A write that reaches the next page is reported by the bus for that page too.
  }

  void clear() {
    for (auto& p : pages_) p.reset();
  }

 private:
  std::vector<std::unique_ptr<Page>> pages_;
};

}  // namespace l4sim
