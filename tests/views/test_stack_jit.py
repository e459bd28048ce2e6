"""JIT frames: a frame in anonymous executable memory is named from /tmp/perf-PID.map
when the process writes one (its name escaped), else [jit]; a perf map behind a symbolic
link or owned by another user (not the process's, not root) is not read. With record --symbols the JIT names are in the recording, so a replay
names the frame after the process and its map are gone; without, the replay says [jit]."""
import os
import tempfile
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
d = tempfile.mkdtemp(prefix="memsnoop-jit.")
JIT = os.path.join(WL, "jitmap")
LEN = 7 * 4096
NAME = "jit_mmap\\x09fn"  # the tab escaped


def jit_frame(events, how):
    pid = next(e["pid"] for e in events if e["event"] == "exec" and e["comm"] == "jitmap")
    m = [e for e in events if e["pid"] == pid and e["event"] == "mmap" and e["len"] == LEN]
    if len(m) != 1 or not m[0].get("stack"):
        fail("%s: want one mmap of %d bytes with a stack: %s" % (how, LEN, m))
    f = m[0]["stack"][0]
    if f.get("module") != "[jit]":
        fail("%s: the innermost frame is not [jit]: %s" % (how, f))
    return f


def live(mode):
    r = run(["--stacks", "-j", "--", JIT, mode])
    if r.returncode:
        fail("memsnoop --stacks jitmap %s failed: %s" % (mode, r.stderr))
    return jit_frame(json_lines(r.stdout), "live " + mode)


# the syscall's return address: past mov, mov, syscall (x86_64); mov, svc (arm64)
OFF = 12 if os.uname().machine == "x86_64" else 8
f = live("map")
if f.get("sym") != NAME or f.get("off") != OFF:
    fail("live: want the frame named %s+%d from the perf map: %s" % (NAME, OFF, f))
print("ok: live: the JIT frame is %s+%d from /tmp/perf-PID.map" % (f["sym"], f["off"]))
for mode in ("nomap", "symlink", "foreign"):
    f = live(mode)
    if "sym" in f:
        fail("live %s: want [jit] without a name: %s" % (mode, f))
    print("ok: live %s: the JIT frame is [jit], unnamed" % mode)

for flag, named in (("--symbols", True), ("--stacks", False)):
    t = os.path.join(d, "jit%s.trace" % flag)
    r = run(["record", flag, "-o", t, "--", JIT, "map"])
    if r.returncode:
        fail("record %s failed: %s" % (flag, r.stderr))
    r = run(["-r", t, "-j"])
    f = jit_frame(json_lines(r.stdout), "replay of record " + flag)
    if (f.get("sym") == NAME) != named:
        fail("replay of record %s: want the JIT frame %s: %s"
             % (flag, "named " + NAME if named else "unnamed", f))
    print("ok: replay of record %s: the JIT frame %s" % (flag, "is " + NAME if named else
                                                          "is [jit], unnamed"))
for n in os.listdir(d):
    os.unlink(os.path.join(d, n))
os.rmdir(d)
assert_released(BEFORE)
