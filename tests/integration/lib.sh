# tests/integration/lib.sh: a private Dovecot on 127.0.0.1 for the tests
# (sourced by tests/integration/*.sh, which print TAP), and the helpers they
# share: TAP lines, a test CA, a surat configuration, running `surat fetch`,
# and comparing the store with what the server holds.
#
# Everything lives in one temporary folder (IT_TMP) removed on exit; the
# Dovecot started here is always stopped, its whole process group killed.
# Nothing listens anywhere but 127.0.0.1.
#
# Dovecot:  dc_start [USER...]   configure, start and wait until it listens
#           dc_seed USER N [SIZE [FIRST]]  write N messages into USER's Maildir
#           dc_stop              stop it (also done on exit)
#           dc_log               its log, as TAP comments
#           DC_POP3_PORT DC_POP3S_PORT DC_CA DC_DIR dc_password USER dc_maildir USER
#           DC_AUTH_SOCKET       Dovecot's auth socket for Postfix's SASL
# Postfix:  tests/integration/lib-smtp.sh, sourced after this file
# surat:    it_config ACCOUNT_TEXT...   write IT_CFG (store = IT_STORE)
#           dc_account NAME USER TLS [MORE]  account text pointing at the Dovecot
#           it_fetch [ARGS]      run surat -c IT_CFG fetch -v ARGS; IT_RC, IT_ERR
#           it_require_fetch N   skip N cases (and exit) unless surat fetch exists
# checks:   same_content DIR... -- DIR...   the messages of both sides, byte for byte
#           index_agrees ACCOUNT    index rows and Maildir files tell the same story
set -u
TZ=UTC
LC_ALL=C.UTF-8
export TZ LC_ALL

: "${SURAT:?SURAT must point at the built binary}"
: "${SURAT_SRCDIR:?SURAT_SRCDIR must point at the source tree}"
IT_SRC="$SURAT_SRCDIR/tests/integration"

# A short base: Dovecot's UNIX sockets live under it (108 bytes at most).
# (tools/demo-dovecot.sh sets IT_TMP to a folder of its own.)
it_base=${TMPDIR:-/tmp}
[ ${#it_base} -le 40 ] || it_base=/tmp
[ -n "${IT_TMP:-}" ] || IT_TMP=$(mktemp -d "$it_base/sit.XXXXXX") || exit 1
# The tmux servers' sockets live in the test's folder and go with it.
TMUX_TMPDIR=$IT_TMP
export TMUX_TMPDIR
# As root, Dovecot's own users must be able to reach the folders inside.
chmod 755 "$IT_TMP"
IT_STORE="$IT_TMP/store"
IT_CFG="$IT_TMP/surat.conf"
IT_ERR="$IT_TMP/fetch.err"
IT_OUT="$IT_TMP/fetch.out"
IT_RC=0
DC_PID=
DC_DIR=
DC_POP3_PORT=
DC_POP3S_PORT=
DC_CA=
DC_AUTH_SOCKET="$IT_TMP/r/smtp-auth"
tap_n=0
tap_failed=0

it_cleanup() {
	px_stop
	# The Postfix of lib-smtp.sh, when a test sourced it (before the Dovecot
	# whose auth socket it uses).
	! command -v pf_stop >/dev/null 2>&1 || pf_stop
	dc_stop
	[ -n "${IT_KEEP:-}" ] && { echo "# kept $IT_TMP" >&2; return; }
	rm -rf "$IT_TMP"
}
trap it_cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- TAP ---------------------------------------------------------------------

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

# not_ok DESCRIPTION: a failing case, with what the fetch said and the
# server's log as comments.
not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	if [ -s "$IT_ERR" ]; then
		echo "# last fetch (status $IT_RC), stderr:"
		tail -40 "$IT_ERR" | sed 's/^/#   /'
	fi
	dc_log | tail -30
}

# check DESCRIPTION COMMAND...: one TAP line from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# skip REASON [DESCRIPTION]: a skipped case.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n${2:+ - $2} # SKIP $1"
}

