"""The full-screen views in a real terminal (tmux): top starts, sorts by key (letter,
again to reverse, < and >), follows a resize, quits on q; layout starts, scrolls,
resizes, quits; nothing is left attached and the terminal is given back."""
import os
import shutil
import subprocess
import time
from memsnoop_test import *
from views.views_test import ms_progs, assert_released

need_root()
if not shutil.which("tmux"):
    skip("tmux is not installed")
BEFORE = ms_progs()
SESSION = "memsnoop-test-%d" % os.getpid()


def tmux(*args):
    return subprocess.run(["tmux"] + list(args), capture_output=True, text=True)


def pane():
    return tmux("capture-pane", "-p", "-t", SESSION).stdout


def wait_for(pred, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = pane()
        if pred(text):
            return text
        time.sleep(0.1)
    fail("%s; the pane shows:\n%s" % (what, pane()))


def start(cmd):
    tmux("kill-session", "-t", SESSION)
    r = tmux("new-session", "-d", "-s", SESSION, "-x", "150", "-y", "40",
             "TERM=xterm-256color exec " + cmd)
    if r.returncode:
        fail("tmux: " + r.stderr)
    return int(tmux("display", "-p", "-t", SESSION, "#{pane_pid}").stdout)


def quit_and_check(pid):
    tmux("send-keys", "-t", SESSION, "q")
    deadline = time.time() + 5
    while os.path.exists("/proc/%d" % pid):
        try:
            if open("/proc/%d/stat" % pid).read().split()[2] == "Z":
                break
        except OSError:
            break
        if time.time() > deadline:
            fail("memsnoop still running 5 s after q")
        time.sleep(0.05)
    assert_released(BEFORE, pids=[pid])
    tmux("kill-session", "-t", SESSION)


wl = subprocess.Popen([os.path.join(WL, "grow_threads"), "2", "60"], stdin=subprocess.PIPE,
                      stdout=subprocess.PIPE, text=True)
try:
    wpid = int(wl.stdout.readline())
    wl.stdin.write("go\n")
    wl.stdin.flush()
    wl.stdout.readline()

    # top: start, sort, resize, quit
    pid = start("%s top -i 0.5" % MEMSNOOP)
    text = wait_for(lambda t: "memsnoop top" in t and "*RSS" in t and " grow_threads" in t,
                    "top did not draw")
    if "q quit" not in text.splitlines()[-1]:
        fail("no key line at the bottom:\n" + text)
    print("ok: top drew %d lines" % len([l for l in text.splitlines() if l.strip()]))
    tmux("send-keys", "-t", SESSION, "v")
    wait_for(lambda t: "*VSZ" in t and "sort VSZ down" in t, "v did not sort by VSZ")
    tmux("send-keys", "-t", SESSION, "v")
    wait_for(lambda t: "sort VSZ up" in t, "v again did not reverse")
    tmux("send-keys", "-t", SESSION, ">")
    # VSZ's reversal stays with VSZ: RSS starts in its own order
    wait_for(lambda t: "*RSS" in t and "sort RSS down" in t, "> did not sort by RSS, big first")
    tmux("send-keys", "-t", SESSION, "<", "<")
    wait_for(lambda t: "*COMM" in t, "< < did not move the sort to COMM")
    print("ok: top sorts: v, v (reverse), >, <")

    def rows(t):
        return [l.split() for l in t.splitlines() if l.split() and l.split()[0].isdigit()]

    def ordered(label, key, up):
        def out_of_order(t):
            lines = [l for l in t.splitlines() if l.split() and l.split()[0].isdigit()]
            col = [int(l[:7]) if label.startswith("PID") else l[8:24].rstrip() for l in lines]
            return [(a, b) for a, b in zip(col, col[1:]) if (a > b if up else a < b)]

        tmux("send-keys", "-t", SESSION, key)
        # the whole frame: a capture can catch the screen half redrawn
        wait_for(lambda t: "sort %s" % label in t and len(rows(t)) > 2 and not out_of_order(t),
                 "%s did not sort %s, or the rows are out of order" % (key, label))

    ordered("PID up", "p", True)
    ordered("PID down", "p", False)
    ordered("COMM up", "c", True)
    ordered("COMM down", "c", False)
    print("ok: top's sort labels say the order shown: PID and COMM, up and down")
    tmux("resize-window", "-t", SESSION, "-x", "90", "-y", "20")
    # a capture taken mid-redraw may be empty: wait on
    text = wait_for(lambda t: t.strip() and len(t.rstrip("\n").splitlines()) <= 20 and
                    "q quit" in t.rstrip("\n").splitlines()[-1] and
                    max(len(l) for l in t.splitlines()) <= 90, "top did not follow the resize")
    print("ok: top resized to 90x20")
    quit_and_check(pid)
    print("ok: top quit on q, nothing left attached")

    # layout: start, scroll, resize, quit
    pid = start("%s layout -p %d -i 0.5" % (MEMSNOOP, wpid))
    text = wait_for(lambda t: "memsnoop layout" in t and "main stack" in t, "layout did not draw")
    tmux("send-keys", "-t", SESSION, "NPage")
    wait_for(lambda t: t != text and "memsnoop layout" in t, "layout did not scroll")
    text = wait_for(lambda t: "q quit" in t.rstrip("\n").splitlines()[-1], "layout has no key line")
    if "sorts" in text.rstrip("\n").splitlines()[-1]:
        fail("layout's key line offers what layout does not do:\n" + text)
    tmux("resize-window", "-t", SESSION, "-x", "110", "-y", "50")
    text = wait_for(lambda t: "LOW MEMORY" in t or "headroom" in t,
                    "layout did not grow with the window")

    def cut_lines(t):
        return [l for l in t.splitlines() if l.endswith("\u2026") or l.endswith(">")]
    # until it redrew at 110 columns (tmux cuts the old frame first, without an ellipsis)
    text = wait_for(lambda t: any("/usr/lib" in l for l in cut_lines(t)),
                    "lines cut to 110 columns do not end in an ellipsis")
    cut = cut_lines(text)
    if max(len(l) for l in text.splitlines()) > 110:
        fail("lines wider than 110 columns:\n" + text)
    print("ok: layout scrolled and resized; %d lines cut with an ellipsis" % len(cut))
    quit_and_check(pid)
    print("ok: layout quit on q, nothing left attached")
finally:
    tmux("kill-session", "-t", SESSION)
    wl.kill()
    wl.wait()
