// The memory-system what-ifs of the i486 timing model: an external L2, a
// write-back cache, split instruction and data caches, a clock-multiplied bus.
#include <catch2/catch.hpp>

#include "support/timing_rig.hpp"

using namespace l4sim;
using namespace l4sim::test;

namespace {
const char* kSetup = "mov ebx, 0x20000";
// Four other lines of cache set 0 push the line of [ebx] out of the 4-way L1.
const char* kEvict = "mov eax, [0x20800]\nmov eax, [0x21000]\nmov eax, [0x21800]\nmov eax, [0x22000]";
}  // namespace

TEST_CASE("830: given an L2, when an L1 miss hits it, then the fill takes the L2's burst, else memory's", "[whatif]") {
  I486TimingConfig cfg;
  cfg.bus.wait_states = 3;  // memory: (2+3)-1-1-1 = 8 clocks per line
  cfg.l2.cache.size = 64 * 1024;
  cfg.l2.cache.line = 16;
  cfg.l2.first = 2;  // the L2: 2-1-1-1 = 5 clocks
  TimingRig rig(cfg);
  const auto steps = rig.run(kSetup, "mov edx, [ebx]", kEvict);
  CHECK(steps[0].causes.cache_miss == 5);
  REQUIRE(rig.model.l2());
  CHECK(rig.model.stats().l2_hits > 0);
  // Without the L2 the same miss costs the memory burst.
  cfg.l2.cache.size = 0;
  TimingRig plain(cfg);
  CHECK(plain.run(kSetup, "mov edx, [ebx]", kEvict)[0].causes.cache_miss == 8);
}

TEST_CASE("831: given a write-back cache, when writes hit, then they do not wait for the write buffers", "[whatif]") {
  const char* body =
      "mov [ebx], eax\nmov [ebx+4], eax\nmov [ebx+8], eax\nmov [ebx+12], eax\n"
      "mov [ebx], eax\nmov [ebx+4], eax\nmov [ebx+8], eax\nmov [ebx+12], eax";
  const char* warm = "mov eax, [ebx]";  // the line is in the cache before the writes
  auto stalls = [&](const I486TimingConfig& cfg) {
    TimingRig rig(cfg);
    u64 s = 0;
    for (const TimedStep& t : rig.run(kSetup, body, warm)) s += t.causes.write_buffer;
    return s;
  };
  I486TimingConfig wt;
  I486TimingConfig wb;
  wb.cache.write_policy = "write-back";
  CHECK(stalls(wt) > 0);  // eight 2-clock writes in eight clocks overflow four buffers
  CHECK(stalls(wb) == 0);
}

TEST_CASE("832: given split caches, when code runs, then fetches go to the instruction cache only", "[whatif]") {
  I486TimingConfig cfg;
  cfg.unified_cache = false;
  TimingRig rig(cfg);
  rig.run(kSetup, "mov edx, [ebx]");
  CHECK(rig.model.icache().stats().fetches > 0);
  CHECK(rig.model.cache().stats().fetches == 0);
  CHECK(rig.model.cache().stats().reads > 0);
  CHECK(rig.model.icache().stats().reads == 0);
}

TEST_CASE("833: given a DX2 bus (multiplier 2), when a line misses, then the fill costs twice the core clocks",
          "[whatif]") {
  I486TimingConfig cfg;
  cfg.bus.multiplier = 2;
  TimingRig rig(cfg);
  CHECK(rig.run(kSetup, "mov edx, [ebx]", kEvict)[0].causes.cache_miss == 10);
}

TEST_CASE("834: given a write-back cache, when a dirty line is evicted, then the fill also pays its write-back",
          "[whatif]") {
  // The line of [ebx] is read (allocated) and written (dirty) before the
  // body; the body's four reads of other set-0 lines evict it.
  const char* dirty = "mov eax, [ebx]\nmov [ebx], eax";
  auto miss_cycles = [&](const char* policy) {
    I486TimingConfig cfg;
    cfg.cache.write_policy = policy;
    TimingRig rig(cfg);
    u64 c = 0;
    for (const TimedStep& t : rig.run(kSetup, kEvict, dirty)) c += t.causes.cache_miss;
    return std::pair{c, rig.model.stats().writebacks};
  };
  const auto [wt, wt_backs] = miss_cycles("write-through");
  const auto [wb, wb_backs] = miss_cycles("write-back");
  CHECK(wt_backs == 0);
  CHECK(wb_backs > 0);
  // Same misses, plus one 5-clock burst for the dirty victim.
  CHECK(wb == wt + 5);
}

TEST_CASE("835: given write-allocate, when a write misses, then the line is filled; without, it is not", "[whatif]") {
  I486TimingConfig cfg;
  cfg.cache.write_allocate = true;
  TimingRig rig(cfg);
  auto steps = rig.run(kSetup, "mov [ebx], eax", kEvict);
  CHECK(steps[0].causes.cache_miss == 5);
  TimingRig plain;  // the i486: a write miss goes to memory, nothing is filled
  steps = plain.run(kSetup, "mov [ebx], eax", kEvict);
  CHECK(steps[0].causes.cache_miss == 0);
}

TEST_CASE("836: given an L2, when an on-chip miss also misses the L2, then it costs a memory fill", "[whatif]") {
  I486TimingConfig cfg;
  cfg.bus.wait_states = 3;
  cfg.l2.cache.size = 16 * 1024;
  cfg.l2.cache.line = 16;
  TimingRig rig(cfg);
  // One pass: the body's instruction and its datum are both new to the L1
  // and the L2, so the fetch and the read each cost a memory fill, 8 clocks.
  const auto passes = rig.run(kSetup, "mov edx, [ebx + 0x8000]", "", 1);
  CHECK(passes[0].causes.cache_miss == 2 * 8);
  CHECK(rig.model.stats().l2_misses > 0);
}
