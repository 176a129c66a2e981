#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of make stress (run by tools/testing/vm/run.sh):
#
#   guest-stress.sh [SECONDS]     (default $STRESS_TIME, else 600)
#
# Kernel memory is measured, vtpm_mux loaded, selftests/vtpm/vtpm_stress
# run for SECONDS (64 instances x 8 threads, churn, readers, attestation;
# it checks the log against the hardware PCR and every acknowledged
# extend), vtpm_mux unloaded, kernel memory measured again and dmesg
# searched for BUG, WARNING, Oops, lockups and hung tasks.  Prints TAP.
#
# Environment: STRESS_ARGS (more options for vtpm_stress),
# STRESS_LOG_ENTRIES (max_log_entries of the module, default its own),
# STRESS_MEM_MARGIN_KB (default 2048), STRESS_FAULTS=1 (the VM must run
# with --tpm-faults: swtpm is stopped for STRESS_FAULT_STOP seconds (2)
# every STRESS_FAULT_EVERY seconds (20) during the run).
set -uo pipefail

cd "${VTPM_REPO:-.}" || exit 1
# shellcheck source=../../selftests/vtpm/tap.sh
. selftests/vtpm/tap.sh

secs=${1:-${STRESS_TIME:-600}}
margin=${STRESS_MEM_MARGIN_KB:-2048}
faults=${STRESS_FAULTS:-0}
out=${VTPM_OUT:-/tmp}
t_begin=$(date +%s)

# Unreclaimable kernel memory in kB: SUnreclaim + VmallocUsed + Percpu,
# after dropping the caches and shrinking every slab cache (empty slabs on
# the partial lists would otherwise count).
kmem() {
	local f k v _ sum=0
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null
	done
	while read -r k v _; do
		case $k in
		SUnreclaim:|VmallocUsed:|Percpu:) sum=$((sum + v)) ;;
		esac
	done </proc/meminfo
	echo "$sum"
}
kmem_detail() {
	grep -E '^(Slab|SReclaimable|SUnreclaim|VmallocUsed|Percpu):' \
		/proc/meminfo | tr -s ' ' | tr '\n' ' '
}

dmesg -C
# A short warm-up cycle first (insmod, 5 s of stress, rmmod), so that the
# baseline holds what the kernel allocates once and keeps (slab caches of
# first use, per-CPU and vmalloc areas of its own subsystems); a leak of
# the module grows with the load and still shows.
insmod drivers/vtpm/vtpm_mux.ko &&
	selftests/vtpm/vtpm_stress --time 5 --instances 8 --threads 2 \
		--mlog-limit 5 >"$out/warmup.txt" 2>&1
ok $? "warm-up: insmod, vtpm_stress --time 5 --instances 8 --threads 2"
rmmod vtpm_mux
# Kernel threads: idle kworkers the workqueues started for the load
# (blocking O_NONBLOCK commands, chardev.c) stay until they have been idle
# for 5 minutes (the workqueue's IDLE_WORKER_TIMEOUT); each holds its
# task_struct, kernel stack and signal structures, not the module's memory.
nr_tasks() { local t=(/proc/[0-9]*/task/[0-9]*); echo "${#t[@]}"; }
kworkers() { grep -l '^kworker' /proc/[0-9]*/comm 2>/dev/null | wc -l; }
task_kb=32	# per thread: task_struct ~10 kB, stack 16 kB, signal, pid (~33 measured)
kmem >/dev/null
base=$(kmem)
base_tasks=$(nr_tasks)
base_kworkers=$(kworkers)
echo "# kernel memory before insmod: $base kB ($(kmem_detail))"
# for a failing memory check: who holds vmalloc and slab memory
snap() {
	cat /proc/vmallocinfo >"$out/vmallocinfo.$1" 2>/dev/null
	cat /proc/slabinfo >"$out/slabinfo.$1" 2>/dev/null
}
snap before

params=()
[ -n "${STRESS_LOG_ENTRIES:-}" ] && params+=("max_log_entries=$STRESS_LOG_ENTRIES")
insmod drivers/vtpm/vtpm_mux.ko "${params[@]}"
ok $? "insmod vtpm_mux.ko ${params[*]}"

args=(--time "$secs")
fault_pid=
if [ "$faults" = 1 ]; then
	args+=(--faults)
	# shellcheck source=vm/tpm-fault
	. tools/testing/vm/tpm-fault
	(
		sleep 30
		while :; do
			tpm_fault stop "${STRESS_FAULT_STOP:-2}" &&
				echo "# swtpm stopped for ${STRESS_FAULT_STOP:-2} s" >>"$out/faults.txt"
			sleep "${STRESS_FAULT_EVERY:-20}"
		done
	) &
	fault_pid=$!
fi

# shellcheck disable=SC2086
timeout -k 30 $((secs + 3600)) selftests/vtpm/vtpm_stress "${args[@]}" \
	--tap-start $((n + 1)) \
	${STRESS_ARGS:-} | tee "$out/stress.txt" | grep -v '^1\.\.[0-9]*$'
rc=${PIPESTATUS[0]}
if [ -n "$fault_pid" ]; then
	kill "$fault_pid"
	wait "$fault_pid" 2>/dev/null
	echo "# faults injected: $(grep -c stopped "$out/faults.txt" 2>/dev/null || echo 0) stops of swtpm"
fi
# continue the numbering of vtpm_stress's results
p=$(grep -cE '^ok\b' "$out/stress.txt")
f=$(grep -cE '^not ok\b' "$out/stress.txt")
n=$((n + p + f))
fails=$((fails + f))
[ "$rc" -eq 0 ] || [ "$f" -gt 0 ]
ok $? "vtpm_stress exited with $rc"
echo "# status: $(tr '\n' ' ' </sys/kernel/security/vtpm_mux/status)"

timeout 300 rmmod vtpm_mux
ok $? "rmmod vtpm_mux after the stress"

after=$(kmem)
for _ in 1 2 3 4 5; do
	[ $((after - base - ($(nr_tasks) - base_tasks) * task_kb)) -le "$margin" ] && break
	sleep 2
	after=$(kmem)
done
echo "# kernel memory after rmmod: $after kB ($(kmem_detail))"
snap after
extra=$(($(nr_tasks) - base_tasks))
[ "$extra" -ge 0 ] || extra=0
echo "# threads: $extra more than before insmod ($(($(kworkers) - base_kworkers)) more kworkers), counted at $task_kb kB each"
[ $((after - base - extra * task_kb)) -le "$margin" ]
ok $? "kernel memory back to its baseline: $((after - base)) kB more than before insmod, $((after - base - extra * task_kb)) kB without the $extra extra kernel threads (margin $margin kB)"

pat='BUG|WARNING|Oops|general protection|soft lockup|hard LOCKUP|rcu.*stall|blocked for more than|hung_task|INFO: task'
if dmesg | grep -E "$pat"; then
	ok 1 "no BUG, WARNING, Oops, lockup, stall or hung task in dmesg"
else
	ok 0 "no BUG, WARNING, Oops, lockup, stall or hung task in dmesg"
fi
echo "# guest-stress.sh: $(($(date +%s) - t_begin)) s in all"
echo "1..$n"
[ $fails -eq 0 ] && [ "$rc" -eq 0 ]
