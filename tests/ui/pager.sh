#!/bin/sh
# The pager: opening, reading, searching, headers, split view and zoom.
. "$(dirname "$0")/lib.sh"
ui_setup
ui_start

wait_for "Your laptop is ready" || true
ui_keys Enter
check "Enter opens the message under the cursor" wait_for "your laptop (ThinkPad T14, asset 4711)"
check "the pager shows decoded headers" screen_has "From: Jens Becker <jens@example.org>"
check "split view keeps the index above" screen_has "Welcome to the infrastructure team"
check "opening marks it read in the status line" wait_for "9 new"
check "opening marks it read in the Maildir file name (new/ -> cur/ with S)" \
	wait_file "$UI_STORE/demo/cur/*Q7.sample:2,S"

ui_keys z
check "z gives the pager the whole screen" wait_gone "Welcome to the infrastructure team"
ui_keys z
check "z again returns to the split view" wait_for "Welcome to the infrastructure team"

ui_keys h
check "h shows every header" wait_for "Message-ID: <laptop-ready@example.org>"
ui_keys h
check "h again hides them" wait_gone "Message-ID: <laptop-ready@example.org>"

# The relay thread: j in the pager goes to the next message.
ui_keys j
check "j in the pager shows the next message" wait_for "here is the plan for moving the relay"
ui_keys / p o l i c y Enter
check "/ finds text and highlights the line" wait_for "TLS policy map was forgotten"
ui_keys n
check "n repeats the search (wraps to the top)" wait_for "Search wrapped to top."

ui_keys j
check "quoted text is shown" wait_for "> 2. Lower the MX TTL to 300 seconds on Thursday."

ui_keys q
check "q closes the pager" wait_gone "> 2. Lower the MX TTL"
check "the index is back" screen_has "Invoice 2026-1187 for November"
ui_keys q
check "q then quits" wait_for "EXIT=0"
tap_end
