"""Fault counts are exact whichever way a process counts: in its own per-CPU
slot, or (another process holds the slot) in the shared, atomic entry. With
--fault-slots 1 (hidden, for tests) there is one slot, so all but one of these
concurrent processes take the shared path; each exit total must equal the
faults streamed for that process."""
import collections
import json
from memsnoop_test import *

need_root()
for forced in (True, False):
    slots = ["--fault-slots", "1"] if forced else []
    r = run(["-j", "--faults", "--ringbuf-size", "64M"] + slots + ["--", "sh", "-c",
             "for i in 1 2 3 4 5 6 7 8; do %s/faultstorm 8 2 & done; wait" % WL],
            timeout=120)
    if r.returncode != 0:
        fail("memsnoop exited %d: %s" % (r.returncode, r.stderr))
    events = json_lines(r.stdout)
    streamed = collections.Counter(e["pid"] for e in events if e["event"] == "fault")
    exits = [e for e in events if e["event"] == "exit" and not e["thread"]]
    storms = [e for e in exits if e["comm"] == "faultstorm"]
    if len(storms) != 8:
        fail("expected 8 faultstorm exits, got %d" % len(storms))
    for e in exits:
        if e["faults"]["faults"] != streamed[e["pid"]]:
            fail("pid %d (%s): exit total %d, %d faults streamed%s" %
                 (e["pid"], e["comm"], e["faults"]["faults"], streamed[e["pid"]],
                  " (one shared slot)" if forced else ""))
    summary = json.loads([l for l in r.stderr.splitlines() if l.startswith('{"summary"')][0])["summary"]
    if summary["lost"] != 0:
        fail("events lost: %s" % summary)
    print("ok: %d exits, totals equal the streamed faults (%s)" %
          (len(exits), "one slot for all" if forced else "a slot each"))
assert_detached()
