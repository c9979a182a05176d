/*
 * index-log: what the index keeps besides messages (index.h): tags, the
 * UIDLs of messages gone from the store (the DELE queue), the moves journal
 * and the undo log.  Small tables, each written in the caller's transaction
 * when there is one.
 */
#include "index-private.h"

#include <time.h>

bool
index_set_tagged(struct index *idx, int64_t id, bool tagged, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, "UPDATE messages SET tagged = ?2 WHERE id = ?1", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, tagged ? 1 : 0);
	return index_run(idx, stmt, error);
}


bool
index_tagged(struct index *idx, GArray *ids, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT id FROM messages WHERE state = 1 AND tagged = 1 ORDER BY date, id", error);

	return stmt != NULL && index_each(idx, stmt, index_step_int64, ids, error);
}

void
index_gone_free(struct index_gone *gone)
{
	if (gone == NULL)
		return;
	g_free(gone->uidl);
	g_free(gone);
}

bool
index_gone_add(struct index *idx, const char *account, const char *uidl, int64_t arrival,
    bool dele, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT OR REPLACE INTO gone (account, uidl, arrival, dele, time)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	    error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, uidl);
	sqlite3_bind_int64(stmt, 3, arrival);
	sqlite3_bind_int(stmt, 4, dele ? 1 : 0);
	sqlite3_bind_int64(stmt, 5, (int64_t)time(NULL));
	return index_run(idx, stmt, error);
}

/* A row of gone onto the GPtrArray DATA (index_step_fn). */
static bool
index_gone_read(sqlite3_stmt *stmt, void *data)
{
	struct index_gone *g = g_new0(struct index_gone, 1);

	g->uidl = index_column_text(stmt, 0);
	g->arrival = sqlite3_column_int64(stmt, 1);
	g->dele = sqlite3_column_int(stmt, 2) != 0;
	g_ptr_array_add(data, g);
	return true;
}

bool
index_gone_list(struct index *idx, const char *account, GPtrArray *out, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT uidl, arrival, dele FROM gone WHERE account = ?1 ORDER BY uidl", error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	return index_each(idx, stmt, index_gone_read, out, error);
}

/* Forget one UIDL of ACCOUNT. */
static bool
index_gone_forget_one(struct index *idx, const char *account, const char *uidl, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, "DELETE FROM gone WHERE account = ?1 AND uidl = ?2",
	    error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, uidl);
	return index_run(idx, stmt, error);
}

bool
index_gone_forget(struct index *idx, const char *account, const char *const *uidls, size_t n,
    GError **error)
{
	bool own;
	size_t i;

	if (n == 0)
		return true;
	if (!index_write_begin(idx, &own, error))
		return false;
	for (i = 0; i < n; i++) {
		if (!index_gone_forget_one(idx, account, uidls[i], error)) {
			index_write_undo(idx, own);
			return false;
		}
	}
	return index_write_end(idx, own, error);
}

void
index_move_free(struct index_move *move)
{
	if (move == NULL)
		return;
	g_free(move->account);
	g_free(move->folder);
	g_free(move->subdir);
	g_free(move->base);
	g_free(move->flags);
	g_free(move->uidl);
	g_free(move);
}

bool
index_move_begin(struct index *idx, const struct index_move *move, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT OR REPLACE INTO moves (id, account, folder, subdir, base, flags, uidl)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, move->id);
	index_bind_text0(stmt, 2, move->account);
	index_bind_text0(stmt, 3, move->folder);
	index_bind_text0(stmt, 4, move->subdir);
	index_bind_text0(stmt, 5, move->base);
	index_bind_text0(stmt, 6, move->flags);
	index_bind_text(stmt, 7, move->uidl);
	return index_run(idx, stmt, error);
}

bool
index_move_end(struct index *idx, int64_t id, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, "DELETE FROM moves WHERE id = ?1", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	return index_run(idx, stmt, error);
}

/* A row of moves onto the GPtrArray DATA (index_step_fn). */
static bool
index_move_read(sqlite3_stmt *stmt, void *data)
{
	struct index_move *m = g_new0(struct index_move, 1);

	m->id = sqlite3_column_int64(stmt, 0);
	m->account = index_column_text(stmt, 1);
	m->folder = index_column_text(stmt, 2);
	m->subdir = index_column_text(stmt, 3);
	m->base = index_column_text(stmt, 4);
	m->flags = index_column_text(stmt, 5);
	m->uidl = index_column_text(stmt, 6);
	g_ptr_array_add(data, m);
	return true;
}

bool
index_moves(struct index *idx, GPtrArray *out, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT id, account, folder, subdir, base, flags, uidl FROM moves ORDER BY id", error);

	return stmt != NULL && index_each(idx, stmt, index_move_read, out, error);
}

void
index_undo_entry_free(struct index_undo_entry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->account);
	g_free(entry->folder);
	g_free(entry->subdir);
	g_free(entry->flags);
	g_free(entry->uidl);
	g_free(entry);
}

