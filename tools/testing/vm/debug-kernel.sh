#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build, once, the debug kernel of make check-debug: Debian's
# linux-source-6.1 with x86_64_defconfig, kernel/configs/kvm_guest.config
# and tools/testing/vm/debug.config (KASAN, UBSAN, lockdep, kmemleak, ...).
#
#	debug-kernel.sh [DIR]		(default: .build/debug)
#
# The build is cached in DIR/KEY, KEY a hash of debug.config, the
# linux-source-6.1 package version and the compiler: a second call with
# nothing changed only prints.  Its modules are installed in
# /lib/modules/KVER (the guest of run.sh runs the host's root, and its
# modprobe looks there), which needs root.  On success prints three lines
# for the shell to eval:
#
#	KERNEL=DIR/KEY/bzImage  KVER=6.1.N-vtpm-debug  KDIR=DIR/KEY/build
#
# and, on standard error, how long the build took.  Exit status 1 on any
# failure, with the reason (an option of debug.config that the kernel's
# configuration did not keep is one).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=${1:-.build/debug}
frag=$here/debug.config
tarball=/usr/src/linux-source-6.1.tar.xz

fail() {
	echo "debug-kernel.sh: $*" >&2
	exit 1
}

[ -r "$tarball" ] || fail "no $tarball (apt-get install linux-source-6.1)"
srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
key=$( { cat "$frag"; echo "$srcver"; gcc --version | head -n 1; } |
	sha256sum | cut -c1-16)
dir=$(mkdir -p "$top" && cd "$top" && pwd)/$key

if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/src" "$dir/build"
	t0=$(date +%s)
	tar -xJf "$tarball" -C "$dir/src" --strip-components=1
	make -s -C "$dir/src" O="$dir/build" x86_64_defconfig >/dev/null
	"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
		"$dir/build/.config" "$dir/src/kernel/configs/kvm_guest.config" \
		"$frag" >/dev/null
	make -s -C "$dir/src" O="$dir/build" olddefconfig >/dev/null

	# every option we asked for must have stuck (a dependency missing
	# silently drops one)
	missing=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=n)
			opt=${line%%=*}
			! grep -q "^$opt=" "$dir/build/.config" && continue ;;
		CONFIG_*)
			grep -qxF "$line" "$dir/build/.config" && continue ;;
		*)
			continue ;;
		esac
		echo "debug-kernel.sh: not in the configuration: $line" >&2
		missing=1
	done <"$frag"
	[ "$missing" = 0 ] || fail "debug.config does not apply to this kernel"

	t1=$(date +%s)
	make -s -C "$dir/src" O="$dir/build" -j"$(nproc)" bzImage modules
	make -s -C "$dir/src" O="$dir/build" INSTALL_MOD_PATH="$dir/modroot" \
		modules_install
	t2=$(date +%s)
	echo "extract+configure $((t1 - t0)) s, build $((t2 - t1)) s, $(nproc) CPUs" \
		>"$dir/build-time"
	cp "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
	touch "$dir/.done"
fi

kver=$(cat "$dir/build/include/config/kernel.release")
if [ ! -f "/lib/modules/$kver/.vtpm-debug-$key" ]; then
	[ "$(id -u)" = 0 ] || fail "installing /lib/modules/$kver needs root"
	rm -rf "/lib/modules/$kver"
	cp -a "$dir/modroot/lib/modules/$kver" /lib/modules/
	touch "/lib/modules/$kver/.vtpm-debug-$key"
fi
echo "debug-kernel.sh: $(cat "$dir/build-time")" >&2
echo "KERNEL=$dir/bzImage"
echo "KVER=$kver"
echo "KDIR=$dir/build"
