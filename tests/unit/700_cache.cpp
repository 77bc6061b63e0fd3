#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "common/error.hpp"

using namespace l4sim;

namespace {
// With the i486 geometry (128 sets of 16-byte lines) addresses 2 KB apart share a set.
constexpr u32 kSetStride = 128 * 16;
u32 line_in_set0(u32 i) { return i * kSetStride; }

CacheGeometry with_replacement(const char* r) {
  CacheGeometry g;
  g.replacement = r;
  return g;
}

CacheGeometry write_back_allocate() {
  CacheGeometry g;
  g.write_policy = "write-back";
  g.write_allocate = true;
  return g;
}

std::vector<u32> resident(const Cache& c, u32 n) {
  std::vector<u32> v;
  for (u32 i = 0; i < n; ++i)
    if (c.probe(line_in_set0(i))) v.push_back(i);
  return v;
}
}  // namespace

TEST_CASE("700: cache i486 geometry has 128 sets and a read hits after its miss fills the line", "[cache]") {
  GIVEN("the default geometry (8 KB 4-way 16-byte lines)") {
    Cache c(CacheGeometry{});
    REQUIRE(c.sets() == 128);
    REQUIRE(c.geometry().sets() == 128);
    WHEN("a byte is read twice and a neighbour in the same line is read") {
      const CacheResult first = c.access(0x12345, CacheOp::kRead);
      const CacheResult second = c.access(0x12345, CacheOp::kRead);
      const CacheResult same_line = c.access(0x1234F, CacheOp::kRead);
      const CacheResult next_line = c.access(0x12350, CacheOp::kRead);
      THEN("the first misses and fills and the others in the line hit") {
        CHECK_FALSE(first.hit);
        CHECK(first.filled);
        CHECK_FALSE(first.wrote_back);
        CHECK(second.hit);
        CHECK_FALSE(second.filled);
        CHECK(same_line.hit);
        CHECK_FALSE(next_line.hit);
        CHECK(c.probe(0x12340));
        CHECK(c.line_address(0x1234F) == 0x12340);
        CHECK_FALSE(c.probe(0x12360));
      }
    }
  }
}

TEST_CASE("701: cache 4-way PLRU evicts the tree victim when a fifth line maps to a full set", "[cache]") {
  Cache c(CacheGeometry{});
  for (u32 i = 0; i < 4; ++i) REQUIRE(c.access(line_in_set0(i), CacheOp::kRead).filled);
  // Fills went to ways 0..3 in order (invalid ways first). TreePlru after
  // touching 0 1 2 3: the root points left (3 was right) and the left node at
  // way 0 (1 was used after 0), the same victim TreePlru::victim reports.
  TreePlru reference(1, 4);
  for (u32 w = 0; w < 4; ++w) reference.fill(0, w);
  REQUIRE(reference.victim(0) == 0);

  CHECK_FALSE(c.access(line_in_set0(4), CacheOp::kRead).hit);
  CHECK(resident(c, 6) == std::vector<u32>{1, 2, 3, 4});
  // Line 4 took way 0, so the root now points right, and the right node at way
  // 2 (3 was used after 2): line 2 goes next, where true LRU would pick line 1.
  reference.fill(0, 0);
  REQUIRE(reference.victim(0) == 2);
  c.access(line_in_set0(5), CacheOp::kRead);
  CHECK(resident(c, 6) == std::vector<u32>{1, 3, 4, 5});
}

TEST_CASE("702: cache PLRU LRU and FIFO each evict a different line for the same sequence", "[cache]") {
  // Fill lines 0..3 of set 0, hit line 0 again, then bring in line 4:
  //  * true LRU evicts line 1 (least recently used);
  //  * FIFO evicts line 0 (first in, the hit does not count);
  //  * tree PLRU evicts line 2: the hit on way 0 turns the root right, and the
  //    right node points at way 2 because way 3 was filled after it.
  struct Case {
    const char* policy;
    std::vector<u32> survivors;
  };
  for (const Case& k : {Case{"lru", {0, 2, 3, 4}}, Case{"fifo", {1, 2, 3, 4}}, Case{"plru", {0, 1, 3, 4}}}) {
    INFO(k.policy);
    Cache c(with_replacement(k.policy));
    for (u32 i = 0; i < 4; ++i) c.access(line_in_set0(i), CacheOp::kRead);
    REQUIRE(c.access(line_in_set0(0), CacheOp::kRead).hit);
    REQUIRE(c.access(line_in_set0(4), CacheOp::kRead).filled);
    CHECK(resident(c, 5) == k.survivors);
  }
}

