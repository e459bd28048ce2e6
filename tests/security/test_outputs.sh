#!/usr/bin/env bash
# Where memsnoop writes, as root, when others control the place (issues 21 and 13):
# planted symbolic links, device nodes and FIFOs at every name it could use,
# dump directories others can write, whole JSON lines on a shared stdout, -o,
# the end record (kill -9 vs a clean stop), a full disk, a failed start.
# The attacker is a real unprivileged user (nobody, through setpriv).
# Every case runs; the test fails if any did.
source "$(dirname "$0")/../lib.sh"
need_root
command -v setpriv >/dev/null || skip "no setpriv"
id nobody >/dev/null 2>&1 || skip "no user nobody"
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"; }
failures=0
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
M=$MEMSNOOP
MNT=
cleanup_security() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	cleanup_test
}
trap cleanup_security EXIT

# The victim: a root-owned file outside every target; its content and inode must stay.
V=$TMP/victim
echo "precious" >"$V"
V_ID=$(stat -c '%i %s %Y' "$V")
victim_intact() { [ "$(cat "$V")" = precious ] && [ "$(stat -c '%i %s %Y' "$V")" = "$V_ID" ]; }

# run CASE EXPECTED-RC MESSAGE-REGEX memsnoop-args...: exit status and stderr
run() {
	local what=$1 want=$2 msg=$3 rc
	shift 3
	timeout 30 "$M" "$@" >"$TMP/run.out" 2>"$TMP/run.err" </dev/null
	rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$what: exit $rc, want $want: $(head -c 300 "$TMP/run.err")"
	elif [ -n "$msg" ] && ! grep -Eq "$msg" "$TMP/run.err"; then
		bad "$what: no message matching '$msg': $(head -c 300 "$TMP/run.err")"
	else
		ok "$what: $(grep -E "$msg" "$TMP/run.err" | head -n 1)"
	fi
}

# ---- -w/record -o/--ready-file/-o --force at a device node, a FIFO, a planted link
mknod "$TMP/dev" c 1 3
mkfifo "$TMP/fifo"
DEV_ID=$(stat -c '%i %t:%T %F' "$TMP/dev")
FIFO_ID=$(stat -c '%i %F' "$TMP/fifo")
NB=$TMP/nobody-dir # a directory the attacker owns
mkdir "$NB" && chown nobody "$NB"
as_nobody ln -s "$V" "$NB/link" || bad "nobody cannot plant a link"
for t in dev fifo nb; do
	case $t in
	dev) f=$TMP/dev msg="character device" ;;
	fifo) f=$TMP/fifo msg="FIFO" ;;
	nb) f=$NB/link msg="symbolic link" ;;
	esac
	run "-w $t --force" 1 "$msg" -w "$f" --force -- true
	run "record -o $t --force" 1 "$msg" record -o "$f" --force -- true
	run "--ready-file $t --force" 1 "$msg" --ready-file "$f" --force -d 0.2
	run "-o $t --force" 1 "$msg" -o "$f" --force -- true
done
[ "$(stat -c '%i %t:%T %F' "$TMP/dev")" = "$DEV_ID" ] || bad "the device node was replaced"
[ "$(stat -c '%i %F' "$TMP/fifo")" = "$FIFO_ID" ] || bad "the FIFO was replaced"
victim_intact || bad "the victim was written through a link"
run "--ready-file in a missing directory" 1 "ready-file" --ready-file "$TMP/none/ready" -d 0.2

# ---- --dump DIR checked at start, and why
run "--dump missing" 1 "does not exist" --dump "$TMP/none" -d 0.2
run "--dump a file" 1 "not a directory" --dump "$V" -d 0.2
mkdir -m 777 "$TMP/ww" && chmod 777 "$TMP/ww"
run "--dump writable by all" 1 "writable by others" --dump "$TMP/ww" -d 0.2
# nobody's own directory: the attack of issue 21 (a planted temporary name)
sleep 30 &
P1=$!
CLEANUP_PIDS+=("$P1")
for n in "$P1.maps" ".$P1.maps.tmp" ".complete" ".complete.tmp" dumps .dumps.tmp; do
	as_nobody ln -s "$V" "$NB/$n"
