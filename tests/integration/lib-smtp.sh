# tests/integration/lib-smtp.sh: a private Postfix on 127.0.0.1 for the
# tests, the SMTP submission server in front of lib.sh's Dovecot.  Source it
# after lib.sh, and start the Dovecot first:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/lib-smtp.sh"
#   pf_require N; dc_start alice bob; pf_start
#
# Postfix:  pf_available           root, Postfix and Dovecot installed
#           pf_require N           unless Postfix can run here, skip N cases and exit
#           pf_start [USER...]     configure, start and wait until it listens
#           pf_stop                stop it, every process (also done on exit)
#           pf_log                 its log (PF_DIR/maillog), as TAP comments
#           pf_wait_delivered DIR N [SECONDS]  wait (default 10 seconds)
#                                  until Maildir DIR has N messages in new/;
#                                  false, with a comment, if not exactly N
#           PF_PORT        submission, STARTTLS (AUTH only after it)
#           PF_SMTPS_PORT  submissions, implicit TLS
#           PF_DOMAIN      the test domain: USER@PF_DOMAIN is delivered into
#                          dc_maildir USER, so POP3 fetches it back
#           PF_SINK        the Maildir that gets the mail for every other
#                          domain (bob@example.net...)
#           PF_DIR         the instance's folder (main.cf, master.cf, queue, log)
#           PF_PID         the master's pid (its process group's too)
#
# Both ports present the Dovecot's server certificate (DC_CA verifies it;
# PF_CERT=other|expired|self picks another, as DC_CERT does for Dovecot).
# AUTH checks the Dovecot's users and passwords (dc_password USER) through
# its auth socket, with the mechanisms the Dovecot offers: PLAIN LOGIN
# CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 XOAUTH2 OAUTHBEARER.  After a failed
# AUTH, Dovecot makes the next logins from 127.0.0.1 wait (2 seconds, then
# more; POP3 ones too): put the wrong-password cases last.
# Mail to PF_DOMAIN needs no AUTH (as at an MX); mail to any other domain
# only after AUTH (else 554 5.7.1 Relay access denied).  An unknown user at
# PF_DOMAIN is refused (550 5.1.1).  PF_MAIN_EXTRA, if set, is appended to
# main.cf (e.g. "message_size_limit = 20000").
#
# The master runs in the foreground (not `postfix start`, which wants every
# other instance's directory registered in /etc/postfix/main.cf), as root,
# its daemons as Debian's postfix user, none chrooted; the queue, data, pid
# and lock files and the log live in PF_DIR, so parallel tests share
# nothing.  Postfix delivers in the background: wait with pf_wait_delivered.

PF_PID=
PF_DIR=
PF_PORT=
PF_SMTPS_PORT=
PF_SINK=
PF_DOMAIN=surat.test

# pf_daemon_dir: where master, smtpd... are (Debian: /usr/lib/postfix/sbin).
pf_daemon_dir() {
	d=$(postconf -d -h daemon_directory 2>/dev/null)
	echo "${d:-/usr/lib/postfix/sbin}"
}

# pf_available: Postfix can run here: as root (its master will not run
# otherwise), with its users, and a Dovecot for the mailboxes and SASL.
pf_available() {
	[ "$(id -u)" -eq 0 ] && command -v postconf >/dev/null 2>&1 &&
		[ -x "$(pf_daemon_dir)/master" ] && id postfix >/dev/null 2>&1 &&
		getent group postdrop >/dev/null 2>&1 && dc_available
}

# pf_require N: unless Postfix can run here, skip N cases and exit.
pf_require() {
	pf_available && return 0
	why="no usable Postfix (needs root, the postfix package and Dovecot)"
	i=0
	while [ "$i" -lt "$1" ]; do skip "$why"; i=$((i + 1)); done
	tap_end
	exit 0
}

