/*
 * change: what the user does to messages, each change recorded for undo
 * (change.h).  The file and row work is folder.c's; this file adds the
 * labels, the undo log and the trash policy.
 *
 * What it must never do: record an action that changed nothing (undo would
 * seem to do nothing), or let an undo outlive an expunge for good.
 */
#include "surat/change.h"

#include <string.h>

#include "surat/folder.h"
#include "surat/uidls.h"

struct change {
	struct index *idx;
	const struct surat_config *config;
	char *store;
	char *trash; /* NULL: no trash */
};

struct change *
change_new(struct index *idx, const struct surat_config *config, const char *trash)
{
	struct change *act = g_new0(struct change, 1);

	act->idx = idx;
	act->config = config;
	act->store = g_strdup(config->store);
	act->trash = trash != NULL && trash[0] != '\0' ? g_strdup(trash) : NULL;
	return act;
}

void
change_free(struct change *act)
{
	if (act == NULL)
		return;
	g_free(act->store);
	g_free(act->trash);
	g_free(act);
}

/* "VERB N message(s)[ WHERE]": an undo label.  A new string. */
static char *
change_label(const char *verb, guint n, const char *where)
{
	return g_strdup_printf("%s %u message%s%s%s", verb, n, n == 1 ? "" : "s",
	    where != NULL ? " " : "", where != NULL ? where : "");
}

/* What changing flags by ADD and REMOVE is called. */
static const char *
change_flags_verb(const char *add, const char *remove)
{
	add = add != NULL ? add : "";
	remove = remove != NULL ? remove : "";
	if (strcmp(add, "T") == 0 && remove[0] == '\0')
		return "delete";
	if (strcmp(remove, "T") == 0 && add[0] == '\0')
		return "undelete";
	if (strcmp(add, "S") == 0 && remove[0] == '\0')
		return "mark read";
	if (strcmp(remove, "S") == 0 && add[0] == '\0')
		return "mark unread";
	if (strcmp(add, "F") == 0 && remove[0] == '\0')
		return "flag";
	if (strcmp(remove, "F") == 0 && add[0] == '\0')
		return "unflag";
	return "change the flags of";
}

/* Drop the undo action UNDO when it recorded nothing (DONE 0). */
static void
change_forget_empty(struct change *act, int64_t undo, guint64 done)
{
	if (undo > 0 && done == 0)
		index_undo_drop(act->idx, undo, NULL);
}

bool
change_flags(struct change *act, const GArray *ids, const char *add, const char *remove,
    bool undoable, guint *done, GError **error)
{
	int64_t undo = 0;
	guint n = 0;
	bool ok;

	if (undoable) {
		char *label = change_label(change_flags_verb(add, remove), ids->len, NULL);

		ok = index_undo_begin(act->idx, label, &undo, error);
		g_free(label);
		if (!ok)
			return false;
	}
	ok = folder_set_flags(act->idx, act->store, ids, add, remove, undo, &n, error);
	change_forget_empty(act, undo, n);
	if (done != NULL)
		*done = n;
	return ok;
}

bool
change_tag(struct change *act, const GArray *ids, bool tagged, guint *done, GError **error)
{
	char *label = change_label(tagged ? "tag" : "untag", ids->len, NULL);
	int64_t undo = 0;
	guint i, n = 0;
	bool own, ok = false;

	if (done != NULL)
		*done = 0;
	if (!index_undo_begin(act->idx, label, &undo, error))
		goto out;
	if (!index_write_begin(act->idx, &own, error))
		goto out;
	for (i = 0; i < ids->len; i++) {
		struct index_message m = { 0 };
		GError *local = NULL;

		if (!index_get(act->idx, g_array_index(ids, int64_t, i), &m, &local)) {
			index_message_clear(&m);
			if (local != NULL) {
				g_propagate_error(error, local);
				break;
			}
			continue;
		}
		if (m.state == INDEX_STATE_STORED && m.tagged != tagged) {
			if (!index_undo_record(act->idx, undo, INDEX_UNDO_CHANGED, &m, error) ||
			    !index_set_tagged(act->idx, m.id, tagged, error)) {
				index_message_clear(&m);
				break;
			}
			n++;
		}
		index_message_clear(&m);
	}
	if (i < ids->len) {
		index_write_undo(act->idx, own);
		n = 0;
	} else {
		ok = index_write_end(act->idx, own, error);
	}
out:
	change_forget_empty(act, undo, ok ? n : 0);
	if (done != NULL)
		*done = ok ? n : 0;
	g_free(label);
	return ok;
}

