"""Cgroups: two identical workloads, one inside a test cgroup (v1 memory, 64 MiB
limit; and v2 where the machine lets us make one), one outside. --cgroup sees
only the inside one, with exact counts; every record of it names its cgroup,
live and replayed; top --by cgroup shows the controller's limit and usage
within 5%, live and replayed. Test cgroups are removed even on failure."""
import json
import os
import subprocess
import tempfile
import time
from memsnoop_test import *

LIMIT = 64 << 20
MOUNTS = {"v1": "/sys/fs/cgroup/memory", "v2": None}


def v2_mount():
    for line in open("/proc/self/mountinfo"):
        pre, post = line.split(" - ", 1)
        if post.split()[0] == "cgroup2":
            return pre.split()[4]
    return None


def make_group(kind):
    """A fresh cgroup directory of kind, or None when the machine has no such hierarchy."""
    mnt = MOUNTS[kind]
    if not mnt or not os.path.exists(os.path.join(mnt, "cgroup.procs")):
        return None
    if kind == "v1" and not os.path.exists(os.path.join(mnt, "memory.limit_in_bytes")):
        return None
    make_group.v1 = make_group.v1 or kind == "v1"
    path = os.path.join(mnt, "memsnoop-test-%d" % os.getpid())
    try:
        os.mkdir(path)
    except OSError:
        return None
    CREATED.append(path)
    limit_file = "memory.limit_in_bytes" if kind == "v1" else "memory.max"
    if os.path.exists(os.path.join(path, limit_file)):
        with open(os.path.join(path, limit_file), "w") as f:
            f.write(str(LIMIT))
    return path


def remove_groups():
    for path in reversed(CREATED):
        root = os.path.dirname(path)
        for _ in range(50):
            try:
                pids = open(os.path.join(path, "cgroup.procs")).read().split()
            except OSError:
                break
            for p in pids:
                try:
                    os.kill(int(p), 9)
                except OSError:
                    pass
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)
        if os.path.exists(path):
            print("warning: could not remove " + path)


def inside(group, argv, **kw):
    """argv run inside group: a shell moves itself in, then execs it (same pid)."""
    sh = 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"'
    return subprocess.Popen(["sh", "-c", sh, "sh", group] + argv, **kw)


def reports_of(err):
    return [json.loads(l) for l in err.splitlines() if l.startswith('{"pid"')]


def shown_name(kind, group):
    """The cgroup records name: the memory controller's (v1 on a hybrid machine:
    there a process in a v2 group keeps the memory cgroup it inherited, ours)."""
    if kind == "v2" and make_group.v1:
        for line in open("/proc/self/cgroup"):
            n, ctl, path = line.rstrip("\n").split(":", 2)
            if "memory" in ctl.split(","):
                return path
    return "/" + os.path.basename(group)


