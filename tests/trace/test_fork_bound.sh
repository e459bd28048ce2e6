#!/bin/bash
# A crafted recording: one process seeded with 60,000 regions, then forked 400
# times (340 KB). Replayed by every command, it must stay small (forks share
# the layout until a side changes it) and right: each child's layout is its
# parent's. Before: 4 GB and 30 s for `info -r`. Runs under a 1 GB address
# space limit, so a regression fails fast instead of swapping the machine.
. "$(dirname "$0")/../lib.sh"
GEN=$ROOT/.output/tests/unit/model_fork_share_test
[ -x "$GEN" ] || fail "no $GEN: make check-tests"
LIMIT_KB=$((200 * 1024))
trace=$TMP/fork.msnp
"$GEN" "$trace" 400 || fail "cannot write the crafted trace"
echo "trace: $(stat -c %s "$trace") bytes"

# A sanitizer build reserves terabytes of address space: no limit then.
vlimit=1048576
ldd "$MEMSNOOP" | grep -q libasan && vlimit=unlimited

run() { # name args...: output in $TMP/name.out, peak RSS (KB) checked
	local name=$1 rss
	shift
	(ulimit -v $vlimit && exec /usr/bin/time -f %M -o "$TMP/$name.rss" "$MEMSNOOP" "$@") \
		>"$TMP/$name.out" 2>"$TMP/$name.err" ||
		fail "$name: exit $?: $(tail -3 "$TMP/$name.err")"
	rss=$(tail -1 "$TMP/$name.rss")
	echo "$name: peak RSS $rss KB"
	[ "$rss" -lt $LIMIT_KB ] || fail "$name: peak RSS $rss KB, over $LIMIT_KB KB"
}

run info info -r "$trace"
grep -q "fork 400" "$TMP/info.out" || fail "info: no 'fork 400': $(cat "$TMP/info.out")"
run maps_parent maps -r "$trace" --once --format=maps -p 100
run maps_child maps -r "$trace" --once --format=maps -p 101
run maps_last maps -r "$trace" --once --format=maps -p 500
[ "$(grep -vc '^#' "$TMP/maps_parent.out")" = 60000 ] || fail "parent: not 60,000 regions"
for c in maps_child maps_last; do
	diff <(grep -v '^#' "$TMP/maps_parent.out") <(grep -v '^#' "$TMP/$c.out") >/dev/null ||
		fail "$c: the layout differs from the parent's"
done
ok "children's layouts equal the parent's (60,000 regions)"
run json -r "$trace" -j
[ "$(grep -c '"event":"fork"' "$TMP/json.out")" = 400 ] || fail "-j: not 400 fork events"
run top top -r "$trace" -b
[ "$(grep -c ' big  *234M ' "$TMP/top.out")" = 401 ] ||
	fail "top: not 401 rows of 234M: $(head -5 "$TMP/top.out")"
ok "every command within $LIMIT_KB KB"
