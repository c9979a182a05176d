#!/usr/bin/env python3
"""tests/ui/monkey.py: random keys against the real surat in tmux, to find
crashes, sanitizer reports and hangs that no scripted test thought of.

usage: monkey.py [--seconds N] [--seed N] [--store sample|big|both]
                 [--replay FILE] [--out DIR]

The keys are weighted towards what is bound (parsed from src/keymap-tables.c's
defaults), with every prompt's keys (Tab, Escape, Backspace, Home, End, C-u,
C-w...), text typed into prompts, window resizes and mouse events (X10, as
TERM=screen sends them), on two stores: the sample cache and 3,000 generated
messages (bench/gen-maildir.py, then `surat reindex`).  surat runs with
AddressSanitizer's and UBSan's log_path pointing into the work folder.

A failure is: surat exiting with a status other than 0, a sanitizer log, or
a hang: the keys sent stay unread in the terminal (the tty's input queue,
FIONREAD) for MONKEY_HANG_SECONDS.  A quit with status 0 (q in the index,
:quit) starts surat again on a fresh copy of the store, so every run of
surat starts from the same state and its keys alone reproduce a failure.
Those keys are printed and saved (monkey-failure-SEED.keys in --out);
`monkey.py --replay FILE` sends them again.

Output is TAP: one line per store.  Environment: SURAT (the binary, built
with the sanitizers), SURAT_SRCDIR; MONKEY_SECONDS, MONKEY_SEED,
MONKEY_HANG_SECONDS, MONKEY_OUT as defaults for the options.
"""
import argparse
import fcntl
import glob
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time

