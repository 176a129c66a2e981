#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vtpm-verify --ima-log with a real kernel and real bundles.
#
# 1. This kernel's own IMA lists (binary and ASCII) replay to its TPM's
#    PCR 10, read from sysfs before the lists (in both banks): what the
#    verifier parses is what Linux writes.
# 2. A tenant whose vTPM received, with tpm2_pcrextend, exactly the
#    extends IMA makes for a list of tools/testing/attest/mkima.py (its
#    digests computed there, independently of vtpm-verify) is attested:
#    vtpm-verify --bundle ... --ima-log accepts the list in both formats,
#    each entry matched to its extend in the log, and names the first
#    entry that does not match when the list is changed: an entry
#    dropped, two swapped, a file renamed, a measurement the list leaves
#    out.  A list with entries after the quote is trusted up to them.
# Prints TAP.
#
# Needs root, vtpm_mux loaded (with its attestation key), tpm2-tools,
# python3, vtpmctl and vtpm-verify built.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/../.." && pwd -P)
vtpmctl=$top/tools/vtpmctl/vtpmctl
verify=$top/tools/vtpm-verify/vtpm-verify
mkima=$top/tools/testing/attest/mkima.py
sec=/sys/kernel/security/vtpm_mux
ima=/sys/kernel/security/ima

# shellcheck source=tap.sh
. "$here/tap.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
[ -c /dev/vtpm-mux ] || skip_all "vtpm_mux not loaded"
for p in "$vtpmctl" "$verify"; do
	[ -x "$p" ] || skip_all "no $p"
done
command -v tpm2_pcrextend >/dev/null || skip_all "no tpm2-tools"
command -v python3 >/dev/null || skip_all "no python3"
grep -qx 'attestation ok' $sec/status || skip_all "no attestation key"

