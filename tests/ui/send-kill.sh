#!/bin/sh
# kill -9 mid-send (issue 12; DESIGN promise 5): y queues the message in the
# Outbox and the background sender (`surat send --queue --due --events-fd 3
# demo`, a child in a session of its own: src/ui/sender.c, src/command.c)
# submits it to the scripted SMTP server (tests/integration/fakesmtp.py),
# which holds its answer to the final dot as each case says.  Once the
# server has the dot, surat is killed with SIGKILL:
#   A  the interface alone (a lost SSH session), then the server answers
#      250: the sender, still running, records it and moves it to Sent; a
#      later `surat send --queue` never sends it again;
#   B  the interface alone, and the server never answers: the sender gives
#      up after smtp's timeout and records why, "may have been delivered";
#      a later `surat send --queue` sends it again (the one case the promise
#      allows twice), and the log said so;
#   C  the interface and its sender together while the dot waits: the
#      message stays in the Outbox, once; the interface, started again,
#      sends it, and the server gets it once.
# After each: the message is in exactly one of Outbox and Sent (the files
# of every folder counted), and the index agrees.  (kill -9 with the editor
# open is compose-safety.sh's.)
. "$(dirname "$0")/lib.sh"

FAKE="$SURAT_SRCDIR/tests/integration/fakesmtp.py"
# The interpreter itself, not a shim; -S: fakesmtp.py needs nothing else.
PYTHON=$(python3 -c 'import sys; print(sys.executable)') || PYTHON=python3
FAKE_PID=
SENDER_PID=

fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}
# alive PID: the process runs (a zombie nobody reaped does not count).
alive() {
	al_stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case $al_stat in Z*) return 1 ;; esac
	[ -n "$al_stat" ]
}
gone() { ! alive "$1"; }
sender_stop() {
	[ -n "$SENDER_PID" ] || return 0
	alive "$SENDER_PID" && kill -9 "$SENDER_PID" 2>/dev/null
	SENDER_PID=
}
trap 'sender_stop; fake_stop; ui_cleanup' EXIT INT TERM

ui_setup
cat >"$UI_TMP/editor.sh" <<EOF
#!/bin/sh
sed -i "s/^To:.*/To: bob@example.net/; s/^Subject:.*/Subject: \$(cat '$UI_TMP/subject')/" "\$1"
printf 'Sent while the server takes its time.\n' >>"\$1"
EOF
chmod +x "$UI_TMP/editor.sh"

# fake_start NAME: fakesmtp.py for the case on stdin, in $UI_TMP/NAME
# (its log: server-main.log, or server-PHASE.log once NAME/phase says
# PHASE; what it accepted: spool/); the configuration points at it.
fake_start() {
	fake_stop
	FAKE_DIR="$UI_TMP/$1"
	mkdir -p "$FAKE_DIR"
	cat >"$FAKE_DIR/case"
	"$PYTHON" -S "$FAKE" serve "$FAKE_DIR/case" --dir "$FAKE_DIR" --certs "$FAKE_DIR" \
		2>"$FAKE_DIR/server.err" &
	FAKE_PID=$!
	if ! ui_poll 20 test -s "$FAKE_DIR/port"; then
		echo "Bail out! fakesmtp.py did not start: $(cat "$FAKE_DIR/server.err")"
		exit 1
	fi
	cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
editor = "$UI_TMP/editor.sh";
accounts = ( { name = "demo"; host = "127.0.0.1"; port = 9; tls = "none";
	user = "alice"; password = "hunter2"; from = "Alice Example <alice@example.net>";
	smtp = { host = "127.0.0.1"; port = $(cat "$FAKE_DIR/port"); tls = "none";
		user = "alice"; password = "hunter2"; timeout = 2; }; } );
CONF
	chmod 600 "$UI_CONFIG"
}

# log_has REGEX: a line of the server's main log matches.
log_has() { grep -qE -- "$1" "$FAKE_DIR/server-main.log" 2>/dev/null; }
# delivered: how many messages the server accepted (its spool).
delivered() { ls "$FAKE_DIR/spool" | wc -l; }
# mails: how many transactions the server was asked for, every phase.
mails() { cat "$FAKE_DIR"/server-*.log | grep -c '^C: MAIL FROM'; }