bool
index_undo_begin(struct index *idx, const char *label, int64_t *action, GError **error)
{
	sqlite3_stmt *stmt;
	bool own;

	if (!index_write_begin(idx, &own, error))
		return false;
	stmt = index_sql(idx, "INSERT INTO undo_actions (label) VALUES (?1)", error);
	if (stmt == NULL)
		goto fail;
	index_bind_text0(stmt, 1, label);
	if (!index_run(idx, stmt, error))
		goto fail;
	*action = sqlite3_last_insert_rowid(idx->db);
	/* Keep the last INDEX_UNDO_MAX actions. */
	stmt = index_sql(idx, "DELETE FROM undo_entries WHERE action <= ?1", error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, *action - INDEX_UNDO_MAX);
	if (!index_run(idx, stmt, error))
		goto fail;
	stmt = index_sql(idx, "DELETE FROM undo_actions WHERE action <= ?1", error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, *action - INDEX_UNDO_MAX);
	if (!index_run(idx, stmt, error))
		goto fail;
	return index_write_end(idx, own, error);
fail:
	index_write_undo(idx, own);
	return false;
}

bool
index_undo_record(struct index *idx, int64_t action, enum index_undo_kind kind,
    const struct index_message *msg, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT INTO undo_entries (action, id, kind, account, folder, subdir, flags, uidl,"
	    " tagged) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, action);
	sqlite3_bind_int64(stmt, 2, msg->id);
	sqlite3_bind_int(stmt, 3, (int)kind);
	if (kind == INDEX_UNDO_CHANGED) {
		index_bind_text0(stmt, 4, msg->account);
		index_bind_text0(stmt, 5, msg->folder);
		index_bind_text0(stmt, 6, msg->subdir);
		index_bind_text0(stmt, 7, msg->flags);
		index_bind_text(stmt, 8, msg->uidl);
	}
	/* Bound for CREATED too: NULL is no default for a NOT NULL column. */
	sqlite3_bind_int(stmt, 9, kind == INDEX_UNDO_CHANGED && msg->tagged ? 1 : 0);
	return index_run(idx, stmt, error);
}

/* A row of undo_entries onto the GPtrArray DATA (index_step_fn). */
static bool
index_undo_entry_read(sqlite3_stmt *stmt, void *data)
{
	struct index_undo_entry *e = g_new0(struct index_undo_entry, 1);

	e->id = sqlite3_column_int64(stmt, 0);
	e->kind = sqlite3_column_int(stmt, 1) == INDEX_UNDO_CREATED ? INDEX_UNDO_CREATED
								    : INDEX_UNDO_CHANGED;
	e->account = index_column_text(stmt, 2);
	e->folder = index_column_text(stmt, 3);
	e->subdir = index_column_text(stmt, 4);
	e->flags = index_column_text(stmt, 5);
	e->uidl = index_column_text(stmt, 6);
	e->tagged = sqlite3_column_int(stmt, 7) != 0;
	g_ptr_array_add(data, e);
	return true;
}

bool
index_undo_last(struct index *idx, int64_t *action, char **label, GPtrArray *entries,
    GError **error)
{
	sqlite3_stmt *stmt;
	int64_t last;
	int rc;

	if (label != NULL)
		*label = NULL;
	stmt = index_sql(idx,
	    "SELECT a.action, a.label FROM undo_actions a WHERE EXISTS"
	    " (SELECT 1 FROM undo_entries e WHERE e.action = a.action)"
	    " ORDER BY a.action DESC LIMIT 1",
	    error);
	if (stmt == NULL)
		return false;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		sqlite3_reset(stmt);
		return false;
	}
	last = sqlite3_column_int64(stmt, 0);
	if (label != NULL)
		*label = index_column_text(stmt, 1);
	sqlite3_reset(stmt);
	*action = last;
	stmt = index_sql(idx,
	    "SELECT id, kind, account, folder, subdir, flags, uidl, tagged FROM undo_entries"
	    " WHERE action = ?1 ORDER BY seq DESC",
	    error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, last);
	if (!index_each(idx, stmt, index_undo_entry_read, entries, error))
		goto fail;
	return true;
fail:
	if (label != NULL)
		g_clear_pointer(label, g_free);
	return false;
}

bool
index_undo_drop(struct index *idx, int64_t action, GError **error)
{
	sqlite3_stmt *stmt;
	bool own;

	if (!index_write_begin(idx, &own, error))
		return false;
	stmt = index_sql(idx, "DELETE FROM undo_entries WHERE action = ?1", error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, action);
	if (!index_run(idx, stmt, error))
		goto fail;
	stmt = index_sql(idx, "DELETE FROM undo_actions WHERE action = ?1", error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, action);
	if (!index_run(idx, stmt, error))
		goto fail;
	return index_write_end(idx, own, error);
fail:
	index_write_undo(idx, own);
	return false;
}

bool
index_undo_clear(struct index *idx, GError **error)
{
	bool own;

	if (!index_write_begin(idx, &own, error))
		return false;
	if (!index_run_sql(idx, "DELETE FROM undo_entries", error) ||
	    !index_run_sql(idx, "DELETE FROM undo_actions", error)) {
		index_write_undo(idx, own);
		return false;
	}
	return index_write_end(idx, own, error);
}
