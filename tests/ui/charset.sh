#!/bin/sh
# One MIME path: a message without a usable charset label reads the same in
# the index, in the pager and in a body search (l body:WORD), with the
# default fallback (windows-1252) and with the user's charset_fallbacks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/triage-lib.sh"

# write FILE OCTAL-ESCAPED-TEXT: the raw bytes of a message.
write() {
	printf "$2" >"$UI_STORE/demo/new/$1"
}

# windows-1252, unlabelled: raw 8-bit in the Subject and the body.
tri_setup
write 1767607200.M1P1Q1.test 'From: Anna <anna@example.org>\nDate: Mon, 05 Jan 2026 10:00:00 +0000\nSubject: Gr\374\337e aus K\366ln\n\nIm Caf\351 \204drau\337en\223 ist es sch\366n.\n'
write 1767693600.M2P1Q2.test 'From: Bernd <bernd@example.org>\nDate: Tue, 06 Jan 2026 10:00:00 +0000\nSubject: Plain\n\nNothing special.\n'
ui_start
check "windows-1252: the index shows the subject decoded" wait_for "Grüße aus Köln"
ui_keys = Enter
check "the pager shows the same subject" wait_for "Subject: Grüße aus Köln"
check "and the body with its accents and quotes" wait_for "Im Café „draußen“ ist es schön."
ui_keys q
ui_keys l "body:draußen" Enter
check "l body:draußen finds it by its accented word" wait_for "1/1 -- 0 new"
check "it is that message" screen_has "Grüße aus Köln"
ui_keys q
check "quits cleanly" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"

# KOI8-R, unlabelled, with charset_fallbacks = ["koi8-r"]: the index (made
# by summary.c) must read it as the pager (render.c) does.
rm -rf "$UI_STORE"
tri_setup 'charset_fallbacks = ["koi8-r"];'
write 1767780000.M3P1Q3.test 'From: Ivan <ivan@example.org>\nDate: Wed, 07 Jan 2026 10:00:00 +0000\nSubject: \360\322\311\327\305\324\n\n\320\322\311\327\305\324, \315\311\322\n'
ui_start
check "charset_fallbacks: the index reads the subject with the user's fallback" wait_for "Привет"
ui_keys Enter
check "the pager shows the same subject" wait_for "Subject: Привет"
check "and the body" wait_for "привет, мир"
ui_keys q
ui_keys l "body:мир" Enter
check "l body:мир finds it" wait_for "1/1 -- 0 new"
ui_keys q
check "quits cleanly again" wait_for "EXIT=0"
tap_end
