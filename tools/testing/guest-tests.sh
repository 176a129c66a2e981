#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check (run by tools/testing/vm/run.sh): load the
# freshly built module, run the selftests (but those of attestation:
# guest-attest.sh), unload it, and look for kernel warnings.  Prints TAP.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
# shellcheck source=../../selftests/vtpm/tap.sh
. selftests/vtpm/tap.sh

dmesg -C
insmod drivers/vtpm/vtpm_mux.ko
ok $? "insmod vtpm_mux.ko"
[ -c /dev/vtpm-mux ]
ok $? "/dev/vtpm-mux exists"

# The selftests print their own TAP (counted by check.sh)
selftests/vtpm/run_tests.sh --unload --skip=attest_test \
	--skip=attest_verify_test.sh --skip=ima_verify_test.sh --skip=attest_ak_test.sh
rc=$?
echo "# selftests exited with $rc"

if lsmod | grep -q '^vtpm_mux '; then
	rmmod vtpm_mux
	ok $? "rmmod vtpm_mux"
fi
if dmesg | grep -E 'BUG|WARNING|Oops|lockdep|INFO: task .* blocked|general protection'; then
	ok 1 "no BUG, WARNING or Oops in dmesg"
else
	ok 0 "no BUG, WARNING or Oops in dmesg"
fi
echo "1..$n"
[ $fails -eq 0 ] && [ $rc -eq 0 ]
