"""benchtmux: a private tmux server with one pane, polled from outside, for the
benchmarks that time a terminal program the way a person sees it (bench/open,
bench/triage)."""
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import termios
import time


class Pane:
    """A private tmux server with one pane running COMMAND."""

    def __init__(self, name, width=120, height=40):
        self.sock = "surat-bench-%d-%s" % (os.getpid(), name)
        self.width, self.height = width, height

    def tmux(self, *args, capture=False):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                           stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        return r.stdout.decode("utf-8", "replace") if capture else r.returncode

    def start(self, command, env):
        envs = " ".join("%s='%s'" % kv for kv in env.items())
        self.tmux("kill-server")
        t0 = time.monotonic()
        self.tmux("new-session", "-d", "-x", str(self.width), "-y", str(self.height),
                  "env %s %s; sleep 600" % (envs, command))
        return t0

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "0", capture=True)

    def wait_for(self, text, timeout=120):
        """Poll until TEXT (a string, or a compiled regex) is on the screen."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if (text.search(screen) if isinstance(text, re.Pattern) else text in screen):
                return time.monotonic()
            time.sleep(0.002)
        raise RuntimeError("timed out waiting for %r; screen:\n%s" % (text, self.screen()))

    def keys(self, *keys, literal=False):
        """Send KEYS to the pane (tmux key names, or text with LITERAL)."""
        self.tmux("send-keys", "-t", "0", *(["-l"] if literal else []), *keys)

    def child_pid(self):
        pane = self.tmux("list-panes", "-t", "0", "-F", "#{pane_pid}", capture=True).strip()
        out = subprocess.run(["pgrep", "-P", pane], stdout=subprocess.PIPE).stdout.split()
        for pid in out:
            with open("/proc/%s/comm" % pid.decode()) as f:
                if f.read().strip() != "sleep":
                    return int(pid)
        return None

    def kill(self):
        self.tmux("kill-server")


def pty_first_screen(argv, env, marker, quit_keys, width=120, height=40, timeout=120):
    """Start ARGV on a pseudo-terminal of its own (no tmux between) and return
    the milliseconds until MARKER (bytes) is among what it wrote, then type
    QUIT_KEYS and wait for it to end.  tmux's polling floor (tens of
    milliseconds) hides what a few milliseconds of start-up cost; this sees
    them, as a terminal emulator would."""
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(argv[0], argv, dict(env, LINES=str(height), COLUMNS=str(width)))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    seen, ms = b"", None
    while True:
        ready, _, _ = select.select([fd], [], [], timeout if ms is None else 5)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        seen = seen[-4096:] + data
        if ms is None and marker in seen:
            ms = (time.monotonic() - t0) * 1000
            for k in quit_keys:
                os.write(fd, k)
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    if ms is None:
        raise SystemExit("bench: %s never showed %r" % (" ".join(argv), marker))
    return ms


def reap(pid, what="bench"):
    """Make sure PID is gone once its pane is: a program still there 5 s
    after its quit key and the hangup (neomutt ignores the hangup) is killed,
    so runs do not pile up."""
    if pid is None:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except OSError:
            return
        time.sleep(0.1)
    try:
        os.kill(pid, 9)
    except OSError:
        pass


def peak_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def deps_install(*packages):
    """Install the Debian PACKAGES that are missing, as ./check does (tools/deps.sh)."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run(["sh", "-c", '. "$1/tools/deps.sh" && shift && deps_install "$@"', "sh", top]
                   + list(packages))
