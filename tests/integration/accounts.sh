#!/bin/sh
# Several accounts in one run: all of them, only the named ones, and one
# failing without stopping the others.
. "$(dirname "$0")/lib.sh"
dc_require 15
it_require_fetch 15

dc_start alice bob
dc_seed alice 6
dc_seed bob 4 0 101
it_config "$(dc_account work alice implicit)" "$(dc_account home bob starttls)"

it_fetch
check "two accounts: exit 0" rc_is 0
check "two accounts: quiet on success (no error lines)" err_lacks_re '^surat: '
check "work: every message" same_content "$(dc_maildir alice)" -- "$IT_STORE/work"
check "home: every message" same_content "$(dc_maildir bob)" -- "$IT_STORE/home"
both_indexed() { index_agrees work && index_agrees home; }
check "both in the index" both_indexed
check "both accounts logged in to the server" \
	sh -c "[ $(grep -c 'Login: user=<alice>' "$DC_DIR/dovecot.log") -ge 1 ] &&
		[ $(grep -c 'Login: user=<bob>' "$DC_DIR/dovecot.log") -ge 1 ]"

dc_seed alice 2 0 50
dc_seed bob 2 0 150
it_fetch home
check "fetch home: exit 0" rc_is 0
check "fetch home: home got its two new messages" \
	same_content "$(dc_maildir bob)" -- "$IT_STORE/home"
check "fetch home: work was left alone" test "$(store_count work)" -eq 6

# Without -v and without a terminal: not a word on success.
dc_seed alice 1 0 60
timeout 120 "$SURAT" -c "$IT_CFG" fetch >"$IT_OUT" 2>"$IT_ERR" </dev/null
IT_RC=$?
check "without -v, not on a terminal: exit 0 and silent" \
	sh -c "[ $IT_RC -eq 0 ] && [ ! -s '$IT_OUT' ] && [ ! -s '$IT_ERR' ] && [ $(store_count work) -eq 9 ]"

it_config "$(dc_account work alice implicit)" "$(dc_account home bob starttls)" \
	"$(dc_account broken alice implicit 'password = "wrong";')"
it_fetch
check "one account failing: exit 1" rc_is 1
check "one account failing: exactly one error line, naming it" \
	sh -c "[ $(grep -c '^surat: ' "$IT_ERR") -eq 1 ] && grep -q '^surat: broken: ' '$IT_ERR'"
check "one account failing: the others still fetched everything" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/work"

it_fetch nosuch
check "an unknown account name: exit 2" rc_is 2
check "an unknown account name: the error names it" grep -q 'nosuch' "$IT_ERR"
tap_end
