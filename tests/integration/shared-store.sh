#!/bin/sh
# A store shared with other programs, and with other surat processes
# (DESIGN promise 1): nothing lost, no crash, the index catches up.
#   - an MDA writing into the account's tmp/ while surat fetches: surat
#     leaves its file alone (and removes only its own leftovers of dead
#     processes, and what is older than 36 hours, as the Maildir spec says);
#   - two `surat fetch` of one account at once (two terminals), and of two
#     accounts of one store at once;
#   - the interface open while `surat fetch` runs from cron: the new mail
#     shows without a key;
#   - "mutt" changing flags (renaming files in cur/), moving new/ to cur/,
#     moving a message to another folder and deleting one, while the
#     interface runs and while a fetch runs.  The "mutt" here is a script
#     doing exactly the renames mutt and neomutt do on a Maildir.
. "$(dirname "$0")/lib.sh"
dc_require 27
it_require_fetch 27
it_ui shared

dc_start alice bob
dc_seed alice 6 0 1
dc_seed bob 4 0 50
it_config "$(dc_account a alice implicit 'poll_interval = 3600; timeout = 60;')" \
	"$(dc_account b bob implicit 'timeout = 60;')"

# ---- an MDA writing into tmp/ during a fetch ---------------------------------
mkdir -p "$IT_STORE/a/tmp" "$IT_STORE/a/new" "$IT_STORE/a/cur"
host=$(hostname | sed 's|/|\\057|g; s|:|\\072|g')
# A leftover of surat's own from a process that is gone: removed.
sh -c 'exit 0' &
dead=$!
wait "$dead"
leftover="$(date +%s).M1P${dead}Q1.$host"
printf 'half a message' >"$IT_STORE/a/tmp/$leftover"
# Another program's file nobody touched for two days: removed.
printf 'stale' >"$IT_STORE/a/tmp/1600000000.123_4.mda.example"
touch -d '2 days ago' "$IT_STORE/a/tmp/1600000000.123_4.mda.example"
# surat's name, but of a process that is running (an interface's copy): kept.
sleep 120 &
alive=$!
copying="$(date +%s).M1P${alive}Q1.$host"
printf 'being copied' >"$IT_STORE/a/tmp/$copying"
# The MDA: writes its file slowly into tmp/, then renames it into new/.
python3 - "$IT_STORE/a" >"$IT_TMP/mda.out" 2>&1 <<'PY' &
import os, sys, time
md = sys.argv[1]
name = "%d.%d_1.mda.example" % (time.time(), os.getpid())
with open(os.path.join(md, "tmp", name), "w") as f:
    f.write("From: mda@example.org\nSubject: delivered by an MDA\n\n")
    for i in range(40):
        f.write("line %d of a slow delivery\n" % i)
        f.flush()
        time.sleep(0.1)
