#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The mapping log across module loads (reloads vtpm_mux: run_tests.sh runs
# it after the C tests).  Prints TAP; the results of mux_full_test, which
# it runs after each load, are part of it.
#
#   1. max_log_entries=64: the log of the new load starts with a genesis
#      record holding the hardware PCR's value before the load; the log
#      fills up (mux_full_test log_full)
#   2. pcr=15 max_log_entries=100: the log is anchored in PCR 15 and PCR 13
#      does not move; the log fills up under concurrent extends
#      (mux_full_test log_full_concurrent)
#   3. the defaults again, for the tests that follow
#
# Needs root, tpm2-tools, drivers/vtpm/vtpm_mux.ko built, and vtpm_mux
# loaded (or not loaded: it is loaded with the defaults at the end either
# way, unless it could not be).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ko=${VTPM_MUX_KO:-$here/../../drivers/vtpm/vtpm_mux.ko}
full=$here/mux_full_test
tcti=device:/dev/tpmrm0
banks=(sha1 sha256 sha384 sha512)

# shellcheck source=tap.sh
. "$here/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -f "$ko" ] || skip_all "no $ko"
[ -x "$full" ] || skip_all "no $full (make -C selftests/vtpm)"
command -v tpm2_pcrread >/dev/null || skip_all "no tpm2_pcrread"
[ -c /dev/tpmrm0 ] || skip_all "no /dev/tpmrm0"

loaded() { [ -d /sys/module/vtpm_mux ]; }

# Whatever happens, leave the module loaded with its defaults.
restore() {
	if loaded && [ "$(cat /sys/module/vtpm_mux/parameters/max_log_entries)" = 262144 ] &&
	   [ "$(cat /sys/module/vtpm_mux/parameters/pcr)" = 13 ]; then
		return
	fi
	loaded && rmmod vtpm_mux
	insmod "$ko"
}
trap restore EXIT

# pcr_values PCR: "sha1=HEX,sha256=HEX,..." of the banks the TPM has
pcr_values() {
	local out="" b v
	for b in "${banks[@]}"; do
		v=$(tpm2_pcrread -T "$tcti" "$b:$1" 2>/dev/null |
			sed -n 's/^ *'"$1"': 0x\([0-9A-Fa-f]*\)$/\1/p')
		[ -n "$v" ] && out="$out${out:+,}$b=$v"
	done
	echo "$out"
}

# run_full NAME [ENV...]: mux_full_test's results, renumbered into ours
run_full() {
	local name=$1 line rc=missing seen_fail=0
	shift
	while IFS= read -r line; do
		case $line in
		"ok "*)
			line=${line#ok }
			line=${line#* }
			if [[ $line == *"# SKIP"* ]]; then
				n=$((n + 1))
				echo "ok $n - $name: $line"
			else
				ok 0 "$name: $line"
			fi
			;;
		"not ok "*)
			line=${line#not ok }
			ok 1 "$name: ${line#* }"
			seen_fail=1
			;;
		"#rc "*) rc=${line#\#rc } ;;
		"#"*) echo "$line" ;;
		TAP*|1..*) ;;
		*) echo "# $line" ;;
		esac
	done < <(env "$@" "$full" 2>&1; echo "#rc $?")
	if [ "$rc" != 0 ] && [ $seen_fail = 0 ]; then
		ok 1 "$name: mux_full_test exited with $rc"
	fi
}

# reload ARGS...: rmmod, remember the PCRs, insmod with ARGS
reload() {
	local what="insmod vtpm_mux.ko${*:+ $*}"
	if loaded; then
		rmmod vtpm_mux
		ok $? "rmmod vtpm_mux (before $what)"
	fi
	start13=$(pcr_values 13)
	start15=$(pcr_values 15)
	insmod "$ko" "$@"
	ok $? "$what"
}

echo "TAP version 13"

# --- 1. a small log ---------------------------------------------------------
reload max_log_entries=64
[ "$(cat /sys/module/vtpm_mux/parameters/max_log_entries)" = 64 ]
ok $? "max_log_entries is 64"
run_full "max_log_entries=64" MUX_FRESH=1 MUX_GENESIS_START="$start13"
# log_full ran: it must not have skipped
grep -q '^max_log_entries 64$' /sys/kernel/security/vtpm_mux/status
ok $? "status shows max_log_entries 64"
r=$(sed -n 's/^records //p' /sys/kernel/security/vtpm_mux/status)
[ "$r" = 65 ]
ok $? "the log holds 64 records and one DESTROY beyond them ($r)"

# --- 2. another PCR ---------------------------------------------------------
reload pcr=15 max_log_entries=100
before13=$(pcr_values 13)
run_full "pcr=15" MUX_FRESH=1 MUX_GENESIS_START="$start15" \
	MUX_FULL_CONCURRENT=1
grep -q '^pcr 15$' /sys/kernel/security/vtpm_mux/status
ok $? "status shows pcr 15"
[ "$(pcr_values 13)" = "$before13" ] && [ -n "$before13" ]
ok $? "PCR 13 did not move while the log went to PCR 15"
[ "$(pcr_values 15)" != "$start15" ]
ok $? "PCR 15 moved"

# --- 3. the defaults --------------------------------------------------------
reload
run_full "defaults" MUX_FRESH=1 MUX_GENESIS_START="$start13"
[ "$(cat /sys/module/vtpm_mux/parameters/max_log_entries)" = 262144 ] &&
	[ "$(cat /sys/module/vtpm_mux/parameters/pcr)" = 13 ]
ok $? "loaded with the defaults again"

tap_done
