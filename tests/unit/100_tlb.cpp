#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "tlb/tlb.hpp"

using namespace l4sim;

TEST_CASE("101 given the i486 geometry when pages are inserted then lookups hit and others miss", "[tlb]") {
  Tlb t(TlbGeometry{});
  REQUIRE(t.sets() == 8);
  TlbEntry e;
  e.vpn = 0x12345;
  e.ppn = 0x00042;
  t.insert(e);
  REQUIRE(t.lookup(0x12345) != nullptr);
  REQUIRE(t.lookup(0x12345)->ppn == 0x42);
  REQUIRE(t.lookup(0x12346) == nullptr);
}

TEST_CASE("102 given a full set when a fifth page maps to it then the replacement victim is evicted", "[tlb]") {
  // Pages 0, 8, 16, 24 all map to set 0 of the 8-set TLB and fill ways 0..3.
  auto fill = [](Tlb& t) {
    for (u32 i = 0; i < 4; ++i) {
      TlbEntry e;
      e.vpn = i * 8;
      e.ppn = i;
      t.insert(e);
    }
  };
  auto survivors = [](const Tlb& t) {
    std::vector<u32> v;
    for (u32 p : {0u, 8u, 16u, 24u, 32u})
      if (t.peek(p)) v.push_back(p);
    return v;
  };
  SECTION("touching 8 then 24: pseudo-LRU and true LRU both evict page 0") {
    for (const char* r : {"plru", "lru"}) {
      TlbGeometry g;
      g.replacement = r;
      Tlb t(g);
      fill(t);
      REQUIRE(t.lookup(8));
      REQUIRE(t.lookup(24));
      TlbEntry n;
      n.vpn = 32;
      t.insert(n);
      CHECK(survivors(t) == std::vector<u32>{8, 16, 24, 32});
    }
  }
  SECTION("touching 0, 8, 16: the i486 tree evicts way 0 (page 0), true LRU evicts page 24") {
    // Intel486 HRM fig. 3-7: B0 picks the half, B1/B2 the way inside it. After
    // 0, 8, 16 the root points left (16 was in the right half) and the left node
    // points at way 0 (8 was used after 0).
    for (const char* r : {"plru", "lru"}) {
      TlbGeometry g;
      g.replacement = r;
      Tlb t(g);
      fill(t);
      REQUIRE(t.lookup(0));
      REQUIRE(t.lookup(8));
      REQUIRE(t.lookup(16));
      TlbEntry n;
      n.vpn = 32;
      t.insert(n);
      if (std::string(r) == "plru")
        CHECK(survivors(t) == std::vector<u32>{8, 16, 24, 32});
      else
        CHECK(survivors(t) == std::vector<u32>{0, 8, 16, 32});
    }
  }
}

TEST_CASE("103 given an untagged TLB when CR3 is loaded then every entry is flushed but a tagged TLB keeps them",
          "[tlb]") {
  for (bool tagged : {false, true}) {
    TlbGeometry g;
    g.tagged = tagged;
    Tlb t(g);
    TlbEntry e;
    e.vpn = 5;
    t.insert(e);
    t.flush_for_cr3_load();
    CHECK((t.peek(5) != nullptr) == tagged);
  }
}

TEST_CASE("104 given INVLPG when one page is flushed then only that page is gone", "[tlb]") {
  Tlb t(TlbGeometry{});
  for (u32 v : {1u, 2u, 9u}) {
    TlbEntry e;
    e.vpn = v;
    t.insert(e);
  }
  t.flush_page(1);
  CHECK(t.peek(1) == nullptr);
  CHECK(t.peek(2) != nullptr);
  CHECK(t.peek(9) != nullptr);
}

TEST_CASE("105 given impossible geometries when validated then a specific error is raised", "[tlb]") {
  auto bad = [](u32 entries, u32 ways, const char* repl, const char* what) {
    TlbGeometry g;
    g.entries = entries;
    g.ways = ways;
    g.replacement = repl;
    try {
      g.validate();
      FAIL("accepted " << entries << "/" << ways);
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Matchers::Contains(what));
    }
  };
  bad(0, 1, "plru", "entries");
  bad(32, 0, "plru", "ways");
  bad(4, 8, "plru", "exceeds");
  bad(24, 4, "plru", "power of two");
  bad(36, 3, "lru", "power of two");
  bad(24, 3, "plru", "power-of-two number of ways");
  bad(32, 4, "random", "unknown tlb.replacement");
}

TEST_CASE("106 given inserts, INVLPGs and flushes in any order then the valid-entry count matches the entries",
          "[tlb]") {
  TlbGeometry g;
  g.tagged = true;
  Tlb t(g);
  u32 x = 12345;
  auto rnd = [&] { return x = x * 1103515245u + 12345u, (x >> 16) & 0x7FFF; };
  for (int i = 0; i < 5000; ++i) {
    const u32 op = rnd() % 16, vpn = rnd() % 64, tag = rnd() % 3;
    if (op == 0)
      t.flush_all();
    else if (op < 4)
      t.flush_page(vpn);
    else
      t.insert(TlbEntry{vpn, vpn, tag, true, true, true, true, false});
    u32 scan = 0;
    for (const TlbEntry& e : t.entries()) scan += e.valid;
    REQUIRE(t.valid_entries() == scan);
  }
}
