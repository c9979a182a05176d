#!/bin/sh
# The index: what a person sees on opening surat on the sample cache.
. "$(dirname "$0")/lib.sh"
ui_setup
ui_start

check "the index shows the sample messages" wait_for "Welcome to the infrastructure team"
check "senders are decoded from RFC 2047" screen_has "Tomás García"
check "CJK subjects are decoded" screen_has "会議の日程：12月3日"
check "the status line names the account and counts" screen_has "surat: demo -- 3/12 -- 10 new"
# Every index line is exactly as wide as the screen, CJK ones included: the
# size column lines up.
widths=$(ui_screen | python3 -c '
import sys, unicodedata
def w(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
for line in sys.stdin.read().split("\n")[:12]:
    print(w(line.rstrip("\n")))
' | sort -u | tr '\n' ' ')
check "index lines are all 100 columns wide (got: $widths)" test "$widths" = "100 "

ui_keys j
check "j moves down" wait_for "surat: demo -- 4/12"
ui_keys k k
check "k moves up" wait_for "surat: demo -- 2/12"
ui_keys '*'
check "* goes to the last message" wait_for "surat: demo -- 12/12"
ui_keys Home
check "Home goes to the first message" wait_for "surat: demo -- 1/12"
ui_keys End
check "End goes to the last message" wait_for "surat: demo -- 12/12"
ui_keys = Tab
check "Tab jumps to the next unread message" wait_for "surat: demo -- 3/12"

ui_keys '?'
check "? shows the help with the live bindings" wait_for "Keys in the index:"
check "help lists an action with its keys" screen_has "display-message"
check "help names the Tab binding" screen_has "next-unread"
ui_keys q
check "q closes the help" wait_gone "Keys in the index:"

ui_tmux resize-window -t 0 -x 60 -y 20 2>/dev/null || ui_tmux resize-pane -t 0 -x 60 -y 20
check "after a resize the status line is redrawn on the new last-but-one line" \
	sh -c "tries=100; while [ \$tries -gt 0 ]; do tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 19p | grep -q 'surat: demo' && exit 0; sleep 0.05; tries=\$((tries-1)); done; exit 1"
check "after a resize no line is wider than the screen" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | python3 -c '
import sys, unicodedata
ok = all(sum(2 if unicodedata.east_asian_width(c) in \"WF\" else 1 for c in l) <= 60 for l in sys.stdin.read().splitlines())
sys.exit(0 if ok else 1)'"

ui_keys q
check "q in the index quits with status 0" wait_for "EXIT=0"
check "nothing was printed on stderr" test ! -s "$UI_TMP/stderr"
tap_end
