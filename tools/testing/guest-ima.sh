#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check's IMA stage (run.sh --append
# ima_policy=critical_data): load the module, run mux_ima_test.sh and
# ima_verify_test.sh (this kernel's own list, with the module's critical
# data, against its TPM), unload.
# Prints TAP.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
dmesg -C
insmod drivers/vtpm/vtpm_mux.ko || { echo "not ok 1 - insmod vtpm_mux.ko"; exit 1; }
selftests/vtpm/run_tests.sh mux_ima_test.sh ima_verify_test.sh
rc=$?
rmmod vtpm_mux || { echo "not ok - rmmod vtpm_mux"; rc=1; }
if dmesg | grep -E 'BUG|WARNING|Oops|general protection'; then
	echo "not ok - BUG, WARNING or Oops in dmesg"
	rc=1
fi
exit $rc