os.rename(os.path.join(md, "tmp", name), os.path.join(md, "new", name))
print("delivered", name)
PY
mda=$!
sleep 0.5
it_fetch a
wait "$mda"
mda_rc=$?
check "a fetch while an MDA writes into tmp/ succeeds" rc_is 0
check "the MDA's delivery is not disturbed: it renames its whole file into new/" \
	sh -c "[ $mda_rc -eq 0 ] && grep -q delivered '$IT_TMP/mda.out' &&
		grep -q 'line 39 of a slow delivery' $IT_STORE/a/new/*.mda.example"
check "surat's leftover of a dead process is removed from tmp/" test ! -e "$IT_STORE/a/tmp/$leftover"
check "a file untouched for 36 hours is removed from tmp/" \
	test ! -e "$IT_STORE/a/tmp/1600000000.123_4.mda.example"
check "a surat file of a running process is left alone" test -e "$IT_STORE/a/tmp/$copying"
kill "$alive" 2>/dev/null
wait "$alive" 2>/dev/null
rm -f "$IT_STORE/a/tmp/$copying"
rm -f "$IT_STORE"/a/new/*.mda.example
check "every message of the server is stored once" same_content "$(dc_maildir alice)" -- "$IT_STORE/a"

# ---- two surat processes ----------------------------------------------------
dc_seed alice 8 200000 10
dc_seed bob 4 0 60
# The same account from two terminals: one waits for the other's lock.
"$SURAT" -c "$IT_CFG" fetch a >"$IT_TMP/f1.out" 2>"$IT_TMP/f1.err" </dev/null &
f1=$!
"$SURAT" -c "$IT_CFG" fetch a >"$IT_TMP/f2.out" 2>"$IT_TMP/f2.err" </dev/null &
f2=$!
wait "$f1"
r1=$?
wait "$f2"
r2=$?
check "two fetches of one account at once both succeed" sh -c "[ $r1 -eq 0 ] && [ $r2 -eq 0 ]"
check "each message is stored once" same_content "$(dc_maildir alice)" -- "$IT_STORE/a"
check "the index agrees" index_agrees a
# Two accounts of one store at once (one index.db).
"$SURAT" -c "$IT_CFG" fetch a >/dev/null 2>"$IT_TMP/f1.err" </dev/null &
f1=$!
"$SURAT" -c "$IT_CFG" fetch b >/dev/null 2>"$IT_TMP/f2.err" </dev/null &
f2=$!
wait "$f1"
r1=$?
wait "$f2"
r2=$?
check "fetches of two accounts of one store at once succeed" sh -c "[ $r1 -eq 0 ] && [ $r2 -eq 0 ]"
check "and b's mail is stored once" same_content "$(dc_maildir bob)" -- "$IT_STORE/b"

# ---- the interface and a fetch from cron ------------------------------------
it_config "$(dc_account a alice implicit 'poll_interval = 3600; timeout = 60;')"
total=$(store_count a)
ui_start 1
check "the interface starts on the account's $total messages" wait_until 30 screen_has "/$total -- "
dc_seed alice 3 0 30
it_fetch a
check "a fetch from cron while the interface runs succeeds" rc_is 0
total=$((total + 3))
check "the interface shows the new mail without a key" wait_until 20 screen_has "/$total -- "

# ---- "mutt" in the same Maildir while the interface runs --------------------
# Each is what mutt does: flags are a rename in cur/, a message seen moves
# from new/ to cur/, a message saved to another folder is copied there and
# unlinked, a deleted one unlinked.
new_before=$(ui_screen | sed -n 's/.* -- \([0-9]*\) new.*/\1/p' | tail -1)
file=$(grep -lx "Subject: Seeded message 2" "$IT_STORE"/a/new/* | head -1)
mv "$file" "$IT_STORE/a/cur/$(basename "$file"):2,S"
check "mutt marks a message read (new/ -> cur/...:2,S): the interface follows" \
	wait_until 20 screen_has "-- $((new_before - 1)) new"
file=$(grep -lx "Subject: Seeded message 3" "$IT_STORE"/a/new/* | head -1)
base=$(basename "$file")
mv "$file" "$IT_STORE/a/cur/$base:2,"
mv "$IT_STORE/a/cur/$base:2," "$IT_STORE/a/cur/$base:2,FS"
check "mutt flags one: the interface follows (one fewer new)" \
	wait_until 20 screen_has "-- $((new_before - 2)) new"
mkdir -p "$IT_STORE/a/.Saved/tmp" "$IT_STORE/a/.Saved/new" "$IT_STORE/a/.Saved/cur"
file=$(grep -lx "Subject: Seeded message 4" "$IT_STORE"/a/new/* | head -1)
cp "$file" "$IT_STORE/a/.Saved/cur/$(date +%s).M9P9Q9.mutt:2,S"
rm "$file"
file=$(grep -lx "Subject: Seeded message 5" "$IT_STORE"/a/new/* | head -1)
rm "$file"
check "mutt saves one to another folder and deletes another: the inbox follows" \
	wait_until 20 screen_has "/$((total - 2)) -- "
check "the saved message is in the folder's rows" \
	wait_until 10 sh -c "[ \"\$(sqlite3 '$IT_STORE/index.db' \"SELECT count(*) FROM messages
		WHERE account = 'a' AND folder = 'Saved'\")\" -eq 1 ]"
# A message mutt renamed a moment ago, opened and flagged from the interface.
file=$(grep -lx "Subject: Seeded message 6" "$IT_STORE"/a/new/* | head -1)
base=$(basename "$file")
mv "$file" "$IT_STORE/a/cur/$base:2,R"
ui_tmux send-keys -t 0 '/' && ui_tmux send-keys -t 0 -l 'Seeded message 6' && ui_tmux send-keys -t 0 Enter
ui_tmux send-keys -t 0 F
check "flagging a message mutt renamed meanwhile works: its flags join mutt's" \
	wait_until 10 sh -c "ls '$IT_STORE/a/cur/' | grep -qx '$base:2,FR'"
ui_tmux send-keys -t 0 Enter
check "and it opens in the pager" wait_until 10 screen_has "Message 6. Grüße"
check "no error on the screen" screen_lacks "is gone"
ui_tmux send-keys -t 0 q q
check "the interface quits cleanly" wait_until 10 screen_has "EXIT=0"
check "nothing on its stderr (no sanitizer report)" test ! -s "$IT_TMP/ui.err"
it_fetch a
check "the next fetch fetches nothing twice (the deleted and saved ones included)" \
	sh -c "[ $IT_RC -eq 0 ] && ! grep -qE ': C: (RETR|TOP) ' '$IT_ERR'"

# ---- "mutt" while a fetch runs -----------------------------------------------
dc_seed alice 12 300000 100
python3 - "$IT_STORE/a" >"$IT_TMP/mutt.out" 2>&1 <<'PY' &
import os, re, sys, time
md = sys.argv[1]
deadline = time.time() + 60
moved = 0
while time.time() < deadline and moved < 12:
    for name in os.listdir(os.path.join(md, "new")):
        try:
            body = open(os.path.join(md, "new", name), "rb").read()
        except OSError:
            continue
        if not re.search(rb"\nSubject: Seeded message 1[0-9][0-9]\n", body):
            continue
        # Read, then flagged: two renames, as mutt makes them.
        try:
            os.rename(os.path.join(md, "new", name), os.path.join(md, "cur", name + ":2,S"))
            os.rename(os.path.join(md, "cur", name + ":2,S"), os.path.join(md, "cur", name + ":2,FS"))
            moved += 1
        except OSError:
            pass
    time.sleep(0.005)
print("moved", moved)
PY
mutt=$!
it_fetch a
wait "$mutt"
check "a fetch while mutt renames what it delivers succeeds" rc_is 0
comment "mutt: $(cat "$IT_TMP/mutt.out")"
# (index_agrees looks at the inbox only: the folder goes first.)
rm -rf "$IT_STORE/a/.Saved"
"$SURAT" -c "$IT_CFG" reindex >/dev/null 2>&1
check "after reindex the index agrees with the files" index_agrees a
it_fetch a
check "and the next fetch fetches nothing twice" \
	sh -c "[ $IT_RC -eq 0 ] && ! grep -qE ': C: (RETR|TOP) ' '$IT_ERR'"
tap_end
