"""memsnoop -j -- counted: exact counts for the workload and its child, nothing else."""
import json
from memsnoop_test import *

need_root()
r = run(["-j", "--", WL + "/counted"], timeout=60)
if r.returncode != 0:
    fail("memsnoop exited %d: %s" % (r.returncode, r.stderr))
# the workload's own reports (JSON on its stderr, which memsnoop passes through)
reports = [json.loads(l) for l in r.stderr.splitlines() if l.startswith('{"pid"')]
if len(reports) != 2:
    fail("expected 2 workload reports, got: " + r.stderr)
events = json_lines(r.stdout)
pids = {w["pid"] for w in reports}
others = {e["pid"] for e in events} - pids
if others:
    fail("events from other processes: %s" % sorted(others))
for w in reports:
    ev = between_markers(events, w["pid"])
    for name in ("mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "shmat", "shmdt",
                 "pkey_mprotect", "mseal", "remap_file_pages", "prctl", "process_madvise",
                 "mlock", "mlock2", "munlock", "mlockall", "munlockall", "mbind", "uffdio"):
        got = count(ev, name)
        if got != w[name]:
            fail("pid %d: %d %s events, workload made %d" % (w["pid"], got, name, w[name]))
    failed = [e for e in ev if e["event"] == "mmap" and e.get("errno")]
    if len(failed) != w["mmap_failed"] or failed[0]["errno"] != "EINVAL":
        fail("pid %d: failed mmap not reported with its errno: %s" % (w["pid"], failed))
    print("ok: pid %d counts match %s" % (w["pid"], {k: w[k] for k in ("mmap", "munmap", "brk")}))
# fork and exit of the child, exec of the workload
parent = reports[0]["pid"] if reports[0]["pid"] < reports[1]["pid"] else reports[1]["pid"]
forks = [e for e in events if e["event"] == "fork" and not e["thread"]]
if len(forks) != 1 or forks[0]["pid"] != parent:
    fail("expected one fork by %d: %s" % (parent, forks))
exits = [e for e in events if e["event"] == "exit" and not e["thread"]]
if sorted(e["pid"] for e in exits) != sorted(pids) or any(e["exit_code"] for e in exits):
    fail("expected clean exits of both: %s" % exits)
# every fault is accounted for: per-interval summaries add up to the exit totals
for e in exits:
    summed = sum(f["count"] for f in events if f["event"] == "faults" and f["pid"] == e["pid"])
    if summed != e["faults"]["faults"]:
        fail("pid %d: fault summaries add to %d, exit total %d" % (e["pid"], summed, e["faults"]["faults"]))
    if summed < 64:
        fail("pid %d: only %d faults for 64 touched pages" % (e["pid"], summed))
summary = json.loads([l for l in r.stderr.splitlines() if l.startswith('{"summary"')][0])["summary"]
if summary["lost"] != 0:
    fail("events lost: %s" % summary)
assert_detached()
print("ok")
