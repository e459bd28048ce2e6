"""Names others control never steer what memsnoop writes (issue 21.4).

tests/workloads/hostile maps files named with a newline, ESC, a tab, a DEL, a C1
control, invalid UTF-8 (a surrogate, overlongs, above U+10FFFF, a lone
continuation byte) and a forged /proc/PID/maps line, runs through a symlink
named with escapes, and names itself and two children with escapes and invalid
UTF-8. Through every output mode, live and replayed:
- text is strict UTF-8 with no raw control byte but the newline ending a line,
  and no line is forged; names come out escaped as strace does (\\n, \\x1b,
  \\xNN for bytes that are not UTF-8, \\\\ for a backslash);
- --format=maps and the SIGUSR1 dump escape as the kernel does (\\012, octal),
  and a path with a newline reads exactly as in /proc/PID/maps;
- every JSON line (and the Perfetto export) is strict UTF-8 JSON, invalid bytes
  as \\u00XX;
- columns still line up; live and replay print the same lines."""
import json
import os
import re
import signal
import subprocess
import time
from memsnoop_test import *

need_root()
TMP = os.environ["TEST_TMP"]
HOSTILE = os.path.join(WL, "hostile")
ARG = "\x1b[2Jarg\n"  # an argument of the traced command: in the recorded command line
COMM = b"\x1b[2J\x1b]0;PWN\x07"
LINK = b"exe\x1b]0;PWN\x07\n"
CHILD_COMMS = [b"\xed\xa0\x80\xe0\x80\x80\xc0\xaf\x80\xf4\x90\x80\x80", b"a\nb\tc\xc2\x9b\xc3\xa9",
               b"aaaaaaaaaaaaaa\xc3"]

# file name: (text form, /proc form)
NAMES = {
    b"nl\nname": (r"nl\nname", r"nl\012name"),
    b"esc\x1b[31mred": (r"esc\x1b[31mred", r"esc\033[31mred"),
    b"tab\there": (r"tab\there", r"tab\011here"),
    b"sur\xed\xa0\x80": (r"sur\xed\xa0\x80", r"sur\355\240\200"),
    b"over\xe0\x80\x80": (r"over\xe0\x80\x80", r"over\340\200\200"),
    b"big\xf4\x90\x80\x80": (r"big\xf4\x90\x80\x80", r"big\364\220\200\200"),
    b"slash\xc0\xaf": (r"slash\xc0\xaf", r"slash\300\257"),
    b"lone\x80": (r"lone\x80", r"lone\200"),
    b"c1\xc2\x9b": (r"c1\xc2\x9b", r"c1\302\233"),
    b"del\x7f": (r"del\x7f", r"del\177"),
    b"bs\\x1b": (r"bs\\x1b", r"bs\x1b"),
    b"utf8-\xc3\xa9": ("utf8-\u00e9", "utf8-\u00e9"),
    b"x\n55d0-55d1 r-xp 00000000 00:00 0 [forged]":
    (r"x\n55d0-55d1 r-xp 00000000 00:00 0 [forged]", r"x\01255d0-55d1 r-xp 00000000 00:00 0 [forged]"),
}
NEWLINE_ONLY = [b"nl\nname", b"x\n55d0-55d1 r-xp 00000000 00:00 0 [forged]"]
EVENTS = {"brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "fault", "faults", "stack",
          "fork", "exec", "exit", "summary", "signal", "lost", "seed"}


def ok(what):
    print("ok: " + what)


def chars(b):
    """(character, its bytes), or (None, byte) for a byte that is not strict UTF-8."""
    i = 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                ch = b[i:i + n].decode("utf-8")
                break
            except UnicodeDecodeError:
                ch = None
        if ch is None:
            n = 1
        yield ch, b[i:i + n]
        i += n


def json_form(b):
    """What a strict JSON reader must get: UTF-8 as is, every other byte as U+00XX."""
    return "".join(ch if ch is not None else chr(raw[0]) for ch, raw in chars(b))


