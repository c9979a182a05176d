#!/bin/sh
# The attachment view (v): the list, saving to download_dir without
# overwriting silently, opening with mailcap (needsterminal, copiousoutput,
# no entry), piping a part, and hostile names and types kept harmless.
. "$(dirname "$0")/lib.sh"
data="$SURAT_SRCDIR/tests/data/mail"
dl="$UI_TMP/dl"

# A store of test messages, oldest first in the index:
# mixed-attachments (April), hostile-filenames (13 Nov), nested-rfc822
# (11 Dec), hostile-mailcap (12 Dec).
mkdir -p "$UI_TMP/home" "$UI_STORE/demo/new" "$UI_STORE/demo/cur" "$UI_STORE/demo/tmp"
n=0
for f in mixed-attachments hostile-filenames nested-rfc822 hostile-mailcap; do
	n=$((n + 1))
	cp "$data/$f.eml" "$UI_STORE/demo/new/170000000$n.M${n}P1Q$n.test"
done
# The newest: a part for auto_view, with an escape the viewer passes on.
printf 'Date: Sun, 13 Dec 2026 10:00:00 +0000\nFrom: a@example.org\nSubject: Shouting\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nquiet words\n--b\nContent-Type: text/x-shout\n\nhello \033[2J there\n--b--\n' \
	>"$UI_STORE/demo/new/1700000009.M9P1Q9.test"
cat >"$UI_TMP/mailcap" <<EOF
application/pdf; echo PDF-VIEWER-OUTPUT \\; wc -c < %s; copiousoutput
text/x-shout; tr a-z A-Z; copiousoutput
image/png; echo %s >"$UI_TMP/viewer-arg" \\; cp %s "$UI_TMP/viewer-copy" \\; echo PNG-VIEWER-RAN \\; read answer; needsterminal
EOF
cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
download_dir = "$dl";
mailcap_path = [ "$UI_TMP/mailcap" ];
auto_view = [ "text/x-shout" ];
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );
CONF
"$SURAT" show --part 2 "$data/mixed-attachments.eml" >"$UI_TMP/part2.pdf"
"$SURAT" show --part 3 "$data/mixed-attachments.eml" >"$UI_TMP/part3.png"
"$SURAT" show --part 2 "$data/hostile-filenames.eml" >"$UI_TMP/bashrc"

ui_start
wait_for "Q1 report and chart" || true

# The list, from the index.
ui_keys v
check "v in the index opens the attachment view" wait_for "-- surat: attachments -- 1/3"
check "it lists number, type, size, disposition and name" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 |
		grep -q '^  2  application/pdf  *16 KB  attachment  Q1 report.pdf'"
check "an inline part says inline" screen_has "image/png                        592 B  inline      chart.png"
check "a part without a name says so" screen_has "(no name)"
ui_keys m
check "a key the list does not bind says so" wait_for "Key is not bound. Press ? for help."
ui_keys 9
check "a number is a choice, not an unbound key" wait_gone "Key is not bound."
check "and out of range it moves nothing" screen_has "-- surat: attachments -- 1/3"

# Saving.
ui_keys j s
check "s asks for the file with download_dir and the safe name filled in" \
	wait_for "Save to file: $dl/Q1 report.pdf"
ui_keys Enter
check "Enter saves there and says where" wait_for "Saved part 2 to $dl/Q1 report.pdf (16 KB)."
check "the saved file is the decoded part" cmp -s "$dl/Q1 report.pdf" "$UI_TMP/part2.pdf"
ui_keys s Enter
check "saving again asks before touching the file" wait_for "Q1 report.pdf exists: (o)verwrite, (r)ename, (c)ancel?"
ui_keys c
check "c cancels" wait_for "Not saved."
ui_keys s Enter
wait_for "(o)verwrite, (r)ename" || true
ui_keys r
check "r saves under a new name with a suffix" wait_for "Saved part 2 to $dl/Q1 report (1).pdf"
check "the renamed copy is the part" cmp -s "$dl/Q1 report (1).pdf" "$UI_TMP/part2.pdf"
echo "not the report" >"$dl/Q1 report.pdf"
ui_keys s Enter
wait_for "(o)verwrite, (r)ename" || true
ui_keys o
check "o overwrites when asked to" wait_for "Saved part 2 to $dl/Q1 report.pdf"
check "the overwritten file is the part" cmp -s "$dl/Q1 report.pdf" "$UI_TMP/part2.pdf"
check "nothing else was written" test "$(ls "$dl" | wc -l)" -eq 2

