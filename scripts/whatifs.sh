#!/usr/bin/env bash
# Regenerates the README's what-ifs (docs/whatifs/): each is one `l4sim sweep`
# of the real kernel's ping-pong benchmark over a grid of configuration keys.
# Usage: scripts/whatifs.sh [BUILD_DIR]   (default build/)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
l4sim=${1:-$root/build}/l4sim
out=$root/docs/whatifs
sweep() {  # NAME TITLE ARGS...
  local name=$1 title=$2
  shift 2
  rm -rf "$out/$name"
  "$l4sim" sweep --out "$out/$name" --title "$title" "$@"
  rm -rf "$out/$name/points"  # per-point logs and reports: not kept in the repository
}
sweep tlb "Inter-AS one-way IPC vs TLB entries, untagged and tagged (4-way)" \
  --grid tlb.entries=8,16,32,64,128 --grid tlb.tagged=false,true
sweep cache "Inter-AS one-way IPC vs cache size and ways (16-byte lines, write-through)" \
  --grid cache.size=2K,4K,8K,16K,32K,64K --grid cache.ways=1,2,4,8
sweep memory "Inter-AS one-way IPC vs memory wait states, without and with a 256 KB L2" \
  --grid bus.wait_states=0,1,2,3,4,6 --grid l2.size=0,256K
sweep write "Inter-AS one-way IPC vs write buffers, write-through and write-back (2 wait states)" \
  --grid bus.write_buffers=1,2,4,8 --grid cache.write_policy=write-through,write-back --set bus.wait_states=2
