#!/bin/sh
# Colour rules (issue 13): index rows by query, body spans and header lines
# by regular expression, over the theme, as a person sees them
# (capture-pane -e keeps the colours); F re-colours a row at once; the last
# matching rule wins; :color adds a rule; a bad rule is a config error on
# its line.
. "$(dirname "$0")/lib.sh"
ui_setup
cat >>"$UI_CONFIG" <<'CONF'
color = (
	{ object = "index"; fg = "red"; bg = "default"; query = "~f jens"; },
	{ object = "index"; fg = "green"; query = "is:flagged"; },
	{ object = "body"; fg = "cyan"; regex = "https?://\\S+"; },
	{ object = "header"; fg = "yellow"; regex = "^Subject:"; }
);
CONF

ESC=$(printf '\033')
# colour_line TEXT: the first screen line holding TEXT, with its escape sequences.
colour_line() { ui_tmux capture-pane -e -p -t 0 | grep -F -- "$1" | head -n 1; }
# has_fg TEXT N: TEXT's line sets foreground colour 3N (SGR 3N, alone or among others).
has_fg() { colour_line "$1" | grep -q "$ESC\[\([0-9;]*;\)\?3$2\(;[0-9;]*\)\?m"; }
# fg_before TEXT N WORD: foreground 3N is set right before WORD (nothing else between).
fg_before() { colour_line "$1" | grep -q "$ESC\[\([0-9;]*;\)\?3$2\(;[0-9;]*\)\?m$3"; }
# no_fg TEXT N: TEXT's line never sets foreground 3N.
no_fg() { ! has_fg "$1" "$2"; }

ui_start
check "the index opens, the cursor on the first unread (Jens's)" wait_for "Your laptop is ready"
# Up one: Jens's row is not the cursor's any more and shows its rule.
ui_keys k
check "index rule: the row from jens is red" ui_poll 10 has_fg "Jens Becker" 1
check "index rule: the row of the cursor keeps the cursor's look" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -F 'Welcome to the infrastructure' | grep -q '7m'"
check "index rule: the other rows are not red" \
	sh -c "! tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -E 'Invoice|Debian Weekly|Alice Example|Security Team|IT Service' | grep -q '$ESC\[\([0-9;]*;\)\?31\(;[0-9;]*\)\?m'"

# F on the invoice (the theme alone would make it red: the rule makes it green).
ui_keys '*' k
ui_keys F
ui_keys '*'
check "F: the flagged row takes the is:flagged rule at once (green)" \
	ui_poll 10 has_fg "Invoice 2026-1187" 2
check "F: and not the theme's red for flagged rows" no_fg "Invoice 2026-1187" 1
ui_keys k F '*'
check "F again: the row loses the rule's colour" ui_poll 10 no_fg "Invoice 2026-1187" 2
# Jens's row flagged: both rules match, the last (green) wins.
ui_keys = j j F k
check "the last matching rule wins: Jens's flagged row is green" \
	ui_poll 10 has_fg "Jens Becker" 2
check "the last matching rule wins: not red" no_fg "Jens Becker" 1

# :color at run time, as a mutt user types it.
ui_keys : 'color index magenta default "~s debian"' Enter
check ":color: says the rule was added" wait_for 'color: index rule added for "~s debian"'
check ":color: the Debian newsletter's row is magenta" ui_poll 10 has_fg "Debian Weekly" 5
ui_keys : 'color body red default "(unclosed"' Enter
check ":color: a bad regex says why and adds nothing" wait_for "color: not a regular expression"
ui_keys : 'color index red default "~q x"' Enter
check ":color: a query that does not parse says where" wait_for "color: query: column 1:"
ui_keys : 'color sidebar red default x' Enter
check ":color: an unknown object is named" wait_for 'color: unknown object (use index, body or header): "sidebar"'

ui_keys : && ui_keys -l 'color he' && ui_keys Tab && ui_keys -l 'yel' && ui_keys Tab
check ":color: Tab completes the object and the colour" wait_for ":color header yellow"
ui_keys Escape

# The pager: the IT Service Desk's message has a URL in its body.
ui_keys = Enter
check "the message opens" wait_for "sso.example.org"
check "body rule: the URL is cyan" fg_before "sso.example.org" 6 "https://sso.example.org/"
check "body rule: only the URL: the colour changes right after it" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q 'sso.example.org/$ESC\['"
check "header rule: the Subject line is yellow from its first letter" \
	fg_before "Subject:" 3 "Subject:"
# between "Subject:" and the end of its value, the colour is never set back
subject_stays_yellow() {
	colour_line "Subject:" | sed 's/.*Subject://; s/been created.*//' | grep -q "$ESC\[33m" &&
		! colour_line "Subject:" | sed 's/.*Subject://; s/been created.*//' | grep -q "39m"
}
check "header rule: the whole line, the value too" subject_stays_yellow
check "header rule: the From line is not yellow" no_fg "From: IT Service Desk" 3
ui_keys q q
check "quits cleanly" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
