#!/usr/bin/env bash
# Hostile trace files, replayed by every command under ASan/UBSan (make SAN=1,
# built into .output-san/): crafted records with valid checksums (a time of
# 2^64-1, INT64_MIN results, random records), a path of 600 characters, and
# files that are not traces (FIFO, device, directory, socket). Each run must
# end within a time limit, stay under a memory limit, print no sanitizer
# report, and exit 0 or 1 with a one-line error. SIGINT stops a replay of a
# large trace within a second.
source "$(dirname "$0")/../lib.sh"
need_root
cd "$ROOT" || exit 1

make -s -j2 SAN=1 >"$TMP/make.log" 2>&1 || { tail "$TMP/make.log"; fail "make SAN=1"; }
make -s .output/fuzz/gen_corpus >"$TMP/make.log" 2>&1 || { tail "$TMP/make.log"; fail "gen_corpus"; }
SAN=$ROOT/.output-san/memsnoop
LIMIT=${HOSTILE_TIMEOUT:-20} # seconds per run: loaded CI machines are slow under ASan
export ASAN_OPTIONS=exitcode=86:hard_rss_limit_mb=1024:abort_on_error=0
export UBSAN_OPTIONS=exitcode=86:print_stacktrace=1:halt_on_error=1

T=$TMP/t
mkdir -p "$T"
.output/fuzz/gen_corpus --hostile "$T" || fail "cannot write the crafted traces"

# Every command that replays a file; @ stands for the file.
COMMANDS=("-r @" "-r @ -j" "-r @ -T" "maps -r @" "maps -r @ --at 1" "layout -r @ -p 100 --once"
	"top -r @ -b" "info -r @" "export --perfetto -r @ -o $TMP/out.json --force")
failures=0
bad() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# replay FILE EXPECT [PATTERN]: every command; EXPECT is the exit status (0, 1, or
# any: 0 or 1); with status 1 the error must be one line matching PATTERN.
replay() {
	local file=$1 expect=$2 pattern=${3:-} cmd rc err
	for cmd in "${COMMANDS[@]}"; do
		# shellcheck disable=SC2086
		set -- ${cmd//@/$file}
		timeout -k 1 "$LIMIT" "$SAN" "$@" >/dev/null 2>"$TMP/err"
		rc=$?
		err=$(grep -v 'warning\|^memsnoop: [0-9]* events' "$TMP/err")
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			bad "$(basename "$file") [$cmd]: still running after ${LIMIT}s"
		elif grep -q 'Sanitizer\|runtime error\|LeakSanitizer' "$TMP/err"; then
			bad "$(basename "$file") [$cmd]: $(grep -m1 'SUMMARY\|runtime error' "$TMP/err")"
		elif { [ "$expect" = any ] && [ $rc -gt 1 ]; } ||
			{ [ "$expect" != any ] && [ $rc -ne "$expect" ]; }; then
			bad "$(basename "$file") [$cmd]: exit $rc, not $expect: $(head -c 300 "$TMP/err")"
		elif [ $rc = 1 ] && { [ "$(echo "$err" | wc -l)" != 1 ] ||
			! echo "$err" | grep -q -- "$pattern"; }; then
			bad "$(basename "$file") [$cmd]: not one clear error: $(head -c 300 "$TMP/err")"
		fi
	done
}

replay "$T/ts-max.seed" 0
ok "a record at time 2^64-1"
replay "$T/int64-min-ret.seed" 0
ok "calls returning INT64_MIN"
for f in "$T"/random-*.seed; do
	replay "$f" any # 1: one clear line, e.g. no process 100 at that moment
done
ok "random records with valid checksums"

# A path of 600 characters: to a damaged trace (a warning naming the offset,
# exit 0) and to a file that is no trace (a one-line error, exit 1).
long=$TMP/$(printf 'a%.0s' {1..200})/$(printf 'b%.0s' {1..200})/$(printf 'c%.0s' {1..190})
mkdir -p "$long"
cp "$T/ts-max.seed" "$long/damaged.seed"
size=$(stat -c %s "$long/damaged.seed")
printf '\377\377\377\377' | dd of="$long/damaged.seed" bs=1 seek=$((size - 40)) conv=notrunc status=none
"$SAN" -r "$long/damaged.seed" >/dev/null 2>"$TMP/err" ||
	bad "damaged trace at a long path: exit $?: $(head -c 300 "$TMP/err")"
grep -q "offset [0-9]" "$TMP/err" || bad "no offset in the damage report: $(head -c 300 "$TMP/err")"
replay "$long/damaged.seed" 0
head -c 100 /dev/urandom >"$long/garbage.seed"
replay "$long/garbage.seed" 1 "not a memsnoop trace"
ok "a path of ${#long} characters"

# Files that are not traces: refused at once, never read or waited on.
mkfifo "$TMP/fifo"
replay "$TMP/fifo" 1 "not a regular file (a FIFO)"
mknod "$TMP/zero" c 1 5
replay "$TMP/zero" 1 "not a regular file (a character device)"
mkdir "$TMP/dir.seed"
replay "$TMP/dir.seed" 1 "is a directory"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/sock"
replay "$TMP/sock" 1 "cannot open"
ok "FIFO, device, directory and socket refused"

# SIGINT (and SIGTERM) stop a long replay at once, with a warning: within 3 s,
# since the ASan build's exit (freeing, the leak check) takes about a second
# of its own on a loaded 2-core machine.
for sig in INT TERM; do
	for cmd in "-r @" "-r @ -j"; do
		# shellcheck disable=SC2086
		set -- ${cmd//@/$T/big.seed}
		"$SAN" "$@" >/dev/null 2>"$TMP/err" &
		pid=$!
		CLEANUP_PIDS+=("$pid")
		sleep 1
		kill -0 $pid 2>/dev/null || { bad "[$cmd] ended before SIG$sig: the trace is too small"; continue; }
		start=$(date +%s%N)
		kill -$sig $pid
		for _ in $(seq 150); do kill -0 $pid 2>/dev/null || break; sleep 0.02; done
		wait $pid
		rc=$?
		ms=$((($(date +%s%N) - start) / 1000000))
		[ $ms -le 3000 ] || bad "[$cmd] SIG$sig: still replaying after $ms ms"
		[ $rc = 1 ] && grep -q "interrupted" "$TMP/err" ||
			bad "[$cmd] SIG$sig: exit $rc: $(head -c 300 "$TMP/err")"
	done
done
ok "SIGINT and SIGTERM stop a replay"

[ $failures = 0 ] || fail "$failures hostile cases failed"
echo PASS
