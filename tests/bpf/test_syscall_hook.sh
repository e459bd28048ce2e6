#!/bin/bash
# The memory calls' hook (--syscall-hook): -v names the hook of each call;
# forced fentry either puts every call on its handler or fails with one line
# (this project's host kernel refuses fentry/fexit); forced tp and the
# default both trace every call exactly (counted, between its markers).
. "$(dirname "$0")/../lib.sh"
need_root

hooks() { # HOOK -> the -v lines naming each hook's calls, in $TMP/v.err
	"$MEMSNOOP" -v --syscall-hook="$1" -- /bin/true >/dev/null 2>"$TMP/v.err"
}
calls_on() { # KIND (fentry/fexit | syscall trace events) -> its calls, or "none"
	sed -n "s|.*memory calls on $1 *||p" "$TMP/v.err"
}

# forced tp: every call on the trace events, none on the handlers
hooks tp || fail "--syscall-hook=tp failed: $(cat "$TMP/v.err")"
[ "$(calls_on fentry/fexit)" = none ] || fail "tp: calls on fentry: $(calls_on fentry/fexit)"
calls_on "syscall trace events" | grep -qw mmap || fail "tp: mmap not on its trace events"
ok "--syscall-hook=tp: $(calls_on "syscall trace events" | wc -w) calls on trace events"

# forced fentry: all on the handlers, or one clear line and exit 1
if hooks fentry; then
	[ "$(calls_on "syscall trace events")" = none ] ||
		fail "fentry: calls left on trace events: $(calls_on "syscall trace events")"
	ok "--syscall-hook=fentry: $(calls_on fentry/fexit | wc -w) calls on their handlers"
	want=fentry/fexit
else
	rc=$?
	"$MEMSNOOP" --syscall-hook=fentry -- /bin/true >/dev/null 2>"$TMP/f.err"
	[ $rc -eq 1 ] && [ "$(wc -l <"$TMP/f.err")" -eq 1 ] &&
		grep -q "refuses fentry/fexit.*--syscall-hook=auto or tp" "$TMP/f.err" ||
		fail "--syscall-hook=fentry refused: want exit 1 and one line, got $rc: $(cat "$TMP/f.err")"
	ok "--syscall-hook=fentry on $(uname -r): $(cat "$TMP/f.err")"
	want="syscall trace events"
fi

# the default: the cheapest hook the kernel allows, named by -v
hooks auto || fail "--syscall-hook=auto failed: $(cat "$TMP/v.err")"
calls_on "$want" | grep -qw mmap || fail "auto: mmap not on $want: $(grep 'memory calls' "$TMP/v.err")"
ok "default: mmap on $want"

# exact counts on each hook the kernel allows: every call kind of counted
for hook in tp auto; do
	"$MEMSNOOP" -j --syscall-hook=$hook -- "$WL/counted" --no-fork >"$TMP/c.json" 2>"$TMP/c.err" ||
		fail "$hook: memsnoop exited $?: $(tail -n 3 "$TMP/c.err")"
	PYTHONPATH=$ROOT/tests python3 - "$TMP/c.json" "$TMP/c.err" "$hook" <<'PY' || fail "$hook: counts differ"
import json, sys
from memsnoop_test import between_markers, count, json_lines
events = json_lines(open(sys.argv[1]).read())
w = [json.loads(l) for l in open(sys.argv[2]) if l.startswith('{"pid"')][0]
names = [k for k, v in w.items() if isinstance(v, int) and k not in ("pid", "touched", "mmap_failed")]
ev = between_markers(events, w["pid"])
bad = ["%s %d, made %d" % (n, count(ev, n), w[n]) for n in names if count(ev, n) != w[n]]
if bad:
    print("FAIL: " + "; ".join(bad))
    sys.exit(1)
print("ok: %s: %d call kinds, counts exact" % (sys.argv[3], len(names)))
PY
done

expect_err() {
	"$MEMSNOOP" --syscall-hook=bogus -- /bin/true >/dev/null 2>"$TMP/e.err" && fail "bogus hook accepted"
	grep -q "unknown syscall hook 'bogus'" "$TMP/e.err" || fail "bogus hook: $(cat "$TMP/e.err")"
}
expect_err
assert_detached
echo ok
