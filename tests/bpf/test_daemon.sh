#!/bin/bash
# As a daemon: SIGHUP with -o FILE opens a new FILE at its name (log rotation
# moved the old one) and tracing goes on: the events before the signal are in
# the moved file, those after in the new one; SIGTERM detaches, exit 0.
source "$(dirname "$0")/../lib.sh"
need_root
cp "$WL/counted" "$TMP/hupwl" || fail "no counted workload"
start_memsnoop "$TMP/stdout" -j -o "$TMP/ev.json" -c hupwl
"$TMP/hupwl" --no-fork 2>/dev/null & first=$!
wait $first
sleep 0.5 # the ring buffer and the reorder window
mv "$TMP/ev.json" "$TMP/ev.json.1"
kill -HUP "$MS_PID"
for _ in $(seq 50); do [ -e "$TMP/ev.json" ] && break; sleep 0.1; done
[ -e "$TMP/ev.json" ] || fail "no new output file after SIGHUP"
"$TMP/hupwl" --no-fork 2>/dev/null & second=$!
wait $second
sleep 0.5
kill -TERM "$MS_PID"
wait "$MS_PID" || { cat "$TMP/stdout.err"; fail "memsnoop exited $? after SIGHUP, SIGTERM"; }
pids() { python3 -c 'import json, sys
print(" ".join(sorted({str(json.loads(l)["pid"]) for l in open(sys.argv[1]) if l.strip()})))' "$1"; }
[ "$(pids "$TMP/ev.json.1")" = "$first" ] || fail "before SIGHUP: pids $(pids "$TMP/ev.json.1"), not $first"
[ "$(pids "$TMP/ev.json")" = "$second" ] || fail "after SIGHUP: pids $(pids "$TMP/ev.json"), not $second"
[ "$(grep -c '"event":"mmap"' "$TMP/ev.json")" -gt 0 ] || fail "no mmap after SIGHUP"
assert_detached
ok "SIGHUP re-opened -o FILE: $first's events in the moved file, $second's in the new one"
