#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the vtpm-mux selftests (as root, with vtpm_mux loaded) and prints
# their TAP, then "# vtpm-selftests: N passed, N failed".
#
#   run_tests.sh [--unload] [--skip=TEST]... [TEST...]
#
# --unload  run unload_test last: it unloads vtpm_mux
# --skip    leave TEST out (make check runs the attestation tests in a
#           guest of their own)
# TEST      run only these (names of the programs, e.g. malformed_test)
#
# Each test is killed after VTPM_TEST_TIMEOUT seconds (default 900; the
# debug kernel's guests, guest-debug.sh, give them 3600).
# The programs must be built (make -C selftests/vtpm).  Nothing is written
# into the repository; temporary files go to $TMPDIR.  The shell tests
# that reload vtpm_mux (mux_ima_test.sh, mux_reload_test.sh,
# attest_ak_test.sh) run after the C tests and leave it loaded with its
# defaults.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
unload=0
only=()
skip=()
for a in "$@"; do
	case $a in
	--unload) unload=1 ;;
	--skip=*) skip+=("${a#--skip=}") ;;
	-h|--help) sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run_tests.sh: unknown option $a" >&2; exit 2 ;;
	*) only+=("$a") ;;
	esac
done

tests=(control_test chardev_test perm_test lifecycle_test malformed_test
       tpm_basic_test tpm_cap_test tpm_pcr_test isolation_test mux_test
       view_memory_test engine_stall_test
       attest_test attest_verify_test.sh ima_verify_test.sh tpm2_tools_test.sh mux_ima_test.sh
       mux_reload_test.sh attest_ak_test.sh)
[ ${#only[@]} -gt 0 ] && tests=("${only[@]}")
for s in "${skip[@]}"; do
	for i in "${!tests[@]}"; do
		[ "${tests[$i]}" = "$s" ] && unset "tests[$i]"
	done
done
[ $unload -eq 1 ] && tests+=(unload_test)

passed=0
failed=0
broken=()
for t in "${tests[@]}"; do
	echo "# === $t"
	t0=$(date +%s)
	out=$(mktemp)
	timeout -k 10 "${VTPM_TEST_TIMEOUT:-900}" "$here/$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -cE '^ok\b' "$out")
	f=$(grep -cE '^not ok\b' "$out")
	rm -f "$out"
	echo "# $t: $(($(date +%s) - t0)) s"
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# crashed or timed out without reporting a failure
		echo "not ok - $t exited with $rc"
		failed=$((failed + 1))
	fi
	[ "$rc" -ne 0 ] && broken+=("$t")
done
echo "# vtpm-selftests: $passed passed, $failed failed"
[ ${#broken[@]} -gt 0 ] && echo "# failing: ${broken[*]}"
[ "$failed" -eq 0 ]
