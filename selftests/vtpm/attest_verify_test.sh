#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Attestation end to end, with bundles the module made from quotes of the
# real (sw)TPM: vtpm-verify accepts the honest ones, with the vPCR values
# and events computed here independently, and rejects every forgery of
# issue 4's list, each with its own reason.  Prints TAP.
#
# Needs root, vtpm_mux loaded, tpm2-tools, openssl, xxd, and vtpmctl,
# vtpm-verify and vtpm-tamper (tools/testing/attest) built.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)
vtpmctl=$top/tools/vtpmctl/vtpmctl
verify=$top/tools/vtpm-verify/vtpm-verify
tamper=$top/tools/testing/attest/vtpm-tamper
sec=/sys/kernel/security/vtpm_mux

# shellcheck source=tap.sh
. "$here/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -c /dev/vtpm-mux ] || skip_all "vtpm_mux not loaded"
for p in "$vtpmctl" "$verify" "$tamper"; do
	[ -x "$p" ] || skip_all "no $p"
done
command -v tpm2_quote >/dev/null || skip_all "no tpm2-tools"
grep -qx 'attestation ok' $sec/status || skip_all "no attestation key"

tmp=$(mktemp -d)
created=()
cleanup() {
	local i
	for i in "${created[@]}"; do "$vtpmctl" destroy "$i" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

sha() { sha256sum | cut -d' ' -f1; }
# PCR extend: H(old || digest), hex in and out
extend() { printf '%s%s' "$1" "$2" | xxd -r -p | sha; }
zero=$(printf '%064d' 0)

# An instance with its vTPM started; prints its index.
new_instance() {
	local dev
	dev=$("$vtpmctl" create --label "$1") || return 1
	created+=("${dev#/dev/vtpm}")
	tpm2_startup -c -T "device:$dev" || return 1
	echo "${dev#/dev/vtpm}"
}

uuid_of() { "$vtpmctl" info "$1" | awk '/^uuid:/ { print $2 }'; }

# vtpm-verify: expect exit $1 and, for 1, a reason matching $2
expect() {
	local want=$1 pat=$2 what=$3 out rc
	shift 3
	out=$("$verify" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		ok 1 "$what: exit $rc, expected $want: $(head -c 200 <<<"$out")"
		return
	fi
	if [ "$want" -eq 1 ]; then
		grep -q '^NOT TRUSTED: ' <<<"$out" && grep -qE "$pat" <<<"$out"
		ok $? "$what: $(grep '^NOT TRUSTED' <<<"$out")"
	else
		grep -qE "$pat" <<<"$out"
		ok $? "$what"
	fi
}

"$vtpmctl" ak --out "$tmp/ak.pem"
ok $? "vtpmctl ak --out"

# Two tenants measure; the values are computed here.
a=$(new_instance alice) && b=$(new_instance bob) && c=$(new_instance carol)
ok $? "three instances: alice $a, bob $b, carol $c"
ua=$(uuid_of "$a")
ub=$(uuid_of "$b")
da=$(printf 'alice app' | sha)
db1=$(printf 'bob kernel' | sha)
db2=$(printf 'bob app' | sha)
dc=$(printf 'carol app' | sha)
tpm2_pcrextend -T "device:/dev/vtpm$a" "3:sha256=$da" &&
	tpm2_pcrextend -T "device:/dev/vtpm$b" "4:sha256=$db1" &&
	tpm2_pcrextend -T "device:/dev/vtpm$c" "4:sha256=$dc" &&
	tpm2_pcrextend -T "device:/dev/vtpm$b" "4:sha256=$db2"
ok $? "tpm2_pcrextend: alice vPCR 3, bob vPCR 4 twice, carol vPCR 4"
want_b4=$(extend "$(extend "$zero" "$db1")" "$db2")

n1=$(openssl rand -hex 32)
"$vtpmctl" attest "$b" --nonce "$n1" --out "$tmp/b1" >/dev/null
ok $? "vtpmctl attest $b (control device)"
"$vtpmctl" attest --device "/dev/vtpm$b" --nonce "$n1" --out "$tmp/b1d" >/dev/null
ok $? "vtpmctl attest --device /dev/vtpm$b (the tenant itself)"
"$vtpmctl" attest "$a" --nonce "$n1" --out "$tmp/a1" >/dev/null
ok $? "vtpmctl attest $a"

# The honest bundles
expect 0 '^TRUSTED' "bob's bundle (control device) is trusted" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
expect 0 '^TRUSTED' "bob's bundle (his device) is trusted" \
	--bundle "$tmp/b1d" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
expect 0 "vpcr 4 sha256 $want_b4" "bob's vPCR 4 is H(H(0||kernel)||app), computed here" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
expect 0 "extend sha256:$db2 applied" "bob's events list his app's digest" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
out=$("$verify" --bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub")
! grep -qE "$da|$dc|alice|carol|$ua" <<<"$out" &&
	! xxd -p -c 1000000 "$tmp/b1" | grep -qE "$da|$dc|$(xxd -p <<<"alice" | head -c 10)"
ok $? "bob's report and bundle hold nothing of alice or carol"
printf '4 sha256 allow %s\n4 sha256 allow %s\n4 sha256 final %s\n' \
	"$db1" "$db2" "$want_b4" >"$tmp/ref.good"
expect 0 '^TRUSTED' "bob's bundle meets his reference values" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --ref "$tmp/ref.good"
printf '4 sha256 allow %s\n' "$db1" >"$tmp/ref.allow"
expect 1 "$db2" "a digest the reference does not allow" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --ref "$tmp/ref.allow"
printf '4 sha256 final %s\n' "$(extend "$zero" "$db1")" >"$tmp/ref.final"
expect 1 'vpcr 4|vPCR 4' "a final value the reference does not expect" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n1" --ref "$tmp/ref.final"

# Forgeries, each with its own reason
n2=$(openssl rand -hex 32)
expect 1 'nonce mismatch' "wrong nonce" \
	--bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce "$n2" --uuid "$ub"
tpm2_pcrextend -T "device:/dev/vtpm$b" "5:sha256=$(printf later | sha)" >/dev/null
"$tamper" "$tmp/b1" "$tmp/replay" set-nonce "$n2"
expect 1 'Merkle proof does not lead' "bob's old bundle replayed later for a new nonce" \
	--bundle "$tmp/replay" --ak "$tmp/ak.pem" --nonce "$n2" --uuid "$ub"
expect 1 'uuid mismatch' "alice's bundle presented as bob's" \
	--bundle "$tmp/a1" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
"$tamper" "$tmp/a1" "$tmp/a-as-b" set-uuid "$ub"
expect 1 'view of instance' "alice's bundle relabelled with bob's uuid" \
	--bundle "$tmp/a-as-b" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
for m in modify-own drop-own reorder-own insert-own modify-other-leaf \
	 truncate-view truncate-view-raw break-proof; do
	"$tamper" "$tmp/b1" "$tmp/$m" $m >/dev/null 2>"$tmp/$m.err"
	[ $? -eq 0 ] || { ok 1 "vtpm-tamper $m: $(cat "$tmp/$m.err")"; continue; }
	case $m in
	modify-own|modify-other-leaf) pat='quoted PCR digest does not match' ;;
	drop-own|reorder-own|insert-own) pat='^NOT TRUSTED: view: .*(seq|record|position|order|entries)' ;;
	truncate-view) pat='view covers [0-9]+ batches but the quote was taken after' ;;
	truncate-view-raw) pat='view: .*(truncat|missing|short|incomplete)' ;;
	break-proof) pat='Merkle proof' ;;
	esac
	expect 1 "$pat" "$m" --bundle "$tmp/$m" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
