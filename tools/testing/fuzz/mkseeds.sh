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
# log format 2: the view's commitment to its instance's records
for t in create extend event reset; do
	"$tamper" $s/a $s/t-hide-$t hide-own $t
	"$tamper" $s/a $s/t-hide-$t-recommit hide-own-recommit $t
done
"$tamper" $s/a $s/t-hide-voided hide-own extend 3
"$tamper" $s/a $s/t-hide-voided-recommit hide-own-recommit extend 3
"$tamper" $s/c $s/t-hide-destroy hide-own destroy
"$tamper" $s/c $s/t-hide-destroy-recommit hide-own-recommit destroy
"$tamper" $s/a2 $s/t-hide-create-only-recommit hide-own-recommit create
"$tamper" $s/a $s/t-move-own move-own
"$tamper" $s/a $s/t-cut-before-last cut-before-last
"$tamper" $s/a2 $s/t-cut-before-create cut-before-last
# versions: 1 (before the commitment) and one not known
"$tamper" $s/a $s/t-bundle-v1 set-version 1
"$tamper" $s/a $s/t-bundle-v3 set-version 3
"$tamper" $s/a $s/t-log-v1 set-log-version 1
"$tamper" $s/a $s/t-log-v3 set-log-version 3
"$tamper" $s/t-log-v1 $s/t-v1 set-version 1
printf 'REF\n# a reference\n10 sha256 final %s\n16 sha1 allow %s\n' \
	"$(printf '0%.0s' {1..64})" "$(printf 'f%.0s' {1..40})" >$s/ref