# where SUBJECT: the folders of every file with that subject, in any
# folder but the inbox (new, cur and tmp alike), e.g. ".Outbox".
where() {
	for w_f in "$UI_STORE"/demo/.[!.]*/new/* "$UI_STORE"/demo/.[!.]*/cur/* "$UI_STORE"/demo/.[!.]*/tmp/*; do
		[ -f "$w_f" ] && grep -qx "Subject: $1" "$w_f" && echo "${w_f#"$UI_STORE/demo/"}"
	done | sed 's|/.*||' | tr '\n' ' ' | sed 's/ $//'
}
# is_in SUBJECT WHERE: where says WHERE.
is_in() { [ "$(where "$1")" = "$2" ]; }
# index_rows SUBJECT, index_says SUBJECT ROWS: the index's rows of that subject, "folder:state"
# each (the outbox entry's state, 0 waiting, or - for none), say ROWS.
index_rows() {
	sqlite3 "$UI_STORE/index.db" "SELECT m.folder || ':' || coalesce(o.state, '-')
		FROM messages m LEFT JOIN outbox o ON o.id = m.id
		WHERE m.account = 'demo' AND m.state = 1 AND m.subject = '$1';" | tr '\n' ' ' |
		sed 's/ $//'
}
index_says() { [ "$(index_rows "$1")" = "$2" ]; }
# reason_has SUBJECT REGEX: the reason its outbox entry keeps matches.
reason_has() {
	sqlite3 "$UI_STORE/index.db" "SELECT o.error FROM messages m JOIN outbox o ON o.id = m.id
		WHERE m.account = 'demo' AND m.state = 1 AND m.subject = '$1';" | grep -qE -- "$2"
}

# send_and_kill SUBJECT MARK: the interface started, m, the editor, y; once
# the server's log matches MARK (it has the final dot), SURAT_PID and
# SENDER_PID are the interface and its sender, neither killed yet.
send_and_kill() {
	echo "$1" >"$UI_TMP/subject"
	ui_start
	wait_for "-- surat: demo" || true
	ui_keys m
	wait_for "-- surat: compose" || true
	ui_keys y
	check "$1: y returns to the index while the server holds the final dot" \
		wait_for "Queued; sending in the background."
	check "$1: the sender sent the text and the dot" ui_poll 20 log_has "$2"
	SURAT_PID=$(pgrep -P "$(ui_tmux list-panes -F '#{pane_pid}' | head -1)" | head -1)
	SENDER_PID=$(pgrep -P "$SURAT_PID" -f -- "send --queue" | head -1)
	check "$1: the sender is a session of its own" \
		test "$(ps -o sid= -p "$SENDER_PID" | tr -d ' ')" = "$SENDER_PID"
}

# A: the interface killed; the server answers afterwards.
fake_start a <<'EOF'
desc the final dot answered only once the test says so
script
greet
serve until ^DATA
expect DATA
send 354 End data with <CR><LF>.<CR><LF>
read-data
await release
deliver
send 250 2.0.0 Ok: queued as FAKE1
serve
@end
EOF
send_and_kill kill-A "^event: await release"
kill -9 "$SURAT_PID"
check "A: the interface is gone" wait_for "EXIT=137"
check "A: its sender runs on" alive "$SENDER_PID"
touch "$FAKE_DIR/release"
check "A: the server answers 250, and the sender ends" ui_poll 10 gone "$SENDER_PID"
check "A: the server took the message once" test "$(delivered)" -eq 1
check "A: it is in Sent, once, nowhere else" is_in kill-A .Sent
check "A: the index agrees: one row, in Sent, no outbox entry" index_says kill-A "Sent:-"
check "A: a later surat send --queue exits 0" "$SURAT" -c "$UI_CONFIG" send --queue
check "A: and sends nothing again" test "$(mails)" -eq 1 -a "$(delivered)" -eq 1
check "A: still once, in Sent" is_in kill-A .Sent

# B: the interface killed; the server never answers the final dot.
fake_start b <<'EOF'
desc the final dot taken (delivered) but never answered
script
greet
serve until ^DATA
expect DATA
send 354 End data with <CR><LF>.<CR><LF>
read-data
deliver
stall 60
@end
EOF
send_and_kill kill-B "^event: stall"
kill -9 "$SURAT_PID"
check "B: the interface is gone" wait_for "EXIT=137"
check "B: the sender gives up after smtp's timeout (2 s)" ui_poll 15 gone "$SENDER_PID"
check "B: the message is in the Outbox, once, nowhere else" is_in kill-B .Outbox
check "B: the index agrees: one row, in the Outbox, waiting" index_says kill-B "Outbox:0"
check "B: the entry keeps why: it may have been delivered, and goes again" \
	reason_has kill-B "may have been delivered.*will be sent again"
check "B: the log says so" \
	grep -qE "stays in the Outbox for a later try: .*may have been delivered.*will be sent again" \
	"$UI_STORE/fetch.log"
echo rerun >"$FAKE_DIR/phase"
check "B: a later surat send --queue sends it and exits 0" "$SURAT" -c "$UI_CONFIG" send --queue
check "B: the server got it twice, as the promise allows for a dot never answered" \
	test "$(mails)" -eq 2 -a "$(delivered)" -eq 2
check "B: it is in Sent, once, nowhere else" is_in kill-B .Sent
check "B: the index agrees" index_says kill-B "Sent:-"

# C: the interface and its sender killed together while the dot waits.
fake_start c <<'EOF'
desc the final dot never answered, nothing delivered
script
greet
serve until ^DATA
expect DATA
send 354 End data with <CR><LF>.<CR><LF>
read-data
stall 60
@end
EOF
send_and_kill kill-C "^event: stall"
kill -9 "$SURAT_PID" "-$SENDER_PID"
check "C: the interface is gone" wait_for "EXIT=137"
check "C: and its sender" ui_poll 5 gone "$SENDER_PID"
check "C: the message is in the Outbox, once, nowhere else" is_in kill-C .Outbox
check "C: the index agrees: one row, in the Outbox, waiting" index_says kill-C "Outbox:0"
check "C: the server accepted nothing" test "$(delivered)" -eq 0
echo rerun >"$FAKE_DIR/phase"
ui_start
check "C: the interface, started again, sends what waits in the Outbox" \
	ui_poll 15 is_in kill-C .Sent
check "C: the server accepted it once (asked twice: the first never finished)" \
	test "$(mails)" -eq 2 -a "$(delivered)" -eq 1
check "C: the index agrees" index_says kill-C "Sent:-"
ui_keys q
check "C: the interface quits" wait_for "EXIT=0"
tap_end