tap_end() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# comment TEXT...: a TAP comment (shown by the harness on failure).
comment() {
	echo "# $*"
}

# ---- waiting -----------------------------------------------------------------

# wait_until SECONDS COMMAND...: poll COMMAND every 50 ms until it succeeds
# (tests/tmux.sh's ui_poll, which keeps its variables to itself).
wait_until() { ui_poll "$@"; }

# ---- the interface in tmux (the driver: tests/tmux.sh) -----------------------

# it_ui NAME: this test drives surat's interface in private tmux servers
# (sockets surat-NAME-PID-N), every one of them stopped at exit; a server
# still answering after that fails the script.
it_ui() {
	IT_UI_NAME="surat-$1-$$"
	UI_SOCKET=$IT_UI_NAME
	trap 'ui_stop_all; it_cleanup; [ "$IT_UI_LEFT" -eq 0 ] || exit 1' EXIT
}
IT_UI_LEFT=0
. "$SURAT_SRCDIR/tests/tmux.sh"
# ui_session N COMMAND: stop the test's current tmux server, then run
# COMMAND (a shell command line) in a fresh 100x30 pane of server N.
ui_session() {
	ui_stop
	UI_SOCKET="$IT_UI_NAME-$1"
	ui_pane 100 30 "$2"
}
# ui_start N: `surat -c $IT_CFG` in a fresh 100x30 pane, the test's Nth;
# its stderr goes to $IT_TMP/ui.err and the pane shows EXIT=<status> after.
ui_start() {
	ui_session "$1" "env -i PATH=\"$PATH\" HOME=\"$IT_TMP\" TERM=screen-256color \
		LC_ALL=C.UTF-8 TZ=UTC \
		ASAN_OPTIONS=\"${ASAN_OPTIONS:-}\" \"$SURAT\" -c \"$IT_CFG\" 2>\"$IT_TMP/ui.err\"; \
		echo EXIT=\$?; sleep 600"
}
ui_stop() { ui_tmux kill-server 2>/dev/null; }
# ui_left: print the sockets of this test's tmux servers that still answer;
# true when there are none.
ui_left() {
	left=0
	for sock in "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$IT_UI_NAME"*; do
		[ -S "$sock" ] && tmux -S "$sock" list-sessions >/dev/null 2>&1 &&
			{ echo "# a tmux server is still running: $sock"; left=$((left + 1)); }
	done
	[ "$left" -eq 0 ]
}
# ui_stop_all: stop every tmux server this test started (whatever UI_SOCKET
# says now); IT_UI_LEFT becomes 1 if one still answers after that.
ui_stop_all() {
	[ -n "${IT_UI_NAME:-}" ] || return 0
	for sock in "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$IT_UI_NAME"*; do
		[ -S "$sock" ] && tmux -S "$sock" kill-server 2>/dev/null
	done
	# kill-server returns before the server is gone.
	wait_until 5 ui_left >/dev/null || ui_left || IT_UI_LEFT=1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$IT_UI_NAME"*
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, one per line.
free_ports() {
	python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
}

# port_listens PORT...: every PORT on 127.0.0.1 accepts a connection.
port_listens() {
	python3 - "$@" <<'PY'
import socket, sys
for p in sys.argv[1:]:
    try:
        socket.create_connection(("127.0.0.1", int(p)), timeout=1).close()
    except OSError:
        sys.exit(1)
PY
}

# ---- a test CA ---------------------------------------------------------------

# it_certs DIR: a test CA (ca.pem) and, signed by it: server.pem for
# localhost and 127.0.0.1; other.pem for another name only; expired.pem for
# 127.0.0.1 but expired in 2021.  Also self.pem: self-signed, for 127.0.0.1.
# Each NAME.pem has its NAME.key.  EC keys, so this takes milliseconds.
it_certs() {
	d=$1
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		ossl() { openssl "$@" >>openssl.log 2>&1 || { cat openssl.log >&2; exit 1; }; }
		key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
		key ca.key
		ossl req -x509 -new -key ca.key -out ca.pem -days 30 -subj "/CN=surat test CA" \
			-addext "basicConstraints=critical,CA:true" \
			-addext "keyUsage=critical,keyCertSign,cRLSign"
		# NAME CN SAN: a certificate signed by the CA.
		leaf() {
			key "$1.key"
			ossl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
			printf 'subjectAltName=%s\nbasicConstraints=CA:false\nextendedKeyUsage=serverAuth\n' \
				"$3" >"$1.ext"
			ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
				-days 30 -extfile "$1.ext" -out "$1.pem"
		}
		leaf server localhost "DNS:localhost,IP:127.0.0.1"
		leaf other other.example "DNS:other.example"
		# expired: `openssl ca` is the one that takes explicit dates.
		key expired.key
		ossl req -new -key expired.key -out expired.csr -subj "/CN=localhost"
		mkdir -p ca.db && : >ca.db/index.txt && echo 01 >ca.db/serial
		cat >ca.cnf <<EOF
[ca]
default_ca = test
[test]
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
[any]
commonName = supplied
[ext]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = CA:false
EOF
		ossl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
			-out expired.pem -startdate 20200101000000Z -enddate 20210101000000Z -notext
		key self.key
		ossl req -x509 -new -key self.key -out self.pem -days 30 -subj "/CN=localhost" \
			-addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
	)
}

