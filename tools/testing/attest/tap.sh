# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP helpers of test_attest.sh and test_ima.sh (sourced, not run):
#   ok DESCRIPTION              "ok N - ..."
#   not_ok DESCRIPTION [LINE...] "not ok N - ...", each LINE as a comment
#   skip DESCRIPTION REASON     "ok N - ... # SKIP REASON"
# $n counts the tests, $failed the failures.
n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do
		echo "#   $line"
	done
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
