#!/bin/sh
# surat send against a real submission server: the private Postfix of
# lib-smtp.sh in front of lib.sh's Dovecot.  Sent over STARTTLS and
# implicit TLS with AUTH, delivered by Postfix into the Dovecot user's
# Maildir, fetched back over POP3 by surat and compared with what was sent;
# Bcc delivered but never seen; the Sent copy, the Outbox and the index;
# a wrong password and a refused recipient leave the message queued, and
# `surat send --queue` then sends it once, several over one connection.
# (lib-smtp.sh: a wrong password comes last, as Dovecot's auth penalty then
# slows every login from 127.0.0.1.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-smtp.sh"
dc_require 34
pf_require 34

dc_start alice bob
pf_start
D=$PF_DOMAIN
OUTBOX=$IT_STORE/alice/.Outbox
SENT=$IT_STORE/alice/.Sent

# account_text PORT TLS [MORE]: alice's account, sending through Postfix.
account_text() {
	dc_account alice alice implicit "from = \"Alice Émile <alice@$D>\"; smtp = { host = \"127.0.0.1\"; port = $1; tls = \"$2\"; ca_file = \"$DC_CA\"; timeout = 10; ${3:-} };"
}

# send ARGS...: surat send with the message on stdin; status in SEND_RC,
# stderr in SEND_ERR.
SEND_ERR=$IT_TMP/send.err
send() {
	timeout -k 5 60 "$SURAT" -c "$IT_CFG" send "$@" >"$IT_TMP/send.out" 2>"$SEND_ERR"
	SEND_RC=$?
}

files_in() { find "$1/cur" "$1/new" -type f 2>/dev/null | wc -l; }
outbox_rows() { sqlite3 "$IT_STORE/index.db" "select count(*) from outbox"; }

# what_went_out FILE: FILE without its Bcc field, as surat puts it on the wire.
what_went_out() { sed '/^$/,$!{/^Bcc:/d}' "$1"; }

# ends_with BIG SMALL: the file BIG ends with the bytes of SMALL (the
# server prepends its own trace fields, Return-Path and Received).
ends_with() {
	n=$(wc -c <"$2")
	tail -c "$n" "$1" | cmp -s - "$2"
}

it_config "$(account_text "$PF_PORT" starttls)" "$(dc_account bob bob implicit)"

# 1. STARTTLS, AUTH, a UTF-8 subject and name, a Bcc, an attachment.
MSG=$IT_TMP/msg1
cat >"$MSG" <<EOF
To: Bob Bäcker <bob@$D>
Bcc: alice@$D
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_Z=C3=BCrich?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Grüße, Bob.
.a line that starts with a dot
..and one with two

--b1
Content-Type: application/octet-stream; name="data.bin"
Content-Transfer-Encoding: base64

AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v
--b1--
EOF
send -t <"$MSG"
check "starttls: surat send exits 0 once the server accepted it" test "$SEND_RC" -eq 0
check "starttls: nothing on stderr without -v" test ! -s "$SEND_ERR"
check "the message moved to Sent, once" test "$(files_in "$SENT")" -eq 1
check "the Outbox is empty, and so is its table" \
	test "$(files_in "$OUTBOX")" -eq 0 -a "$(outbox_rows)" -eq 0
SENT_FILE=$(find "$SENT/cur" -type f | head -1)
check "the Sent copy is flagged seen" sh -c 'case "$1" in *:2,*S*) ;; *) exit 1;; esac' - "$SENT_FILE"
check "the Sent copy keeps the Bcc (as mutt's does)" grep -q "^Bcc: alice@$D" "$SENT_FILE"
check "the Sent copy got From, Date and Message-ID" \
	sh -c 'grep -q "^From: .*<alice@$2>" "$1" && grep -q "^Date: " "$1" && grep -q "^Message-ID: <.*@$2>" "$1"' - "$SENT_FILE" "$D"
check "the Sent copy is in the index, in the Sent folder" \
	test "$(sqlite3 "$IT_STORE/index.db" "select count(*) from messages where account = 'alice' and folder = 'Sent'")" -eq 1
pf_wait_delivered "$(dc_maildir bob)" 1
pf_wait_delivered "$(dc_maildir alice)" 1
it_fetch bob
check "bob fetches it back over POP3" test "$IT_RC" -eq 0 -a "$(store_count bob)" -eq 1
GOT=$(find "$IT_STORE/bob/new" "$IT_STORE/bob/cur" -type f | head -1)
what_went_out "$SENT_FILE" >"$IT_TMP/wire1"
check "what arrived is what was sent, byte for byte (after the server's trace fields)" \
	ends_with "$GOT" "$IT_TMP/wire1"
check "the Bcc recipient got it too" test "$(dc_count alice)" -eq 1
check "no Bcc field reached anyone" sh -c '! grep -q "^Bcc:" "$1" && ! grep -rq "^Bcc:" "$2"' - "$GOT" "$(dc_maildir alice)"
check "auth = auto logged in with the strongest mechanism offered (the server's log)" grep -q "sasl_method=SCRAM-SHA-256, sasl_username=alice" "$PF_DIR/maillog"

