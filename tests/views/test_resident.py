"""Resident memory per region against the kernel's /proc/PID/smaps: a workload that touches
known numbers of pages in a big mmap, the heap, a thread's stack and its malloc arena is
stopped at two moments; at each, `maps -p PID --once -j` (PAGEMAP_SCAN, and the smaps
fallback) must give every region the Rss smaps gives it, and the totals must agree; then
a recording made meanwhile, replayed with `maps -r --at-ns` to those moments, must too."""
import os
import re
import shutil
import signal
import subprocess
import time
from memsnoop_test import *

need_root()
PAGE = 4096
tmp = "/tmp/memsnoop-resident.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp + "/dump")
rec = tmp + "/rec.ms"


def smaps(pid):
    """[(start, end, rss bytes)] for each VMA."""
    out = []
    for line in open("/proc/%d/smaps" % pid):
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
        if m:
            out.append([int(m.group(1), 16), int(m.group(2), 16), None])
        elif line.startswith("Rss:"):
            out[-1][2] = int(line.split()[1]) * 1024
    return out


def stopped(pid):
    tasks = os.listdir("/proc/%d/task" % pid)
    return all(open("/proc/%d/task/%s/stat" % (pid, t)).read().rsplit(")", 1)[1].split()[0]
               == "T" for t in tasks)


def regions(args, pid, what):
    r = run(args)
    if r.returncode:
        fail("%s: exit %d: %s" % (what, r.returncode, r.stderr))
    return [o for o in json_lines(r.stdout) if o["pid"] == pid]


def compare(want, got, marks, what):
    """Per smaps VMA, the rss of memsnoop's regions in it (one region, or the pieces the
    kernel merged); every marked VMA (the workload's) must agree, 99% of all, totals 1%."""
    equal, bad = 0, []
    for start, end, rss in want:
        inside = [o for o in got if int(o["start"], 16) >= start and int(o["end"], 16) <= end]
        have = sum(o["rss"] or 0 for o in inside)
        if not inside or any(o["rss"] is None for o in inside) or have != rss:
            bad.append("%x-%x smaps %d memsnoop %s" % (start, end, rss,
                                                       [o["rss"] for o in inside]))
            if any(start <= a < end for a in marks):
                fail("%s: a region of the workload differs: %s" % (what, bad[-1]))
        else:
            equal += 1
    total_want = sum(r for _, _, r in want)
    total_got = sum(o["rss"] or 0 for o in got)
    if equal < 0.99 * len(want) or abs(total_got - total_want) > total_want / 100:
        fail("%s: %d of %d regions equal, total %d vs smaps %d:\n  %s" %
             (what, equal, len(want), total_got, total_want, "\n  ".join(bad)))
    print("ok: %s: %d of %d regions as smaps, total %d KiB" % (what, equal, len(want),
                                                            total_got >> 10))


def rss_at(got, addr):
    return [o["rss"] for o in got if int(o["start"], 16) <= addr < int(o["end"], 16)][0]


wl = subprocess.Popen([os.path.join(WL, "resident")], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True)
bg = None
try:
    line = wl.stdout.readline()
    bg = Background(["record", "-w", rec, "-p", str(wl.pid), "--dump", tmp + "/dump",
                     "-i", "0.2"])
    moments = []
    for phase, big_pages in ((1, 100), (2, 400)):
        if not line.startswith("ready %d" % phase):
            fail("workload: %r" % line)
        marks = dict((k, int(v, 16)) for k, v in re.findall(r"(\w+)=([0-9a-f]+)", line))
        wl.send_signal(signal.SIGSTOP)
        while not stopped(wl.pid):
            time.sleep(0.005)
        want = smaps(wl.pid)
        for src in ("auto", "smaps"):
            got = regions(["maps", "-p", str(wl.pid), "--once", "-j", "--rss-source", src],
                          wl.pid, "live")
            compare(want, got, marks.values(), "phase %d live (%s)" % (phase, src))
        same = rss_at(got, marks["big"])
        if same != big_pages * PAGE:
            fail("phase %d: the big mapping has %s resident, not %d pages" %
                 (phase, same, big_pages))
        if phase == 1 and rss_at(got, marks["stack"]) < 12 * PAGE:
            fail("the thread stack's 12 touched pages are not resident")
        if phase == 1:  # top: RSS from the first frame, the sample taken at the seed
            r = run(["top", "-b", "-j", "-n", "1", "-i", "0.2", "-p", str(wl.pid)])
            rows = [o for f in json_lines(r.stdout) for o in f["rows"] if o["pid"] == wl.pid]
            total = sum(x for _, _, x in want)
            if len(rows) != 1 or rows[0]["rss"] != total:
                fail("top's first frame: rss %s, smaps total %d" % (rows, total))
            print("ok: top's first frame shows the RSS smaps sums up (%d KiB)" % (total >> 10))
        dump_layout(bg, tmp + "/dump", wl.pid)  # the recording has a sample from now
        moments.append((time.clock_gettime_ns(time.CLOCK_MONOTONIC), want, marks))
        wl.send_signal(signal.SIGCONT)
        wl.stdin.write("next\n")
        wl.stdin.flush()
        line = wl.stdout.readline()
    wl.wait(timeout=10)
    rc, out, err = bg.stop()
    bg = None
    if rc:
        fail("record: exit %d: %s" % (rc, err))
finally:
    if wl.poll() is None:
        wl.kill()
    if bg:
        bg.kill()

for n, (at, want, marks) in enumerate(moments):
    got = regions(["maps", "-r", rec, "--at-ns", str(at), "-p", str(wl.pid), "-j"], wl.pid,
                  "replay")
    compare(want, got, marks.values(), "phase %d replayed" % (n + 1))
    ts = set(o["ts_ns"] for o in got if o["ts_ns"] is not None)
    if len(ts) != 1 or ts.pop() > at:
        fail("replay: the sample's ts_ns is not one time before the moment: %s" % ts)
assert_detached()
shutil.rmtree(tmp, ignore_errors=True)
