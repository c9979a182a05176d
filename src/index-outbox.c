/*
 * index-outbox: the envelope and state of the messages waiting in Outbox
 * folders (index.h, "The Outbox"); the table is schema 7's `outbox`.
 */
#include "index-private.h"

#include <string.h>

bool
index_outbox_put(struct index *idx, int64_t id, const char *sender, const char *rcpts,
    const char *marks, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT OR REPLACE INTO outbox (id, sender, rcpts, state, attempts, next_try, error,"
	    " marks) VALUES (?1, ?2, ?3, 0, 0, 0, NULL, ?4)",
	    error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	index_bind_text0(stmt, 2, sender);
	index_bind_text0(stmt, 3, rcpts);
	index_bind_text(stmt, 4, marks);
	return index_run(idx, stmt, error);
}

/* A row of outbox onto the struct index_outbox DATA (index_step_fn). */
static bool
index_outbox_read(sqlite3_stmt *stmt, void *data)
{
	struct index_outbox *o = data;

	o->id = sqlite3_column_int64(stmt, 0);
	o->sender = index_column_text(stmt, 1);
	o->rcpts = index_column_text(stmt, 2);
	o->state = (enum index_outbox_state)sqlite3_column_int(stmt, 3);
	o->attempts = sqlite3_column_int(stmt, 4);
	o->next_try = sqlite3_column_int64(stmt, 5);
	o->error = index_column_text(stmt, 6);
	o->marks = index_column_text(stmt, 7);
	return false;
}

bool
index_outbox_get(struct index *idx, int64_t id, struct index_outbox *out, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT id, sender, rcpts, state, attempts, next_try, error, marks FROM outbox"
	    " WHERE id = ?1",
	    error);

	index_outbox_clear(out);
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	return index_each(idx, stmt, index_outbox_read, out, error);
}

bool
index_outbox_update(struct index *idx, const struct index_outbox *o, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "UPDATE outbox SET state = ?2, attempts = ?3, next_try = ?4, error = ?5 WHERE id = ?1",
	    error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, o->id);
	sqlite3_bind_int(stmt, 2, (int)o->state);
	sqlite3_bind_int(stmt, 3, o->attempts);
	sqlite3_bind_int64(stmt, 4, o->next_try);
	index_bind_text(stmt, 5, o->error);
	return index_run(idx, stmt, error);
}

bool
index_outbox_drop(struct index *idx, int64_t id, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, "DELETE FROM outbox WHERE id = ?1", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	return index_run(idx, stmt, error);
}

/* The ids SQL selects for ACCOUNT (?1) and FOLDER (?2), appended to IDS. */
static bool
outbox_select_ids(struct index *idx, const char *sql, const char *account, const char *folder,
    GArray *ids, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, folder);
	return index_each(idx, stmt, index_step_int64, ids, error);
}

bool
index_outbox_ids(struct index *idx, const char *account, const char *folder, GArray *ids,
    GError **error)
{
	return outbox_select_ids(idx,
	    "SELECT id FROM messages WHERE account = ?1 AND folder = ?2 AND state = 1"
	    " ORDER BY arrival, id",
	    account, folder, ids, error);
}

bool
index_outbox_orphans(struct index *idx, const char *account, const char *folder, GArray *ids,
    GError **error)
{
	return outbox_select_ids(idx,
	    "SELECT o.id FROM outbox o LEFT JOIN messages m ON m.id = o.id"
	    " WHERE m.id IS NULL OR (m.account = ?1 AND m.folder != ?2)",
	    account, folder, ids, error);
}

void
index_outbox_clear(struct index_outbox *o)
{
	g_free(o->sender);
	g_free(o->rcpts);
	g_free(o->error);
	g_free(o->marks);
	memset(o, 0, sizeof(*o));
}
