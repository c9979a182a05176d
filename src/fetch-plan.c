/*
 * fetch-plan: what one account's fetch does with the server's listing
 * (fetch-private.h): the UIDLs the index knows (and those expunged here),
 * what is new (whole, or headers only over max_size), the rest of the
 * messages stored headers-only (--rest), what policy lets it DELE, and
 * after QUIT the expunged UIDLs the server no longer has.  The messages
 * themselves arrive through fetch.c's callbacks.
 */
#include "fetch-private.h"

#include <time.h>
#include "surat/mime-lib.h"

/* Add the UIDLs of messages expunged here to what is known (they are not fetched again). */
static bool
fetch_load_gone(struct fetch_run *run, GError **error)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	guint i;

	if (!index_gone_list(run->idx, run->account->name, gone, error)) {
		g_ptr_array_free(gone, TRUE);
		return false;
	}
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);
		struct fetch_known *k;

		/* Still stored (moved to the trash): a DELE may be queued all the same. */
		if ((k = g_hash_table_lookup(run->known, g->uidl)) != NULL) {
			k->dele = k->dele || g->dele;
			continue;
		}
		k = g_new0(struct fetch_known, 1);
		k->arrival = g->arrival;
		k->stored = true;
		k->gone = true;
		k->dele = g->dele;
		g_hash_table_replace(run->known, g_strdup(g->uidl), k);
	}
	g_ptr_array_free(gone, TRUE);
	return true;
}

/* One row of index_account_uidls into the known UIDLs. */
static void
fetch_known_add(const struct index_uidl_row *row, void *data)
{
	struct fetch_run *run = data;
	struct fetch_known *k = g_new0(struct fetch_known, 1);

	k->id = row->id;
	k->arrival = row->arrival;
	k->partial = row->partial;
	k->stored = row->state == INDEX_STATE_STORED;
	g_hash_table_replace(run->known, g_strdup(row->uidl), k);
}

/* Load what the index knows of the account's UIDLs: five columns of each row. */
bool
fetch_plan_load_known(struct fetch_run *run, GError **error)
{
	if (!index_account_uidls(run->idx, run->account->name, fetch_known_add, run, error))
		return false;
	return fetch_load_gone(run, error);
}

bool
fetch_plan_load_rest(struct fetch_run *run, GError **error)
{
	guint i;

	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);
		struct fetch_known *k;
		struct index_message *row;
		GError *local = NULL;

		if (m->uidl == NULL || (k = g_hash_table_lookup(run->known, m->uidl)) == NULL ||
		    !k->partial || g_hash_table_contains(run->rows, m->uidl))
			continue;
		row = g_new0(struct index_message, 1);
		if (!index_get(run->idx, k->id, row, &local)) {
			index_message_free(row);
			/* Gone since (another process expunged it): nothing to complete. */
			if (local == NULL) {
				k->partial = false;
				continue;
			}
			g_propagate_error(error, local);
			return false;
		}
		g_hash_table_replace(run->rows, g_strdup(m->uidl), row);
	}
	return true;
}

/*
 * LIST the sizes, but only when some UIDL is new (KNOWN lacks it) or, for
 * --rest, wanted: a run with nothing to fetch sends no LIST at all.
 */
static bool
fetch_list_if_new(struct fetch_run *run, GHashTable *known, GError **error)
{
	guint i;

	if (run->listed)
		return true;
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl != NULL && (known == run->known ?
		    !g_hash_table_contains(known, m->uidl) : g_hash_table_contains(known, m->uidl)))
			break;
	}
	if (i == run->msgs->len)
		return true;
	run->listed = true;
	return pop3_list(run->session, run->msgs, error);
}

/* Fetch what is new: whole messages, or headers only above max_size. */
bool
fetch_plan_new(struct fetch_run *run, GError **error)
{
	const struct fetch_observer *o = run->options->observer;
	GArray *whole = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	GArray *heads = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	uint64_t bytes = 0;
	bool ok = true;
	guint i;

	if (!fetch_list_if_new(run, run->known, error)) {
		g_array_free(whole, TRUE);
		g_array_free(heads, TRUE);
		return false;
	}
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl == NULL || g_hash_table_contains(run->known, m->uidl))
			continue;
		bytes += m->size;
		if (run->account->max_size > 0 && m->size > (uint64_t)run->account->max_size)
			g_array_append_val(heads, m->num);
		else
			g_array_append_val(whole, m->num);
	}
	/* Each message is parsed for its row: GMime loads now, not at every start. */
	if (whole->len + heads->len > 0 && !mime_lib_load(error)) {
		g_array_free(whole, TRUE);
		g_array_free(heads, TRUE);
		return false;
	}
	if (o != NULL && o->start != NULL)
		o->start(o->data, run->account->name, whole->len + heads->len, bytes);
	if (whole->len > 0)
		ok = pop3_retr_pieces(run->session, (unsigned int *)(void *)whole->data,
		    whole->len, fetch_on_message, run, error);
	fetch_pieces_end(run);
	if (ok && heads->len > 0) {
		GError *local = NULL;

		ok = pop3_top_pieces(run->session, (unsigned int *)(void *)heads->data,
		    heads->len, 0, fetch_on_top, run, &local);
		fetch_pieces_end(run);
		if (!ok && g_error_matches(local, POP3_ERROR, POP3_ERROR_UNSUPPORTED)) {
			/* Without TOP there is no headers-only: fetch them whole. */
			g_clear_error(&local);
			fetch_warn(run, "the server has no TOP: messages over max_size are "
					"fetched whole");
			ok = pop3_retr_pieces(run->session, (unsigned int *)(void *)heads->data,
			    heads->len, fetch_on_message, run, &local);
			fetch_pieces_end(run);
		}
		if (!ok)
			g_propagate_error(error, local);
	}
	g_array_free(whole, TRUE);
	g_array_free(heads, TRUE);
	return ok;
}

