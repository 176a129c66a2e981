#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel IMA records every mapping log's genesis and every instance's
# creation and destruction as critical data "vtpm-mux" (drivers/vtpm/ima.c),
# in /sys/kernel/security/ima/ascii_runtime_measurements (template
# ima-buf: "10 <hash> ima-buf <alg>:<digest> <event name> <buffer hex>",
# where IMA shows the blanks of an event name as '_'):
#
#   genesis pcr=P reset=R log=ID   buffer: the genesis record's leaf
#   create vtpmN                   buffer: "create vtpmN <uuid> <label>"
#   destroy vtpmN                  buffer: "destroy vtpmN <uuid> <label>"
#
# The expected leaf is computed from the securityfs log with sha256sum,
# the reset count comes from the hardware TPM (tpm2_readclock).  Then the
# module is reloaded with ima=0 (nothing is measured) and with the
# defaults again.  Prints TAP; skips unless the kernel runs with
# ima_policy=critical_data.
#
# Needs root, vtpmctl (VTPMCTL, default tools/vtpmctl/vtpmctl), tpm2-tools,
# vtpm_mux loaded; drivers/vtpm/vtpm_mux.ko for the reloads.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
vtpmctl=${VTPMCTL:-$here/../../tools/vtpmctl/vtpmctl}
ko=${VTPM_MUX_KO:-$here/../../drivers/vtpm/vtpm_mux.ko}
ml=/sys/kernel/security/ima/ascii_runtime_measurements
sec=/sys/kernel/security/vtpm_mux
work=$(mktemp -d /tmp/vtpm-ima.XXXXXX)
devs=()

skip_all() {
	echo "1..0 # SKIP $*"
	rm -rf "$work"
	exit 0
}

grep -qw 'ima_policy=critical_data' /proc/cmdline ||
	skip_all "the kernel does not run with ima_policy=critical_data"
[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -r "$ml" ] || skip_all "no $ml"
[ -r "$sec/log" ] || skip_all "vtpm_mux is not loaded"
[ -x "$vtpmctl" ] || skip_all "no $vtpmctl"
[ "$(cat /sys/module/vtpm_mux/parameters/ima)" = Y ] ||
	skip_all "vtpm_mux was loaded with ima=0"

loaded() { [ -d /sys/module/vtpm_mux ]; }

cleanup() {
	local d
	for d in "${devs[@]}"; do
		"$vtpmctl" destroy "$d" >/dev/null 2>&1
	done
	# leave the module loaded with its defaults
	if ! loaded; then
		insmod "$ko"
	elif [ "$(cat /sys/module/vtpm_mux/parameters/ima)" != Y ]; then
		rmmod vtpm_mux && insmod "$ko"
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=tap.sh
. "$here/tap.sh"

# eq NAME GOT WANT
eq() {
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		echo "# got:  $2"
		echo "# want: $3"
		ok 1 "$1"
	fi
}

tohex() { od -An -v -tx1 | tr -d ' \n'; }
unhex() { printf '%s' "$1" | xxd -r -p; }

# snap: the vtpm-mux lines of the IMA list into $work/ima, one per line:
# "ALG:DIGEST|NAME|BUFHEX", NAME with blanks as IMA shows them ('_')
snap() {
	local _pcr _th tn dg name buf
	while read -r _pcr _th tn dg name buf; do
		[ "$tn" = ima-buf ] || continue
		case $name in
		genesis_pcr=*|create_vtpm*|destroy_vtpm*) ;;
		*) continue ;;
		esac
		echo "$dg|$name|$buf"
	done <"$ml" >"$work/ima"
}

