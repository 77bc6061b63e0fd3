#include "cache/cache.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace l4sim {

namespace {
constexpr u32 kMinLine = 4;     // one 32-bit bus transfer
constexpr u32 kMaxLine = 4096;  // a page: larger lines would straddle page translations

bool pow2(u32 v) { return v != 0 && (v & (v - 1)) == 0; }

u32 log2_exact(u32 v) {
  u32 l = 0;
  while ((1u << l) < v) ++l;
  return l;
}
}  // namespace

void CacheGeometry::validate(std::string_view key) const {
  if (!pow2(size)) throw ConfigError(fmt::format("{}.size ({}) must be a power of two", key, size));
  if (!pow2(line) || line < kMinLine)
    throw ConfigError(fmt::format("{}.line ({}) must be a power of two of at least {} bytes", key, line, kMinLine));
  if (line > kMaxLine)
    throw ConfigError(fmt::format("{}.line ({}) is larger than a page ({} bytes)", key, line, kMaxLine));
  if (!pow2(ways)) throw ConfigError(fmt::format("{}.ways ({}) must be a power of two", key, ways));
  const u32 lines = size / line;  // 0 when the line is larger than the cache
  if (ways > lines)
    throw ConfigError(fmt::format("{0}.ways ({1}) exceeds the number of lines ({2} = {0}.size {3} / {0}.line {4})", key,
                                  ways, lines, size, line));
  if (replacement != "plru" && replacement != "lru" && replacement != "fifo")
    throw ConfigError(fmt::format("unknown {}.replacement '{}' (expected plru, lru or fifo)", key, replacement));
  if (!parse_write_policy(write_policy))
    throw ConfigError(
        fmt::format("unknown {}.write_policy '{}' (expected write-through or write-back)", key, write_policy));
}

Cache::Cache(const CacheGeometry& g) : geo_(g) {
  geo_.validate();
  policy_ = *parse_write_policy(geo_.write_policy);
  sets_ = geo_.sets();
  line_shift_ = log2_exact(geo_.line);
  line_mask_ = geo_.line - 1;
  set_mask_ = sets_ - 1;
  tags_.assign(static_cast<size_t>(sets_) * geo_.ways, kInvalid);
  dirty_.assign(tags_.size(), 0);
  repl_ = make_replacement(geo_.replacement, sets_, geo_.ways);
  plru_ = dynamic_cast<TreePlru*>(repl_.get());
  mru_.assign(sets_, 0);
}

CacheResult Cache::access_slow(u32 line_no, CacheOp op) {
  const u32 set = line_no & set_mask_;
  const u32 base = set * geo_.ways;
  for (u32 w = 0; w < geo_.ways; ++w)
    if (tags_[base + w] == line_no) {
      // Write hits update the replacement state too: the i486's LRU bits are
      // updated on each access to the set and the HRM (fig. 3-7) does not
      // exempt write hits. A model choice where the source is silent.
      touch(set, w);
      mru_[set] = w;
      return hit(base + w, op);
    }

  CacheResult r;
  switch (op) {
    case CacheOp::kRead: ++stats_.read_misses; break;
    case CacheOp::kFetch: ++stats_.fetch_misses; break;
    case CacheOp::kWrite:
      ++stats_.write_misses;
      // i486: a write miss goes to memory and leaves the cache alone (HRM §3.3).
      if (!geo_.write_allocate) {
        r.write_through = true;
        return r;
      }
      break;
  }

  u32 way = geo_.ways;
  // HRM fig. 3-7: "are all four lines in the set valid?" comes before the LRU
  // bits are consulted, so an invalid way (the lowest) is filled first.
  for (u32 w = 0; w < geo_.ways; ++w)
    if (tags_[base + w] == kInvalid) {
      way = w;
      break;
    }
  if (way == geo_.ways) way = repl_->victim(set);
  const u32 index = base + way;
  if (tags_[index] != kInvalid && dirty_[index]) {
    r.wrote_back = true;
    r.victim_line = tags_[index] << line_shift_;
    ++stats_.writebacks;
  }
  tags_[index] = line_no;
  dirty_[index] = 0;
  repl_->fill(set, way);
  ++stats_.fills;
  r.filled = true;
  mru_[set] = way;
  if (op == CacheOp::kWrite) {  // write-allocate: the write lands in the new line
    if (policy_ == WritePolicy::kWriteBack)
      dirty_[index] = 1;
    else
      r.write_through = true;
  }
  return r;
}

bool Cache::probe(u32 phys) const {
  const u32 line_no = phys >> line_shift_;
  const u32 base = (line_no & set_mask_) * geo_.ways;
  for (u32 w = 0; w < geo_.ways; ++w)
    if (tags_[base + w] == line_no) return true;
  return false;
}

void Cache::invalidate_all() {
  std::fill(tags_.begin(), tags_.end(), kInvalid);
  std::fill(dirty_.begin(), dirty_.end(), 0);
  repl_->reset();
}

u32 Cache::flush_all() {
  u32 n = 0;
  for (size_t i = 0; i < tags_.size(); ++i) n += (tags_[i] != kInvalid && dirty_[i]) ? 1 : 0;
  stats_.writebacks += n;
  invalidate_all();
  return n;
}

}  // namespace l4sim
