#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of vtpm-verify --ima-log without a bundle: IMA measurement lists
# written by mkima.py (an implementation of Linux 6.1's list formats in
# Python, sharing no code with tools/vtpm-verify/ima.c), ASCII and binary,
# with SHA-1 and SHA-256 template hashes.  The expected PCR values are
# mkima.py's; the changed lists (a renamed file, a dropped, swapped or
# flipped entry, truncated or malformed lists) must be refused.  The lists
# of a real kernel are checked against its TPM in the guest
# (selftests/vtpm/ima_verify_test.sh).  Output: TAP.
#
# Environment: VTPM_VERIFY (default tools/vtpm-verify/vtpm-verify).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
VERIFY=${VTPM_VERIFY:-$here/../../vtpm-verify/vtpm-verify}
MKIMA=$here/mkima.py

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tap.sh
. "$here/tap.sh"

# run NAME STATUS SUBSTRING ARGS...: vtpm-verify's exit status must be
# STATUS and SUBSTRING in the first line of its stdout (0, 1) or its
# stderr (2)
run() {
	local name=$1 want=$2 sub=$3 out err rc first
	shift 3
	out=$("$VERIFY" "$@" 2>"$tmp/err")
	rc=$?
	err=$(cat "$tmp/err")
	if [ "$want" -eq 2 ]; then
		first=$err
	else
		first=$(printf '%s\n' "$out" | head -n 1)
	fi
	if [ "$rc" -eq "$want" ] && [[ "$first" == *"$sub"* ]]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want $want), want \"$sub\"" \
			"stdout: $(printf '%s' "$out" | head -n 3)" "stderr: $err"
	fi
	last_out=$out
}

# mk DIR [MUTATION...]: lists in DIR
mk() {
	local d=$tmp/$1
	shift
	mkdir -p "$d"
	python3 "$MKIMA" "$d" "$@" || { not_ok "mkima.py $*"; return 1; }
}
pcr() { awk -v p="$2" -v a="$3" '$1 == p && $2 == a { print $3 }' "$tmp/$1/pcrs"; }

# the value of PCR 10 after the first N entries of PCR 10 of DIR/extends
prefix() {
	python3 - "$tmp/$1/extends" "$2" "$3" <<'EOF'
import hashlib, sys
path, n, alg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
col = {"sha1": 1, "sha256": 2}[alg]
v = bytes(hashlib.new(alg).digest_size)
rows = [l.split() for l in open(path) if l.split()[0] == "10"]
for r in rows[:n]:
    v = hashlib.new(alg, v + bytes.fromhex(r[col])).digest()
print(v.hex())
EOF
}

mk good || exit 1
mk good256 --list-alg sha256 || exit 1
p1=$(pcr good 10 sha1)
p256=$(pcr good 10 sha256)
p11=$(pcr good 11 sha1)

for fmt in ascii binary; do
	for d in good good256; do
		alg=sha1
		[ $d = good256 ] && alg=sha256
		run "$fmt list, $alg template hashes: PCR 10 sha1 replays" 0 \
			"REPLAYED to the given PCR value: 10 of 10 entries of PCR 10" \
			--ima-log "$tmp/$d/$fmt" --pcr "sha1:$p1"
		run "$fmt list, $alg template hashes: PCR 10 sha256 replays" 0 \
			"REPLAYED to the given PCR value: 10 of 10" \
			--ima-log "$tmp/$d/$fmt" --pcr "sha256:$p256"
		if printf '%s\n' "$last_out" | grep -qx "list: $fmt, $alg template hashes, 11 entries" &&
		   printf '%s\n' "$last_out" | grep -qx "PCR 10 sha1: $p1"; then
			ok "$fmt list, $alg: the report names the format, the hashes and PCR 10's sha1"
		else
			not_ok "$fmt list, $alg: the report" "$last_out"
		fi
	done
	run "$fmt: PCR 11 (--ima-pcr 11), the entry a policy sent there" 0 \
		"1 of 1 entries of PCR 11" --ima-log "$tmp/good/$fmt" \
		--ima-pcr 11 --pcr "sha1:$p11"
	run "$fmt: PCR 10's value is not PCR 11's" 1 "NOT CONSISTENT: no beginning" \
		--ima-log "$tmp/good/$fmt" --ima-pcr 11 --pcr "sha1:$p1"
	# a value read before the last entries: the prefix that gives it
	v6=$(prefix good 6 sha256)
	run "$fmt: the value after 6 entries: 6 of 10, 4 measured after it" 0 \
		"6 of 10 entries of PCR 10 (4 measured after it)" \
		--ima-log "$tmp/good/$fmt" --pcr "sha256:$v6"
