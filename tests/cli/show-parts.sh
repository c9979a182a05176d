#!/bin/sh
# surat show --attachments, --part N, --raw and --width, and the rendering
# keys read from a configuration (date_format, headers_shown, html_command,
# auto_view with a mailcap copiousoutput entry): each with the output it
# must give, and each bad use with its one-line error and exit status.
set -u
: "${SURAT:=./surat}"
: "${SURAT_SRCDIR:=.}"
TZ=UTC
LC_ALL=C.UTF-8
export TZ LC_ALL
data="$SURAT_SRCDIR/tests/data/mail"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-show-parts.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# No configuration but the ones written here.
HOME="$tmp/home"
mkdir -p "$HOME"
unset SURAT_CONFIG XDG_CONFIG_HOME
export HOME

n=0
failed=0
echo "1..26"

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}

# check NAME: compare $tmp/out with $tmp/want, and want status 0 and no stderr.
check() {
	if [ "$status" -ne 0 ]; then
		not_ok "$1: exit status $status"
		sed 's/^/# /' "$tmp/err"
	elif [ -s "$tmp/err" ]; then
		not_ok "$1: wrote to stderr"
		sed 's/^/# /' "$tmp/err"
	elif ! diff -u "$tmp/want" "$tmp/out" >"$tmp/diff"; then
		not_ok "$1"
		sed 's/^/# /' "$tmp/diff"
	else
		ok "$1"
	fi
}

# check_error NAME STATUS FIRST-LINE-OF-STDERR ARGS...
check_error() {
	name=$1 want_status=$2 want=$3
	shift 3
	"$SURAT" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	if [ "$status" -ne "$want_status" ]; then
		not_ok "$name: exit status $status, not $want_status"
		sed 's/^/# /' "$tmp/err"
	elif [ -s "$tmp/out" ]; then
		not_ok "$name: wrote to stdout"
	elif [ "$(head -1 "$tmp/err")" != "$want" ]; then
		not_ok "$name: got '$(head -1 "$tmp/err")'"
	else
		ok "$name"
	fi
}

# --attachments: number, name, type, size, disposition; one line per part.
"$SURAT" show --attachments "$data/mixed-attachments.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
printf '1\t-\ttext/plain\t62\tinline\n2\tQ1 report.pdf\tapplication/pdf\t15369\tattachment\n3\tchart.png\timage/png\t592\tinline\n' >"$tmp/want"
check "--attachments lists every part"

"$SURAT" show --attachments "$data/hostile-filenames.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
printf '1\t-\ttext/plain\t14\tinline\n2\tbashrc\tapplication/octet-stream\t37\tattachment\n3\tinvoice_fdp.exe\tapplication/x-msdownload\t512\tattachment\n4\t_[31mred_[0m_.txt\ttext/plain\t24\tattachment\n5\tevil.dll\tapplication/octet-stream\t2\tattachment\n' >"$tmp/want"
check "--attachments: hostile names are safe file names"

"$SURAT" show --attachments "$data/forwarded.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && grep -q "	message/rfc822	" "$tmp/out" &&
	[ "$(wc -l <"$tmp/out")" -ge 3 ]; then
	ok "--attachments: a forwarded message and the parts inside it"
else
	not_ok "--attachments: a forwarded message and the parts inside it"
fi

"$SURAT" show --attachments "$data/malformed-empty.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 0 ] && ok "--attachments on an empty file" || not_ok "--attachments on an empty file"

# --part N: the decoded bytes, exactly.
"$SURAT" show --part 3 "$data/mixed-attachments.eml" >"$tmp/part" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && [ "$(wc -c <"$tmp/part")" -eq 592 ] &&
	[ "$(head -c 4 "$tmp/part" | od -An -tx1 | tr -d ' ')" = "89504e47" ]; then
	ok "--part 3 writes the PNG's bytes"
else
	not_ok "--part 3 writes the PNG's bytes (exit $status, $(wc -c <"$tmp/part") bytes)"
