#!/bin/sh
# Regenerate vmlinux/<arch>/vmlinux.h from the running kernel's BTF.
# memsnoop is CO-RE: this header only needs to be new enough to name the types
# the BPF code reads; libbpf relocates field offsets on each kernel at load.
set -eu
arch=$(uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
btf=${1:-/sys/kernel/btf/vmlinux}
mkdir -p "vmlinux/$arch"
bpftool btf dump file "$btf" format c > "vmlinux/$arch/vmlinux.h.tmp"
mv "vmlinux/$arch/vmlinux.h.tmp" "vmlinux/$arch/vmlinux.h"
echo "vmlinux/$arch/vmlinux.h from $(uname -r)"
