#!/bin/sh
# Threads: sort = thread draws the tree, collapse/expand one and all, next and
# previous thread, parent; what a person sees in the index.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"
tri_setup 'sort = "thread";'
tri_threads
ui_start

check "sort = thread from the config: the status line says thread" wait_for "-- thread --"
check "the root of the first thread shows its subject" line_has 1 "Plan"
check "a reply hangs from the root with a tee" line_has 2 "├─>"
check "a reply with the same subject does not repeat it" line_lacks 2 "Plan"
check "a reply to the reply is drawn under its parent's line" line_has 3 "│  └─>"
check "the deeper reply is Carla's" line_has 3 "Carla Cruz"
check "the last reply ends the tree with a corner" line_has 4 "└─>"
check "the single message stands alone" line_has 5 "Lunch"
check "a reply with a new subject... Re: Budget is a repeat: no subject" line_lacks 7 "Budget"
check "the cursor starts on the first unread (Carla's)" wait_for "3/7 -- 3 new"
# The tree is drawn in the theme's tree colour (blue, 34), apart from the row.
ui_tmux capture-pane -e -p -t 0 | sed -n 4p >"$UI_TMP/row4"
check "the tree characters carry the tree element's colour" grep -q "$(printf '\033')\[34m.*└─>" "$UI_TMP/row4"

# P: parent; C-n / C-p: threads.
ui_keys P
check "P goes to the parent (Bob's reply)" wait_for "2/7 -- 3 new"
ui_keys P
check "P again goes to the root" wait_for "1/7 -- 3 new"
ui_keys P
check "P on a root says so" wait_for "This message has no parent here."
ui_keys C-n
check "C-n goes to the next thread (Lunch)" wait_for "5/7 -- 3 new"
ui_keys C-n
check "C-n again: the Budget thread" wait_for "6/7 -- 3 new"
ui_keys C-n
check "C-n on the last thread says so" wait_for "You are on the last thread."
ui_keys j
wait_for "7/7" || true
ui_keys C-p
check "C-p from a reply goes to the start of the thread before (Lunch)" wait_for "5/7 -- 3 new"
ui_keys C-p
check "C-p again: the first thread" wait_for "1/7 -- 3 new"

# M-v: collapse one thread; the row says how many and how many are new.
ui_keys j
wait_for "2/7" || true
ui_keys M-v
check "M-v collapses the thread: 4 rows left" wait_for "1/4 -- 3 new"
check "the collapsed row counts its messages and the new ones" line_has 1 "(4, 2 new) Plan"
check "the replies are hidden" line_has 2 "Lunch"
ui_keys M-v
check "M-v again expands it" wait_for "1/7 -- 3 new"
check "the replies are back" line_has 2 "├─>"

# M-V: all threads.
ui_keys M-V
check "M-V collapses every thread" wait_for "1/3 -- 3 new"
check "the Budget thread shows as one row with its count" wait_for "(2, 1 new) Budget"
check "a thread of one message shows no count" line_has 2 "Lunch"
check "no tree is left on the screen" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q '└─>'"
ui_keys j j M-v
check "M-v on a collapsed thread (all collapsed) expands that one" wait_for "3/4 -- 3 new"
check "its reply shows" line_has 4 "└─>"
ui_keys M-V
check "M-V again expands all, the cursor stays on its message" wait_for "6/7 -- 3 new"

# Collapse a thread, then search for a message hidden in it: the thread opens.
ui_keys = M-v
wait_for "1/4" || true
ui_keys / "from:carla" Enter
check "a search match hidden in a collapsed thread expands it" wait_for "3/7 -- 3 new"

# Another order has no threads.
ui_keys o d
check "o d sorts by date: the status line says date" wait_for "-- date --"
check "no tree in date order" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q '├─>'"
ui_keys M-v
check "M-v outside thread order says how to get threads" wait_for "Threads show when sorted by thread (o t)."
ui_keys q
check "quits cleanly" wait_for "EXIT=0"

# In-Reply-To alone (no References, as some clients send) links a reply,
# whatever its subject.
rm -rf "$UI_STORE"
tri_setup 'sort = "thread";'
tri_msg 1 01 "Ann Arbor" "Lunch" "" "" "Lunch at noon?" S
tri_msg 2 02 "Bob Brown" "Pizza?" 1 "" "Pizza, then?" S
tri_msg 3 03 "Carla Cruz" "Sounds good" 2 "" "Count me in."
ui_start
check "In-Reply-To only: the root first" wait_line 1 "Lunch"
check "In-Reply-To only: the reply with a new subject hangs from it" wait_line 2 "└─>"
check "In-Reply-To only: the reply to the reply under that" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 3p | grep -q '   └─>.*Sounds good'"
ui_keys q
check "quits cleanly again" wait_for "EXIT=0"
tap_end
