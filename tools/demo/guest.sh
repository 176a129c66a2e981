#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: three tenants get their own virtual TPM and
# measure into it with unmodified tpm2-tools.
set -euo pipefail

cd "${VTPM_REPO:-.}"
vtpmctl=tools/vtpmctl/vtpmctl
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "The host: a TPM 2.0 (swtpm standing in for the hardware) at /dev/tpm0"
run tpm2_getcap -T device:/dev/tpmrm0 properties-fixed | grep -A1 -E 'MANUFACTURER|VENDOR_STRING_1' | grep raw || true
run insmod drivers/vtpm/vtpm_mux.ko
dmesg | grep vtpm_mux | tail -n 2

say "Three tenants, three virtual TPMs"
for t in alice bob carol; do
	dev=$($vtpmctl create --label "$t")
	echo "$t -> $dev"
done
run "$vtpmctl" list

say "Each tenant boots its vTPM and measures its own software"
i=0
for t in alice bob carol; do
	export TPM2TOOLS_TCTI=device:/dev/vtpm$i
	tpm2_startup -c 2>/dev/null
	echo "$t: firmware, kernel and application for $t" > "/tmp/$t.app"
	printf '[%s] ' "$t"; run tpm2_pcrevent "/tmp/$t.app" 8 | grep sha256
	h=$(sha256sum "/tmp/$t.app" | cut -d' ' -f1)
	tpm2_pcrextend "9:sha256=$h" >/dev/null
	i=$((i + 1))
done

say "Their vPCRs are their own: PCR 8 and 9 (sha256) of each"
i=0
for t in alice bob carol; do
	echo "$t (/dev/vtpm$i):"
	tpm2_pcrread -T device:/dev/vtpm$i sha256:8,9 | tail -n 2
	i=$((i + 1))
done

say "Independently computed: alice's PCR 8 = sha256(0^32 || sha256(alice.app))"
h=$(sha256sum /tmp/alice.app | cut -d' ' -f1)
python3 -c "import hashlib,sys; print('0x' + hashlib.sha256(bytes(32) + bytes.fromhex(sys.argv[1])).hexdigest().upper())" "$h"

say "The tenants measure at the same time: 3 x 8 extends, one hardware extend per batch"
for i in 0 1 2; do
	(for j in $(seq 8); do
		tpm2_pcrextend -T device:/dev/vtpm$i "10:sha256=$(printf '%s-%s' "$i" "$j" | sha256sum | cut -d' ' -f1)" >/dev/null
	done) &
done
wait
grep -E 'records|hw_extends|coalesced' /sys/kernel/security/vtpm_mux/status

say "Every change went into ONE hardware PCR, through the mapping log"
run cat /sys/kernel/security/vtpm_mux/status
run tpm2_pcrread -T device:/dev/tpmrm0 sha256:13
run "$vtpmctl" log | sed -n 1,12p
echo "..."

say "The log replays to the hardware PCR"
run "$vtpmctl" log --check

say "bob's concealed view: his records in the clear, the others' as leaves"
run "$vtpmctl" log 1 --view
run "$vtpmctl" log 1 --view --check | awk '/^(ok:|instance)/ { print } /^  sha256:/ { s = 1; print; next } /^  [a-z0-9]+:/ { s = 0 } s && /^ +(8|9):/'
echo "(bob's vPCR 8 and 9 above, reconstructed from the log, are those tpm2_pcrread showed)"

say "bob's measurements, IMA style"
run "$vtpmctl" log 1 --ascii

say "Per-instance state in sysfs"
for a in label uuid pcr_banks commands extends; do
	printf '%-10s %s\n' "$a" "$(cat /sys/class/vtpm/vtpm1/$a)"
done

say "Tear down"
for i in 0 1 2; do run "$vtpmctl" destroy $i; done
run rmmod vtpm_mux
echo "demo finished"
