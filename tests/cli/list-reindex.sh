#!/bin/sh
# surat reindex and surat list on a store filled by other tools (TAP).
set -u
TZ=UTC
LC_ALL=C.UTF-8
export TZ LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
store=$tmp/store
cfg=$tmp/config
printf 'store = "%s";\ntheme = "default";\n' "$store" >"$cfg"

# The configuration is another area's work; until it is merged, skip.  (The
# placeholder check-config may crash before saying so; list says it too.)
if { "$SURAT" -c "$cfg" check-config; "$SURAT" -c "$cfg" list; } 2>&1 |
	grep -q "not built yet"; then
	echo "1..1"
	echo "ok 1 # SKIP config not built"
	exit 0
fi

echo "1..17"
n=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
# Compare file $1 with file $2; show the difference as TAP comments.
same() {
	if cmp -s "$1" "$2"; then return 0; fi
	diff "$1" "$2" | sed 's/^/# /'
	return 1
}

# 1: a store that does not exist yet is created and is empty.
out=$("$SURAT" -c "$cfg" reindex 2>"$tmp/err")
st=$?
[ $st -eq 0 ] && [ "$out" = "$store: 0 messages in 0 accounts (0 parsed, 0 updated, 0 removed)" ] &&
	[ -d "$store" ] && [ ! -s "$tmp/err" ]
ok $? "reindex creates an empty store"

# Maildirs as mpop, procmail and mutt leave them.
mkdir -p "$store/personal/new" "$store/personal/cur" "$store/personal/tmp" \
	"$store/work/new" "$store/work/cur" "$store/work/tmp" "$store/not-a-maildir"
cat >"$store/personal/new/1700000000.M1P1Q1.host" <<'EOF'
Date: Tue, 14 Nov 2023 22:13:20 +0000
From: Alice Example <alice@example.org>
To: Bob <bob@example.org>
Subject: Hello there

the zanzibar plan
EOF
name=$(printf '山田太郎山田太郎山田太郎山田' | base64 -w0)
cat >"$store/work/cur/1700000100.M1P1Q1.host:2,S" <<EOF
Date: Wed, 15 Nov 2023 08:00:00 +0000
From: =?UTF-8?B?$name?= <yamada@example.jp>
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=

konnichiwa
EOF
printf 'Date: Fri, 03 Nov 2023 08:26:40 +0000\nFrom: bob@example.org\nSubject: Evil \033[31m red\n\nbody\n' \
	>"$store/work/new/1699000000.12345_1.host"
printf 'From: Zed <z@example.org>\nSubject: no date\n\nplain\n' >"$store/work/cur/odd:2,"
touch -d '2023-11-16 00:00:00 UTC' "$store/work/cur/odd:2,"
printf 'half written' >"$store/work/tmp/1700000200.M1P1Q1.host"

# 2, 3: a first run parses everything, a second nothing.
out=$("$SURAT" -c "$cfg" reindex)
[ "$out" = "$store: 4 messages in 2 accounts (4 parsed, 0 updated, 0 removed)" ]
ok $? "reindex parses every message of other tools' Maildirs"
out=$("$SURAT" -c "$cfg" reindex)
[ "$out" = "$store: 4 messages in 2 accounts (0 parsed, 0 updated, 0 removed)" ]
ok $? "a second reindex parses nothing"

