#!/bin/sh
# Issue 13's keys and views, as a mutt user reaches for them, in one
# session: c (change-folder) with Tab over accounts, folders and saved
# searches, =Folder and +Folder, a Maildir outside the store opened
# read-only, and the errors for a folder that does not exist and a path
# that is no Maildir; =Folder at the copy prompt; ! (shell escape);
# digits then Enter (jump); S and T in the pager (skip and hide quoted
# text); J and K in the pager; s in the attachment view asking for the
# file with the safe name filled in, Tab over paths, and a question before
# overwriting.
. "$(dirname "$0")/lib.sh"
ui_setup
UI_HEIGHT=32
dl=$UI_TMP/home/dl
mkdir -p "$dl"
cat >>"$UI_CONFIG" <<CONF
download_dir = "$dl";
mailboxes = ( { name = "Relay"; query = "subject:relay"; } );
CONF

# A folder of the account, with one message.
mkdir -p "$UI_STORE/demo/.Archive/cur" "$UI_STORE/demo/.Archive/new" "$UI_STORE/demo/.Archive/tmp"
touch "$UI_STORE/demo/.Archive/maildirfolder"
cat >"$UI_STORE/demo/.Archive/cur/1700000100.M1P1Q1.test:2,S" <<'EOF'
From: Old Friend <old@example.org>
To: alice@example.net
Subject: Archived long ago
Date: Mon, 02 Jan 2023 10:00:00 +0000
Message-ID: <archived@example.org>

From the archive.
EOF

# A message with a long quoted block, longer than the pager.
{
	printf 'From: Bob Quoter <bob@example.org>\nTo: alice@example.net\n'
	printf 'Subject: Long quote\nDate: Fri, 27 Nov 2026 09:00:00 +0000\n'
	printf 'Message-ID: <long-quote@example.org>\n\nBob wrote before:\n'
	i=1
	while [ $i -le 40 ]; do
		echo "> quoted line $i"
		i=$((i + 1))
	done
	echo "After the quote."
	i=1
	while [ $i -le 30 ]; do
		echo "tail line $i"
		i=$((i + 1))
	done
} >"$UI_STORE/demo/cur/1800000000.M1P1Q1.test:2,S"

# A Maildir outside the store, and a folder that is not one.
outside=$UI_TMP/home/Mail/friends
mkdir -p "$outside/cur" "$outside/new" "$outside/tmp" "$UI_TMP/home/Mail/notes"
cat >"$outside/new/1700000200.M2P2Q2.host" <<'EOF'
From: Carol Outside <carol@example.org>
To: alice@example.net
Subject: From the other Maildir
Date: Tue, 03 Jan 2023 10:00:00 +0000
Message-ID: <outside-1@example.org>

Outside text.
EOF
cat >"$outside/cur/1700000300.M3P3Q3.host:2,S" <<'EOF'
From: Dave Outside <dave@example.org>
To: alice@example.net
Subject: Second outside message
Date: Wed, 04 Jan 2023 10:00:00 +0000
Message-ID: <outside-2@example.org>

More outside text.
EOF
outside_before=$(cd "$outside" && find . | sort)
# What a session that crashed would leave: a link to a read-only Maildir.
mkdir -p "$UI_STORE/.ro"
ln -s "$outside" "$UI_STORE/.ro/.stale"

# help_find ERE: page through the help until a line matches.
help_find() {
	for page in 1 2 3 4 5 6; do
		ui_poll 1 screen_match "$1" && return 0
		ui_keys Space
	done
	return 1
}

ui_start
wait_for "surat: demo" || true
check "a crashed session's read-only link is gone at start" test ! -e "$UI_STORE/.ro"

