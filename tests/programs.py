#!/usr/bin/env python3
"""memsnoop's BPF programs that are loaded and that no running memsnoop holds.

A memsnoop that exits closes its program fds and the kernel frees the
programs (after an RCU grace period): a program still loaded afterwards is
either on its way out or held by someone else (an fd leaked to a child, a
pin). Another memsnoop running on the machine (a daemon, a benchmark,
another developer's suite) holds its own through fds whose fdinfo names
them: those are not leftovers. Used by tests/programs.sh (tests/run,
tests/lib.sh), tests/memsnoop_test.py and tests/views/views_test.py.
"""
import glob
import json
import os
import subprocess
import time


def ms_programs():
    """The ids of the programs named ms_* loaded now."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                         text=True).stdout
    return {p["id"] for p in json.loads(out or "[]") if p.get("name", "").startswith("ms_")}


def held_by_memsnoop():
    """The program ids that a live process named memsnoop has an fd of."""
    held = set()
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(d + "/comm") as f:
                if f.read().strip() != "memsnoop":
                    continue
            for info in os.listdir(d + "/fdinfo"):
                with open("%s/fdinfo/%s" % (d, info)) as f:
                    for line in f:
                        if line.startswith("prog_id:"):
                            held.add(int(line.split()[1]))
        except OSError:  # it exited meanwhile
            continue
    return held


def unheld_programs():
    # programs first: a memsnoop that starts in between holds what it loaded
    progs = ms_programs()
    return progs - held_by_memsnoop()


def leftovers(before=(), timeout=5.0):
    """The unheld programs seen now (but not in before) that are still loaded after
    timeout seconds: freeing takes an RCU grace period (~1 s), and only these ids
    are waited for, so other memsnoops starting and exiting meanwhile don't count."""
    suspects = unheld_programs() - set(before)
    deadline = time.time() + timeout
    while suspects and time.time() < deadline:
        time.sleep(0.1)
        suspects &= ms_programs()
    return suspects


if __name__ == "__main__":
    # programs.py: the unheld ids now, one line; programs.py --leftovers IDS...:
    # exit 1 and print them if any unheld program not among IDS stays loaded
    import sys
    if sys.argv[1:2] == ["--leftovers"]:
        left = leftovers({int(x) for x in sys.argv[2:]})
        if left:
            print(" ".join(map(str, sorted(left))))
        sys.exit(1 if left else 0)
    print(" ".join(map(str, sorted(unheld_programs()))))