tmp=$(mktemp -d)
created=()
cleanup() {
	local i
	for i in "${created[@]}"; do "$vtpmctl" destroy "$i" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# expect STATUS PATTERN WHAT ARGS...: vtpm-verify's status, and PATTERN in
# its first line
expect() {
	local want=$1 pat=$2 what=$3 out rc
	shift 3
	out=$("$verify" "$@" 2>&1)
	rc=$?
	last=$out
	if [ "$rc" -ne "$want" ]; then
		ok 1 "$what: exit $rc, expected $want: $(head -c 300 <<<"$out")"
		return
	fi
	head -n 1 <<<"$out" | grep -qE "$pat"
	ok $? "$what: $(head -n 1 <<<"$out" | cut -c 1-200)"
}

# 1. the kernel's own lists against its TPM
if [ -r $ima/binary_runtime_measurements ] &&
   [ -r /sys/class/tpm/tpm0/pcr-sha256/10 ]; then
	for alg in sha1 sha256; do
		[ -r /sys/class/tpm/tpm0/pcr-$alg/10 ] || continue
		v=$(tr 'A-F' 'a-f' </sys/class/tpm/tpm0/pcr-$alg/10)
		cp $ima/binary_runtime_measurements "$tmp/kbin"
		cp $ima/ascii_runtime_measurements "$tmp/kascii"
		k=$(wc -l <"$tmp/kascii")
		templates=$(awk '{ print $3 }' "$tmp/kascii" | sort -u | tr '\n' ' ')
		expect 0 '^REPLAYED to the given PCR value' \
			"this kernel's binary list ($k entries; $templates) gives its TPM's PCR 10 $alg" \
			--ima-log "$tmp/kbin" --pcr "$alg:$v"
		expect 0 '^REPLAYED to the given PCR value' \
			"this kernel's ASCII list gives its TPM's PCR 10 $alg" \
			--ima-log "$tmp/kascii" --pcr "$alg:$v"
	done
else
	echo "# no IMA list or no PCR in sysfs: part 1 skipped"
fi

# 2. a tenant's vTPM measured as IMA would
"$vtpmctl" ak --out "$tmp/ak.pem"
ok $? "vtpmctl ak --out"
mkdir "$tmp/l" && python3 "$mkima" "$tmp/l"
ok $? "mkima.py: lists of 11 entries (10 of PCR 10, 1 of PCR 11)"
for m in "drop 4" "swap 2" "rename 3" "only 7"; do
	# shellcheck disable=SC2086 # "drop 4": an option and its value
	mkdir "$tmp/${m/ /}" && python3 "$mkima" "$tmp/${m/ /}" --$m
done

# An instance whose vPCRs get the list's extends (the first NEXT of them);
# prints its index
measured() {
	local dev next=$2 i=0 pcr s1 s256
	dev=$("$vtpmctl" create --label "$1") || return 1
	created+=("${dev#/dev/vtpm}")
	tpm2_startup -c -T "device:$dev" || return 1
	while read -r pcr s1 s256; do
		[ $i -lt "$next" ] || break
		tpm2_pcrextend -T "device:$dev" "$pcr:sha1=$s1,sha256=$s256" ||
			return 1
		i=$((i + 1))
	done <"$tmp/l/extends"
	echo "${dev#/dev/vtpm}"
}

a=$(measured ima-all 11)
ok $? "an instance with the 11 extends of the list: vtpm$a"
ua=$("$vtpmctl" info "$a" | awk '/^uuid:/ { print $2 }')
n1=$(openssl rand -hex 32)
"$vtpmctl" attest "$a" --nonce "$n1" --out "$tmp/a.bundle" >/dev/null
ok $? "vtpmctl attest $a"
v=(--bundle "$tmp/a.bundle" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ua")
for fmt in binary ascii; do
	expect 0 '^TRUSTED' "the $fmt list with the bundle: trusted" \
		"${v[@]}" --ima-log "$tmp/l/$fmt"
	grep -qx "ima-log: $tmp/l/$fmt: $fmt, 11 entries: 11 attested, 0 after the quote (not attested)" <<<"$last"
	ok $? "$fmt: 11 entries attested"
	grep -q "^ima 2: 10 ima-ng sha256:[0-9a-f]\{64\} /usr/bin/with_space\$" <<<"$last" &&
		grep -q "^ima 6: 10 ima-ng .* /var/log/opened-for-write (violation)\$" <<<"$last"
	ok $? "$fmt: the report lists the entries (a file, a violation)"
	expect 1 'ima-log: entry 4 \(PCR 10, ima-buf .* kexec-cmdline\) is not extend 4 of vPCR 10' \
		"$fmt, an entry dropped: the entry after it is named" \
		"${v[@]}" --ima-log "$tmp/drop4/$fmt"
	expect 1 'ima-log: entry 2 \(PCR 10, ima-sig .*signed.so\) is not extend 2 of vPCR 10' \
		"$fmt, two entries swapped: the first of them is named" \
		"${v[@]}" --ima-log "$tmp/swap2/$fmt"
	expect 1 'ima-log: entry 3: its template hash is not the sha1 of its template data' \
		"$fmt, a file renamed: refused at its entry" \
		"${v[@]}" --ima-log "$tmp/rename3/$fmt"
	expect 1 'ima-log: vPCR 10 was extended after the list.s last entry of it .*leaves a measurement out' \
		"$fmt, the list's first 7 entries only: the extends it leaves out are found" \
		"${v[@]}" --ima-log "$tmp/only7/$fmt"
done
expect 1 'ima-log: entry 1: .*' "a list of other bytes: refused" \
	"${v[@]}" --ima-log "$tmp/ak.pem"

# entries after the quote: the vTPM got the first 7 extends (6 of PCR 10
# then the one of PCR 11 is entry 8: 7 of PCR 10)
b=$(measured ima-early 7)
ok $? "an instance with the first 7 extends only: vtpm$b"
ub=$("$vtpmctl" info "$b" | awk '/^uuid:/ { print $2 }')
"$vtpmctl" attest "$b" --nonce "$n1" --out "$tmp/b.bundle" >/dev/null
ok $? "vtpmctl attest $b"
expect 0 '^TRUSTED' "the whole list with the early bundle: trusted up to the quote" \
	--bundle "$tmp/b.bundle" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub" \
	--ima-log "$tmp/l/binary"
grep -qx "ima-log: $tmp/l/binary: binary, 11 entries: 7 attested, 4 after the quote (not attested)" <<<"$last"
ok $? "7 entries attested, 4 after the quote"
# the list is the first tenant's: the second one's bundle, with one more
# extend of vPCR 10 that the list does not have, does not attest it
tpm2_pcrextend -T "device:/dev/vtpm$b" "10:sha256=$(printf other | sha256sum | cut -c 1-64)"
ok $? "the second tenant extends vPCR 10 with a digest of its own"
"$vtpmctl" attest "$b" --nonce "$n1" --out "$tmp/b2.bundle" >/dev/null
ok $? "vtpmctl attest $b again"
expect 1 'ima-log: entry 9 \(PCR 10, ima-ngv2 .*/usr/bin/verity\) is not extend 8 of vPCR 10 .*sha256 digest differs' \
	"the list with that bundle: its 8th entry of PCR 10 (entry 9) is not that extend" \
	--bundle "$tmp/b2.bundle" --ak "$tmp/ak.pem" --nonce "$n1" --uuid "$ub" \
	--ima-log "$tmp/l/binary"
tap_done
