/*
 * index: the SQLite index of every message (index.h).  This file owns the
 * rows: the writes and reads of single rows and of an account's or a
 * folder's rows.  The file, schema and migrations are index-schema.c's, the
 * connection and statements index-db.c's; views are in index-query.c,
 * threads in index-thread.c, tags, the undo log, the moves journal and the
 * gone UIDLs in index-log.c.
 *
 * What it must never do: open a message file, build SQL from message or user
 * text (everything is bound), or hand FTS5 raw user input as query syntax.
 */
#include "index-private.h"

#include <string.h>

/* Column I as a row state; anything unknown reads as STORED. */
static enum index_state
index_column_state(sqlite3_stmt *stmt, int i)
{
	switch (sqlite3_column_int(stmt, i)) {
	case INDEX_STATE_PENDING:
		return INDEX_STATE_PENDING;
	case INDEX_STATE_EXPUNGING:
		return INDEX_STATE_EXPUNGING;
	default:
		return INDEX_STATE_STORED;
	}
}

void
index_read_row(sqlite3_stmt *stmt, struct index_message *msg)
{
	msg->id = sqlite3_column_int64(stmt, 0);
	msg->account = index_column_text(stmt, 1);
	msg->subdir = index_column_text(stmt, 2);
	msg->base = index_column_text(stmt, 3);
	msg->flags = index_column_text(stmt, 4);
	msg->uidl = index_column_text(stmt, 5);
	msg->message_id = index_column_text(stmt, 6);
	msg->in_reply_to = index_column_text(stmt, 7);
	msg->references = index_column_text(stmt, 8);
	msg->date = sqlite3_column_int64(stmt, 9);
	msg->arrival = sqlite3_column_int64(stmt, 10);
	msg->from = index_column_text(stmt, 11);
	msg->from_addr = index_column_text(stmt, 12);
	msg->to = index_column_text(stmt, 13);
	msg->subject = index_column_text(stmt, 14);
	msg->size = sqlite3_column_int64(stmt, 15);
	msg->mtime = sqlite3_column_int64(stmt, 16);
	msg->has_attachment = sqlite3_column_int(stmt, 17) != 0;
	msg->partial = sqlite3_column_int(stmt, 18) != 0;
	msg->state = index_column_state(stmt, 19);
	msg->folder = index_column_text(stmt, 20);
	msg->cc = index_column_text(stmt, 21);
	msg->to_addr = index_column_text(stmt, 22);
	msg->cc_addr = index_column_text(stmt, 23);
	msg->tagged = sqlite3_column_int(stmt, 24) != 0;
	msg->thread_id = sqlite3_column_int64(stmt, 25);
	msg->thread_parent = sqlite3_column_int64(stmt, 26);
	msg->thread_pos = sqlite3_column_int(stmt, 27);
	msg->thread_depth = sqlite3_column_int(stmt, 28);
	msg->thread_tree = index_column_text(stmt, 29);
	msg->thread_subject_repeat = sqlite3_column_int(stmt, 30) != 0;
}

void
index_message_clear(struct index_message *msg)
{
	if (msg == NULL)
		return;
	g_free(msg->account);
	g_free(msg->subdir);
	g_free(msg->base);
	g_free(msg->flags);
	g_free(msg->uidl);
	g_free(msg->message_id);
	g_free(msg->in_reply_to);
	g_free(msg->references);
	g_free(msg->from);
	g_free(msg->from_addr);
	g_free(msg->to);
	g_free(msg->subject);
	g_free(msg->folder);
	g_free(msg->cc);
	g_free(msg->to_addr);
	g_free(msg->cc_addr);
	g_free(msg->sender);
	g_free(msg->list);
	g_free(msg->thread_tree);
	memset(msg, 0, sizeof *msg);
}

void
index_message_free(struct index_message *msg)
{
	if (msg == NULL)
		return;
	index_message_clear(msg);
	g_free(msg);
}

bool
index_message_has_flag(const struct index_message *msg, char flag)
{
	return msg != NULL && msg->flags != NULL && flag != '\0' && strchr(msg->flags, flag) != NULL;
}

/* The columns index_put writes, ?1..?25 in this order. */
#define INDEX_PUT_COLUMNS                                                                  \
	"account, folder, subdir, base, flags, uidl, message_id, in_reply_to, refs, date,"  \
	" arrival, from_name, from_addr, to_list, to_addr, cc_list, cc_addr, subject, size," \
	" mtime, has_attachment, partial, state, sender, list"

