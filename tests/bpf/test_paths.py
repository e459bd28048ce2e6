"""Hostile file names: a path deeper than 64 directories, one longer than 4096 bytes whose
/proc/PID/maps line hides a forged region past the old read buffer, one of 17 KB, a name with a newline,
one with a literal backslash sequence, and an exec through a 4095-byte path. A process that
maps them is seeded from /proc at start, then maps them again (the BPF side names them).
Each file's seeded path must be the very bytes BPF gave it, cuts marked alike; no region may
be forged; the replay must equal the live output with no malformed record."""
import os
import shutil
import signal
import struct
import subprocess
import sys
from memsnoop_test import *

FAKE = "7f0000000000-7f0000001000 rwxp 00000000 00:00 0 [fake-injected]"
MARK = b"\xe2\x80\xa6"  # MS_PATH_CUT_MARK
OLD_LINE_BUF = 4096 + 256 - 1  # what one fgets() of the old seed reader took


def open_dir_chain(base, names):
    """Creates base/names[0]/names[1]/... with *at() calls (the whole may pass PATH_MAX)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    for n in names:
        os.mkdir(n, dir_fd=fd)
        nfd = os.open(n, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    return fd


def make_file(dir_fd, name):
    fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o644, dir_fd=dir_fd)
    os.write(fd, b"x" * 4096)
    return fd


def workload(base):
    """The traced process: maps each file, waits, maps them again, execs the long path."""
    import mmap

    fds, maps = {}, []
    probe = make_file(open_dir_chain(base, ["probe"]), "f")
    m = mmap.mmap(probe, 4096, prot=mmap.PROT_READ)
    # where /proc/self/maps starts a path: the forged region begins at the old buffer's end
    col = next(l for l in open("/proc/self/maps") if l.rstrip().endswith("/probe/f")).index("/")
    m.close()
    # long: /LLL.../LLL/xxxFAKE, the forged text at line offset OLD_LINE_BUF
    at = OLD_LINE_BUF - col - len(base) - 1
    names = ["L" * 100] * (at // 101)
    names.append("x" * (at % 101) + FAKE)
    fds["long"] = make_file(open_dir_chain(base, names[:-1]), names[-1])
    # huge: past any line buffer (17 KB), only its tail can be kept
    fds["huge"] = make_file(open_dir_chain(base, ["H" * 100] * 170), "h" + FAKE)
    fds["deep"] = make_file(open_dir_chain(base, ["d"] * 70), "f")
    fds["newline"] = make_file(os.open(base, os.O_RDONLY), "new\nline")
    fds["backslash"] = make_file(os.open(base, os.O_RDONLY), "back\\012slash")
    for fd in fds.values():
        maps.append(mmap.mmap(fd, 4096, prot=mmap.PROT_READ))
    # exec through exactly 4095 bytes
    exe = base + "/e"
    while len(exe) < 4095 - 2:
        exe += "/" + "E" * min(200, 4095 - len(exe) - 4)
        os.makedirs(exe, exist_ok=True)
    exe += "/" + "t" * (4095 - len(exe) - 1)
    shutil.copyfile("/bin/true", exe)
    os.chmod(exe, 0o755)
    inos = {k: os.fstat(fd).st_ino for k, fd in fds.items()}
    print(json.dumps({"inos": inos, "exe": exe}), flush=True)
    sys.stdin.readline()
    for fd in fds.values():
        maps.append(mmap.mmap(fd, 4096, prot=mmap.PROT_READ))
    os.execv(exe, [exe])


def records(path):
    """(type, flags, pid, body) of every record of an uncompressed trace."""
    data = open(path, "rb").read()
    off = struct.unpack_from("<I", data, 8)[0]
    while off + 48 <= len(data):
        comp_len, raw_len = struct.unpack_from("<II", data, off + 4)
        codec = struct.unpack_from("<I", data, off + 32)[0] & 15
        if codec != 0:
            fail("block at %d is compressed" % off)
        payload = data[off + 48 : off + 48 + comp_len]
        p = 0
        while p + 24 <= len(payload):
            ts, pid, tid, typ, size, flags = struct.unpack_from("<QIIHHI", payload, p)
            yield typ, flags, pid, payload[p : p + size]
            p += size
        off += 48 + comp_len


def cstr(body, at, n):
    return body[at : at + n]


if len(sys.argv) > 1:
    workload(sys.argv[1])
    sys.exit(0)

need_root()
tmp = "/tmp/memsnoop-paths.%d" % os.getpid()
shutil.rmtree(tmp, ignore_errors=True)
os.makedirs(tmp)
try:
    wl = subprocess.Popen([sys.executable, __file__, tmp], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True)
    info = json.loads(wl.stdout.readline())
    trace = tmp + "/t.msnp"
    bg = Background(["-j", "--no-compress", "-p", str(wl.pid), "-w", trace], stdout=tmp + "/out")
    wl.stdin.write("go\n")
    wl.stdin.flush()
    if wl.wait(timeout=30) != 0:
        fail("workload failed")
    try:
        bg.p.wait(timeout=10)  # -p ends with its process
    except subprocess.TimeoutExpired:
        pass
    rc, live, err = bg.stop() if bg.p.poll() is None else (bg.p.returncode, open(tmp + "/out").read(),
                                                            open(tmp + "/out.err").read())
    if rc != 0:
        fail("memsnoop exited %d: %s" % (rc, err))

    seeded, mapped, execs, forged = {}, {}, [], []
    for typ, flags, pid, b in records(trace):
        if pid != wl.pid:
            continue
        if typ == 35:  # MS_VMA
            start, end, pgoff, ino = struct.unpack_from("<QQQQ", b, 24)
            n = struct.unpack_from("<H", b, 64)[0]
            seeded.setdefault(ino, (b[72 : 72 + n], flags & 1))
            if b"fake-injected" in b[72 : 72 + n] and not b[72 : 72 + n].startswith(MARK):
                forged.append(b[72 : 72 + n])
            if start == 0x7F0000000000:
                forged.append(b)
        elif typ == 2 and flags & 1:  # MS_MMAP with a file
            ino = struct.unpack_from("<Q", b, 160)[0]
            n = struct.unpack_from("<H", b, 184)[0]
            mapped.setdefault(ino, (b[192 : 192 + n], (flags >> 2) & 1))
        elif typ == 10:  # MS_EXEC
            n = struct.unpack_from("<I", b, 28)[0]
            execs.append((b[48 : 48 + n], (flags >> 1) & 1))
    if forged:
        fail("forged regions from a long line: %r" % forged[:2])
    print("ok: no region forged by a line past the old read buffer")
    for name, ino in info["inos"].items():
        if ino not in seeded or ino not in mapped:
            fail("%s: not seeded (%s) or not mapped (%s)" % (name, ino in seeded, ino in mapped))
        if seeded[ino] != mapped[ino]:
            fail("%s: seeded %r differs from the BPF path %r" % (name, seeded[ino][0][-120:],
                                                                mapped[ino][0][-120:]))
        path, cut = mapped[ino]
        if name in ("long", "huge"):
            if not cut or not path.startswith(MARK + b"/") or len(path) > 4095:
                fail("long path not cut with a mark: cut=%d %r" % (cut, path[:40]))
            if not path.endswith(FAKE.encode()):
                fail("long path lost its last component: %r" % path[-80:])
        else:
            want = os.path.join(tmp, "d/" * 70 + "f" if name == "deep" else
                                {"newline": "new\nline", "backslash": "back\\012slash"}[name])
            if cut or path != want.encode():
                fail("%s: %r (cut %d), want %r" % (name, path[-100:], cut, want[-100:]))
        print("ok: %s: seed and BPF give the same %d bytes%s" % (name, len(path),
                                                                 " (cut, marked)" if cut else ""))
    if (info["exe"].encode(), 0) not in execs:
        fail("exec through 4095 bytes: %r" % [(e[:40], len(e), c) for e, c in execs])
    print("ok: exec filename of 4095 bytes kept whole")

    replay = run(["-j", "-r", trace])
    if replay.returncode != 0 or "malformed" in replay.stderr:
        fail("replay: %d %s" % (replay.returncode, replay.stderr))
    if replay.stdout != live:
        fail("replay differs from live output")
    print("ok: replay equals live (%d lines), no malformed record" % live.count("\n"))
    assert_detached()
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print("ok")
