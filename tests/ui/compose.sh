#!/bin/sh
# Writing mail end to end in the real binary: m (a UTF-8 subject and name),
# r, g, L, f (the tagged ones after ;), e, P and R, each sent with y through
# the background sender and sendmail_command; what went out is read back:
# headers, the attribution and quote, In-Reply-To and References, Sent, and
# the original's R or P flag.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compose-lib.sh"
compose_setup
ui_start
wait_for "Your laptop is ready" || true

# m: a new message.
ed_mode new
ui_keys m
check "m runs the editor, then shows the compose screen" wait_for "-- surat: compose"
check "the editor's file is private: 0600 in a 0700 folder" \
	sh -c "grep -q '^drwx------' '$UI_TMP/edited.modes' && grep -q '^-rw-------' '$UI_TMP/edited.modes'"
check "the file starts with the editable headers" \
	sh -c "head -1 '$UI_TMP/edited.txt' | grep -qx 'From: Alice Example <alice@example.net>'"
check "the screen shows the UTF-8 name and subject" wait_for 'Zoë Ünal'
check "and the subject" screen_has "Grüße aus Zürich"
check "and the sending account" screen_has "demo (sendmail_command)"
ui_keys y
check "y returns to the index at once" wait_for "-- surat: demo"
check "the status line says sent" wait_for_re "-- (sent|sending)"
wait_file "$UI_TMP/sent/1.eml" || true
check "sendmail_command got the message" test -s "$UI_TMP/sent/1.eml"
check "and the recipient as an argument" grep -qx "zoe@example.com" "$UI_TMP/sent/1.argv"
check "the subject is encoded on the wire" sh -c "grep -q '^Subject: =?' '$UI_TMP/sent/1.eml'"
check "and decodes to what was typed" shown_has 1 "Subject: Grüße aus Zürich"
check "the name too" shown_has 1 "Zoë Ünal"
check "the body is the text typed" shown_has 1 "Hallo Zoë,"
check "it has a Message-ID and a Date" sh -c "grep -qi '^Message-ID: <.*@example.net>' '$UI_TMP/sent/1.eml' && grep -q '^Date: ' '$UI_TMP/sent/1.eml'"
check "user_agent = true adds User-Agent" sent_has 1 "User-Agent: surat "
check "text_flowed = true sends format=flowed" sh -c "grep -i '^Content-Type: text/plain' '$UI_TMP/sent/1.eml' | grep -qi 'format=flowed'"
check "it is kept in Sent" wait_file "$UI_STORE/demo/.Sent/cur/*"
check "the editor's file and folder are gone once queued" \
	sh -c "f=\$(cat '$UI_TMP/edited.path'); test ! -e \"\$f\" && test ! -e \"\$(dirname \"\$f\")\""

# r: a reply, quoting with the attribution.
ui_keys l "subject:welcome" Enter
wait_for "Welcome to the infrastructure team" || true
ed_mode answer
ui_keys r
check "r shows the compose screen" wait_for "-- surat: compose"
check "to the sender" screen_has "maria.lopez@example.org"
check "with Re:" screen_has "Re: Welcome to the infrastructure team"
check "the editor got the attribution" grep -q "^On .*, Maria Lopez wrote:" "$UI_TMP/edited.txt"
check "and the text quoted" grep -q "^> " "$UI_TMP/edited.txt"
ui_keys y
check "the reply goes" wait_file "$UI_TMP/sent/2.eml"
check "In-Reply-To is the original's id" sent_has 2 "In-Reply-To: <20261123080205.1001@example.org>"
check "References too" sent_has 2 "<20261123080205.1001@example.org>"
check "the answer typed is in it" shown_has 2 "Thanks, noted."
check "the original gets R once it is sent" \
	wait_file "$UI_STORE/demo/cur/*:2,*R*"

# g: group reply, without the person's own address.
ui_keys l "subject:relay from:tomas" Enter
wait_for "-- limit:" || true
ui_keys =
ed_mode answer
ui_keys g
check "g shows the compose screen" wait_for "-- surat: compose"
check "group reply keeps the other recipients" screen_has "infra@example.org"
check "but not the person's own address" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -E '^(To|Cc):' | grep -q alice@example.net"
ui_keys y
check "the group reply goes" wait_file "$UI_TMP/sent/3.eml"
check "to every recipient" sh -c "grep -qx 'infra@example.org' '$UI_TMP/sent/3.argv' && grep -qx 'tomas@example.org' '$UI_TMP/sent/3.argv'"

