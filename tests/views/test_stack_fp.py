"""--stacks with frame pointers, and layout's call sites.
callers_fp is callers.c built -O2 -fno-omit-frame-pointer: its alpha_map() mmaps through
libc's frameless mmap wrapper, so the frame-pointer chain gives the whole stack; each says
"unwind": "fp" with alpha_map then main (callers.c:line), live and replayed, and text tags
its first frame [fp]. Every call's frames are right whichever way they were found. (callers,
built -fomit-frame-pointer, stays "dwarf": test_stacks.) layout, with stacks in the run or
the recording, names each region's call site: alpha_map's block and beta_malloc's, live
and -r, text and -j; without stacks it names none."""
import json
import os
import re
import tempfile
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
d = tempfile.mkdtemp(prefix="memsnoop-stackfp.")
N = 10
ALPHA, BETA = 3 * 4096, 1 << 20
FP = os.path.join(WL, "callers_fp")


def ok(what):
    print("ok: " + what)


def syms(e):
    return [f.get("sym", "?") for f in e.get("stack", [])]


def calls_of(events):
    pid = next(e["pid"] for e in events if e["event"] == "exec" and e["comm"] == "callers_fp")
    calls = [e for e in events if e["pid"] == pid and e["event"] in ("mmap", "munmap")]
    alpha = [e for e in calls if e["event"] == "mmap" and e["len"] == ALPHA
             and "alpha_map" in syms(e)]
    beta = [e for e in calls if e["event"] == "mmap" and BETA < e["len"] <= BETA + 8192]
    gamma = [e for e in calls if e["event"] == "munmap" and BETA < e["len"] <= BETA + 8192]
    return pid, alpha, beta, gamma


def check(events, how):
    pid, alpha, beta, gamma = calls_of(events)
    if len(alpha) != N or len(beta) != N or len(gamma) != N:
        fail("%s: %d alpha, %d beta, %d gamma calls; want %d each"
             % (how, len(alpha), len(beta), len(gamma), N))
    for fn, group in (("alpha_map", alpha), ("beta_malloc", beta), ("gamma_free", gamma)):
        for e in group:
            s = syms(e)
            if fn not in s or s.index(fn) + 1 >= len(s) or s[s.index(fn) + 1] != "main":
                fail("%s: a %s stack (%s) is not %s <- main: %s"
                     % (how, e["event"], e.get("unwind"), fn, s))
            f = e["stack"][s.index(fn)]
            if f.get("file") != "callers.c" or not f.get("line"):
                fail("%s: %s's frame lacks callers.c:line: %s" % (how, fn, f))
    if any(e.get("unwind") != "fp" for e in alpha):
        fail("%s: alpha_map's stacks were not all found by frame pointers: %s"
             % (how, [(e.get("unwind"), syms(e)) for e in alpha]))
    ways = {}
    for e in alpha + beta + gamma:
        ways[e["unwind"]] = ways.get(e["unwind"], 0) + 1
    ok("%s: %d calls with the right frames; alpha_map's %d all \"fp\"; all: %s"
       % (how, 3 * N, N, ways))
    return pid, alpha, beta


trace = os.path.join(d, "fp.trace")
r = run(["--stacks", "-j", "-w", trace, "--", FP, str(N)])
if r.returncode:
    fail("memsnoop --stacks failed: " + r.stderr)
live = check(json_lines(r.stdout), "live")
r = run(["-r", trace, "-j"])
pid, alpha, beta = check(json_lines(r.stdout), "replay")
if [(e["ts_ns"], e["unwind"]) for e in live[1]] != [(e["ts_ns"], e["unwind"]) for e in alpha]:
    fail("the replay's unwind methods differ from the live ones")

r = run(["-r", trace, "--stack-depth", "3"])
lines = r.stdout.splitlines()
tags = [l for i, l in enumerate(lines) if l.startswith("    #0 ") and i + 1 < len(lines)
        and "alpha_map+0x" in lines[i + 1]]
if len(tags) != N or any(not l.endswith(" [fp]") for l in tags):
    fail("text: want alpha_map's first frames tagged [fp]: %s" % tags)
ok("text: the first frame of each alpha_map stack ends with [fp]")


def text_site(text, addr):
    """The call site layout's text line of the region at addr names, "" if none."""
    for l in text.splitlines():
        m = re.match(r"([0-9a-f]{12,16})-([0-9a-f]{12,16}) ", l)
        if m and int(m.group(1), 16) <= addr < int(m.group(2), 16) and "free" not in l:
            m = re.search(r"\[by ([^\]]+)\]$", l)
            return m.group(1) if m else ""
    fail("layout: no line for %#x:\n%s" % (addr, text))


def json_site(text, addr):
    def blocks(o):
        if isinstance(o, dict):
            if "start" in o and "class" in o and \
                    int(o["start"], 16) <= addr < int(o["end"], 16):
                yield o
            for v in o.values():
                yield from blocks(v)
        elif isinstance(o, list):
            for v in o:
                yield from blocks(v)
    found = list(blocks(json.loads(text)))
    if not found:
        fail("layout -j: no block for %#x" % addr)
    return found[0].get("site", {}).get("sym", "")


# -r: right after the last alpha_map mmap and the last beta_malloc one
for fn, e in (("alpha_map", alpha[-1]), ("beta_malloc", beta[-1])):
    addr, at = int(e["ret"], 16), str(e["ts_ns"])
    args = ["layout", "-r", trace, "-p", str(pid), "--at-ns", at, "--once"]
    text, js = run(args).stdout, run(args + ["-j"]).stdout
    if text_site(text, addr) != fn or json_site(js, addr) != fn:
        fail("layout -r: the region at %#x made by %s names %r (text), %r (-j):\n%s"
             % (addr, fn, text_site(text, addr), json_site(js, addr), text))
ok("layout -r: the regions name alpha_map and beta_malloc (text and -j)")

# a recording without stacks: no call sites
plain = os.path.join(d, "plain.trace")
r = run(["-w", plain, "--", FP, "2"])
ev = json_lines(run(["-r", plain, "-j"]).stdout)
p2 = next(e["pid"] for e in ev if e["event"] == "exec" and e["comm"] == "callers_fp")
last = [e for e in ev if e["pid"] == p2 and e["event"] == "mmap" and e["len"] == ALPHA][-1]
text = run(["layout", "-r", plain, "-p", str(p2), "--at-ns", str(last["ts_ns"]), "--once"]).stdout
if "anonymous rw-p" not in text:
    fail("layout without stacks: no anonymous block:\n" + text)
if "[by " in text:
    fail("layout without stacks names a call site:\n" + text)
ok("layout without stacks names no call site")

# live: the process holds still after its calls while layout draws it
r = run(["layout", "--stacks", "-b", "-n", "1", "-i", "1", "--", FP, str(N), "2500"])
if r.returncode:
    fail("live layout failed: " + r.stderr)
# (the kernel may merge alpha's blocks with an anonymous neighbour: the newest maker names it)
sites = re.findall(r"\[by ([^\]]+)\]$", r.stdout, re.M)
if "alpha_map" not in sites or "__mmap" in sites:
    fail("live layout: want a block made by alpha_map, none by libc's __mmap: %s\n%s"
         % (sites, r.stdout))
ok("live layout --stacks: call sites %s" % sorted(set(sites)))
assert_released(BEFORE)
