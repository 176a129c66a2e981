#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Attestation end to end, with bundles the module made from quotes of the
# real (sw)TPM: vtpm-verify accepts the honest ones, with the vPCR values
# and events computed here independently, and rejects every forgery of
# issue 4's list, each with its own reason.  Issue 13 (log and bundle
# version 2: the view header commits to its instance's records): one
# tenant makes a record of every type, and a relay that shows any one of
# them as a leaf is caught by replay rule 9 (rule 5 for the CREATE), one
# that also rewrites the commitment by the Merkle proof; a record moved to
# another batch, a view cut one batch early with the proof of the later
# cut, version 1 of the bundle or of the view's log: refused.  A tenant
# that extended a digest its reference forbids stays untrusted when the
# relay hides that extend.  Prints TAP.
#
# Needs root, vtpm_mux loaded, tpm2-tools, openssl, xxd, and vtpmctl,
# vtpm-verify and vtpm-tamper (tools/testing/attest) and attest_race
# (here) built.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)
vtpmctl=$top/tools/vtpmctl/vtpmctl
verify=$top/tools/vtpm-verify/vtpm-verify
tamper=$top/tools/testing/attest/vtpm-tamper
race=$here/attest_race
sec=/sys/kernel/security/vtpm_mux

# shellcheck source=tap.sh
. "$here/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -c /dev/vtpm-mux ] || skip_all "vtpm_mux not loaded"
for p in "$vtpmctl" "$verify" "$tamper" "$race"; do
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
# the reasons of replay rule 9 (log-format.md, "Replay") and rule 5's for
# a record before its instance's CREATE, as vtpm-verify's check 6 says them
rule9_fewer='the view hides records of its instance: it shows fewer than its header commits to'
rule9_chain='the view.s records of its instance are not those its header commits to'
rule5_create='a record of an instance before its CREATE'
merkle='Merkle proof does not lead to the quote.s qualifyingData'

# forge IN OUT MUTATION [ARG...]: vtpm-tamper, a failure reported as "not ok"
forge() {
	local in=$1 out=$2 err
	shift 2
	err=$("$tamper" "$in" "$out" "$@" 2>&1 >/dev/null) && return 0
	ok 1 "vtpm-tamper $*: $err"
	return 1
}
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
	# v2: a changed record of bob is no longer the one his view's header
	# commits to (rule 9, check 6, before the PCR digest of check 10); b1's
	# last batch is bob's second extend, so a view without it shows fewer
	# records than its header commits to (before check 7 sees the cut)
	case $m in
	modify-own) pat="^NOT TRUSTED: view: $rule9_chain" ;;
	modify-other-leaf) pat='quoted PCR digest does not match' ;;
	drop-own|reorder-own|insert-own) pat='^NOT TRUSTED: view: .*(seq|record|position|order|entries)' ;;
	truncate-view) pat="^NOT TRUSTED: view: $rule9_fewer" ;;
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

# --- Issue 13: the view header commits to the instance's records ---------
#
# dora makes one record of every type with the ordinary tools: CREATE
# (vtpmctl create), STARTUP_CLEAR (tpm2_startup -c), EXTEND
# (tpm2_pcrextend), EXTENDs of vPCR 8 in batches shared with other
# instances (attest_race burst: a batch holds one record per instance at
# most, so only instances meeting at the mux share one; move-own needs
# that), EVENT (tpm2_pcrevent: data under 1 KiB, one TPM2_PCR_Event),
# RESET (tpm2_pcrreset 16), and Shutdown(STATE) (tpm2_shutdown without -c:
# no record) then STARTUP_STATE (tpm2_startup without -c).
d=$(new_instance dora)
ok $? "dora $d: CREATE (vtpmctl create), STARTUP_CLEAR (tpm2_startup -c)"
ud=$(uuid_of "$d")
dd=$(printf 'dora app' | sha)
printf 'dora event' >"$tmp/dora.ev"
tpm2_pcrextend -T "device:/dev/vtpm$d" "3:sha256=$dd" &&
	burst=$("$race" burst "$d") &&
	tpm2_pcrevent -T "device:/dev/vtpm$d" "$tmp/dora.ev" 5 >/dev/null &&
	tpm2_pcrreset -T "device:/dev/vtpm$d" 16 &&
	tpm2_shutdown -T "device:/dev/vtpm$d" &&
	tpm2_startup -T "device:/dev/vtpm$d"
