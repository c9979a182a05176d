#!/usr/bin/env python3
"""fakepop3.py: a scripted, faulty POP3 server for surat's tests (Python 3
standard library only), for what Dovecot never does: drop the connection
mid-message, stall, send garbage, break the protocol, refuse STLS, show the
wrong certificate, run the exact OAuth exchanges.

A case is a data file (tests/integration/faults/*.case, format below) that
holds the server's mailbox and script, the client's account keys, and what
must come out.  tests/integration/faults.sh runs each case:

  fakepop3.py serve CASE --certs DIR --port-file F --log F --state F [--plain]
          [--store DIR] [--phase rerun] [--variant V]
      listen on 127.0.0.1 (a free port, written to F), serve connections
      until killed.  The first connection follows the case's script; later
      ones, and all of them with --plain, get a well-behaved server with the
      same mailbox (less what an earlier session deleted: the state file;
      with --phase rerun, the rerun-mailbox).  With --store, each DELE is
      logged with whether the client's store holds that message whole.
  fakepop3.py prestore CASE --store DIR
      fill an empty store (index.db made by surat reindex) as "prestore" says.
  fakepop3.py variants CASE
      print the case's variants (its "matrix" lines), one a line, or "-".
  fakepop3.py config CASE --certs DIR --port P --store DIR
      print the surat configuration for the case's account "fake".
  fakepop3.py proxy --to PORT --port-file F --log F [--drop-capa CAP]... [--watch-dir D]
      forward a free port to 127.0.0.1:PORT, leaving the CAPA lines CAP out
      of what the server says (a Dovecot without PIPELINING), and log the
      commands in each chunk the client sent (pipelining shows as several)
      and how many messages the Maildir D holds as each DELE goes out.
  fakepop3.py check CASE --store DIR --stderr F --log F --rc N --secs S [--phase rerun]
          [--variant V]
      check the expectations; print what is wrong as TAP comments; exit 1
      when anything is.

The case format, one directive a line ('#' starts a comment line):

  desc TEXT                 what the case shows
  matrix KEY VALUE...       run the case once per value of the account key
                            KEY ("-": the key left out); several matrix lines
                            multiply; a variant is "KEY=VALUE,KEY=VALUE"
  limit SECONDS             kill the client after this long (default 120)
  account KEY = VALUE;      account keys in libconfig syntax (override the
                            defaults: tls = "none", auth = "user", timeout = 5);
                            @CA@, @FP:NAME@ (SHA-256 of certs/NAME.pem) and
                            @TOKEN@ are replaced
  tls CERT                  implicit TLS with certificate CERT (server, other,
                            expired, self: see lib.sh it_certs)
  stls CERT                 offer STLS; upgrade with certificate CERT
  capa CAP...               the CAPA lines, separated by spaces, or by "|"
                            when a line has a space ("TOP|UIDL|SASL PLAIN");
                            default TOP UIDL USER RESP-CODES PIPELINING
                            AUTH-RESP-CODE SASL PLAIN; "capa -": no CAPA
                            command at all.  Without UIDL or TOP in it, those
                            commands fail.
  greeting TEXT             the greeting of --plain runs and of "greet"
  lf                        end every line with a bare LF instead of CRLF
  dribble N                 send message data N bytes at a time
  mailbox NAME...           the messages, in order
  many N [SIZE]             N more small messages n1..nN (SIZE bytes each)
  rerun-many N SIZE FIRST   N more small messages nFIRST... in the rerun-mailbox
  rerun-args ARG...         the rerun runs "surat fetch -v ARG..." (--rest)
  prestore N                before the first fetch, the store already holds
                            the first N messages headers-only, with their
                            UIDLs in the index (as if fetched earlier with
                            max_size): a big store without fetching it
  rerun-mailbox NAME...     the mailbox of the rerun: another client deleted
                            what is left out, new mail arrived
  order uidl|list reverse|shuffle   list UIDL (LIST) in another order than
                            the message numbers (every session: RFC 1939
                            fixes no order)
  hide uidl|list NAME...    leave NAME out of the UIDL (LIST) listing: a gap
                            in the numbers (every session; RETR still works)
  twice uidl|list NAME      the first session lists NAME's number a second
                            time (UIDL: with another unique id)
  beyond uidl|list          the first session lists a number beyond STAT
  size NAME BYTES           LIST announces BYTES for NAME
  message NAME gen SIZE [long N]   a generated message (with an N-byte line)
  message NAME [escaped]    a literal message: the lines up to "@end" (with
                            \\r \\n \\t \\\\ \\xNN decoded when "escaped")
  uidl NAME VALUE           its UIDL (default "uid-NAME"); escapes decoded
  script                    the first connection's steps, up to "@end":
      greet | send TEXT | sendraw TEXT | sendbytes N CHAR
      expect REGEX | expect-b64 TEXT | recv | handle (answer one command well)
      sasl-ir MECH | check-oauthbearer USER TOKEN
      scram-first MECH (answer AUTH MECH with a server-first extending the
      client's nonce) | challenge TEXT (send "+ " and TEXT, escapes decoded,
      in base64)
      serve [until REGEX] | partial NAME BYTES|all | flood-uidl N
      trickle NAME SECONDS (answer the next RETR/TOP of NAME one byte every
      SECONDS, then serve) | sendslow SECONDS TEXT (one byte every SECONDS)
      starttls CERT | stall SECONDS | close
  expect exit N | error REGEX | stderr REGEX | stderr-lacks REGEX
         stored NAME... | stored-subset NAME... | deleted NAME...
         partial NAME... (stored headers-only) | complete (every message
         of this phase's mailbox stored once: headers-only above max_size,
         else whole)
         client-lacks REGEX | transcript-lacks REGEX | max-seconds N
         only-if-client REGEX  (the other expectations hold only when the
                                client sent such a line, e.g. ^STAT)
  expect client             the exact client lines the server received, up
                            to "@end"; a line "..." stands for any lines
  rerun                     then run the client again on a --plain server;
  rerun-expect ...          its expectations (default: exit 0 and every
                            message stored once)

Always checked: the script ran as written (no "mismatch"), every stored
file is one of the mailbox's messages byte for byte (or its headers, as
TOP n 0 sends them), none is stored twice, every index row's UIDL names the
message its file holds, nothing is left in tmp/, the store holds nothing
but Maildirs and the index,
every DELE the server received named a message the store held whole at
that moment, a committed DELE only ever removed a message already stored,
and neither the password nor the token shows up in surat's output.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import re
import socket
import ssl
import sys
import time

from fakeserver import (BaseConn, BaseSession, CaseFile, Closed, check_common, listen, report,
                        script_problems, unescape, write_port)

PASSWORD = "s3cr3t-fake-pw"
TOKEN = "ya29.fake-token-0123456789"
USER = "alice"
ACCOUNT = "fake"
DEFAULT_CAPA = ["TOP", "UIDL", "USER", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE",
                "SASL PLAIN"]
DEFAULT_GREETING = "+OK fakepop3 ready <1896.697170952@fakepop3.example>"
MAX_CLIENT_LINE = 1 << 20


def generate(name, size, long_line=0):
    """A deterministic message for NAME of about SIZE bytes."""
    rng = random.Random(name)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()
    head = ("From: Fake Sender <sender@example.org>\n"
            "To: Alice <alice@example.net>\n"
            "Subject: message %s\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
            "Message-ID: <%s@fakepop3.example>\n"
            "\n" % (name, name))
    lines = [head, "Body of %s.\n" % name, ".dot line\n", "..two\n", ".\n"]
    n = sum(len(x) for x in lines)
    if long_line:
        lines.append("X" * long_line + "\n")
        n += long_line + 1
    while n < size:
        line = " ".join(rng.choice(words) for _ in range(10)) + "\n"
        lines.append(line)
        n += len(line)
    lines.append("end of %s\n" % name)
    return "".join(lines).encode()


def small(name, size):
    """A cheap deterministic message for NAME of about SIZE bytes (for many)."""
    head = ("From: Fake Sender <sender@example.org>\n"
            "Subject: message %s\n"
            "Message-ID: <%s@fakepop3.example>\n"
            "\n" % (name, name)).encode()
    body = b"Body of " + name.encode() + b".\n"
    pad = max(0, size - len(head) - len(body))
    return head + body + (b"x" * (pad - 1) + b"\n" if pad > 1 else b"")


def headers_only(msg, lines=0):
    """What TOP n LINES sends of MSG (LF line ends, not stuffed)."""
    head, sep, body = msg.partition(b"\n\n")
    keep = body.split(b"\n")[:lines] if lines else []
    part = head + sep + b"".join(x + b"\n" for x in keep) if sep else msg
    if not part.endswith(b"\n"):
        part += b"\n"
    return part


def variants(path):
    """The case's variants: a list of {key: value} dicts ([{}] without matrix)."""
    out = [{}]
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, _, rest = line.strip().partition(" ")
            if word == "matrix":
                key, *values = rest.split()
                out = [dict(v, **{key: x}) for v in out for x in values]
    return out


