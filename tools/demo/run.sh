#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build vtpm-mux, boot a QEMU guest whose hardware TPM 2.0 is a
# fresh swtpm, and run the demo (guest.sh) in it.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$top"
tools/testing/install-deps.sh
if [ -z "${KDIR:-}" ]; then
	KDIR=$("$top/tools/testing/debian-kdir.sh") || exit 1
fi
make -s module tools KDIR="$KDIR"
exec tools/testing/vm/run.sh --timeout 600 -- tools/demo/guest.sh
