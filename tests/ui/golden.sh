#!/bin/sh
# Golden screens: the main states of the interface (index, sidebar, threads,
# pager, help, attachments, links) on the sample mail at 100x30, each compared
# line for line with tests/ui/golden/STATE.txt.  A change that moves anything
# a person sees fails here with a diff, so a reshaping of the interface that
# should change nothing is shown to change nothing.
#
# Before comparing, dates (2026-11-22, Sun, 22 Nov 2026 16:00) become
# placeholders and the status line's fetch report (after "(E: log)") is
# dropped: the sample's account points at a port where no server listens,
# and the wording of that error is the system's.
#
# After a deliberate change of the screens, write them again and review the
# diff:  SURAT_GOLDEN_UPDATE=1 make check TESTS=tests/ui/golden.sh
# (or run this script with SURAT, SURAT_SRCDIR and SURAT_GOLDEN_UPDATE=1 set).
. "$(dirname "$0")/lib.sh"
GOLDEN="$SURAT_SRCDIR/tests/ui/golden"

# golden_mask: the screen on stdin, dates and the fetch report masked.
golden_mask() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}/YYYY-MM-DD/g' \
		-e 's/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}/DAY, DD MON YYYY HH:MM/g' \
		-e 's/\(E: log\).*$/(E: log) .../'
}

# golden_settle: wait until two captures 200 ms apart agree (the screen is
# drawn once per pass, but a pass may still be on its way).
golden_settle() {
	golden_tries=50
	golden_last=$(ui_screen)
	while [ "$golden_tries" -gt 0 ]; do
		sleep 0.2
		golden_now=$(ui_screen)
		[ "$golden_now" = "$golden_last" ] && return 0
		golden_last=$golden_now
		golden_tries=$((golden_tries - 1))
	done
	return 1
}

# golden STATE: the screen now, masked, against tests/ui/golden/STATE.txt.
golden() {
	golden_settle
	ui_screen | golden_mask >"$UI_TMP/$1.txt"
	if [ -n "${SURAT_GOLDEN_UPDATE:-}" ]; then
		cp "$UI_TMP/$1.txt" "$GOLDEN/$1.txt"
		ok "golden screen $1: written to tests/ui/golden/$1.txt"
	elif diff -u "$GOLDEN/$1.txt" "$UI_TMP/$1.txt" >"$UI_TMP/$1.diff" 2>&1; then
		ok "golden screen $1: as tests/ui/golden/$1.txt"
	else
		not_ok "golden screen $1: differs from tests/ui/golden/$1.txt"
		sed 's/^/# /' "$UI_TMP/$1.diff"
	fi
}

ui_setup
ui_start
# The first fetch's failure is on the status line once it has been tried.
check "the index shows the sample and the failed fetch" wait_for "(E: log) demo failed"
golden index

ui_keys B
check "B shows the sidebar" wait_for "All inboxes"
golden sidebar
ui_keys B
check "B hides it" wait_gone "All inboxes"

ui_keys o t
check "o t sorts by thread" wait_for "Sorted by thread."
golden threads
ui_keys o d
check "o d sorts by date again" wait_for "Sorted by date."

ui_keys Home Enter
check "Enter opens the first message" wait_for "your account \"alice\" has been created"
golden pager

ui_keys '?'
check "? opens the help" wait_for "Keys in the pager:"
golden help
ui_keys q
check "q closes the help" wait_gone "Keys in the pager:"
ui_keys q
check "q closes the pager" wait_gone "Subject: Your account has been created"

ui_keys / 'subject:invoice' Enter
check "a search finds the invoice" wait_for "-- 11/12 --"
ui_keys v
check "v lists the invoice's attachments" wait_for "surat: attachments --"
golden attachments
ui_keys q
check "q leaves the attachments" wait_gone "surat: attachments --"

ui_keys / 'subject:mirror' Enter
check "a search finds the newsletter" wait_for "-- 9/12 --"
ui_keys C-b
check "C-b lists the newsletter's links" wait_for "surat: links --"
golden links
ui_keys q
check "q leaves the links" wait_gone "surat: links --"

ui_keys q
check "q quits with status 0" wait_for "EXIT=0"
check "nothing was printed on stderr" test ! -s "$UI_TMP/stderr"
tap_end
