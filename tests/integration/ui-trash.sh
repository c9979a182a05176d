#!/bin/sh
# Expunge, the trash and delete_on_server_when_deleted, end to end against
# the test Dovecot: d then $ moves a message to the Trash folder, which
# counts as deleting it: the next fetch DELEs it on the server (as
# Thunderbird's "until I delete them"); $ in the Trash removes it for good
# here; it is never fetched again.  Without the option, a message removed
# for good stays on the server and does not come back.
. "$(dirname "$0")/lib.sh"
dc_require 21
it_require_fetch 21

it_ui uitrash
trash_count() { find "$IT_STORE/work/.Trash/cur" "$IT_STORE/work/.Trash/new" -type f 2>/dev/null | wc -l; }

dc_start alice
dc_seed alice 3 0 101
it_config "$(dc_account work alice implicit 'poll_interval = 600; delete_on_server_when_deleted = true;')"
ui_start 1
check "the fetch at start brings 3 messages" wait_until 30 screen_has "/3 -- 3 new"
ui_tmux send-keys -t 0 d '$'
check "\$ offers to move the marked message to the trash" \
	wait_until 10 screen_has "Move 1 message marked deleted to Trash? (y/n)"
ui_tmux send-keys -t 0 y
check "it goes to the trash" wait_until 10 screen_has "1 message moved to Trash."
check "the store: 2 in the inbox, 1 in work/.Trash" sh -c "[ $(store_count work) -eq 2 ] && [ \$(find '$IT_STORE/work/.Trash' -type f ! -name maildirfolder | wc -l) -eq 1 ]"
it_fetch
check "a fetch afterwards succeeds" rc_is 0
check "moving to the trash counts as deleting: the fetch DELEs it on the server" test "$(dc_count alice)" -eq 2
check "and is not fetched again" test "$(store_count work)" -eq 2

# Open the Trash from the sidebar and expunge there.
ui_tmux send-keys -t 0 M-s j Enter
check "the Trash opens from the sidebar" wait_until 10 screen_has "surat: work/Trash -- 1/1"
ui_tmux send-keys -t 0 q d '$'
check "\$ in the trash offers to delete for good" \
	wait_until 10 screen_has "Delete 1 message marked deleted for good? (y/n)"
ui_tmux send-keys -t 0 y
check "it is deleted for good" wait_until 10 screen_has "1 message deleted for good."
check "its file is gone from the trash" test "$(trash_count)" -eq 0
check "the server does not have it (deleted at the last fetch)" test "$(dc_count alice)" -eq 2
it_fetch
check "the next fetch succeeds" rc_is 0
check "and the server keeps the other two" test "$(dc_count alice)" -eq 2
check "the other two stay, here and there" test "$(store_count work)" -eq 2
ui_tmux send-keys -t 0 q
check "q quits" wait_until 10 screen_has "EXIT=0"

# Without the option: removed for good here, kept on the server, not fetched again.
it_config "$(dc_account work alice implicit 'poll_interval = 600;')"
ui_start 2
wait_until 30 screen_has "surat: work -- " || true
ui_tmux send-keys -t 0 d '$' y
wait_until 10 screen_has "1 message moved to Trash." || true
ui_tmux send-keys -t 0 M-s j Enter
wait_until 10 screen_has "surat: work/Trash -- 1/1" || true
ui_tmux send-keys -t 0 q d '$' y
check "without the option, removed for good here too" wait_until 10 screen_has "1 message deleted for good."
it_fetch
check "a fetch afterwards succeeds" rc_is 0
check "the server keeps it (keep = true, no DELE queued)" test "$(dc_count alice)" -eq 2
check "and it is not fetched again" test "$(store_count work)" -eq 1
ui_tmux send-keys -t 0 q
wait_until 10 screen_has "EXIT=0" || true
check "nothing on stderr" test ! -s "$IT_TMP/ui.err"
tap_end
