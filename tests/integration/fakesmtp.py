#!/usr/bin/env python3
"""fakesmtp.py: a scripted, faulty SMTP submission server for surat's tests
(Python 3 standard library only), for what real servers rarely do: refuse at
each step, drop the connection mid-data or after the final dot, drip or stall
their replies, refuse or not offer STARTTLS, inject a reply before the TLS
handshake, echo the password, show the wrong certificate.

A case is a data file (tests/integration/send-faults/*.case, format below)
that holds the messages, the server's script, the account's smtp keys, and
what must come out.  tests/integration/send-faults.sh runs each case:

  fakesmtp.py serve CASE --dir DIR --certs DIR
      write DIR/messages/NAME (each message as surat send reads it),
      DIR/queue.conf (the account with its smtp port closed: for the
      messages the case queues first) and DIR/case.sh, the case's settings
      as shell assignments (case_desc, case_limit, case_queued, case_due,
      case_stdin, case_args, case_kill, case_rerun); listen on 127.0.0.1 (a
      free port), write DIR/surat.conf for it, then the port to DIR/port;
      serve connections until killed, each in a thread of its own.  The
      first connection follows the case's script; later ones get a
      well-behaved server.  Every line received is logged ("C: ..."), every
      reply's first line ("S: ..."), and what happened ("event: ..."), to
      DIR/server-PHASE.log, PHASE being what DIR/phase says as the
      connection comes (main when there is no such file); every message
      accepted (a 250 to its final dot, or the script's "deliver") is
      written to DIR/spool/ as it arrived, so the test can count deliveries.
      It also checks a phase when asked, as "check" does: DIR/request
      holding "check PHASE RC SECS" gets DIR/check-PHASE.txt (what is
      wrong) and then DIR/check-PHASE.rc (0 or 1).
  fakesmtp.py check CASE --dir DIR --phase main|rerun --rc N --secs S
      check the expectations (surat exited with N after S seconds); print
      what is wrong as TAP comments; exit 1 when anything is.

The well-behaved server greets, answers EHLO with the case's keywords
(STARTTLS among them when the account's tls is "starttls" and the
connection is still plain), takes STARTTLS, AUTH PLAIN and LOGIN (user
alice, password PASSWORD), and wants a login before MAIL when it offers
AUTH; MAIL, RCPT, DATA (the text dot-unstuffed, then "250 ... queued"),
RSET, NOOP, QUIT.

The case format, one directive a line ('#' starts a comment line):

  desc TEXT                 what the case shows
  limit SECONDS             kill the client after this long (default 60)
  account KEY = VALUE;      keys of the account's smtp group in libconfig
                            syntax (override the defaults: tls = "none",
                            user, password, ca_file = "@CA@", timeout = 2);
                            "KEY = -" leaves KEY out
  cert CERT                 the first connection's certificate, for implicit
                            TLS or STARTTLS (server, other, expired, self:
                            lib.sh it_certs); later ones always use server
  hide-starttls             the first connection does not offer STARTTLS
  ehlo KEYWORD|...          the EHLO keywords, "|"-separated (default
                            PIPELINING|SIZE 52428800|8BITMIME|
                            ENHANCEDSTATUSCODES|AUTH PLAIN LOGIN)
  greeting TEXT             the greeting of plain runs and of "greet"
  slow SECONDS              every reply of every connection (the scripted
                            one and the well-behaved ones after it) waits
                            this long before it goes: a slow server
  rcvbuf BYTES              the server's socket receive buffer (SO_RCVBUF),
                            fixed so that it does not grow: with a message
                            larger than the client's send buffer can grow
                            (tcp_wmem, 4 MB by default), the client is
                            still writing its text when the script closes
  message NAME [to ADDR] [gen SIZE]   a message from alice@example.org to ADDR
                            (default bob@example.net), about SIZE bytes
                            (default: a short one); m1 when none is given
  queued NAME...            before the main run, these messages are queued
                            by `surat send -t` with the smtp port closed
                            (each stays waiting, exit 1)
  due                       the queued messages' time for a retry has come
                            (their next_try set to 0 in the index), as a
                            minute later: the main run tries them first
  args ARG...               the main run's `surat send` arguments (default
                            -t); the first message not queued is its stdin
  kill REGEX                kill -9 the main run's surat once the server's
                            log has a line matching REGEX
  script                    the first connection's steps, up to "@end":
      greet [TEXT] | send TEXT | sendraw TEXT (escapes decoded, no CRLF)
      expect REGEX | recv | handle (answer one command well)
      serve [until REGEX]   answer commands well (up to a line matching REGEX)
      auth-reply TEXT       run the client's AUTH exchange, then answer TEXT
      read-data             read the text up to the final dot, not delivered
      deliver               the text read is delivered (spooled and logged)
      partial-data BYTES    read at least BYTES of the text (no dot may come)
      drip BYTES SECONDS    from now on, send every reply BYTES at a time
      starttls [CERT]       the TLS handshake now (what was buffered dropped)
      await FILE [SECONDS]  wait until DIR/FILE exists (the test creates it
                            when it is ready: a reply held until then), at
                            most SECONDS (default 60), then go on
      stall SECONDS | close
  expect exit N | stderr REGEX | stderr-lacks REGEX | stderr-lines N
         client-lacks REGEX | log REGEX (a line of this phase's server log)
         outbox NAME... | sent NAME... ("-": none)
         state NAME waiting|refused [REGEX] (its entry, and the reason it keeps)
         delivered NAME N (deliveries so far, all phases)
         min-seconds N | max-seconds N (how long surat took)
  expect client             the client's lines the server received, up to
                            "@end", each a regular expression (fullmatch);
                            a line "..." stands for any lines
  rerun                     then run `surat send --queue` again, now to a
                            well-behaved server (a later connection);
  rerun-expect ...          its expectations (default: exit 0, every message
                            in Sent and delivered exactly once)

Always checked, after every run: each message is in the store exactly once,
in the Outbox or in Sent (never both), byte for byte as written; nothing
else is in those folders or their tmp/; the index agrees (a row for each
file, an outbox entry for each Outbox row and none for Sent, none marked
sent once surat has exited); every reason an entry keeps is UTF-8; every
delivery is one of the messages, as it went out; the script ran as
written; neither the password nor its base64 (alone, or in AUTH PLAIN's
response) shows up in surat's output.
"""
import argparse
import base64
import contextlib
import io
import itertools
import os
import re
import socket
import sqlite3
import ssl
import sys
import threading
import time
import traceback

