#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the guest: three tenants, each in its own mount
# namespace where its virtual TPM is /dev/tpm0, measure with unmodified
# tpm2-tools; every measurement goes through the mapping log into ONE
# hardware PCR; a verifier outside attests tenant 2 with a hardware quote
# and sees its vPCRs and events and nothing of the others; tampered,
# replayed and misattributed bundles are rejected with their reasons.
set -euo pipefail

cd "${VTPM_REPO:-.}"
top=$PWD
vtpmctl=$top/tools/vtpmctl/vtpmctl
verify=$top/tools/vtpm-verify/vtpm-verify
tamper=$top/tools/testing/attest/vtpm-tamper
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
V=/tmp/verifier
mkdir -p $V

# Run a command as tenant $1: in a mount namespace of its own where its
# /dev/vtpmN is bind-mounted over /dev/tpm0, with tpm2-tools talking to
# /dev/tpm0 as they would on a machine of its own.
tenant() {
	local dev=$1
	shift
	unshare --mount --propagation private -- \
		env TPM2TOOLS_TCTI=device:/dev/tpm0 DEV="$dev" sh -c \
		'mount --bind "$DEV" /dev/tpm0 && exec "$@"' sh "$@"
}

say "The host: a TPM 2.0 (swtpm standing in for the hardware) at /dev/tpm0"
run tpm2_getcap -T device:/dev/tpmrm0 properties-fixed | grep -A1 -E 'MANUFACTURER|VENDOR_STRING_1' | grep raw || true
run insmod drivers/vtpm/vtpm_mux.ko
dmesg | grep vtpm_mux | tail -n 3

say "The verifier registers the host's attestation key (see Documentation/attestation.md: credential activation against the EK)"
run "$vtpmctl" ak --out $V/ak.pem --name $V/ak.name
cat $V/ak.pem
echo "name: $(cat $V/ak.name)"

say "Three tenants, three virtual TPMs"
names=(alice bob carol)
for t in "${names[@]}"; do
	dev=$($vtpmctl create --label "$t")
	echo "$t -> $dev"
done
run "$vtpmctl" list

say "Each tenant, in its own mount namespace, sees its vTPM as /dev/tpm0 and measures its software"
for i in 0 1 2; do
	t=${names[$i]}
	echo "$t: firmware, kernel and application of $t" >"/tmp/$t.app"
	echo "$t: configuration of $t" >"/tmp/$t.conf"
	printf '[%s] %s\n' "$t" "$(tenant /dev/vtpm$i ls -l /dev/tpm0)"
	tenant /dev/vtpm$i sh -c "tpm2_startup -c 2>/dev/null;
		tpm2_pcrevent /tmp/$t.app 8 | grep sha256 | sed 's/^/[$t] pcrevent 8 /';
		tpm2_pcrextend 9:sha256=\$(sha256sum /tmp/$t.conf | cut -d' ' -f1);
		tpm2_pcrread sha256:8,9 | sed 's/^/[$t] /' | tail -n 2"
done

say "Every change went into ONE hardware PCR (13), through the mapping log"
grep -E '^(pcr|batches|records|hw_extends) ' /sys/kernel/security/vtpm_mux/status
run tpm2_pcrread -T device:/dev/tpmrm0 sha256:13
run "$vtpmctl" log --check

say "The verifier challenges tenant 2 (bob) with a fresh nonce"
nonce=$(openssl rand -hex 20)
echo "nonce: $nonce"
bob_uuid=$("$vtpmctl" info 1 | awk '/^uuid:/ { print $2 }')
echo "bob's uuid, known to the verifier: $bob_uuid"

say "bob asks his own /dev/tpm0 for a bundle (a hardware quote of PCR 13 + his concealed view)"
tenant /dev/vtpm1 "$vtpmctl" attest --device /dev/tpm0 --nonce "$nonce" --out /tmp/bob.bundle
cp /tmp/bob.bundle $V/

