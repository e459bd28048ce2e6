#!/bin/bash
# How fast `memsnoop report` turns a large system-wide recording into a page,
# and how big the page is (issue: a 20 MB recording gives a page under 10 MB in
# under 10 s). Records the whole machine (--faults) while processes come and
# go, until the file holds SIZE MB, then times the report. Run as root:
#   make report-perf            or   bench/report_perf.sh [SIZE_MB] [RECORDING]
# A RECORDING given is used as it is. REPORT_RECORD: the record options
# (default --faults; REPORT_RECORD="--faults --stacks" for the call sites).
set -eu
cd "$(dirname "$0")/.."
size_mb=${1:-20}
rec=${2:-}
tmp=$(mktemp -d /tmp/ms-report-perf.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
wl=.output/tests/workloads
if [ -z "$rec" ]; then
	rec=$tmp/rec.msnp
	# shellcheck disable=SC2086 # the options, split
	./memsnoop record ${REPORT_RECORD:---faults} -o "$rec" -d 120 >/dev/null 2>&1 &
	recorder=$!
	sleep 2
	# short and long lives, threads, heaps, mmaps: many processes' worth of layouts
	while [ "$(stat -c %s "$rec" 2>/dev/null || echo 0)" -lt $((size_mb << 20)) ]; do
		for _ in 1 2 3 4; do
			python3 -c 'x=[bytearray(i * 1000) for i in range(400)]' &
			echo | $wl/grow_threads 4 0.2 >/dev/null &
			sh -c 'ls /usr/lib >/dev/null' &
		done
		wait $(jobs -p | grep -vx "$recorder") 2>/dev/null || true
	done
	kill -INT "$recorder"
	wait "$recorder" || true
fi
timer="" # GNU time, when there, says how much memory the report took
[ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $tmp/rss"
start=$(date +%s%N)
$timer ./memsnoop report -r "$rec" -o "$tmp/report.html"
ms=$((($(date +%s%N) - start) / 1000000))
rss=""
[ -s "$tmp/rss" ] && rss=", max RSS $(($(cat "$tmp/rss") >> 10)) MB"
rec_size=$(stat -c %s "$rec")
page_size=$(stat -c %s "$tmp/report.html")
echo "recording $((rec_size >> 20)) MB ($rec_size bytes): page $((page_size >> 10)) KB in $ms ms$rss"
[ "$page_size" -lt $((10 << 20)) ] || { echo "the page is over 10 MB" >&2; exit 1; }
[ "$ms" -lt 10000 ] || { echo "over 10 s" >&2; exit 1; }
