"""memsnoop report: a recorded workload (threads and heap growth, a NULL crash, an mmap
past RLIMIT_AS) rendered as a page and opened in headless Chromium: the screenshot is not
blank; the DOM holds the sections, a section and two charts per process, the names (escaped),
the markers, the crash and ENOMEM explanations; the script ran and redraws a layout at a
moment; the peaks equal the replayed exit summaries and the layout at --at equals
`maps -r --at`. The resident charts stack the resident samples by class: their values at a
moment equal the RSS column of `maps -r --at-ns` then. The `callers` workload recorded with
--stacks: the page's flame graph names its functions, with the bytes (and widths) per function
of `export --folded`, and zooms on a click; its call sites table names them."""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import zlib
from memsnoop_test import *

need_root()
if not shutil.which("chromium"):
    r = subprocess.run([os.path.join(ROOT, "scripts", "deps.sh"), "report"],
                       capture_output=True, text=True, timeout=900)
    if r.returncode or not shutil.which("chromium"):
        fail("cannot install chromium: " + r.stderr)

tmp = tempfile.mkdtemp(prefix="ms-report.")
REC = os.path.join(tmp, "rec.msnp")
EVIL = os.path.join(tmp, "<x>crash&")  # its comm is markup: the page must show it as text
os.symlink(os.path.join(WL, "crash"), EVIL)


def chromium(url, *how):
    r = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--user-data-dir=" + os.path.join(tmp, "profile"),
                        "--window-size=1280,4000"] + list(how) + [url],
                       capture_output=True, text=True, timeout=120)
    if r.returncode:
        fail("chromium: exit %d: %s" % (r.returncode, r.stderr[-2000:]))
    return r.stdout


def report(out, *extra, rec=REC):
    r = run(["report", "-r", rec, "-o", out] + list(extra), timeout=120)
    if r.returncode:
        fail("report %s: exit %d: %s" % (extra, r.returncode, r.stderr))
    if os.stat(out).st_mode & 0o777 != 0o600:
        fail("the page is not 0600")


def png_rows(path):
    """The distinct pixel rows of a PNG screenshot (8-bit RGB or RGBA, not interlaced)."""
    data = open(path, "rb").read()
    width, height, depth, ctype = struct_ihdr(data)
    idat, i = b"", 8
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        if data[i + 4:i + 8] == b"IDAT":
            idat += data[i + 8:i + 8 + n]
        i += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + width * (4 if ctype == 6 else 3)
    return len({raw[k * stride + 1:(k + 1) * stride] for k in range(height)})


