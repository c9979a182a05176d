#!/bin/sh
# surat import-muttrc FILE, run as a person would: a realistic muttrc (and
# the file it sources) becomes surat settings; each line left is a comment
# with FILE:LINE and why; nothing is written; the result is a config surat
# reads.
set -u
: "${SURAT:?run from make check, or set SURAT to the built binary}"
: "${SURAT_SRCDIR:?run from make check, or set SURAT_SRCDIR to the source tree}"
export TZ=UTC LC_ALL=C.UTF-8
unset SURAT_CONFIG XDG_CONFIG_HOME NO_COLOR SURAT_THEMES_DIR

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-import-muttrc.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home"
mkdir -p "$HOME" "$tmp/store"
cp "$SURAT_SRCDIR/tests/data/muttrc/muttrc" "$SURAT_SRCDIR/tests/data/muttrc/colors.muttrc" "$tmp/"
rc="$tmp/muttrc"
sums() { ls -A "$HOME"; md5sum "$tmp/muttrc" "$tmp/colors.muttrc"; }
before=$(sums)

n=0
echo "1..12"
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/# out: /' "$tmp/out" | head -80
		sed 's/^/# err: /' "$tmp/err"
	fi
}
has() { grep -qF -- "$1" "$tmp/out"; }

"$SURAT" import-muttrc "$rc" >"$tmp/out" 2>"$tmp/err"
ok $? "a realistic muttrc translates, exit 0"
has 'sort = "reverse-arrival";' && has 'index_lines = 8;' && has 'sidebar = true;' &&
	has 'text_flowed = false;' && has 'record = "Sent";' && has 'postponed = "Drafts";'
ok $? "set: mutt's options become surat's (the last sort wins, +Sent is the folder Sent)"
has '{ context = "index,pager"; key = "C-d"; action = "half-down"; }' &&
	has '{ context = "index"; key = "g g"; action = "first-entry"; }' &&
	has '{ context = "index"; key = "Esc r"; action = "reply"; }' &&
	has '{ context = "pager"; key = "Up"; action = "previous-line"; }'
ok $? "bind: \\Cd, gg, <Esc>r and <up> in surat's key names"
has '{ context = "index"; keys = ", a"; sequence = "<limit>~f alice<enter>"; description = "show Alice'"'"'s mail"; }'
ok $? "macro: keys, sequence and description"
has '{ object = "index"; fg = "red"; bg = "default"; query = "~f boss"; }' &&
	has '{ object = "index"; fg = "bright-yellow"; bg = "default"; query = "~F"; }' &&
	has '{ object = "body"; fg = "cyan"; bg = "default"; regex = "(https?|ftp)://[^ ]+"; }' &&
	has '{ object = "header"; fg = "yellow"; bg = "default"; regex = "^Subject:"; }'
ok $? "color from the sourced file: index by pattern (brightyellow as a theme writes it), body and header by regex"
has 'alternates = [ "^alice@(work|home)\\.example$", "alice@old.example" ];' &&
	has 'headers_shown = [ "From", "Subject", "To", "Cc", "Date", "Reply-To" ];' &&
	has '{ name = "Archive"; query = "folder:Archive"; }'
ok $? "alternates, unignore as headers_shown, mailboxes as saved searches"
has "# not translated: $rc:28: bind index x frobnicate" &&
	has "#   (surat has no function frobnicate" &&
	has "# not translated: $tmp/colors.muttrc:4: color status white blue" &&
	has "# not translated: $rc:33: folder-hook . 'set sort=date'" &&
	has "#   (it uses a variable (\$...), which surat does not expand)" &&
	has "#   (from belongs to an account in surat"
ok $? "each line left is a comment with FILE:LINE (the sourced file's too) and why"
grep -q "^surat: 28 commands translated, 17 left as comments" "$tmp/err"
ok $? "stderr counts what was translated and what was left"
[ "$(sums)" = "$before" ]
ok $? "no file was written or changed"

# The result is a configuration surat reads, once the store is added.
{ echo "store = \"$tmp/store\";"; cat "$tmp/out"; } >"$tmp/config"
"$SURAT" -c "$tmp/config" check-config >"$tmp/out" 2>"$tmp/err"
ok $? "the translated settings pass check-config"

"$SURAT" import-muttrc "$tmp/none" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -q "^surat: Failed to open file .*none.*; give the muttrc to translate" "$tmp/err"
ok $? "a muttrc that cannot be read: one line naming it, exit 1"
"$SURAT" import-muttrc >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^usage: surat import-muttrc FILE" "$tmp/err"
ok $? "no FILE: usage, exit 2"
