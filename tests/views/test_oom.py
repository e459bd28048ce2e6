"""The OOM black box. A memory cgroup with a 64 MiB limit (v2 where the machine
has the memory controller there, else the v1 hierarchy), and in it
tests/workloads/oomgrow, which grows its heap (brk) and one anonymous mapping
(mremap) in turns until the OOM killer takes it. Checked: the oom event names
the pid, the cgroup and its limit; >= 90% of the growth it reports is the heap
and the mapping, each within 10% of what the program said it allocated, with
call sites (--stacks); the summary says the OOM killer; --oom-dir holds a 0600
.msnp and .txt that replay to the same report; run as a quiet daemon it writes
only on a kill and keeps --oom-keep kills. The cgroup goes at the end, even
on failure."""
import glob
import os
import re
import signal
import stat
import subprocess
import tempfile
import time
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
OOMGROW = os.path.join(WL, "oomgrow")
LIMIT = 64 << 20
NAME = "memsnoop_oom_%d" % os.getpid()


def memory_hierarchy():
    """(root, v2): the mount that has the memory controller."""
    ctl = "/sys/fs/cgroup/cgroup.controllers"
    if os.path.exists(ctl) and "memory" in open(ctl).read().split():
        return "/sys/fs/cgroup", True
    if os.path.isdir("/sys/fs/cgroup/memory") and \
            os.path.exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        return "/sys/fs/cgroup/memory", False
    skip("no memory cgroup controller (v1 or v2) on this machine")


ROOT, V2 = memory_hierarchy()
CG = os.path.join(ROOT, NAME)


def make_cgroup():
    os.mkdir(CG)
    if V2:
        open(os.path.join(CG, "memory.max"), "w").write(str(LIMIT))
        if os.path.exists(os.path.join(CG, "memory.swap.max")):
            open(os.path.join(CG, "memory.swap.max"), "w").write("0")
    else:
        open(os.path.join(CG, "memory.limit_in_bytes"), "w").write(str(LIMIT))


def remove_cgroup():
    if not os.path.isdir(CG):
        return
    for _ in range(100):
        pids = [int(p) for p in open(os.path.join(CG, "cgroup.procs")).read().split()]
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.rmdir(CG)
            return
        except OSError:
            time.sleep(0.05)
    print("warning: could not remove %s" % CG)


# the workload puts itself into the cgroup, then becomes oomgrow (same pid)
INSIDE = ["sh", "-c", 'echo $$ > %s/cgroup.procs && exec %s 1024 20' % (CG, OOMGROW)]
# slower: about 3 s to the kill, longer than the daemon's window
INSIDE_SLOW = ["sh", "-c", 'echo $$ > %s/cgroup.procs && exec %s 1024 100' % (CG, OOMGROW)]


def last_allocation(stdout):
    """What oomgrow said last: heap start, end, bytes; mapping start, end, bytes."""
    lines = [l.split() for l in stdout.splitlines() if l.startswith("heap ")]
    if not lines:
        fail("oomgrow printed nothing")
    l = lines[-1]
    return (int(l[1], 16), int(l[2], 16), int(l[3]), int(l[5], 16), int(l[6], 16), int(l[7]))


def row_at(growth, addr):
    rows = [g for g in growth if int(g["start"], 16) <= addr < int(g["end"], 16)]
    return rows[0] if rows else None


def check_growth(oom, alloc, what):
    heap_start, heap_end, heap_bytes, map_start, map_end, map_bytes = alloc
    heap, mapping = row_at(oom["growth"], heap_start), row_at(oom["growth"], map_start)
    if not heap or heap["class"] != "heap":
        fail("%s: no heap row at %x: %s" % (what, heap_start, oom["growth"]))
    if not mapping or mapping["class"] not in ("malloc", "anon"):
        fail("%s: no anonymous mapping row at %x: %s" % (what, map_start, oom["growth"]))
    for row, want in ((heap, heap_bytes), (mapping, map_bytes)):
        if abs(row["grew"] - want) > want / 10:
            fail("%s: %s grew %d, the program allocated %d" % (what, row["class"], row["grew"],
                                                                want))
    share = (heap["grew"] + mapping["grew"]) / oom["grew_total"]
    if share < 0.9:
        fail("%s: heap and mapping are %.0f%% of the growth: %s" % (what, share * 100,
                                                                    oom["growth"]))
    return share


