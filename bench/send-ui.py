#!/usr/bin/env python3
"""bench/send-ui.py: bench/send's part (1), sending from the interface with
a slow SMTP server: from y on the compose screen to the index usable again
(issue 12's goal: under 20 ms, never waiting on the network).

The server is tests/integration/fakesmtp.py with "slow 1": every reply
waits 1 s before it goes (greeting, EHLO, MAIL, RCPT, DATA, the final dot,
QUIT: a submission takes 6 to 7 s), and it offers no AUTH, so that a peer
without SASL can use it too.  surat (the real binary, in a private tmux
server) has one account whose smtp points at it; an editor script writes
To, Subject and the body.  Each run: m, the editor, the compose screen;
then, timed by polling the pane (`tmux capture-pane` in a tight loop):
  - y until the index is drawn again with "Queued; sending in the
    background." (the compose screen gone);
  - right after, j (or k) until the status line's position moved: the
    index answers while the background sender waits on the server;
and then, untimed, until the message is in Sent (how long the server
took: the network surat did not wait for) and its sender has ended.
Beside them, j in the idle index (no sending: the floor of this way of
measuring), and the polling itself (one capture-pane's round trip, a
tmux client started each time).  Then the same y on a pseudo-terminal of
the benchmark's own, no tmux between: until "Queued" is among the bytes
surat wrote, read as they come (tmux's floor hides what is below it).

Peer (--neomutt): neomutt with smtp_url to the same server, from its
compose menu's y until "Mail sent" (it blocks on SMTP).

usage: bench/send-ui.py --surat PATH [--runs 5] [--dir DIR] [--neomutt]
"""
import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchtmux import Pane, median, reap  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
QUEUED = "Queued; sending in the background."
POSITION = re.compile(r"-- surat: demo -- (\d+)/\d+ --")
GOAL_MS = 20

CASE = """desc a slow submission server: 1 s before every reply, no AUTH
slow 1
ehlo PIPELINING|SIZE 52428800|8BITMIME|ENHANCEDSTATUSCODES
"""

EDITOR = """#!/bin/sh
sed -i "s/^To:.*/To: bob@example.net/; s/^Subject:.*/Subject: $(cat '%(dir)s/subject')/" "$1"
printf 'Sent while the server takes its time.\\n' >>"$1"
"""


class Poller:
    """The pane polled in a tight loop, each capture's round trip kept."""

    def __init__(self, pane):
        self.pane = pane
        self.trips = []

    def screen(self):
        t0 = time.monotonic()
        s = self.pane.screen()
        self.trips.append(time.monotonic() - t0)
        return s

    def until(self, ok, timeout=30):
        """Poll until OK(screen); (monotonic time then, screen)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            s = self.screen()
            if ok(s):
                return time.monotonic(), s
        raise RuntimeError("timed out; the screen:\n%s" % self.pane.screen())


def position(screen):
    m = POSITION.search(screen)
    return int(m.group(1)) if m else None


def start_server(work):
    """fakesmtp.py serving CASE; (process, port)."""
    d = os.path.join(work, "smtp")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "slow.case"), "w") as f:
        f.write(CASE)
    python = sys.executable
    p = subprocess.Popen([python, "-S", os.path.join(TOP, "tests", "integration", "fakesmtp.py"),
                          "serve", os.path.join(d, "slow.case"), "--dir", d, "--certs", d],
                         stderr=open(os.path.join(d, "server.err"), "w"))
    port_file = os.path.join(d, "port")
    for _ in range(400):
        if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
            with open(port_file) as f:
                return p, int(f.read())
        time.sleep(0.025)
    p.kill()
    sys.exit("bench/send-ui.py: fakesmtp.py did not start: %s"
             % open(os.path.join(d, "server.err")).read())


def sent_count(store):
    n = 0
    for sub in ("new", "cur"):
        d = os.path.join(store, "demo", ".Sent", sub)
        if os.path.isdir(d):
            n += len(os.listdir(d))
    return n


def sender_running(parent):
    """A background sender (surat send --queue ...) of PARENT still runs."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"\0send\0--queue\0" in cmdline:
            return True
    return False


def wait_sent(store, before, parent, idle=None):
    """Until the message is in Sent and the sender that took it has ended
    (its QUIT answered too: the next run starts with none running); IDLE,
    called between looks, may read the terminal."""
    end = time.monotonic() + 60
    while (sent_count(store) <= before or sender_running(parent)) and time.monotonic() < end:
        (idle or time.sleep)(0.02)
    if sent_count(store) <= before or sender_running(parent):
        raise RuntimeError("the message never reached Sent, or its sender never ended")


