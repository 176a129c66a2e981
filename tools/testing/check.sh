#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of vtpm-mux, in this order:
#   1. static checks: sparse and checkpatch --strict on the module (zero
#      findings), the tools built with -Wall -Wextra -Werror
#   2. user-space tests: unit tests of the pure code, vtpmctl's usage tests,
#      vtpm-verify against synthetic bundles, the fuzzers
#   3. the selftests, inside a QEMU guest with swtpm as its TPM 2.0; then
#      the attestation tests in a guest of their own, the IMA test in a
#      guest booted with ima_policy=critical_data, and
#      the TPM fault tests in a guest whose swtpm they stop and kill
# Every stage prints TAP; the last line is "N passed, N failed".
#
# Environment: KDIR (kernel build tree; default: the newest 6.1 Debian
# kernel installed), VM_TIMEOUT (seconds, default 1500).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$top" || exit 1
logs=$top/.build/check
rm -rf "$logs"
mkdir -p "$logs"

"$top/tools/testing/install-deps.sh" || exit 1
if [ -z "${KDIR:-}" ]; then
	KDIR=$("$top/tools/testing/debian-kdir.sh") || exit 1
fi
export KDIR
kver=$(basename "$(dirname "$KDIR")")

passed=0
failed=0

# Count the TAP results of a log: "ok N" and "not ok N" at any indentation
# that kselftest uses for top-level results.
tally() {
	local p f
	p=$(grep -cE '^(# )?ok\b' "$1")
	f=$(grep -cE '^(# )?not ok\b' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
}

# A step that is one test: its exit status decides.
step() {
	local name=$1 log=$logs/$2
	shift 2
	if "$@" >"$log" 2>&1; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name (see ${log#"$top"/})"
		tail -n 20 "$log" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

# A step whose output is TAP: every result counts; a crash counts once more.
tap() {
	local name=$1 log=$logs/$2 rc
	shift 2
	"$@" >"$log" 2>&1
	rc=$?
	grep -E '^(# )?(not )?ok\b' "$log" | sed "s/^/$name: /"
	tally "$log"
	# 124, 125: the guest did not finish, or the VM failed (vm/run.sh)
	if [ $rc -ne 0 ] && { [ $rc -eq 124 ] || [ $rc -eq 125 ] ||
			     ! grep -qE '^(# )?not ok\b' "$log"; }; then
		echo "not ok - $name exited with $rc (see ${log#"$top"/})"
		tail -n 30 "$log" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

no_findings() {
	local log=$1
	shift
	"$@" >"$log" 2>&1 || return 1
	! grep -E 'warning:|error:' "$log"
}

echo "# vtpm-mux: make check against $kver"
step "module builds" build.log make -s module KDIR="$KDIR"
step "sparse: no findings" sparse.log no_findings "$logs/sparse.out" \
	make sparse KDIR="$KDIR"
step "checkpatch --strict: no findings" checkpatch.log make -s checkpatch
step "tools build with -Wall -Wextra -Werror" tools.log make -s tools
step "selftests build with -Wall -Wextra -Werror" selftests.log make -s selftests

tap unit unit.log tools/testing/unit/test_engine
tap mlog mlog.log tools/testing/unit/test_mlog
# the log's test vectors, by an implementation of log-format.md in Python
step "log-format.md and test_mlog.c carry mkvectors.py's vectors" vectors.log \
	make -s -C tools/testing/unit vectors
tap merkle merkle.log tools/testing/unit/test_merkle
tap tpmkey tpmkey.log tools/testing/unit/test_tpmkey tools/testing/unit/vectors
tap mirror mirror.log tools/testing/unit/test_mirror
tap vtpmctl vtpmctl.log env VTPMCTL="$top/tools/vtpmctl/vtpmctl" \
	tools/vtpmctl/test-usage.sh
# vtpm-verify against synthetic bundles (and real quotes of a host swtpm)
tap attest attest.log make -s -C tools/testing/attest check
# libFuzzer: commands, logs, bundles; the regression corpus and a smoke
tap fuzz fuzz.log make -s -C tools/testing/fuzz check

# The selftests in a guest: the module, a real TPM 2.0 (swtpm), real clients.
tap vm vm.log tools/testing/vm/run.sh --timeout "${VM_TIMEOUT:-1500}" \
	--out "$logs/vm-out" -- tools/testing/guest-tests.sh

# Attestation: the ABI, 64 concurrent requests, the forgeries vtpm-verify
# rejects with real quotes, the attestation key against tpm2-tools, a
# flood of requests held to its share of the hardware TPM.
tap vm-attest vm-attest.log tools/testing/vm/run.sh --timeout 1200 \
	--out "$logs/vm-attest-out" -- tools/testing/guest-attest.sh

# IMA measures the genesis and every create/destroy (a guest with a policy).
tap vm-ima vm-ima.log tools/testing/vm/run.sh --timeout 600 \
	--append ima_policy=critical_data --out "$logs/vm-ima-out" -- \
	tools/testing/guest-ima.sh

# sw-backed instances: vtpmd, swtpm engines, tpm2-tools, engine faults, the
# engine state bound to the hardware TPM.
tap vm-sw vm-sw.log tools/testing/vm/run.sh --timeout 1200 \
	--out "$logs/vm-sw-out" -- tools/testing/guest-sw.sh

# Hardware TPM faults: swtpm stopped and continued, then killed, under load.
tap vm-faults vm-faults.log tools/testing/vm/run.sh --tpm-faults --timeout 900 \
	--out "$logs/vm-faults-out" -- tools/testing/guest-faults.sh

# Stress (make stress, 60 s): 64 instances x 8 threads, churn, readers.
tap vm-stress vm-stress.log tools/testing/vm/run.sh --timeout 1500 \
	--out "$logs/vm-stress-out" -- tools/testing/guest-stress.sh 60

# The benchmarks' short run: every measurement runs without errors and the
# guest's whole log replays to its PCR on the host (timings are not tested)
tap bench bench.log env BENCH_QUICK=1 BENCH_OUT="$logs/bench" tools/bench/run.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
