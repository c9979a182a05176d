#!/bin/sh
# The faulty-SMTP-server cases of `surat send` (TAP, one line per case): for
# each tests/integration/send-faults/*.case, start fakesmtp.py on a free port
# on 127.0.0.1, queue the messages the case queues first (the smtp port
# closed), run `surat -c CFG send ...` against the server with the message
# on stdin and a clean HOME, and check what the case expects (exit status,
# stderr, what the server received and delivered, the Outbox, Sent and the
# index); with "rerun", `surat send --queue` again, now to a well-behaved
# server, shows the final state: every message delivered exactly once
# (twice only where the promise allows it: a final dot never answered).
# See fakesmtp.py for the format.
#
# SEND_FAULTS=NAME[,NAME...] runs only those cases.
. "$(dirname "$0")/lib.sh"

FAKE="$IT_SRC/fakesmtp.py"
# The interpreter itself: a python3 on PATH may be a shim (pyenv's) that
# costs half a second a start.  Run with -S: fakesmtp.py needs nothing but
# the standard library, and site-packages' hooks cost a tenth of a second.
PYTHON=$(python3 -c 'import sys; print(sys.executable)') || PYTHON=python3
CERTS="$IT_TMP/tls"
FAKE_PID=
SURAT_PID=

fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}
surat_stop() {
	[ -n "$SURAT_PID" ] || return 0
	kill -9 "$SURAT_PID" 2>/dev/null
	wait "$SURAT_PID" 2>/dev/null
	SURAT_PID=
}
trap 'surat_stop; fake_stop; it_cleanup' EXIT

# surat_send DIR CONF NAME ARGS...: surat send with a clean HOME (nothing
# of the user's configuration can leak in), stdin from DIR/stdin, output in
# DIR/NAME.out and DIR/NAME.err.  (Variables of its own: sh has no locals.)
surat_send() {
	ss_dir=$1 ss_conf=$2 ss_name=$3
	shift 3
	env -u XDG_CONFIG_HOME -u SURAT_CONFIG HOME="$ss_dir/home" \
		timeout -k 5 "$case_limit" "$SURAT" -c "$ss_conf" send "$@" \
		<"$ss_dir/stdin" >"$ss_dir/$ss_name.out" 2>"$ss_dir/$ss_name.err"
}

# fake_up DIR: the server listens, or it is gone.
fake_up() {
	test -s "$1/port" && return 0
	! kill -0 "$FAKE_PID" 2>/dev/null
}

# fake_start CASE DIR: start the server for CASE; its files (case.sh,
# messages/, queue.conf, surat.conf) are there once it listens.
fake_start() {
	"$PYTHON" -S "$FAKE" serve "$1" --dir "$2" --certs "$CERTS" 2>>"$2/server.err" &
	FAKE_PID=$!
	wait_until 20 fake_up "$2" && test -s "$2/port" && return 0
	echo "# fakesmtp.py did not start:"
	sed 's/^/#   /' "$2/server.err"
	fake_stop
	return 1
}

# queue_first DIR: queue the case's "queued" messages with the smtp port
# closed; each must stay waiting (exit 1).  With "due", their retry is due.
queue_first() {
	for qf_m in $case_queued; do
		cp "$1/messages/$qf_m" "$1/stdin"
		surat_send "$1" "$1/queue.conf" "queue-$qf_m" -t
		qf_rc=$?
		[ "$qf_rc" -eq 1 ] && continue
		echo "# queueing $qf_m: exit $qf_rc, expected 1:"
		sed 's/^/#   /' "$1/queue-$qf_m.err"
		return 1
	done
	# A minute later, as far as the Outbox knows: their retry is due.
	[ -z "$case_due" ] || sqlite3 "$1/store/index.db" "UPDATE outbox SET next_try = 0;"
}

# fake_checked DIR PHASE: the server has checked PHASE, or it is gone.
fake_checked() {
	test -s "$1/check-$2.rc" && return 0
	! kill -0 "$FAKE_PID" 2>/dev/null
}

