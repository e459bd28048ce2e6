#!/usr/bin/env bash
# Fetch what the kernel tests need, once: qemu-system-x86, busybox-static and
# cpio from apt (installed when missing), and Debian 12's stock kernel image
# (the linux-image-6.1.*-amd64 that linux-image-amd64 depends on), downloaded
# with apt-get download and unpacked with dpkg -x into the cache.
# Prints the path of the vmlinuz on stdout (everything else goes to stderr).
#
# `fetch.sh arm64`: the same for Debian 12's arm64 kernel
# (linux-image-arm64:arm64, the architecture added to dpkg when missing),
# with qemu-system-arm; and a static arm64 busybox (busybox-static:arm64,
# downloaded and unpacked beside the kernel), whose path it prints on a
# second line.
#
# Cache: $MEMSNOOP_KCACHE, else /var/cache/memsnoop-kernels when writable
# (survives fresh clones, e.g. CI), else tests/kernels/cache (git-ignored).
# Exit 77 when something cannot be had (no apt, not root, no such package).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:-x86}
case "$arch" in
x86) qemu_pkg=qemu-system-x86 qemu=qemu-system-x86_64 kmeta=linux-image-amd64 kflavor=amd64 ;;
arm64) qemu_pkg=qemu-system-arm qemu=qemu-system-aarch64 kmeta=linux-image-arm64:arm64 kflavor=arm64 ;;
*) echo "usage: $0 [x86|arm64]" >&2 && exit 2 ;;
esac

log() { echo "fetch: $*" >&2; }
skip() { echo "skip: $*" >&2; exit 77; }

kcache() {
	if [ -n "${MEMSNOOP_KCACHE:-}" ]; then
		echo "$MEMSNOOP_KCACHE"
	elif mkdir -p /var/cache/memsnoop-kernels 2>/dev/null && [ -w /var/cache/memsnoop-kernels ]; then
		echo /var/cache/memsnoop-kernels
	else
		echo "$here/cache"
	fi
}
CACHE=$(kcache)
mkdir -p "$CACHE"

apt_updated=0
apt_update() {
	[ $apt_updated = 1 ] && return 0
	command -v apt-get >/dev/null || skip "no apt-get here: install $qemu_pkg busybox-static cpio by hand"
	[ "$(id -u)" = 0 ] || skip "not root: cannot apt-get install $qemu_pkg busybox-static cpio"
	if [ "$arch" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
		log "dpkg --add-architecture arm64"
		dpkg --add-architecture arm64
	fi
	log "apt-get update"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed (using the lists we have)"
	apt_updated=1
}

# 1. host tools
need_pkgs() {
	local missing="" p
	for p in $qemu_pkg busybox-static cpio; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	echo "$missing"
}
missing=$(need_pkgs)
if [ -n "$missing" ]; then
	apt_update
	log "installing$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
		skip "apt-get install$missing failed"
fi
command -v $qemu >/dev/null || skip "$qemu not found after install"
[ -x /bin/busybox ] || skip "/bin/busybox (busybox-static) not found"

# 2. the kernel: linux-image-amd64 -> linux-image-6.1.0-NN-amd64 (or arm64)
kpkg_name() {
	apt-cache depends "$kmeta" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { sub(/:.*/, "", $2); print $2; exit }'
}
# unpack DEB_PACKAGE's DIR into DEST once: apt-get download, dpkg-deb
unpack() {
	local pkg=$1 dir=$2 dest=$3 dl deb
	ls "$dest/$dir" >/dev/null 2>&1 && return 0
	dl=$CACHE/download
	rm -rf "$dl" && mkdir -p "$dl"
	log "apt-get download $pkg"
	(cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>&1) || {
		apt_update
		(cd "$dl" && apt-get download -q "$pkg" >&2) || skip "apt-get download $pkg failed"
	}
	deb=$(ls "$dl"/*.deb | head -n 1)
	rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
	log "unpacking $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dest.tmp" "./$dir"
	rm -rf "$dest" && mv "$dest.tmp" "$dest"
	rm -rf "$dl"
}
# the guest's busybox: the host's on x86, arm64's own beside the kernel
print_busybox() {
	[ "$arch" = arm64 ] || return 0
	unpack busybox-static:arm64 bin "$CACHE/busybox-static-arm64"
	echo "$CACHE/busybox-static-arm64/bin/busybox"
}
# A kernel already in the cache is used as is (no network needed).
existing=$(ls -d "$CACHE"/linux-image-6.1.*-"$kflavor"/boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$existing" ] && [ -z "${MEMSNOOP_KREFRESH:-}" ]; then
	echo "$existing"
	print_busybox
	exit 0
fi
pkg=$(kpkg_name)
if [ -z "$pkg" ]; then
	apt_update
	pkg=$(kpkg_name)
fi
case "$pkg" in
linux-image-6.1.*-"$kflavor") ;;
*) skip "$kmeta does not depend on a linux-image-6.1.*-$kflavor here (got '${pkg:-nothing}')" ;;
esac
dest=$CACHE/$pkg
# Only /boot is needed (vmlinuz, config, System.map); modules are not.
if [ "$arch" = arm64 ]; then
	unpack "$pkg:arm64" boot "$dest"
else
	unpack "$pkg" boot "$dest"
fi
ls "$dest"/boot/vmlinuz-* | head -n 1
print_busybox
