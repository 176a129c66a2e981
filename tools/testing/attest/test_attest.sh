#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of vtpm-verify with synthetic bundles (mkbundle) and their
# mutations (vtpm-tamper).  Output: TAP.  Every expected vPCR value is
# computed here with the openssl command, independently of the verifier
# and of drivers/vtpm/lib.  If swtpm and tpm2-tools are installed, one
# bundle is also quoted by a software TPM (its PCR extended with the
# bundle's batch digests) and must verify.
#
# Environment: VTPM_VERIFY, MKBUNDLE, VTPM_TAMPER (the programs; default:
# next to this script and in tools/vtpm-verify).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
VERIFY=${VTPM_VERIFY:-$here/../../vtpm-verify/vtpm-verify}
MKBUNDLE=${MKBUNDLE:-$here/mkbundle}
TAMPER=${VTPM_TAMPER:-$here/vtpm-tamper}

tmp=$(mktemp -d)
swtpm_pid=
cleanup() {
	if [ -n "$swtpm_pid" ]; then
		kill "$swtpm_pid" 2>/dev/null
	fi
	if [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$tmp"
	else
		echo "# kept $tmp"
	fi
}
trap cleanup EXIT
cd "$tmp" || exit 1

# shellcheck source=tap.sh
. "$here/tap.sh"

NONCE=00112233445566778899aabbccddeeff
NONCE2=cafef00dcafef00dcafef00dcafef00d
UUID_A=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf
UUID_B=b0b1b2b3-b4b5-b6b7-b8b9-babbbcbdbebf

# verify NAME EXPECTED_STATUS SUBSTRING ARGS...: run vtpm-verify, check the
# exit status and that SUBSTRING is in the first line of its stdout (status
# 0 and 1) or in its stderr (status 2).
verify() {
	local name=$1 want=$2 substr=$3 rc where
	shift 3
	"$VERIFY" "$@" >out.txt 2>err.txt
	rc=$?
	if [ "$want" = 2 ]; then
		where=$(cat err.txt)
	else
		where=$(head -n 1 out.txt)
	fi
	if [ $rc -ne "$want" ]; then
		not_ok "$name" "exit status $rc, expected $want" \
			"stdout: $(head -n 1 out.txt)" "stderr: $(head -n 1 err.txt)"
	elif [[ "$where" != *"$substr"* ]]; then
		not_ok "$name" "expected \"$substr\"" "got: $where"
	elif [ "$want" = 1 ] && [ "$(wc -l <out.txt)" != 1 ]; then
		not_ok "$name" "NOT TRUSTED is not one line"
	elif [ "$want" = 2 ] && [ -s out.txt ]; then
		not_ok "$name" "an input error printed on stdout"
	else
		ok "$name"
	fi
}

# reject NAME SUBSTRING BUNDLE [ARGS...]: exit 1, "NOT TRUSTED: ..."
reject() {
	local name=$1 substr=$2 bundle=$3
	shift 3
	verify "$name" 1 "NOT TRUSTED: $substr" --bundle "$bundle" \
		--ak ak.pem --nonce "$NONCE" "$@"
}

# tamper IN OUT MUTATION...: vtpm-tamper, which must succeed
tamper() {
	"$TAMPER" "$@" 2>tamper.err
}

# tampered NAME SUBSTRING IN MUTATION [ARG...]: the mutation of bundle IN
# must be rejected with SUBSTRING
tampered() {
	local name=$1 substr=$2 in=$3
	shift 3
	if ! tamper "$in" t.bundle "$@"; then
		not_ok "$name" "vtpm-tamper $in $*: $(cat tamper.err)"
		return
	fi
	reject "$name" "$substr" t.bundle
}

# not_applicable NAME IN MUTATION [ARG...]: vtpm-tamper must say (exit
# status 1) that the mutation does not apply to bundle IN
not_applicable() {
	local name=$1 in=$2 rc
	shift 2
	tamper "$in" t.bundle "$@"
	rc=$?
	if [ $rc -eq 1 ] && grep -q 'does not apply' tamper.err; then
		ok "$name"
	else
		not_ok "$name" "vtpm-tamper $in $*: exit status $rc, expected 1" \
			"$(cat tamper.err)"
	fi
}

# ---- independent computations (openssl) ---------------------------------

# H ALG MESSAGE: hex digest of the string MESSAGE
H() {
	printf '%s' "$2" | openssl dgst "-$1" -binary | xxd -p -c 256
}

# EXT ALG OLD_HEX DIGEST_HEX: a PCR extend, H(old || digest)
EXT() {
	printf '%s%s' "$2" "$3" | xxd -r -p | openssl dgst "-$1" -binary |
		xxd -p -c 256
}

Z1=$(printf '0%.0s' {1..40})
Z256=$(printf '0%.0s' {1..64})

# tenant A after 8 batches (the history is in mkbundle.c)
A10_256=$(EXT sha256 "$(EXT sha256 "$(EXT sha256 "$Z256" "$(H sha256 a)")" \
	"$(H sha256 a1)")" "$(H sha256 a2)")
A10_1=$(EXT sha1 "$Z1" "$(H sha1 a1)")
A16_256=$(EXT sha256 "$Z256" "$(H sha256 after-reset)")
# tenant B: its batch 4 extend is void
B10_256=$(EXT sha256 "$Z256" "$(H sha256 b)")
B12_1=$(EXT sha1 "$Z1" "$(H sha1 b3)")

# ---- the bundles --------------------------------------------------------

openssl ecparam -name prime256v1 -genkey -noout -out key.pem 2>/dev/null &&
openssl ecparam -name prime256v1 -genkey -noout -out other.pem 2>/dev/null &&
openssl pkey -in other.pem -pubout -out other-ak.pem 2>/dev/null &&
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	-out rsa.pem 2>/dev/null || {
	echo "Bail out! cannot make keys with openssl"
	exit 1
}

mk() {
	if ! "$MKBUNDLE" --key key.pem "$@" 2>mk.err; then
		echo "Bail out! mkbundle $*: $(cat mk.err)"
		exit 1
	fi
}
mk --pub-out ak.pem --out a.bundle
mk --out b.bundle --tenant b
mk --out c.bundle --tenant c
mk --out a7.bundle --batches 7
mk --out a2.bundle --batches 2 --full-out full.log
mk --out old.bundle --nonce "$NONCE2"
mk --out sel14.bundle --pcr-select 14
mk --out r5.bundle --requests 5 --index 3 --all-out r5.
mk --out s384.bundle --sig-hash sha384
mk --out one-bank.bundle --banks sha256
mk --out all-banks.bundle --banks sha512,sha1,sha384,sha256
"$MKBUNDLE" --key rsa.pem --pub-out rsa-ak.pem --out rsa.bundle &&
"$MKBUNDLE" --key rsa.pem --out pss.bundle --pss || {
	echo "Bail out! mkbundle with an RSA key failed"
	exit 1
}

# ---- the honest bundle --------------------------------------------------

verify "honest bundle of A is TRUSTED" 0 TRUSTED \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE"
cp out.txt report-a.txt

vpcrs=$(grep '^  vpcr ' report-a.txt | sed 's/^ *//')
expected=$(printf 'vpcr 10 sha1 %s\nvpcr 10 sha256 %s\nvpcr 16 sha256 %s' \
	"$A10_1" "$A10_256" "$A16_256")
if [ "$vpcrs" = "$expected" ]; then
	ok "report: A's vPCRs 10 (sha1, sha256) and 16 (sha256), computed independently; no others"
else
	not_ok "report: A's vPCRs" "expected: $expected" "got: $vpcrs"
fi

if grep -q "^instance: $UUID_A index 0 label \"tenant-a\"$" report-a.txt &&
   grep -q '^log position: 8 batches, 17 records' report-a.txt &&
   grep -q '^tpm clock: clock 12096 resetCount 3 restartCount 0' report-a.txt &&
   grep -q 'answered 1 requests' report-a.txt; then
	ok "report: instance, label, log position, TPM clock, requests"
else
	not_ok "report: instance, label, log position, TPM clock, requests" \
		"$(head -n 5 report-a.txt)"
fi

ev_voided=$(grep -c ' voided$' report-a.txt)
ev_applied=$(grep -c ' applied$' report-a.txt)
if grep -q "^  seq 9 batch 4 vpcr 12 extend sha256:$(H sha256 voided) voided$" report-a.txt &&
   grep -q "^  seq 6 batch 3 vpcr 16 event sha1:$(H sha1 hello) sha256:$(H sha256 hello) applied$" report-a.txt &&
   grep -q '^  seq 12 batch 6 vpcr 16 reset - applied$' report-a.txt &&
   [ "$ev_voided" = 1 ] && [ "$ev_applied" = 7 ]; then
	ok "report: A's 8 events, the one of the aborted batch voided"
else
	not_ok "report: A's events" "$(grep '^  seq' report-a.txt)"
fi

verify "honest bundle of A with --uuid A is TRUSTED" 0 TRUSTED \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --uuid "$UUID_A"

verify "bundle of B is TRUSTED" 0 TRUSTED \
	--bundle b.bundle --ak ak.pem --nonce "$NONCE" --uuid "$UUID_B"
vpcrs=$(grep '^  vpcr ' out.txt | sed 's/^ *//')
expected=$(printf 'vpcr 10 sha256 %s\nvpcr 12 sha1 %s' "$B10_256" "$B12_1")
if [ "$vpcrs" = "$expected" ] && grep -q 'label "tenant-b"' out.txt; then
	ok "report: B's vPCRs (its aborted extend not applied)"
else
	not_ok "report: B's vPCRs" "expected: $expected" "got: $vpcrs"
fi

verify "bundle of the destroyed tenant C is TRUSTED, and says destroyed" 0 \
	TRUSTED --bundle c.bundle --ak ak.pem --nonce "$NONCE"
if grep -q 'label "tenant-c" (destroyed)' out.txt &&
   grep -q "^  vpcr 11 sha256 $(EXT sha256 "$Z256" "$(H sha256 c)")$" out.txt; then
	ok "report: C destroyed, its vPCR 11"
else
	not_ok "report: C destroyed, its vPCR 11" "$(cat out.txt)"
fi

all=1
for i in 0 1 2 3 4; do
	nonce=$(xxd -p -c 256 -s 37 -l 16 "r5.$i")
	[ "$i" = 3 ] && nonce=$NONCE
	if ! "$VERIFY" --bundle "r5.$i" --ak ak.pem --nonce "$nonce" >out.txt ||
	   ! grep -q "answered 5 requests (this one: $i)" out.txt; then
		all=0
		echo "# r5.$i: $(head -n 1 out.txt)"
	fi
done
if [ $all = 1 ]; then
	ok "one quote for 5 requests: each of the 5 bundles is TRUSTED"
else
	not_ok "one quote for 5 requests: each of the 5 bundles is TRUSTED"
fi

verify "ECDSA with sha384 is TRUSTED" 0 TRUSTED \
	--bundle s384.bundle --ak ak.pem --nonce "$NONCE"
verify "a log with one bank (sha256) is TRUSTED" 0 TRUSTED \
	--bundle one-bank.bundle --ak ak.pem --nonce "$NONCE"
if grep -q "^  vpcr 10 sha256 $A10_256$" out.txt; then
	ok "report: one bank, vPCR 10 sha256"
else
	not_ok "report: one bank, vPCR 10 sha256" "$(grep vpcr out.txt)"
fi
verify "a log with four banks in another order is TRUSTED" 0 TRUSTED \
	--bundle all-banks.bundle --ak ak.pem --nonce "$NONCE"
verify "an RSASSA quote is TRUSTED" 0 TRUSTED \
	--bundle rsa.bundle --ak rsa-ak.pem --nonce "$NONCE"
verify "an RSAPSS quote is TRUSTED" 0 TRUSTED \
	--bundle pss.bundle --ak rsa-ak.pem --nonce "$NONCE"

# ---- what must be rejected ----------------------------------------------

verify "wrong nonce" 1 "NOT TRUSTED: nonce mismatch: the bundle answers nonce $NONCE, not $NONCE2" \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE2"

reject "old bundle presented for a new nonce" "nonce mismatch:" old.bundle
tampered "replayed bundle, header nonce rewritten to the new nonce" \
	"Merkle proof does not lead to the quote's qualifyingData" \
	old.bundle set-nonce "$NONCE"

reject "tenant A's bundle presented as B's (--uuid B)" \
	"uuid mismatch: the bundle is of instance $UUID_A, not $UUID_B" \
	a.bundle --uuid "$UUID_B"
if tamper a.bundle as-b.bundle set-uuid "$UUID_B"; then
	reject "tenant A's bundle with its uuid rewritten to B" \
		"view: it is the view of instance $UUID_A, not of the bundle's instance $UUID_B" \
		as-b.bundle --uuid "$UUID_B"
else
	not_ok "tenant A's bundle with its uuid rewritten to B" "$(cat tamper.err)"
fi

# the view's header commits to the instance's records (rule 9): a record
# modified is no longer the one committed to
tampered "own record modified (a digest)" \
	"view: the view's records of its instance are not those its header commits to at offset 61 of the view" \
	a.bundle modify-own
tampered "own record dropped" \
	"view: record number out of sequence at offset" a.bundle drop-own
tampered "own records reordered" \
	"view: record number out of sequence at offset" a.bundle reorder-own
tampered "own record inserted (duplicated)" \
	"view: record number out of sequence at offset" a.bundle insert-own
tampered "another tenant's leaf modified" \
	"quoted PCR digest does not match the replay of the view" \
	a.bundle modify-other-leaf
# batch 7 holds A's last extend: the header still commits to it
tampered "view truncated by its last batch (a record of the instance in it)" \
	"view: the view hides records of its instance: it shows fewer than its header commits to at offset 53 of the view" \
	a.bundle truncate-view
# B has no record in batch 7: the commitment holds, the position does not
tampered "view truncated by its last batch (no record of the instance in it)" \
	"view covers 7 batches but the quote was taken after 8" \
	b.bundle truncate-view
tampered "view truncated (raw bytes)" "view: entry truncated at offset" \
	a.bundle truncate-view-raw 5
tampered "view of another PCR state (a later log position)" \
	"view covers 8 batches but the quote was taken after 7" \
	a7.bundle swap-view a.bundle
tampered "view of another tenant swapped in" \
	"view: it is the view of instance $UUID_B" a.bundle swap-view b.bundle

tampered "quote signed by another key" \
	"signature does not verify with the AK" a.bundle resign other.pem
verify "honest bundle, another AK" 1 \
	"NOT TRUSTED: signature does not verify with the AK" \
	--bundle a.bundle --ak other-ak.pem --nonce "$NONCE"
verify "RSA-signed quote, EC AK" 1 \
	"NOT TRUSTED: signature scheme rsassa does not fit the AK (an EC key)" \
	--bundle rsa.bundle --ak ak.pem --nonce "$NONCE"

reject "quote over another PCR" "quote selects PCR 14 sha1, not the mux PCR 13" \
	sel14.bundle

tampered "broken Merkle proof (a lone request)" \
	"Merkle proof does not lead to the quote's qualifyingData" \
	a.bundle break-proof
tampered "broken Merkle proof (request 3 of 5)" \
	"Merkle proof does not lead to the quote's qualifyingData" \
	r5.bundle break-proof

# the quote of a one-bank log, the view of a two-bank one: A's records
# differ (their digests), so does the commitment the quote answered
tampered "quote of one bank, view of two (another commitment)" \
	"Merkle proof does not lead to the quote's qualifyingData" \
	one-bank.bundle swap-view a.bundle
# the quote of a quote-hash sha384 log, signature changed to sha256
tampered "quote re-signed with another hash than its PCR digest's" \
	"quoted PCR digest has 48 bytes, not the 32 of the signature's hash sha256" \
	s384.bundle resign key.pem sha256

# check 4, 5: the quote and its signature
tamper a.bundle t.bundle extract-quote q.attest q.sig || echo "# extract-quote failed"
head -c 7 q.sig >short.sig
head -c 20 q.attest >short.attest
printf 'x' | cat q.sig - >long.sig
printf 'x' | cat q.attest - >long.attest
tampered "signature that is not a TPMT_SIGNATURE" \
	"signature is not a TPMT_SIGNATURE" a.bundle replace-quote q.attest short.sig
tampered "signature with a byte after its TPMT_SIGNATURE" \
	"signature has 1 bytes after its TPMT_SIGNATURE" \
	a.bundle replace-quote q.attest long.sig
tampered "quote changed after signing" \
	"signature does not verify with the AK" a.bundle flip-attest 40
if tamper a.bundle t0.bundle flip-attest 0 &&
   tamper t0.bundle t1.bundle resign key.pem &&
   tamper a.bundle t2.bundle flip-attest 5 &&
   tamper t2.bundle t3.bundle resign key.pem &&
   tamper a.bundle t4.bundle replace-quote long.attest q.sig &&
   tamper t4.bundle t5.bundle resign key.pem &&
   tamper a.bundle t6.bundle replace-quote short.attest q.sig &&
   tamper t6.bundle t7.bundle resign key.pem; then
	reject "signed quote without TPM_GENERATED_VALUE" \
		"attest: magic 0xfe544347 is not TPM_GENERATED_VALUE (0xff544347)" t1.bundle
	reject "signed quote of another type (TPM_ST_ATTEST_QUOTE + 1)" \
		"attest: type 0x8019 is not TPM_ST_ATTEST_QUOTE (0x8018)" t3.bundle
	reject "signed quote with a byte after its TPMS_ATTEST" \
		"attest: 1 bytes after the TPMS_ATTEST" t5.bundle
	reject "signed quote that is not a TPMS_ATTEST (truncated)" \
		"attest: not a TPMS_ATTEST" t7.bundle
else
	not_ok "signed quotes that are not TPMS_ATTEST quotes" "$(cat tamper.err)"
fi
# A's quote without its sha1 selection (count 2 -> 1), signed again: check 9
xxd -p -c 256 q.attest |
	sed 's/00000002000403002000000b03002000/00000001000b03002000/' |
	xxd -r -p >sha256-only.attest
if ! cmp -s q.attest sha256-only.attest &&
   tamper a.bundle t8.bundle replace-quote sha256-only.attest q.sig &&
   tamper t8.bundle t9.bundle resign key.pem; then
	reject "signed quote of one bank, view of two" \
		"quote does not select the mux PCR 13 in the view's bank sha1" t9.bundle
else
	not_ok "signed quote of one bank, view of two" \
		"no sha1+sha256 selection of PCR 13 in the quote, or $(cat tamper.err)"
fi
if command -v tpm2_checkquote >/dev/null; then
	root=$("$MKBUNDLE" --key key.pem --print | awk '$1=="root" {print $2}')
	if tpm2_checkquote -u ak.pem -m q.attest -s q.sig -q "$root" \
		-g sha256 >/dev/null 2>tpm.err; then
		ok "mkbundle's quote passes tpm2_checkquote"
	else
		not_ok "mkbundle's quote passes tpm2_checkquote" "$(cat tpm.err)"
	fi
else
	skip "mkbundle's quote passes tpm2_checkquote" "no tpm2_checkquote"
fi

# check 6: the view is the bundle's instance's
tampered "view truncated before the instance's CREATE (still committed to)" \
	"view: the view hides records of its instance: it shows fewer than its header commits to" \
	a2.bundle truncate-view
tampered "view cut before the instance's CREATE, its commitment rewritten" \
	"view: instance $UUID_A does not exist in it (no applied CREATE)" \
	a2.bundle cut-before-last
tampered "a full log instead of a view" \
	"view: a full log, not a view of instance $UUID_A" a2.bundle set-view full.log

# ---- the view's commitment to its instance's records (log format v2) ----

HIDES="view: the view hides records of its instance: it shows fewer than its header commits to at offset 53 of the view"
MERKLE="Merkle proof does not lead to the quote's qualifyingData"
# a record of A shown as its leaf: the view replays to the same PCR, but
# shows fewer records than its header commits to (rule 9)
tampered "own EXTEND hidden as a leaf" "$HIDES" a.bundle hide-own extend
tampered "own EXTEND hidden as a leaf (the 5th, in the last batch)" "$HIDES" \
	a.bundle hide-own extend 5
tampered "own EVENT hidden as a leaf" "$HIDES" a.bundle hide-own event
tampered "own RESET hidden as a leaf" "$HIDES" a.bundle hide-own reset
tampered "own EXTEND of the voided batch 4 hidden as a leaf" "$HIDES" \
	a.bundle hide-own extend 3
tampered "B's EXTEND of the voided batch 4 hidden as a leaf" "$HIDES" \
	b.bundle hide-own extend 2
tampered "C's DESTROY hidden as a leaf" "$HIDES" c.bundle hide-own destroy
# the next record of A comes before any CREATE (rule 5)
tampered "own CREATE hidden as a leaf" \
	"view: a record of an instance before its CREATE at offset" \
	a.bundle hide-own create
tampered "C's CREATE hidden as a leaf" \
	"view: a record of an instance before its CREATE at offset" \
	c.bundle hide-own create
# in the first 2 batches, A's CREATE is its only record
tampered "own CREATE, its only record, hidden as a leaf" "$HIDES" \
	a2.bundle hide-own create
# and the relay that rewrites the header's commitment to what it shows: the
# quote answered a request value over the real one (check 8)
tampered "own EXTEND hidden, the header's commitment rewritten" "$MERKLE" \
	a.bundle hide-own-recommit extend
tampered "own EVENT hidden, the header's commitment rewritten" "$MERKLE" \
	a.bundle hide-own-recommit event
tampered "own RESET hidden, the header's commitment rewritten" "$MERKLE" \
	a.bundle hide-own-recommit reset
tampered "own EXTEND of the voided batch 4 hidden, the commitment rewritten" \
	"$MERKLE" a.bundle hide-own-recommit extend 3
tampered "C's DESTROY hidden, the header's commitment rewritten" "$MERKLE" \
	c.bundle hide-own-recommit destroy
tampered "own CREATE hidden, the header's commitment rewritten" \
	"view: a record of an instance before its CREATE at offset" \
	a.bundle hide-own-recommit create
tampered "own CREATE, its only record, hidden, the commitment rewritten" \
	"view: instance $UUID_A does not exist in it (no applied CREATE)" \
	a2.bundle hide-own-recommit create
not_applicable "hide-own of a type the instance has no record of" \
	a.bundle hide-own startup_clear
not_applicable "hide-own of a 6th EXTEND of A (it has 5)" \
	a.bundle hide-own extend 6
not_applicable "hide-own of A's DESTROY (A is not destroyed)" \
	a.bundle hide-own-recommit destroy
# a record moved across a batch boundary: same records, same numbers, same
# commitment, other batch digests
tampered "own record moved into the previous batch" \
	"quoted PCR digest does not match the replay of the view" \
	a.bundle move-own
tampered "C's CREATE moved into the next batch" \
	"quoted PCR digest does not match the replay of the view" \
	c.bundle move-own
# a view cut at 7 batches (its commitment that of the cut) with the proof
# of 8
tampered "view cut one batch earlier, presented with the proof of the later cut" \
	"$MERKLE" a.bundle cut-before-last
tampered "view of log format version 1" \
	"view: log version 1 (views without their instance's commitment) is no longer supported at offset 8 of the view" \
	a.bundle set-log-version 1
tampered "view of log format version 3" \
	"view: unsupported log version at offset 8 of the view" \
	a.bundle set-log-version 3
verify "honest bundle of A is still TRUSTED" 0 TRUSTED \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE"
verify "honest bundle of the destroyed C is still TRUSTED" 0 TRUSTED \
	--bundle c.bundle --ak ak.pem --nonce "$NONCE"

# check 8: the proof's shape (nr_leaves 1 -> 2, no node)
cp a.bundle leaves.bundle
printf '\x00\x00\x00\x02' | dd of=leaves.bundle bs=1 seek=57 conv=notrunc 2>/dev/null
reject "Merkle proof too short for its number of requests" \
	"Merkle proof of 0 nodes is not the length of a proof of request 0 of 2" \
	leaves.bundle

# a bundle with the magic but another version: check 1, not an input error
tampered "bundle of version 1 (before the commitment)" \
	"bundle: bundle version 1 (no commitment to the instance's records) is no longer accepted at offset 8" \
	a.bundle set-version 1
cp a.bundle v1.bundle
printf '\x00\x01' | dd of=v1.bundle bs=1 seek=8 conv=notrunc 2>/dev/null
if cmp -s v1.bundle t.bundle; then
	ok "set-version rewrites the version field only"
else
	not_ok "set-version rewrites the version field only"
fi
tampered "bundle of version 3" \
	"bundle: unsupported bundle version at offset 8" a.bundle set-version 3
if tamper a.bundle v2.bundle set-version 2 && cmp -s a.bundle v2.bundle; then
	ok "set-version 2 of a bundle of version 2 changes nothing"
else
	not_ok "set-version 2 of a bundle of version 2 changes nothing" \
		"$(cat tamper.err)"
fi
# another magic: not a bundle at all (vtpm-verify checks the magic first)
cp a.bundle badmagic.bundle
printf 'W' | dd of=badmagic.bundle bs=1 seek=1 conv=notrunc 2>/dev/null
verify "bundle with another magic" 2 \
	'not a bundle: it does not start with "VTPMATT\0"' \
	--bundle badmagic.bundle --ak ak.pem --nonce "$NONCE"
head -c 100 a.bundle >short.bundle
reject "bundle truncated in its header" "bundle: " short.bundle

# ---- reference values ---------------------------------------------------

cat >good.ref <<EOF
# tenant A: final values and allowed digests
10 sha256 final $A10_256
10 sha1   final $A10_1   # one digest in sha1
16 sha256 final $A16_256
 0 sha256 final $Z256
17 sha256 final $(printf 'f%.0s' {1..64})
10 sha256 allow $(H sha256 a)
10 sha256 allow $(H sha256 a1)
10 sha256 allow $(H sha256 a2)
16 sha256 allow $(H sha256 hello)
16 sha256 allow $(H sha256 after-reset)
16 sha1   allow $(H sha1 hello)
# only the extend of the aborted batch went into vPCR 12: not held against A
12 sha256 allow $(H sha256 something-else)
EOF
verify "--ref: a reference A satisfies" 0 TRUSTED \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref good.ref

printf '10 sha256 final %s\n' "$(H sha256 not-it)" >final.ref
reject "--ref: a final value differs" \
	"reference: vPCR 10 sha256 is $A10_256, not the final value $(H sha256 not-it) (line 1)" \
	a.bundle --ref final.ref

printf '10 sha256 allow %s\n10 sha256 allow %s\n' "$(H sha256 a)" \
	"$(H sha256 a2)" >allow.ref
reject "--ref: a digest not allowed" \
	"reference: vPCR 10 sha256 was extended with $(H sha256 a1), which is not allowed (record 8, batch 3)" \
	a.bundle --ref allow.ref

# ---- a whole log: vtpm-verify --log ---------------------------------------

# the PCR the log must replay to, from the batch digests alone (openssl)
mk --out full8.bundle --batches 8 --full-out full8.log --print >full8.txt
want=$Z256
for d in $(awk '$1 == "batch" && $3 == "sha256" {print $4}' full8.txt); do
	want=$(EXT sha256 "$want" "$d")
done
verify "--log: the whole log replays to the PCR computed from its batch digests" \
	0 "REPLAYED to the given PCR value" --log full8.log --pcr "sha256:$want"
if grep -qx "PCR 13 sha256: $want" out.txt &&
   grep -qx 'records: 17 in 8 batches (1 voided by ABORT)' out.txt; then
	ok "--log: reports the PCR and 17 records in 8 batches, 1 voided"
else
	not_ok "--log: the report" "$(cat out.txt)"
fi
verify "--log: upper-case hex is the same value" 0 "REPLAYED" \
	--log full8.log --pcr "sha256:${want^^}"
verify "--log: another PCR value" 1 \
	"NOT CONSISTENT: the log replays to another value of PCR 13 than" \
	--log full8.log --pcr "sha256:$Z256"
verify "--log: the value of another bank" 1 "NOT CONSISTENT" \
	--log full8.log --pcr "sha1:${want:0:40}"
if [ "$(xxd -p -s 8 -l 4 full8.log)" = 00020001 ]; then
	ok "--log: the full log is of log format version 2, kind full"
else
	not_ok "--log: the full log is of log format version 2, kind full" \
		"$(xxd -p -l 12 full8.log)"
fi
cp full8.log v1-full8.log
printf '\x00\x01' | dd of=v1-full8.log bs=1 seek=8 conv=notrunc 2>/dev/null
verify "--log: a log of version 1" 1 \
	"NOT CONSISTENT: log version 1 (views without their instance's commitment) is no longer supported" \
	--log v1-full8.log
head -c 2000 full8.log >trunc8.log
verify "--log: a truncated log" 1 "NOT CONSISTENT: " --log trunc8.log
verify "--log: a bundle is not a log" 1 "NOT CONSISTENT: " --log a.bundle
verify "--log: missing file" 2 "no-such.log" --log no-such.log
verify "--log: bad --pcr" 2 "bad --pcr" --log full8.log --pcr "sha256:xyz"
verify "--log: with --ak" 2 "--log goes with --pcr only" --log full8.log --ak ak.pem
verify "--pcr without --log" 2 "--pcr goes with --log" --bundle a.bundle \
	--ak ak.pem --nonce "$NONCE" --pcr "sha256:$want"

# ---- usage and input errors (exit 2) ------------------------------------

verify "bad hex nonce" 2 'bad nonce "xyz"' \
	--bundle a.bundle --ak ak.pem --nonce xyz
verify "odd-length nonce" 2 'bad nonce' \
	--bundle a.bundle --ak ak.pem --nonce 001
verify "nonce of 65 bytes" 2 'bad nonce' \
	--bundle a.bundle --ak ak.pem --nonce "$(printf 'ab%.0s' {1..65})"
verify "missing --ak" 2 '--bundle or --binding, --ak and --nonce are required' \
	--bundle a.bundle --nonce "$NONCE"
verify "AK not a PEM file" 2 'not a PEM public key' \
	--bundle a.bundle --ak a.bundle --nonce "$NONCE"
verify "AK a private key, not a public key" 2 'not a PEM public key' \
	--bundle a.bundle --ak key.pem --nonce "$NONCE"
verify "unreadable AK" 2 'missing.pem: No such file' \
	--bundle a.bundle --ak missing.pem --nonce "$NONCE"
printf '10 sha256 final zz\n' >bad.ref
verify "bad ref file (hex)" 2 'bad.ref: line 1:' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref bad.ref
printf '# ok\n24 sha256 allow %s\n' "$Z256" >bad.ref
verify "bad ref file (vPCR 24)" 2 'bad.ref: line 2: vPCR "24" is not 0..23' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref bad.ref
printf '10 md5 final %s\n' "$Z256" >bad.ref
verify "bad ref file (unknown bank)" 2 'unknown bank "md5"' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref bad.ref
printf '10 sha256 final %s extra\n' "$Z256" >bad.ref
verify "bad ref file (a fifth field)" 2 'line 1: expected' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref bad.ref
printf '10 sha384 final %s\n' "$(H sha384 x)" >bad.ref
verify "ref rule for a bank the instance does not have" 2 \
	'the instance has no sha384 bank' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref bad.ref
verify "missing ref file" 2 'missing.ref: No such file' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --ref missing.ref
verify "not a bundle" 2 'not a bundle' \
	--bundle ak.pem --ak ak.pem --nonce "$NONCE"
verify "empty bundle file" 2 'not a bundle' \
	--bundle /dev/null --ak ak.pem --nonce "$NONCE"
verify "missing bundle file" 2 'missing.bundle: No such file' \
	--bundle missing.bundle --ak ak.pem --nonce "$NONCE"
verify "bad uuid" 2 'bad uuid' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" --uuid a0a1a2a3a4a5
verify "unknown option" 2 'unknown option "--nounce"' \
	--bundle a.bundle --ak ak.pem --nounce "$NONCE"
verify "an option twice" 2 'given twice' \
	--bundle a.bundle --bundle a.bundle --ak ak.pem --nonce "$NONCE"
verify "a stray argument" 2 'unexpected argument' \
	--bundle a.bundle --ak ak.pem --nonce "$NONCE" extra

# ---- a quote made by a (software) TPM -----------------------------------

# swtpm_quote NAME SUBSTRING SELECTION ROOT: quote the PCRs SELECTION with
# qualifyingData ROOT, splice the quote into the synthetic bundle and
# verify it: exit 0 if SUBSTRING is TRUSTED, else 1
swtpm_quote() {
	local name=$1 substr=$2 want=1
	[ "$substr" = TRUSTED ] && want=0
	if ! tpm2_quote -Q -c "$AK_HANDLE" -l "$3" -q "$4" -m tpm.attest \
		-s tpm.sig -g sha256 2>>tpm.err; then
		not_ok "$name" "tpm2_quote: $(tail -n 3 tpm.err)"
	elif ! tamper tpm-synth.bundle tpm.bundle replace-quote tpm.attest \
		tpm.sig; then
		not_ok "$name" "vtpm-tamper: $(cat tamper.err)"
	else
		verify "$name" $want "$substr" --bundle tpm.bundle \
			--ak tpm-ak.pem --nonce "$NONCE"
	fi
}

AK_HANDLE=0x81000101

swtpm_test() {
	local port st i s1 s2 root
	if ! command -v swtpm >/dev/null || ! command -v tpm2_quote >/dev/null; then
		skip "a quote of swtpm verifies" "swtpm or tpm2-tools missing"
		return
	fi
	mkdir -p tpm
	for i in 1 2 3 4 5; do
		port=$((20000 + (RANDOM % 20000) * 2))
		swtpm socket --tpm2 --tpmstate dir="$tmp/tpm" \
			--server type=tcp,port=$port,bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
			--flags not-need-init,startup-clear \
			--pid file="$tmp/swtpm.pid" --daemon 2>/dev/null && break
		port=
	done
	if [ -z "$port" ]; then
		skip "a quote of swtpm verifies" "swtpm does not start"
		return
	fi
	swtpm_pid=$(cat "$tmp/swtpm.pid")
	export TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=$port
	# no resource manager: make the AK persistent, flush what the tools load
	st=$(tpm2_readclock 2>/dev/null | awk '$1=="reset_count:" {print $2}')
	if ! tpm2_createprimary -Q -C e -g sha256 -G ecc256:ecdsa-sha256:null \
		-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
		-c ak.ctx 2>tpm.err ||
	   ! tpm2_evictcontrol -Q -C o -c ak.ctx "$AK_HANDLE" 2>>tpm.err ||
	   ! tpm2_flushcontext -t 2>>tpm.err ||
	   ! tpm2_readpublic -Q -c "$AK_HANDLE" -f pem -o tpm-ak.pem 2>>tpm.err; then
		not_ok "swtpm: make the AK" "$(tail -n 3 tpm.err)"
		return
	fi
	# a fresh TPM: its PCR 13 is zero, as the log's genesis says
	if ! "$MKBUNDLE" --key key.pem --out tpm-synth.bundle --hw-pcr 13 \
		--reset-count "${st:-0}" --print >tpm.txt; then
		not_ok "swtpm: mkbundle"
		return
	fi
	for i in 0 1 2 3 4 5 6 7; do
		s1=$(awk -v b=$i '$1=="batch" && $2==b && $3=="sha1" {print $4}' tpm.txt)
		s2=$(awk -v b=$i '$1=="batch" && $2==b && $3=="sha256" {print $4}' tpm.txt)
		tpm2_pcrextend "13:sha1=$s1,sha256=$s2" 2>>tpm.err
	done
	root=$(awk '$1=="root" {print $2}' tpm.txt)
	swtpm_quote "a quote of swtpm over its PCR 13 extended with the log's batches verifies" \
		TRUSTED sha1:13+sha256:13 "$root"
	if grep -q "resetCount ${st:-x} " out.txt && ! grep -q '^note:' out.txt; then
		ok "swtpm: the report shows the TPM's resetCount"
	else
		not_ok "swtpm: the report shows the TPM's resetCount" "$(sed -n 4,5p out.txt)"
	fi
	swtpm_quote "swtpm: a quote with another qualifyingData" \
		"NOT TRUSTED: Merkle proof does not lead to the quote's qualifyingData" \
		sha1:13+sha256:13 "$(H sha256 other-root)"
	swtpm_quote "swtpm: a quote of one bank of two" \
		"NOT TRUSTED: quote does not select the mux PCR 13 in the view's bank sha1" \
		sha256:13 "$root"
	swtpm_quote "swtpm: a quote of a bank the view does not have" \
		"NOT TRUSTED: quote selects bank 0x000c (sha384), which the view does not have" \
		sha1:13+sha256:13+sha384:13 "$root"
	swtpm_quote "swtpm: a quote with a qualifyingData of 16 bytes" \
		"NOT TRUSTED: Merkle proof cannot lead to the quote's qualifyingData: it has 16 bytes, not 32" \
		sha1:13+sha256:13 "${root:0:32}"
	swtpm_quote "swtpm: a quote of PCR 13 and 14" \
		"NOT TRUSTED: quote selects PCR 14 sha1, not the mux PCR 13" \
		sha1:13,14+sha256:13,14 "$root"
	# one more extend: the quote no longer matches the log
	tpm2_pcrextend "13:sha1=$Z1,sha256=$Z256" 2>>tpm.err
	swtpm_quote "swtpm: a quote of a PCR extended beyond the log" \
		"NOT TRUSTED: quoted PCR digest does not match the replay of the view" \
		sha1:13+sha256:13 "$root"
	kill "$swtpm_pid" 2>/dev/null
	swtpm_pid=
	unset TPM2TOOLS_TCTI
}
swtpm_test

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
