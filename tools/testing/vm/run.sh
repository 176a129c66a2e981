#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command in a throw-away QEMU guest (Debian's kernel, the host's
# userland read-only over 9p) that has a fresh swtpm as its hardware
# TPM 2.0 (/dev/tpm0, /dev/tpmrm0).  See README.md next to this script.
#
#   run.sh [--timeout SECONDS] [--append "KERNEL ARGS"] [--mem MB]
#          [--out DIR] [--keep] [--tpm-faults] -- COMMAND [ARGS...]
#
# Exit status: COMMAND's; 124 if the guest did not finish in time;
# 125 if the VM itself failed (QEMU or swtpm did not start, the guest
# crashed or powered off without reporting a status).
set -euo pipefail

prog=vm
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

timeout=600
append=
mem=2048
out=
keep=0
tpm_faults=0

msg() { echo "$prog: $*" >&2; }
fail() { msg "$*"; exit 125; }

usage() {
	cat >&2 <<EOF
usage: $0 [--timeout SECONDS] [--append "KERNEL ARGS"] [--mem MB]
          [--out DIR] [--keep] [--tpm-faults] -- COMMAND [ARGS...]

Runs COMMAND (cwd: the repository, \$VTPM_REPO) as root in a QEMU guest whose
hardware TPM 2.0 is a fresh swtpm.  Files written to \$VTPM_OUT (/mnt/out in
the guest) land in DIR; DIR also gets exit-status and dmesg.txt.

  --timeout SECONDS  kill the guest after this long, exit 124 (default 600)
  --append ARGS      add to the kernel command line
  --mem MB           guest memory (default 2048)
  --out DIR          host directory for results (default: a temp dir)
  --keep             keep the temp dir (initramfs, swtpm state and log)
  --tpm-faults       let the guest stop, continue and kill swtpm with
                     tools/testing/vm/tpm-fault (log: DIR/tpm-fault.log)

Environment: KERNEL (default: newest /boot/vmlinuz-*-amd64), KVER (its
/lib/modules name, default: read from the image), VTPM_REPO (default: the
git toplevel of this script), QEMU (default: qemu-system-x86_64).
EOF
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--timeout=*) timeout=${1#*=}; shift ;;
	--append) [ $# -ge 2 ] || usage; append=$2; shift 2 ;;
	--append=*) append=${1#*=}; shift ;;
	--mem) [ $# -ge 2 ] || usage; mem=$2; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--out=*) out=${1#*=}; shift ;;
	--keep) keep=1; shift ;;
	--tpm-faults) tpm_faults=1; shift ;;
	-h|--help) usage ;;
	--) shift; break ;;
	*) msg "unknown option: $1"; usage ;;
	esac
done
[ $# -gt 0 ] || usage
case $timeout in ''|*[!0-9]*) msg "--timeout needs a number of seconds"; usage ;; esac
case $mem in ''|*[!0-9]*) msg "--mem needs a number of MB"; usage ;; esac
[ "$timeout" -gt 0 ] || usage

for t in swtpm busybox cpio modprobe; do
	command -v "$t" >/dev/null || fail "$t not found (see README.md)"
done
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || fail "$qemu not found (see README.md)"
busybox=$(command -v busybox)
# A dynamically linked busybox would not run in the initramfs.
case $(LC_ALL=C ldd "$busybox" 2>&1 || true) in
*'not a dynamic executable'*) ;;
*) fail "$busybox is not static (apt-get install busybox-static)" ;;
esac

# --- kernel ------------------------------------------------------------

kernel=${KERNEL:-}
if [ -z "$kernel" ]; then
	# shellcheck disable=SC2012 # file names from /boot are tame
	kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
	[ -n "$kernel" ] || fail "no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64)"
fi
[ -r "$kernel" ] || fail "cannot read kernel image $kernel"

