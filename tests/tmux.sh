# tests/tmux.sh: the one driver of surat's interface in tmux, sourced by
# tests/ui/lib.sh and tests/integration/lib.sh.  A test types keys and reads
# the screen as a person would; every wait polls the screen (every 50 ms) up
# to a limit in seconds, never sleeps a fixed time.
#
# The caller names the current private server in UI_SOCKET (its sockets
# live in TMUX_TMPDIR, the test's own folder) and starts surat with ui_pane.
# sh has no local variables: every variable here starts with tmux_, so that
# a caller's own (a limit, a counter) survive a call.

ui_tmux() { tmux -L "$UI_SOCKET" -f /dev/null "$@"; }

# ui_pane WIDTH HEIGHT COMMAND: a fresh server's one pane running COMMAND (a
# shell command line), which stays on the screen after COMMAND exits.
ui_pane() {
	ui_tmux new-session -d -x "$1" -y "$2" "$3" &&
		{ ui_tmux set-option -g remain-on-exit on >/dev/null 2>&1 || true; }
}

# ui_screen: what the pane shows now.
ui_screen() { ui_tmux capture-pane -p -t 0 2>/dev/null; }

# ui_keys KEY...: type keys (tmux key names: Enter, Down, C-l, ...).
ui_keys() { ui_tmux send-keys -t 0 "$@"; }

# screen_has TEXT / screen_lacks TEXT: the screen shows (does not show) TEXT now.
screen_has() { ui_screen | grep -qF -- "$1"; }
screen_lacks() { ! ui_screen | grep -qF -- "$1"; }

# screen_match REGEX / screen_no_match REGEX: the screen matches (does not
# match) the extended REGEX now.
screen_match() { ui_screen | grep -Eq -- "$1"; }
screen_no_match() { ! ui_screen | grep -Eq -- "$1"; }

# screen_line N: line N (1-based) of the screen.
screen_line() { ui_screen | sed -n "${1}p"; }

# line_has N TEXT / line_lacks N TEXT: screen line N shows (does not show) TEXT.
line_has() { screen_line "$1" | grep -qF -- "$2"; }
line_lacks() { ! screen_line "$1" | grep -qF -- "$2"; }

# ui_poll SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds.
ui_poll() {
	tmux_tries=$(($1 * 20))
	shift
	while [ "$tmux_tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		tmux_tries=$((tmux_tries - 1))
	done
	return 1
}

# wait_for TEXT [SECONDS]: until the screen shows TEXT (a fixed string).
wait_for() { ui_poll "${2:-10}" screen_has "$1"; }

# wait_for_re REGEX [SECONDS]: until the screen matches the extended REGEX.
wait_for_re() { ui_poll "${2:-10}" screen_match "$1"; }

# wait_gone TEXT [SECONDS]: until TEXT is no longer on the screen.
wait_gone() { ui_poll "${2:-10}" screen_lacks "$1"; }

# wait_line N TEXT [SECONDS]: until screen line N shows TEXT.
wait_line() { ui_poll "${3:-10}" line_has "$1" "$2"; }
