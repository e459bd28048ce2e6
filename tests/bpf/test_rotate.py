"""SIGHUP with -w FILE, as logrotate does it (rename, then HUP): the moved file ends cleanly
and a new one starts at the name. A shell traced with --children runs a counted workload
before the signal and one after, and a process that lives through it. Both files replay on
their own (info: closed cleanly, no damage, nothing lost); each holds exactly its workload's
calls; the live process's layout replayed from each file equals /proc/PID/maps, in the new
file from the layouts read again at its start."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from memsnoop_test import *


def wait_file(path, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path):
            return open(path).read()
        time.sleep(0.05)
    fail("%s: not after %d s" % (what, timeout))


def check_file(path, label):
    r = run(["info", "-r", path])
    if r.returncode or "closed:     cleanly" not in r.stdout or "damage:     none" not in r.stdout:
        fail("%s: info says %s %s" % (label, r.stdout, r.stderr))
    if "lost:       0 events" not in r.stdout:
        fail("%s: events lost: %s" % (label, r.stdout))
    r = run(["-j", "-r", path])
    if r.returncode:
        fail("%s: replay exited %d: %s" % (label, r.returncode, r.stderr))
    return json_lines(r.stdout)


def check_counts(events, report, other, label):
    pid = report["pid"]
    ev = between_markers(events, pid)
    for name in ("mmap", "munmap", "mprotect", "brk", "mremap", "madvise"):
        if count(ev, name) != report[name]:
            fail("%s: pid %d: %d %s events, the workload made %d"
                 % (label, pid, count(ev, name), name, report[name]))
    if any(e["pid"] == other for e in events):
        fail("%s: events of pid %d, which ran in the other file" % (label, other))
    print("ok: %s holds pid %d's calls exactly (%d mmap) and none of pid %d"
          % (label, pid, report["mmap"], other))


def check_layout(path, pid, want, at, label):
    at = ["--at-ns", str(at)] if at else []
    r = run(["maps", "-r", path, "-p", str(pid), "--once", "--format=maps"] + at)
    d = diff_maps(want, r.stdout)
    if r.returncode or d:
        fail("%s: pid %d's replayed layout differs from /proc:\n%s%s" % (label, pid, d, r.stderr))
    print("ok: %s: pid %d's replayed layout equals /proc/%d/maps" % (label, pid, pid))


need_root()
tmp = tempfile.mkdtemp(prefix="memsnoop-rotate.")
rec = os.path.join(tmp, "rec.msnp")
c1, c2, gout = (os.path.join(tmp, n) for n in ("c1", "c2", "grow.out"))
script = ("read a; %s --no-fork 2>%s; HOLD=60 %s 0.5 65536 10 >%s & read b; %s --no-fork 2>%s; "
          "kill $!; wait" % (WL + "/counted", c1, WL + "/grow", gout, WL + "/counted", c2))
sh = subprocess.Popen(["sh", "-c", script], stdin=subprocess.PIPE, start_new_session=True)
bg = None
try:
    bg = Background(["-q", "-p", str(sh.pid), "--children", "-w", rec],
                    os.path.join(tmp, "out"))
    sh.stdin.write(b"a\n")
    sh.stdin.flush()
    first = json.loads(wait_file(c1, "the first workload's report").splitlines()[0])
    wait_file(gout, "grow's pid")
    while "grown" not in open(gout).read():  # then it holds: its layout stays
        time.sleep(0.05)
    gpid = int(open(gout).read().split("\n")[0])
    time.sleep(0.3)  # the ring buffer and the reorder window
    os.rename(rec, rec + ".1")
    bg.p.send_signal(signal.SIGHUP)
    deadline = time.time() + 10
    while not os.path.exists(rec):
        if time.time() > deadline:
            fail("no new recording at the name after SIGHUP")
        time.sleep(0.02)
    live_maps = open("/proc/%d/maps" % gpid).read()  # grow holds: nothing changes
    live_ns = time.monotonic_ns()  # the kernel's clock: grow is alive then in both files
    sh.stdin.write(b"b\n")
    sh.stdin.close()
    second = json.loads(wait_file(c2, "the second workload's report").splitlines()[0])
    sh.wait(timeout=30)
    time.sleep(0.3)
finally:
    rc, out, err = bg.stop(signal.SIGTERM) if bg else (1, "", "not started")
    if sh.poll() is None:
        os.killpg(sh.pid, signal.SIGKILL)
        sh.wait()
if rc:
    fail("memsnoop exited %d: %s" % (rc, err[-2000:]))
if "SIGHUP" in err:
    fail("memsnoop warned: " + err)
before, after = check_file(rec + ".1", "the moved file"), check_file(rec, "the new file")
check_counts(before, first, second["pid"], "the moved file")
check_counts(after, second, first["pid"], "the new file")
check_layout(rec + ".1", gpid, live_maps, None, "the moved file")
check_layout(rec, gpid, live_maps, live_ns, "the new file")
seeds = [e for e in after if e["event"] == "seed" and e["pid"] == gpid]
if not seeds or after.index(seeds[0]) > after.index(next(e for e in after if e["pid"] == second["pid"])):
    fail("the new file does not begin with the live process's layout: %s" % seeds[:1])
shutil.rmtree(tmp, ignore_errors=True)
assert_detached()
print("ok: SIGHUP rotated the recording")
