// Replacement policies for set-associative structures (TLB, cache). Each policy
// keeps its own per-set state; the owner calls touch() on every hit and fill and
// victim() to choose a way to evict.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/types.hpp"

namespace l4sim {

class ReplacementPolicy {
 public:
  virtual ~ReplacementPolicy() = default;
  virtual void touch(u32 set, u32 way) = 0;                 // a hit on (set, way)
  virtual void fill(u32 set, u32 way) { touch(set, way); }  // a new line/entry placed there
  virtual u32 victim(u32 set) const = 0;
  virtual void reset() = 0;
};

// Tree pseudo-LRU as on the i486 (Intel486 HRM fig. 3-7: three bits per set for
// four ways). Generalised to any power-of-two number of ways: ways-1 bits per set.
// Each internal node's bit points to the half that was used less recently.
//
// Up to 32 ways a set's bits are one word, and a touch is a precomputed mask
// and value per way (the nodes on the way's path, pointed away from it): it
// runs on every cache and TLB hit outside a set's most recently used way, so
// its owners call touch_fast() directly, without a virtual call.
class TreePlru final : public ReplacementPolicy {
 public:
  TreePlru(u32 sets, u32 ways);
  void touch(u32 set, u32 way) override { touch_fast(set, way); }
  void touch_fast(u32 set, u32 way) {
    if (packed_)
      words_[set] = (words_[set] & ~path_mask_[way]) | path_value_[way];
    else
      touch_wide(set, way);
  }
  u32 victim(u32 set) const override;
  void reset() override;

 private:
  void touch_wide(u32 set, u32 way);
  bool node(u32 set, u32 n) const;  // node n's bit (1: the right half is older)

  u32 ways_;
  u32 levels_;
  bool packed_;                 // ways <= 32: one word per set
  std::vector<u32> words_;      // packed: bit n = node n (nodes 1..ways-1)
  std::vector<u32> path_mask_;  // packed: per way, the nodes on its path
  std::vector<u32> path_value_;
  std::vector<u8> bits_;  // wide: (ways-1) bits per set, one byte per node
};

// True LRU by age counters, for what-if comparisons.
class TrueLru final : public ReplacementPolicy {
 public:
  TrueLru(u32 sets, u32 ways);
  void touch(u32 set, u32 way) override;
  u32 victim(u32 set) const override;
  void reset() override;

 private:
  u32 ways_;
  u64 clock_ = 0;
  std::vector<u64> age_;
};

// FIFO (round robin per set), for what-ifs.
class Fifo final : public ReplacementPolicy {
 public:
  Fifo(u32 sets, u32 ways);
  void touch(u32, u32) override {}
  void fill(u32 set, u32 way) override { next_[set] = (way + 1) % ways_; }
  u32 victim(u32 set) const override { return next_[set]; }
  void reset() override;

 private:
  u32 ways_;
  std::vector<u32> next_;
};

// Builds a policy by name: "plru", "lru", "fifo". Throws ConfigError otherwise.
std::unique_ptr<ReplacementPolicy> make_replacement(const std::string& name, u32 sets, u32 ways);

}  // namespace l4sim
