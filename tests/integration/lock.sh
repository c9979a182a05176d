#!/bin/sh
# The per-account lock (flock on <store>/<account>/.lock): a fetch waits for
# it up to the account's timeout, then fails with a clear error; another
# account is not held up; once free, the fetch goes ahead.
. "$(dirname "$0")/lib.sh"
dc_require 8
it_require_fetch 8

dc_start alice bob
dc_seed alice 3
dc_seed bob 2 0 20
it_config "$(dc_account a alice implicit 'timeout = 2;')" "$(dc_account b bob implicit 'timeout = 2;')"
mkdir -p "$IT_STORE/a"
lock="$IT_STORE/a/.lock"

# flock -o: the lock is held by flock itself, not by the sleep it runs, so
# killing flock frees it.
flock -o "$lock" sleep 60 &
holder=$!
wait_until 10 sh -c "! flock -n '$lock' true"
start=$(date +%s)
it_fetch a
took=$(( $(date +%s) - start ))
check "a held lock: exit 1" rc_is 1
check "a held lock: 'another fetch is running' and the lock file named" \
	grep -qF "surat: a: another fetch is running (lock $lock)" "$IT_ERR"
check "a held lock: gave up after about the timeout (2 s), took ${took} s" \
	sh -c "[ $took -ge 1 ] && [ $took -le 10 ]"
check "a held lock: nothing fetched" test "$(store_count a)" -eq 0
it_fetch b
check "another account is not held up" sh -c "[ $IT_RC -eq 0 ] && [ $(store_count b) -eq 2 ]"
sleeper=$(ps -o pid= --ppid "$holder")
kill "$holder" $sleeper 2>/dev/null
wait "$holder" 2>/dev/null

# Held for about a second, less than the timeout: the fetch waits, then runs.
it_config "$(dc_account a alice implicit 'timeout = 10;')"
flock -o "$lock" sleep 1 &
holder=$!
wait_until 10 sh -c "! flock -n '$lock' true"
it_fetch a
wait "$holder" 2>/dev/null
check "a lock released within the timeout: the fetch waits and succeeds" rc_is 0
check "and gets every message" same_content "$(dc_maildir alice)" -- "$IT_STORE/a"
check "the lock is free afterwards" flock -n "$lock" true
tap_end
