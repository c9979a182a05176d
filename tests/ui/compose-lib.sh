# tests/ui/compose-lib.sh: what the writing tests share, sourced after lib.sh.
# The account sends through sendmail_command, a script that keeps what it was
# given (the message as $UI_TMP/sent/N.eml, its arguments as N.argv) and
# exits with the status in $UI_TMP/sm-exit (0 when missing: accepted; 1 a
# refusal; 75 a temporary failure).  The editor is a script that edits the
# file as a person would, as $UI_TMP/ed-mode says, after keeping a copy of
# what it was given as $UI_TMP/edited.txt.

compose_setup() {
	ui_setup
	mkdir -p "$UI_TMP/sent"
	# A mailing list's message, for L.
	cat >"$UI_STORE/demo/new/1764230000.list.sample" <<'EOF'
From: Bob Builder <bob@example.org>
To: dev@lists.example.org
Subject: Mirror sync
Date: Thu, 27 Nov 2026 10:00:00 +0000
Message-ID: <mirror-sync@example.org>
List-Id: Developers <dev.lists.example.org>
List-Post: <mailto:dev@lists.example.org>

The mirror syncs every hour now.
EOF
	cat >"$UI_TMP/sendmail.sh" <<EOF
#!/bin/sh
n=\$(ls "$UI_TMP/sent" | grep -c '\.eml\$')
n=\$((n + 1))
cat >"$UI_TMP/sent/.msg.\$\$"
status=\$(cat "$UI_TMP/sm-exit" 2>/dev/null || echo 0)
if [ "\$status" != 0 ]; then
	rm -f "$UI_TMP/sent/.msg.\$\$"
	[ "\$status" = 1 ] && echo "550 5.1.1 no such user here" >&2
	exit "\$status"
fi
# the arguments first, the message last and whole: a test waits for it
printf '%s\n' "\$@" >"$UI_TMP/sent/\$n.argv"
mv "$UI_TMP/sent/.msg.\$\$" "$UI_TMP/sent/\$n.eml"
EOF
	cat >"$UI_TMP/editor.sh" <<EOF
#!/bin/sh
f="\$1"
cp "\$f" "$UI_TMP/edited.txt"
echo "\$f" >"$UI_TMP/edited.path"
ls -ld "\$(dirname "\$f")" "\$f" | cut -c1-10 >"$UI_TMP/edited.modes"
mode=\$(cat "$UI_TMP/ed-mode" 2>/dev/null)
case "\$mode" in
new)
	sed -i 's/^To:.*/To: "Zoë Ünal" <zoe@example.com>/; s/^Subject:.*/Subject: Grüße aus Zürich/' "\$f"
	printf 'Hallo Zoë,\nbis bald.\n' >>"\$f" ;;
answer)
	printf 'Thanks, noted.\n' >>"\$f" ;;
bad)
	sed -i 's/^To:.*/To: bob@/' "\$f"
	printf 'Words worth keeping.\n' >>"\$f" ;;
fix)
	sed -i 's/^To:.*/To: bob@example.com/' "\$f" ;;
hang)
	printf 'Typed before the crash.\n' >>"\$f"
	echo "\$\$" >"$UI_TMP/editor.pid"
	echo "\$f" >"$UI_TMP/hanging"
	exec sleep 600 ;;
esac
exit 0
EOF
	chmod +x "$UI_TMP/sendmail.sh" "$UI_TMP/editor.sh"
	cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
editor = "$UI_TMP/editor.sh";
user_agent = true;
text_flowed = true;
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice";
	from = "Alice Example <alice@example.net>";
	sendmail_command = "$UI_TMP/sendmail.sh"; } );
CONF
}

# sent_has N TEXT: the Nth message the sendmail script got holds TEXT.
sent_has() { grep -qF -- "$2" "$UI_TMP/sent/$1.eml"; }
# shown_has N TEXT: surat show of the Nth message (headers decoded) holds TEXT.
shown_has() { "$SURAT" show "$UI_TMP/sent/$1.eml" 2>/dev/null | grep -qF -- "$2"; }
# ed_mode MODE: what the editor does next.
ed_mode() { echo "$1" >"$UI_TMP/ed-mode"; }