def run_surat(args, work, port, env):
    store = os.path.join(work, "store")
    subprocess.run([os.path.join(TOP, "sample", "make-maildir.sh"), os.path.join(store, "demo")],
                   check=True, stdout=subprocess.DEVNULL)
    editor = os.path.join(work, "editor.sh")
    with open(editor, "w") as f:
        f.write(EDITOR % {"dir": work})
    os.chmod(editor, 0o755)
    config = os.path.join(work, "config")
    with open(config, "w") as f:
        f.write('store = "%s";\ntheme = "default";\neditor = "%s";\n'
                'accounts = ( { name = "demo"; host = "127.0.0.1"; port = 9; tls = "none";\n'
                '  user = "alice"; password = "hunter2"; poll_interval = 86400;\n'
                '  from = "Alice Example <alice@example.net>";\n'
                '  smtp = { host = "127.0.0.1"; port = %d; tls = "none"; timeout = 30; }; } );\n'
                % (store, editor, port))
    os.chmod(config, 0o600)
    pane = Pane("send-ui", 100, 30)
    poll = Poller(pane)
    pane.start("%s -c %s" % (args.surat, config), env)
    _, screen = poll.until(lambda s: position(s) is not None)
    pid = pane.child_pid()
    idle, y_ms, j_ms, sent_s = [], [], [], []
    # The floor: j and k in the idle index, nothing being sent.
    for i in range(args.runs * 2):
        before = position(screen)
        t0 = time.monotonic()
        pane.keys("j" if before == 1 else "k")
        t1, screen = poll.until(lambda s, b=before: position(s) not in (None, b))
        idle.append((t1 - t0) * 1000)
    for run in range(args.runs):
        with open(os.path.join(work, "subject"), "w") as f:
            f.write("bench %d\n" % run)
        sent_before = sent_count(store)
        pane.keys("m")
        poll.until(lambda s: "-- surat: compose" in s and "bob@example.net" in s)
        t0 = time.monotonic()
        pane.keys("y")
        t1, screen = poll.until(lambda s: QUEUED in s and "-- surat: compose" not in s
                                and position(s) is not None)
        before = position(screen)
        t2 = time.monotonic()
        pane.keys("j" if before == 1 else "k")
        t3, screen = poll.until(lambda s, b=before: position(s) not in (None, b))
        y_ms.append((t1 - t0) * 1000)
        j_ms.append((t3 - t2) * 1000)
        # Untimed by the figure: the network the interface did not wait for.
        while sent_count(store) <= sent_before:
            if time.monotonic() > t0 + 60:
                raise RuntimeError("the message never reached Sent; screen:\n%s"
                                   % pane.screen())
            time.sleep(0.02)
        sent_s.append(time.monotonic() - t0)
        wait_sent(store, sent_before, pid)
        print("bench: surat run %d: y %.1f ms, j %.1f ms, in Sent after %.1f s"
              % (run + 1, y_ms[-1], j_ms[-1], sent_s[-1]), file=sys.stderr)
    pane.keys("q")
    time.sleep(0.3)
    pane.kill()
    reap(pid)
    return idle, y_ms, j_ms, sent_s, poll.trips, config


class Pty:
    """surat on a pseudo-terminal of the benchmark's own, no tmux between:
    what it writes is read as it comes (a terminal emulator's view)."""

    def __init__(self, argv, env, width=100, height=30):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, dict(os.environ, LINES=str(height), COLUMNS=str(width),
                                          **env))
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.seen = b""

    def drain(self, quiet=0.05):
        """Read until nothing comes for QUIET seconds."""
        while select.select([self.fd], [], [], quiet)[0]:
            self.seen = (self.seen + os.read(self.fd, 65536))[-65536:]

    def key(self, k):
        """Type K (bytes); what was written before it is forgotten."""
        self.seen = b""
        os.write(self.fd, k)

    def until(self, *markers, timeout=30):
        """Read until every one of MARKERS (bytes) is among what was written
        since the last key; the monotonic time then."""
        end = time.monotonic() + timeout
        while not all(m in self.seen for m in markers):
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise RuntimeError("never wrote %r" % (markers,))
            self.seen = (self.seen + os.read(self.fd, 65536))[-65536:]
        return time.monotonic()

    def close(self):
        try:
            os.kill(self.pid, 9)
        except OSError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def run_surat_pty(args, work, config, env):
    """y to "Queued" as written to a terminal of the benchmark's own: no
    polling, the bytes as they come (the figure tmux's floor hides)."""
    store = os.path.join(work, "store")
    t = Pty([args.surat, "-c", config], env)
    y_ms = []
    try:
        t.until(b"-- surat: demo")
        t.drain()
        for run in range(args.runs):
            with open(os.path.join(work, "subject"), "w") as f:
                f.write("pty %d\n" % run)
            sent_before = sent_count(store)
            t.key(b"m")
            t.until(b"-- surat: compose", b"bob@example.net")
            t.drain()
            t0 = time.monotonic()
            t.key(b"y")
            t1 = t.until(QUEUED.encode())
            y_ms.append((t1 - t0) * 1000)
            wait_sent(store, sent_before, t.pid, t.drain)
            print("bench: surat on a pty, run %d: y %.2f ms" % (run + 1, y_ms[-1]),
                  file=sys.stderr)
    finally:
        t.close()
    return y_ms


