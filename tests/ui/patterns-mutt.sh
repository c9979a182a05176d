#!/bin/sh
# mutt's patterns, with neomutt itself as the expectation: the same Maildir
# is read by neomutt (in tmux, as a person would use it: l PATTERN, then the
# rows left) and by `surat list PATTERN`; for each pattern both must select
# the same messages.
. "$(dirname "$0")/lib.sh"

maildir="$UI_STORE/demo"
mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp" "$UI_TMP/home"
# msg N FROM TO SUBJECT BODY [EXTRA HEADER LINES...]: message N, day N of
# January 2026, Message-ID <mN@t>, read (cur/).
msg() {
	n=$1 from=$2 to=$3 subject=$4 body=$5
	shift 5
	secs=$(date -u -d "2026-01-0$n 10:00:00" +%s)
	{
		echo "From: $from"
		echo "To: $to"
		echo "Subject: $subject"
		echo "Date: $(date -u -d "@$secs" -R)"
		echo "Message-ID: <m$n@t>"
		for h in "$@"; do echo "$h"; done
		echo "Content-Type: text/plain; charset=utf-8"
		echo
		echo "$body"
	} >"$maildir/cur/$secs.M${n}P1Q$n.test:2,S"
}
msg 1 "Ann Relay <ann@example.org>" "me@home.example" "S01 Re: the plan" "call the relay"
msg 2 "Debian Bot <bot@lists.example>" "dev@lists.example" "S02 Reminder: upgrade" \
	"Version 12.2 is out" "List-Id: <dev.lists.example>" "Sender: dev-bounces@lists.example" \
	"X-Spam: yes" "In-Reply-To: <m1@t>" "References: <m1@t>"
msg 3 "Me <me@home.example>" "ann@example.org" "S03 Plan B" "no relay here" \
	"Cc: carol@example.net" "In-Reply-To: <m2@t>" "References: <m1@t> <m2@t>"
msg 4 "Zed <zed@example.com>" "old@work.example" "S04 misc" "a zymurgy remark"
msg 5 "Carol <carol@example.net>" "me@home.example" "S05 Lunch?" "noon?"
msg 6 "Dave Dunn <dave@example.org>" "me@home.example" "S06 RE: Plan" "agreed" \
	"Cc: ann@example.org" "In-Reply-To: <m3@t>" "References: <m1@t> <m2@t> <m3@t>"

cat >"$UI_CONFIG" <<CONF
store = "$UI_STORE";
alternates = [ "^old@work\\\\.example\$" ];
accounts = ( { name = "demo"; host = "127.0.0.1"; user = "me"; from = "Me <me@home.example>"; } );
CONF
muttrc="$UI_TMP/muttrc"
cat >"$muttrc" <<MUTT
set mbox_type=Maildir
set folder="$UI_STORE" spoolfile="$maildir"
set header_cache="$UI_TMP/hcache"
set sort=threads
set index_format="%s"
set from="me@home.example"
alternates '^old@work\\.example\$'
lists dev@lists.example
set wait_key=no mark_old=no record=/dev/null postponed=/dev/null sleep_time=0
MUTT

PATTERNS="~f lay
~s Re:
~s re:
~s '^S0[1-3] '
~s '(plan|misc)'
~s 'Re:.*Plan'
~b 'relay$'
~b 'noon[?]'
~B zymurgy
~t me@home
~c ann@
~C carol
~L lists
~e bounces
~h '^X-Spam: yes'
~i 'm[12]@'
~x 'm2@'
~p
~P
~l
~(~f zed)
~<(~f ann)
~>(~s upgrade)
!~(~s Plan)"

# The numbers (01..06) of the subjects the screen or the list shows, sorted.
numbers() { grep -o 'S0[0-9]' | sort -u | tr '\n' ' '; }

"$SURAT" -c "$UI_CONFIG" reindex >/dev/null 2>&1

# neomutt in a pane of its own.
UI_STARTS=$((UI_STARTS + 1))
UI_SOCKET="$UI_SOCKET_BASE-$UI_STARTS"
ui_pane "$UI_WIDTH" "$UI_HEIGHT" \
	"env -i PATH=\"$PATH\" HOME=\"$UI_TMP/home\" TERM=screen-256color LC_ALL=C.UTF-8 TZ=UTC \
	neomutt -n -F \"$muttrc\" -f \"$maildir\"; sleep 600"
wait_for "Msgs:6" 20 || true
# neomutt's status line may keep an old count after a limit, so the rows
# tell, and a marker (:echo) tells when neomutt has done the limit.  A limit
# that matches nothing leaves the view as it was (all six): no pattern here
# matches all six, so six rows mean none.
rows() { ui_screen | grep -o 'S0[0-9]' | sort -u | wc -l; }
all_rows() { [ "$(rows)" -eq 6 ]; }
echo "$PATTERNS" >"$UI_TMP/patterns"
n=0
while IFS= read -r p; do
	n=$((n + 1))
	ui_keys l
	wait_for "Limit to messages matching:" || true
	ui_keys -l "~A" && ui_keys Enter
	ui_poll 10 all_rows || true
	ui_keys l
	wait_for "Limit to messages matching:" || true
	ui_keys -l "$p" && ui_keys Enter
	ui_keys : && ui_keys -l "echo limit-done-$n" && ui_keys Enter
	wait_for "limit-done-$n" || true
	if [ "$(rows)" -eq 6 ]; then
		want=
	else
		want=$(ui_screen | numbers)
	fi
	got=$("$SURAT" -c "$UI_CONFIG" list "$p" 2>/dev/null | numbers)
	if [ "$got" = "$want" ]; then
		ok "$p: neomutt and surat select the same messages (${want:-none})"
	else
		not_ok "$p: neomutt selects '${want}', surat '${got}'"
	fi
done <"$UI_TMP/patterns"
tap_end