def variant_name(v):
    return ",".join("%s=%s" % kv for kv in v.items()) or "-"


def parse_variant(text):
    if not text or text == "-":
        return {}
    return dict(x.split("=", 1) for x in text.split(","))


class Case(CaseFile):
    """A parsed .case file."""

    def __init__(self, path, variant=None):
        self.path = path
        self.name = os.path.basename(path).rsplit(".", 1)[0]
        self.desc = self.name
        self.account = {}
        self.tls = None
        self.stls = None
        self.capa = list(DEFAULT_CAPA)
        self.greeting = DEFAULT_GREETING
        self.lf = False
        self.dribble = 0
        self.mailbox = []
        self.messages = {}
        self.uidls = {}
        self.script = None
        self.expects = []
        self.rerun = False
        self.rerun_expects = []
        self.rerun_mailbox = None
        self.rerun_args = []
        self.prestore = 0
        self.limit = 120
        self.order = {}
        self.hide = {}
        self.twice = {}
        self.beyond = set()
        self.sizes = {}
        self._parse()
        for k, v in parse_variant(variant).items():
            self.account[k] = v

    def directive(self, word, rest, lines):
        if word == "tls":
            self.tls = rest
        elif word == "stls":
            self.stls = rest
        elif word == "capa":
            if rest == "-":
                self.capa = None
            else:
                self.capa = [x.strip() for x in rest.split("|")] if "|" in rest else rest.split()
        elif word == "lf":
            self.lf = True
        elif word == "dribble":
            self.dribble = int(rest)
        elif word == "mailbox":
            self.mailbox = rest.split()
        elif word == "many":
            parts = rest.split()
            size = int(parts[1]) if len(parts) > 1 else 200
            for i in range(1, int(parts[0]) + 1):
                name = "n%d" % i
                self.mailbox.append(name)
                self.messages[name] = small(name, size)
        elif word == "rerun-mailbox":
            self.rerun_mailbox = (self.rerun_mailbox or []) + rest.split()
        elif word == "rerun-many":
            n, size, first = (int(x) for x in rest.split())
            self.rerun_mailbox = self.rerun_mailbox or []
            for i in range(first, first + n):
                name = "n%d" % i
                self.rerun_mailbox.append(name)
                self.messages[name] = small(name, size)
        elif word == "prestore":
            self.prestore = int(rest)
        elif word == "rerun-args":
            self.rerun_args = rest.split()
        elif word == "matrix":
            pass
        elif word == "limit":
            self.limit = int(rest)
        elif word in ("order", "hide", "twice", "beyond"):
            parts = rest.split()
            cmd = parts[0].upper()
            if cmd not in ("UIDL", "LIST"):
                raise SystemExit("%s: %s uidl|list ..." % (self.path, word))
            if word == "order":
                self.order[cmd] = parts[1]
            elif word == "hide":
                self.hide.setdefault(cmd, set()).update(parts[1:])
            elif word == "twice":
                self.twice.setdefault(cmd, []).extend(parts[1:])
            else:
                self.beyond.add(cmd)
        elif word == "size":
            name, value = rest.split()
            self.sizes[name] = int(value)
        elif word == "message":
            parts = rest.split()
            name = parts[0]
            if len(parts) > 1 and parts[1] == "gen":
                long_line = int(parts[4]) if len(parts) > 4 and parts[3] == "long" else 0
                self.messages[name] = generate(name, int(parts[2]), long_line)
            else:
                escaped = len(parts) > 1 and parts[1] == "escaped"
                body = self._block(lines)
                data = b"".join((unescape(x) if escaped else x.encode()) + b"\n" for x in body)
                self.messages[name] = data
        elif word == "uidl":
            name, _, value = rest.partition(" ")
            self.uidls[name] = unescape(value)
        elif word == "script":
            self.script = [x.lstrip().rstrip("\r") for x in self._block(lines)
                           if x.strip() and not x.strip().startswith("#")]
        else:
            return False
        return True

    def _parse(self):
        CaseFile._parse(self)
        for name in self.mailbox + (self.rerun_mailbox or []):
            if name not in self.messages:
                self.messages[name] = generate(name, 2000)
        if self.stls and self.capa is not None and "STLS" not in self.capa:
            self.capa.append("STLS")

    def uidl(self, name):
        return self.uidls.get(name, ("uid-" + name).encode())

    def max_size(self):
        """The account's max_size (0: none)."""
        v = self.account.get("max_size", "-")
        return 0 if v == "-" else int(v)

    def has_capa(self, cap):
        return self.capa is None or any(x.split(" ")[0].upper() == cap for x in self.capa)

    def keep(self):
        return self.account.get("keep", "true") != "false"

    def phase_mailbox(self, phase):
        return self.rerun_mailbox if phase == "rerun" and self.rerun_mailbox is not None \
            else self.mailbox


