#!/bin/sh
# The sidebar: the unified inbox, each account with its local folders, the
# saved searches, each with new/total counts; B hides and shows it, :set
# changes it at run time; M-j/M-k/M-o, the sidebar's own keys after M-s,
# next-account ({ }) and a mouse click switch what the index shows, and the
# status line names it; mail landing in another account updates the counts.
. "$(dirname "$0")/lib.sh"
ui_setup
UI_WIDTH=110

# A second account "work" with three unread messages of its own, and a
# local folder "Archive" of demo with two read ones.
mkdir -p "$UI_STORE/work/tmp" "$UI_STORE/work/new" "$UI_STORE/work/cur"
# work_mail N SUBJECT: a message in work's new/.
work_mail() {
	printf 'From: Pat Work <pat@work.example>\nTo: alice@work.example\nSubject: %s\nDate: Mon, %d Dec 2025 09:00:00 +0000\nMessage-ID: <w%d@work.example>\n\nHello.\n' \
		"$2" "$1" "$1" >"$UI_STORE/work/new/17640000$1.W$1P1Q$1.work"
}
work_mail 10 "Quarterly budget review"
work_mail 11 "Invoice 77 for toner"
work_mail 12 "Standup moved to ten"
arch="$UI_STORE/demo/.Archive"
mkdir -p "$arch/tmp" "$arch/new" "$arch/cur"
touch "$arch/maildirfolder"
cp "$SURAT_SRCDIR/sample/mail/01-welcome.eml" "$arch/cur/1764000000.A1P1Q1.arch:2,S"
cp "$SURAT_SRCDIR/sample/mail/11-already-read.eml" "$arch/cur/1764000000.A2P1Q2.arch:2,S"
# A long folder name with a wide character is cut by display width.
long="$UI_STORE/demo/.Projets-été-très-longs-vraiment"
mkdir -p "$long/tmp" "$long/new" "$long/cur"

cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
sidebar = true;
sidebar_width = 28;
mouse = true;
mailboxes = (
	{ name = "Invoices"; query = "subject:invoice"; },
	{ name = "Unread"; query = "is:unread"; },
	{ name = "Broken"; query = "form:bob"; }
);
accounts = (
	{ name = "demo"; host = "127.0.0.1"; user = "alice"; },
	{ name = "work"; host = "127.0.0.1"; user = "alice"; }
);
CONF


# sidebar_row NAME: the sidebar part (first 27 columns) of the line naming NAME.
sidebar_row() {
	ui_screen | cut -c1-27 | grep -E "^[ >] *$1( |$)" | head -1
}
# row_is NAME COUNTS: NAME's sidebar line ends with COUNTS.
row_is() {
	sidebar_row "$1" | grep -qE " $2 *\$"
}
wait_row() { ui_poll 5 row_is "$1" "$2"; }
# click X Y: button 1 pressed and released at column X, row Y (0-based).
mouse_event() {
	printf '\033[M%b%b%b' "\\0$(printf %o $((32 + $1)))" "\\0$(printf %o $((33 + $2)))" \
		"\\0$(printf %o $((33 + $3)))"
}
click() {
	ui_keys -l "$(mouse_event 0 "$1" "$2")$(mouse_event 3 "$1" "$2")"
}

ui_start
check "two accounts: the index starts on all inboxes" wait_for "surat: all inboxes -- "
check "the unified inbox counts every inbox (13 new of 15)" wait_row "All inboxes" "13/15"
check "the unified inbox is marked as the one shown" screen_match '^>All inboxes'
check "account demo: its inbox, 10 new of 12" row_is "demo" "10/12"
check "its local folder Archive, indented, 0 new of 2" screen_match '^   Archive +0/2'
check "account work: 3 new of 3" row_is "work" "3/3"
check "saved search Invoices: 2/2 (one in each account)" row_is "Invoices" "2/2"
check "saved search Unread: 13/13" row_is "Unread" "13/13"
check "a saved search that does not parse says error" row_is "Broken" "error"
check "a long folder name is cut to the sidebar's width, counts kept" \
	screen_match '^   Projets-été-très-lon 0/0│'
# The theme's sidebar elements (the default theme: reverse, bold green, plain).
# esc_screen: the screen with its attributes, default-colour resets dropped.
esc_screen() { ui_tmux capture-pane -e -p -t 0 | sed 's/\x1b\[[34]9m//g'; }
esc_has() { esc_screen | grep -qF -- "$1"; }
# esc_wait TEXT: poll until the screen, attributes included, has TEXT (10 s at most).
esc_wait() { ui_poll 10 esc_has "$1"; }
check "the highlighted entry is drawn with sidebar_selected" esc_has "$(printf '\033[7m>All inboxes')"
check "a mailbox with new mail with sidebar_new" esc_has "$(printf '\033[32m demo ')"
check "a folder without new mail in the plain sidebar colour" \
	sh -c "$(command -v tmux) -L '$UI_SOCKET' capture-pane -e -p -t 0 | sed 's/\x1b\[[34]9m//g' | grep -qE '^($(printf '\033')\[0m)?   Archive '"
check "the index is drawn right of the sidebar, after the rule" screen_match '│ [N ][! ][r ] .*Your laptop is ready'

ui_keys B
check "B hides the sidebar" wait_gone "All inboxes"
check "the index takes the whole width again" screen_match '^ [N ][! ][r ] .*Your laptop is ready'
ui_keys B
check "B shows it again" wait_for "All inboxes"

