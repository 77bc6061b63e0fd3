#!/usr/bin/env python3
"""The cycle reference: "never a different cycle".

Runs a fixed set of workloads through l4sim -- the microkernel with sigma0 and
the root task under the timing model (default and what-if configurations) and
functionally, the multiboot test kernels, the ISA programs, a compute loop, and
the IPC report -- and compares what each one gives (instructions, cycles,
halted cycles, the interrupts taken and where, every timing statistic, every
region pass, the serial output's hash, the IPC report's figures) with
traces/cycle_reference.json.

  cycle_reference.py check BUILD_DIR [REFERENCE]   exit 1 and list every difference
  cycle_reference.py write BUILD_DIR [REFERENCE]   record the current figures

Speed work must leave the reference untouched. A kernel or model change that
moves it on purpose rewrites it (`make cycle-reference`) in the same commit,
with the reason in the message.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# mov ecx,0; 1: inc ecx; cmp ecx,1000000; jne 1b; hlt  (3 million instructions)
LOOP = bytes.fromhex("b900000000" "41" "81f940420f00" "75f7" "f4")


def workloads():
    # Paths are relative to the build directory, which is the working directory
    # of every run: a multiboot module's command line is its path, and the
    # guest's instruction count depends on its length, so it must not depend on
    # where the checkout lives. The build directory sits in the checkout.
    k = ["--kernel", "kernel/kernel.elf", "--module", "guest/sigma0.elf", "--module", "guest/root.elf"]
    mk = "tests/machine"
    data = "../tests/machine/data"
    isa = "tests/isa"
    w = {
        "kernel.i486dx50": k,
        "kernel.timing_off": k + ["--timing", "off"],
        "kernel.split_caches": k + ["--set", "cache.unified=false"],
        "kernel.write_back": k + ["--set", "cache.write_policy=write-back", "--set", "cache.write_allocate=true"],
        "kernel.l2_wait_states": k + ["--set", "l2.size=256K", "--set", "bus.wait_states=2"],
        "kernel.tagged_tlb": k + ["--set", "tlb.tagged=true", "--set", "tlb.entries=64", "--cmdline", "tagged-tlb"],
        "kernel.split_tlb": k + ["--set", "tlb.split=true", "--set", "tlb.entries=64"],
        "kernel.lru_fifo": k + ["--set", "cache.replacement=lru", "--set", "tlb.replacement=fifo"],
        "kernel.direct_mapped": k + ["--set", "cache.ways=1", "--set", "tlb.ways=1"],
        "kernel.i486dx2-66": k + ["--cpu", "i486dx2-66"],
        "kernel.i486dx4-100": k + ["--cpu", "i486dx4-100"],
        "kernel.pentium90_functional": k + ["--cpu", "pentium90", "--timing", "off"],
        "mbinfo": ["--kernel", f"{mk}/mbinfo.elf", "--module", f"{data}/module-a.txt,first-arg second-arg",
                   "--module", f"{data}/module-b.txt"],
        "devices": ["--kernel", f"{mk}/devices.elf", "--serial-in", f"{data}/serial-in.txt"],
        "devices.timing_off": ["--kernel", f"{mk}/devices.elf", "--serial-in", f"{data}/serial-in.txt",
                               "--timing", "off"],
        "isa.paging": ["--raw", f"{isa}/paging.bin", "--mode", "flat32", "--load-addr", "0x100000"],
        "isa.real_to_protected": ["--raw", f"{isa}/real_to_protected.bin", "--mode", "real", "--load-addr", "0x8000"],
        "loop": ["--raw", "@LOOP"],
        "loop.timing_off": ["--raw", "@LOOP", "--timing", "off"],
    }
    return w


def run_one(l4sim, args, tmp):
    args = [a.replace("@LOOP", os.path.join(tmp, "loop.bin")) for a in args]
    js, serial = os.path.join(tmp, "run.json"), os.path.join(tmp, "serial")
    for f in (js, serial):
        if os.path.exists(f):
            os.remove(f)
    cmd = [l4sim, "run"] + args + ["--json", js, "--serial", serial, "--console", serial]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=os.path.dirname(l4sim))
    if not os.path.exists(js):
        raise SystemExit(f"cycle_reference: {' '.join(cmd)} wrote no JSON (exit {p.returncode}):\n{p.stderr}")
    j = json.load(open(js))
    out = {key: j.get(key) for key in ("exit_reason", "guest_status", "instructions", "cycles", "halted_cycles",
                                        "interrupts", "timing", "regions")}
    out["serial_sha256"] = hashlib.sha256(open(serial, "rb").read()).hexdigest() if os.path.exists(serial) else None
    return out


def run_ipc(l4sim, build, tmp):
    js = os.path.join(tmp, "ipc.json")
    cmd = [l4sim, "ipc", "--kernel", "kernel/kernel.elf", "--sigma0", "guest/sigma0.elf", "--root",
           "guest/root.elf", "--json", js, "--no-listing"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=build)
    if p.returncode != 0 or not os.path.exists(js):
        raise SystemExit(f"cycle_reference: {' '.join(cmd)} failed (exit {p.returncode}):\n{p.stderr}")
    j = json.load(open(js))
    return {key: j[key] for key in ("inter_as", "intra_as", "page_fault") if key in j}


def measure(build):
    l4sim = os.path.join(build, "l4sim")
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, "loop.bin"), "wb").write(LOOP)
        for name, args in workloads().items():
            result[name] = run_one(l4sim, args, tmp)
        result["ipc_report"] = run_ipc(l4sim, build, tmp)
    return result


def diff(ref, cur, path=""):
    """Every leaf that differs, as 'path: reference -> current'."""
    out = []
    if isinstance(ref, dict) and isinstance(cur, dict):
        for k in sorted(set(ref) | set(cur)):
            if k not in cur:
                out.append(f"{path}{k}: missing now")
            elif k not in ref:
                out.append(f"{path}{k}: not in the reference")
            else:
                out += diff(ref[k], cur[k], f"{path}{k}.")
    elif isinstance(ref, list) and isinstance(cur, list):
        if len(ref) != len(cur):
            out.append(f"{path[:-1]}: {len(ref)} entries -> {len(cur)}")
        for i, (a, b) in enumerate(zip(ref, cur)):
            out += diff(a, b, f"{path}{i}.")
    elif ref != cur:
        out.append(f"{path[:-1]}: {ref} -> {cur}")
    return out


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("check", "write"):
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[2])
    ref_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "traces", "cycle_reference.json")
    cur = measure(build)
    if sys.argv[1] == "write":
        with open(ref_path, "w") as f:
            json.dump(cur, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"cycle_reference: wrote {len(cur)} workloads to {ref_path}")
        return 0
    if not os.path.exists(ref_path):
        print(f"cycle_reference: no reference at {ref_path}", file=sys.stderr)
        return 2
    ref = json.load(open(ref_path))
    d = diff(ref, cur)
    if d:
        print(f"cycle_reference: {len(d)} differences from {ref_path}:")
        for line in d[:200]:
            print("  " + line)
        if len(d) > 200:
            print(f"  ... and {len(d) - 200} more")
        print("A deliberate kernel or model change rewrites the reference (make cycle-reference) in the same commit.")
        return 1
    print(f"cycle_reference: {len(cur)} workloads, identical to {ref_path}")
    for name, r in cur.items():
        if "cycles" in r:
            print(f"  {name:<28} {r['instructions']:>11} instructions {r['cycles']:>12} cycles "
                  f"{r['interrupts']['count']:>6} interrupts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
