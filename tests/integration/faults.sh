#!/bin/sh
# The faulty-server cases (TAP, one line per case): for each
# tests/integration/faults/*.case, start fakepop3.py on a free port on
# 127.0.0.1, run `surat -c CFG fetch -v` against it, and check what the case
# expects (exit status, error line, stored messages, what the server received);
# with "rerun", fetch again from a well-behaved server with the same mailbox
# (or its rerun-mailbox) and check that nothing was lost or doubled.  A case
# with "matrix" lines runs once per variant (one TAP line each).  See
# fakepop3.py for the format.
#
# FAULTS=NAME[,NAME...] runs only those cases; FAULTS_SHARD=K/N only every
# Nth case from the Kth: ./check runs faults-1.sh and faults-2.sh, the two
# halves side by side, as most of a case's time is a server's wait.
. "$(dirname "$0")/lib.sh"

FAKE="$IT_SRC/fakepop3.py"
CERTS="$IT_TMP/tls"
FAKE_PID=

fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}
trap 'fake_stop; it_cleanup' EXIT

# fake_run CASE DIR PHASE VARIANT LIMIT FETCH_ARGS [--plain]: serve CASE,
# fetch from it (surat fetch -v FETCH_ARGS), check PHASE.
fake_run() {
	case_file=$1 dir=$2 phase=$3 variant=$4 limit=$5 fetch_args=$6
	shift 6
	rm -f "$dir/port"
	python3 "$FAKE" serve "$case_file" --certs "$CERTS" --port-file "$dir/port" \
		--log "$dir/server-$phase.log" --state "$dir/state" --store "$dir/store" \
		--phase "$phase" --variant "$variant" "$@" 2>>"$dir/server.err" &
	FAKE_PID=$!
	if ! wait_until 20 test -s "$dir/port"; then
		echo "# fakepop3.py did not start:"
		sed 's/^/#   /' "$dir/server.err"
		fake_stop
		return 1
	fi
	python3 "$FAKE" config "$case_file" --certs "$CERTS" --port "$(cat "$dir/port")" \
		--store "$dir/store" --variant "$variant" >"$dir/surat.conf"
	chmod 600 "$dir/surat.conf"
	if [ "$phase" = main ] && grep -q '^prestore ' "$case_file"; then
		# surat makes the index (its schema), the case fills it.
		"$SURAT" -c "$dir/surat.conf" reindex >"$dir/prestore.out" 2>&1 &&
			python3 "$FAKE" prestore "$case_file" --store "$dir/store" \
			>>"$dir/prestore.out" 2>&1 ||
			{ echo "# prestore failed:"; sed 's/^/#   /' "$dir/prestore.out"; fake_stop; return 1; }
	fi
	echo "event: fetch ($phase)" >>"$dir/server-$phase.log"
	start=$(date +%s.%N)
	timeout -k 5 "$limit" "$SURAT" -c "$dir/surat.conf" fetch -v $fetch_args >"$dir/$phase.out" \
		2>"$dir/$phase.err" </dev/null
	rc=$?
	secs=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.2f", $1 - $2 }')
	fake_stop
	if [ -s "$dir/server.err" ]; then
		echo "# fakepop3.py failed:"
		sed 's/^/#   /' "$dir/server.err"
		return 1
	fi
	python3 "$FAKE" check "$case_file" --store "$dir/store" --stderr "$dir/$phase.err" \
		--log "$dir/server-$phase.log" --rc "$rc" --secs "$secs" --phase "$phase" \
		--variant "$variant"
}

it_certs "$CERTS" || { echo "Bail out! cannot make the test certificates"; exit 1; }

cases=
i=0
for f in "$IT_SRC"/faults/*.case; do
	name=$(basename "$f" .case)
	i=$((i + 1))
	if [ -n "${FAULTS:-}" ]; then
		case ",$FAULTS," in *",$name,"*) ;; *) continue ;; esac
	fi
	# FAULTS_SHARD=K/N: every Nth case from the Kth (faults-1.sh, faults-2.sh)
	if [ -n "${FAULTS_SHARD:-}" ] &&
		[ $(((i - 1) % ${FAULTS_SHARD#*/})) -ne $((${FAULTS_SHARD%/*} - 1)) ]; then
		continue
	fi
	cases="$cases $f"
done

built=1
it_fetch_built || built=0
for f in $cases; do
	name=$(basename "$f" .case)
	desc=$(python3 "$FAKE" desc "$f" | sed -n 1p)
	limit=$(python3 "$FAKE" desc "$f" | sed -n 3p)
	rerun_args=$(python3 "$FAKE" desc "$f" | sed -n 4p)
	for variant in $(python3 "$FAKE" variants "$f"); do
		title="$name: $desc"
		[ "$variant" = - ] || title="$name [$variant]: $desc"
		if [ "$built" -eq 0 ]; then
			skip "fetch not built" "$title"
			continue
		fi
		dir="$IT_TMP/$name"
		[ "$variant" = - ] || dir="$IT_TMP/$name.$(echo "$variant" | tr ',=' '._')"
		mkdir -p "$dir"
		# Not in a subshell: the EXIT trap must see FAKE_PID to stop the server.
		fake_run "$f" "$dir" main "$variant" "$limit" "" >"$dir/result" 2>&1
		st=$?
		if [ "$st" -eq 0 ] && grep -q '^rerun$' "$f"; then
			fake_run "$f" "$dir" rerun "$variant" "$limit" "$rerun_args" --plain \
				>>"$dir/result" 2>&1
			st=$?
		fi
		if [ "$st" -eq 0 ]; then
			ok "$title"
		else
			tap_n=$((tap_n + 1))
			tap_failed=$((tap_failed + 1))
			echo "not ok $tap_n - $title"
			sed 's/^\([^#]\)/# \1/' "$dir/result"
		fi
	done
done
tap_end
