#!/bin/sh
# pipe-message (|) in the index and the pager: the typed command runs with
# /bin/sh -c, the raw message on its standard input, its output shown until
# a key is pressed, then its exit status on the message line.  And h shows
# every header in the pager and back.
. "$(dirname "$0")/lib.sh"
ui_setup
ui_start
wait_for "Your laptop is ready" || true

ui_keys '|'
check "| in the index asks for a command" wait_for "Pipe message to:"
ui_keys "grep -c ^Message-ID: ; echo piped" Enter
check "the command's output is shown" wait_for "piped"
check "it got the raw message on its standard input" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -qx 1"
check "then the exit status and a key to press" screen_has "[exit status 0] Press any key to continue..."
check "curses is left meanwhile" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q -- '-- surat: demo'"
ui_keys Space
check "a key brings the index back" wait_for "-- surat: demo"
check "the exit status is reported" wait_for "grep -c ^Message-ID: ; echo piped exited with status 0."

# The bytes are the file's, unchanged.
ui_keys '|' "cat > '$UI_TMP/piped.eml'" Enter
wait_for "Press any key" || true
ui_keys Space
wait_for "exited with status 0." || true
check "the message reaches the command byte for byte" \
	sh -c "cmp -s '$UI_TMP/piped.eml' \"\$(grep -l 'Subject: Your laptop is ready' '$UI_STORE'/demo/*/*)\""

# A failing command, and Escape giving up.
ui_keys '|' "exit 7" Enter
wait_for "Press any key" || true
ui_keys Space
check "a failing command's status is reported as an error" wait_for "exit 7 exited with status 7."
ui_keys '|'
wait_for "Pipe message to:" || true
ui_keys "touch '$UI_TMP/never'" Escape
check "Escape gives up without running anything" wait_gone "Pipe message to:"
check "nothing ran" test ! -e "$UI_TMP/never"

# From the pager: the open message.
ui_keys Enter
wait_for "your laptop (ThinkPad T14, asset 4711)" || true
ui_keys '|' "grep Subject:" Enter
check "| in the pager pipes the open message" wait_for "Subject: Your laptop is ready"
ui_keys Space
check "the pager is drawn again" wait_for "your laptop (ThinkPad T14, asset 4711)"

# h: all headers and back.
ui_keys h
check "h in the pager shows every header" wait_for "Message-ID: <laptop-ready@example.org>"
ui_keys h
check "h again shows the usual few" wait_gone "Message-ID: <laptop-ready@example.org>"
ui_keys q q
check "surat quits cleanly" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
