#!/usr/bin/env bash
# The kernel's own faults end in a clean diagnosis: booted with
# "kernel-selftest-fault" it dereferences a null pointer on purpose, and must
# print what faulted where and stop the machine with status 0x7F
# (l4sim status (0x7F << 1) | 1 = 255).
set -u
l4sim=$1 kernel=$2 sigma0=$3 root=$4
out=$("$l4sim" run --kernel "$kernel" --module "$sigma0" --module "$root" --cmdline kernel-selftest-fault 2>&1)
status=$?
echo "$out"
[ "$status" -eq 255 ] || { echo "kernel_fault: status $status, expected 255" >&2; exit 1; }
grep -q "kernel fault: page fault (vector 14, error 2) at eip c0" <<<"$out" || { echo "kernel_fault: no fault diagnosis" >&2; exit 1; }
grep -q "KERNEL PANIC: the kernel faulted" <<<"$out" || { echo "kernel_fault: no panic line" >&2; exit 1; }
