#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: vtpm-mux measured against the hardware TPM and against
# Linux's vtpm_proxy with one swtpm per tenant, side by side in one run of
# a QEMU guest (tools/bench/guest-bench.sh), then vtpm-verify's replay of
# the guest's whole log on the host; the table, bench.json and the plot go
# to BENCH_OUT (default .build/bench).  See tools/bench/README.md.
#
# Environment: BENCH_OUT, BENCH_QUICK=1 (the short run of make check),
# BENCH_SECS, BENCH_NS, BENCH_INSTANCES, BENCH_RECORDS (guest-bench.sh),
# KDIR, VM_TIMEOUT.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$top"
out=${BENCH_OUT:-$top/.build/bench}
tap=
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_SECS:=1}" "${BENCH_NS:=1 4 16}" "${BENCH_INSTANCES:=256}"
	: "${BENCH_RECORDS:=20000}"
	tap=--tap
fi
: "${BENCH_SECS:=3}" "${BENCH_NS:=1 2 4 8 16 64}" "${BENCH_INSTANCES:=1024}"
: "${BENCH_RECORDS:=100000}"

if [ -z "${KDIR:-}" ]; then
	KDIR=$("$top/tools/testing/debian-kdir.sh") || exit 1
fi
make -s module KDIR="$KDIR" >&2
make -s tools >&2
make -s -C tools/bench >&2

rm -rf "$out"
mkdir -p "$out"
# tsc=reliable: under TCG the guest kernel distrusts the TSC and reads
# the HPET, an emulated device access, on every clock read (the bench's own
# clock_gettime() and the kernel's); a real host reads the TSC.  Every path
# measured gets the same clock.
tools/testing/vm/run.sh --mem 3072 --timeout "${VM_TIMEOUT:-2400}" \
	--append "tsc=reliable" \
	--out "$out/guest" -- env BENCH_SECS="$BENCH_SECS" BENCH_NS="$BENCH_NS" \
	BENCH_INSTANCES="$BENCH_INSTANCES" BENCH_RECORDS="$BENCH_RECORDS" \
	tools/bench/guest-bench.sh >"$out/guest.log" 2>&1 || {
	rc=$?
	echo "bench: the guest failed ($rc), see $out/guest.log" >&2
	tail -n 30 "$out/guest.log" >&2
	exit 1
}
cp "$out/guest/results.jsonl" "$out/results.jsonl"

# vtpm-verify replays the guest's whole log on the host: best of 5
pcr=$(cat "$out/guest/pcr13-sha256.txt")
best=0 records=0 batches=0 matches=true
for _ in 1 2 3 4 5; do
	if ! tools/vtpm-verify/vtpm-verify --log "$out/guest/log.bin" \
		--pcr "sha256:$pcr" >"$out/replay.txt"; then
		matches=false
	fi
	rate=$(sed -n 's/^replay: .* s, \([0-9]*\) records\/s$/\1/p' "$out/replay.txt")
	records=$(sed -n 's/^records: \([0-9]*\) in .*/\1/p' "$out/replay.txt")
	batches=$(sed -n 's/^records: [0-9]* in \([0-9]*\) batches.*/\1/p' "$out/replay.txt")
	[ "${rate:-0}" -le "$best" ] || best=$rate
done
host=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
printf '{"bench": "replay", "records": %d, "batches": %d, "records_per_s": %d, "repeats": 5, "pcr_matches": %s, "host": "%s, %d cores"}\n' \
	"${records:-0}" "${batches:-0}" "$best" "$matches" "$host" "$(nproc)" \
	>>"$out/results.jsonl"

python3 tools/bench/report.py "$out/results.jsonl" "$out" $tap
