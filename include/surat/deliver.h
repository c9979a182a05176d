/*
 * deliver: put messages into an account's Maildir and the index so that a
 * crash, kill -9 or full disk at any instant keeps DESIGN promise 1: after
 * the next deliver_open, every message is there exactly once, and a UIDL is
 * known to the index only when its file is durable.
 *
 * The order, for a batch (group commit):
 *   1. each message is written to tmp/<unique> (deliver_add);
 *   2. deliver_commit: the batch's UIDLs go into the Maildir's UIDL journal
 *      (uidls.h); one sync makes the tmp files and the journal durable and
 *      reports any of their writes that failed (syncfs on an fd opened
 *      before the batch's first write: at deliver_open, then before each
 *      commit's sync for the next batch; doc/internals/durability.md); one
 *      index transaction records them as PENDING rows (with UIDL); the files
 *      are renamed into new/; new/ is fsync'ed once; one transaction marks
 *      the rows STORED.  Only after deliver_commit returns may the caller
 *      DELE.
 * A tmp file added to a batch by other means must have been written after
 * deliver_open or the previous deliver_commit, so the batch's sync covers it;
 * one written by another thread while a commit runs holds on to the sync
 * point it was written under (deliver_stream_open_batched), and the batch it
 * joins syncs through the oldest such point.
 * Recovery (run by deliver_open): a PENDING row whose file is in new/ or cur/
 * becomes STORED; one whose file is still in tmp/ (complete, it was synced
 * before the row was written) is renamed into new/ and becomes STORED; one
 * with no file is dropped (the fetcher fetches it again).  A tmp/ file of
 * surat's own from a process that is gone, or untouched for 36 hours, is an
 * unfinished write and is removed; other programs' files are left alone.
 * When the index knows nothing of the account but its UIDL journal does
 * (index.db lost), the account is reindexed first, so no UIDL is unknown.
 *
 * Uses store.h for files and index.h for rows; knows nothing of POP3.
 */
#ifndef SURAT_DELIVER_H
#define SURAT_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "index.h"

#define DELIVER_ERROR (deliver_error_quark())
GQuark deliver_error_quark(void);

/*
 * Errors are mostly passed up from store.h (STORE_ERROR_FULL for a full disk,
 * STORE_ERROR_IO) and index.h, prefixed with "account NAME: ".
 */
enum deliver_error_code {
	DELIVER_ERROR_IO,        /* a system call of deliver's own failed */
	DELIVER_ERROR_DUPLICATE, /* the UIDL is already in the index or the batch */
};

struct deliver;

/*
 * Start delivering into the Maildir MAILDIR (created if missing) of ACCOUNT,
 * indexing into IDX (borrowed; must outlive the batch).  FALLBACKS are the
 * configuration's charset_fallbacks (borrowed; NULL: the default) for the
 * rows it makes itself and for restoring the index from the UIDL journal.
 * Runs recovery first.
 */
struct deliver *deliver_open(struct index *idx, const char *account, const char *maildir,
    const char *const *fallbacks, GError **error);

/*
 * Queue one message: LEN bytes at BUF (already dot-unstuffed, LF line ends),
 * with UIDL (may be NULL) and PARTIAL (headers only).  The file is written
 * to tmp/ now and becomes visible at deliver_commit.  A UIDL the account
 * already has (in the index or this batch) is refused with
 * DELIVER_ERROR_DUPLICATE, so a caller's mistake cannot double a message.
 * A failed write (STORE_ERROR_FULL for a full disk) leaves no file behind.
 */
bool deliver_add(struct deliver *d, const char *buf, size_t len, const char *uidl, bool partial, GError **error);

/*
 * What deliver_add reads from a message for its index row, computed apart so
 * a caller can do it on another thread than the one writing files.
 */
struct deliver_summary {
	struct index_message msg; /* the header fields of summary.h */
	char *body_text;          /* for full-text search */
};

/*
 * Fill *SUMMARY from the LEN bytes at BUF, reading text without a usable
 * charset with FALLBACKS (summary.h) (any thread; no state touched); its
 * body text only with BODY (see deliver_set_bodies_later).
 */
void deliver_summarize(const char *buf, size_t len, const char *const *fallbacks, bool body,
    struct deliver_summary *summary);

/* Free what *SUMMARY holds and zero it. */
void deliver_summary_clear(struct deliver_summary *summary);

/*
 * deliver_add with the summary already made by deliver_summarize for the
 * same bytes; takes what *SUMMARY holds (it is cleared).
 */
bool deliver_add_summarized(struct deliver *d, const char *buf, size_t len, const char *uidl,
    bool partial, struct deliver_summary *summary, GError **error);

