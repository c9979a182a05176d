#!/bin/sh
# Every shipped theme loads in the real interface, on a 256-colour terminal
# (TERM=xterm-256color) and an 8-colour one (TERM=xterm): the status line
# carries the theme's colours or, where the terminal has too few colours to
# tell its bar from the background, reverse video; the cursor row stays
# visible.  What tmux records of the screen (capture-pane -e) is compared.
. "$(dirname "$0")/lib.sh"
ui_setup
UI_THEMES_DIR="$SURAT_SRCDIR/themes"

# expect THEME TERM: the SGR the status line must start with (an ERE).
expect() {
	case "$1 $2" in
	"default "* | "mono "*) echo '7m' ;;
	"dark-256 xterm-256color") echo '38;5;252m.*48;5;237m' ;;
	"dark-256 xterm") echo '37m.*40m' ;;
	"light-256 xterm-256color") echo '38;5;235m.*48;5;252m' ;;
	"light-256 xterm") echo '30m.*47m' ;;
	"solarized-dark xterm-256color") echo '38;5;245m.*48;5;235m' ;;
	"solarized-dark xterm") echo '7m.*37m.*40m' ;;
	"gruvbox-truecolor xterm-256color") echo '38;5;187m.*48;5;237m' ;;
	"gruvbox-truecolor xterm") echo '7m.*37m.*40m' ;;
	*) echo 'no expectation for this theme' ;;
	esac
}

n_themes=0
for file in "$SURAT_SRCDIR"/themes/*.theme; do
	theme=$(basename "$file" .theme)
	n_themes=$((n_themes + 1))
	for term in xterm-256color xterm; do
		sed -i "s/^theme = .*/theme = \"$theme\";/" "$UI_CONFIG"
		UI_ENV="TERM=$term"
		ui_start
		if ! wait_for "surat: demo -- 3/12"; then
			not_ok "$theme on $term: the index shows"
			continue
		fi
		status=$(ui_tmux capture-pane -e -p -t 0 | grep -F -- '-- surat: demo' | sed 's/-- surat: demo.*//')
		want=$(expect "$theme" "$term")
		check "$theme on $term: the status line starts with /$want/" \
			sh -c "printf '%s\n' \"\$1\" | grep -Eq \"\$2\"" sh "$status" "$want"
		row=$(ui_tmux capture-pane -e -p -t 0 | grep -F 'Your laptop is ready' | sed 's/ N  *2026.*//')
		check "$theme on $term: the cursor row is highlighted" \
			sh -c "printf '%s\n' \"\$1\" | grep -Eq '(7m|48;5;[0-9]+m|4[0-7]m)'" sh "$row"
		ui_keys q
		check "$theme on $term: quits cleanly, nothing on stderr" \
			sh -c "tries=100; while [ \$tries -gt 0 ]; do tmux -L '$UI_SOCKET' capture-pane -p -t 0 | grep -q EXIT=0 && break; sleep 0.05; tries=\$((tries-1)); done; [ \$tries -gt 0 ] && test ! -s '$UI_TMP/stderr'"
	done
done
check "six themes are shipped and were all tried" test "$n_themes" -eq 6
tap_end
