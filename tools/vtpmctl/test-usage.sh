#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage and exit-code tests of vtpmctl that need no vtpm_mux module: help
# output, argument checking (exit 2), failures to reach the control device
# (exit 1).  No test talks to a real control device: VTPM_MUX_CONTROL points
# at a path that does not exist, or --control at /dev/null.  'log' reads
# saved logs (testdata/, see its README.md: logs recorded in the QEMU
# guest) with --file, checks them against stand-ins for the TPM (--tpm
# FILE), and compares the output with testdata/*.txt.
#
# Usage: test-usage.sh [VTPMCTL]   (default: $VTPMCTL, else ./vtpmctl next
# to this script).  Output is TAP; the exit status is 1 if a test failed.

VTPMCTL=${1:-${VTPMCTL:-$(dirname "$0")/vtpmctl}}
if [ ! -x "$VTPMCTL" ]; then
	echo "Bail out! $VTPMCTL is not an executable (run make first)"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vtpmctl-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

NOENT=$tmp/no-such-control
VTPM_MUX_CONTROL=$NOENT
export VTPM_MUX_CONTROL

n=0
failed=0

# t DESCRIPTION EXPECTED_STATUS PATTERN ARGS...
#
# Runs vtpmctl ARGS.  Passes if the exit status is EXPECTED_STATUS and:
# for 0, stderr is empty and stdout matches PATTERN (grep, may be empty);
# otherwise stdout is empty, stderr starts with "vtpmctl: " and matches
# PATTERN, and for 2 it also has the "Try 'vtpmctl ... --help'" hint.
t()
{
	desc=$1
	want=$2
	pat=$3
	shift 3
	"$VTPMCTL" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	why=
	if [ "$rc" -ne "$want" ]; then
		why="exit status $rc, expected $want"
	elif [ "$want" -eq 0 ]; then
		if [ -s "$tmp/err" ]; then
			why="unexpected stderr"
		elif [ -n "$pat" ] && ! grep -q -e "$pat" "$tmp/out"; then
			why="stdout does not match '$pat'"
		fi
	else
		if [ -s "$tmp/out" ]; then
			why="unexpected stdout"
		elif ! head -n 1 "$tmp/err" | grep -q '^vtpmctl: '; then
			why="stderr does not start with 'vtpmctl: '"
		elif [ -n "$pat" ] && ! grep -q -e "$pat" "$tmp/err"; then
			why="stderr does not match '$pat'"
		elif [ "$want" -eq 2 ] &&
		     ! grep -q "^Try 'vtpmctl .*--help' for more information" "$tmp/err"; then
			why="no usage hint"
		fi
	fi

	n=$((n + 1))
	if [ -z "$why" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc: $why"
		sed 's/^/#   stdout: /' "$tmp/out"
		sed 's/^/#   stderr: /' "$tmp/err"
		failed=$((failed + 1))
	fi
}

label63=$(printf '%063d' 0)
label64=$(printf '%064d' 0)
tab=$(printf '\t')

# help and version
t "--help"			0 '^Usage: vtpmctl'	--help
t "-h"				0 '^Usage: vtpmctl'	-h
t "help"			0 '^Usage: vtpmctl'	help
t "--version"			0 '^vtpmctl [0-9]'	--version
t "-V"				0 '^vtpmctl [0-9]'	-V
for cmd in create destroy list info log help; do
	t "$cmd --help"		0 "^Usage: vtpmctl .*$cmd"	$cmd --help
	t "$cmd -h"		0 "^Usage: vtpmctl .*$cmd"	$cmd -h
	t "help $cmd"		0 "^Usage: vtpmctl .*$cmd"	help $cmd
done
t "--help after arguments"	0 '^Usage: vtpmctl .*destroy'	destroy 3 --help
t "--help wins over a bad label" 0 '^Usage: vtpmctl .*create' \
	create --label "$label64" --help

# global usage errors
t "no command"			2 'missing command'
t "unknown command"		2 "unknown command 'frobnicate'"	frobnicate
t "unknown global option"	2 "unknown option '--bogus'"	--bogus list
t "command option as global"	2 "unknown option '--label'"	--label x create
t "--control needs an argument"	2 "'--control' needs an argument" --control
t "--control empty"		2 'control'		--control= list
t "--control twice"		2 'more than once'	--control a --control b list
t "--version takes no argument"	2 'takes no argument'	--version=1
t "help of unknown command"	2 "unknown command 'frobnicate'" help frobnicate
t "help with two arguments"	2 'unexpected argument'	help list info

# create
t "create: extra argument"	2 "unexpected argument 'x'"	create x
t "create: unknown option"	2 "unknown option '--lable'"	create --lable x
t "create: unknown short option" 2 "unknown option '-x'"	create -x
t "create: --label needs an argument" 2 'needs an argument'	create --label
t "create: --label twice"	2 'more than once'	create --label a --label b
t "create: label of 64 bytes"	2 'label too long'	create --label "$label64"
t "create: label with a tab"	2 'printable ASCII'	create --label "a${tab}b"
t "create: label of 63 bytes passes" 1 "cannot open $NOENT" \
	create --label "$label63"
t "create: empty label passes"	1 'cannot open'		create --label ''
t "create: label with spaces passes" 1 'cannot open'	create --label 'a b'
t "create: mode 888"		2 "bad mode '888'"	create --mode 888
t "create: mode 01777"		2 'bad mode'		create --mode 01777
t "create: mode empty"		2 'bad mode'		create --mode ''
t "create: mode -1"		2 'bad mode'		create --mode -1
t "create: mode 0x1ff"		2 'bad mode'		create --mode 0x1ff
t "create: mode ' 644'"		2 'bad mode'		create --mode ' 644'
t "create: mode 0640 passes"	1 'cannot open'		create --mode 0640
t "create: mode=777 passes"	1 'cannot open'		create --mode=777
t "create: owner empty"		2 'missing user'	create --owner ''
t "create: owner :0"		2 'missing user'	create --owner :0
t "create: owner 0:"		2 'missing group'	create --owner 0:
t "create: owner uid 4294967295" 2 'bad uid'		create --owner 4294967295
t "create: owner gid too large"	2 'bad gid'		create --owner 0:4294967296
t "create: owner unknown user"	2 'unknown user'	create --owner no_such_user_vtpmctl
t "create: owner unknown group"	2 'unknown group'	create --owner 0:no_such_group_vtpmctl
t "create: owner 0:0 passes"	1 'cannot open'		create --owner 0:0
t "create: owner root passes"	1 'cannot open'		create --owner root
t "create: owner unknown uid passes" 1 'cannot open'	create --owner 4294967294
t "create: backend foo"		2 "unknown backend 'foo'" create --backend foo
t "create: backend none passes"	1 'cannot open'		create --backend none
t "create: all options pass"	1 'cannot open' \
	create --label t1 --owner 0:0 --mode 0660 --backend none

# destroy and info take one instance
for cmd in destroy info; do
	t "$cmd: missing instance"	2 'missing instance'	$cmd
	t "$cmd: two instances"		2 "unexpected argument '2'" $cmd 1 2
	t "$cmd: unknown option"	2 'unknown option'	$cmd --bogus 1
	for bad in -1 +1 ' 1' 1x 0x1 '' 4294967296 /dev/vtpm /dev/vtpm01 \
		   /dev/vtpm-mux /dev/tpm0 vtpm; do
		t "$cmd: bad instance '$bad'" 2 '' $cmd "$bad"
	done
	for good in 0 7 4294967295 /dev/vtpm0 /dev/vtpm12 vtpm3; do
		t "$cmd: instance '$good' passes" 1 'cannot open' $cmd "$good"
	done
done

# list
t "list: extra argument"	2 "unexpected argument 'x'"	list x
t "list: unknown option"	2 'unknown option'	list --all

# log: arguments
t "log: two instances"		2 "unexpected argument '2'"	log 1 2
t "log: unknown option"		2 "unknown option '--bogus'"	log --bogus
for bad in -1 ' 1' 1x '' /dev/vtpm /dev/vtpm01 /dev/tpm0 vtpm; do
	t "log: bad instance '$bad'"	2 ''	log "$bad"
done
t "log: --view without instance" 2 '--view needs an instance'	log --view
t "log: --ascii without instance" 2 '--ascii needs an instance'	log --ascii
t "log: --ascii --view"		2 '--ascii goes with none'	log 1 --ascii --view
t "log: --ascii --check"	2 '--ascii goes with none'	log 1 --ascii --check
t "log: --ascii --raw"		2 '--ascii goes with none'	log 1 --ascii --raw
t "log: --raw --check"		2 'exclude each other'	log --raw --check
t "log: --raw with an instance"	2 'only with --view'	log 1 --raw
t "log: --tpm without --check"	2 '--tpm goes with --check only' log --tpm /dev/tpm0
t "log: --tpm needs an argument" 2 'needs an argument'	log --check --tpm
t "log: --tpm empty"		2 "'--tpm' needs a path"	log --check --tpm=
t "log: --tpm twice"		2 'more than once'	log --check --tpm a --tpm b
t "log: --file twice"		2 'more than once'	log --file a --file b
t "log: --file empty"		2 "'--file' needs a path"	log --file ''
t "log: --file with --view"	2 'neither --view nor --ascii'	log 1 --view --file x
t "log: --file with --ascii"	2 'neither --view nor --ascii'	log 1 --ascii --file x
t "log: --view takes no argument" 2 'takes no argument'	log 1 --view=1

# log: no module
t "log: no securityfs log"	1 '^vtpmctl: log: cannot read /sys/kernel/security/vtpm_mux/log: ' log
t "log: --check, no securityfs log" 1 'cannot read /sys/kernel/security/vtpm_mux/log' \
	log --check
t "log N: missing control device" 1 "cannot open $NOENT: No such file\\|no instance 3" \
	log 3
t "log N: not a control device"	1 'info 3: Inappropriate ioctl\|no instance 3' \
	--control /dev/null log 3
t "log --view: unknown instance" 1 '^vtpmctl: log: cannot open /dev/vtpm4294967295: .*nor read /sys/kernel/security/vtpm_mux/vtpm4294967295/view' \
	log /dev/vtpm4294967295 --view
t "log --ascii: unknown instance" 1 'nor read /sys/kernel/security/vtpm_mux/vtpm4294967295/ascii_measurements' \
	log 4294967295 --ascii

# log: saved logs
full=$tmp/full.log
view=$tmp/view1.log
testdata=$(dirname "$0")/testdata
for f in full.log view1.log abort-full.log abort-view0.log tpm-full-17 \
	 tpm-full-16 tpm-abort-10 view1-hidden.log; do
	base64 -d "$testdata/$f.b64" >"$tmp/$f" || {
		echo "Bail out! cannot decode $testdata/$f.b64"
		exit 1
	}
done
# a TPM stand-in answers one command: a fresh copy for every run
tpm() {
	cp "$tmp/$1" "$tmp/tpm" && echo "$tmp/tpm"
}
# a copy of FILE with byte OFFSET (from 0) replaced by octal BYTE
patch_byte() {
	head -c "$2" "$1"
	# shellcheck disable=SC2059 # the octal escape is the point
	printf "\\$3"
	tail -c +"$(($2 + 2))" "$1"
}
patch_byte "$full" 11 003 >"$tmp/bad-kind.log"	# kind: 3
patch_byte "$full" 136 377 >"$tmp/bad-version.log"	# genesis body: version
head -c 2990 "$full" >"$tmp/short.log"
: >"$tmp/empty-tpm"
printf 'VTPMLOG\0' >"$tmp/magic-only.log"

t "log --file: missing file"	1 "cannot read $tmp/nofile: No such file or directory" \
	log --file "$tmp/nofile"
t "log --file: empty file"	1 '/dev/null does not replay: offset 0: header truncated (malformed)' \
	log --file /dev/null
t "log --file -: empty input"	1 'standard input does not replay: offset 0: header truncated' \
	log --file -
printf 'VTPMLOX\0\0\2' >"$tmp/bad-magic.log"
t "log --file: bad magic"	1 'does not replay: offset 0: bad magic (malformed)' \
	log --file "$tmp/bad-magic.log"
patch_byte "$full" 9 001 >"$tmp/v1.log"	# log format version 1
t "log --file: version 1"	1 'offset 8: log version 1 (views without their instance.s commitment) is no longer supported' \
	log --file "$tmp/v1.log"
patch_byte "$full" 15 030 >"$tmp/pcr24.log"	# hw_pcr 24
t "log --file: hardware PCR 24"	1 'offset 12: hardware PCR out of range (malformed)' \
	log --file "$tmp/pcr24.log"
t "log --check --file: hardware PCR 24" 1 'offset 12: hardware PCR out of range (malformed)' \
	log --check --file "$tmp/pcr24.log"
t "log --check --file: a view hides its own EXTEND" 1 'does not replay: offset 57: the view hides records of its instance' \
	log --check --tpm "$(tpm tpm-full-17)" --file "$tmp/view1-hidden.log"
# printing goes as far as the log does, and the replay then judges it
"$VTPMCTL" log --file "$tmp/view1-hidden.log" >"$tmp/out" 2>"$tmp/err"
rc=$?
n=$((n + 1))
if [ $rc -eq 1 ] && grep -q '^10 10 extend vtpm1/' "$tmp/out" &&
   ! grep -q ' extend vtpm1/.* 16 ' "$tmp/out" &&
   grep -q 'offset 57: the view hides records of its instance' "$tmp/err"; then
	echo "ok $n - log --file: a view that hides its own EXTEND prints, then fails"
else
	echo "not ok $n - log --file: a view that hides its own EXTEND prints, then fails (exit $rc)"
	sed 's/^/#   /' "$tmp/err"
	failed=$((failed + 1))
fi
t "log --file: only the magic"	1 'header truncated'	log --file "$tmp/magic-only.log"
t "log --file: unknown kind"	1 'offset 10: unknown log kind' log --file "$tmp/bad-kind.log"
t "log --check --file: not a log" 1 'does not replay: offset 0: header truncated' \
	log --check --file /dev/null
t "log --check --file: unknown kind" 1 'does not replay: offset 10: unknown log kind (malformed)' \
	log --check --file "$tmp/bad-kind.log"
t "log --check --file: truncated" 1 'does not replay: offset [0-9]*: .*truncated' \
	log --check --file "$tmp/short.log"
t "log --check --file: bad record version" 1 'does not replay: offset 136: unknown record version' \
	log --check --file "$tmp/bad-version.log"
t "log --check --file: replays, then no TPM" 1 "^vtpmctl: cannot open $tmp/no-tpm: No such file" \
	log --check --tpm "$tmp/no-tpm" --file "$full"
t "log --check --file: a view replays, then no TPM" 1 "cannot open $tmp/no-tpm" \
	log --check --tpm "$tmp/no-tpm" --file "$view"
t "log --file: full log"	0 '^log full pcr 13 banks sha1,sha256,sha384,sha512 batches 17 records 17$' \
	log --file "$full"
t "log --file: a view"		0 ' uuid a1455d01-567d-4e0f-9b4e-729d3ba99832$' \
	log --file "$view"

# t_same DESCRIPTION EXPECTED_FILE ARGS...: exit 0, stdout is EXPECTED_FILE
t_same()
{
	desc=$1
	want=$2
	shift 2
	"$VTPMCTL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$((n + 1))
	if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$want" "$tmp/out"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc: exit status $rc"
		diff "$want" "$tmp/out" | head -n 20 | sed 's/^/#   /'
		sed 's/^/#   stderr: /' "$tmp/err"
		failed=$((failed + 1))
	fi
}
t_same "log --file: full log, every line"	"$testdata/full.log.txt" log --file "$full"
t_same "log --file: a view, every line"	"$testdata/view1.log.txt" log --file "$view"
t_same "log --file -: full log, every line" "$testdata/full.log.txt" \
	log --file - <"$full"
t_same "log --raw --file: unchanged"	"$full"	log --raw --file "$full"
t_same "log --raw --file: a view unchanged" "$view" log --file "$view" --raw
t_same "log --file: an abort voids a batch"	"$testdata/abort-full.log.txt" \
	log --file "$tmp/abort-full.log"
t_same "log --file: a view with an abort"	"$testdata/abort-view0.log.txt" \
	log --file "$tmp/abort-view0.log"

# log --check against a TPM stand-in
t "log --check --file: the PCR matches" 0 \
	'^ok: 17 batches, 17 records replay to PCR 13 (sha256:24926f9c928b44483bbfd0ef85ecddac0c2635a6fcae0fce4f6c93273ae02f8d)$' \
	log --check --file "$full" --tpm "$(tpm tpm-full-17)"
t "log --check --file: with an abort" 0 \
	'^ok: 10 batches, 10 records replay to PCR 13 (sha256:4467222c' \
	log --check --file "$tmp/abort-full.log" --tpm "$(tpm tpm-abort-10)"
t_same "log --check --file: a view and its vPCRs" "$testdata/view1.check.txt" \
	log --check --file "$view" --tpm "$(tpm tpm-full-17)"
t_same "log --check --file: vPCRs, an extend voided" "$testdata/abort-view0.check.txt" \
	log --check --file "$tmp/abort-view0.log" --tpm "$(tpm tpm-abort-10)"
t "log --check --file: mismatch" 1 \
	'^vtpmctl: log: mismatch: .* (17 batches, 17 records) replays PCR 13 to sha256:24926f9c928b44483bbfd0ef85ecddac0c2635a6fcae0fce4f6c93273ae02f8d, the TPM has sha256:2417af0ecc346742dfd5f90ed9fe20db0d233f5ba4651b44f7d4a705881276d7$' \
	log --check --file "$full" --tpm "$(tpm tpm-full-16)"
t "log --check --file: mismatch, a prefix matches" 1 \
	"^vtpmctl: log: the TPM's value is that of the first 16 batches of the log$" \
	log --check --file "$full" --tpm "$(tpm tpm-full-16)"
t "log --check --file: another log's PCR" 1 'mismatch: .* the TPM has sha256:4467222c' \
	log --check --file "$full" --tpm "$(tpm tpm-abort-10)"
t "log --check --file: a TPM that does not answer" 1 \
	"^vtpmctl: read from $tmp/empty-tpm: short response$" \
	log --check --file "$full" --tpm "$tmp/empty-tpm"

# reaching the control device
t "missing control device (env)" 1 \
	"^vtpmctl: cannot open $NOENT: No such file or directory (is the vtpm_mux module loaded?)$" \
	list
t "missing control device (--control)" 1 \
	"^vtpmctl: cannot open $tmp/other: No such file or directory" \
	--control "$tmp/other" list
t "--control= form"		1 "cannot open $tmp/other" --control="$tmp/other" list
t "--control wins over env"	1 "cannot open $tmp/other" --control "$tmp/other" info 0
t "not a control device: list"	1 '^vtpmctl: list: Inappropriate ioctl for device' \
	--control /dev/null list
t "not a control device: info"	1 '^vtpmctl: info 3: Inappropriate ioctl for device' \
	--control /dev/null info /dev/vtpm3
t "not a control device: destroy" 1 \
	'^vtpmctl: destroy 7: Inappropriate ioctl for device' \
	--control /dev/null destroy 7
t "not a control device: create" 1 '^vtpmctl: create: Inappropriate ioctl for device' \
	--control /dev/null create --label x

# attest: argument checking before any device is touched
t "attest: no instance"		2 'give either the instance N or --device' attest --nonce 00 --out "$tmp/b"
t "attest: N and --device"	2 'give either the instance N or --device' \
	attest 1 --device /dev/vtpm1 --nonce 00 --out "$tmp/b"
t "attest: bad instance"	2 "bad instance 'x1'" attest x1 --nonce 00 --out "$tmp/b"
t "attest: no nonce"		2 'missing --nonce' attest 1 --out "$tmp/b"
t "attest: odd nonce"		2 "bad nonce '0'" attest 1 --nonce 0 --out "$tmp/b"
t "attest: non-hex nonce"	2 "bad nonce 'zz'" attest 1 --nonce zz --out "$tmp/b"
t "attest: 65-byte nonce"	2 'bad nonce' attest 1 --nonce "$(printf '%0130d' 0)" --out "$tmp/b"
t "attest: no --out"		2 'missing --out' attest 1 --nonce 00
t "attest: no control device"	1 "cannot open $NOENT" attest 1 --nonce 00 --out "$tmp/b"
t "attest: not a vtpm device"	1 '^vtpmctl: attest /dev/null: Inappropriate ioctl for device' \
	attest --device /dev/null --nonce 00 --out "$tmp/b"
t "attest: not a control device" 1 '^vtpmctl: attest 4: Inappropriate ioctl for device' \
	--control /dev/null attest 4 --nonce 0011 --out "$tmp/b"
t "attest --help"		0 '^Usage: vtpmctl .*attest' attest --help
t "ak: unexpected argument"	2 "unexpected argument 'x'" ak x
t "ak --help"			0 '^Usage: vtpmctl .*ak' ak --help

# output that cannot be written is a failure
if [ -w /dev/full ]; then
	n=$((n + 1))
	"$VTPMCTL" --help >/dev/full 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q '^vtpmctl: cannot write' "$tmp/err"; then
		echo "ok $n - --help to a full device fails"
	else
		echo "not ok $n - --help to a full device fails: exit status $rc"
		failed=$((failed + 1))
	fi
fi

echo "1..$n"
if [ "$failed" -ne 0 ]; then
	echo "# $failed of $n tests failed"
	exit 1
fi
exit 0
