#!/usr/bin/env bash
# Both fuzzers, briefly: the trace reader over raw bytes (trace_fuzz) and the
# whole replay pipeline over records (pipeline_fuzz: model, every view, the
# export). Each first replays its seeds and every past crasher, then fuzzes
# for a while (FUZZ_SECONDS, default 15 s each). Builds them with `make
# fuzzers` (clang with libFuzzer); exit 77 (skip) without clang.
set -u
cd "$(dirname "$0")/../.."
out=.output/fuzz
secs=${FUZZ_SECONDS:-15}

command -v "${CLANG:-clang}" >/dev/null || { echo "no clang: skipped"; exit 77; }
make -s -j2 fuzzers >"$out.build.log" 2>&1 ||
	{ tail -n 20 "$out.build.log"; echo "cannot build the fuzzers with libFuzzer: skipped"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work" "$work.log"' EXIT

# fuzz NAME SEED-DIR REGRESSION-DIRS... : replay the inputs, then fuzz.
fuzz() {
	local name=$1 seeds=$2 inputs a rc
	shift 2
	inputs=$(find "$seeds" "$@" -type f ! -name '*.md' | sort)
	# shellcheck disable=SC2086
	"$out/$name" -runs=1 $inputs >/dev/null 2>"$out/$name.replay.log" ||
		{ tail -n 40 "$out/$name.replay.log"; echo "FAIL: a $name corpus or crasher input fails"; exit 1; }
	echo "$name: replayed $(echo "$inputs" | wc -l) inputs"
	mkdir -p "$work/$name"
	"$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$work/" "$work/$name" "$seeds" 2>"$work.log"
	rc=$?
	tail -n 12 "$work.log"
	for a in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
		[ -e "$a" ] && cp "$a" "$out/" && echo "artifact kept: $out/$(basename "$a")"
	done
	[ $rc -eq 0 ] || { echo "FAIL: $name found a problem (exit $rc)"; exit 1; }
}

fuzz trace_fuzz tests/fuzz/corpus tests/fuzz/crashers
fuzz pipeline_fuzz tests/fuzz/records
echo "PASS"
