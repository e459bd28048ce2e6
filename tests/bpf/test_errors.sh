#!/bin/bash
# Every user error: a clear one-line message and exit status 1.
. "$(dirname "$0")/../lib.sh"
need_root

expect() { # expect "pattern" cmd... : exit 1, one stderr line matching pattern
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	[ $rc -eq 1 ] || fail "$* exited $rc, want 1: $(cat "$TMP/err")"
	grep -q -- "$want" "$TMP/err" || fail "$*: want '$want', got: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/err")" -le 2 ] || fail "$*: too chatty: $(cat "$TMP/err")"
	ok "$* -> $(head -n 1 "$TMP/err")"
}

# an unprivileged user, with its own copy of the binary it can read
cp "$MEMSNOOP" "$TMP/memsnoop" && chmod 755 "$TMP/memsnoop"
expect "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/memsnoop"
expect "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/memsnoop" -p 1

expect "no BTF" "$MEMSNOOP" --btf-path /nonexistent
pid=4194000
while kill -0 $pid 2>/dev/null; do pid=$((pid - 1)); done
expect "no process with pid $pid" "$MEMSNOOP" -p $pid
expect '{"error":"no process with pid' "$MEMSNOOP" -j -p $pid
expect "cannot run '/nonexistent/prog': No such file" "$MEMSNOOP" -- /nonexistent/prog
expect "invalid ring buffer size" "$MEMSNOOP" --ringbuf-size 1000
expect "invalid ring buffer size" "$MEMSNOOP" --ringbuf-size 12K
expect "invalid duration" "$MEMSNOOP" -d abc
expect "invalid duration" "$MEMSNOOP" -d -1
expect "invalid interval" "$MEMSNOOP" -i 0
expect "invalid PID list" "$MEMSNOOP" -p 12x
expect "invalid PID list" "$MEMSNOOP" -p 0
expect "at most 256" "$MEMSNOOP" -p "$(seq -s, 1 300)"
expect "pid 2 (kthreadd) is a kernel thread" "$MEMSNOOP" -p 2 # kthreadd (the initial pid namespace)
expect "command name must be" "$MEMSNOOP" -c averyveryverylongname
expect "unrecognized option" "$MEMSNOOP" --bogus
expect "unexpected argument" "$MEMSNOOP" stray
expect "nothing to run after --" "$MEMSNOOP" --
expect "unknown format" "$MEMSNOOP" maps --format=xml

# tracefs absent and unmountable: a private mount namespace without it, and a
# user with CAP_BPF and CAP_PERFMON but not CAP_SYS_ADMIN (so mount fails)
if unshare -m true 2>/dev/null; then
	expect "tracefs is not mounted" unshare -m sh -c '
		umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null
		exec setpriv --reuid=65534 --regid=65534 --clear-groups \
			--inh-caps=-all,+bpf,+perfmon --ambient-caps=-all,+bpf,+perfmon "$0"' "$TMP/memsnoop"
fi
assert_detached
echo ok
