#!/bin/sh
# Every error line the commands print is made safe where it is printed
# (cli_stderr): an argv word or a file name holding ESC, a C1 control or a
# bidi override comes out in visible form ("^[", "<U+009B>", "<U+202E>"),
# never as the raw bytes a terminal would obey.  Each case checks the exact
# bytes written to stderr.
set -u
: "${SURAT:?run from make check, or set SURAT to the built binary}"
export TZ=UTC LC_ALL=C.UTF-8
unset SURAT_CONFIG XDG_CONFIG_HOME

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-unsafe.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home"
mkdir -p "$HOME" || exit 1

# The hostile text: an OSC that retitles the window (ESC ] 0 ; ... BEL), the
# C1 CSI U+009B, and RIGHT-TO-LEFT OVERRIDE U+202E.
bad=$(printf 'x\033]0;pwned\007\302\233\342\200\256y')
# ... and what it must look like once made safe.
shown='x^[]0;pwned^G<U+009B><U+202E>y'

n=0
echo "1..13"

# raw_controls FILE: true when FILE holds a C0 control but tab and newline,
# DEL, a C1 control, or a bidi control, as bytes.
raw_controls() {
	LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$1" ||
		LC_ALL=C grep -q -e "$(printf '\302[\200-\237]')" \
			-e "$(printf '\342\200[\216\217\252-\256]')" \
			-e "$(printf '\342\201[\246-\251]')" -e "$(printf '\330\234')" "$1"
}

# check STATUS WANT WHAT: the last run exited STATUS, its stderr holds the
# line WANT (a fixed string) and no raw control at all.
check() {
	n=$((n + 1))
	if [ "$status" -eq "$1" ] && grep -qxF -- "$2" "$tmp/err" && ! raw_controls "$tmp/err" &&
		! raw_controls "$tmp/out"; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3 (exit $status)"
		od -c "$tmp/err" | sed 's/^/# err: /'
		echo "# want: $2"
	fi
}

run() {
	"$SURAT" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
}

printf 'store = "%s";\naccounts = ( { name = "work"; host = "pop.example.org"; user = "u"; } );\n' \
	"$tmp/store" >"$tmp/good.conf"

run "$bad"
check 2 "surat: unknown command '$shown'; see surat --help" "an unknown command word is echoed safe"

run fetch "--$bad"
check 2 "surat fetch: unknown option '--$shown'" "an unknown long option is echoed safe, not by getopt"

run serverinfo "-$bad"
check 2 "surat serverinfo: unknown option '-x'" "an unknown short option: only its letter"

run serverinfo "--login=$bad"
check 2 "surat serverinfo: option '--login' takes no value" "a value where none is taken"

run fetch --events-fd "$bad"
check 2 "surat: --events-fd $shown: not an open descriptor" "a bad --events-fd value is echoed safe"

run -c "$tmp/good.conf" fetch "$bad"
check 2 "surat: $tmp/good.conf: no account '$shown'; check-config lists them" \
	"an unknown account name is echoed safe"

run show --width "$bad" "$tmp/none.eml"
check 2 "surat show: --width needs a number of columns from 0 to 1000, not '$shown'" \
	"surat show echoes a bad option value safe"

run show --raw "$tmp/$bad.eml"
check 1 "surat: $tmp/$shown.eml: No such file or directory" \
	"surat show --raw names a missing file with controls safely"

run show "$tmp/$bad.eml"
check 1 "surat: $tmp/$shown.eml: No such file or directory" \
	"surat show names a missing file with controls safely"

run -c "$tmp/$bad.conf" check-config
check 2 "surat: no configuration at $tmp/$shown.conf; create it (see surat.conf(5))" \
	"a configuration path with controls is named safely"

printf 'store = "/x";\naccounts = (\n\t{ name = "a" host = ; }\n);\n' >"$tmp/$bad.conf"
run -c "$tmp/$bad.conf" check-config
check 2 "surat: $tmp/$shown.conf:3: syntax: syntax error" \
	"a syntax error in a file whose name holds controls"

# A theme file under a home folder whose name holds controls (the file
# name comes from ~ expanded, not from the configuration's text).
mkdir -p "$tmp/$bad"
printf 'status = { fg = "pink"; };\n' >"$tmp/$bad/x.theme"
printf 'store = "/x";\ntheme = "~/x.theme";\n' >"$tmp/theme.conf"
HOME="$tmp/$bad" run -c "$tmp/theme.conf" check-config
n=$((n + 1))
if [ "$status" -eq 2 ] && grep -qF "surat: $tmp/$shown/x.theme:1: status: unknown colour" "$tmp/err" &&
	! raw_controls "$tmp/err"; then
	echo "ok $n - a theme file whose name holds controls is named safely"
else
	echo "not ok $n - a theme file whose name holds controls is named safely (exit $status)"
	od -c "$tmp/err" | sed 's/^/# err: /'
fi

# The reader's start-up error: the store (~ expanded) cannot be made.
: >"$tmp/$bad/store"
printf 'store = "~/store";\naccounts = ( { name = "a"; host = "h"; user = "u"; } );\n' \
	>"$tmp/tui.conf"
HOME="$tmp/$bad" run -c "$tmp/tui.conf"
check 1 "surat: $tmp/$shown/store: cannot create the store: Not a directory" \
	"the reader's start-up error names a store path with controls safely"
exit 0
