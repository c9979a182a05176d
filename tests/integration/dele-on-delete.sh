#!/bin/sh
# delete_on_server_when_deleted: a message expunged here (change.c, no trash)
# has its DELE queued by UIDL; the next `surat fetch` carries it out and then
# forgets the UIDL.  Without the option the message stays on the server and
# is still never fetched again.
. "$(dirname "$0")/lib.sh"
dc_require 14
it_require_fetch 14
helper="${SURAT_BUILDDIR:?}/tests/integration/expunge-helper"

dc_start alice bob
dc_seed alice 4
dc_seed bob 4
it_config "$(dc_account until alice implicit 'delete_on_server_when_deleted = true;')" \
	"$(dc_account stay bob implicit)"

it_fetch
check "the first fetch stores both accounts" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(store_count until) -eq 4 ] && [ $(store_count stay) -eq 4 ]"

# Expunge messages 1 and 2 of each account here.
"$helper" "$IT_CFG" 'account:until (subject:"Seeded message 1" OR subject:"Seeded message 2")' \
	>"$IT_TMP/h1" 2>&1
check "expunging two messages of the account with the option" grep -qx 'expunged 2' "$IT_TMP/h1"
"$helper" "$IT_CFG" 'account:stay (subject:"Seeded message 1" OR subject:"Seeded message 2")' \
	>"$IT_TMP/h2" 2>&1
check "expunging two messages of the account without it" grep -qx 'expunged 2' "$IT_TMP/h2"
check "expunging alone touches no server" \
	sh -c "[ $(dc_count alice) -eq 4 ] && [ $(dc_count bob) -eq 4 ]"
check "a DELE is queued for the two with the option, none for the others" \
	sh -c "[ \"\$(sqlite3 '$IT_STORE/index.db' \"SELECT account, count(*), sum(dele)
		FROM gone GROUP BY account ORDER BY account\")\" = 'stay|2|0
until|2|2' ]"

it_fetch
check "the next fetch succeeds" rc_is 0
check "it sent two DELEs for the account with the option" \
	sh -c "[ $(count_re '^until: C: DELE ' "$IT_ERR") -eq 2 ] &&
		[ $(count_re '^stay: C: DELE ' "$IT_ERR") -eq 0 ]"
check "the two expunged messages are gone from that server" test "$(dc_count alice)" -eq 2
check "without the option the server keeps all four" test "$(dc_count bob)" -eq 4
check "nothing expunged was fetched again" \
	sh -c "[ $(store_count until) -eq 2 ] && [ $(store_count stay) -eq 2 ] &&
		! grep -q ': C: RETR ' '$IT_ERR'"
check "the done DELEs are forgotten; the others are still remembered" \
	sh -c "[ \"\$(sqlite3 '$IT_STORE/index.db' \"SELECT account, count(*)
		FROM gone GROUP BY account ORDER BY account\")\" = 'stay|2' ]"

it_fetch
check "a third fetch deletes and retrieves nothing" \
	sh -c "[ $IT_RC -eq 0 ] && ! grep -qE ': C: (DELE|RETR) ' '$IT_ERR' &&
		[ $(dc_count alice) -eq 2 ] && [ $(dc_count bob) -eq 4 ]"
check "the index agrees with the store (with the option)" index_agrees until
check "the index agrees with the store (without it)" index_agrees stay
tap_end
