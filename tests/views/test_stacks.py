"""--stacks: user call stacks unwound with the binaries' CFI, no frame pointers needed.
callers (built -O2 -fomit-frame-pointer) maps from alpha_map(), mallocs above the mmap
threshold from beta_malloc() and frees from gamma_free(): every such call's stack names
its function, then main, with file:line, live (-j and text) and in a replay of the
recording, where stack ids also match. Debian's own python3 (no frame pointers): at least
95% of its mmap/munmap stacks have 4 frames or more, and they name CPython functions.
Without --stacks no record has a stack."""
import os
import tempfile
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
d = tempfile.mkdtemp(prefix="memsnoop-stacks.")
N = 10


def ok(what):
    print("ok: " + what)
ALPHA, BETA = 3 * 4096, 1 << 20


def syms(e):
    return [f.get("sym", "?") for f in e.get("stack", [])]


def site_then_main(e, fn):
    """fn, then main right after it (the frames inside libc come before)."""
    s = syms(e)
    return fn in s and s.index(fn) + 1 < len(s) and s[s.index(fn) + 1] == "main"


def callers_calls(events):
    pid = next(e["pid"] for e in events if e["event"] == "exec" and e["comm"] == "callers")
    calls = [e for e in events if e["pid"] == pid and e["event"] in ("mmap", "munmap")]
    alpha = [e for e in calls if e["event"] == "mmap" and e["len"] == ALPHA
             and "alpha_map" in syms(e)]
    beta = [e for e in calls if e["event"] == "mmap" and BETA < e["len"] <= BETA + 8192]
    gamma = [e for e in calls if e["event"] == "munmap" and BETA < e["len"] <= BETA + 8192]
    return calls, alpha, beta, gamma


def check_callers(events, how):
    calls, alpha, beta, gamma = callers_calls(events)
    if len(alpha) != N or len(beta) != N or len(gamma) != N:
        fail("%s: %d alpha_map mmaps, %d malloc mmaps, %d free munmaps; want %d each:\n%s"
             % (how, len(alpha), len(beta), len(gamma), N,
                "\n".join("%s %s %s" % (e["event"], e["len"], syms(e)) for e in calls)))
    for fn, group in (("alpha_map", alpha), ("beta_malloc", beta), ("gamma_free", gamma)):
        for e in group:
            if not site_then_main(e, fn):
                fail("%s: a %s call's stack is not %s <- main: %s" % (how, e["event"], fn, syms(e)))
            f = e["stack"][syms(e).index(fn)]
            if f.get("file") != "callers.c" or not f.get("line") or "callers" not in f["module"]:
                fail("%s: %s's frame lacks its module or file:line: %s" % (how, fn, f))
    for e in calls:
        if "stack" not in e or e.get("unwind") != "dwarf":
            fail("%s: a %s without a stack: %s" % (how, e["event"], e))
    ok("%s: %d mmap/munmap calls of callers, each with its stack; alpha_map, beta_malloc, "
       "gamma_free then main in all %d of theirs" % (how, len(calls), 3 * N))
    return alpha + beta + gamma


# live, recorded at the same time; then the recording replayed
trace = os.path.join(d, "callers.trace")
r = run(["--stacks", "-j", "-w", trace, "--", os.path.join(WL, "callers"), str(N)])
if r.returncode:
    fail("memsnoop --stacks failed: " + r.stderr)
live = check_callers(json_lines(r.stdout), "live")
r = run(["-r", trace, "-j"])
replayed = check_callers(json_lines(r.stdout), "replay")
if [(e["ts_ns"], e["stack_id"], e["stack"]) for e in live] != \
        [(e["ts_ns"], e["stack_id"], e["stack"]) for e in replayed]:
    fail("the replay's stacks differ from the live ones")
if len({e["stack_id"] for e in live}) >= len(live):
    fail("no stack id was shared: the same call site should be one stack")
ok("the replay gives the same stacks and ids; %d ids for %d calls"
   % (len({e["stack_id"] for e in live}), len(live)))

# maps --stacks: a region names the stack of the call that made it (the newest, merged)
at = beta = None
for e in replayed:
    if "beta_malloc" in syms(e):
        at, beta = e["ts_ns"], int(e["ret"], 16)