from fakeserver import (BaseConn, BaseSession, CaseFile, Closed, check_common, listen, report,
                        script_problems, unescape, write_port, write_private)

PASSWORD = "hunter2"
USER = "alice"
ACCOUNT = "fake"
FROM = "alice@example.org"
DEFAULT_TO = "bob@example.net"
DEFAULT_EHLO = ["PIPELINING", "SIZE 52428800", "8BITMIME", "ENHANCEDSTATUSCODES",
                "AUTH PLAIN LOGIN"]
DEFAULT_GREETING = "220 fakesmtp.example ESMTP ready"
MAX_CLIENT_LINE = 1 << 20
STEPS = ("greet", "send", "sendraw", "expect", "recv", "handle", "serve", "auth-reply",
         "read-data", "deliver", "partial-data", "drip", "starttls", "await", "stall", "close")
EXPECTATIONS = ("exit", "stderr", "stderr-lacks", "stderr-lines", "client-lacks", "log",
                "outbox", "sent", "state", "delivered", "min-seconds", "max-seconds", "client")
# The forms a secret could leak in: itself, its base64 (AUTH LOGIN sends that
# alone) and AUTH PLAIN's response.
SECRETS = [PASSWORD, base64.b64encode(PASSWORD.encode()).decode(),
           base64.b64encode(("\0%s\0%s" % (USER, PASSWORD)).encode()).decode()]


