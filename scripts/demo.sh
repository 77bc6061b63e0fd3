#!/usr/bin/env bash
# The main job: boot the l4sim microkernel with sigma0 and the root task (the
# in-guest kernel tests and the ping-pong benchmark) on the simulated 486-DX50,
# then the machine's multiboot test kernels and the guest ISA programs. Cycle
# figures per IPC come with the timing model.
set -uo pipefail
build=${1:-build}
l4sim="$build/l4sim"
data=tests/machine/data
# A guest that passes writes 0 to the exit port: l4sim exits with status 1.
run() {
  "$l4sim" run "$@"
  local status=$?
  if [ "$status" -ne 1 ]; then
    echo "demo: guest did not pass (l4sim exit status $status)" >&2
    exit 1
  fi
}
echo "== l4sim $("$l4sim" version | cut -d' ' -f2)"
echo "== the microkernel, sigma0 and the root task: in-guest tests and ping-pong (kernel/, guest/)"
run --kernel "$build/kernel/kernel.elf" --module "$build/guest/sigma0.elf" --module "$build/guest/root.elf" \
  --json "$build/demo-kernel.json" --stats
echo
# The root task runs the ping-pong loop four times: inter-address-space
# warm-up and measured, then intra-address-space warm-up and measured.
python3 - "$build/demo-kernel.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
mhz = j["config"]["cpu_hz"] / 1e6
r = j["regions"]
print(f"== ping-pong on the simulated {j['config']['cpu']} at {mhz:.0f} MHz, measured by l4sim (region pingpong_loop_begin..end):")
for name, inst in (("inter-address-space", r[1]), ("intra-address-space", r[3])):
    cpi = inst["cycles_per_ipc"]
    print(f"   {name}: {cpi:.1f} cycles per one-way IPC ({cpi / mhz:.2f} us), "
          f"{inst['instructions'] / inst['ipcs']:.1f} instructions per IPC, {inst['ipcs']} IPCs")
print("   (published: lower bound 172 cycles, L4 on the 486-DX50 250 cycles, inter-address-space)")
PY
echo
echo "== the IPC report: each one-way IPC from trap to receiver, decomposed (l4sim ipc; listings: l4sim ipc)"
"$l4sim" ipc --no-listing || { echo "demo: l4sim ipc failed" >&2; exit 1; }
echo
echo "== the cycle budgets (l4sim check, traces/budgets.json)"
"$l4sim" check || { echo "demo: over budget" >&2; exit 1; }
echo
echo "== a what-if sweep: TLB entries, untagged vs tagged (l4sim sweep; more in README \"What-ifs\")"
"$l4sim" sweep --grid tlb.entries=16,32,64 --grid tlb.tagged=false,true --out "$build/demo-sweep" ||
  { echo "demo: l4sim sweep failed" >&2; exit 1; }
python3 - "$build/demo-sweep/results.csv" <<'PY'
import csv, sys
cols = ["tlb.entries", "tlb.tagged", "inter_as.one_way_median", "inter_as.address_space_switch", "inter_as.tlb_misses"]
rows = list(csv.DictReader(open(sys.argv[1])))
print("  ".join(f"{c:>29}" for c in cols))
for r in rows:
    print("  ".join(f"{r[c]:>29}" for c in cols))
PY
echo "(chart: $build/demo-sweep/chart.html)"
echo
echo "== multiboot: a test kernel prints its boot information (tests/machine/kernels/mbinfo.c)"
run --kernel "$build/tests/machine/mbinfo.elf" --cmdline "demo=1" \
  --module "$data/module-a.txt,first-arg second-arg" --module "$data/module-b.txt"
echo
echo "== PC devices: PIC, PIT, RTC and UART interrupts, serial input (tests/machine/kernels/devices.c)"
run --kernel "$build/tests/machine/devices.elf" --serial-in "$data/serial-in.txt" --json "$build/demo-devices.json"
echo
echo "== JSON summary of that run ($build/demo-devices.json):"
cat "$build/demo-devices.json"
echo
echo "== real mode -> protected mode -> ring 3 (tests/isa/real_to_protected.S)"
run --raw "$build/tests/isa/real_to_protected.bin" --mode real --load-addr 0x8000
echo
echo "== paging, the architectural TLB and page faults (tests/isa/paging.S)"
run --raw "$build/tests/isa/paging.bin" --mode flat32 --load-addr 0x100000