SRC = os.environ.get("SURAT_SRCDIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SURAT = os.environ.get("SURAT", "")

# surat's key names -> tmux's, for the defaults parsed from keymap-tables.c.
TMUX_NAMES = {"Enter": "Enter", "Tab": "Tab", "Backspace": "BSpace", "Escape": "Escape",
              "Space": "Space", "Up": "Up", "Down": "Down", "Left": "Left", "Right": "Right",
              "PageUp": "PPage", "PageDown": "NPage", "Home": "Home", "End": "End",
              "Delete": "DC", "Insert": "IC"}
# Prompt keys and other named keys, sent whatever keymap-tables.c says.
EXTRA_KEYS = ["Tab", "BTab", "Escape", "BSpace", "Home", "End", "Enter", "Up", "Down", "Left",
              "Right", "NPage", "PPage", "DC", "C-a", "C-e", "C-u", "C-k", "C-w", "C-b",
              "C-f", "C-d", "C-g", "C-n", "C-p", "C-l", "F1", "F5", "F12", "M-Enter"]
# Never sent: C-z stops surat with no shell to resume it (not a hang of
# surat's); C-s and C-q are flow control; C-c and C-\ are SIGINT and SIGQUIT
# in cbreak mode, which quit surat cleanly, but a second one (or one right
# after q) while it tears down kills it by design, as a user forcing it
# (tests/ui/terminal.sh tests the signals).
NEVER = {"C-z", "C-s", "C-q", "C-c", "C-\\"}
# Text typed into prompts: query words, commands, options, odd characters.
WORDS = ["from:", "to:", "subject:", "body:", "date:2026-01..", "is:unread", "is:flagged",
         "~f ", "~s ", "~b ", "NOT ", "AND ", "OR ", "(", ")", "\"", "*", "set ", "bind ",
         "index ", "pager ", "sort ", "thread", "reverse-date", "theme ", "default", "mono",
         "mouse", "sidebar", "index_lines ", "0", "1000", "help", "first-entry", "quit",
         "é", "日本", "\u202e", "\\", "'", " ", "  ", "x" * 70, ".", "..", "/", "~", "-", "?",
         "g g", "last-entry", "search", "limit", "all"]


def tap(ok, n, text, diag=""):
    print("%s %d - %s" % ("ok" if ok else "not ok", n, text))
    for line in diag.splitlines():
        print("# " + line)
    sys.stdout.flush()


# The actions that open a prompt (a line, or a one-key question).
PROMPT_ACTIONS = {"ENTER_COMMAND", "SEARCH", "SEARCH_REVERSE", "LIMIT", "TAG_PATTERN",
                  "UNTAG_PATTERN", "SAVE_MESSAGE", "COPY_MESSAGE", "MOVE_MESSAGE",
                  "PIPE_MESSAGE", "SORT", "SORT_REVERSE", "SAVE_ATTACHMENT",
                  "PIPE_ATTACHMENT", "EXPUNGE", "CHANGE_FOLDER", "JUMP"}
# What edits a line once it is open.
EDIT_KEYS = ["Tab", "Tab", "BSpace", "Home", "End", "Left", "Right", "C-u", "C-w", "C-k",
             "C-a", "C-e", "DC", "Up", "Down", "BTab"]


def bound_keys():
    """The keys of keymap-tables.c's default bindings, as tmux names them, and those
    of the actions that open a prompt."""
    keys, openers = set(), set()
    try:
        text = open(os.path.join(SRC, "src", "keymap-tables.c"), encoding="utf-8").read()
    except OSError:
        return ["j", "k", "q", "?", "Enter", "=", "/", "l", "d", "u", "t", ":"], [":", "/"]
    for ctx, seq, action in re.findall(
            r'\{ KEYMAP_CONTEXT_(\w+), "([^"]+)", KEYMAP_ACTION_(\w+) \}', text):
        names = [TMUX_NAMES.get(key, key) for key in seq.split(" ")]
        keys.update(names)
        if action in PROMPT_ACTIONS and len(names) == 1:
            openers.add(names[0])
    return sorted(keys - NEVER), sorted(openers - NEVER)


class Pane:
    """One surat in a private tmux server, started on a fresh copy of a store."""

    def __init__(self, work, name):
        self.work = work
        self.name = name
        self.server = None
        self.count = 0
        self.width, self.height = 100, 30

    def tmux(self, *args, check=False):
        return subprocess.run(["tmux", "-L", self.server, "-f", "/dev/null"] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=check,
                              text=True)

    def start(self, store, config):
        self.stop()
        self.count += 1
        self.server = "surat-monkey-%d-%s-%d" % (os.getpid(), self.name, self.count)
        self.status = os.path.join(self.work, "status")
        self.stderr = os.path.join(self.work, "stderr")
        for f in (self.status, self.stderr):
            if os.path.exists(f):
                os.unlink(f)
        home = os.path.join(self.work, "home")
        os.makedirs(home, exist_ok=True)
        san = os.path.join(self.work, "san")
        env = ("env -i PATH='%s' HOME='%s' TERM=screen-256color LC_ALL=C.UTF-8 TZ=UTC "
               "ASAN_OPTIONS='detect_leaks=1:abort_on_error=0:log_path=%s/asan' "
               "UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1:log_path=%s/ubsan'"
               % (os.environ.get("PATH", "/usr/bin:/bin"), home, san, san))
        command = ("%s '%s' -c '%s' 2>'%s'; echo $? >'%s.tmp'; mv '%s.tmp' '%s'; sleep 3600"
                   % (env, SURAT, config, self.stderr, self.status, self.status, self.status))
        self.width, self.height = 100, 30
        self.tmux("new-session", "-d", "-x", "100", "-y", "30", command, check=True)
        self.socket = self.tmux("display-message", "-p", "#{socket_path}").stdout.strip()
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        self.tty = self.tmux("display-message", "-p", "-t", "0", "#{pane_tty}").stdout.strip()

    def stop(self):
        if self.server is not None:
            self.tmux("kill-server")
            self.server = None
            # tmux leaves its socket behind; an hour of runs would leave thousands.
            if self.socket.startswith("/") and os.path.exists(self.socket):
                os.unlink(self.socket)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", "0").stdout

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "0", *keys)

    def literal(self, text):
        # As bytes in hex: tmux would take a trailing ";" for its own separator.
        self.tmux("send-keys", "-t", "0", "-H", *["%02x" % b for b in text.encode("utf-8")])

    def surat_pid(self):
        """The pid of surat in the pane, or None."""
        shell = self.tmux("display-message", "-p", "-t", "0", "#{pane_pid}").stdout.strip()
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = open(stat).read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == shell and os.path.basename(os.readlink(
                    stat[:-4] + "exe")).startswith("surat"):
                return int(stat.split("/")[2])
        return None

    def backtrace(self):
        """Where surat is, for a hang report (gdb, when there is one)."""
        pid = self.surat_pid()
        if pid is None or not shutil.which("gdb"):
            return ""
        try:
            out = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "bt"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 timeout=60)
        except (OSError, subprocess.SubprocessError):
            return ""
        return "\n".join(l for l in out.stdout.splitlines() if l.startswith("#"))

    def resize(self, width, height):
        self.width, self.height = width, height
        self.tmux("resize-window", "-t", "0", "-x", str(width), "-y", str(height))

    def unread(self):
        """Bytes typed that surat has not read yet, or None when the tty is gone."""
        try:
            fd = os.open(self.tty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
        except OSError:
            return None
        finally:
            os.close(fd)

    def exit_status(self):
        try:
            return int(open(self.status).read().strip() or "-1")
        except (OSError, ValueError):
            return None


def mouse(button, x, y):
    """An X10 mouse report (what TERM=screen asks for), coordinates 0-based."""
    return "\033[M" + chr(32 + button) + chr(33 + x) + chr(33 + y)


def prepare_stores(work, which):
    """Pristine stores to copy before each start: name -> (folder, config text)."""
    stores = {}
    if which in ("sample", "both"):
        d = os.path.join(work, "pristine-sample")
        subprocess.run([os.path.join(SRC, "sample", "make-maildir.sh"), os.path.join(d, "demo")],
                       check=True, stdout=subprocess.DEVNULL)
        stores["sample"] = d
    if which in ("big", "both"):
        d = os.path.join(work, "pristine-big")
        subprocess.run([sys.executable, os.path.join(SRC, "bench", "gen-maildir.py"),
                        os.path.join(d, "demo"), "3000", "7"], check=True,
                       stdout=subprocess.DEVNULL)
        cfg = os.path.join(work, "reindex.conf")
        with open(cfg, "w") as f:
            f.write('store = "%s";\n' % d)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
        subprocess.run([SURAT, "-c", cfg, "reindex"], check=True, stdout=subprocess.DEVNULL,
                       env=env)
        stores["big"] = d
    return stores


def write_config(work, store):
    cfg = os.path.join(work, "config")
    os.makedirs(os.path.join(work, "dl"), exist_ok=True)
    mailcap = os.path.join(work, "mailcap")
    open(mailcap, "w").close()
    with open(cfg, "w") as f:
        # Fetching fails at once (nothing listens on port 1); no viewers, so
        # nothing runs but what the monkey guards (see Monkey.enter).
        f.write('store = "%s";\ntheme = "default";\nindex_lines = 6;\nmouse = true;\n'
                'download_dir = "%s";\nmailcap_path = [ "%s" ];\n'
                'accounts = ( { name = "demo"; host = "127.0.0.1"; port = 1; tls = "none"; '
                'user = "alice"; password = "x"; timeout = 2; } );\n'
                % (store, os.path.join(work, "dl"), mailcap))
    os.chmod(cfg, 0o600)
    return cfg


class Failure(Exception):
    pass


class Monkey:
    def __init__(self, work, name, pristine, rng, hang_seconds):
        self.work = work
        self.name = name
        self.pristine = pristine
        self.rng = rng
        self.hang = hang_seconds
        self.pane = Pane(work, name)
        self.steps = []        # this run of surat: what was sent, replayable
        self.bound, self.openers = bound_keys()
        self.starts = 0
        self.sent = 0

    def san_logs(self):
        return sorted(glob.glob(os.path.join(self.work, "san", "*")))

    def start(self):
        store = os.path.join(self.work, "store")
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(self.pristine, store, symlinks=True)
        os.makedirs(os.path.join(self.work, "san"), exist_ok=True)
        self.config = write_config(self.work, store)
        self.pane.start(store, self.config)
        self.steps = []
        self.starts += 1
        deadline = time.monotonic() + max(120, self.hang)
        while "-- surat:" not in self.pane.screen():
            self.check_exit()
            if time.monotonic() > deadline:
                raise Failure("hang: no first screen after %d s" % max(120, self.hang))
            time.sleep(0.1)

    def check_exit(self):
        logs = self.san_logs()
        if logs:
            text = "".join(open(f, errors="replace").read() for f in logs[:3])
            raise Failure("sanitizer report:\n" + text[:6000])
        status = self.pane.exit_status()
        if status is None:
            return False
        if status != 0:
            err = open(self.pane.stderr, errors="replace").read() if os.path.exists(
                self.pane.stderr) else ""
            raise Failure("surat exited with status %d\n%s\n%s" % (status, err[:4000],
                                                                     self.pane.screen()))
        return True

    def probe(self):
        """Fail unless surat is alive and reads what it is sent."""
        deadline = time.monotonic() + self.hang
        while True:
            if self.check_exit():
                return False
            left = self.pane.unread()
            if left == 0:
                return True
            if left is None:
                # The pane's terminal is gone; the exit status may be on its way.
                time.sleep(1)
                if self.check_exit():
                    return False
                raise Failure("surat's terminal closed without an exit status (killed?)\n%s"
                              % self.pane.screen())
            if time.monotonic() > deadline:
                raise Failure("hang: %s bytes typed %d s ago are still unread\n%s\n%s"
                              % (left, self.hang, self.pane.screen(), self.pane.backtrace()))
            time.sleep(0.05)

    def record(self, kind, *args):
        self.steps.append((kind,) + args)
        self.sent += 1

    def do(self, step):
        kind, args = step[0], step[1:]
        if kind == "keys":
            self.pane.keys(*args)

        elif kind == "text":
            self.pane.literal(args[0])
        elif kind == "resize":
            self.pane.resize(int(args[0]), int(args[1]))
        elif kind == "sleep":
            time.sleep(float(args[0]))

    def enter(self):
        """Enter, except that a command becomes a harmless one first and no file is saved
        where random text points (/, ~)."""
        last = [l for l in self.pane.screen().splitlines() if l.strip()]
        if last and re.search(r"Pipe (message|part \d+) to:", last[-1]):
            return [("keys", "C-u"), ("text", "cat >/dev/null"), ("keys", "Enter")]
        if last and re.search(r"Shell command:", last[-1]):
            return [("keys", "C-u"), ("text", "true"), ("keys", "Enter")]
        if last and re.search(r"Save to file:", last[-1]):
            return [("keys", "Escape")]
        return [("keys", "Enter")]

    def prompt_session(self):
        """Open a prompt, edit it (often while still empty), then accept or leave it."""
        keys = [self.rng.choice(self.openers)]
        for _ in range(self.rng.randint(0, 6)):
            if self.rng.random() < 0.3:
                keys.append("text:" + self.rng.choice(WORDS))
            else:
                keys.append(self.rng.choice(EDIT_KEYS))
        r = self.rng.random()
        if r < 0.5:
            keys.append("Enter")
        elif r < 0.9:
            keys.append("Escape")
        return keys

    def random_step(self):
        r = self.rng.random()
        w, h = self.pane.width, self.pane.height
        if r < 0.40:
            keys = [self.rng.choice(self.bound) for _ in range(self.rng.randint(1, 4))]
            # q quits from the index: keep it, but not so often that nothing
            # deeper is reached.
            keys = [k for k in keys if k != "q" or self.rng.random() < 0.3] or ["j"]
        elif r < 0.62:
            keys = self.prompt_session()
        elif r < 0.74:
            keys = [self.rng.choice(EXTRA_KEYS) for _ in range(self.rng.randint(1, 3))]
        elif r < 0.80:
            text = "".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 3)))
            return [("text", text)]
        elif r < 0.84:
            c = chr(self.rng.randint(33, 126))
            return [("keys", "M-" + c if c not in ";\\" else "M-a")]
        elif r < 0.89:
            return [("resize", str(self.rng.randint(10, 220)), str(self.rng.randint(3, 70)))]
        elif r < 0.97:
            button = self.rng.choice([0, 0, 0, 1, 2, 64, 65])
            x, y = self.rng.randrange(min(w, 90)), self.rng.randrange(min(h, 90))
            out = [("text", mouse(button, x, y))]
            if button < 3:
                out.append(("text", mouse(3, x, y)))
            return out
        elif r < 0.99:
            return [("keys", "C-l")]
        else:
            return [("sleep", "%.2f" % self.rng.uniform(0.2, 1.2))]
        out = []
        for k in keys:
            if k == "Enter":
                out.extend(self.enter())
            elif k.startswith("text:"):
                out.append(("text", k[5:]))
            elif len(k) == 1:
                out.append(("text", k))
            else:
                out.append(("keys", k))
        return out

    def run(self, seconds):
        self.start()
        end = time.monotonic() + seconds
        last_probe = time.monotonic()
        while time.monotonic() < end:
            for step in self.random_step():
                self.record(*step)
                self.do(step)
            time.sleep(self.rng.choice([0, 0, 0.01, 0.02, 0.05]))
            if time.monotonic() - last_probe > 1.0:
                if not self.probe():
                    self.start()  # quit with status 0: again, from a fresh store
                last_probe = time.monotonic()
        self.finish()

    def finish(self):
        """Stop surat as a signal would (SIGTERM: a clean quit) and look at its exit."""
        if self.probe():
            pid = self.pane.surat_pid()
            if pid is not None:
                os.kill(pid, 15)
            deadline = time.monotonic() + self.hang
            while self.pane.exit_status() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            self.check_exit()  # leaks are reported at exit
        self.pane.stop()

    def replay(self, steps):
        self.start()
        for step in steps:
            self.do(step)
            if step[0] == "keys" and step[1] == "Enter":
                time.sleep(0.05)
        time.sleep(0.5)
        self.finish()


