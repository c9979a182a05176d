#!/usr/bin/env python3
"""seedmail.py MAILDIR N [SIZE [FIRST]]: write N test messages into MAILDIR/cur
as a server's Maildir holds them (LF line ends), numbered FIRST.. (default 1).

SIZE is the rough size of each message in bytes; 0 (the default) gives a
deterministic mix of 1 to 30 KB.  Every message carries what a POP3 fetcher
must get right: lines starting with "." and "..", a line that is only "."
(the terminator, were it not stuffed), 8-bit UTF-8, a tab, trailing spaces,
and every fifth one a 3,000-byte line.  The same arguments always give the
same bytes, so tests can compare what a client stored with these files."""
import os
import random
import sys


def message(i, size):
    rng = random.Random(i)
    if size <= 0:
        size = rng.randint(1000, 30000)
    t = 1700000000 + i * 3600
    head = (
        "Return-Path: <sender%d@example.org>\n"
        "Received: from mx.example.org (mx.example.org [192.0.2.%d])\n"
        "\tby pop.example.net with ESMTPS id seed%06d;\n"
        "\tTue, 14 Nov 2023 22:13:20 +0000\n"
        "From: =?UTF-8?Q?S=C3=B8ren_Sender?= <sender%d@example.org>\n"
        "To: Alice <alice@example.net>\n"
        "Subject: Seeded message %d\n"
        "Date: %s\n"
        "Message-ID: <seed-%d@example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        "\n" % (i % 7, i % 250, i, i % 7, i,
                __import__("email.utils").utils.formatdate(t), i))
    lines = [
        "Message %d. Grüße, naïve café, 日本語, Ελληνικά." % i,
        ".a line starting with one dot",
        "..two dots",
        ".",
        "...",
        "\tindented with a tab and trailing spaces   ",
        "",
    ]
    if i % 5 == 0:
        lines.append("L" * 3000)
    body = "\n".join(lines) + "\n"
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()
    out = [head, body]
    n = len(head) + len(body)
    while n < size:
        line = " ".join(rng.choice(words) for _ in range(11)) + "\n"
        if rng.random() < 0.03:
            line = "." + line
        out.append(line)
        n += len(line)
    out.append("-- \nThe end of %d.\n" % i)
    return "".join(out).encode()


def main():
    top = sys.argv[1]
    count = int(sys.argv[2])
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    first = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(top, sub), exist_ok=True)
    for i in range(first, first + count):
        name = "%d.M%dP1Q%d.surat-seed:2," % (1700000000 + i * 3600, i, i)
        path = os.path.join(top, "cur", name)
        with open(path, "wb") as f:
            f.write(message(i, size))


if __name__ == "__main__":
    main()