say "The verifier's reference values for bob: vPCR 8 and 9 as his software should make them"
app=$(sha256sum /tmp/bob.app | cut -d' ' -f1)
conf=$(sha256sum /tmp/bob.conf | cut -d' ' -f1)
pcr8=$(printf '%064d%s' 0 "$app" | xxd -r -p | sha256sum | cut -d' ' -f1)
pcr9=$(printf '%064d%s' 0 "$conf" | xxd -r -p | sha256sum | cut -d' ' -f1)
cat >$V/bob.ref <<EOF
# bob's expected measurements (computed from his files, not from the TPM)
8 sha256 allow $app
8 sha256 final $pcr8
9 sha256 allow $conf
9 sha256 final $pcr9
EOF
cat $V/bob.ref

say "The verifier checks: AK signature, nonce and identity, Merkle proof, replay of the view to the quoted PCR, references"
run "$verify" --bundle $V/bob.bundle --ak $V/ak.pem --nonce "$nonce" --uuid "$bob_uuid" --ref $V/bob.ref

say "Nothing of alice or carol is in bob's bundle: their measurements are not there"
for t in alice carol; do
	h=$(sha256sum /tmp/$t.app | cut -d' ' -f1)
	if xxd -p -c 100000 $V/bob.bundle | grep -q "$h"; then
		echo "$t's digest FOUND in bob's bundle"
	else
		echo "$t's application digest ${h:0:16}... : not in bob's bundle"
	fi
done
echo "(bob's view shows the others' records only as salted leaves: $("$verify" --bundle $V/bob.bundle --ak $V/ak.pem --nonce "$nonce" | grep -c '^  seq') events of his own in a log of $(grep '^records ' /sys/kernel/security/vtpm_mux/status | cut -d' ' -f2) records)"

say "Attacks the verifier rejects"
echo "-- a tampered bundle (a digest of bob's own record changed):"
"$tamper" $V/bob.bundle /tmp/tampered.bundle modify-own
"$verify" --bundle /tmp/tampered.bundle --ak $V/ak.pem --nonce "$nonce" --uuid "$bob_uuid" || echo "(exit $?)"
echo "-- a relay hides one of bob's own measurements (his EXTEND shown as a leaf; the view still replays to the PCR):"
"$tamper" $V/bob.bundle /tmp/hidden.bundle hide-own extend
"$verify" --bundle /tmp/hidden.bundle --ak $V/ak.pem --nonce "$nonce" --uuid "$bob_uuid" || echo "(exit $?)"
echo "-- ... and rewrites the view's commitment to match:"
"$tamper" $V/bob.bundle /tmp/recommitted.bundle hide-own-recommit extend
"$verify" --bundle /tmp/recommitted.bundle --ak $V/ak.pem --nonce "$nonce" --uuid "$bob_uuid" || echo "(exit $?)"
echo "-- the honest bundle against another nonce (a replayed, stale bundle):"
"$verify" --bundle $V/bob.bundle --ak $V/ak.pem --nonce "$(openssl rand -hex 20)" --uuid "$bob_uuid" || echo "(exit $?)"
echo "-- carol's bundle presented as bob's:"
tenant /dev/vtpm2 "$vtpmctl" attest --device /dev/tpm0 --nonce "$nonce" --out /tmp/carol.bundle >/dev/null
"$verify" --bundle /tmp/carol.bundle --ak $V/ak.pem --nonce "$nonce" --uuid "$bob_uuid" || echo "(exit $?)"
echo "-- carol's bundle relabelled with bob's uuid:"
"$tamper" /tmp/carol.bundle /tmp/relabelled.bundle set-uuid "$bob_uuid"
"$verify" --bundle /tmp/relabelled.bundle --ak $V/ak.pem --nonce "$nonce" --uuid "$bob_uuid" || echo "(exit $?)"

say "Many tenants attest at once: one hardware quote answers many requests"
for i in 0 1 2; do
	tenant /dev/vtpm$i "$vtpmctl" attest --device /dev/tpm0 --nonce "$(openssl rand -hex 8)" --out /tmp/many$i.bundle &
done
wait
grep -E '^(quotes|attestations) ' /sys/kernel/security/vtpm_mux/status

say "Tear down"
for i in 0 1 2; do run "$vtpmctl" destroy $i; done
run rmmod vtpm_mux
echo "demo finished"
