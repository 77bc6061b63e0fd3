#include "tlb/replacement.hpp"

#include "common/error.hpp"

namespace l4sim {

namespace {
u32 log2_exact(u32 v) {
  u32 l = 0;
  while ((1u << l) < v) ++l;
  return l;
}
}  // namespace

TreePlru::TreePlru(u32 sets, u32 ways) : ways_(ways), levels_(log2_exact(ways)), packed_(ways <= 32) {
  if (ways == 0 || (ways & (ways - 1)) != 0) throw ConfigError("tree pseudo-LRU needs a power-of-two number of ways");
  if (packed_) {
    words_.assign(sets, 0);
    path_mask_.assign(ways, 0);
    path_value_.assign(ways, 0);
    for (u32 way = 0; way < ways; ++way) {
      u32 n = 1;
      for (u32 l = levels_; l-- > 0;) {
        const u32 right = (way >> l) & 1;
        path_mask_[way] |= 1u << n;
        if (!right) path_value_[way] |= 1u << n;  // point away from the half just used
        n = 2 * n + right;
      }
    }
  } else {
    bits_.assign(static_cast<size_t>(sets) * ways, 0);
  }
}

// Nodes are numbered as a heap: node 1 is the root, children of n are 2n, 2n+1.
// A bit of 0 means "the left half is older: evict there".
void TreePlru::touch_wide(u32 set, u32 way) {
  u8* b = &bits_[static_cast<size_t>(set) * ways_];
  u32 node = 1;
  for (u32 l = levels_; l-- > 0;) {
    const u32 right = (way >> l) & 1;
    b[node] = static_cast<u8>(right ? 0 : 1);  // point away from the half just used
    node = 2 * node + right;
  }
}

bool TreePlru::node(u32 set, u32 n) const {
  return packed_ ? ((words_[set] >> n) & 1) != 0 : bits_[static_cast<size_t>(set) * ways_ + n] != 0;
}

u32 TreePlru::victim(u32 set) const {
  u32 n = 1;
  u32 way = 0;
  for (u32 l = 0; l < levels_; ++l) {
    const u32 right = node(set, n) ? 1 : 0;
    way = (way << 1) | right;
    n = 2 * n + right;
  }
  return way;
}

void TreePlru::reset() {
  std::fill(words_.begin(), words_.end(), 0);
  std::fill(bits_.begin(), bits_.end(), 0);
}

TrueLru::TrueLru(u32 sets, u32 ways) : ways_(ways), age_(static_cast<size_t>(sets) * ways, 0) {}

void TrueLru::touch(u32 set, u32 way) { age_[static_cast<size_t>(set) * ways_ + way] = ++clock_; }

u32 TrueLru::victim(u32 set) const {
  const u64* a = &age_[static_cast<size_t>(set) * ways_];
  u32 best = 0;
  for (u32 w = 1; w < ways_; ++w)
    if (a[w] < a[best]) best = w;
  return best;
}

void TrueLru::reset() {
  std::fill(age_.begin(), age_.end(), 0);
  clock_ = 0;
}

Fifo::Fifo(u32 sets, u32 ways) : ways_(ways), next_(sets, 0) {}

void Fifo::reset() { std::fill(next_.begin(), next_.end(), 0); }

std::unique_ptr<ReplacementPolicy> make_replacement(const std::string& name, u32 sets, u32 ways) {
  if (name == "plru") return std::make_unique<TreePlru>(sets, ways);
  if (name == "lru") return std::make_unique<TrueLru>(sets, ways);
  if (name == "fifo") return std::make_unique<Fifo>(sets, ways);
  throw ConfigError("unknown replacement policy '" + name + "' (expected plru, lru or fifo)");
}

}  // namespace l4sim