def struct_ihdr(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        fail("the screenshot is not a PNG")
    return (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"),
            data[24], data[25])


def proc_sections(dom):
    """pid -> (data-id, the section's markup)."""
    out = {}
    for part in dom.split('<section class="proc"')[1:]:
        m = re.match(r' id="pid-(\d+)" data-id="(p\d+)"', part)
        if not m:
            fail("a process section without its ids: " + part[:200])
        out[int(m.group(1))] = (m.group(2), part.split("</section>")[0])
    return out


def layout_rows(markup):
    """(start, end, class, what) of each row of the first layout table in markup."""
    rows = re.findall(r'<td class="addr">([0-9a-f]+)-([0-9a-f]+)</td><td>[^<]*</td><td>[^<]*'
                      r'</td><td><i [^>]*></i>([a-z-]+)</td><td>([^<]*)</td>', markup)
    return [(int(a, 16), int(b, 16), c, w) for a, b, c, w in rows]


# the workload: threads and a growing heap, a NULL crash, an mmap past RLIMIT_AS
r = run(["record", "--faults", "-i", "0.1", "-o", REC, "--", "sh", "-c",
         'echo | "$1" 3 0.5; "$2" null; "$3" rlimit-as', "sh",
         os.path.join(WL, "grow_threads"), EVIL, os.path.join(WL, "crash")], timeout=60)
if "lost" not in r.stderr or not os.path.exists(REC):  # exits as the command did
    fail("record: exit %d: %s" % (r.returncode, r.stderr))
events = json_lines(run(["-r", REC, "-j"]).stdout)
summaries = {e["pid"]: e for e in events if e["event"] == "summary"}
comms = {e["pid"]: e["comm"] for e in events if e["event"] == "summary"}
grow = [p for p, c in comms.items() if c == "grow_threads"]
evil = [p for p, c in comms.items() if c.startswith("<x>crash")]
if len(grow) != 1 or len(evil) != 1 or len(summaries) < 4:
    fail("the replay lacks the workload's processes: %s" % comms)
grow, evil = grow[0], evil[0]

page = os.path.join(tmp, "report.html")
report(page)
again = run(["report", "-r", REC, "-o", page])
if again.returncode == 0:
    fail("report replaced an existing file without --force")
link, victim = os.path.join(tmp, "link.html"), os.path.join(tmp, "victim")
os.symlink(victim, link)
if run(["report", "-r", REC, "-o", link, "--force"]).returncode == 0 or os.path.exists(victim):
    fail("report wrote through a symbolic link")

dom = chromium("file://" + page, "--dump-dom")
if 'data-script="ok"' not in dom:
    fail("the page's script did not run to its end")
for sec in ('id="recording"', 'id="machine"', 'id="processes"'):
    if sec not in dom:
        fail("no section " + sec)
machine = dom.split('id="machine"')[1].split("</section>")[0]
if machine.count('<svg class="chart"') != 2 or "Downsampled" not in machine:
    fail("the machine's section lacks its two charts or the downsampling note")
if "<x>" in dom or "&lt;x&gt;crash&amp;" not in dom:
    fail("a process name went out as markup, or not at all")
procs = proc_sections(dom)
for pid, s in summaries.items():
    if pid not in procs:
        fail("no section for pid %d (%s)" % (pid, s["comm"]))
    sec = procs[pid][1]
    if sec.count('<svg class="chart"') != 2:
        fail("pid %d: %d charts" % (pid, sec.count('<svg class="chart"')))
    for key in ("peak_vsize", "peak_rss", "peak_heap"):
        m = re.search(r'class="%s" data-bytes="(\d+)"' % key.replace("_", "-"), sec)
        if not m or int(m.group(1)) != s[key]:
            fail("pid %d: %s %s, the exit summary says %d" % (pid, key, m and m.group(1), s[key]))
gsec = procs[grow][1]
for want in ("mk-exec", "mk-exit", "arena", "thread-stack", "heap", "at its largest", "at its end"):
    if want not in gsec:
        fail("grow_threads' section lacks %r" % want)
esec = procs[evil][1]
if not re.search(r'class="explain crash"><b>Crash:</b> [^<]*NULL pointer', esec) or \
        "mk-crash" not in esec:
    fail("no crash explanation or marker: " + esec[:3000])
if not re.search(r'class="explain enomem"><b>ENOMEM:</b> [^<]*RLIMIT_AS', dom):
    fail("no ENOMEM explanation")

shot = os.path.join(tmp, "shot.png")
chromium("file://" + page, "--screenshot=" + shot)
blank = os.path.join(tmp, "blank.html")
open(blank, "w").write("<!DOCTYPE html><html><body></body></html>")
shot0 = os.path.join(tmp, "blank.png")
chromium("file://" + blank, "--screenshot=" + shot0)
rows, rows0 = png_rows(shot), png_rows(shot0)
if rows0 > 2 or rows < 100:
    fail("the screenshot looks blank: %d distinct rows (an empty page: %d)" % (rows, rows0))

# --at: while grow_threads holds still, the layout equals `maps -r --at`
start = json_lines(run(["info", "-r", REC, "-j"]).stdout)[0]["start_ns"]
gev = [e for e in events if e["pid"] == grow]
last_brk = max(e["ts_ns"] for e in gev if e["event"] == "brk")
end = max(e["ts_ns"] for e in gev if e["event"] == "exit")
at = "%.3f" % (((last_brk + end) / 2 - start) / 1e9)
maps = run(["maps", "-r", REC, "--at", at, "-p", str(grow), "--format=maps"])
if maps.returncode:
    fail("maps --at %s: %s" % (at, maps.stderr))
want = parse_maps(maps.stdout)
at_page = os.path.join(tmp, "at.html")
report(at_page, "--at", at, "-p", str(grow))
at_dom = chromium("file://%s#at=p0:%s" % (at_page, at), "--dump-dom")
at_procs = proc_sections(at_dom)
if list(at_procs) != [grow]:
    fail("-p %d: sections for %s" % (grow, list(at_procs)))
sec = at_procs[grow][1]
end_layout = sec.split("at the end of the recording")[1]
got = layout_rows(end_layout)
heap = [(a, b) for a, b, *_ in want if _[-1] == "[heap]"]
got_heap = [(a, b) for a, b, c, _ in got if c == "heap"]
if not heap or heap != got_heap:
    fail("heap at %ss: maps says %s, the report %s" % (at, heap, got_heap))
if sum(b - a for a, b, *_ in want) != sum(b - a for a, b, *_ in got):
    fail("reserved at %ss: maps %d, the report %d" % (at, sum(b - a for a, b, *_ in want),
                                                     sum(b - a for a, b, *_ in got)))
clicked = sec.split('id="at-p0"')[1]
if [(a, b) for a, b, c, _ in layout_rows(clicked) if c == "heap"] != heap:
    fail("the layout redrawn at %ss (#at=) lacks the heap of maps: %s" % (at, clicked[:2000]))

# resident by class from the samples: a moment of grow_threads' chart equals `maps -r --at-ns`
def page_data(dom):
    return json.loads(html.unescape(re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', dom, re.S).group(1)))


GROUP = {"guard": "thread-stack", "text": "file", "rodata": "file", "data": "file",
         "vvar": "vdso", "vsyscall": "vdso", "bss": "anon", "unknown": "anon"}
data = page_data(dom)
gid = procs[grow][0]
series = data["procs"][gid]["series"]
if 'data-series="%s" data-kind="rsd"' % gid not in gsec:
    fail("grow_threads' resident chart does not stack the resident samples")
# the last is its end, drawn before the exit record that `maps --at-ns` would count
moments = [i for i, v in enumerate(series["rsd"]) if sum(v)][:-1]
if len(moments) < 2:
    fail("grow_threads' resident chart has %d moments with a sample" % len(moments))
for i in (moments[0], moments[-1]):
    ns = series["ns"][i]
    m = run(["maps", "-r", REC, "--at-ns", str(ns), "-p", str(grow), "-j"])
    want = dict.fromkeys(data["groups"], 0)
    for g in json_lines(m.stdout):
        want[GROUP.get(g["class"], g["class"])] += g["rss"] or 0
    got = dict(zip(data["groups"], series["rsd"][i]))
    if got != want or not want["heap"]:
        fail("resident by class at %d ns: the page %s, maps' RSS column %s" % (ns, got, want))
ok_resident = len(moments)

# --stacks: the flame graph and the call sites of `callers`
SREC = os.path.join(tmp, "stacks.msnp")
r = run(["record", "--stacks", "-o", SREC, "--", os.path.join(WL, "callers"), "10"])
if r.returncode:
    fail("record --stacks: exit %d: %s" % (r.returncode, r.stderr))
folded_out = os.path.join(tmp, "stacks.folded")
if run(["export", "--folded", "-r", SREC, "-o", folded_out]).returncode:
    fail("export --folded failed")
fsums = {}
for line in open(folded_out):
    frames, w = line.rsplit(" ", 1)
    for fn in set(frames.split(";")):
        fsums[fn] = fsums.get(fn, 0) + int(w)
spage = os.path.join(tmp, "stacks.html")
report(spage, rec=SREC)
sdom = chromium("file://" + spage, "--dump-dom")
if 'id="sites"' not in sdom or 'data-zoom="ok"' not in sdom:
    fail("no call sites section, or the flame graph's script did not run")
if 'id="sites"' in dom:
    fail("a call sites section in a recording without stacks")
frames = [(int(o), int(b), int(d), html.unescape(n), float(w)) for o, b, d, n, w in re.findall(
    r'<g class="fn" data-o="(\d+)" data-b="(\d+)" data-d="(\d+)"><title>([^\n<]*)\n[^<]*</title>'
    r'<rect x="[^"]*" y="[^"]*" width="([^"]*)"', sdom)]
if not frames or frames[0][2] != 0 or 'data-left-out="0"' not in sdom:
    fail("the flame graph has no root or left frames out: %s" % frames[:3])
total = frames[0][1]
fsum = {}
for o, b, d, n, w in frames:
    if abs(w - b * 1100.0 / total) > 0.01:
        fail("%s: %.2f wide for %d of %d bytes" % (n, w, b, total))
    outer = [x for x in frames if x[2] < d and x[0] <= o and o + b <= x[0] + x[1]]
    if d and n not in {x[3] for x in outer}:  # once a path, as a folded line counts it
        fsum[n] = fsum.get(n, 0) + b
if fsum != fsums or total != sum(v for k, v in fsums.items() if k == "callers"):
    fail("bytes per function: the flame graph %s, export --folded %s" % (fsum, fsums))
for fn in ("alpha_map", "beta_malloc", "main"):
    if not fsum.get(fn):
        fail("the flame graph does not name %s" % fn)
# a click on beta_malloc zooms into it: it and those below it span the width, alpha_map goes
zoomed = os.path.join(tmp, "zoomed.html")
open(zoomed, "w").write(open(spage).read().replace("</body>", "<script>[].forEach.call("
    "document.querySelectorAll('g.fn'),function(g){if(g.querySelector('title').textContent"
    ".split('\\n')[0]==='beta_malloc')g.dispatchEvent(new MouseEvent('click'))})</script></body>"))
zdom = chromium("file://" + zoomed, "--dump-dom")
zoom = {n: (st, float(w)) for st, n, w in re.findall(
    r'<g class="fn"[^>]*?(style="display: none;")?><title>([^\n<]*)\n[^<]*</title>'
    r'<rect x="[^"]*" y="[^"]*" width="([^"]*)"', zdom)}
if zoom.get("beta_malloc") != ("", 1100) or zoom.get("main") != ("", 1100) \
        or not zoom.get("alpha_map", ("",))[0]:
    fail("a click on beta_malloc did not zoom into it: %s" % zoom)
table = sdom.split('id="site-table"')[1].split("</table>")[0]
for fn in ("alpha_map", "beta_malloc"):
    if not re.search(r'<td class="site">%s</td><td data-bytes="[1-9]' % fn, table):
        fail("the call sites table lacks %s: %s" % (fn, table))
shutil.rmtree(tmp)
print("ok: %d processes, screenshot %d distinct rows; resident by class at %d moments as maps; "
      "flame graph of %d frames as export --folded" % (len(procs), rows, ok_resident, len(frames)))
