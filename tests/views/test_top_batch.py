"""`memsnoop top -b` on a workload that grows steadily (tests/workloads/grow: 100 KiB of
heap every 50 ms, touched): every frame has its row, with VSZ and RSS within tolerance
of /proc/PID/status read the moment the frame arrives, and the growth flag once three
windows of growth are behind it. Also: -n frames then exit 0, -c filters, replay --at
gives one frame, nothing left attached.

Tolerances. VSZ: the model holds the layout as of the frame (the tick drains the ring
buffer first); /proc is read a few milliseconds later, while the workload goes on
growing: 2 steps (200 KiB), plus 8 KiB for [vsyscall] (in the layout, not in VmSize),
and the rounding of the printed size (1 decimal: 5%). RSS: the kernel's counters as the
last syscall record carried them, which precedes the touching of that step: 2 steps,
plus the per-CPU counter slack that both reads share (rss_stat is a percpu_counter since
6.2: up to 32 pages per CPU unfolded), plus the same rounding."""
import json
import os
import re
import subprocess
import tempfile
import time
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
STEP = 100 << 10
UNITS = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def size(s):
    m = re.fullmatch(r"([0-9.]+)([BKMGT])", s)
    if not m:
        fail("not a size: %r" % s)
    return float(m.group(1)) * UNITS[m.group(2)]


def status(pid):
    out = {}
    for line in open("/proc/%d/status" % pid):
        k, _, v = line.partition(":")
        if k in ("VmSize", "VmRSS"):
            out[k] = int(v.split()[0]) * 1024
    return out


def near(got, want, slack, what):
    tol = slack + 0.05 * want
    if abs(got - want) > tol:
        fail("%s: top says %d, /proc says %d (tolerance %d)" % (what, got, want, tol))


# it must outlive both runs of top (each some seconds of start-up plus 3 s of frames);
# it is killed at the end
wl = subprocess.Popen([os.path.join(WL, "grow"), "60", str(STEP), "50"], stdout=subprocess.PIPE,
                      text=True)
pid = int(wl.stdout.readline())
time.sleep(0.3)
top = subprocess.Popen([MEMSNOOP, "top", "-b", "-n", "6", "-i", "0.5", "-p", str(pid)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
frames, flags = 0, []
rss_slack = 2 * STEP + 32 * 4096 * os.cpu_count()
for line in top.stdout:
    if line.startswith("memsnoop top"):
        frames += 1
        continue
    f = line.split()
    if not f or f[0] != str(pid):
        continue
    st = status(pid)  # at once: the workload goes on growing
    cols = dict(zip(["pid", "comm", "vsz", "rss", "heap", "anon", "file", "stack", "flt",
                     "grow"], f))
    near(size(cols["vsz"]), st["VmSize"], 2 * STEP + 8192, "frame %d VSZ" % frames)
    near(size(cols["rss"]), st["VmRSS"], rss_slack, "frame %d RSS" % frames)
    if size(cols["heap"]) < 1 << 20:
        fail("frame %d: heap %s" % (frames, cols["heap"]))
    if not cols["grow"].startswith("+"):
        fail("frame %d: growth %s" % (frames, cols["grow"]))
    flags.append("growing" in f[10:])
    print("ok: frame %d %s (VmSize %d, VmRSS %d)" % (frames, " ".join(f), st["VmSize"],
                                                       st["VmRSS"]))
rc = top.wait(timeout=30)
if rc != 0 or frames != 6:
    fail("top -b -n 6: exit %d after %d frames: %s" % (rc, frames, top.stderr.read()))
if len(flags) != 6 or not flags[-1] or not flags[-2]:
    fail("the growth flag: %s" % flags)
if flags[0]:
    fail("growth flagged before three windows were seen")
print("ok: growing flagged from frame %d" % (flags.index(True) + 1))
assert_released(BEFORE)

# -c filters; a recording replays to one frame at --at
d = tempfile.mkdtemp(prefix="memsnoop-top.")
rec = os.path.join(d, "t.msnp")
r = run(["top", "-b", "-n", "6", "-i", "0.5", "-c", "grow", "-w", rec], timeout=30)
rows = [l.split() for l in r.stdout.splitlines() if l and l.split()[0].isdigit()]
if r.returncode or not rows or any(x[1] != "grow" for x in rows):
    fail("top -c grow: %s %s" % (r.stdout, r.stderr))
# the last moment of the workload in the recording (--at-ns of its last record): growth
# was seen in the windows before it
events = [e for e in json_lines(run(["-r", rec, "-j"]).stdout) if e.get("pid") == pid]
if not events:
    fail("the recording holds no record of %d: %s" % (pid, run(["info", "-r", rec]).stdout))
first, last = events[0]["ts_ns"], events[-1]["ts_ns"]
if last - first < 1.6e9:
    fail("top -n 6 -i 0.5 recorded %.2f s of the workload: %s" %
         ((last - first) / 1e9, run(["info", "-r", rec]).stdout))
at = str(last)
r = run(["top", "-r", rec, "--at-ns", at, "-i", "0.5"], timeout=30)
frames = r.stdout.count("memsnoop top")
rows = [l.split() for l in r.stdout.splitlines() if l and l.split()[0] == str(pid)]
if r.returncode or frames != 1 or len(rows) != 1 or "growing" not in rows[0]:
    fail("replay --at-ns %s (records of %d from %d): exit %d, %d frames: %s %s\n%s" %
         (at, pid, first, r.returncode, frames, r.stdout, r.stderr,
          run(["info", "-r", rec]).stdout))
print("ok: replay --at-ns %s: %s" % (at, " ".join(rows[0])))
wl.kill()
wl.wait()
os.unlink(rec)
os.rmdir(d)
