#!/bin/sh
# Limit: l shows only what a query matches, the status line says so, l all
# (or an empty line) shows everything again; the cursor stays on its message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"
tri_setup
tri_threads
ui_start
# Date order: 1 Ann, 2 Bob, 3 Dave, 4 Carla, 5 Eve, 6 Fred, 7 Gina.
wait_for "3/7" || true
ui_keys j
wait_for "4/7" || true

ui_keys l
check "l asks for a query" wait_for "Limit to messages matching:"
ui_keys "subject:plan" Enter
check "l subject:plan: four messages, the cursor still on Carla's" wait_for "4/4 -- 2 new"
check "the status line says limit: and the query" wait_for "limit: subject:plan"
check "Eve's lunch is not shown" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q Lunch"
ui_keys l "~f gina" Enter
check "l ~f gina (mutt syntax): one message; the cursor goes to it" wait_for "1/1 -- 1 new"
check "the status line shows the new limit" wait_for "limit: ~f gina"
ui_keys l "body:zymurgy" Enter
check "l body:WORD searches the full text" wait_for "1/1 -- 1 new"
check "Carla's message is the one" wait_for "Carla Cruz"
ui_keys l "date:2026-01-05.. NOT is:unread" Enter
check "a date range with NOT: Eve's and Fred's" wait_for "/2 -- 0 new"
ui_keys l "from:(" Enter
check "a bad query points at its column" wait_for "query: column 1: from: needs a value"
check "and the limit stays as it was" wait_for "limit: date:2026-01-05.. NOT is:unread"
ui_keys l "from:nobody" Enter
check "a limit nothing matches says how to get out" wait_for "No messages match"
ui_keys l all Enter
check "l all shows every message again" wait_for "/7 -- 3 new"
# mutt's ~ patterns are regular expressions anywhere in the field.
ui_keys l "~s lan" Enter
check "~s lan finds the Plan thread: inside a word, as mutt does" wait_for "/4 -- 2 new"
ui_keys l "~s ^Re:.*Plan" Enter
check "~s ^Re:.*Plan: the three replies" wait_for "/3 -- 2 new"
ui_keys l "~s Re:.*plan" Enter
check "a regex with an upper-case letter minds case, and the line says how it was read" \
    wait_for "(read as: Subject matches the regular expression /Re:.*plan/ (case counts"
ui_keys l "=s 'e: p'" Enter
check "=s is a plain string, any case" wait_for "/3 -- 2 new"
ui_keys l "~h '^In-Reply-To: <m1@'" Enter
check "~h reads the header lines of the files" wait_for "/2 -- 1 new"
ui_keys l "~(~f gina)" Enter
check "~(...) is the threads with a match" wait_for "/2 -- 1 new"
ui_keys l "~<(~f ^bob)" Enter
check "~<(...) is the replies to a match: Carla's" wait_for "1/1 -- 1 new"
check "Carla's it is" wait_for "Carla Cruz"
ui_keys l "~s \"(plan\"" Enter
check "a bad regular expression is an error at its column" wait_for "query: column 4: not a regular expression"
ui_keys l all Enter
wait_for "/7 -- 3 new" || true
check "and the status line has no limit" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'limit:'"
ui_keys l "~s budget" Enter
wait_for "limit: ~s budget" || true
ui_keys l Enter
check "l with an empty line clears the limit too" wait_for "/7 -- 3 new"

# Threads and the limit together.
ui_keys o t
wait_for "-- thread --" || true
ui_keys l "~s plan" Enter
check "a limit in thread order keeps the tree" wait_for "└─>"
check "four rows" wait_for "/4 -- 2 new"
ui_keys q
check "quits cleanly" wait_for "EXIT=0"
tap_end
