#!/usr/bin/env bash
# The cycle-budget gate: the kernel must be within traces/budgets.json, and a
# kernel with one instruction added to its IPC fast path must fail it, naming
# the path and showing the added instruction in the trace diff.
set -u
l4sim=$1 budgets=$2 slower=$3
out=$("$l4sim" check --budgets "$budgets" 2>&1)
status=$?
echo "$out"
[ "$status" -eq 0 ] || { echo "check_budgets: the kernel is over budget (status $status)" >&2; exit 1; }
out=$("$l4sim" check --budgets "$budgets" --kernel "$slower" 2>&1)
status=$?
echo "$out"
[ "$status" -eq 1 ] || { echo "check_budgets: the slower kernel passed (status $status)" >&2; exit 1; }
grep -q "inter_as.one_way_median .*OVER BUDGET" <<<"$out" || { echo "check_budgets: no over-budget path named" >&2; exit 1; }
grep -qE '^\+ ipc_entry +k nop' <<<"$out" || { echo "check_budgets: the trace diff does not show the added nop" >&2; exit 1; }
[ "$(grep -cE '^[+-] ' <<<"$out")" -le 4 ] || { echo "check_budgets: the trace diff is noisy" >&2; exit 1; }
echo "the budget gate bites"
# A what-if on top of the budgeted preset: a 2 KB cache must fail the budgets.
out=$("$l4sim" check --budgets "$budgets" --set cache.size=2K 2>&1)
status=$?
[ "$status" -eq 1 ] && grep -q "inter_as.one_way_median .*OVER BUDGET" <<<"$out" ||
  { echo "$out"; echo "check_budgets: a 2 KB cache passed the budgets (status $status)" >&2; exit 1; }
echo "a what-if (--set cache.size=2K) is checked against the budgets too"
