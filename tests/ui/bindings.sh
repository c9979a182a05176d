#!/bin/sh
# Key bindings from the config: a single key, a sequence ("= =") waiting for
# its second key with the keys shown in the status line, a control key, a
# meta key (Escape then the key), unbinding with noop, a rebinding shown in
# the help; a bad bind is a config error naming its line.
. "$(dirname "$0")/lib.sh"
ui_setup
cat >>"$UI_CONFIG" <<'CONF'
bind = (
	{ context = "index"; key = "x"; action = "last-entry"; },
	{ context = "index"; key = "= ="; action = "first-entry"; },
	{ context = "index"; key = "C-x"; action = "next-entry"; },
	{ context = "index"; key = "M-x"; action = "previous-entry"; },
	{ context = "index"; key = "d"; action = "noop"; },
	{ context = "index,pager"; key = "F5"; action = "help"; }
);
CONF
ui_start
wait_for "Your laptop is ready" || true
check "the index starts on the first unread message" wait_for "surat: demo -- 3/12"

ui_keys x
check "a single key bound in the config: x goes to the last message" wait_for "-- 12/12 --"
ui_keys =
check "the first key of a sequence shows in the status line" wait_for "-- keys: = --"
ui_keys =
check "the second key completes = =: the first message" wait_for "-- 1/12 --"
check "the pending keys are gone from the status line" wait_gone "keys: ="
ui_keys x
wait_for "-- 12/12 --" || true
ui_keys =
sleep 1.3
check "= alone still goes to the first message after a pause" screen_has "-- 1/12 --"
ui_keys C-x
check "a control key: C-x moves down" wait_for "-- 2/12 --"
ui_keys C-x C-x
wait_for "-- 4/12 --" || true
ui_keys Escape x
check "a meta key (Escape x): M-x moves up" wait_for "-- 3/12 --"
ui_keys d
sleep 0.3
check "d bound to noop no longer deletes" sh -c "! ls '$UI_STORE/demo/cur/' | grep -q 'Q7.sample:2,.*T'"
check "d bound to noop does not move" screen_has "-- 3/12 --"
check "d bound to noop is unbound: it says so, as mutt does" \
	wait_for "Key is not bound. Press ? for help."
ui_keys j
wait_for "-- 4/12 --" || true
ui_keys k
check "the next key clears the message" wait_gone "Key is not bound."
ui_keys Y
check "Y, bound to nothing, says so in the message line, as mutt does" \
	wait_for "Key is not bound. Press ? for help."
check "and does nothing else" screen_has "-- 3/12 --"
ui_keys j
wait_gone "Key is not bound." || true
ui_keys w
check "w too" wait_for "Key is not bound. Press ? for help."
ui_keys Enter
wait_for "Subject:" || true
ui_keys w
check "in the pager too, naming a key that opens the help there (? or F5)" \
	wait_for_re 'Key is not bound\. Press (\?|F5) for help\.'
ui_keys q
wait_gone "Subject:" || true
ui_keys F5
check "F5 bound to help opens the help" wait_for "Keys in the index:"
check "the help shows the rebinding next to its action" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -Eq '^  \\*, End, x +last-entry'"
check "the help shows the sequence" \
	sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -Eq '= = +first-entry'"
check "the help no longer lists d for delete-message" \
	sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -Eq '^  d +delete-message'"
ui_keys q
wait_gone "Keys in the index:" || true
ui_keys q
check "q quits" wait_for "EXIT=0"
check "nothing on stderr" test ! -s "$UI_TMP/stderr"

# A bad bind is a config error with its line, for check-config and at start.
ui_setup
cat >>"$UI_CONFIG" <<'CONF'
bind = ( { context = "index"; key = "x"; action = "frobnicate"; } );
CONF
out=$(env -i PATH="$PATH" HOME="$UI_TMP/home" "$SURAT" -c "$UI_CONFIG" check-config 2>&1)
check "check-config fails on an unknown action" test $? -ne 0
check "the error names the file, the line and the action ($out)" \
	sh -c "printf '%s' \"\$1\" | grep -q 'config:5: .*unknown action \"frobnicate\"'" sh "$out"
ui_start
check "at start an unknown action stops surat with status 2" wait_for "EXIT=2"
check "and says which line" grep -q 'config:5: .*frobnicate' "$UI_TMP/stderr"

ui_setup
cat >>"$UI_CONFIG" <<'CONF'
bind = ( { context = "index"; key = "C-Nope"; action = "quit"; } );
CONF
out=$(env -i PATH="$PATH" HOME="$UI_TMP/home" "$SURAT" -c "$UI_CONFIG" check-config 2>&1)
check "an unknown key name is a config error naming its line ($out)" \
	sh -c "printf '%s' \"\$1\" | grep -q 'config:5: .*C-Nope'" sh "$out"
tap_end
