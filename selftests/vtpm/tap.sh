# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers of the shell selftests (sourced, not run):
#   ok STATUS DESCRIPTION   "ok N - ..." when STATUS is 0, else "not ok"
#   skip_all REASON         "1..0 # SKIP REASON" and exit 0
#   tap_done                the plan line; exit status 1 if anything failed
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

tap_done() {
	echo "1..$n"
	[ "$fails" -eq 0 ]
}