def save_failure(out, seed, name, steps, why):
    os.makedirs(out, exist_ok=True)
    path = os.path.abspath(os.path.join(out, "monkey-failure-%s-%s.keys" % (name, seed)))
    with open(path, "w") as f:
        f.write("# surat monkey: store %s, seed %s\n" % (name, seed))
        for line in why.splitlines()[:3]:
            f.write("# %s\n" % line)
        f.write("# replay: tests/ui/monkey.py --store %s --replay %s\n" % (name, path))
        for step in steps:
            f.write("\t".join(step).replace("\n", "\\n") + "\n")
    return path


def load_steps(path):
    steps = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        steps.append(tuple(part.replace("\\n", "\n") for part in line.split("\t")))
    return steps


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("MONKEY_SECONDS", 60)))
    ap.add_argument("--seed", default=os.environ.get("MONKEY_SEED", "1"))
    ap.add_argument("--store", default="both", choices=["sample", "big", "both"])
    ap.add_argument("--replay")
    ap.add_argument("--out", default=os.environ.get("MONKEY_OUT", "."))
    ap.add_argument("--hang", type=float,
                    default=float(os.environ.get("MONKEY_HANG_SECONDS", 60)))
    args = ap.parse_args()
    if not SURAT or not os.access(SURAT, os.X_OK):
        print("1..0 # SKIP SURAT does not name the built binary")
        return 0
    if not shutil.which("tmux"):
        print("1..0 # SKIP tmux is not installed")
        return 0
    if args.seed == "random":
        args.seed = str(random.SystemRandom().randrange(1, 1 << 31))
    work = tempfile.mkdtemp(prefix="surat-monkey.")
    names = ["sample", "big"] if args.store == "both" else [args.store]
    failed = 0
    try:
        stores = prepare_stores(work, args.store)
        print("1..%d" % len(names))
        print("# seed %s, %g s, hang after %g s" % (args.seed, args.seconds, args.hang))
        for n, name in enumerate(names, 1):
            sub = os.path.join(work, name)
            os.makedirs(sub)
            rng = random.Random("%s-%s" % (args.seed, name))
            m = Monkey(sub, name, stores[name], rng, args.hang)
            try:
                if args.replay:
                    m.replay(load_steps(args.replay))
                    tap(True, n, "%s store: the replayed keys pass" % name)
                else:
                    m.run(args.seconds / len(names))
                    tap(True, n, "%s store: %d steps in %d runs of surat, no crash, no "
                        "sanitizer report, no hang (seed %s)" % (name, m.sent, m.starts,
                                                                 args.seed))
            except Failure as e:
                failed += 1
                why = str(e)
                path = save_failure(args.out, args.seed, name, m.steps, why)
                tail = "\n".join("\t".join(s) for s in m.steps[-200:])
                tap(False, n, "%s store (seed %s): %s" % (name, args.seed, why.splitlines()[0]),
                    "%s\nthe keys of this run of surat (last 200 of %d) are in %s:\n%s"
                    % (why, len(m.steps), path, tail))
            finally:
                m.pane.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
