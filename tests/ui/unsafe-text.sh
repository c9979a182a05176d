#!/bin/sh
# Names from disk never reach the terminal raw: an account Maildir another
# tool made, whose name holds an OSC escape (ESC ] 0 ; ... BEL) and the C1
# control U+009B, and a folder whose name holds RIGHT-TO-LEFT OVERRIDE, show
# in visible form in the sidebar, the status line, a prompt and its Tab
# candidates and the message line; and none of their bytes is among what
# surat wrote to the terminal (tmux pipe-pane records the pane's output).
. "$(dirname "$0")/lib.sh"
ui_setup
UI_WIDTH=120

bad=$(printf 'x\033]0;pwned\007\302\233y')
bad_shown='x^[]0;pwned^G<U+009B>y'
rlo=$(printf 'Ev\342\200\256il')
rlo_shown='Ev<U+202E>il'

mkdir -p "$UI_STORE/$bad/cur" "$UI_STORE/$bad/new" "$UI_STORE/$bad/tmp"
cp "$SURAT_SRCDIR/sample/mail/01-welcome.eml" "$UI_STORE/$bad/cur/1764000000.A1P1Q1.x:2,S"
mkdir -p "$UI_STORE/demo/.$rlo/cur" "$UI_STORE/demo/.$rlo/new" "$UI_STORE/demo/.$rlo/tmp"
touch "$UI_STORE/demo/.$rlo/maildirfolder"
cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
sidebar = true;
sidebar_width = 40;
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );
CONF

# raw_controls: the pane's output holds a byte sequence of those names.
raw_controls() {
	LC_ALL=C grep -q -e "$(printf '\033]0;pwned')" -e "$(printf '\302\233')" \
		-e "$(printf '\342\200\256')" "$UI_TMP/pane.raw"
}

ui_start
wait_for "all inboxes" || true
# Record everything written from here on, and draw the whole screen again.
ui_tmux pipe-pane -o -t 0 "cat >>'$UI_TMP/pane.raw'"
sleep 0.2
ui_keys C-l
check "the sidebar shows the account from disk in visible form" wait_for "$bad_shown"
check "the sidebar shows the folder from disk in visible form" wait_for "$rlo_shown"

# Open that account: the status line names it.
ui_keys M-j M-j M-j M-o
check "the status line names the account in visible form" wait_for "-- surat: $bad_shown --"

# The folder prompt: Tab's candidates in the status line, one completed into the line.
ui_keys s
wait_for "Save to folder:" || true
ui_keys Tab
check "Tab's candidates show in visible form" wait_for "demo/$rlo_shown"
ui_keys Escape
ui_keys s
wait_for "Save to folder:" || true
ui_keys x Tab
check "a completed name shows in visible form in the prompt" \
	wait_for "Save to folder: $bad_shown/inbox"
ui_keys C-u
ui_keys -l "demo/E"
ui_keys Tab
check "the other name too" wait_for "Save to folder: demo/$rlo_shown"
ui_keys Enter
check "the message line names the folder in visible form" wait_for "to demo/$rlo_shown."
ui_keys q
wait_for "EXIT=" || true
check "none of those bytes reached the terminal" eval 'test -s "$UI_TMP/pane.raw" && ! raw_controls'
tap_end
