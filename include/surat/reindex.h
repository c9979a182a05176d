/*
 * reindex: bring the index up to date with the Maildirs under the store,
 * including Maildirs another tool filled (mpop, fetchmail, getmail, mutt).
 * Incremental: a file whose name, size and mtime are unchanged is not parsed
 * again; flags changed by another tool are picked up from the name; rows of
 * files that vanished are dropped.  A row made anew gets its UIDL (and
 * headers-only state) from the account's UIDL journal (uidls.h), and the
 * journal's gone UIDLs the index lacks are added, so a rebuilt index makes
 * the fetcher download nothing twice.  Tags and the undo log are the
 * index's alone: a rebuilt index has none.
 */
#ifndef SURAT_REINDEX_H
#define SURAT_REINDEX_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "index.h"

struct reindex_stats {
	int64_t scanned;  /* message files seen */
	int64_t parsed;   /* new or changed files parsed */
	int64_t renamed;  /* rows whose flags or folder changed */
	int64_t removed;  /* rows dropped because their file vanished */
	int64_t accounts; /* Maildirs indexed (reindex_store only) */
	int64_t folders;  /* local folders indexed (reindex_store only) */
	/*
	 * Called (when set) as a mailbox's files are gone through: DONE of
	 * TOTAL files of (ACCOUNT, FOLDER), every REINDEX_PROGRESS_EVERY files
	 * and once more at its end, from the calling thread.
	 */
	void (*progress)(const char *account, const char *folder, int64_t done, int64_t total,
	    void *data);
	void *progress_data;
	/*
	 * When set and non-zero (g_atomic_int_set from any thread), a mailbox
	 * stops at its next REINDEX_PROGRESS_EVERY files with
	 * REINDEX_ERROR_CANCELLED; what was committed stays, and its times are
	 * not kept, so the next look scans it again.
	 */
	const gint *cancel;
};

#define REINDEX_ERROR (reindex_error_quark())
enum reindex_error {
	REINDEX_ERROR_CANCELLED, /* stats->cancel was set */
};
GQuark reindex_error_quark(void);

#define REINDEX_PROGRESS_EVERY 500

/*
 * Reindex the Maildir MAILDIR as the inbox of account ACCOUNT (its local
 * folders are not looked at).  FALLBACKS are the configuration's
 * charset_fallbacks (summary.h; NULL: the default).  Adds to STATS (may be
 * NULL).
 */
bool reindex_maildir(struct index *idx, const char *account, const char *maildir,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error);

/*
 * Reindex the Maildir MAILDIR as the mailbox (ACCOUNT, FOLDER); FOLDER "" is
 * the inbox.  Threads what changed before returning.  The folders' times
 * from before the scan are kept in the index (when settled), so the next
 * session's store watch knows the mailbox is in step without a scan.
 */
bool reindex_folder(struct index *idx, const char *account, const char *folder,
    const char *maildir, const char *const *fallbacks, struct reindex_stats *stats,
    GError **error);

/*
 * Drop every row of ACCOUNT, whatever its Maildir holds (the interface's
 * read-only Maildirs go this way at quit); threads are redone.
 */
bool reindex_drop(struct index *idx, const char *account, GError **error);

/*
 * Reindex the account ACCOUNT's Maildir <STORE>/<ACCOUNT> and its local
 * folders, after settling interrupted moves and expunges (folder_recover);
 * rows of folders that are gone are dropped.  What reindex_store does for
 * one account.
 */
bool reindex_account(struct index *idx, const char *store, const char *account,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error);

/*
 * Compact the UIDL journal of ACCOUNT's Maildir MAILDIR (uidls.h): rewrite
 * it with a record for each UIDL the index holds for the account (rows and
 * gone UIDLs), keeping a record the index lacks only while its file is
 * there.  Only while no delivery into the account runs (the fetch lock).
 */
bool reindex_compact_uidls(struct index *idx, const char *account, const char *maildir,
    GError **error);

/*
 * Reindex every Maildir directly under STORE (each folder with tmp/, new/ and
 * cur/ is an account of that name) and its Maildir++ subfolders (.NAME, the
 * local folders of folder.h), and drop rows of accounts and folders whose
 * Maildir is gone.  First finishes moves and expunges a crash interrupted
 * (folder_recover); rows being delivered are left to delivery's recovery.
 * Last, indexes the bodies fetches left for later (reindex_bodies).
 */