# The version string of a bzImage: a pointer at 0x20e in the setup header
# ("HdrS" at 0x202), relative to 0x200.
bzimage_version() {
	local off
	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || return 1
	off=$(od -An -tu2 -j 526 -N 2 "$1" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	dd if="$1" bs=1 skip=$((off + 512)) count=256 2>/dev/null |
		tr '\0' '\n' | head -n 1 | cut -d ' ' -f 1
}
kver=${KVER:-}
if [ -z "$kver" ]; then
	kver=$(bzimage_version "$kernel" || true)
	[ -n "$kver" ] || kver=$(basename "$kernel" | sed -n 's/^vmlinuz-//p')
fi
[ -n "$kver" ] || fail "cannot tell the version of $kernel (set KVER)"
[ -d "/lib/modules/$kver/kernel" ] ||
	fail "no /lib/modules/$kver for $kernel (uname -r in the guest would not match)"

# --- repository --------------------------------------------------------

repo=${VTPM_REPO:-}
if [ -z "$repo" ]; then
	repo=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || true)
	[ -n "$repo" ] || repo=$here/../../..
fi
repo=$(cd "$repo" && pwd -P) || fail "no repository directory $repo"

# --- temp dir and cleanup ----------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vtpm-vm.XXXXXX") || fail "mktemp failed"
qemu_pid=
swtpm_pid=
timer_pid=
con_fd=
con_pid=
watcher_pid=

