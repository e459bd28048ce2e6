"""--stacks copies a thread's stack only up to its outermost frame once an unwind found it.
descend (built -O2 -fomit-frame-pointer) maps from one thread, a millisecond apart, at
depth 0 and at depth 40 of a recursion. Every call's stack is whole (map_here, one descend
frame per level, worker, start_thread; munmap is map_here's tail call), and the copies of the later half are no longer than
the bytes from sp to the thread's outermost frame (a few hundred at depth 0, where a whole
copy is the --stack-size or the stack mapping's end); nothing is lost."""
import json
import os
import struct
import tempfile
from memsnoop_test import *

need_root()
d = tempfile.mkdtemp(prefix="memsnoop-stackcopy.")
ROUNDS = 300
MS_USTACK, MS_MMAP, MS_MUNMAP = 30, 2, 3


def ustacks(path):
    """(tid, sp, copied bytes) of each mmap's and munmap's MS_USTACK (uncompressed trace)."""
    data = open(path, "rb").read()
    off = struct.unpack_from("<I", data, 8)[0]
    while off + 48 <= len(data):
        comp_len = struct.unpack_from("<I", data, off + 4)[0]
        payload = data[off + 48:off + 48 + comp_len]
        p = 0
        while p + 24 <= len(payload):
            _, _, tid, typ, size, call = struct.unpack_from("<QIIHHI", payload, p)
            if typ == MS_USTACK and call in (MS_MMAP, MS_MUNMAP):
                sp = struct.unpack_from("<Q", payload, p + 24 + 8)[0]
                yield tid, sp, struct.unpack_from("<I", payload, p + 56)[0]
            p += size
        off += 48 + comp_len


trace = os.path.join(d, "descend.trace")
r = run(["--stacks", "--stack-depth", "64", "-j", "--no-compress", "-w", trace, "--",
         os.path.join(WL, "descend"), str(ROUNDS)], timeout=120)
if r.returncode:
    fail("memsnoop --stacks failed: " + r.stderr)
events = json_lines(r.stdout)
summary = [json.loads(x) for x in r.stderr.splitlines() if x.startswith('{"summary"')]
if not summary or summary[-1]["summary"]["lost"]:
    fail("records were lost: %s" % summary)
pid = next(e["pid"] for e in events if e.get("event") == "exec" and e["comm"] == "descend")
calls = [e for e in events if e.get("pid") == pid and e.get("tid") != pid
         and e.get("event") in ("mmap", "munmap")]
if len(calls) != 4 * ROUNDS:
    fail("%d mmap/munmap calls of the thread, want %d" % (len(calls), 4 * ROUNDS))
for e in calls:
    s = [f.get("sym", "?") for f in e.get("stack", [])]
    depth = e["len"] // 4096 - 1
    # munmap is map_here's tail call: map_here is not on its stack
    if (e["event"] == "mmap" and "map_here" not in s) or s.count("descend") != depth + 1 or \
            s[-3:-1] != ["worker", "start_thread"]:
        fail("a %s at depth %d has a cut or wrong stack: %s" % (e["event"], depth, s))
ok = "ok: %d calls at depths 0 and 40, each stack whole" % len(calls)
print(ok)

tid = calls[0]["tid"]
copies = [(sp, n) for t, sp, n in ustacks(trace) if t == tid]
if len(copies) != len(calls):
    fail("%d stack copies of the thread for %d calls" % (len(copies), len(calls)))
top_sp = max(sp for sp, _ in copies)  # depth 0
late = copies[len(copies) // 2:]
shallow = [n for sp, n in late if top_sp - sp < 64]
deep = [n for sp, n in late if top_sp - sp >= 64]
whole = max(n for sp, n in copies if top_sp - sp < 64)
# a walk that reaches the end of a copy drops what was learnt (the next copy is whole, and
# teaches it again): seen once under load; most later copies must still be cut
cut = [n for n in shallow if n <= 1024 and n * 4 <= whole]
if not shallow or not deep or len(cut) * 4 < len(shallow) * 3:
    fail("the later depth-0 copies are not cut at the outermost frame: %s bytes "
         "(the first: %d)" % (sorted(set(shallow)), whole))
if max(deep) <= max(cut) or max(deep) > 8128:
    fail("depth-40 copies of %s bytes for depth-0 copies of %s" % (sorted(set(deep)),
                                                                   sorted(set(shallow))))
print("ok: later copies %s bytes at depth 0 (%d at first), %s at depth 40"
      % (sorted(set(shallow)), whole, sorted(set(deep))))
