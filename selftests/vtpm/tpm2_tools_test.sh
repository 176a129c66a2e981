#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified tpm2-tools against a fresh vtpm-mux instance (TCTI
# device:/dev/vtpmN), every command of the mux-only set, with the expected
# values computed independently (coreutils' sha*sum).  Prints TAP.
#
# Needs root, the module loaded and tpm2-tools.  VTPMCTL names the
# vtpmctl binary (default: tools/vtpmctl/vtpmctl of this repository).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
vtpmctl=${VTPMCTL:-$here/../../tools/vtpmctl/vtpmctl}
work=$(mktemp -d /tmp/vtpm-tools.XXXXXX)
dev=

cleanup() {
	[ -n "$dev" ] && "$vtpmctl" destroy "$dev" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=tap.sh
. "$here/tap.sh"

# check NAME COMMAND...: passes when the command succeeds
check() {
	local name=$1
	shift
	"$@" >"$work/out" 2>"$work/err"
	local rc=$?
	[ $rc -ne 0 ] && sed 's/^/# /' "$work/err" | head -n 5
	ok $rc "$name"
}

# fails NAME COMMAND...: passes when the command fails
fails() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>"$work/err"; then
		ok 1 "$name"
	else
		ok 0 "$name"
	fi
}

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

# The expected values come from coreutils' sha*sum (fast under TCG, and
# independent of tpm2-tools and of the module).
# hash ALG: digest of stdin, lower-case hex
hash() { "${1}sum" | cut -d' ' -f1; }

# unhex HEX: the bytes
unhex() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }

# pcr ALG INDEX: the value tpm2_pcrread prints, lower-case hex without 0x
pcr() {
	tpm2_pcrread "$1:$2" -o "$work/pcr.bin" >/dev/null 2>&1 || return 1
	od -An -v -tx1 "$work/pcr.bin" | tr -d ' \n'
}

# extend_value ALG OLDHEX DIGESTHEX: H(old || digest)
extend_value() { { unhex "$2"; unhex "$3"; } | hash "$1"; }

# rep BYTEHEX COUNT
rep() { local i out=; for ((i = 0; i < $2; i++)); do out+=$1; done; echo "$out"; }
zeros() { rep 00 "$1"; }
ones() { rep ff "$1"; }

declare -A SIZE=([sha1]=20 [sha256]=32 [sha384]=48 [sha512]=64)

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/vtpm-mux ]; then
	echo "1..0 # SKIP needs root and the vtpm_mux module"
	exit 0
fi

dev=$("$vtpmctl" create --label tpm2-tools-test)
ok $? "vtpmctl create prints the device ($dev)"
for _ in $(seq 50); do [ -c "$dev" ] && break; sleep 0.1; done
export TPM2TOOLS_TCTI="device:$dev"
banks=$(cat "/sys/class/vtpm/$(basename "$dev")/pcr_banks")
echo "# $dev, banks: $banks"

# --- before Startup -----------------------------------------------------
fails "tpm2_pcrread before startup fails (TPM_RC_INITIALIZE)" \
	tpm2_pcrread sha256:0
grep -q "0x100" "$work/err"
ok $? "... with 0x100 (TPM_RC_INITIALIZE)"

# --- lifecycle -----------------------------------------------------------
check "tpm2_startup -c" tpm2_startup -c
check "tpm2_selftest" tpm2_selftest
check "tpm2_selftest --fulltest" tpm2_selftest --fulltest
check "tpm2_incrementalselftest sha256 hmac" tpm2_incrementalselftest sha256 hmac
check "tpm2_gettestresult" tpm2_gettestresult
grep -q "success" "$work/out"
ok $? "tpm2_gettestresult reports success"

# --- capabilities ----------------------------------------------------------
check "tpm2_getcap algorithms" tpm2_getcap algorithms
for a in sha1 sha256 sha384 sha512 hmac; do
	grep -q "^$a:" "$work/out"
	ok $? "getcap algorithms lists $a"
done
check "tpm2_getcap commands" tpm2_getcap commands
for c in TPM2_CC_PCR_Extend TPM2_CC_PCR_Read TPM2_CC_GetRandom TPM2_CC_Startup \
	 TPM2_CC_PCR_Event TPM2_CC_PCR_Reset TPM2_CC_ReadClock TPM2_CC_TestParms; do
	grep -q "^$c:" "$work/out"
	ok $? "getcap commands lists $c"
