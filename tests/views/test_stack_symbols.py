"""record --symbols: the functions the recorded stacks went through are stored in the
trace (MS_SYMBOL) with the frames (MS_FRAMES), so a replay where the binary is another
build or gone still names alpha_map, beta_malloc, gamma_free and main, and says once
which it used. Without --symbols the same replay gives addresses (module only)."""
import os
import shutil
import tempfile
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
d = tempfile.mkdtemp(prefix="memsnoop-symbols.")
N = 3
own = os.path.join(d, "callers")
shutil.copy(os.path.join(WL, "callers"), own)
with_syms, without = os.path.join(d, "syms.trace"), os.path.join(d, "plain.trace")
r = run(["record", "--symbols", "-o", with_syms, "--", own, str(N)])
if r.returncode:
    fail("record --symbols failed: " + r.stderr)
r = run(["record", "--stacks", "-o", without, "--", own, str(N)])
if r.returncode:
    fail("record --stacks failed: " + r.stderr)
size_syms, size_plain = os.path.getsize(with_syms), os.path.getsize(without)
print("ok: trace sizes: %d bytes with --symbols, %d without" % (size_syms, size_plain))


def syms(e):
    return [f.get("sym", "?") for f in e.get("stack", [])]


def calls(trace):
    r = run(["-r", trace, "-j"])
    if r.returncode:
        fail("replay failed: " + r.stderr)
    ev = json_lines(r.stdout)
    pid = next(e["pid"] for e in ev if e["event"] == "exec" and e["comm"] == "callers")
    return [e for e in ev if e["pid"] == pid and e["event"] in ("mmap", "munmap")], r.stderr


def check_named(how, warning):
    cs, err = calls(with_syms)
    for fn in ("alpha_map", "beta_malloc", "gamma_free"):
        mine = [e for e in cs if fn in syms(e)]
        if len(mine) != N:
            fail("%s: %d stacks name %s, want %d: %s" % (how, len(mine), fn, N,
                                                          [syms(e) for e in cs]))
        for e in mine:
            s = syms(e)
            if s.index(fn) + 1 >= len(s) or s[s.index(fn) + 1] != "main":
                fail("%s: %s is not called from main: %s" % (how, fn, s))
            f = e["stack"][s.index(fn)]
            if f.get("module") != own:
                fail("%s: %s's frame is not in %s: %s" % (how, fn, own, f))
    if err.count(warning) != 1 or "recording's symbols" not in err:
        fail("%s: want one warning '%s ... named from the recording's symbols': %s"
             % (how, warning, err))
    print("ok: %s: %d stacks name alpha_map, beta_malloc, gamma_free <- main from the "
          "recording's symbols" % (how, 3 * N))


def check_unnamed(how):
    cs, err = calls(without)
    mine = [f for e in cs for f in e.get("stack", []) if f.get("module") == own]
    if not mine or any("sym" in f for f in mine):
        fail("%s without --symbols: want %s's frames unnamed: %s" % (how, own, mine[:4]))
    if "its frames are addresses" not in err:
        fail("%s without --symbols: no warning: %s" % (how, err))
    print("ok: %s without --symbols: %d frames of %s by address and module only"
          % (how, len(mine), own))


shutil.copy("/usr/bin/true", own)  # another build at the path
check_named("replaced binary", "is not the file the recording saw")
check_unnamed("replaced binary")
os.unlink(own)  # gone
check_named("deleted binary", "is missing")
check_unnamed("deleted binary")

r = run(["-r", with_syms, "--symbols", "-j"])
if r.returncode == 0 or "--symbols" not in r.stderr:
    fail("--symbols with -r only should be refused: %s" % r.stderr)
print("ok: --symbols needs a recording to write")
shutil.rmtree(d)
assert_released(BEFORE)
