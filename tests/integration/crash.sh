#!/bin/sh
# kill -9 in the middle of a fetch (large messages, so it is mid-RETR), then
# a rerun: exactly one copy of every message, the index agrees, and with
# keep = false nothing was deleted on the server that is not stored.
. "$(dirname "$0")/lib.sh"
dc_require 15
it_require_fetch 15

dc_start alice bob
dc_seed alice 40 2000000
dc_seed bob 40 2000000 100
snapshot_server alice
snapshot_server bob
it_config "$(dc_account keep alice implicit)" "$(dc_account nokeep bob implicit 'keep = false;')"

# kill_at ACCOUNT N: start `surat fetch ACCOUNT`, and SIGKILL it as soon as N
# message files are in the account's tmp/ and new/ together; prints how many
# were in new/ then, or "finished" if the fetch ended first.  The whole
# process group dies at once (the parent and the account's child that is
# doing the fetching), as in a power cut.
kill_at() {
	python3 - "$SURAT" "$IT_CFG" "$IT_STORE/$1" "$1" "$2" <<'PY'
import os, signal, subprocess, sys, time
surat, cfg, md, account, n = sys.argv[1:6]
p = subprocess.Popen([surat, "-c", cfg, "fetch", account], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
def count(sub):
    try:
        return len(os.listdir(os.path.join(md, sub)))
    except OSError:
        return 0
deadline = time.time() + 120
while p.poll() is None and time.time() < deadline:
    if count("tmp") + count("new") >= int(n):
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        print(count("new"))
        sys.exit(0)
    time.sleep(0.001)
if p.poll() is None:
    os.killpg(p.pid, signal.SIGKILL)
print("finished")
PY
}

# One round: kill at N files, check the server was left alone, rerun, check.
round() {
	acct=$1 user=$2 n=$3
	at=$(kill_at "$acct" "$n")
	comment "$acct: killed with $at messages in new/"
	check "$acct: killed mid-fetch at $n files (not after it finished)" \
		sh -c "[ '$at' != finished ] && [ '$at' -lt 40 ]"
	check "$acct: the server still has every message after the kill" server_unchanged "$user"
	it_fetch "$acct"
	check "$acct: the rerun succeeds" rc_is 0
	check "$acct: exactly one copy of every message, byte for byte" same_as_snapshot "$user" "$acct"
	check "$acct: the index agrees" index_agrees "$acct"
}

# At the first file, then (into a fresh store) half way through.
round keep alice 1
rm -rf "${IT_STORE:?}/keep"
sql "DELETE FROM messages WHERE account = 'keep';"
round keep alice 20
round nokeep bob 15
check "nokeep: the server's mailbox is empty after the rerun" test "$(dc_count bob)" -eq 0
tap_end