# pf_start [USER...]: a Postfix for the Dovecot's USERs (default: every user
# dc_start made), submission with STARTTLS on PF_PORT and submissions on
# PF_SMTPS_PORT.  Returns non-zero, with the log shown, when it does not
# come up.
pf_start() {
	if [ -z "$DC_DIR" ] || [ ! -S "$DC_AUTH_SOCKET" ]; then
		echo "# pf_start: start the Dovecot (dc_start) first"
		return 1
	fi
	# shellcheck disable=SC2046
	[ $# -gt 0 ] || set -- $(cut -d: -f1 "$DC_DIR/passwd")
	pf_stop
	PF_DIR="$IT_TMP/pf"
	PF_SINK="$PF_DIR/sink"
	daemons=$(pf_daemon_dir)
	# The mail uid and gid: those Dovecot reads the Maildirs as.
	uid=$(cut -d: -f3 "$DC_DIR/passwd" | head -1)
	gid=$(cut -d: -f4 "$DC_DIR/passwd" | head -1)
	spool="$PF_DIR/spool"
	mkdir -p "$PF_DIR/conf" "$PF_DIR/data" "$spool/pid" \
		"$PF_SINK/tmp" "$PF_SINK/new" "$PF_SINK/cur"
	# The queue's folders, with the owners and modes of postfix-files.
	qdirs=
	for q in active bounce corrupt defer deferred flush hold incoming private saved trace \
		maildrop public; do
		qdirs="$qdirs $spool/$q"
	done
	# shellcheck disable=SC2086
	mkdir -p $qdirs && chmod 700 $qdirs
	chown -R postfix "$spool" "$PF_DIR/data"
	chown root "$spool" "$spool/pid"
	chgrp postdrop "$spool/maildrop" "$spool/public"
	chmod 730 "$spool/maildrop"
	chmod 710 "$spool/public"
	chmod 755 "$PF_DIR" "$PF_DIR/conf" "$spool" "$spool/pid"
	chmod 700 "$PF_DIR/data"
	chown -R "$uid:$gid" "$PF_SINK"
	cert=${PF_CERT:-server}
	# virtual(8) appends these to virtual_mailbox_base = /; a trailing
	# slash means Maildir.
	: >"$PF_DIR/conf/vmailbox"
	for u in "$@"; do
		m=$(dc_maildir "$u")
		printf '%s@%s %s/\n' "$u" "$PF_DOMAIN" "${m#/}" >>"$PF_DIR/conf/vmailbox"
	done
	# Every address outside PF_DOMAIN: the sink.
	printf '!/@%s$/ %s/\n' "$(printf '%s' "$PF_DOMAIN" | sed 's/\./\\./g')" "${PF_SINK#/}" \
		>"$PF_DIR/conf/sink.regexp"
	: >"$PF_DIR/maillog"
	tries=0
	while :; do
		tries=$((tries + 1))
		PF_PORT=$(pf_free_port)
		PF_SMTPS_PORT=$(pf_free_port)
		[ "$PF_PORT" != "$PF_SMTPS_PORT" ] || continue
		cat >"$PF_DIR/conf/main.cf" <<EOF
# A private Postfix for surat's tests (tests/integration/lib-smtp.sh).
compatibility_level = 3.6
queue_directory = $spool
data_directory = $PF_DIR/data
daemon_directory = $daemons
shlib_directory = $(postconf -d -h shlib_directory 2>/dev/null || echo /usr/lib/postfix)
meta_directory = /etc/postfix
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-surat-$$
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = smtp.$PF_DOMAIN
mydomain = $PF_DOMAIN
myorigin = $PF_DOMAIN
mydestination =
mynetworks = 127.0.0.1/32
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP surat test Postfix
smtpd_error_sleep_time = 0

# USER@$PF_DOMAIN into the Dovecot's Maildirs; everything else into the
# sink, with the uid and gid Dovecot reads them as.
virtual_mailbox_domains = $PF_DOMAIN
virtual_mailbox_base = /
virtual_mailbox_maps = texthash:$PF_DIR/conf/vmailbox, regexp:$PF_DIR/conf/sink.regexp
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
virtual_minimum_uid = 1
default_transport = virtual
relay_transport = virtual
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s

smtpd_tls_chain_files = $DC_DIR/tls/$cert.key, $DC_DIR/tls/$cert.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $DC_AUTH_SOCKET
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
${PF_MAIN_EXTRA:-}
EOF
		# Only the services this needs; none chrooted.
		cat >"$PF_DIR/conf/master.cf" <<EOF
127.0.0.1:$PF_PORT inet n - n - - smtpd
  -o syslog_name=postfix-surat-$$/submission
127.0.0.1:$PF_SMTPS_PORT inet n - n - - smtpd
  -o syslog_name=postfix-surat-$$/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
virtual   unix - n n - - virtual
postlog   unix-dgram n - n - 1 postlogd
EOF
		# Postfix reads a main.cf changed in the last two seconds again and
		# again (300 ms apart) until it is older: for the master and every
		# daemon it starts.  A file made a minute ago is read at once.
		touch -d '1 minute ago' "$PF_DIR/conf/"*
		# master stays in the foreground and makes itself a session (and
		# process group) leader, which pf_stop kills as a whole.
		"$daemons/master" -c "$PF_DIR/conf" >>"$PF_DIR/master.out" 2>&1 </dev/null &
		PF_PID=$!
		if wait_until 20 pf_up; then
			return 0
		fi
		pf_stop
		if [ "$tries" -ge 3 ]; then
			echo "# Postfix did not start:"
			sed 's/^/#   /' "$PF_DIR/master.out" "$PF_DIR/maillog" 2>/dev/null | tail -30
			return 1
		fi
		# Most likely a port was taken in between: try other ones.
	done
}

# pf_free_port: a TCP port nothing listens on, at random below Linux's
# ephemeral range (32768 and up), so no connection's local port takes it
# from under us.  Without Python, which takes long to start on a busy machine.
pf_free_port() {
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % 12000 + 20000 ))
		pf_listening "$p" || { echo "$p"; return; }
	done
}

