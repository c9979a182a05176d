#!/bin/sh
# Files nobody else should read: with umask 022, everything surat makes in
# the store (the store folder, the Maildirs and their folders, index.db and
# its -wal and -shm, the UIDL journal, the lock, fetch.log, the messages)
# is readable by the user alone: folders 0700, files 0600.  A store others
# could read (made by an older surat, or by hand) is made private when a
# fetch, the interface or reindex opens it, with a line in fetch.log that
# names what changed.
. "$(dirname "$0")/lib.sh"
dc_require 12
it_require_fetch 12
it_ui modes
umask 022

dc_start alice
dc_seed alice 3
it_config "$(dc_account a alice implicit 'poll_interval = 3600;')"
printf 'sidebar = false;\n' >>"$IT_CFG"

# mode_is MODE PATH...: each PATH has exactly MODE (octal, permission bits).
mode_is() {
	want=$1
	shift
	for p in "$@"; do
		got=$(stat -c %a "$p" 2>/dev/null || echo missing)
		[ "$got" = "$want" ] || { echo "# $p is $got, not $want"; return 1; }
	done
}

# all_private: every folder in the store 0700, every file 0600.
all_private() {
	bad=$(find "$IT_STORE" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \) | head -5)
	[ -z "$bad" ] && return 0
	for p in $bad; do echo "# $(stat -c %a "$p") $p"; done
	return 1
}

it_fetch
check "the fetch succeeds" rc_is 0
check "the store, the Maildir and its tmp/, new/, cur/ are 0700" \
	mode_is 700 "$IT_STORE" "$IT_STORE/a" "$IT_STORE/a/tmp" "$IT_STORE/a/new" "$IT_STORE/a/cur"
check "index.db is 0600 (it holds every message's text)" mode_is 600 "$IT_STORE/index.db"
check "the lock and the UIDL journal are 0600" mode_is 600 "$IT_STORE/a/.lock" "$IT_STORE/a/surat-uidls"
check "every folder and file in the store is private" all_private

# The interface: fetch.log, and index.db's -wal and -shm while it runs.
ui_start 1
check "the interface starts" wait_until 30 screen_has "/3 -- "
check "while it runs, index.db-wal, index.db-shm and fetch.log are 0600" \
	wait_until 10 mode_is 600 "$IT_STORE/index.db-wal" "$IT_STORE/index.db-shm" "$IT_STORE/fetch.log"
ui_tmux send-keys -t 0 q
wait_until 10 screen_has "EXIT=" >/dev/null
ui_stop

# A store others could read: made private on open, and said so in fetch.log.
chmod 755 "$IT_STORE" "$IT_STORE/a" "$IT_STORE/a/new" "$IT_STORE/a/cur"
chmod 644 "$IT_STORE/index.db" "$IT_STORE/a/surat-uidls" "$IT_STORE/a/.lock"
: >"$IT_STORE/fetch.log"
it_fetch
check "a fetch of a store others can read succeeds" rc_is 0
check "and makes it private" all_private
check "fetch.log says what was made private" \
	sh -c "grep -q 'made private' '$IT_STORE/fetch.log' && grep -qF '$IT_STORE/index.db (was 0644)' '$IT_STORE/fetch.log' &&
		grep -qF '$IT_STORE/a (was 0755)' '$IT_STORE/fetch.log'"
chmod 755 "$IT_STORE"
chmod 644 "$IT_STORE/index.db"
"$SURAT" -c "$IT_CFG" reindex >/dev/null 2>&1
check "surat reindex makes it private too" all_private
chmod 755 "$IT_STORE/a/cur"
ui_start 2
wait_until 30 screen_has "/3 -- " >/dev/null
check "so does the interface" all_private
ui_tmux send-keys -t 0 q
tap_end
