#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of tpm-fault (README.md, "TPM faults").  run.sh --tpm-faults
# starts it for the lifetime of the VM; it serves the requests that the
# guest's tools/testing/vm/tpm-fault drops into DIR (shared with the guest
# over 9p, /run/vtpm/fault there) by signalling the swtpm process.
#
#   tpm-fault-watcher.sh DIR SWTPM_PID PARENT_PID LOG
#
# Protocol, all files in DIR:
#   ID.req  guest -> host, one line: OP [SECONDS]; served once the line is
#           complete (newline).  OP: stop [SECONDS] (SIGSTOP, and SIGCONT
#           again after SECONDS, default 30, 0: never), cont (SIGCONT),
#           kill (SIGKILL), status, end (SIGCONT if stopped; sent by the
#           guest's /init after the command)
#   ID.ack  host -> guest, one line: "ok STATE" (STATE: running, stopped or
#           dead, after the request) or "error MESSAGE"; written as .ID.ack
#           and renamed, so the guest never sees half of it.  Removed by
#           the watcher a minute later.
#   ready   the watcher's pid, written when it starts serving
# ID is the guest's clock in microseconds, '-' and the requester's pid, so
# requests are served in the order they were made.  The guest side uses
# bash builtins only (no mv, no rm): starting a program there costs 60-250
# ms.
#
# The watcher polls DIR every few milliseconds (9p from the guest gives the
# host no change notification that would be cheaper to wait for), stops
# when PARENT_PID (run.sh) goes away or on SIGTERM/SIGINT, and never leaves
# swtpm stopped behind it: it sends SIGCONT before it exits.
set -euo pipefail
shopt -s nullglob

prog="vm: tpm-fault"
[ $# -eq 4 ] || { echo "usage: $0 DIR SWTPM_PID PARENT_PID LOG" >&2; exit 2; }
dir=$1
pid=$2
parent=$3
log=$4

poll=0.005	# seconds between looks at DIR
settle=2	# seconds to wait for a signal to take effect
# stop without SECONDS: SIGCONT after this long all the same.  A TPM
# command that times out while swtpm is stopped freezes the whole guest
# until swtpm continues (README.md), so the guest may never get to ask.
stop_default=30

msg() { echo "$prog: $*" >&2; }

logf() {	# logf MESSAGE: one line, with the host's time
	printf '%s %s\n' "$EPOCHREALTIME" "$*" >>"$log"
}

# A pipe that is never written to: `read -t` on it sleeps without a fork.
exec {tick}<> <(:)
nap() { read -r -t "$1" -u "$tick" _ || true; }

# swtpm's start time (field 22 of /proc/PID/stat), so that a reused pid is
# never mistaken for it.
proc_stat() {	# proc_stat: sets st_state and st_start, or fails
	local line f
	read -r line 2>/dev/null </proc/"$pid"/stat || return 1
	# shellcheck disable=SC2206 # fields after "(comm) "
	f=(${line##*) })
	st_state=${f[0]}
	st_start=${f[19]}
}
st_state=
st_start=
proc_stat || { msg "swtpm (pid $pid) is not running"; exit 1; }
start=$st_start
dead=0

state() {	# sets cur: running, stopped or dead
	if [ "$dead" = 1 ] || ! proc_stat || [ "$st_start" != "$start" ]; then
		dead=1
	else
		case $st_state in
		Z|X|x) dead=1 ;;
		esac
	fi
	if [ "$dead" = 1 ]; then
		cur=dead
	elif [ "$st_state" = T ]; then
		cur=stopped
	else
		cur=running
	fi
}
cur=

now_us() { now=${EPOCHREALTIME/./}; }
now=

wait_state() {	# wait_state WANT: until cur is WANT, at most $settle s
	local want=$1 end
	now_us
	end=$((now + settle * 1000000))
	state
	while [ "$cur" != "$want" ]; do
		now_us
		[ "$now" -lt "$end" ] || return 1
		nap 0.001
		state
	done
}

resume_at=	# µs: SIGCONT then, unless cont came first (stop SECONDS)

do_cont() {
	resume_at=
	state
	[ "$cur" = stopped ] || return 0
	kill -CONT "$pid" 2>/dev/null || true
	wait_state running
}

serve() {	# serve OP [ARG]: sets ack
	local op=${1:-} arg=${2:-} int frac
	state
	case $op in
	status)
		;;
	stop)
		case $arg in
		'') arg=$stop_default ;;
		*[!0-9.]*|*.*.*|.) ack="error bad number of seconds '$arg'"; return ;;
		esac
		[ "$cur" != dead ] || { ack="error swtpm is dead"; return; }
		kill -STOP "$pid" 2>/dev/null || true
		wait_state stopped ||
			{ ack="error swtpm did not stop within $settle s"; return; }
		# seconds with up to 6 decimals -> µs; 0: no automatic SIGCONT
		int=${arg%%.*}
		frac=
		[ "$int" = "$arg" ] || frac=${arg#*.}
		frac=${frac}000000
		resume_at=$((10#${int:-0} * 1000000 + 10#${frac:0:6}))
		if [ "$resume_at" = 0 ]; then
			resume_at=
		else
			now_us
			resume_at=$((now + resume_at))
		fi
		;;
	cont|end)
		if [ "$cur" = dead ]; then
			if [ "$op" = end ]; then ack="ok dead"; else ack="error swtpm is dead"; fi
			return
		fi
		do_cont ||
			{ ack="error swtpm did not continue within $settle s"; return; }
		;;
	kill)
		if [ "$cur" != dead ]; then
			resume_at=
			kill -KILL "$pid" 2>/dev/null || true
			wait_state dead ||
				{ ack="error swtpm did not die within $settle s"; return; }
		fi
		;;
	*)
		ack="error unknown request '$op'"
		return
		;;
	esac
	state
	ack="ok $cur"
}
ack=

