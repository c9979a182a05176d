/*
 * folder: local folders and what moves message files between them, file
 * and row together, in an order that survives a crash at any instant.
 *
 * A mailbox is (account, folder).  Folder "" is the account's inbox, the
 * Maildir <store>/<account>/ the fetcher delivers into; any other folder is
 * a Maildir++ subfolder <store>/<account>/.<folder>/{tmp,new,cur} with a
 * "maildirfolder" file, as Dovecot, Courier and mutt lay them out ('.' in a
 * name is Maildir++'s hierarchy separator).  An "account" need not be in the
 * configuration: any Maildir directly under the store is one (reindex.h), so
 * a top-level local area is simply <store>/<name>/.
 *
 * The orders (doc/internals/store.md):
 *   copy:    link the file (or write and fsync a copy) into the destination's
 *            tmp/, rename it into cur/, fsync cur/, then insert the row.  A
 *            crash leaves at most a file without a row, which reindex indexes.
 *   move:    record the destination in the moves journal (committed), rename
 *            the file, then update the row and drop the journal entry in one
 *            transaction.  folder_recover finishes or forgets a journal entry
 *            by where the file is.
 *   expunge: mark the rows EXPUNGING and remember their UIDLs (committed),
 *            unlink the files, then delete the rows.  folder_recover finishes
 *            what a crash interrupted.  A row is never deleted while its
 *            file may still be there, and a UIDL is never forgotten, so
 *            nothing expunged comes back at the next fetch.
 *   flags:   rename the file, then update the row (a crash in between leaves
 *            a name reindex reads the flags from; nothing is lost).
 *
 * Uses store.h for files and index.h for rows; knows nothing of POP3 or the
 * interface.  Bulk functions take a GArray of int64_t row ids, do the row
 * writes of a batch in one transaction, and stop at the first failure with
 * what was done before it committed (*DONE says how many).  ACCOUNT NULL in
 * folder_move and folder_copy means each row's own account.  None of them
 * may be called inside index_begin/index_commit.
 */
#ifndef SURAT_FOLDER_H
#define SURAT_FOLDER_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"
#include "index.h"

#define FOLDER_ERROR (folder_error_quark())
GQuark folder_error_quark(void);

enum folder_error_code {
	FOLDER_ERROR_NAME,    /* not a valid folder name; the message says why */
	FOLDER_ERROR_MISSING, /* no such folder, or a row or file that is gone */
	FOLDER_ERROR_IO,      /* a file operation failed; the message names the file */
};

#define FOLDER_NAME_MAX 64

/*
 * True when NAME can be a local folder: 1 to FOLDER_NAME_MAX bytes of UTF-8,
 * no '/', no control characters, not starting or ending with '.', no "..",
 * and not "inbox" in any case (folder:inbox means the inbox).  Else false
 * with FOLDER_ERROR_NAME saying what is wrong (ERROR may be NULL).
 */
bool folder_name_valid(const char *name, GError **error);

/* The Maildir of (ACCOUNT, FOLDER) under STORE; FOLDER NULL or "" is the inbox.  New string. */
char *folder_maildir(const char *store, const char *account, const char *folder);

/* The path of MSG's file (its account, folder, subdir, base and flags).  New string. */
char *folder_message_path(const char *store, const struct index_message *msg);

/*
 * Let IDX's queries read what the index does not keep: the header blocks of
 * the files under STORE (mutt's ~h, ~e, ~l) and CONFIG's own addresses and
 * alternates (~p, ~P).  Every command that runs a query calls it once.
 */
void folder_search_setup(struct index *idx, const char *store,
    const struct surat_config *config);

/*
 * Create the folder (ACCOUNT, FOLDER) (and the account's Maildir) if
 * missing; FOLDER "" creates only the account's Maildir.  Existing is fine.
 */
bool folder_create(const char *store, const char *account, const char *folder, GError **error);

/*
 * The local folders of ACCOUNT on disk (the Maildir++ subfolders with valid
 * names; not the inbox), sorted, appended to NAMES (g_free'd char *).  An
 * account with no Maildir has none.
 */
bool folder_list(const char *store, const char *account, GPtrArray *names, GError **error);