/* Bind the row fields of MSG to the INSERT or UPDATE statement STMT. */
static void
index_bind_message(sqlite3_stmt *stmt, const struct index_message *msg)
{
	index_bind_text0(stmt, 1, msg->account);
	index_bind_text0(stmt, 2, msg->folder);
	index_bind_text0(stmt, 3, msg->subdir != NULL ? msg->subdir : "new");
	index_bind_text0(stmt, 4, msg->base);
	index_bind_text0(stmt, 5, msg->flags);
	index_bind_text(stmt, 6, msg->uidl);
	index_bind_text(stmt, 7, msg->message_id);
	index_bind_text(stmt, 8, msg->in_reply_to);
	index_bind_text(stmt, 9, msg->references);
	sqlite3_bind_int64(stmt, 10, msg->date);
	sqlite3_bind_int64(stmt, 11, msg->arrival);
	index_bind_text0(stmt, 12, msg->from);
	index_bind_text0(stmt, 13, msg->from_addr);
	index_bind_text0(stmt, 14, msg->to);
	index_bind_text0(stmt, 15, msg->to_addr);
	index_bind_text0(stmt, 16, msg->cc);
	index_bind_text0(stmt, 17, msg->cc_addr);
	index_bind_text0(stmt, 18, msg->subject);
	sqlite3_bind_int64(stmt, 19, msg->size);
	sqlite3_bind_int64(stmt, 20, msg->mtime);
	sqlite3_bind_int(stmt, 21, msg->has_attachment ? 1 : 0);
	sqlite3_bind_int(stmt, 22, msg->partial ? 1 : 0);
	sqlite3_bind_int(stmt, 23, (int)msg->state);
	index_bind_text(stmt, 24, msg->sender);
	index_bind_text(stmt, 25, msg->list);
}

/* The id of the row for (ACCOUNT, FOLDER, BASE): 0 when absent, -1 on error. */
static int64_t
index_find_base(struct index *idx, const char *account, const char *folder, const char *base,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT id FROM messages WHERE account = ?1 AND folder = ?2 AND base = ?3", error);
	int64_t id = 0;
	int rc;

	if (stmt == NULL)
		return -1;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, folder);
	index_bind_text0(stmt, 3, base);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(stmt, 0);
	else if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		id = -1;
	}
	sqlite3_reset(stmt);
	return id;
}

/* " A B" with either part left out when empty: a search column of two texts. */
static char *
index_join2(const char *a, const char *b)
{
	return g_strdup_printf("%s %s", a != NULL ? a : "", b != NULL ? b : "");
}

/* Count a new STORED row of (ACCOUNT, FOLDER) with FLAGS in mailbox_counts. */
static bool
index_count_added(struct index *idx, const char *account, const char *folder, const char *flags,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT INTO mailbox_counts (account, folder, total, unread, flagged)"
	    " VALUES (?1, ?2, 1, instr(?3, 'S') = 0, instr(?3, 'F') > 0)"
	    " ON CONFLICT (account, folder) DO UPDATE SET total = total + 1,"
	    " unread = unread + excluded.unread, flagged = flagged + excluded.flagged",
	    error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, folder);
	index_bind_text0(stmt, 3, flags);
	return index_run(idx, stmt, error);
}

/* Row ID's full-text entry: MSG's subject and people, and BODY_TEXT (may be NULL). */
static bool
index_fts_insert(struct index *idx, int64_t id, const struct index_message *msg,
    const char *body_text, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    error);

	if (stmt == NULL)
		return false;
	/* Search finds people by name or by address. */
	sqlite3_bind_int64(stmt, 1, id);
	index_bind_text0(stmt, 2, msg->subject);
	sqlite3_bind_text(stmt, 3, index_join2(msg->from, msg->from_addr), -1, g_free);
	sqlite3_bind_text(stmt, 4, index_join2(msg->to, msg->to_addr), -1, g_free);
	sqlite3_bind_text(stmt, 5, index_join2(msg->cc, msg->cc_addr), -1, g_free);
	index_bind_text0(stmt, 6, body_text);
	return index_run(idx, stmt, error);
}

