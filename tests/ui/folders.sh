#!/bin/sh
# Save (s), copy (C) and move (M) to local folders, and expunge with the
# trash: the folder prompt completes existing folders, asks before creating
# one, refuses a bad name with folder_name_valid's reason and changes
# nothing; the sidebar's counts follow; expunge moves marked messages to
# Trash, and expunging in the Trash removes them for good.
. "$(dirname "$0")/lib.sh"
ui_setup
UI_WIDTH=110
cat >>"$UI_CONFIG" <<CONF
sidebar = true;
sidebar_width = 24;
CONF

# wait_match ERE: poll until the screen shows a match.
wait_match() { ui_poll 5 screen_match "$1"; }
# files GLOB: how many files match.
files() {
	n=0
	for f in $1; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo $n
}
has_files() { [ "$(files "$1")" -eq "$2" ]; }

ui_start
wait_for "surat: demo -- 3/12" || true
check "the sidebar lists demo with its counts" wait_match '^>demo +10/12'
check "no local folders yet" sh -c "[ ! -e '$UI_STORE/demo/.Archive' ]"

# M to a new folder: asked first.
ui_keys M
check "M asks for a folder" wait_for "Move to folder:"
ui_keys -l 'Archive'
ui_keys Enter
check "a folder that does not exist: asked before creating" wait_for "Create folder Archive? (y/n)"
ui_keys y
check "the status line says where it went" wait_for "Moved 1 message to Archive."
check "the file is in the Maildir++ folder demo/.Archive" has_files "$UI_STORE/demo/.Archive/*/*Q7.sample*" 1
check "and no longer in the inbox" has_files "$UI_STORE/demo/*/*Q7.sample*" 0
check "the folder shows in the sidebar with its count (1 new of 1)" wait_match '^   Archive +1/1'
check "the inbox's count drops to 9/11" wait_match '^>demo +9/11'
check "the index: 11 messages" wait_for "/11 -- 9 new"
check "the moved message is gone from the inbox's view" sh -c "! $(command -v tmux) -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'Your laptop is ready'"
check "Maildir++ marks the folder" sh -c "[ -f '$UI_STORE/demo/.Archive/maildirfolder' ]"

# C to an existing folder, with completion: no question.
ui_keys C
check "C asks for a folder" wait_for "Copy to folder:"
ui_keys -l 'Ar'
ui_keys Tab
check "Tab completes an existing folder" wait_for "Copy to folder: Archive"
ui_keys Enter
check "an existing folder: copied without asking" wait_for "Copied 1 message to Archive."
check "the sidebar: Archive has 2" wait_match '^   Archive +[0-9]+/2'
check "the inbox keeps its 11" wait_match '^>demo +[0-9]+/11'

# s: mutt's save moves; n to the question creates nothing.
ui_keys s
check "s asks where to save" wait_for "Save to folder:"
ui_keys -l 'demo/Later'
ui_keys Enter
check "account/folder: asked before creating it" wait_for "Create folder demo/Later? (y/n)"
ui_keys n
check "n: nothing done" wait_for "Nothing done: demo/Later was not created."
check "no folder was made" sh -c "[ ! -e '$UI_STORE/demo/.Later' ]"
check "the inbox still has 11" wait_match '^>demo +[0-9]+/11'
ui_keys s
wait_for "Save to folder:" || true
ui_keys -l 'demo/Later'
ui_keys Enter
wait_for "Create folder demo/Later? (y/n)" || true
ui_keys y
check "y: saved, and the status line says where" wait_for "Saved 1 message to demo/Later."
check "s moved it: the inbox has 10" wait_match '^>demo +[0-9]+/10'
check "Later shows in the sidebar" wait_match '^   Later +[0-9]+/1'

# Bad names change nothing.
ui_keys M
wait_for "Move to folder:" || true
ui_keys -l '.hidden'
ui_keys Enter
check "a bad folder name gives folder_name_valid's reason" \
	wait_for "'.hidden' cannot be a folder name: it starts or ends with '.'"
check "and makes no folder" sh -c "[ ! -e '$UI_STORE/demo/..hidden' ]"
check "and moves nothing" wait_match '^>demo +[0-9]+/10'
ui_keys M
wait_for "Move to folder:" || true
ui_keys -l 'nosuch/Archive'
ui_keys Enter
check "an unknown account is named, with the known ones" \
	wait_for 'no account "nosuch"; write account/folder with one of: demo'
ui_keys M
wait_for "Move to folder:" || true
ui_keys Escape
check "Escape cancels the prompt" wait_gone "Move to folder:"
check "nothing moved" wait_match '^>demo +[0-9]+/10'

# Expunge with the trash (trash = "Trash" is the default).
ui_keys Home
wait_for "surat: demo -- 1/10" || true
ui_keys d
ui_keys '$'
check "\$ says what expunge will do: move to Trash" \
	wait_for "Move 1 message marked deleted to Trash? (y/n)"
ui_keys y
check "expunge moved it to the trash" wait_for "1 message moved to Trash."
check "the inbox has 9" wait_match '^>demo +[0-9]+/9'
check "the Trash folder shows in the sidebar" wait_match '^   Trash +0/1'
check "its file is in demo/.Trash, without the T flag" has_files "$UI_STORE/demo/.Trash/cur/*:2,S" 1

# Open the Trash (M-j to it, M-o) and expunge there: gone for good.
ui_keys M-j M-j M-j M-o
check "the Trash opens from the sidebar" wait_for "surat: demo/Trash -- 1/1"
ui_keys d
ui_keys '$'
check "expunging in the trash asks about deleting for good" \
	wait_for "Delete 1 message marked deleted for good? (y/n)"
ui_keys y
check "it is deleted for good" wait_for "1 message deleted for good."
check "its file is gone" has_files "$UI_STORE/demo/.Trash/*/*" 0
check "the Trash count is 0" wait_match '^>  Trash +0/0'
ui_keys '$'
check "\$ with nothing marked says so" wait_for "No message here is marked deleted."

# After a restart the folders and counts are the same (they are files and rows).
ui_keys q
wait_for "EXIT=0" || true
ui_start
check "after a restart: Archive 2, Later 1, inbox 9" \
	sh -c "sleep 1; $(command -v tmux) -L '$UI_SOCKET' capture-pane -p -t 0 | grep -qE '^   Archive +[0-9]+/2' && $(command -v tmux) -L '$UI_SOCKET' capture-pane -p -t 0 | grep -qE '^   Later +[0-9]+/1' && $(command -v tmux) -L '$UI_SOCKET' capture-pane -p -t 0 | grep -qE '^>demo +[0-9]+/9'"

# ; M: the next action applies to every tagged message; U puts them back.
wait_for "surat: demo -- " || true
ui_keys Home
ui_keys t t
ui_keys '\;'
check "t t then ; : the next action is on the two tagged" \
	wait_for "tag-prefix: the next action applies to 2 tagged messages."
ui_keys M
check "; M asks for a folder" wait_for "Move to folder:"
ui_keys -l 'Later'
ui_keys Enter
check "; M moves every tagged message" wait_for "Moved 2 messages to Later."
check "the inbox has 7" wait_match '^>demo +[0-9]+/7'
check "Later has 3" wait_match '^   Later +[0-9]+/3'
ui_keys U
check "U brings both back" wait_match '^>demo +[0-9]+/9'
ui_keys q
wait_for "EXIT=0" || true
tap_end
