#!/bin/sh
# surat list QUERY: the query language of search.h, and its errors (TAP).
set -u
TZ=UTC
LC_ALL=C.UTF-8
export TZ LC_ALL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/surat-query-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
store=$tmp/store
cfg=$tmp/config
printf 'store = "%s";\ntheme = "default";\n' "$store" >"$cfg"

echo "1..17"
n=0
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
# The subjects `surat list ARGS` prints, one per line, in date order.
subjects() {
	"$SURAT" -c "$cfg" list "$@" | sed 's/.*  //'
}
# Compare what `surat list` printed ($1) with the wanted subjects ($2, one per line).
same() {
	if [ "$1" = "$2" ]; then return 0; fi
	printf '%s\n' "got:" "$1" "wanted:" "$2" | sed 's/^/# /'
	return 1
}

mkdir -p "$store/work/new" "$store/work/cur" "$store/work/tmp" \
	"$store/home/new" "$store/home/cur" "$store/home/tmp" \
	"$store/work/.Archive/new" "$store/work/.Archive/cur" "$store/work/.Archive/tmp"
touch "$store/work/.Archive/maildirfolder"
cat >"$store/work/cur/1767000000.M1P1Q1.host:2,S" <<'EOF2'
Date: Sat, 10 Jan 2026 10:00:00 +0000
From: Alice Smith <alice@example.org>
To: bob@example.org
Cc: carol@example.org
Subject: Budget meeting

the quarterly numbers
EOF2
cat >"$store/work/new/1767000001.M1P1Q1.host" <<'EOF2'
Date: Tue, 10 Feb 2026 10:00:00 +0000
From: Bob Jones <bob@example.org>
To: alice@example.org
Subject: Re: Budget meeting
Message-ID: <b@x>

zanzibar is a rare word
EOF2
cat >"$store/home/cur/1767000002.M1P1Q1.host:2,FS" <<'EOF2'
Date: Tue, 10 Mar 2026 10:00:00 +0000
From: Carol King <carol@example.org>
To: dave@example.org
Subject: holiday photos

see you
EOF2
cat >"$store/work/.Archive/cur/1767000003.M1P1Q1.host:2,ST" <<'EOF2'
Date: Fri, 10 Apr 2026 10:00:00 +0000
From: dave@example.org
To: carol@example.org
Subject: old lunch

sandwiches
EOF2
"$SURAT" -c "$cfg" reindex >/dev/null 2>"$tmp/err"
ok $? "reindex a store with a local folder"

# 2-9: fields, status, operators, dates, folders, mutt patterns.
same "$(subjects from:alice)" "Budget meeting"
ok $? "from: matches the sender"
same "$(subjects is:unread)" "Re: Budget meeting"
ok $? "is:unread"
same "$(subjects 'subject:budget' 'NOT' 'is:unread')" "Budget meeting"
ok $? "subject: with NOT"
same "$(subjects '(from:carol OR from:dave)' is:read)" "$(printf 'holiday photos\nold lunch')"
ok $? "parentheses and OR"
same "$(subjects date:2026-02..2026-03)" "$(printf 'Re: Budget meeting\nholiday photos')"
ok $? "a date range of months"
same "$(subjects folder:Archive)" "old lunch"
ok $? "folder: a local folder"
same "$(subjects account:work folder:inbox)" "$(printf 'Budget meeting\nRe: Budget meeting')"
ok $? "account: and folder:inbox"
same "$(subjects '~f' bob '|' '~F')" "$(printf 'Re: Budget meeting\nholiday photos')"
ok $? "mutt patterns ~f, | and ~F"
same "$(subjects zanzibar)" "Re: Budget meeting"
ok $? "a bare word searches the body"

# 11-13: errors say the column, exit 2, one line on stderr, nothing on stdout.
"$SURAT" -c "$cfg" list from:alice form:bob >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -q "^surat: query: column 12: unknown field 'form:'; did you mean from:?" "$tmp/err"
ok $? "an unknown field: its column and the nearest field, exit 2"
"$SURAT" -c "$cfg" list '(a' >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "^surat: query: column 1: missing ')'" "$tmp/err"
ok $? "an unbalanced parenthesis, exit 2"
"$SURAT" -c "$cfg" list date:2026-13 >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 2 ] && grep -q "^surat: query: column 6: bad date" "$tmp/err"
ok $? "a bad date, exit 2"

# 14-16: mutt's patterns as mutt reads them: ~p and ~P from the accounts'
# addresses and alternates in the config, ~h from the files.
cat >"$tmp/config3" <<EOF2
store = "$store";
theme = "default";
alternates = [ "^dave@example\\.org\$" ];
accounts = ( { name = "work"; host = "127.0.0.1"; user = "alice"; from = "Alice <ALICE@example.org>"; } );
EOF2
same "$("$SURAT" -c "$tmp/config3" list '~p' | sed 's/.*  //')" "$(printf 'Re: Budget meeting\nholiday photos')"
ok $? "~p: to an account's address (any case) or one alternates matches"
same "$("$SURAT" -c "$tmp/config3" list '~P' | sed 's/.*  //')" "$(printf 'Budget meeting\nold lunch')"
ok $? "~P: from one of them"
same "$(subjects '~h' '^message-id: <b@')" "Re: Budget meeting"
ok $? "~h reads the header lines of the files"

# 17: a query error wins over a missing store (it is a usage error).
printf 'store = "%s/none";\ntheme = "default";\n' "$tmp" >"$tmp/config2"
"$SURAT" -c "$tmp/config2" list '~X' >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "column 1: unknown pattern '~X'" "$tmp/err"
ok $? "a bad query is reported before the store is looked at"
