#!/bin/sh
# Tags and bulk actions: t, T, C-t, ; with delete/undelete/flag/read/pipe,
# U undo, and $ expunge into the trash (and for good without one); tags
# belong to their view (tags_across_views); q purges as `delete` says;
# copies and moves are never marked deleted; failing accounts and the log.
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
check "the status line counts them" wait_for "-- 3 new -- 4 tagged -- "

# Tags belong to the view they were made in: a limit to Lunch shows none.
ui_keys l "~s lunch" Enter
check "in a view without them the status line counts no tags" wait_for "-- 1/1 -- 0 new -- date -- limit"
check "... and shows no tag count" screen_lacks " tagged -- "
ui_keys '\;'
check "; there says none are here and where they are" \
	wait_for "No tagged messages in this view (4 in others; tags_across_views = true acts on them)."
ui_keys t
check "t in this view: the count is this view's" wait_for "-- 0 new -- 1 tagged -- "
ui_keys '\;' F
check "; F in the limited view flags only its own tagged message" wait_for "Flagged 1 message."
check "... Eve's file" wait_file "$UI_STORE/demo/cur/*Q5.test:2,FS"
check "... and no Plan message" sh -c "! ls '$UI_STORE'/demo/cur/*:2,F* | grep -v Q5.test"
ui_keys U
wait_for "Undone: flag 1 message." || true
ui_keys l all Enter
check "l all shows every message again, with five tagged" wait_for "-- 3 new -- 5 tagged -- "
ui_keys T all Enter
check "T all means the same as l all: the two untagged are tagged" wait_for "2 messages tagged."
check "seven tagged" wait_for "-- 7 tagged -- "
ui_keys C-t ALL Enter
check "C-t all untags every message (all in any case)" wait_for "7 messages untagged."
ui_keys T "~s plan" Enter
wait_for "4 messages tagged." || true
ui_keys '\;'
check "; says the next action is on the tagged" wait_for "tag-prefix: the next action applies to 4 tagged messages."
check "the status line shows tag-prefix" wait_for "-- tag-prefix"
ui_keys d
check "; d deletes all four and says so" wait_for "4 messages marked deleted."
check "their files get the T flag" wait_cmd sh -c "[ \$(ls '$UI_STORE'/demo/cur/*:2,*T* 2>/dev/null | wc -l) -eq 4 ]"
check "the rows show D" wait_cmd sh -c "[ \$(tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -c '^\*D') -eq 4 ]"
ui_keys U
check "U undoes the bulk delete and says what" wait_for "Undone: delete 4 messages."
check "no file has the T flag any more" wait_cmd sh -c "! ls '$UI_STORE'/demo/cur/*:2,*T* 2>/dev/null"
ui_keys '\;' F
check "; F flags all tagged" wait_for "Flagged 4 messages."
check "four flagged files" wait_cmd sh -c "[ \$(ls '$UI_STORE'/demo/cur/*:2,F* 2>/dev/null | wc -l) -eq 4 ]"
ui_keys '\;' F
check "; F when all have it unflags all (mutt's rule)" wait_for "Unflagged 4 messages."
check "no flagged file" wait_cmd sh -c "! ls '$UI_STORE'/demo/cur/*:2,F* 2>/dev/null"
ui_keys =
wait_for "1/7" || true
ui_keys F
wait_file "$UI_STORE/demo/cur/*Q1.test:2,F*" || true
ui_keys '\;' F
check "; F with mixed flags (one flagged, three not) flags all four" wait_for "Flagged 4 messages."
check "four flagged files again" wait_cmd sh -c "[ \$(ls '$UI_STORE'/demo/cur/*:2,F* 2>/dev/null | wc -l) -eq 4 ]"
ui_keys '\;' N
check "; N with two read and two unread tagged: all four become unread" wait_for "4 messages marked unread."
check "five new (Gina's, untagged, stays new)" wait_for "-- 5 new"
ui_keys '\;' N
check "; N again, all unread: all four marked read" wait_for "4 messages marked read."
check "one new message left" wait_for "-- 1 new"
ui_keys U U
check "U U brings the first state back" wait_for "-- 3 new"

# ;| pipes every tagged message in the view's order, concatenated into one run.
ui_keys '\;' '|'
check ";| asks for a command for the tagged messages" wait_for "Pipe tagged messages to:"
ui_keys "{ cat; echo RUN; } >>$UI_TMP/piped" Enter
check ";| waits for a key after the run" wait_for "Press any key"
ui_keys Enter
check ";| says what it did" wait_for "Piped 4 messages to {"
check "one run got all four, in date order" sh -c "[ \$(grep -c '^RUN' '$UI_TMP/piped') -eq 1 ] && \
	grep '^Message-ID' '$UI_TMP/piped' | tr -d '\n' | grep -qx 'Message-ID: <m1@test>Message-ID: <m2@test>Message-ID: <m3@test>Message-ID: <m4@test>'"
check "each message is followed by an empty line, as mutt's pipe_sep" \
	sh -c "grep -A2 -xF 'The plan is ready.' '$UI_TMP/piped' | tr '\n' '|' | grep -q '^The plan is ready.||From: Bob'"
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

# A copy of a message marked deleted is not marked; a moved one arrives unmarked.
ui_keys End
wait_for "7/7" || true
ui_keys C Saved Enter
wait_for "Create folder Saved? (y/n)" || true
ui_keys y
check "C copies the deleted message" wait_for "Copied 1 message to Saved."
check "the copy's file name has no T flag" sh -c "[ \$(ls '$UI_STORE/demo/.Saved/cur' | wc -l) -eq 1 ] && \
	! ls '$UI_STORE/demo/.Saved/cur' | grep -q ':2,.*T'"
