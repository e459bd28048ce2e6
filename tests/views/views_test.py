"""Helpers for the view tests (tests/views): attachment checks that tolerate other
memsnoop runs on the same machine (a benchmark, another developer's session)."""
import json
import os
import subprocess
import time
from memsnoop_test import fail
from programs import leftovers, unheld_programs


def ms_progs():
    """The ids of memsnoop's programs no running memsnoop holds (someone else's)."""
    return unheld_programs()


def assert_released(before, pids=(), timeout=5.0):
    """No ms_ program left that was not there before and that no running memsnoop
    holds (tests/programs.py); pids: ours, which must have exited."""
    deadline = time.time() + timeout
    while time.time() < deadline and any(os.path.exists("/proc/%d" % p) for p in pids):
        time.sleep(0.05)  # quit by a key: the process is on its way out
    left = ["memsnoop %d still running" % p for p in pids if os.path.exists("/proc/%d" % p)]
    left += sorted(leftovers(before, timeout))
    if left:
        fail("BPF programs still loaded after memsnoop exited: %s" % left)


def start(args, out_path, timeout=15):
    """memsnoop COMMAND ... in the background (the command first, then --ready-file),
    returned once attached; stdout and stderr to out_path and out_path.err."""
    import os
    from memsnoop_test import MEMSNOOP
    ready = out_path + ".ready"
    if os.path.exists(ready):
        os.unlink(ready)
    out, err = open(out_path, "w"), open(out_path + ".err", "w")
    p = subprocess.Popen([MEMSNOOP] + args + ["--ready-file", ready], stdout=out, stderr=err)
    deadline = time.time() + timeout
    while not os.path.exists(ready):
        if p.poll() is not None:
            fail("memsnoop exited at start: " + open(out_path + ".err").read())
        if time.time() > deadline:
            p.kill()
            fail("memsnoop not attached after %d s" % timeout)
        time.sleep(0.02)
    out.close()
    err.close()
    return p