TEST_CASE("703: cache write-through no-allocate sends writes to memory and never dirties a line", "[cache]") {
  Cache c(CacheGeometry{});
  WHEN("a write misses") {
    const CacheResult r = c.access(0x4000, CacheOp::kWrite);
    THEN("it goes to memory without allocating") {
      CHECK_FALSE(r.hit);
      CHECK_FALSE(r.filled);
      CHECK(r.write_through);
      CHECK_FALSE(c.probe(0x4000));
    }
  }
  WHEN("a write hits a line brought in by a read") {
    c.access(0x4000, CacheOp::kRead);
    const CacheResult r = c.access(0x4004, CacheOp::kWrite);
    THEN("it still goes to memory and the line stays clean") {
      CHECK(r.hit);
      CHECK(r.write_through);
      CHECK_FALSE(r.filled);
      // Evicting the line (four more lines in its set) never reports a write-back.
      bool any_writeback = false;
      for (u32 i = 1; i <= 4; ++i) any_writeback |= c.access(0x4000 + i * kSetStride, CacheOp::kRead).wrote_back;
      CHECK_FALSE(c.probe(0x4000));
      CHECK_FALSE(any_writeback);
      CHECK(c.flush_all() == 0);
      CHECK(c.stats().writebacks == 0);
    }
  }
}

TEST_CASE("704: cache write-back write-allocate dirties on a write miss and writes the victim back", "[cache]") {
  Cache c(write_back_allocate());
  const CacheResult w = c.access(line_in_set0(0) + 8, CacheOp::kWrite);
  CHECK_FALSE(w.hit);
  CHECK(w.filled);
  CHECK_FALSE(w.write_through);
  CHECK(c.probe(line_in_set0(0)));
  for (u32 i = 1; i < 4; ++i) c.access(line_in_set0(i), CacheOp::kRead);
  // A write hit on a clean line dirties it without going to memory.
  CHECK_FALSE(c.access(line_in_set0(3), CacheOp::kWrite).write_through);

  // PLRU victim after 0 1 2 3 is way 0: line 0, dirty.
  const CacheResult e = c.access(line_in_set0(4), CacheOp::kRead);
  CHECK(e.filled);
  CHECK(e.wrote_back);
  CHECK(e.victim_line == line_in_set0(0));
  // Next victim is way 2 (line 2), clean: filled without a write-back.
  const CacheResult f = c.access(line_in_set0(5), CacheOp::kFetch);
  CHECK(f.filled);
  CHECK_FALSE(f.wrote_back);
  CHECK(resident(c, 6) == std::vector<u32>{1, 3, 4, 5});
  CHECK(c.stats().writebacks == 1);
}

TEST_CASE("705: cache flush_all writes back and counts only dirty lines and invalidate_all drops them", "[cache]") {
  Cache c(write_back_allocate());
  for (u32 a : {0x1000u, 0x2010u, 0x3020u}) c.access(a, CacheOp::kWrite);
  for (u32 a : {0x4030u, 0x5040u}) c.access(a, CacheOp::kRead);
  c.access(0x1004, CacheOp::kWrite);  // a second write to a dirty line is still one line
  CHECK(c.flush_all() == 3);
  CHECK(c.stats().writebacks == 3);
  CHECK_FALSE(c.probe(0x1000));
  CHECK_FALSE(c.probe(0x4030));
  CHECK_FALSE(c.access(0x1000, CacheOp::kRead).hit);
  CHECK(c.flush_all() == 0);

  c.access(0x6000, CacheOp::kWrite);
  c.invalidate_all();  // INVD: the dirty line is lost, no write-back counted
  CHECK_FALSE(c.probe(0x6000));
  CHECK(c.stats().writebacks == 3);
  CHECK(c.flush_all() == 0);
}