alpha = int([e for e in replayed if "alpha_map" in syms(e) and e["ts_ns"] < at][-1]["ret"], 16)
alpha_at = [e for e in replayed if "alpha_map" in syms(e) and e["ts_ns"] < at][-1]["ts_ns"]


def region_syms(addr, at):
    """The frames of the region at addr, at time at (adjacent mappings merge: the newest)."""
    r = run(["maps", "-r", trace, "--stacks", "-j", "--at-ns", str(at)])
    for g in json_lines(r.stdout):
        if int(g["start"], 16) <= addr < int(g["end"], 16):
            return [f.get("sym") for f in g.get("stack", [])]
    fail("maps: no region at %#x" % addr)


if "alpha_map" not in region_syms(alpha, alpha_at) or "beta_malloc" not in region_syms(beta, at):
    fail("maps --stacks: want alpha_map at %#x and beta_malloc at %#x: %s, %s"
         % (alpha, beta, region_syms(alpha, alpha_at), region_syms(beta, at)))
r = run(["maps", "-r", trace, "--stacks", "--at-ns", str(at)])
if "alpha_map+0x" not in r.stdout or "beta_malloc+0x" not in r.stdout:
    fail("maps --stacks text: no alpha_map/beta_malloc frames:\n" + r.stdout)
ok("maps --stacks: regions name the stacks of the calls that made them (text and -j)")

# export --folded: bytes per function, summed exactly; calls per function
def folded(weight):
    out = os.path.join(d, "folded." + weight)
    r = run(["export", "--folded", "--weight", weight, "-r", trace, "-o", out])
    if r.returncode:
        fail("export --folded failed: " + r.stderr)
    sums = {}
    for line in open(out):
        frames, w = line.rsplit(" ", 1)
        for fn in set(frames.split(";")):
            sums[fn] = sums.get(fn, 0) + int(w)
    return sums


by_bytes, by_calls = folded("reserved"), folded("calls")
want_beta = sum(e["len"] for e in live if "beta_malloc" in syms(e))
if by_bytes.get("alpha_map") != N * ALPHA or by_bytes.get("beta_malloc", 0) < want_beta:
    fail("export --folded: alpha_map %s bytes (want %d), beta_malloc %s (want >= %d, its mmaps)"
         % (by_bytes.get("alpha_map"), N * ALPHA, by_bytes.get("beta_malloc"), want_beta))
if by_bytes.get("sysmalloc_mmap.constprop.0") != want_beta:
    fail("export --folded: malloc's mmaps weigh %s, want %d"
         % (by_bytes.get("sysmalloc_mmap.constprop.0"), want_beta))
if by_calls.get("alpha_map") != N or by_calls.get("gamma_free") != N:
    fail("export --folded --weight calls: alpha_map %s, gamma_free %s; want %d"
         % (by_calls.get("alpha_map"), by_calls.get("gamma_free"), N))
ok("export --folded: alpha_map reserved %d bytes, malloc's mmaps %d, exactly; %d calls each"
   % (N * ALPHA, want_beta, N))

# top --by site: the memory each call site made, at the moment of the last malloc mmap
# (adjacent mappings merge, the newest maker names the whole: ask right after each call)
def sites_at(ts):
    r = run(["top", "--by", "site", "-r", trace, "-j", "--at-ns", str(ts)])
    return {x["site"]: x for x in json_lines(r.stdout)[-1]["sites"]}


sites = sites_at(alpha_at)
sites["beta_malloc"] = sites_at(at).get("beta_malloc", {})
if sites.get("alpha_map", {}).get("reserved", 0) < N * ALPHA or \
        sites["beta_malloc"].get("reserved", 0) < BETA:
    fail("top --by site: want alpha_map >= %d and beta_malloc >= %d bytes: %s"
         % (N * ALPHA, BETA, sites))
r = run(["top", "--by", "site", "-r", trace, "--at-ns", str(alpha_at)])
if not any(l.startswith("alpha_map ") for l in r.stdout.splitlines()):
    fail("top --by site text: no alpha_map row:\n" + r.stdout)
ok("top --by site: alpha_map holds %d bytes, beta_malloc %d (-j and text)"
   % (sites["alpha_map"]["reserved"], sites["beta_malloc"]["reserved"]))