finish() {
	trap - EXIT INT TERM
	state
	if [ "$cur" = stopped ]; then
		kill -CONT "$pid" 2>/dev/null || true
		logf "exit: swtpm was stopped, sent SIGCONT"
		msg "swtpm was still stopped at the end: sent SIGCONT"
	fi
	rm -f "$dir/ready"
	exec {tick}>&-
	exit 0
}
trap finish EXIT
trap 'exit 0' INT TERM

echo "$BASHPID" >"$dir/.ready.tmp"
mv -f "$dir/.ready.tmp" "$dir/ready"
logf "ready: swtpm pid $pid"

words=()
acks=()		# "TIME FILE": acknowledgements to remove after ack_ttl
ack_ttl=60000000
while kill -0 "$parent" 2>/dev/null; do
	for req in "$dir"/*.req; do
		line=
		# Incomplete (no newline yet): the next round.
		read -r line <"$req" || continue
		id=${req##*/}
		id=${id%.req}
		read -r -a words <<<"$line" || true
		serve "${words[@]}"
		logf "$id: $line -> $ack"
		printf '%s\n' "$ack" >"$dir/.$id.ack"
		mv -f "$dir/.$id.ack" "$dir/$id.ack"
		rm -f "$req"
		now_us
		acks+=("$now $dir/$id.ack")
	done
	if [ ${#acks[@]} -gt 0 ]; then
		now_us
		while [ ${#acks[@]} -gt 0 ] &&
			[ $((now - ${acks[0]%% *})) -ge "$ack_ttl" ]; do
			rm -f "${acks[0]#* }"
			acks=("${acks[@]:1}")
		done
	fi
	if [ -n "$resume_at" ]; then
		now_us
		if [ "$now" -ge "$resume_at" ]; then
			do_cont || true
			logf "the stop's time is up: sent SIGCONT, swtpm $cur"
		fi
	fi
	nap "$poll"
done
