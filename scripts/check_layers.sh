#!/usr/bin/env bash
# The layers of user/ (README.md, ARCHITECTURE): a file may include headers
# of its own layer and of the layers below it, never of one above it nor of
# a sibling on its level. Prints each include that breaks this and fails.
# Usage: scripts/check_layers.sh [ROOT]   (ROOT: the tree to check, default this one)
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

# the level of a layer: higher includes lower
level() {
	case $1 in
	abi) echo 0 ;; # include/events.h, the BPF skeleton
	util) echo 1 ;;
	trace | model) echo 2 ;;
	stream) echo 3 ;; # hands consumers what the model did
	symbols) echo 3 ;; # call stacks: unwinds against the model, a stage beside it
	analysis) echo 4 ;;
	source | view | export) echo 5 ;;
	commands) echo 6 ;;
	cli) echo 7 ;;
	*) echo 99 ;;
	esac
}

# the layer a path under user/ belongs to
layer_of() {
	case $1 in
	user/main.c | user/cli.[ch]) echo cli ;;
	user/session.[ch] | user/commands/*) echo commands ;;
	user/stream.[ch]) echo stream ;;
	user/*/*) local d=${1#user/} && echo "${d%%/*}" ;;
	*) echo unknown ;;
	esac
}

# Exceptions to the rule, each with its reason: none today.
allowed() {
	return 1
}

# "x.h" as the compiler finds it: beside the file, in include/, in user/
resolve() {
	local dir=$1 name=$2
	for p in "$dir/$name" "include/$name" "user/$name"; do
		[ -f "$p" ] && { echo "$p"; return; }
	done
	echo "abi/$name" # generated (the skeleton): below everything
}

bad=0
while IFS= read -r file; do
	from=$(layer_of "$file")
	while IFS= read -r name; do
		to_path=$(resolve "$(dirname "$file")" "$name")
		case $to_path in
		include/* | abi/*) to=abi ;;
		*) to=$(layer_of "$to_path") ;;
		esac
		[ "$to" = "$from" ] && continue
		[ "$(level "$to")" -lt "$(level "$from")" ] && continue
		allowed "$file" "$to_path" && continue
		echo "$file ($from) includes $to_path ($to): a layer not below its own"
		bad=1
	done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$file")
done < <(find user -name '*.[ch]' | sort)
exit $bad
