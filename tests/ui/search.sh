#!/bin/sh
# Search: / and M-/ take a query in the search language (both syntaxes), n and
# M-n repeat it, it wraps, an error points at its column and moves nothing;
# in the pager / still searches the message's text.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"
tri_setup
tri_threads
ui_start
# Date order: 1 Ann, 2 Bob, 3 Dave, 4 Carla, 5 Eve, 6 Fred, 7 Gina.
wait_for "3/7" || true
ui_keys =
wait_for "1/7" || true

ui_keys /
check "/ asks for a query" wait_for "Search for:"
ui_keys "from:carla" Enter
check "/ from:carla goes to Carla's message" wait_for "4/7 -- 3 new"
ui_keys / "~s budget" Enter
check "/ ~s budget (mutt syntax) goes to the next match (Fred's)" wait_for "6/7 -- 3 new"
ui_keys n
check "n goes to the next match (Gina's Re: Budget)" wait_for "7/7 -- 3 new"
ui_keys n
check "n past the last match wraps to the top" wait_for "6/7 -- 3 new"
check "and says so" wait_for "Search wrapped to top."
ui_keys M-n
check "M-n searches the other way (wraps up to Gina's)" wait_for "7/7 -- 3 new"
ui_keys M-/
check "M-/ asks for a reverse search" wait_for "Reverse search for:"
ui_keys "body:question OR zymurgy" Enter
check "M-/ with a body query and OR goes up to the nearest match (Carla's)" wait_for "4/7 -- 3 new"
ui_keys n
check "n repeats upward (Dave's)" wait_for "3/7 -- 3 new"
ui_keys M-n
check "M-n goes down again" wait_for "4/7 -- 3 new"
ui_keys / "~f eve | ~f fred" Enter
check "mutt's | (or) works: Eve's message" wait_for "5/7 -- 3 new"
ui_keys / "is:unread !~f dave" Enter
check "is:unread with ! (not): Gina's is the next unread that is not Dave's" wait_for "7/7 -- 3 new"

# Errors: the column, and nothing moves.
ui_keys / "Plan form:ann" Enter
check "an unknown field is an error with its column" wait_for "query: column 6: "
check "the cursor did not move" wait_for "7/7 -- 3 new"
ui_keys / "(plan" Enter
check "an unbalanced parenthesis is an error at column 1" wait_for "query: column 1: "
ui_keys / "from:nobody" Enter
check "no match: Not found, and how the query was read" wait_for 'Not found (read as: From has words starting with "nobody")'
check "and nothing moved" wait_for "7/7 -- 3 new"

# In the pager, / searches the text of the open message.
ui_keys = Enter
check "the first message opens" wait_for "The plan is ready."
ui_keys / "ready" Enter
check "/ in the pager searches the message's text (no query error)" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'query: column'"
check "the index cursor stays" wait_for "1/7"
ui_keys q q
check "quits cleanly" wait_for "EXIT=0"
tap_end