def stuffed(msg, eol):
    """MSG (LF line ends) as sent in a multi-line reply: dot-stuffed, EOL line
    ends, without the terminating line."""
    body = msg[:-1] if msg.endswith(b"\n") else msg
    out = []
    for line in body.split(b"\n"):
        if line.startswith(b"."):
            line = b"." + line
        out.append(line + eol)
    return b"".join(out)


def octets(msg):
    """The size of MSG as a server counts it: CRLF line ends, not stuffed."""
    return len(msg) + msg.count(b"\n")


class Conn(BaseConn):
    """One client connection: buffered line reading, logged sends, TLS."""

    def __init__(self, sock, log, case, certs):
        BaseConn.__init__(self, sock, log, certs)
        self.case = case
        self.eol = b"\n" if case.lf else b"\r\n"

    def readline(self):
        """The next client line without its line end; Closed at EOF."""
        if self.pushback:
            return self.pushback.pop()
        while b"\n" not in self.buf:
            if len(self.buf) > MAX_CLIENT_LINE:
                raise Closed("client line too long")
            try:
                data = self.sock.recv(65536)
            except (OSError, ssl.SSLError) as e:
                raise Closed(str(e))
            if not data:
                raise Closed("eof")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return self.client_line(line)

    def send(self, data, log=True):
        if log:
            for line in data.split(b"\n")[:1]:
                self.log.write("S: %s\n" % line.rstrip(b"\r").decode("latin-1")[:200])
            self.log.flush()
        try:
            self.sock.sendall(data)
        except (OSError, ssl.SSLError) as e:
            raise Closed(str(e))

    def data(self, payload):
        """Message data, in pieces when the case dribbles."""
        n = self.case.dribble
        if not n:
            self.send(payload, log=False)
            return
        for i in range(0, len(payload), n):
            self.send(payload[i:i + n], log=False)
            time.sleep(0.001)