done
run "--dump owned by nobody" 1 "owned by uid" --dump "$NB" -p "$P1" -d 0.2
victim_intact || bad "--dump wrote the victim through nobody's links"

# ---- a sticky root-owned directory (as /tmp): links planted at every name are refused
D=$TMP/dump
mkdir "$D" && chmod 1777 "$D"
sleep 30 &
P2=$!
CLEANUP_PIDS+=("$P2")
for n in "$P1.maps" ".$P1.maps.tmp" ".complete" ".complete.tmp" dumps .dumps.tmp; do
	as_nobody ln -s "$V" "$D/$n"
done
start_memsnoop "$TMP/dump.out" --dump "$D" -p "$P1,$P2"
refusals() { grep -c "symbolic link" "$TMP/dump.out.err"; }
dump() { # until .complete, or a new refusal
	local i n0
	n0=$(refusals)
	rm -f "$D/.complete" # the dump writes a new one when it is done
	kill -USR1 "$MS_PID"
	for i in $(seq 100); do
		[ -e "$D/.complete" ] && return 0
		[ "$(refusals)" -gt "$n0" ] && return 0
		sleep 0.05
	done
}
dump
sleep 0.3
grep -q "$P1.maps is a symbolic link" "$TMP/dump.out.err" || bad "--dump: no refusal of the planted $P1.maps: $(cat "$TMP/dump.out.err")"
victim_intact || bad "--dump wrote the victim through a planted link"
[ -L "$D/$P1.maps" ] || bad "--dump replaced the planted link silently"
[ -e "$D/.complete" ] && bad "--dump wrote .complete though a file was refused"
rm -f "$D"/*.maps "$D"/.*.tmp "$D/dumps"
dump
for p in $P1 $P2; do
	f=$D/$p.maps
	[ -f "$f" ] && [ ! -L "$f" ] || { bad "--dump: no $f"; continue; }
	[ "$(stat -c '%a %U' "$f")" = "600 root" ] || bad "--dump: $f is $(stat -c '%a %U' "$f"), want 600 root"
	grep -q "sleep" "$f" || bad "--dump: $f does not look like a layout"
done
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$D/.complete" 2>/dev/null || bad "--dump: no .complete with the time"
[ "$(stat -c '%a' "$D/.complete" 2>/dev/null)" = 600 ] || bad "--dump: .complete is not 0600"
kill "$P2"
wait "$P2" 2>/dev/null
sleep 0.3
dump
[ -e "$D/$P2.maps" ] && bad "--dump: the file of exited $P2 is still there"
[ -e "$D/$P1.maps" ] || bad "--dump: the file of live $P1 went"
stop_memsnoop "$TMP/dump.out"
leftover=$(find "$D" -name '.*' ! -name .complete -newer "$V" | head -n 3)
[ -z "$leftover" ] || bad "--dump left temporary files: $leftover"
victim_intact || bad "the victim changed"
ok "--dump: refusals, 0600 files, .complete, files of exited processes removed"

# ---- whole lines when the traced command shares stdout (a file, then a pipe)
CHATTY='for i in $(seq 300); do echo "{\"x\":$i}"; cat /etc/hostname >/dev/null; done'
check_lines() { # FILE WHAT
	python3 - "$1" "$2" <<'PY' || failures=$((failures + 1))
import json, sys
path, what = sys.argv[1], sys.argv[2]
bad, xs = 0, set()
for line in open(path, "rb").read().decode("utf-8", "replace").splitlines():
    try:
        o = json.loads(line)
    except ValueError:
        bad += 1
        continue
    if "x" in o:
        xs.add(o["x"])
if bad or xs != set(range(1, 301)):
    print("FAIL: %s: %d broken lines, %d of the child's 300" % (what, bad, len(xs)))
    sys.exit(1)
print("ok: %s: every line JSON, the child's 300 present" % what)
PY
}
timeout 60 "$M" -j -- sh -c "$CHATTY" >"$TMP/shared.json" 2>"$TMP/shared.err"
check_lines "$TMP/shared.json" "shared stdout, a file"
timeout 60 "$M" -j -- sh -c "$CHATTY" 2>"$TMP/pipe.err" | cat >"$TMP/pipe.json"
check_lines "$TMP/pipe.json" "shared stdout, a pipe"

# ---- -o FILE: our output to its own file, the command keeps stdout
timeout 60 "$M" -j -o "$TMP/own.json" -- sh -c 'echo child-line' >"$TMP/own.out" 2>"$TMP/own.err"
if [ "$(cat "$TMP/own.out")" != child-line ]; then
	bad "-o: stdout holds more than the command's line: $(head -c 200 "$TMP/own.out")"
elif ! python3 -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; sys.exit(not any(e.get("event")=="exec" for e in l))' "$TMP/own.json" 2>/dev/null; then
	bad "-o: $TMP/own.json holds no JSON exec event"
elif [ "$(stat -c %a "$TMP/own.json")" != 600 ]; then
	bad "-o: the file is not 0600"
else
	ok "-o FILE: events there, the command's line on stdout"
fi
run "-o an existing file" 1 "exists" -o "$TMP/own.json" -- true

# ---- the end record: kill -9 is reported, a clean stop is not
K=$TMP/killed.msnp
"$M" record -o "$K" --ready-file "$TMP/ready" -- sh -c 'sleep 0.2; for i in $(seq 100); do cat /etc/hostname >/dev/null; done; exec sleep 30' >/dev/null 2>&1 &
KP=$!
CLEANUP_PIDS+=("$KP")
for i in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
rm -f "$TMP/ready"
CP=$(cat /proc/"$KP"/task/*/children 2>/dev/null) # the workload, to end it by its pid
sleep 1.6 # the first block (1 s of records) is in the file
kill -KILL "$KP"
wait "$KP" 2>/dev/null
[ -n "$CP" ] && kill -KILL $CP 2>/dev/null
run "info of a killed recording" 0 "not closed cleanly; events after [0-9.]+ s are missing" info -r "$K"
grep -q "damage: .*not closed cleanly" "$TMP/run.out" || bad "info: damage does not say it: $(cat "$TMP/run.out")"
run "replay of a killed recording" 0 "not closed cleanly" -r "$K"
run "a clean recording" 0 "" record -o "$TMP/clean.msnp" -- true
run "info of a clean recording" 0 "" info -r "$TMP/clean.msnp"
if grep -q "not closed" "$TMP/run.out" "$TMP/run.err"; then
	bad "a clean recording is reported as not closed"
elif ! grep -q "closed: *cleanly" "$TMP/run.out"; then
	bad "info does not say a clean recording was closed cleanly: $(cat "$TMP/run.out")"
fi

# ---- a full disk stops the recording with a clear message and a failure
MNT=$TMP/small
mkdir "$MNT"
if mount -t tmpfs -o size=512k tmpfs "$MNT"; then
	run "a full disk" 1 "no space left" record --no-compress -o "$MNT/full.msnp" -- \
		sh -c 'for i in $(seq 5000); do cat /etc/hostname >/dev/null; done'
	umount "$MNT" && MNT=
else
	bad "cannot mount a small tmpfs"
fi

# ---- a failed start leaves no file, and the retry needs no --force
run "a failed start" 1 "cannot run" record -o "$TMP/retry.msnp" -- "$TMP/no-such-command"
[ -e "$TMP/retry.msnp" ] && bad "a failed start left $TMP/retry.msnp"
run "the retry" 0 "" record -o "$TMP/retry.msnp" -- true
ls -a "$TMP" | grep -q '^\.retry' && bad "temporary files left beside the recording"

assert_detached
[ $failures -eq 0 ] || fail "$failures case(s) failed"
ok "all output cases"
