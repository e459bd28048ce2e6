#!/usr/bin/env bash
# make install: the binary, the man page and memsnoop.service (ExecStart the
# installed binary; systemd-analyze verify accepts it where systemd is). The
# unit's command runs as the unit would run it: a user of its own (nobody here)
# with only its AmbientCapabilities, no new privileges, and serves metrics.
. "$(dirname "$0")/../lib.sh"
need_root
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"

make -s -C "$ROOT" install DESTDIR="$TMP/root" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log"; fail "make install"; }
prefix=$TMP/root/usr/local
unit=$prefix/lib/systemd/system/memsnoop.service
for f in "$prefix/sbin/memsnoop" "$prefix/share/man/man8/memsnoop.8" "$unit"; do
	[ -f "$f" ] || fail "make install did not install $f"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == /usr/local/sbin/memsnoop\ * ]] || fail "ExecStart: $exec_start"
ok "make install: binary, man page, unit ($exec_start)"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/local/sbin/memsnoop|$prefix/sbin/memsnoop|" "$unit" >"$TMP/memsnoop.service"
	MANPATH=$prefix/share/man systemd-analyze verify "$TMP/memsnoop.service" ||
		fail "systemd-analyze verify"
	ok "systemd-analyze verify accepts the unit"
fi

# AmbientCapabilities=CAP_BPF CAP_PERFMON ... as setpriv's +bpf,+perfmon,..., less those
# this machine's bounding set lacks (a container's), which the test names
caps=""
for c in $(sed -n 's/^AmbientCapabilities=//p' "$unit"); do
	name=$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")
	if setpriv --inh-caps="+$name" true 2>/dev/null; then
		caps="$caps,+$name"
	else
		echo "note: $c is not in this machine's bounding set: the test runs without it"
	fi
done
# its /metrics counts traced processes
serves_processes() {
	python3 -c 'import sys, urllib.request as u
t = u.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=1).read().decode()
sys.exit(not [l for l in t.splitlines() if l.startswith("memsnoop_processes{") and l[-2:] != " 0"])' "$1"
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
args=$(sed "s/127.0.0.1:9710/127.0.0.1:$port/" <<<"${exec_start#* }")
# shellcheck disable=SC2086 # the unit's arguments, split as systemd splits them
setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="${caps#,}" \
	--ambient-caps="${caps#,}" --no-new-privs "$prefix/sbin/memsnoop" $args -d 4 \
	>"$TMP/out" 2>"$TMP/err" &
pid=$!
CLEANUP_PIDS+=("$pid")
for _ in $(seq 50); do
	serves_processes "$port" 2>/dev/null && break
	sleep 0.1
done
serves_processes "$port" || { cat "$TMP/err"; fail "the unit's command serves no processes"; }
wait "$pid" || { cat "$TMP/err"; fail "the unit's command exited $?"; }
[ -s "$TMP/out" ] && fail "-q printed events"
assert_detached
ok "the unit's command, as nobody with its capabilities: metrics served, no events printed"