class Session(BaseSession):
    """The server side of one connection: a mailbox, a script or plain service."""

    def __init__(self, conn, case, deleted_before, state_path, plain, mailbox=None, store=None):
        self.c = conn
        self.case = case
        self.names = [n for n in (mailbox or case.mailbox) if n not in deleted_before]
        self.store = store
        self.seen_files = {}
        self.deleted = set()
        self.state_path = state_path
        self.deleted_before = deleted_before
        self.plain = plain
        self.sasl_payload = b""
        self.timestamp = case.greeting[case.greeting.find("<"):case.greeting.find(">") + 1] \
            if "<" in case.greeting else ""

    # -- plain service --------------------------------------------------------

    def msg(self, arg):
        """The message named by number ARG, or None after an -ERR."""
        try:
            n = int(arg)
        except ValueError:
            self.c.line("-ERR bad message number")
            return None
        if n < 1 or n > len(self.names):
            self.c.line("-ERR no such message")
            return None
        name = self.names[n - 1]
        if name in self.deleted:
            self.c.line("-ERR message %d already deleted" % n)
            return None
        return name

    def check_login(self, user, password):
        if user == USER and password in (PASSWORD, TOKEN):
            self.c.line("+OK Logged in.")
            return True
        self.c.line("-ERR [AUTH] Authentication failed.")
        return False

    def sasl_read(self, challenge=b""):
        self.c.line(b"+ " + base64.b64encode(challenge))
        line = self.c.readline()
        if line == "*":
            self.c.line("-ERR Authentication aborted")
            return None
        try:
            return base64.b64decode(line, validate=True)
        except ValueError:
            self.c.line("-ERR bad base64")
            return None

    def auth(self, args):
        mech = args[0].upper() if args else ""
        ir = args[1] if len(args) > 1 else None
        if not mech:
            self.c.line("+OK")
            for line in self.sasl_mechs():
                self.c.line(line)
            self.c.line(".")
            return
        if mech not in self.sasl_mechs():
            self.c.line("-ERR Unsupported authentication mechanism.")
            return
        if mech == "PLAIN":
            data = base64.b64decode(ir) if ir not in (None, "=") else self.sasl_read()
            if data is None:
                return
            parts = data.split(b"\0")
            if len(parts) != 3:
                self.c.line("-ERR [AUTH] bad PLAIN data")
                return
            self.check_login(parts[1].decode("latin-1"), parts[2].decode("latin-1"))
        elif mech == "LOGIN":
            user = self.sasl_read(b"Username:")
            password = self.sasl_read(b"Password:") if user is not None else None
            if password is not None:
                self.check_login(user.decode("latin-1"), password.decode("latin-1"))
        elif mech in ("XOAUTH2", "OAUTHBEARER"):
            data = base64.b64decode(ir) if ir else self.sasl_read()
            if data is not None:
                ok = b"auth=Bearer " + TOKEN.encode() + b"\x01" in data
                self.check_login(USER, TOKEN if ok else "")
        else:
            self.c.line("-ERR mechanism not scripted")

    def sasl_mechs(self):
        for line in self.case.capa or []:
            if line.upper().startswith("SASL "):
                return line.upper().split()[1:]
        return []

    def has(self, cap):
        # A server without CAPA may still know UIDL and TOP (RFC 1939).
        return self.case.capa is None or any(
            x.split(" ")[0].upper() == cap for x in self.case.capa)

    def commit(self):
        """QUIT: the DELEs take effect."""
        for name in self.deleted:
            self.c.event("committed-delete %s" % name)
        if self.state_path:
            with open(self.state_path, "w") as f:
                json.dump(sorted(self.deleted_before | self.deleted), f)

    def multi(self, lines):
        self.c.line("+OK")
        self.c.data(b"".join(x + self.c.eol for x in lines))
        self.c.line(".")

    def handle(self, line):
        """Answer one command as a well-behaved server; False after QUIT."""
        words = line.split(" ")
        cmd = words[0].upper()
        args = words[1:]
        c = self.c
        if cmd == "CAPA":
            if self.case.capa is None:
                c.line("-ERR Unknown command.")
            else:
                self.multi([x.encode() for x in self.case.capa])
        elif cmd == "STLS":
            if not self.case.stls:
                c.line("-ERR Unknown command.")
            else:
                c.line("+OK Begin TLS negotiation now.")
                c.tls(self.case.stls)
        elif cmd == "USER":
            c.line("+OK")
            self.user = " ".join(args)
        elif cmd == "PASS":
            self.check_login(getattr(self, "user", ""), " ".join(args))
        elif cmd == "APOP" and len(args) == 2:
            want = hashlib.md5((self.timestamp + PASSWORD).encode()).hexdigest()
            self.check_login(args[0], PASSWORD if args[1] == want else "")
        elif cmd == "AUTH":
            self.auth(args)
        elif cmd == "STAT":
            live = [n for n in self.names if n not in self.deleted]
            c.line("+OK %d %d" % (len(live), sum(octets(self.case.messages[n]) for n in live)))
        elif cmd in ("LIST", "UIDL"):
            if cmd == "UIDL" and not self.has("UIDL"):
                c.line("-ERR Unknown command.")
                return True
            value = (lambda n: b"%d" % self.case.sizes.get(n, octets(self.case.messages[n]))) \
                if cmd == "LIST" else self.case.uidl
            if args:
                name = self.msg(args[0])
                if name:
                    c.line(b"+OK " + args[0].encode() + b" " + value(name))
                return True
            self.multi(self.listing(cmd, value))
        elif cmd == "RETR" and args:
            name = self.msg(args[0])
            if name:
                msg = self.case.messages[name]
                c.line("+OK %d octets" % octets(msg))
                c.data(stuffed(msg, c.eol))
                c.line(".")
                c.event("retr %s" % name)
        elif cmd == "TOP" and len(args) == 2:
            if not self.has("TOP"):
                c.line("-ERR Unknown command.")
                return True
            name = self.msg(args[0])
            if name:
                part = headers_only(self.case.messages[name], int(args[1]))
                c.line("+OK")
                c.data(stuffed(part, c.eol))
                c.line(".")
                c.event("top %s %s" % (name, args[1]))
        elif cmd == "DELE" and args:
            name = self.msg(args[0])
            if name:
                if self.store:
                    c.event("dele %s %s" % (name, "whole" if self.stored_whole(name)
                                            else "NOT-STORED-WHOLE"))
                self.deleted.add(name)
                c.line("+OK Marked to be deleted.")
        elif cmd == "NOOP":
            c.line("+OK")
        elif cmd == "RSET":
            self.deleted.clear()
            c.line("+OK")
        elif cmd == "QUIT":
            self.commit()
            c.line("+OK Logging out.")
            return False
        else:
            c.line("-ERR Unknown command: %s" % cmd[:40])
        return True

    def listing(self, cmd, value):
        """The lines of a UIDL or LIST listing, in the case's order, with its gaps
        and (first session only) its faults."""
        entries = [(i + 1, n) for i, n in enumerate(self.names)
                   if n not in self.deleted and n not in self.case.hide.get(cmd, ())]
        order = self.case.order.get(cmd)
        if order == "reverse":
            entries.reverse()
        elif order == "shuffle":
            random.Random("%s %d" % (cmd, len(entries))).shuffle(entries)
        lines = [b"%d " % i + value(n) for i, n in entries]
        if not self.plain:
            for name in self.case.twice.get(cmd, ()):
                num = self.names.index(name) + 1
                lines.append(b"%d " % num + (b"uid-again-" + name.encode() if cmd == "UIDL"
                                              else value(name)))
            if cmd in self.case.beyond:
                lines.append(b"%d " % (len(self.names) + 1) +
                             (b"uid-beyond" if cmd == "UIDL" else b"100"))
        return lines

    def stored_whole(self, name):
        """True when the client's store holds message NAME whole right now."""
        want = self.case.messages[name]
        for sub in ("new", "cur"):
            d = os.path.join(self.store, ACCOUNT, sub)
            if not os.path.isdir(d):
                continue
            for f in os.listdir(d):
                p = os.path.join(d, f)
                try:
                    st = os.stat(p)
                    key = (p, st.st_ino, st.st_size, st.st_mtime_ns)
                    if key not in self.seen_files:
                        with open(p, "rb") as fh:
                            self.seen_files[key] = fh.read()
                except OSError:
                    continue
                if self.seen_files[key] == want:
                    return True
        return False

    # -- the script -----------------------------------------------------------

    def step(self, step):
        word, _, arg = step.partition(" ")
        c = self.c
        if word == "greet":
            c.line(self.case.greeting)
        elif word == "sendbytes":
            n, char = arg.split()
            chunk = char.encode() * 65536
            n = int(n)
            c.log.write("S: <%d bytes of %s>\n" % (n, char))
            while n > 0:
                c.send(chunk[:min(n, len(chunk))], log=False)
                n -= len(chunk)
        elif word == "expect-b64":
            line = c.readline()
            try:
                got = base64.b64decode(line, validate=True)
            except ValueError:
                got = None
            if got != unescape(arg):
                self.mismatch("base64 of %r" % unescape(arg), line)
        elif word == "sasl-ir":
            line = c.readline()
            m = re.fullmatch(r"AUTH %s(?: (\S+))?" % re.escape(arg), line, re.I)
            if not m:
                self.mismatch("AUTH %s [initial response]" % arg, line)
            if m.group(1):
                self.sasl_payload = base64.b64decode(m.group(1))
            else:
                c.line("+ ")
                self.sasl_payload = base64.b64decode(c.readline())
        elif word == "scram-first":
            # AUTH MECH [client-first]: a server-first that extends the client's
            # nonce, so the client goes on to its client-final.
            line = c.readline()
            m = re.fullmatch(r"AUTH %s(?: (\S+))?" % re.escape(arg), line, re.I)
            if not m:
                self.mismatch("AUTH %s [initial response]" % arg, line)
            if m.group(1):
                first = base64.b64decode(m.group(1))
            else:
                c.line("+ ")
                first = base64.b64decode(c.readline())
            nonce = re.search(rb"(?:^|,)r=([^,]*)", first)
            if not nonce:
                self.mismatch("a SCRAM client-first with r=", first.decode("latin-1"))
            c.line(b"+ " + base64.b64encode(b"r=" + nonce.group(1) +
                                            b"fakepop3,s=QSXCR+Q6sek8bf92,i=4096"))
        elif word == "challenge":
            c.line(b"+ " + base64.b64encode(unescape(arg)))
        elif word == "check-oauthbearer":
            user, token = arg.split()
            p = self.sasl_payload
            ok = p.startswith(b"n,a=" + user.encode() + b",\x01") and p.endswith(b"\x01\x01")
            fields = p[:-2].split(b"\x01")[1:] if ok else []
            if b"auth=Bearer " + token.encode() not in fields:
                ok = False
            for f in fields:
                if not re.fullmatch(rb"(auth|host|port)=[\x21-\x7e ]+", f):
                    ok = False
            if not ok:
                self.mismatch("RFC 7628 payload for %s" % user, p.decode("latin-1"))
        elif word == "serve":
            until = arg[len("until "):] if arg.startswith("until ") else None
            if not self.serve(until):
                raise Closed("quit")
        elif word == "partial":
            name, nbytes = arg.split()
            msg = self.case.messages[name]
            c.line("+OK %d octets" % octets(msg))
            data = stuffed(msg, c.eol)
            c.data(data if nbytes == "all" else data[:int(nbytes)])
        elif word == "flood-uidl":
            c.line("+OK")
            n = int(arg)
            c.log.write("S: <%d UIDL lines>\n" % n)
            batch = []
            for i in range(1, n + 1):
                batch.append(b"%d flood-%d\r\n" % (i, i))
                if len(batch) == 10000:
                    c.send(b"".join(batch), log=False)
                    batch = []
            c.send(b"".join(batch) + b".\r\n", log=False)
        elif word == "sendslow":
            secs, _, text = arg.partition(" ")
            c.event("sendslow")
            for b in unescape(text) + c.eol:
                c.send(bytes([b]), log=False)
                time.sleep(float(secs))
        elif word == "trickle":
            # Answer the next RETR or TOP of NAME one byte at a time, each
            # within the client's timeout, then serve as usual.
            name, secs = arg.split()
            num = self.names.index(name) + 1
            while True:
                line = c.readline()
                words = line.split(" ")
                if words[0].upper() in ("RETR", "TOP") and len(words) > 1 and \
                        words[1] == str(num):
                    break
                if not self.handle(line):
                    raise Closed("quit")
            msg = self.case.messages[name]
            if words[0].upper() == "TOP":
                msg = headers_only(msg, int(words[2]) if len(words) > 2 else 0)
            c.line("+OK %d octets" % octets(msg))
            c.event("trickle %s" % name)
            for b in stuffed(msg, c.eol) + b"." + c.eol:
                c.send(bytes([b]), log=False)
                time.sleep(float(secs))
        elif word == "starttls":
            c.tls(arg)
        else:
            self.common_step(step)

    def implicit_tls(self):
        if self.case.tls:
            self.c.tls(self.case.tls)