TEST_CASE("706: cache stats count reads writes fetches and their misses and fills", "[cache]") {
  Cache c(CacheGeometry{});
  c.access(0x100, CacheOp::kRead);   // miss fill
  c.access(0x104, CacheOp::kRead);   // hit
  c.access(0x200, CacheOp::kFetch);  // miss fill
  c.access(0x208, CacheOp::kFetch);  // hit
  c.access(0x100, CacheOp::kFetch);  // hit (unified cache)
  c.access(0x300, CacheOp::kWrite);  // miss, no allocate
  c.access(0x100, CacheOp::kWrite);  // hit
  const CacheStats& s = c.stats();
  CHECK(s.reads == 2);
  CHECK(s.read_misses == 1);
  CHECK(s.fetches == 3);
  CHECK(s.fetch_misses == 1);
  CHECK(s.writes == 2);
  CHECK(s.write_misses == 1);
  CHECK(s.fills == 2);
  CHECK(s.writebacks == 0);
  c.reset_stats();
  CHECK(c.stats().reads == 0);
  CHECK(c.stats().fills == 0);
  CHECK(c.probe(0x100));  // statistics reset leaves the contents alone
}

TEST_CASE("707: cache geometry validation rejects impossible values naming the key", "[cache]") {
  auto rejects = [](CacheGeometry g, const std::string& key) {
    INFO(key);
    try {
      Cache c(g);
      FAIL("accepted");
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Matchers::Contains(key));
    }
  };
  CacheGeometry g;
  g.size = 3000;
  rejects(g, "cache.size");
  g = {};
  g.line = 2;
  rejects(g, "cache.line");
  g = {};
  g.line = 8192;
  rejects(g, "cache.line");
  g = {};
  g.ways = 1024;  // 8 KB / 16 B = 512 lines
  rejects(g, "cache.ways");
  g = {};
  g.ways = 3;
  rejects(g, "cache.ways");
  g = {};
  g.replacement = "random";
  rejects(g, "cache.replacement");
  g = {};
  g.write_policy = "write-around";
  rejects(g, "cache.write_policy");
  g = {};
  g.write_allocate = true;  // write-through with write-allocate is a valid what-if
  CHECK_NOTHROW(g.validate());
  g.ways = 512;  // fully associative
  CHECK_NOTHROW(Cache(g));
}

TEST_CASE("708: cache a 64 KB 8-way 32-byte geometry has 256 sets and evicts on the ninth line", "[cache]") {
  CacheGeometry g;
  g.size = 64 * 1024;
  g.line = 32;
  g.ways = 8;
  Cache c(g);
  REQUIRE(c.sets() == 256);
  constexpr u32 kStride = 256 * 32;
  for (u32 i = 0; i < 8; ++i) REQUIRE(c.access(0x40 + i * kStride, CacheOp::kRead).filled);
  for (u32 i = 0; i < 8; ++i) CHECK(c.access(0x5F + i * kStride, CacheOp::kRead).hit);  // same lines, last byte
  CHECK_FALSE(c.probe(0x40 + 8 * kStride));
  CHECK(c.access(0x40 + 8 * kStride, CacheOp::kRead).filled);
  u32 resident_lines = 0;
  for (u32 i = 0; i <= 8; ++i) resident_lines += c.probe(0x40 + i * kStride) ? 1 : 0;
  CHECK(resident_lines == 8);
  // Every access of the second loop touched the ways in order 0..7 again, so the
  // 8-way tree points at way 0: line 0 is the one evicted.
  CHECK_FALSE(c.probe(0x40));
}

TEST_CASE("709: cache repeated hits on the last line leave replacement state as a full lookup would", "[cache]") {
  // Hitting the most recent line takes a shortcut past the set search; the
  // eviction order must be the same as if every hit had touched the policy.
  for (const char* policy : {"plru", "lru", "fifo"}) {
    INFO(policy);
    Cache c(with_replacement(policy));
    for (u32 i = 0; i < 4; ++i) c.access(line_in_set0(i), CacheOp::kRead);
    c.access(line_in_set0(1), CacheOp::kRead);
    for (int k = 0; k < 5; ++k) CHECK(c.access(line_in_set0(1) + 4, CacheOp::kWrite).hit);
    c.access(line_in_set0(0), CacheOp::kRead);
    c.access(line_in_set0(4), CacheOp::kRead);
    // lru: order 2 3 1 0 -> evict 2; plru: last touches 1 then 0 (left), root right,
    // right node at 2 -> evict 2; fifo: evicts the first filled, line 0.
    const std::vector<u32> expect =
        std::string(policy) == "fifo" ? std::vector<u32>{1, 2, 3, 4} : std::vector<u32>{0, 1, 3, 4};
    CHECK(resident(c, 5) == expect);
  }
}
