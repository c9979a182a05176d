#!/bin/sh
# Nothing written is lost: a bad address in the editor is shown and the text
# kept (e fixes it); q asks and keeps a draft; attachments (Tab completes
# the path; a hostile name reaches the screen made safe); a refusal and a
# temporary failure on the status line; kill -9 with the editor open leaves
# the editor's file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compose-lib.sh"
compose_setup
mkdir -p "$UI_TMP/tmp" "$UI_TMP/att"
UI_ENV="TMPDIR=$UI_TMP/tmp"
hostile=$(printf 'rep\033]0;pwned\007ort\033[31m.txt')
echo "quarterly numbers" >"$UI_TMP/att/$hostile"
echo "notes" >"$UI_TMP/att/notes.txt"
# Forwards attached whole (forward_format), and a second identity, for F.
echo 'forward_format = "attach";' >>"$UI_CONFIG"
sed -i 's|^accounts = ( {|accounts = ( { name = "work"; host = "127.0.0.1"; user = "awork"; from = "Alice at Work <alice@work.example>"; sendmail_command = "'"$UI_TMP"'/sendmail.sh"; }, {|' "$UI_CONFIG"
ui_start
wait_for "Your laptop is ready" || true

# A bad address: shown, the text kept, e fixes it.
ed_mode bad
ui_keys m
check "a bad address is an error on the compose screen" wait_for '"bob@" is not an address'
check "the editor's file is under \$TMPDIR" sh -c "grep -q '^$UI_TMP/tmp/' '$UI_TMP/edited.path'"
check "the text is kept in the editor's file" sh -c "grep -q 'Words worth keeping.' \"\$(cat '$UI_TMP/edited.path')\""
ui_keys y
check "y refuses while the message is wrong" wait_for "Fix the message first: e edits it."
ed_mode fix
ui_keys e
check "e edits it again: the error goes" wait_gone "is not an address"
check "the fixed address shows" wait_for "bob@example.com"
check "what was typed before is still there" grep -q "Words worth keeping." "$UI_TMP/edited.txt"

# F: another identity; the account that sends follows.
ui_keys F
check "F lists the identities that can send" wait_for "-- surat: identities -- 1/2"
check "with their From" screen_has "Alice at Work <alice@work.example>"
ui_keys j Enter
check "choosing one changes the From" wait_for "From:     Alice Example <alice@example.net>"
check "and the sending account" screen_has "demo (sendmail_command)"
ui_keys F
wait_for "-- surat: identities" || true
ui_keys Enter
check "and back" wait_for "From:     Alice at Work <alice@work.example>"
check "to the other account" screen_has "work (sendmail_command)"
ui_keys F
wait_for "-- surat: identities" || true
ui_keys j Enter
wait_for "demo (sendmail_command)" || true

# Attachments: Tab completes a path, a hostile name is drawn safe.
ui_keys a
check "a asks for a file" wait_for "Attach file:"
ui_keys "$UI_TMP/att/re" Tab
sleep 0.3
ui_keys Enter
check "the file is attached, its type guessed" wait_for "text/plain"
check "its name is drawn without the escapes" screen_match 'rep.*ort.*\.txt'
check "the terminal's title was not set by the name" \
	sh -c "! tmux -L '$UI_SOCKET' display -p '#{pane_title}' | grep -q pwned"
check "it goes as an attachment" screen_has "attachment"
ui_keys T
check "T makes it inline" wait_for " inline"
ui_keys a "$UI_TMP/att/notes.txt" Enter
wait_for "notes.txt" || true
ui_keys D
check "D takes the selected one off" wait_gone "notes.txt"

# A refusal: the reason on the status line, the message kept in the Outbox.
echo 1 >"$UI_TMP/sm-exit"
ui_keys y
check "y returns to the index" wait_for "-- surat: all inboxes"
check "the status line gives the refusal" wait_for "demo: refused: "
ui_keys E
check "the log (E) has the reason" wait_for "was refused: "
ui_keys q
wait_for "-- surat: all inboxes" || true
check "the message stays in the Outbox" wait_file "$UI_STORE/demo/.Outbox/cur/*"
check "the editor's file went once it was queued" \
	sh -c "test ! -e \"\$(cat '$UI_TMP/edited.path')\""

# A temporary failure: waiting, with the reason.
echo 75 >"$UI_TMP/sm-exit"
ed_mode fix
ui_keys m
wait_for "-- surat: compose" || true
ui_keys y
check "a temporary failure shows as waiting" wait_for "demo: waiting: "
ui_keys E
check "with the reason in the log" wait_for "waits for a later try: "
ui_keys q

# q asks, then keeps a draft.
ed_mode new
ui_keys m
wait_for "-- surat: compose" || true
ui_keys q
check "q asks before it aborts" wait_for "Abort this message?"
ui_keys n
check "n keeps the compose screen" wait_for "-- surat: compose"
ui_keys q
wait_for "Abort this message?" || true
ui_keys y
check "y aborts, keeping a draft" wait_for "a draft stays in Drafts"
check "the draft is in Drafts" wait_file "$UI_STORE/demo/.Drafts/cur/*"
check "with its text" sh -c "grep -l 'bis bald' '$UI_STORE'/demo/.Drafts/cur/* | grep -q ."

# f with forward_format = "attach": the message goes whole, as message/rfc822.
echo 0 >"$UI_TMP/sm-exit"
ui_keys l "subject:invoice" Enter
wait_for "Invoice 2026-1187" || true
ed_mode fix
ui_keys f
check "f with forward_format = attach lists the forwarded message" \
	wait_for "and the forwarded messages"
ui_keys y
check "the forward goes" wait_file "$UI_TMP/sent/1.eml"
check "with the message attached as message/rfc822" \
	grep -qi "^Content-Type: message/rfc822" "$UI_TMP/sent/1.eml"
check "whole: its own headers inside" grep -q "^Message-ID: <inv-2026-1187@supplier.example.com>" \
	"$UI_TMP/sent/1.eml"

# kill -9 with the editor open: the editor's file survives.
ed_mode hang
rm -f "$UI_TMP/hanging"
ui_keys m
wait_file "$UI_TMP/hanging" || true
pane=$(ui_tmux list-panes -F '#{pane_pid}' | head -1)
surat_pid=$(pgrep -P "$pane" | head -1)
kill -9 "$surat_pid"
check "surat is gone" wait_for "EXIT=137"
check "the editor's file survives kill -9, with what was typed" \
	sh -c "grep -q 'Typed before the crash.' \"\$(cat '$UI_TMP/hanging')\""
kill "$(cat "$UI_TMP/editor.pid")" 2>/dev/null || true
tap_end
