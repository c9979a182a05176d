#!/bin/sh
# A server's text never reaches the terminal raw: the faulty server refuses
# SCRAM with an e= text holding ESC (an OSC that retitles the window), the
# C1 control U+009B and RIGHT-TO-LEFT OVERRIDE.  `surat serverinfo --login`
# prints the error in visible form (checked on the bytes of stderr), and the
# mail reader shows it in the status line and the fetch log the same way,
# with none of those bytes among what it wrote to the terminal (tmux
# pipe-pane records the pane's raw output).
. "$(dirname "$0")/lib.sh"

FAKE="$IT_SRC/fakepop3.py"
CASE="$IT_SRC/faults/scram-error-controls.case"
CERTS="$IT_TMP/tls"
FAKE_PID=
shown='x^[]0;pwned^G<U+009B><U+202E>y'

fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}

it_ui unsafe
trap 'fake_stop; ui_stop; it_cleanup' EXIT

# fake_start NAME: serve the case afresh (its script answers the first
# connection) and write IT_CFG for it, with the store in IT_TMP/NAME.
fake_start() {
	fake_stop
	rm -f "$IT_TMP/port"
	python3 "$FAKE" serve "$CASE" --certs "$CERTS" --port-file "$IT_TMP/port" \
		--log "$IT_TMP/server-$1.log" --state "$IT_TMP/state-$1" 2>>"$IT_TMP/server.err" &
	FAKE_PID=$!
	wait_until 20 test -s "$IT_TMP/port" || return 1
	python3 "$FAKE" config "$CASE" --certs "$CERTS" --port "$(cat "$IT_TMP/port")" \
		--store "$IT_TMP/$1" >"$IT_CFG" && chmod 600 "$IT_CFG"
}

# raw_controls FILE: FILE holds, as bytes, the ESC of the server's OSC, its
# C1 control or its bidi override.
raw_controls() {
	LC_ALL=C grep -q -e "$(printf '\033]0;pwned')" -e "$(printf '\302\233')" \
		-e "$(printf '\342\200\256')" "$1"
}

# no_raw_controls FILE: FILE holds no C0 control but tab and newline, no C1
# control and no bidi control at all.
no_raw_controls() {
	! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1" &&
		! LC_ALL=C grep -q -e "$(printf '\302[\200-\237]')" \
			-e "$(printf '\342\200[\216\217\252-\256]')" \
			-e "$(printf '\342\201[\246-\251]')" -e "$(printf '\330\234')" "$1"
}

it_certs "$CERTS" || { echo "Bail out! cannot make the test certificates"; exit 1; }
if ! it_fetch_built; then
	for i in 1 2 3 4 5 6; do skip "fetch not built"; done
	tap_end
	exit 0
fi

# 1. surat serverinfo --login
if fake_start serverinfo; then
	"$SURAT" -c "$IT_CFG" serverinfo --login fake >"$IT_TMP/si.out" 2>"$IT_TMP/si.err" </dev/null
	IT_RC=$?
	cp "$IT_TMP/si.err" "$IT_ERR"
	check "serverinfo --login fails on the refused login" rc_is 1
	check "the server's error text shows in visible form" \
		grep -qF "SCRAM: the server says $shown" "$IT_TMP/si.err"
	check "no control from the server reaches stderr or stdout as bytes" \
		eval 'no_raw_controls "$IT_TMP/si.err" && no_raw_controls "$IT_TMP/si.out"'
else
	for i in 1 2 3; do not_ok "fakepop3.py did not start"; done
fi

# 2. The mail reader: the same error from its background fetch.
if fake_start ui; then
	ui_start 1
	ui_tmux pipe-pane -o -t 0 "cat >>'$IT_TMP/pane.raw'"
	check "the error shows in the status line" wait_until 30 screen_has "(E: log)"
	ui_tmux send-keys -t 0 E
	check "the fetch log shows the server's text in visible form" \
		wait_until 10 screen_has "SCRAM: the server says $shown"
	ui_tmux send-keys -t 0 q q
	wait_until 10 screen_has "EXIT=" || true
	check "none of the server's control bytes reached the terminal" \
		eval 'test -s "$IT_TMP/pane.raw" && ! raw_controls "$IT_TMP/pane.raw"'
else
	for i in 1 2 3; do not_ok "fakepop3.py did not start"; done
fi
fake_stop
tap_end