def cmd_serve(args):
    case = Case(args.case, args.variant)
    deleted = set()
    if args.state and os.path.exists(args.state):
        with open(args.state) as f:
            deleted = set(json.load(f))
    srv = listen()
    write_port(args.port_file, srv)
    log = open(args.log, "a")
    first = True
    while True:
        sock, _ = srv.accept()
        log.write("event: connection%s\n" % (" (plain)" if args.plain or not first else ""))
        log.flush()
        session = Session(Conn(sock, log, case, args.certs), case, deleted, args.state,
                          args.plain or not first, case.phase_mailbox(args.phase), args.store)
        session.run()
        if args.state and os.path.exists(args.state):
            with open(args.state) as f:
                deleted = set(json.load(f))
        try:
            session.c.sock.close()
        except OSError:
            pass
        log.write("event: disconnected\n")
        log.flush()
        first = False


def cmd_proxy(args):
    """Forward 127.0.0.1:<free port> to 127.0.0.1:--to, byte for byte, except
    that the server's CAPA lines named by --drop-capa are left out; log how
    many commands each chunk from the client held ("chunk N: CMD ..."), and
    with --watch-dir MAILDIR, how many messages MAILDIR holds as each DELE
    goes out ("dele <DELEs so far> stored <files>")."""
    import select
    drop = set(x.upper().encode() for x in args.drop_capa)
    srv = listen()
    write_port(args.port_file, srv)
    log = open(args.log, "a")
    while True:
        client, _ = srv.accept()
        server = socket.create_connection(("127.0.0.1", args.to))
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        log.write("event: connection\n")
        pending = b""  # server bytes not yet forwarded: an unfinished line
        deles = 0
        open_ = True
        while open_:
            ready, _, _ = select.select([client, server], [], [], 60)
            if not ready:
                break
            for s in ready:
                data = s.recv(262144)
                if not data:
                    open_ = False
                    break
                if s is client:
                    cmds = [l.split(b" ")[0].decode("latin-1") for l in data.split(b"\r\n") if l]
                    log.write("chunk %d: %s\n" % (len(cmds), " ".join(cmds[:50])))
                    deles += sum(1 for c in cmds if c.upper() == "DELE")
                    if args.watch_dir and "DELE" in (c.upper() for c in cmds):
                        # How many messages are stored as these DELEs leave?
                        stored = sum(len(os.listdir(os.path.join(args.watch_dir, sub)))
                                     for sub in ("new", "cur")
                                     if os.path.isdir(os.path.join(args.watch_dir, sub)))
                        log.write("dele %d stored %d\n" % (deles, stored))
                    log.flush()
                    server.sendall(data)
                    continue
                # Filter whole lines; pass the rest on as it comes.
                pending += data
                cut = pending.rfind(b"\n") + 1
                lines, pending = pending[:cut], pending[cut:]
                if drop:
                    lines = b"".join(l for l in lines.splitlines(True)
                                     if l.rstrip(b"\r\n").upper() not in drop)
                client.sendall(lines)
        client.close()
        server.close()
        log.write("event: disconnected\n")
        log.flush()


