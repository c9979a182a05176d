#!/bin/sh
# Pipelining on and off.  A proxy (fakepop3.py proxy) sits between surat and
# the Dovecot's plain port and logs the commands of each chunk surat sends;
# for "off" it also leaves PIPELINING out of CAPA.  The -v dialogue must
# agree: several RETRs in flight, or one at a time.
. "$(dirname "$0")/lib.sh"
dc_require 10
it_require_fetch 10

dc_start alice
dc_seed alice 20 3000

px_start
it_config "$(dc_account on alice none "port = $PX_PORT;")"
it_fetch
px_stop
check "PIPELINING offered: fetch succeeds" rc_is 0
check "PIPELINING offered: several commands in one write (proxy log)" \
	test "$(px_max_chunk)" -gt 1
check "PIPELINING offered: several RETRs in flight (-v dialogue)" \
	test "$(retr_in_flight)" -gt 1
check "PIPELINING offered: every message byte for byte" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/on"
cp "$PX_LOG" "$IT_TMP/proxy-on.log"

px_start --drop-capa PIPELINING
it_config "$(dc_account off alice none "port = $PX_PORT;")"
it_fetch
px_stop
check "no PIPELINING: fetch succeeds" rc_is 0
check "no PIPELINING: the proxy did hide it" err_lacks_re '^S: PIPELINING'
check "no PIPELINING: one command per write (proxy log)" test "$(px_max_chunk)" -eq 1
check "no PIPELINING: one RETR at a time (-v dialogue)" test "$(retr_in_flight)" -eq 1
check "no PIPELINING: every message byte for byte" \
	same_content "$(dc_maildir alice)" -- "$IT_STORE/off"
check "no PIPELINING: the index agrees" index_agrees off
tap_end