ok $? "dora: tpm2_pcrextend, extends shared with other instances ($burst), tpm2_pcrevent, tpm2_pcrreset 16, tpm2_shutdown, tpm2_startup"
n3=$(openssl rand -hex 32)
"$vtpmctl" attest "$d" --nonce "$n3" --out "$tmp/d1" >/dev/null
ok $? "vtpmctl attest $d"
expect 0 '^TRUSTED' "dora's bundle (log and bundle version 2) is trusted" \
	--bundle "$tmp/d1" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
"$vtpmctl" log "$d" --view >"$tmp/dora.view" 2>&1
types=$(awk 'NR > 1 { print $3 }' "$tmp/dora.view" | sort -u | tr '\n' ' ')
missing=
for ty in create extend event reset startup_clear startup_state; do
	grep -qw "$ty" <<<"$types" || missing+=" $ty"
done
[ -z "$missing" ]
ok $? "dora's view has a record of every type but destroy: $types${missing:+(missing:$missing)}"
out=$("$vtpmctl" log "$d" --view --check 2>&1)
ok $? "vtpmctl log $d --view --check: the view replays to the hardware PCR: $(head -1 <<<"$out")"
out=$("$vtpmctl" log "$d" --check 2>&1)
ok $? "vtpmctl log $d --check: dora in the full log: $(head -1 <<<"$out")"

# A relay shows one of dora's records as the leaf it can compute: the view
# still replays to the quoted PCR; its header's commitment says otherwise
# (rule 9; hiding the CREATE trips rule 5 on the next record first).
# Rewriting the commitment to match breaks the request value.
for ty in create extend event reset startup_clear startup_state; do
	pat="^NOT TRUSTED: view: $rule9_fewer"
	rpat="^NOT TRUSTED: $merkle"
	if [ "$ty" = create ]; then
		pat="^NOT TRUSTED: view: $rule5_create"
		rpat=$pat
	fi
	forge "$tmp/d1" "$tmp/hide-$ty" hide-own "$ty" &&
		expect 1 "$pat" "dora's $ty shown as a leaf" \
			--bundle "$tmp/hide-$ty" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
	forge "$tmp/d1" "$tmp/hide-rc-$ty" hide-own-recommit "$ty" &&
		expect 1 "$rpat" "dora's $ty shown as a leaf, the commitment rewritten to match" \
			--bundle "$tmp/hide-rc-$ty" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
done
forge "$tmp/d1" "$tmp/moved" move-own &&
	expect 1 '^NOT TRUSTED: quoted PCR digest does not match' \
		"one of dora's records moved into the neighbouring batch" \
		--bundle "$tmp/moved" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
forge "$tmp/d1" "$tmp/cut" cut-before-last &&
	expect 1 "^NOT TRUSTED: $merkle" \
		"dora's view cut one batch early (commitment to match) with the proof of the later cut" \
		--bundle "$tmp/cut" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
forge "$tmp/d1" "$tmp/bv1" set-version 1 &&
	expect 1 '^NOT TRUSTED: bundle: bundle version 1 \(no commitment to the instance.s records\) is no longer accepted at offset 8' \
		"bundle version 1 is refused with its reason" \
		--bundle "$tmp/bv1" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
forge "$tmp/d1" "$tmp/bv3" set-version 3 &&
	expect 1 '^NOT TRUSTED: bundle: unsupported bundle version' "bundle version 3" \
		--bundle "$tmp/bv3" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
forge "$tmp/d1" "$tmp/lv1" set-log-version 1 &&
	expect 1 '^NOT TRUSTED: view: log version 1 \(views without their instance.s commitment\) is no longer supported at offset 8' \
		"a view of log version 1 is refused with its reason" \
		--bundle "$tmp/lv1" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"
forge "$tmp/d1" "$tmp/lv3" set-log-version 3 &&
	expect 1 '^NOT TRUSTED: view: unsupported log version' "a view of log version 3" \
		--bundle "$tmp/lv3" --ak "$tmp/ak.pem" --nonce "$n3" --uuid "$ud"