bool
index_put(struct index *idx, struct index_message *msg, const char *body_text, GError **error)
{
	sqlite3_stmt *stmt;
	int64_t id;
	bool own;

	if (msg->account == NULL || msg->base == NULL) {
		g_set_error(error, INDEX_ERROR, INDEX_ERROR_DB,
		    "index %s: a row needs an account and a base name", idx->path);
		return false;
	}
	/*
	 * Inside the caller's transaction no savepoint: FTS5 writes its pending
	 * terms out as a new segment at every savepoint and release, so one per
	 * row meant a segment per message and merges without end (most of a
	 * fetch's and a reindex's writes).  The caller rolls back on failure.
	 */
	own = !index_in_transaction(idx);
	if (own && !index_begin(idx, error))
		return false;
	id = index_find_base(idx, msg->account, msg->folder, msg->base, error);
	if (id < 0)
		goto fail;
	if (id > 0)
		stmt = index_sql(idx,
		    "UPDATE messages SET account = ?1, folder = ?2, subdir = ?3, base = ?4,"
		    " flags = ?5, uidl = coalesce(?6, uidl), message_id = ?7, in_reply_to = ?8,"
		    " refs = ?9, date = ?10, arrival = ?11, from_name = ?12, from_addr = ?13,"
		    " to_list = ?14, to_addr = ?15, cc_list = ?16, cc_addr = ?17, subject = ?18,"
		    " size = ?19, mtime = ?20, has_attachment = ?21, partial = ?22, state = ?23,"
		    " sender = ?24, list = ?25,"
		    " from_key = surat_fold(?12), subject_key = surat_subject_key(?18),"
		    " reply = surat_subject_reply(?18) WHERE id = ?26",
		    error);
	else
		stmt = index_sql(idx,
		    "INSERT INTO messages (" INDEX_PUT_COLUMNS ", from_key, subject_key, reply,"
		    " thread_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, surat_fold(?12),"
		    " surat_subject_key(?18), surat_subject_reply(?18), ?10)",
		    error);
	if (stmt == NULL)
		goto fail;
	index_bind_message(stmt, msg);
	if (id > 0)
		sqlite3_bind_int64(stmt, 26, id);
	if (!index_run(idx, stmt, error))
		goto fail;
	if (id == 0) {
		id = sqlite3_last_insert_rowid(idx->db);
		if (msg->state == INDEX_STATE_STORED &&
		    !index_count_added(idx, msg->account, msg->folder, msg->flags, error))
			goto fail;
	} else {
		if ((stmt = index_sql(idx, "DELETE FROM messages_fts WHERE rowid = ?1", error)) ==
		    NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, id);
		if (!index_run(idx, stmt, error))
			goto fail;
	}
	if (!index_fts_insert(idx, id, msg, body_text, error))
		goto fail;
	if (own && !index_commit(idx, error))
		goto fail;
	msg->id = id;
	return true;
fail:
	if (own)
		index_rollback(idx);
	return false;
}

/* Run SQL with ?1 bound to ID and ?2.. to the texts A and B (may be NULL). */
static bool
index_update_row(struct index *idx, const char *sql, int64_t id, const char *a, const char *b,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	if (a != NULL)
		index_bind_text0(stmt, 2, a);
	if (b != NULL)
		index_bind_text0(stmt, 3, b);
	return index_run(idx, stmt, error);
}

bool
index_body_later(struct index *idx, int64_t id, GError **error)
{
	return index_update_row(idx, "INSERT OR IGNORE INTO bodies_waiting (id) VALUES (?1)", id,
	    NULL, NULL, error);
}

int64_t
index_bodies_waiting(struct index *idx, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT count(*) FROM bodies_waiting w JOIN messages m ON m.id = w.id"
	    " WHERE m.state = 1",
	    error);

	return stmt != NULL ? index_query_int(idx, stmt, error) : -1;
}

bool
index_set_body(struct index *idx, const struct index_message *msg, const char *body_text,
    GError **error)
{
	struct index_message cur = { 0 };
	bool ok;

	/* As the row is now: the file read may have been replaced meanwhile (--rest). */
	if (!index_get(idx, msg->id, &cur, error))
		return error == NULL || *error == NULL; /* gone, and its mark with it */
	if (cur.size != msg->size || cur.mtime != msg->mtime) {
		index_message_clear(&cur);
		return true; /* another file now: it stays waiting, for the next round */
	}
	ok = index_update_row(idx, "DELETE FROM messages_fts WHERE rowid = ?1", cur.id, NULL, NULL,
	    error) && index_fts_insert(idx, cur.id, &cur, body_text, error) &&
	    index_update_row(idx, "DELETE FROM bodies_waiting WHERE id = ?1", cur.id, NULL, NULL,
	    error);
	index_message_clear(&cur);
	return ok;
}

