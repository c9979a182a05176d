#!/bin/sh
# The link view (C-b): numbered links, Enter opens one with url_command (an
# argv, the URL one argument), a typed number selects, y copies with OSC 52;
# hostile URLs stay harmless; osc8_links writes OSC 8 hyperlinks in the
# pager (checked in the byte stream under script(1): tmux 3.3 drops them).
. "$(dirname "$0")/lib.sh"
data="$SURAT_SRCDIR/tests/data/mail"
ESC=$(printf '\033')

mkdir -p "$UI_TMP/home" "$UI_STORE/demo/new" "$UI_STORE/demo/cur" "$UI_STORE/demo/tmp"
cp "$data/html-links.eml" "$UI_STORE/demo/new/1700000001.M1P1Q1.test"
# A plain text message whose URLs carry escape sequences and a bidi override.
printf 'Date: Wed, 09 Dec 2026 10:00:00 +0000\nFrom: mallory@example.com\nTo: tom@example.net\nSubject: Hostile links\n\nSee https://evil.example/a\033]8;;https://other.example/\033\\\\x and\nhttps://evil.example/b\342\200\256gnp.exe here.\n' \
	>"$UI_STORE/demo/new/1700000002.M2P1Q2.test"
# The opener writes each argument it gets on a line of its own.
cat >"$UI_TMP/opener" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >"$UI_TMP/opened"
EOF
chmod +x "$UI_TMP/opener"
cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
url_command = "$UI_TMP/opener --new-tab %u";
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );
CONF

ui_start
ui_tmux set-option -s set-clipboard on
wait_for "HTML with links" || true

ui_keys C-b
check "C-b in the index lists the message's links" wait_for "-- surat: links -- 1/"
check "each link has its number and URL" screen_has "  2  https://example.com/b"
check "a link that is not a web link says so" \
	screen_has "  3  javascript:alert(1)  (not a web link: not opened)"
ui_keys Enter
check "Enter opens the link with url_command" wait_for "Opened link 1 with url_command."
check "url_command got its own argument and the URL as one argument" \
	sh -c "printf -- '--new-tab\nhttps://example.com/a\n' | cmp -s - '$UI_TMP/opened'"
ui_keys 2
check "typing a number selects that link" wait_for "-- surat: links -- 2/"
ui_keys Enter
check "and Enter opens it" wait_for "Opened link 2 with url_command."
check "url_command got link 2" grep -qx "https://example.com/b" "$UI_TMP/opened"
rm -f "$UI_TMP/opened"
ui_keys 3 Enter
check "a javascript: link is not opened" wait_for "Link 3 is not a web link"
check "url_command did not run" test ! -e "$UI_TMP/opened"
ui_keys 2 y
check "y copies the link and says so" wait_for "Copied link 2 to the clipboard (OSC 52)."
check "the terminal's clipboard got it through OSC 52" \
	sh -c "[ \"\$(tmux -L '$UI_SOCKET' show-buffer 2>/dev/null)\" = https://example.com/b ]"
ui_keys q
check "q leaves the link view" wait_for "-- surat: demo"

# From the pager.
ui_keys Enter
wait_for "Monthly news" || true
ui_keys C-b
check "C-b in the pager lists the same links" wait_for "  1  https://example.com/a"
ui_keys q
check "q returns to the pager" wait_for "Monthly news"
ui_keys q

# Hostile URLs: shown harmless, opened as one clean argument.
ui_keys j C-b
check "a URL ends at an escape or a bidi override" wait_for "-- surat: links -- 1/3"
check "the list shows the URLs up to there" screen_has "  3  https://evil.example/b"
check "no escape reaches the screen's cells" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q '$ESC'"
rm -f "$UI_TMP/opened"
ui_keys 1 Enter
wait_for "Opened link 1" || true
check "the URL given to url_command is one argument" test "$(wc -l <"$UI_TMP/opened")" -eq 2
check "it holds no escape or control byte" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$UI_TMP/opened'"
check "it starts with the link" grep -q "^https://evil.example/a" "$UI_TMP/opened"
ui_keys q q
wait_for "EXIT=0" || true

