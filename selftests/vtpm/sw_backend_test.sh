#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sw-backed instances (vtpmctl create --backend sw) with their engines
# started by vtpmd: the whole TPM 2.0 with unmodified tpm2-tools, the
# vPCRs mirrored into the engine (PCR policies and quotes see the values
# the mux log reconstructs), isolation between tenants, the engine killed
# or hung mid-command, and the binding of the engine's state to the
# hardware TPM.  Expected values are computed independently (coreutils,
# openssl).  Prints TAP.
#
# Needs root, the module loaded (the test sets engine_timeout_ms and
# engine_wait_ms and restores them), tpm2-tools and swtpm.  VTPMCTL and
# VTPMD name the binaries (default: those of this repository).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$here/../..
vtpmctl=${VTPMCTL:-$top/tools/vtpmctl/vtpmctl}
vtpmd=${VTPMD:-$top/tools/vtpmd/vtpmd}
vtpmverify=${VTPM_VERIFY:-$top/tools/vtpm-verify/vtpm-verify}
work=$(mktemp -d /tmp/vtpm-sw.XXXXXX)
chmod 0711 "$work"	# swtpm, unprivileged, reaches its state below
params=/sys/module/vtpm_mux/parameters
devs=()
vtpmd_pid=
other_pid=
old_timeout=
old_wait=

cleanup() {
	local d
	for d in "${devs[@]}"; do
		"$vtpmctl" destroy "$d" >/dev/null 2>&1
	done
	[ -n "$vtpmd_pid" ] && kill "$vtpmd_pid" 2>/dev/null && wait "$vtpmd_pid"
	[ -n "$other_pid" ] && kill "$other_pid" 2>/dev/null
	[ -n "$old_timeout" ] && echo "$old_timeout" >"$params/engine_timeout_ms"
	[ -n "$old_wait" ] && echo "$old_wait" >"$params/engine_wait_ms"
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=tap.sh
. "$here/tap.sh"

check() {
	local name=$1
	shift
	"$@" >"$work/out" 2>"$work/err"
	local rc=$?
	[ $rc -ne 0 ] && sed 's/^/# /' "$work/err" | head -n 5
	ok $rc "$name"
}

fails() {
	local name=$1
	shift
	if "$@" >"$work/out" 2>"$work/err"; then
		ok 1 "$name"
	else
		ok 0 "$name"
	fi
}

eq() {
	if [ "$2" = "$3" ]; then
		ok 0 "$1"
	else
		echo "# got:  $2"
		echo "# want: $3"
		ok 1 "$1"
	fi
}

hash() { "${1}sum" | cut -d' ' -f1; }
unhex() { printf "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }
extend_value() { { unhex "$2"; unhex "$3"; } | hash "$1"; }
hexof() { od -An -v -tx1 "$1" | tr -d ' \n'; }
zeros() { printf '%0*d' $(($1 * 2)) 0; }

# pcr INDEX: sha256 vPCR INDEX of the current TCTI, lower-case hex
pcr() {
	tpm2_pcrread "sha256:$1" -o "$work/pcr.bin" >/dev/null 2>&1 || return 1
	hexof "$work/pcr.bin"
}

# engine_pid DEV: the swtpm serving /dev/vtpmN
engine_pid() {
	local uuid
	uuid=$(cat "/sys/class/vtpm/$(basename "$1")/uuid")
	pgrep -f "dir=$work/state/$uuid/tpm" | head -n 1
}

# wait_engine DEV STATE: until its engine is STATE (none, attached, synced)
wait_engine() {
	local i
	for i in $(seq 300); do
		case $(cat "/sys/class/vtpm/$(basename "$1")/engine") in
		"$2 "*) return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}

# ms COMMAND...: run it, print how long it took in ms on fd 3
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@"
	local rc=$?
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >&3
	return $rc
}

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/vtpm-mux ]; then
	skip_all "needs root and the vtpm_mux module"
fi
command -v swtpm >/dev/null || skip_all "needs swtpm"
[ -w "$params/engine_timeout_ms" ] || skip_all "vtpm_mux without the sw backend"
old_timeout=$(cat "$params/engine_timeout_ms")
old_wait=$(cat "$params/engine_wait_ms")
echo 20000 >"$params/engine_wait_ms"