bool reindex_store(struct index *idx, const char *store, const char *const *fallbacks,
    struct reindex_stats *stats, GError **error);

/*
 * Index the bodies fetches left for later (index_body_later): each row's
 * file under STORE read again for its text (found by its base name when
 * another program renamed it), REINDEX_BODIES_BATCH rows or
 * REINDEX_BODIES_BYTES of text a transaction, each waiting row at most
 * once, at most MAX rows (0: all), stopping between batches when *CANCEL
 * (may be NULL) is set.  A file that cannot be found or read keeps waiting
 * (its row goes when a reindex or the store watch finds it gone).  *LEFT
 * (may be NULL) gets how many still wait.
 */
#define REINDEX_BODIES_BATCH 100
#define REINDEX_BODIES_BYTES (8 * 1024 * 1024)
bool reindex_bodies(struct index *idx, const char *store, const char *const *fallbacks,
    unsigned int max, const gint *cancel, int64_t *left, GError **error);

/*
 * Following what other programs (mutt, neomutt, an MDA, a script) do to the
 * Maildirs while surat runs, as mutt follows its mailboxes: each check
 * looks at the modification times of every mailbox's new/ and cur/ (a few
 * stat calls) and reindexes (incrementally) the mailboxes that changed.
 * The first check reindexes every mailbox whose folders' times differ from
 * the ones the index keeps from the last check that found it in step
 * (index_mailbox_seen), which catches up with what happened while surat was
 * not running without reading every file of an unchanged mailbox again.
 * Only times older than 2 s are kept (a change in the same clock tick as
 * the scan would not show).
 */
struct reindex_watch;

/* FALLBACKS (borrowed, may be NULL) are the charset_fallbacks of summary.h. */
struct reindex_watch *reindex_watch_new(const char *store, const char *const *fallbacks);
void reindex_watch_free(struct reindex_watch *watch);

/*
 * Reindex the mailboxes under the store whose folders changed since the
 * last check.  *CHANGED says whether any row changed.
 */
bool reindex_watch_check(struct reindex_watch *watch, struct index *idx, bool *changed,
    GError **error);

/*
 * Around surat's own changes to the files (a key in the interface):
 * reindex_watch_mine_begin notes which mailboxes nobody else changed since
 * the last check, and reindex_watch_mine_end takes their folders' new times
 * as seen, so surat's own renames do not cost a rescan.
 */
void reindex_watch_mine_begin(struct reindex_watch *watch);
void reindex_watch_mine_end(struct reindex_watch *watch);

/*
 * A store watch on a thread of its own with its own index connection (at
 * INDEX_PATH): a check every INTERVAL_MS, the first at once, so scanning a
 * large mailbox another program changed never holds up the caller.  The
 * caller polls reindex_watcher_fd(); once it is readable,
 * reindex_watcher_take() says whether rows changed since the last take and
 * returns false with the last failure (an index that cannot be opened is
 * said once and not retried).  The mine functions are reindex_watch_mine_*
 * for the caller's own changes; all of them take NULL.
 */
struct reindex_watcher;

struct reindex_watcher *reindex_watcher_start(const char *index_path, const char *store,
    const char *const *fallbacks, unsigned int interval_ms, GError **error);
int reindex_watcher_fd(const struct reindex_watcher *watcher);
bool reindex_watcher_take(struct reindex_watcher *watcher, bool *changed, GError **error);
/*
 * After each check the watcher also indexes up to four batches of the
 * bodies fetches left for later (reindex_bodies), and looks again at once
 * while that makes progress; this is how many still wait, as of its last
 * look (-1 before its first), and the fd turns readable when the number
 * changes.
 */
int64_t reindex_watcher_bodies_left(struct reindex_watcher *watcher);
void reindex_watcher_mine_begin(struct reindex_watcher *watcher);
void reindex_watcher_mine_end(struct reindex_watcher *watcher);
/*
 * Stop the thread (a scan under way stops at its next 500 files, a bodies'
 * pass at its next batch) and free.
 */
void reindex_watcher_stop(struct reindex_watcher *watcher);

#endif
