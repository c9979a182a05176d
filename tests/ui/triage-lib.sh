# tests/ui/triage-lib.sh: messages for the triage tests (threads, sort,
# search, limit, tags), written straight into a Maildir before surat starts.
# Sourced after lib.sh.

# tri_setup [CONFIG LINES]: an empty account "demo" and a config; extra
# config lines (sort = "thread"; ...) come as arguments.
tri_setup() {
	mkdir -p "$UI_TMP/home" "$UI_STORE/demo/new" "$UI_STORE/demo/cur" "$UI_STORE/demo/tmp"
	{
		echo "store = \"$UI_STORE\";"
		echo 'theme = "default";'
		echo 'index_lines = 6;'
		echo 'accounts = ( { name = "demo"; host = "127.0.0.1"; user = "alice"; } );'
		for line in "$@"; do echo "$line"; done
	} >"$UI_CONFIG"
}

# tri_msg N DAY FROM SUBJECT PARENT REFERENCES BODY [S]: message N, sent on
# day DAY of January 2026 at 10:00 UTC, Message-ID <mN@test>; PARENT and
# REFERENCES are message numbers ("" for none).  With S it is read (cur/).
tri_msg() {
	n=$1 day=$2 from=$3 subject=$4 parent=$5 refs=$6 body=$7 seen=${8:-}
	secs=$(date -u -d "2026-01-$day 10:00:00" +%s)
	file="$UI_STORE/demo/new/$secs.M${n}P1Q$n.test"
	[ -n "$seen" ] && file="$UI_STORE/demo/cur/$secs.M${n}P1Q$n.test:2,S"
	{
		echo "From: $from <$(echo "$from" | tr 'A-Z ' 'a-z.')@example.org>"
		echo "To: Alice <alice@example.net>"
		echo "Subject: $subject"
		echo "Date: $(date -u -d "@$secs" -R)"
		echo "Message-ID: <m$n@test>"
		[ -n "$parent" ] && echo "In-Reply-To: <m$parent@test>"
		if [ -n "$refs" ]; then
			r=
			for x in $refs; do r="$r <m$x@test>"; done
			echo "References:$r"
		fi
		echo "Content-Type: text/plain; charset=utf-8"
		echo
		echo "$body"
	} >"$file"
}

# tri_threads: two threads and a single message:
#   1 Plan (Ann, day 1)
#   ├─> 2 Re: Plan (Bob, day 2)
#   │   └─> 4 Re: Plan (Carla, day 4)
#   └─> 3 Re: Plan (Dave, day 3)
#   5 Lunch (Eve, day 5)
#   6 Budget (Fred, day 6)
#   └─> 7 Re: Budget (Gina, day 7)
# Unread: 3, 4 and 7.
tri_threads() {
	tri_msg 1 01 "Ann Arbor" "Plan" "" "" "The plan is ready." S
	tri_msg 2 02 "Bob Brown" "Re: Plan" 1 "1" "Looks good to me." S
	tri_msg 3 03 "Dave Dunn" "Re: Plan" 1 "1" "I have a question."
	tri_msg 4 04 "Carla Cruz" "Re: Plan" 2 "1 2" "Agreed, with a zymurgy remark."
	tri_msg 5 05 "Eve Evans" "Lunch" "" "" "Lunch at noon?" S
	tri_msg 6 06 "Fred Ford" "Budget" "" "" "The budget for next year." S
	tri_msg 7 07 "Gina Gray" "Re: Budget" 6 "6" "Numbers attached."
}

# wait_cmd COMMAND... : poll until COMMAND succeeds (10 s).
wait_cmd() { ui_poll 10 "$@"; }
