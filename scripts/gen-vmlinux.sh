#!/bin/sh
# Regenerate vmlinux/<arch>/vmlinux.h from a kernel's BTF.
# memsnoop is CO-RE: this header only needs to be new enough to name the types
# the BPF code reads; libbpf relocates field offsets on each kernel at load.
#
#   scripts/gen-vmlinux.sh                  the running kernel's, for its arch
#   scripts/gen-vmlinux.sh ARCH FILE        FILE: raw BTF, an ELF vmlinux, or a
#                                           kernel Image (arm64's vmlinuz) whose
#                                           .BTF blob is found by its header
# vmlinux/arm64 comes from Debian 12's arm64 kernel:
#   apt-get download linux-image-6.1.0-NN-arm64:arm64 (after dpkg
#   --add-architecture arm64), dpkg-deb -x it, then
#   scripts/gen-vmlinux.sh arm64 boot/vmlinuz-6.1.0-NN-arm64
set -eu
arch=${1:-$(uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')}
btf=${2:-/sys/kernel/btf/vmlinux}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -f "$btf" ] && ! head -c 4 "$btf" | od -An -tx1 | grep -q '9f eb\|7f 45 4c 46'; then
	# a raw kernel image: the BTF blob is its header (magic, version 1,
	# flags 0, hdr_len 24) followed by type_off/len and str_off/len
	python3 - "$btf" "$tmp/btf" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
at = 0
while True:
    at = data.find(b"\x9f\xeb\x01\x00\x18\x00\x00\x00", at)
    if at < 0:
        sys.exit("no BTF blob in " + sys.argv[1])
    t_off, t_len, s_off, s_len = struct.unpack_from("<IIII", data, at + 8)
    if t_len > 1 << 20 and s_off >= t_off + t_len:
        open(sys.argv[2], "wb").write(data[at:at + 24 + s_off + s_len])
        break
    at += 1
PY
	btf=$tmp/btf
fi
mkdir -p "vmlinux/$arch"
bpftool btf dump file "$btf" format c > "vmlinux/$arch/vmlinux.h.tmp"
mv "vmlinux/$arch/vmlinux.h.tmp" "vmlinux/$arch/vmlinux.h"
echo "vmlinux/$arch/vmlinux.h from ${2:-$(uname -r)}"
