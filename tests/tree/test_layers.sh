#!/usr/bin/env bash
# The layers of user/ (README.md, ARCHITECTURE): no module includes a header
# of a layer above its own; and the check does catch one that does.
# Reads files only: no root needed.
. "$(dirname "$0")/../lib.sh"

out=$("$ROOT/scripts/check_layers.sh" "$ROOT") || fail "upward includes:
$out"
ok "no module includes a header of a layer above it"

# a copy where the helpers reach up into a view, and a view into a source
cp -r "$ROOT/user" "$ROOT/include" "$TMP/"
echo '#include "view/top.h"' >>"$TMP/user/util/fmt.c"
echo '#include "source/live.h"' >>"$TMP/user/view/info.h"
out=$("$ROOT/scripts/check_layers.sh" "$TMP") && fail "an upward include passed the check"
grep -q 'user/util/fmt.c (util) includes user/view/top.h' <<<"$out" || fail "util -> view not named: $out"
grep -q 'user/view/info.h (view) includes user/source/live.h' <<<"$out" ||
	fail "view -> source (a sibling) not named: $out"
ok "the check names an upward include and a sibling's"
