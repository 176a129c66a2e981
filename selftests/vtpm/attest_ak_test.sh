#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The attestation key, against tpm2-tools on the same (hardware) TPM.
# Reloads vtpm_mux: run_tests.sh runs it after the C tests.  Prints TAP.
#
#   1. the default AK is the endorsement primary of the documented
#      template: tpm2_createprimary makes the very same key (public area,
#      PEM, name), and it is the same after a reload
#   2. the registration of Documentation/attestation.md works: credential
#      activation against the EK with ak.name releases the secret
#   3. ak_handle=: a persistent RSA AK from tpm2_createak; the module
#      exports that key and its quotes verify with it (RSASSA), not with
#      the default AK
#   4. ak_handle= that is no persistent handle, an absent one, or a key
#      that cannot sign (the EK): the module refuses to load
#   5. the defaults again, for the tests that follow
#
# Needs root, tpm2-tools, the module, vtpmctl and vtpm-verify built.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)
ko=${VTPM_MUX_KO:-$top/drivers/vtpm/vtpm_mux.ko}
vtpmctl=$top/tools/vtpmctl/vtpmctl
verify=$top/tools/vtpm-verify/vtpm-verify
sec=/sys/kernel/security/vtpm_mux
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
AK_ATTRS='fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign'
PERSIST_AK=0x81000100
PERSIST_EK=0x81010001

# shellcheck source=tap.sh
. "$here/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -f "$ko" ] || skip_all "no $ko"
[ -x "$vtpmctl" ] || skip_all "no $vtpmctl"
[ -x "$verify" ] || skip_all "no $verify"
command -v tpm2_createprimary >/dev/null || skip_all "no tpm2-tools"

tmp=$(mktemp -d)
loaded() { [ -d /sys/module/vtpm_mux ]; }

load() {
	loaded && { rmmod vtpm_mux || return 1; }
	insmod "$ko" "$@"
}

