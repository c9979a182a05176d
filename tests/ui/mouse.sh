#!/bin/sh
# The mouse, behind the mouse option: a click selects an index row, a click
# on the selected row (the second click of a double click) opens it, the
# wheel scrolls the index and the pager, a click on the status line does
# nothing.  With mouse = false clicks do nothing.  Events are written as
# the terminal would send them (X10 encoding, what TERM=screen asks for).
. "$(dirname "$0")/lib.sh"
ui_setup
UI_HEIGHT=12

# click X Y: a press and a release of button 1 at column X, row Y (0-based).
mouse_event() {
	printf '\033[M%b%b%b' "\\0$(printf %o $((32 + $1)))" "\\0$(printf %o $((33 + $2)))" \
		"\\0$(printf %o $((33 + $3)))"
}
click() {
	ui_keys -l "$(mouse_event 0 "$1" "$2")$(mouse_event 3 "$1" "$2")"
}
wheel_up() { ui_keys -l "$(mouse_event 64 "$1" "$2")"; }
wheel_down() { ui_keys -l "$(mouse_event 65 "$1" "$2")"; }
wait_until_mouse() { ui_poll 5 mouse_mode; }

# mouse_mode: 1 when the program asked the terminal for mouse events.
mouse_mode() {
	ui_tmux display-message -p -t 0 '#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}' |
		grep -q 1
}
ui_start
wait_for "surat: demo -- 3/12" || true
check "mouse = false (the default): the terminal is not asked for mouse events" sh -c "! $(command -v tmux) -L '$UI_SOCKET' display-message -p -t 0 '#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}' | grep -q 1"
ui_keys : && ui_keys -l 'set mouse' && ui_keys Enter
check ":set mouse asks for them" wait_until_mouse
ui_keys : && ui_keys -l 'set nomouse' && ui_keys Enter
wait_for "mouse = no" || true
check ":set nomouse stops them" sh -c "sleep 0.3; ! $(command -v tmux) -L '$UI_SOCKET' display-message -p -t 0 '#{mouse_standard_flag}#{mouse_button_flag}#{mouse_any_flag}' | grep -q 1"
ui_keys q
wait_for "EXIT=0" || true

echo "mouse = true;" >>"$UI_CONFIG"
ui_start
wait_for "surat: demo -- 3/12" || true
# 10 index rows on a 12-row screen: rows 0..9 show messages 1..10 (top 0).
click 10 0
check "a click on a row selects it" wait_for "surat: demo -- 1/12"
click 10 4
check "a click on another row selects that one" wait_for "surat: demo -- 5/12"
check "without opening it" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'Subject:'"
click 10 4
check "a click on the selected row opens it" wait_for "From: Alice Example"
ui_keys q
wait_gone "Subject:" || true
click 10 10
sleep 0.3
check "a click on the status line does nothing" screen_has "surat: demo -- 5/12"
check "and opens nothing" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'Subject:'"
ui_keys Home
wait_for "surat: demo -- 1/12" || true
wheel_down 10 3
check "the wheel scrolls the index: the cursor stays on screen" wait_for "surat: demo -- 3/12"
check "and the first rows scrolled away" sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | head -1 | grep -q 'Your laptop is ready'"
wheel_up 10 3
check "wheel up scrolls back" sh -c "sleep 0.3; tmux -L '$UI_SOCKET' capture-pane -p -t 0 | head -1 | grep -q 'Your account has been created'"

# The pager: the wheel over it scrolls the message.
ui_tmux resize-window -t 0 -x 100 -y 10 2>/dev/null || true
ui_keys : && ui_keys -l 'set index_lines 3' && ui_keys Enter
ui_keys Enter
check "the laptop message opens in a 4-row pager" wait_for "From: Jens Becker"
wheel_down 10 5
check "the wheel over the pager scrolls it" wait_gone "From: Jens Becker"
wheel_up 10 5
check "and back" wait_for "From: Jens Becker"
ui_keys q q
check "q quits" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
