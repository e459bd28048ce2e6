#!/usr/bin/env python3
"""Check what guest_61.sh printed (the console text between boot.sh's markers).

  check_guest.py GUEST_OUTPUT MEMSNOOP WORKDIR [LABEL]

Checks: (a) exact counts per process of kwork's round (on the default hooks and on
the syscall trace events), which hook -v names for the memory calls
(MS_EXPECT_HOOK=fentry|tp: all on it), (b) drops reported by a
fault storm into a tiny ring buffer, (c) memsnoop's SIGUSR1 layout dump equals
/proc/PID/maps raw line for raw line, (d) the guest's recording replays on this host
(MEMSNOOP -r) to the output the guest printed live, (e) the main stack's
growth by faults is reported down to the lowest page touched. Prints one line per check
and exits 1 when any failed.
"""
import base64
import json
import os
import re
import subprocess
import sys

# kwork.c's ROUND_* constants: one round, per process
ROUND = {"brk": 3, "mmap": 3, "mprotect": 2, "madvise": 2, "mremap": 1, "munmap": 3}
ROUND_PAGES = 16

failures = []
LABEL = "the guest"


def ok(msg):
    print("ok:   " + msg)


def bad(msg, detail=""):
    failures.append(msg)
    print("FAIL: " + msg)
    if detail:
        for line in detail.rstrip("\n").split("\n"):
            print("      | " + line)


def parse(text):
    """sections: name -> (lines, rc); b64: name -> bytes"""
    sections, b64 = {}, {}
    cur, lines, blob = None, [], None
    for line in text.split("\n"):
        if blob is not None:
            if line == "@@end-b64 " + blob[0]:
                b64[blob[0]] = base64.b64decode("".join(blob[1]))
                blob = None
            else:
                blob[1].append(line.strip())
            continue
        m = re.match(r"^@@section (\S+)$", line)
        if m:
            cur, lines = m.group(1), []
            continue
        m = re.match(r"^@@end (\S+) rc=(\d+)$", line)
        if m and cur == m.group(1):
            sections[cur] = (lines, int(m.group(2)))
            cur = None
            continue
        m = re.match(r"^@@b64 (\S+)$", line)
        if m:
            blob = (m.group(1), [])
            continue
        if cur is not None:
            lines.append(line)
    return sections, b64


def split_stderr(lines):
    if "@@stderr" in lines:
        i = lines.index("@@stderr")
        return lines[:i], lines[i + 1:]
    return lines, []


def json_events(lines):
    out = []
    for line in lines:
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def field(ev, *names):
    for n in names:
        if n in ev:
            return ev[n]
    return None


def num(v):
    if isinstance(v, str):
        return int(v, 0)
    return v