def fingerprint(path):
    pem = open(path).read()
    der = ssl.PEM_cert_to_DER_cert(pem)
    return "SHA256:" + hashlib.sha256(der).hexdigest()


def cmd_prestore(args):
    """The first N messages stored headers-only, files and index rows, in a
    store whose index.db surat made (the schema is surat's)."""
    import sqlite3
    case = Case(args.case)
    box = os.path.join(args.store, ACCOUNT)
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(box, sub), mode=0o700, exist_ok=True)
    rows = []
    now = int(time.time())
    for i, name in enumerate(case.mailbox[:case.prestore]):
        base = "%d.prestore%d.fakepop3" % (now, i)
        data = headers_only(case.messages[name])
        with open(os.path.join(box, "new", base), "wb") as f:
            f.write(data)
        mtime = int(os.stat(os.path.join(box, "new", base)).st_mtime)
        rows.append({"account": ACCOUNT, "base": base, "uidl": case.uidl(name).decode("latin-1"),
                     "msgid": "%s@fakepop3.example" % name, "subject": "message " + name,
                     "size": octets(case.messages[name]), "now": now, "mtime": mtime})
    db = sqlite3.connect(os.path.join(args.store, "index.db"))
    with db:
        db.executemany(
            "INSERT INTO messages (account, folder, subdir, base, uidl, message_id, subject, "
            "subject_key, from_name, from_addr, from_key, size, date, arrival, mtime, "
            "thread_date, partial, state) VALUES (:account, '', 'new', :base, :uidl, :msgid, "
            ":subject, :subject, 'Fake Sender', 'sender@example.org', 'fake sender', :size, "
            ":now, :now, :mtime, :now, 1, 1)", rows)
        # Each its own thread (thread_id = id), as surat's threading leaves a
        # lone message, so opening the index has nothing to thread.
        db.execute("UPDATE messages SET thread_id = id WHERE account = ? AND thread_id = 0",
                   (ACCOUNT,))
    db.close()