/*
 * Change the flags of the rows IDS: each gets the letters of ADD and loses
 * those of REMOVE (either may be NULL); its file is renamed into cur/ with
 * the new flags.  Rows whose flags do not change are skipped (and not
 * counted).  With UNDO (index_undo_begin's number; 0 for none) each changed
 * row's old state is recorded.
 */
bool folder_set_flags(struct index *idx, const char *store, const GArray *ids, const char *add,
    const char *remove, int64_t undo, guint *done, GError **error);

/*
 * Move the rows IDS into (ACCOUNT, FOLDER) (created if missing), dropping the
 * flag letters REMOVE (may be NULL) on the way.  Rows already there are
 * skipped.  A row that changes account loses its UIDL, which is remembered
 * for its old account (index_gone_add, no DELE) so it is not fetched again.
 */
bool folder_move(struct index *idx, const char *store, const GArray *ids, const char *account,
    const char *folder, const char *remove, int64_t undo, guint *done, GError **error);

/*
 * Copy the rows IDS into (ACCOUNT, FOLDER) (created if missing): a new file
 * (a hard link when possible) and a new row without UIDL, never marked deleted
 * (the flags but T, as mutt's copy); the ids of the new
 * rows are appended to NEW_IDS (may be NULL).  Each copy is recorded as
 * INDEX_UNDO_CREATED under UNDO.
 */
bool folder_copy(struct index *idx, const char *store, const GArray *ids, const char *account,
    const char *folder, int64_t undo, GArray *new_ids, GError **error);

/*
 * Add a message written here (a draft, a message to send, a copy of one
 * sent): the LEN bytes at BUF become a new file in (ACCOUNT, FOLDER)'s cur/
 * with FLAGS, written and synced in tmp/ first, then its row (summarized
 * with FALLBACKS, threaded), whose id goes to *ID.  A crash leaves at most
 * a file without a row, which reindex indexes; a row that cannot be
 * written removes its file again.  Unlike the functions above
 * it may run inside the caller's transaction (after the caller's own
 * folder_recover), so the row commits with what the caller records of it.
 */
bool folder_add(struct index *idx, const char *store, const char *account, const char *folder,
    const char *buf, size_t len, const char *flags, const char *const *fallbacks, int64_t *id,
    GError **error);

/*
 * Remove the rows IDS and their files for good.  A row with a UIDL is
 * remembered for its account (index_gone_add) so it is not fetched again;
 * with a DELE queued when CONFIG (may be NULL) has that account with
 * delete_on_server_when_deleted.  Not undoable.
 */
bool folder_expunge(struct index *idx, const char *store, const struct surat_config *config,
    const GArray *ids, guint *done, GError **error);

/*
 * Put rows back as the undo entries ENTRIES (struct index_undo_entry *, in
 * the order to apply) recorded them: INDEX_UNDO_CHANGED restores mailbox,
 * subdir, flags, tag and UIDL, moving files as needed (the same orders as
 * above); INDEX_UNDO_CREATED removes the row and its file, remembering
 * nothing.  Rows that are gone are skipped.  *DONE counts rows put back.
 */
bool folder_restore(struct index *idx, const char *store, const GPtrArray *entries, guint *done,
    GError **error);

/*
 * Finish what a crash interrupted: moves in the journal (applied when the
 * file is at the destination, else forgotten) and EXPUNGING rows (file
 * unlinked, row deleted); then thread what is not threaded.  Cheap when
 * there is nothing to do (two small queries); every function above runs it
 * first.  Fails when a transaction is open on IDX: the functions of this
 * file commit their journal before files move, so they cannot run inside
 * the caller's transaction.
 */
bool folder_recover(struct index *idx, const char *store, GError **error);

/*
 * Make sure the file of MSG (a row of IDX) is where the row says.  Another
 * program (mutt, neomutt) may have renamed it to change its flags or moved
 * it from new/ to cur/: then it is found by its base name in its mailbox,
 * and the row and MSG follow it (the other program's flags win).  False
 * with FOLDER_ERROR_MISSING when no file of the mailbox has that base any
 * more (deleted or moved away: `surat reindex` settles it).
 */
bool folder_locate(struct index *idx, const char *store, struct index_message *msg,
    GError **error);

#endif