def check_counts(sections, name="counts"):
    if name not in sections:
        bad("%s: section missing (guest died?)" % name)
        return
    lines, rc = sections[name]
    out, err = split_stderr(lines)
    if rc != 0:
        bad(name + ": memsnoop exited %d" % rc, "\n".join(err[-30:]))
        return
    regions = {}
    for line in err:
        m = re.match(r"^kwork (\d+) region ([0-9a-f]+)-([0-9a-f]+)$", line)
        if m:
            regions[int(m.group(1))] = (int(m.group(2), 16), int(m.group(3), 16))
    if len(regions) != 2:
        bad(name + ": kwork printed %d regions, expected 2 (parent, child)" % len(regions), "\n".join(out[-20:]))
        return
    evs = json_events(out)
    if not evs:
        bad(name + ": no JSON events", "\n".join(out[:20] + err[-20:]))
        return
    per = {pid: {} for pid in regions}
    faults = {pid: 0 for pid in regions}
    writes = {pid: 0 for pid in regions}  # kwork's touches are stores
    kinds = {}
    for ev in evs:
        kind = field(ev, "event")
        kinds.setdefault(kind, ev)
        pid = field(ev, "pid", "tgid")
        if pid not in per:
            continue
        per[pid][kind] = per[pid].get(kind, 0) + 1
        if kind == "fault":
            addr = num(field(ev, "addr", "address"))
            lo, hi = regions[pid]
            if addr is not None and lo <= addr < hi:
                faults[pid] += 1
                writes[pid] += field(ev, "write") is True
    problems = []
    for pid, (lo, hi) in sorted(regions.items()):
        for kind, want in ROUND.items():
            got = per[pid].get(kind, 0)
            if got != want:
                problems.append("pid %d: %d %s events, expected %d" % (pid, got, kind, want))
        if faults[pid] != ROUND_PAGES:
            problems.append("pid %d: %d faults in %x-%x, expected %d" % (pid, faults[pid], lo, hi, ROUND_PAGES))
        elif writes[pid] != ROUND_PAGES:
            problems.append("pid %d: %d of the %d faults in %x-%x are writes" % (pid, writes[pid], ROUND_PAGES, lo, hi))
    parent = min(regions)
    child = max(regions)
    forks = [e for e in evs if field(e, "event") == "fork" and field(e, "pid", "tgid") == parent]
    if not forks:
        problems.append("no fork event from pid %d" % parent)
    exits = [e for e in evs if field(e, "event") == "exit" and field(e, "pid", "tgid") == child]
    if not exits:
        problems.append("no exit event for the child %d" % child)
    if problems:
        bad(name + ": exact counts", "\n".join(problems) + "\nevent kinds seen (first of each):\n" +
            "\n".join(json.dumps(e) for e in kinds.values()))
    else:
        ok(name + ": 2 processes x (%s, %d write faults in the touched region), fork and exit seen" %
           (", ".join("%d %s" % (v, k) for k, v in ROUND.items()), ROUND_PAGES))


CALLS = ("mmap", "munmap", "mprotect", "madvise", "mremap", "brk", "shmat", "shmdt", "pkey_mprotect",
         "mseal", "remap_file_pages", "prctl", "process_madvise", "mlock", "mlock2", "munlock",
         "mlockall", "munlockall", "mbind", "uffdio")


def check_calls(sections, name):
    """The counted workload's every call kind, as tests/bpf/test_capture.py counts them."""
    if name not in sections:
        print("skip: %s: no counted workload in this run" % name)
        return
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from memsnoop_test import between_markers, count
    lines, rc = sections[name]
    out, err = split_stderr(lines)
    reports = [json.loads(l) for l in err if l.startswith('{"pid"')]
    if rc != 0 or len(reports) != 2:
        bad("%s: memsnoop exited %d with %d workload reports" % (name, rc, len(reports)), "\n".join(err[-20:]))
        return
    events = json_events(out)
    problems = []
    for w in reports:
        ev = between_markers(events, w["pid"])
        problems += ["pid %d: %d %s events, the workload made %d" % (w["pid"], count(ev, c), c, w[c])
                     for c in CALLS if count(ev, c) != w[c]]
    if problems:
        bad("%s: exact counts of every call" % name, "\n".join(problems))
    else:
        ok("%s: 2 processes x %d calls of %d kinds, counts exact" %
           (name, sum(reports[0][c] for c in CALLS), len(CALLS)))


HOOK_RE = re.compile(r"memory calls on (fentry/fexit|syscall trace events)\s+(.*)$")


def check_hooks(sections):
    """Which hook -v says each memory call uses; MS_EXPECT_HOOK=fentry|tp: all on it."""
    on = {}
    for line in sections.get("verbose", ([], 0))[0]:
        m = HOOK_RE.search(line)
        if m:
            calls = m.group(2).split()
            on["fentry" if m.group(1).startswith("fentry") else "tp"] = [] if calls == ["none"] else calls
    want = os.environ.get("MS_EXPECT_HOOK", "")
    if len(on) != 2:
        bad("hooks: -v did not say which hook each memory call uses")
    elif want and (on[want] == [] or on["tp" if want == "fentry" else "fentry"] != []):
        bad("hooks: memory calls on %s expected, -v says fentry/fexit: %s; trace events: %s" %
            (want, " ".join(on["fentry"]) or "none", " ".join(on["tp"]) or "none"))
    else:
        ok("hooks: %d memory calls on fentry/fexit, %d on syscall trace events%s" %
           (len(on["fentry"]), len(on["tp"]), " (as expected)" if want else ""))


