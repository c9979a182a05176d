#!/bin/sh
# Flags: changes show in the index and persist in the Maildir file names.
. "$(dirname "$0")/lib.sh"
ui_setup
ui_start

wait_for "Your laptop is ready" || true
# The cursor starts on the laptop message (Q7, unread).
ui_keys F
check "F flags the message in the Maildir file name" wait_file "$UI_STORE/demo/cur/*Q7.sample:2,F"
check "F shows ! in the index" wait_for "N!"
ui_keys F
check "F again unflags it" wait_file "$UI_STORE/demo/cur/*Q7.sample:2,"
ui_keys N
check "N marks it read" wait_file "$UI_STORE/demo/cur/*Q7.sample:2,S"
check "the new count drops" wait_for "9 new"
ui_keys N
check "N again marks it unread" wait_for "10 new"

# Delete the invoice, then expunge it.
ui_keys End
wait_for "12/12" || true
ui_keys k
wait_for "11/12" || true
ui_keys d
check "d marks the message deleted (T flag)" wait_file "$UI_STORE/demo/cur/*Q8.sample:2,T"
check "d moves to the next message" wait_for "12/12"
ui_keys '$'
check "\$ asks before expunging, saying where they go" wait_for "Move 1 message marked deleted to Trash? (y/n)"
ui_keys n
check "n keeps the message" sh -c "ls '$UI_STORE'/demo/cur/*Q8.sample:2,T >/dev/null"
ui_keys '$'
wait_for "Move 1 message marked deleted to Trash?" || true
ui_keys y
check "y expunges: one message moved to the trash" wait_for "1 message moved to Trash."
check "the file leaves the inbox" sh -c "! ls '$UI_STORE'/demo/*/*Q8.sample* 2>/dev/null"
check "the file is in the Trash folder" sh -c "ls '$UI_STORE'/demo/.Trash/cur/*Q8.sample* >/dev/null"
check "the index has 11 messages" wait_for "/11"
check "the invoice is gone from the screen" wait_gone "Invoice 2026-1187"
check "it is in the Trash folder (demo/.Trash)" sh -c "ls '$UI_STORE'/demo/.Trash/cur/*Q8.sample* >/dev/null"

# Quit and start again: the flags were persisted, not just drawn.
ui_keys q
wait_for "EXIT=0" || true
ui_start
check "after a restart: 11 messages, 9 new (the expunged one was unread)" wait_for "/11 -- 9 new"
ui_keys q
wait_for "EXIT=0" || true
tap_end
