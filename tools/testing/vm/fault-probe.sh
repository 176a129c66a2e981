#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How the guest kernel's TPM stack behaves when its TPM (the host's swtpm)
# is stopped, continued and killed: the experiment behind README.md, "TPM
# faults".  Runs in the guest:
#
#   tools/testing/vm/run.sh --tpm-faults --timeout 900 --out DIR -- \
#       tools/testing/vm/fault-probe.sh
#
# Sends TPM2_PCR_Extend and TPM2_PCR_Read as raw bytes through /dev/tpm0
# (the same tpm_transmit() path as the in-kernel tpm_pcr_extend()) and
# /dev/tpmrm0, runs tpm2_pcrextend, reads /sys/class/tpm/tpm0/pcr-sha256/N
# (tpm_pcr_read()) and has IMA measure a script (tpm_pcr_extend()); times
# them; tells from the PCR's value whether a command sent while swtpm was
# stopped was executed after all.  A heartbeat in the background tells
# whether the whole guest stood still.
#
# The raw TPM I/O is bash builtins only (printf to write the command, read
# to get the response), so the times are the kernel's: starting a program
# in this guest costs 0.1 s (true) to 10 s (python3, tpm2-tools).  Every
# stop is handed to the host with an automatic SIGCONT (tpm-fault stop
# SECONDS) in case the guest cannot ask for it.  PCRs used: 13 (the one
# the README talks about), 23 (resettable, for the load test), 16
# (resettable, to replay extends) and IMA's 10.  Writes the IMA policy
# (once per boot) and $VTPM_OUT/fault-probe-ima/ (removed at the end).
#
# Output: a log with guest times and dmesg excerpts, a summary at the end;
# also written to $VTPM_OUT/fault-probe.txt.  Exit status 0 when every step
# ran (whatever the TPM did), 1 when the probe itself failed.  Kills swtpm
# at the end: the VM has no TPM afterwards.
set -euo pipefail
export LC_ALL=C

prog="vm: fault-probe"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# tpm_fault: tpm-fault as a function (no bash to start for each request)
# shellcheck source=SCRIPTDIR/tpm-fault
. "$here/tpm-fault"

msg() { echo "$prog: $*" >&2; }
die() { msg "$*"; exit 1; }

if [ -z "${VTPM_OUT:-}" ] || [ ! -c /dev/tpm0 ] || [ ! -c /dev/tpmrm0 ]; then
	die "runs in the test VM: tools/testing/vm/run.sh --tpm-faults -- $0"
fi
st=$(tpm_fault status) || die "needs run.sh --tpm-faults"
[ "$st" = running ] || die "swtpm is $st, not running"

work=$(mktemp -d)
out=$VTPM_OUT/fault-probe.txt
exec > >(tee "$out") 2>&1

# --- logging -------------------------------------------------------------

t0=${EPOCHREALTIME/./}
us_now() { now=${EPOCHREALTIME/./}; }
fmt_ms() {	# fmt_ms VAR MICROSECONDS
	printf -v "$1" '%d.%d' $(($2 / 1000)) $(($2 % 1000 / 100))
}
log() {	# with the seconds since the start
	us_now
	printf '[%4d.%03d] %s\n' $(((now - t0) / 1000000)) $(((now - t0) / 1000 % 1000)) "$*"
}
summary=()
result() { summary+=("$*"); log "RESULT: $*"; }

# --- raw TPM I/O, builtins only -------------------------------------------

