"""A long run of real programs: this project built from a scratch copy (make clean,
then make -j2) while a python program allocates, all launched by memsnoop (traced
with their children from the first instruction) and recorded with -w.

Every few seconds every traced process alive is stopped; then memsnoop's layout of
each (one SIGUSR1 dump) must equal its /proc/PID/maps raw line for raw line, and
after the run the recording replayed with maps --at-ns to the same moment must give
the same lines. A process that exits before it could be stopped or read is counted
as gone, never compared loosely: a process stopped and read must match."""
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from memsnoop_test import *

need_root()
RUN_FOR = int(os.environ.get("RUN_FOR", 45))  # seconds of checkpoints; the build is cut there if still going
tmp = tempfile.mkdtemp(prefix="memsnoop-build.")
src, dump, trace = tmp + "/src", tmp + "/dump", tmp + "/build.msnp"
os.makedirs(dump)
for d in ("bpf", "include", "user", "vmlinux", "scripts"):
    shutil.copytree(os.path.join(ROOT, d), os.path.join(src, d))
shutil.copy(os.path.join(ROOT, "Makefile"), src)

ALLOC = r'''
import os, random, threading, time
random.seed(2)
keep = {}
stop = False
def churn(n):
    while not stop:
        k = random.randrange(300)
        keep[(n, k)] = bytearray(random.choice([64, 4000, 70000, 300000, 3000000]))
        if random.random() < 0.02:
            keep.clear()
        time.sleep(0.0005)
threads = [threading.Thread(target=churn, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
start = time.time()  # a build done early: go on alone to 30 s
while not (os.path.exists("done") and time.time() > start + 30) and time.time() < start + %d:
    time.sleep(0.1)
open("done", "w").close()
stop = True
for t in threads:
    t.join()
''' % (RUN_FOR + 30)
with open(tmp + "/alloc.py", "w") as f:
    f.write(ALLOC)
JOB = ("cd %s && { (make -s -C src clean && make -s -C src -j2) >make.log 2>&1; touch done; } & "
       "cd %s && python3 alloc.py; wait" % (tmp, tmp))



def state(pid):
    """'stopped' when every thread is, 'gone' when it is exiting or has, else 'running'."""
    try:
        states = [open(st).read().rsplit(")", 1)[1].split()[0]
                  for st in glob.glob("/proc/%d/task/*/stat" % pid)]
    except (OSError, IndexError):
        return "gone"
    if not states or any(s in "ZX" for s in states):
        return "gone"
    return "stopped" if all(s in "tT" for s in states) else "running"


def freeze(root):
    """SIGSTOP root's whole tree, children forked meanwhile too. Returns the pids sent
    the signal and those still running after a second: a vfork parent waits in the
    kernel for its child, stopped before its exec, and cannot stop until it goes on."""
    sent, running = set(), set()
    while True:
        new = [p for p in tree(root) if p not in sent]
        if not new:
            break
        for p in new:
            try:
                os.kill(p, signal.SIGSTOP)
            except ProcessLookupError:
                pass
            sent.add(p)
        deadline = time.time() + 1
        for p in new:
            while state(p) == "running" and time.time() < deadline:
                time.sleep(0.002)
    running = set(p for p in sent if state(p) == "running")
    return sent, running


def thaw(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGCONT)
        except ProcessLookupError:
            pass


def dump_all(bg_p, pids):
    """One SIGUSR1 dump: {pid: its maps text} for the pids memsnoop wrote."""
    def counts():
        try:
            return [int(x) for x in open(dump + "/dumps").read().split()]
        except (OSError, ValueError):
            return [0, 0]
    started = counts()[0]
    for p in pids:
        if os.path.exists("%s/%d.maps" % (dump, p)):
            os.unlink("%s/%d.maps" % (dump, p))
    bg_p.send_signal(signal.SIGUSR1)
    deadline = time.time() + 20
    while counts()[1] <= started:
        if bg_p.poll() is not None:  # the build ended: memsnoop ended with it
            return None
        if time.time() > deadline:
            fail("no dump after SIGUSR1 (%s): %s" % (counts(), [(p, comm(p), state(p)) for p in pids]))
        time.sleep(0.005)
    out = {}
    for p in pids:
        try:
            out[p] = open("%s/%d.maps" % (dump, p)).read()
        except OSError:
            pass
    return out


