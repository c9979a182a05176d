#!/bin/sh
# Large messages are streamed to their tmp file as they arrive, never held
# whole: byte-exact in the store, indexed from the file (subject, sender),
# and the peak memory of a fetch does not grow with the largest message
# (a 100 MB message against three of 400 KB).  --rest streams the rest of a
# headers-only message in place of its partial copy.
. "$(dirname "$0")/lib.sh"
dc_require 11
it_require_fetch 11

dc_start alice bob carol
dc_seed alice 3 400000
dc_seed bob 2 20000
dc_seed bob 1 100000000 3
dc_seed carol 1 3000000
it_config "$(dc_account small alice implicit)" "$(dc_account big bob implicit)" \
	"$(dc_account rest carol implicit 'max_size = 1000000;')"

# peak_kb ACCOUNT [ARGS]: surat fetch ACCOUNT, and the peak RSS (KB) of the
# fetch and its children, from getrusage.
peak_kb() {
	python3 - "$SURAT" "$IT_CFG" "$IT_ERR" "$@" <<'PY'
import resource, subprocess, sys
surat, cfg, err = sys.argv[1:4]
with open(err, "wb") as e:
    rc = subprocess.call([surat, "-c", cfg, "fetch"] + sys.argv[4:], stdout=subprocess.DEVNULL,
                         stderr=e, stdin=subprocess.DEVNULL)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

set -- $(peak_kb small)
small_rc=$1 small_kb=$2
set -- $(peak_kb big)
big_rc=$1 big_kb=$2
comment "peak RSS: $small_kb KB for 3 x 400 KB, $big_kb KB with a 100 MB message"
check "the fetches succeed" test "$small_rc$big_rc" = 00
check "the 100 MB message is stored byte for byte, with the small ones" \
	same_content "$(dc_maildir bob)" -- "$IT_STORE/big"
check "the index agrees" index_agrees big
check "its row was parsed from the file: subject, sender and size" \
	test "$(sql "SELECT subject || '|' || from_addr || '|' || (size > 100000000) FROM messages
		WHERE account = 'big' AND size > 1000000;")" = "Seeded message 3|sender3@example.org|1"
check "the peak memory did not grow with the message (less than 40 MB more)" \
	test "$big_kb" -lt $((small_kb + 40000))
check "nothing is left in tmp/" test -z "$(ls "$IT_STORE/big/tmp")"

it_fetch rest
check "max_size: the 3 MB message is stored headers-only" sh -c "[ $IT_RC -eq 0 ] &&
	[ \$(sqlite3 '$IT_STORE/index.db' \"SELECT count(*) FROM messages
		WHERE account = 'rest' AND partial = 1;\") -eq 1 ]"
it_fetch --rest rest
check "fetch --rest streams the rest in place of the headers" rc_is 0
check "the store matches the server byte for byte, once" \
	same_content "$(dc_maildir carol)" -- "$IT_STORE/rest"
check "the row is whole now, with its full size" \
	test "$(sql "SELECT partial || '|' || (size > 3000000) FROM messages WHERE account = 'rest';")" = "0|1"
check "the index agrees after --rest" index_agrees rest
tap_end
