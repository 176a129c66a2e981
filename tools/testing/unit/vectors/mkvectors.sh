#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the TPM vectors of test_tpmkey (drivers/vtpm/lib/tpmkey.c)
# with a throwaway swtpm and tpm2-tools 5.x, so that the unit test itself
# needs no TPM.  Each NAME.pub is a TPM2B_PUBLIC the TPM returned, NAME.name
# the name tpm2-tools reported for it, NAME.pem the public key tpm2-tools
# wrote (tpm2_readpublic -f pem).  Every run makes new keys (a new
# swtpm has a new endorsement seed): regenerate all files together.
#
#   ak-ecc-p256	the default AK of Documentation/attestation.md, made by
#		tpm2_createprimary; .tmpl is the TPMT_PUBLIC template
#		tpm2-tools sent (--template-data)
#   ak-ecc-p256-ours.pub
#		the outPublic of a raw TPM2_CreatePrimary whose inPublic is
#		vtpm_ak_template() (test_tpmkey --template): this script
#		fails unless it is ak-ecc-p256.pub, byte for byte
#   ak-rsa2048	tpm2_createak -G rsa -g sha256 -s rsassa (under the RSA EK)
#   ak-rsa3072-pss
#		tpm2_createak -G rsa3072 -g sha384 -s rsapss
#   ak-ecc-p384	tpm2_createak -G ecc384 -g sha384 -s ecdsa
#   ak-ecc-p384-policy
#		primary ECC P-384 AK with nameAlg SHA-384 and an authPolicy
#   ek-rsa2048, ek-ecc-p256
#		tpm2_createek: restricted decryption keys, not AKs
#   ecc-p256-sign
#		an unrestricted ECDSA signing key: not an AK
#   rsa1024, ecc-p521
#		restricted signing keys of a size or curve tpmkey.c refuses
#   hmac, aes	a keyedHash and a symCipher object
#
# Usage: mkvectors.sh [OUTDIR]	(default: this script's directory)
#
# Note: `tpm2_createprimary -G ecc256:ecdsa-sha256` alone makes tpm2-tools
# 5.x send symmetric AES-128-CFB, which the TPM refuses for a restricted
# signing key (TPM_RC_SYMMETRIC); ":null" asks for what the template needs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
unit=$(dirname "$here")
out=$(cd "${1:-$here}" && pwd)

make -s -C "$unit" "$unit/test_tpmkey"