# M-j moves the highlight, M-o opens.
ui_keys M-j
ui_keys M-o
check "M-j M-o opens account demo: the status line names it" wait_for "surat: demo -- "
check "demo's view: 12 messages, 10 new" wait_for "/12 -- 10 new"
check "work's mail is not in demo's view" screen_no_match 'Quarterly budget review'
check "the open mailbox is marked" screen_match '^>demo +10/12'
ui_keys M-j M-o
check "the folder Archive: status demo/Archive" wait_for "surat: demo/Archive -- "
check "Archive's two messages" wait_for "2/2 -- 0 new"
check "Archive shows its message" wait_for "Welcome to the infrastructure team"
ui_keys Enter
check "a message in a local folder opens in the pager" wait_for "There are no silly questions"
check "the pager is drawn right of the sidebar" screen_match '│month \(and only a few after that\)'
ui_keys q
wait_gone "There are no silly questions" || true

# The sidebar's own keys once it has the focus.
ui_keys M-s
ui_keys j j j
ui_keys Enter
check "M-s, j j j, Enter: the saved search Invoices" wait_for "surat: search Invoices -- "
check "the saved search's view: both invoices" wait_for "/2 -- 2 new"
check "the invoices of both accounts are listed" wait_for "Invoice 77 for toner"
check "and demo's" screen_match "Invoice 2026-1187"
ui_keys j Enter
check "the saved search Unread: 13 messages" wait_for "surat: search Unread -- "
wait_for "/13 -- 13 new" || true
ui_keys j Enter
check "opening a saved search that does not parse shows its error with the column" \
	wait_for "mailboxes \"Broken\": column 1: "
check "and the view stays" wait_for "surat: search Unread -- "
ui_keys q
ui_keys j
check "q gives the keys back to the index: j moves its cursor" wait_for "surat: search Unread -- 2/13"
# A limit inside a saved search: both apply.
ui_keys l && ui_keys -l 'subject:invoice' && ui_keys Enter
check "l inside the saved search Unread shows what both match" wait_for "surat: search Unread -- 1/2 -- 2 new"
check "the status line says the limit" screen_has "limit: subject:invoice"
ui_keys l && ui_keys -l 'all' && ui_keys Enter
check "l all goes back to the whole saved search" wait_for "/13 -- 13 new"

# next-account and previous-account: } and {, cycling all inboxes and accounts.
ui_keys '}'
check "} from a saved search opens the first account" wait_for "surat: demo -- "
ui_keys '}'
check "} again: work" wait_for "surat: work -- "
check "work's three messages" wait_for "/3 -- 3 new"
check "work's own mail is shown" screen_match "Quarterly budget review"
ui_keys '}'
check "} wraps to all inboxes" wait_for "surat: all inboxes -- "
ui_keys '{'
check "{ goes back to work" wait_for "surat: work -- "
ui_keys : && ui_keys -l 'previous-account' && ui_keys Enter
check ":previous-account opens demo" wait_for "surat: demo -- "

# The wheel over the sidebar moves its highlight; a click on an entry opens it.
ui_keys -l "$(mouse_event 65 3 2)"
check "the wheel down over the sidebar moves the highlight" esc_wait "$(printf '\033[7m   Archive ')"
ui_keys -l "$(mouse_event 64 3 2)"
check "the wheel up moves it back" esc_wait "$(printf '\033[7m>demo ')"
row=$(ui_screen | grep -nE '^[ >]work ' | head -1 | cut -d: -f1)
click 3 $((row - 1))
check "a mouse click on work opens it" wait_for "surat: work -- "
row=$(ui_screen | grep -nE '^[ >]All inboxes' | head -1 | cut -d: -f1)
click 3 $((row - 1))
check "a click on All inboxes opens the unified inbox" wait_for "surat: all inboxes -- "

# Mail indexed by another process (surat reindex, or a fetch from cron)
# shows within a few seconds, without a key.
work_mail 13 "Lunch on Friday"
"$SURAT" -c "$UI_CONFIG" reindex >/dev/null 2>&1
check "mail indexed by another process: work's count goes to 4/4" wait_row "work" "4/4"
check "and the unified inbox's to 14/16" wait_row "All inboxes" "14/16"

# Moving to another account's folder: account/folder, completed by Tab.
ui_keys '}'
wait_for "surat: demo -- " || true
ui_keys M
wait_for "Move to folder:" || true
ui_keys -l 'work/Arc'
ui_keys Enter
check "another account's new folder: asked first" wait_for "Create folder work/Arc? (y/n)"
ui_keys n
ui_keys M
wait_for "Move to folder:" || true
ui_keys -l 'work/Archive'
ui_keys Enter
wait_for "Create folder work/Archive? (y/n)" || true
ui_keys y
check "moved to work/Archive" wait_for "Moved 1 message to work/Archive."
check "the file is in work's Maildir++ folder" sh -c "ls '$UI_STORE'/work/.Archive/*/*Q7.sample* >/dev/null"
check "work's Archive shows in the sidebar, 1/1" screen_match '^   Archive +1/1'
check "demo's inbox drops to 9/11" wait_row "demo" "9/11"
ui_keys C
wait_for "Copy to folder:" || true
ui_keys -l 'work/Ar'
ui_keys Tab
check "Tab completes another account's folder" wait_for "Copy to folder: work/Archive"
ui_keys Escape
wait_gone "Copy to folder:" || true

# :set at run time.
ui_keys : && ui_keys -l 'set sidebar_width 40' && ui_keys Enter
check ":set sidebar_width 40 widens it: the whole name shows" wait_for '   Projets-été-très-longs-vraiment'
ui_keys : && ui_keys -l 'set nosidebar' && ui_keys Enter
check ":set nosidebar hides it" wait_gone "All inboxes"
ui_keys : && ui_keys -l 'set sidebar' && ui_keys Enter
check ":set sidebar shows it" wait_for "All inboxes"
ui_keys q
check "q quits" wait_for "EXIT=0"
tap_end
