#!/bin/bash
# Left running, memsnoop holds its memory flat: state of a process goes with
# it. Three system-wide runs (event lines, JSON lines, top -b) watch the same
# 100,000 short-lived processes (tests/workloads/churn); each run's RssAnon
# after 100,000 must be within 2 MiB of what it was after 30,000 (the first
# 30,000 are the warm-up: the model keeps exited processes for 5 s of record
# time, so what it holds follows the rate of exits, not their number).
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$WL/churn" ] || fail "no $WL/churn: make check-tests"
SLACK_KB=2048

rss_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status"; }

modes=("events" "json" "top")
args_events=()
args_json=(-j)
args_top=(top -b -i 0.5)
pids=()
for m in "${modes[@]}"; do
	declare -n a="args_$m"
	"$MEMSNOOP" "${a[@]}" --ready-file "$TMP/ready.$m" >/dev/null 2>"$TMP/$m.err" &
	pids+=($!)
	CLEANUP_PIDS+=($!)
done
for m in "${modes[@]}"; do
	for _ in $(seq 200); do [ -e "$TMP/ready.$m" ] && break; sleep 0.05; done
	[ -e "$TMP/ready.$m" ] || fail "memsnoop ($m) not attached after 10 s: $(cat "$TMP/$m.err")"
done

declare -A at30 at100
"$WL/churn" 30000 --workers 2 --exec-every 10 >/dev/null || fail "churn failed"
for i in "${!modes[@]}"; do at30[${modes[$i]}]=$(rss_kb "${pids[$i]}"); done
"$WL/churn" 70000 --workers 2 --exec-every 10 >/dev/null || fail "churn failed"
for i in "${!modes[@]}"; do at100[${modes[$i]}]=$(rss_kb "${pids[$i]}"); done

for i in "${!modes[@]}"; do
	kill -INT "${pids[$i]}"
	wait "${pids[$i]}" || fail "memsnoop (${modes[$i]}) exited $?: $(cat "$TMP/${modes[$i]}.err")"
done
assert_detached

bad=0
for m in "${modes[@]}"; do
	grow=$((at100[$m] - at30[$m]))
	echo "$m: RssAnon ${at30[$m]} kB after 30,000 processes, ${at100[$m]} kB after 100,000 ($grow kB)"
	[ "$grow" -le "$SLACK_KB" ] || { echo "FAIL: $m grew $grow kB (> $SLACK_KB kB)"; bad=1; }
done
[ $bad -eq 0 ] || fail "memory grows with the processes seen"
ok "memory flat within $SLACK_KB kB from 30,000 to 100,000 processes"
