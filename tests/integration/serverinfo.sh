#!/bin/sh
# surat serverinfo ACCOUNT: capabilities, mechanisms, TLS protocol and
# cipher, the certificate's subject, issuer, validity and SHA-256
# fingerprint (the same as openssl's), without fetching any mail.
. "$(dirname "$0")/lib.sh"
dc_require 13

# serverinfo_built: `surat serverinfo` exists in this build.
serverinfo_built() {
	out=$("$SURAT" serverinfo --help 2>&1) || return 1
	! printf '%s' "$out" | grep -qi "not built"
}
if ! serverinfo_built; then
	i=0
	while [ "$i" -lt 13 ]; do skip "serverinfo not built"; i=$((i + 1)); done
	tap_end
	exit 0
fi

dc_start alice
dc_seed alice 3
it_config "$(dc_account s alice implicit)" "$(dc_account t alice starttls)" \
	"$(dc_account wrongca alice implicit "ca_file = \"$DC_DIR/tls/self.pem\";")"
want=$(cert_fingerprint "$DC_DIR/tls/server.pem")
openssl_fp=$(openssl x509 -in "$DC_DIR/tls/server.pem" -noout -fingerprint -sha256 |
	sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')

timeout 60 "$SURAT" -c "$IT_CFG" serverinfo s >"$IT_OUT" 2>"$IT_ERR"
IT_RC=$?
check "serverinfo: exit 0" rc_is 0
for cap in PIPELINING UIDL TOP RESP-CODES; do
	check "serverinfo shows the capability $cap" grep -q "$cap" "$IT_OUT"
done
check "serverinfo lists the mechanisms (SCRAM-SHA-256, XOAUTH2...)" \
	sh -c "grep -q SCRAM-SHA-256 '$IT_OUT' && grep -q XOAUTH2 '$IT_OUT'"
check "serverinfo shows the TLS protocol" grep -qE 'TLSv1\.[23]' "$IT_OUT"
check "serverinfo shows the certificate's subject and issuer" \
	sh -c "grep -q 'localhost' '$IT_OUT' && grep -q 'surat test CA' '$IT_OUT'"
check "serverinfo's fingerprint is openssl's: $want" \
	sh -c "grep -qF '$want' '$IT_OUT' && [ '$want' = 'SHA256:$openssl_fp' ]"
check "serverinfo fetched no mail" test "$(store_count s)" -eq 0

timeout 60 "$SURAT" -c "$IT_CFG" serverinfo t >"$IT_OUT" 2>"$IT_ERR"
IT_RC=$?
check "serverinfo over STLS: the same fingerprint, and STLS listed" \
	sh -c "[ $IT_RC -eq 0 ] && grep -qF '$want' '$IT_OUT' && grep -q STLS '$IT_OUT'"
logins_before=$(grep -c 'Login:\|auth failed' "$DC_DIR/dovecot.log")
timeout 60 "$SURAT" -c "$IT_CFG" serverinfo wrongca >"$IT_OUT" 2>"$IT_ERR"
IT_RC=$?
# Showing the fingerprint of an untrusted certificate (so that it can be
# pinned) and refusing it are both fair; sending the password is not.
check "serverinfo with an untrusted certificate: its fingerprint, or an error naming the account" \
	sh -c "{ [ $IT_RC -eq 0 ] && grep -qF '$want' '$IT_OUT'; } ||
		{ [ $IT_RC -eq 1 ] && grep -q '^surat: wrongca: ' '$IT_ERR'; }"
check "serverinfo with an untrusted certificate: no login attempted" \
	test "$(grep -c 'Login:\|auth failed' "$DC_DIR/dovecot.log")" -eq "$logins_before"
tap_end
