/*
 * index-db: the index's connection to SQLite (index-private.h): errors that
 * name the file, the statement cache, binds, transactions, and one loop
 * over a statement's rows (index_each) that every reader uses.  What the
 * rows mean is index.c's and the other index files'.
 */
#include "index-private.h"

#include <string.h>

/* Here, with the errors: every index file depends on this one and it on none. */
G_DEFINE_QUARK(surat-index-error-quark, index_error)

void
index_set_error(struct index *idx, GError **error, int code, const char *what)
{
	int rc = sqlite3_extended_errcode(idx->db);
	const char *hint = "";

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		hint = " (another program holds the index; try again)";
		break;
	case SQLITE_FULL:
		hint = " (the disk is full)";
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		hint = " (check the file and its folder are writable)";
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		/* Damaged: whatever the caller thought, this is what it is. */
		code = INDEX_ERROR_CORRUPT;
		hint = "; run surat reindex to rebuild it from the Maildirs";
		break;
	}
	g_set_error(error, INDEX_ERROR, code, "index %s: %s%s%s%s", idx->path,
	    what != NULL ? what : "", what != NULL ? ": " : "", sqlite3_errmsg(idx->db), hint);
}

/* Finalize the cached statements that are not running, to bound the cache. */
static void
index_trim_stmts(struct index *idx)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, idx->stmts);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if (!sqlite3_stmt_busy(value))
			g_hash_table_iter_remove(&it);
	}
}

sqlite3_stmt *
index_sql(struct index *idx, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(idx->stmts, sql);

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	if (g_hash_table_size(idx->stmts) >= INDEX_STMT_CACHE_MAX)
		index_trim_stmts(idx);
	if (sqlite3_prepare_v3(idx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
	    SQLITE_OK) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return NULL;
	}
	g_hash_table_insert(idx->stmts, g_strdup(sql), stmt);
	return stmt;
}

bool
index_run(struct index *idx, sqlite3_stmt *stmt, GError **error)
{
	return index_each(idx, stmt, NULL, NULL, error);
}

bool
index_run_sql(struct index *idx, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);

	return stmt != NULL && index_run(idx, stmt, error);
}

int64_t
index_query_int(struct index *idx, sqlite3_stmt *stmt, GError **error)
{
	int64_t n = -1;
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
	sqlite3_reset(stmt);
	return n;
}

void
index_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

void
index_bind_text0(sqlite3_stmt *stmt, int i, const char *s)
{
	sqlite3_bind_text(stmt, i, s != NULL ? s : "", -1, SQLITE_STATIC);
}

void
index_bind_named_int64(sqlite3_stmt *stmt, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (i > 0)
		sqlite3_bind_int64(stmt, i, v);
}

void
index_bind_named_text(sqlite3_stmt *stmt, const char *name, const char *s)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (i > 0)
		index_bind_text0(stmt, i, s);
}

char *
index_column_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s != NULL ? g_strdup((const char *)s) : NULL;
}

bool
index_exec(struct index *idx, const char *sql, int code, GError **error)
{
	if (sqlite3_exec(idx->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		index_set_error(idx, error, code, NULL);
		return false;
	}
	return true;
}

void
index_finalize(gpointer stmt)
{
	sqlite3_finalize(stmt);
}

bool
index_set_cache_kb(struct index *idx, int kb, GError **error)
{
	char *sql = g_strdup_printf("PRAGMA cache_size = -%d", MAX(kb, 1));
	bool ok = index_exec(idx, sql, INDEX_ERROR_DB, error);

	g_free(sql);
	return ok;
}

bool
index_begin(struct index *idx, GError **error)
{
	return index_run_sql(idx, "BEGIN IMMEDIATE", error);
}

bool
index_commit(struct index *idx, GError **error)
{
	if (index_run_sql(idx, "COMMIT", error))
		return true;
	index_rollback(idx);
	return false;
}

void
index_rollback(struct index *idx)
{
	if (!sqlite3_get_autocommit(idx->db))
		index_run_sql(idx, "ROLLBACK", NULL);
}

bool
index_write_begin(struct index *idx, bool *own, GError **error)
{
	*own = sqlite3_get_autocommit(idx->db) != 0;
	return index_run_sql(idx, *own ? "BEGIN IMMEDIATE" : "SAVEPOINT index_write", error);
}

bool
index_write_end(struct index *idx, bool own, GError **error)
{
	return index_run_sql(idx, own ? "COMMIT" : "RELEASE index_write", error);
}

void
index_write_undo(struct index *idx, bool own)
{
	if (own) {
		index_rollback(idx);
		return;
	}
	index_run_sql(idx, "ROLLBACK TO index_write", NULL);
	index_run_sql(idx, "RELEASE index_write", NULL);
}

bool
index_in_transaction(struct index *idx)
{
	return !sqlite3_get_autocommit(idx->db);
}

bool
index_each(struct index *idx, sqlite3_stmt *stmt, index_step_fn fn, void *data, GError **error)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (fn != NULL && !fn(stmt, data)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return false;
	}
	return true;
}

bool
index_step_int64(sqlite3_stmt *stmt, void *data)
{
	int64_t v = sqlite3_column_int64(stmt, 0);

	g_array_append_val((GArray *)data, v);
	return true;
}

/* A row's first column, copied, onto the GPtrArray DATA (index_step_fn). */
static bool
index_text_row(sqlite3_stmt *stmt, void *data)
{
	g_ptr_array_add(data, index_column_text(stmt, 0));
	return true;
}

/* The first column of every row SQL yields, appended to OUT (g_free'd strings). */
bool
index_texts(struct index *idx, const char *sql, GPtrArray *out, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);

	return stmt != NULL && index_each(idx, stmt, index_text_row, out, error);
}

const char *
index_value_text(sqlite3_value **argv, int i)
{
	const unsigned char *s = sqlite3_value_text(argv[i]);

	return s != NULL ? (const char *)s : "";
}
