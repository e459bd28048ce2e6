"""--stacks with the stack pointer in a page never touched (a frame reserved by moving sp,
as inline-syscall code does: Go, freestanding programs, the first calls after an exec).
A read of that page fails in BPF, which once lost the whole copy: the stack had one
frame. coldframe's cold_mmap() lowers sp 5000 bytes below a new thread's first frames
and calls mmap there: every such mmap must unwind to cold_mmap <- on_thread."""
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
BEFORE = ms_progs()
N = 5
r = run(["-j", "--stacks", "--", os.path.join(WL, "coldframe"), str(N)], timeout=60)
if r.returncode:
    fail("memsnoop --stacks -- coldframe: exit %d: %s" % (r.returncode, r.stderr))
calls = [e for e in json_lines(r.stdout) if e.get("event") == "mmap" and e.get("len") == 40960]
syms = [[f.get("sym") for f in e.get("stack", [])] for e in calls]
good = [s for s in syms if s[:2] == ["cold_mmap", "on_thread"]]
if len(calls) != N or len(good) != N:
    fail("%d of %d mmaps from an untouched stack page unwind to cold_mmap <- on_thread: %s"
         % (len(good), len(calls), syms))
print("ok: %d mmaps made with sp in an untouched page: %s" % (N, " <- ".join(good[0])))
assert_released(BEFORE)
