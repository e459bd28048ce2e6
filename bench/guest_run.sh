# Runs inside the 6.1 guest (bench/guest.sh boots it; busybox sh): for each
# case, PAIRS interleaved pairs of the untraced workload and the workload
# under system-wide memsnoop, once per syscall hook. Prints one line per
# run: "@@run CASE CONFIG ELAPSED", ELAPSED from the workload's own JSON.
W=${W:-/work}
cd /tmp || exit 1

elapsed() { # the workload's summary line on stderr -> its elapsed seconds
	sed -n 's/.*"elapsed": *\([0-9.e+-]*\).*/\1/p' "$1" | tail -n 1
}

untraced() { # CASE
	"$W/workload" -n "$SCALE" "$1" 2>wl.err >/dev/null
	echo "@@run $1 untraced $(elapsed wl.err)"
}

traced() { # CASE HOOK
	rm -f ready
	"$W/memsnoop" --syscall-hook="$2" --ready-file ready >/dev/null 2>ms.err &
	ms=$!
	i=0
	while [ ! -f ready ] && [ $i -lt 600 ] && kill -0 $ms 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -f ready ]; then
		echo "@@error $1 $2: memsnoop did not start: $(head -n 3 ms.err)"
		kill -KILL $ms 2>/dev/null
		return
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	"$W/workload" -n "$SCALE" "$1" 2>wl.err >/dev/null
	echo "@@run $1 $2 $(elapsed wl.err)"
	t1=$(cut -d' ' -f1 /proc/uptime)
	kill -INT $ms
	wait $ms
	echo "@@time $1 $2: start-up $i tenths of a second, run $t0-$t1, stopped at $(cut -d' ' -f1 /proc/uptime)"
}

"$W/memsnoop" -v --syscall-hook=fentry -d 1 2>&1 >/dev/null | grep "memory calls"
for case in $CASES; do
	"$W/workload" -n "$SCALE" "$case" >/dev/null 2>&1 # warm-up, not counted
	p=0
	while [ $p -lt "$PAIRS" ]; do
		for hook in $HOOKS; do
			untraced "$case"
			traced "$case" "$hook"
		done
		p=$((p + 1))
	done
done