def check_filter(kind, group, tmp):
    name = shown_name(kind, group)
    rec = os.path.join(tmp, kind + ".msnp")
    bg = Background(["-j", "--cgroup", group, "-w", rec], stdout=os.path.join(tmp, kind + ".out"))
    try:
        a = inside(group, [WL + "/counted"], stderr=subprocess.PIPE, text=True)
        b = subprocess.Popen([WL + "/counted"], stderr=subprocess.PIPE, text=True)
        a_err, b_err = a.communicate(timeout=30)[1], b.communicate(timeout=30)[1]
        time.sleep(1.5)  # the last fault counts and exits reach memsnoop
    finally:
        rc, out, err = bg.stop()
    if rc != 0 or a.returncode or b.returncode:
        fail("%s: memsnoop %d (%s), workloads %d %d" % (kind, rc, err, a.returncode, b.returncode))
    ins, outs = reports_of(a_err), reports_of(b_err)
    if len(ins) != 2 or len(outs) != 2:
        fail("%s: expected two reports each: %s / %s" % (kind, a_err, b_err))
    events = json_lines(out)
    want = {w["pid"] for w in ins}
    seen = {e["pid"] for e in events}
    if seen != want:
        fail("%s: pids traced %s, the cgroup's are %s (outside: %s)"
             % (kind, sorted(seen), sorted(want), [w["pid"] for w in outs]))
    for w in ins:
        ev = between_markers(events, w["pid"])
        for call in ("mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "mlock"):
            if count(ev, call) != w[call]:
                fail("%s: pid %d: %d %s events, workload made %d"
                     % (kind, w["pid"], count(ev, call), call, w[call]))
    wrong = [e for e in events if e.get("cgroup") != name]
    if wrong:
        fail("%s: records without cgroup %s: %s" % (kind, name, wrong[:3]))
    print("ok: %s --cgroup: only the inside workload (pids %s), exact counts, every record "
          "with cgroup %s" % (kind, sorted(want), name))
    replay = run(["-j", "-r", rec])
    if replay.returncode or replay.stdout != out:
        fail("%s: the replay's JSON differs from the live run's" % kind)
    text = run(["-r", rec])
    sums = [l for l in text.stdout.splitlines() if " summary " in l]
    if len(sums) != 2 or any(not l.endswith(", cgroup " + name) for l in sums):
        fail("%s: text summaries do not name the cgroup: %s" % (kind, sums))
    verbose = [l for l in run(["-r", rec, "-v"]).stdout.splitlines()[1:] if " summary " not in l]
    if not verbose or any(not l.endswith(" cgroup " + name) for l in verbose):
        fail("%s: -v lines without the cgroup: %s" % (kind, verbose[:3]))
    info = run(["info", "-r", rec]).stdout
    if "cgroup=" + group not in info:
        fail("%s: info does not name the filter: %s" % (kind, info))
    print("ok: %s replay: the same JSON; text summaries end with the cgroup" % kind)


def memcg_files(kind, group):
    usage = "memory.usage_in_bytes" if kind == "v1" else "memory.current"
    limit = "memory.limit_in_bytes" if kind == "v1" else "memory.max"
    return tuple(int(open(os.path.join(group, f)).read().split()[0]) for f in (limit, usage))


def row_of(frame, name):
    rows = [r for r in frame["cgroups"] if r["cgroup"] == name]
    if len(rows) != 1:
        fail("no row for %s: %s" % (name, [r["cgroup"] for r in frame["cgroups"]]))
    return rows[0]


def within(a, b, pct):
    return abs(a - b) <= b * pct / 100.0


def check_top(kind, group, tmp):
    name = "/" + os.path.basename(group)
    # grows up to 40 MiB (under the 64 MiB limit), says how much, then holds it
    env = dict(os.environ, HOLD="30")
    g = inside(group, [WL + "/grow", "0.8", str(1 << 20), "20"], stdout=subprocess.PIPE,
               text=True, env=env)
    try:
        out = ""
        while "grown" not in out:
            line = g.stdout.readline()
            if not line:
                fail("grow ended early")
            out += line
        rec = os.path.join(tmp, kind + "-top.msnp")
        r = run(["top", "--by", "cgroup", "-b", "-j", "-n", "2", "-i", "1", "-w", rec])
        limit, usage = memcg_files(kind, group)
        text = run(["top", "--by", "cgroup", "-b", "-n", "1"])
    finally:
        g.kill()
        g.wait()
    if r.returncode:
        fail("top --by cgroup: %s" % r.stderr)
    row = row_of(json_lines(r.stdout)[-1], name)
    print("%s: top row %s; controller limit %d usage %d" % (kind, row, limit, usage))
    if row["processes"] != 1 or row["limit"] != LIMIT or limit != LIMIT:
        fail("%s: top's limit %s (controller %d), processes %s" % (kind, row["limit"], limit,
                                                                     row["processes"]))
    grown = int(out.split("grown")[1].split()[0])  # what the workload allocated and touched
    if row["usage"] is None or not within(row["usage"], usage, 5) or usage < grown:
        fail("%s: top's usage %s vs the controller's %d" % (kind, row["usage"], usage))
    if abs(row["usage_pct"] - 100.0 * row["usage"] / LIMIT) > 0.1:
        fail("%s: usage_pct %s" % (kind, row["usage_pct"]))
    if not [l for l in text.stdout.splitlines() if l.startswith(name) and " 64M " in l]:
        fail("%s: text top has no row with the limit: %s" % (kind, text.stdout))
    print("ok: %s top --by cgroup: limit exact, usage within 5%% of the controller" % kind)
    rep = run(["top", "--by", "cgroup", "-b", "-j", "-r", rec])
    if rep.returncode:
        fail("replay: %s" % rep.stderr)
    rrow = row_of(json_lines(rep.stdout)[-1], name)
    if rrow["limit"] != LIMIT or rrow["usage"] is None or not within(rrow["usage"], usage, 5):
        fail("%s: the replay's row %s" % (kind, rrow))
    print("ok: %s replayed: limit %d, usage %d" % (kind, rrow["limit"], rrow["usage"]))


def check_errors():
    """A path that is not a cgroup directory: one line, exit 1, nothing loaded."""
    cases = [("/tmp", "not a cgroup directory"), ("/nonexistent-cgroup", "No such file"),
             ("/proc/self/status", "not a cgroup directory")]
    if os.path.exists("/sys/fs/cgroup/cpu/cgroup.procs"):
        cases.append(("/sys/fs/cgroup/cpu", "without the memory controller"))
    for path, words in cases:
        r = run(["--cgroup", path, "-d", "1"])
        if r.returncode != 1 or r.stderr.count("\n") != 1 or words not in r.stderr:
            fail("--cgroup %s: exit %d, %r" % (path, r.returncode, r.stderr))
    r = run(["--cgroup", "/sys/fs/cgroup", "-r", "/dev/null"])
    if r.returncode != 1 or "not with -r" not in r.stderr:
        fail("--cgroup with -r: %d %r" % (r.returncode, r.stderr))
    print("ok: one-line errors for paths that are not cgroup directories")


need_root()
check_errors()
make_group.v1 = False
CREATED = []
MOUNTS["v2"] = v2_mount()
tested = 0
try:
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("v1", "v2"):
            group = make_group(kind)
            if not group:
                print("no writable %s hierarchy here" % kind)
                continue
            check_filter(kind, group, tmp)
            limit_file = "memory.limit_in_bytes" if kind == "v1" else "memory.max"
            if os.path.exists(os.path.join(group, limit_file)):
                check_top(kind, group, tmp)
            else:
                print("%s: no memory controller on this hierarchy: no limit to show" % kind)
            tested += 1
finally:
    remove_groups()
if not tested:
    skip("no cgroup hierarchy to make a test cgroup in")
if any(os.path.exists(p) for p in CREATED):
    fail("test cgroups left behind")
assert_detached()
print("ok")
