"""`memsnoop layout` of a multi-threaded workload (tests/workloads/grow_threads) that
starts its threads after memsnoop attached: the picture names each thread's stack and
guard page with the owner's tid, the heap with the break the workload reports, the
executable's segments; the same from the recording (-r ... --once), and from a live
--once of the running process (seeded: stacks, guards and owners, the same break)."""
import json
import os
import re
import subprocess
import tempfile
from memsnoop_test import *
from views.views_test import ms_progs, assert_released, start

need_root()
BEFORE = ms_progs()
d = tempfile.mkdtemp(prefix="memsnoop-layout.")
rec = os.path.join(d, "t.msnp")
wl = subprocess.Popen([os.path.join(WL, "grow_threads"), "3", "20"], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True)
try:
    pid = int(wl.stdout.readline())
    out = os.path.join(d, "out")
    ms = start(["layout", "-p", str(pid), "-b", "-n", "1", "-i", "2", "-w", rec], out)
    wl.stdin.write("go\n")
    wl.stdin.flush()
    tids = [int(x) for x in wl.stdout.readline().split()[1:]]
    brk = int(wl.stdout.readline().split()[1], 16)
    rc = ms.wait(timeout=30)
    live = open(out).read()
    if rc != 0:
        fail("layout -b -n 1 exited %d: %s" % (rc, open(out + ".err").read()))
    maps = open("/proc/%d/maps" % pid).read()
    heap = [l for l in maps.splitlines() if l.endswith("[heap]")][0]
    heap_end = int(heap.split("-")[1].split()[0], 16)
    exe = os.path.realpath(os.path.join(WL, "grow_threads"))

    soft = [l.split()[3] for l in open("/proc/%d/limits" % pid) if l.startswith("Max stack size")][0]
    stack_limit = "RLIMIT_STACK unlimited" if soft == "unlimited" else \
        "RLIMIT_STACK %dM" % (int(soft) >> 20) if int(soft) % (1 << 20) == 0 else "RLIMIT_STACK "

    def stack_shapes():
        """Guard-and-stack pairs /proc shows: all a seed can recognise threads' stacks by."""
        rs = [l.split() for l in open("/proc/%d/maps" % pid).read().splitlines()]
        rs = [(int(r[0].split("-")[0], 16), int(r[0].split("-")[1], 16), r[1], len(r) > 5)
              for r in rs]
        return sum(1 for lo, hi in zip(rs, rs[1:])
                   if lo[1] == hi[0] and lo[2] == "---p" and hi[2] == "rw-p" and not lo[3]
                   and not hi[3] and lo[1] - lo[0] <= (64 << 10) and hi[0] % (64 << 20))

    def check(text, what, owners=True):
        lines = text.splitlines()
        if not lines or not lines[0].startswith("memsnoop layout  pid %d" % pid):
            fail("%s: header: %s" % (what, text))
        for want in ("kernel space", "mmap layout: top-down", "main stack", "HIGH MEMORY",
                     "LOW MEMORY", "headroom: RLIMIT_AS ", stack_limit, "args and env (argv "):
            if want not in text:
                fail("%s: no %r:\n%s" % (what, want, text))
        for t in tids if owners else []:
            if not any(re.search(r"thread %d stack rw-p" % t, l) for l in lines):
                fail("%s: no stack for thread %d:\n%s" % (what, t, text))
            if not any("guard page of thread %d's stack ---p" % t in l for l in lines):
                fail("%s: no guard page for thread %d:\n%s" % (what, t, text))
        stacks = [l for l in lines if re.search(r"thread( \d+)? stack rw-p", l)]
        guards = [l for l in lines if "guard page" in l]
        want = len(tids) if owners else stack_shapes()  # a seed knows stacks by shape
        if len(stacks) != want or len(guards) != want or want < len(tids) - 1:
            fail("%s: %d stacks, %d guards for %d threads (%d by shape in /proc):\n%s\n%s" %
                 (what, len(stacks), len(guards), len(tids), stack_shapes(), text,
                  open("/proc/%d/maps" % pid).read()))
        h = [l for l in lines if " heap: start " in l]
        if len(h) != 1 or ("break 0x%x," % brk) not in h[0]:
            fail("%s: heap line %s, break 0x%x" % (what, h, brk))
        if int(h[0].split("-")[1].split()[0], 16) != heap_end:
            fail("%s: heap ends at %s, /proc says %x" % (what, h[0], heap_end))
        i = [k for k, l in enumerate(lines) if ("executable " + exe) in l]
        if len(i) != 1:
            fail("%s: no executable group for %s:\n%s" % (what, exe, text))
        segs = " ".join(l.split()[-2] for l in lines[i[0] + 1:i[0] + 6] if l.startswith(" ") is False)
        for seg in ("text", "rodata", "data"):
            if seg not in segs:
                fail("%s: executable segments %r lack %s" % (what, segs, seg))
        arenas = [l for l in lines if "malloc arena" in l]
        if len(arenas) < len(tids):
            fail("%s: %d arena lines" % (what, len(arenas)))
        print("ok: %s: %d thread stacks with guards and owners, heap break 0x%x, "
              "executable segments %s" % (what, len(stacks), brk, segs))

    check(live, "live layout -b -n 1")
    r = run(["layout", "-r", rec, "-p", str(pid), "--once"])
    if r.returncode:
        fail("replay: " + r.stderr)
    check(r.stdout, "replay layout --once")
    # RLIMIT_DATA's usage is the data size now (the threads' stacks and arenas came after
    # the seed): the kernel's own count, VmData (the workload holds still)
    r = run(["layout", "-r", rec, "-p", str(pid), "--once", "-j"])
    data = json.loads(r.stdout)["headroom"]["data"]["used"]
    vmdata = [int(l.split()[1]) << 10 for l in open("/proc/%d/status" % pid)
              if l.startswith("VmData:")][0]
    if r.returncode or data != vmdata:
        fail("layout -j: data %d, VmData %d: %s" % (data, vmdata, r.stderr))
    print("ok: the data size is VmData: %d" % data)
    r = run(["layout", "-p", str(pid), "--once"])
    if r.returncode:
        fail("live --once: " + r.stderr)
    # seeded: owners from the threads' stack pointers (/proc/PID/task/TID/syscall)
    check(r.stdout, "live layout --once (seeded)")
    print(r.stdout)
finally:
    wl.kill()
    wl.wait()
assert_released(BEFORE)
os.unlink(rec)