done

mk only6 --only 6 || exit 1
run "the first 6 entries do not give the value of all 10" 1 \
	"NOT CONSISTENT: no beginning of the list's 6 entries of PCR 10" \
	--ima-log "$tmp/only6/binary" --pcr "sha256:$p256"

# a changed name keeps its template hash: its data no longer hashes to it
for e in 2 3 5 7 9 10; do
	mk rename$e --rename $e || exit 1
	for fmt in ascii binary; do
		run "$fmt: entry $e's file name changed: refused at entry $e" 1 \
			"NOT CONSISTENT: ima-log: entry $e: its template hash is not the sha1 of its template data" \
			--ima-log "$tmp/rename$e/$fmt" --pcr "sha1:$p1"
	done
done
mk rename256 --list-alg sha256 --rename 4 || exit 1
run "ascii, sha256 template hashes: a renamed entry is refused" 1 \
	"entry 4: its template hash is not the sha256 of its template data" \
	--ima-log "$tmp/rename256/ascii" --pcr "sha1:$p1"

# entries dropped or swapped: each entry holds, the value does not
for m in "--drop 3" "--drop 1" "--drop 11" "--swap 2" "--swap 6"; do
	d=$(echo "m$m" | tr -d ' -')
	# shellcheck disable=SC2086
	mk "$d" $m || exit 1
	for fmt in ascii binary; do
		run "$fmt, $m: PCR 10 does not replay" 1 "NOT CONSISTENT: no beginning" \
			--ima-log "$tmp/$d/$fmt" --pcr "sha256:$p256"
	done
done

# every byte of a list is bound but a violation's fields (IMA extends all
# ones for it, whatever they say): a list without the violation, each
# seventh byte flipped, must not give the intact list's value
mk noviol --drop 6 || exit 1
vnv=$("$VERIFY" --ima-log "$tmp/noviol/binary" | awk '/^PCR 10 sha256:/ { print $4 }')
size=$(stat -c %s "$tmp/noviol/binary")
bad=0
for off in $(seq 0 7 $((size - 1))); do
	cp "$tmp/noviol/binary" "$tmp/flip"
	b=$(od -An -tu1 -j "$off" -N1 "$tmp/flip" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $(((b ^ 0x41) & 255)))" |
		dd of="$tmp/flip" bs=1 seek="$off" conv=notrunc status=none
	if "$VERIFY" --ima-log "$tmp/flip" --pcr "sha256:$vnv" >/dev/null 2>&1; then
		bad=$((bad + 1))
		echo "# byte $off flipped: accepted"
	fi
done
if [ -n "$vnv" ] && [ $bad -eq 0 ] &&
   "$VERIFY" --ima-log "$tmp/noviol/binary" --pcr "sha256:$vnv" >/dev/null; then
	ok "binary: each of $(((size + 6) / 7)) bytes flipped (one in 7) is refused"
else
	not_ok "binary: $bad flipped bytes accepted (value \"$vnv\")"
fi
run "the violation: reported as one" 0 "REPLAYED" --ima-log "$tmp/good/binary"
if printf '%s\n' "$last_out" | grep -q "^PCR 10 sha1: $p1\$"; then
	ok "the violation extends all ones (the PCR replays with it)"
else
	not_ok "the violation's extend" "$last_out"
