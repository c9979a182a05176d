#!/usr/bin/env python3
"""gen-maildir.py [--fetch-mix] DIR COUNT [SEED]: fill the Maildir DIR with
COUNT realistic messages: plain text, HTML alternatives, attachments, threads
with quoting, RFC 2047 names and subjects, dates over three years, 80%
already read.

--fetch-mix gives the sizes of a mailbox as a POP3 fetcher meets it (for
bench/fetch): 85% text of 2-20 KB, 10% with a 50-340 KB attachment, 5% with
a 0.2-1 MB one; 2,000 messages come to about 126 MB."""
import base64
import os
import random
import sys

FIRST = ["Alice", "Bob", "Carla", "Dmitri", "Elif", "François", "Günther", "Hana",
         "Ines", "José", "Kai", "Léa", "Marta", "Nils", "Olga", "Pedro", "Quentin",
         "Rosa", "Søren", "Tomás", "Ulla", "Vera", "Wen", "Xavier", "Yuki", "Zoë",
         "太郎", "美咲", "Анна", "Σοφία"]
LAST = ["Smith", "Müller", "García", "Rossi", "Novak", "Dubois", "Kowalski",
        "Andersen", "Yamada", "Kim", "Silva", "Ivanova", "Papadopoulou", "O'Brien",
        "Nguyen", "Fischer", "Lindqvist", "Costa", "Horvath", "Jensen"]
DOMAINS = ["example.org", "example.net", "mail.example.com", "lists.example.org",
           "corp.example", "university.example.edu"]
WORDS = ("the relay queue server backup migration plan review invoice report "
         "meeting agenda schedule deploy release patch kernel firewall certificate "
         "budget quarter design proposal draft feedback question update status "
         "network storage database index cache latency throughput incident outage "
         "ticket customer contract renewal travel booking conference talk slides "
         "paper deadline holiday team lunch welcome onboarding laptop password "
         "account policy security audit compliance license mirror package upstream "
         "bug crash regression test coverage benchmark profile memory thread lock "
         "and for with from into over under about after before during while").split()
RARE = ["xylophonic", "quasquicentennial", "zymurgy", "floccinaucinihilipilification"]


def encode_word(s):
    if all(ord(c) < 128 for c in s):
        return s
    return "=?UTF-8?B?" + base64.b64encode(s.encode()).decode() + "?="


