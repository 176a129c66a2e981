#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building, testing and the demo need on Debian 12 (as root).
# Does nothing when everything is there already.
#
#	install-deps.sh [--debug-kernel]
#
# --debug-kernel: also what building a kernel needs (make check-debug).
set -euo pipefail

pkgs=(build-essential qemu-system-x86 swtpm swtpm-tools linux-image-amd64
      linux-headers-amd64 linux-source-6.1 tpm2-tools libtss2-dev libssl-dev
      sparse busybox-static cpio kmod xz-utils util-linux perl python3
      clang llvm gnuplot-nox)
[ "${1:-}" != --debug-kernel ] || pkgs+=(flex bison bc libelf-dev)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
