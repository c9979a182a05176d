#!/bin/sh
# The integration harness itself, checked with other clients (no surat
# needed): the private Dovecot of lib.sh starts, verifies with the test CA,
# offers every mechanism surat speaks, and serves mpop, fetchmail, openssl
# s_client and Python's poplib byte for byte; it stops without leaving a
# process behind.  The proxy and the faulty server get a quick look too.
. "$(dirname "$0")/lib.sh"
dc_require 22

check "Dovecot starts on 127.0.0.1 with POP3 and POP3S" dc_start alice bob carol
dc_seed alice 5
dc_seed bob 3 0 100
snapshot_server alice

# s_client PORT [ARGS]: the first lines a verified TLS client reads.
s_client() {
	port=$1
	shift
	echo QUIT | timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$DC_CA" \
		-verify_return_error -verify_ip 127.0.0.1 -quiet "$@" 2>"$IT_TMP/s_client.err"
}
check "POP3S: the certificate verifies against the test CA for 127.0.0.1" \
	sh -c "$(printf '%s' "echo QUIT | timeout 10 openssl s_client -connect 127.0.0.1:$DC_POP3S_PORT \
		-CAfile '$DC_CA' -verify_return_error -verify_ip 127.0.0.1 -quiet 2>/dev/null | grep -q '^+OK'")"
out=$(s_client "$DC_POP3_PORT" -starttls pop3)
check "STLS: the upgraded channel verifies too" test -n "$out"

capa=$(python3 - "$DC_POP3_PORT" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
print(p.getwelcome().decode())
for k, v in p.capa().items():
    print((k + " " + " ".join(v)).strip())
p.quit()
PY
)
for want in PIPELINING UIDL TOP STLS RESP-CODES AUTH-RESP-CODE USER \
	"SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER"; do
	printf '%s\n' "$capa" | grep -qx "$want" || { comment "CAPA lacks $want"; capa_bad=1; }
done
check "CAPA offers PIPELINING, UIDL, TOP, STLS and every SASL mechanism" test -z "${capa_bad:-}"
check "the greeting carries an APOP timestamp" sh -c "printf '%s' '$capa' | head -1 | grep -q '<.*@.*>'"

apop=$(python3 - "$DC_POP3_PORT" "$(dc_password alice)" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.apop("alice", sys.argv[2])
print(p.stat()[0])
p.quit()
PY
)
check "APOP logs in (Python's poplib)" test "$apop" = 5

# mpop_fetch NAME TLS AUTH [SECRET]: mpop fetches alice's mail into IT_TMP/NAME.
mpop_fetch() {
	md="$IT_TMP/$1"
	mkdir -p "$md/tmp" "$md/new" "$md/cur"
	if [ "$2" = implicit ]; then port=$DC_POP3S_PORT st=off; else port=$DC_POP3_PORT st=on; fi
	cat >"$IT_TMP/mpoprc" <<MPOP
account a
host 127.0.0.1
port $port
tls on
tls_starttls $st
tls_trust_file $DC_CA
user alice
password ${4:-$(dc_password alice)}
auth $3
delivery maildir $md
keep on
uidls_file $IT_TMP/$1.uidls
received_header off
pipelining auto
timeout 20
MPOP
	chmod 600 "$IT_TMP/mpoprc"
	timeout 60 mpop -C "$IT_TMP/mpoprc" -q a >"$IT_TMP/mpop.out" 2>&1
}

for mech in user plain login cram-md5 scram-sha-1 scram-sha-256 oauthbearer xoauth2; do
	secret=
	case $mech in oauthbearer | xoauth2) secret=$(dc_token alice) ;; esac
	upper=$(echo "$mech" | tr 'a-z' 'A-Z')
	[ "$mech" = user ] && upper=PLAIN # Dovecot logs USER/PASS as PLAIN
	if mpop_fetch "mpop-$mech" implicit "$mech" "$secret" &&
		same_content "$(dc_maildir alice)" -- "$IT_TMP/mpop-$mech" &&
		grep -q "Login: user=<alice>, method=$upper," "$DC_DIR/dovecot.log"; then
		ok "mpop over POP3S with $mech gets every message byte for byte"
	else
		sed 's/^/# /' "$IT_TMP/mpop.out"
		not_ok "mpop over POP3S with $mech gets every message byte for byte"
	fi
