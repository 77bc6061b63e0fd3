#include "tlb/tlb.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace l4sim {

namespace {
bool pow2(u32 v) { return v != 0 && (v & (v - 1)) == 0; }
}  // namespace

void TlbGeometry::validate(std::string_view p, std::string_view repl_key) const {
  if (entries == 0) throw ConfigError(fmt::format("{}entries must be at least 1", p));
  if (ways == 0) throw ConfigError(fmt::format("{}ways must be at least 1", p));
  if (ways > entries) throw ConfigError(fmt::format("{0}ways ({1}) exceeds {0}entries ({2})", p, ways, entries));
  if (entries % ways != 0)
    throw ConfigError(fmt::format("{0}entries ({1}) is not a multiple of {0}ways ({2})", p, entries, ways));
  if (!pow2(entries / ways))
    throw ConfigError(
        fmt::format("the number of sets ({1} = {0}entries / {0}ways) must be a power of two", p, entries / ways));
  if (replacement != "plru" && replacement != "lru" && replacement != "fifo")
    throw ConfigError(fmt::format("unknown {} '{}' (expected plru, lru or fifo)", repl_key, replacement));
  if (replacement == "plru" && !pow2(ways))
    throw ConfigError(fmt::format("{}=plru needs a power-of-two number of ways, got {} ({}ways)", repl_key, ways, p));
}

Tlb::Tlb(const TlbGeometry& g) : geo_(g) {
  geo_.validate();
  sets_ = geo_.entries / geo_.ways;
  set_mask_ = sets_ - 1;
  entries_.resize(geo_.entries);
  repl_ = make_replacement(geo_.replacement, sets_, geo_.ways);
  plru_ = dynamic_cast<TreePlru*>(repl_.get());
  mru_.assign(sets_, 0);
}

TlbEntry* Tlb::lookup_slow(u32 set, u32 vpn, u32 tag) {
  TlbEntry* e = &entries_[set * geo_.ways];
  for (u32 w = 0; w < geo_.ways; ++w)
    if (e[w].valid && e[w].vpn == vpn && e[w].tag == tag) {
      touch(set, w);
      mru_[set] = w;
      return &e[w];
    }
  ++stats_.misses;
  return nullptr;
}

const TlbEntry* Tlb::peek(u32 vpn, u32 tag) const {
  const u32 set = vpn & set_mask_;
  const TlbEntry* e = &entries_[set * geo_.ways];
  for (u32 w = 0; w < geo_.ways; ++w)
    if (e[w].valid && e[w].vpn == vpn && e[w].tag == tag) return &e[w];
  return nullptr;
}

TlbEntry* Tlb::insert(const TlbEntry& ne) {
  const u32 set = ne.vpn & set_mask_;
  TlbEntry* e = &entries_[set * geo_.ways];
  u32 way = geo_.ways;
  for (u32 w = 0; w < geo_.ways; ++w)  // an existing entry for the page is replaced in place
    if (e[w].valid && e[w].vpn == ne.vpn && e[w].tag == ne.tag) way = w;
  if (way == geo_.ways)
    for (u32 w = 0; w < geo_.ways; ++w)
      if (!e[w].valid) {
        way = w;
        break;
      }
  if (way == geo_.ways) way = repl_->victim(set);
  valid_ += !e[way].valid;
  e[way] = ne;
  e[way].valid = true;
  repl_->fill(set, way);
  mru_[set] = way;
  return &e[way];
}

void Tlb::flush_all() {
  ++stats_.flushes;
  for (TlbEntry& e : entries_) e.valid = false;
  valid_ = 0;
}

void Tlb::flush_page(u32 vpn) {
  ++stats_.invlpgs;
  const u32 set = vpn & set_mask_;
  TlbEntry* e = &entries_[set * geo_.ways];
  for (u32 w = 0; w < geo_.ways; ++w)
    if (e[w].valid && e[w].vpn == vpn) {
      e[w].valid = false;
      --valid_;
    }
}

}  // namespace l4sim
