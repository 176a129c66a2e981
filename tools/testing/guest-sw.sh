#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check's sw-backend stage: load the module, run
# sw_backend_test.sh (sw instances with their swtpm engines started by
# vtpmd: tpm2-tools, isolation, engine faults, the state bound to the
# hardware TPM), unload it, and look for kernel warnings.  Prints TAP.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
dmesg -C
# loopback, for the second swtpm that plays another host's TPM
ip link set lo up 2>/dev/null || busybox ip link set lo up
insmod drivers/vtpm/vtpm_mux.ko || { echo "not ok 1 - insmod vtpm_mux.ko"; exit 1; }
selftests/vtpm/run_tests.sh sw_backend_test.sh
rc=$?
rmmod vtpm_mux || { echo "not ok - rmmod vtpm_mux"; rc=1; }
if dmesg | grep -E 'BUG|WARNING|Oops|lockdep|INFO: task .* blocked|general protection'; then
	echo "not ok - BUG, WARNING or Oops in dmesg"
	rc=1
else
	echo "ok - no BUG, WARNING or Oops in dmesg"
fi
dmesg | grep -E 'vtpm_mux: engine' | sed 's/^/# /'
exit $rc
