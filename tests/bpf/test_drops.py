"""A tiny ring buffer and a fault storm: drops are counted, reported, and memsnoop goes on."""
from memsnoop_test import *

need_root()
r = run(["-j", "--faults", "--ringbuf-size", "4096", "--", WL + "/faultstorm", "64", "4"], timeout=120)
if r.returncode != 0:
    fail("memsnoop exited %d: %s" % (r.returncode, r.stderr[-2000:]))
errs = json_lines(r.stderr)
summary = [e["summary"] for e in errs if "summary" in e][0]
warnings = [e for e in errs if "warning" in e]
events = json_lines(r.stdout)
lost_events = [e for e in events if e["event"] == "lost"]
if summary["lost"] == 0:
    fail("no drops reported: %s" % summary)
if not warnings or "lost" not in warnings[0]["warning"]:
    fail("no live warning about drops: %s" % errs[:3])
if sum(e["count"] for e in lost_events) != summary["lost"]:
    fail("lost events in the stream do not add up to the summary")
# it kept running: the exit of the workload came through, and faults after the first loss
exits = [e for e in events if e["event"] == "exit" and not e["thread"]]
if not exits or exits[-1]["exit_code"] != 0:
    fail("the workload's exit was not seen")
first_loss = events.index(lost_events[0])
if not any(e["event"] == "fault" for e in events[first_loss:]):
    fail("no faults streamed after the first loss")
print("ok: %d lost, %d faults streamed, warning: %s" % (summary["lost"], summary["fault"], warnings[0]["warning"]))
assert_detached()
