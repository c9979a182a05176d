/*
 * reindex: bring the index up to date with the Maildirs under the store,
 * including Maildirs another tool filled (mpop, fetchmail, getmail, mutt).
 * Incremental: a file whose name, size and mtime are unchanged is not parsed
 * again; flags changed by another tool are picked up from the name; rows of
 * files that vanished are dropped.
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
};

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
 * the inbox.  Threads what changed before returning.
 */
bool reindex_folder(struct index *idx, const char *account, const char *folder,
    const char *maildir, const char *const *fallbacks, struct reindex_stats *stats,
    GError **error);

/*
 * Reindex every Maildir directly under STORE (each folder with tmp/, new/ and
 * cur/ is an account of that name) and its Maildir++ subfolders (.NAME, the
 * local folders of folder.h), and drop rows of accounts and folders whose
 * Maildir is gone.  First finishes moves and expunges a crash interrupted
 * (folder_recover); rows being delivered are left to delivery's recovery.
 */
bool reindex_store(struct index *idx, const char *store, const char *const *fallbacks,
    struct reindex_stats *stats, GError **error);

#endif