stop_pid() {	# stop_pid PID: TERM, then KILL after 5 s
	local pid=$1
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# The tpm-fault watcher sends swtpm SIGCONT when it stops (if the guest
# left it stopped), so that neither QEMU nor swtpm hangs on the way out.
stop_watcher() {
	[ -n "$watcher_pid" ] || return 0
	stop_pid "$watcher_pid"
	wait "$watcher_pid" 2>/dev/null || true
	watcher_pid=
	# In case the watcher could not: swtpm is our child, so $swtpm_pid is
	# still swtpm unless we have reaped it.
	[ -z "$swtpm_pid" ] || kill -CONT "$swtpm_pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # called from the trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[ -z "$timer_pid" ] || kill "$timer_pid" 2>/dev/null || true
	stop_watcher
	if [ -n "$qemu_pid" ]; then
		stop_pid "$qemu_pid"
		wait "$qemu_pid" 2>/dev/null || true
	fi
	if [ -n "$swtpm_pid" ]; then
		stop_pid "$swtpm_pid"
		wait "$swtpm_pid" 2>/dev/null || true
	fi
	if [ -n "$con_fd" ]; then
		exec {con_fd}>&-
		wait "$con_pid" 2>/dev/null || true
	fi
	if [ "$keep" = 1 ]; then
		msg "kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT
trap 'msg "terminated"; exit 143' TERM

if [ -n "$out" ]; then
	mkdir -p "$out" || fail "cannot create $out"
	out=$(cd "$out" && pwd -P)
	rm -f "$out/exit-status" "$out/exit-status.tmp" "$out/dmesg.txt" \
		"$out/tpm-fault.log"
else
	out=$tmp/out
	mkdir "$out"
fi

# --- initramfs ---------------------------------------------------------

# A newc cpio archive holding only the character device dev/console (5,1),
# so that the kernel can give /init a console; cpio -o cannot make device
# nodes without root.
cpio_console() {
	local name=dev/console
	local namesize=$((${#name} + 1))
	# magic ino mode uid gid nlink mtime filesize devmaj devmin rdevmaj rdevmin namesize check
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		1 $((8#020600)) 0 0 1 0 0 0 0 5 1 "$namesize" 0
	printf '%s\0' "$name"
	# header (110) + name padded to a multiple of 4
	printf '%*s' $(((4 - (110 + namesize) % 4) % 4)) '' | tr ' ' '\0'
	name=TRAILER!!!
	namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 0 0 0 1 0 0 0 0 0 0 "$namesize" 0
	printf '%s\0' "$name"
	printf '%*s' $(((4 - (110 + namesize) % 4) % 4)) '' | tr ' ' '\0'
}

build_initramfs() {
	local root=$tmp/initramfs n=0 verb ko name deps
	local -A seen=()

	# The 9p and virtio-pci modules and what they need, in load order
	# (--tpm-faults: and virtio-rng, see below).
	local mods=(virtio_pci 9pnet_virtio 9p)
	[ "$tpm_faults" = 0 ] || mods+=(virtio_rng)
	deps=$(modprobe -S "$kver" -a --show-depends "${mods[@]}") ||
		fail "modprobe -S $kver --show-depends failed"

	mkdir -p "$root"/{bin,dev,proc,sys,mnt/root,modules,vtpm}
	cp "$busybox" "$root/bin/busybox"
	cp "$here/init.sh" "$root/init"
	chmod 0755 "$root/init" "$root/bin/busybox"

	while read -r verb ko _; do
		[ "$verb" = insmod ] || continue
		name=$(basename "$ko")
		name=${name%%.ko*}
		[ -z "${seen[$name]:-}" ] || continue
		seen[$name]=1
		n=$((n + 1))
		case $ko in
		*.ko) cp "$ko" "$root/modules/$(printf %02d "$n")-$name.ko" ;;
		*.ko.xz) xz -dc "$ko" >"$root/modules/$(printf %02d "$n")-$name.ko" ;;
		*.ko.zst) zstd -qdc "$ko" >"$root/modules/$(printf %02d "$n")-$name.ko" ;;
		*.ko.gz) gzip -dc "$ko" >"$root/modules/$(printf %02d "$n")-$name.ko" ;;
		*) fail "cannot load $ko" ;;
		esac
	done <<<"$deps"

	{
		printf 'VTPM_REPO=%q\n' "$repo"
		printf 'VTPM_FAULTS=%d\n' "$tpm_faults"
	} >"$root/vtpm/config"
	{
		# shellcheck disable=SC2016 # expanded in the guest
		echo 'cd -- "$VTPM_REPO" || exit 125'
		printf '%q ' "${cmd[@]}"
		echo
	} >"$root/vtpm/cmd.sh"

	{
		cpio_console
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc -R 0:0)
	} >"$tmp/initramfs.cpio"
}

cmd=("$@")
build_initramfs || fail "could not build the initramfs"

virtfs_path() { printf '%s' "${1//,/,,}"; }

# --- swtpm -------------------------------------------------------------

mkdir "$tmp/swtpm"
# Not daemonized: it stays our child, so that we can reap it.  --terminate:
# it also goes away by itself when QEMU closes the connection.
swtpm socket --tpm2 \
	--tpmstate dir="$tmp/swtpm" \
	--ctrl type=unixio,path="$tmp/swtpm/swtpm.sock" \
	--flags not-need-init,startup-clear \
	--log file="$tmp/swtpm/swtpm.log" \
	--terminate \
	</dev/null >>"$tmp/swtpm/swtpm.log" 2>&1 &
swtpm_pid=$!
for _ in $(seq 100); do
	[ -S "$tmp/swtpm/swtpm.sock" ] && break
	kill -0 "$swtpm_pid" 2>/dev/null || break
	sleep 0.05
done
if [ ! -S "$tmp/swtpm/swtpm.sock" ]; then
	msg "swtpm failed to start; its log:"
	cat "$tmp/swtpm/swtpm.log" >&2 || true
	exit 125
fi

# --- tpm-fault watcher -------------------------------------------------

# The guest's tools/testing/vm/tpm-fault talks to it through $tmp/fault,
# a 9p share mounted at /run/vtpm/fault in the guest (README.md, "TPM
# faults").  The guest also gets a virtio-rng: the kernel's hwrng thread
# prefers it (quality 1000) to the TPM (0), so that its TPM2_GetRandom
# every 10-60 s does not hit a stopped swtpm and freeze the guest.
fault_virtfs=()
if [ "$tpm_faults" = 1 ]; then
	mkdir "$tmp/fault"
	bash "$here/tpm-fault-watcher.sh" "$tmp/fault" "$swtpm_pid" $$ \
		"$out/tpm-fault.log" </dev/null &
	watcher_pid=$!
	for _ in $(seq 100); do
		[ -e "$tmp/fault/ready" ] && break
		kill -0 "$watcher_pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$tmp/fault/ready" ] || fail "the tpm-fault watcher did not start"
	fault_virtfs=(-virtfs "local,path=$(virtfs_path "$tmp/fault"),mount_tag=vtpmfault,security_model=none,multidevs=remap"
		-device virtio-rng-pci)