fi
"$SURAT" show --part 2 - <"$data/mixed-attachments.eml" 2>/dev/null | head -c 5 >"$tmp/out"
printf '%%PDF-' >"$tmp/want"
if cmp -s "$tmp/out" "$tmp/want"; then
	ok "--part 2 from standard input, into a pipe"
else
	not_ok "--part 2 from standard input, into a pipe"
fi
check_error "--part past the last part" 1 \
	"surat: $data/mixed-attachments.eml: no part 9: the message has 3 parts" \
	show --part 9 "$data/mixed-attachments.eml"
check_error "--part 0" 2 \
	"surat show: --part needs a part number (1, 2, ... as --attachments lists them), not '0'" \
	show --part 0 "$data/mixed-attachments.eml"
check_error "--part without N" 2 "surat show: --part needs a number N" show --part
check_error "two modes" 2 "surat show: choose one of --attachments, --part and --raw" \
	show --raw --attachments "$data/mixed-attachments.eml"
check_error "--attachments of a missing file" 1 \
	"surat: $tmp/none.eml: No such file or directory" show --attachments "$tmp/none.eml"

# --part never writes raw bytes to a terminal.
if command -v script >/dev/null 2>&1; then
	script -qec "'$SURAT' show --part 2 '$data/mixed-attachments.eml'" /dev/null \
		>"$tmp/out" 2>&1 </dev/null
	if grep -q "redirect them" "$tmp/out" && ! grep -q "PDF" "$tmp/out"; then
		ok "--part refuses a terminal"
	else
		not_ok "--part refuses a terminal"
		sed 's/^/# /' "$tmp/out"
	fi
else
	ok "--part refuses a terminal # SKIP no script(1)"
fi

# --raw: the source, every control made visible.
"$SURAT" show --raw "$data/hostile-controls.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
esc=$(printf '[\001-\010\013-\037\177]')
if [ "$status" -eq 0 ] && ! LC_ALL=C grep -q "$esc" "$tmp/out" &&
	grep -q '\^\[\[2J' "$tmp/out" && iconv -f UTF-8 -t UTF-8 "$tmp/out" >/dev/null 2>&1 &&
	[ "$(wc -l <"$tmp/out")" -eq "$(wc -l <"$data/hostile-controls.eml")" ]; then
	ok "--raw shows the source, made safe"
else
	not_ok "--raw shows the source, made safe"
fi
printf 'Subject: x\n\nplain\n' | "$SURAT" show --raw - >"$tmp/out" 2>"$tmp/err"
status=$?
printf 'Subject: x\n\nplain\n' >"$tmp/want"
check "--raw of a plain message is the message"

# --width: format=flowed reflowed to the width; 0 keeps the lines as sent.
"$SURAT" show --width 30 "$data/flowed.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
cp "$data/flowed.width30.out" "$tmp/want"
check "--width 30 reflows format=flowed"
# awk counts bytes: look at the ASCII lines only (the golden covers the rest).
long=$(LC_ALL=C grep -v '[^ -~]' "$tmp/out" | awk '{ if (length($0) > 30) print }' |
	grep -v '^[A-Z][a-z]*: ' | head -1)
[ -z "$long" ] && ok "--width 30: no body line is longer" || not_ok "--width 30: '$long'"
"$SURAT" show --width 0 "$data/flowed.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
cp "$data/flowed.out" "$tmp/want"
check "--width 0 keeps the lines as sent"
check_error "--width not a number" 2 \
	"surat show: --width needs a number of columns from 0 to 1000, not 'wide'" \
	show --width wide "$data/flowed.eml"

# The rendering keys, from a configuration.
cat >"$tmp/mailcap" <<EOF
text/x-shout; tr a-z A-Z; copiousoutput
EOF
cat >"$tmp/config" <<EOF
date_format = "%Y-%m-%d %H:%M";
headers_shown = [ "Subject", "From", "X-Mailer" ];
html_command = "sed -e 's/<[^>]*>//g'";
auto_view = [ "text/x-shout" ];
mailcap_path = [ "$tmp/mailcap" ];
EOF
"$SURAT" -c "$tmp/config" show "$data/plain-quotes.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
head -3 "$tmp/out" >"$tmp/got"
printf 'Subject: Re: Release checklist for 2.4\nFrom: Maria Lopez <maria.lopez@example.org>\n\n' >"$tmp/want"
if [ "$status" -eq 0 ] && cmp -s "$tmp/got" "$tmp/want"; then
	ok "headers_shown: that order, only those present"