# fake_check DIR PHASE RC SECS: the running server checks PHASE (surat
# exited with RC after SECS seconds) and says what is wrong.
fake_check() {
	printf 'check %s %s %s\n' "$2" "$3" "$4" >"$1/request.tmp" &&
		mv "$1/request.tmp" "$1/request"
	if ! wait_until 60 fake_checked "$1" "$2" || ! test -s "$1/check-$2.rc"; then
		echo "# fakesmtp.py did not check $2:"
		sed 's/^/#   /' "$1/server.err"
		return 1
	fi
	cat "$1/check-$2.txt"
	[ "$(cat "$1/check-$2.rc")" = 0 ]
}

# run_phase DIR PHASE: run surat send for PHASE (main: the case's arguments
# and message; rerun: --queue) against the server, then check it.
run_phase() {
	rp_dir=$1 rp_phase=$2
	echo "$rp_phase" >"$rp_dir/phase"
	: >"$rp_dir/stdin"
	if [ "$rp_phase" = main ]; then
		# shellcheck disable=SC2086
		set -- $case_args
		[ -z "$case_stdin" ] || cp "$rp_dir/messages/$case_stdin" "$rp_dir/stdin"
	else
		set -- --queue
	fi
	start=$(date +%s.%N)
	if [ "$rp_phase" = main ] && [ -n "$case_kill" ]; then
		# Not under timeout(1): the kill must reach surat itself.
		env -u XDG_CONFIG_HOME -u SURAT_CONFIG HOME="$rp_dir/home" \
			"$SURAT" -c "$rp_dir/surat.conf" send "$@" <"$rp_dir/stdin" \
			>"$rp_dir/$rp_phase.out" 2>"$rp_dir/$rp_phase.err" &
		SURAT_PID=$!
		wait_until "$case_limit" grep -qE -- "$case_kill" "$rp_dir/server-$rp_phase.log" ||
			echo "# the server's log never matched /$case_kill/: killed anyway"
		kill -9 "$SURAT_PID"
		wait "$SURAT_PID"
		rc=$?
		SURAT_PID=
	else
		surat_send "$rp_dir" "$rp_dir/surat.conf" "$rp_phase" "$@"
		rc=$?
	fi
	secs=$(echo "$(date +%s.%N) $start" | awk '{ printf "%.2f", $1 - $2 }')
	fake_check "$rp_dir" "$rp_phase" "$rc" "$secs"
}

# run_case CASE DIR: the whole case, one server for both phases.
run_case() {
	fake_start "$1" "$2" || return 1
	# What the server wrote for the case: its settings, messages, queue.conf.
	. "$2/case.sh"
	queue_first "$2" && run_phase "$2" main &&
		{ [ -z "$case_rerun" ] || run_phase "$2" rerun; }
	rc_case=$?
	fake_stop
	if [ -s "$2/server.err" ]; then
		echo "# fakesmtp.py failed:"
		sed 's/^/#   /' "$2/server.err"
		return 1
	fi
	return "$rc_case"
}

it_certs "$CERTS" || { echo "Bail out! cannot make the test certificates"; exit 1; }

t0=$(date +%s)
for f in "$IT_SRC"/send-faults/*.case; do
	name=$(basename "$f" .case)
	if [ -n "${SEND_FAULTS:-}" ]; then
		case ",$SEND_FAULTS," in *",$name,"*) ;; *) continue ;; esac
	fi
	dir="$IT_TMP/$name"
	mkdir -p "$dir"
	# case.sh sets these; a case whose server never started has these.
	case_desc='' case_limit=60 case_queued='' case_due='' case_stdin='' case_args=''
	case_kill='' case_rerun=''
	# Not in a subshell: the EXIT trap must see FAKE_PID to stop the server.
	run_case "$f" "$dir" >"$dir/result" 2>&1
	st=$?
	if [ "$st" -eq 0 ]; then
		ok "$name: $case_desc"
	else
		tap_n=$((tap_n + 1))
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $name: $case_desc"
		sed 's/^\([^#]\)/# \1/' "$dir/result"
	fi
done
comment "send-faults.sh took $(($(date +%s) - t0)) s"
tap_end