# L: list reply to the List-Post address; a message of no list says so.
ui_keys l "subject:debian" Enter
wait_for "Debian 12.9" || true
ui_keys L
check "L on a message of no list says so" wait_for "names no mailing list"
ui_keys l "from:bob" Enter
wait_for "Mirror sync" || true
ed_mode answer
ui_keys L
check "L shows the compose screen with the list's address" wait_for "dev@lists.example.org"
ui_keys y
check "the list reply goes" wait_file "$UI_TMP/sent/4.eml"
check "to the list only" sh -c "grep -qx 'dev@lists.example.org' '$UI_TMP/sent/4.argv' && ! grep -q 'bob@example.org' '$UI_TMP/sent/4.argv'"

# f after ;: forward the tagged messages, inline.
ui_keys l all Enter
wait_gone "-- limit:" || true
ui_keys = t j t
ed_mode fix
ui_keys '\;' f
check "; f forwards the tagged messages" wait_for "-- surat: compose"
check "with Fwd:" screen_has "Fwd: "
check "both in the body" sh -c "[ \$(grep -c -- '----- Forwarded message from' '$UI_TMP/edited.txt') -eq 2 ]"
ui_keys y
check "the forward goes" wait_file "$UI_TMP/sent/5.eml"
check "the forwarded ones get P" wait_file "$UI_STORE/demo/cur/*:2,*P*"

# e: edit as new.
ui_keys l "subject:laptop" Enter
wait_for "Your laptop is ready" || true
ed_mode fix
ui_keys e
check "e starts a new message from a copy" wait_for "-- surat: compose"
check "with its subject" screen_has "Your laptop is ready"
ui_keys y
check "the copy goes as new" wait_file "$UI_TMP/sent/6.eml"
check "to the address typed" grep -qx "bob@example.com" "$UI_TMP/sent/6.argv"

# P, then R: postpone and recall.
ed_mode new
ui_keys m
wait_for "-- surat: compose" || true
ui_keys P
check "P postpones to Drafts" wait_for "Postponed to Drafts"
check "the draft is in Drafts with flag D" wait_file "$UI_STORE/demo/.Drafts/cur/*:2,*D*"
check "nothing was sent" test ! -e "$UI_TMP/sent/7.eml"
ed_mode answer
ui_keys R
check "R lists the postponed messages" wait_for "-- surat: postponed -- 1/1"
check "with the draft's subject" screen_has "Grüße aus Zürich"
ui_keys Enter
check "Enter recalls it" wait_for "-- surat: compose"
check "as it was" screen_has "Grüße aus Zürich"
ui_keys y
check "the recalled message goes" wait_file "$UI_TMP/sent/7.eml"
check "with what was added" shown_has 7 "Thanks, noted."
check "and the old draft is gone" sh -c "! ls '$UI_STORE'/demo/.Drafts/cur/* 2>/dev/null | grep -q ."

# b: bounce, unchanged but for the Resent- fields, to the address asked for.
ui_keys l "subject:invoice" Enter
wait_for "Invoice 2026-1187" || true
ui_keys b
check "b asks where to" wait_for "Bounce to:"
ui_keys Escape
check "Escape gives it up" wait_gone "Bounce to:"
ui_keys b
wait_for "Bounce to:" || true
ui_keys "carol@example.com" Enter
check "the bounce goes" wait_file "$UI_TMP/sent/8.eml"
check "to the address given, not the message's own" \
	sh -c "grep -qx 'carol@example.com' '$UI_TMP/sent/8.argv' && ! grep -q alice '$UI_TMP/sent/8.argv'"
check "with Resent-To" sent_has 8 "Resent-To: carol@example.com"
check "and the message as it was" sent_has 8 "Message-ID: <inv-2026-1187@supplier.example.com>"

ui_keys q
check "surat quits cleanly" wait_for "EXIT=0"
tap_end
