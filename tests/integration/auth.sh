#!/bin/sh
# surat fetch with each authentication mechanism Dovecot offers (USER, PLAIN,
# LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, APOP, XOAUTH2 and OAUTHBEARER
# with tokens Dovecot checks locally, and auto); a wrong password or an
# expired token fails naming the account.
. "$(dirname "$0")/lib.sh"
dc_require 30
it_require_fetch 30

dc_start alice
dc_seed alice 3
printf '%s\n' "$(dc_token alice)" >"$IT_TMP/token"
printf '%s\n' "$(dc_token alice)" >"$IT_TMP/token2"
accounts=
for mech in user plain login cram-md5 scram-sha-1 scram-sha-256 apop; do
	accounts="$accounts|$(dc_account "m-$mech" alice implicit "auth = \"$mech\";")"
done
# The XOAUTH2 token comes from a command, the OAUTHBEARER one from the file.
accounts="$accounts|$(dc_account m-xoauth2 alice implicit \
	"auth = \"xoauth2\"; password_command = \"cat $IT_TMP/token\";")"
accounts="$accounts|$(dc_account m-oauthbearer alice implicit \
	"auth = \"oauthbearer\"; password = \"$(cat "$IT_TMP/token2")\";")"
accounts="$accounts|$(dc_account m-auto alice implicit 'auth = "auto";')"
accounts="$accounts|$(dc_account wrongpw alice implicit 'password = "not-the-password";')"
accounts="$accounts|$(dc_account expired alice implicit \
	"auth = \"xoauth2\"; password = \"$(dc_token alice -60)\";")"
IFS='|'
# shellcheck disable=SC2086
set -- ${accounts#|}
unset IFS
it_config "$@"

# stored_clean MECH: the account's store matches the server, and neither the
# password nor a token shows in the dialogue.
stored_clean() {
	same_content "$(dc_maildir alice)" -- "$IT_STORE/m-$1" && transcript_lacks_secret &&
		! grep -qF "$(cat "$IT_TMP/token")" "$IT_ERR" &&
		! grep -qF "$(cut -d. -f3 "$IT_TMP/token2")" "$IT_ERR"
}

for mech in user plain login cram-md5 scram-sha-1 scram-sha-256 apop xoauth2 oauthbearer auto; do
	case $mech in
	user) method=PLAIN ;; # Dovecot logs USER/PASS as PLAIN
	auto) method=SCRAM-SHA-256 ;; # the strongest on offer
	*) method=$(echo "$mech" | tr 'a-z' 'A-Z') ;;
	esac
	n=$(logins "$method")
	it_fetch "m-$mech"
	check "$mech: fetch succeeds" rc_is 0
	check "$mech: Dovecot logged a $method login" test "$(logins "$method")" -eq $((n + 1))
	check "$mech: every message stored, no secret in the -v dialogue" stored_clean "$mech"
done

it_fetch wrongpw
check "a wrong password: exit 1" rc_is 1
check "the error names the account" grep -q '^surat: wrongpw: ' "$IT_ERR"
check "the error does not show the password" sh -c "! grep -q 'not-the-password' '$IT_ERR'"
it_fetch expired
check "an expired token: exit 1, the account named" \
	sh -c "[ $IT_RC -eq 1 ] && grep -q '^surat: expired: ' '$IT_ERR'"
tap_end
