"""--metrics against a real Prometheus server (Debian's prometheus, on loopback, a config
and storage of its own, scraping every second). memsnoop traces a shell and its children:
a workload growing its heap (tests/workloads/grow), ten sleepers and 2,000 short processes
(tests/workloads/churn), with --metrics-top 5. Asked through Prometheus' HTTP API:
the workload's heap matches /proc/PID/smaps and its own count within 5%, page fault rates
are non-zero while it grows, at most 5 processes ever have series of their own and the
exited ones' go away. A client that sends a request and never reads, and one that sends
nothing, stall nothing: scrapes go on, events keep flowing, none lost. `promtool check
metrics` accepts the output; the OpenMetrics one ends with # EOF. A taken port is a
one-line error; -q prints no events; BPF run time counts while the kernel's stats are on."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from memsnoop_test import *
from views.views_test import ms_progs, assert_released, start

TOP = 5
STEP, PERIOD_MS, GROW_S = 100 << 10, 25, 6  # about 24 MiB of heap in 6 s


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url, headers=None, timeout=5):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode()


def start_prometheus(tmp, target):
    port = free_port()
    conf = os.path.join(tmp, "prometheus.yml")
    with open(conf, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: memsnoop\n"
                "    static_configs:\n      - targets: ['%s']\n" % target)
    log = open(os.path.join(tmp, "prometheus.log"), "w")
    p = subprocess.Popen(["prometheus", "--config.file=" + conf,
                          "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                          "--web.listen-address=127.0.0.1:%d" % port], stdout=log, stderr=log)
    base = "http://127.0.0.1:%d" % port
    for _ in range(150):
        if p.poll() is not None:
            fail("prometheus exited: " + open(log.name).read()[-2000:])
        try:
            get(base + "/-/ready", timeout=1)
            return p, base
        except OSError:
            time.sleep(0.1)
    p.kill()
    fail("prometheus not ready after 15 s")


def query(prom, expr):
    """The values of an instant query, as {frozenset(labels): float}."""
    r = json.loads(get(prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})))
    if r.get("status") != "success":
        fail("query %s: %s" % (expr, r))
    return {frozenset(x["metric"].items()): float(x["value"][1]) for x in r["data"]["result"]}


def scalar(prom, expr):
    v = query(prom, expr)
    return next(iter(v.values())) if v else None


def wait_for(what, fn, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    fail("%s: not after %d s" % (what, timeout))


def read(path):
    try:
        return open(path).read()
    except FileNotFoundError:
        return ""


def smaps_heap(pid):
    """The [heap] region's Size in /proc/PID/smaps, in bytes."""
    lines = open("/proc/%d/smaps" % pid).read().splitlines()
    for i, line in enumerate(lines):
        if line.endswith("[heap]"):
            return int(lines[i + 1].split()[1]) * 1024
    fail("pid %d has no [heap]" % pid)


def stuck_clients(port):
    """One asks for /metrics and never reads (a small receive buffer), one sends nothing."""
    a = socket.socket()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    a.connect(("127.0.0.1", port))
    a.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" * 50)
    b = socket.create_connection(("127.0.0.1", port))
    return [a, b]


def bpf_stats_fd():
    """BPF_ENABLE_STATS: the kernel counts programs' runs while this fd is open (as
    kernel.bpf_stats_enabled does, without changing the sysctl)."""
    import ctypes
    nr = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
    attr = (ctypes.c_char * 128)()  # type 0: BPF_STATS_RUN_TIME
    fd = ctypes.CDLL(None, use_errno=True).syscall(nr, 32, attr, 128)
    if fd < 0:
        fail("BPF_ENABLE_STATS: errno %d" % ctypes.get_errno())
    return fd


def within(a, b, pct):
    return abs(a - b) <= b * pct / 100.0


need_root()
for tool in ("prometheus", "promtool"):
    if not shutil.which(tool):
        fail("%s is missing (scripts/deps.sh installs Debian's prometheus)" % tool)
BEFORE = ms_progs()
tmp = tempfile.mkdtemp(prefix="memsnoop-metrics.")
mport = free_port()
prom_p, prom = start_prometheus(tmp, "127.0.0.1:%d" % mport)
gout, cout = os.path.join(tmp, "grow.out"), os.path.join(tmp, "churn.out")
script = ("read go; for i in 1 2 3 4 5 6 7 8 9 10; do sleep 120 & done; "
          "HOLD=120 %s %d %d %d >%s & %s 2000 --workers 16 --exec-every 0 >%s; wait"
          % (os.path.join(WL, "grow"), GROW_S, STEP, PERIOD_MS, gout, os.path.join(WL, "churn"),
             cout))