# ---- c: change-folder ----------------------------------------------------
ui_keys c
check "c asks for a mailbox" wait_for "Open mailbox:"
ui_keys -l '=Ar'
ui_keys Tab
check "Tab completes =Ar to the account's folder =Archive" wait_for "Open mailbox: =Archive"
ui_keys Enter
check "=Archive opens the folder Archive of the account" wait_for "surat: demo/Archive"
check "its message is listed" wait_for "Archived long ago"
ui_keys c
ui_keys -l 'demo'
ui_keys Enter
check "an account's name opens its inbox" wait_for_re "surat: demo -- [0-9]"
ui_keys c
ui_keys -l '+Archive'
ui_keys Enter
check "+Archive is mutt's other shorthand for it" wait_for "surat: demo/Archive"
ui_keys c
ui_keys -l '!'
ui_keys Enter
check "! (mutt's spool) is the account's inbox" wait_for_re "surat: demo -- [0-9]"
ui_keys c
ui_keys -l 'Rel'
ui_keys Tab
check "Tab completes a saved search's name" wait_for "Open mailbox: Relay"
ui_keys Enter
check "a saved search opens" wait_for "search Relay"
ui_keys c
ui_keys -l '=Nope'
ui_keys Enter
check "a folder that does not exist is an error naming it" \
	wait_for 'demo has no folder "Nope"; Tab lists the mailboxes'
ui_keys c
ui_keys -l 'nowhere'
ui_keys Enter
check "an unknown name says what c reads" wait_for 'no mailbox "nowhere": type an account'
ui_keys c
ui_keys -l '~/Mail/notes'
ui_keys Enter
check "a folder that is no Maildir says so" \
	wait_for "~/Mail/notes is not a Maildir (a Maildir has cur/, new/ and tmp/ in it)"
ui_keys c
ui_keys -l '~/Mail/gone'
ui_keys Enter
check "a path that does not exist says so" wait_for "~/Mail/gone: no such file or folder"
ui_keys c
ui_keys -l '~/Mail/fr'
ui_keys Tab
check "Tab completes paths" wait_for "Open mailbox: ~/Mail/friends/"
ui_keys Enter
check "a Maildir outside the store opens read-only" \
	wait_for "~/Mail/friends/: read-only, 2 messages."
check "the status line says read-only" screen_has "friends (read-only)"
check "its messages are listed" screen_has "From the other Maildir"
ui_keys B
check "the sidebar lists it under read-only" wait_for_re "^ read-only +0/0"
check "by its name, marked open" screen_match "^>  friends +[0-9]+/2"
ui_keys B
ui_keys d
check "d is refused there" wait_for "delete-message: this Maildir is open read-only"
ui_keys F
check "F too" wait_for "flag-message: this Maildir is open read-only"
ui_keys -l '/Carol'
ui_keys Enter
ui_keys Enter
check "a message opens" wait_for "Outside text."
ui_keys q
ui_keys C
ui_keys -l '=Archive'
ui_keys Enter
check "C copies out of it into the person's own folder" \
	wait_for "Copied 1 message to demo/Archive."
check "the copy is in demo/.Archive" sh -c "grep -l 'Outside text' '$UI_STORE'/demo/.Archive/cur/* >/dev/null"
check "nothing in the outside Maildir changed (opening left it unread)" \
	test "$(cd "$outside" && find . | sort)" = "$outside_before"
ui_keys c
ui_keys -l 'demo'
ui_keys Enter
wait_for_re "surat: demo -- [0-9]" || true

# ---- =Folder at the copy prompt ------------------------------------------
ui_keys C
ui_keys -l '=Arc'
ui_keys Tab
check "the copy prompt completes =Arc too" wait_for "Copy to folder: =Archive"
ui_keys Enter
check "=Archive is the folder Archive, not one named =Archive" \
	wait_for "Copied 1 message to Archive."
check "no folder =Archive was made" test ! -e "$UI_STORE/demo/.=Archive"

# ---- jump: digits then Enter ---------------------------------------------
ui_keys 1
check "a digit opens the jump prompt with it" wait_for "Jump to message: 1"
ui_keys 3 Enter
check "13 Enter puts the cursor on the 13th row" wait_for_re "^-- surat: demo -- .*13/13"
ui_keys 9 9 Enter
check "a number past the end says how many rows there are" \
	wait_for "No message 99: this view has 13."
ui_keys 2 x Enter
check "what is not a number says so" wait_for "Not a message number: 2x (1 is the first row)."
ui_keys 1 Enter

# ---- !: shell escape -----------------------------------------------------
ui_keys '!'
check "! asks for a command" wait_for "Shell command:"
ui_keys -l 'echo SHELL-$((6*7))'
ui_keys Enter
check "the command runs with the terminal" wait_for "SHELL-42"
check "then waits for a key" wait_for "Press any key to continue..."
ui_keys x
check "a key brings the screen back, with the status" \
	wait_for "echo SHELL-\$((6*7)) exited with status 0."

