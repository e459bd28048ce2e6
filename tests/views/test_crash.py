"""Crash workloads (tests/workloads/crash.c), each traced with `memsnoop -j --`: the
signal event explains the address against the layout (cause and text), the failed
mmap past RLIMIT_AS names the limit, every process exit is followed by its summary,
and a recording replays to the same explanations."""
import os
import subprocess
import time
import tempfile
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
CRASH = os.path.join(WL, "crash")

# mode: (cause, words the explanation must contain)
CASES = {
    "null": ("null-page", ["null page", "NULL pointer"]),
    "thread-overflow": ("thread-stack-overflow", ["guard page", "stack overflow", "thread "]),
    "main-overflow": ("main-stack-overflow", ["main stack", "stack overflow"]),
    "unmap": ("use-after-unmap", ["use after unmap", "unmapped", "ago by tid"]),
    "text": ("write-text", ["write to the text", "/crash"]),
    "exec": ("exec-non-exec", ["execute of a non-executable", "[heap]"]),
    "brk": ("above-break", ["above the heap's break"]),
}


def trace(mode, extra=()):
    r = run(["-j"] + list(extra) + ["--", CRASH, mode], timeout=60)
    return r, json_lines(r.stdout)


def check_summary(events, pid, mode):
    exits = [e for e in events if e["event"] == "exit" and e["pid"] == pid and not e["thread"]]
    sums = [e for e in events if e["event"] == "summary" and e["pid"] == pid]
    if len(exits) != 1 or len(sums) != 1:
        fail("%s: %d exits, %d summaries" % (mode, len(exits), len(sums)))
    s = sums[0]
    for k in ("lifetime_ns", "peak_vsize", "peak_rss", "peak_heap", "mmaps", "munmaps", "faults"):
        if k not in s:
            fail("%s: summary lacks %s: %s" % (mode, k, s))
    if s["peak_vsize"] < 1 << 20 or s["mmaps"] < 1 or s["since"] != "exec":
        fail("%s: implausible summary %s" % (mode, s))
    return s


for mode, (cause, words) in CASES.items():
    r, events = trace(mode)
    sig = [e for e in events if e["event"] == "signal"]
    if not sig:
        fail("%s: no signal event (exit %d): %s" % (mode, r.returncode, r.stderr))
    e = sig[0]
    if e.get("cause") != cause:
        fail("%s: cause %r, want %r: %s" % (mode, e.get("cause"), cause, e.get("explain")))
    for w in words:
        if w not in e["explain"]:
            fail("%s: %r not in the explanation %r" % (mode, w, e["explain"]))
    s = check_summary(events, e["pid"], mode)
    if s.get("signal") != "SIGSEGV":
        fail("%s: summary says %s" % (mode, s))
    ok = "ok: %s: %s" % (mode, e["explain"])
    print(ok)

# the thread's stack: the owner named is the crashing thread
r, events = trace("thread-overflow")
e = [e for e in events if e["event"] == "signal"][0]
if "thread %d's stack" % e["tid"] not in e["explain"]:
    fail("thread-overflow: thread %d not named: %s" % (e["tid"], e["explain"]))

# an mmap past RLIMIT_AS
r, events = trace("rlimit-as")
if r.returncode != 3:
    fail("rlimit-as: exit %d, want 3 (the command's status): %s" % (r.returncode, r.stderr))
bad = [e for e in events if e["event"] == "mmap" and e.get("errno") == "ENOMEM"]
if len(bad) != 1:
    fail("rlimit-as: %d failed mmaps" % len(bad))
e = bad[0]
if e.get("cause") != "RLIMIT_AS" or "256M" not in e["explain"] or "virtual" not in e["explain"]:
    fail("rlimit-as: %s" % e)
s = check_summary(events, e["pid"], "rlimit-as")
if s.get("exit_code") != 3 or s["failed"] < 1:
    fail("rlimit-as: summary %s" % s)
print("ok: rlimit-as: " + e["explain"])

# text mode: the explanation and the summary line
r = run(["--", CRASH, "unmap"], timeout=60)
if "use after unmap" not in r.stdout or " summary " not in r.stdout:
    fail("text mode: " + r.stdout)

# live equals replay
d = tempfile.mkdtemp(prefix="memsnoop-crash.")
path = os.path.join(d, "t.msnp")
live = run(["-j", "-w", path, "--", CRASH, "unmap"], timeout=60)
replay = run(["-j", "-r", path], timeout=60)
pick = lambda out: [l for l in out.splitlines() if '"signal"' in l or '"summary"' in l]
if pick(live.stdout) != pick(replay.stdout) or not pick(live.stdout):
    fail("replay differs:\n%s\n%s" % (pick(live.stdout), pick(replay.stdout)))
os.unlink(path)
os.rmdir(d)
print("ok: live equals replay")

# A full pipe when the child dies: the write blocked then must not lose bytes
# (SIGCHLD interrupting it once cut lines short). The reader starts late.
p = subprocess.Popen([MEMSNOOP, "-j", "--", CRASH, "main-overflow"], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True)
time.sleep(1.5)
out, _ = p.communicate(timeout=60)
events = json_lines(out)
n = sum(1 for e in events if e["event"] == "stack")
if n < 1000 or not any(e["event"] == "summary" for e in events):
    fail("slow reader: %d stack events, %d lines" % (n, len(events)))
assert_released(BEFORE)
print("ok: a slow reader gets every line (%d)" % len(events))