sh = subprocess.Popen(["sh", "-c", script], stdin=subprocess.PIPE, start_new_session=True)
ms = None
clients = []
try:
    stats = bpf_stats_fd()
    ms = start(["-q", "-p", str(sh.pid), "--children", "-i", "0.2", "--metrics",
                "127.0.0.1:%d" % mport, "--metrics-top", str(TOP)], os.path.join(tmp, "out"))
    taken = run(["--metrics", prom.split("//")[1], "-d", "1"], timeout=30)
    if taken.returncode != 1 or "Address already in use" not in taken.stderr:
        fail("a taken port: exit %d, %r" % (taken.returncode, taken.stderr))
    endpoint = "http://127.0.0.1:%d/metrics" % mport
    wait_for("a first scrape", lambda: scalar(prom, 'up{job="memsnoop"}') == 1, 10)
    events_before = scalar(prom, "sum(memsnoop_events_total)") or 0
    clients = stuck_clients(mport)
    sh.stdin.write(b"go\n")
    sh.stdin.close()
    gpid = int(wait_for("grow's pid", lambda: read(gout).split("\n")[0], 10))
    ok_rate = wait_for("rate of page faults", lambda: (
        (scalar(prom, 'rate(memsnoop_process_page_faults_total{pid="%d"}[3s])' % gpid) or 0) > 0
        and (scalar(prom, "sum(rate(memsnoop_page_faults_total[3s]))") or 0) > 0), GROW_S + 4)
    print("ok: page fault rates non-zero while the heap grows")

    grown = int(wait_for("grow's count", lambda: [
        l.split()[1] for l in read(gout).splitlines() if l.startswith("grown")], GROW_S + 10)[0])
    time.sleep(2.5)  # a publish (0.2 s) and a scrape (1 s) after the last step
    heap = scalar(prom, 'memsnoop_process_memory_bytes{pid="%d",class="heap"}' % gpid)
    proc_heap = smaps_heap(gpid)
    print("heap: prometheus %s, smaps %d, allocated %d" % (heap, proc_heap, grown))
    if heap is None or not within(heap, proc_heap, 5) or not within(heap, grown, 5):
        fail("heap %s vs /proc %d and the workload's %d" % (heap, proc_heap, grown))
    machine = scalar(prom, 'sum(memsnoop_memory_bytes{class="heap"})')
    if machine is None or machine < heap:
        fail("machine-wide heap %s below the workload's %s" % (machine, heap))
    print("ok: heap matches /proc and the workload within 5%")

    wait_for("churn's end", lambda: "done 2000" in read(cout), 90)
    time.sleep(2.5)
    most = scalar(prom, "max_over_time(count(count by (pid) (memsnoop_process_resident_bytes))"
                  "[5m:1s])")
    now = scalar(prom, "count(count by (pid) (memsnoop_process_resident_bytes))")
    alive = scalar(prom, "max_over_time(sum(memsnoop_processes)[5m:1s])")
    pids = {dict(k)["pid"] for k in query(prom, "memsnoop_process_resident_bytes")}
    print("per-process series: at most %s at once, %s now %s; up to %s processes traced"
          % (most, now, sorted(pids), alive))
    if not most or most > TOP or not now or now > TOP or not alive or alive <= TOP:
        fail("per-process series: %s at most, %s now, for %s processes" % (most, now, alive))
    for pid in pids:
        if not os.path.exists("/proc/" + pid):
            fail("series of exited pid %s still there" % pid)
    print("ok: at most %d per-process series; the exited ones' go away" % TOP)

    if scalar(prom, 'up{job="memsnoop"}') != 1:
        fail("prometheus cannot scrape memsnoop")
    lost = scalar(prom, "memsnoop_lost_events_total")
    events = scalar(prom, "sum(memsnoop_events_total)")
    t0 = time.time()
    text = get(endpoint, timeout=2)
    if lost != 0 or not events or events <= events_before + 2000 or time.time() - t0 > 1:
        fail("with stuck clients: lost %s, events %s then %s" % (lost, events_before, events))
    print("ok: stuck clients: events flow (%d to %d), none lost, scrapes answered"
          % (events_before, events))

    check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                           text=True)
    if check.returncode:
        fail("promtool check metrics: " + check.stdout + check.stderr)
    om = get(endpoint, {"Accept": "application/openmetrics-text; version=1.0.0"})
    if not om.endswith("# EOF\n") or "# TYPE memsnoop_page_faults counter" not in om:
        fail("OpenMetrics: " + om[-300:])
    print("ok: promtool accepts the text format; OpenMetrics on Accept")
    runs = scalar(prom, "sum(memsnoop_bpf_runs_total)")
    if not runs or not scalar(prom, "sum(memsnoop_bpf_run_seconds_total)"):
        fail("BPF stats on, yet no run counted: %s" % runs)
    os.close(stats)
    print("ok: BPF programs' runs and time while the kernel counts them")
finally:
    for c in clients:
        c.close()
    if ms:
        ms.send_signal(signal.SIGINT)
        rc = ms.wait(timeout=30)
        if rc:
            fail("memsnoop exited %d: %s" % (rc, open(os.path.join(tmp, "out.err")).read()))
    if os.path.getsize(os.path.join(tmp, "out")):
        fail("-q printed events")
    os.killpg(sh.pid, signal.SIGKILL)
    sh.wait()
    prom_p.terminate()
    prom_p.wait(timeout=30)
    shutil.rmtree(tmp, ignore_errors=True)
assert_released(BEFORE, [ms.pid] if ms else [])
print("ok: metrics")