else
	not_ok "headers_shown: that order, only those present"
	sed 's/^/# /' "$tmp/got"
fi
"$SURAT" -c "$tmp/config" show --full-headers "$data/plain-quotes.eml" >"$tmp/out" 2>&1
grep -q '^Date: ' "$tmp/out" && ok "--full-headers still shows every header" ||
	not_ok "--full-headers still shows every header"
sed 's/^headers_shown.*/headers_shown = [ "Date" ];/' "$tmp/config" >"$tmp/config2"
"$SURAT" -c "$tmp/config2" show "$data/plain-quotes.eml" >"$tmp/out" 2>&1
if [ "$(head -1 "$tmp/out")" = "Date: 2026-11-27 08:14" ]; then
	ok "date_format"
else
	not_ok "date_format: $(head -1 "$tmp/out")"
fi
"$SURAT" -c "$tmp/config" show "$data/html-only.eml" >"$tmp/out" 2>"$tmp/err"
if grep -q "html_command failed" "$tmp/out" || grep -q '<p>' "$tmp/out"; then
	not_ok "html_command converts the HTML part"
else
	ok "html_command converts the HTML part"
fi
printf 'Content-Type: text/x-shout\n\nhello \033[2J there\n' >"$tmp/shout.eml"
"$SURAT" -c "$tmp/config" show "$tmp/shout.eml" >"$tmp/out" 2>"$tmp/err"
if grep -qx 'HELLO ^\[\[2J THERE' "$tmp/out"; then
	ok "auto_view: a copiousoutput viewer's output, made safe"
else
	not_ok "auto_view: a copiousoutput viewer's output, made safe"
	sed 's/^/# /' "$tmp/out"
fi
printf 'html_command = "w3m '"'"'unbalanced";\n' >"$tmp/bad.conf"
"$SURAT" -c "$tmp/bad.conf" show "$data/html-only.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 2 ] && grep -q "bad.conf:1: html_command: " "$tmp/err" && [ ! -s "$tmp/out" ]; then
	ok "a bad html_command is a configuration error"
else
	not_ok "a bad html_command is a configuration error (exit $status)"
	sed 's/^/# /' "$tmp/err"
fi

# libxml2 is loaded when the first HTML part is converted, by the name the
# binary holds.  A broken copy found first (LD_LIBRARY_PATH) stands for a
# missing or damaged install: the HTML part shows its source under the
# reason, and plain-text mail never notices, because it never loads it.
soname=$(strings "$SURAT" | grep -m1 '^libxml2\.so\.[0-9]*$')
mkdir -p "$tmp/brokenlib"
: >"$tmp/brokenlib/${soname:-libxml2.so.2}"
LD_LIBRARY_PATH="$tmp/brokenlib" "$SURAT" show "$data/html-only.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ -n "$soname" ] && [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] &&
    grep -q "^\[HTML cannot be converted: cannot load $soname (.*); reinstall the libxml2 package; the HTML source follows\]" "$tmp/out" &&
    grep -q '^<h1>Good news, Anna!</h1>$' "$tmp/out"; then
	ok "libxml2 cannot be loaded: the HTML source under the reason"
else
	not_ok "libxml2 cannot be loaded: the HTML source under the reason (exit $status, soname '$soname')"
	sed 's/^/# /' "$tmp/out" "$tmp/err" | head -20
fi
LD_LIBRARY_PATH="$tmp/brokenlib" "$SURAT" show "$data/plain-quotes.eml" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ] && cmp -s "$tmp/out" "$data/plain-quotes.out"; then
	ok "plain-text mail does not load libxml2"
else
	not_ok "plain-text mail does not load libxml2 (exit $status)"
	diff "$data/plain-quotes.out" "$tmp/out" | sed 's/^/# /' | head -20
fi

[ "$failed" -eq 0 ]