def cmd_config(args):
    case = Case(args.case, args.variant)
    keys = {
        "name": '"%s"' % ACCOUNT,
        "host": '"127.0.0.1"',
        "port": str(args.port),
        "tls": '"none"',
        "user": '"%s"' % USER,
        "password": '"%s"' % PASSWORD,
        "auth": '"user"',
        "ca_file": '"@CA@"',
        "timeout": "5",
    }
    keys.update(case.account)

    def subst(v):
        v = v.replace("@CA@", os.path.join(args.certs, "ca.pem"))
        v = v.replace("@TOKEN@", TOKEN)
        return re.sub(r"@FP:(\w+)@", lambda m: fingerprint(
            os.path.join(args.certs, m.group(1) + ".pem")), v)

    body = " ".join("%s = %s;" % (k, subst(v)) for k, v in keys.items() if v != "-")
    print('store = "%s";\ntheme = "default";\naccounts = ( { %s } );' % (args.store, body))


# -- checking ------------------------------------------------------------------

def stored_files(store):
    """(path, bytes) of every message file in the account's new/ and cur/."""
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(store, ACCOUNT, sub)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                p = os.path.join(d, name)
                with open(p, "rb") as f:
                    out.append((p, f.read()))
    return out


def index_rows(store):
    """(file path or None, uidl, partial) of the account's inbox rows in index.db."""
    import sqlite3
    path = os.path.join(store, "index.db")
    if not os.path.exists(path):
        return []
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT subdir, base, uidl, partial FROM messages "
                          "WHERE account = ? AND folder = '' AND state = 1 "
                          "AND uidl IS NOT NULL", (ACCOUNT,)).fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()
    out = []
    for subdir, base, uidl, partial in rows:
        d = os.path.join(store, ACCOUNT, subdir)
        found = None
        if os.path.exists(os.path.join(d, base)):
            found = os.path.join(d, base)
        elif subdir == "cur" and os.path.isdir(d):
            for f in os.listdir(d):
                if f.startswith(base + ":2,"):
                    found = os.path.join(d, f)
        out.append((found, uidl, bool(partial)))
    return out