bool
index_delete(struct index *idx, int64_t id, GError **error)
{
	/* The triggers remove the full-text entry and mark the thread. */
	return index_update_row(idx, "DELETE FROM messages WHERE id = ?1", id, NULL, NULL, error);
}

bool
index_bury(struct index *idx, int64_t id, GError **error)
{
	sqlite3_stmt *stmt;
	char *account = NULL, *uidl = NULL;
	int64_t arrival = 0;
	bool own, ok = false;
	int rc;

	if (!index_write_begin(idx, &own, error))
		return false;
	stmt = index_sql(idx, "SELECT account, uidl, arrival FROM messages WHERE id = ?1", error);
	if (stmt == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		account = index_column_text(stmt, 0);
		uidl = index_column_text(stmt, 1);
		arrival = sqlite3_column_int64(stmt, 2);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		goto out;
	}
	/* The UIDL is remembered before the row goes: never a moment without either. */
	if (uidl != NULL && !index_gone_add(idx, account, uidl, arrival, false, error))
		goto out;
	if (!index_update_row(idx, "DELETE FROM messages WHERE id = ?1", id, NULL, NULL, error))
		goto out;
	ok = index_write_end(idx, own, error);
out:
	if (!ok)
		index_write_undo(idx, own);
	g_free(account);
	g_free(uidl);
	return ok;
}

bool
index_set_flags(struct index *idx, int64_t id, const char *subdir, const char *flags,
    GError **error)
{
	return index_update_row(idx, "UPDATE messages SET subdir = ?2, flags = ?3 WHERE id = ?1",
	    id, subdir != NULL ? subdir : "", flags != NULL ? flags : "", error);
}

bool
index_set_state(struct index *idx, int64_t id, enum index_state state, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, "UPDATE messages SET state = ?2 WHERE id = ?1", error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int(stmt, 2, (int)state);
	return index_run(idx, stmt, error);
}

bool
index_set_location(struct index *idx, int64_t id, const char *account, const char *folder,
    const char *subdir, const char *base, const char *flags, const char *uidl, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "UPDATE messages SET account = ?2, folder = ?3, subdir = ?4, base = ?5, flags = ?6,"
	    " uidl = ?7 WHERE id = ?1",
	    error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	index_bind_text0(stmt, 2, account);
	index_bind_text0(stmt, 3, folder);
	index_bind_text0(stmt, 4, subdir);
	index_bind_text0(stmt, 5, base);
	index_bind_text0(stmt, 6, flags);
	index_bind_text(stmt, 7, uidl);
	return index_run(idx, stmt, error);
}

