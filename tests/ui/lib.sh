# tests/ui/lib.sh: drive the real surat in a private tmux server, the way a
# person would: send keys, read the screen.  Sourced by tests/ui/*.sh, which
# print TAP.  Everything lives in a temporary folder removed on exit.  The
# driver itself (keys, screen, waits) is tests/tmux.sh, shared with the
# integration tests.
set -u

: "${SURAT:?SURAT must point at the built binary}"
: "${SURAT_SRCDIR:?SURAT_SRCDIR must point at the source tree}"

UI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/surat-ui.XXXXXX")
# The tmux servers' sockets live in the test's folder and go with it.
TMUX_TMPDIR=$UI_TMP
export TMUX_TMPDIR
UI_SOCKET_BASE="surat-$$-$(basename "$0" .sh)"
UI_STARTS=0
UI_SOCKET="$UI_SOCKET_BASE-0"
UI_STORE="$UI_TMP/store"
UI_CONFIG="$UI_TMP/config"
UI_WIDTH=100
UI_HEIGHT=30
tap_n=0
tap_failed=0
. "$SURAT_SRCDIR/tests/tmux.sh"

ui_cleanup() {
	i=0
	while [ "$i" -le "$UI_STARTS" ]; do
		tmux -L "$UI_SOCKET_BASE-$i" kill-server 2>/dev/null || true
		i=$((i + 1))
	done
	rm -rf "$UI_TMP"
}
trap ui_cleanup EXIT INT TERM

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1"
}

not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	# Show what the person would have seen.
	ui_screen 2>/dev/null | sed 's/^/# | /'
}

# check DESCRIPTION COMMAND...: one TAP line from a command's status.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

tap_end() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# ui_setup: a store holding the sample Maildir as account "demo", a config.
ui_setup() {
	mkdir -p "$UI_TMP/home"
	"$SURAT_SRCDIR/sample/make-maildir.sh" "$UI_STORE/demo" >/dev/null
	cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
theme = "default";
index_lines = 6;
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );
CONF
}

# ui_start [SURAT ARGS]: start surat in a fresh pane, with a clean
# environment as a person has it (the built-in default theme, no themes
# folder but the installed one; a test about themes sets UI_THEMES_DIR).
# When it exits, the pane shows "EXIT=<status>" on the normal screen and
# stays open.
ui_start() {
	# A fresh server each time: reusing a socket races with the old server's exit.
	ui_tmux kill-server 2>/dev/null || true
	UI_STARTS=$((UI_STARTS + 1))
	UI_SOCKET="$UI_SOCKET_BASE-$UI_STARTS"
	ui_pane "$UI_WIDTH" "$UI_HEIGHT" \
		"env -i PATH=\"$PATH\" HOME=\"$UI_TMP/home\" TERM=screen-256color \
		LC_ALL=C.UTF-8 TZ=UTC ${UI_THEMES_DIR:+SURAT_THEMES_DIR=\"$UI_THEMES_DIR\"} \
		ASAN_OPTIONS=\"${ASAN_OPTIONS:-}\" UBSAN_OPTIONS=\"${UBSAN_OPTIONS:-}\" \
		${UI_ENV:-} \"$SURAT\" -c \"$UI_CONFIG\" $* 2>\"$UI_TMP/stderr\"; \
		echo EXIT=\$?; sleep 600"
}

# wait_file GLOB [SECONDS]: poll until a file matching GLOB exists.
wait_file() { ui_poll "${2:-10}" file_exists "$1"; }
# file_exists GLOB: a file matching GLOB exists.
file_exists() {
	for f in $1; do
		[ -e "$f" ] && return 0
	done
	return 1
}
