/*
 * reindex-journal: what reindex does with an account's UIDL journal as a
 * whole (uidls.h; reindex-private.h): the gone UIDLs the journal has and
 * the index lost come back to the index (reindex_journal_restore_gone),
 * and the journal is compacted to what the index and the files still say
 * (reindex_compact_uidls; deliver_open asks once it has doubled).  The
 * records of single files are read and written by the scan in reindex.c.
 */
#include "reindex-private.h"

#include "surat/folder.h"
#include "surat/store.h"

/*
 * The journal's G records the index does not have: messages gone from the
 * store (expunged, moved away, deleted by another program) whose UIDLs the
 * server may still list.  One with a queued DELE goes back even when the
 * message is still stored (moved to the trash).
 */
bool
reindex_journal_restore_gone(struct index *idx, const char *account,
    const struct uidls *uidls, GError **error)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	GHashTable *known = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter iter;
	gpointer key, value;
	bool ok = false, in_txn = false;
	guint i;

	if (g_hash_table_size(uidls->gone) == 0) {
		ok = true;
		goto out;
	}
	if (!index_gone_list(idx, account, gone, error))
		goto out;
	for (i = 0; i < gone->len; i++)
		g_hash_table_add(known, ((struct index_gone *)g_ptr_array_index(gone, i))->uidl);
	g_hash_table_iter_init(&iter, uidls->gone);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const struct uidls_gone *g = value;
		GError *local = NULL;

		if (g_hash_table_contains(known, key))
			continue;
		if (!g->dele && index_has_uidl(idx, account, key, &local))
			continue;
		if (local != NULL) {
			g_propagate_error(error, local);
			goto out;
		}
		if (!in_txn && !index_begin(idx, error))
			goto out;
		in_txn = true;
		if (!index_gone_add(idx, account, key, g->arrival, g->dele, error))
			goto out;
	}
	ok = !in_txn || index_commit(idx, error);
	in_txn = false;
out:
	if (in_txn)
		index_rollback(idx);
	g_hash_table_unref(known);
	g_ptr_array_unref(gone);
	return ok;
}

/* What reindex_compact_uidls gives uidls_compact's callback. */
struct reindex_compact {
	struct index *idx;
	const char *account;
	const char *maildir;
};

/* Add the bases of the message files of every mailbox of the account to BASES. */
static bool
reindex_bases_on_disk(const char *maildir, GHashTable *bases, GError **error)
{
	char *store = g_path_get_dirname(maildir), *name = g_path_get_basename(maildir);
	GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	bool ok = store_scan(maildir, entries, error) && folder_list(store, name, folders, error);
	guint i;

	for (i = 0; ok && i < folders->len; i++) {
		char *dir = folder_maildir(store, name, g_ptr_array_index(folders, i));

		ok = store_scan(dir, entries, error);
		g_free(dir);
	}
	for (i = 0; ok && i < entries->len; i++) {
		struct store_entry *e = g_ptr_array_index(entries, i);

		g_hash_table_add(bases, g_strdup(e->base));
	}
	g_ptr_array_unref(entries);
	g_ptr_array_unref(folders);
	g_free(name);
	g_free(store);
	return ok;
}

/*
 * The records a compacted journal keeps: the index's UIDL of every row
 * and every gone UIDL, and a record the index lacks whose file is still
 * there (an index older than the journal, restored from a backup, say).
 */
static bool
reindex_compact_build(const struct uidls *current, GString *records, void *data,
    GError **error)
{
	struct reindex_compact *c = data;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	GHashTable *row_bases = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *on_disk = NULL;
	GHashTableIter iter;
	gpointer key, value;
	bool ok = false;
	guint i;

	if (!index_account_files(c->idx, c->account, rows, error) ||
	    !index_gone_list(c->idx, c->account, gone, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		const struct index_message *m = g_ptr_array_index(rows, i);

		g_hash_table_add(row_bases, m->base);
		if (m->uidl != NULL)
			uidls_add_stored(records, m->base, m->uidl, m->partial);
	}
	g_hash_table_iter_init(&iter, current->stored);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const struct uidls_stored *st = value;

		if (g_hash_table_contains(row_bases, key))
			continue;
		if (on_disk == NULL) {
			on_disk = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
			if (!reindex_bases_on_disk(c->maildir, on_disk, error))
				goto out;
		}
		if (g_hash_table_contains(on_disk, key))
			uidls_add_stored(records, key, st->uidl, st->partial);
	}
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);

		uidls_add_gone(records, g->uidl, g->arrival, g->dele);
	}
	ok = true;
out:
	if (on_disk != NULL)
		g_hash_table_unref(on_disk);
	g_hash_table_unref(row_bases);
	g_ptr_array_unref(gone);
	g_ptr_array_unref(rows);
	return ok;
}

bool
reindex_compact_uidls(struct index *idx, const char *account, const char *maildir,
    GError **error)
{
	struct reindex_compact c = { idx, account, maildir };

	return uidls_compact(maildir, reindex_compact_build, &c, error);
}