bool
index_copy_row(struct index *idx, int64_t id, const char *account, const char *folder,
    const char *subdir, const char *base, const char *flags, int64_t *new_id, GError **error)
{
	sqlite3_stmt *stmt;
	bool own;
	int64_t made;

	if (!index_write_begin(idx, &own, error))
		return false;
	stmt = index_sql(idx,
	    "INSERT INTO messages (account, folder, subdir, base, flags, uidl, message_id,"
	    " in_reply_to, refs, date, arrival, from_name, from_addr, to_list, to_addr, cc_list,"
	    " cc_addr, subject, size, mtime, has_attachment, partial, state, from_key,"
	    " subject_key, reply, thread_date, sender, list)"
	    " SELECT ?2, ?3, ?4, ?5, ?6, NULL, message_id, in_reply_to, refs, date, arrival,"
	    " from_name, from_addr, to_list, to_addr, cc_list, cc_addr, subject, size, mtime,"
	    " has_attachment, partial, 1, from_key, subject_key, reply, date, sender, list"
	    " FROM messages WHERE id = ?1",
	    error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	index_bind_text0(stmt, 2, account);
	index_bind_text0(stmt, 3, folder);
	index_bind_text0(stmt, 4, subdir);
	index_bind_text0(stmt, 5, base);
	index_bind_text0(stmt, 6, flags);
	if (!index_run(idx, stmt, error))
		goto fail;
	if (sqlite3_changes(idx->db) != 1) {
		g_set_error(error, INDEX_ERROR, INDEX_ERROR_DB, "index %s: no row %" G_GINT64_FORMAT
		    " to copy", idx->path, (gint64)id);
		goto fail;
	}
	made = sqlite3_last_insert_rowid(idx->db);
	if (!index_count_added(idx, account, folder, flags, error))
		goto fail;
	stmt = index_sql(idx,
	    "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body)"
	    " SELECT ?2, subject, sender, recipients, cc, body FROM messages_fts WHERE rowid = ?1",
	    error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, made);
	if (!index_run(idx, stmt, error))
		goto fail;
	/* A copy of a row whose body waits (index_body_later) waits too. */
	stmt = index_sql(idx,
	    "INSERT OR IGNORE INTO bodies_waiting (id)"
	    " SELECT ?2 WHERE EXISTS (SELECT 1 FROM bodies_waiting WHERE id = ?1)",
	    error);
	if (stmt == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, made);
	if (!index_run(idx, stmt, error) || !index_write_end(idx, own, error))
		goto fail;
	if (new_id != NULL)
		*new_id = made;
	return true;
fail:
	index_write_undo(idx, own);
	return false;
}

bool
index_get(struct index *idx, int64_t id, struct index_message *msg, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	index_message_clear(msg);
	if ((stmt = index_sql(idx, "SELECT " INDEX_COLUMNS " FROM messages m WHERE m.id = ?1",
		 error)) == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		index_read_row(stmt, msg);
	else if (rc != SQLITE_DONE)
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW;
}

bool
index_has_uidl(struct index *idx, const char *account, const char *uidl, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	if (uidl == NULL)
		return false;
	if ((stmt = index_sql(idx,
		 "SELECT 1 FROM messages WHERE account = ?1 AND uidl = ?2 LIMIT 1", error)) ==
	    NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, uidl);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW;
}

bool
index_account_known(struct index *idx, const char *account, bool *known, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT EXISTS (SELECT 1 FROM messages WHERE account = ?1)"
	    " OR EXISTS (SELECT 1 FROM gone WHERE account = ?1)",
	    error);
	int64_t v;

	*known = false;
	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	v = index_query_int(idx, stmt, error);
	if (v < 0)
		return false;
	*known = v > 0;
	return true;
}

/* A full row (INDEX_COLUMNS) onto the GPtrArray DATA (index_step_fn). */
static bool
index_full_row(sqlite3_stmt *stmt, void *data)
{
	struct index_message *msg = g_new0(struct index_message, 1);

	index_read_row(stmt, msg);
	g_ptr_array_add(data, msg);
	return true;
}

/* Append the full rows of SQL (?1 bound to ACCOUNT when not NULL) to ROWS. */
static bool
index_collect_rows(struct index *idx, const char *sql, const char *account, GPtrArray *rows,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);

	if (stmt == NULL)
		return false;
	if (account != NULL)
		index_bind_text0(stmt, 1, account);
	return index_each(idx, stmt, index_full_row, rows, error);
}

bool
index_bodies_next(struct index *idx, int64_t after, unsigned int max, GPtrArray *rows,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT " INDEX_COLUMNS " FROM bodies_waiting w JOIN messages m ON m.id = w.id"
	    " WHERE w.id > ?1 AND m.state = 1 ORDER BY w.id LIMIT ?2",
	    error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, after);
	sqlite3_bind_int64(stmt, 2, max);
	return index_each(idx, stmt, index_full_row, rows, error);
}

bool
index_account_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error)
{
	return index_collect_rows(idx,
	    "SELECT " INDEX_COLUMNS " FROM messages m WHERE m.account = ?1 ORDER BY m.id", account,
	    rows, error);
}

bool
index_pending_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error)
{
	return index_collect_rows(idx,
	    "SELECT " INDEX_COLUMNS " FROM messages m WHERE m.account = ?1 AND m.state = 0"
	    " ORDER BY m.id",
	    account, rows, error);
}

bool
index_expunging_rows(struct index *idx, GPtrArray *rows, GError **error)
{
	return index_collect_rows(idx,
	    /* Left to itself the planner walks every row's id for the ORDER BY. */
	    "SELECT " INDEX_COLUMNS " FROM messages m INDEXED BY messages_expunging"
	    " WHERE m.state = 2 ORDER BY m.id",
	    NULL, rows, error);
}

/* Where index_file_row puts a row's file fields. */
struct index_files_to {
	const char *account;
	GPtrArray *rows;
};