# pf_listening PORT...: every PORT has a listening socket on 127.0.0.1
# (/proc/net/tcp: address and port in hex, state 0A).  The master binds
# them before it serves; a client that connects then waits for an smtpd.
pf_listening() {
	for p in "$@"; do
		grep -q "^ *[0-9]*: 0100007F:$(printf '%04X' "$p") 00000000:0000 0A " /proc/net/tcp ||
			return 1
	done
}

# pf_up: the master runs and listens on both ports.
pf_up() {
	kill -0 "$PF_PID" 2>/dev/null || return 1
	pf_listening "$PF_PORT" "$PF_SMTPS_PORT"
}

# pf_running: a process of the master's group still runs.  Not kill -0:
# the daemons the master leaves behind are zombies until init reaps them,
# which can take seconds.
pf_running() {
	ps -e -o pgid=,stat= | awk -v g="$PF_PID" '$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }'
}

# pf_stop: stop the master (it passes SIGTERM on to its daemons), and kill
# its process group if anything is left after 5 seconds.
pf_stop() {
	[ -n "$PF_PID" ] || return 0
	kill -TERM "$PF_PID" 2>/dev/null
	i=0
	while pf_running && [ "$i" -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -KILL "-$PF_PID" 2>/dev/null
	wait "$PF_PID" 2>/dev/null
	PF_PID=
	return 0
}

# pf_log: the Postfix log as TAP comments.
pf_log() {
	[ -n "$PF_DIR" ] && [ -s "$PF_DIR/maillog" ] || return 0
	echo "# postfix maillog:"
	sed 's/^/#   /' "$PF_DIR/maillog"
}

# pf_count DIR: messages in Maildir DIR's new/.
pf_count() {
	find "$1/new" -type f 2>/dev/null | wc -l
}

# pf_has DIR N: Maildir DIR has at least N messages in new/.
pf_has() {
	[ "$(pf_count "$1")" -ge "$2" ]
}

# pf_wait_delivered DIR N [SECONDS]: wait (default 10 seconds) until Maildir
# DIR has N messages in new/; true when it has exactly N then.
pf_wait_delivered() {
	wait_until "${3:-10}" pf_has "$1" "$2"
	n=$(pf_count "$1")
	[ "$n" -eq "$2" ] && return 0
	echo "# $1: $n messages in new/, not $2"
	return 1
}
