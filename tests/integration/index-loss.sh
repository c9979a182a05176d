#!/bin/sh
# Losing index.db downloads nothing twice (DESIGN promise 1): the Maildir's
# UIDL journal (surat-uidls) gives every UIDL back.  Against the private
# Dovecot, with keep = true, with keep = false and max_size (a headers-only
# copy must never be taken for whole and DELE'd), and with
# delete_on_server_when_deleted (a queued DELE survives).  The index is
# deleted, emptied, truncated, overwritten with garbage, or stamped with a
# future schema: a damaged one is refused at open by `surat list`,
# `surat fetch` and the interface with one line saying to run
# `surat reindex`, which moves it aside and rebuilds it; then a fetch
# stores nothing new, an expunged message stays expunged, and the flags
# come back from the file names.
. "$(dirname "$0")/lib.sh"
KINDS="deleted deleted-reindex empty truncated garbage future"
# 12 checks for each kind of loss, 6 more for each damaged kind.
total=$((3 + 6 * 12 + 3 * 6))
dc_require "$total"
it_require_fetch "$total"
it_ui index-loss
helper="${SURAT_BUILDDIR:?}/tests/integration/expunge-helper"

dc_start alice bob carol
dc_seed alice 12
dc_seed bob 3 2000
dc_seed bob 1 60000 10
dc_seed carol 12 0 20
it_config "$(dc_account keep alice implicit)" \
	"$(dc_account part bob implicit 'keep = false; max_size = 20000;')" \
	"$(dc_account until carol implicit 'delete_on_server_when_deleted = true;')"

it_fetch
check "the first fetch stores every account" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(store_count keep) -eq 12 ] && [ $(store_count part) -eq 4 ] &&
		[ $(store_count until) -eq 12 ]"
check "keep = false left only the headers-only message on the server" test "$(dc_count bob)" -eq 1
check "every account's Maildir carries a UIDL journal" \
	sh -c "[ -s '$IT_STORE/keep/surat-uidls' ] && [ -s '$IT_STORE/part/surat-uidls' ] &&
		[ -s '$IT_STORE/until/surat-uidls' ]"

# retrieved: the last fetch sent no RETR and no TOP.
retrieved_nothing() {
	! grep -qE ': C: (RETR|TOP) ' "$IT_ERR"
}

# fetched_nothing: the last fetch succeeded and retrieved nothing.
fetched_nothing() {
	[ "$IT_RC" -eq 0 ] && retrieved_nothing
}

# no_doubles: no message is stored twice in any account.
no_doubles() {
	hashes "$IT_STORE/keep" "$IT_STORE/part" "$IT_STORE/until" >"$IT_TMP/all.sha"
	[ -z "$(uniq -d "$IT_TMP/all.sha")" ]
}

# ui_refused: the interface ended with status 1 and said to run surat reindex.
ui_refused() {
	screen_has "EXIT=1" && one_line_reindex "$IT_TMP/ui.err"
}

# one_line_reindex FILE: FILE is one line naming index.db and saying to run surat reindex.
one_line_reindex() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -qF "$IT_STORE/index.db" "$1" &&
		grep -qF "run surat reindex" "$1" && return 0
	echo "# $1:"
	sed 's/^/#   /' "$1"
	return 1
}

# damage KIND: lose or damage the index as KIND says.
damage() {
	db="$IT_STORE/index.db"
	case $1 in
	deleted | deleted-reindex) rm -f "$db" "$db-wal" "$db-shm" ;;
	empty) rm -f "$db-wal" "$db-shm"; : >"$db" ;;
	truncated)
		sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
		size=$(stat -c %s "$db")
		head -c $((size / 2)) "$db" >"$IT_TMP/half" && mv "$IT_TMP/half" "$db"
		rm -f "$db-wal" "$db-shm" ;;
	garbage)
		rm -f "$db-wal" "$db-shm"
		head -c 65536 /dev/urandom >"$db" ;;
	future) sqlite3 "$db" "PRAGMA user_version = 99;" ;;
	esac
}