NEOMUTTRC = """set mbox_type=Maildir
set folder="%(maildir)s"
set spoolfile="%(maildir)s"
set header_cache=""
set editor="%(editor)s"
set edit_headers=yes
set autoedit=yes
set fast_reply=yes
set askcc=no
set askbcc=no
set record=""
set postpone=no
set copy=no
set wait_key=no
set use_from=yes
set from="alice@example.net"
set hostname="example.net"
set smtp_url="smtp://127.0.0.1:%(port)d/"
set ssl_starttls=no
set ssl_force_tls=no
set crypt_autosign=no
set sort=date
"""


def run_neomutt(args, work, port, env):
    maildir = os.path.join(work, "neomutt-mail")
    subprocess.run([os.path.join(TOP, "sample", "make-maildir.sh"), maildir], check=True,
                   stdout=subprocess.DEVNULL)
    editor = os.path.join(work, "editor.sh")
    muttrc = os.path.join(work, "neomuttrc")
    with open(muttrc, "w") as f:
        f.write(NEOMUTTRC % {"maildir": maildir, "editor": editor, "port": port})
    pane = Pane("send-ui-neomutt", 100, 30)
    poll = Poller(pane)
    pane.start("neomutt -n -F %s" % muttrc, env)
    poll.until(lambda s: "NeoMutt" in s or "Mutt:" in s)
    pid = pane.child_pid()
    y_ms = []
    for run in range(args.runs):
        with open(os.path.join(work, "subject"), "w") as f:
            f.write("neomutt %d\n" % run)
        pane.keys("m")
        poll.until(lambda s: "y:Send" in s and "bob@example.net" in s)
        t0 = time.monotonic()
        pane.keys("y")
        t1, _ = poll.until(lambda s: "Mail sent" in s and "y:Send" not in s, timeout=120)
        y_ms.append((t1 - t0) * 1000)
        print("bench: neomutt run %d: y %.0f ms" % (run + 1, y_ms[-1]), file=sys.stderr)
    pane.keys("q")
    time.sleep(0.3)
    pane.kill()
    reap(pid)
    return y_ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--surat", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", help="the work folder (default: a temporary one, removed)")
    ap.add_argument("--neomutt", action="store_true", help="neomutt's blocking send beside it")
    args = ap.parse_args()
    work = args.dir or tempfile.mkdtemp(prefix="surat-send-ui.")
    os.makedirs(work, exist_ok=True)
    env = {"TERM": "screen-256color", "LC_ALL": "C.UTF-8", "TZ": "UTC",
           "HOME": os.path.join(work, "home")}
    os.makedirs(env["HOME"], exist_ok=True)
    server, port = start_server(work)
    try:
        idle, y_ms, j_ms, sent_s, trips, config = run_surat(args, work, port, env)
        pty_ms = run_surat_pty(args, work, config, env)
        neo = run_neomutt(args, work, port, env) if args.neomutt else None
    finally:
        server.kill()
        server.wait()
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("bench: the work folder stays: %s" % work, file=sys.stderr)
    trip = median(trips) * 1000
    print()
    print("sending from the interface, the SMTP server slow (1 s before every reply,")
    print("%.1f s a submission here); medians of %d runs; %s cores"
          % (median(sent_s), args.runs, os.cpu_count()))
    print("seen through tmux: capture-pane polled in a tight loop, one every %.1f ms"
          % trip)
    print("(median; p90 %.1f ms): a figure is the time until the first capture that"
          % (statistics.quantiles(trips, n=10)[-1] * 1000 if len(trips) > 1 else trip))
    print("shows it, send-keys' own round trip included")
    print()
    print("  %-52s %9s %7s" % ("", "median ms", "goal"))
    print("  %-52s %9.1f %7s" % ("surat: y to the index drawn, \"Queued\"", median(y_ms),
                                 "< %d" % GOAL_MS))
    print("  %-52s %9.1f %7s" % ("surat: then j to the cursor moved (sender running)",
                                 median(j_ms), ""))
    print("  %-52s %9.1f %7s" % ("surat: j in the idle index (the floor)", median(idle), ""))
    print("  %-52s %9.2f %7s" % ("surat on a pty (no tmux): y to \"Queued\" written",
                                 median(pty_ms), "< %d" % GOAL_MS))
    if neo is not None:
        print("  %-52s %9.1f %7s" % ("neomutt: y to \"Mail sent\" (blocks on SMTP)",
                                     median(neo), ""))
        print()
        print("neomutt / surat, y to the index usable: %.0fx" % (median(neo) / median(y_ms)))
    print()
    print("surat: y %s ms; j %s ms; the message in Sent %s s after y (in the background)"
          % (", ".join("%.1f" % x for x in y_ms), ", ".join("%.1f" % x for x in j_ms),
             ", ".join("%.1f" % x for x in sent_s)))
    print("surat on a pty: y %s ms" % ", ".join("%.2f" % x for x in pty_ms))
    print("goal (issue 12): y to the index usable under %d ms: %s on a pty; %s through tmux"
          % (GOAL_MS, "met" if median(pty_ms) < GOAL_MS else "NOT met",
             "met" if median(y_ms) < GOAL_MS else "not shown (its floor is %.0f ms)"
             % median(idle)))


if __name__ == "__main__":
    main()