cleanup() {
	tpm2_evictcontrol -C o -c $PERSIST_AK >/dev/null 2>&1
	tpm2_evictcontrol -C o -c $PERSIST_EK >/dev/null 2>&1
	if ! loaded || [ "$(cat /sys/module/vtpm_mux/parameters/ak_handle)" != 0 ]; then
		load
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# An instance with a measurement, attested through the control device.
attest() {
	local out=$1 nonce=$2 dev idx
	dev=$("$vtpmctl" create --label ak-test) || return 1
	idx=${dev#/dev/vtpm}
	tpm2_startup -c -T "device:$dev" 2>/dev/null
	tpm2_pcrextend -T "device:$dev" "4:sha256=$(printf x | sha256sum | cut -c1-64)" ||
		return 1
	"$vtpmctl" attest "$idx" --nonce "$nonce" --out "$out" >/dev/null
}

# 1. the default AK
load || { echo "not ok 1 - insmod"; exit 1; }
grep -qx 'attestation ok' $sec/status
ok $? "status: attestation ok"
tpm2_createprimary -C e -g sha256 -G ecc256:ecdsa-sha256:null -a "$AK_ATTRS" \
	-c "$tmp/ak.ctx" >/dev/null &&
	tpm2_readpublic -c "$tmp/ak.ctx" -o "$tmp/ak.tss" -n "$tmp/ak.name.bin" \
		>/dev/null &&
	tpm2_readpublic -c "$tmp/ak.ctx" -f pem -o "$tmp/ak.tools.pem" >/dev/null
ok $? "tpm2_createprimary with the documented template"
cat $sec/ak.pub | cmp -s "$tmp/ak.tss" -
ok $? "ak.pub is the public area tpm2-tools got from the same template"
"$vtpmctl" ak --out "$tmp/ak.pem" --tpm2b "$tmp/ak.pub" --name "$tmp/ak.name"
ok $? "vtpmctl ak --out --tpm2b --name"
cmp -s "$tmp/ak.pub" "$tmp/ak.tss"
ok $? "vtpmctl ak --tpm2b equals tpm2_readpublic's public area"
openssl pkey -pubin -in "$tmp/ak.pem" -outform DER 2>/dev/null | sha256sum >"$tmp/a"
openssl pkey -pubin -in "$tmp/ak.tools.pem" -outform DER 2>/dev/null | sha256sum >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && grep -q 'BEGIN PUBLIC KEY' "$tmp/ak.pem"
ok $? "ak.pem is the key tpm2_readpublic -f pem gives"
[ "$(xxd -p -c 256 "$tmp/ak.name.bin")" = "$(cat "$tmp/ak.name")" ]
ok $? "ak.name is the key's TPM name"
load && cat $sec/ak.pub | cmp -s "$tmp/ak.tss" -
ok $? "the same AK after a reload"

# 2. registration by credential activation (Documentation/attestation.md)
head -c 32 /dev/urandom >"$tmp/secret"
tpm2_createek -c "$tmp/ek.ctx" -G rsa -u "$tmp/ek.pub" >/dev/null &&
	tpm2_makecredential -T none -e "$tmp/ek.pub" -s "$tmp/secret" \
		-n "$(cat "$tmp/ak.name")" -o "$tmp/cred.out" >/dev/null &&
	tpm2_startauthsession --policy-session -S "$tmp/s.ctx" &&
	tpm2_policysecret -S "$tmp/s.ctx" -c e >/dev/null &&
	tpm2_activatecredential -c "$tmp/ak.ctx" -C "$tmp/ek.ctx" \
		-i "$tmp/cred.out" -o "$tmp/secret.out" -P "session:$tmp/s.ctx" \
		>/dev/null &&
	tpm2_flushcontext "$tmp/s.ctx" &&
	cmp -s "$tmp/secret" "$tmp/secret.out"
ok $? "credential activation with ak.name releases the secret"
tpm2_flushcontext -t >/dev/null 2>&1

# 3. a persistent RSA AK
tpm2_evictcontrol -C o -c "$tmp/ek.ctx" $PERSIST_EK >/dev/null &&
	tpm2_createak -C $PERSIST_EK -c "$tmp/rsa.ctx" -G rsa -g sha256 \
		-s rsassa -u "$tmp/rsa.pem" -f pem -n "$tmp/rsa.name" >/dev/null &&
	tpm2_evictcontrol -C o -c "$tmp/rsa.ctx" $PERSIST_AK >/dev/null
ok $? "tpm2_createak + tpm2_evictcontrol: RSA AK at $PERSIST_AK"
load ak_handle=$PERSIST_AK
ok $? "insmod ak_handle=$PERSIST_AK"
openssl pkey -pubin -in $sec/ak.pem -outform DER 2>/dev/null | sha256sum >"$tmp/a"
openssl pkey -pubin -in "$tmp/rsa.pem" -outform DER 2>/dev/null | sha256sum >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/b" ]
ok $? "ak.pem is the persistent RSA AK"
attest "$tmp/rsa.bundle" 0123456789abcdef
ok $? "attestation with the persistent AK"
out=$("$verify" --bundle "$tmp/rsa.bundle" --ak "$tmp/rsa.pem" --nonce 0123456789abcdef)
rc=$?
[ $rc -eq 0 ] && [ "$(head -n 1 <<<"$out")" = TRUSTED ]
ok $? "vtpm-verify: the RSASSA quote verifies with the persistent AK"
"$verify" --bundle "$tmp/rsa.bundle" --ak "$tmp/ak.pem" --nonce 0123456789abcdef >"$tmp/v" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q 'NOT TRUSTED' "$tmp/v" && grep -qi 'signature' "$tmp/v"
ok $? "vtpm-verify: not with the default AK (exit $rc: $(head -c 120 "$tmp/v"))"

# 4. ak_handle that cannot be used
load ak_handle=0x01000000 2>/dev/null
[ $? -ne 0 ] && ! loaded
ok $? "ak_handle=0x01000000 (not persistent): refused"
load ak_handle=0x81000999 2>/dev/null
[ $? -ne 0 ] && ! loaded
ok $? "ak_handle=0x81000999 (absent): refused"
load ak_handle=$PERSIST_EK 2>/dev/null
[ $? -ne 0 ] && ! loaded
ok $? "ak_handle=$PERSIST_EK (the EK: decrypts, does not sign): refused"
dmesg | grep -q 'not a restricted signing key'
ok $? "the kernel log says why"

# 5. defaults
load
loaded && grep -qx 'attestation ok' $sec/status
ok $? "reloaded with the defaults"
tap_done
