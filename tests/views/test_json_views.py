"""-j for every output, checked against the text form of the same moment of the same
recording (same values, field by field): the event stream and its closing summary,
maps, layout, top and info. Also: the summary's `stack` counts the stack lines printed;
top's FLT/s of a short-lived process is over a window, not its few milliseconds of life,
and its exited row keeps its sizes; maps/layout of a process that is not there, -c that
matches nothing and --at past the end fail with one line on stderr."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
d = tempfile.mkdtemp(prefix="memsnoop-json.")


def fmt_size(n):
    """util/fmt.c's fmt_size."""
    v, u = float(n), 0
    while v >= 1024 and u < 6:
        v /= 1024
        u += 1
    if u == 0:
        return "%dB" % n
    if v < 10 and v != int(v):
        t = int(v * 10 + 0.5)
        s = str(t // 10) + ("." + str(t % 10) if t % 10 or t < 100 else "")
    else:
        s = str(int(v + 0.5))
    return s + "BKMGTPE"[u]


def ok(args):
    r = run(args)
    if r.returncode:
        fail("memsnoop %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def objects(text, what):
    try:
        return [json.loads(l) for l in text.splitlines() if l.strip()]
    except ValueError as e:
        fail("%s: not JSON lines (%s):\n%s" % (what, e, text[:2000]))


def same(got, want, what):
    if got != want:
        fail("%s: JSON says %r, text says %r" % (what, got, want))


# A recording: the main stack grows to its limit, page after page, then SIGSEGV.
rec = os.path.join(d, "crash.msnp")
r = run(["-w", rec, "--", os.path.join(WL, "crash"), "main-overflow"], timeout=60)
text = ok(["-r", rec])
js = ok(["-r", rec, "-j"])

# the stream and its summary: `stack` counts the stack lines printed
events = objects(js.stdout, "-r -j")
lines = [l.split() for l in text.stdout.splitlines()[1:]]
same(len(events), len(lines), "event count")
same([e["event"] for e in events], [l[3] for l in lines], "event names")
summary = objects(js.stderr, "the JSON summary on stderr")[-1]["summary"]
tail = text.stderr.strip().splitlines()[-1]  # memsnoop: N events: brk 1, ...; F page faults; L lost
counts = dict((kv.split()[0], int(kv.split()[1]))
              for kv in tail.split("events:")[1].split(";")[0].split(","))
for k, v in counts.items():
    same(summary[k], v, "summary %s" % k)
same(summary["events"], int(tail.split()[1]), "summary events")
same(summary["faults_total"], int(tail.split(";")[1].split()[0]), "summary faults")
stacks = sum(1 for e in events if e["event"] == "stack")
if stacks < 100 or summary["stack"] != stacks or counts["stack"] != stacks:
    fail("%d stack lines printed, the summary says %d (text %d)" %
         (stacks, summary["stack"], counts["stack"]))
print("ok: %d events and their summary, JSON and text; stack %d = lines printed" %
      (len(events), stacks))

# maps, layout and top at the moment of the 200th stack growth
pid = [e for e in events if e["event"] == "exec"][0]["pid"]
at = [e for e in events if e["event"] == "stack"][200]["ts_ns"]
moment = ["-r", rec, "--at-ns", str(at), "-p", str(pid)]

t = ok(["maps"] + moment).stdout.splitlines()
rows = objects(ok(["maps", "-j"] + moment).stdout, "maps -j")
same(len(rows), len(t) - 3, "maps: regions")
for o, l in zip(rows, t[2:-1]):
    f = l.split(None, 8)
    same((o["start"], o["end"]), tuple("0x" + x.lstrip("0") for x in f[0].split("-")), "range")
    same(fmt_size(o["size"]), f[1], "size of " + f[0])
    same(o["perm"], f[2], "perm of " + f[0])
    for k, v in zip(("rss", "anon", "swap"), f[3:6]):
        same(fmt_size(o[k]) if o[k] is not None else "-", v, k + " of " + f[0])
    same(fmt_size(o["touched"]) if o["touched"] else "-", f[6], "touched of " + f[0])
    same(o["class"], f[7], "class of " + f[0])
    same(o.get("path", ""), (f[8] if len(f) > 8 else ""), "path of " + f[0])
    same((o["pid"], o["comm"]), (pid, "crash"), "process of " + f[0])
same(objects(ok(["maps", "-j", "--format=maps"] + moment).stdout, "maps -j --format=maps"), rows,
     "maps -j, either format")
print("ok: maps -j: %d regions as the table shows them" % len(rows))

t = ok(["layout"] + moment).stdout.splitlines()
frame = objects(ok(["layout", "-j"] + moment).stdout, "layout -j")
same(len(frame), 1, "layout -j: frames")
frame = frame[0]
blocks = []
for b in frame["blocks"]:
    blocks.append(b)
    blocks.extend(b.get("segments", []))
body = t[t.index([l for l in t if l.endswith("HIGH MEMORY")][0]) + 1:
         t.index([l for l in t if l.endswith("LOW MEMORY")][0])]
same(len(blocks), len(body), "layout: blocks")
for b, l in zip(blocks, body):
    rng = l.split()[0]
    lo, hi = rng.split("-")
    x = len(rng) - 25  # columns after a wide range move right
    same((int(b["start"], 16), int(b["end"], 16)), (int(lo, 16), int(hi, 16)), "block range")
    same(b["text"], l[78 + x:].strip(), "block text")
    if "class" in b or b["kind"] == "args":
        same(fmt_size(b["size"]), l[26 + x:33 + x].strip(), "reserved of " + rng)
    if "class" in b:
        same(fmt_size(b["touched"]) if b["touched"] else "-", l[34 + x:41 + x].strip(),
             "touched of " + rng)
        same(fmt_size(b["rss"]) if b["rss"] is not None else "-", l[42 + x:49 + x].strip(),
             "resident of " + rng)
stack = [b for b in blocks if b["kind"] == "stack"][0]
hr = frame["headroom"]
want = "RLIMIT_DATA %s (data %s" % ("unlimited" if hr["data"]["limit"] is None else
                                    fmt_size(hr["data"]["limit"]), fmt_size(hr["data"]["used"]))
if want not in t[-1] or "main stack %s" % fmt_size(hr["stack"]["used"]) not in t[-1]:
    fail("layout headroom: %s vs %s" % (hr, t[-1]))
same(hr["stack"]["used"], stack["size"], "stack headroom")
same((frame["pid"], frame["comm"]), (pid, "crash"), "layout process")
print("ok: layout -j: %d blocks as the picture draws them, headroom %s" % (len(blocks), hr))

t = ok(["top", "-b"] + moment).stdout.splitlines()
frame = objects(ok(["top", "-j"] + moment).stdout, "top -j")[0]
rows = [l for l in t[2:] if l.strip()]
same(len(frame["rows"]), len(rows), "top rows")
for o, l in zip(frame["rows"], rows):
    f = l[24:].split()
    same((o["pid"], o["comm"]), (int(l[:7]), l[8:24].strip()), "top row")
    for k, v in zip(("vsize", "rss", "heap", "anon", "file", "stack"), f):
        same(fmt_size(o[k]) if o[k] is not None else "-", v, "top %s" % k)
    same(str(o["faults_per_s"]), f[6], "top FLT/s")
if "sort RSS down" not in t[0] or (frame["sort"], frame["order"]) != ("rss", "descending"):
    fail("top sort: %s / %s" % (t[0], frame))
print("ok: top -j: %d rows as the table shows them" % len(rows))

# info
t = dict(l.split(":", 1) for l in ok(["info", "-r", rec]).stdout.splitlines())
info = objects(ok(["info", "-j", "-r", rec]).stdout, "info -j")[0]
same(info["faults"], int(t["faults"]), "info faults")
same(info["lost"], int(t["lost"].split()[0]), "info lost")
same(info["records"], int(t["file"].split(",")[1].split()[0]), "info records")
same(dict((kv.split()[0], int(kv.split()[1])) for kv in t["events"].split(",")),
     info["events"], "info events")
print("ok: info -j")

# nothing to show is an error, said in one line
after = max(e["ts_ns"] for e in events)  # the recording's end: crash is gone
for args, why in ((["maps", "-r", rec, "-p", "999999"], "pid 999999"),
                  (["maps", "-r", rec, "-c", "nosuchcomm"], "nosuchcomm"),
                  (["maps", "-r", rec, "--at-ns", str(after), "-p", str(pid)], str(pid)),
                  (["layout", "-r", rec, "-p", "999999"], "pid 999999"),
                  (["maps", "-r", rec, "--at", "3600"], "past the recording's end"),
                  (["top", "-r", rec, "--at", "3600"], "past the recording's end"),
                  (["maps", "-r", rec, "-j", "-p", "999999"], '{"error":')):
    r = run(args)
    if r.returncode != 1 or r.stdout or why not in r.stderr or len(r.stderr.splitlines()) != 1:
        fail("%s: exit %d, stdout %r, stderr %r" % (" ".join(args), r.returncode, r.stdout,
                                                     r.stderr))
r = run(["maps"] + moment + ["-p", "999999"])  # the one that is there is shown
if r.returncode != 1 or not r.stdout.startswith("%d: crash" % pid) or \
        len(r.stderr.splitlines()) != 1:
    fail("maps -p %d -p 999999: exit %d: %s %s" % (pid, r.returncode, r.stdout, r.stderr))
print("ok: a process not there, a name matching nothing, --at past the end: exit 1, one line")

# top of a process that lived a few milliseconds: FLT/s over the window, sizes at exit.
# -c: its mm's teardown is recorded too (the layout is empty after it).
rec2 = os.path.join(d, "date.msnp")
bg = subprocess.Popen([MEMSNOOP, "record", "-o", rec2, "-c", "date", "-d", "1.5",
                       "--ready-file", rec2 + ".ready"], stderr=subprocess.PIPE, text=True)
deadline = time.time() + 15
while not os.path.exists(rec2 + ".ready"):
    if bg.poll() is not None or time.time() > deadline:
        fail("record -c date did not start: " + bg.stderr.read())
    time.sleep(0.02)
subprocess.run(["date"], stdout=subprocess.DEVNULL)
if bg.wait(timeout=30):
    fail("record -c date: " + bg.stderr.read())
ev = objects(ok(["-r", rec2, "-j"]).stdout, "date events")
ends = [e for e in ev if e["event"] == "summary"]
if not ends:
    fail("no date process recorded: %s" % ev)
dpid, faults = ends[0]["pid"], ends[0]["faults"]
gone = max(e["ts_ns"] for e in ev if e["pid"] == dpid)  # its last record, maybe after the exit
frame = objects(ok(["top", "-j", "-r", rec2, "--at-ns", str(gone)]).stdout,
                "top -j")[0]
row = [x for x in frame["rows"] if x["pid"] == dpid]
if not row or not row[0]["exited"]:
    fail("no exited row for date %d: %s" % (dpid, frame))
row = row[0]
if row["faults_per_s"] > faults * 1e9 / frame["window_ns"] + 1:
    fail("FLT/s %d for %d faults in a %d ns window" % (row["faults_per_s"], faults,
                                                      frame["window_ns"]))
if not row["vsize"] or not row["file"] or not row["stack"]:
    fail("the exited row lost its sizes: %s" % row)
print("ok: date (%d faults in %.1f ms): FLT/s %d, exited row %s" %
      (faults, ends[0]["lifetime_ns"] / 1e6, row["faults_per_s"], row))

assert_released(BEFORE)
shutil.rmtree(d)
