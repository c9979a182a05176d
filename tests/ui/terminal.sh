#!/bin/sh
# The terminal is restored on every way out.
. "$(dirname "$0")/lib.sh"
ui_setup

# surat_pid: the surat process in the pane.
surat_pid() {
	pane=$(ui_tmux list-panes -t 0 -F '#{pane_pid}')
	pgrep -P "$pane" -f "$SURAT"
}

for sig in TERM INT HUP; do
	ui_start
	wait_for "Welcome to the infrastructure team" || true
	kill -"$sig" "$(surat_pid)"
	check "SIG$sig: surat exits cleanly" wait_for "EXIT=0"
	check "SIG$sig: the normal screen is back" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'Welcome to the infrastructure'"
done

UI_ENV="ASAN_OPTIONS=handle_segv=0:handle_abort=0"
ui_start
wait_for "Welcome to the infrastructure team" || true
kill -SEGV "$(surat_pid)"
check "SIGSEGV: surat dies of the signal" wait_for "EXIT=139"
check "SIGSEGV: the normal screen is back" sh -c "! tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q 'Welcome to the infrastructure'"
UI_ENV=

# Run with no locale at all (env -i, a bare ssh or cron): the terminal is
# UTF-8 and names come out whole, not as escapes.
ui_tmux kill-server 2>/dev/null || true
UI_STARTS=$((UI_STARTS + 1))
UI_SOCKET="$UI_SOCKET_BASE-$UI_STARTS"
ui_pane "$UI_WIDTH" "$UI_HEIGHT" \
	"env -i PATH=\"$PATH\" HOME=\"$UI_TMP/home\" TERM=screen-256color TZ=UTC \
	\"$SURAT\" -c \"$UI_CONFIG\" 2>\"$UI_TMP/stderr\"; echo EXIT=\$?; sleep 600"
check "no locale set: non-ASCII names are drawn whole (Tomás García)" wait_for "Tomás García"
ui_keys q
check "and it quits cleanly" wait_for "EXIT=0"

# Suspend and resume with ^Z, then fg.
ui_tmux kill-server 2>/dev/null || true
UI_STARTS=$((UI_STARTS + 1))
UI_SOCKET="$UI_SOCKET_BASE-$UI_STARTS"
ui_tmux new-session -d -x "$UI_WIDTH" -y "$UI_HEIGHT" "env -i PATH=\"$PATH\" HOME=\"$UI_TMP/home\" TERM=screen-256color LC_ALL=C.UTF-8 TZ=UTC PS1='$ ' sh -i"
sleep 0.2
ui_keys "\"$SURAT\" -c \"$UI_CONFIG\"" Enter
check "surat starts from a shell" wait_for "Welcome to the infrastructure team"
ui_keys C-z
check "^Z suspends surat and shows the shell" wait_for "Stopped"
ui_keys "fg" Enter
check "fg brings the index back" wait_for "surat: demo --"
ui_keys q
check "q quits back to the shell" wait_gone "surat: demo --"

# Without a terminal, a clear error rather than a garbled screen.
out=$("$SURAT" -c "$UI_CONFIG" </dev/null 2>&1 >/dev/null)
status=$?
check "without a terminal: exit 1" test "$status" -eq 1
check "without a terminal: a one-line error" sh -c "echo '$out' | grep -q 'needs a terminal'"
tap_end
