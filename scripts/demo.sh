#!/usr/bin/env bash
# The main job, for now: run the guest ISA programs on the simulated i486 through
# the l4sim CLI and show what they print. Later issues boot the L4 kernel here.
set -uo pipefail
build=${1:-build}
l4sim="$build/l4sim"
# A guest that passes writes 0 to the exit port: l4sim exits with status 1.
run() {
  "$l4sim" run "$@"
  local status=$?
  if [ "$status" -ne 1 ]; then
    echo "demo: guest did not pass (l4sim exit status $status)" >&2
    exit 1
  fi
}
echo "== l4sim $("$l4sim" version | cut -d' ' -f2): real mode -> protected mode -> ring 3 (tests/isa/real_to_protected.S)"
run --raw "$build/tests/isa/real_to_protected.bin" --mode real --load-addr 0x8000 --json "$build/demo-real.json"
echo
echo "== paging, the architectural TLB and page faults (tests/isa/paging.S)"
run --raw "$build/tests/isa/paging.bin" --mode flat32 --load-addr 0x100000
echo
echo "== JSON summary of the first run ($build/demo-real.json):"
cat "$build/demo-real.json"
