#!/bin/sh
# new_mail_command: when a background fetch of the mail reader brings new
# mail from the test Dovecot, the command runs (argv, no shell) with %n, %u
# and %a expanded, stdin on /dev/null, while the interface keeps answering
# keys; it does not run when a fetch brings nothing.
. "$(dirname "$0")/lib.sh"
dc_require 9
it_require_fetch 9

it_ui uinewmail

# The command: records its arguments and what its stdin was, one line per run.
hook="$IT_TMP/hook.sh"
record="$IT_TMP/hook.out"
cat >"$hook" <<HOOK
#!/bin/sh
stdin=\$(readlink /proc/self/fd/0)
printf 'n=%s u=%s a=%s args=%s stdin=%s\n' "\$1" "\$2" "\$3" "\$#" "\$stdin" >>"$record"
sleep 5
HOOK
chmod +x "$hook"

dc_start alice
dc_seed alice 4 0 101
it_config "$(dc_account work alice implicit 'poll_interval = 600;')"
printf 'new_mail_command = "%s %%n %%u %%a";\n' "$hook" >>"$IT_CFG"
# The sidebar shows, so its counts can be watched following the fetches.
printf 'sidebar = true;\n' >>"$IT_CFG"
ui_start 1
check "the fetch at start brings 4 messages" wait_until 30 screen_has "/4 -- 4 new"
check "the sidebar counts them: work 4/4" wait_until 10 sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -qE '^>work +4/4'"
check "new_mail_command ran once with 4 new, 4 unread, account work" \
	wait_until 10 grep -qx 'n=4 u=4 a=work args=3 stdin=/dev/null' "$record"
# The command sleeps 5 s: the interface must not wait for it.
ui_tmux send-keys -t 0 j
check "the interface answers keys while the command runs" wait_until 3 screen_has "-- 2/4 --"

dc_seed alice 2 0 201
ui_tmux send-keys -t 0 G
check "G fetches 2 more" wait_until 30 screen_has "/6 -- "
check "the sidebar's count follows the background fetch: work 6/6" wait_until 10 sh -c "tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -qE '^>work +6/6'"
check "the command ran again with 2 new and 6 unread" \
	wait_until 10 grep -qx 'n=2 u=6 a=work args=3 stdin=/dev/null' "$record"
ui_tmux send-keys -t 0 G
sleep 3
check "a fetch that brings nothing runs nothing" test "$(wc -l <"$record")" -eq 2
# Both commands have ended by now (each sleeps 5 s): none is left unreaped.
sleep 3
pane=$(ui_tmux display-message -p -t 0 '#{pane_pid}')
surat_pid=$(ps -o pid= --ppid "$pane" | head -1 | tr -d ' ')
check "no zombie child is left behind (surat is $surat_pid)" \
	sh -c "[ -n '$surat_pid' ] && ! ps -o stat= --ppid '$surat_pid' | grep -q Z"
ui_tmux send-keys -t 0 q
check "q quits" wait_until 10 screen_has "EXIT=0"
check "nothing on stderr" test ! -s "$IT_TMP/ui.err"
tap_end
