"""Time order. A system-wide recording while a multi-threaded and a multi-process workload
run on both CPUs: the -j lines' ts_ns never go back, live and replayed, and a process's
fault counts come before its exit, stamped no later than it."""
import os
import re
import shutil
import subprocess
import time
from memsnoop_test import *

need_root()
tmp = "/tmp/memsnoop-order.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
trace = tmp + "/t.msnp"
cpus = sorted(os.sched_getaffinity(0))[:2]


def workload():
    """Threads pinned to each CPU, and short processes that touch pages, fork and exit."""
    procs = [subprocess.Popen(["taskset", "-c", str(c), WL + "/threads", "3", "1"])
             for c in cpus]
    for i in range(24):
        c = cpus[i % len(cpus)]
        procs.append(subprocess.Popen(["taskset", "-c", str(c), WL + "/counted", "--pages",
                                       "64"], stderr=subprocess.DEVNULL))
        time.sleep(0.05)
    for p in procs:
        if p.wait() != 0:
            fail("workload %s exited %d" % (p.args, p.returncode))


def reported_late(stderr):
    """Records memsnoop said it delivered out of order (later than its window): never silent."""
    m = re.search(r'(\d+) records came after newer ones were delivered', stderr)
    return int(m.group(1)) if m else 0


def check_order(events, what, stderr):
    back = [(a, b) for a, b in zip(events, events[1:]) if b["ts_ns"] < a["ts_ns"]]
    late = reported_late(stderr)
    if back and len(back) <= late:
        print("%s: %d records later than the reorder window, as memsnoop reported" %
              (what, len(back)))
    elif back:
        a, b = back[0]
        fail("%s: ts_ns goes back %d times; first by %.3f ms: %s then %s\n%s" %
             (what, len(back), (a["ts_ns"] - b["ts_ns"]) / 1e6, a, b, stderr))
    exits = {}
    for n, e in enumerate(events):
        if e["event"] == "exit" and not e["thread"]:
            exits[e["pid"]] = (n, e["ts_ns"])
    checked = 0
    for n, e in enumerate(events):
        if e["event"] != "faults" or e["pid"] not in exits:
            continue
        at, ts = exits[e["pid"]]
        if n > at or e["ts_ns"] > ts:
            fail("%s: faults of pid %d (line %d, ts %d) after its exit (line %d, ts %d)" %
                 (what, e["pid"], n + 1, e["ts_ns"], at + 1, ts))
        checked += 1
    if checked < 10:
        fail("%s: only %d fault records of exiting processes to check" % (what, checked))
    print("ok: %s: %d lines in time order, %d fault records before their exit" %
          (what, len(events), checked))


if len(cpus) < 2:
    skip("needs two CPUs")
bg = Background(["-j", "-w", trace], stdout=tmp + "/live.json")
try:
    workload()
finally:
    rc, out, err = bg.stop()
if rc != 0:
    fail("memsnoop exited %d: %s" % (rc, err))
live = json_lines(out)
check_order(live, "live", err)
os.chmod(tmp, 0o755)
os.chmod(trace, 0o644)
replay = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         MEMSNOOP, "-j", "-r", trace], capture_output=True, text=True)
if replay.returncode != 0:
    fail("replay exited %d: %s" % (replay.returncode, replay.stderr))
check_order(json_lines(replay.stdout), "replay", replay.stderr)
if replay.stdout != out:
    fail("the replay differs from the live run")
print("ok: the replay prints what the live run printed")
shutil.rmtree(tmp)
assert_detached()
