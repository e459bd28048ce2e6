"""The ring buffer's fill in --metrics: a 64 KiB ring buffer, memsnoop stopped (SIGSTOP: the
reader reads nothing) while a workload of its own name faults 4,096 pages, then let go. The
next scrape reports a peak fill near 1 although the buffer is empty again by then, and lost
events; the scrape after it a peak back near 0 (the peak restarts at each scrape); -v ends
with the run's peak fill."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from memsnoop_test import *

SIZE = 64 << 10


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def scrape(endpoint):
    text = get(endpoint, timeout=5)
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^(memsnoop_(?:ringbuf_\w+|lost_events_total)) (\S+)$", text,
                                 re.M)}


need_root()
tmp = tempfile.mkdtemp(prefix="memsnoop-ring.")
name = "ringfill%d" % (os.getpid() % 100000)
storm = os.path.join(tmp, name)
shutil.copy(os.path.join(WL, "faultstorm"), storm)
port = free_port()
endpoint = "http://127.0.0.1:%d/metrics" % port
bg = Background(["-q", "-v", "--faults", "--ringbuf-size", str(SIZE), "-c", name, "-i", "0.2",
                 "--metrics", "127.0.0.1:%d" % port], os.path.join(tmp, "out"))
try:
    time.sleep(0.5)
    before = scrape(endpoint)
    print("before:", before)
    if before.get("memsnoop_ringbuf_size_bytes") != SIZE or before.get(
            "memsnoop_ringbuf_peak_fill_ratio", 1) > 0.5:
        fail("an idle ring buffer: %s" % before)
    bg.p.send_signal(signal.SIGSTOP)
    try:
        subprocess.run([storm, "16", "1"], check=True, timeout=60)
    finally:
        bg.p.send_signal(signal.SIGCONT)
    time.sleep(1)  # read, a tick publishes the losses
    spike = scrape(endpoint)
    after = scrape(endpoint)
    print("spike:", spike)
    print("after:", after)
    if spike["memsnoop_ringbuf_peak_fill_ratio"] < 0.9 or not spike["memsnoop_lost_events_total"]:
        fail("the stopped reader's full ring buffer is not in the scrape: %s" % spike)
    if spike["memsnoop_ringbuf_used_bytes"] >= spike["memsnoop_ringbuf_peak_used_bytes"]:
        fail("the spike is over, yet the fill now is its peak: %s" % spike)
    if after["memsnoop_ringbuf_peak_fill_ratio"] > 0.5:
        fail("the peak did not restart at the scrape: %s" % after)
    print("ok: a spike between two scrapes shows as the peak fill, then the peak restarts")
finally:
    rc, out, err = bg.stop(signal.SIGTERM)
    shutil.rmtree(tmp, ignore_errors=True)
if rc:
    fail("memsnoop exited %d: %s" % (rc, err[-2000:]))
m = re.search(r"ring buffer: at most (\d+) of its (\d+) bytes waiting", err)
if not m or int(m.group(2)) != SIZE or int(m.group(1)) < 0.9 * SIZE:
    fail("-v: no peak fill near the size at the end: %s" % err[-1500:])
print("ok: -v: " + m.group(0))
assert_detached()
