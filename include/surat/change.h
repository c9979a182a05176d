/*
 * change: what a user does to messages, on one row or many (tagged ones, a
 * limited view), each step undoable: flag, read, delete (mark), tag, move,
 * copy; expunge with the trash policy; undo of the last change.  (An
 * "action" is a key map's: keymap.h.  The index's undo log calls one change
 * an undo action, after its table.)
 *
 * A change is one call; its row writes happen in one transaction and what
 * each changed row was before is recorded in the index's undo log in that
 * same transaction (index.h), so undo works after a restart too and never
 * restores half an action.  Undo goes back up to INDEX_UNDO_MAX actions.
 *
 * Expunge semantics (surat(1)): delete only marks (flag T).  Expunge then
 * moves the marked messages of a mailbox into the trash folder (the T mark
 * dropped), when a trash folder is set and they are not in it already;
 * otherwise (no trash, or expunging the trash itself) it removes them for
 * good, and a removed message with a UIDL is remembered so it is never
 * fetched again.  When its account has delete_on_server_when_deleted, either
 * way (into the trash, or for good) queues a DELE by UIDL for the next
 * fetch.  Moving to the trash is undoable (which takes the DELE back);
 * removing for good is not, and clears the undo log.
 *
 * Uses folder.h and index.h; never draws, never touches the network.
 */
#ifndef SURAT_CHANGE_H
#define SURAT_CHANGE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"
#include "index.h"

struct change;

/*
 * Actions on the index IDX (borrowed) of CONFIG's store (CONFIG borrowed;
 * its accounts give delete_on_server_when_deleted).  TRASH is the trash
 * folder's name (copied; NULL or "": no trash, expunge removes for good).
 */
struct change *change_new(struct index *idx, const struct surat_config *config, const char *trash);
void change_free(struct change *act);

/*
 * Give the rows IDS (int64_t) the flag letters ADD and take away REMOVE
 * (either may be NULL): flag is ADD "F", read "S", unread REMOVE "S",
 * delete ADD "T", undelete REMOVE "T".  *DONE (may be NULL) counts rows that
 * changed.  Undoable when UNDOABLE (opening a message marks it read without
 * cluttering the log).
 */
bool change_flags(struct change *act, const GArray *ids, const char *add, const char *remove,
    bool undoable, guint *done, GError **error);

/* Tag (or untag) the rows IDS.  Undoable. */
bool change_tag(struct change *act, const GArray *ids, bool tagged, guint *done, GError **error);

/* Tag (or untag) every row FILTER shows (T with a query), in one statement.  Undoable. */
bool change_tag_filter(struct change *act, const struct index_filter *filter, bool tagged,
    int64_t *done, GError **error);

/*
 * Move the rows IDS into the folder (ACCOUNT, FOLDER), creating it if
 * missing; ACCOUNT NULL keeps each row's own account.  A row marked deleted
 * arrives unmarked: filing it was the decision.  Undoable.
 */
bool change_move(struct change *act, const GArray *ids, const char *account, const char *folder,
    guint *done, GError **error);

/*
 * Copy the rows IDS into (ACCOUNT, FOLDER) (ACCOUNT NULL: each row's own); a
 * copy is never marked deleted.  Undoable (the copies go).
 */
bool change_copy(struct change *act, const GArray *ids, const char *account, const char *folder,
    guint *done, GError **error);

/*
 * Expunge those of the rows IDS that are marked deleted (T), as the header
 * comment says: *TRASHED (may be NULL) counts those moved to the trash,
 * *REMOVED (may be NULL) those removed for good.
 */
bool change_expunge(struct change *act, const GArray *ids, guint *trashed, guint *removed,
    GError **error);

/*
 * Undo the last action still in the log.  *LABEL (may be NULL) gets what it
 * was ("move 3 messages to Archive", a new string) and *DONE how many rows
 * were put back.  False with no error (and *LABEL NULL) when there is nothing
 * to undo.
 */
bool change_undo(struct change *act, char **label, guint *done, GError **error);

#endif
