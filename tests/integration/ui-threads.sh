#!/bin/sh
# The thread view while mail lands: with sort = thread, a background fetch
# from the test Dovecot adds replies under their parents (the tree redrawn
# right), the cursor stays on its message though the threads move; W fetches
# the rest of a message stored headers-only (max_size) in the background.
. "$(dirname "$0")/lib.sh"
dc_require 10
it_require_fetch 10

it_ui uithreads
line_shows() { ui_screen | sed -n "$1p" | grep -qF -- "$2"; }

# put N DAY SUBJECT PARENT REFS [PAD]: a message on the server's Maildir.
put() {
	box="$(dc_maildir alice)"
	mkdir -p "$box/new" "$box/cur" "$box/tmp"
	{
		echo "From: Person $1 <p$1@example.org>"
		echo "To: Alice <alice@example.net>"
		echo "Subject: $3"
		echo "Date: $(date -u -d "2026-01-$2 10:00:00" -R)"
		echo "Message-ID: <t$1@example.org>"
		[ -n "$4" ] && echo "In-Reply-To: <t$4@example.org>"
		[ -n "$5" ] && echo "References: $5"
		echo
		echo "Body of message $1."
		[ -n "${6:-}" ] && head -c "$6" /dev/zero | tr '\0' 'x' | fold -w 70
	} >"$box/new/17000000$1.M$1P1.seed"
}

dc_start alice
put 1 01 "Plan" "" ""
put 2 02 "Re: Plan" 1 "<t1@example.org>"
put 3 03 "Lunch" "" ""
it_config "$(dc_account work alice implicit 'poll_interval = 600; max_size = 20000;')"
printf 'sort = "thread";\n' >>"$IT_CFG"
ui_start 1
check "the fetch at start brings the 3 messages, threaded" wait_until 30 screen_has "/3 -- 3 new -- thread"
ui_tmux send-keys -t 0 End
check "the cursor goes to Lunch (the last thread)" wait_until 5 screen_has "3/3 -- 3 new"

# Two replies to the Plan thread, later than Lunch: the thread moves below it.
put 4 04 "Re: Plan" 2 "<t1@example.org> <t2@example.org>"
put 5 05 "Re: Plan" 1 "<t1@example.org>" 30000
ui_tmux send-keys -t 0 G
check "G fetches the 2 replies in the background" wait_until 30 screen_has "/5 -- 5 new"
check "the cursor stayed on Lunch, now the first thread" wait_until 5 screen_has "1/5 -- 5 new"
check "the reply to the reply hangs under it" wait_until 5 line_shows 4 "│  └─>"
check "the later reply ends the thread" line_shows 5 "└─>"
check "the first reply has a tee" line_shows 3 "├─>"

# The big reply is stored headers-only; W fetches the rest.
check "the big reply is stored headers-only" \
	sh -c "sqlite3 '$IT_STORE/index.db' 'SELECT count(*) FROM messages WHERE partial = 1;' | grep -qx 1"
ui_tmux send-keys -t 0 End W
check "W fetches the rest of the partial message" wait_until 30 sh -c \
	"! sqlite3 '$IT_STORE/index.db' 'SELECT 1 FROM messages WHERE partial = 1;' | grep -q 1"
ui_tmux send-keys -t 0 q
check "q quits" wait_until 10 screen_has "EXIT=0"
tap_end
