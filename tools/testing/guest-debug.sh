#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check-debug: run one stage's guest script (its
# arguments follow) on the debug kernel, then, with the module unloaded,
# look for what the kernel's checkers found: KASAN, UBSAN, lockdep,
# sleeping in atomic context, list and object debugging, hung tasks, and
# the leaks kmemleak finds after two scans.  Prints the stage's TAP, then
# its own; exits non-zero if either failed.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
leaks=/sys/kernel/debug/kmemleak
# what leaked before the stage (the boot) is not the stage's
if [ -w "$leaks" ]; then
	echo scan >"$leaks"
	echo clear >"$leaks"
fi

# the debug kernel is several times slower: so is each selftest
export VTPM_TEST_TIMEOUT=${VTPM_TEST_TIMEOUT:-3600}
"$@"
rc=$?

# the module must be gone for its leaks to be leaks
if grep -q '^vtpm_mux ' /proc/modules; then
	rmmod vtpm_mux || echo "not ok - rmmod vtpm_mux after the stage"
fi

splats='BUG:|WARNING:|Oops|KASAN|UBSAN|kernel BUG|general protection|'
splats+='possible circular locking|possible recursive locking|'
splats+='inconsistent lock state|suspicious RCU usage|'
splats+='sleeping function called from invalid context|'
splats+='ODEBUG:|list_add corruption|list_del corruption|'
splats+='INFO: task .* blocked|soft lockup|kmemleak: .* new suspected'
if dmesg | grep -E "$splats" >/tmp/splats.txt; then
	echo "not ok - the debug kernel found problems:"
	dmesg | sed 's/^/# /' | grep -E -A40 "$splats" | head -n 400
	rc=1
else
	echo "ok - no KASAN, UBSAN, lockdep, atomic-sleep, list, object or hung-task report"
fi

if [ ! -w "$leaks" ]; then
	echo "not ok - kmemleak is not available (see the kernel log)"
	rc=1
else
	# an object is reported once it is 5 s old and two scans missed it
	sleep 6
	echo scan >"$leaks"
	sleep 1
	echo scan >"$leaks"
	if [ -s "$leaks" ]; then
		echo "not ok - kmemleak: $(grep -c '^unreferenced object' "$leaks") suspected leaks"
		sed 's/^/# /' "$leaks" | head -n 400
		rc=1
	else
		echo "ok - kmemleak: no leaks"
	fi
fi
exit $rc