# 4: the list, oldest first, columns lined up (CJK is two columns wide).
cat >"$tmp/want" <<'EOF'
2023-11-03 08:26  work      bob@example.org           Evil ^[[31m red
2023-11-14 22:13  personal  Alice Example             Hello there
2023-11-15 08:00  work      山田太郎山田太郎山田太郎  Grüße
2023-11-16 00:00  work      Zed                       no date
EOF
"$SURAT" -c "$cfg" list >"$tmp/got" 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && same "$tmp/want" "$tmp/got" && [ ! -s "$tmp/err" ]
ok $? "list prints date, account, from and subject, sorted by date"

# 5: nothing from a message reaches the terminal raw.
! grep -q "$(printf '\033')" "$tmp/got"
ok $? "list output has no escape character"

# 6, 7: a query is full-text search over the body too.
out=$("$SURAT" -c "$cfg" list zanzibar)
[ "$out" = "2023-11-14 22:13  personal  Alice Example             Hello there" ]
ok $? "list QUERY finds a body word"
out=$("$SURAT" -c "$cfg" list hello nosuchword)
st=$?
[ $st -eq 0 ] && [ -z "$out" ]
ok $? "list QUERY words are ANDed; no match prints nothing"

# 8: FTS5 syntax from the user is only ever text (surat's own query
# language is tested in list-query.sh).
"$SURAT" -c "$cfg" list '"NEAR(a b)"' '"x*"' '"^hello"' 'NEAR' >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 0 ] && [ ! -s "$tmp/err" ]
ok $? "list with FTS syntax characters is not an error"

# 9: mutt reads a message: new/ -> cur/ with S.  Picked up without parsing.
mv "$store/work/new/1699000000.12345_1.host" "$store/work/cur/1699000000.12345_1.host:2,S"
out=$("$SURAT" -c "$cfg" reindex)
[ "$out" = "$store: 4 messages in 2 accounts (0 parsed, 1 updated, 0 removed)" ]
ok $? "a flag change by another tool is picked up"

# 10: a file that vanished leaves the index.
rm "$store/personal/new/1700000000.M1P1Q1.host"
out=$("$SURAT" -c "$cfg" reindex)
[ "$out" = "$store: 3 messages in 2 accounts (0 parsed, 0 updated, 1 removed)" ] &&
	[ "$("$SURAT" -c "$cfg" list | wc -l)" -eq 3 ] &&
	[ -z "$("$SURAT" -c "$cfg" list zanzibar)" ]
ok $? "a vanished file is removed from the index and the list"

# 11: a Maildir that vanished takes its rows with it; the column narrows.
rm -r "$store/personal"
out=$("$SURAT" -c "$cfg" reindex)
[ "$out" = "$store: 3 messages in 1 account (0 parsed, 0 updated, 0 removed)" ] &&
	"$SURAT" -c "$cfg" list | head -1 | grep -q '^2023-11-03 08:26  work  bob@example.org  '
ok $? "an account whose Maildir is gone leaves the list"

# 12: reindex takes no arguments.
"$SURAT" -c "$cfg" reindex extra >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]
ok $? "reindex with an argument is a usage error"

# 13: a store path that is a file: one line naming it, exit 1.
printf 'x' >"$tmp/afile"
printf 'store = "%s/afile/store";\ntheme = "default";\n' "$tmp" >"$tmp/config2"
"$SURAT" -c "$tmp/config2" reindex >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$tmp/afile/store" "$tmp/err"
ok $? "reindex names a store it cannot create"

# 14: list on a store that does not exist says so.
printf 'store = "%s/none";\ntheme = "default";\n' "$tmp" >"$tmp/config3"
"$SURAT" -c "$tmp/config3" list >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$tmp/none" "$tmp/err"
ok $? "list names a missing store"

# 15: an index that is not a database: one line naming it, exit 1.
rm -f "$store/index.db-wal" "$store/index.db-shm"
head -c 8192 /dev/zero | tr '\0' 'x' >"$store/index.db"
"$SURAT" -c "$cfg" list >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$store/index.db" "$tmp/err"
ok $? "list names an index file that is not a database"

# 16: a bad configuration is the config module's error: exit 2.
printf 'store = 5;\n' >"$tmp/config4"
"$SURAT" -c "$tmp/config4" list >/dev/null 2>&1
[ $? -eq 2 ]
ok $? "list with a bad configuration exits 2"

# 17: on a terminal, a bar per mailbox (files done of files in it), cleared
# before the summary; through a pipe (test 1) nothing on stderr.
bar=$tmp/bar
mkdir -p "$bar/big/new" "$bar/big/cur" "$bar/big/tmp" "$bar/big/.Lists/cur" \
	"$bar/big/.Lists/new" "$bar/big/.Lists/tmp"
i=0
while [ $i -lt 1200 ]; do
	printf 'From: a@example.org\nSubject: m%d\n\nbody\n' $i >"$bar/big/cur/17000$i.M1P1Q1.host:2,S"
	i=$((i + 1))
done
printf 'From: a@example.org\nSubject: l\n\nbody\n' >"$bar/big/.Lists/cur/1.M1P1Q1.host:2,S"
printf 'store = "%s";\ntheme = "default";\n' "$bar" >"$tmp/config5"
script -qec "\"$SURAT\" -c \"$tmp/config5\" reindex" /dev/null >"$tmp/tty" 2>&1
grep -q 'reindex: big \[=*  *\] 0/1200' "$tmp/tty" &&
	grep -q 'reindex: big \[==============================\] 1200/1200' "$tmp/tty" &&
	grep -q 'reindex: big/Lists \[==============================\] 1/1' "$tmp/tty" &&
	grep -q "$(printf '\r\033\\[K')$bar: 1201 messages in 1 account (1201 parsed" "$tmp/tty"
st=$?
[ $st -eq 0 ] || sed -n l "$tmp/tty" | head -20 | sed 's/^/# /'
ok $st "reindex on a terminal shows a bar per mailbox and clears it"
