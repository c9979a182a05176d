#!/bin/sh
# surat fetch against the private Dovecot in each TLS mode (implicit,
# starttls, none); a wrong CA, a certificate for another name (by IP address
# and by host name) and an expired one fail before any password is sent.
. "$(dirname "$0")/lib.sh"
dc_require 30
it_require_fetch 30

dc_start alice
dc_seed alice 6
it_certs "$IT_TMP/otherca"
it_config "$(dc_account implicit alice implicit)" "$(dc_account starttls alice starttls)" \
	"$(dc_account none alice none)" \
	"$(dc_account wrongca alice implicit "ca_file = \"$IT_TMP/otherca/ca.pem\";")" \
	"$(dc_account wrongca-stls alice starttls "ca_file = \"$IT_TMP/otherca/ca.pem\";")"

for mode in implicit starttls none; do
	it_fetch "$mode"
	check "$mode: fetch succeeds" rc_is 0
	check "$mode: every message stored byte for byte" \
		same_content "$(dc_maildir alice)" -- "$IT_STORE/$mode"
	check "$mode: the index agrees with the Maildir" index_agrees "$mode"
	check "$mode: no password in the -v dialogue" transcript_lacks_secret
	case $mode in
	starttls) check "starttls: STLS comes before any credentials" \
		before '^C: STLS' '^C: (USER|PASS|AUTH|APOP)' ;;
	*) check "$mode: no STLS" err_lacks_re '^C: STLS' ;;
	esac
done

logins_before=$(grep -c 'Login:\|auth failed' "$DC_DIR/dovecot.log")
it_fetch wrongca
check "a certificate from an unknown CA: exit 1, the account named" \
	sh -c "[ $IT_RC -eq 1 ] && grep -q '^surat: wrongca: ' '$IT_ERR'"
check "unknown CA: no credentials sent" err_lacks_re '^C: (USER|PASS|AUTH|APOP)'
it_fetch wrongca-stls
check "STLS to a certificate from an unknown CA: exit 1, no credentials sent" \
	sh -c "[ $IT_RC -eq 1 ] && ! grep -qE '^C: (USER|PASS|AUTH|APOP)' '$IT_ERR'"
check "the server saw no login attempt from either" \
	test "$(grep -c 'Login:\|auth failed' "$DC_DIR/dovecot.log")" -eq "$logins_before"

# The same server with a certificate for another name (valid, from the
# trusted CA, but for other.example), by IP address and by host name, then
# an expired one.
DC_CERT=other dc_start alice
it_config "$(dc_account mismatch alice implicit)" "$(dc_account mismatch-stls alice starttls)" \
	"$(dc_account wronghost alice implicit 'host = "localhost";')" \
	"$(dc_account wronghost-stls alice starttls 'host = "localhost";')"
logins_before=$(grep -c 'Login:\|auth failed' "$DC_DIR/dovecot.log")
it_fetch mismatch
check "a certificate for another name: exit 1, the error says so" \
	sh -c "[ $IT_RC -eq 1 ] && grep -iE '^surat: mismatch: .*(host|name|match|not for)' '$IT_ERR' >/dev/null"
check "name mismatch: no credentials sent" err_lacks_re '^C: (USER|PASS|AUTH|APOP)'
it_fetch mismatch-stls
check "STLS with a certificate for another name: exit 1, no credentials sent" \
	sh -c "[ $IT_RC -eq 1 ] && ! grep -qE '^C: (USER|PASS|AUTH|APOP)' '$IT_ERR'"
it_fetch wronghost
check "wrong host: a valid certificate for other.example at host localhost: exit 1" rc_is 1
check "wrong host: the error names the host and the certificate's name" \
	sh -c "grep -E '^surat: wronghost: .*localhost.*other\\.example' '$IT_ERR' >/dev/null"
check "wrong host: no credentials sent, no password in the output" \
	sh -c "! grep -qE '^C: (USER|PASS|AUTH|APOP)' '$IT_ERR' &&
		! grep -qF '$(dc_password alice)' '$IT_ERR'"
it_fetch wronghost-stls
check "wrong host after STLS: exit 1, the error names both names, no credentials sent" \
	sh -c "[ $IT_RC -eq 1 ] && grep -qE '^surat: wronghost-stls: .*localhost.*other\\.example' '$IT_ERR' &&
		! grep -qE '^C: (USER|PASS|AUTH|APOP)' '$IT_ERR'"
check "the server saw no login attempt for any certificate of another name" \
	test "$(grep -c 'Login:\|auth failed' "$DC_DIR/dovecot.log")" -eq "$logins_before"

DC_CERT=expired dc_start alice
it_config "$(dc_account expired alice implicit)"
it_fetch expired
check "an expired certificate: exit 1, the error says so" \
	sh -c "[ $IT_RC -eq 1 ] && grep -iE '^surat: expired: .*expire' '$IT_ERR' >/dev/null"
check "expired: no credentials sent" err_lacks_re '^C: (USER|PASS|AUTH|APOP)'
check "nothing was stored for the refused servers" \
	test "$(store_count wrongca)$(store_count mismatch)$(store_count wronghost)$(store_count expired)" = 0000
tap_end
