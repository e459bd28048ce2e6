#!/bin/sh
# Install memsnoop's build and test packages with apt-get when any is missing.
# `scripts/deps.sh arm64` also installs the arm64 cross build's: Debian's
# cross compiler and the arm64 multiarch -dev packages (the architecture is
# added to dpkg when missing), for `make ARCH=arm64 STATIC=1`.
# `scripts/deps.sh report` also installs Chromium, which the report's test
# opens its page in.
set -eu
pkgs="clang llvm libbpf-dev bpftool libdw-dev libbz2-dev liblzma-dev libelf-dev zlib1g-dev
libzstd-dev libncurses-dev pkg-config make gcc python3 jq tmux util-linux libmicrohttpd-dev prometheus"
add_arch=""
for arch in "$@"; do
	case "$arch" in
	arm64)
		pkgs="$pkgs gcc-aarch64-linux-gnu libc6-dev-arm64-cross libbpf-dev:arm64
libdw-dev:arm64 libbz2-dev:arm64 liblzma-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 libncurses-dev:arm64"
		dpkg --print-foreign-architectures | grep -qx arm64 || add_arch="$add_arch arm64"
		;;
	report) # tests/views/test_report.sh opens the page in headless Chromium
		pkgs="$pkgs chromium"
		;;
	x86 | amd64 | "") ;;
	*)
		echo "memsnoop: no cross build for '$arch' (arm64 only)" >&2
		exit 1
		;;
	esac
done
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
	echo "memsnoop: missing packages:$missing (no apt-get here: install them by hand)" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "memsnoop: missing packages:$missing; run as root (sudo make ...) to install them" >&2
	exit 1
fi
for arch in $add_arch; do
	dpkg --add-architecture "$arch"
done
echo "memsnoop: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
