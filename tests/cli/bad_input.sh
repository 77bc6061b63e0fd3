#!/usr/bin/env bash
# Bad input to the l4sim CLI: each case must exit with status 2 and a specific
# message on stderr, never crash. Also checks the documented statuses of a
# triple fault (4) and of the instruction limit (6).
set -u
l4sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
expect() {  # expect STATUS MESSAGE-REGEX -- ARGS...
  local want=$1 re=$2
  shift 3
  local err status
  err=$("$l4sim" "$@" 2>&1 >/dev/null)
  status=$?
  if [ "$status" -ne "$want" ] || ! grep -qE -e "$re" <<<"$err"; then
    echo "FAIL: l4sim $* -> status $status (want $want), stderr: $err"
    fails=$((fails + 1))
  else
    echo "ok: l4sim $* -> $status"
  fi
}
printf '\xf4' >"$tmp/hlt.bin"
printf '\x0f\x0b' >"$tmp/ud.bin"         # #UD with no IDT: triple fault
printf '\xeb\xfe' >"$tmp/loop.bin"       # jmp $
: >"$tmp/empty.bin"
expect 2 "unknown command" -- frobnicate
expect 2 "unrecognised option|unknown option" -- run --raw "$tmp/hlt.bin" --bogus
expect 2 "required" -- run
expect 2 "cannot open" -- run --raw "$tmp/missing.bin"
expect 2 "is empty" -- run --raw "$tmp/empty.bin"
expect 2 "not a 32-bit number" -- run --raw "$tmp/hlt.bin" --load-addr 0x1zz
expect 2 "does not fit" -- run --raw "$tmp/hlt.bin" --load-addr 0xfffff000
expect 2 "unknown CPU model" -- run --raw "$tmp/hlt.bin" --cpu z80
expect 2 "--mode" -- run --raw "$tmp/hlt.bin" --mode long
expect 2 "--memory" -- run --raw "$tmp/hlt.bin" --memory 0
expect 2 "unknown level" -- run --raw "$tmp/hlt.bin" -v loud
expect 0 "halted" -- run --raw "$tmp/hlt.bin"
expect 4 "triple fault" -- run --raw "$tmp/ud.bin"
expect 6 "limit" -- run --raw "$tmp/loop.bin" --max-insns 1000
echo "$((14 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
