#!/bin/sh
# A fetch indexes each new message's subject and people at once and leaves
# its body's words to a pass after it (reindex_bodies): `surat list` with
# words runs the pass first, the reader runs it in the background and shows
# "indexing N left", `surat reindex` finishes it.
. "$(dirname "$0")/lib.sh"
dc_require 16
it_require_fetch 16

it_ui bodieslater

# one_message USER N SUBJECT WORD: a message numbered N whose body has WORD.
one_message() {
	f="$(dc_maildir "$1")/cur/$((1700000000 + $2)).M$2P1Q$2.surat-seed:2,"
	printf 'From: Tester <t@example.org>\nTo: alice@example.net\nSubject: %s\nDate: Mon, 13 Nov 2023 10:00:00 +0000\nMessage-ID: <one-%s@example.org>\n\nThe body speaks of %s only here.\n' \
		"$3" "$2" "$4" >"$f"
	[ "$(id -u)" -ne 0 ] || chown -R dovecot:dovecot "$(dc_maildir "$1")"
}
waiting() { sql "SELECT count(*) FROM bodies_waiting;"; }
none_waiting() { [ "$(waiting)" -eq 0 ]; }

dc_start alice
dc_seed alice 3
one_message alice 900 Feathered quetzalcoatl
it_config "$(dc_account work alice implicit 'poll_interval = 600;')"
it_fetch
check "the fetch stores four messages" sh -c "[ $IT_RC -eq 0 ] && [ $(store_count work) -eq 4 ]"
check "and leaves their four bodies for later" test "$(waiting)" -eq 4
check "meanwhile a body word is not in the full-text index" \
	test "$(sql "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'body:quetzalcoatl';")" -eq 0
check "but subjects and people are, at once" \
	test "$(sql "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'subject:feathered';")" -eq 1
# Before the pass, another program (mutt) reads the message: its file
# moves to cur/ with :2,S; and one file is taken away for a while.
f=$(grep -l quetzalcoatl "$IT_STORE"/work/new/*)
mv "$f" "$IT_STORE/work/cur/$(basename "$f"):2,S"
g=$(grep -L quetzalcoatl "$IT_STORE"/work/new/* | head -1)
mv "$g" "$IT_TMP/away"
timeout 60 "$SURAT" -c "$IT_CFG" list body:quetzalcoatl >"$IT_OUT" 2>"$IT_ERR"
check "surat list body:WORD indexes the waiting bodies first, and finds the renamed message" \
	sh -c "grep -q 'Feathered\$' '$IT_OUT' && [ \$(wc -l <'$IT_OUT') -eq 1 ] && [ ! -s '$IT_ERR' ]"
check "a file not there keeps waiting, and the list still ends" test "$(waiting)" -eq 1
mv "$IT_TMP/away" "$g"
"$SURAT" -c "$IT_CFG" list body:alpha >/dev/null 2>&1
check "back in place, it is indexed by the next query: no body waits" test "$(waiting)" -eq 0

# The reader: its fetch at start, then the pass in the background.
dc_seed alice 300 0 11
one_message alice 901 Woodwind xylophone
ui_start 1
check "the reader's fetch brings the new mail" wait_until 60 screen_has "/305 --"
check "the status line says how many bodies are left to index" \
	wait_until 30 screen_has "-- indexing "
check "the reader indexes them in the background until none wait" \
	wait_until 60 none_waiting
check "and says so no more" wait_until 10 screen_lacks "-- indexing "
ui_tmux send-keys -t 0 l
ui_tmux send-keys -t 0 -l "body:xylophone"
ui_tmux send-keys -t 0 Enter
check "a limit on a body word finds the fetched message" wait_until 10 screen_has "-- 1/1 --"
check "it is the one" screen_has "Woodwind"
ui_tmux send-keys -t 0 q
check "q quits" wait_until 10 screen_has "EXIT=0"

# surat reindex leaves nothing waiting either.
dc_seed alice 2 0 400
it_fetch
check "another fetch leaves two bodies" test "$(waiting)" -eq 2
"$SURAT" -c "$IT_CFG" reindex >/dev/null 2>&1
check "surat reindex indexes them" test "$(waiting)" -eq 0
tap_end
