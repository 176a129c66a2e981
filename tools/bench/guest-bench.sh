#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest side of `make bench` (tools/bench/run.sh starts it in a QEMU
# guest whose hardware TPM 2.0 is swtpm).  Every measurement is one line of
# JSON in $VTPM_OUT/results.jsonl, written by vtpm-bench; the mux's full log
# goes to $VTPM_OUT/log.bin for the replay measurement on the host.
#
# Environment: BENCH_SECS (seconds per extend measurement, default 3),
# BENCH_NS (the N of the concurrent runs, default "1 2 4 8 16 64"),
# BENCH_INSTANCES (instances created for the scale measurement, 1024),
# BENCH_RECORDS (extends for the memory per record, 100000).
set -euo pipefail

cd "${VTPM_REPO:-.}"
out=${VTPM_OUT:-/tmp}
secs=${BENCH_SECS:-3}
ns=${BENCH_NS:-1 2 4 8 16 64}
nmax=$(tr ' ' '\n' <<<"$ns" | sort -n | tail -n 1)
nr_instances=${BENCH_INSTANCES:-1024}
nr_records=${BENCH_RECORDS:-100000}
bench=tools/bench/vtpm-bench
ctl=tools/vtpmctl/vtpmctl
res=$out/results.jsonl
: >"$res"

say() { echo "bench: $*" >&2; }
run() { "$bench" "$@" | tee -a "$res"; }

# One line about the machine, for the record
{
	printf '{"bench": "machine", "kernel": "%s", "cpus": %d, "cpu": "%s", "mem_kb": %d, "secs": %s}\n' \
		"$(uname -r)" "$(nproc)" \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)" "$secs"
} | tee -a "$res"

# a log large enough for every extend of the run
insmod drivers/vtpm/vtpm_mux.ko max_instances=$((nr_instances + nmax + 16)) \
	max_log_entries=4194304

# --- the hardware TPM, raw and through the kernel's resource manager ------
say "hardware TPM"
run extend --secs "$secs" --label hw /dev/tpm0
run extend --secs "$secs" --label tpmrm /dev/tpmrm0
run read --secs "$secs" --label hw /dev/tpm0

# --- vtpm-mux: N instances, one process each ------------------------------
say "vtpm-mux instances"
devs=()
for i in $(seq "$nmax"); do
	devs+=("$($ctl create --label "bench-$i")")
done
for n in $ns; do
	run extend --secs "$secs" --label mux "${devs[@]:0:$n}"
done
# The same without gathering (drivers/vtpm/mux.c): what it is worth
echo 0 >/sys/module/vtpm_mux/parameters/batch_wait_us
for n in $ns; do
	[ "$n" -gt 1 ] || continue
	run extend --secs "$secs" --label mux-nogather "${devs[@]:0:$n}"
done
echo 1000 >/sys/module/vtpm_mux/parameters/batch_wait_us
run read --secs "$secs" --label mux "${devs[0]}"

# --- Linux's vtpm_proxy with one swtpm per tenant ---------------------------
say "vtpm_proxy + swtpm"
modprobe tpm_vtpm_proxy
proxies=()
pids=()
# swtpm I: its /dev/tpmK once the kernel has started the TPM up
start_swtpm() {
	local d=/tmp/swtpm/$1
	rm -rf "$d"
	mkdir -p "$d"
	swtpm chardev --vtpm-proxy --tpm2 --tpmstate dir="$d" \
		--flags startup-clear >"$d/out" 2>&1 &
	pids[$1]=$!
}
proxy_dev() {
	local d=/tmp/swtpm/$1 dev=
	for _ in $(seq 600); do
		dev=$(sed -n 's/^New TPM device: \(\/dev\/tpm[0-9]*\).*/\1/p' "$d/out")
		[ -z "$dev" ] || break
		kill -0 "${pids[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	for _ in $(seq 100); do [ -c "$dev" ] && break; sleep 0.1; done
	kill -0 "${pids[$1]}" 2>/dev/null && [ -c "$dev" ] && echo "$dev"
}
# in groups of 8: 64 swtpm starting at once starve the guest, and a
# TPM whose startup times out is gone
for i in $(seq "$nmax"); do
	start_swtpm "$i"
	if [ $((i % 8)) -eq 0 ] || [ "$i" -eq "$nmax" ]; then
		for j in $(seq $(((i - 1) / 8 * 8 + 1)) "$i"); do
			dev=$(proxy_dev "$j") || {
				say "swtpm $j failed ($(cat /tmp/swtpm/$j/out)), again"
				start_swtpm "$j"
				dev=$(proxy_dev "$j")
			} || { say "swtpm $j did not start"; exit 1; }
			proxies+=("$dev")
		done
	fi
