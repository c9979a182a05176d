#!/bin/sh
# Themes: colours from the theme file, NO_COLOR, the mono theme, and an
# unknown theme refused before the screen is touched.  The default theme is
# built in: it needs no themes folder (none is named until the mono case).
. "$(dirname "$0")/lib.sh"
ui_setup

# colours_on_screen: the pane uses a foreground colour (SGR 30-37 or 38;5).
colours_on_screen() {
	ui_tmux capture-pane -e -p -t 0 | grep -q "$(printf '\033')\[\(3[0-7]\|38;5;[0-9]*\)m"
}
# open_quoted: open Alice's reply (quotes at level 1) in the pager.
open_quoted() {
	wait_for "Your laptop is ready" || return 1
	ui_keys j j Enter
	wait_for "> 2. Lower the MX TTL"
}

ui_start
check "default theme: the quoted reply opens" open_quoted
check "default theme: quotes are coloured (cyan, as themes/default.theme says)" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q \"\$(printf '\033')\[[0-9;]*36m> 2. Lower the MX TTL\""
ui_keys q q
check "default theme: quits cleanly" wait_for "EXIT=0"
check "default theme: nothing on stderr" test ! -s "$UI_TMP/stderr"

UI_ENV="NO_COLOR=1"
ui_start
check "NO_COLOR: the quoted reply opens" open_quoted
check "NO_COLOR: no colours at all" sh -c "! tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q \"\$(printf '\033')\[3[0-7]m\""
check "NO_COLOR: the status line is still reverse video" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q \"\$(printf '\033')\[\(0;\)\?7m.*-- surat: demo\""
ui_keys q q
wait_for "EXIT=0" || true
UI_ENV=

UI_THEMES_DIR="$SURAT_SRCDIR/themes"
sed -i 's/theme = "default";/theme = "mono";/' "$UI_CONFIG"
ui_start
check "mono theme: the quoted reply opens" open_quoted
check "mono theme: no colours" sh -c "! tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q \"\$(printf '\033')\[3[0-7]m\""
ui_keys q q
wait_for "EXIT=0" || true

sed -i 's/theme = "mono";/theme = "no-such-theme";/' "$UI_CONFIG"
ui_start
check "unknown theme: surat stops with status 2" wait_for "EXIT=2"
check "unknown theme: the error names the file, line and key" \
	grep -q "config:2: theme: no theme named" "$UI_TMP/stderr"
tap_end
