"""record (explicit form), the flight recorder (--ring, SIGUSR2), info and the Perfetto export."""
import time
import json
import os
import shutil
import signal
import subprocess
from memsnoop_test import *

need_root()
tmp = "/tmp/memsnoop-modes.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)

# record: prints no events, the file replays them
r = run(["record", "-o", tmp + "/rec.msnp", "--", WL + "/counted"])
if r.returncode != 0 or r.stdout:
    fail("record: exit %d, stdout %r, stderr %s" % (r.returncode, r.stdout[:200], r.stderr))
replay = json_lines(run(["-j", "-r", tmp + "/rec.msnp"]).stdout)
reports = [json.loads(l) for l in r.stderr.splitlines() if l.startswith('{"pid"')]
for w in reports:
    if count(between_markers(replay, w["pid"]), "mmap") != w["mmap"]:
        fail("record: the replay lost mmaps of %d" % w["pid"])
print("ok: record -o wrote what the replay shows (%d events)" % len(replay))

# info: the same counts as the replay, host facts, no damage
info = json.loads(run(["info", "-j", "-r", tmp + "/rec.msnp"]).stdout)
if info["events"]["mmap"] != count(replay, "mmap") or info["processes"] < 2:
    fail("info disagrees with the replay: %s" % info)
if info["kernel"] != os.uname().release or info["damage"]["bad_blocks"] or info["lost"]:
    fail("info: %s" % info)
text = run(["info", "-r", tmp + "/rec.msnp"]).stdout
for word in ("host:", "duration:", "events:", "damage:     none"):
    if word not in text:
        fail("info text lacks %r:\n%s" % (word, text))
print("ok: info: %d records, %d processes, kernel %s" % (info["records"], info["processes"], info["kernel"]))

# export: valid Chrome trace-event JSON with the required fields
r = run(["export", "--perfetto", "-r", tmp + "/rec.msnp", "-o", tmp + "/rec.json"])
if r.returncode != 0:
    fail("export: %s" % r.stderr)
doc = json.load(open(tmp + "/rec.json"))
events = doc["traceEvents"]
for e in events:
    for field in ("ph", "name", "pid", "tid", "ts"):
        if field not in e:
            fail("trace event without %s: %s" % (field, e))
    if e["ph"] not in ("M", "C", "i") or not isinstance(e["ts"], (int, float)):
        fail("bad trace event: %s" % e)
    if e["ph"] == "C" and not all(isinstance(v, (int, float)) for v in e["args"].values()):
        fail("counter with non-numeric values: %s" % e)
names = {e["pid"]: e["args"]["name"] for e in events if e["ph"] == "M"}
if not all(names.get(w["pid"]) == "counted" for w in reports):
    fail("process tracks not named: %s" % names)
mmaps = sum(1 for e in events if e["ph"] == "i" and e["name"] == "mmap")
if mmaps != count(replay, "mmap"):
    fail("export has %d mmap instants, the replay %d" % (mmaps, count(replay, "mmap")))
if not any(e["ph"] == "C" and "vsize" in e["args"] for e in events):
    fail("no memory counter track")
if run(["export", "--perfetto", "-r", tmp + "/rec.msnp", "-o", tmp + "/rec.json"]).returncode != 1:
    fail("export overwrote an existing file without --force")
print("ok: export: %d trace events, valid JSON, tracks %s" % (len(events), sorted(set(names.values()))))

# the flight recorder keeps only the newest data: far more is traced than the ring holds
ring = 1 << 20
r = run(["record", "--faults", "--no-compress", "--ring", "1M", "-o", tmp + "/ring.msnp", "--",
         WL + "/faultstorm", "64", "4"], timeout=120)
if r.returncode != 0:
    fail("record --ring: %s" % r.stderr)
size = os.path.getsize(tmp + "/ring.msnp")
if size > ring + (512 << 10):
    fail("ring file is %d bytes for a 1 MiB ring" % size)
ev = json_lines(run(["-j", "-r", tmp + "/ring.msnp"]).stdout)
faults = [e for e in ev if e["event"] == "fault"]
if not faults or len(faults) > 40000 or ev[-1]["event"] != "exit" and not any(e["event"] == "exit" for e in ev[-5:]):
    fail("ring replay: %d faults, last %s" % (len(faults), ev[-1:]))
print("ok: flight recorder: 65536 faults traced, the %d-byte file holds the newest %d and the exit" % (size, len(faults)))

# SIGUSR2 writes the ring now, and the file replays while recording goes on
bg = Background(["record", "--ring", "1M", "-o", tmp + "/live.msnp", "-c", "counted"])
subprocess.run([WL + "/counted", "--no-fork"], capture_output=True)
time.sleep(0.3)
bg.p.send_signal(signal.SIGUSR2)
time.sleep(0.5)
mid = json_lines(run(["-j", "-r", tmp + "/live.msnp"]).stdout)
rc, out, err = bg.stop()
if rc != 0 or not any(e["event"] == "exec" for e in mid):
    fail("SIGUSR2: the flushed ring lacks the workload: %s" % err)
print("ok: SIGUSR2 wrote the ring while recording (%d events)" % len(mid))
shutil.rmtree(tmp)
assert_detached()
