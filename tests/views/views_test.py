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


def assert_released(before, pids=(), timeout=2.0):
    """No ms_ program left that was not there before and that no other process holds,
    nor any held by pids (ours): allow ~1 s for the RCU grace periods."""
    deadline = time.time() + timeout
    while True:
        left = {i: p for i, p in ms_progs().items()
                if (i not in before and not p) or set(p) & set(pids)}
        if not left:
            return
        if time.time() > deadline:
            fail("BPF programs still loaded after memsnoop exited: %s" % left)
        time.sleep(0.1)
