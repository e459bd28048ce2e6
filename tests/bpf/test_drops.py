"""A tiny ring buffer and a fault storm while the reader is stopped: drops are counted in the
kernel, reported live and in the summary, memsnoop goes on tracing afterwards, and the layouts
the loss made uncertain are read again."""
import os
import shutil
import signal
import subprocess
import time
from memsnoop_test import *

need_root()
dump = "/tmp/memsnoop-drops.%d" % os.getpid()
os.makedirs(dump, exist_ok=True)
bg = Background(["-j", "--faults", "--ringbuf-size", "4096", "-c", "faultstorm", "--dump", dump])
# a process that lives through the loss: its layout must be re-read afterwards
slow = subprocess.Popen([WL + "/faultstorm", "1", "1", "20000"])
try:
    time.sleep(0.3)
    bg.p.send_signal(signal.SIGSTOP)  # the reader can't keep up: it doesn't read at all
    subprocess.run([WL + "/faultstorm", "16", "2"], check=True)
    bg.p.send_signal(signal.SIGCONT)
    time.sleep(1.5)  # a tick: the loss is reported and the layouts are read again
    d = diff_maps(open("/proc/%d/maps" % slow.pid).read(), dump_layout(bg, dump, slow.pid))
    if d:
        fail("after the loss the layout was not resynchronised:\n" + d)
    print("ok: a process that lived through the loss has its layout resynchronised")
    # traced after the losses too: a gentle one, which a 4 KiB buffer can carry
    after = subprocess.Popen([WL + "/faultstorm", "1", "1", "200"])
    after.wait()
    time.sleep(0.5)
finally:
    slow.kill()
    slow.wait()
    rc, out, err = bg.stop()
    shutil.rmtree(dump, ignore_errors=True)
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
