#!/usr/bin/env bash
# A small sweep end to end: two processes at once over the tagged-TLB what-if,
# the results files, and the figures' direction (a tagged TLB loses no entries
# on the address-space switch, so the inter-AS IPC gets cheaper).
set -u
l4sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "sweep: $*" >&2; exit 1; }
"$l4sim" sweep --grid tlb.tagged=false,true --grid cache.size=4K,8K --jobs 2 --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr" ||
  { cat "$tmp/stdout" "$tmp/stderr"; fail "l4sim sweep failed"; }
cat "$tmp/stdout" "$tmp/stderr"
for f in results.csv results.json chart.svg chart.html; do [ -s "$tmp/out/$f" ] || fail "no $f"; done
[ "$(wc -l <"$tmp/out/results.csv")" -eq 5 ] || fail "results.csv should have a header and 4 rows"
head -1 "$tmp/out/results.csv" | grep -q '^tlb.tagged,cache.size,status,inter_as.one_way_median,' || fail "bad CSV header"
python3 - "$tmp/out/results.json" <<'PY' || fail "results.json"
import json, sys
j = json.load(open(sys.argv[1]))
pts = j["points"]
assert len(pts) == 4 and all(p["status"] == "ok" for p in pts), pts
med = {(p["params"]["tlb.tagged"], p["params"]["cache.size"]): p["figures"]["inter_as.one_way_median"] for p in pts}
for size in ("4K", "8K"):
    assert med[("true", size)] < med[("false", size)], med
# The default point is the default machine's figure.
assert j["base_config"]["cache"]["size"] == 8192
print("sweep figures:", med)
PY
# The default point matches a plain `l4sim ipc` run: a sweep runs the same benchmark.
"$l4sim" ipc --no-listing --json "$tmp/ipc.json" >/dev/null || fail "l4sim ipc failed"
python3 - "$tmp/ipc.json" "$tmp/out/results.json" <<'PY' || fail "the default point differs from l4sim ipc"
import json, sys
ipc = json.load(open(sys.argv[1]))["figures"]
pts = json.load(open(sys.argv[2]))["points"]
p = [p for p in pts if p["params"] == {"tlb.tagged": "false", "cache.size": "8K"}][0]
assert p["figures"] == ipc, (p["figures"], ipc)
PY
grep -q '<svg' "$tmp/out/chart.svg" && grep -q '<svg' "$tmp/out/chart.html" || fail "no chart"
# The README's what-ifs (docs/whatifs/) must describe this kernel and model:
# their default points must give today's figures (make whatifs regenerates them).
python3 - "$tmp/ipc.json" "$(dirname "$0")/../../docs/whatifs" <<'PY' || fail "docs/whatifs is stale: run make whatifs"
import json, sys
ipc = json.load(open(sys.argv[1]))["figures"]
for name, params in (("tlb", {"tlb.entries": "32", "tlb.tagged": "false"}),
                     ("cache", {"cache.size": "8K", "cache.ways": "4"}),
                     ("memory", {"bus.wait_states": "0", "l2.size": "0"})):
    pts = json.load(open(f"{sys.argv[2]}/{name}/results.json"))["points"]
    p = [p for p in pts if p["params"] == params][0]
    for fig in ("inter_as.one_way_median", "intra_as.one_way_median"):
        assert p["figures"][fig] == ipc[fig], (name, fig, p["figures"][fig], ipc[fig])
print("docs/whatifs: default points match")
PY
# The effective configuration: a preset shown equals its defaults plus overrides.
"$l4sim" config show --cpu i486dx50 --set tlb.tagged=true >"$tmp/a.json" || fail "config show"
python3 -c "
import json,sys; a=json.load(open('$tmp/a.json')); assert a['tlb']['tagged'] is True and a['cache']['size']==8192, a" ||
  fail "config show"
# Every key is documented in the README.
for k in $("$l4sim" config keys | awk '/^[a-z0-9]+\.[a-z0-9_]+ +default/ {print $1}'); do
  grep -q "\`$k\`" "$(dirname "$0")/../../README.md" || fail "README does not document $k"
done
echo "sweep ok"
