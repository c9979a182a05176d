#!/bin/sh
# Write errors during a fetch (DESIGN promise 1): write, fsync, syncfs and
# rename fail with EIO and with ENOSPC at each step of a batch's delivery
# (faultfs.so, an LD_PRELOAD library; FAULTFS names the fault), and a
# writeback error (the write succeeds, the disk fails later) that only a
# sync through an fd opened before the write can see.  With keep = false
# against the private Dovecot, each time: the fetch fails with an error
# naming the account, nothing is DELE'd, nothing partial shows in new/ or
# cur/, and the next fetch (without the fault) completes with exactly one
# copy of each message.  Then a real full disk: a small tmpfs as the store.
. "$(dirname "$0")/lib.sh"

FAULTFS_SO="${SURAT_BUILDDIR:-.}/tests/integration/faultfs.so"
# Each fault case: 9 checks; then the full disk: 8.
CASES="
write-eio-first           write:EIO:/nokeep/tmp/
write-enospc-mid-batch    write:ENOSPC:/nokeep/tmp/:12
writeback-eio             wb:EIO:/nokeep/tmp/:7:1
syncfs-eio                syncfs:EIO:/nokeep
syncfs-enospc             syncfs:ENOSPC:/nokeep
journal-write-eio         write:EIO:/nokeep/surat-uidls
journal-write-enospc      write:ENOSPC:/nokeep/surat-uidls
rename-eio-mid-batch      rename:EIO:/nokeep/new/:9:1
rename-enospc             rename:ENOSPC:/nokeep/new/
dir-fsync-eio             fsync:EIO:/nokeep/new
index-write-eio           write:EIO:/index.db-wal
index-fsync-enospc        fsync:ENOSPC:/index.db-wal:2
old-kernel-fsync-eio      uname:5.4.0:;fsync:EIO:/nokeep/tmp/:5:1
old-kernel-writeback-eio  uname:5.4.0:;wb:EIO:/nokeep/tmp/:3:1
"
n_cases=$(printf '%s\n' "$CASES" | grep -c .)
total=$((n_cases * 9 + 8))
dc_require "$total"
it_require_fetch "$total"
if [ ! -f "$FAULTFS_SO" ]; then
	i=0
	while [ "$i" -lt "$total" ]; do skip "faultfs.so not built"; i=$((i + 1)); done
	tap_end
	exit 0
fi

dc_start alice
it_config "$(dc_account nokeep alice implicit 'keep = false;')"
seeded=0

# reseed: 30 new messages of about 20 KB on the server (one batch, several
# writes each), each round numbered apart: Dovecot takes files that come
# back under an expunged name for new ones.
reseed() {
	md=$(dc_maildir alice)
	rm -rf "$md/new" "$md/cur"
	mkdir -p "$md/new" "$md/cur"
	dc_seed alice 30 20000 $((seeded * 100 + 1))
	seeded=$((seeded + 1))
	snapshot_server alice
}

# only_whole ACCOUNT: every file in new/ and cur/ is one of the server's
# messages byte for byte, and none is there twice (nothing half-written).
only_whole() {
	hashes "$IT_STORE/$1" >"$IT_TMP/store.sha"
	bad=$(comm -23 "$IT_TMP/store.sha" "$IT_TMP/alice.sha" | wc -l)
	dups=$(uniq -d "$IT_TMP/store.sha" | wc -l)
	[ "$bad" -eq 0 ] && [ "$dups" -eq 0 ] && return 0
	echo "# $bad files that are no message of the server's, $dups doubled"
	return 1
}

# fault_fetch RULE: surat fetch with FAULTFS=RULE preloaded.  The
# sanitizers' runtime is preloaded first (ASan insists on coming first).
fault_fetch() {
	: >"$IT_TMP/faults.log"
	asan=$(ldd "$SURAT" | sed -n 's/.*\(libasan[^ ]*\) => \([^ ]*\).*/\2/p' | head -1)
	preload="$FAULTFS_SO"
	[ -n "$asan" ] && preload="$asan $FAULTFS_SO"
	FAULTFS="$1" FAULTFS_LOG="$IT_TMP/faults.log" LD_PRELOAD="$preload" it_fetch
}

while read -r name rule; do
	[ -n "$name" ] || continue
	reseed
	rm -rf "$IT_STORE"
	# A store with its index, so the faults hit a fetch, not the index's creation.
	"$SURAT" -c "$IT_CFG" reindex >/dev/null 2>&1 </dev/null
	fault_fetch "$rule"
	comment "$name: $(head -3 "$IT_TMP/faults.log" | tr '\n' ' ')"
	check "$name: the fault was reached" test -s "$IT_TMP/faults.log"
	check "$name: the fetch fails (status 1)" rc_is 1
	check "$name: the error names the account" grep -q "^surat: nokeep: " "$IT_ERR"
	check "$name: nothing was deleted on the server" server_unchanged alice
	check "$name: nothing partial or doubled in new/ or cur/" only_whole nokeep
	it_fetch
	check "$name: the next fetch succeeds" rc_is 0
	check "$name: then exactly one copy of each message" same_as_snapshot alice nokeep
	check "$name: and the server's mailbox is empty (keep = false)" test "$(dc_count alice)" -eq 0
	check "$name: the index agrees" index_agrees nokeep
done <<EOF
$CASES
EOF

# ---- a real full disk: the store on a small tmpfs ---------------------------
MNT="$IT_TMP/small"
full_disk() {
	reseed
	rm -rf "$IT_STORE"
	mkdir -p "$MNT"
	if ! mount -t tmpfs -o size=300k,mode=0700 surat-test "$MNT" 2>"$IT_TMP/mount.err"; then
		reason="cannot mount a tmpfs here: $(head -1 "$IT_TMP/mount.err")"
		i=0
		while [ "$i" -lt 8 ]; do skip "$reason" "full disk"; i=$((i + 1)); done
		return 0
	fi
	trap 'umount "$MNT" 2>/dev/null; it_cleanup' EXIT
	ln -s "$MNT" "$IT_STORE"
	it_fetch
	check "full disk: the fetch fails (status 1)" rc_is 1
	check "full disk: the error names the account and says the disk is full" \
		sh -c "grep '^surat: nokeep: ' '$IT_ERR' | grep -qiE 'space|full'"
	check "full disk: nothing was deleted on the server" server_unchanged alice
	check "full disk: nothing partial or doubled in new/ or cur/" only_whole nokeep
	check "full disk: no half-written file is left in tmp/" \
		test "$(find "$IT_STORE/nokeep/tmp" -type f | wc -l)" -eq 0
	mount -o remount,size=16m "$MNT"
	it_fetch
	check "full disk: with space again, the next fetch succeeds" rc_is 0
	check "full disk: then exactly one copy of each message" same_as_snapshot alice nokeep
	check "full disk: the index agrees" index_agrees nokeep
	umount "$MNT"
	trap it_cleanup EXIT
}
full_disk
tap_end
