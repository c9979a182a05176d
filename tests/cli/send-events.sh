#!/bin/sh
# surat send --queue --due --events-fd N, as the interface's background
# sender runs it: only what is due goes, and the run is told as event lines
# (send, sent, wait, refused, done), and a reader that went away (the
# interface killed) stops nothing.  sendmail_command is a script that
# exits with the status in a file: 0 accepted, 75 later, 1 refused.
set -u
: "${SURAT:?run from make check, or set SURAT to the built binary}"
export TZ=UTC LC_ALL=C.UTF-8
unset SURAT_CONFIG XDG_CONFIG_HOME

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-send-events.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home"
mkdir -p "$HOME" || exit 1
cat >"$tmp/sendmail.sh" <<SH
#!/bin/sh
cat >/dev/null
exit \$(cat "$tmp/status")
SH
chmod +x "$tmp/sendmail.sh"
cat >"$tmp/conf" <<CONF
store = "$tmp/store";
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "ann";
	from = "Ann <ann@example.org>"; sendmail_command = "$tmp/sendmail.sh"; } );
CONF

n=0
echo "1..10"
# ok STATUS WHAT: one TAP line; the events when it failed.
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/# events: /' "$tmp/events"
	fi
}
# run ARGS: surat send with descriptor 3 open on $tmp/events; its status in $st.
run() {
	"$SURAT" -c "$tmp/conf" send "$@" 3>"$tmp/events" >/dev/null 2>&1
	st=$?
}
# queue STATUS: queue one message while sendmail_command answers STATUS.
queue() {
	echo "$1" >"$tmp/status"
	printf 'To: bob@example.org\nSubject: one\n\nbody\n' |
		"$SURAT" -c "$tmp/conf" send -t >/dev/null 2>&1
}

queue 75
run --queue --due --events-fd 3
[ "$st" -eq 1 ] && [ "$(cat "$tmp/events")" = "$(printf 'hello 1\nsend demo 0\ndone demo 0 1')" ]
ok $? "--due leaves a message whose next try has not come, and says so"

echo 0 >"$tmp/status"
run --queue --events-fd 3 demo
[ "$st" -eq 0 ] && grep -qx "send demo 1" "$tmp/events" && grep -qx "sent demo [0-9]*" "$tmp/events" &&
	grep -qx "done demo 1 0" "$tmp/events"
ok $? "without --due it goes: send, sent, done"

queue 1
echo 75 >"$tmp/status"
printf 'To: carol@example.org\nSubject: two\n\nbody\n' |
	"$SURAT" -c "$tmp/conf" send -t >/dev/null 2>&1
run --queue --events-fd 3
grep -q "^wait demo [0-9]* .*exited with status 75" "$tmp/events"
ok $? "a temporary failure is a wait event with the reason"
echo 1 >"$tmp/status"
run --queue --events-fd 3
grep -q "^refused demo [0-9]* .*exited with status 1" "$tmp/events"
ok $? "a refusal is a refused event with the reason"
grep -qx "done demo 0 2" "$tmp/events"
ok $? "done says how many stay"

run --queue --due --events-fd 3
grep -qx "send demo 0" "$tmp/events" && [ "$st" -eq 1 ]
ok $? "--due sends no refused message, nor one not yet due"

"$SURAT" -c "$tmp/conf" send --due bob@example.org </dev/null >/dev/null 2>"$tmp/events"
[ $? -eq 2 ] && grep -q -- "--due and --events-fd go with --queue" "$tmp/events"
ok $? "--due without --queue is a usage error"
"$SURAT" -c "$tmp/conf" send --queue --events-fd 9 9>&- >/dev/null 2>"$tmp/events"
[ $? -eq 2 ] && grep -q "not an open descriptor" "$tmp/events"
ok $? "--events-fd of a closed descriptor is a usage error"
"$SURAT" -c "$tmp/conf" send --queue --events-fd 2 >/dev/null 2>"$tmp/events"
[ $? -eq 2 ]
ok $? "--events-fd below 3 is refused (0 to 2 are the standard ones)"

# The reader gone (the interface killed with kill -9, its sender running
# on): a write to the events' pipe fails, and the run goes on to the end.
# Descriptor 3 is a pipe whose reading end is closed before surat starts
# (and SIGPIPE as a shell leaves it, not as Python does: ignored).
echo 0 >"$tmp/status"
python3 -S -c 'import os, signal, sys
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
r, w = os.pipe()
os.close(r)
os.dup2(w, 3)
os.execv(sys.argv[1], sys.argv[1:])' "$SURAT" -c "$tmp/conf" send --queue --events-fd 3 \
	>/dev/null 2>"$tmp/events"
st=$?
[ "$st" -eq 0 ] && [ -z "$(ls "$tmp/store/demo/.Outbox/cur")" ] &&
	[ "$(ls "$tmp/store/demo/.Sent/cur" | wc -l)" -eq 3 ]
ok $? "with the events' reader gone the run goes on: what waited is sent and in Sent (exit $st)"