# cert_fingerprint PEM: "SHA256:<64 lower-case hex>", as surat writes it.
cert_fingerprint() {
	openssl x509 -in "$1" -noout -fingerprint -sha256 |
		sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | sed 's/^/SHA256:/'
}

# ---- Dovecot -----------------------------------------------------------------

# dc_template: the configuration template for the installed Dovecot, by
# `dovecot --version` (2.3.x, 2.4.x...).
dc_template() {
	v=$(dovecot --version 2>/dev/null | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
	[ -n "$v" ] || return 1
	[ -f "$IT_SRC/dovecot-$v.conf.in" ] || return 1
	echo "$IT_SRC/dovecot-$v.conf.in"
}

# dc_available: Dovecot with POP3 is installed and we have a template for it.
dc_available() {
	command -v dovecot >/dev/null 2>&1 && [ -x /usr/lib/dovecot/pop3 ] && dc_template >/dev/null
}

# dc_require N: unless Dovecot can run here, skip N cases and exit.
dc_require() {
	dc_available && return 0
	v=$(dovecot --version 2>/dev/null || echo "not installed")
	i=0
	while [ "$i" -lt "$1" ]; do skip "no usable Dovecot (version: $v)"; i=$((i + 1)); done
	tap_end
	exit 0
}

dc_password() {
	echo "secret-$1"
}

dc_maildir() {
	echo "$DC_DIR/mail/$1"
}

# dc_start [USER...]: a Dovecot for USERs (default: alice and bob), POP3 with
# STLS on DC_POP3_PORT and POP3S on DC_POP3S_PORT, certificates from DC_DIR/tls
# (DC_CERT=other|expired|self picks another server certificate).  Returns
# non-zero, with the log shown, when it does not come up.
dc_start() {
	[ $# -gt 0 ] || set -- alice bob
	# A second start replaces the first (e.g. with another certificate).
	dc_stop
	DC_DIR="$IT_TMP/dc"
	mkdir -p "$DC_DIR/mail" "$DC_DIR/state" "$DC_DIR/index" "$DC_DIR/control"
	[ -f "$DC_DIR/tls/ca.pem" ] || it_certs "$DC_DIR/tls" || return 1
	DC_CA="$DC_DIR/tls/ca.pem"
	if [ -n "${DC_CERT:-}" ]; then
		cp "$DC_DIR/tls/$DC_CERT.pem" "$DC_DIR/tls/active.pem"
		cp "$DC_DIR/tls/$DC_CERT.key" "$DC_DIR/tls/active.key"
	else
		cp "$DC_DIR/tls/server.pem" "$DC_DIR/tls/active.pem"
		cp "$DC_DIR/tls/server.key" "$DC_DIR/tls/active.key"
	fi
	if [ "$(id -u)" -eq 0 ]; then
		internal_user=dovecot internal_group=dovecot login_user=dovenull
		uid=$(id -u dovecot) gid=$(id -g dovecot)
	else
		internal_user=$(id -un) internal_group=$(id -gn) login_user=$(id -un)
		uid=$(id -u) gid=$(id -g)
	fi
	: >"$DC_DIR/passwd"
	for u in "$@"; do
		echo "$u:{PLAIN}$(dc_password "$u"):$uid:$gid::$DC_DIR/home/$u::" >>"$DC_DIR/passwd"
		mkdir -p "$DC_DIR/mail/$u/cur" "$DC_DIR/mail/$u/new" "$DC_DIR/mail/$u/tmp" \
			"$DC_DIR/home/$u"
	done
	chmod 644 "$DC_DIR/passwd"
	dc_oauth_setup
	tries=0
	while :; do
		tries=$((tries + 1))
		ports=$(free_ports 2)
		DC_POP3_PORT=$(echo "$ports" | sed -n 1p)
		DC_POP3S_PORT=$(echo "$ports" | sed -n 2p)
		sed -e "s|@DIR@|$DC_DIR|g" -e "s|@RUN@|$IT_TMP/r|g" -e "s|@TAG@|$$|g" \
			-e "s|@INTERNAL_USER@|$internal_user|g" -e "s|@INTERNAL_GROUP@|$internal_group|g" \
			-e "s|@LOGIN_USER@|$login_user|g" \
			-e "s|@POP3_PORT@|$DC_POP3_PORT|g" -e "s|@POP3S_PORT@|$DC_POP3S_PORT|g" \
			-e "s|@DH@|$(dc_dh_file)|g" \
			-e "s|@OAUTH_MECHS@|$DC_OAUTH_MECHS|g" \
			-e "s|@PASSWD_MECHS@|$DC_PASSWD_MECHS|g" \
			-e "s|@OAUTH_PASSDB@|$DC_OAUTH_PASSDB|g" \
			-e "s|/tls/server\.|/tls/active.|g" \
			"$(dc_template)" >"$DC_DIR/dovecot.conf"
		if [ "$(id -u)" -eq 0 ]; then
			chown -R dovecot:dovecot "$DC_DIR/mail" "$DC_DIR/home" "$DC_DIR/state" \
				"$DC_DIR/index" "$DC_DIR/control"
		fi
		: >"$DC_DIR/dovecot.log"
		# Its own session and process group, so dc_stop can end every process.
		rm -f "$IT_TMP/r/master.pid"
		setsid dovecot -F -c "$DC_DIR/dovecot.conf" >>"$DC_DIR/dovecot.out" 2>&1 &
		DC_PID=$!
		if wait_until 30 dc_up; then
			return 0
		fi
		dc_stop
		if [ "$tries" -ge 3 ]; then
			echo "# Dovecot did not start:"
			sed 's/^/#   /' "$DC_DIR/dovecot.out" "$DC_DIR/dovecot.log" 2>/dev/null | tail -30
			return 1
		fi
		# Most likely a port was taken in between: try other ones.
	done
}

# dc_up: the master runs and both listeners accept connections.  DC_PID
# becomes the master's own pid (from its pid file), the leader of the
# process group dc_stop kills, even if setsid had to fork.
dc_up() {
	if [ -s "$IT_TMP/r/master.pid" ]; then
		pid=$(cat "$IT_TMP/r/master.pid")
		kill -0 "$pid" 2>/dev/null && DC_PID=$pid
	fi
	kill -0 "$DC_PID" 2>/dev/null || return 1
	port_listens "$DC_POP3_PORT" "$DC_POP3S_PORT"
}

dc_dh_file() {
	for f in /usr/share/dovecot/dh.pem /etc/dovecot/dh.pem; do
		[ -f "$f" ] && { echo "$f"; return; }
	done
	# Generating one takes long; a fixed group from OpenSSL will do.
	openssl genpkey -genparam -algorithm DH -pkeyopt dh_param:ffdhe2048 \
		-out "$DC_DIR/tls/dh.pem" 2>/dev/null
	echo "$DC_DIR/tls/dh.pem"
}

# dc_stop: stop the Dovecot (the master stops its children), and kill its
# whole process group if anything is left after 5 seconds.
dc_stop() {
	[ -n "$DC_PID" ] || return 0
	kill -TERM "$DC_PID" 2>/dev/null
	i=0
	while kill -0 "-$DC_PID" 2>/dev/null && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL "-$DC_PID" 2>/dev/null
	wait "$DC_PID" 2>/dev/null
	DC_PID=
	return 0
}

# dc_restart: stop and start again on the same ports, users and mail.
dc_restart() {
	dc_stop
	rm -f "$IT_TMP/r/master.pid"
	setsid dovecot -F -c "$DC_DIR/dovecot.conf" >>"$DC_DIR/dovecot.out" 2>&1 &
	DC_PID=$!
	wait_until 30 dc_up
}

# dc_log: the server's log as TAP comments.
dc_log() {
	[ -n "$DC_DIR" ] && [ -s "$DC_DIR/dovecot.log" ] || return 0
	echo "# dovecot.log:"
	sed 's/^/#   /' "$DC_DIR/dovecot.log"
}

# dc_seed USER N [SIZE [FIRST]]: write N messages of about SIZE bytes
# (default: a mix of 1-30 KB) into USER's Maildir, numbered from FIRST
# (default 1).  The messages carry what a fetcher must get right: lines that
# start with dots, a lone ".", 8-bit text, long lines, tabs, trailing spaces.
dc_seed() {
	python3 "$IT_SRC/seedmail.py" "$(dc_maildir "$1")" "$2" "${3:-0}" "${4:-1}" || return 1
	[ "$(id -u)" -ne 0 ] || chown -R dovecot:dovecot "$(dc_maildir "$1")"
}

# dc_count USER: messages on the server now.
dc_count() {
	find "$(dc_maildir "$1")/cur" "$(dc_maildir "$1")/new" -type f | wc -l
}

# ---- OAuth: can Dovecot 2.3 check tokens without a network service? ----------

# Dovecot 2.3.19's oauth2 passdb validates JWTs locally
# (introspection_mode = local) with keys from a dict; the token is a
# HS256-signed JWT made by tests/integration/jwt.py.  dc_oauth_setup fills the
# template's OAuth parts; DC_OAUTH=0 leaves them out.
DC_OAUTH_MECHS=
DC_PASSWD_MECHS=
DC_OAUTH_PASSDB=
dc_oauth_setup() {
	DC_OAUTH_MECHS=
	DC_PASSWD_MECHS=
	DC_OAUTH_PASSDB=
	[ "${DC_OAUTH:-1}" = 1 ] || return 0
	# The key "shared/<azp>/<alg>/<kid>" (azp and kid "default" when the token
	# has none) is the file <prefix>/<azp>/<alg>/<kid>; it holds the base64
	# of the HMAC key.
	mkdir -p "$DC_DIR/oauth/keys/default/HS256"
	printf '%s' "surat-test-hmac-key-0123456789abcdef" | base64 -w0 \
		>"$DC_DIR/oauth/keys/default/HS256/default"
	cat >"$DC_DIR/oauth/oauth2.conf.ext" <<EOF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$DC_DIR/oauth/keys/
username_attribute = sub
EOF
	chmod -R a+rX "$DC_DIR/oauth"
	DC_OAUTH_MECHS="xoauth2 oauthbearer"
	DC_PASSWD_MECHS="  mechanisms = plain login cram-md5 apop scram-sha-1 scram-sha-256"
	DC_OAUTH_PASSDB="passdb {\\
  driver = oauth2\\
  mechanisms = xoauth2 oauthbearer\\
  args = $DC_DIR/oauth/oauth2.conf.ext\\
}"
}

# dc_token USER [SECONDS]: an OAuth token for USER valid for SECONDS
# (default an hour; negative: already expired).
dc_token() {
	python3 "$IT_SRC/jwt.py" "surat-test-hmac-key-0123456789abcdef" "$1" "${2:-3600}"
}

# ---- surat -------------------------------------------------------------------

# it_fetch_built: `surat fetch` exists in this build.
it_fetch_built() {
	out=$("$SURAT" fetch --help 2>&1) || return 1
	! printf '%s' "$out" | grep -qi "not built"
}

# it_require_fetch N: unless `surat fetch` exists, print N skipped cases and
# exit.
it_require_fetch() {
	it_fetch_built && return 0
	i=0
	while [ "$i" -lt "$1" ]; do skip "fetch not built"; i=$((i + 1)); done
	tap_end
	exit 0
}

# dc_account NAME USER TLS [MORE]: the configuration text of an account for
# USER on the Dovecot, TLS "implicit", "starttls" or "none"; MORE is added
# as written (e.g. 'keep = false;'), and a key in MORE replaces the default.
dc_account() {
	case $3 in
	implicit) port=$DC_POP3S_PORT ;;
	*) port=$DC_POP3_PORT ;;
	esac
	more=${4:-}
	text=$(printf 'name = "%s"; host = "127.0.0.1"; port = %s; tls = "%s"; user = "%s"; password = "%s"; ca_file = "%s"; timeout = 20; ' \
		"$1" "$port" "$3" "$2" "$(dc_password "$2")" "$DC_CA")
	for key in $(printf '%s' "$more" | sed -n 's/\([a-z_]*\) *=[^;]*;/\1\n/gp'); do
		text=$(printf '%s' "$text" | sed "s/\(^\|; \)$key = [^;]*;/\1/")
		# password and password_command exclude each other.
		[ "$key" = password_command ] &&
			text=$(printf '%s' "$text" | sed 's/\(^\|; \)password = [^;]*;/\1/')
	done
	printf '%s %s' "$text" "$more"
}

