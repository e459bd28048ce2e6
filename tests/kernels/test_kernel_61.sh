#!/usr/bin/env bash
# System test: compile once, run on another kernel. Builds one static memsnoop,
# boots Debian 12's stock kernel (6.1) under qemu (-accel tcg) and runs it
# there (guest_61.sh): exact counts (on fentry/fexit, then on the syscall
# trace events), which hook each memory call uses, the drop report, the layout at a
# checkpoint against /proc/PID/maps, and a recording that must replay on this
# host to what the guest printed (check_guest.py does the checking).
# Fetches what it needs itself (fetch.sh: apt); skips (77) only when that is
# impossible. Takes about a minute. KERNELS_KEEP=DIR keeps the guest output.
set -u
. "$(dirname "$0")/../lib.sh"
HERE=$ROOT/tests/kernels
cd "$ROOT"
t0=$SECONDS

# 1. the kernel and the host tools
kernel=$("$HERE/fetch.sh")
rc=$?
[ $rc -eq 77 ] && skip "cannot fetch the 6.1 kernel or qemu (see above)"
[ $rc -eq 0 ] && [ -r "$kernel" ] || fail "fetch.sh failed ($rc)"
echo "kernel: $kernel"
command -v python3 >/dev/null || skip "python3 missing (make deps)"

# 2. one static memsnoop, built apart from ./memsnoop. With a Makefile that
# takes BIN= it builds in this tree (OUTPUT=.output/static); otherwise from a
# copy of the sources in the cache (incremental: mtimes are kept).
build_static() {
	if grep -q '^BIN ?=' Makefile; then
		make --no-print-directory -j"$(nproc)" STATIC=1 OUTPUT=.output/static BIN=.output/static/memsnoop \
			.output/static/memsnoop >&2 || return 1
		echo "$ROOT/.output/static/memsnoop"
	else
		local b=$HERE/cache/static-build d
		mkdir -p "$b"
		for d in bpf include user vmlinux scripts Makefile; do
			rm -rf "${b:?}/$d"
			[ -e "$d" ] && cp -a "$d" "$b/"
		done
		make --no-print-directory -j"$(nproc)" -C "$b" STATIC=1 memsnoop >&2 || return 1
		echo "$b/memsnoop"
	fi
}
ms=$(build_static) || fail "make STATIC=1 failed"
file -L "$ms" | grep -q 'statically linked' || fail "$ms is not static: $(file -L "$ms")"
echo "memsnoop (static): $ms"

# 3. the workload: freestanding and static
gcc -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -fno-pie -no-pie -O1 -Wall -Wextra -Werror \
	-o "$TMP/kwork" "$HERE/kwork.c" || fail "cannot build kwork"
# every memory call: the counted workload, static (the guest has no libc)
gcc -static -O1 -Wall -Werror -D_GNU_SOURCE -Iinclude -o "$TMP/counted" \
	tests/workloads/counted.c -pthread -ldl || fail "cannot build counted (static)"
cp "$ms" "$TMP/memsnoop"

# 4. boot 6.1 and run everything there
t1=$SECONDS
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} BOOT_LOG=$TMP/console.log \
	"$HERE/boot.sh" "$kernel" "$HERE/guest_61.sh" "$TMP/memsnoop" "$TMP/kwork" "$TMP/counted" >"$TMP/guest.out"
rc=$?
echo "guest: boot.sh exit $rc, $((SECONDS - t1)) s in qemu"
if [ -n "${KERNELS_KEEP:-}" ]; then
	mkdir -p "$KERNELS_KEEP" && cp "$TMP/guest.out" "$TMP/console.log" "$KERNELS_KEEP/"
fi
if [ $rc -ne 0 ]; then
	tail -n 60 "$TMP/console.log"
	fail "the guest did not finish (boot.sh exit $rc)"
fi

# 5. check on the host
status=0
echo "== checks on $(basename "$kernel")"
# Debian's 6.1 allows fentry/fexit: every memory call must be on its handler
MS_EXPECT_HOOK=fentry python3 "$HERE/check_guest.py" "$TMP/guest.out" "$ms" "$TMP" "$(basename "$kernel")" || status=1

# 6. the same script and checks on this host's kernel, with the same binary
# (KERNELS_HOST=0 leaves it out)
if [ "${KERNELS_HOST:-1}" != 0 ] && [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	echo "== checks on the host ($(uname -r))"
	mkdir -p "$TMP/host"
	W=$TMP T=$TMP/host/run sh "$HERE/guest_61.sh" >"$TMP/host.out" 2>&1
	[ -n "${KERNELS_KEEP:-}" ] && cp "$TMP/host.out" "$KERNELS_KEEP/"
	python3 "$HERE/check_guest.py" "$TMP/host.out" "$ms" "$TMP/host" "the host ($(uname -r))" || status=1
fi
[ $status -eq 0 ] || fail "checks failed (total $((SECONDS - t0)) s)"
ok "memsnoop passes on $(basename "$kernel") and on $(uname -r) (total $((SECONDS - t0)) s)"
