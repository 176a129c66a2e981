#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few files of Debian's linux-source-6.1 that the build and the
# checks need (checkpatch.pl and its data, the kselftest headers) into
# $1 (default .build/ksrc).  Nothing of the kernel is kept in the repository.
set -euo pipefail

out=${1:-.build/ksrc}
tarball=$(ls /usr/src/linux-source-6.*.tar.xz 2>/dev/null | sort -V | tail -n 1 || true)
stamp="$out/.extracted"

[ -f "$stamp" ] && exit 0
if [ -z "$tarball" ]; then
	echo "ksrc.sh: no /usr/src/linux-source-6.*.tar.xz (apt-get install linux-source-6.1)" >&2
	exit 1
fi
top=$(basename "$tarball" .tar.xz)
mkdir -p "$out"
tar -xJf "$tarball" -C "$out" --strip-components=1 \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/tools/testing/selftests/kselftest_harness.h"
touch "$stamp"
