#!/usr/bin/env bash
# The IPC report on the real kernel (l4sim ipc): the decomposition adds up to
# the measured total, entry + exit is 107 on the 486 model, an
# intra-address-space IPC loads no CR3 and leaves no TLB refills to a switch,
# the warm IPC path matches the reference traces in traces/, and a kernel with
# one instruction added to its fast path shows that instruction in the diff.
set -u
l4sim=$1 traces=$2 slower=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "ipc_report: $*" >&2; exit 1; }

"$l4sim" ipc --json "$tmp/ipc.json" --diff-trace "$traces" >"$tmp/report" 2>&1 || { cat "$tmp/report"; fail "l4sim ipc failed"; }
cat "$tmp/report"
python3 - "$tmp/ipc.json" <<'PY' || fail "report figures"
import json, sys
j = json.load(open(sys.argv[1]))
for name in ("inter_as", "intra_as"):
    s = j[name]
    c = s["one_way_cycles"]
    assert s["ipcs"] >= 1000, (name, s["ipcs"])
    assert c["min"] <= c["median"] <= c["max"] and c["min"] <= c["mean"] <= c["max"], (name, c)
    d = s["decomposition"]
    parts = d["entry_exit"] + d["other_instructions"] + d["tlb_cycles"] + d["cache_cycles"] + d["stall_cycles"]
    assert abs(parts - d["total"]) < 1e-6, (name, parts, d["total"])  # the parts add up
    assert abs(d["total"] - c["mean"]) < 1e-6, (name, d["total"], c["mean"])
    assert d["entry_exit"] == 107, (name, d["entry_exit"])  # int to ring 0 (71) + iret to ring 3 (36)
    assert d["lower_bound"] <= d["total"]
intra = j["intra_as"]["decomposition"]
assert intra["cr3_loads"] == 0 and intra["receiver_tlb_misses_after"] == 0, intra
inter = j["inter_as"]["decomposition"]
assert inter["cr3_loads"] == 1 and inter["tlb_misses"] > 0, inter
assert j["trace_diff_lines"] == 0, "the warm IPC path differs from traces/: regenerate with l4sim ipc --write-trace traces"
# The page-fault benchmark: 32 measured faults, each a #PF and the pager's
# reply (2 kernel entries, more only if a timer tick lands inside), two
# address-space switches, a pager in the root task's space.
pf = j["page_fault"]
rt = pf["round_trip_cycles"]
assert pf["faults"] == 32, pf
assert 0 < rt["min"] <= rt["median"] <= rt["max"] < pf["cold_cycles"], pf
assert pf["pager_in_other_address_space"] == 32, pf
per = pf["per_fault"]
assert 2 <= per["kernel_entries"] < 2.5 and 2 <= per["cr3_loads"] < 2.5, per
assert 0 < per["pager_instructions"] < per["instructions"], per
assert j["figures"]["page_fault.round_trip_median"] == rt["median"], j["figures"]
print("report figures: ok")
PY

"$l4sim" ipc --kernel "$slower" --no-listing --json "$tmp/slow.json" --diff-trace "$traces" >"$tmp/slow" 2>&1 || { cat "$tmp/slow"; fail "l4sim ipc on the slower kernel failed"; }
grep -E '^\+ ipc_entry +k nop' "$tmp/slow" >/dev/null || { cat "$tmp/slow"; fail "the added nop does not show in the trace diff"; }
python3 - "$tmp/ipc.json" "$tmp/slow.json" <<'PY' || fail "the slower kernel is not slower"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["trace_diff_lines"] > 0
assert b["inter_as"]["one_way_cycles"]["median"] > a["inter_as"]["one_way_cycles"]["median"]
print("slower fast path: detected")
PY