# it_config ACCOUNT_TEXT...: write IT_CFG with the store in IT_STORE and one
# account per argument.
it_config() {
	{
		printf 'store = "%s";\ntheme = "default";\naccounts = (\n' "$IT_STORE"
		sep=
		for a in "$@"; do
			printf '%s  { %s }' "$sep" "$a"
			sep=',
'
		done
		printf '\n);\n'
	} >"$IT_CFG"
	chmod 600 "$IT_CFG"
}

# it_fetch [ARGS...]: surat -c IT_CFG fetch -v ARGS, stdout in IT_OUT,
# stderr (the dialogue and errors) in IT_ERR, status in IT_RC.  Killed after
# IT_FETCH_LIMIT seconds (default 120): a hang is a failure, not a stuck test.
it_fetch() {
	timeout -k 5 "${IT_FETCH_LIMIT:-120}" "$SURAT" -c "$IT_CFG" fetch -v "$@" \
		>"$IT_OUT" 2>"$IT_ERR" </dev/null
	IT_RC=$?
	return 0
}

# it_fetch_ok [ARGS...]: it_fetch, and it succeeded.
it_fetch_ok() {
	it_fetch "$@"
	[ "$IT_RC" -eq 0 ]
}

# rc_is N: the last fetch exited with N.
rc_is() {
	[ "$IT_RC" -eq "$1" ]
}

