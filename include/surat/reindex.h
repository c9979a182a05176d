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
};

/*
 * Reindex the Maildir MAILDIR as account ACCOUNT.  Adds to STATS (may be
 * NULL).
 */
bool reindex_maildir(struct index *idx, const char *account, const char *maildir,
    struct reindex_stats *stats, GError **error);

/*
 * Reindex every Maildir directly under STORE (each folder with tmp/, new/ and
 * cur/ is an account of that name), and drop rows of accounts whose Maildir
 * is gone.
 */
bool reindex_store(struct index *idx, const char *store, struct reindex_stats *stats, GError **error);

#endif
