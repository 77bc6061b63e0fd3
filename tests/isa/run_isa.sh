#!/usr/bin/env bash
# Runs one ISA test image through the l4sim CLI and checks that it passed:
# guest exit status 1 (the program wrote 0 to port 0xF4) and "PASS" printed.
set -u
l4sim=$1 image=$2 mode=$3 addr=$4
out=$("$l4sim" run --raw "$image" --mode "$mode" --load-addr "$addr" --max-insns 10000000 2>&1)
status=$?
echo "$out"
if [ "$status" -ne 1 ]; then
  echo "run_isa: l4sim exited with status $status, expected 1 (guest pass)" >&2
  exit 1
fi
grep -q '^PASS' <<<"$out" || { echo "run_isa: no PASS line" >&2; exit 1; }