# err_has TEXT: the last fetch's stderr has TEXT (fixed string).
err_has() {
	grep -qF -- "$1" "$IT_ERR"
}

# err_lacks_re REGEX: no line of the last fetch's stderr matches REGEX.
err_lacks_re() {
	! grep -qE -- "$1" "$IT_ERR"
}

# store_count ACCOUNT: message files in the account's new/ and cur/.
store_count() {
	find "$IT_STORE/$1/new" "$IT_STORE/$1/cur" -type f 2>/dev/null | wc -l
}

# hashes DIR...: the sorted SHA-256 of every message file in DIR/new, DIR/cur.
hashes() {
	for d in "$@"; do
		find "$d/new" "$d/cur" -type f -print0 2>/dev/null
	done | xargs -0 -r sha256sum | cut -d' ' -f1 | sort
}

# same_content SERVERDIR... -- STOREDIR...: the same messages, byte for byte
# and each exactly once, on both sides (the server's Maildir files have LF
# line ends, as the store's must).  Shows the difference as comments.
same_content() {
	left=
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do left="$left $1"; shift; done
	shift
	# shellcheck disable=SC2086
	hashes $left >"$IT_TMP/left.sha"
	hashes "$@" >"$IT_TMP/right.sha"
	cmp -s "$IT_TMP/left.sha" "$IT_TMP/right.sha" && return 0
	echo "# server $(wc -l <"$IT_TMP/left.sha") messages, store $(wc -l <"$IT_TMP/right.sha");" \
		"missing (<) or extra/changed (>):"
	diff "$IT_TMP/left.sha" "$IT_TMP/right.sha" | grep '^[<>]' | head -10 | sed 's/^/#   /'
	return 1
}