bool
change_tag_filter(struct change *act, const struct index_filter *filter, bool tagged,
    int64_t *done, GError **error)
{
	int64_t undo = 0, n = 0;
	bool ok;

	ok = index_undo_begin(act->idx, tagged ? "tag by query" : "untag by query", &undo, error) &&
	    index_query_tag_filter(act->idx, filter, tagged, undo, &n, error);
	change_forget_empty(act, undo, ok ? (guint64)n : 0);
	if (done != NULL)
		*done = ok ? n : 0;
	return ok;
}

bool
change_move(struct change *act, const GArray *ids, const char *account, const char *folder,
    guint *done, GError **error)
{
	char *where = g_strdup_printf("to %s", folder != NULL && folder[0] != '\0' ? folder
										  : "the inbox");
	char *label = change_label("move", ids->len, where);
	int64_t undo = 0;
	guint n = 0;
	bool ok;

	ok = index_undo_begin(act->idx, label, &undo, error) &&
	    folder_move(act->idx, act->store, ids, account, folder, "T", undo, &n, error);
	change_forget_empty(act, undo, n);
	if (done != NULL)
		*done = n;
	g_free(label);
	g_free(where);
	return ok;
}

bool
change_copy(struct change *act, const GArray *ids, const char *account, const char *folder,
    guint *done, GError **error)
{
	char *where = g_strdup_printf("to %s", folder != NULL && folder[0] != '\0' ? folder
										  : "the inbox");
	char *label = change_label("copy", ids->len, where);
	GArray *made = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t undo = 0;
	bool ok;

	ok = index_undo_begin(act->idx, label, &undo, error) &&
	    folder_copy(act->idx, act->store, ids, account, folder, undo, made, error);
	change_forget_empty(act, undo, made->len);
	if (done != NULL)
		*done = made->len;
	g_array_free(made, TRUE);
	g_free(label);
	g_free(where);
	return ok;
}

/* True when ACCOUNT has delete_on_server_when_deleted (with keep). */
static bool
change_dele_wanted(const struct change *act, const char *account)
{
	const struct account_config *a = config_account(act->config, account);

	return a != NULL && a->keep && a->delete_on_server_when_deleted;
}

/* A DELE to queue: a message moved to the trash. */
struct change_dele {
	char *account;
	char *uidl;
	int64_t arrival;
};

/* Free a struct change_dele. */
static void
change_dele_free(gpointer data)
{
	struct change_dele *d = data;

	g_free(d->account);
	g_free(d->uidl);
	g_free(d);
}

/* The DELE to queue for MSG. */
static struct change_dele *
change_dele_new(const struct index_message *msg)
{
	struct change_dele *d = g_new0(struct change_dele, 1);

	d->account = g_strdup(msg->account);
	d->uidl = g_strdup(msg->uidl);
	d->arrival = msg->arrival;
	return d;
}

/* Free a GString of UIDL journal records. */
static void
change_records_free(gpointer records)
{
	g_string_free(records, TRUE);
}

/* The records for ACCOUNT in JOURNALS (account -> GString *, account borrowed), made if new. */
static GString *
change_records_for(GHashTable *journals, const char *account)
{
	GString *records = g_hash_table_lookup(journals, account);

	if (records == NULL) {
		records = g_string_new(NULL);
		g_hash_table_insert(journals, (gpointer)account, records);
	}
	return records;
}

/*
 * Append each account's records in JOURNALS to its UIDL journal (uidls.h),
 * once the index committed the same changes, so they survive a lost index.
 */
static bool
change_journals_write(struct change *act, GHashTable *journals, GError **error)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, journals);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		char *dir = folder_maildir(act->store, key, "");
		bool ok = uidls_append(dir, ((GString *)value)->str, true, error);

		g_free(dir);
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Queue a DELE for each entry of DELE (struct change_dele *), in one unit of
 * writes: the messages went to the trash, which counts as deleted.  Their
 * rows keep the UIDL, so the fetcher knows them either way.
 */
static bool
change_queue_dele(struct change *act, const GPtrArray *dele, GError **error)
{
	GHashTable *journals;
	bool own, ok;
	guint i;

	if (dele->len == 0)
		return true;
	if (!index_write_begin(act->idx, &own, error))
		return false;
	for (i = 0; i < dele->len; i++) {
		const struct change_dele *d = g_ptr_array_index(dele, i);

		if (!index_gone_add(act->idx, d->account, d->uidl, d->arrival, true, error)) {
			index_write_undo(act->idx, own);
			return false;
		}
	}
	if (!index_write_end(act->idx, own, error))
		return false;
	/* The DELE queue survives a lost index in the accounts' UIDL journals. */
	journals = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, change_records_free);
	for (i = 0; i < dele->len; i++) {
		const struct change_dele *d = g_ptr_array_index(dele, i);

		uidls_add_gone(change_records_for(journals, d->account), d->uidl, d->arrival, true);
	}
	ok = change_journals_write(act, journals, error);
	g_hash_table_unref(journals);
	return ok;
}

