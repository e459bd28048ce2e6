"""-p traces only the given process, -c only that command, --children follows forks."""
import json
import os
import shutil
import subprocess
import time
from memsnoop_test import *

need_root()
tmp = "/tmp/memsnoop-filters.%d" % os.getpid()
os.makedirs(tmp, exist_ok=True)
counted_b = tmp + "/countedb"  # the same workload under another command name
shutil.copy(WL + "/counted", counted_b)


def start_paused(path, *args):
    """The workload, stopped until the tracer is attached."""
    p = subprocess.Popen(["sh", "-c", 'read x; exec "$0" "$@"', path] + list(args),
                         stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p


def release(p):
    p.stdin.write("go\n")
    p.stdin.close()
    err = p.stderr.read()
    p.wait(timeout=30)
    return [json.loads(l) for l in err.splitlines() if l.startswith('{"pid"')]


def trace(args, workloads):
    """Runs memsnoop with args while the paused workloads run; returns (events, reports)."""
    ps = [start_paused(*w) for w in workloads]
    argv = [a if a != "PID0" else str(ps[0].pid) for a in args]
    bg = Background(["-j"] + argv)
    reports = [release(p) for p in ps]
    time.sleep(0.3)
    rc, out, err = bg.stop()
    if rc != 0:
        fail("memsnoop exited %d: %s" % (rc, err))
    return json_lines(out), reports


# -p: the first workload only (the sh that execs it keeps its pid), not its child
events, reports = trace(["-p", "PID0"], [(WL + "/counted",), (WL + "/counted",)])
pids = {e["pid"] for e in events}
want = reports[0][0]["pid"]
if pids != {want}:
    fail("-p %d: events from %s" % (want, sorted(pids)))
if count(between_markers(events, want), "mmap") != reports[0][0]["mmap"]:
    fail("-p: wrong mmap count")
print("ok: -p traced only", want)

# --children: the forked child joins
events, reports = trace(["-p", "PID0", "--children"], [(WL + "/counted",)])
pids = {e["pid"] for e in events}
want = {r["pid"] for r in reports[0]}
if pids != want:
    fail("-p --children: events from %s, want %s" % (sorted(pids), sorted(want)))
print("ok: --children followed the fork", sorted(want))

# -c: only the command named countedb, started after memsnoop
events, reports = trace(["-c", "countedb"], [(WL + "/counted", "--no-fork"), (counted_b, "--no-fork")])
want = reports[1][0]["pid"]
comms = {e["comm"] for e in events if "comm" in e}
if want not in {e["pid"] for e in events} or reports[0][0]["pid"] in {e["pid"] for e in events}:
    fail("-c countedb: pids %s" % sorted({e["pid"] for e in events}))
if count(between_markers(events, want), "munmap") != reports[1][0]["munmap"]:
    fail("-c: wrong munmap count")
print("ok: -c traced only countedb, comms seen:", sorted(comms))

# -p ends with its processes, status 0 (as strace -p); --children or -c could still match
sleepers = [subprocess.Popen(["sh", "-c", "read x"], stdin=subprocess.PIPE) for _ in range(2)]
bg = Background(["-d", "30", "-j", "-p", ",".join(str(p.pid) for p in sleepers)])
for p in sleepers:  # one after the other: the first exit is not the end
    p.stdin.close()
    p.wait()
    time.sleep(0.3)
t0 = time.time()
try:
    bg.p.wait(timeout=10)
except subprocess.TimeoutExpired:
    bg.kill()
    fail("-p outlived its processes by 10 s")
took = time.time() - t0
rc, out, err = bg.stop()
if rc != 0:
    fail("-p: exit %d after its processes: %s" % (rc, err))
if not any(e["event"] == "exit" and e["pid"] == sleepers[1].pid for e in json_lines(out)):
    fail("-p ended before the last exit was reported: %s" % out[-500:])
print("ok: -p ended %.1f s after its last process" % took)
for extra in (["--children"], ["-c", "nosuchcomm"]):
    p = subprocess.Popen(["sh", "-c", "read x"], stdin=subprocess.PIPE)
    bg = Background(["-p", str(p.pid)] + extra)
    p.stdin.close()
    p.wait()
    time.sleep(1.5)
    if bg.p.poll() is not None:
        fail("-p %s ended with its process" % " ".join(extra))
    rc, out, err = bg.stop()
    if rc != 0:
        fail("-p %s: exit %d: %s" % (" ".join(extra), rc, err))
print("ok: -p with --children or -c runs on after its process")
shutil.rmtree(tmp)
assert_detached()