# has_messages DIR FILE...: each FILE is, byte for byte, a message in DIR.
has_messages() {
	d=$1
	shift
	hashes "$d" >"$IT_TMP/has.sha"
	for f in "$@"; do
		grep -qx "$(sha256sum <"$f" | cut -d' ' -f1)" "$IT_TMP/has.sha" ||
			{ echo "# not in $d: $f"; return 1; }
	done
}

# snapshot_server USER: remember the hashes of USER's messages now (for after
# keep = false has deleted them) in IT_TMP/USER.sha.
snapshot_server() {
	hashes "$(dc_maildir "$1")" >"$IT_TMP/$1.sha"
}

# same_as_snapshot USER ACCOUNT: the account's store matches the snapshot.
same_as_snapshot() {
	hashes "$IT_STORE/$2" >"$IT_TMP/right.sha"
	cmp -s "$IT_TMP/$1.sha" "$IT_TMP/right.sha" && return 0
	echo "# snapshot $(wc -l <"$IT_TMP/$1.sha"), store $(wc -l <"$IT_TMP/right.sha"):"
	diff "$IT_TMP/$1.sha" "$IT_TMP/right.sha" | grep '^[<>]' | head -10 | sed 's/^/#   /'
	return 1
}

# server_unchanged USER: USER's messages on the server are still those of the
# snapshot.
server_unchanged() {
	hashes "$(dc_maildir "$1")" >"$IT_TMP/now.sha"
	cmp -s "$IT_TMP/$1.sha" "$IT_TMP/now.sha"
}

