#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check's fault stage (run.sh --tpm-faults): swtpm
# stopped and continued under load, then killed; the module must unload
# after each.  Prints TAP.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
# shellcheck source=../../selftests/vtpm/tap.sh
. selftests/vtpm/tap.sh
status() { tr '\n' ' ' </sys/kernel/security/vtpm_mux/status; echo; }

dmesg -C
insmod drivers/vtpm/vtpm_mux.ko
ok $? "insmod vtpm_mux.ko"
selftests/vtpm/run_tests.sh mux_fault_test
rc=$?
echo "# status: $(status)"

# Attestation after the faults: the log has ABORT batches now (status
# "aborts"); a bundle of a new instance still verifies against the quote.
vtpmctl=tools/vtpmctl/vtpmctl
dev=$($vtpmctl create --label after-faults) &&
	tools/vtpm-verify/vtpm-verify --help >/dev/null 2>&1
nonce=$(head -c 16 /dev/urandom | xxd -p -c 64)
$vtpmctl ak --out /tmp/ak.pem && $vtpmctl attest "${dev#/dev/vtpm}" \
	--nonce "$nonce" --out /tmp/faults.bundle >/dev/null &&
	tools/vtpm-verify/vtpm-verify --bundle /tmp/faults.bundle --ak /tmp/ak.pem \
		--nonce "$nonce" >/tmp/faults.report
ok $? "after stop/continue ($(grep -o 'aborts [0-9]*' /sys/kernel/security/vtpm_mux/status)): a bundle verifies ($(grep -o '[0-9]* batches voided' /tmp/faults.report))"
$vtpmctl destroy "${dev#/dev/vtpm}"
rmmod vtpm_mux
ok $? "rmmod vtpm_mux after swtpm was stopped and continued"

insmod drivers/vtpm/vtpm_mux.ko
ok $? "insmod vtpm_mux.ko again"
dev=$($vtpmctl create --label before-kill)
MUX_FAULT_KILL=1 selftests/vtpm/run_tests.sh mux_fault_test || rc=1
echo "# status: $(status)"
# With the TPM gone nothing can be proven: attestation fails with EIO, fast
t0=$(date +%s)
out=$(timeout 60 $vtpmctl attest "${dev#/dev/vtpm}" --nonce 0011 --out /tmp/k.bundle 2>&1)
arc=$?
[ $arc -eq 1 ] && grep -q 'Input/output error' <<<"$out"
ok $? "after the kill: attestation fails with EIO in $(($(date +%s) - t0)) s ($out)"
timeout 120 rmmod vtpm_mux
ok $? "rmmod vtpm_mux after swtpm was killed"

if dmesg | grep -E 'BUG|WARNING|Oops|general protection|INFO: task .* blocked'; then
	ok 1 "no BUG, WARNING, Oops or hung task in dmesg"
else
	ok 0 "no BUG, WARNING, Oops or hung task in dmesg"
fi
echo "1..$n"
[ $fails -eq 0 ] && [ $rc -eq 0 ]
