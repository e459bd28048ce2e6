#!/usr/bin/env bash
# System test: the same memsnoop on arm64. Cross-builds a static AArch64
# memsnoop (make ARCH=arm64 STATIC=1) and workload, boots Debian 12's arm64
# kernel under qemu-system-aarch64 -M virt -cpu max (TCG) and runs
# guest_61.sh there: exact counts per call type, every fault of the touched
# range (from the page-faults perf event: arm64 has no page_fault_user), the
# drop report, the SIGUSR1 layout against /proc/PID/maps, and a recording
# made in the guest that this x86 host's memsnoop must replay to what the
# guest printed (check_guest.py). Installs the cross toolchain
# (scripts/deps.sh arm64) and fetches the kernel (fetch.sh arm64) itself;
# skips (77) only when that is impossible. KERNELS_KEEP=DIR keeps the output.
set -u
. "$(dirname "$0")/../lib.sh"
HERE=$ROOT/tests/kernels
cd "$ROOT"
t0=$SECONDS
need_root

# 1. the cross toolchain, the kernel, qemu and an arm64 busybox
"$ROOT/scripts/deps.sh" arm64 >&2 || skip "cannot install the arm64 cross build (scripts/deps.sh arm64)"
fetched=$("$HERE/fetch.sh" arm64)
rc=$?
[ $rc -eq 77 ] && skip "cannot fetch the arm64 kernel or qemu (see above)"
[ $rc -eq 0 ] || fail "fetch.sh arm64 failed ($rc)"
kernel=$(echo "$fetched" | sed -n 1p)
busybox=$(echo "$fetched" | sed -n 2p)
[ -r "$kernel" ] && [ -r "$busybox" ] || fail "fetch.sh arm64 printed no kernel and busybox: $fetched"
echo "kernel: $kernel"
command -v python3 >/dev/null || skip "python3 missing (make deps)"
[ -x "$MEMSNOOP" ] || fail "no host memsnoop at $MEMSNOOP (make) to replay the guest's recording"

# 2. the static arm64 memsnoop, in .output-arm64 (incremental)
make --no-print-directory -j"$(nproc)" ARCH=arm64 STATIC=1 >&2 || fail "make ARCH=arm64 STATIC=1 failed"
ms=$ROOT/.output-arm64/memsnoop
desc=$(file -L "$ms")
echo "$desc" | grep -q 'ARM aarch64' && echo "$desc" | grep -q 'statically linked' ||
	fail "not a static AArch64 binary: $desc"
echo "memsnoop (arm64, static): $ms"

# 3. the workload, cross-compiled: freestanding and static
aarch64-linux-gnu-gcc -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -fno-pie -no-pie -O1 -Wall -Wextra -Werror \
	-o "$TMP/kwork" "$HERE/kwork.c" || fail "cannot cross-compile kwork"
cp "$ms" "$TMP/memsnoop"

# 4. boot and run everything there
t1=$SECONDS
BOOT_ARCH=arm64 BOOT_BUSYBOX=$busybox BOOT_TIMEOUT=${BOOT_TIMEOUT:-400} BOOT_LOG=$TMP/console.log \
	"$HERE/boot.sh" "$kernel" "$HERE/guest_61.sh" "$TMP/memsnoop" "$TMP/kwork" >"$TMP/guest.out"
rc=$?
echo "guest: boot.sh exit $rc, $((SECONDS - t1)) s in qemu"
if [ -n "${KERNELS_KEEP:-}" ]; then
	mkdir -p "$KERNELS_KEEP" && cp "$TMP/guest.out" "$TMP/console.log" "$KERNELS_KEEP/"
fi
if [ $rc -ne 0 ]; then
	tail -n 60 "$TMP/console.log"
	fail "the guest did not finish (boot.sh exit $rc)"
fi
grep -q 'page faults from .*page-faults perf event' "$TMP/guest.out" ||
	fail "memsnoop -v in the guest did not name the page-faults perf event as its fault hook"

# 5. check on the host; the guest's recording replays with the x86 memsnoop
echo "== checks on $(basename "$kernel")"
python3 "$HERE/check_guest.py" "$TMP/guest.out" "$MEMSNOOP" "$TMP" "$(basename "$kernel")" ||
	fail "checks failed (total $((SECONDS - t0)) s)"
ok "memsnoop passes on $(basename "$kernel") under qemu-system-aarch64 (total $((SECONDS - t0)) s)"
