#!/bin/sh
# max_size: larger messages are stored headers only (index partial = 1), and
# `surat fetch --rest` then gets the whole of them, in place of the partial
# copy.  With keep = false, a message stored headers-only is never deleted on
# the server (surat.conf(5)): only once it is stored whole.
. "$(dirname "$0")/lib.sh"
dc_require 19
it_require_fetch 19

dc_start alice bob
dc_seed alice 3 4000
dc_seed alice 1 300000 4
dc_seed bob 3 4000
dc_seed bob 1 300000 4
snapshot_server bob
it_config "$(dc_account big alice implicit 'max_size = 100000;')" \
	"$(dc_account bigdel bob implicit 'max_size = 100000; keep = false;')"
big=$(ls "$(dc_maildir alice)"/cur/*Q4.*)
bobbig=$(ls "$(dc_maildir bob)"/cur/*Q4.*)

it_fetch big
check "fetch succeeds" rc_is 0
check "four messages stored" test "$(store_count big)" -eq 4
check "the index marks exactly one partial" \
	test "$(sql "SELECT count(*) FROM messages WHERE account = 'big' AND partial = 1;")" -eq 1
# The partial copy: the header block and the empty line after it, as TOP n 0 sends.
python3 - "$big" "$IT_TMP/big-head" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(data.split(b"\n\n", 1)[0] + b"\n\n")
PY
partial=$(sql "SELECT subdir || '/' || base || CASE subdir WHEN 'cur' THEN ':2,' || flags ELSE '' END
	FROM messages WHERE account = 'big' AND partial = 1;")
check "the partial copy is the large message's headers, byte for byte" \
	cmp -s "$IT_TMP/big-head" "$IT_STORE/big/$partial"
check "the small ones are whole" has_messages "$IT_STORE/big" "$(dc_maildir alice)"/cur/*Q[123].*
it_fetch big
check "a plain rerun fetches nothing, not even the large one" \
	sh -c "[ $IT_RC -eq 0 ] && ! grep -qE '^C: (RETR|TOP) ' '$IT_ERR'"

it_fetch --rest big
check "fetch --rest succeeds" rc_is 0
check "fetch --rest retrieves only the large message" \
	test "$(count_re '^C: RETR ' "$IT_ERR")" -eq 1
check "the store now matches the server byte for byte, each message once" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/big"
check "no message is partial any more" \
	test "$(sql "SELECT count(*) FROM messages WHERE account = 'big' AND partial <> 0;")" -eq 0
check "the index agrees" index_agrees big

# keep = false: the small ones are deleted, the headers-only one stays.
it_fetch bigdel
check "keep = false: fetch succeeds, one message headers-only" sh -c "[ $IT_RC -eq 0 ] &&
	[ \$(sqlite3 '$IT_STORE/index.db' \"SELECT count(*) FROM messages
		WHERE account = 'bigdel' AND partial = 1;\") -eq 1 ]"
check "keep = false: the server keeps exactly the large message, untouched" \
	sh -c "[ $(dc_count bob) -eq 1 ] && [ -f '$bobbig' ]"
check "keep = false: no DELE for the message stored headers-only" \
	err_lacks_re "^C: DELE $(sed -n 's/^C: TOP \([0-9]*\) 0$/\1/p' "$IT_ERR" | head -1)\$"
it_fetch bigdel
check "keep = false: a rerun neither fetches nor deletes it" \
	sh -c "[ $IT_RC -eq 0 ] && ! grep -qE '^C: (RETR|TOP|DELE) ' '$IT_ERR' && [ $(dc_count bob) -eq 1 ]"
it_fetch --rest bigdel
check "keep = false: fetch --rest gets it whole" \
	sh -c "[ $IT_RC -eq 0 ] && [ \$(sqlite3 '$IT_STORE/index.db' \"SELECT count(*) FROM messages
		WHERE account = 'bigdel' AND partial <> 0;\") -eq 0 ]"
it_fetch bigdel
check "keep = false: once whole, the next fetch deletes it" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(dc_count bob) -eq 0 ]"
check "keep = false: every message is stored once, whole" same_as_snapshot bob bigdel
check "keep = false: the index agrees" index_agrees bigdel
tap_end