def cmd_check(args):
    case = Case(args.case, args.variant)
    problems = []
    stderr = open(args.stderr, "rb").read().decode("utf-8", "replace").split("\n")
    log = open(args.log, encoding="latin-1").read().split("\n")
    client = [l[3:] for l in log if l.startswith("C: ")]
    events = [l[7:] for l in log if l.startswith("event: ")]
    expects = case.rerun_expects if args.phase == "rerun" else case.expects
    mailbox = case.phase_mailbox(args.phase)
    if args.phase == "rerun" and not expects:
        expects = [("exit", "0"), ("stored", " ".join(mailbox))]

    # The script ran as written.
    problems.extend(script_problems(log))

    # What is stored: each file one of the mailbox's messages (or its headers
    # only), none twice.
    by_content = {v: k for k, v in case.messages.items()}
    by_headers = {headers_only(v): k for k, v in case.messages.items()}
    stored, partial, contents = [], [], {}
    for path, data in stored_files(args.store):
        name = by_content.get(data)
        contents[path] = data
        if name is not None:
            stored.append(name)
        elif data in by_headers:
            partial.append(by_headers[data])
        else:
            near = [k for k, v in case.messages.items() if data and v.startswith(data[:200])]
            problems.append("%s is not any message byte for byte (%d bytes%s)" % (
                os.path.relpath(path, args.store), len(data),
                ", looks like %s (%d bytes)" % (near[0], len(case.messages[near[0]])) if near else ""))
    copies = {}
    for name in stored + partial:
        copies[name] = copies.get(name, 0) + 1
    for name in sorted(copies):
        if copies[name] > 1:
            problems.append("%s is stored %d times%s" % (
                name, copies[name], " (whole and headers-only)" if name in partial else ""))

    # The store holds Maildirs and the index, nothing else.
    for root, dirs, files in os.walk(args.store):
        rel = os.path.relpath(root, args.store)
        for f in files:
            p = os.path.normpath(os.path.join(rel, f))
            if re.fullmatch(r"index\.db(-wal|-shm|-journal)?|fetch\.log", p) or \
                    re.fullmatch(re.escape(ACCOUNT) + r"/(\.lock|surat-uidls|(tmp|new|cur)/[^/]+)", p):
                continue
            problems.append("unexpected file in the store: %s" % p)

    # Nothing is left half-written in tmp/ once surat has exited.
    tmp = os.path.join(args.store, ACCOUNT, "tmp")
    if os.path.isdir(tmp) and os.listdir(tmp):
        problems.append("left in tmp/: %s" % ", ".join(sorted(os.listdir(tmp))[:5]))

    # Each index row's UIDL names the message its file holds.
    by_uidl = {case.uidl(k).decode("latin-1"): k for k in case.messages}
    for path, uidl, is_partial in index_rows(args.store):
        if path is None:
            problems.append("index: the file of UIDL %s is missing" % uidl)
            continue
        name = by_uidl.get(uidl)
        if name is None:
            if not uidl.startswith("sha256-"):
                problems.append("index: UIDL %s is none of the mailbox's" % uidl)
            continue
        want = headers_only(case.messages[name]) if is_partial else case.messages[name]
        data = contents.get(path)
        if data is None:
            with open(path, "rb") as f:
                data = f.read()
        if data != want:
            other = by_content.get(data) or by_headers.get(data)
            problems.append("index: UIDL %s (%s) is filed with the content of %s" % (
                uidl, name, other or "no message"))

    # Every DELE named a message the store held whole at that moment.
    for e in events:
        if e.startswith("dele ") and not e.endswith(" whole"):
            problems.append("DELE of a message not stored whole: " + e[5:])

    # A DELE was committed only for a stored message.
    deleted = [e.split()[1] for e in events if e.startswith("committed-delete ")]
    for name in deleted:
        if name not in stored:
            problems.append("%s was deleted on the server but is not stored" % name)

    # No secret in surat's output.
    for secret in (PASSWORD, TOKEN):
        forms = [secret, base64.b64encode(secret.encode()).decode(),
                 base64.b64encode(("\0%s\0%s" % (USER, secret)).encode()).decode(),
                 base64.b64encode(("user=%s\x01auth=Bearer %s\x01\x01" % (USER, secret)).encode()).decode()]
        for form in forms:
            if any(form in l for l in stderr):
                problems.append("a secret shows in surat's output: %s" % form)

    prefix = "surat: %s: " % ACCOUNT
    errors = [l[len(prefix):] for l in stderr if l.startswith(prefix)]
    for kind, arg in expects:
        if kind == "only-if-client" and not any(re.search(arg, l) for l in client):
            print("# the client never sent /%s/: the rest does not apply" % arg)
            expects = []
    for kind, arg in expects:
        if kind == "only-if-client":
            continue
        common = check_common(kind, arg, args, stderr, client, log, str.__eq__)
        if common is not None:
            problems.extend(common)
        elif kind == "error":
            if not any(re.search(arg, e) for e in errors):
                problems.append("no error line \"%s...\" matching /%s/ (got: %s)" % (
                    prefix, arg, errors[:3]))
        elif kind == "partial":
            want = [] if arg.strip() == "-" else arg.split()
            if sorted(set(partial)) != sorted(want):
                problems.append("headers-only %s, expected %s" % (
                    sorted(set(partial)) or "nothing", sorted(want) or "nothing"))
        elif kind == "complete":
            # What an earlier phase stored (and maybe deleted) is still here.
            stored_set, partial_set = set(stored), set(partial)
            for name in mailbox:
                if name in case.hide.get("UIDL", ()) and case.has_capa("UIDL"):
                    continue  # never listed: it cannot be fetched
                # max_size goes by the size LIST announced.
                size = case.sizes.get(name, octets(case.messages[name]))
                big = case.max_size() and size > case.max_size()
                if big and name not in partial_set:
                    problems.append("%s (over max_size) is not stored headers-only" % name)
                elif not big and name not in stored_set:
                    problems.append("%s is not stored whole" % name)
        elif kind in ("stored", "stored-subset"):
            want = [] if arg.strip() == "-" else arg.split()
            got = sorted(set(stored))
            if kind == "stored" and got != sorted(want):
                problems.append("stored %s, expected %s" % (got or "nothing", sorted(want) or "nothing"))
            if kind == "stored-subset" and not set(got) <= set(want):
                problems.append("stored %s, expected at most %s" % (got, sorted(want)))
        elif kind == "deleted":
            want = [] if arg.strip() == "-" else arg.split()
            if sorted(deleted) != sorted(want):
                problems.append("deleted %s, expected %s" % (sorted(deleted), sorted(want)))
        elif kind == "transcript-lacks":
            bad = [l for l in stderr if l.startswith("C: ") and re.search(arg, l[3:])]
            if bad:
                problems.append("the -v transcript shows /%s/: %r" % (arg, bad[0][:100]))
        else:
            raise SystemExit("%s: unknown expectation %r" % (case.path, kind))

    return report(problems, stderr[-26:], log[-26:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("case")
    s.add_argument("--certs", required=True)
    s.add_argument("--port-file", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--state")
    s.add_argument("--plain", action="store_true")
    s.add_argument("--store")
    s.add_argument("--phase", default="main")
    s.add_argument("--variant")
    s = sub.add_parser("config")
    s.add_argument("case")
    s.add_argument("--certs", required=True)
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--store", required=True)
    s.add_argument("--variant")
    s = sub.add_parser("check")
    s.add_argument("case")
    s.add_argument("--store", required=True)
    s.add_argument("--stderr", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--rc", type=int, required=True)
    s.add_argument("--secs", type=float, default=0)
    s.add_argument("--phase", default="main")
    s.add_argument("--variant")
    s = sub.add_parser("proxy")
    s.add_argument("--to", type=int, required=True)
    s.add_argument("--port-file", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--drop-capa", action="append", default=[])
    s.add_argument("--watch-dir")
    s = sub.add_parser("desc")
    s.add_argument("case")
    s = sub.add_parser("prestore")
    s.add_argument("case")
    s.add_argument("--store", required=True)
    s = sub.add_parser("variants")
    s.add_argument("case")
    args = ap.parse_args()
    if args.cmd == "serve":
        cmd_serve(args)
    elif args.cmd == "proxy":
        cmd_proxy(args)
    elif args.cmd == "config":
        cmd_config(args)
    elif args.cmd == "check":
        sys.exit(cmd_check(args))
    elif args.cmd == "desc":
        c = Case(args.case)
        print(c.desc)
        print("rerun" if c.rerun else "once")
        print(c.limit)
        print(" ".join(c.rerun_args))
    elif args.cmd == "prestore":
        cmd_prestore(args)
    elif args.cmd == "variants":
        for v in variants(args.case):
            print(variant_name(v))


if __name__ == "__main__":
    main()
