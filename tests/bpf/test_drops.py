"""A tiny ring buffer and a fault storm while the reader is stopped: drops are counted in the
import time
kernel, reported live and in the summary, and memsnoop goes on tracing afterwards."""
import signal
import subprocess
from memsnoop_test import *

need_root()
bg = Background(["-j", "--faults", "--ringbuf-size", "4096", "-c", "faultstorm"])
try:
    bg.p.send_signal(signal.SIGSTOP)  # the reader can't keep up: it doesn't read at all
    subprocess.run([WL + "/faultstorm", "16", "2"], check=True)
    bg.p.send_signal(signal.SIGCONT)
    time.sleep(0.5)
    # traced after the losses too: a gentle one, which a 4 KiB buffer can carry
    after = subprocess.Popen([WL + "/faultstorm", "1", "1", "200"])
    after.wait()
    time.sleep(0.5)
finally:
    rc, out, err = bg.stop()
if rc != 0:
    fail("memsnoop exited %d: %s" % (rc, err[-2000:]))
errs = json_lines(err)
summary = [e["summary"] for e in errs if "summary" in e][0]
warnings = [e for e in errs if "warning" in e]
events = json_lines(out)
lost_events = [e for e in events if e["event"] == "lost"]
if summary["lost"] < 1000:
    fail("too few drops reported for 8192 faults into a 4 KiB buffer: %s" % summary)
if not warnings or "lost" not in warnings[0]["warning"]:
    fail("no live warning about drops: %s" % errs[:3])
if sum(e["count"] for e in lost_events) != summary["lost"]:
    fail("lost events in the stream do not add up to the summary")
first_loss = events.index(lost_events[0])
exits = [e for e in events[first_loss:] if e["event"] == "exit" and e["pid"] == after.pid]
faults = [e for e in events[first_loss:] if e["event"] == "fault" and e["pid"] == after.pid]
if len(exits) != 1 or len(faults) < 256:
    fail("tracing did not go on after the loss: %d exits after it" % len(exits))
print("ok: %d lost, %d faults streamed, warning: %s" % (summary["lost"], summary["fault"], warnings[0]["warning"]))
assert_detached()
