#!/usr/bin/env bash
# Bad input to the l4sim CLI: each case must exit with status 2 and a specific
# message on stderr, never crash. Also checks the documented statuses of a
# halt (0), triple fault (4), the instruction limit (6) and the cycle limit (10).
set -u
l4sim=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 cases=0
expect() {  # expect STATUS MESSAGE-REGEX -- ARGS...
  local want=$1 re=$2
  shift 3
  local err status
  err=$("$l4sim" "$@" 2>&1 >/dev/null)
  status=$?
  cases=$((cases + 1))
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
# Multiboot kernels: a good one, and malformed variants of it.
cat >"$tmp/k.s" <<'ASM'
.text
.long 0x1BADB002, 3, -(0x1BADB002 + 3)
.globl _start
_start: cli
  hlt
ASM
cat >"$tmp/nohdr.s" <<'ASM'
.text
.globl _start
_start: hlt
ASM
as --32 -o "$tmp/k.o" "$tmp/k.s" && as --32 -o "$tmp/nohdr.o" "$tmp/nohdr.s" || exit 1
ld -m elf_i386 -Ttext=0x100000 -e _start -o "$tmp/k.elf" "$tmp/k.o" || exit 1
ld -m elf_i386 -Ttext=0x300000 -e _start -o "$tmp/high.elf" "$tmp/k.o" || exit 1
ld -m elf_i386 -Ttext=0x100000 -e _start -o "$tmp/nohdr.elf" "$tmp/nohdr.o" || exit 1
head -c 100 "$tmp/k.elf" >"$tmp/truncated.elf"
cp "$tmp/k.elf" "$tmp/machine.elf" && printf '\x3e' | dd of="$tmp/machine.elf" bs=1 seek=18 conv=notrunc 2>/dev/null
head -c 1500000 /dev/zero >"$tmp/big.mod"
expect 2 "unknown command" -- frobnicate
expect 2 "unrecognised option|unknown option" -- run --raw "$tmp/hlt.bin" --bogus
expect 2 "exactly one of" -- run
expect 2 "cannot open" -- run --raw "$tmp/missing.bin"
expect 2 "is empty" -- run --raw "$tmp/empty.bin"
expect 2 "not a 32-bit number" -- run --raw "$tmp/hlt.bin" --load-addr 0x1zz
expect 2 "does not fit" -- run --raw "$tmp/hlt.bin" --load-addr 0xfffff000
expect 2 "unknown CPU preset 'z80'" -- run --raw "$tmp/hlt.bin" --cpu z80
expect 2 "--mode" -- run --raw "$tmp/hlt.bin" --mode long
expect 2 "--memory" -- run --raw "$tmp/hlt.bin" --memory 0
expect 2 "unknown level" -- run --raw "$tmp/hlt.bin" -v loud
expect 2 "exactly one of --kernel, --rom or --raw" -- run --kernel "$tmp/k.elf" --raw "$tmp/hlt.bin"
expect 2 "need a multiboot --kernel" -- run --raw "$tmp/hlt.bin" --module "$tmp/big.mod"
expect 2 "cannot open kernel" -- run --kernel "$tmp/missing.elf"
expect 2 "cannot open module" -- run --kernel "$tmp/k.elf" --module "$tmp/missing.mod"
expect 2 "64-bit" -- run --kernel "$(command -v ls)"
expect 2 "truncated" -- run --kernel "$tmp/truncated.elf"
expect 2 "wrong machine 62" -- run --kernel "$tmp/machine.elf"
expect 2 "no multiboot header" -- run --kernel "$tmp/nohdr.elf"
expect 2 "no multiboot header" -- run --kernel "$tmp/hlt.bin"
expect 2 "outside the 2 MB of memory" -- run --kernel "$tmp/high.elf" --memory 2
expect 2 "module 0 .* lies outside" -- run --kernel "$tmp/k.elf" --memory 2 --module "$tmp/big.mod"
expect 2 "memory.size: 1M is out of range \\(bytes, 2M to 3072M\\)" -- run --kernel "$tmp/k.elf" --memory 1
expect 2 "needs memory.size of at least 12M" -- ipc --set memory.size=8M
expect 2 "sweep point memory.size=8M: .*at least 12M" -- sweep --out "$tmp/sw" --grid memory.size=16M,8M
expect 2 "--memory" -- run --kernel "$tmp/k.elf" --memory 5000
expect 2 "too small to hold the reset vector" -- run --rom "$tmp/hlt.bin"
expect 2 "--rtc-base" -- run --kernel "$tmp/k.elf" --rtc-base 2026-13-01T00:00:00
expect 2 "--mhz" -- run --kernel "$tmp/k.elf" --mhz 0
# Configuration keys, files and presets: rejected before anything runs.
expect 2 "cache.size \\(3000\\) must be a power of two" -- run --raw "$tmp/hlt.bin" --set cache.size=3000
expect 2 "cache.ways \\(8\\) exceeds the number of lines \\(4" -- run --raw "$tmp/hlt.bin" --set cache.size=64 --set cache.ways=8
expect 2 "cache.line \\(8192\\) is larger than a page" -- ipc --set cache.line=8K
expect 2 "unknown configuration key 'tlb.entires' \\(did you mean tlb.entries\\?\\)" -- config show --set tlb.entires=64
expect 2 "tlb.entries: 100000 is out of range" -- check --set tlb.entries=100000
expect 2 "expected KEY=VALUE" -- config show --set cache.size
expect 2 "cannot open configuration" -- config show --config "$tmp/missing.json"
printf '{"cache": {"size": "lots"}}' >"$tmp/cfg-bad.json"
expect 2 "cfg-bad.json: cache.size: 'lots' is not a number" -- run --raw "$tmp/hlt.bin" --config "$tmp/cfg-bad.json"
printf '{"cache": ' >"$tmp/cfg-junk.json"
expect 2 "cfg-junk.json' is not valid JSON" -- config show --config "$tmp/cfg-junk.json"
expect 2 "only the i486" -- ipc --cpu pentium90
expect 2 "unknown subcommand" -- config frob
# Sweeps: every point is validated before any runs.
expect 2 "sweep point cache.size=2K cache.ways=256: cache.ways \\(256\\) exceeds" -- sweep --out "$tmp/sw" --grid cache.size=2K,8K --grid cache.ways=4,256
expect 2 "unknown configuration key 'cache.sizes'" -- sweep --out "$tmp/sw" --grid cache.sizes=2K
expect 2 "--grid cache.size: empty value" -- sweep --out "$tmp/sw" --grid cache.size=2K,,8K
expect 2 "given twice" -- sweep --out "$tmp/sw" --grid cache.size=2K --grid cache.size=4K
expect 2 "give --out" -- sweep --grid cache.size=2K
expect 2 "unknown --metric 'speed'" -- sweep --out "$tmp/sw" --grid cache.size=2K --metric speed
expect 2 "--jobs must be between 1 and 256" -- sweep --out "$tmp/sw" --grid cache.size=2K --jobs 0
[ ! -e "$tmp/sw" ] || { echo "FAIL: a rejected sweep created its output directory"; fails=$((fails + 1)); }
printf '{"i486dx50": {"inter_as.one_way_median": {"budget": "fast"}}}' >"$tmp/budgets-bad.json"
printf 'not json' >"$tmp/budgets-junk.json"
expect 2 "needs a numeric budget" -- check --budgets "$tmp/budgets-bad.json"
expect 2 "budgets .*budgets-junk.json" -- check --budgets "$tmp/budgets-junk.json"
expect 2 "cannot open budgets" -- check --budgets "$tmp/missing.json"
expect 0 "halted" -- run --raw "$tmp/hlt.bin"
expect 0 "halted" -- run --kernel "$tmp/k.elf" --module "$tmp/big.mod"
expect 4 "triple fault" -- run --raw "$tmp/ud.bin"
expect 6 "instruction limit" -- run --raw "$tmp/loop.bin" --max-insns 1000
expect 10 "cycle limit" -- run --raw "$tmp/loop.bin" --max-cycles 1000
echo "$((cases - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
