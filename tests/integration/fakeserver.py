"""fakeserver.py: what fakepop3.py and fakesmtp.py share (Python 3 standard
library only; both import it from their own folder, fakesmtp.py under -S):
the case file's common directives, a connection's line reading, logging and
TLS, a scripted session's common steps, the listening socket and the port
file, and the checks and report common to both."""
import os
import re
import socket
import ssl
import time


def unescape(text):
    """Decode \\r \\n \\t \\0 \\\\ \\xNN in TEXT (a str) to bytes."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            n = chr(raw[i + 1])
            if n == "x" and i + 4 <= len(raw):
                out.append(int(raw[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}.get(n, b"\\" + n.encode())
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def write_private(path, text):
    """Write TEXT to PATH (mode 0600) whole: through PATH.tmp, renamed."""
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def listen(rcvbuf=0):
    """A socket listening on 127.0.0.1, a free port; RCVBUF (SO_RCVBUF) is
    set before listen, so that the accepted sockets inherit it."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    return srv


def write_port(path, srv):
    """SRV's port to PATH, whole (the test waits for the file)."""
    write_private(path, "%d\n" % srv.getsockname()[1])


class CaseFile:
    """A .case file's parsing: comments, "@end" blocks, and the directives
    both servers have (desc, account, greeting, expect, rerun-expect, rerun);
    a subclass sets the defaults, then calls _parse, and takes the others in
    directive(WORD, REST, LINES), False for one it does not know.
    EXPECTATIONS, when not None, are the expectation kinds allowed."""

    EXPECTATIONS = None

    def _block(self, lines):
        """The lines up to "@end"."""
        out = []
        while lines:
            line = lines.pop(0)
            if line == "@end":
                return out
            out.append(line)
        raise SystemExit("%s: a block without @end" % self.path)

    def _parse(self):
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        while lines:
            line = lines.pop(0)
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            word, _, rest = line.strip().partition(" ")
            rest = rest.strip()
            if word == "desc":
                self.desc = rest
            elif word == "account":
                for item in rest.split(";"):
                    if item.strip():
                        k, _, v = item.partition("=")
                        self.account[k.strip()] = v.strip()
            elif word == "greeting":
                self.greeting = rest
            elif word in ("expect", "rerun-expect"):
                kind, _, arg = rest.partition(" ")
                if self.EXPECTATIONS is not None and kind not in self.EXPECTATIONS:
                    raise SystemExit("%s: unknown expectation %r" % (self.path, kind))
                if kind == "client":
                    arg = self._block(lines)
                (self.expects if word == "expect" else self.rerun_expects).append((kind, arg))
            elif word == "rerun":
                self.rerun = True
            elif not self.directive(word, rest, lines):
                raise SystemExit("%s: unknown directive %r" % (self.path, word))


class Closed(Exception):
    pass


class BaseConn:
    """One client connection: its socket, log and certificates, the lines
    pushed back, line ends EOL; logged events and client lines, and TLS."""

    def __init__(self, sock, log, certs):
        self.sock = sock
        self.log = log
        self.certs = certs
        self.buf = b""
        self.pos = 0
        self.eol = b"\r\n"
        self.pushback = []
        self.secure = False
        sock.settimeout(60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def event(self, text):
        self.log.write("event: %s\n" % text)
        self.log.flush()

    def client_line(self, line):
        """LINE (bytes, without its LF) as text without a CR, logged."""
        if line.endswith(b"\r"):
            line = line[:-1]
        text = line.decode("latin-1")
        self.log.write("C: %s\n" % text)
        self.log.flush()
        return text

    def line(self, text):
        self.send((text.encode() if isinstance(text, str) else text) + self.eol)

    def tls(self, cert):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.certs, cert + ".pem"),
                            os.path.join(self.certs, cert + ".key"))
        # Anything the client sent before the handshake is dropped, as a
        # careful server would do (RFC 2595, RFC 3207 5).
        self.buf = b""
        self.pos = 0
        self.pushback = []
        try:
            self.sock = ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError) as e:
            self.event("tls-failed %s" % e)
            raise Closed("tls handshake: %s" % e)
        self.secure = True
        self.event("tls-up %s" % cert)


