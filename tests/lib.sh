# Shared helpers for the system tests (sourced). Tests exit 77 to skip.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MEMSNOOP=$ROOT/memsnoop
WL=$ROOT/.output/tests/workloads
TMP=$(mktemp -d /tmp/memsnoop-test.XXXXXX)
chmod 755 "$TMP"
trap 'cleanup_test' EXIT
CLEANUP_PIDS=()

cleanup_test() {
	local p
	for p in "${CLEANUP_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root to load BPF programs"
	[ -r /sys/kernel/btf/vmlinux ] || skip "kernel has no BTF (/sys/kernel/btf/vmlinux)"
}

# Start memsnoop in the background; waits until it says it is attached.
# Usage: start_memsnoop OUTFILE ARGS... ; sets MS_PID
start_memsnoop() {
	local out=$1
	shift
	"$MEMSNOOP" --ready-file "$TMP/ready" "$@" >"$out" 2>"$out.err" &
	MS_PID=$!
	CLEANUP_PIDS+=("$MS_PID")
	local i
	for i in $(seq 1 200); do
		[ -e "$TMP/ready" ] && { rm -f "$TMP/ready"; return 0; }
		kill -0 "$MS_PID" 2>/dev/null || { cat "$out.err"; fail "memsnoop died at start"; }
		sleep 0.05
	done
	fail "memsnoop not attached after 10 s"
}

stop_memsnoop() {
	kill -INT "$MS_PID" 2>/dev/null
	wait "$MS_PID"
	local rc=$?
	[ $rc -eq 0 ] || { cat "$1.err" 2>/dev/null; fail "memsnoop exited $rc"; }
}

. "$ROOT/tests/programs.sh"
BASELINE=$(unheld_programs) # pinned by someone else before we started: not ours

# Every program our runs loaded is gone (freed after an RCU grace period).
assert_detached() {
	# shellcheck disable=SC2086 # a list of ids
	no_leftovers $BASELINE || fail "memsnoop programs still loaded"
}