# 2. implicit TLS on the submissions port; -v shows the dialogue, not the password.
it_config "$(account_text "$PF_SMTPS_PORT" implicit)" "$(dc_account bob bob implicit)"
printf 'To: someone@example.net\nSubject: implicit\n\nhello over 465\n' >"$IT_TMP/msg2"
send -t -v <"$IT_TMP/msg2"
check "implicit TLS: sent" test "$SEND_RC" -eq 0
pf_wait_delivered "$PF_SINK" 1
check "implicit TLS: relayed after AUTH to another domain" grep -rq "hello over 465" "$PF_SINK"
check "-v shows the dialogue" grep -q "^C: MAIL FROM:<alice@$D>" "$SEND_ERR"
check "-v never shows the password or its base64" \
	sh -c '! grep -q "$1" "$3" && ! grep -q "$2" "$3"' - "$(dc_password alice)" \
	"$(printf '\0alice\0%s' "$(dc_password alice)" | base64)" "$SEND_ERR"
check "-v: the EHLO name is the From address's domain" grep -q "^C: EHLO $D" "$SEND_ERR"

# A bounce (-t): to its Resent-To, never to the To of the message it carries.
printf 'Resent-From: alice@%s\nResent-To: resent@example.net\nFrom: bob@%s\nTo: alice@%s\nSubject: bounced\n\nbounced body\n' \
	"$D" "$D" "$D" >"$IT_TMP/bounce"
send -t <"$IT_TMP/bounce"
pf_wait_delivered "$PF_SINK" 2
check "a bounce goes to its Resent-To" test "$SEND_RC" -eq 0 -a "$(grep -rl "bounced body" "$PF_SINK" | wc -l)" -eq 1
check "a bounce does not go to the To it carries" test "$(grep -rl "bounced body" "$(dc_maildir alice)" | wc -l)" -eq 0

# 3. A recipient the server refuses (550 5.1.1): nothing goes, the message waits.
printf 'To: nobody@%s, bob@%s\nSubject: fourth\n\nfourth body\n' "$D" "$D" >"$IT_TMP/msg4"
send -t <"$IT_TMP/msg4"
check "refused recipient: exit 1" test "$SEND_RC" -eq 1
check "refused recipient: the reason names the address and quotes the server" \
	grep -q "recipient <nobody@$D> was refused.*550 5.1.1" "$SEND_ERR"
check "refused recipient: nobody got it (all or nothing)" \
	test "$(grep -rl "fourth body" "$(dc_maildir bob)" | wc -l)" -eq 0
check "refused recipient: it stays in the Outbox, refused" \
	test "$(sqlite3 "$IT_STORE/index.db" "select state from outbox")" = 2
rm -rf "$OUTBOX"/cur/* && sqlite3 "$IT_STORE/index.db" "delete from messages where folder = 'Outbox'"

# 4. The server down: three messages wait; then one connection sends them all.
it_config "$(account_text 9 starttls)" "$(dc_account bob bob implicit)"
for n in 5 6 7; do
	printf 'To: bob@%s\nSubject: batch %s\n\nbatch body %s\n' "$D" "$n" "$n" | send -t
done
check "server down: each send exits 1 and the three wait" \
	test "$SEND_RC" -eq 1 -a "$(files_in "$OUTBOX")" -eq 3
it_config "$(account_text "$PF_PORT" starttls)" "$(dc_account bob bob implicit)"
send --queue -v
check "send --queue: all three sent" test "$SEND_RC" -eq 0 -a "$(files_in "$OUTBOX")" -eq 0
check "send --queue: over one connection (one greeting, one login)" \
	test "$(grep -c '^C: AUTH ' "$SEND_ERR")" -eq 1
pf_wait_delivered "$(dc_maildir bob)" 5
check "send --queue: each delivered once" \
	test "$(grep -rl "batch body" "$(dc_maildir bob)" | wc -l)" -eq 3

# 5. A wrong password (last: Dovecot slows every later login after one):
# the message waits; with the right one it goes, once.
it_config "$(account_text "$PF_PORT" starttls 'password = "wrong";')" "$(dc_account bob bob implicit)"
printf 'To: bob@%s\nSubject: third\n\nthird body\n' "$D" >"$IT_TMP/msg3"
send -t <"$IT_TMP/msg3"
check "wrong password: exit 1" test "$SEND_RC" -eq 1
check "wrong password: one line naming the host and the refusal" \
	sh -c 'test "$(wc -l <"$1")" -eq 1 && grep -q "^surat send: account alice: message [0-9]* stays in the Outbox for a later try: 127.0.0.1: login as alice (SCRAM-SHA-256).*not accepted.*535" "$1" && ! grep -q wrong "$1"' - "$SEND_ERR"
check "wrong password: the message stays in the Outbox" test "$(files_in "$OUTBOX")" -eq 1
it_config "$(account_text "$PF_PORT" starttls)" "$(dc_account bob bob implicit)"
send --queue
check "send --queue with the right password: exit 0" test "$SEND_RC" -eq 0
pf_wait_delivered "$(dc_maildir bob)" 2
check "send --queue: delivered once" test "$(grep -rl "third body" "$(dc_maildir bob)" | wc -l)" -eq 1
check "send --queue: the Outbox is empty" test "$(files_in "$OUTBOX")" -eq 0


[ "$tap_failed" -eq 0 ] || { pf_log; dc_log; }
tap_end