/* Fetch the rest of every message stored headers-only. */
bool
fetch_plan_rest(struct fetch_run *run, GError **error)
{
	const struct fetch_observer *o = run->options->observer;
	GArray *nums = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	uint64_t bytes = 0;
	unsigned int missing = 0;
	GHashTableIter iter;
	gpointer value;
	bool ok = true;
	guint i;

	if (!fetch_list_if_new(run, run->rows, error)) {
		g_array_free(nums, TRUE);
		return false;
	}
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl != NULL && g_hash_table_contains(run->rows, m->uidl)) {
			g_array_append_val(nums, m->num);
			bytes += m->size;
		}
	}
	/* UIDLs are unique on both sides: the headers-only rows not listed are the rest. */
	g_hash_table_iter_init(&iter, run->known);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		missing += ((const struct fetch_known *)value)->partial;
	missing -= nums->len;
	if (missing > 0)
		fetch_warn(run, "%u headers-only message%s no longer on the server", missing,
		    missing == 1 ? " is" : "s are");
	if (nums->len > 0 && !mime_lib_load(error)) {
		g_array_free(nums, TRUE);
		return false;
	}
	if (o != NULL && o->start != NULL)
		o->start(o->data, run->account->name, nums->len, bytes);
	if (nums->len > 0)
		ok = pop3_retr_pieces(run->session, (unsigned int *)(void *)nums->data,
		    nums->len, fetch_on_rest, run, error);
	fetch_pieces_end(run);
	g_array_free(nums, TRUE);
	return ok;
}

/* DELE what policy allows: only messages durably stored, never partial ones. */
bool
fetch_plan_delete(struct fetch_run *run, GError **error)
{
	const struct account_config *a = run->account;
	GArray *nums = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	int64_t cutoff = (int64_t)time(NULL) - (int64_t)a->delete_after_days * 86400;
	bool ok = true;
	guint i;

	if (a->keep && a->delete_after_days == 0 && !a->delete_on_server_when_deleted)
		goto out;
	/*
	 * What this run stored is in the index now; read it again when policy
	 * may delete it.  (Expunged UIDLs were loaded at the start; none came since.)
	 */
	if (!a->keep || a->delete_after_days > 0) {
		g_hash_table_remove_all(run->known);
		if (!fetch_plan_load_known(run, error)) {
			ok = false;
			goto out;
		}
	}
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);
		const struct fetch_known *k;

		if (m->uidl == NULL || (k = g_hash_table_lookup(run->known, m->uidl)) == NULL)
			continue;
		/* Stored whole, or stored once and deleted here since. */
		if (!(k->stored && !k->partial) && !k->gone && !k->dele)
			continue;
		/* Expunged here "until I delete them": its DELE was queued then. */
		if (a->keep && !(k->dele && a->delete_on_server_when_deleted) &&
		    (a->delete_after_days == 0 || k->arrival > cutoff))
			continue;
		g_array_append_val(nums, m->num);
		g_ptr_array_add(run->deleled, m->uidl);
	}
	if (nums->len > 0)
		ok = pop3_dele_many(run->session, (unsigned int *)(void *)nums->data, nums->len, error);
	if (ok)
		run->deleted = nums->len;
	else
		g_ptr_array_set_size(run->deleled, 0);
out:
	g_array_free(nums, TRUE);
	return ok;
}

/*
 * After QUIT: forget the expunged UIDLs the server no longer has (DELE'd
 * now, or gone by other means), so the list does not grow for ever.  Only a
 * committed QUIT may do this: before it, the server still has them all.
 */
bool
fetch_plan_forget_gone(struct fetch_run *run, GError **error)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	GPtrArray *forget = g_ptr_array_new();
	GHashTable *on_server = g_hash_table_new(g_str_hash, g_str_equal);
	bool ok = false;
	guint i;

	if (!index_gone_list(run->idx, run->account->name, gone, error))
		goto out;
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl != NULL)
			g_hash_table_add(on_server, m->uidl);
	}
	for (i = 0; i < run->deleled->len; i++)
		g_hash_table_remove(on_server, g_ptr_array_index(run->deleled, i));
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);

		if (!g_hash_table_contains(on_server, g->uidl))
			g_ptr_array_add(forget, g->uidl);
	}
	ok = index_gone_forget(run->idx, run->account->name, (const char *const *)forget->pdata,
	    forget->len, error);
out:
	g_hash_table_unref(on_server);
	g_ptr_array_free(forget, TRUE);
	g_ptr_array_free(gone, TRUE);
	return ok;
}