round=0
for kind in $KINDS; do
	round=$((round + 1))
	# Before the loss: a message read elsewhere (its name says S), one
	# expunged here for good, one expunged with its DELE still queued.
	seen=$(grep -lx "Subject: Seeded message 12" "$IT_STORE"/keep/new/* 2>/dev/null | head -1)
	if [ -n "$seen" ]; then
		mv "$seen" "$IT_STORE/keep/cur/$(basename "$seen"):2,S"
		seen_base=$(basename "$seen")
	fi
	"$SURAT" -c "$IT_CFG" reindex >/dev/null 2>&1
	n=$((round + 1))
	"$helper" "$IT_CFG" "account:keep subject:\"Seeded message $n\"" >/dev/null 2>&1
	"$helper" "$IT_CFG" "account:until subject:\"Seeded message $((round + 20))\"" \
		>"$IT_TMP/h" 2>&1
	keep_files=$(store_count keep)
	until_on_server=$(dc_count carol)
	damage "$kind"

	case $kind in
	truncated | garbage | future)
		"$SURAT" -c "$IT_CFG" list >/dev/null 2>"$IT_TMP/list.err"
		st=$?
		check "$kind: surat list refuses it (status 1)" test "$st" -eq 1
		check "$kind: surat list says in one line which file and to run surat reindex" \
			one_line_reindex "$IT_TMP/list.err"
		it_fetch
		check "$kind: surat fetch refuses it, names the account and says to run surat reindex" \
			sh -c "[ $IT_RC -eq 1 ] && grep '^surat: keep: ' '$IT_ERR' | grep -qF 'run surat reindex'"
		ui_start "$round"
		wait_until 30 screen_has "EXIT=" >/dev/null
		check "$kind: the interface does not start, and says to run surat reindex" ui_refused
		ui_stop
		"$SURAT" -c "$IT_CFG" reindex >"$IT_TMP/reindex.out" 2>"$IT_TMP/reindex.err"
		st=$?
		check "$kind: surat reindex rebuilds it, saying what was lost" \
			sh -c "[ $st -eq 0 ] && grep -q 'moved it to .*index.db.broken-' '$IT_TMP/reindex.err' &&
				grep -q 'tags and the undo history are lost' '$IT_TMP/reindex.err'"
		check "$kind: the damaged file is kept aside" \
			sh -c "ls '$IT_STORE'/index.db.broken-* >/dev/null 2>&1"
		rm -f "$IT_STORE"/index.db.broken-*
		;;
	deleted-reindex)
		"$SURAT" -c "$IT_CFG" reindex >/dev/null 2>&1 ;;
	esac

	it_fetch
	check "$kind: the next fetch succeeds" rc_is 0
	check "$kind: it retrieves nothing (no RETR, no TOP)" retrieved_nothing
	check "$kind: nothing is stored twice" no_doubles
	check "$kind: the expunged message stays expunged" test "$(store_count keep)" -eq "$keep_files"
	check "$kind: the headers-only copy is still partial and not deleted on the server" \
		sh -c "[ $(dc_count bob) -eq 1 ] && [ \"\$(sqlite3 '$IT_STORE/index.db' \
			\"SELECT count(*) FROM messages WHERE account = 'part' AND partial = 1\")\" -eq 1 ]"
	check "$kind: the DELE queued before the loss was sent" \
		test "$(dc_count carol)" -eq $((until_on_server - 1))
	check "$kind: the flags come from the file names" \
		test "$(sql "SELECT flags FROM messages WHERE base = '$seen_base'")" = S
	check "$kind: the index agrees (keep)" index_agrees keep
	check "$kind: the index agrees (part)" index_agrees part
	check "$kind: the index agrees (until)" index_agrees until
	it_fetch
	check "$kind: a second fetch retrieves nothing either" fetched_nothing
	check "$kind: every UIDL is known to the index again (keep)" \
		test "$(sql "SELECT count(*) FROM messages WHERE account = 'keep' AND uidl IS NOT NULL")" \
			-eq "$keep_files"
done
tap_end