# tpm DEV HEX: sends one command.  Sets T_ERR (write()'s error, empty if
# none), T_MS (how long write() took: the whole transmission, the response
# is then read from the kernel's buffer), T_RSP (the response, hex),
# T_RC (its response code, 0x...) and T_TXT (a summary).
tpm() {
	local dev=$1 hex=$2 esc='' i fd s c n size rsp=''
	for ((i = 0; i < ${#hex}; i += 2)); do esc+="\\x${hex:i:2}"; done
	exec {fd}<>"$dev"
	T_ERR=
	us_now
	s=$now
	# shellcheck disable=SC2059 # the format is the command's bytes
	if ! printf "$esc" 1>&"$fd" 2>"$work/err"; then
		read -r T_ERR <"$work/err" || true
		T_ERR=${T_ERR##*write error: }
	fi
	us_now
	fmt_ms T_MS $((now - s))
	T_RSP=''
	T_RC=''
	if [ -z "$T_ERR" ]; then
		# tag (2), size (4), then size - 6 more bytes
		size=6
		for ((i = 0; i < size; i++)); do
			IFS= read -r -d '' -n 1 -u "$fd" c || break
			printf -v n '%d' "'$c"
			printf -v rsp '%s%02x' "$rsp" "$n"
			[ "$i" != 5 ] || size=$((16#${rsp:4:8}))
		done
		T_RSP=$rsp
		if [ ${#rsp} -ge 20 ]; then
			printf -v T_RC '0x%03x' "0x${rsp:12:8}"
		fi
	fi
	exec {fd}>&-
	if [ -n "$T_ERR" ]; then
		T_TXT="write() failed after $T_MS ms: $T_ERR"
	elif [ -z "$T_RC" ]; then
		T_TXT="no response (${#T_RSP} hex digits) after $T_MS ms"
	else
		T_TXT="rc $T_RC after $T_MS ms"
		[ "$T_RC" != 0x101 ] || T_TXT+=" (TPM_RC_FAILURE)"
	fi
}

pw_auth=400000090000000000	# TPM_RS_PW, no nonce, no attributes, no HMAC
extend_hex() {	# extend_hex VAR PCR DIGEST: TPM2_PCR_Extend, one sha256 digest
	# tag, size 65, TPM_CC_PCR_Extend, PCR, auth area, TPML_DIGEST_VALUES
	printf -v "$1" '%s%s%s%08x%s%s%s%s%s' 8002 00000041 00000182 "$2" \
		00000009 "$pw_auth" 00000001 000b "$3"
}
read_hex() {	# read_hex VAR PCR [ALG]: TPM2_PCR_Read of one PCR (sha256: 000b)
	local _sel=(00 00 00)
	printf -v "_sel[$(($2 / 8))]" '%02x' $((1 << ($2 % 8)))
	# tag, size 20, TPM_CC_PCR_Read, TPML_PCR_SELECTION: 1 bank, 3 bytes
	printf -v "$1" '%s%s%s%s%s%s%s%s%s' 8001 00000014 0000017e 00000001 \
		"${3:-000b}" 03 "${_sel[@]}"
}
reset_hex() {	# reset_hex VAR PCR: TPM2_PCR_Reset
	# tag, size 27, TPM_CC_PCR_Reset, PCR, auth area
	printf -v "$1" '%s%s%s%08x%s%s' 8002 0000001b 0000013d "$2" 00000009 "$pw_auth"
}

extend() {	# extend DEV PCR DIGEST
	local h
	extend_hex h "$2" "$3"
	tpm "$1" "$h"
}
pcr() {	# pcr PCR [sha1]: sets PCR (the sha256 or sha1 value, hex) or fails
	local h
	if [ "${2:-}" = sha1 ]; then read_hex h "$1" 0004; else read_hex h "$1"; fi
	tpm /dev/tpm0 "$h"
	PCR=
	[ "$T_RC" = 0x000 ] || return 1
	PCR=${T_RSP:60}
}
digest() { printf -v "$1" '%064x' "$2"; }	# digest VAR N
d='' ds='' da='' h=''

# chain START DIGEST...: what a PCR at START holds after these extends
# (sha1 or sha256 after the length of START)
chain() {
	local v=$1 d h esc i sum=sha256sum
	[ ${#v} != 40 ] || sum=sha1sum
	shift
	for d; do
		h=$v$d esc=''
		for ((i = 0; i < ${#h}; i += 2)); do esc+="\\x${h:i:2}"; done
		# shellcheck disable=SC2059
		v=$(printf "$esc" | "$sum")
		v=${v%% *}
	done
	echo "$v"
}

# executed START STOPPED AFTER: was the extend sent while swtpm was stopped
# executed?  (PCR 13 has had STOPPED then AFTER sent to it.)
executed() {
	pcr 13 || { echo "PCR 13 unreadable: $T_TXT"; return; }
	if [ "$PCR" = "$(chain "$1" "$2" "$3")" ]; then
		echo "WAS executed (PCR 13 holds it)"
	elif [ "$PCR" = "$(chain "$1" "$3")" ]; then
		echo "was NOT executed (PCR 13 lacks it)"
	else
		echo "unknown: PCR 13 matches neither ($PCR)"
	fi
}

# --- the guest's and the host's view --------------------------------------

# Heartbeat: notes every gap of more than 300 ms in a 20 ms sleep loop,
# i.e. when the guest stood still.
heartbeat() {
	local tick prev gap t
	exec {tick}<> <(:)
	us_now
	prev=$now
	while :; do
		read -r -t 0.02 -u "$tick" _ || true
		us_now
		gap=$((now - prev))
		if [ "$gap" -gt 300000 ]; then
			fmt_ms gap "$gap"
			printf -v t '%d.%03d' $(((prev - t0) / 1000000)) $(((prev - t0) / 1000 % 1000))
			echo "the guest stood still for $gap ms from ${t}s" >>"$work/gaps"
		fi
		prev=$now
	done
}
: >"$work/gaps"
heartbeat &
hb=$!
trap 'kill "$hb" 2>/dev/null || true; rm -rf "$work"' EXIT
gaps_seen=0
gaps() {	# the heartbeat's gaps since the last call
	local all
	mapfile -t all <"$work/gaps"
	if [ ${#all[@]} -gt "$gaps_seen" ]; then
		printf '%s\n' "${all[@]:gaps_seen}" | while read -r l; do log "heartbeat: $l"; done
		printf '%s; ' "${all[@]:gaps_seen}" | sed 's/; $//' >"$work/lastgap"
	else
		log "heartbeat: the guest never stood still"
		echo "the guest ran on" >"$work/lastgap"
	fi
	gaps_seen=${#all[@]}
}
lastgap() { cat "$work/lastgap"; }

mark=0
dmesg_mark() { mark=$(dmesg | wc -l); }
dmesg_new() {	# the kernel's messages since dmesg_mark
	local lines
	lines=$(dmesg | tail -n +$((mark + 1)))
	if [ -n "$lines" ]; then
		log "dmesg:"
		printf '%s\n' "$lines" | sed 's/^/    /'
	else
		log "dmesg: (nothing)"
	fi
}

f() {	# f ARGS: tpm-fault ARGS, logged
	local s r=0 o
	us_now
	s=$now
	o=$(tpm_fault "$@") || r=$?
	us_now
	fmt_ms s $((now - s))
	log "tpm-fault $*${o:+: $o} ($s ms$([ "$r" = 0 ] || echo ", exit $r"))"
	return "$r"
}

# After a stop: has the host sent SIGCONT by itself (auto) already?  If
# not, ask for it.
resume() {
	local st
	st=$(tpm_fault status)
	if [ "$st" = stopped ]; then
		log "swtpm is still stopped: sending cont"
		f cont
	else
		log "swtpm is $st: the host's automatic SIGCONT came first"
	fi
}

# --- 0: context and baseline ----------------------------------------------

log "kernel $(uname -r); tpm_tis interrupts=$(cat /sys/module/tpm_tis/parameters/interrupts 2>/dev/null || echo '?')" \
	"(dmesg: $(dmesg | grep -m1 -o 'tpm_tis.*TPM.*' || echo '?'))"
log "hwrng: $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || echo none)," \
	"quality $(cat /sys/class/misc/hw_random/rng_quality 2>/dev/null || echo '?');" \
	"clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
log "the kernel's limits (tpm2_calc_ordinal_duration): PCR_Extend 750 ms (TPM_MEDIUM)," \
	"PCR_Read 120 s (TPM2_DURATION_DEFAULT), GetRandom 2 s"

log "== 0. baseline"
pcr 13 || die "cannot read PCR 13: $T_TXT"
log "PCR 13: $PCR ($T_TXT)"
times=()
for i in 1 2 3 4 5; do
	digest d "$((0x100 + i))"
	extend /dev/tpm0 13 "$d"
	[ "$T_RC" = 0x000 ] || die "baseline extend failed: $T_TXT"
	times+=("$T_MS")
done
log "raw PCR_Extend on /dev/tpm0, 5 times: ${times[*]} ms"
digest d 0x106
extend /dev/tpmrm0 13 "$d"
log "raw PCR_Extend on /dev/tpmrm0: $T_TXT"
us_now
s=$now
r=0
o=$(tpm2_pcrextend -T device:/dev/tpmrm0 "13:sha256=$d" 2>&1) || r=$?
us_now
fmt_ms ms $((now - s))
base_tool=$ms
log "tpm2_pcrextend on /dev/tpmrm0: exit $r after $ms ms (mostly its start)${o:+: $o}"
us_now
s=$now
read -r x </sys/class/tpm/tpm0/pcr-sha256/13
us_now
fmt_ms ms $((now - s))
log "sysfs pcr-sha256/13: ${x:0:16}... after $ms ms"
result "baseline: raw PCR_Extend on /dev/tpm0 ${times[*]} ms; tpm2_pcrextend $base_tool ms (start-up included)"
gaps

# --- 1, 2: raw extend while stopped -----------------------------------------

n=1
for dev in /dev/tpm0 /dev/tpmrm0; do
	log "== $n. raw PCR_Extend on $dev while swtpm is stopped for 5 s"
	dmesg_mark
	gaps >/dev/null
	pcr 13
	v=$PCR
	digest ds $((0x200 + n))
	digest da $((0x300 + n))
	f stop 5
	extend "$dev" 13 "$ds"
	log "PCR_Extend: $T_TXT"
	what=$T_TXT
	st=$(tpm_fault status)
	log "swtpm is now $st"
	gaps
	result "stopped, $dev PCR_Extend: $what; swtpm then $st; $(lastgap)"
	resume
	extend "$dev" 13 "$da"
	log "next PCR_Extend: $T_TXT"
	result "after SIGCONT, the next $dev PCR_Extend: $T_TXT"
	result "the $dev extend sent while stopped $(executed "$v" "$ds" "$da")"
	dmesg_new
	n=$((n + 1))
done

log "== 3. raw PCR_Extend on /dev/tpm0 while swtpm is stopped for 0.6 s (< 750 ms)"
dmesg_mark
gaps >/dev/null
pcr 13
v=$PCR
digest ds 0x210
digest da 0x310
f stop 0.6
extend /dev/tpm0 13 "$ds"
log "PCR_Extend: $T_TXT"
gaps
result "stopped for 0.6 s, /dev/tpm0 PCR_Extend: $T_TXT; $(lastgap)"
resume
extend /dev/tpm0 13 "$da"
result "the extend sent during the short stop $(executed "$v" "$ds" "$da")"
dmesg_new

# --- 4: tpm2_pcrextend while stopped ---------------------------------------

log "== 4. tpm2_pcrextend on /dev/tpmrm0 while swtpm is stopped for 15 s (it starts in ~$base_tool ms)"
dmesg_mark
gaps >/dev/null
pcr 13
v=$PCR
digest ds 0x203
digest da 0x303
f stop 15
us_now
s=$now
r=0
o=$(tpm2_pcrextend -T device:/dev/tpmrm0 "13:sha256=$ds" 2>&1) || r=$?
us_now
fmt_ms ms $((now - s))
log "tpm2_pcrextend: exit $r after $ms ms${o:+, said:}"
[ -z "$o" ] || printf '%s\n' "$o" | sed 's/^/    /'
st=$(tpm_fault status)
log "swtpm is now $st"
gaps
result "stopped for 15 s, tpm2_pcrextend: exit $r after $ms ms (start-up ~$base_tool ms)${o:+: $(printf '%s' "$o" | head -n 1)}; swtpm then $st; $(lastgap)"
resume
extend /dev/tpm0 13 "$da"
log "next raw PCR_Extend: $T_TXT"
result "the tpm2_pcrextend extend sent while stopped $(executed "$v" "$ds" "$da")"
dmesg_new

# --- 5: PCR_Read (120 s limit) while stopped ---------------------------------

log "== 5. sysfs pcr-sha256/13 (TPM2_PCR_Read, 120 s limit) while swtpm is stopped for 5 s"
dmesg_mark
gaps >/dev/null
f stop 5
us_now
s=$now
r=0
read -r x </sys/class/tpm/tpm0/pcr-sha256/13 2>"$work/err" || r=$?
us_now
fmt_ms ms $((now - s))
[ "$r" = 0 ] && x="${x:0:16}..." || x=$(cat "$work/err")
log "read: $x after $ms ms"
gaps
result "stopped, PCR_Read via sysfs: $x after $ms ms; $(lastgap)"
resume
dmesg_new

# --- 6: under load ---------------------------------------------------------

log "== 6. back-to-back raw PCR_Extend on PCR 23 for 12 s, swtpm stopped for 2 s at 3 s"
dmesg_mark
gaps >/dev/null
reset_hex h 23
tpm /dev/tpm0 "$h"
[ "$T_RC" = 0x000 ] || die "cannot reset PCR 23: $T_TXT"
load() {	# writes one line per extend: N ok|error MS
	local i=0 s d
	us_now
	s=$now
	while [ $((now - s)) -lt 12000000 ]; do
		digest d $((0x10000 + i))
		extend /dev/tpm0 23 "$d"
		if [ -z "$T_ERR" ] && [ "$T_RC" = 0x000 ]; then
			echo "$i ok $T_MS"
		else
			us_now
			fmt_ms t $((now - s))
			echo "$i error $T_MS at ${t}ms: $T_TXT"
		fi
		i=$((i + 1))
		us_now
	done >"$work/load"
}
load &
lp=$!
sleep 3
f stop 2
wait "$lp"
ok=() bad=() all=()
while read -r i what ms rest; do
	digest d $((0x10000 + i))
	all+=("$d")
	if [ "$what" = ok ]; then
		ok+=("$d")
		[ "${ms%.*}" -le 100 ] || log "load: extend $i ok but took $ms ms"
	else
		bad+=("$d")
		log "load: extend $i $what after $ms ms $rest"
	fi
done <"$work/load"
log "load: ${#all[@]} extends, ${#ok[@]} succeeded, ${#bad[@]} failed"
gaps
# Replay into PCR 16 (reset): which extends does PCR 23 hold?
replay() {
	local d
	reset_hex h 16
	tpm /dev/tpm0 "$h"
	for d; do extend /dev/tpm0 16 "$d"; done
	pcr 16
	echo "$PCR"
}
pcr 23
p23=$PCR
if [ ${#bad[@]} = 0 ]; then
	held="no extend failed"
elif [ "$p23" = "$(replay "${ok[@]}")" ]; then
	held="PCR 23 holds the succeeded extends only: the failed ones were NOT executed"
elif [ "$p23" = "$(replay "${all[@]}")" ]; then
	held="PCR 23 holds ALL extends: the failed ones WERE executed"
else
	held="PCR 23 matches neither the succeeded nor all extends"
fi
log "load: $held"
result "under load: ${#all[@]} extends, ${#bad[@]} failed ($(grep -m1 error "$work/load" | sed 's/^[0-9]* error //' || true)); $held; $(lastgap)"
dmesg_new

# --- 7: the in-kernel tpm_pcr_extend() (IMA) while stopped ------------------

# IMA measures (hashes, logs, extends PCR 10 through tpm_pcr_extend(), all
# banks) the scripts we run from group 4242, nothing else.  The policy can
# be written once per boot (no CONFIG_IMA_WRITE_POLICY).
ima=/sys/kernel/security/ima
imadir=$VTPM_OUT/fault-probe-ima
ima_ok=0
mkdir -p "$imadir"
mkscript() {	# mkscript N: a script of its own in group 4242 (IMA measures it)
	printf '#!/bin/sh\n: fault-probe %s %s\n' "$1" "$EPOCHREALTIME" >"$imadir/t$1.sh"
	chmod 0755 "$imadir/t$1.sh"
	chgrp 4242 "$imadir/t$1.sh"
}
runscript() {	# runscript N: runs it, sets RUN_TXT
	local s r=0 ms
	us_now
	s=$now
	"$imadir/t$1.sh" || r=$?
	us_now
	fmt_ms ms $((now - s))
	RUN_TXT="exit $r after $ms ms"
}
ima_check() {	# does the sha1 bank of PCR 10 hold every entry of IMA's log?
	local hashes
	mapfile -t hashes < <(awk '$1 == 10 { print $2 }' "$ima/ascii_runtime_measurements")
	pcr 10 sha1 || { echo "PCR 10 unreadable: $T_TXT"; return; }
	if [ "$PCR" = "$(chain 0000000000000000000000000000000000000000 "${hashes[@]}")" ]; then
		echo "PCR 10 holds all ${#hashes[@]} entries of IMA's log"
	else
		echo "PCR 10 does NOT match IMA's log of ${#hashes[@]} entries"
	fi
}
log "== 7. in-kernel tpm_pcr_extend() (IMA measuring a script) while swtpm is stopped for 5 s"
if [ -w "$ima/policy" ] &&
	echo "measure func=BPRM_CHECK fgroup=4242" 2>/dev/null >"$ima/policy"; then
	ima_ok=1
	mkscript 1
	mkscript 2
	mkscript 3
	runscript 1
	log "baseline: measured script: $RUN_TXT; $(ima_check)"
	tail -n 1 "$ima/ascii_runtime_measurements" | cut -c1-100 | sed 's/^/    /'
	dmesg_mark
	gaps >/dev/null
	f stop 5
	runscript 2
	log "measured script: $RUN_TXT"
	what=$RUN_TXT
	gaps
	resume
	log "IMA's log: $(grep -c . "$ima/ascii_runtime_measurements") entries, t2: $(grep -c 't2\.sh' "$ima/ascii_runtime_measurements")"
	result "stopped, IMA measuring a script (tpm_pcr_extend, 4 banks): the exec took $what; $(lastgap)"
	result "IMA's extend sent while stopped: $(ima_check)"
	dmesg_new
else
	log "skipped: cannot write an IMA policy (booted with ima_policy=...?)"
fi

# --- 8: kill ---------------------------------------------------------------

log "== 8. swtpm killed"
dmesg_mark
gaps >/dev/null
f kill
digest d 0x400
extend /dev/tpm0 13 "$d"
log "raw PCR_Extend on /dev/tpm0: $T_TXT"
result "killed, raw /dev/tpm0 PCR_Extend: $T_TXT"
extend /dev/tpm0 13 "$d"
log "again: $T_TXT"
read_hex h 13
tpm /dev/tpm0 "$h"
log "raw PCR_Read: $T_TXT"
result "killed, raw PCR_Read: $T_TXT"
extend /dev/tpmrm0 13 "$d"
log "raw PCR_Extend on /dev/tpmrm0: $T_TXT"
result "killed, raw /dev/tpmrm0 PCR_Extend: $T_TXT"
us_now
s=$now
r=0
o=$(tpm2_pcrextend -T device:/dev/tpmrm0 "13:sha256=$d" 2>&1) || r=$?
us_now
fmt_ms ms $((now - s))
log "tpm2_pcrextend: exit $r after $ms ms${o:+, said:}"
[ -z "$o" ] || printf '%s\n' "$o" | sed 's/^/    /'
result "killed, tpm2_pcrextend: exit $r after $ms ms${o:+: $(printf '%s' "$o" | head -n 1)}"
us_now
s=$now
r=0
read -r x </sys/class/tpm/tpm0/pcr-sha256/13 2>"$work/err" || r=$?
us_now
fmt_ms ms $((now - s))
[ "$r" = 0 ] && x="${x:0:16}..." || x=$(cat "$work/err")
log "sysfs pcr-sha256/13: '$x' after $ms ms; its bytes: $(od -An -c </sys/class/tpm/tpm0/pcr-sha256/13 | tr -s ' ')"
result "killed, sysfs pcr-sha256/13 read: '$x' after $ms ms; its bytes: $(od -An -c </sys/class/tpm/tpm0/pcr-sha256/13 | tr -s ' ')"
times=()
for i in $(seq 20); do
	extend /dev/tpm0 13 "$d"
	times+=("${T_RC:-$T_ERR}/$T_MS")
done
log "20 more raw PCR_Extend (rc/ms): ${times[*]}"
if [ "$ima_ok" = 1 ]; then
	runscript 3
	log "IMA measuring a script: $RUN_TXT"
	result "killed, IMA measuring a script: $RUN_TXT (see dmesg)"
fi
log "swtpm: $(tpm_fault status); the guest, so QEMU, still runs"
gaps
dmesg_new
result "killed: QEMU survived and the guest ran on; $(lastgap)"

# --- summary ---------------------------------------------------------------

rm -rf "$imadir"
log "== the host's log (tpm-fault.log: host time, request ID = guest time in µs)"
sed 's/^/    /' "$VTPM_OUT/tpm-fault.log" 2>/dev/null || true
echo
echo "== summary"
for l in "${summary[@]}"; do echo "- $l"; done