done
mpop_fetch mpop-stls starttls scram-sha-256
check "mpop over STLS (SCRAM-SHA-256) gets every message byte for byte" \
	same_content "$(dc_maildir alice)" -- "$IT_TMP/mpop-stls"
mpop_fetch mpop-stls starttls scram-sha-256
check "mpop's rerun gets nothing new (UIDLs are stable)" \
	test "$(find "$IT_TMP/mpop-stls/new" -type f | wc -l)" -eq 5

# fetchmail over POP3S with certificate checks, one MDA run per message.  It
# matches only DNS names (not the IP address) against the certificate.
mkdir -p "$IT_TMP/fm/tmp" "$IT_TMP/fm/new" "$IT_TMP/fm/cur" "$IT_TMP/fmhome"
cat >"$IT_TMP/fmhome/fetchmailrc" <<FM
set no bouncemail
poll 127.0.0.1 with proto POP3 port $DC_POP3S_PORT uidl
  user "alice" there with password "$(dc_password alice)" is "$(id -un)" here
  ssl sslcertck sslcertfile "$DC_CA" sslcommonname localhost keep
  mda "$IT_SRC/mda.sh $IT_TMP/fm"
FM
chmod 600 "$IT_TMP/fmhome/fetchmailrc"
FETCHMAILHOME="$IT_TMP/fmhome" timeout 60 fetchmail -f "$IT_TMP/fmhome/fetchmailrc" \
	--idfile "$IT_TMP/fmhome/ids" --pidfile "$IT_TMP/fmhome/pid" --nosyslog -N --invisible \
	>"$IT_TMP/fm.out" 2>&1
if [ "$(find "$IT_TMP/fm/new" -type f | wc -l)" -eq 5 ]; then
	ok "fetchmail over POP3S with sslcertck gets every message"
else
	sed 's/^/# /' "$IT_TMP/fm.out"
	not_ok "fetchmail over POP3S with sslcertck gets every message"
fi

check "the server's files are unchanged by all that (pop3_no_flag_updates)" \
	server_unchanged alice
python3 - "$DC_POP3S_PORT" "$DC_CA" <<'PY' >"$IT_TMP/wrong.out" 2>&1
import poplib, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
t = time.time()
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
p.user("alice")
try:
    p.pass_("wrong")
    print("accepted")
except poplib.error_proto as e:
    print("refused %.1f %s" % (time.time() - t, e))
PY
check "a wrong password is refused at once (auth_failure_delay = 0)" \
	sh -c "grep -q '^refused 0\.[0-9] ' '$IT_TMP/wrong.out'"
tok=$(dc_token alice -60)
mpop_fetch mpop-expired implicit xoauth2 "$tok"
check "an expired OAuth token is refused" grep -q "authentication failed" "$IT_TMP/mpop.out"

# The proxy: PIPELINING left out of CAPA, mpop still fetches through it.
px_start --drop-capa PIPELINING
capa=$(python3 -c "import poplib; p = poplib.POP3('127.0.0.1', $PX_PORT); print(' '.join(p.capa())); p.quit()")
check "the proxy hides PIPELINING from CAPA" sh -c "! printf '%s' '$capa' | grep -q PIPELINING"
px_stop

# The faulty server serves poplib, and drops where its script says.
python3 "$IT_SRC/fakepop3.py" serve "$IT_SRC/faults/drop-mid-retr.case" --certs "$DC_DIR/tls" \
	--port-file "$IT_TMP/fake.port" --log "$IT_TMP/fake.log" &
fake=$!
wait_until 20 test -s "$IT_TMP/fake.port"
res=$(python3 - "$(cat "$IT_TMP/fake.port")" <<'PY'
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("alice"); p.pass_("s3cr3t-fake-pw")
n = len(b"\n".join(p.retr(1)[1]))
try:
    p.retr(2)
    print(n, "no drop")
except poplib.error_proto as e:
    print(n, "dropped")
PY
)
kill "$fake" 2>/dev/null
wait "$fake" 2>/dev/null
check "fakepop3.py serves a message, then drops mid-RETR as scripted" \
	sh -c "printf '%s' '$res' | grep -q '^[0-9]* dropped$'"

pgid=$DC_PID
dc_stop
check "stopping leaves no Dovecot process and no listener" \
	sh -c "! pgrep -g $pgid >/dev/null && ! port_listens $DC_POP3_PORT 2>/dev/null"
tap_end
