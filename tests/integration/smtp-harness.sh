#!/bin/sh
# The SMTP side of the harness (tests/integration/lib-smtp.sh), checked with
# Python's smtplib (no surat send needed): the private Postfix listens on
# 127.0.0.1 only; STARTTLS + AUTH PLAIN and implicit TLS + AUTH LOGIN as
# the Dovecot's users deliver into their Maildirs, and `surat fetch` gets
# the message back with the body byte for byte; no AUTH before STARTTLS, a
# wrong password is 535, no relaying without AUTH; after AUTH, mail to
# another domain lands in PF_SINK.  It stops without leaving a process.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-smtp.sh"
dc_require 9
pf_require 9

# pf_check DESCRIPTION COMMAND...: check, with the Postfix log on failure.
pf_check() {
	desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
		pf_log | tail -30
	fi
}

dc_start alice bob || exit 1
t0=$(date +%s%N)
pf_start
pf_rc=$?
comment "pf_start took $((($(date +%s%N) - t0) / 1000000)) ms"

# only_loopback: Postfix started; every listening TCP socket its master
# holds is on 127.0.0.1, both ports among them; nothing listens on port 25.
only_loopback() {
	[ "$pf_rc" -eq 0 ] || return 1
	inodes=$(ls -l "/proc/$PF_PID/fd" | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	cat /proc/net/tcp /proc/net/tcp6 | awk -v inodes=" $inodes" \
		-v a="$(printf '%04X' "$PF_PORT")" -v b="$(printf '%04X' "$PF_SMTPS_PORT")" '
		$4 == "0A" && index(inodes, " " $10 " ") {
			split($2, l, ":")
			if (l[1] != "0100007F") { print "# the master listens on " $2; bad = 1 }
			seen[l[2]] = 1
		}
		$4 == "0A" && $2 ~ /:0019$/ { print "# something listens on port 25: " $2; bad = 1 }
		END { exit bad || !(a in seen) || !(b in seen) }'
}
pf_check "Postfix starts: submission and submissions on 127.0.0.1 only, nothing on port 25" \
	only_loopback
[ "$pf_rc" -eq 0 ] || { tap_end; exit 1; }

# The messages, as they must arrive (LF line ends; smtp.py sends CRLF): the
# body has what a submission must carry unchanged: lines that start with
# dots, a lone dot, 8-bit text, a tab, trailing spaces, a long line.
msg() {
	printf 'From: %s\nTo: %s\nSubject: %s\nDate: Mon, 01 Jan 2024 10:00:00 +0000\n' "$1" "$2" "$3"
	printf 'Message-ID: <%s@surat.test>\nMIME-Version: 1.0\n' "$4"
	printf 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
	printf 'Hello %s,\n\n.a line with a leading dot\n.\n..\nGrüße, ünïcödé\n' "$2"
	printf 'a\ttab and trailing spaces   \n'
	awk 'BEGIN { for (i = 0; i < 180; i++) printf "long "; print "" }'
	printf 'From the sender, a line Maildir leaves alone.\n\n-- \nthe end\n'
}
msg "alice@$PF_DOMAIN" "alice@$PF_DOMAIN" "starttls plain" m1 >"$IT_TMP/m1.eml"
msg "bob@$PF_DOMAIN" "bob@$PF_DOMAIN" "implicit login" m2 >"$IT_TMP/m2.eml"
msg "alice@$PF_DOMAIN" "carol@example.net" "to the sink" m3 >"$IT_TMP/m3.eml"
msg "alice@$PF_DOMAIN" "dave@example.net" "relay without auth" m4 >"$IT_TMP/m4.eml"

# The SMTP dialogues, several in one Python run (it starts slowly on a busy
# machine): smtp_run NAME... appends one line each to IT_TMP/smtp.out:
# NAME ok|FAIL DETAIL.
cat >"$IT_TMP/smtp.py" <<'PY'
import base64, smtplib, ssl, sys
port, sport, ca, dom, pw_alice, pw_bob, tmp = sys.argv[1:8]
port, sport = int(port), int(sport)
ctx = ssl.create_default_context(cafile=ca)

def crlf(name):
    with open(f"{tmp}/{name}.eml", "rb") as f:
        return f.read().replace(b"\n", b"\r\n")

def result(name, good, detail=""):
    print(f"{name} {'ok' if good else 'FAIL'} {detail}", flush=True)

def starttls(user=None, pw=None, mech="PLAIN"):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.ehlo("client.test")
    s.starttls(context=ctx)
    s.ehlo("client.test")
    if user:
        s.user, s.password = user, pw
        s.auth(mech, getattr(s, "auth_" + mech.lower()), initial_response_ok=True)
    return s

def case(name, fn):
    if name not in sys.argv[8:]:
        return
    try:
        fn()
    except Exception as e:
        result(name, False, repr(e))

def starttls_plain():
    s = starttls("alice", pw_alice)
    s.sendmail(f"alice@{dom}", [f"alice@{dom}"], crlf("m1"), mail_options=["BODY=8BITMIME"])
    s.quit()
    result("starttls-plain", True)
case("starttls-plain", starttls_plain)

def implicit_login():
    s = smtplib.SMTP_SSL("127.0.0.1", sport, timeout=20, context=ctx)
    s.ehlo("client.test")
    s.user, s.password = "bob", pw_bob
    s.auth("LOGIN", s.auth_login, initial_response_ok=False)
    s.sendmail(f"bob@{dom}", [f"bob@{dom}"], crlf("m2"), mail_options=["BODY=8BITMIME"])
    s.quit()
    result("implicit-login", True)
case("implicit-login", implicit_login)

def auth_before_tls():
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.ehlo("client.test")
    offered = s.has_extn("auth")
    ir = base64.b64encode(f"\0alice\0{pw_alice}".encode()).decode()
    code, text = s.docmd("AUTH", "PLAIN " + ir)
    s.quit()
    result("auth-before-tls", not offered and code == 503,
           f"AUTH offered={offered}, reply {code} {text.decode()}")
case("auth-before-tls", auth_before_tls)

def relay_no_auth():
    s = starttls()
    try:
        s.sendmail(f"alice@{dom}", ["dave@example.net"], crlf("m4"))
        result("relay-no-auth", False, "accepted")
    except smtplib.SMTPRecipientsRefused as e:
        code, text = e.recipients["dave@example.net"]
        result("relay-no-auth", code == 554 and text.startswith(b"5.7.1"),
               f"{code} {text.decode()}")
    s.quit()
case("relay-no-auth", relay_no_auth)

def relay_auth():
    s = starttls("alice", pw_alice)
    s.sendmail(f"alice@{dom}", ["carol@example.net"], crlf("m3"), mail_options=["BODY=8BITMIME"])
    s.quit()
    result("relay-auth", True)
case("relay-auth", relay_auth)

def wrong_password():
    try:
        starttls("alice", "not-" + pw_alice).quit()
        result("wrong-password", False, "accepted")
    except smtplib.SMTPAuthenticationError as e:
        result("wrong-password", e.smtp_code == 535, f"{e.smtp_code} {e.smtp_error.decode()}")
case("wrong-password", wrong_password)
PY
smtp_run() {
	python3 "$IT_TMP/smtp.py" "$PF_PORT" "$PF_SMTPS_PORT" "$DC_CA" "$PF_DOMAIN" \
		"$(dc_password alice)" "$(dc_password bob)" "$IT_TMP" "$@" >>"$IT_TMP/smtp.out" 2>&1
}
# The wrong password comes last, after the fetch: after a failed AUTH,
# Dovecot delays the next logins from 127.0.0.1, POP3 ones too (its auth
# penalty: 2 seconds, then more).
smtp_run starttls-plain implicit-login auth-before-tls relay-no-auth relay-auth

# smtp_ok NAME: the dialogue NAME went as it should.
smtp_ok() {
	grep -q "^$1 ok" "$IT_TMP/smtp.out"
}

# body_is FILE MESSAGE: FILE's body (after the first empty line) is
# MESSAGE's, byte for byte.
body_is() {
	sed '1,/^$/d' "$1" >"$IT_TMP/got.body"
	sed '1,/^$/d' "$2" >"$IT_TMP/want.body"
	cmp -s "$IT_TMP/got.body" "$IT_TMP/want.body" && return 0
	echo "# body of $1 differs:"
	diff "$IT_TMP/want.body" "$IT_TMP/got.body" | head -10 | sed 's/^/#   /'
	return 1
}

# the_one DIR: the one message file in Maildir DIR's new/ or cur/.
the_one() {
	find "$1/new" "$1/cur" -type f 2>/dev/null | head -1
}

# sent_and_delivered NAME DIR: the dialogue NAME went well and Postfix
# delivered its one message into Maildir DIR.
sent_and_delivered() {
	smtp_ok "$1" && pf_wait_delivered "$2" 1
}

pf_check "STARTTLS + AUTH PLAIN as alice: delivered into alice's Dovecot Maildir" \
	sent_and_delivered starttls-plain "$(dc_maildir alice)"

# fetched_back: surat fetch gets alice's message, the same file as the
# Dovecot's, and the body is the one sent.
fetched_back() {
	it_config "$(dc_account a alice starttls)"
	it_fetch_ok &&
		same_content "$(dc_maildir alice)" -- "$IT_STORE/a" &&
		body_is "$(the_one "$IT_STORE/a")" "$IT_TMP/m1.eml"
}
if it_fetch_built; then
	pf_check "surat fetch gets it back over POP3, the body byte for byte" fetched_back
else
	skip "fetch not built" "surat fetch gets it back over POP3"
fi

implicit_ok() {
	sent_and_delivered implicit-login "$(dc_maildir bob)" &&
		body_is "$(the_one "$(dc_maildir bob)")" "$IT_TMP/m2.eml"
}
pf_check "implicit TLS + AUTH LOGIN as bob: delivered, the body byte for byte" implicit_ok

pf_check "AUTH before STARTTLS: not offered, and refused (503)" smtp_ok auth-before-tls
pf_check "without AUTH, mail to another domain is refused (554 5.7.1)" smtp_ok relay-no-auth

sink_ok() {
	sent_and_delivered relay-auth "$PF_SINK" &&
		body_is "$(the_one "$PF_SINK")" "$IT_TMP/m3.eml" &&
		grep -q '^Delivered-To: carol@example.net$' "$(the_one "$PF_SINK")"
}
pf_check "after AUTH, mail to carol@example.net lands in PF_SINK (and only that)" sink_ok

smtp_run wrong-password
pf_check "a wrong password is refused (535)" smtp_ok wrong-password
sed 's/^/# smtp.py: /' "$IT_TMP/smtp.out"

pid=$PF_PID
pf_stop
check "pf_stop leaves no Postfix process behind" \
	sh -c "! ps -e -o pgid=,stat= | awk '\$1 == $pid && \$2 !~ /^Z/' | grep -q ."

tap_end
