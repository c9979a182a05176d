#!/bin/sh
# Line formats (issue 13): an index_format and a status_format from the
# config, as mutt writes them, draw the rows and the status bar; the thread
# tree stays before the subject in %s; `:set` changes them (and
# pager_format, date_format) at run time; a bad format is an error that says
# which codes there are, in the config and at `:`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"

# A config with a mistake in it is refused, naming the line and the codes.
tri_setup 'index_format = "%4C %Q %s";'
"$SURAT" -c "$UI_CONFIG" list >"$UI_TMP/out" 2>"$UI_TMP/err"
check "a bad index_format is refused with its line and the known codes" \
	grep -q "config:5: index_format: unknown code %Q; the codes are %a %b %c %C" "$UI_TMP/err"

# Ann's address is the person's own (alternates): %L shows whom she wrote to.
tri_setup 'sort = "thread";' \
	'alternates = [ "ann\\.arbor@example\\.org" ];' \
	'index_format = "%4C %Z %{%b %d} %-15.15L (%?l?%4l&%4c?) %s";' \
	'status_format = "%f: %C/%m (%n new) by %s%?V? limit %V?%>=%v";'
tri_threads
ui_start

check "%C numbers the rows, %{%b %d} dates, %L says To for my own mail, %?l? falls to %c" \
	wait_for_re '^   1      Jan 01 To Alice        \( *[0-9.]+K?\) Plan$'
check "%-15.15L cuts and pads a sender; %s keeps the thread tree before the subject" \
	line_has 2 "   2      Jan 02 Bob Brown       ("
check "the tree follows ) as %s begins, the repeated subject left out" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 2p | grep -Eq '\) ├─>$'"
check "the unread reply has N in %Z" line_has 3 "   3  N   Jan 04 Carla Cruz"
ui_tmux capture-pane -e -p -t 0 | sed -n 2p >"$UI_TMP/row2"
check "the tree in %s has the tree's colour" grep -q "$(printf '\033')\[34m.*├─>" "$UI_TMP/row2"
check "the status bar is status_format's: %f %C %m %n %s, %>= fills up to %v" \
	wait_for_re '^demo: 3/7 \(3 new\) by thread=+[0-9][0-9.a-z-]*$'

ui_keys l "subject:plan" Enter
check "%?V? shows the limit only while there is one" wait_for "demo: 3/4 (2 new) by thread limit subject:plan="
ui_keys l Enter
wait_for "demo: 3/7" || true

ui_keys : && ui_keys -l 'set index_format "%-6.6n|%s%>.%c"' && ui_keys Enter
check ":set index_format redraws every row at once" wait_for_re '^Ann Ar\|Plan\.+[0-9.]+K?$'
check "%>. pads to the right edge, %c at the end of a reply's row too" \
	wait_for_re '^Bob Br\|├─>\.+[0-9.]+K?$'
ui_keys : && ui_keys -l 'set index_format "%4C %Q"' && ui_keys Enter
check ":set with an unknown code says so and lists the codes" \
	wait_for "index_format: unknown code %Q; the codes are %a %b %c %C"
check "and the rows stay as they were" screen_match '^Ann Ar\|Plan\.+'

ui_keys : && ui_keys -l 'set date_format relative' && ui_keys Enter
ui_keys : && ui_keys -l 'set index_format "%D %n"' && ui_keys Enter
check "date_format relative reaches the index's %D (Jan 01 this year, else the full date)" \
	wait_for_re '^(Jan 01|2026-01-01) Ann Arbor$'

ui_keys : && ui_keys -l 'set index_format "%T|%u|%v|%b|%f"' && ui_keys Enter
check "%T says F for my own mail; %u %v %b %f: user, first name, mailbox, full sender" \
	wait_for_re '^F\|ann\.arbor\|Ann\|demo\|Ann Arbor <ann\.arbor@example\.org>$'
ui_keys : && ui_keys -l 'set index_format "%D %n"' && ui_keys Enter

ui_keys : && ui_keys -l 'set pager_format "-%Z- %C/%m: %-12.12n %s%*  -- (%P)"' && ui_keys Enter
ui_keys Enter
check "with a message open the status bar is pager_format's, about that message" \
	wait_for_re '^-.{4}- 3/7: Carla Cruz   Re: Plan +-- \([0-9]+%\)$'
ui_keys : && ui_keys -l 'set pager_format ""' && ui_keys Enter
check "set pager_format \"\" gives the bar back to status_format" wait_for "demo: 3/7 (2 new) by thread"

ui_keys q q
check "q quits with status 0" wait_for "EXIT=0"
check "nothing was printed on stderr" test ! -s "$UI_TMP/stderr"
tap_end