def generate(name, to, size):
    """A deterministic message NAME to TO of about SIZE bytes, with what a
    sender must get right: lines that start with dots, a lone dot."""
    head = ("From: Alice <%s>\n"
            "To: <%s>\n"
            "Subject: message %s\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
            "Message-ID: <%s@fakesmtp.example>\n"
            "\n" % (FROM, to, name, name))
    lines = [head, "Body of %s.\n" % name, ".dot line\n", "..two\n", ".\n"]
    n = sum(len(x) for x in lines)
    line = "%s %s\n" % (name, "x" * 70)
    if n < size:
        lines.append(line * ((size - n) // len(line) + 1))
    lines.append("end of %s\n" % name)
    return "".join(lines).encode()


class Case(CaseFile):
    """A parsed .case file."""

    EXPECTATIONS = EXPECTATIONS

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path).rsplit(".", 1)[0]
        self.desc = self.name
        self.limit = 60
        self.account = {}
        self.cert = "server"
        self.hide_starttls = False
        self.ehlo = list(DEFAULT_EHLO)
        self.greeting = DEFAULT_GREETING
        self.rcvbuf = 0
        self.slow = 0.0
        self.order = []
        self.messages = {}
        self.queued = []
        self.due = False
        self.args = ["-t"]
        self.kill = ""
        self.script = None
        self.expects = []
        self.rerun = False
        self.rerun_expects = []
        self._parse()
        if not self.order:
            self.add_message("m1", DEFAULT_TO, 0)

    def add_message(self, name, to, size):
        self.order.append(name)
        self.messages[name] = generate(name, to, size)

    def directive(self, word, rest, lines):
        if word == "limit":
            self.limit = int(rest)
        elif word == "cert":
            self.cert = rest
        elif word == "hide-starttls":
            self.hide_starttls = True
        elif word == "ehlo":
            self.ehlo = [x.strip() for x in rest.split("|") if x.strip()]
        elif word == "rcvbuf":
            self.rcvbuf = int(rest)
        elif word == "slow":
            self.slow = float(rest)
        elif word == "message":
            parts = rest.split()
            opts = dict(zip(parts[1::2], parts[2::2]))
            self.add_message(parts[0], opts.get("to", DEFAULT_TO), int(opts.get("gen", 0)))
        elif word == "queued":
            self.queued = rest.split()
        elif word == "due":
            self.due = True
        elif word == "args":
            self.args = rest.split()
        elif word == "kill":
            self.kill = rest
        elif word == "script":
            self.script = [x.strip() for x in self._block(lines)
                           if x.strip() and not x.strip().startswith("#")]
            for step in self.script:
                if step.split(" ")[0] not in STEPS:
                    raise SystemExit("%s: unknown step %r" % (self.path, step))
        else:
            return False
        return True

    def _parse(self):
        CaseFile._parse(self)
        for name in self.queued:
            if name not in self.messages:
                raise SystemExit("%s: queued %s: no such message" % (self.path, name))

    def tls(self):
        """The account's smtp.tls, as the client will use it."""
        return self.account.get("tls", '"none"').strip('"')

    def stdin(self):
        """The message the main run reads, or None."""
        rest = [n for n in self.order if n not in self.queued]
        return rest[0] if rest else None

    def wire(self, name):
        """Message NAME as it must reach the server (LF line ends, no Bcc: ours have none)."""
        return self.messages[name]


def config_text(case, dirname, certs, port):
    keys = {
        "host": '"127.0.0.1"',
        "port": str(port),
        "tls": '"none"',
        "user": '"%s"' % USER,
        "password": '"%s"' % PASSWORD,
        "ca_file": '"@CA@"',
        "timeout": "2",
    }
    keys.update(case.account)
    smtp = " ".join("%s = %s;" % (k, v.replace("@CA@", os.path.join(certs, "ca.pem")))
                    for k, v in keys.items() if v != "-")
    # The POP3 side is never used: its port is the discard port, never reached.
    return ('store = "%s";\ntheme = "default";\naccounts = ( { name = "%s"; '
            'host = "127.0.0.1"; port = 9; tls = "none"; user = "%s"; password = "%s"; '
            'from = "Alice <%s>"; smtp = { %s }; } );\n'
            % (os.path.join(dirname, "store"), ACCOUNT, USER, PASSWORD, FROM, smtp))


def free_port():
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def prepare(case, args):
    """The case's files for the test: the messages, queue.conf and case.sh."""
    mdir = os.path.join(args.dir, "messages")
    os.makedirs(mdir, exist_ok=True)
    os.makedirs(os.path.join(args.dir, "spool"), exist_ok=True)
    os.makedirs(os.path.join(args.dir, "home"), exist_ok=True)
    for name, data in case.messages.items():
        with open(os.path.join(mdir, name), "wb") as f:
            f.write(data)
    write_private(os.path.join(args.dir, "queue.conf"),
                  config_text(case, args.dir, args.certs, free_port()))
    settings = {
        "desc": case.desc,
        "limit": str(case.limit),
        "queued": " ".join(case.queued),
        "due": "1" if case.due else "",
        "stdin": case.stdin() or "",
        "args": " ".join(case.args),
        "kill": case.kill,
        "rerun": "1" if case.rerun else "",
    }
    write_private(os.path.join(args.dir, "case.sh"),
                  "".join("case_%s=%s\n" % (k, shell_quote(v)) for k, v in settings.items()))


# -- serving -------------------------------------------------------------------

class Conn(BaseConn):
    """One client connection: buffered line reading, logged sends, TLS."""

    def __init__(self, sock, log, certs):
        BaseConn.__init__(self, sock, log, certs)
        # buf[pos:] is unread: slicing a 2 MB text line by line stays linear.
        self.drip = None
        self.slow = 0.0

    def _fill(self):
        self.buf = self.buf[self.pos:]
        self.pos = 0
        if len(self.buf) > MAX_CLIENT_LINE:
            raise Closed("client line too long")
        try:
            data = self.sock.recv(262144)
        except (OSError, ssl.SSLError) as e:
            raise Closed(str(e))
        if not data:
            raise Closed("eof")
        self.buf += data

    def rawline(self):
        """The next line with its line end, not logged; Closed at EOF."""
        end = self.buf.find(b"\n", self.pos)
        while end < 0:
            self._fill()
            end = self.buf.find(b"\n", self.pos)
        line = self.buf[self.pos:end + 1]
        self.pos = end + 1
        return line

    def readline(self):
        """The next client command line without its line end, logged."""
        if self.pushback:
            return self.pushback.pop()
        return self.client_line(self.rawline().rstrip(b"\n"))

    def send(self, data):
        if self.slow:
            time.sleep(self.slow)
        self.log.write("S: %s\n" % data.split(b"\n")[0].rstrip(b"\r").decode("latin-1")[:200])
        self.log.flush()
        try:
            if self.drip is None:
                self.sock.sendall(data)
                return
            n, secs = self.drip
            for i in range(0, len(data), n):
                self.sock.sendall(data[i:i + n])
                time.sleep(secs)
        except (OSError, ssl.SSLError) as e:
            raise Closed(str(e))

    def reply(self, code, lines):
        """A reply of one or more lines with CODE."""
        out = b""
        for i, text in enumerate(lines):
            sep = "-" if i < len(lines) - 1 else " "
            out += ("%d%s%s\r\n" % (code, sep, text)).encode()
        self.send(out)

class Session(BaseSession):
    """The server side of one connection: a script, or plain service."""

    def __init__(self, conn, case, plain, dirname, phase):
        self.c = conn
        self.case = case
        self.plain = plain
        self.dir = dirname
        self.spool = os.path.join(dirname, "spool")
        self.phase = phase
        self.authed = False
        self.mail = None
        self.rcpts = []
        self.text = None

    # -- plain service --------------------------------------------------------

    def offers_starttls(self):
        if self.c.secure or self.case.tls() != "starttls":
            return False
        return self.plain or not self.case.hide_starttls

    def offers_auth(self):
        return any(k.upper().startswith("AUTH") for k in self.case.ehlo)

    def reset(self):
        self.mail = None
        self.rcpts = []

    def sasl_read(self, challenge):
        self.c.line(b"334 " + base64.b64encode(challenge))
        line = self.c.readline()
        if line == "*":
            self.c.line("501 5.7.0 Authentication aborted")
            return None
        try:
            return base64.b64decode(line, validate=True)
        except ValueError:
            self.c.line("501 5.5.2 Cannot decode response")
            return None

    def auth_exchange(self, line):
        """Run AUTH PLAIN or LOGIN from its command LINE: (user, password),
        or None after an error reply."""
        words = line.split(" ")
        mech = words[1].upper() if len(words) > 1 else ""
        ir = words[2] if len(words) > 2 else None
        if mech == "PLAIN":
            if ir is None:
                data = self.sasl_read(b"")
            else:
                try:
                    data = base64.b64decode(ir, validate=True) if ir != "=" else b""
                except ValueError:
                    self.c.line("501 5.5.2 Cannot decode response")
                    return None
            if data is None:
                return None
            parts = data.split(b"\0")
            if len(parts) != 3:
                self.c.line("501 5.5.2 Bad PLAIN response")
                return None
            return parts[1].decode("latin-1"), parts[2].decode("latin-1")
        if mech == "LOGIN":
            user = self.sasl_read(b"Username:") if ir is None else base64.b64decode(ir)
            password = self.sasl_read(b"Password:") if user is not None else None
            if password is None:
                return None
            return user.decode("latin-1"), password.decode("latin-1")
        self.c.line("504 5.5.4 Unrecognized authentication type")
        return None

    def ehlo_reply(self):
        keys = list(self.case.ehlo)
        if self.offers_starttls():
            keys.insert(0, "STARTTLS")
        self.c.reply(250, ["fakesmtp.example"] + keys)

    def deliver(self):
        """The text read last is delivered: spooled and logged."""
        name = "%s-%d.eml" % (self.phase, next(DELIVERIES))
        with open(os.path.join(self.spool, name), "wb") as f:
            f.write(self.text)
        self.c.event("delivered %s (%d bytes)" % (name, len(self.text)))

    def read_data(self):
        """The text up to the final dot: dot-unstuffed, CRLF as LF."""
        out = []
        while True:
            line = self.c.rawline()
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            if line.endswith(b"\r\n"):
                line = line[:-2] + b"\n"
            out.append(line)
        self.text = b"".join(out)
        self.c.event("dot after %d bytes" % len(self.text))

    def handle(self, line):
        """Answer one command as a well-behaved server; False after QUIT."""
        words = line.split(" ")
        cmd = words[0].upper()
        c = self.c
        if cmd == "EHLO":
            self.reset()
            self.ehlo_reply()
        elif cmd == "HELO":
            self.reset()
            c.line("250 fakesmtp.example")
        elif cmd == "STARTTLS":
            if not self.offers_starttls():
                c.line("502 5.5.1 STARTTLS not offered")
            else:
                c.line("220 2.0.0 Ready to start TLS")
                c.tls("server" if self.plain else self.case.cert)
                self.authed = False
                self.reset()
        elif cmd == "AUTH":
            if self.authed:
                c.line("503 5.5.1 Already authenticated")
                return True
            creds = self.auth_exchange(line)
            if creds is None:
                return True
            if creds == (USER, PASSWORD):
                self.authed = True
                c.line("235 2.7.0 Authentication successful")
            else:
                c.line("535 5.7.8 Authentication credentials invalid")
        elif cmd == "MAIL":
            if self.offers_auth() and not self.authed:
                c.line("530 5.7.0 Authentication required")
            elif self.mail is not None:
                c.line("503 5.5.1 Nested MAIL command")
            else:
                self.mail = line
                c.line("250 2.1.0 Ok")
        elif cmd == "RCPT":
            if self.mail is None:
                c.line("503 5.5.1 Need MAIL command")
            else:
                self.rcpts.append(line)
                c.line("250 2.1.5 Ok")
        elif cmd == "DATA":
            if not self.rcpts:
                c.line("503 5.5.1 Need RCPT command")
            else:
                c.line("354 End data with <CR><LF>.<CR><LF>")
                self.read_data()
                self.deliver()
                self.reset()
                c.line("250 2.0.0 Ok: queued as FAKE%d" % len(os.listdir(self.spool)))
        elif cmd == "RSET":
            self.reset()
            c.line("250 2.0.0 Ok")
        elif cmd == "NOOP":
            c.line("250 2.0.0 Ok")
        elif cmd == "QUIT":
            c.line("221 2.0.0 Bye")
            return False
        else:
            c.line("502 5.5.2 Error: command not recognized")
        return True

    # -- the script -----------------------------------------------------------

    def step(self, step):
        word, _, arg = step.partition(" ")
        c = self.c
        if word == "greet":
            c.line(arg or self.case.greeting)
        elif word == "serve":
            until = arg[len("until "):] if arg.startswith("until ") else None
            if not self.serve(until):
                raise Closed("quit")
        elif word == "auth-reply":
            line = c.readline()
            if not line.upper().startswith("AUTH "):
                self.mismatch("AUTH ...", line)
            if self.auth_exchange(line) is not None:
                c.line(unescape(arg))
        elif word == "read-data":
            self.read_data()
        elif word == "deliver":
            self.deliver()
        elif word == "partial-data":
            # The text's first BYTES, as lines; the final dot must not come.
            want, got = int(arg), 0
            while got < want:
                line = c.rawline()
                if line in (b".\r\n", b".\n"):
                    self.mismatch("at least %d bytes of text" % want, "the dot after %d" % got)
                got += len(line)
            c.event("partial-data %d bytes" % got)
        elif word == "drip":
            n, secs = arg.split()
            c.drip = (int(n), float(secs))
            c.event("drip %s bytes every %s s" % (n, secs))
        elif word == "starttls":
            c.tls(arg or self.case.cert)
            self.authed = False
            self.reset()
        elif word == "await":
            name, _, secs = arg.partition(" ")
            end = time.monotonic() + float(secs or 60)
            c.event("await %s" % name)
            while not os.path.exists(os.path.join(self.dir, name)) and time.monotonic() < end:
                time.sleep(0.01)
            c.event("awaited %s" % name)
        else:
            self.common_step(step)

    def implicit_tls(self):
        if self.case.tls() == "implicit":
            self.c.tls("server" if self.plain else self.case.cert)


DELIVERIES = itertools.count()


def connection(sock, case, args, plain, phase):
    """Serve one connection (a thread of its own: a script that stalls must
    not keep the rerun's connection waiting)."""
    log = open(os.path.join(args.dir, "server-%s.log" % phase), "a")
    log.write("event: connection%s\n" % (" (plain)" if plain else ""))
    log.flush()
    conn = Conn(sock, log, args.certs)
    if case.slow:
        conn.slow = case.slow
        conn.event("slow: %g s before every reply" % case.slow)
    session = Session(conn, case, plain, args.dir, phase)
    session.run()
    try:
        session.c.sock.close()
    except OSError:
        pass
    log.write("event: disconnected\n")
    log.close()


def control(case, args):
    """Answer the test's requests: DIR/request holds "check PHASE RC SECS";
    the check's output goes to DIR/check-PHASE.txt, then its status to
    DIR/check-PHASE.rc.  (A check here, not in a process of its own, saves a
    Python start a phase.)"""
    request = os.path.join(args.dir, "request")
    while True:
        try:
            with open(request) as f:
                words = f.read().split()
            os.unlink(request)
        except FileNotFoundError:
            time.sleep(0.01)
            continue
        if len(words) != 4 or words[0] != "check":
            raise SystemExit("%s: unknown request %r" % (request, words))
        out = io.StringIO()
        check_args = argparse.Namespace(dir=args.dir, phase=words[1], rc=int(words[2]),
                                        secs=float(words[3]))
        with contextlib.redirect_stdout(out):
            try:
                rc = cmd_check(case, check_args)
            except (Exception, SystemExit):  # a broken check is a failed one, with its trace
                traceback.print_exc(file=out)
                rc = 1
        base = os.path.join(args.dir, "check-%s" % words[1])
        with open(base + ".txt", "w") as f:
            f.write(out.getvalue())
        write_private(base + ".rc", "%d\n" % rc)


def cmd_serve(args):
    case = Case(args.case)
    # SO_RCVBUF before listen: the accepted sockets inherit it, window scale included.
    srv = listen(case.rcvbuf)
    port = srv.getsockname()[1]
    prepare(case, args)
    threading.Thread(target=control, args=(case, args), daemon=True).start()
    # The configuration first: the port file tells the test both are ready.
    write_private(os.path.join(args.dir, "surat.conf"), config_text(case, args.dir, args.certs, port))
    write_port(os.path.join(args.dir, "port"), srv)
    first = True
    while True:
        sock, _ = srv.accept()
        try:
            with open(os.path.join(args.dir, "phase")) as f:
                phase = f.read().strip()
        except FileNotFoundError:
            phase = "main"
        threading.Thread(target=connection, args=(sock, case, args, not first, phase),
                         daemon=True).start()
        first = False


# -- checking ------------------------------------------------------------------

def folder_files(store, folder):
    """{path: bytes} of the message files of the account's FOLDER."""
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(store, ACCOUNT, "." + folder, sub)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                p = os.path.join(d, name)
                with open(p, "rb") as f:
                    out[p] = f.read()
    return out


def index_problems(store, files):
    """What the index says that the files do not: FILES is {folder: {path: bytes}}."""
    problems = []
    path = os.path.join(store, "index.db")
    if not os.path.exists(path):
        return ["no index.db"]
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT m.id, m.folder, m.subdir, m.base, o.id, o.state "
                          "FROM messages m LEFT JOIN outbox o ON o.id = m.id "
                          "WHERE m.account = ? AND m.state = 1", (ACCOUNT,)).fetchall()
        orphans = db.execute("SELECT o.id FROM outbox o LEFT JOIN messages m ON m.id = o.id "
                             "WHERE m.id IS NULL OR m.folder != 'Outbox'").fetchall()
    finally:
        db.close()
    seen = set()
    for mid, folder, subdir, base, oid, ostate in rows:
        if folder not in files:
            problems.append("index: row %d is in folder %r" % (mid, folder))
            continue
        d = os.path.join(store, ACCOUNT, "." + folder, subdir)
        match = [p for p in files[folder] if os.path.dirname(p) == d and
                 (os.path.basename(p) == base or os.path.basename(p).startswith(base + ":2,"))]
        if not match:
            problems.append("index: row %d (%s/%s) has no file" % (mid, folder, base))
        seen.update(match)
        if folder == "Outbox" and oid is None:
            problems.append("index: Outbox row %d has no outbox entry" % mid)
        if folder == "Outbox" and ostate == 1:
            problems.append("index: Outbox row %d is marked sent but was not moved" % mid)
    for folder in files:
        for p in files[folder]:
            if p not in seen:
                problems.append("index: no row for %s" % os.path.relpath(p, store))
    for (oid,) in orphans:
        problems.append("index: outbox entry %d has no Outbox row" % oid)
    return problems


