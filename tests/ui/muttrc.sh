#!/bin/sh
# A mutt user's muttrc through surat import-muttrc, then surat with the
# result, as that person would: the index_format, the bindings, the macro
# and the colour rule of the muttrc work in the interface.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"
tri_setup
tri_threads
tri_msg 8 08 "Alice Boss" "Quarterly plan" "" "" "The numbers, attached." S
# The config: the store and the account, then what import-muttrc printed.
{
	echo "store = \"$UI_STORE\";"
	echo 'accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );'
	HOME="$UI_TMP/home" "$SURAT" import-muttrc "$SURAT_SRCDIR/tests/data/muttrc/muttrc" 2>/dev/null
} >"$UI_CONFIG"

ESC=$(printf '\033')
has_fg() {
	ui_tmux capture-pane -e -p -t 0 | grep -F -- "$1" | head -n 1 |
		grep -q "$ESC\[\([0-9;]*;\)\?3$2\(;[0-9;]*\)\?m"
}

check "the translated config passes check-config" "$SURAT" -c "$UI_CONFIG" check-config
ui_start
check "index_format from the muttrc: numbers (%4C) and %{%b %d} dates" wait_for "   1 "
check "the date as %{%b %d} writes it" wait_for "Jan 08"
check "sidebar_visible became sidebar" wait_for "All inboxes"
check "sort reverse-date-received: Alice's (the newest) is on top" wait_line 1 "Alice Boss"
ui_keys G
check "bind index G last-entry" wait_for "8/8"
check "color index red default \"~f boss\": Alice Boss's row is red" ui_poll 10 has_fg "Alice Boss" 1
check "and Ann's is not" sh -c "! tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -F 'Ann Arbor' | grep -q '$ESC\[\([0-9;]*;\)\?31\(;[0-9;]*\)\?m'"
ui_keys g g
check "bind index gg first-entry" wait_for "1/8"
ui_keys , a
check "macro index ,a \"<limit>~f alice<enter>\": one message, Alice's" wait_for "1/1"
check "the status line shows the macro's limit" wait_for "limit: ~f alice"
ui_keys '?'
wait_for "surat help" || true
# Page down until the macros, after the index's keys.
help_find() {
	i=0
	while [ $i -lt 12 ]; do
		ui_screen | grep -qF "$1" && return 0
		ui_keys PageDown
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
check "the macro's description is on the help screen" help_find "show Alice's mail"
ui_keys q q
check "quits cleanly" wait_for "EXIT=0"
tap_end
