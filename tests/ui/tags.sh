#!/bin/sh
# Tags and bulk actions: t, T, C-t, ; with delete/undelete/flag/read, U undo,
# and $ expunge into the trash (and for good without one).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"
tri_setup
tri_threads
ui_start
# Date order: 1 Ann, 2 Bob, 3 Dave, 4 Carla, 5 Eve, 6 Fred, 7 Gina.
wait_for "3/7" || true
ui_keys =
wait_for "1/7" || true

ui_keys t
check "t tags the message: a * in its row" wait_line 1 "*"
check "t moves on to the next message" wait_for "2/7"
ui_tmux capture-pane -e -p -t 0 | sed -n 1p >"$UI_TMP/row1"
check "a tagged row has the theme's tagged colour (yellow, 33)" grep -q "$(printf '\033')\[[0-9;]*33m" "$UI_TMP/row1"
ui_keys k t
check "t again untags it" wait_cmd sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 1p | grep -qF '*'"

ui_keys T
check "T asks for a query" wait_for "Tag messages matching:"
ui_keys "~s plan" Enter
check "T ~s plan tags the four Plan messages" wait_for "4 messages tagged."
check "four rows carry the mark" wait_cmd sh -c "[ \$(tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -c '^\*') -eq 4 ]"
ui_keys '\;'
check "; says the next action is on the tagged" wait_for "tag-prefix: the next action applies to 4 tagged messages."
check "the status line shows tag-prefix" wait_for "-- tag-prefix"
ui_keys d
check "; d deletes all four" wait_for "delete-message: 4 of 4 tagged messages changed."
check "their files get the T flag" wait_cmd sh -c "[ \$(ls '$UI_STORE'/demo/cur/*:2,*T* 2>/dev/null | wc -l) -eq 4 ]"
check "the rows show D" wait_cmd sh -c "[ \$(tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -c '^\*D') -eq 4 ]"
ui_keys U
check "U undoes the bulk delete and says what" wait_for "Undone: delete 4 messages."
check "no file has the T flag any more" wait_cmd sh -c "! ls '$UI_STORE'/demo/cur/*:2,*T* 2>/dev/null"
ui_keys '\;' F
check "; F flags all tagged" wait_for "flag-message: 4 of 4 tagged messages changed."
check "four flagged files" wait_cmd sh -c "[ \$(ls '$UI_STORE'/demo/cur/*:2,F* 2>/dev/null | wc -l) -eq 4 ]"
ui_keys j
wait_for "3/7" || true
ui_keys '\;' N
check "; N on an unread message marks all tagged read (Gina's, untagged, stays new)" wait_for "toggle-new: 2 of 4 tagged messages changed."
check "one new message left" wait_for "1 new"
ui_keys U
check "U brings the unread back" wait_for "3 new"
ui_keys C-t
check "C-t asks for a query to untag" wait_for "Untag messages matching:"
ui_keys "~f bob" Enter
check "C-t ~f bob untags one" wait_for "1 message untagged."
ui_keys U
check "U undoes the untag" wait_for "Undone: untag by query."
ui_keys C-t "~A" Enter
check "C-t ~A untags everything" wait_for "4 messages untagged."
ui_keys '\;'
check "; with nothing tagged says so" wait_for "No tagged messages."

# d, then $: into the trash; U brings it back.
ui_keys End
wait_for "7/7" || true
ui_keys d
check "d marks Gina's message deleted" wait_file "$UI_STORE/demo/cur/*Q7.test:2,T"
ui_keys U
check "U undoes a single delete: the file is back in new/ unmarked" wait_file "$UI_STORE/demo/new/*Q7.test"
ui_keys d '$'
check "\$ asks before expunging, saying where they go" wait_for "Move 1 message marked deleted to Trash? (y/n)"
ui_keys y
check "\$ moves the deleted message to the trash and says so" wait_for "1 message moved to Trash."
check "the file is in the Trash folder, unmarked" wait_file "$UI_STORE/demo/.Trash/cur/*Q7.test*"
check "the index shows six messages" wait_for "/6 -- 2 new"
ui_keys U
check "U takes it out of the trash again" wait_for "/7 -- 3 new"
check "its file is back in the inbox, still marked deleted" wait_file "$UI_STORE/demo/cur/*Q7.test:2,T"
ui_keys q
wait_for "EXIT=0" || true

# Without a trash, expunge removes for good.
tri_setup 'trash = "";'
ui_start
wait_for "/7" || true
ui_keys '$'
check "with trash = \"\" and a message marked: expunge asks" wait_for "Delete 1 message marked deleted for good? (y/n)"
ui_keys y
check "it is removed for good" wait_for "1 message deleted for good."
check "the file is gone" sh -c "! ls '$UI_STORE'/demo/*/*Q7.test* '$UI_STORE'/demo/.Trash/*/*Q7.test* 2>/dev/null"
ui_keys U
check "an expunge for good cannot be undone" wait_for "Nothing to undo."
ui_keys q
check "quits cleanly" wait_for "EXIT=0"
tap_end
