#!/bin/sh
# Install memsnoop's build and test packages with apt-get when any is missing.
set -eu
pkgs="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev libncurses-dev
pkg-config make gcc python3 jq tmux util-linux"
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
echo "memsnoop: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
