#!/usr/bin/env bash
# Simulation speed (a benchmark, not a test): simulated instructions per host
# second with the i486 timing model on and off, on a compute loop and on the
# kernel's full run (tests, then ping-pong). Figures vary with the host.
set -euo pipefail
build=${1:-build}
l4sim="$build/l4sim"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# mov ecx,0; inc ecx; cmp ecx,100000000; jne 1b; hlt  (300 million instructions)
printf '\xb9\x00\x00\x00\x00\x41\x81\xf9\x00\xe1\xf5\x05\x75\xf7\xf4' >"$tmp/loop.bin"
rate() {  # rate LABEL ARGS... : runs l4sim, prints instructions per second
  local label=$1
  shift
  local t0 t1
  t0=$(date +%s.%N)
  "$l4sim" run "$@" --json "$tmp/r.json" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  python3 - "$tmp/r.json" "$t0" "$t1" "$label" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); secs = float(sys.argv[3]) - float(sys.argv[2])
print(f"{sys.argv[4]:<34} {j['instructions']:>11} instructions {j['cycles']:>11} cycles "
      f"{secs:6.2f} s  {j['instructions'] / secs / 1e6:6.1f} M instructions/s")
PY
}
rate "compute loop, timing off" --raw "$tmp/loop.bin" --timing off
rate "compute loop, i486 timing" --raw "$tmp/loop.bin" --timing on
k=(--kernel "$build/kernel/kernel.elf" --module "$build/guest/sigma0.elf" --module "$build/guest/root.elf")
rate "kernel + ping-pong, timing off" "${k[@]}" --timing off
rate "kernel + ping-pong, i486 timing" "${k[@]}" --timing on
