#!/bin/sh
# One MIME path: `surat reindex` reads a message's text as the pager does,
# with the configuration's charset_fallbacks, so `surat list body:WORD` finds
# the words `surat show` prints (TAP).
set -u
: "${SURAT:?run from make check, or set SURAT to the built binary}"
export TZ=UTC LC_ALL=C.UTF-8
unset SURAT_CONFIG XDG_CONFIG_HOME

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-charset.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export HOME="$tmp/home"
mkdir -p "$HOME"

n=0
failed=0
echo "1..9"
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# store NAME [CONFIG LINE]: a store with one account "mail" and its config.
store() {
	mkdir -p "$tmp/$1/mail/new" "$tmp/$1/mail/cur" "$tmp/$1/mail/tmp"
	printf 'store = "%s";\n%s\n' "$tmp/$1" "${2:-}" >"$tmp/$1.conf"
}

# windows-1252 without a label, and under a label iconv does not know.
store latin
printf 'From: a@example.org\nSubject: Caf\351\nDate: Mon, 05 Jan 2026 10:00:00 +0000\n\nIm Caf\351 \204drau\337en\223 ist es sch\366n.\n' \
	>"$tmp/latin/mail/new/1767607200.M1P1Q1.test"
printf 'From: b@example.org\nSubject: Bericht\nDate: Tue, 06 Jan 2026 10:00:00 +0000\nContent-Type: text/plain; charset=unknown-8bit\n\nGr\374\337e von M\374ller\n' \
	>"$tmp/latin/mail/new/1767693600.M2P1Q2.test"

"$SURAT" -c "$tmp/latin.conf" reindex >/dev/null 2>"$tmp/err"
ok $? "reindex a store of windows-1252 mail"
"$SURAT" -c "$tmp/latin.conf" list body:draußen >"$tmp/out" 2>>"$tmp/err"
grep -q ' Café$' "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 1 ]
ok $? "an unlabelled windows-1252 body is found by its accented word (body:draußen)"
"$SURAT" -c "$tmp/latin.conf" list body:Müller >"$tmp/out" 2>>"$tmp/err"
grep -q ' Bericht$' "$tmp/out" && [ "$(wc -l <"$tmp/out")" -eq 1 ]
ok $? "and under a wrong label (unknown-8bit) too (body:Müller)"
"$SURAT" show "$tmp/latin/mail/new/1767607200.M1P1Q1.test" >"$tmp/show" 2>>"$tmp/err"
grep -qx 'Im Café „draußen“ ist es schön.' "$tmp/show"
ok $? "surat show prints the same words"
[ ! -s "$tmp/err" ]
ok $? "nothing on stderr"

# KOI8-R without a label: only the user's charset_fallbacks can read it.
store koi8 'charset_fallbacks = ["koi8-r"];'
printf 'From: c@example.org\nSubject: \360\322\311\327\305\324\nDate: Wed, 07 Jan 2026 10:00:00 +0000\n\n\320\322\311\327\305\324, \315\311\322\n' \
	>"$tmp/koi8/mail/new/1767780000.M3P1Q3.test"
cp "$tmp/koi8/mail/new/1767780000.M3P1Q3.test" "$tmp/latin/mail/new/"
"$SURAT" -c "$tmp/koi8.conf" reindex >/dev/null 2>"$tmp/err"
"$SURAT" -c "$tmp/koi8.conf" list body:мир >"$tmp/out" 2>>"$tmp/err"
grep -q ' Привет$' "$tmp/out"
ok $? "charset_fallbacks = [\"koi8-r\"]: the KOI8-R body is found (body:мир), its subject read alike"
"$SURAT" -c "$tmp/koi8.conf" list subject:привет >"$tmp/out" 2>>"$tmp/err"
[ "$(wc -l <"$tmp/out")" -eq 1 ]
ok $? "and by its subject"
[ ! -s "$tmp/err" ]
ok $? "nothing on stderr"
# The same file with the default fallbacks (windows-1252) is not Russian.
"$SURAT" -c "$tmp/latin.conf" reindex >/dev/null 2>&1
"$SURAT" -c "$tmp/latin.conf" list body:мир >"$tmp/out" 2>&1
[ ! -s "$tmp/out" ]
ok $? "without the fallback the same file is read as windows-1252"
[ "$failed" -eq 0 ]