# sql QUERY: run QUERY on the store's index.
sql() {
	sqlite3 -batch -noheader "$IT_STORE/index.db" "$1"
}

# index_agrees ACCOUNT: every stored row of ACCOUNT names a file that exists,
# every file has exactly one row, no row is left pending, and no UIDL is
# there twice.
index_agrees() {
	acct=$1
	[ -f "$IT_STORE/index.db" ] || { echo "# no index.db"; return 1; }
	rows=$(sql "SELECT count(*) FROM messages WHERE account = '$acct' AND state = 1;")
	pending=$(sql "SELECT count(*) FROM messages WHERE account = '$acct' AND state <> 1;")
	dups=$(sql "SELECT count(*) FROM (SELECT uidl FROM messages WHERE account = '$acct'
		AND uidl IS NOT NULL GROUP BY uidl HAVING count(*) > 1);")
	files=$(store_count "$acct")
	missing=0
	sql "SELECT subdir, base, flags FROM messages WHERE account = '$acct' AND state = 1;" |
		while IFS='|' read -r subdir base flags; do
			p="$IT_STORE/$acct/$subdir/$base"
			[ "$subdir" = cur ] && p="$p:2,$flags"
			[ -f "$p" ] || echo "$p"
		done >"$IT_TMP/missing"
	missing=$(wc -l <"$IT_TMP/missing")
	if [ "$rows" -eq "$files" ] && [ "$pending" -eq 0 ] && [ "$dups" -eq 0 ] && [ "$missing" -eq 0 ]; then
		return 0
	fi
	echo "# index: $rows stored rows, $pending pending, $dups doubled UIDLs; $files files; $missing rows without a file"
	head -5 "$IT_TMP/missing" | sed 's/^/#   no file: /'
	return 1
}

