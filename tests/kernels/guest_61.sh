# Guest script for test_kernel_61.sh (busybox sh; also runs on the host with
# W=DIR). $W holds memsnoop (static) and kwork. Every part prints a section:
#   @@section NAME ... @@end NAME rc=N
# and files travel as base64 between @@b64 NAME and @@end-b64 NAME.
# The host (check_guest.py) does all the checking.
W=${W:-/work}
T=${T:-/tmp/ms}
MS=$W/memsnoop
KW=$W/kwork
rm -rf "$T" && mkdir -p "$T" || exit 1

section() { echo "@@section $1"; }
# alive PID: running and not a zombie (kill -0 succeeds on zombies)
alive() { [ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* (.*) Z ' "/proc/$1/stat" 2>/dev/null; }
endsec() { echo "@@end $1 rc=$2"; }
b64() { echo "@@b64 $1"; base64 "$2"; echo "@@end-b64 $1"; }

section probe
uname -r
ls -l /sys/kernel/btf/vmlinux
ls /sys/kernel/tracing/events/exceptions
endsec probe $?

# what memsnoop detects on this kernel (and any load failure, with libbpf's words)
section verbose
timeout 60 "$MS" -v -- "$KW" storm 1 1 >"$T/verbose.out" 2>"$T/verbose.err"
rc=$?
cat "$T/verbose.err"
endsec verbose $rc

# (a) exact counts, and (d) the same run recorded for replay on the host
section counts
timeout 60 "$MS" -j --faults -w "$T/counts.msnp" -- "$KW" counts >"$T/counts.json" 2>"$T/counts.err"
rc=$?
cat "$T/counts.json"
echo "@@stderr"
cat "$T/counts.err"
endsec counts $rc
[ -f "$T/counts.msnp" ] && b64 counts.msnp "$T/counts.msnp"

# (a') the same counts on the syscall trace events, where the default is fentry/fexit
section counts_tp
timeout 60 "$MS" -j --faults --syscall-hook=tp -- "$KW" counts >"$T/counts_tp.json" 2>"$T/counts_tp.err"
rc=$?
cat "$T/counts_tp.json"
echo "@@stderr"
cat "$T/counts_tp.err"
endsec counts_tp $rc

# (a'') every memory call memsnoop follows, on each hook: the counted workload
# (static; test_kernel_61.sh only) reports what it made
if [ -x "$W/counted" ]; then
	for hook in auto tp; do
		section "calls_$hook"
		timeout 60 "$MS" -j --syscall-hook=$hook -- "$W/counted" >"$T/calls.json" 2>"$T/calls.err"
		rc=$?
		cat "$T/calls.json"
		echo "@@stderr"
		cat "$T/calls.err"
		endsec "calls_$hook" $rc
	done
fi

# (f) --stacks: each call's user stack, unwound from the copied stack with kwork's CFI
section stacks
timeout 60 "$MS" -j --stacks -- "$KW" counts >"$T/stacks.json" 2>"$T/stacks.err"
rc=$?
grep '"event": *"mmap"\|"event":"mmap"' "$T/stacks.json"
echo "@@stderr"
cat "$T/stacks.err"
endsec stacks $rc

# (e) the main stack grows by faults alone: 64 pages (256 KiB) below sp
section stack
timeout 60 "$MS" -j -- "$KW" stack 64 >"$T/stack.json" 2>"$T/stack.err"
rc=$?
grep '"event": *"stack"\|"event":"stack"' "$T/stack.json"
echo "@@stderr"
cat "$T/stack.err"
endsec stack $rc

# (b) drops: a fault storm into a one-page ring buffer
section drops
# the reader is stopped during the storm, so it cannot keep up however fast it is
rm -f "$T/ready"
"$MS" -j --faults --ringbuf-size 4096 -c kwork --ready-file "$T/ready" >"$T/drops.json" 2>"$T/drops.err" &
ms=$!
i=0
while [ ! -f "$T/ready" ] && [ $i -lt 300 ] && alive $ms; do
	sleep 0.1
	i=$((i + 1))
done
kill -STOP $ms
"$KW" storm 4096 4
kill -CONT $ms
sleep 1
kill -INT $ms
wait $ms
rc=$?
echo "json lines: $(wc -l <"$T/drops.json")"
grep -v '"event": *"fault"' "$T/drops.json" | grep -v '"event":"fault"' | tail -n 40
echo "@@stderr"
cat "$T/drops.err"
endsec drops $rc

# (c) layout at a checkpoint: memsnoop's SIGUSR1 dump against /proc/PID/maps
section layout
mkdir -p "$T/cp"
"$MS" -- "$KW" checkpoint "$T/cp" >"$T/layout.out" 2>"$T/layout.err" &
ms=$!
i=0
while [ ! -f "$T/cp/parent.pid" ] || [ ! -f "$T/cp/child.pid" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! alive $ms; then
		echo "checkpoint not reached"
		break
	fi
	sleep 0.1
done
sleep 1 # let memsnoop drain the ring buffer
for role in parent child; do
	pid=$(cat "$T/cp/$role.pid" 2>/dev/null)
	[ -n "$pid" ] || continue
	echo "@@maps $role $pid"
	cat "/proc/$pid/maps"
	echo "@@end-maps"
done
# resident bytes per region at the checkpoint (6.1 has no PAGEMAP_SCAN: smaps)
echo "@@resident"
pids=$(cat "$T/cp/parent.pid" "$T/cp/child.pid" 2>/dev/null | tr '\n' ',')
timeout 120 "$MS" maps -p "${pids%,}" --once -j -v >"$T/resident.json" 2>"$T/resident.err"
echo "@@resident-rc $?"
cat "$T/resident.json"
for role in parent child; do
	pid=$(cat "$T/cp/$role.pid" 2>/dev/null)
	[ -n "$pid" ] || continue
	echo "@@smaps $pid"
	grep -E '^[0-9a-f]+-[0-9a-f]+ |^Rss:' "/proc/$pid/smaps"
done
echo "@@resident-stderr"
cat "$T/resident.err"
echo "@@end-resident"
kill -USR1 $ms
i=0
while [ "$(grep -c '^# pid ' "$T/layout.out")" -lt 2 ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
kill -KILL $(cat "$T/cp/"*.pid 2>/dev/null) 2>/dev/null
i=0
while alive $ms && [ $i -lt 200 ]; do
	i=$((i + 1))
	sleep 0.1
done
alive $ms && { echo "@@forced-kill: memsnoop still running 20 s after its command died"; kill -KILL $ms; }
wait $ms
rc=$?
# memsnoop exits with its command's status: 137 (SIGKILL) is expected here
echo "memsnoop exited $rc, $i tenths of a second after its command was killed"
echo "@@dump"
cat "$T/layout.out"
echo "@@end-dump"
echo "@@stderr"
cat "$T/layout.err"
endsec layout $rc
exit 0