bool
change_expunge(struct change *act, const GArray *ids, guint *trashed, guint *removed,
    GError **error)
{
	GArray *to_trash = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *to_remove = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray *dele = g_ptr_array_new_with_free_func(change_dele_free);
	guint i, n_trash = 0, n_removed = 0;
	bool ok = false;

	for (i = 0; i < ids->len; i++) {
		struct index_message m = { 0 };
		GError *local = NULL;

		if (!index_get(act->idx, g_array_index(ids, int64_t, i), &m, &local)) {
			index_message_clear(&m);
			if (local != NULL) {
				g_propagate_error(error, local);
				goto out;
			}
			continue;
		}
		if (m.state == INDEX_STATE_STORED && index_message_has_flag(&m, 'T')) {
			/* Into the trash, unless there is none or this is it. */
			if (act->trash != NULL && strcmp(m.folder, act->trash) != 0) {
				g_array_append_val(to_trash, m.id);
				if (m.uidl != NULL && change_dele_wanted(act, m.account))
					g_ptr_array_add(dele, change_dele_new(&m));
			} else {
				g_array_append_val(to_remove, m.id);
			}
		}
		index_message_clear(&m);
	}
	if (to_trash->len > 0) {
		char *where = g_strdup_printf("to %s", act->trash);
		char *label = change_label("move deleted", to_trash->len, where);
		int64_t undo = 0;

		ok = index_undo_begin(act->idx, label, &undo, error) &&
		    folder_move(act->idx, act->store, to_trash, NULL, act->trash, "T", undo, &n_trash,
			error);
		change_forget_empty(act, undo, n_trash);
		g_free(label);
		g_free(where);
		/* Moved to the trash counts as deleted for the server (surat.conf(5)). */
		if (ok && n_trash > 0)
			ok = change_queue_dele(act, dele, error);
		if (!ok)
			goto out;
	}
	if (to_remove->len > 0) {
		/* For good: nothing before this can be undone safely any more. */
		ok = folder_expunge(act->idx, act->store, act->config, to_remove, &n_removed, error);
		if (n_removed > 0 && !index_undo_clear(act->idx, ok ? error : NULL))
			ok = false;
		if (!ok)
			goto out;
	}
	ok = true;
out:
	if (trashed != NULL)
		*trashed = n_trash;
	if (removed != NULL)
		*removed = n_removed;
	g_array_free(to_remove, TRUE);
	g_array_free(to_trash, TRUE);
	g_ptr_array_unref(dele);
	return ok;
}

/*
 * Drop the queued DELEs of the rows ENTRIES puts back: a row that has its
 * UIDL again is known to the fetcher by its row, and is not deleted.
 */
static bool
change_unqueue(struct change *act, const GPtrArray *entries, GError **error)
{
	GHashTable *journals = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, change_records_free);
	bool ok = false;
	guint i;

	for (i = 0; i < entries->len; i++) {
		const struct index_undo_entry *e = g_ptr_array_index(entries, i);
		const char *uidls[1] = { e->uidl };

		if (e->kind != INDEX_UNDO_CHANGED || e->uidl == NULL)
			continue;
		if (!index_gone_forget(act->idx, e->account, uidls, 1, error))
			goto out;
		uidls_add_back(change_records_for(journals, e->account), e->uidl);
	}
	ok = change_journals_write(act, journals, error);
out:
	g_hash_table_unref(journals);
	return ok;
}

bool
change_undo(struct change *act, char **label, guint *done, GError **error)
{
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)index_undo_entry_free);
	char *what = NULL;
	int64_t last = 0;
	guint n = 0;
	bool ok = false;

	if (label != NULL)
		*label = NULL;
	if (!folder_recover(act->idx, act->store, error) ||
	    !index_undo_last(act->idx, &last, &what, entries, error))
		goto out;
	/*
	 * Rows that are gone are skipped.  After a failure the action stays in
	 * the log: undo again puts back the rest (what is back already is left).
	 */
	ok = change_unqueue(act, entries, error) &&
	    folder_restore(act->idx, act->store, entries, &n, error) &&
	    index_undo_drop(act->idx, last, error);
	if (label != NULL) {
		*label = what;
		what = NULL;
	}
out:
	if (done != NULL)
		*done = n;
	g_free(what);
	g_ptr_array_unref(entries);
	return ok;
}