check "the original is still marked deleted" file_exists "$UI_STORE/demo/cur/*Q7.test:2,T"
ui_keys M Later Enter
wait_for "Create folder Later? (y/n)" || true
ui_keys y
check "M moves it" wait_for "Moved 1 message to Later."
check "it arrives unmarked" file_exists "$UI_STORE/demo/.Later/cur/*Q7.test:2,"
ui_keys U
check "U puts it back, marked deleted again" wait_file "$UI_STORE/demo/cur/*Q7.test:2,T"

# q with a message marked deleted: delete = ask-yes (the default) asks, Enter purges.
ui_keys q
check "q asks to purge the message marked deleted, saying where it goes" \
	wait_for "Purge 1 deleted message (to Trash)? ([yes]/no):"
ui_keys Enter
check "Enter (ask-yes) purges and quits" wait_for "EXIT=0"
check "the message went to the trash, as \$ would move it" \
	sh -c "ls '$UI_STORE'/demo/.Trash/cur/*Q7.test* >/dev/null && ! ls '$UI_STORE'/demo/cur/*Q7.test* 2>/dev/null"

# Without a trash, expunge removes for good.
tri_setup 'trash = "";' 'delete = "ask-no";'
ui_start
wait_for "/6" || true
ui_keys End
wait_for "6/6" || true
ui_keys d '$'
check "with trash = \"\" and a message marked: expunge asks" wait_for "Delete 1 message marked deleted for good? (y/n)"
ui_keys y
check "it is removed for good" wait_for "1 message deleted for good."
check "the file is gone" sh -c "! ls '$UI_STORE'/demo/*/*Q6.test* 2>/dev/null && ! ls '$UI_STORE'/demo/.Trash/*/*Q6.test* 2>/dev/null"
ui_keys U
check "an expunge for good cannot be undone" wait_for "Nothing to undo."
ui_keys d q
check "delete = ask-no: q asks with no as the default" \
	wait_for "Purge 1 deleted message (for good)? (yes/[no]):"
ui_keys x
check "another key asks again" wait_for "Purge 1 deleted message (for good)? (yes/[no]):"
ui_keys Escape
check "Escape stays in surat" wait_gone "Purge 1 deleted"
check "... still running" screen_has "-- surat: demo -- "
ui_keys q
wait_for "Purge 1 deleted message" || true
ui_keys Enter
check "Enter (ask-no) quits keeping the mark" wait_for "EXIT=0"
check "the file is still there, marked deleted" file_exists "$UI_STORE/demo/cur/*:2,*T"

# delete = yes purges without asking; tags_across_views: ; and the count see every view;
# pipe_split: ;| runs the command once a message.
tri_setup 'delete = "yes";' 'pipe_split = true;' 'tags_across_views = true;'
ui_start
wait_for "/5" || true
ui_keys T "~s plan" Enter
check "tags_across_views: the count says it is every view's" wait_for "-- 4 tagged in all views -- "
ui_keys l "~s lunch" Enter
check "a view without them still counts them" wait_for "-- 1/1 -- 0 new -- 4 tagged in all views -- "
ui_keys '\;' '|'
check ";| with pipe_split asks for one run each" wait_for "Pipe tagged messages, one run each, to:"
ui_keys "{ cat; echo RUN; } >>$UI_TMP/split" Enter
wait_for "Press any key" || true
ui_keys Enter
check ";| with pipe_split runs once a message" wait_for "Piped 4 messages to {"
check "four runs, one message each" sh -c "[ \$(grep -c '^RUN' '$UI_TMP/split') -eq 4 ] && \
	[ \$(grep -c '^Message-ID' '$UI_TMP/split') -eq 4 ] && grep -A1 -x 'RUN' '$UI_TMP/split' | grep -q '^From:'"
ui_keys : quit Enter
check "delete = yes: :quit (as q) purges without asking and quits" wait_for "EXIT=0"
check "the marked message went to the trash (the default Trash now)" \
	sh -c "! ls '$UI_STORE'/demo/cur/*:2,*T 2>/dev/null && ls '$UI_STORE'/demo/.Trash/cur/*Q5.test* >/dev/null"

# Two accounts failing: the status bar names both; the log wraps its long lines.
# delete = no: q quits at once and keeps the marks.
tri_setup 'delete = "no";'
sed -i 's/^accounts = .*/accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; }, { name = "work"; host = "127.0.0.1"; port = 1; user = "bob"; } );/' "$UI_CONFIG"
ui_start
check "the status bar names every failing account" wait_for "(E: log) demo, work failed: demo: " 20
ui_keys E
wait_for "Fetch log" || true
ui_tmux resize-window -t 0 -x 40 -y "$UI_HEIGHT"
check "at 40 columns a long log line wraps: its end shows" wait_for "Connection refused"
check "... on a row of its own" wait_for_re "^[a-z ]*nect: Connection refused"
ui_tmux resize-window -t 0 -x "$UI_WIDTH" -y "$UI_HEIGHT"
ui_keys q
wait_gone "Fetch log" || true
ui_keys d q
check "delete = no: q quits at once" wait_for "EXIT=0"
check "the mark stays" file_exists "$UI_STORE/demo/cur/*:2,*T"
tap_end