def check_stack(sections):
    if "stack" not in sections:
        bad("stack: section missing")
        return
    lines, rc = sections["stack"]
    out, err = split_stderr(lines)
    if rc != 0:
        bad("stack: memsnoop exited %d" % rc, "\n".join(err[-30:]))
        return
    lo = None
    for line in err:
        m = re.match(r"^kwork (\d+) stack ([0-9a-f]+)$", line)
        if m:
            pid, lo = int(m.group(1)), int(m.group(2), 16)
    if lo is None:
        bad("stack: kwork printed no stack line", "\n".join(err[-20:]))
        return
    grew = [num(field(e, "addr")) for e in json_events(out)
            if field(e, "event") == "stack" and field(e, "pid", "tgid") == pid]
    if grew and min(grew) & ~4095 == lo:
        ok("stack: %d stack-growth events for pid %d, down to the lowest page touched (%x)" %
           (len(grew), pid, lo))
    else:
        bad("stack: the main stack grew down to %x; memsnoop reported %s" %
            (lo, ", ".join("%x" % a for a in sorted(grew)) or "no growth"), "\n".join(out[-10:]))


def check_stacks(sections):
    """--stacks loads on this kernel, and kwork's mmaps unwind to round_ <- kmain."""
    if "stacks" not in sections:
        bad("stacks: section missing")
        return
    lines, rc = sections["stacks"]
    out, err = split_stderr(lines)
    if rc != 0:
        bad("stacks: memsnoop --stacks exited %d" % rc, "\n".join(err[-30:]))
        return
    calls = [e for e in json_events(out) if field(e, "event") == "mmap" and
             field(e, "comm") == "kwork"]
    def round_then_kmain(e):
        syms = [f.get("sym") for f in e.get("stack", [])]
        return "round_" in syms and syms[syms.index("round_") + 1:][:1] == ["kmain"]

    good = [e for e in calls if round_then_kmain(e)]
    if calls and len(good) == len(calls):
        ok("stacks: all %d mmaps of kwork unwind to round_ <- kmain" % len(calls))
    else:
        bad("stacks: %d of %d kwork mmaps have the stack round_ <- kmain" %
            (len(good), len(calls)), "\n".join(out[-5:]))


DROP_RE = re.compile(r"(drop|lost|lose)\w*\D{0,30}?(\d+)", re.I)


def check_drops(sections):
    if "drops" not in sections:
        bad("drops: section missing")
        return
    lines, rc = sections["drops"]
    out, err = split_stderr(lines)
    if rc != 0:
        bad("drops: memsnoop exited %d" % rc, "\n".join(err[-30:]))
        return
    n = 0
    for ev in json_events(out):
        if field(ev, "event") in ("lost", "drop", "drops"):
            n += num(field(ev, "count", "lost", "dropped", "n") or 0)
    summary = 0
    for line in err:
        for m in DROP_RE.finditer(line):
            summary = max(summary, int(m.group(2)))
    if summary > 0:
        ok("drops: the exit summary reports %d dropped (JSON lost events: %d)" % (summary, n))
    else:
        bad("drops: a fault storm into a 4 KiB ring buffer reported no drops on stderr",
            "\n".join(out[-10:] + ["-- stderr:"] + err[-20:]))


MAPS_RE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+)\s+([-r][-w][-x][-psS])\s+([0-9a-f]+)\s+(\S+)\s+(\d+)\s*(.*)$")


