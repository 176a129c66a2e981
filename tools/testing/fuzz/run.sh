#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh fuzz SECONDS TARGET...	 each fuzzer for SECONDS on its persistent
#				 corpus (work/corpus/TARGET), then the figures
# run.sh check SECONDS TARGET...  TAP: the regression corpus of each
#				 (regress/TARGET, every input once), then a
#				 smoke of SECONDS from its seeds (fresh corpus)
#
# The seeds (work/seeds/TARGET) are made by "make seeds".  A crash, a leak,
# a sanitizer's report or a broken invariant fails the run; the input is
# left in work/artifacts/TARGET and the fuzzer's output in work/logs.
# FUZZ_SEED (check only, default 1) seeds libFuzzer's RNG.  After a run
# without a crash, fuzz merges the corpus into its smallest subset of the
# same coverage (-merge=1; FUZZ_MERGE=0: not).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
work=$here/work
mode=$1
secs=$2
shift 2

# per target: its options
flags() {
	local common=(-timeout=20 -rss_limit_mb=2048 -print_final_stats=1)

	case $1 in
	fuzz_command)
		echo "${common[*]} -max_len=8192 -dict=$here/fuzz_command.dict" ;;
	fuzz_log)
		echo "${common[*]} -max_len=32768" ;;
	fuzz_bundle)
		echo "${common[*]} -max_len=16384" ;;
	fuzz_ima)
		echo "${common[*]} -max_len=8192" ;;
	*)
		echo "${common[*]}" ;;
	esac
}

# run fuzzer $1 with the rest as arguments, output to $log
fuzzer() {
	local t=$1

	shift
	mkdir -p "$work/artifacts/$t"
	# shellcheck disable=SC2046
	VTPM_FUZZ_AK=$work/bundle/ak.pem nice -n 10 "$here/$t" \
		$(flags "$t") -artifact_prefix="$work/artifacts/$t/" "$@" \
		>"$log" 2>&1
}

stat() {
	sed -n "s/^stat::$1: *//p" "$log" | tail -n 1
}

# cov: (edges) and ft: (features) of the INITED or the last line
cov() {
	grep -E "^#[0-9]+[[:space:]]+$1 " "$log" | tail -n 1 |
		sed -n "s/.* $2: \([0-9]*\).*/\1/p"
}

crash_report() {
	grep -E 'invariant broken|ERROR:|SUMMARY:|runtime error|Test unit written' \
		"$log" | head -n 8 | sed 's/^/#   /'
}

# merge corpus $2 of target $1 into its smallest subset of the same coverage
minimise() {
	local t=$1 dir=$2 log=$work/logs/$1-merge.log

	rm -rf "$dir.merge"
	mkdir -p "$dir.merge"
	if fuzzer "$t" -merge=1 "$dir.merge" "$dir"; then
		rm -rf "$dir"
		mv "$dir.merge" "$dir"
	else
		rm -rf "$dir.merge"
		return 1
	fi
}

regress_files() {
	find "$here/regress/$1" -type f 2>/dev/null | sort
}

mkdir -p "$work/logs"
case $mode in
fuzz)
	total_execs=0 total_new=0 crashes=0
	for t in "$@"; do
		corpus=$work/corpus/$t
		log=$work/logs/$t.log
		mkdir -p "$corpus"
		before=$(find "$corpus" -type f | wc -l)
		regress=()
		[ -d "$here/regress/$t" ] && regress=("$here/regress/$t")
		fuzzer "$t" -max_total_time="$secs" "$corpus" \
			"$work/seeds/$t" "${regress[@]}"
		rc=$?
		after=$(find "$corpus" -type f | wc -l)
		merged=
		if [ $rc -eq 0 ] && [ "${FUZZ_MERGE:-1}" = 1 ]; then
			minimise "$t" "$corpus" && merged=$(find "$corpus" -type f | wc -l)
		fi
		execs=$(stat number_of_executed_units)
		rate=$(stat average_exec_per_sec)
		cov0=$(cov INITED cov) ft0=$(cov INITED ft)
		cov1=$(cov DONE cov) ft1=$(cov DONE ft)
		# a crash ends the run before DONE: the last pulse/NEW line
		[ -n "$cov1" ] || cov1=$(cov '[A-Z]+' cov)
		[ -n "$ft1" ] || ft1=$(cov '[A-Z]+' ft)
		execs=${execs:-0}
		total_execs=$((total_execs + execs))
		total_new=$((total_new + after - before))
		printf '%s: %s executions in %s s (%s/s); corpus %s inputs (%s new%s); coverage %s edges (+%s), %s features (+%s); ' \
			"$t" "$execs" "$secs" "${rate:-0}" "$after" \
			"$((after - before))" "${merged:+, $merged after merge}" \
			"${cov1:-0}" \
			"$(( ${cov1:-0} - ${cov0:-0} ))" "${ft1:-0}" \
			"$(( ${ft1:-0} - ${ft0:-0} ))"
		if [ $rc -eq 0 ]; then
			echo "0 crashes"
		else
			crashes=$((crashes + 1))
			echo "1 crash (exit $rc; see ${log#"$here"/})"
			crash_report
		fi
	done
	echo "fuzz: $# targets, $total_execs executions, $total_new new corpus inputs, $crashes crashed"
	[ $crashes -eq 0 ]
	;;
check)
	n=0 failed=0
	for t in "$@"; do
		mapfile -t files < <(regress_files "$t")
		n=$((n + 1))
		log=$work/logs/$t-regress.log
		if [ ${#files[@]} -eq 0 ]; then
			echo "ok $n - $t: regression corpus: 0 executions # SKIP empty"
		elif fuzzer "$t" "${files[@]}"; then
			echo "ok $n - $t: regression corpus: ${#files[@]} executions, no failure"
		else
			echo "not ok $n - $t: regression corpus fails (see work/logs/$t-regress.log)"
			crash_report
			failed=$((failed + 1))
		fi

		n=$((n + 1))
		log=$work/logs/$t-smoke.log
		rm -rf "$work/check/$t"
		mkdir -p "$work/check/$t"
		if fuzzer "$t" -max_total_time="$secs" -seed="${FUZZ_SEED:-1}" \
			"$work/check/$t" "$work/seeds/$t"; then
			echo "ok $n - $t: ${secs} s smoke: $(stat number_of_executed_units) executions ($(stat average_exec_per_sec)/s), coverage $(cov DONE cov) edges, $(stat new_units_added) new inputs"
		else
			echo "not ok $n - $t: ${secs} s smoke crashed after $(stat number_of_executed_units) executions (see work/logs/$t-smoke.log)"
			crash_report
			failed=$((failed + 1))
		fi
	done
	echo "1..$n"
	[ $failed -eq 0 ]
	;;
*)
	echo "usage: run.sh fuzz|check SECONDS TARGET..." >&2
	exit 2
	;;
esac