def outbox_states(store):
    """{bytes of the file: (state, error)} of the Outbox's entries; ERROR is
    bytes, as stored (the check wants it UTF-8, the reader shows it)."""
    db = sqlite3.connect(os.path.join(store, "index.db"))
    db.text_factory = bytes
    try:
        rows = db.execute("SELECT m.subdir, m.base, o.state, o.error FROM messages m "
                          "JOIN outbox o ON o.id = m.id WHERE m.account = ? "
                          "AND m.folder = 'Outbox' AND m.state = 1", (ACCOUNT,)).fetchall()
    finally:
        db.close()
    out = {}
    for subdir, base, state, error in rows:
        subdir, base = subdir.decode(), base.decode()
        d = os.path.join(store, ACCOUNT, ".Outbox", subdir)
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f == base or f.startswith(base + ":2,"):
                with open(os.path.join(d, f), "rb") as fh:
                    out[fh.read()] = ({0: "waiting", 1: "sent", 2: "refused"}.get(state, state),
                                      error)
    return out


def cmd_check(case, args):
    problems = []
    store = os.path.join(args.dir, "store")
    stderr = open(os.path.join(args.dir, "%s.err" % args.phase), "rb").read() \
        .decode("utf-8", "replace").split("\n")
    if stderr and stderr[-1] == "":
        stderr.pop()
    logs = {}
    for phase in ("main", "rerun"):
        p = os.path.join(args.dir, "server-%s.log" % phase)
        logs[phase] = open(p, encoding="latin-1").read().split("\n") if os.path.exists(p) else []
    log = logs[args.phase]
    client = [l[3:] for l in log if l.startswith("C: ")]
    expects = case.rerun_expects if args.phase == "rerun" else case.expects
    if args.phase == "rerun" and not expects:
        expects = [("exit", "0"), ("sent", " ".join(case.order)), ("outbox", "-")]
        expects += [("delivered", "%s 1" % n) for n in case.order]

    problems.extend(script_problems(log))

    # Each message once, in the Outbox or in Sent, byte for byte.
    by_content = {v: k for k, v in case.messages.items()}
    files = {"Outbox": folder_files(store, "Outbox"), "Sent": folder_files(store, "Sent")}
    where = {}
    for folder, got in files.items():
        for p, data in got.items():
            name = by_content.get(data)
            if name is None:
                problems.append("%s is none of the messages byte for byte (%d bytes)" % (
                    os.path.relpath(p, store), len(data)))
                continue
            where.setdefault(name, []).append(folder)
    for name in case.order:
        if len(where.get(name, [])) != 1:
            problems.append("%s is in %s, expected in exactly one of Outbox and Sent, once" % (
                name, " and ".join(where.get(name, [])) or "neither"))
    for folder in files:
        tmp = os.path.join(store, ACCOUNT, "." + folder, "tmp")
        if os.path.isdir(tmp) and os.listdir(tmp):
            problems.append("left in %s/tmp: %s" % (folder, ", ".join(sorted(os.listdir(tmp)))))
    problems.extend(index_problems(store, files))

    # What the server took: each delivery one of the messages as it went out.
    by_wire = {case.wire(n): n for n in case.messages}
    delivered = {}
    spool = os.path.join(args.dir, "spool")
    for f in sorted(os.listdir(spool)):
        data = open(os.path.join(spool, f), "rb").read()
        name = by_wire.get(data)
        if name is None:
            problems.append("delivery %s is none of the messages as sent (%d bytes)" % (f, len(data)))
            continue
        delivered[name] = delivered.get(name, 0) + 1

    for secret in SECRETS:
        bad = [l for l in stderr if secret in l]
        if bad:
            problems.append("a secret shows in surat's output: %r" % bad[0][:200])

    states = outbox_states(store) if os.path.exists(os.path.join(store, "index.db")) else {}
    for data, (state, error) in states.items():
        try:
            (error or b"").decode("utf-8")
        except UnicodeDecodeError:
            problems.append("index: the reason %s stays is not UTF-8: ...%r" % (
                by_content.get(data, "a message"), error[-20:]))
    for kind, arg in expects:
        common = check_common(kind, arg, args, stderr, client, log, regex_match)
        if common is not None:
            problems.extend(common)
        elif kind == "stderr-lines":
            if len(stderr) != int(arg):
                problems.append("stderr has %d lines, expected %s" % (len(stderr), arg))
        elif kind == "log":
            if not any(re.search(arg, l) for l in log):
                problems.append("no line of the server's log matches /%s/" % arg)
        elif kind in ("outbox", "sent"):
            folder = "Outbox" if kind == "outbox" else "Sent"
            want = [] if arg.strip() == "-" else arg.split()
            got = sorted(n for n, f in where.items() if folder in f)
            if got != sorted(want):
                problems.append("%s holds %s, expected %s" % (folder, got or "nothing",
                                                              sorted(want) or "nothing"))
        elif kind == "state":
            name, want, *why = arg.split(" ", 2)
            got = states.get(case.messages[name], ("no entry", None))
            error = (got[1] or b"").decode("utf-8", "replace")
            if got[0] != want:
                problems.append("%s is %s in the outbox table, expected %s (error: %s)" % (
                    name, got[0], want, error))
            elif why and not re.search(why[0], error):
                problems.append("%s's reason in the outbox table does not match /%s/: %r" % (
                    name, why[0], error))
        elif kind == "delivered":
            name, n = arg.split()
            if delivered.get(name, 0) != int(n):
                problems.append("%s was delivered %d times, expected %s" % (
                    name, delivered.get(name, 0), n))
        elif kind == "min-seconds":
            if args.secs < float(arg):
                problems.append("took %.1f s, at least %s expected" % (args.secs, arg))
        else:
            raise SystemExit("%s: unknown expectation %r" % (case.path, kind))

    return report(problems, stderr[-25:], log[-26:])


def regex_match(pattern, line):
    """A line of an expected transcript is a regular expression (fullmatch)."""
    return re.fullmatch(pattern, line) is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("case")
    s.add_argument("--dir", required=True)
    s.add_argument("--certs", required=True)
    s = sub.add_parser("check")
    s.add_argument("case")
    s.add_argument("--dir", required=True)
    s.add_argument("--phase", default="main")
    s.add_argument("--rc", type=int, required=True)
    s.add_argument("--secs", type=float, default=0)
    args = ap.parse_args()
    if args.cmd == "serve":
        cmd_serve(args)
    elif args.cmd == "check":
        sys.exit(cmd_check(Case(args.case), args))


if __name__ == "__main__":
    main()