done
check "tpm2_getcap pcrs" tpm2_getcap pcrs
for b in ${banks//,/ }; do
	grep -qE "^  - $b: \[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 \]" "$work/out"
	ok $? "getcap pcrs: $b has 24 PCRs"
done
check "tpm2_getcap properties-fixed" tpm2_getcap properties-fixed
grep -A2 "^TPM2_PT_FAMILY_INDICATOR:" "$work/out" | grep -q 'value: "2.0"'
ok $? "properties-fixed: family 2.0"
grep -A1 "^TPM2_PT_PCR_COUNT:" "$work/out" | grep -qE "raw: 0x18$"
ok $? "properties-fixed: 24 PCRs"
grep -A1 "^TPM2_PT_INPUT_BUFFER:" "$work/out" | grep -q "raw:"
ok $? "properties-fixed: input buffer"
check "tpm2_getcap properties-variable" tpm2_getcap properties-variable
grep -q "^TPM2_PT_STARTUP_CLEAR:" "$work/out"
ok $? "properties-variable: startup clear"
check "tpm2_getcap handles-transient" tpm2_getcap handles-transient
eq "handles-transient is empty" "$(grep -c 0x8 "$work/out")" 0
check "tpm2_getcap handles-pcr" tpm2_getcap handles-pcr
eq "handles-pcr lists 24 PCRs" "$(grep -c '^- 0x' "$work/out")" 24

# --- random ----------------------------------------------------------------
check "tpm2_getrandom 32" tpm2_getrandom 32 -o "$work/r1"
eq "32 random bytes" "$(stat -c %s "$work/r1")" 32
tpm2_getrandom 32 -o "$work/r2" >/dev/null 2>&1
fails "two getrandom results differ" cmp -s "$work/r1" "$work/r2"
check "tpm2_getrandom 48" tpm2_getrandom 48 -o "$work/r3"
eq "48 random bytes" "$(stat -c %s "$work/r3")" 48
head -c 64 /dev/urandom >"$work/stir"
check "tpm2_stirrandom" tpm2_stirrandom "$work/stir"

# --- clock -------------------------------------------------------------------
check "tpm2_readclock" tpm2_readclock
c1=$(sed -n 's/^ *clock: //p' "$work/out")
safe=$(sed -n 's/^ *safe: //p' "$work/out")
sleep 0.2
tpm2_readclock >"$work/out" 2>/dev/null
c2=$(sed -n 's/^ *clock: //p' "$work/out")
[ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -ge $((c1 + 150)) ]
ok $? "clock advances ($c1 -> $c2 ms)"
eq "clock is safe" "$safe" "yes"

# --- PCRs ------------------------------------------------------------------
for b in ${banks//,/ }; do
	eq "$b PCR 0 starts at 0" "$(pcr "$b" 0)" "$(zeros "${SIZE[$b]}")"
	eq "$b PCR 17 starts at ff..ff" "$(pcr "$b" 17)" "$(ones "${SIZE[$b]}")"
done

# extend every bank of PCR 4 at once, with independently chosen digests
spec=
declare -A DIG
for b in ${banks//,/ }; do
	DIG[$b]=$(head -c "${SIZE[$b]}" /dev/urandom | od -An -v -tx1 | tr -d ' \n')
	spec+="$b=${DIG[$b]},"
done
check "tpm2_pcrextend 4 in every bank" tpm2_pcrextend "4:${spec%,}"
for b in ${banks//,/ }; do
	eq "$b PCR 4 = H(0 || d)" "$(pcr "$b" 4)" \
		"$(extend_value "$b" "$(zeros "${SIZE[$b]}")" "${DIG[$b]}")"
done
# twice more in sha256: a chain
want=$(pcr sha256 4)
for i in 1 2; do
	d=$(printf 'step %s' "$i" | hash sha256)
	tpm2_pcrextend "4:sha256=$d" >/dev/null 2>&1
	want=$(extend_value sha256 "$want" "$d")
done
eq "sha256 PCR 4 chains three extends" "$(pcr sha256 4)" "$want"
eq "PCR 5 untouched" "$(pcr sha256 5)" "$(zeros 32)"
# a second Startup(CLEAR) gets TPM_RC_INITIALIZE, which tpm2_startup
# accepts as "already started": nothing may be reset
check "tpm2_startup -c again (already started)" tpm2_startup -c
eq "a refused second Startup leaves PCR 4" "$(pcr sha256 4)" "$want"

# tpm2_pcrevent hashes the data in every bank and extends PCR 8
printf 'measured by vtpm-mux selftests\n' >"$work/event"
check "tpm2_pcrevent 8 FILE" tpm2_pcrevent 8 "$work/event"
for b in ${banks//,/ }; do
	h=$(hash "$b" <"$work/event")
	grep -qi "$h" "$work/out"
	ok $? "pcrevent prints the $b digest of the data"
	eq "$b PCR 8 = H(0 || H(data))" "$(pcr "$b" 8)" \
		"$(extend_value "$b" "$(zeros "${SIZE[$b]}")" "$h")"
done
# TPM2_PCR_Event on a bigger input (the TPM hashes, up to 1024 bytes)
head -c 1024 /dev/urandom >"$work/event2"
check "tpm2_pcrevent 9 with 1024 bytes" tpm2_pcrevent 9 "$work/event2"
h=$(hash sha256 <"$work/event2")
eq "sha256 PCR 9 after a 1024-byte event" "$(pcr sha256 9)" \
	"$(extend_value sha256 "$(zeros 32)" "$h")"

# PCR 16 and 23 can be reset, others not
d=$(printf debug | hash sha256)
tpm2_pcrextend "16:sha256=$d" "23:sha256=$d" >/dev/null 2>&1
eq "PCR 16 extended" "$(pcr sha256 16)" "$(extend_value sha256 "$(zeros 32)" "$d")"
check "tpm2_pcrreset 16" tpm2_pcrreset 16
eq "PCR 16 is 0 after reset" "$(pcr sha256 16)" "$(zeros 32)"
check "tpm2_pcrreset 23" tpm2_pcrreset 23
eq "PCR 23 is 0 after reset" "$(pcr sha256 23)" "$(zeros 32)"
fails "tpm2_pcrreset 4 fails" tpm2_pcrreset 4
grep -qE "0x9[0-9a-f]7|0x907|locality|0x184|0x0*98[0-9a-f]" "$work/err"
ok $? "... with a TPM error code"
eq "PCR 4 unchanged by the failed reset" "$(pcr sha256 4)" "$want"
fails "tpm2_pcrextend 17 fails (locality 4 only)" \
	tpm2_pcrextend "17:sha256=$d"
eq "PCR 17 unchanged" "$(pcr sha256 17)" "$(ones 32)"
fails "tpm2_pcrextend 24 fails" tpm2_pcrextend "24:sha256=$d"

# TestParms through tpm2_testparms
check "tpm2_testparms hmac" tpm2_testparms hmac
fails "tpm2_testparms rsa2048 is not supported by a mux-only instance" \
	tpm2_testparms rsa2048

# --- orderly shutdown and restart ------------------------------------------
v4=$(pcr sha256 4)
check "tpm2_shutdown -c" tpm2_shutdown -c
check "tpm2_startup -c after shutdown" tpm2_startup -c
eq "Startup(CLEAR) resets PCR 4" "$(pcr sha256 4)" "$(zeros 32)"
tpm2_pcrextend "4:sha256=$d" >/dev/null 2>&1
v4=$(pcr sha256 4)
check "tpm2_shutdown (STATE)" tpm2_shutdown
check "tpm2_startup (STATE)" tpm2_startup
eq "Startup(STATE) keeps PCR 4" "$(pcr sha256 4)" "$v4"

# --- sysfs counters ---------------------------------------------------------
sys=/sys/class/vtpm/$(basename "$dev")
[ "$(cat "$sys/commands")" -gt 50 ]
ok $? "sysfs commands counts ($(cat "$sys/commands"))"
[ "$(cat "$sys/extends")" -ge 6 ]
ok $? "sysfs extends counts ($(cat "$sys/extends"))"
eq "sysfs label" "$(cat "$sys/label")" "tpm2-tools-test"

tap_done
