#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the build tree of the newest Debian kernel of a series installed
# here (default 6.1): /lib/modules/KVER/build, KVER named the way Debian
# names its kernels (6.1.0-N-amd64, 6.12.N+bpo-amd64 or
# 6.12.N+deb12-amd64: ending in -amd64).  A kernel built by hand, such as the
# debug kernel of make check-debug (6.1.N-vtpm-debug), is never chosen: the
# guests of tools/testing/vm/run.sh boot Debian's /boot/vmlinuz-*-amd64, and
# the module must be built for that kernel.
#
#	debian-kdir.sh [SERIES]
#
# Exit status 1, with the reason, if there is none.
set -euo pipefail

series=${1:-6.1}
re="^${series//./\\.}\\.[0-9][^/]*-amd64\$"
# shellcheck disable=SC2012 # names in /lib/modules are tame
kver=$(ls /lib/modules 2>/dev/null | grep -E "$re" | sort -V | tail -n 1 || true)
if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
	echo "debian-kdir.sh: no Debian $series kernel headers (apt-get install linux-headers-amd64)" >&2
	exit 1
fi
echo "/lib/modules/$kver/build"
