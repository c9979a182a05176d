#!/bin/sh
# tools/demo-dovecot.sh: a private Dovecot for ./demo, on 127.0.0.1 only,
# holding the sample mail (sample/mail/*.eml) for user "demo", over POP3S
# with a test CA made by openssl; and, where Postfix can run (as root), a
# private Postfix in front of it taking submissions from "demo" over
# STARTTLS and delivering every message, to any address, into demo's
# mailbox, so a reply comes back through POP3.  It reuses
# tests/integration/lib.sh and lib-smtp.sh.
#
#   tools/demo-dovecot.sh start     start one in a new temporary folder, wait
#                                   until it listens, and print shell
#                                   assignments for eval:
#                                   DEMO_DOVECOT_DIR DEMO_HOST DEMO_PORT
#                                   DEMO_STLS_PORT DEMO_USER DEMO_PASSWORD DEMO_CA
#                                   DEMO_SMTP_PORT (empty without Postfix)
#                                   DEMO_DOMAIN
#   tools/demo-dovecot.sh stop DIR  stop it (every process) and remove DIR
#
# Needs dovecot-core, dovecot-pop3d, openssl and python3 (tools/deps.sh).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SURAT=${SURAT:-/bin/true}
SURAT_SRCDIR=$top
export SURAT SURAT_SRCDIR

case ${1:-} in
start)
	base=${TMPDIR:-/tmp}
	[ ${#base} -le 40 ] || base=/tmp
	IT_TMP=$(mktemp -d "$base/surat-dc.XXXXXX") || exit 1
	IT_KEEP=1
	. "$top/tests/integration/lib.sh"
	dc_available || { echo "demo-dovecot: Dovecot with POP3 is not installed" >&2; exit 1; }
	# The demo needs no OAuth.
	DC_OAUTH=0
	mkdir -p "$IT_TMP/dc/mail/demo/cur" "$IT_TMP/dc/mail/demo/new" "$IT_TMP/dc/mail/demo/tmp"
	n=0
	for f in "$top"/sample/mail/*.eml; do
		n=$((n + 1))
		cp "$f" "$IT_TMP/dc/mail/demo/cur/$((1700000000 + n)).M${n}P1Q$n.demo:2,"
	done
	if ! dc_start demo >"$IT_TMP/start.out" 2>&1; then
		cat "$IT_TMP/start.out" >&2
		exit 1
	fi
	echo "$DC_PID" >"$IT_TMP/dovecot.pid"
	. "$top/tests/integration/lib-smtp.sh"
	smtp_port=
	if pf_available; then
		PF_SINK_MAILDIR=$(dc_maildir demo)
		if pf_start demo >"$IT_TMP/pf-start.out" 2>&1; then
			echo "$PF_PID" >"$IT_TMP/postfix.pid"
			smtp_port=$PF_PORT
		else
			echo "demo-dovecot: Postfix did not start (sending is off):" >&2
			tail -5 "$IT_TMP/pf-start.out" >&2
		fi
	fi
	# The servers must outlive this script: no cleanup on exit.
	trap - EXIT INT TERM HUP
	cat <<EOF
DEMO_DOVECOT_DIR='$IT_TMP'
DEMO_HOST='127.0.0.1'
DEMO_PORT='$DC_POP3S_PORT'
DEMO_STLS_PORT='$DC_POP3_PORT'
DEMO_USER='demo'
DEMO_PASSWORD='$(dc_password demo)'
DEMO_CA='$DC_CA'
DEMO_SMTP_PORT='$smtp_port'
DEMO_DOMAIN='$PF_DOMAIN'
EOF
	;;
stop)
	dir=${2:?usage: demo-dovecot.sh stop DIR}
	[ -f "$dir/dovecot.pid" ] || exit 0
	IT_TMP=$dir
	IT_KEEP=1
	. "$top/tests/integration/lib.sh"
	. "$top/tests/integration/lib-smtp.sh"
	trap - EXIT INT TERM HUP
	# Only a Postfix of ours: its master's command line names this folder.
	if [ -f "$dir/postfix.pid" ]; then
		PF_PID=$(cat "$dir/postfix.pid")
		PF_DIR="$dir/pf"
		tr '\0' ' ' <"/proc/$PF_PID/cmdline" 2>/dev/null | grep -qF "$dir/pf" && pf_stop
	fi
	DC_PID=$(cat "$dir/dovecot.pid")
	# Only a Dovecot of ours: its command line names this folder.
	if tr '\0' ' ' <"/proc/$DC_PID/cmdline" 2>/dev/null | grep -qF "$dir/dc/dovecot.conf"; then
		dc_stop
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: tools/demo-dovecot.sh start | stop DIR" >&2
	exit 2
	;;
esac
