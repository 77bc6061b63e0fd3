#!/usr/bin/env bash
# Boots a multiboot test kernel under l4sim twice (the runs must agree bit for
# bit: serial output, instruction and cycle counts) and checks that it passed,
# then once more with the timing model off (the serial output must not change).
# With --qemu PATH it also boots the kernel under QEMU with the equivalent
# command line and requires the same serial output; with --qemu none (QEMU not
# installed) that comparison is skipped (exit 77).
#
# usage: run_kernel.sh --l4sim L4SIM --qemu QEMU --kernel K [--module PATH[,ARGS]]... [--input FILE] [--cmdline S]
set -u
l4sim="" qemu="-" kernel="" input="/dev/null" cmdline=""
modules=()
while [ $# -gt 0 ]; do
  case $1 in
    --l4sim) l4sim=$2; shift 2 ;;
    --qemu) qemu=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --module) modules+=("$2"); shift 2 ;;
    --input) input=$2; shift 2 ;;
    --cmdline) cmdline=$2; shift 2 ;;
    *) echo "run_kernel: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$qemu" = "none" ] && { echo "qemu-system-i386 is not installed: skipping the QEMU comparison"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "run_kernel: $*" >&2; exit 1; }

l4args=(run --kernel "$kernel" --serial-in "$input" --max-insns 200000000)
qinitrd=""
for m in "${modules[@]}"; do
  l4args+=(--module "$m")
  # QEMU's -initrd takes "PATH ARGS" entries separated by commas.
  entry=${m/,/ }
  qinitrd=${qinitrd:+$qinitrd,}$entry
done
[ -n "$cmdline" ] && l4args+=(--cmdline "$cmdline")

for i in 1 2; do
  "$l4sim" "${l4args[@]}" --serial "$tmp/serial$i" --json "$tmp/run$i.json" 2>"$tmp/err$i"
  status=$?
  echo "--- l4sim run $i: exit status $status"; cat "$tmp/err$i"
  [ "$status" -eq 1 ] || { cat "$tmp/serial$i"; fail "l4sim exited with $status, expected 1 (guest passed)"; }
done
cat "$tmp/serial1"
grep -q '^PASS' "$tmp/serial1" || fail "no PASS line in the serial output"
cmp -s "$tmp/serial1" "$tmp/serial2" || fail "two l4sim runs gave different serial output"
python3 - "$tmp/run1.json" <<'PY' || fail "JSON summary lacks documented keys"
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("exit_status", "instructions", "cycles", "guest_status", "halted_cycles"):
    assert isinstance(j[k], int), k
assert j["exit_reason"] == "guest_exit" and j["exit_status"] == 1
assert isinstance(j["config"], dict) and j["config"]["boot"] == "multiboot"
assert isinstance(j["version"], str) and j["version"]
PY
count() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['instructions'], j['cycles'])" "$1"; }
[ "$(count "$tmp/run1.json")" = "$(count "$tmp/run2.json")" ] ||
  fail "two l4sim runs differ in instructions/cycles: $(count "$tmp/run1.json") vs $(count "$tmp/run2.json")"
echo "deterministic: instructions and cycles $(count "$tmp/run1.json") in both runs"

# Timing never changes what the guest computes: the functional mode (one cycle
# per instruction) must print the same.
"$l4sim" "${l4args[@]}" --timing off --serial "$tmp/serial-off" 2>"$tmp/err-off"
status=$?
[ "$status" -eq 1 ] || { cat "$tmp/err-off"; fail "with --timing off l4sim exited with $status"; }
cmp -s "$tmp/serial1" "$tmp/serial-off" || { diff "$tmp/serial1" "$tmp/serial-off"; fail "timing on and off gave different serial output"; }
echo "same serial output with the timing model on and off"

[ "$qemu" = "-" ] && exit 0

qargs=(-kernel "$kernel" -m 16 -cpu 486 -serial stdio -display none -no-reboot
       -device isa-debug-exit,iobase=0xf4,iosize=0x04 -rtc base=2000-01-01T00:00:00,clock=vm
       -icount shift=0)  # virtual time follows instructions (and real time while idle)
[ -n "$qinitrd" ] && qargs+=(-initrd "$qinitrd")
[ -n "$cmdline" ] && qargs+=(-append "$cmdline")
timeout 120 "$qemu" "${qargs[@]}" <"$input" >"$tmp/qemu" 2>"$tmp/qemu.err"
status=$?
echo "--- QEMU: exit status $status"; cat "$tmp/qemu.err"
[ "$status" -eq 1 ] || { cat "$tmp/qemu"; fail "QEMU exited with $status, expected 1"; }
if ! cmp -s "$tmp/serial1" "$tmp/qemu"; then
  diff <(cat -A "$tmp/serial1") <(cat -A "$tmp/qemu")
  fail "serial output differs between l4sim (<) and QEMU (>)"
fi
echo "same serial output as QEMU"