# ---- the pager: S and T (skip-quoted, toggle-quoted), J and K --------------
ui_keys -l '/Bob'
ui_keys Enter
ui_keys Enter
check "the long quote opens" wait_for "Bob wrote before:"
check "with its quoted lines" screen_has "> quoted line 1"
pager_top=$((UI_HEIGHT - 32 + 8))
ui_keys S
check "S puts the first line after the quoted block at the top" \
	wait_line "$pager_top" "After the quote."
check "the quoted block scrolled away" screen_lacks "> quoted line 40"
ui_keys S
check "S again: no more quoted text, and says so" wait_for "No more quoted text."
ui_keys '^' T
check "T hides the quoted block behind one line saying how long it is" \
	wait_for "[-- 40 lines of quoted text hidden --]"
check "the quoted lines are gone" screen_lacks "> quoted line 1"
check "the text after it follows at once" screen_has "After the quote."
check "and T says what it did" screen_has "Quoted text hidden."
ui_keys T
check "T again shows the quoted text" wait_for "> quoted line 1"
check "and says so" screen_has "Quoted text shown."
ui_keys K
check "K (mutt's previous-entry) shows the previous message in the pager" \
	wait_gone "Bob wrote before:"
ui_keys J
check "J (mutt's next-entry) the next one" wait_for "Bob wrote before:"
ui_keys q
ui_keys 1 Enter Enter
ui_keys T
check "T in a message without quoted text says so" wait_for "No quoted text in this message."
ui_keys q

# ---- s in the attachment view ---------------------------------------------
ui_keys -l '/Invoice'
ui_keys Enter v
wait_for "-- surat: attachments" || true
ui_keys 2 s
check "s asks for the file, download_dir and the safe name filled in" \
	wait_for "Save to file: ~/dl/invoice-2026-1187.pdf"
ui_keys Enter
check "Enter saves it there" wait_for "Saved part 2 to $dl/invoice-2026-1187.pdf (206 B)."
check "the file is there" test -s "$dl/invoice-2026-1187.pdf"
ui_keys s Enter
check "an existing file: asked before overwriting" \
	wait_for "invoice-2026-1187.pdf exists: (o)verwrite, (r)ename, (c)ancel?"
ui_keys c
check "c leaves it" wait_for "Not saved."
ui_keys s C-u
ui_keys -l '~/d'
ui_keys Tab
check "Tab completes paths in the save prompt" wait_for "Save to file: ~/dl/"
ui_keys -l 'renamed.pdf'
ui_keys Enter
check "a name typed is used" wait_for "Saved part 2 to $dl/renamed.pdf (206 B)."
ui_keys s C-u
ui_keys -l '~/dl'
ui_keys Enter
check "a folder typed gets the part's own name in it (asked: it exists)" \
	wait_for "$dl/invoice-2026-1187.pdf exists:"
ui_keys r
check "r saves beside it with a suffix" wait_for "Saved part 2 to $dl/invoice-2026-1187 (1).pdf"
ui_keys s C-u
ui_keys -l '~/missing/x.pdf'
ui_keys Enter
check "a folder that does not exist is an error naming it" \
	wait_for_re "Not saved: .*missing.*No such file or directory"
ui_keys q

# ---- the help lists the new actions ----------------------------------------
ui_keys '?'
check "the help lists jump on the digits" wait_for_re "^ *1\.\.9 +jump"
check "shell-escape on !" help_find "^ *! +shell-escape"
check "change-folder on c" help_find "^ *c +change-folder"
ui_keys q
ui_keys -l '/Bob'
ui_keys Enter Enter '?'
check "the pager's help has next-entry on J as well as j" wait_for_re "^ *J, j +next-entry"
check "skip-quoted on S" help_find "^ *S +skip-quoted"
check "toggle-quoted on T" screen_match "^ *T +toggle-quoted"
ui_keys q q
ui_keys q
check "surat quits" wait_for "EXIT=0"
check "the read-only Maildir's link is gone at quit" test ! -e "$UI_STORE/.ro"
check "and the outside Maildir is untouched" \
	test "$(cd "$outside" && find . | sort)" = "$outside_before"
check "nothing on standard error (no sanitizer report)" test ! -s "$UI_TMP/stderr"

tap_end
