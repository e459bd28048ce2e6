"""The rebuilt layout equals /proc/PID/maps, raw line for raw line (the kernel's VMAs as it
merged and split them), at every checkpoint of the layout workload: once for a workload
started after memsnoop (and its recording replayed to each checkpoint), once for one
seeded at start."""
import os
import shutil
import subprocess
import sys
import time
from memsnoop_test import *

need_root()
tmp = "/tmp/memsnoop-layout.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp + "/cp")
os.makedirs(tmp + "/dump")


def run_workload(attach_after_start, trace=None):
    wl = subprocess.Popen([WL + "/layout", tmp + "/cp"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, bufsize=1)
    bg = None
    if not attach_after_start:
        bg = Background(["--dump", tmp + "/dump"] + (["-w", trace] if trace else []),
                        stdout="/tmp/memsnoop-layout-out.%d" % os.getpid())
    checked = 0
    moments = []  # (kernel time while the workload is frozen, pid, saved maps)
    try:
        for line in wl.stdout:
            _, n, pid, name, saved = line.split()
            pid = int(pid)
            if bg is None:  # the workload existed before memsnoop: seeded at start
                bg = Background(["-p", str(pid), "--children", "--dump", tmp + "/dump"],
                                stdout="/tmp/memsnoop-layout-out.%d" % os.getpid())
            got = dump_layout(bg, tmp + "/dump", pid)
            d = diff_maps(open(saved).read(), got)
            if d:
                fail("checkpoint %s (%s) of pid %d differs:\n%s" % (n, name, pid, d))
            print("ok: checkpoint %-2s %-18s pid %d: %d raw lines equal" %
                  (n, name, pid, len(parse_maps(got))))
            checked += 1
            moments.append((time.clock_gettime_ns(time.CLOCK_MONOTONIC), pid, saved, name))
            wl.stdin.write("go\n")
            wl.stdin.flush()
        if wl.wait(timeout=30) != 0:
            fail("workload exited %d" % wl.returncode)
    finally:
        if wl.poll() is None:
            wl.kill()
        if bg:
            rc, out, err = bg.stop()
            if rc != 0:
                fail("memsnoop exited %d: %s" % (rc, err))
            if "lost" in err and " 0 lost" not in err:
                fail("events lost: " + err)
    if checked < 25:
        fail("only %d checkpoints" % checked)
    return moments


def check_replay(trace, moments):
    """The recording, replayed to each checkpoint's moment, gives the saved layout."""
    for ts, pid, saved, name in moments:
        r = run(["maps", "-r", trace, "--at-ns", str(ts), "-p", str(pid), "--once", "--format=maps"])
        if r.returncode != 0:
            fail("maps --at-ns: %s" % r.stderr)
        d = diff_maps(open(saved).read(), r.stdout)
        if d:
            fail("replayed checkpoint %s of pid %d differs:\n%s" % (name, pid, d))
    print("ok: the recording replayed to each of %d checkpoints gives the same layouts" % len(moments))


moments = run_workload(attach_after_start=False, trace=tmp + "/layout.msnp")
print("ok: workload started after memsnoop")
check_replay(tmp + "/layout.msnp", moments)
run_workload(attach_after_start=True)
print("ok: workload seeded at start")
shutil.rmtree(tmp)
assert_detached()