def text_units(b):
    """The text form, one escape or character at a time."""
    units = []
    for ch, raw in chars(b):
        if ch is not None and ch in "\n\t\\":
            units.append({"\n": r"\n", "\t": r"\t", "\\": r"\\"}[ch])
        elif ch is None or ord(ch) < 0x20 or 0x7f <= ord(ch) < 0xa0:
            units.append("".join("\\x%02x" % c for c in raw))
        else:
            units.append(ch)
    return units


def clamp16(b):
    """The text form of a comm in a 16-column cell (cut with a '+')."""
    units = text_units(b)
    if len("".join(units)) <= 16:
        return "".join(units)
    out = ""
    for u in units:
        if len(out) + len(u) > 15:
            break
        out += u
    return out + "+"


def text(what, data):
    """Strict UTF-8, no control byte but the newline, no forged line."""
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("%s: not UTF-8 (%s): %r" % (what, e, data[max(0, e.start - 60):e.end + 20]))
    for i, ch in enumerate(s):
        if (ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) < 0xa0:
            fail("%s: raw control U+%04X: %r" % (what, ord(ch), s[max(0, i - 60):i + 20]))
    for line in s.split("\n"):
        if line.startswith("55d0-55d1"):
            fail("%s: a forged line: %r" % (what, line))
    return s


def jsonl(what, data):
    s = text(what, data)
    out = []
    for line in s.splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as e:
                fail("%s: not JSON (%s): %r" % (what, e, line[:300]))
    return out