done
dups=$(printf '%s\n' "${proxies[@]}" | sort | uniq -d)
[ -z "$dups" ] || { say "a TPM device twice: $dups"; exit 1; }
for n in $ns; do
	run extend --secs "$secs" --label proxy "${proxies[@]:0:$n}"
done
run read --secs "$secs" --label proxy "${proxies[0]}"
kill "${pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true

# --- sw-backed instances: the extend also goes to the instance's swtpm -----
say "sw-backed instances (vtpmd)"
mkdir -p /tmp/vtpmd
chmod 0711 /tmp/vtpmd
tools/vtpmd/vtpmd --state-dir /tmp/vtpmd 2>"$out/vtpmd.log" &
vtpmd_pid=$!
sws=()
for i in 1 2 3 4 5 6 7 8; do
	sws+=("$($ctl create --backend sw --label "bench-sw-$i")")
done
# started and synced: every extend is then mirrored into the engine
for d in "${sws[@]}"; do
	tpm2_startup -c -T "device:$d" 2>/dev/null
	tpm2_getrandom -T "device:$d" 8 >/dev/null
	grep -q '^synced ' "/sys/class/vtpm/$(basename "$d")/engine" ||
		{ say "$d: engine not synced"; exit 1; }
done
for n in $ns; do
	[ "$n" -le ${#sws[@]} ] || continue
	run extend --secs "$secs" --label mux-sw "${sws[@]:0:$n}"
done
run read --secs "$secs" --label mux-sw "${sws[0]}"
for d in "${sws[@]}"; do $ctl destroy "${d#/dev/vtpm}"; done
kill "$vtpmd_pid"
wait "$vtpmd_pid" 2>/dev/null || true

# The log of everything so far, for vtpm-verify's replay rate on the host
cat /sys/kernel/security/vtpm_mux/log >"$out/log.bin"
cat /sys/kernel/security/vtpm_mux/status >"$out/status-extends.txt"
tr -d ' \n' </sys/class/tpm/tpm0/pcr-sha256/13 >"$out/pcr13-sha256.txt"
for d in "${devs[@]}"; do $ctl destroy "${d#/dev/vtpm}"; done
rmmod vtpm_mux

# --- attestation, with a short log ------------------------------------------
say "attestation"
insmod drivers/vtpm/vtpm_mux.ko max_instances=$((nr_instances + nmax + 16))
devs=()
for i in $(seq 64); do
	devs+=("$($ctl create --label "attest-$i")")
done
run attest --rounds 10 --label single "${devs[0]}"
run attest --rounds 1 --label concurrent "${devs[@]}"
for d in "${devs[@]}"; do $ctl destroy "${d#/dev/vtpm}"; done

# --- scale: instances and log records ---------------------------------------
say "scale"
run create --count "$nr_instances"
devs=()
for i in $(seq 16); do
	devs+=("$($ctl create --label "records-$i")")
done
run records --count "$nr_records" "${devs[@]}"
for d in "${devs[@]}"; do $ctl destroy "${d#/dev/vtpm}"; done
cat /sys/kernel/security/vtpm_mux/status >"$out/status-end.txt"
rmmod vtpm_mux
say "done"