def parse_maps(lines):
    out = []
    for line in lines:
        m = MAPS_RE.match(line.strip())
        if m:
            name = m.group(7).strip()
            if name == "[vsyscall]":  # not part of the mm
                continue
            dev, ino = m.group(5), int(m.group(6))
            if name == "/dev/zero (deleted)":  # shared anonymous: the inode is the kernel's secret
                dev, ino = "00:00", 0
            out.append([int(m.group(1), 16), int(m.group(2), 16), m.group(3), int(m.group(4), 16),
                        dev, ino, name])
    return out


def fmt_maps(maps):
    return "\n".join("%x-%x %s %08x %s %d %s" % tuple(r) for r in maps)


def check_layout(sections):
    if "layout" not in sections:
        bad("layout: section missing")
        return
    lines, rc = sections["layout"]
    real, dump, err = {}, {}, []
    mode, cur = None, None
    for line in lines:
        m = re.match(r"^@@maps (\S+) (\d+)$", line)
        if m:
            mode, cur = "maps", int(m.group(2))
            real[cur] = []
            continue
        if line == "@@end-maps":
            mode = None
            continue
        if line == "@@dump":
            mode, cur = "dump", None
            continue
        if line == "@@end-dump":
            mode = None
            continue
        if line == "@@stderr":
            mode = "err"
            continue
        if mode == "maps":
            real[cur].append(line)
        elif mode == "dump":
            m = re.match(r"^# pid (\d+)", line)
            if m:
                cur = int(m.group(1))
                dump[cur] = []
            elif cur is not None:
                dump[cur].append(line)
        elif mode == "err":
            err.append(line)
    if len(real) != 2:
        bad("layout: the workload did not reach its checkpoint", "\n".join(lines[-30:]))
        return
    if any(l.startswith("@@forced-kill") for l in lines):
        bad("layout: memsnoop did not exit within 20 s of its command's death")
    elif rc not in (0, 128 + 9):  # memsnoop passes on its command's status (SIGKILL)
        bad("layout: memsnoop exited %d" % rc, "\n".join(err[-20:]))
    for pid in sorted(real):
        want = parse_maps(real[pid])
        if pid not in dump:
            bad("layout: no '# pid %d' in memsnoop's SIGUSR1 dump" % pid,
                "dump had pids: %s\nstderr:\n%s" % (sorted(dump), "\n".join(err[-20:])))
            continue
        got = parse_maps(dump[pid])
        if got == want:
            ok("layout: pid %d: memsnoop's layout equals /proc/%d/maps (%d regions, raw)" % (pid, pid, len(want)))
        else:
            import difflib
            d = difflib.unified_diff(fmt_maps(want).split("\n"), fmt_maps(got).split("\n"),
                                     "/proc/%d/maps" % pid, "memsnoop", lineterm="")
            bad("layout: pid %d differs from /proc/%d/maps" % (pid, pid), "\n".join(d))


def resident_lines(sections):
    """The layout section's @@resident part: rc, JSON regions, smaps by pid, stderr."""
    lines = sections.get("layout", ([], 0))[0]
    if "@@resident" not in lines or "@@end-resident" not in lines:
        return None
    part = lines[lines.index("@@resident") + 1:lines.index("@@end-resident")]
    rc, regions, smaps, err, mode = None, [], {}, [], None
    for line in part:
        m = re.match(r"^@@(resident-rc|smaps) (\d+)$", line)
        if m and m.group(1) == "resident-rc":
            rc = int(m.group(2))
        elif m:
            mode, cur = "smaps", int(m.group(2))
            smaps[cur] = []
        elif line == "@@resident-stderr":
            mode = "err"
        elif mode == "err":
            err.append(line)
        elif mode == "smaps":
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
            if m:
                smaps[cur].append([int(m.group(1), 16), int(m.group(2), 16), 0])
            elif line.startswith("Rss:") and smaps[cur]:
                smaps[cur][-1][2] = int(line.split()[1]) * 1024
        elif line.startswith("{"):
            regions.append(json.loads(line))
    return rc, regions, smaps, err


