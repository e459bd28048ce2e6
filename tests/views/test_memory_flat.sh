#!/bin/bash
# Left running, memsnoop holds its memory flat: state of a process goes with
# it. Three runs (event lines, JSON lines, top -b) watch the same 100,000
# short-lived processes (tests/workloads/churn); each run's RssAnon after
# 30,000 and after 100,000 must be within 2 MiB of what it was after a
# warm-up of 1,000, each read once the model has forgotten the batch (it
# keeps exited processes 5 s of record time for the views). The runs follow churn's
# tree (-p --children) so other processes on the machine do not move the
# numbers; every record of the churn still passes through the whole pipeline.
. "$(dirname "$0")/../lib.sh"
need_root
[ -x "$WL/churn" ] || fail "no $WL/churn: make check-tests"
SLACK_KB=2048

rss_kb() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status"; }

mkfifo "$TMP/go"
"$WL/churn" 100000 --workers 2 --exec-every 20 --settle 6 --pause-at 0 --pause-at 1000 \
	--pause-at 30000 --pause-at 100000 <"$TMP/go" >"$TMP/churn.out" &
churn=$!
CLEANUP_PIDS+=($churn)
exec 3>"$TMP/go"
paused() { # wait for churn's "paused N"
	local i
	for i in $(seq 1200); do
		grep -q "^paused $1$" "$TMP/churn.out" && return 0
		kill -0 $churn 2>/dev/null || fail "churn died"
		sleep 0.1
	done
	fail "churn never got to $1"
}
paused 0

modes=("events" "json" "top")
args_events=()
args_json=(-j)
args_top=(top -b -i 0.5)
pids=()
for m in "${modes[@]}"; do
	declare -n a="args_$m"
	"$MEMSNOOP" "${a[@]}" -p $churn --children --ready-file "$TMP/ready.$m" >/dev/null \
		2>"$TMP/$m.err" 3>&- &
	pids+=($!)
	CLEANUP_PIDS+=($!)
done
for m in "${modes[@]}"; do
	for _ in $(seq 200); do [ -e "$TMP/ready.$m" ] && break; sleep 0.05; done
	[ -e "$TMP/ready.$m" ] || fail "memsnoop ($m) not attached after 10 s: $(cat "$TMP/$m.err")"
done

declare -A warm at30 at100
echo >&3
paused 1000
sleep 1.5 # each run hands freed memory back once a second
for i in "${!modes[@]}"; do warm[${modes[$i]}]=$(rss_kb "${pids[$i]}"); done
echo >&3
paused 30000
sleep 1.5
for i in "${!modes[@]}"; do at30[${modes[$i]}]=$(rss_kb "${pids[$i]}"); done
echo >&3
paused 100000
sleep 1.5
for i in "${!modes[@]}"; do at100[${modes[$i]}]=$(rss_kb "${pids[$i]}"); done
echo >&3
exec 3>&-
wait $churn

for i in "${!modes[@]}"; do
	kill -INT "${pids[$i]}" 2>/dev/null
	wait "${pids[$i]}" || fail "memsnoop (${modes[$i]}) exited $?: $(cat "$TMP/${modes[$i]}.err")"
done
bad=0
for m in "${modes[@]}"; do
	echo "$m: RssAnon ${warm[$m]} kB after 1,000 processes, ${at30[$m]} kB after 30,000," \
		"${at100[$m]} kB after 100,000"
	for n in at30 at100; do
		declare -n now=$n
		grow=$((now[$m] - warm[$m]))
		[ "$grow" -le "$SLACK_KB" ] || { echo "FAIL: $m grew $grow kB by $n"; bad=1; }
	done
done
[ $bad -eq 0 ] || fail "memory grows with the processes seen"
assert_detached
ok "memory flat within $SLACK_KB kB from 1,000 to 30,000 and 100,000 processes"