# raw DEV HEX: one command written as it is, the response in hex (a raw
# client: ESAPI would resubmit what an engine never read)
raw() { (exec 5<>"$1" && unhex "$2" >&5 && od -An -v -tx1 <&5 | tr -d ' \n'); }

# --- without vtpmd ---------------------------------------------------------
fails "create --backend sw --wait 1 fails without vtpmd" \
	"$vtpmctl" create --backend sw --wait 1 --label nobody
grep -q "is vtpmd running" "$work/err"
ok $? "... saying why (and destroys it)"
eq "... and leaves no instance" "$("$vtpmctl" list | grep -c nobody)" 0

"$vtpmd" --state-dir "$work/state" --verbose 2>"$work/vtpmd.log" &
vtpmd_pid=$!

# --- tenant A: the whole TPM -----------------------------------------------
a=$("$vtpmctl" create --backend sw --label tenant-a)
ok $? "create --backend sw with vtpmd running ($a)"
devs+=("$a")
"$vtpmctl" info "$a" >"$work/info"
grep -q "^backend: sw$" "$work/info"
ok $? "info: backend sw"
grep -qE "^engine: (attached|synced)$" "$work/info"
ok $? "info: an engine is attached"
uuid_a=$(cat "/sys/class/vtpm/$(basename "$a")/uuid")
[ -s "$work/state/$uuid_a/key.priv" ] && [ -s "$work/state/$uuid_a/key.pub" ]
ok $? "vtpmd sealed the state key into STATE/UUID/key.{pub,priv}"
eq "key.priv is root's alone" "$(stat -c '%U %a' "$work/state/$uuid_a/key.priv")" "root 600"
uid_base=2130706432
eq "swtpm of $a runs as its own uid, base + N" \
	"$(stat -c %u "/proc/$(engine_pid "$a")")" $((uid_base + ${a#/dev/vtpm}))

export TPM2TOOLS_TCTI="device:$a"
check "tpm2_startup -c" tpm2_startup -c
check "tpm2_getrandom 16 (engine)" tpm2_getrandom --hex 16
eq "... 32 hex digits" "$(wc -c <"$work/out")" 32
check "tpm2_getcap properties-fixed (engine)" tpm2_getcap properties-fixed
grep -q "IBM" "$work/out"
ok $? "... the engine's manufacturer (swtpm: IBM)"

d1=$(printf 'a-one' | hash sha256)
want=$(extend_value sha256 "$(zeros 32)" "$d1")
check "tpm2_pcrextend 16 (the kernel, through the mux)" tpm2_pcrextend "16:sha256=$d1"
eq "vPCR 16 = H(0 || d)" "$(pcr 16)" "$want"
wait_engine "$a" synced
ok $? "the engine is synced"

# keys: EK, AK, a signing key
check "tpm2_createek -G ecc" tpm2_createek -G ecc -c "$work/ek.ctx" -u "$work/ek.pub"
check "tpm2_createak -G ecc -s ecdsa" tpm2_createak -C "$work/ek.ctx" -c "$work/ak.ctx" \
	-G ecc -g sha256 -s ecdsa -u "$work/ak.pub" -n "$work/ak.name" -f pem
check "tpm2_createprimary -C o" tpm2_createprimary -C o -G ecc -c "$work/prim.ctx"
check "tpm2_create (ECC signing key)" tpm2_create -C "$work/prim.ctx" -G ecc \
	-u "$work/sig.pub" -r "$work/sig.priv"
check "tpm2_load" tpm2_load -C "$work/prim.ctx" -u "$work/sig.pub" \
	-r "$work/sig.priv" -c "$work/sig.ctx"
echo "message of tenant a" >"$work/msg"
check "tpm2_sign" tpm2_sign -c "$work/sig.ctx" -g sha256 -o "$work/sig" "$work/msg"
check "tpm2_verifysignature" tpm2_verifysignature -c "$work/sig.ctx" -g sha256 \
	-m "$work/msg" -s "$work/sig"
echo "another message" >"$work/msg2"
fails "tpm2_verifysignature of another message fails" tpm2_verifysignature \
	-c "$work/sig.ctx" -g sha256 -m "$work/msg2" -s "$work/sig"
check "tpm2_getcap handles-transient" tpm2_getcap handles-transient
eq "no transient object outlives its tool (flushed on close)" \
	"$(grep -c 0x80 "$work/out")" 0

# sealing with a password
echo "password secret" >"$work/s1"
check "seal with a password" tpm2_create -C "$work/prim.ctx" -p pw1 -i "$work/s1" \
	-u "$work/s1.pub" -r "$work/s1.priv"
check "... load" tpm2_load -C "$work/prim.ctx" -u "$work/s1.pub" -r "$work/s1.priv" \
	-c "$work/s1.ctx"
check "unseal with the password" tpm2_unseal -c "$work/s1.ctx" -p pw1 -o "$work/s1.out"
cmp -s "$work/s1" "$work/s1.out"
ok $? "... gives the secret"
fails "unseal with a wrong password fails" tpm2_unseal -c "$work/s1.ctx" -p pw2

# sealing to a vPCR policy
check "tpm2_pcrread sha256:16 -o" tpm2_pcrread sha256:16 -o "$work/p16.bin"
check "tpm2_createpolicy --policy-pcr sha256:16" tpm2_createpolicy --policy-pcr \
	-l sha256:16 -f "$work/p16.bin" -L "$work/pol"
want=$({ zeros 32; printf '0000017f'; printf '00000001000b03000001'; \
	 unhex "$(hexof "$work/p16.bin")" | hash sha256; } | tr -d '\n')
want=$(unhex "$want" | hash sha256)
eq "the policy is PolicyPCR of the vPCR's value (computed here)" "$(hexof "$work/pol")" "$want"
echo "pcr secret" >"$work/s2"
check "seal to the policy" tpm2_create -C "$work/prim.ctx" -L "$work/pol" -i "$work/s2" \
	-u "$work/s2.pub" -r "$work/s2.priv"
check "... load" tpm2_load -C "$work/prim.ctx" -u "$work/s2.pub" -r "$work/s2.priv" \
	-c "$work/s2.ctx"
check "unseal with pcr:sha256:16" tpm2_unseal -c "$work/s2.ctx" -p pcr:sha256:16 -o "$work/s2.out"
cmp -s "$work/s2" "$work/s2.out"
ok $? "... gives the secret"
check "tpm2_pcrextend 16 again (through the mux)" tpm2_pcrextend "16:sha256=$d1"
fails "unseal fails once the vPCR moved" tpm2_unseal -c "$work/s2.ctx" -p pcr:sha256:16
grep -q "0x99d\|policy check failed" "$work/err"
ok $? "... with a policy failure (0x99d)"

# a quote of vPCRs, checked against the vPCRs the mux log reconstructs
printf 'quote-nonce-1234' >"$work/nonce"
nonce=$(hexof "$work/nonce")
check "tpm2_quote sha256:0,16 with the AK" tpm2_quote -c "$work/ak.ctx" -l sha256:0,16 \
	-q "$nonce" -m "$work/q.msg" -s "$work/q.sig" -o "$work/q.pcrs" -g sha256
"$vtpmctl" log "$a" --check >"$work/log" 2>&1
ok $? "vtpmctl log --check: the log replays to the hardware PCR"
# logpcr N: vPCR N of the sha256 bank in --check's tpm2_pcrread format
logpcr() {
	awk -v n="$1" '/^  sha256:$/ {b = 1; next} /^  [a-z0-9]+:$/ {b = 0}
		b { k = $1; sub(/:$/, "", k); if (k == n) print tolower($NF) }' "$work/log"
}
v0=$(logpcr 0)
v16=$(logpcr 16)
want=$(extend_value sha256 "$(extend_value sha256 "$(zeros 32)" "$d1")" "$d1")
eq "the log reconstructs vPCR 16" "${v16#0x}" "$want"
unhex "${v0#0x}${v16#0x}" >"$work/log.pcrs"
check "tpm2_checkquote against the log's vPCRs" tpm2_checkquote -u "$work/ak.pub" \
	-m "$work/q.msg" -s "$work/q.sig" -f "$work/log.pcrs" -l sha256:0,16 -g sha256 \
	-q "$nonce"
printf 'x' | dd of="$work/log.pcrs" bs=1 seek=40 conv=notrunc 2>/dev/null
fails "tpm2_checkquote against other vPCR values fails" tpm2_checkquote \
	-u "$work/ak.pub" -m "$work/q.msg" -s "$work/q.sig" -f "$work/log.pcrs" \
	-l sha256:0,16 -g sha256 -q "$nonce"

# NV
check "tpm2_nvdefine 0x1500016" tpm2_nvdefine 0x1500016 -C o -s 32 -a "ownerread|ownerwrite"
echo -n "nv data of tenant a, 32 bytes!!!" >"$work/nv"
check "tpm2_nvwrite" tpm2_nvwrite 0x1500016 -C o -i "$work/nv"
check "tpm2_nvread" tpm2_nvread 0x1500016 -C o -s 32 -o "$work/nv.out"
cmp -s "$work/nv" "$work/nv.out"
ok $? "... reads what was written"

check "tpm2_nvundefine 0x1500017 (defined for it)" sh -c "
	tpm2_nvdefine 0x1500017 -C o -s 8 -a 'ownerread|ownerwrite' >/dev/null &&
	tpm2_nvundefine 0x1500017 -C o"
fails "... then it is gone" tpm2_nvreadpublic 0x1500017

# HMAC session with parameter encryption (ESAPI underneath)
check "tpm2_startauthsession --hmac-session salted" tpm2_startauthsession --hmac-session \
	-c "$work/prim.ctx" -S "$work/hs.ctx"
check "tpm2_sessionconfig --enable-encrypt --enable-decrypt" tpm2_sessionconfig \
	"$work/hs.ctx" --enable-encrypt --enable-decrypt
check "tpm2_nvread with parameter encryption" tpm2_nvread 0x1500016 -C o -s 32 \
	-o "$work/nv.enc" -P "session:$work/hs.ctx"
cmp -s "$work/nv" "$work/nv.enc"
ok $? "... reads the same data"
check "tpm2_getrandom with parameter encryption" tpm2_getrandom -S "$work/hs.ctx" --hex 8
check "tpm2_flushcontext the session" tpm2_flushcontext "$work/hs.ctx"

# --- the same client code on /dev/tpmrm0 and on the sw instance -------------
# client TCTI DIR: a tenant's everyday sequence; prints what failed
client() {
	local T=$1 d=$2
	mkdir -p "$d"
	(
	export TPM2TOOLS_TCTI=$T
	set -e
	tpm2_createek -G ecc -c "$d/ek.ctx" -u "$d/ek.pub"
	tpm2_createak -C "$d/ek.ctx" -c "$d/ak.ctx" -G ecc -g sha256 -s ecdsa \
		-u "$d/ak.pub" -f pem
	tpm2_createprimary -C o -G ecc -c "$d/p.ctx"
	tpm2_create -C "$d/p.ctx" -G ecc -u "$d/k.pub" -r "$d/k.priv"
	tpm2_load -C "$d/p.ctx" -u "$d/k.pub" -r "$d/k.priv" -c "$d/k.ctx"
	echo data >"$d/m"
	tpm2_sign -c "$d/k.ctx" -g sha256 -o "$d/s" "$d/m"
	tpm2_verifysignature -c "$d/k.ctx" -g sha256 -m "$d/m" -s "$d/s"
	echo sealed >"$d/x"
	tpm2_create -C "$d/p.ctx" -p pw -i "$d/x" -u "$d/x.pub" -r "$d/x.priv"
	tpm2_load -C "$d/p.ctx" -u "$d/x.pub" -r "$d/x.priv" -c "$d/x.ctx"
	tpm2_unseal -c "$d/x.ctx" -p pw | cmp -s - "$d/x"
	tpm2_quote -c "$d/ak.ctx" -l sha256:0,16 -q 0102 -m "$d/q.m" -s "$d/q.s" \
		-o "$d/q.p" -g sha256
	tpm2_checkquote -u "$d/ak.pub" -m "$d/q.m" -s "$d/q.s" -f "$d/q.p" -g sha256 -q 0102
	tpm2_nvdefine 0x1500020 -C o -s 4 -a "ownerread|ownerwrite"
	echo -n abcd >"$d/nv"
	tpm2_nvwrite 0x1500020 -C o -i "$d/nv"
	tpm2_startauthsession --hmac-session -c "$d/p.ctx" -S "$d/hs.ctx"
	tpm2_sessionconfig "$d/hs.ctx" --enable-encrypt --enable-decrypt
	tpm2_nvread 0x1500020 -C o -s 4 -P "session:$d/hs.ctx" | cmp -s - "$d/nv"
	tpm2_flushcontext "$d/hs.ctx"
	tpm2_nvundefine 0x1500020 -C o
	) >"$d/log" 2>&1
}
client device:/dev/tpmrm0 "$work/rm"
ok $? "a tenant's client sequence passes on /dev/tpmrm0 (the hardware TPM)"
client "device:$a" "$work/swc"
rc=$?
[ $rc -ne 0 ] && tail -n 5 "$work/swc/log" | sed 's/^/# /'
ok $rc "... and the very same on the sw instance"

# esys DEV: esys_session_test (ESAPI: salted HMAC sessions with parameter
# encryption both ways, a wrong auth value, PolicyPCR against OpenSSL's
# digest of the PCR) on DEV; all of its 4 cases must pass
esys() {
	VTPM_DEV=$1 "$here/esys_session_test" >"$work/esys.out" 2>&1
	local rc=$? p f
	p=$(grep -cE '^ok ' "$work/esys.out")
	f=$(grep -cE '^not ok ' "$work/esys.out")
	grep -E '^not ok |Expected|TH_LOG' "$work/esys.out" | head -n 8 | sed 's/^/# /'
	[ $rc -eq 0 ] && [ "$p" -eq 4 ] && [ "$f" -eq 0 ]
}
esys /dev/tpmrm0
ok $? "esys_session_test (ESAPI sessions, parameter encryption) passes on /dev/tpmrm0"
esys "$a"
ok $? "... and the very same on the sw instance"

# --- sessions a file leaves are flushed when it is closed -------------------
# StartAuthSession(NULL, NULL, 16-byte nonce, HMAC, no symmetric, SHA-256)
# on a file that is then closed: five of them, where the engine holds three
startsess=80010000002b0000017640000007400000070010111111111111111111111111111111110000000010000b
r=
for i in 1 2 3 4 5; do
	r=$(raw "$a" $startsess)
	[[ $r =~ ^8001........0000000002 ]] || break
done
[[ $r =~ ^8001........0000000002 ]]
ok $? "5 files each left an HMAC session: every StartAuthSession succeeded (got ${r:0:28} at $i)"
check "tpm2_getcap handles-loaded-session" tpm2_getcap handles-loaded-session
eq "... none of them is left loaded" "$(grep -c 0x02 "$work/out")" 0

# --- tenant B: isolation -----------------------------------------------------
b=$("$vtpmctl" create --backend sw --label tenant-b)
ok $? "a second sw instance ($b)"
devs+=("$b")
export TPM2TOOLS_TCTI="device:$b"
check "B: tpm2_startup -c" tpm2_startup -c
check "B: tpm2_getcap handles-nv-index" tpm2_getcap handles-nv-index
fails "B does not see A's NV index" grep -q 0x1500016 "$work/out"
fails "B cannot read A's NV index" tpm2_nvread 0x1500016 -C o -s 32
fails "B cannot load A's key" tpm2_load -C "$work/prim.ctx" -u "$work/sig.pub" \
	-r "$work/sig.priv" -c "$work/b.ctx"
check "B: tpm2_createek -G ecc" tpm2_createek -G ecc -c "$work/ekb.ctx" -u "$work/ekb.pub"
cmp -s "$work/ek.pub" "$work/ekb.pub"
ok $((! $?)) "B's EK differs from A's (its own endorsement seed)"
eq "B's vPCR 16 is its own (zero)" "$(pcr 16)" "$(zeros 32)"

# --- engines cannot reach each other -------------------------------------------
uuid_b=$(cat "/sys/class/vtpm/$(basename "$b")/uuid")
pa=$(engine_pid "$a")
pb=$(engine_pid "$b")
ua=$(stat -c %u "/proc/$pa")
ub=$(stat -c %u "/proc/$pb")
eq "B's engine runs as its own uid" "$ub" $((uid_base + ${b#/dev/vtpm}))
status_of() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }
for p in "$pa" "$pb"; do
	eq "engine $p: gid = uid" "$(status_of "$p" Gid | awk '{print $1 $2 $3 $4}')" \
		"$(stat -c %u "/proc/$p")$(stat -c %u "/proc/$p")$(stat -c %u "/proc/$p")$(stat -c %u "/proc/$p")"
	eq "engine $p: no supplementary groups" "$(status_of "$p" Groups)" ""
	eq "engine $p: no capabilities" "$(status_of "$p" CapEff)/$(status_of "$p" CapPrm)" \
		0000000000000000/0000000000000000
	eq "engine $p: no new privileges" "$(status_of "$p" NoNewPrivs)" 1
	eq "engine $p: a seccomp filter" "$(status_of "$p" Seccomp)" 2
done
eq "A's state is its engine's alone" "$(stat -c '%u %a' "$work/state/$uuid_a/tpm")" "$ua 700"
eq "B's state is its engine's alone" "$(stat -c '%u %a' "$work/state/$uuid_b/tpm")" "$ub 700"
bfile=$(find "$work/state/$uuid_b/tpm" -type f | head -n 1)
[ -n "$bfile" ]
ok $? "B's engine saved its state (${bfile##*/})"
as_a() { setpriv --reuid="$ua" --regid="$ua" --clear-groups -- "$@"; }
check "engine A's uid lists its own state" as_a ls "$work/state/$uuid_a/tpm"
check "engine A's uid signals its own engine" as_a kill -0 "$pa"
fails "engine A's uid cannot list B's state" as_a ls "$work/state/$uuid_b/tpm"
fails "... nor read B's state file" as_a cat "$bfile"
fails "... nor write into B's state" as_a touch "$work/state/$uuid_b/tpm/x"
fails "... nor signal B's engine" as_a kill -0 "$pb"
fails "... nor read B's environment" as_a cat "/proc/$pb/environ"
fails "... nor B's memory" as_a dd if="/proc/$pb/mem" bs=1 count=1 skip=4194304
# PTRACE_ATTACH (16) with the raw syscall (x86-64: 101)
fails "... nor ptrace B's engine" as_a perl -e \
	'exit(syscall(101, 16, $ARGV[0], 0, 0) == -1 ? 1 : 0)' "$pb"
kill -CONT "$pb" 2>/dev/null	# had the attach worked
export TPM2TOOLS_TCTI="device:$b"
check "B's engine still answers" tpm2_getrandom --hex 8

# --- binding A's EK to A on this host: vtpmctl bind, vtpm-verify --binding ---
export TPM2TOOLS_TCTI="device:$a"
check "A: persist its EK at 0x81010001" tpm2_evictcontrol -C o -c "$work/ek.ctx" 0x81010001
check "vtpmctl ak: the hardware AK" "$vtpmctl" ak --out "$work/hwak.pem"
check "vtpmctl bind A --nonce" "$vtpmctl" bind "$a" --nonce 62696e642d6e6f6e6365 \
	--out "$work/bind.bin"
name=000b$(tail -c +3 "$work/ek.pub" | hash sha256)
grep -q "handle 0x81010001 name $name" "$work/out"
ok $? "... names the EK by its TPM name (0x000b || SHA-256 of its public area)"
check "vtpm-verify --binding --pub ek.pub --uuid A" "$vtpmverify" --binding "$work/bind.bin" \
	--ak "$work/hwak.pem" --nonce 62696e642d6e6f6e6365 --uuid "$uuid_a" --pub "$work/ek.pub"
eq "... BOUND, with the EK's name" "$(head -n 1 "$work/out")" "BOUND handle 0x81010001 name $name"
grep -q "^TRUSTED" "$work/out"
ok $? "... and the instance's attestation is TRUSTED"
for bad in "nonce:--nonce 62696e642d6e6f6e6366" "uuid:--uuid $uuid_b" \
	   "pub:--pub $work/ekb.pub"; do
	args=(--binding "$work/bind.bin" --ak "$work/hwak.pem" --nonce 62696e642d6e6f6e6365
	      --uuid "$uuid_a" --pub "$work/ek.pub")
	case ${bad%%:*} in
	nonce) args[5]=62696e642d6e6f6e6366 ;;
	uuid) args[7]=$uuid_b ;;
	pub) args[9]=$work/ekb.pub ;;
	esac
	"$vtpmverify" "${args[@]}" >"$work/out" 2>&1
	eq "vtpm-verify --binding rejects another ${bad%%:*} (exit 1)" "$?" 1
done
cp "$work/bind.bin" "$work/bind2.bin"
printf '\x55' | dd of="$work/bind2.bin" bs=1 seek=30 conv=notrunc 2>/dev/null
"$vtpmverify" --binding "$work/bind2.bin" --ak "$work/hwak.pem" \
	--nonce 62696e642d6e6f6e6365 >"$work/out" 2>&1
eq "... and a binding whose public area was changed (exit 1)" "$?" 1
fails "vtpmctl bind of a handle without a key fails" "$vtpmctl" bind "$a" \
	--nonce 01 --handle 0x81010009 --out "$work/bind3.bin"

# --- the engine killed, dying mid-command, hung ------------------------------
export TPM2TOOLS_TCTI="device:$a"
idx=${a#/dev/vtpm}
attaches() { awk '{print $2}' "/sys/class/vtpm/vtpm$idx/engine"; }
check "seal to vPCR 16 as it is now" sh -c "
	tpm2_pcrread sha256:16 -o '$work/p16b.bin' >/dev/null &&
	tpm2_createpolicy --policy-pcr -l sha256:16 -f '$work/p16b.bin' -L '$work/polb' >/dev/null &&
	tpm2_create -C '$work/prim.ctx' -L '$work/polb' -i '$work/s2' -u '$work/s4.pub' -r '$work/s4.priv' >/dev/null &&
	tpm2_load -C '$work/prim.ctx' -u '$work/s4.pub' -r '$work/s4.priv' -c '$work/s4.ctx' >/dev/null"
pid=$(engine_pid "$a")
n0=$(attaches)
kill -KILL "$pid"
check "swtpm killed: the next command waits for vtpmd's new engine" tpm2_getrandom --hex 8
[ "$(engine_pid "$a")" != "$pid" ] && [ "$(attaches)" -gt "$n0" ]
ok $? "... a new swtpm process, attached ($n0 -> $(attaches) attaches)"
check "... which has the vPCRs replayed and the NV index" \
	tpm2_nvread 0x1500016 -C o -s 32 -o "$work/nv.after"
cmp -s "$work/nv" "$work/nv.after"
ok $? "... with the data written before"

getrandom8=80010000000c0000017b0008
failure=80010000000a00000101

"$here/sw_engine" "$idx" die >"$work/eng.out" 2>&1 &
helper=$!
for _ in $(seq 100); do grep -q attached "$work/eng.out" && break; sleep 0.1; done
eq "an engine dying mid-command: TPM_RC_FAILURE" "$(raw "$a" $getrandom8)" $failure
wait "$helper"
ok $? "... after the engine read it ($(tr '\n' ' ' <"$work/eng.out"))"
check "and then vtpmd's new engine answers" tpm2_getrandom --hex 8

echo 3000 >"$params/engine_timeout_ms"
"$here/sw_engine" "$idx" hang >"$work/eng.out" 2>&1 &
helper=$!
for _ in $(seq 100); do grep -q attached "$work/eng.out" && break; sleep 0.1; done
eq "an engine that hangs: TPM_RC_FAILURE after engine_timeout_ms" \
	"$(raw "$a" $getrandom8)" $failure
wait "$helper"
ok $? "... and the kernel detached the engine ($(tr '\n' ' ' <"$work/eng.out"))"
pid=$(engine_pid "$a")
kill -STOP "$pid"
check "swtpm stopped (SIGSTOP): the command still completes (a new engine)" \
	tpm2_getrandom --hex 8
kill -CONT "$pid" 2>/dev/null
echo "$old_timeout" >"$params/engine_timeout_ms"
[ "$(engine_pid "$a")" != "$pid" ]
ok $? "... vtpmd replaced the stopped swtpm"
# (a new engine is a TPM Reset but for the vPCRs: saved contexts of
# objects are gone, the primary seeds and NV are not)
check "the object sealed to vPCR 16 unseals in the new engine (vPCRs replayed)" sh -c "
	tpm2_createprimary -C o -G ecc -c '$work/prim3.ctx' >/dev/null &&
	tpm2_load -C '$work/prim3.ctx' -u '$work/s4.pub' -r '$work/s4.priv' -c '$work/s4b.ctx' >/dev/null &&
	tpm2_unseal -c '$work/s4b.ctx' -p pcr:sha256:16 -o '$work/s4.out'"
cmp -s "$work/s2" "$work/s4.out"
ok $? "... gives the secret"

# --- a power cycle: the engine restarts with the tenant ----------------------
check "tpm2_shutdown -c" tpm2_shutdown -c
check "tpm2_startup -c after the shutdown" tpm2_startup -c
eq "vPCR 16 is reset" "$(pcr 16)" "$(zeros 32)"
check "the engine answers after the power cycle" tpm2_getrandom --hex 8
fails "the PCR-sealed object does not unseal after the reset" \
	tpm2_unseal -c "$work/s2.ctx" -p pcr:sha256:16

# --- the engine's state is bound to this hardware TPM --------------------------
check "the NV data is not in the engine's state file in the clear" \
	sh -c "! grep -qa 'nv data of tenant a' '$work/state/$uuid_a/tpm/tpm2-00.permall'"
check "vtpmd --unseal-key on this host" "$vtpmd" --unseal-key "$work/state/$uuid_a"
key=$(cat "$work/out")
eq "... a 256-bit key" "${#key}" 64
cp -a "$work/state/$uuid_a" "$work/copy"
fails "the copy without the TPM: no key" "$vtpmd" --unseal-key "$work/copy" \
	--tpm device:/dev/null
mkdir "$work/other"
swtpm socket --tpm2 --tpmstate "dir=$work/other" --server type=tcp,port=2421 \
	--ctrl type=tcp,port=2422 --flags not-need-init,startup-clear \
	--daemon --pid "file=$work/other.pid" 2>"$work/other.log"
other_pid=$(cat "$work/other.pid" 2>/dev/null)
check "another host's TPM (a second swtpm) runs" test -n "$other_pid"
check "the other TPM answers" tpm2_getrandom -T swtpm:host=127.0.0.1,port=2421 --hex 4
fails "the copy on another host's TPM: the key does not unseal" \
	"$vtpmd" --unseal-key "$work/copy" --tpm "swtpm:host=127.0.0.1,port=2421"
sed 's/^/# /' "$work/err" | head -n 3
grep -qiE "loading the sealed state key" "$work/err"
ok $? "... the other TPM refuses to load the sealed key"

# swtpm itself needs the key: a wrong one cannot read the state
port=2431
start_swtpm() {	# KEYHEX -> 0 if swtpm starts on the copy's state and answers
	port=$((port + 2))
	printf '%s' "$1" >"$work/key.hex"
	rm -f "$work/copy.pid"
	timeout 20 swtpm socket --tpm2 --tpmstate "dir=$work/copy/tpm" \
		--server type=tcp,port=$port --ctrl type=tcp,port=$((port + 1)) \
		--key "file=$work/key.hex,mode=aes-256-cbc,format=hex" \
		--flags not-need-init,startup-clear --daemon \
		--pid "file=$work/copy.pid" >"$work/swtpm.out" 2>&1 || return 1
	tpm2_getrandom -T "swtpm:host=127.0.0.1,port=$port" --hex 4 >/dev/null 2>&1
	local rc=$?
	[ -s "$work/copy.pid" ] && kill "$(cat "$work/copy.pid")" 2>/dev/null
	sleep 0.5
	return $rc
}
rm -f "$work/copy/tpm/.lock"
fails "swtpm with a wrong key cannot use the copied state" start_swtpm "$(zeros 32)"
check "swtpm with the key the TPM unsealed can" start_swtpm "$key"
[ "$fails" -eq 0 ] || sed 's/^/# /' "$work/swtpm.out" | head -n 3

# --- destroy: the engine goes with the instance --------------------------------
pid=$(engine_pid "$b")
check "vtpmctl destroy $b" "$vtpmctl" destroy "$b"
unset 'devs[1]'
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
fails "... its swtpm exits" kill -0 "$pid"

# its index and uid are reused: the old state goes back to root
c=$("$vtpmctl" create --backend sw --label tenant-c)
ok $? "a new sw instance ($c)"
devs+=("$c")
eq "... at B's index" "$c" "$b"
wait_engine "$c" attached
ok $? "... its engine is attached"
eq "... B's old state belongs to root again" \
	"$(stat -c '%u %a' "$work/state/$uuid_b/tpm")" "0 700"
eq "... and its files" "$(stat -c %u "$bfile")" 0
grep -E "vtpmd:" "$work/vtpmd.log" | tail -n 5 | sed 's/^/# /'
tap_done
