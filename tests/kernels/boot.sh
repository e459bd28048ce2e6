#!/usr/bin/env bash
# Boot a kernel under qemu (software emulation) with a tiny busybox initramfs
# and run one shell script inside it.
#
#   tests/kernels/boot.sh KERNEL_VMLINUZ GUEST_SCRIPT [FILES...]
#
# The guest's /init mounts proc, sysfs, devtmpfs, tracefs (/sys/kernel/tracing),
# the bpf fs (/sys/fs/bpf) and a tmpfs on /tmp, then runs GUEST_SCRIPT with
# busybox sh in /work, where FILES are copied (by their base names). Nothing
# else is in the guest: whatever it runs must be static. The script's output
# (stdout and stderr) is printed on stdout; boot.sh exits with its status.
#
# Environment:
#   BOOT_TIMEOUT  hard limit for the whole boot in seconds (default 120)
#   BOOT_LOG      keep the full serial console log in this file
#   BOOT_MEM      guest memory in MiB (default 1024); BOOT_SMP (default 2)
#   BOOT_APPEND   extra kernel command line
#   BOOT_ARCH     x86 (default) or arm64: qemu-system-aarch64 -M virt -cpu max
#   BOOT_BUSYBOX  the guest's static busybox (default /bin/busybox; for arm64
#                 fetch.sh arm64 prints one; its applets are the host's list)
#   BOOT_KEEP     keep the initramfs and logs in /tmp/memsnoop-boot.*
# Exit status: the guest script's; 124 when the boot timed out; 125 when the
# guest never reported a status (crash, panic, bad initramfs); 77 when qemu or
# busybox is missing (run tests/kernels/fetch.sh).
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 KERNEL_VMLINUZ GUEST_SCRIPT [FILES...]" >&2
	exit 2
fi
kernel=$1 script=$2
shift 2
[ -r "$kernel" ] || { echo "boot: no kernel at $kernel" >&2; exit 2; }
[ -r "$script" ] || { echo "boot: no guest script at $script" >&2; exit 2; }
case "${BOOT_ARCH:-x86}" in
x86)
	qemu=qemu-system-x86_64
	# thread=single: with one host thread per vCPU, a vCPU can keep running a
	# stale translation of kernel text another vCPU just patched (a
	# tracepoint's int3 when a program is attached or detached) and the guest
	# locks up for good.
	machine=(-accel tcg,thread=single)
	kconsole=ttyS0
	;;
arm64)
	qemu=qemu-system-aarch64
	# pauth-impdef: QEMU's own pointer-authentication hash, far faster under TCG
	machine=(-M virt -cpu max,pauth-impdef=on -accel tcg,thread=single)
	kconsole=ttyAMA0
	;;
*) echo "boot: BOOT_ARCH is x86 or arm64" >&2; exit 2 ;;
esac
command -v $qemu >/dev/null || { echo "skip: $qemu missing (tests/kernels/fetch.sh installs it)" >&2; exit 77; }
command -v cpio >/dev/null || { echo "skip: cpio missing (tests/kernels/fetch.sh installs it)" >&2; exit 77; }
busybox=${BOOT_BUSYBOX:-/bin/busybox}
if ! [ -r "$busybox" ] || file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
	echo "skip: no static busybox at $busybox (apt-get install busybox-static)" >&2
	exit 77
fi
[ -x /bin/busybox ] || { echo "skip: /bin/busybox (busybox-static) lists the applets" >&2; exit 77; }

timeout_s=${BOOT_TIMEOUT:-120}
work=$(mktemp -d /tmp/memsnoop-boot.XXXXXX)
trap '[ -n "${BOOT_KEEP:-}" ] || rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,work,etc,root}

# busybox and its applets as symlinks
cp "$busybox" "$root/bin/busybox"
chmod 755 "$root/bin/busybox"
for app in $(/bin/busybox --list-full 2>/dev/null); do
	[ -e "$root/$app" ] || ln -s /bin/busybox "$root/$app"
done
[ -e "$root/bin/sh" ] || ln -s busybox "$root/bin/sh"

for f in "$@"; do
	[ -e "$f" ] || { echo "boot: no such file: $f" >&2; exit 2; }
	cp -a "$f" "$root/work/"
done
cp "$script" "$root/work/.guest.sh"

BEGIN_MARK='==== memsnoop-guest: begin ===='
END_MARK='==== memsnoop-guest: end ===='
STATUS_MARK='==== memsnoop-guest: exit status'

cat >"$root/init" <<INIT
#!/bin/busybox sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
# keep kernel messages off the console so they cannot split the output
echo 1 > /proc/sys/kernel/printk
ulimit -l unlimited 2>/dev/null
cd /work
echo '$BEGIN_MARK'
sh /work/.guest.sh </dev/null 2>&1
rc=\$?
echo '$END_MARK'
echo "$STATUS_MARK \$rc ===="
poweroff -f
INIT
chmod 755 "$root/init"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$work/initrd.cpio"

console=$work/console.log
start=$(date +%s.%N)
set +e
timeout -k 5 "$timeout_s" $qemu \
	"${machine[@]}" -m "${BOOT_MEM:-1024}" -smp "${BOOT_SMP:-2}" \
	-nographic -no-reboot -monitor none -serial stdio -nodefaults \
	-kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append "console=$kconsole quiet loglevel=1 panic=-1 oops=panic mitigations=off ${BOOT_APPEND:-}" \
	</dev/null >"$console" 2>"$work/qemu.err"
qrc=$?
set -e
end=$(date +%s.%N)
# drop carriage returns and the terminal resets that firmware and kernel print
tr -d '\r' <"$console" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[c78]//g' >"$console.txt"
[ -n "${BOOT_LOG:-}" ] && cp "$console.txt" "$BOOT_LOG"
awk -v s="$start" -v e="$end" 'BEGIN { printf "boot: qemu ran %.1f s\n", e - s }' >&2

# the script's output: the lines between the markers
awk -v b="$BEGIN_MARK" -v e="$END_MARK" 'index($0, e) { on = 0 } on { print } index($0, b) { on = 1 }' "$console.txt"
status=$(sed -n "s/^.*$STATUS_MARK \([0-9]*\) ====\$/\1/p" "$console.txt" | tail -n 1)
if [ -n "$status" ]; then
	exit "$status"
fi
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	echo "boot: timed out after $timeout_s s; console tail:" >&2
	rc=124
else
	echo "boot: the guest reported no exit status (qemu exit $qrc); console tail:" >&2
	rc=125
fi
tail -n 40 "$console.txt" | sed 's/^/  | /' >&2
sed 's/^/  qemu: /' "$work/qemu.err" >&2
exit $rc
