#!/bin/sh
# surat show on the sample corpus: each tests/data/mail/NAME.eml must print
# exactly NAME.out (TZ=UTC); then exit statuses, errors, stdin and the promise that
# no output holds an escape, a control or a C1 character.
#
# GENERATE=1 rewrites the .out files from the current binary: read every
# changed one before committing, they are the specification.
set -u
: "${SURAT:=./surat}"
: "${SURAT_SRCDIR:=.}"
TZ=UTC
LC_ALL=C.UTF-8
export TZ LC_ALL
data="$SURAT_SRCDIR/tests/data/mail"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-show.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# No configuration: the rendering keys keep their defaults.
HOME="$tmp"
unset SURAT_CONFIG XDG_CONFIG_HOME
export HOME

n=0
failed=0
count=$(ls "$data"/*.eml | wc -l)
widths=$(ls "$data"/*.width*.out 2>/dev/null | wc -l)
echo "1..$((count + widths + 12))"

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}

# Compare the output of "surat show [OPTION] FILE" with GOLDEN.
golden() {
	golden_name=$1 golden_file=$2 golden_out=$3
	shift 3
	"$SURAT" show "$@" "$golden_file" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "${GENERATE:-0}" = 1 ]; then
		cp "$tmp/out" "$golden_out"
	fi
	if [ "$status" -ne 0 ]; then
		not_ok "$golden_name: exit status $status"
		sed 's/^/# /' "$tmp/err"
	elif [ -s "$tmp/err" ]; then
		not_ok "$golden_name: wrote to stderr"
		sed 's/^/# /' "$tmp/err"
	elif ! [ -f "$golden_out" ]; then
		not_ok "$golden_name: no $golden_out (run with GENERATE=1)"
	elif ! diff -u "$golden_out" "$tmp/out" >"$tmp/diff"; then
		not_ok "$golden_name: output differs from $(basename "$golden_out")"
		sed 's/^/# /' "$tmp/diff"
	else
		ok "$golden_name"
	fi
}

for eml in "$data"/*.eml; do
	name=$(basename "$eml" .eml)
	golden "$name" "$eml" "$data/$name.out"
done

# NAME.widthN.out: the rendering at N columns (--width N).
for out in "$data"/*.width*.out; do
	[ -f "$out" ] || continue
	base=$(basename "$out" .out)
	name=${base%.width*}
	width=${base##*.width}
	golden "$name at --width $width" "$data/$name.eml" "$out" --width "$width"
done

golden "--full-headers" "$data/plain-quotes.eml" "$data/plain-quotes.full-headers.out" \
	--full-headers
golden "--full-headers on a forwarded message" "$data/forwarded.eml" \
	"$data/forwarded.full-headers.out" --full-headers

# Standard input: "-" gives the same as the file.
"$SURAT" show - <"$data/rfc2047-utf8.eml" >"$tmp/stdin" 2>&1
status=$?
if [ "$status" -eq 0 ] && cmp -s "$tmp/stdin" "$data/rfc2047-utf8.out"; then
	ok "stdin via -"
else
	not_ok "stdin via - (exit $status)"
fi
printf '' | "$SURAT" show - >"$tmp/stdin" 2>&1
if [ $? -eq 0 ] && [ "$(cat "$tmp/stdin")" = "" ] && [ "$(wc -l <"$tmp/stdin")" -eq 1 ]; then
	ok "empty stdin renders an empty message"
else
	not_ok "empty stdin renders an empty message"
fi

# A file that cannot be read: exit 1, one line naming it.
check_error() {
	check_name=$1 check_want_status=$2 check_want=$3
	shift 3
	"$SURAT" show "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne "$check_want_status" ]; then
		not_ok "$check_name: exit status $status, not $check_want_status"
	elif [ -s "$tmp/out" ]; then
		not_ok "$check_name: wrote to stdout"
	elif [ "$(head -1 "$tmp/err")" != "$check_want" ]; then
		not_ok "$check_name: got '$(head -1 "$tmp/err")'"
	else
		ok "$check_name"
	fi
}

check_error "missing file" 1 "surat: $tmp/missing.eml: No such file or directory" \
	"$tmp/missing.eml"
if [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
	ok "missing file: the error is one line"
else
	not_ok "missing file: the error is one line"
fi
check_error "a directory" 1 "surat: $data: Is a directory" "$data"
check_error "a path through a file" 1 \
	"surat: $data/plain-quotes.eml/x: Not a directory" "$data/plain-quotes.eml/x"
check_error "no FILE" 2 "surat show: a FILE (or - for standard input) is needed"
grep -q '^usage: surat show' "$tmp/err" && ok "no FILE: usage line" || not_ok "no FILE: usage line"
check_error "unknown option" 2 "surat show: unknown option '--bogus'" --bogus "$data/plain-quotes.eml"

# No output ever holds ESC, another C0 control but newline, DEL, a C1
# control, or invalid UTF-8, whatever the corpus throws at it.
bad=
esc=$(printf '[\001-\011\013-\037\177]')
c1=$(printf '\302[\200-\237]')
for eml in "$data"/*.eml; do
	for opt in "" --full-headers; do
		"$SURAT" show $opt "$eml" >"$tmp/out" 2>/dev/null
		if LC_ALL=C grep -q "$esc" "$tmp/out" || LC_ALL=C grep -q "$c1" "$tmp/out" ||
			! iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1; then
			bad="$bad $(basename "$eml")$opt"
		fi
	done
done
if [ -z "$bad" ]; then
	ok "no ESC, C0, C1 or invalid UTF-8 in any output"
else
	not_ok "raw bytes in the output of:$bad"
fi

[ "$failed" -eq 0 ]
