#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkseeds.sh DIR: the seed corpus of fuzz_bundle in DIR/seeds, made with
# mkbundle and vtpm-tamper ($ATTEST: tools/testing/attest) and a key made
# now (DIR/key.pem; its public half DIR/ak.pem is the fuzzer's AK).
set -eu

dir=$1
ATTEST=${ATTEST:-$(dirname "$0")/../attest}
mk=$ATTEST/mkbundle
tamper=$ATTEST/vtpm-tamper

rm -rf "$dir/seeds"
mkdir -p "$dir/seeds"
cd "$dir"
openssl ecparam -name prime256v1 -genkey -noout -out key.pem 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
	-out rsa.pem 2>/dev/null

s=seeds
# the fuzzer's nonce is the bundle's own: any nonce will do
"$mk" --key key.pem --pub-out ak.pem --out $s/a
"$mk" --key key.pem --out $s/b --tenant b
"$mk" --key key.pem --out $s/c --tenant c
"$mk" --key key.pem --out $s/a2 --batches 2 --full-out full.log
"$mk" --key key.pem --out $s/a5 --batches 5
"$mk" --key key.pem --requests 7 --index 2 --all-out $s/r7.
"$mk" --key key.pem --out $s/one-bank --banks sha256
"$mk" --key key.pem --out $s/four-banks --banks sha384,sha1,sha512,sha256
"$mk" --key key.pem --out $s/s384 --sig-hash sha384
"$mk" --key key.pem --out $s/sel14 --pcr-select 14
"$mk" --key key.pem --out $s/nonce64 --nonce "$(printf '5a%.0s' {1..64})"
"$mk" --key rsa.pem --out $s/rsa
"$mk" --key rsa.pem --out $s/pss --pss
for m in modify-own drop-own reorder-own insert-own modify-other-leaf \
	 truncate-view truncate-view-raw break-proof; do
	"$tamper" $s/a $s/t-$m $m
done
"$tamper" $s/a $s/t-swap swap-view $s/b
"$tamper" $s/a5 $s/t-later swap-view $s/a
"$tamper" $s/a2 $s/t-full set-view full.log
"$tamper" $s/a $s/t-flip flip-attest 5
printf 'REF\n# a reference\n10 sha256 final %s\n16 sha1 allow %s\n' \
	"$(printf '0%.0s' {1..64})" "$(printf 'f%.0s' {1..40})" >$s/ref