# Opening: copiousoutput in the text view.
ui_keys Enter
check "Enter with a copiousoutput entry shows the output in a pager" wait_for "PDF-VIEWER-OUTPUT"
check "the viewer read surat's temporary file" screen_has "15369"
check "the view names the entry used" screen_has "part 2 (application/pdf) through $UI_TMP/mailcap:1"
ui_keys q
check "q returns to the attachment view" wait_for "-- surat: attachments -- 2/3"

# needsterminal: curses is left, the viewer has the terminal.
ui_keys j Enter
check "a needsterminal viewer gets the terminal" wait_for "PNG-VIEWER-RAN"
check "the attachment view is gone meanwhile" wait_gone "-- surat: attachments"
ui_keys Enter
check "after the viewer the view is drawn again" wait_for "-- surat: attachments -- 3/3"
check "the status says which entry viewed it" wait_for "Viewed part 3 with $UI_TMP/mailcap:3."
check "the viewer got one path surat named (quoted)" \
	grep -Eq '^/[^ ]*/surat-[A-Za-z0-9]{6}/part-[A-Za-z0-9]{6}\.png$' "$UI_TMP/viewer-arg"
check "the file held the decoded part" cmp -s "$UI_TMP/viewer-copy" "$UI_TMP/part3.png"
check "the temporary file is removed afterwards" test ! -e "$(cat "$UI_TMP/viewer-arg")"
check "and its private folder too" test ! -e "$(dirname "$(cat "$UI_TMP/viewer-arg")")"

# Piping the part.
ui_keys k '|'
check "| asks for a command" wait_for "Pipe part 2 to:"
ui_keys "wc -c" Enter
check "the command's output is shown with its exit status" wait_for "[exit status 0] Press any key to continue..."
check "it read the decoded part" screen_has "15369"
ui_keys Space
check "a key returns to the view with the status" wait_for "wc -c exited with status 0."
ui_keys '|' "exit 3" Enter
wait_for "Press any key" || true
ui_keys Space
check "a failing command's status is reported" wait_for "exit 3 exited with status 3."

# Number keys select; the text part opens in the text view.
ui_keys 1 Enter
check "typing a number selects; text/plain without an entry is shown" wait_for "attached are the Q1 report"
ui_keys q q
check "q leaves the view for the index" wait_for "-- surat: demo"

# Hostile names, from the pager this time.
ui_keys j Enter
wait_for "See attached." || true
ui_keys v
check "v in the pager opens the attachment view" wait_for "-- surat: attachments -- 1/5"
check "a ../ name is shown as its base name" screen_has "attachment  bashrc"
check "a bidi override is shown harmless" screen_has "invoice_fdp.exe"
check "escape codes in a name are shown harmless" screen_has "_[31mred_[0m_.txt"
check "a Windows path is cut to its base name" screen_has "evil.dll"
check "no ../ anywhere on the screen" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q '\.\./'"
check "no escape reached the terminal's cells" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q \"\$(printf '\033')\""
ui_keys 2 s Enter
check "../../.bashrc saves as bashrc in download_dir" wait_for "Saved part 2 to $dl/bashrc (37 B)."
check "nothing was written outside download_dir" test ! -e "$UI_TMP/.bashrc" -a ! -e "$UI_TMP/home/.bashrc"
check "the saved bytes are the part's" cmp -s "$dl/bashrc" "$UI_TMP/bashrc"
ui_keys 4 s Enter
check "escape codes in a name are saved as a plain name" wait_for "Saved part 4 to $dl/_[31mred_[0m_.txt"
ui_keys 3 Enter
check "no mailcap entry: says so and offers to save" \
	wait_for "No mailcap entry for application/x-msdownload. Save it to $dl? (y/n)"
