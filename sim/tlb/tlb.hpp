// The architectural TLB: the translation the CPU actually uses (DESIGN.md §1).
// Untagged by default as on the i486/Pentium: never coherent with the page tables
// except through flushes (CR3 load, CR0.PG/CR4 changes, INVLPG) and eviction, so a
// stale entry is used exactly as the chip would use it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.hpp"
#include "tlb/replacement.hpp"

namespace l4sim {

struct TlbGeometry {
  u32 entries = 32;  // i486: 32 entries, 4-way, 8 sets (Intel486 PRM; Embedded 486 HRM fig. 3-7)
  u32 ways = 4;
  std::string replacement = "plru";
  bool tagged = false;  // what-if: entries carry an address-space tag, CR3 loads do not flush

  // Throws ConfigError naming the problem for an impossible geometry. The
  // message names this TLB's keys: `prefix` + entries/ways ("tlb.",
  // "tlb.itlb_"), and the replacement key.
  void validate(std::string_view prefix = "tlb.", std::string_view replacement_key = "tlb.replacement") const;
};

// One cached translation. Permission bits are the combination of the PDE and PTE
// bits, as the i486 caches them.
struct TlbEntry {
  u32 vpn = 0;  // linear page number
  u32 ppn = 0;  // physical page number
  u32 tag = 0;  // address-space tag when tagged (CR3 page number), else 0
  bool valid = false;
  bool user = false;      // U/S of PDE and PTE both set
  bool writable = false;  // R/W of PDE and PTE both set
  bool dirty = false;     // D already set in the PTE (a write to a clean entry re-walks)
  bool large = false;     // came from a 4 MB page (Pentium PSE); held as 4 KB pieces
};

struct TlbStats {
  u64 lookups = 0;
  u64 misses = 0;
  u64 flushes = 0;
  u64 invlpgs = 0;
};

class Tlb {
 public:
  explicit Tlb(const TlbGeometry& g);

  const TlbGeometry& geometry() const { return geo_; }
  u32 sets() const { return sets_; }

  // Returns the matching valid entry and updates the replacement state, or null.
  // Every access of every instruction comes here, so the way touched last in
  // the set is tried first: a hit there needs no replacement update, because
  // touching the most recently used way again leaves every policy's state as
  // it is (tree PLRU points away from it already, LRU keeps the order, FIFO
  // ignores hits), and the result is exactly that of the full search.
  TlbEntry* lookup(u32 vpn, u32 tag = 0) {
    ++stats_.lookups;
    const u32 set = vpn & set_mask_;
    TlbEntry* m = &entries_[set * geo_.ways + mru_[set]];
    if (m->vpn == vpn && m->valid && m->tag == tag) return m;
    return lookup_slow(set, vpn, tag);
  }

  // Looks without disturbing replacement state or statistics (debuggers, tests).
  const TlbEntry* peek(u32 vpn, u32 tag = 0) const;

  // Places a translation, evicting by the replacement policy. Returns the entry.
  TlbEntry* insert(const TlbEntry& e);

  void flush_all();
  // Flush on CR3 load: everything when untagged; nothing when tagged (the tag changes).
  void flush_for_cr3_load() {
    if (!geo_.tagged) flush_all();
  }
  void flush_page(u32 vpn);  // INVLPG: every entry for this page, any tag

  // Kept as a count (the IPC probe asks after every step).
  u32 valid_entries() const { return valid_; }
  const TlbStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  const std::vector<TlbEntry>& entries() const { return entries_; }

 private:
  TlbEntry* lookup_slow(u32 set, u32 vpn, u32 tag);

  TlbGeometry geo_;
  u32 sets_;
  u32 set_mask_;
  std::vector<TlbEntry> entries_;
  std::unique_ptr<ReplacementPolicy> repl_;
  TreePlru* plru_ = nullptr;  // repl_ when it is tree PLRU: touched without a virtual call
  void touch(u32 set, u32 way) {
    if (plru_)
      plru_->touch_fast(set, way);
    else
      repl_->touch(set, way);
  }
  std::vector<u32> mru_;  // per set: the way touched or filled last
  TlbStats stats_;
  u32 valid_ = 0;  // valid entries
};

}  // namespace l4sim