tmp=$(mktemp -d)
cleanup() {
	if [ -s "$tmp/swtpm.pid" ]; then
		kill "$(cat "$tmp/swtpm.pid")" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir "$tmp/state"
started=
for try in 1 2 3 4 5; do
	port=$((20000 + (RANDOM % 20000) * 2))
	if swtpm socket --tpm2 --tpmstate dir="$tmp/state" \
		--server type=tcp,port=$port --ctrl type=tcp,port=$((port + 1)) \
		--flags not-need-init,startup-clear \
		--daemon --pid file="$tmp/swtpm.pid" 2>/dev/null; then
		started=1
		break
	fi
done
[ -n "$started" ] || { echo "mkvectors: cannot start swtpm" >&2; exit 1; }
T=(-T "swtpm:port=$port")
for try in $(seq 50); do
	tpm2_getcap "${T[@]}" properties-fixed >/dev/null 2>&1 && break
	sleep 0.1
done

AK_ATTRS='fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign'

flush() {
	tpm2_flushcontext "${T[@]}" -t
	tpm2_flushcontext "${T[@]}" -s
}

# the name and, unless $2 is "nopem", the PEM of the object in context $1
readpub() {
	local ctx=$1 name=$2 pem=${3:-}

	tpm2_readpublic "${T[@]}" -c "$ctx" -n "$out/$name.name" -Q
	if [ "$pem" != nopem ]; then
		tpm2_readpublic "${T[@]}" -c "$ctx" -f pem -o "$out/$name.pem" -Q
	fi
}

# primary NAME HIERARCHY ARGS...: tpm2_createprimary, public, name and PEM
primary() {
	local name=$1 hier=$2 pem=pem

	shift 2
	if [ "$1" = nopem ]; then
		pem=nopem
		shift
	fi
	flush
	tpm2_createprimary "${T[@]}" -C "$hier" "$@" -c "$tmp/p.ctx" \
		-o "$out/$name.pub" -Q
	readpub "$tmp/p.ctx" "$name" $pem
	flush
}

# ak NAME ARGS...: tpm2_createek (RSA) and tpm2_createak ARGS
ak() {
	local name=$1

	shift
	flush
	tpm2_createek "${T[@]}" -c "$tmp/ek.ctx" -G rsa -u "$tmp/ek.pub"
	tpm2_createak "${T[@]}" -C "$tmp/ek.ctx" -c "$tmp/ak.ctx" "$@" \
		-u "$out/$name.pub" -n "$out/$name.name" -Q
	# tpm2_createak leaves three objects loaded: room to load ak.ctx
	flush
	tpm2_readpublic "${T[@]}" -c "$tmp/ak.ctx" -f pem -o "$out/$name.pem" -Q
	# tpm2_readpublic agrees with tpm2_createak about the name
	tpm2_readpublic "${T[@]}" -c "$tmp/ak.ctx" -n "$tmp/ak.name" -Q
	cmp "$tmp/ak.name" "$out/$name.name"
	flush
}

ek() {
	local name=$1 alg=$2

	flush
	tpm2_createek "${T[@]}" -c "$tmp/ek.ctx" -G "$alg" -u "$out/$name.pub"
	readpub "$tmp/ek.ctx" "$name"
	flush
}

# the default AK, with the template tpm2-tools sends
flush
tpm2_createprimary "${T[@]}" -C e -g sha256 -G ecc256:ecdsa-sha256:null \
	-a "$AK_ATTRS" -c "$tmp/p.ctx" -o "$out/ak-ecc-p256.pub" \
	--template-data "$out/ak-ecc-p256.tmpl" -Q
readpub "$tmp/p.ctx" ak-ecc-p256
flush

# TPM2_CreatePrimary(TPM_RH_ENDORSEMENT) with vtpm_ak_template() as inPublic
hex() { xxd -p "$1" | tr -d '\n'; }
tmpl=$("$unit/test_tpmkey" --template | xxd -p | tr -d '\n')
# handle, password session, inSensitive {userAuth, data} empty, inPublic,
# outsideInfo empty, creationPCR empty
body=4000000b00000009400000090000000000000400000000${tmpl}000000000000
printf '8002%08x00000131%s' $((10 + ${#body} / 2)) "$body" | xxd -r -p \
	>"$tmp/cmd.bin"
tpm2_send "${T[@]}" <"$tmp/cmd.bin" >"$tmp/rsp.bin"
flush
rsp=$(hex "$tmp/rsp.bin")
if [ "${rsp:12:8}" != 00000000 ]; then
	echo "mkvectors: TPM2_CreatePrimary of our template: rc 0x${rsp:12:8}" >&2
	exit 1
fi
# header, objectHandle, parameterSize, then outPublic
off=18
size=$((16#${rsp:off*2:4}))
echo -n "${rsp:off*2:(2 + size)*2}" | xxd -r -p >"$out/ak-ecc-p256-ours.pub"
# creationData, creationHash, creationTicket, then the TPM's name
off=$((off + 2 + size))
off=$((off + 2 + 16#${rsp:off*2:4}))
off=$((off + 2 + 16#${rsp:off*2:4}))
off=$((off + 6))
off=$((off + 2 + 16#${rsp:off*2:4}))
size=$((16#${rsp:off*2:4}))
echo -n "${rsp:(off + 2)*2:size*2}" | xxd -r -p >"$tmp/ours.name"
if ! cmp "$out/ak-ecc-p256-ours.pub" "$out/ak-ecc-p256.pub" ||
   ! cmp "$tmp/ours.name" "$out/ak-ecc-p256.name"; then
	echo "mkvectors: vtpm_ak_template() does not make the documented AK" >&2
	exit 1
fi

ak ak-rsa2048 -G rsa -g sha256 -s rsassa
ak ak-rsa3072-pss -G rsa3072 -g sha384 -s rsapss
ak ak-ecc-p384 -G ecc384 -g sha384 -s ecdsa
primary ak-ecc-p384-policy e -g sha384 -G ecc384:ecdsa-sha384:null \
	-a "$AK_ATTRS" -L "$(printf '%096x' 0 | tr 0 5)"
ek ek-rsa2048 rsa
ek ek-ecc-p256 ecc
primary ecc-p256-sign o -G ecc256:ecdsa-sha256:null \
	-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
primary rsa1024 o nopem -G rsa1024:rsassa-sha256:null -a "$AK_ATTRS"
primary ecc-p521 o nopem -G ecc521:ecdsa-sha512:null -a "$AK_ATTRS"
primary hmac o nopem -G hmac \
	-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'
primary aes o nopem -G aes128cfb

chmod 644 "$out"/*.pub "$out"/*.name "$out"/*.pem "$out"/*.tmpl
echo "mkvectors: vectors written to $out"