/* A row's file fields onto its array (index_step_fn). */
static bool
index_file_row(sqlite3_stmt *stmt, void *data)
{
	struct index_files_to *to = data;
	struct index_message *msg = g_new0(struct index_message, 1);

	msg->id = sqlite3_column_int64(stmt, 0);
	msg->account = g_strdup(to->account);
	msg->subdir = index_column_text(stmt, 1);
	msg->base = index_column_text(stmt, 2);
	msg->flags = index_column_text(stmt, 3);
	msg->uidl = index_column_text(stmt, 4);
	msg->arrival = sqlite3_column_int64(stmt, 5);
	msg->size = sqlite3_column_int64(stmt, 6);
	msg->mtime = sqlite3_column_int64(stmt, 7);
	msg->partial = sqlite3_column_int(stmt, 8) != 0;
	msg->state = index_column_state(stmt, 9);
	msg->folder = index_column_text(stmt, 10);
	g_ptr_array_add(to->rows, msg);
	return true;
}

/* The file fields of the rows of SQL (bound to ACCOUNT and maybe FOLDER), into ROWS. */
static bool
index_collect_files(struct index *idx, const char *sql, const char *account, const char *folder,
    GPtrArray *rows, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);
	struct index_files_to to = { account, rows };

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	if (folder != NULL)
		index_bind_text0(stmt, 2, folder);
	return index_each(idx, stmt, index_file_row, &to, error);
}

bool
index_account_files(struct index *idx, const char *account, GPtrArray *rows, GError **error)
{
	return index_collect_files(idx,
	    "SELECT id, subdir, base, flags, uidl, arrival, size, mtime, partial, state, folder"
	    " FROM messages WHERE account = ?1",
	    account, NULL, rows, error);
}

/* The caller's function for index_account_uidls, and its data. */
struct index_uidls_to {
	index_uidl_fn fn;
	void *data;
};

/* A row's UIDL fields to the caller's function (index_step_fn). */
static bool
index_uidl_step(sqlite3_stmt *stmt, void *data)
{
	struct index_uidls_to *to = data;
	struct index_uidl_row row;

	row.id = sqlite3_column_int64(stmt, 0);
	row.uidl = (const char *)sqlite3_column_text(stmt, 1);
	row.arrival = sqlite3_column_int64(stmt, 2);
	row.partial = sqlite3_column_int(stmt, 3) != 0;
	row.state = index_column_state(stmt, 4);
	if (row.uidl != NULL)
		to->fn(&row, to->data);
	return true;
}

bool
index_account_uidls(struct index *idx, const char *account, index_uidl_fn fn, void *data,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT id, uidl, arrival, partial, state FROM messages"
	    " WHERE account = ?1 AND uidl IS NOT NULL", error);
	struct index_uidls_to to = { fn, data };

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	return index_each(idx, stmt, index_uidl_step, &to, error);
}

bool
index_folder_files(struct index *idx, const char *account, const char *folder, GPtrArray *rows,
    GError **error)
{
	return index_collect_files(idx,
	    "SELECT id, subdir, base, flags, uidl, arrival, size, mtime, partial, state, folder"
	    " FROM messages WHERE account = ?1 AND folder = ?2",
	    account, folder != NULL ? folder : "", rows, error);
}

bool
index_accounts(struct index *idx, GPtrArray *names, GError **error)
{
	return index_texts(idx, "SELECT DISTINCT account FROM messages ORDER BY account", names,
	    error);
}

bool
index_mailbox_seen(struct index *idx, const char *account, const char *folder, bool *found,
    int64_t *new_ns, int64_t *cur_ns, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT new_ns, cur_ns FROM mailbox_seen WHERE account = ?1 AND folder = ?2", error);
	int rc;

	*found = false;
	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, folder);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*found = true;
		*new_ns = sqlite3_column_int64(stmt, 0);
		*cur_ns = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return false;
	}
	return true;
}

bool
index_set_mailbox_seen(struct index *idx, const char *account, const char *folder,
    int64_t new_ns, int64_t cur_ns, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT OR REPLACE INTO mailbox_seen (account, folder, new_ns, cur_ns)"
	    " VALUES (?1, ?2, ?3, ?4)",
	    error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, folder);
	sqlite3_bind_int64(stmt, 3, new_ns);
	sqlite3_bind_int64(stmt, 4, cur_ns);
	return index_run(idx, stmt, error);
}
