#!/bin/sh
# Where addresses come from, in the real binary: `a` adds the sender to the
# alias file (the default one, ~/.config/surat/aliases); an alias typed in
# the editor's header or at To: is expanded; Tab at To: completes aliases,
# the index's addresses (ranked: the ones written to first) and
# query_command's; alternates make a reply come from the address it was
# sent to and keep that address out of a group reply; `surat addresses`
# prints the same book in mutt's query format.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/compose-lib.sh"
compose_setup
# Mail to another address of Alice's, which only alternates says is hers.
cat >"$UI_STORE/demo/new/1764240000.work.sample" <<'EOF'
From: Jens Becker <jens@example.org>
To: alice.work@example.net, ops@example.org
Subject: Rota for December
Date: Fri, 28 Nov 2026 10:00:00 +0000
Message-ID: <rota@example.org>

Who takes the 24th?
EOF
cat >"$UI_TMP/query.sh" <<'EOF'
#!/bin/sh
echo "Searching for $1"
case "$1" in
qu*) printf 'quentin@example.com\tQuentin Query\tbook\n' ;;
esac
EOF
chmod +x "$UI_TMP/query.sh"
cat >>"$UI_CONFIG" <<CONF
alternates = [ "alice\\\\.work@example\\\\.net" ];
query_command = "$UI_TMP/query.sh %s";
CONF
# The editor's "alias" mode: an alias where an address goes.
sed -i 's/^fix)$/alias)\n\tsed -i "s\/^To:.*\/To: maria.lopez\/; s\/^Subject:.*\/Subject: Lunch\/" "$f" ;;\nfix)/' \
	"$UI_TMP/editor.sh"
ALIASES="$UI_TMP/home/.config/surat/aliases"

ui_start
wait_for "Your laptop is ready" || true

# a: an alias for the sender.
ui_keys l "from:maria" Enter
wait_for "Welcome to the infrastructure team" || true
ui_keys a
check "a asks for the alias, the mailbox part offered" wait_for "Alias as: maria.lopez"
ui_keys Enter
check "then the address, the sender's offered" wait_for "Address: Maria Lopez <maria.lopez@example.org>"
ui_keys Enter
check "it says where the alias went" wait_for "Alias maria.lopez added to"
check "the default alias file holds a line mutt reads" \
	grep -qx "alias maria.lopez Maria Lopez <maria.lopez@example.org>" "$ALIASES"
check "the file is private" sh -c "ls -l '$ALIASES' | grep -q '^-rw-------'"
ui_keys a
wait_for "Alias as:" || true
ui_keys Enter
check "the same alias again is refused, naming the file" wait_for "is in $ALIASES already"
ui_keys a
wait_for "Alias as:" || true
ui_keys C-u "two words" Enter
check "a key with a space is refused" wait_for "one word without spaces"

# An alias in the editor's header becomes its address.
ui_keys l all Enter
wait_gone "-- limit:" || true
ed_mode alias
ui_keys m
check "m with an alias in To shows the compose screen" wait_for "-- surat: compose"
check "the alias is expanded" wait_for "maria.lopez@example.org"

# Tab at To: an alias, an address from the index, one from query_command.
ui_keys t
wait_for "To: " || true
ui_keys C-u "mar" Tab
check "Tab lists the alias and the index's address for mar" \
	wait_for "maria.lopez Maria Lopez <maria.lopez@example.org>"
ui_keys C-u "tom" Tab
check "one match is put in" wait_for "To: Tomás García <tomas@example.org>"
ui_keys ", qu" Tab
check "query_command's match is put in" \
	wait_for "To: Tomás García <tomas@example.org>, Quentin Query <quentin@example.com>"
ui_keys ", maria.lopez" Enter
check "Enter takes the line, the alias expanded" \
	wait_for_re "To: +Tomás García <tomas@example.org>, Quentin Query <quentin@example.com>, Maria"
ui_keys y
check "the message goes" wait_file "$UI_TMP/sent/1.eml"
check "to the completed addresses and the alias's" sh -c "grep -qx tomas@example.org '$UI_TMP/sent/1.argv' && grep -qx quentin@example.com '$UI_TMP/sent/1.argv' && grep -qx maria.lopez@example.org '$UI_TMP/sent/1.argv'"
ui_keys m
wait_for "-- surat: compose" || true
ui_keys t
wait_for "To: " || true
ui_keys C-u "zzz" Tab
check "no match says so" wait_for "no completion"
ui_keys Escape
ui_keys q
wait_for "Abort this message?" || true
ui_keys y
wait_gone "-- surat: compose" || true

# alternates: the reply comes from the address it was sent to; a group reply leaves it out.
ui_keys l "subject:rota" Enter
wait_for "Rota for December" || true
ed_mode answer
ui_keys g
check "g shows the compose screen" wait_for "-- surat: compose"
check "From is the alternate address the mail came to" wait_for "alice.work@example.net"
check "and the other recipient is kept" screen_has "ops@example.org"
check "but the alternate is not a recipient" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -E '^ *(To|Cc):' | grep -q alice.work"
ui_keys y
check "the group reply goes" wait_file "$UI_TMP/sent/2.eml"
check "From: the alternate" sent_has 2 "From: Alice Example <alice.work@example.net>"

# surat addresses: the same book for scripts and mutt's query_command.
out=$(env -i PATH="$PATH" HOME="$UI_TMP/home" "$SURAT" -c "$UI_CONFIG" addresses mar 2>&1)
check "surat addresses prints mutt's query format" sh -c "printf '%s\n' \"\$1\" | head -1 | grep -q 'matching addresses'" - "$out"
check "the alias first" sh -c "printf '%s\n' \"\$1\" | sed -n 2p | grep -q 'alias maria.lopez'" - "$out"
check "then the address written to" sh -c "printf '%s\n' \"\$1\" | grep -q '^maria.lopez@example.org	Maria Lopez	written to'" - "$out"
check "nothing matching exits 1" sh -c "! env -i PATH='$PATH' HOME='$UI_TMP/home' '$SURAT' -c '$UI_CONFIG' addresses zzzz >/dev/null 2>&1"
ui_keys q
tap_end
