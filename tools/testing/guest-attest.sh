#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check's attestation stage: load the module, run
# the attestation selftests (the ABI and 64 concurrent requests, each
# bundle's view header commitment against the full log, the forgeries
# vtpm-verify must reject, among them a relay hiding each record type of
# an instance, a destroyed one's included, the attestation key against
# tpm2-tools, IMA lists checked against bundles and against the TPM (with
# the entries of a relay's changed lists named), a flood of requests held
# to attest_share_pct), unload it,
# and look for kernel warnings.  Prints TAP.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
dmesg -C
insmod drivers/vtpm/vtpm_mux.ko || { echo "not ok 1 - insmod vtpm_mux.ko"; exit 1; }
selftests/vtpm/run_tests.sh attest_test attest_verify_test.sh ima_verify_test.sh attest_ak_test.sh attest_fair_test
rc=$?
rmmod vtpm_mux || { echo "not ok - rmmod vtpm_mux"; rc=1; }
if dmesg | grep -E 'BUG|WARNING|Oops|lockdep|INFO: task .* blocked|general protection'; then
	echo "not ok - BUG, WARNING or Oops in dmesg"
	rc=1
else
	echo "ok - no BUG, WARNING or Oops in dmesg"
fi
exit $rc