def checkpoint(bg_p, root, moments, gone, busy):
    stopped, running = freeze(root)
    try:
        ts = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        want = {}
        busy[0] += len(running)
        for p in stopped - running:
            try:
                text = open("/proc/%d/maps" % p).read() if state(p) == "stopped" else ""
            except OSError:
                text = ""
            if text:
                want[p] = text
            else:  # exited between the stop and the read: nothing to compare
                gone[0] += 1
        if not want:  # the build is over: nothing left to compare
            return
        got = dump_all(bg_p, want)
        if got is None:
            return
        for p, text in want.items():
            if p not in got:
                fail("memsnoop has no layout of pid %d (%s)" % (p, comm(p)))
            d = diff_maps(text, got[p])
            if d:
                fail("pid %d (%s) differs live:\n%s" % (p, comm(p), d))
        moments.append((ts, want))
    finally:
        thaw(stopped)


def end_tree(root, sig):
    pids = tree(root)
    thaw(pids)
    for p in pids[1:]:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def comm(p):
    try:
        return open("/proc/%d/comm" % p).read().strip()
    except OSError:
        return "?"


def replayed(ts, pids):
    """maps --at-ns ts of the recording: {pid: maps text}."""
    r = run(["maps", "-r", trace, "--at-ns", str(ts), "-p", ",".join(map(str, pids)),
             "--once", "--format=maps"], timeout=120)
    if r.returncode != 0:
        fail("maps -r --at-ns: %s" % r.stderr)
    out, cur = {}, None
    for line in r.stdout.splitlines(True):
        if line.startswith("# pid "):
            cur = int(line.split()[2])
            out[cur] = ""
        elif cur is not None:
            out[cur] += line
    return out


started = time.time()
root = None
bg = Background(["--dump", dump, "-w", trace, "--", "sh", "-c", JOB], stdout=tmp + "/out")
moments, gone, busy = [], [0], [0]
try:
    while root is None and time.time() < started + 10:
        kids = tree(bg.p.pid)[1:]
        root = kids[0] if kids else None
        time.sleep(0.01)
    if root is None:
        fail("the launched command did not start")
    time.sleep(1)
    while bg.p.poll() is None and time.time() < started + RUN_FOR:
        checkpoint(bg.p, root, moments, gone, busy)
        time.sleep(2)
    open(tmp + "/done", "w").close()
    end_tree(root, signal.SIGTERM)  # cut a build still going
    bg.p.wait(timeout=60)
finally:
    if root:
        end_tree(root, signal.SIGKILL)
    bg.kill()
    bg.out.close()
    bg.err.close()
err = open(tmp + "/out.err", errors="replace").read()
if "lost" in err and " 0 lost" not in err:
    fail("events lost: " + err)
compared = sum(len(w) for _, w in moments)
if len(moments) < 8 or compared < 30:
    fail("only %d checkpoints, %d layouts" % (len(moments), compared))
print("ok: live: %d checkpoints, %d process layouts equal raw (not compared: %d gone before "
      "they could be read, %d that could not stop), %.0f s" %
      (len(moments), compared, gone[0], busy[0], time.time() - started))

for ts, want in moments:
    got = replayed(ts, sorted(want))
    for p, text in want.items():
        d = diff_maps(text, got.get(p, ""))
        if d:
            fail("pid %d replayed to %d differs:\n%s" % (p, ts, d))
print("ok: replayed with --at-ns: the same %d layouts at the same %d moments, %.0f s in all" %
      (compared, len(moments), time.time() - started))
shutil.rmtree(tmp)
assert_detached()