# a replay whose local file is not the recorded one (another build-id): addresses, no names
import shutil
own = os.path.join(d, "callers")
shutil.copy(os.path.join(WL, "callers"), own)
trace2 = os.path.join(d, "own.trace")
r = run(["--stacks", "-w", trace2, "--", own, "2"])
if r.returncode:
    fail("record of a copy of callers failed: " + r.stderr)
shutil.copy("/usr/bin/true", own)
r = run(["-r", trace2, "-j"])
calls = [e for e in json_lines(r.stdout) if e.get("stack")]
mine = [f for e in calls for f in e["stack"] if f.get("module") == own]
if "not the file the recording saw" not in r.stderr or not mine or any("sym" in f for f in mine):
    fail("replay with a replaced binary: want a warning and its frames unnamed: %s %s"
         % (r.stderr, mine[:3]))
ok("replay against a replaced binary: one warning, %d of its frames named by module only"
   % len(mine))

# text: the stack under the event line, --stack-depth frames
r = run(["-r", trace, "--stack-depth", "3"])
lines = r.stdout.splitlines()
i = next((i for i, l in enumerate(lines) if " mmap " in l and "12K" in l and
          any("alpha_map" in x for x in lines[i + 1:i + 4])), None)
if i is None:
    fail("text: no mmap line with alpha_map under it:\n" + r.stdout[-3000:])
frames = []
for l in lines[i + 1:]:
    if not l.startswith("    #"):
        break
    frames.append(l)
if len(frames) != 3 or "alpha_map+0x" not in frames[1] or "callers.c:" not in frames[1]:
    fail("text: want 3 frames, alpha_map+off (module) callers.c:line second: %s" % frames)
ok("text: the stack under its event line, cut at --stack-depth 3")

# a use after unmap names where the unmap was called
r = run(["--stacks", "-j", "--", os.path.join(WL, "crash"), "unmap"])
ex = [e["explain"] for e in json_lines(r.stdout) if e.get("cause") == "use-after-unmap"]
if len(ex) != 1 or not any(" in %s (crash)" % fn in ex[0] for fn in ("main", "use_after_unmap")):
    fail("use after unmap with --stacks: want the unmapping site named: %s" % ex)
ok("use after unmap: " + ex[0])

# off by default
r = run(["-j", "--", os.path.join(WL, "callers"), "2"])
if any("stack" in e for e in json_lines(r.stdout)):
    fail("a stack without --stacks")
ok("no stacks without --stacks")

# Debian's python3, not a build of ours: CFI only (.eh_frame), no frame pointers
py = "/usr/bin/python3"
if not os.path.exists(py):
    fail("no %s" % py)
code = "import json, zlib\nfor i in range(100):\n    b = bytearray(1 << 20)\n    del b\n"
# a fixed threshold: each bytearray is an mmap and a munmap made inside libc
env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072")
r = run(["--stacks", "-j", "--stack-depth", "64", "--", py, "-c", code], timeout=120, env=env)
events = json_lines(r.stdout)
pids = {e["pid"] for e in events if e["event"] == "exec" and e["comm"].startswith("python")}
calls = [e for e in events if e["pid"] in pids and e["event"] in ("mmap", "munmap")]
deep = [e for e in calls if len(e.get("stack", [])) >= 4]
cpython = [e for e in calls if any(s.startswith(("Py", "_Py")) for s in syms(e))]
big = [e for e in calls if (1 << 20) < e["len"] <= (1 << 20) + 8192]
if len(calls) < 200 or len(deep) < 0.95 * len(calls):
    fail("python3: %d of %d mmap/munmap stacks have 4 frames or more (want >= 95%%)"
         % (len(deep), len(calls)))
if len(big) < 200 or any(not any(s.startswith(("Py", "_Py")) for s in syms(e)) for e in big):
    fail("python3: a bytearray's mmap/munmap stack names no CPython function: %s"
         % next((syms(e) for e in big if not any(s.startswith(("Py", "_Py")) for s in syms(e))), big))
ok("python3: %d of %d mmap/munmap stacks have >= 4 frames (%.1f%%), %d name CPython "
   "functions, all %d of the bytearrays'"
   % (len(deep), len(calls), 100.0 * len(deep) / len(calls), len(cpython), len(big)))

assert_released(BEFORE)
