"""Helpers for the view tests (tests/views): attachment checks that tolerate other
memsnoop runs on the same machine (a benchmark, another developer's session)."""
import json
import subprocess
import time
from memsnoop_test import fail


def ms_progs():
    """{id: [pids]} of the BPF programs named ms_* loaded now."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout
    progs = {}
    for p in json.loads(out or "[]"):
        if p.get("name", "").startswith("ms_"):
            progs[p["id"]] = [x["pid"] for x in p.get("pids", [])]
    return progs


def assert_released(before, pids=(), timeout=5.0):
    """No ms_ program left that was not there before and that no process holds, nor any
    held by pids (ours). Release takes ~1 s (RCU grace periods); another memsnoop on the
    machine exiting at the same moment has pid-less programs too, for a while: 5 s."""
    deadline = time.time() + timeout
    while True:
        left = {i: p for i, p in ms_progs().items()
                if (i not in before and not p) or set(p) & set(pids)}
        if not left:
            return
        if time.time() > deadline:
            fail("BPF programs still loaded after memsnoop exited: %s" % left)
        time.sleep(0.1)


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
