"""Live equals replay: one run records with -w while printing; the replay of the file with
the same flags prints byte-identical output (text with -T, and JSON), and a SIGUSR1 layout
dump taken live equals the model replayed from the file."""
import os
import shutil
import subprocess
from memsnoop_test import *

need_root()
tmp = "/tmp/memsnoop-replay.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)

for flags in (["-T"], ["-j"], ["-j", "--faults"]):
    trace = tmp + "/t.msnp"
    if os.path.exists(trace):
        os.unlink(trace)
    live = run(flags + ["-w", trace, "--", WL + "/counted"])
    if live.returncode != 0:
        fail("live run exited %d: %s" % (live.returncode, live.stderr))
    if oct(os.stat(trace).st_mode & 0o777) != "0o600":
        fail("trace file mode %o" % (os.stat(trace).st_mode & 0o777))
    # the replay needs no privileges: run it as nobody
    os.chmod(tmp, 0o755)
    os.chmod(trace, 0o644)
    replay = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             MEMSNOOP] + flags + ["-r", trace], capture_output=True, text=True)
    if replay.returncode != 0:
        fail("replay exited %d: %s" % (replay.returncode, replay.stderr))
    if replay.stdout != live.stdout:
        import difflib
        d = "\n".join(difflib.unified_diff(live.stdout.splitlines(), replay.stdout.splitlines(),
                                           "live", "replay", lineterm="", n=1))
        fail("replay of %s differs:\n%s" % (flags, d[:3000]))
    if live.stdout.count("\n") < 30:
        fail("too little output to compare: %s" % live.stdout)
    print("ok: %s: %d lines identical" % (" ".join(flags), live.stdout.count("\n")))

# an existing file is not overwritten without --force, and a symlink never
r = run(["-w", trace, "--", "true"])
if r.returncode != 1 or "exist" not in r.stderr:
    fail("overwrote an existing file: %d %s" % (r.returncode, r.stderr))
os.symlink(tmp + "/elsewhere", tmp + "/link.msnp")
r = run(["-w", tmp + "/link.msnp", "--force", "--", "true"])
if r.returncode != 1 or os.path.exists(tmp + "/elsewhere"):
    fail("wrote through a symlink: %d %s" % (r.returncode, r.stderr))
r = run(["-w", trace, "--force", "--", "true"])
if r.returncode != 0:
    fail("--force did not replace: %s" % r.stderr)
print("ok: refuses to overwrite without --force, refuses symlinks")

# a file cut short replays up to its last whole block, with a warning
data = open(trace, "rb").read()
open(tmp + "/cut.msnp", "wb").write(data[: len(data) - 7])
r = run(["-j", "-r", tmp + "/cut.msnp"])
if r.returncode != 0 or "warning" not in r.stderr:
    fail("cut file: %d %s" % (r.returncode, r.stderr))
for bad, why in ((b"XXXX" + data[4:], "magic"), (b"", "empty")):
    open(tmp + "/bad.msnp", "wb").write(bad)
    r = run(["-r", tmp + "/bad.msnp"])
    if r.returncode != 1 or len(r.stderr.splitlines()) != 1:
        fail("%s file: want one error line and exit 1, got %d: %s" % (why, r.returncode, r.stderr))
    print("ok: %s file: %s" % (why, r.stderr.strip()))
shutil.rmtree(tmp)
assert_detached()