# DESTROY: the ABI refuses to attest a destroyed instance (-ENODEV), but a
# request made before the destroy is answered by a quote that may come
# after it, with the DESTROY in the view: attest_race destroyed makes the
# request wait (the hardware TPM busy with a prime search on /dev/tpmrm0)
# and destroys dora meanwhile; should the quote still come first, it tries
# again with fresh instances that have a record of every type.
n4=$(openssl rand -hex 32)
out=$("$race" destroyed "$d" "$n4" "$tmp/d2" 2>"$tmp/race.err")
rc=$?
read -r di du dtry <<<"$out"
grep '^# try' "$tmp/race.err"
ok $rc "a bundle of vtpm${di:-?} destroyed before its quote (try ${dtry:-?})$( [ $rc -ne 0 ] && grep -v '^# try' "$tmp/race.err" | head -c 300)"
if [ $rc -eq 0 ]; then
	[ "$dtry" = 1 ] || echo "# dora was quoted before her DESTROY (or destroyed before her request): a fresh instance's bundle is used"
	expect 0 "^instance: $du .*\(destroyed\)" "the destroyed instance's bundle is trusted and says (destroyed)" \
		--bundle "$tmp/d2" --ak "$tmp/ak.pem" --nonce "$n4" --uuid "$du"
	forge "$tmp/d2" "$tmp/hide-destroy" hide-own destroy &&
		expect 1 "^NOT TRUSTED: view: $rule9_fewer" "its DESTROY shown as a leaf" \
			--bundle "$tmp/hide-destroy" --ak "$tmp/ak.pem" --nonce "$n4" --uuid "$du"
	forge "$tmp/d2" "$tmp/hide-rc-destroy" hide-own-recommit destroy &&
		expect 1 "^NOT TRUSTED: $merkle" "its DESTROY shown as a leaf, the commitment rewritten to match" \
			--bundle "$tmp/hide-rc-destroy" --ak "$tmp/ak.pem" --nonce "$n4" --uuid "$du"
fi

# eve extends a good digest, then one her reference forbids: untrusted by
# the reference, and still untrusted once a relay hides the forbidden one
e=$(new_instance eve)
ok $? "eve $e"
ue=$(uuid_of "$e")
good=$(printf 'eve good' | sha)
bad=$(printf 'eve forbidden' | sha)
tpm2_pcrextend -T "device:/dev/vtpm$e" "9:sha256=$good" &&
	tpm2_pcrextend -T "device:/dev/vtpm$e" "9:sha256=$bad"
ok $? "eve extends vPCR 9 with a good digest, then a forbidden one"
n5=$(openssl rand -hex 32)
"$vtpmctl" attest "$e" --nonce "$n5" --out "$tmp/e1" >/dev/null
ok $? "vtpmctl attest $e"
printf '9 sha256 allow %s\n' "$good" >"$tmp/ref.eve"
expect 0 '^TRUSTED' "eve's bundle without the reference is trusted" \
	--bundle "$tmp/e1" --ak "$tmp/ak.pem" --nonce "$n5" --uuid "$ue"
expect 1 "$bad" "eve's bundle: the reference refuses the forbidden digest" \
	--bundle "$tmp/e1" --ak "$tmp/ak.pem" --nonce "$n5" --uuid "$ue" --ref "$tmp/ref.eve"
forge "$tmp/e1" "$tmp/e-hide" hide-own extend 2 &&
	expect 1 "^NOT TRUSTED: view: $rule9_fewer" \
		"eve's forbidden EXTEND shown as a leaf: still NOT TRUSTED with the reference (rule 9)" \
		--bundle "$tmp/e-hide" --ak "$tmp/ak.pem" --nonce "$n5" --uuid "$ue" --ref "$tmp/ref.eve"
forge "$tmp/e1" "$tmp/e-hide-rc" hide-own-recommit extend 2 &&
	expect 1 "^NOT TRUSTED: $merkle" \
		"the same with the commitment rewritten: still NOT TRUSTED with the reference (Merkle proof)" \
		--bundle "$tmp/e-hide-rc" --ak "$tmp/ak.pem" --nonce "$n5" --uuid "$ue" --ref "$tmp/ref.eve"

# Input errors: exit 2
expect 2 '' "bad nonce hex: exit 2" --bundle "$tmp/b1" --ak "$tmp/ak.pem" --nonce xyz
expect 2 '' "missing --ak: exit 2" --bundle "$tmp/b1" --nonce "$n1"
expect 2 '' "an AK that is not PEM: exit 2" --bundle "$tmp/b1" --ak "$tmp/b1" --nonce "$n1"
expect 2 '' "not a bundle: exit 2" --bundle "$tmp/ak.pem" --ak "$tmp/ak.pem" --nonce "$n1"

tap_done
