#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the module on a debug kernel (KASAN, UBSAN, lockdep,
# DEBUG_ATOMIC_SLEEP, DEBUG_LIST, DEBUG_OBJECTS, kmemleak; see
# tools/testing/vm/debug.config).  Builds that kernel once
# (tools/testing/vm/debug-kernel.sh, cached in DEBUG_CACHE), builds the
# module against it in a copy of the tree (.build/check-debug/tree), then runs
# in guests booted on it: the VM selftests, the sw backend tests, the TPM
# fault stage and a stress run of STRESS_TIME s (default 120), each followed
# by a scan of the kernel log for the checkers' reports and of kmemleak
# after the module is unloaded (tools/testing/guest-debug.sh).  Prints TAP
# and the time of each stage; the last line is "N passed, N failed".
#
# Environment: STRESS_TIME (s, default 120), DEBUG_STAGES (default
# "vm vm-sw vm-faults vm-stress"; also vm-attest, vm-ima), DEBUG_SLOW
# (timeout factor against make check's, default 4), DEBUG_CACHE (where
# the kernel is built and kept, default .build/debug; another clone's
# cache is reused as it is if its key matches).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$top" || exit 1
logs=$top/.build/check-debug
tree=$logs/tree
cache=${DEBUG_CACHE:-$top/.build/debug}
rm -rf "$logs"
mkdir -p "$logs"
stress_time=${STRESS_TIME:-120}
slow=${DEBUG_SLOW:-4}
stages=${DEBUG_STAGES:-vm vm-sw vm-faults vm-stress}

"$top/tools/testing/install-deps.sh" --debug-kernel || exit 1
t0=$(date +%s)
vars=$("$top/tools/testing/vm/debug-kernel.sh" "$cache" \
	2>"$logs/kernel.log") || { cat "$logs/kernel.log"; echo "0 passed, 1 failed"; exit 1; }
eval "$vars"
echo "# debug kernel $KVER: $(grep -o 'extract.*' "$logs/kernel.log") (this call: $(($(date +%s) - t0)) s)"
export KERNEL KVER

passed=0
failed=0

tally() {
	passed=$((passed + $(grep -cE '^(# )?ok\b' "$1")))
	failed=$((failed + $(grep -cE '^(# )?not ok\b' "$1")))
}

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

# a guest stage on the debug kernel: its TAP, then guest-debug.sh's
stage() {
	local name=$1 timeout=$2 log=$logs/$1.log rc t
	shift 2
	t=$(date +%s)
	VTPM_REPO=$tree "$tree/tools/testing/vm/run.sh" \
		--timeout $((timeout * slow)) --out "$logs/$name-out" "$@" >"$log" 2>&1
	rc=$?
	grep -E '^(# )?(not )?ok\b' "$log" | sed "s/^/$name: /"
	tally "$log"
	if [ $rc -ne 0 ] && { [ $rc -eq 124 ] || [ $rc -eq 125 ] ||
			     ! grep -qE '^(# )?not ok\b' "$log"; }; then
		echo "not ok - $name exited with $rc (see ${log#"$top"/})"
		tail -n 30 "$log" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
	echo "# $name: $(($(date +%s) - t)) s"
}

copy_tree() {
	rm -rf "$tree"
	mkdir -p "$tree"
	git -C "$top" ls-files -z --cached --others --exclude-standard |
		(cd "$top" && xargs -0 cp --parents -a -t "$tree")
}
step "copy of the tree" copy.log copy_tree
step "module builds against $KVER" build.log make -s -C "$tree" module KDIR="$KDIR"
step "tools and selftests build" tools.log make -s -C "$tree" tools selftests

g=tools/testing/guest-debug.sh
for s in $stages; do
	case $s in
	vm)	stage vm 1500 -- $g tools/testing/guest-tests.sh ;;
	vm-attest) stage vm-attest 1200 -- $g tools/testing/guest-attest.sh ;;
	vm-ima)	stage vm-ima 600 --append ima_policy=critical_data -- \
			$g tools/testing/guest-ima.sh ;;
	vm-sw)	stage vm-sw 1200 -- $g tools/testing/guest-sw.sh ;;
	vm-faults) stage vm-faults 900 --tpm-faults -- \
			$g tools/testing/guest-faults.sh ;;
	vm-stress) stage vm-stress $((stress_time + 1200)) -- \
			$g tools/testing/guest-stress.sh "$stress_time" ;;
	*)	echo "not ok - unknown stage $s"; failed=$((failed + 1)) ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
