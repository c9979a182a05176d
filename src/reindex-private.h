/*
 * reindex-private: what reindex's files share (reindex.c: the scan of a
 * mailbox, an account and the store; reindex-journal.c: the UIDL journal's
 * gone UIDLs and its compaction; reindex-watch.c: the store watch and its
 * thread).  Only src/reindex*.c include it.
 */
#ifndef SURAT_REINDEX_PRIVATE_H
#define SURAT_REINDEX_PRIVATE_H

#include "surat/reindex.h"
#include "surat/uidls.h"

/* reindex.c */

/* The modification time of DIR/SUB in ns, or -1. */
int64_t reindex_mtime_ns(const char *dir, const char *sub);

/*
 * Whether folder times NEW_NS and CUR_NS are old enough that a change in
 * the same tick is ruled out.
 */
bool reindex_times_settled(int64_t new_ns, int64_t cur_ns);

/* reindex_folder with the folders' times NEW_NS and CUR_NS taken already. */
bool reindex_folder_at(struct index *idx, const char *account, const char *folder,
    const char *maildir, int64_t new_ns, int64_t cur_ns, const char *const *fallbacks,
    struct reindex_stats *stats, GError **error);

/* Append the names of the Maildirs directly under STORE to NAMES, sorted. */
bool reindex_list_maildirs(const char *store, GPtrArray *names, GError **error);

/* reindex-journal.c */

/*
 * Give the index back the journal's G records it does not have (UIDLS, read
 * from ACCOUNT's Maildir): messages gone from the store whose UIDLs the
 * server may still list.
 */
bool reindex_journal_restore_gone(struct index *idx, const char *account,
    const struct uidls *uidls, GError **error);

#endif