# check_digest LINE: the digest of the line is the hash of its buffer
check_digest() {
	local dg=${1%%|*} buf=${1##*|}
	local alg=${dg%%:*}
	[ "$(unhex "$buf" | "${alg}sum" | cut -d' ' -f1)" = "${dg#*:}" ]
}

# genesis_of_log: "NAME|LEAFHEX" that the current log's genesis must give
genesis_of_log() {
	local h nb hdr blen body leaf logid reset pcr
	# enough for the header, the batch header and the genesis entry
	h=$(head -c 2048 "$sec/log" | tohex)
	nb=$((16#${h:32:2}))
	hdr=$((17 + 2 * nb + 16 + 8 + 8))
	# entry: batch header (12), form (1), salt, tag, u16 length, body
	blen=$((16#${h:$(((hdr + 12 + 1 + 64) * 2)):4}))
	body=${h:$(((hdr + 12 + 1 + 64 + 2) * 2)):$((blen * 2))}
	leaf=$({ printf 'vtpm-mux leaf v1'
		 unhex "${h:$(((hdr + 13) * 2)):128}"
		 unhex "$body"; } | sha256sum | cut -d' ' -f1)
	logid=${body:$(((blen - 16) * 2)):32}
	pcr=$((16#${body:66:8}))
	reset=$(tpm2_readclock -T device:/dev/tpmrm0 2>/dev/null |
		sed -n 's/^ *reset_count: *//p')
	echo "genesis pcr=$pcr reset=$reset log=$logid|$leaf"
}

# count_lines "NAME|BUFHEX": the vtpm-mux lines with this name and buffer
count_lines() {
	local l c=0
	while IFS= read -r l; do
		[ "${l#*|}" = "${1// /_}" ] && c=$((c + 1))
	done <"$work/ima"
	echo "$c"
}

echo "TAP version 13"

# --- the genesis of the log loaded now ---------------------------------------
g=$(genesis_of_log)
echo "# expecting: ${g%|*}"
snap
eq "one IMA entry for this log's genesis (name, leaf)" "$(count_lines "$g")" 1
line=$(grep -F "|${g// /_}" "$work/ima")
check_digest "$line"
ok $? "its digest is the hash of the leaf"
[[ $g == "genesis pcr=$(cat /sys/module/vtpm_mux/parameters/pcr) reset="[0-9]*" log="[0-9a-f]* ]]
ok $? "its name has the module's PCR and the hardware TPM's reset count"

# --- creates and destroys -------------------------------------------------------
check_instance() {	# check_instance WHAT DEV UUID LABEL
	local what=$1 idx=${2#/dev/vtpm} want cnt line
	want="$what vtpm$idx $3 $4"
	cnt=$(count_lines "$what vtpm$idx|$(printf '%s' "$want" | tohex)")
	eq "$what vtpm$idx ($4): one IMA entry with its uuid and label" "$cnt" 1
	line=$(grep -F "|${what}_vtpm$idx|$(printf '%s' "$want" | tohex)" "$work/ima")
	check_digest "$line"
	ok $? "$what vtpm$idx: the digest is the hash of the buffer"
}

declare -A uuid label
for i in 1 2 3; do
	l="ima-test-$i-$RANDOM"
	d=$("$vtpmctl" create --label "$l")
	ok $? "vtpmctl create --label $l"
	devs+=("$d")
	label[$d]=$l
	uuid[$d]=$(cat "/sys/class/vtpm/${d#/dev/}/uuid")
done
snap
for d in "${devs[@]}"; do
	check_instance create "$d" "${uuid[$d]}" "${label[$d]}"
done
for d in "${devs[@]}"; do
	"$vtpmctl" destroy "$d"
	ok $? "vtpmctl destroy $d"
done
destroyed=("${devs[@]}")
devs=()
snap
for d in "${destroyed[@]}"; do
	check_instance destroy "$d" "${uuid[$d]}" "${label[$d]}"
	# in this order
	c=$(grep -nF "$(printf '%s' "create ${d#/dev/} ${uuid[$d]}" | tohex)" "$work/ima" | cut -d: -f1)
	x=$(grep -nF "$(printf '%s' "destroy ${d#/dev/} ${uuid[$d]}" | tohex)" "$work/ima" | cut -d: -f1)
	[ -n "$c" ] && [ -n "$x" ] && [ "$c" -lt "$x" ]
	ok $? "${d#/dev/}: the create entry comes before the destroy entry"
done

# --- an instance that the unload destroys ----------------------------------------
if [ -f "$ko" ]; then
	l="ima-unload-$RANDOM"
	d=$("$vtpmctl" create --label "$l")
	u=$(cat "/sys/class/vtpm/${d#/dev/}/uuid")
	rmmod vtpm_mux
	ok $? "rmmod vtpm_mux with ${d#/dev/} alive"
	snap
	check_instance destroy "$d" "$u" "$l"

	# --- ima=0: nothing is measured ----------------------------------------------
	before=$(wc -l <"$work/ima")
	insmod "$ko" ima=0
	ok $? "insmod vtpm_mux.ko ima=0"
	d=$("$vtpmctl" create --label "ima-off") && "$vtpmctl" destroy "$d"
	ok $? "create and destroy with ima=0"
	snap
	eq "ima=0: no vtpm-mux IMA entries" "$(wc -l <"$work/ima")" "$before"
	rmmod vtpm_mux
	insmod "$ko"
	ok $? "insmod vtpm_mux.ko (defaults)"
	g=$(genesis_of_log)
	snap
	eq "the new log's genesis is measured" "$(count_lines "$g")" 1
	eq "one new vtpm-mux IMA entry" "$(wc -l <"$work/ima")" $((before + 1))
fi

tap_done