# url_command not set: say which key to set.
sed -i '/^url_command/d' "$UI_CONFIG"
ui_start
wait_for "HTML with links" || true
ui_keys C-b Enter
check "without url_command, say which key to set" \
	wait_for "url_command is not set; set it in the configuration"
ui_keys q q
wait_for "EXIT=0" || true

# OSC 8: the byte stream surat writes, recorded by script(1).
osc8_run() {
	ui_tmux kill-server 2>/dev/null || true
	UI_STARTS=$((UI_STARTS + 1))
	UI_SOCKET="$UI_SOCKET_BASE-$UI_STARTS"
	rm -f "$UI_TMP/typescript"
	ui_tmux new-session -d -x "$UI_WIDTH" -y "$UI_HEIGHT" \
		"env -i PATH=\"$PATH\" HOME=\"$UI_TMP/home\" TERM=screen-256color \
		LC_ALL=C.UTF-8 TZ=UTC \
		ASAN_OPTIONS=\"${ASAN_OPTIONS:-}\" UBSAN_OPTIONS=\"${UBSAN_OPTIONS:-}\" \
		script -q -f -c '\"$SURAT\" -c \"$UI_CONFIG\" 2>\"$UI_TMP/stderr\"' \"$UI_TMP/typescript\"; \
		echo EXIT=\$?; sleep 600"
	wait_for "HTML with links" || return 1
	ui_keys = Enter
	wait_for "Monthly news" || return 1
	sleep 0.5
}
# osc8_link URL TEXT: the typescript holds TEXT wrapped in an OSC 8 link to URL.
osc8_link() {
	LC_ALL=C grep -q "$ESC]8;;$1$ESC\\\\$2$ESC]8;;$ESC\\\\" "$UI_TMP/typescript"
}

echo 'osc8_links = true;' >>"$UI_CONFIG"
osc8_run
check "osc8_links: the first link is an OSC 8 hyperlink" osc8_link "https://example.com/a" "the article\[1\]"
check "osc8_links: the second one too" osc8_link "https://example.com/b" "second one\[2\]"
ui_keys End
sleep 0.5
check "osc8_links: after scrolling, a plain URL in the text too" \
	osc8_link "https://example.com/plain" "https://example.com/plain"
# screen-256color: sgr0 is ESC [ m SI, cup ESC [ ROW ; COL H; curses leaves
# the cursor on the message line (row 30).
check "osc8_links: then attributes reset and the cursor back where curses left it" \
	sh -c "LC_ALL=C grep -aq '$ESC]8;;$ESC\\\\$ESC\\[m$(printf '\017')$ESC\\[30;1H' '$UI_TMP/typescript'"
check "osc8_links: no hyperlink for javascript:" \
	sh -c "! LC_ALL=C grep -q '$ESC]8;;javascript' '$UI_TMP/typescript'"
check "osc8_links: the screen reads the same as without them" \
	screen_has "Plain URL in HTML text: https://example.com/plain"
check "osc8_links: the status line is where it was" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | sed -n 29p | grep -q '^-- surat: demo'"
ui_keys q j Enter
wait_for "Hostile links" || true
sleep 0.5
check "osc8_links: the hostile message's links are hyperlinks too" \
	osc8_link "https://evil.example/b" "https://evil.example/b"
check "osc8_links: every target written is printable ASCII" \
	sh -c "! LC_ALL=C grep -a -o '$ESC]8;;[^$ESC]*' '$UI_TMP/typescript' | LC_ALL=C grep -v '^.]8;;[!-~]*\$'"
check "osc8_links: the message's escape is on the screen as text only" \
	screen_has "See https://evil.example/a^[]8;;https://other.example/^["
ui_keys q q
wait_for "EXIT=0" || true

sed -i '/^osc8_links/d' "$UI_CONFIG"
osc8_run
check "without osc8_links no OSC 8 is written" sh -c "! LC_ALL=C grep -q '$ESC]8;' '$UI_TMP/typescript'"
ui_keys q q
wait_for "EXIT=0" || true
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
