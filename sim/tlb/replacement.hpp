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
class TreePlru final : public ReplacementPolicy {
 public:
  TreePlru(u32 sets, u32 ways);
  void touch(u32 set, u32 way) override;
  u32 victim(u32 set) const override;
  void reset() override;

 private:
  u32 ways_;
  u32 levels_;
  std::vector<u8> bits_;  // (ways-1) bits per set, one byte per node for simplicity
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
