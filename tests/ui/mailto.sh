#!/bin/sh
# surat as the mailto handler (issue 12): `surat mailto:URL` opens the
# editor on the URL's draft, then the compose screen; y sends it through the
# background sender and sendmail_command, and the person is in the index.
# Fields a link may not set (from=, x-evil=) are not taken.  A wrong URL,
# a second argument and a missing terminal are one line on stderr.  In the
# link view, Enter on a mailto: link opens the same compose screen, not
# url_command.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compose-lib.sh"
compose_setup
# url_command must not run for a mailto: link: the opener would leave a file.
cat >"$UI_TMP/opener" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$UI_TMP/opened"
EOF
chmod +x "$UI_TMP/opener"
echo "url_command = \"$UI_TMP/opener %u\";" >>"$UI_CONFIG"
# A message with a mailto: link in its text.
cat >"$UI_STORE/demo/new/1764300000.mailto.sample" <<'EOF'
From: Dana Events <dana@example.org>
To: alice@example.net
Subject: Join the mailto party
Date: Fri, 28 Nov 2026 09:00:00 +0000
Message-ID: <mailto-party@example.org>

To join, write to mailto:party@example.org?subject=I%20am%20in&body=Count%20me%20in.&from=mallory@evil.example
before Friday.
EOF

url='mailto:bob@example.org?subject=Gr%C3%BC%C3%9Fe%20aus%20Z%C3%BCrich&cc=carol@example.org&body=Line%20one%0D%0ALine%20two&from=mallory@evil.example&x-evil=1'

# Without a terminal, a wrong URL or a second argument: one line on stderr.
"$SURAT" -c "$UI_CONFIG" "$url" </dev/null >/dev/null 2>"$UI_TMP/err"
check "without a terminal it exits 1" test $? -eq 1
check "and says it needs one, and what to use instead" \
	grep -qx "surat: writing to a mailto: link needs a terminal; start surat in one (Terminal=true in its .desktop file), or use surat send in scripts" "$UI_TMP/err"
"$SURAT" -c "$UI_CONFIG" 'mailto:bob%zz@example.org' </dev/null >/dev/null 2>"$UI_TMP/err"
check "a bad %-escape exits 2" test $? -eq 2
check "and says which escape and how to write one" \
	grep -qx 'surat: mailto: "%zz" is not a %-escape; write % and two hex digits (%25 for a %)' "$UI_TMP/err"
"$SURAT" -c "$UI_CONFIG" 'mailto:bob@' </dev/null >/dev/null 2>"$UI_TMP/err"
check "a bad address exits 2" test $? -eq 2
check "and names the field and the address" \
	grep -q '^surat: mailto: To: "bob@" is not an address; ' "$UI_TMP/err"
"$SURAT" -c "$UI_CONFIG" mailto:bob@example.org?subject=a b </dev/null >/dev/null 2>"$UI_TMP/err"
check "an unquoted URL in two arguments exits 2" test $? -eq 2
check "and says to quote it" grep -q "give the mailto: URL as one argument" "$UI_TMP/err"
check "each error is one line" test "$(wc -l <"$UI_TMP/err")" -eq 1
check "nothing was sent by the refusals" test ! -e "$UI_TMP/sent/1.eml"

# surat mailto:URL: the editor first, then the compose screen.
ed_mode keep
ui_start "'$url'"
check "surat mailto: runs the editor, then shows the compose screen" \
	wait_for "-- surat: compose"
check "To is the URL's address" screen_has "bob@example.org"
check "Cc its cc=" screen_has "carol@example.org"
check "the subject is decoded UTF-8" screen_has "Grüße aus Zürich"
check "From is the account's, not the link's from=" \
	sh -c "grep -qx 'From: Alice Example <alice@example.net>' '$UI_TMP/edited.txt'"
check "the editor got the body, its %0D%0A a line break" \
	sh -c "grep -qx 'Line one' '$UI_TMP/edited.txt' && grep -qx 'Line two' '$UI_TMP/edited.txt'"
check "no field the link may not set reaches the editor's file" \
	sh -c "! grep -qi -e evil -e mallory '$UI_TMP/edited.txt'"
ui_keys y
check "y goes to the index" wait_for "-- surat: demo"
check "sendmail_command got the message" wait_file "$UI_TMP/sent/1.eml"
check "to both recipients" \
	sh -c "grep -qx 'bob@example.org' '$UI_TMP/sent/1.argv' && grep -qx 'carol@example.org' '$UI_TMP/sent/1.argv'"
# sendmail_command gets "--", then the recipients.
check "and no one else" test "$(grep -cvx -- -- "$UI_TMP/sent/1.argv")" -eq 2
check "with the subject" shown_has 1 "Subject: Grüße aus Zürich"
check "From the account" sent_has 1 "From: Alice Example <alice@example.net>"
check "To and Cc" sh -c "grep -q '^To: bob@example.org' '$UI_TMP/sent/1.eml' && grep -q '^Cc: carol@example.org' '$UI_TMP/sent/1.eml'"
check "the body as the URL gave it" shown_has 1 "Line two"
check "no X-Evil header" sh -c "! grep -qi -e '^x-evil' -e mallory '$UI_TMP/sent/1.eml'"
check "it is kept in Sent" wait_file "$UI_STORE/demo/.Sent/cur/*"

# Abort: the person is in the index, a draft kept.
ui_keys q
check "the first run quits cleanly" wait_for "EXIT=0"
check "with nothing on stderr" test ! -s "$UI_TMP/stderr"
ui_start "'mailto:dan@example.org?subject=Not%20now'"
wait_for "-- surat: compose" || true
ui_keys q
check "q on the compose screen asks" wait_for "Abort this message?"
ui_keys y
check "aborting leaves the person in the index" wait_for "-- surat: demo"
check "with a draft in Drafts" wait_file "$UI_STORE/demo/.Drafts/cur/*:2,*D*"
check "nothing was sent" test ! -e "$UI_TMP/sent/2.eml"

# The link view: Enter on a mailto: link writes to it in surat.
ui_keys l "subject:party" Enter
wait_for "Join the mailto party" || true
ui_keys C-b
check "C-b lists the message's mailto: link" wait_for "-- surat: links -- 1/1"
ui_keys Enter
check "Enter on it shows the compose screen" wait_for "-- surat: compose"
check "to the link's address" screen_has "party@example.org"
check "with its subject" screen_has "I am in"
check "the editor got its body" grep -qx "Count me in." "$UI_TMP/edited.txt"
check "and From the account's, not the link's" \
	sh -c "grep -qx 'From: Alice Example <alice@example.net>' '$UI_TMP/edited.txt'"
check "url_command did not run" test ! -e "$UI_TMP/opened"
ui_keys y
check "y returns to the link view" wait_for "-- surat: links -- 1/1"
check "the message goes" wait_file "$UI_TMP/sent/2.eml"
check "to the link's address only" \
	sh -c "grep -qx 'party@example.org' '$UI_TMP/sent/2.argv' && [ \$(grep -cvx -- -- '$UI_TMP/sent/2.argv') -eq 1 ]"
check "with the subject" sent_has 2 "Subject: I am in"
ui_keys q q
check "surat quits cleanly" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"
tap_end
