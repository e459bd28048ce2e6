#!/usr/bin/env bash
# The trace reader's fuzzer, briefly: every seed and every past crasher, then
# ~20 s of fuzzing. Builds .output/fuzz/trace_fuzz if needed (clang with
# libFuzzer); exit 77 (skip) without it. FUZZ_SECONDS overrides the 20 s.
set -u
cd "$(dirname "$0")/../.."
bin=.output/fuzz/trace_fuzz
secs=${FUZZ_SECONDS:-20}
src="tests/fuzz/trace_fuzz.c $(ls user/trace/*.c) user/util/outfile.c"

need_build=0
[ -x "$bin" ] || need_build=1
for f in $src user/trace/*.h user/util/outfile.h include/events.h; do
	[ "$f" -nt "$bin" ] && need_build=1
done
if [ $need_build = 1 ]; then
	command -v "${CLANG:-clang}" >/dev/null || { echo "no clang: skipped"; exit 77; }
	mkdir -p .output/fuzz
	# shellcheck disable=SC2086
	"${CLANG:-clang}" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -std=gnu11 -D_GNU_SOURCE \
		-Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
		-Iinclude -Iuser $src -lzstd -lz -o "$bin" ||
		{ echo "cannot build the fuzzer with libFuzzer: skipped"; exit 77; }
fi

# Regression inputs: each must run clean (a crash exits non-zero).
inputs=$(find tests/fuzz/corpus tests/fuzz/crashers -type f ! -name '*.md' | sort)
if [ -n "$inputs" ]; then
	# shellcheck disable=SC2086
	"$bin" -runs=1 $inputs >/dev/null 2>.output/fuzz/replay.log ||
		{ tail -n 40 .output/fuzz/replay.log; echo "FAIL: a corpus or crasher input fails"; exit 1; }
	echo "replayed $(echo "$inputs" | wc -l) inputs"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work" tests/fuzz/corpus 2>"$work.log"
rc=$?
tail -n 15 "$work.log"
for a in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
	[ -e "$a" ] && cp "$a" .output/fuzz/ && echo "artifact kept: .output/fuzz/$(basename "$a")"
done
rm -f "$work.log"
[ $rc -eq 0 ] || { echo "FAIL: the fuzzer found a problem (exit $rc)"; exit 1; }
echo "PASS"