done

# A view of another PCR state: bob's later bundle's view in the earlier one
"$vtpmctl" attest "$b" --nonce "$n2" --out "$tmp/b2" >/dev/null &&
	"$tamper" "$tmp/b1" "$tmp/swapped" swap-view "$tmp/b2"
ok $? "bob attested again after one more extend; views swapped"
expect 1 'view covers [0-9]+ batches but the quote was taken after' \
	"a view of another PCR state than the quoted one" \
	--bundle "$tmp/swapped" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"

# A quote signed by another key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/other.key" 2>/dev/null &&
	openssl pkey -in "$tmp/other.key" -pubout -out "$tmp/other.pem" 2>/dev/null &&
	"$tamper" "$tmp/b1" "$tmp/resigned" resign "$tmp/other.key"
ok $? "bob's quote re-signed with another P-256 key"
expect 1 'signature' "a quote signed by another key" \
	--bundle "$tmp/resigned" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
expect 1 'signature' "the honest bundle against another AK" \
	--bundle "$tmp/b1" --ak "$tmp/other.pem" --nonce "$n1" --uuid "$ub"

# A real quote of the real AK over another PCR, with the same
# qualifyingData: the AK is the endorsement primary of the documented
# template, which tpm2-tools can load too.
"$tamper" "$tmp/b1" "$tmp/unused" extract-quote "$tmp/q.attest" "$tmp/q.sig" &&
	qlen=$((16#$(xxd -p -s 6 -l 2 "$tmp/q.attest"))) &&
	qdata=$(xxd -p -c 64 -s $((8 + qlen + 2)) -l 32 "$tmp/q.attest") &&
	[ ${#qdata} -eq 64 ]
ok $? "qualifyingData of bob's quote: ${qdata:-?}"
tpm2_createprimary -T device:/dev/tpmrm0 -C e -g sha256 \
	-G ecc256:ecdsa-sha256:null \
	-a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
	-c "$tmp/ak.ctx" >/dev/null &&
	tpm2_quote -T device:/dev/tpmrm0 -c "$tmp/ak.ctx" -q "$qdata" \
		-l sha1:14+sha256:14+sha384:14+sha512:14 -m "$tmp/q14.msg" -s "$tmp/q14.sig" \
		>/dev/null &&
	"$tamper" "$tmp/b1" "$tmp/pcr14" replace-quote "$tmp/q14.msg" "$tmp/q14.sig"
ok $? "tpm2_quote of PCR 14 with the AK and bob's qualifyingData, spliced in"
expect 1 'quote selects PCR 14' "a genuine quote over another PCR" \
	--bundle "$tmp/pcr14" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
tpm2_quote -T device:/dev/tpmrm0 -c "$tmp/ak.ctx" -q "$qdata" \
	-l sha1:13+sha256:13+sha384:13+sha512:13 -m "$tmp/q13.msg" -s "$tmp/q13.sig" >/dev/null &&
	"$tamper" "$tmp/b1" "$tmp/pcr13now" replace-quote "$tmp/q13.msg" "$tmp/q13.sig"
ok $? "tpm2_quote of PCR 13 now (after bob's later extend), spliced in"
expect 1 'quoted PCR digest does not match' "a genuine quote of a later state of PCR 13" \
	--bundle "$tmp/pcr13now" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub"
tpm2_flushcontext -t -T device:/dev/tpmrm0 >/dev/null 2>&1

# Input errors: exit 2
expect 2 '' "bad nonce hex: exit 2" --bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce xyz
expect 2 '' "missing --ak: exit 2" --bundle "$tmp/b1" --nonce "$n1"
expect 2 '' "an AK that is not PEM: exit 2" --bundle "$tmp/b1" --ak "$tmp/b1" --nonce "$n1"
expect 2 '' "not a bundle: exit 2" --bundle "$tmp/ak.pem" --ak "$tmp/ak.pem" --nonce "$n1"

tap_done
