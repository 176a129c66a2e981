#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make check's fault stage (run.sh --tpm-faults): swtpm
# stopped and continued under load, then killed; the module must unload
# after each.  Prints TAP.
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
n=0
fails=0
result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
status() { tr '\n' ' ' </sys/kernel/security/vtpm_mux/status; echo; }

dmesg -C
insmod drivers/vtpm/vtpm_mux.ko
result $? "insmod vtpm_mux.ko"
selftests/vtpm/run_tests.sh mux_fault_test
rc=$?
echo "# status: $(status)"
rmmod vtpm_mux
result $? "rmmod vtpm_mux after swtpm was stopped and continued"

insmod drivers/vtpm/vtpm_mux.ko
result $? "insmod vtpm_mux.ko again"
MUX_FAULT_KILL=1 selftests/vtpm/run_tests.sh mux_fault_test || rc=1
echo "# status: $(status)"
timeout 120 rmmod vtpm_mux
result $? "rmmod vtpm_mux after swtpm was killed"

if dmesg | grep -E 'BUG|WARNING|Oops|general protection|INFO: task .* blocked'; then
	result 1 "no BUG, WARNING, Oops or hung task in dmesg"
else
	result 0 "no BUG, WARNING, Oops or hung task in dmesg"
fi
echo "1..$n"
[ $fails -eq 0 ] && [ $rc -eq 0 ]
