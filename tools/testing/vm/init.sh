#!/bin/busybox sh
# shellcheck shell=dash
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test VM's initramfs (see run.sh).  Runs under busybox-static
# only: loads the virtio/9p modules, mounts the host's root read-only over
# 9p, builds a chroot around it, runs the command there and powers off.
#
# The initramfs also holds /vtpm/config (VTPM_REPO=..., VTPM_FAULTS=0|1),
# /vtpm/cmd.sh (the command, bash-quoted) and /modules/NN-name.ko (in load
# order).

/bin/busybox --install -s /bin
export PATH=/bin

R=/mnt/root		# the chroot
OUT=$R/mnt/out		# the writable results share, seen from here

log() { echo "vm-init: $*"; }

# Power off no matter what; the harness notices the missing exit status.
die() {
	log "FATAL: $*"
	sync
	poweroff -f
	sleep 5
	exit 1
}

mount -t devtmpfs -o mode=0755 devtmpfs /dev || die "mount /dev"
# The initramfs has /dev/console (run.sh adds it), this is a fallback.
[ -c /dev/console ] && exec </dev/null >/dev/console 2>&1
mount -t proc proc /proc || die "mount /proc"
mount -t sysfs sysfs /sys || die "mount /sys"

# shellcheck disable=SC1091
. /vtpm/config || die "no /vtpm/config"
[ -n "$VTPM_REPO" ] || die "VTPM_REPO not set in /vtpm/config"

for m in /modules/*.ko; do
	[ -e "$m" ] || continue
	insmod "$m" || die "insmod $m"
done

MSIZE=512000
p9() {	# p9 TAG DIR [extra options]
	mount -t 9p -o "trans=virtio,version=9p2000.L,msize=$MSIZE${3:+,$3}" "$1" "$2"
}

mkdir -p "$R"
p9 hostroot "$R" ro || die "mount 9p hostroot"
mount -t proc proc "$R/proc" || die "mount $R/proc"
mount -t sysfs sysfs "$R/sys" || die "mount $R/sys"
mount -t securityfs securityfs "$R/sys/kernel/security" ||
	die "mount $R/sys/kernel/security"
mount -t devtmpfs -o mode=0755 devtmpfs "$R/dev" || die "mount $R/dev"
# What udev would add: bash's process substitution, <(...), needs /dev/fd.
ln -sf /proc/self/fd "$R/dev/fd"
ln -sf /proc/self/fd/0 "$R/dev/stdin"
ln -sf /proc/self/fd/1 "$R/dev/stdout"
ln -sf /proc/self/fd/2 "$R/dev/stderr"
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts "$R/dev/pts" ||
	die "mount $R/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm" || die "mount $R/dev/shm"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp" || die "mount $R/tmp"
mount -t tmpfs -o mode=0755 tmpfs "$R/run" || die "mount $R/run"
mount -t tmpfs -o mode=0700 tmpfs "$R/root" || die "mount $R/root (HOME)"

# The host has no /mnt/out to mount on (its root is read-only): hide the
# host's /mnt under a tmpfs that has one.
if [ ! -d "$OUT" ]; then
	mount -t tmpfs -o mode=0755 tmpfs "$R/mnt" || die "mount $R/mnt"
	mkdir -p "$OUT" || die "mkdir $OUT"
fi

# The repository at its own path, above the tmpfs mounts (it may live
# under the host's /tmp).
mkdir -p "$R$VTPM_REPO" 2>/dev/null
p9 vtpmrepo "$R$VTPM_REPO" ro || die "mount 9p repository at $VTPM_REPO"
p9 vtpmout "$OUT" || die "mount 9p out at /mnt/out"

# The kernel runs its module loader (request_module) in this root, not in
# the chroot: hand the request to the chroot's modprobe, so that modules
# load on demand (crypto algorithms, ...) as they do on a real host.
mkdir -p /sbin
printf '#!/bin/sh\nexec /bin/chroot %s /sbin/modprobe "$@"\n' "$R" >/sbin/modprobe
chmod 0755 /sbin/modprobe
echo /sbin/modprobe >/proc/sys/kernel/modprobe

mkdir -p "$R/run/vtpm"
cp /vtpm/cmd.sh "$R/run/vtpm/cmd.sh" || die "copy cmd.sh"

# run.sh --tpm-faults: the channel to the host's tpm-fault watcher.
FAULT=$R/run/vtpm/fault
if [ "${VTPM_FAULTS:-0}" = 1 ]; then
	mkdir -p "$FAULT"
	p9 vtpmfault "$FAULT" || die "mount 9p tpm-fault channel at /run/vtpm/fault"
fi

# Ask the watcher to SIGCONT swtpm if the command left it stopped: QEMU
# would otherwise wait for it on the way out.  Same protocol as tpm-fault.
fault_end() {
	local i=0
	[ "${VTPM_FAULTS:-0}" = 1 ] || return 0
	if ! { echo end >"$FAULT/.0-end.req" &&
		mv "$FAULT/.0-end.req" "$FAULT/0-end.req"; }; then
		log "could not send the end request to the tpm-fault watcher"
		return 0
	fi
	while [ ! -e "$FAULT/0-end.ack" ]; do
		i=$((i + 1))
		[ "$i" -le 500 ] || { log "no answer from the tpm-fault watcher"; return 0; }
		sleep 0.01
	done
	rm -f "$FAULT/0-end.ack"
}
hostname vtpm-vm

log "running command"
chroot "$R" /usr/bin/env -i \
	HOME=/root \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	TERM=dumb \
	LANG=C.UTF-8 \
	VTPM_REPO="$VTPM_REPO" \
	VTPM_OUT=/mnt/out \
	/bin/bash /run/vtpm/cmd.sh </dev/null
rc=$?
log "command exited with status $rc"
fault_end

dmesg >"$OUT/dmesg.txt" || log "could not write dmesg.txt"
if ! { echo "$rc" >"$OUT/exit-status.tmp" &&
	mv "$OUT/exit-status.tmp" "$OUT/exit-status"; }; then
	log "could not write exit-status"
fi
sync
poweroff -f
sleep 5
