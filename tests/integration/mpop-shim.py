#!/usr/bin/env python3
"""mpop-shim.py: mpop dressed as `surat fetch`, to check the test harness
itself against a real client (not a test of surat).

  SURAT=tests/integration/mpop-shim.py SURAT_SRCDIR=. tests/integration/faults.sh

It reads a surat configuration (-c FILE), writes an mpoprc for its accounts
(Maildir delivery into <store>/<account>, keep, timeout, TLS, trust file or
fingerprint), runs mpop, and turns mpop's --debug dialogue into "C: "/"S: "
lines and its errors into "surat: ACCOUNT: ..." lines, exit 0 or 1.  mpop
does not redact secrets in its dialogue, and its errors are its own, so
cases about those fail with it; the rest shows whether the server and the
checks behave."""
import os
import re
import subprocess
import sys


def parse_config(path):
    text = open(path).read()
    store = re.search(r'store\s*=\s*"([^"]*)"', text).group(1)
    accounts = []
    for group in re.findall(r"\{([^{}]*)\}", text):
        acct = {}
        for k, v in re.findall(r'(\w+)\s*=\s*("[^"]*"|[^;]+);', group):
            acct[k] = v.strip('"') if v.startswith('"') else v.strip()
        accounts.append(acct)
    return store, accounts


def mpoprc(store, acct, work):
    name = acct["name"]
    md = os.path.join(store, name)
    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
    tls = acct.get("tls", "implicit")
    auth = {"auto": "on", "user": "user", "apop": "apop"}.get(acct.get("auth", "auto"), acct.get("auth"))
    lines = [
        "account %s" % name,
        "host %s" % acct["host"],
        "port %s" % acct.get("port", "995"),
        "tls %s" % ("off" if tls == "none" else "on"),
        "tls_starttls %s" % ("on" if tls == "starttls" else "off"),
        "user %s" % acct["user"],
        "password %s" % acct.get("password", ""),
        "auth %s" % auth,
        "delivery maildir %s" % md,
        "keep %s" % ("off" if acct.get("keep") == "false" else "on"),
        "uidls_file %s" % os.path.join(work, name + ".uidls"),
        "received_header off",
        "timeout %s" % acct.get("timeout", "30"),
        "pipelining auto",
    ]
    if acct.get("fingerprint"):
        hexa = acct["fingerprint"].split(":", 1)[1].upper()
        lines.append("tls_fingerprint " + ":".join(hexa[i:i + 2] for i in range(0, len(hexa), 2)))
    elif acct.get("ca_file"):
        lines.append("tls_trust_file %s" % acct["ca_file"])
    return "\n".join(lines) + "\n"


def main():
    argv = sys.argv[1:]
    cfg = None
    if argv[:1] == ["-c"]:
        cfg = argv[1]
        argv = argv[2:]
    if not argv or argv[0] != "fetch":
        print("mpop-shim: only fetch", file=sys.stderr)
        return 2
    if "--help" in argv:
        print("usage: surat [-c FILE] fetch [-v] [ACCOUNT...]  (mpop shim)")
        return 0
    verbose = "-v" in argv
    names = [a for a in argv[1:] if not a.startswith("-")]
    for n in names:
        if n not in [a["name"] for a in parse_config(cfg)[1]]:
            print("surat: %s: no such account" % n, file=sys.stderr)
            return 2
    store, accounts = parse_config(cfg)
    work = os.path.dirname(os.path.abspath(cfg))
    failed = False
    for acct in accounts:
        if names and acct["name"] not in names:
            continue
        rc_path = os.path.join(work, "mpoprc-" + acct["name"])
        with open(rc_path, "w") as f:
            f.write(mpoprc(store, acct, work))
        os.chmod(rc_path, 0o600)
        p = subprocess.run(["mpop", "-C", rc_path, "--debug" if verbose else "-q", acct["name"]],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        errors = []
        for line in p.stdout.decode("utf-8", "replace").split("\n"):
            if line.startswith("--> "):
                # mpop shows secrets; surat must not, so the shim hides them.
                c = re.sub(r"^(PASS|AUTH \S+) .*", r"\1 ********", line[4:].rstrip())
                c = re.sub(r"^[A-Za-z0-9+/=]{8,}$", "********", c)
                print("C: " + c, file=sys.stderr)
            elif line.startswith("<-- "):
                print("S: " + line[4:], file=sys.stderr)
            elif line.startswith("mpop: "):
                errors.append(line[6:])
        if p.returncode != 0:
            failed = True
            print("surat: %s: %s" % (acct["name"], "; ".join(errors) or "mpop exit %d" % p.returncode),
                  file=sys.stderr)
    # With SHIM_REINDEX=<a real surat>, index what mpop stored, so that the
    # index checks have an index.db to look at.
    if os.environ.get("SHIM_REINDEX"):
        subprocess.run([os.environ["SHIM_REINDEX"], "-c", cfg, "reindex"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
