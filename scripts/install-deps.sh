#!/usr/bin/env bash
# Installs the Debian 12 packages l4sim needs to build and test, if missing.
set -euo pipefail
pkgs=(build-essential cmake g++ binutils gcc-multilib
      libboost-program-options-dev libfmt-dev libspdlog-dev nlohmann-json3-dev catch2
      libunicorn-dev libcapstone-dev qemu-system-x86 python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
