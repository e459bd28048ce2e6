"""Helpers for the system tests written in Python (imported by tests/*/test_*.py runners)."""
import glob
import json
import os
import subprocess
import sys
import time
from programs import leftovers, unheld_programs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEMSNOOP = os.path.join(ROOT, "memsnoop")
WL = os.path.join(ROOT, ".output", "tests", "workloads")
BEGIN, END = "0x1000", "0x2000"  # the counted workload's marker madvise addresses


def skip(why):
    print("skip: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def need_root():
    if os.geteuid() != 0:
        skip("needs root to load BPF programs")
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        skip("kernel has no BTF")


def json_lines(text):
    out = []
    for n, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as e:
            fail("line %d is not JSON (%s): %r" % (n + 1, e, line[:400]))
    return out


def is_marker(e, addr):
    return e["event"] == "madvise" and e["addr"] == addr and e["len"] == 0


def between_markers(events, pid):
    """The events of pid strictly between its begin and end markers."""
    inside, out = False, []
    for e in events:
        if e["pid"] != pid:
            continue
        if is_marker(e, BEGIN):
            inside = True
        elif is_marker(e, END):
            return out
        elif inside:
            out.append(e)
    fail("pid %d: markers missing" % pid)


def count(events, name):
    return sum(1 for e in events if e["event"] == name)


BASELINE = unheld_programs()  # pinned by someone else before we started: not ours


def assert_detached():
    """Every program our runs loaded is gone (tests/programs.py: another memsnoop
    running on this machine holds its own, and those are not ours)."""
    left = leftovers(BASELINE)
    if left:
        fail("memsnoop's BPF programs are still loaded: %s" % sorted(left))


WRAP = os.environ.get("MEMSNOOP_WRAP", "").split()  # e.g. setpriv: run memsnoop through it


def run(args, timeout=60, **kw):
    return subprocess.run(WRAP + [MEMSNOOP] + args, capture_output=True, text=True,
                          timeout=timeout, **kw)


SUBCOMMANDS = ("record", "maps", "top", "layout", "info", "export", "report")


class Background:
    """memsnoop in the background, attached when started."""

    def __init__(self, args, stdout=None):
        self.ready = "/tmp/memsnoop-ready.%d" % os.getpid()
        if os.path.exists(self.ready):
            os.unlink(self.ready)
        self.out_path = stdout or "/tmp/memsnoop-out.%d" % os.getpid()
        self.out = open(self.out_path, "w")
        self.err = open(self.out_path + ".err", "w")
        cmd = args[:1] if args and args[0] in SUBCOMMANDS else []  # a subcommand comes first
        self.p = subprocess.Popen([MEMSNOOP] + cmd + ["--ready-file", self.ready] + args[len(cmd):],
                                  stdout=self.out, stderr=self.err)
        deadline = time.time() + 15
        while not os.path.exists(self.ready):
            if self.p.poll() is not None:
                fail("memsnoop exited at start: " + open(self.out_path + ".err").read())
            if time.time() > deadline:
                self.p.kill()
                fail("memsnoop not attached after 15 s")
            time.sleep(0.02)
        os.unlink(self.ready)

    def stop(self, sig=2):
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=30)
        self.out.close()
        self.err.close()
        # a system-wide run also prints other processes' names, in any bytes
        return (rc, open(self.out_path, errors="replace").read(),
                open(self.out_path + ".err", errors="replace").read())

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def parse_maps(text):
    """Lines of /proc/PID/maps as tuples (start, end, perms, offset, dev, inode, path)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 5)
        start, end = (int(x, 16) for x in parts[0].split("-"))
        path = parts[5] if len(parts) > 5 else ""
        dev, ino = parts[3], int(parts[4])
        if path == "/dev/zero (deleted)":  # shared anonymous: the inode is the kernel's secret
            dev, ino = "00:00", 0
        out.append([start, end, parts[1], int(parts[2], 16), dev, ino, path])
    return out


def coalesce(regions):
    """Adjacent ranges with the same permissions and backing merged, as DESIGN.md says."""
    out = []
    for r in regions:
        if out:
            p = out[-1]
            same = p[1] == r[0] and p[2] == r[2] and p[4] == r[4] and p[5] == r[5] and p[6] == r[6]
            contiguous = p[5] == 0 or p[3] + (p[1] - p[0]) == r[3]
            if same and contiguous:
                p[1] = r[1]
                continue
        out.append(list(r))
    return out


def fmt_region(r):
    return "%x-%x %s %08x %s %d %s" % tuple(r)


def diff_maps(want_text, got_text):
    """'' if the raw lines are equal (start, end, perms, offset, device, inode, path: the
    kernel's own VMAs, nothing coalesced), else a readable diff."""
    import difflib
    want = [fmt_region(r) for r in parse_maps(want_text)]
    got = [fmt_region(r) for r in parse_maps(got_text)]
    if want == got:
        return ""
    return "\n".join(difflib.unified_diff(want, got, "kernel", "memsnoop", lineterm="", n=1))


def dump_layout(bg, dump_dir, pid, timeout=10):
    """SIGUSR1 to memsnoop; returns its rebuilt layout of pid (DIR/<pid>.maps). A dump
    under way for an earlier request may still write the file: take it from a dump that
    began after this call (DIR/dumps: "STARTED DONE")."""
    import signal
    path = os.path.join(dump_dir, "%d.maps" % pid)

    def counts():
        try:
            return [int(x) for x in open(os.path.join(dump_dir, "dumps")).read().split()]
        except (OSError, ValueError):
            return [0, 0]
    started = counts()[0]
    if os.path.exists(path):
        os.unlink(path)
    bg.p.send_signal(signal.SIGUSR1)
    deadline = time.time() + timeout
    while counts()[1] <= started or not os.path.exists(path):
        if time.time() > deadline:
            fail("no dump of pid %d after SIGUSR1 (%s)" % (pid, open("/proc/%d/cmdline" % pid).read()))
        time.sleep(0.005)
    return open(path).read()


def tree(root):
    """root and its descendants, each once."""
    pids, frontier = [root], [root]
    while frontier:
        p = frontier.pop()
        for t in glob.glob("/proc/%d/task/*/children" % p):
            try:
                kids = [int(x) for x in open(t).read().split()]
            except OSError:
                continue
            kids = [k for k in kids if k not in pids]
            pids += kids
            frontier += kids
    return pids
