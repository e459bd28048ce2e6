"""Programs no one here wrote (python3, gcc, a multi-threaded C program), started after
memsnoop: stopped at moments of the test's choosing, their /proc/PID/maps must equal
memsnoop's rebuilt layout, raw line for raw line.

The threaded program maps, mprotects, writes and unmaps next to its other threads'
mappings at the same moments: which of those VMAs the kernel merges depends on which
have an anon_vma (made by the first write, which no record shows). The BPF side reads
the VMAs each call made (MS_VMA_NOW) and the model takes the kernel's answer; its
checkpoints, taken more often than the others', are compared raw too."""
import glob
import os
import shutil
import signal
import subprocess
import time
from memsnoop_test import *

need_root()
tmp = "/tmp/memsnoop-real.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp + "/dump")

PY = r'''
import time, random
random.seed(1)
keep = {}
end = time.time() + 2.0
while time.time() < end:
    k = random.randrange(200)
    size = random.choice([100, 4000, 70000, 300000, 2000000])
    keep[k] = bytearray(size)
    if random.random() < 0.1:
        keep.clear()
'''
with open(tmp + "/alloc.py", "w") as f:
    f.write(PY)
with open(tmp + "/big.c", "w") as f:
    for i in range(1500):
        f.write("int f%d(int x) { int a[64]; for (int i = 0; i < 64; i++) a[i] = x * i + %d;"
                " return a[x & 63] + (x > 1 ? f%d(x - 1) : 0); }\n" % (i, i, max(i - 1, 0)))



def state(pid):
    """'stopped' when every thread is, 'gone' when it is exiting or has, else 'running'."""
    try:
        states = [open(st).read().rsplit(")", 1)[1].split()[0]
                  for st in glob.glob("/proc/%d/task/*/stat" % pid)]
    except OSError:
        return "gone"
    if not states or any(s in "ZX" for s in states):
        return "gone"
    return "stopped" if all(s in "tT" for s in states) else "running"


def sample(bg, pid, dump_dir):
    """Stop pid, compare, continue. True if compared, False if it went away."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return False
    try:
        deadline = time.time() + 10
        while True:
            st = state(pid)
            if st == "gone":  # exiting: a zombie cannot be stopped
                return False
            if st == "stopped":
                break
            if time.time() > deadline:
                fail("pid %d did not stop" % pid)
            time.sleep(0.002)
        try:
            want = open("/proc/%d/maps" % pid).read()
        except OSError:
            return False
        if not want:  # exiting: no memory any more
            return False
        got = dump_layout(bg, dump_dir, pid)
        d = diff_maps(want, got)
        if d:
            fail("pid %d (%s) differs:\n%s" % (pid, open("/proc/%d/comm" % pid).read().strip(), d))
        return True
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def check(bg, name, argv, want_samples, dump_dir, pause=0.1):
    p = subprocess.Popen(argv, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = 0
    time.sleep(0.05)
    while p.poll() is None:
        for pid in tree(p.pid):
            if sample(bg, pid, dump_dir):
                done += 1
        time.sleep(pause)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (name, p.returncode, p.stderr.read()))
    if done < want_samples:
        fail("%s: only %d samples" % (name, done))
    print("ok: %s: %d checkpoints equal raw" % (name, done))


bg = Background(["--dump", tmp + "/dump"], stdout=tmp + "/out")
try:
    check(bg, "python3", ["python3", tmp + "/alloc.py"], 5, tmp + "/dump")
    # MEMSNOOP_THREAD_RUNS=20: the threaded program again and again (a proof in a row)
    for _ in range(int(os.environ.get("MEMSNOOP_THREAD_RUNS", "1"))):
        check(bg, "threads", [WL + "/threads", "4", "2"], 5, tmp + "/dump", pause=0.03)
    check(bg, "gcc", ["gcc", "-O2", "-c", "big.c", "-o", "big.o"], 3, tmp + "/dump")
finally:
    rc, out, err = bg.stop()
if rc != 0:
    fail("memsnoop exited %d: %s" % (rc, err))
# From 6.7 the BPF side walks the VMA tree at exec: the checkpoints above
# compared those layouts, unless it quietly fell back to /proc. (It may, for
# a process whose mmap lock is busy at that instant.)
seeds = [l for l in open(tmp + "/out") if " at exec: " in l]
walked = [l for l in seeds if "from the VMA tree" in l]
release = tuple(int(x) for x in os.uname().release.split(".")[:2])
if release >= (6, 7) and (not seeds or len(walked) * 2 < len(seeds)):
    fail("%d of %d exec layouts came from the VMA tree" % (len(walked), len(seeds)))
print("ok: %d of %d exec layouts came from the VMA tree" % (len(walked), len(seeds)))
shutil.rmtree(tmp)
assert_detached()
