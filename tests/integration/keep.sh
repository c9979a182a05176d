#!/bin/sh
# keep = true (a rerun gets nothing new; new mail later is fetched once),
# keep = false (deleted on the server only once stored), and
# delete_after_days (the first-seen time faked in index.db).
. "$(dirname "$0")/lib.sh"
dc_require 20
it_require_fetch 20

dc_start alice bob carol
dc_seed alice 8
dc_seed bob 6
dc_seed carol 5
snapshot_server alice
snapshot_server bob
# keep = false goes through the proxy, which counts the stored messages as
# each DELE leaves.
px_start --watch-dir "$IT_STORE/nokeep"
it_config "$(dc_account keep alice implicit)" \
	"$(dc_account nokeep bob none "keep = false; port = $PX_PORT;")" \
	"$(dc_account old carol implicit 'delete_after_days = 7;')"

# keep = true
it_fetch keep
check "keep: the first fetch succeeds" rc_is 0
check "keep: every message stored byte for byte (CRLF -> LF, unstuffed)" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/keep"
check "keep: the index agrees" index_agrees keep
check "keep: the server still has everything, unchanged" server_unchanged alice
it_fetch keep
check "keep: the rerun succeeds" rc_is 0
check "keep: the rerun retrieves nothing" err_lacks_re '^C: (RETR|TOP) '
check "keep: the rerun stores nothing new" test "$(store_count keep)" -eq 8
dc_seed alice 3 0 9
it_fetch keep
check "keep: three new messages later: exactly those are retrieved" \
	test "$(count_re '^C: RETR ' "$IT_ERR")" -eq 3
check "keep: and the store holds all eleven once" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/keep"
check "keep: the index still agrees" index_agrees keep

# keep = false
it_fetch nokeep
check "keep = false: fetch succeeds" rc_is 0
check "keep = false: the server's mailbox is empty afterwards" test "$(dc_count bob)" -eq 0
check "keep = false: every message that was there is stored once" same_as_snapshot bob nokeep
check "keep = false: DELE only after the messages were stored (RETR before DELE)" \
	before '^C: RETR ' '^C: DELE '
check "keep = false: as each DELE left, at least that many messages were stored" \
	awk '/^dele / { seen = 1; if ($4 < $2) bad = 1 } END { exit !(seen && !bad) }' "$PX_LOG"
check "keep = false: the index agrees" index_agrees nokeep

# delete_after_days = 7: nothing is old yet; then two messages are made
# first-seen eight days ago.
it_fetch old
check "delete_after_days: the first fetch deletes nothing" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(dc_count carol) -eq 5 ] && ! grep -q '^C: DELE ' '$IT_ERR'"
old=$(( $(date +%s) - 8 * 86400 ))
sql "UPDATE messages SET arrival = $old WHERE account = 'old' AND id IN
	(SELECT id FROM messages WHERE account = 'old' ORDER BY id LIMIT 2);"
sql "SELECT subdir, base, flags FROM messages WHERE account = 'old' AND arrival = $old;" |
	while IFS='|' read -r subdir base flags; do
		p="$IT_STORE/old/$subdir/$base"
		[ "$subdir" = cur ] && p="$p:2,$flags"
		sha256sum <"$p" | cut -d' ' -f1
	done | sort >"$IT_TMP/old.sha"
it_fetch old
hashes "$(dc_maildir carol)" >"$IT_TMP/carol-now.sha"
check "delete_after_days: the two old messages are deleted on the server" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(dc_count carol) -eq 3 ] &&
		[ \$(sort '$IT_TMP/old.sha' '$IT_TMP/carol-now.sha' | uniq -d | wc -l) -eq 0 ]"
check "delete_after_days: they stay in the store" test "$(store_count old)" -eq 5
tap_end
