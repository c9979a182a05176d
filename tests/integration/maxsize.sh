#!/bin/sh
# max_size: larger messages are stored headers only (index partial = 1), and
# `surat fetch --rest` then gets the whole of them, in place of the partial
# copy.
. "$(dirname "$0")/lib.sh"
dc_require 11
it_require_fetch 11

dc_start alice
dc_seed alice 3 4000
dc_seed alice 1 300000 4
it_config "$(dc_account big alice implicit 'max_size = 100000;')"
big=$(ls "$(dc_maildir alice)"/cur/*Q4.*)

it_fetch
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
it_fetch
check "a plain rerun fetches nothing, not even the large one" \
	sh -c "[ $IT_RC -eq 0 ] && ! grep -qE '^C: (RETR|TOP) ' '$IT_ERR'"

it_fetch --rest
check "fetch --rest succeeds" rc_is 0
check "fetch --rest retrieves only the large message" \
	test "$(count_re '^C: RETR ' "$IT_ERR")" -eq 1
check "the store now matches the server byte for byte, each message once" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/big"
check "no message is partial any more" \
	test "$(sql "SELECT count(*) FROM messages WHERE account = 'big' AND partial <> 0;")" -eq 0
check "the index agrees" index_agrees big
tap_end
