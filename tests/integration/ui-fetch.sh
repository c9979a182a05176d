#!/bin/sh
# The mail reader fetching in the background from the test Dovecot: at
# start, on G, new mail landing without moving the cursor, errors in the
# status bar and the log, retry, and quitting in the middle of a fetch.
. "$(dirname "$0")/lib.sh"
dc_require 26
it_require_fetch 26

it_ui uifetch

dc_start alice
dc_seed alice 10 0 101
it_config "$(dc_account work alice implicit 'poll_interval = 600;')"
ui_start 1
check "the fetch at start fills the index" wait_until 30 screen_has "/10 -- 10 new"
check "no error in the status bar" screen_lacks "(E: log)"
ui_tmux send-keys -t 0 = j j
check "the cursor moves to the third message" wait_until 10 screen_has "-- 3/10 --"

# Older mail arrives: it sorts above the cursor, which must stay on its message.
dc_seed alice 5 0 1
ui_tmux send-keys -t 0 G
check "G fetches the new mail: 15 messages" wait_until 30 screen_has "/15 -- "
check "the cursor stayed on its message, now 8th" wait_until 5 screen_has "-- 8/15 --"
ui_tmux send-keys -t 0 Enter
check "and it is still the same message" wait_until 10 screen_has "Subject: Seeded message 103"
ui_tmux send-keys -t 0 q E
check "E shows the fetch log" wait_until 10 screen_has "work: 5 new messages"
ui_tmux send-keys -t 0 q

# The server goes away: the error shows in the status bar and the log.
dc_stop
ui_tmux send-keys -t 0 G
check "a failed fetch shows in the status bar" wait_until 30 screen_has "(E: log)"
ui_tmux send-keys -t 0 E
check "the log has the error and the retry" wait_until 10 screen_has "(retry in 30 s)"
ui_tmux send-keys -t 0 q
check "the index is still there" screen_has "/15 -- "

# The server comes back: G clears the error.
dc_start alice
it_config "$(dc_account work alice implicit 'poll_interval = 600;')"
ui_tmux send-keys -t 0 G
check "after the server is back, G succeeds and the error goes" wait_until 30 screen_lacks "(E: log)"
ui_tmux send-keys -t 0 q
check "q quits" wait_until 10 screen_has "EXIT=0"

# Quit in the middle of a big fetch: nothing lost, nothing doubled.
dc_seed alice 400 60000 1000
ui_start 2
wait_until 30 screen_has "fetching" || true
ui_tmux send-keys -t 0 q
check "quitting during a fetch exits promptly and cleanly" wait_until 15 screen_has "EXIT=0"
it_fetch
check "a fetch afterwards completes" rc_is 0
check "every message is there exactly once" same_content "$(dc_maildir alice)" -- "$IT_STORE/work"
check "the index agrees" index_agrees work
# Expunged here (to the Trash, then from the Trash for good), still on the
# server (keep = true): not fetched again.
ui_start 4
wait_until 30 screen_has "/10" || true
before=$(store_count work)
ui_tmux send-keys -t 0 = d '$'
wait_until 10 screen_has "Move 1 message marked deleted to Trash?" || true
ui_tmux send-keys -t 0 y
check "expunge moves one message to the trash" wait_until 10 screen_has "1 message moved to Trash."
ui_tmux send-keys -t 0 M-s j Enter
wait_until 10 screen_has "surat: work/Trash" || true
ui_tmux send-keys -t 0 q d '$'
wait_until 10 screen_has "Delete 1 message marked deleted for good?" || true
ui_tmux send-keys -t 0 y
check "expunging in the trash removes it for good" wait_until 10 screen_has "1 message deleted for good."
ui_tmux send-keys -t 0 G
wait_until 30 screen_has "checking mail" || true
check "after G, the expunged message did not come back" wait_until 30 screen_lacks "checking mail"
check "the store has one message less" test "$(store_count work)" -eq $((before - 1))
ui_tmux send-keys -t 0 q
wait_until 10 screen_has "EXIT=0" || true

# The reader killed by SIGKILL in the middle of a fetch: the fetcher must not
# hang on its events pipe holding the lock.
dc_seed alice 300 60000 5000
ui_start 5
wait_until 30 screen_has "fetching" || true
pane=$(ui_tmux list-panes -t 0 -F '#{pane_pid}')
kill -9 $(pgrep -P "$pane" -x surat) 2>/dev/null
it_config "$(dc_account work alice implicit 'poll_interval = 600; timeout = 60;')"
it_fetch
check "after the reader was killed, the next fetch gets the lock and succeeds" rc_is 0
check "and every message is there once (all but the expunged one)" \
	sh -c "[ $(store_count work) -eq $(( $(dc_count alice) - 1 )) ]"

# surat fetch on a terminal: a progress bar, then one line per account.
dc_seed alice 30 0 3000
ui_session 3 "env -i PATH=\"$PATH\" HOME=\"$IT_TMP\" TERM=screen-256color \
	LC_ALL=C.UTF-8 \"$SURAT\" -c \"$IT_CFG\" fetch; echo EXIT=\$?; sleep 600"
check "fetch on a terminal ends well" wait_until 30 screen_has "EXIT=0"
check "and says what arrived, per account" screen_has "work: 30 new messages"
check "the progress bar was cleared" screen_lacks "messages  "
ui_stop
check "no tmux server of this test is left running" wait_until 5 ui_left
tap_end