def run(what, args, check_json=False):
    p = subprocess.run([MEMSNOOP] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if p.returncode:
        fail("%s: exit %d: %s" % (what, p.returncode, p.stderr[-2000:]))
    (jsonl if check_json else text)(what + " (stderr)", p.stderr)
    return jsonl(what, p.stdout) if check_json else text(what, p.stdout)


def wait_ready(d, proc):
    for _ in range(400):
        try:
            with open(os.path.join(d, "ready")) as f:
                return int(f.read())
        except (OSError, ValueError):
            pass
        if proc.poll() is not None:
            fail("memsnoop exited before the workload was ready: %r" % proc.stderr.read())
        time.sleep(0.05)
    fail("the workload never got ready")


def want(what, s, needle):
    if needle not in s:
        fail("%s: %r not found in:\n%s" % (what, needle, s[:3000]))


def event_lines(s):
    return [l for l in s.splitlines() if re.match(r"\d+\.\d{6} ", l)]


def aligned(what, s):
    """-T lines: TIME(13) PID(8) TID(8) COMM(17): the event name starts at column 46."""
    for l in event_lines(s):
        if l[46:].split(" ", 1)[0] not in EVENTS:
            fail("%s: columns do not line up: %r" % (what, l))


# ---- live: text with -T, recording; SIGUSR1 dump to stdout; live views meanwhile ----
d1 = os.path.join(TMP, "d1")
os.mkdir(d1)
trace = os.path.join(TMP, "t.msnp")
live = subprocess.Popen([MEMSNOOP, "-T", "-w", trace, "--", HOSTILE, d1, ARG],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
pid = wait_ready(d1, live)
with open("/proc/%d/maps" % pid, "rb") as f:
    kernel_maps = f.read()
live.send_signal(signal.SIGUSR1)
seeded = {}
seeded["maps"] = run("maps --once", ["maps", "--once", "-p", str(pid)])
seeded["procmaps"] = run("maps --format=maps --once",
                         ["maps", "--once", "--format=maps", "-p", str(pid)])
seeded["top"] = run("top -b -n 1", ["top", "-b", "-n", "1", "-i", "0.2", "-p", str(pid)])
seeded["layout"] = run("layout --once", ["layout", "--once", "-p", str(pid)])
dumpdir = os.path.join(TMP, "dump")
os.mkdir(dumpdir)
dj = subprocess.Popen([MEMSNOOP, "-j", "--dump", dumpdir, "-p", str(pid), "--ready-file",
                       os.path.join(TMP, "dj.ready")], stdout=subprocess.PIPE,
                      stderr=subprocess.PIPE)
for _ in range(200):
    if os.path.exists(os.path.join(TMP, "dj.ready")):
        break
    time.sleep(0.05)
dj.send_signal(signal.SIGUSR1)
dump_file = os.path.join(dumpdir, "%d.maps" % pid)
for _ in range(100):
    if os.path.exists(dump_file):
        break
    time.sleep(0.05)
dj.send_signal(signal.SIGINT)
dj_out, dj_err = dj.communicate(timeout=30)
jsonl("-j --dump (stdout)", dj_out)
jsonl("-j --dump (stderr)", dj_err)
with open(dump_file, "rb") as f:
    seeded["dumpfile"] = text("--dump file", f.read())
open(os.path.join(d1, "done"), "w").close()
live_out, live_err = live.communicate(timeout=60)
if live.returncode:
    fail("live run exited %d: %r" % (live.returncode, live_err[-2000:]))
live_s = text("live -T -w", live_out)
text("live -T -w (stderr)", live_err)
aligned("live -T", live_s)
ok("live text, SIGUSR1 dump, live views: strict UTF-8, no control byte, no forged line")

# text forms: event lines name the files, the exec, the comms
for name, (tform, pform) in NAMES.items():
    want("live mmap line", live_s, "/" + tform + " = 0x")
    want("SIGUSR1 dump", live_s, "/" + pform + "\n")
if not re.search(r" exec +" + re.escape(d1 + "/" + r"exe\x1b]0;PWN\x07\n") + "\n", live_s):
    fail("live: no exec line with the link's escaped name")
for comm in [COMM] + CHILD_COMMS:
    want("live comm column", live_s, " " + clamp16(comm).ljust(16) + " mmap ")
if clamp16(COMM) != r"\x1b[2J\x1b]0;P+":
    fail("clamp16: %r" % clamp16(COMM))
ok("live text names escaped, comms clamped to their column")

# /proc format: a path with only a newline in it reads as the kernel wrote it
for name in NEWLINE_ONLY:
    kline = [l for l in kernel_maps.split(b"\n") if l.endswith(NAMES[name][1].encode())]
    if len(kline) != 1:
        fail("kernel maps: %r not found once" % NAMES[name][1])
    want("SIGUSR1 dump against the kernel", live_s, kline[0].decode().split(None, 5)[5] + "\n")

# ---- live views of the running process (its layout seeded from /proc) ----
for what, s in seeded.items():
    if what == "top":
        continue  # no file names there
    for name, (tform, pform) in NAMES.items():
        form = pform if what in ("procmaps", "dumpfile") else tform
        # until /proc seeds decode the kernel's \012, a seeded newline reads as written there
        alt = form.replace(r"\n", r"\\012")
        if "/" + form not in s and "/" + alt not in s:
            fail("%s: %r not found in:\n%s" % (what, form, s[:3000]))
want("maps header", seeded["maps"], "%d: %s\n" % (pid, r"\x1b[2J\x1b]0;PWN\x07"))
want("maps --format=maps header", seeded["procmaps"],
     "# pid %d %s\n" % (pid, r"\x1b[2J\x1b]0;PWN\x07"))
want("layout header", seeded["layout"], "pid %d (%s)" % (pid, r"\x1b[2J\x1b]0;PWN\x07"))
top_lines = seeded["top"].splitlines()
head = [l for l in top_lines if " COMM " in l][0]
row = [l for l in top_lines if l.split() and l.split()[0] == str(pid)][0]
if row[8:24] != clamp16(COMM):
    fail("top row comm cell: %r" % row)
vsz_end = head.index("VSZ") + 3
if row[vsz_end - 1] == " " or row[vsz_end] != " ":
    fail("top columns do not line up:\n%s\n%s" % (head, row))
ok("maps, --format=maps, top -b, layout --once, --dump: names escaped, columns aligned")

# ---- replay: the same lines; every view and export ----
replay_s = run("-T -r", ["-T", "-r", trace])
if event_lines(replay_s) != event_lines(live_s):
    fail("live and replay differ:\n%s\n----\n%s" % ("\n".join(event_lines(live_s)[:40]),
                                                 "\n".join(event_lines(replay_s)[:40])))
ok("live and replay print the same escaped lines")

events = run("-r -j", ["-r", trace, "-j"], check_json=True)
files = {e["file"].rsplit("/", 1)[1] for e in events if e.get("file", "").startswith(d1)}
for name in NAMES:
    if json_form(name) not in files:
        fail("-r -j: file %r missing from %r" % (json_form(name), sorted(files)))
comms = {e["comm"] for e in events}
for comm in [COMM, LINK] + CHILD_COMMS:
    if json_form(comm) not in comms:
        fail("-r -j: comm %r missing from %r" % (json_form(comm), comms))
if json_form(CHILD_COMMS[0]) != "\u00ed\u00a0\u0080\u00e0\u0080\u0080\u00c0\u00af\u0080\u00f4" \
        "\u0090\u0080\u0080":
    fail("json_form")
last = max(e["ts_ns"] for e in events if e["pid"] == pid and e["event"] == "mmap")
at = ["--at-ns", str(last + 1), "-p", str(pid)]
replayed = {
    "maps": run("maps -r", ["maps", "--once", "-r", trace] + at),
    "procmaps": run("maps --format=maps -r", ["maps", "--once", "--format=maps", "-r", trace] + at),
    "top": run("top -b -r", ["top", "-b", "-n", "1", "-r", trace] + at),
    "layout": run("layout -r", ["layout", "--once", "-r", trace] + at),
}
for what, s in replayed.items():
    if what == "top":
        continue
    for name, (tform, pform) in NAMES.items():
        want(what + " -r", s, "/" + (pform if what == "procmaps" else tform))
for name in NEWLINE_ONLY:
    kline = [l for l in kernel_maps.split(b"\n") if l.endswith(NAMES[name][1].encode())][0]
    want("maps --format=maps -r against the kernel", replayed["procmaps"],
         kline.decode().split(None, 5)[5] + "\n")
# the model names a process at its exec (a later PR_SET_NAME shows in its records' comm)
if " " + clamp16(COMM) + " " not in replayed["top"]:
    want("top -b -r", replayed["top"], " " + clamp16(LINK) + " ")
ok("-r -j strict JSON; replayed maps, --format=maps, top, layout escaped")

info = run("info -r", ["info", "-r", trace])
want("info", info, r"\x1b[2Jarg\n")
info_j = run("info -r -j", ["info", "-r", trace, "-j"], check_json=True)
if ARG not in info_j[0]["command"]:
    fail("info -j: command %r" % info_j[0]["command"])
out = os.path.join(TMP, "trace.json")
run("export --perfetto", ["export", "--perfetto", "-r", trace, "-o", out])
with open(out, "rb") as f:
    doc = json.loads(text("perfetto export", f.read()))
names = {e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "process_name"}
for comm in [COMM, LINK]:
    if json_form(comm) not in names:
        fail("perfetto: process name %r missing from %r" % (json_form(comm), names))
execs = [e["args"]["filename"] for e in doc["traceEvents"] if e["name"] == "exec"]
if d1 + "/" + json_form(LINK) not in execs:
    fail("perfetto: exec filename missing from %r" % execs)
ok("info, info -j, export --perfetto: escaped, strict")

# ---- live JSON ----
d2 = os.path.join(TMP, "d2")
os.mkdir(d2)
open(os.path.join(d2, "done"), "w").close()  # no need to hold
events = run("live -j", ["-j", "--", HOSTILE, d2, ARG], check_json=True)
files = {e["file"].rsplit("/", 1)[1] for e in events if e.get("file", "").startswith(d2)}
if files != {json_form(n) for n in NAMES}:
    fail("live -j files: %r" % sorted(files))
execs = [e["filename"] for e in events if e["event"] == "exec"]
if d2 + "/" + json_form(LINK) not in execs:
    fail("live -j: exec filename missing from %r" % execs)
comms = {e["comm"] for e in events}
for comm in [COMM] + CHILD_COMMS:
    if json_form(comm) not in comms:
        fail("live -j: comm %r missing from %r" % (json_form(comm), comms))
ok("live -j: every line strict UTF-8 JSON, names exact")
