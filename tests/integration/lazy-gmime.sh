#!/bin/sh
# GMime is loaded when a message is first read (mime-lib.c), not at every
# start.  A broken copy found first (LD_LIBRARY_PATH) stands for a missing
# or damaged install: what reads no message (--version, a fetch with
# nothing new, the reader's first screen) never notices; what would read
# one says which library and package, and loses nothing.
. "$(dirname "$0")/lib.sh"
dc_require 15
it_require_fetch 15

it_ui lazygmime

soname=$(strings "$SURAT" | grep -m1 '^libgmime-3\.0\.so\.[0-9]*$')
broken="$IT_TMP/brokenlib"
mkdir -p "$broken"
: >"$broken/${soname:-libgmime-3.0.so.0}"
reason="messages cannot be read: $soname cannot be loaded; reinstall the libgmime-3.0-0 package ("

dc_start alice bob
dc_seed alice 3
dc_seed bob 2
it_config "$(dc_account keep alice implicit 'poll_interval = 600;')" \
	"$(dc_account nokeep bob implicit 'keep = false;')"
it_fetch keep
check "the first fetch, GMime loadable, stores three" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(store_count keep) -eq 3 ]"

LD_LIBRARY_PATH=$broken
export LD_LIBRARY_PATH
check "the binary names GMime's run-time name" test -n "$soname"
check "surat --version runs without GMime" sh -c '"$SURAT" --version >/dev/null 2>&1'
it_fetch keep
check "a fetch with nothing new runs without GMime" rc_is 0
check "and says nothing about it" err_lacks_re "$soname"
dc_seed alice 2 0 9
it_fetch keep
check "new mail without GMime: the fetch fails" rc_is 1
check "naming the library and the package to reinstall" err_has "keep: $reason"
check "nothing was retrieved" err_lacks_re '^C: (RETR|TOP) '
check "nothing stored" test "$(store_count keep)" -eq 3
it_fetch nokeep
check "keep = false without GMime: nothing deleted on the server" \
	sh -c "[ $IT_RC -eq 1 ] && [ $(dc_count bob) -eq 2 ] && ! grep -q '^C: DELE ' '$IT_ERR'"
"$SURAT" -c "$IT_CFG" show "$(find "$IT_STORE/keep/new" -type f | head -1)" \
	>"$IT_OUT" 2>"$IT_ERR"
IT_RC=$?
check "surat show without GMime: exit 1 with the reason" \
	sh -c "[ $IT_RC -eq 1 ] && grep -qF -- 'surat: $reason' '$IT_ERR' && [ ! -s '$IT_OUT' ]"

# The reader: its first screen comes from the index alone; opening a
# message says why it cannot be shown.
ui_session 1 "env -i PATH=\"$PATH\" HOME=\"$IT_TMP\" TERM=screen-256color LC_ALL=C.UTF-8 \
	TZ=UTC LD_LIBRARY_PATH=\"$broken\" ASAN_OPTIONS=\"${ASAN_OPTIONS:-}\" \
	\"$SURAT\" -c \"$IT_CFG\" 2>\"$IT_TMP/ui.err\"; echo EXIT=\$?; sleep 600"
check "the reader's first screen without GMime" wait_until 15 screen_has "-- 1/3 --"
ui_tmux send-keys -t 0 Enter
check "opening a message says GMime cannot be loaded" wait_until 10 screen_has "reinstall the libgmime-3.0-0 package"
ui_tmux send-keys -t 0 q q
check "and the reader still quits cleanly" wait_until 10 screen_has "EXIT=0"

unset LD_LIBRARY_PATH
it_fetch keep
check "GMime back: the two new messages are fetched, once" \
	sh -c "[ $IT_RC -eq 0 ] && [ $(store_count keep) -eq 5 ]"
tap_end