def check_oom_event(events, pid, what):
    ooms = [e for e in events if e["event"] == "oom"]
    if len(ooms) != 1:
        fail("%s: %d oom events" % (what, len(ooms)))
    o = ooms[0]
    want = {"pid": pid, "comm": "oomgrow", "cgroup": "/" + NAME, "constraint": "memcg",
            "constraint_cgroup": "/" + NAME, "limit": LIMIT}
    for k, v in want.items():
        if o.get(k) != v:
            fail("%s: oom %s is %r, want %r: %s" % (what, k, o.get(k), v, o))
    if not LIMIT * 0.9 <= o["usage"] <= LIMIT:
        fail("%s: usage %d at the kill, limit %d" % (what, o["usage"], LIMIT))
    if o["anon_rss"] < LIMIT / 2 or o["total_vm"] < o["anon_rss"]:
        fail("%s: implausible kernel figures: %s" % (what, o))
    return o


def check_files(d, pid):
    msnp = glob.glob(os.path.join(d, "oom-*-%d.msnp" % pid))
    txt = glob.glob(os.path.join(d, "oom-*-%d.txt" % pid))
    if len(msnp) != 1 or len(txt) != 1:
        fail("--oom-dir holds %s" % os.listdir(d))
    for f in msnp + txt:
        st = os.lstat(f)
        if not stat.S_ISREG(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o600:
            fail("%s: mode %o" % (f, st.st_mode))
    return msnp[0], txt[0]


def check_text(txt, pid):
    text = open(txt).read()
    for w in ("victim:      pid %d (oomgrow), memory cgroup /%s" % (pid, NAME),
              "killed by the OOM killer: memory cgroup /%s at its limit" % NAME,
              "What grew in the last 30 s", "grew heap", "from this call site",
              "The layout at the kill:", "HIGH MEMORY", "LOW MEMORY"):
        if w not in text:
            fail("the report lacks %r:\n%s" % (w, text))


def same_report(a, b):
    keys = ("pid", "cgroup", "constraint", "limit", "usage", "total_vm", "anon_rss",
            "grew_total", "layout")
    rows = lambda o: [(g["class"], g["start"], g["end"], g["grew"]) for g in o["growth"]]
    return all(a.get(k) == b.get(k) for k in keys) and rows(a) == rows(b)


def traced_kill(d):
    """memsnoop -j --stacks --oom-dir d -- the workload in the cgroup."""
    out = os.path.join(d, "..", os.path.basename(d) + ".json")
    r = run(["-j", "--stacks", "--oom-dir", d, "-o", out, "--"] + INSIDE, timeout=120)
    events = json_lines(open(out).read())
    os.unlink(out)
    execs = [e for e in events if e["event"] == "exec" and e["filename"].endswith("oomgrow")]
    if not execs:
        fail("no exec of oomgrow (exit %d): %s" % (r.returncode, r.stderr))
    pid = execs[0]["pid"]
    oom = check_oom_event(events, pid, "live")
    share = check_growth(oom, last_allocation(r.stdout), "live")
    for row in oom["growth"][:2]:
        if not row.get("sites") or not any("oomgrow" in (f.get("module") or "")
                                           for f in row["sites"][0]["stack"]):
            fail("--stacks: %s row has no call site in oomgrow: %s" % (row["class"], row))
    sums = [e for e in events if e["event"] == "summary" and e["pid"] == pid]
    if not sums or not sums[0].get("oom_killed") or sums[0].get("oom_constraint") != "memcg" \
            or sums[0].get("oom_cgroup") != "/" + NAME:
        fail("the summary does not name the OOM killer: %s" % sums)
    return pid, oom, share


def replay_same(d, pid, live):
    msnp, txt = check_files(d, pid)
    check_text(txt, pid)
    r = run(["-j", "--stacks", "-r", msnp])
    if r.returncode:
        fail("replay of %s: %s" % (msnp, r.stderr))
    replayed = check_oom_event(json_lines(r.stdout), pid, "replay")
    if not same_report(live, replayed):
        fail("the .msnp replays to another report:\nlive   %s\nreplay %s" % (live, replayed))
    again = tempfile.mkdtemp(prefix="memsnoop-oom2.")
    r = run(["-q", "--stacks", "--oom-dir", again, "-r", msnp])
    _, txt2 = check_files(again, pid)
    if open(txt).read() != open(txt2).read():
        fail("replaying the .msnp with --oom-dir writes another report")
    check_page(msnp, pid, again)


def check_page(msnp, pid, d):
    """memsnoop report: the victim is among the processes shown, each of its charts
    (reserved, resident) carries one OOM marker whose text is the oom event's line."""
    page = os.path.join(d, "report.html")
    r = run(["report", "-r", msnp, "-o", page])
    if r.returncode:
        fail("report of %s: %s" % (msnp, r.stderr))
    html = open(page).read()
    marks = re.findall(r'<g class="mark mk-oom">.*?<title>(.*?)</title>', html, re.S)
    if len(marks) != 2 or len(set(marks)) != 1 or "OOM killer" not in marks[0] or \
            NAME not in marks[0]:
        fail("the report's OOM markers: %s" % marks)
    print("ok: the report marks the kill: %s" % marks[0][:120])


def daemon_keeps(d):
    """The quiet daemon (--cgroup of the test's cgroup): nothing written until a kill,
    then --oom-keep 1 of them.
    Its window (1 s) is shorter than the workload's life: the .msnp starts with
    the layout as it was then, and still replays to the same report."""
    old = sorted(os.listdir(d))
    # --cgroup: the kernel's filter passes the victim too (it is in the cgroup)
    bg = Background(["-q", "--oom-dir", d, "--oom-keep", "1", "--oom-window", "1",
                     "--cgroup", CG])
    try:
        time.sleep(0.5)
        if sorted(os.listdir(d)) != old:
            fail("the daemon wrote before any kill: %s" % os.listdir(d))
        w = subprocess.run(INSIDE_SLOW, capture_output=True, text=True, timeout=120)
        if w.returncode != -signal.SIGKILL:
            fail("the workload was not killed: %d %s" % (w.returncode, w.stderr))
        deadline = time.time() + 10
        while time.time() < deadline and sorted(os.listdir(d)) == old:
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        rc, out, err = bg.stop()
    files = sorted(os.listdir(d))
    if len(files) != 2 or set(files) & set(old):
        fail("--oom-keep 1: the directory holds %s (before: %s)" % (files, old))
    if rc or out.strip():
        fail("the daemon: exit %d, output %r, errors %r" % (rc, out, err))
    heap_start, _, heap_bytes, map_start, _, map_bytes = last_allocation(w.stdout)
    msnp = [os.path.join(d, f) for f in files if f.endswith(".msnp")][0]
    r = run(["-j", "-r", msnp])
    o = [e for e in json_lines(r.stdout) if e["event"] == "oom"]
    if len(o) != 1 or o[0]["window_ns"] != 10**9:
        fail("the daemon's recording: %s" % o)
    o = o[0]
    if not o["growth"] or not 0 < o["grew_total"] < (heap_bytes + map_bytes) / 2:
        fail("a 1 s window saw %d of %d bytes grow: %s" % (o["grew_total"],
                                                          heap_bytes + map_bytes, o))
    rows = [row_at(o["growth"], heap_start), row_at(o["growth"], map_start)]
    if None in rows or rows[0]["grew"] + rows[1]["grew"] < 0.9 * o["grew_total"] or \
            rows[0]["class"] != "heap" or rows[1]["class"] != "malloc":
        fail("the daemon's report: growth not in the heap and the mapping: %s" % o["growth"])
    again = tempfile.mkdtemp(prefix="memsnoop-oom3.")
    run(["-q", "--oom-dir", again, "-r", msnp])
    txt = [f for f in files if f.endswith(".txt")][0]
    if open(os.path.join(d, txt)).read() != open(os.path.join(again, txt)).read():
        fail("the daemon's .msnp (seeded at the window's start) replays to another report")


try:
    remove_cgroup()
    make_cgroup()
    d = tempfile.mkdtemp(prefix="memsnoop-oom.")
    pid, live, share = traced_kill(d)
    replay_same(d, pid, live)
    daemon_keeps(d)
finally:
    remove_cgroup()
assert_released(BEFORE)
print("ok: oom event for pid %d in /%s (cgroup v%d), limit %d; heap and mapping %.0f%% of "
      "%d bytes grown; --oom-dir files replay to the same report; the daemon keeps one" %
      (pid, NAME, 2 if V2 else 1, live["limit"], share * 100, live["grew_total"]))