fi
sed '2s/ ima-ng / ima-ngv2 /' "$tmp/good/ascii" >"$tmp/v2"
sed '2s/ ima-ng / ima-nx /' "$tmp/good/ascii" >"$tmp/nx"
run "ascii: a template renamed to one IMA does not have: refused" 1 \
	"entry 2: template ima-nx: its fields cannot be rebuilt" --ima-log "$tmp/nx"
run "ascii: ima-ng named ima-ngv2: its d-ng is not a d-ngv2 (TYPE:ALG:)" 1 \
	"entry 2: field d-ngv2 is not valid" --ima-log "$tmp/v2"

# malformed lists
size=$(stat -c %s "$tmp/good/binary")
head -c $((size - 5)) "$tmp/good/binary" >"$tmp/trunc"
run "binary cut in the last entry: refused at entry 11" 1 "entry 11: truncated" \
	--ima-log "$tmp/trunc"
head -c -1 "$tmp/good/ascii" >"$tmp/nonl"
run "ascii without its last newline: refused at entry 11" 1 \
	"entry 11: the last line has no newline" --ima-log "$tmp/nonl"
sed '3s/ ima-sig / ima-foo /' "$tmp/good/ascii" >"$tmp/unknown"
run "ascii with a template it cannot rebuild: asks for the binary list" 1 \
	"entry 3: template ima-foo: its fields cannot be rebuilt from the ASCII list (give the binary list)" \
	--ima-log "$tmp/unknown"
sed '2s/^10 /24 /' "$tmp/good/ascii" >"$tmp/pcr24"
run "ascii entry of PCR 24: refused" 1 "entry 2: no PCR (0-23)" --ima-log "$tmp/pcr24"
sed '4s/ \/etc\/unsigned $/ \/etc\/unsigned/' "$tmp/good/ascii" >"$tmp/fields"
run "ascii ima-sig entry without its (empty) signature field: refused" 1 \
	"entry 4: template ima-sig: 2 fields, not 3" --ima-log "$tmp/fields"
sed '5s/ 726f/ 7x6f/' "$tmp/good/ascii" >"$tmp/hex"
run "ascii ima-buf entry with a buffer that is not hex: refused" 1 \
	"entry 5: field buf is not valid" --ima-log "$tmp/hex"
sed '1s/sha256:/sha256/' "$tmp/good/ascii" >"$tmp/noalg"
run "ascii d-ng without its algorithm: refused" 1 "entry 1: field d-ng is not valid" \
	--ima-log "$tmp/noalg"
sed '8s/^11 54fd/11 54f/' "$tmp/good/ascii" >"$tmp/odd"
run "ascii template hash of odd length: refused" 1 "entry 8: no template hash" \
	--ima-log "$tmp/odd"
{ head -n 1 "$tmp/good256/ascii"; tail -n +2 "$tmp/good/ascii"; } >"$tmp/mixed"
run "ascii with sha256 and sha1 template hashes: refused" 1 \
	"entry 2: a sha1 template hash in a list of sha256" --ima-log "$tmp/mixed"
: >"$tmp/empty"
run "an empty list replays to zeros" 0 "REPLAYED to the given PCR value: 0 of 0" \
	--ima-log "$tmp/empty" --pcr "sha1:$(printf '%040d' 0)"

# usage
run "--ima-pcr 24: usage error" 2 'bad --ima-pcr "24"' \
	--ima-log "$tmp/good/binary" --ima-pcr 24
run "--pcr of the wrong length: usage error" 2 "bad --pcr" \
	--ima-log "$tmp/good/binary" --pcr sha256:00
run "--ima-log with --ak but no --bundle: usage error" 2 \
	"--ima-log goes with --bundle" --ima-log "$tmp/good/binary" --ak x
run "--ima-pcr with --bundle: usage error" 2 "--ima-pcr goes with --ima-log without --bundle" \
	--bundle x --ak x --nonce 00 --ima-log x --ima-pcr 10
run "a missing list: input error" 2 "$tmp/none: No such file" \
	--ima-log "$tmp/none"

echo "1..$n"
[ "$failed" -eq 0 ]