fi

# --- QEMU --------------------------------------------------------------

cmdline="console=ttyS0 panic=-1 loglevel=5 rdinit=/init edd=off"
[ -z "$append" ] || cmdline="$cmdline $append"

# The console goes through a filter that drops the serial line's \r and
# the firmware's terminal resets and escape sequences.
exec {con_fd}> >(exec sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g')
con_pid=$!

start=$(date +%s.%N)
"$qemu" \
	-accel tcg -cpu max -smp 2 -m "$mem" \
	-nographic -no-reboot -no-user-config -nic none \
	-kernel "$kernel" -initrd "$tmp/initramfs.cpio" -append "$cmdline" \
	-chardev socket,id=chrtpm,path="$(virtfs_path "$tmp/swtpm/swtpm.sock")" \
	-tpmdev emulator,id=tpm0,chardev=chrtpm \
	-device tpm-tis,tpmdev=tpm0 \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$(virtfs_path "$repo"),mount_tag=vtpmrepo,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$(virtfs_path "$out"),mount_tag=vtpmout,security_model=none,multidevs=remap" \
	"${fault_virtfs[@]}" \
	</dev/null >&"$con_fd" &
qemu_pid=$!

sleep "$timeout" {con_fd}>&- &
timer_pid=$!

# Returns when QEMU exits, the timer fires, or a trapped signal arrives.
# (2>/dev/null: no "Killed" job notice when tpm-fault kill took swtpm.)
wait -n "$qemu_pid" "$timer_pid" 2>/dev/null || true

# Before a timeout kills QEMU: QEMU waits for a stopped swtpm on its way out.
stop_watcher

if kill -0 "$qemu_pid" 2>/dev/null; then
	msg "timeout: the guest did not finish within $timeout s, killing QEMU"
	stop_pid "$qemu_pid"
	wait "$qemu_pid" 2>/dev/null || true
	qemu_pid=
	exit 124
fi
qemu_rc=0
wait "$qemu_pid" 2>/dev/null || qemu_rc=$?
qemu_pid=
kill "$timer_pid" 2>/dev/null || true
wait "$timer_pid" 2>/dev/null || true
timer_pid=
elapsed=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')

# Flush the console filter before printing anything else.
exec {con_fd}>&-
wait "$con_pid" 2>/dev/null || true
con_fd=

# Point at kernel warnings, bugs and oopses (tests decide what they mean).
bad='WARNING:|BUG:|Oops|general protection fault|kernel BUG|UBSAN:|INFO: task .* blocked|detected stalls|Call Trace:'
if [ -f "$out/dmesg.txt" ] && grep -qE "$bad" "$out/dmesg.txt"; then
	msg "the guest kernel reported problems (all of it: dmesg.txt in the --out dir):"
	grep -E -m 10 -B1 -A3 "$bad" "$out/dmesg.txt" | head -n 40 >&2 || true
fi

if [ ! -f "$out/exit-status" ]; then
	if [ "$qemu_rc" -ne 0 ]; then
		fail "QEMU failed (exit status $qemu_rc) after ${elapsed}s"
	fi
	fail "the guest stopped without reporting an exit status (kernel panic? see the console output above) after ${elapsed}s"
fi
rc=$(cat "$out/exit-status")
case $rc in ''|*[!0-9]*) fail "bad exit status '$rc' from the guest" ;; esac
msg "command exited with status $rc (VM ran ${elapsed}s)"
exit "$rc"