/* Messages queued since the last commit. */
size_t deliver_pending(const struct deliver *d);

/*
 * Make every queued message durable and indexed (steps 2 above).  On failure
 * the queued messages are left to recovery.  The ids of the new rows are
 * appended to IDS (int64_t, may be NULL).
 */
bool deliver_commit(struct deliver *d, GArray *ids, GError **error);

/*
 * Replace the file of ROW, a message stored headers-only (partial), with the
 * whole message BUF: written to tmp/ and synced, renamed over the old file
 * (atomic: the old content or the new, never neither), then the row updated
 * in place (partial cleared, size, summary; id, UIDL, flags and arrival kept).
 * A crash in between leaves the row partial, so the next fetch --rest does it
 * again; nothing is lost or doubled.
 */
bool deliver_replace(struct deliver *d, const struct index_message *row, const char *buf,
    size_t len, GError **error);

/*
 * A large message written into tmp/ as it arrives, never held whole in
 * memory: deliver_stream_open, deliver_stream_write for each piece,
 * deliver_stream_finish (fstat, fsync and close: the file is durable on its
 * own, whatever the batch's way of syncing), then deliver_add_stream (queued
 * like deliver_add; the summary is parsed from the file) or
 * deliver_replace_stream (as deliver_replace).  deliver_stream_discard
 * removes the file of a message not to be delivered (a dropped connection).
 * Open, write, finish and discard touch only what deliver_open set, so the
 * network thread may call them while another thread adds and commits.
 */
struct deliver_stream;

/* A new tmp file in D's Maildir, or in that of ROW's folder (ROW for deliver_replace_stream). */
struct deliver_stream *deliver_stream_open(struct deliver *d, const struct index_message *row,
    GError **error);
bool deliver_stream_write(struct deliver_stream *s, const void *buf, size_t len, GError **error);
size_t deliver_stream_size(const struct deliver_stream *s);
bool deliver_stream_finish(struct deliver_stream *s, GError **error);
/* Remove the file and free S (NULL is fine). */
void deliver_stream_discard(struct deliver_stream *s);

/*
 * A stream for a message that joins a batch unsynced, written by another
 * thread than the one that commits (the network thread, so that no copy of
 * the message waits in memory for the committing one).  It holds on to D's
 * sync point of the moment: the batch it joins syncs through an fd opened
 * before its first write, as deliver_add's files.  Write it whole, then
 * deliver_add_written; nothing else (no deliver_stream_finish).
 */
struct deliver_stream *deliver_stream_open_batched(struct deliver *d, GError **error);

/*
 * Queue the message of S, opened with deliver_stream_open_batched and
 * written whole, as deliver_add_summarized queues its bytes: SUMMARY is
 * deliver_summarize's of the same bytes.  Not synced here (deliver_commit
 * does it for the batch).  Takes S and what *SUMMARY holds, also on failure
 * (the file is then removed).
 */
bool deliver_add_written(struct deliver *d, struct deliver_stream *s, const char *uidl,
    bool partial, struct deliver_summary *summary, GError **error);

/* deliver_add for a finished stream S; takes S, also on failure. */
bool deliver_add_stream(struct deliver *d, struct deliver_stream *s, const char *uidl,
    bool partial, GError **error);

/* deliver_replace with a finished stream S (opened for ROW); takes S. */
bool deliver_replace_stream(struct deliver *d, const struct index_message *row,
    struct deliver_stream *s, GError **error);

/* Drop what is queued and not committed (their tmp files are removed); free D. */
void deliver_free(struct deliver *d);

/*
 * For tests of promise 1: stop dead (_exit) right after step STEP of the next
 * commit, as a crash would.  0 disables.
 */
enum deliver_crash_point {
	DELIVER_CRASH_NONE,
	DELIVER_CRASH_AFTER_TMP_WRITE,   /* files in tmp/, not synced */
	DELIVER_CRASH_AFTER_SYNC,        /* files synced, no rows */
	DELIVER_CRASH_AFTER_PENDING,     /* PENDING rows committed */
	DELIVER_CRASH_AFTER_RENAME,      /* some files in new/ */
	DELIVER_CRASH_AFTER_DIR_SYNC,    /* new/ synced, rows still PENDING */
	DELIVER_CRASH_AFTER_STORED,      /* rows STORED */
};
void deliver_set_crash_point(struct deliver *d, enum deliver_crash_point point);

/*
 * With LATER, each row D writes gets a full-text entry without its body
 * and goes on the index's waiting list (index_body_later), unless its
 * summary came with the body already; reindex_bodies indexes the bodies
 * after.  The fetch does this: tokenizing every text was a seventh of its
 * time.
 */
void deliver_set_bodies_later(struct deliver *d, bool later);

#endif