class BaseSession:
    """A connection's server side: self.c (a BaseConn), self.case, self.plain;
    a subclass has handle(LINE) (False after QUIT), step(STEP) (the steps of
    its own, then common_step) and implicit_tls()."""

    def serve(self, until=None):
        while True:
            line = self.c.readline()
            if until and re.search(until, line):
                self.c.pushback.append(line)
                return True
            if not self.handle(line):
                return False

    def mismatch(self, want, got):
        self.c.event("mismatch: expected %r, got %r" % (want, got))
        raise Closed("script mismatch")

    def common_step(self, step):
        """The steps both servers have."""
        word, _, arg = step.partition(" ")
        c = self.c
        if word == "send":
            c.line(unescape(arg))
        elif word == "sendraw":
            c.send(unescape(arg))
        elif word == "expect":
            line = c.readline()
            if not re.fullmatch(arg, line):
                self.mismatch(arg, line)
        elif word == "recv":
            c.readline()
        elif word == "handle":
            if not self.handle(c.readline()):
                raise Closed("quit")
        elif word in ("stall", "sleep"):
            c.event("stall %s" % arg)
            time.sleep(float(arg))
        elif word == "close":
            raise Closed("script close")
        else:
            raise SystemExit("%s: unknown step %r" % (self.case.path, step))

    def run(self):
        try:
            self.implicit_tls()
            if self.plain or self.case.script is None:
                self.c.line(self.case.greeting)
                self.serve()
            else:
                for step in self.case.script:
                    self.step(step)
                self.c.event("script done")
        except Closed as e:
            self.c.event("closed: %s" % e)


def match_lines(pattern, lines, same):
    """LINES match PATTERN, line by line as SAME(PATTERN LINE, LINE) says,
    where a "..." line matches any run of lines."""
    if not pattern:
        return not lines
    if pattern[0] == "...":
        return any(match_lines(pattern[1:], lines[i:], same) for i in range(len(lines) + 1))
    return bool(lines) and same(pattern[0], lines[0]) and \
        match_lines(pattern[1:], lines[1:], same)


def script_problems(log):
    """The mismatches the server LOG (lines) shows."""
    return ["the client did not do what the script expects: " + l[len("event: "):]
            for l in log if l.startswith("event: mismatch")]


def check_common(kind, arg, args, stderr, client, log, same):
    """The problems with expectation KIND ARG that both servers have
    (ARGS.rc, ARGS.secs: how surat exited, how long it took; CLIENT, the
    lines the server received, matched to "client" by SAME), or None when
    KIND is not one of them."""
    problems = []
    if kind == "exit":
        if args.rc != int(arg):
            problems.append("exit status %d, expected %s" % (args.rc, arg))
    elif kind == "stderr":
        if not any(re.search(arg, l) for l in stderr):
            problems.append("no stderr line matches /%s/" % arg)
    elif kind == "stderr-lacks":
        bad = [l for l in stderr if re.search(arg, l)]
        if bad:
            problems.append("stderr has /%s/: %r" % (arg, bad[0][:200]))
    elif kind == "client-lacks":
        bad = [l for l in client if re.search(arg, l)]
        if bad:
            problems.append("the server received /%s/: %r" % (arg, bad[0][:100]))
    elif kind == "max-seconds":
        if args.secs > float(arg):
            problems.append("took %.1f s, at most %s expected" % (args.secs, arg))
    elif kind == "client":
        if not match_lines(arg, client, same):
            problems.append("the client's lines differ from the expected transcript")
            problems.extend("  expected: %s" % x for x in arg)
            problems.extend("  received: %s" % x for x in client[:40])
    else:
        return None
    return problems


def report(problems, stderr_tail, log_tail):
    """Print PROBLEMS as TAP comments, and with them the tails of surat's
    stderr and the server's log; 1 when there are any, else 0."""
    for p in problems:
        print("# " + p)
    if problems:
        print("# surat's stderr (last 25 lines):")
        for l in stderr_tail:
            print("#   " + l[:300])
        print("# server log (last 25 lines):")
        for l in log_tail:
            print("#   " + l[:300])
    return 1 if problems else 0