ui_keys n
check "n does not save" wait_for "No mailcap entry for application/x-msdownload; not opened."
check "invoice_fdp.exe was not saved" test ! -e "$dl/invoice_fdp.exe"
ui_keys q q

# Nested parts are indented.
ui_keys j v
check "parts inside a forwarded message are indented" wait_for "  3    text/plain"
check "two levels deep, twice as far" screen_has "  5      text/plain"
ui_keys '?'
check "? shows the attachment view's keys from the key map" wait_for "save-attachment"
check "with their keys" sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q '^ *|  *pipe-attachment'"
ui_keys q
check "q closes the help" wait_for "-- surat: attachments -- 1/5"
ui_keys Escape
check "Escape leaves the attachment view" wait_for "-- surat: demo"

# Types and names that would run commands: the mailcap never sees them.
ui_keys j v
wait_for "-- surat: attachments -- 1/4" || true
ui_keys 2 Enter
check "a type with shell syntax matches no mailcap entry" wait_for "No mailcap entry for application/x-$"
ui_keys n
rm -f "$UI_TMP/viewer-arg"
ui_keys 4 Enter
check "a part named /etc/passwd opens from surat's own file" wait_for "PNG-VIEWER-RAN"
ui_keys Enter
wait_for "-- surat: attachments" || true
check "the viewer saw surat's path, not the message's name" \
	grep -Eq '^/[^ ]*/surat-[A-Za-z0-9]{6}/part-[A-Za-z0-9]{6}\.png$' "$UI_TMP/viewer-arg"
check "no command from the message ran" test ! -e ME -a ! -e "$UI_TMP/ME" -a ! -e "$UI_TMP/home/ME"
check "a name with newlines is shown on one line" screen_has "attachment  _new_line_.html"
ui_keys 3 s Enter
check "and saved under that one-line name" wait_for "Saved part 3 to $dl/_new_line_.html (8 B)."
ui_keys 4 s Enter
check "/etc/passwd is saved as passwd in download_dir" wait_for "Saved part 4 to $dl/passwd (1 B)."
check "and /etc/passwd is untouched" sh -c "grep -q '^root:' /etc/passwd"
ui_keys q

# auto_view: the pager shows the part through its copiousoutput entry.
ui_keys '*' Enter
check "auto_view: the pager shows a part through its copiousoutput viewer" wait_for "HELLO ^[[2J THERE"
check "auto_view: the other text is there too" screen_has "quiet words"
ui_keys q q
check "surat quits cleanly" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"

# A type a viewer could take for an option ("--help/x", valid MIME syntax)
# matches no mailcap entry, not even a catch-all one that would pass it on
# with %t.
mkdir -p "$UI_TMP/store2/demo/new" "$UI_TMP/store2/demo/cur" "$UI_TMP/store2/demo/tmp"
printf 'Date: Mon, 14 Dec 2026 10:00:00 +0000\nFrom: mallory@example.com\nSubject: Option injection\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: --help/x; name="a.bin"\nContent-Disposition: attachment; filename="a.bin"\n\ndata\n--b--\n' \
	>"$UI_TMP/store2/demo/new/1700000010.M10P1Q10.test"
printf '*/*; echo VIEWER-GOT %%t >"%s/type-arg"; copiousoutput\n' "$UI_TMP" >"$UI_TMP/mailcap2"
cat >"$UI_CONFIG" <<CONF
store = "$UI_TMP/store2";
theme = "default";
download_dir = "$dl";
mailcap_path = [ "$UI_TMP/mailcap2" ];
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );
CONF
ui_start
wait_for "Option injection" || true
ui_keys v
wait_for "-- surat: attachments -- 1/2" || true
ui_keys 2 Enter
check "a type starting with - matches no mailcap entry, not even */*" \
	wait_for "No mailcap entry for --help/x. Save it to $dl? (y/n)"
ui_keys n
check "no viewer ran with it" test ! -e "$UI_TMP/type-arg"
ui_keys q q
check "surat quits cleanly after it" wait_for "EXIT=0"
tap_end