def check_resident(sections):
    """maps --once at the checkpoint: each region's rss as /proc/PID/smaps's Rss (6.1
    lacks PAGEMAP_SCAN: memsnoop must have read smaps, and say so under -v)."""
    got = resident_lines(sections)
    if got is None:
        bad("resident: no @@resident part in the layout section")
        return
    rc, regions, smaps, err = got
    if rc != 0 or len(smaps) != 2:
        bad("resident: maps --once exited %s, %d processes" % (rc, len(smaps)), "\n".join(err))
        return
    release = sections.get("probe", ([""], 0))[0][0]
    v = re.match(r"(\d+)\.(\d+)", release)
    source = "pagemap" if v and (int(v.group(1)), int(v.group(2))) >= (6, 7) else "smaps"
    if not any("resident samples from " + source in l for l in err):
        bad("resident: memsnoop did not read %s on %s" % (source, release), "\n".join(err))
    for pid, want in sorted(smaps.items()):
        mine = [o for o in regions if o["pid"] == pid]
        diffs = []
        for start, end, rss in want:
            inside = [o for o in mine if int(o["start"], 16) >= start and int(o["end"], 16) <= end]
            have = [o["rss"] for o in inside]
            if not inside or None in have or sum(have) != rss:
                diffs.append("%x-%x smaps %d memsnoop %s" % (start, end, rss, have))
        if diffs:
            bad("resident: pid %d: %d of %d regions differ from smaps" % (pid, len(diffs), len(want)),
                "\n".join(diffs))
        else:
            ok("resident: pid %d: every region's rss equals /proc/%d/smaps's Rss (%d regions, "
               "%d KiB)" % (pid, pid, len(want), sum(r for _, _, r in want) >> 10))


def check_replay(sections, b64, memsnoop, workdir):
    if "counts.msnp" not in b64:
        bad("replay: the guest wrote no trace file (-w)")
        return
    if "counts" not in sections:
        bad("replay: no live output to compare with")
        return
    path = os.path.join(workdir, "counts.msnp")
    with open(path, "wb") as f:
        f.write(b64["counts.msnp"])
    os.chmod(path, 0o600)
    if sections["counts"][1] != 0:
        bad("replay: nothing to compare: the live run failed")
        return
    live, _ = split_stderr(sections["counts"][0])
    live = [l for l in live if not l.startswith("kwork ")]
    p = subprocess.run([memsnoop, "-j", "--faults", "-r", path], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        bad("replay: %s -j --faults -r exited %d" % (memsnoop, p.returncode), p.stderr[-3000:])
        return
    replay = p.stdout.rstrip("\n").split("\n") if p.stdout else []
    while live and live[-1] == "":
        live.pop()
    if not json_events(live):
        bad("replay: the live run printed no events")
    elif replay == live:
        ok("replay: the recording made on %s (%d bytes) replays on this host to the same %d lines" %
           (LABEL, len(b64["counts.msnp"]), len(live)))
    else:
        import difflib
        d = list(difflib.unified_diff(live, replay, "live (guest)", "replay (host)", lineterm=""))
        bad("replay: output differs from the live run", "\n".join(d[:60]))


def main():
    text = open(sys.argv[1], errors="replace").read()
    memsnoop, workdir = sys.argv[2], sys.argv[3]
    global LABEL
    LABEL = sys.argv[4] if len(sys.argv) > 4 else "the guest"
    sections, b64 = parse(text)
    if "verbose" in sections:
        lines, rc = sections["verbose"]
        print("memsnoop -v on %s (exit %d):" % (LABEL, rc))
        for line in lines[-40:]:
            print("      | " + line)
        if rc != 0:
            bad("verbose: memsnoop -v exited %d (did it load?)" % rc)
    else:
        bad("verbose: section missing")
    check_counts(sections)
    check_counts(sections, "counts_tp")
    check_calls(sections, "calls_auto")
    check_calls(sections, "calls_tp")
    check_hooks(sections)
    check_stack(sections)
    check_stacks(sections)
    check_drops(sections)
    check_layout(sections)
    check_resident(sections)
    check_replay(sections, b64, memsnoop, workdir)
    print("%d checks failed" % len(failures) if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