def sentence(rng, n=None):
    n = n or rng.randint(6, 18)
    w = [rng.choice(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    return " ".join(w) + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng):
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > 72:
            lines.append(line)
            line = word
        else:
            line = (line + " " + word).strip()
    lines.append(line)
    return "\n".join(lines)


def body_text(rng, quoted=None):
    parts = []
    if quoted:
        parts.append("On a previous day someone wrote:")
        parts.append("\n".join("> " + l for l in quoted.splitlines()[:12]))
    parts.extend(paragraph(rng) for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.001:
        parts.append("A " + rng.choice(RARE) + " remark.")
    parts.append("-- \n" + rng.choice(FIRST) + "\n")
    return "\n\n".join(parts)


def grow(rng, text, target):
    """TEXT with more paragraphs, until it is about TARGET bytes."""
    parts = [text]
    n = len(text.encode())
    while n < target:
        p = paragraph(rng)
        parts.insert(-1, p)
        n += len(p.encode()) + 2
    return "\n\n".join(parts)


def main():
    fetch_mix = "--fetch-mix" in sys.argv
    argv = [a for a in sys.argv if a != "--fetch-mix"]
    top, count = argv[1], int(argv[2])
    rng = random.Random(int(argv[3]) if len(argv) > 3 else 1)
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(top, sub), exist_ok=True)
    people = [(rng.choice(FIRST), rng.choice(LAST), rng.choice(DOMAINS)) for _ in range(400)]
    start = 1700000000
    span = 3 * 365 * 86400
    threads = []  # (message-id, subject, body) of earlier messages
    for i in range(count):
        first, last, dom = rng.choice(people)
        to_first, to_last, to_dom = rng.choice(people)
        t = start + int(span * i / count) + rng.randint(0, 3000)
        mid = "%d.%d@%s" % (t, i, dom)
        headers = [
            "Return-Path: <%s.%s@%s>" % (first.lower(), last.lower(), dom),
            "Received: from mx.%s (mx.%s [192.0.2.%d])\n\tby pop.example.net with ESMTPS id %08x;\n\t%s"
            % (dom, dom, i % 250, i, "Mon, 1 Jan 2024 00:00:00 +0000"),
            "From: %s <%s.%s@%s>" % (encode_word(first + " " + last), "u%d" % (i % 400), "x", dom),
            "To: %s <%s@%s>" % (encode_word(to_first + " " + to_last), "alice", to_dom),
            "Date: %s" % __import__("email.utils").utils.formatdate(t, localtime=False),
            "Message-ID: <%s>" % mid,
            "MIME-Version: 1.0",
        ]
        quoted = None
        if threads and rng.random() < 0.35:
            pid, psubj, pbody, prefs = rng.choice(threads[-500:])
            subject = psubj if psubj.startswith("Re: ") else "Re: " + psubj
            headers.append("In-Reply-To: <%s>" % pid)
            headers.append("References: %s <%s>" % (prefs, pid) if prefs else "References: <%s>" % pid)
            refs = ((prefs + " ") if prefs else "") + "<%s>" % pid
            quoted = pbody
        else:
            subject = sentence(rng, rng.randint(3, 8)).rstrip(".?!")
            if rng.random() < 0.1:
                subject += " " + rng.choice(["für", "über", "café", "日程", "отчёт"])
            refs = ""
        headers.append("Subject: %s" % encode_word(subject))
        text = body_text(rng, quoted)
        kind = rng.random()
        blob_size = rng.randint(8000, 60000)
        if fetch_mix:
            # Text 2-20 KB; attachments: 10% 50-340 KB, 5% 0.2-1 MB (base64).
            text = grow(rng, text, rng.randint(1500, 17000))
            kind = rng.random()
            if kind >= 0.95:
                blob_size = rng.randint(150000, 740000)
            elif kind >= 0.85:
                blob_size = rng.randint(37000, 250000)
            kind = 0.88 * kind / 0.85 if kind < 0.85 else 0.9
        if kind < 0.70:
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: 8bit")
            body = text
        elif kind < 0.88:
            b = "alt-%d" % i
            html = "<html><body>" + "".join("<p>%s</p>" % p for p in text.split("\n\n")) + "</body></html>"
            headers.append('Content-Type: multipart/alternative; boundary="%s"' % b)
            body = ("--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n--%s\n"
                    "Content-Type: text/html; charset=utf-8\n\n%s\n--%s--\n" % (b, text, b, html, b))
        else:
            b = "mix-%d" % i
            blob = base64.encodebytes(rng.randbytes(blob_size)).decode()
            headers.append('Content-Type: multipart/mixed; boundary="%s"' % b)
            body = ("--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n--%s\n"
                    "Content-Type: application/pdf; name=\"report-%d.pdf\"\n"
                    "Content-Disposition: attachment; filename=\"report-%d.pdf\"\n"
                    "Content-Transfer-Encoding: base64\n\n%s--%s--\n" % (b, text, b, i, i, blob, b))
        data = ("\n".join(headers) + "\n\n" + body + "\n").encode()
        threads.append((mid, subject, text, refs))
        if len(threads) > 2000:
            del threads[:1000]
        name = "%d.M%dP%dQ%d.benchhost" % (t, i % 1000000, os.getpid(), i)
        if rng.random() < 0.8:
            path = os.path.join(top, "cur", name + ":2,S")
        else:
            path = os.path.join(top, "new", name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (t, t))


if __name__ == "__main__":
    main()
