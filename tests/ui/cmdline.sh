#!/bin/sh
# The : command line: an action by name, set OPTION VALUE taking effect at
# once, set OPTION?, set noOPTION, bind at run time, Tab completion, the
# line editor's keys and history, and one clear line for a bad command.
. "$(dirname "$0")/lib.sh"
ui_setup
ui_start
wait_for "Your laptop is ready" || true
check "the index starts on message 3" wait_for "surat: demo -- 3/12"

ui_keys :
check ": opens the command line" wait_for ":"
ui_keys -l last-entry
ui_keys Enter
check ":last-entry runs the action" wait_for "-- 12/12 --"

ui_keys : && ui_keys -l 'set index_lines 3' && ui_keys Enter
check "set index_lines says the new value" wait_for "index_lines = 3"
ui_keys Enter
wait_for "Subject:" || true
check "set index_lines 3: the split view has 3 index rows" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 4p | grep -q -- '^---'"
ui_keys q
wait_gone "Subject:" || true

ui_keys : && ui_keys -l 'set index_lines?' && ui_keys Enter
check "set OPTION? shows the value" wait_for "index_lines = 3"

ui_keys : && ui_keys -l 'set mouse' && ui_keys Enter
check "set mouse turns a yes/no option on" wait_for "mouse = yes"
ui_keys : && ui_keys -l 'set nomouse' && ui_keys Enter
check "set nomouse turns it off" wait_for "mouse = no"

ui_keys : && ui_keys -l "set theme $SURAT_SRCDIR/themes/dark-256.theme" && ui_keys Enter
check "set theme takes a path" wait_for "dark-256.theme"
check "the status line now has the theme's colours (color237 behind)" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q '48;5;237m.*-- surat: demo'"
ui_keys : && ui_keys -l "set theme default" && ui_keys Enter
check "set theme default: the built-in theme, by name, with no themes folder" \
	wait_for "theme = default"
check "and the colours are gone again" \
	sh -c "! tmux -L '$UI_SOCKET' capture-pane -e -p -t 0 | grep -q '48;5;237m'"
ui_keys : && ui_keys -l "set theme mono" && ui_keys Enter
check "a theme that is not installed: the folders searched are named" \
	wait_for 'theme: no theme named "mono" in'

ui_keys : && ui_keys -l 'set sort reverse-date' && ui_keys Enter
check "set sort reverse-date" wait_for "sort = reverse-date"
check "the cursor stays on its message, now counted from the other end" wait_for "-- 1/12 --"
ui_keys : && ui_keys -l 'set sort from' && ui_keys Enter
check "set sort from: every order works" wait_for "-- from --"

ui_keys : && ui_keys -l 'bind index K last-entry' && ui_keys Enter
check "bind at run time says what it bound" wait_for "index: K is bound to last-entry"
ui_keys Home K
check "the new binding works" wait_for "-- 12/12 --"

# Tab: command words, option names, values.
ui_keys : && ui_keys -l 'set index_l' && ui_keys Tab
check "Tab completes an option name" wait_for ":set index_lines"
ui_keys -l 4 && ui_keys Enter
check "with a space after it, ready for the value" wait_for "index_lines = 4"
ui_keys : && ui_keys -l 'set index_l'
ui_keys C-u
check "C-u kills the line" sh -c "sleep 0.3; tmux -L '$UI_SOCKET' capture-pane -p -t 0 | tail -1 | grep -qx ':'"
ui_keys -l 'se' && ui_keys Tab
check "several command words and actions: the status line lists them" \
	wait_for "set search search-reverse search-next search-opposite"
ui_keys -l 't so' && ui_keys Tab
check "Tab completes sort" wait_for ":set sort"
ui_keys -l 'rev' && ui_keys Tab
check "several values: completed as far as they agree" wait_for ":set sort reverse-"
check "and listed in the status line" wait_for "reverse-date reverse-arrival"
ui_keys Tab
check "Tab again puts in the first" wait_for ":set sort reverse-date"
ui_keys Tab
check "and again the next" wait_for ":set sort reverse-arrival"
ui_keys C-w C-w
check "C-w kills a word at a time" sh -c "sleep 0.3; tmux -L '$UI_SOCKET' capture-pane -p -t 0 | tail -1 | grep -qx ':set'"
ui_keys C-u && ui_keys -l 'first-en' && ui_keys Tab
check "Tab completes an action name" wait_for ":first-entry"
ui_keys Enter
check "and it runs" wait_for "-- 1/12 --"

# Tab on an empty line, or with the cursor at the start: every command word
# and action is a candidate.  (Both once crashed surat with SIGSEGV.)
ui_keys :
wait_for ":" || true
ui_keys Tab
check ": then Tab on the empty line lists the command words" wait_for "bind color exec help macro push quit reset set source"
check "and surat is still running" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q EXIT="
ui_keys Escape
ui_keys : && ui_keys -l 'set' && ui_keys Home Tab
check ":set, Home, Tab lists the command words too" wait_for "bind color exec help macro push quit reset set source"
ui_keys Escape
check "Escape leaves the line; surat is still running" wait_for "-- surat: demo"
check "no EXIT on the screen" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q EXIT="

# The line editor: moving, deleting, history.
ui_keys : && ui_keys -l 'lst-entry' && ui_keys Home C-f && ui_keys -l a && ui_keys Enter
check "Home, C-f and typing edit in the middle of the line" wait_for "-- 12/12 --"
ui_keys : && ui_keys -l '日本' && ui_keys Left && ui_keys -l x
check "wide characters: Left moves over one, typing goes between" wait_for ":日x本"
ui_keys BSpace Right BSpace
check "Backspace deletes the character before the cursor" wait_for ":日"
ui_keys Escape
ui_keys : Up
check "Up brings back the last line" wait_for ":last-entry"
ui_keys Escape
check "Escape cancels" wait_gone ":last-entry"

ui_keys : && ui_keys -l 'frobnicate' && ui_keys Enter
check "an unknown command is one clear line" wait_for 'unknown action "frobnicate"'
ui_keys : && ui_keys -l 'set index_lines lots' && ui_keys Enter
check "a bad value says what is expected" wait_for "index_lines: expected a number from 1 to 200"
ui_keys : && ui_keys -l 'set index_lines?' && ui_keys Enter
check "and changes nothing" wait_for "index_lines = 4"
ui_keys : && ui_keys -l 'set frob 1' && ui_keys Enter
check "an unknown option is named" wait_for 'set: unknown option "frob"'
ui_keys : && ui_keys -l 'bind index x frob' && ui_keys Enter
check "a bad bind says why" wait_for 'bind: unknown action "frob"'
ui_keys : && ui_keys -l 'next-thread' && ui_keys Enter
check "an action runs from the command line (next-thread outside thread order)" wait_for "Threads show when sorted by thread (o t)."
ui_keys : && ui_keys -l 'pipe-message' && ui_keys Enter
check "an action with a question of its own asks it (pipe-message)" wait_for "Pipe message to:"
ui_keys Escape
ui_keys : && ui_keys -l 'next-line' && ui_keys Enter
check "an action of another view says where it applies" wait_for "next-line does not apply in the index"

ui_keys : && ui_keys -l 'quit' && ui_keys Enter
check ":quit leaves surat" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