# transcript_lacks_secret: the -v dialogue shows no password in clear.
transcript_lacks_secret() {
	for u in alice bob carol; do
		pw=$(dc_password "$u")
		# In clear, as LOGIN sends it, and as PLAIN sends it.
		for s in "$pw" "$(printf '%s' "$pw" | base64 -w0)" \
			"$(printf '\0%s\0%s' "$u" "$pw" | base64 -w0)"; do
			if grep -qF -- "$s" "$IT_ERR"; then
				echo "# the password of $u is in the transcript: $s"
				return 1
			fi
		done
	done
	return 0
}

# ---- a proxy in front of the Dovecot -------------------------------------------

PX_PID=
PX_PORT=
PX_LOG=

# px_start [--drop-capa CAP]...: a plain TCP proxy to the Dovecot's POP3 port
# on PX_PORT (fakepop3.py proxy): CAP lines are left out of CAPA, and
# PX_LOG records the commands of each chunk the client sent.
px_start() {
	PX_LOG="$IT_TMP/proxy.log"
	: >"$PX_LOG"
	rm -f "$IT_TMP/proxy.port"
	python3 "$IT_SRC/fakepop3.py" proxy --to "$DC_POP3_PORT" --port-file "$IT_TMP/proxy.port" \
		--log "$PX_LOG" "$@" &
	PX_PID=$!
	wait_until 20 test -s "$IT_TMP/proxy.port" || return 1
	PX_PORT=$(cat "$IT_TMP/proxy.port")
}

px_stop() {
	[ -n "$PX_PID" ] || return 0
	kill "$PX_PID" 2>/dev/null
	wait "$PX_PID" 2>/dev/null
	PX_PID=
}

# px_max_chunk: the most commands the client sent in one chunk.
px_max_chunk() {
	sed -n 's/^chunk \([0-9]*\):.*/\1/p' "$PX_LOG" | sort -n | tail -1
}

# ---- reading the -v dialogue -------------------------------------------------

# line_of REGEX: the number of the first stderr line of the last fetch
# matching REGEX (extended), or nothing.
line_of() {
	grep -n -m1 -E -- "$1" "$IT_ERR" | cut -d: -f1
}

# before A B: a line matching A comes, and before any line matching B.
before() {
	a=$(line_of "$1")
	b=$(line_of "$2")
	[ -n "$a" ] && { [ -z "$b" ] || [ "$a" -lt "$b" ]; }
}

# retr_in_flight: the longest run of "C: RETR" lines with no "S:" line in
# between: 1 when every RETR waits for its reply, more when pipelined.
retr_in_flight() {
	awk '/^C: RETR / { run++; if (run > max) max = run; next }
	     /^S: / { run = 0 }
	     END { print max + 0 }' "$IT_ERR"
}

# count_re REGEX FILE: lines of FILE matching REGEX.
count_re() {
	grep -c -E -- "$1" "$2"
}

# logins METHOD [USER]: successful Dovecot logins of USER (alice) with METHOD.
logins() {
	grep -c -F "Login: user=<${2:-alice}>, method=$1," "$DC_DIR/dovecot.log"
}
