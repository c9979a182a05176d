/*
 * index: the SQLite index of every message (index.h).  Owns the connection
 * and its prepared statements; migrates the schema forward on open.
 *
 * What it must never do: open a message file, build SQL from message or user
 * text (everything is bound), or hand FTS5 raw user input as query syntax.
 */
#include "surat/index.h"

#include <sqlite3.h>
#include <string.h>

/* How long a writer waits for another (the TUI and a fetcher share the file). */
#define INDEX_BUSY_TIMEOUT_MS 10000
/* Most words of a search that become FTS5 terms, and their longest length. */
#define INDEX_QUERY_WORDS_MAX 32
#define INDEX_QUERY_WORD_MAX 256

G_DEFINE_QUARK(surat-index-error-quark, index_error)

/*
 * The forward migrations: entry N takes a file from user_version N to N + 1,
 * inside one transaction that also sets the new version.  A new schema
 * version is one more entry here (and INDEX_SCHEMA_VERSION + 1).
 */
static const char *const index_migrations[] = {
	/* 0 -> 1: everything. */
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  account TEXT NOT NULL,"
	"  subdir TEXT NOT NULL,"
	"  base TEXT NOT NULL,"
	"  flags TEXT NOT NULL DEFAULT '',"
	"  uidl TEXT,"
	"  message_id TEXT,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  date INTEGER NOT NULL DEFAULT 0,"
	"  arrival INTEGER NOT NULL DEFAULT 0,"
	"  from_name TEXT NOT NULL DEFAULT '',"
	"  from_addr TEXT NOT NULL DEFAULT '',"
	"  to_list TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  size INTEGER NOT NULL DEFAULT 0,"
	"  mtime INTEGER NOT NULL DEFAULT 0,"
	"  has_attachment INTEGER NOT NULL DEFAULT 0,"
	"  partial INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 1,"
	"  UNIQUE (account, base));"
	/* Paging: only STORED rows are listed, so the indexes hold only those.
	 * The rowid ends every index entry and breaks ties. */
	"CREATE INDEX messages_date ON messages (date, arrival) WHERE state = 1;"
	"CREATE INDEX messages_account_date ON messages (account, date, arrival) WHERE state = 1;"
	"CREATE INDEX messages_arrival ON messages (arrival) WHERE state = 1;"
	"CREATE INDEX messages_account_arrival ON messages (account, arrival) WHERE state = 1;"
	"CREATE INDEX messages_unread_date ON messages (date, arrival)"
	"  WHERE state = 1 AND instr(flags, 'S') = 0;"
	"CREATE INDEX messages_unread_account_date ON messages (account, date, arrival)"
	"  WHERE state = 1 AND instr(flags, 'S') = 0;"
	"CREATE INDEX messages_uidl ON messages (account, uidl);"
	"CREATE INDEX messages_pending ON messages (account) WHERE state = 0;"
	"CREATE VIRTUAL TABLE messages_fts USING fts5("
	"  subject, sender, recipients, body,"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
	"  DELETE FROM messages_fts WHERE rowid = old.id;"
	"END;",
};

G_STATIC_ASSERT(G_N_ELEMENTS(index_migrations) == INDEX_SCHEMA_VERSION);

/* The columns of struct index_message, in index_read_row's order. */
#define INDEX_COLUMNS                                                                      \
	"m.id, m.account, m.subdir, m.base, m.flags, m.uidl, m.message_id, m.in_reply_to, " \
	"m.refs, m.date, m.arrival, m.from_name, m.from_addr, m.to_list, m.subject, "      \
	"m.size, m.mtime, m.has_attachment, m.partial, m.state"

/* The fixed statements, prepared on first use. */
enum index_stmt {
	INDEX_STMT_BEGIN,
	INDEX_STMT_COMMIT,
	INDEX_STMT_ROLLBACK,
	INDEX_STMT_SAVEPOINT,
	INDEX_STMT_RELEASE,
	INDEX_STMT_ROLLBACK_TO,
	INDEX_STMT_FIND_BASE,
	INDEX_STMT_INSERT,
	INDEX_STMT_UPDATE,
	INDEX_STMT_FTS_DELETE,
	INDEX_STMT_FTS_INSERT,
	INDEX_STMT_DELETE,
	INDEX_STMT_SET_FLAGS,
	INDEX_STMT_SET_STATE,
	INDEX_STMT_BURY,
	INDEX_STMT_GET,
	INDEX_STMT_HAS_UIDL,
	INDEX_STMT_ACCOUNT_ROWS,
	INDEX_STMT_ACCOUNT_FILES,
	INDEX_STMT_PENDING_ROWS,
	INDEX_STMT_ACCOUNTS,
	INDEX_STMT_COUNT,
};

static const char *const index_stmt_sql[INDEX_STMT_COUNT] = {
	[INDEX_STMT_BEGIN] = "BEGIN IMMEDIATE",
	[INDEX_STMT_COMMIT] = "COMMIT",
	[INDEX_STMT_ROLLBACK] = "ROLLBACK",
	[INDEX_STMT_SAVEPOINT] = "SAVEPOINT index_write",
	[INDEX_STMT_RELEASE] = "RELEASE index_write",
	[INDEX_STMT_ROLLBACK_TO] = "ROLLBACK TO index_write",
	[INDEX_STMT_FIND_BASE] = "SELECT id FROM messages WHERE account = ?1 AND base = ?2",
	[INDEX_STMT_INSERT] =
	    "INSERT INTO messages (account, subdir, base, flags, uidl, message_id, in_reply_to,"
	    " refs, date, arrival, from_name, from_addr, to_list, subject, size, mtime,"
	    " has_attachment, partial, state)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	    " ?17, ?18, ?19)",
	[INDEX_STMT_UPDATE] =
	    "UPDATE messages SET account = ?1, subdir = ?2, base = ?3, flags = ?4,"
	    " uidl = coalesce(?5, uidl),"
	    " message_id = ?6, in_reply_to = ?7, refs = ?8, date = ?9, arrival = ?10,"
	    " from_name = ?11, from_addr = ?12, to_list = ?13, subject = ?14, size = ?15,"
	    " mtime = ?16, has_attachment = ?17, partial = ?18, state = ?19 WHERE id = ?20",
	[INDEX_STMT_FTS_DELETE] = "DELETE FROM messages_fts WHERE rowid = ?1",
	[INDEX_STMT_FTS_INSERT] =
	    "INSERT INTO messages_fts (rowid, subject, sender, recipients, body)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[INDEX_STMT_DELETE] = "DELETE FROM messages WHERE id = ?1",
	[INDEX_STMT_SET_FLAGS] = "UPDATE messages SET subdir = ?2, flags = ?3 WHERE id = ?1",
	[INDEX_STMT_SET_STATE] = "UPDATE messages SET state = ?2 WHERE id = ?1",
	[INDEX_STMT_BURY] = "UPDATE messages SET state = 2 WHERE id = ?1 AND uidl IS NOT NULL",
	[INDEX_STMT_GET] = "SELECT " INDEX_COLUMNS " FROM messages m WHERE m.id = ?1",
	[INDEX_STMT_HAS_UIDL] = "SELECT 1 FROM messages WHERE account = ?1 AND uidl = ?2 LIMIT 1",
	[INDEX_STMT_ACCOUNT_ROWS] =
	    "SELECT " INDEX_COLUMNS " FROM messages m WHERE m.account = ?1 ORDER BY m.id",
	[INDEX_STMT_ACCOUNT_FILES] =
	    "SELECT id, subdir, base, flags, uidl, arrival, size, mtime, partial, state"
	    " FROM messages"
	    " WHERE account = ?1",
	[INDEX_STMT_PENDING_ROWS] =
	    "SELECT " INDEX_COLUMNS " FROM messages m WHERE m.account = ?1 AND m.state = 0"
	    " ORDER BY m.id",
	[INDEX_STMT_ACCOUNTS] = "SELECT DISTINCT account FROM messages ORDER BY account",
};

/* What a statement built from a filter does. */
enum index_query {
	INDEX_QUERY_PAGE,     /* rows in order, LIMIT/OFFSET */
	INDEX_QUERY_COUNT,    /* count(*) */
	INDEX_QUERY_UNREAD,   /* count(*) of rows without S */
	INDEX_QUERY_ROW,      /* the sort keys of one row, when it is in the view */
	INDEX_QUERY_BEFORE,   /* count(*) of rows ahead of given sort keys */
	INDEX_QUERY_KINDS,
};

/* Filter shapes: account, unread, text, arrival sort, reverse (one bit each). */
#define INDEX_SHAPES 32

struct index {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmts[INDEX_STMT_COUNT];
	sqlite3_stmt *queries[INDEX_QUERY_KINDS][INDEX_SHAPES];
};

/* Set ERROR from the connection's last error, naming the index file. */
static void
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
		hint = " (move the file aside and run surat reindex)";
		break;
	}
	g_set_error(error, INDEX_ERROR, code, "index %s: %s%s%s%s", idx->path,
	    what != NULL ? what : "", what != NULL ? ": " : "", sqlite3_errmsg(idx->db), hint);
}

/* The prepared statement ID, prepared on first use. */
static sqlite3_stmt *
index_stmt(struct index *idx, enum index_stmt id, GError **error)
{
	sqlite3_stmt *stmt = idx->stmts[id];

	if (stmt != NULL) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	if (sqlite3_prepare_v3(idx->db, index_stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &stmt,
		NULL) != SQLITE_OK) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return NULL;
	}
	idx->stmts[id] = stmt;
	return stmt;
}

/* Step STMT to completion (a statement that returns no rows we need). */
static bool
index_run(struct index *idx, sqlite3_stmt *stmt, GError **error)
{
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		;
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return false;
	}
	return true;
}

/* Run the fixed statement ID with no parameters. */
static bool
index_run_id(struct index *idx, enum index_stmt id, GError **error)
{
	sqlite3_stmt *stmt = index_stmt(idx, id, error);

	return stmt != NULL && index_run(idx, stmt, error);
}

/* Bind a string or NULL. */
static void
index_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(stmt, i);
	else
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_STATIC);
}

/* Bind a string, "" for NULL (NOT NULL display columns). */
static void
index_bind_text0(sqlite3_stmt *stmt, int i, const char *s)
{
	sqlite3_bind_text(stmt, i, s != NULL ? s : "", -1, SQLITE_STATIC);
}

/* The state stored as V (an unknown value reads as stored). */
static enum index_state
index_state_of(int v)
{
	if (v == INDEX_STATE_PENDING || v == INDEX_STATE_GONE)
		return (enum index_state)v;
	return INDEX_STATE_STORED;
}

/* A new copy of text column I, or NULL. */
static char *
index_column_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);

	return s != NULL ? g_strdup((const char *)s) : NULL;
}

/* Fill MSG (already clear) from a row of INDEX_COLUMNS. */
static void
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
	msg->state = index_state_of(sqlite3_column_int(stmt, 19));
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

/* Run SQL (no parameters, no rows wanted) on the connection. */
static bool
index_exec(struct index *idx, const char *sql, int code, GError **error)
{
	if (sqlite3_exec(idx->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		index_set_error(idx, error, code, NULL);
		return false;
	}
	return true;
}

/* The file's PRAGMA user_version, or -1 with ERROR set. */
static int
index_read_version(struct index *idx, GError **error)
{
	sqlite3_stmt *stmt;
	int version = -1;

	if (sqlite3_prepare_v2(idx->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK) {
		index_set_error(idx, error,
		    sqlite3_errcode(idx->db) == SQLITE_NOTADB ? INDEX_ERROR_SCHEMA : INDEX_ERROR_DB,
		    NULL);
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	else
		index_set_error(idx, error,
		    sqlite3_errcode(idx->db) == SQLITE_NOTADB ? INDEX_ERROR_SCHEMA : INDEX_ERROR_DB,
		    NULL);
	sqlite3_finalize(stmt);
	return version;
}

/* Fail when VERSION is newer than this build understands. */
static bool
index_check_version(struct index *idx, int version, GError **error)
{
	if (version <= INDEX_SCHEMA_VERSION)
		return true;
	g_set_error(error, INDEX_ERROR, INDEX_ERROR_SCHEMA,
	    "index %s: schema version %d is newer than this surat understands (%d); "
	    "use a newer surat, or move the file aside and run surat reindex",
	    idx->path, version, INDEX_SCHEMA_VERSION);
	return false;
}

/* Bring the schema to INDEX_SCHEMA_VERSION, one migration per version. */
static bool
index_migrate(struct index *idx, GError **error)
{
	int version = index_read_version(idx, error);
	char *sql;

	if (version < 0 || !index_check_version(idx, version, error))
		return false;
	if (version == INDEX_SCHEMA_VERSION)
		return true;
	if (!index_exec(idx, "BEGIN IMMEDIATE", INDEX_ERROR_DB, error))
		return false;
	/* Another process may have migrated while we waited for the lock. */
	version = index_read_version(idx, error);
	if (version < 0 || !index_check_version(idx, version, error))
		goto fail;
	for (; version < INDEX_SCHEMA_VERSION; version++) {
		if (sqlite3_exec(idx->db, index_migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			char *what = g_strdup_printf(
			    "cannot migrate the schema from version %d%s", version,
			    version == 0 ? " (is this a surat index?)" : "");

			index_set_error(idx, error,
			    version == 0 ? INDEX_ERROR_SCHEMA : INDEX_ERROR_DB, what);
			g_free(what);
			goto fail;
		}
	}
	sql = g_strdup_printf("PRAGMA user_version = %d", INDEX_SCHEMA_VERSION);
	if (!index_exec(idx, sql, INDEX_ERROR_DB, error)) {
		g_free(sql);
		goto fail;
	}
	g_free(sql);
	if (!index_exec(idx, "COMMIT", INDEX_ERROR_DB, error))
		goto fail;
	return true;
fail:
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	return false;
}

/* Read the version, set the journal and sync modes, migrate. */
static bool
index_setup(struct index *idx, GError **error)
{
	/* The schema version is read first: it also proves this is a database. */
	if (index_read_version(idx, error) < 0)
		return false;
	/*
	 * WAL lets the TUI read while a fetcher writes; FULL syncs the WAL at
	 * each commit, so a row that says a file is durable survives power loss
	 * as the file does (DESIGN promise 1).
	 */
	return index_exec(idx, "PRAGMA journal_mode = WAL", INDEX_ERROR_DB, error) &&
	    index_exec(idx, "PRAGMA synchronous = FULL", INDEX_ERROR_DB, error) &&
	    index_exec(idx, "PRAGMA cache_size = -16384", INDEX_ERROR_DB, error) &&
	    index_migrate(idx, error);
}

struct index *
index_open(const char *path, GError **error)
{
	struct index *idx = g_new0(struct index, 1);
	gint64 deadline;
	int rc;

	idx->path = g_strdup(path);
	rc = sqlite3_open_v2(path, &idx->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		if (idx->db != NULL)
			index_set_error(idx, error, INDEX_ERROR_DB, "cannot open");
		else
			g_set_error(error, INDEX_ERROR, INDEX_ERROR_DB, "index %s: cannot open: %s",
			    path, sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(idx->db, 1);
	sqlite3_busy_timeout(idx->db, INDEX_BUSY_TIMEOUT_MS);
	/*
	 * Two processes creating the same new file at once (two accounts
	 * fetched together) can get SQLITE_BUSY here without the busy handler
	 * ever being called (the switch to WAL); such a race is retried.
	 */
	deadline = g_get_monotonic_time() + (gint64)INDEX_BUSY_TIMEOUT_MS * 1000;
	while (!index_setup(idx, error)) {
		if ((sqlite3_errcode(idx->db) & 0xff) != SQLITE_BUSY ||
		    g_get_monotonic_time() > deadline)
			goto fail;
		g_clear_error(error);
		g_usleep(20 * 1000 + g_random_int_range(0, 30 * 1000));
	}
	return idx;
fail:
	index_free(idx);
	return NULL;
}

void
index_free(struct index *idx)
{
	size_t i, j;

	if (idx == NULL)
		return;
	for (i = 0; i < INDEX_STMT_COUNT; i++)
		sqlite3_finalize(idx->stmts[i]);
	for (i = 0; i < INDEX_QUERY_KINDS; i++) {
		for (j = 0; j < INDEX_SHAPES; j++)
			sqlite3_finalize(idx->queries[i][j]);
	}
	sqlite3_close(idx->db);
	g_free(idx->path);
	g_free(idx);
}

int
index_schema_version(struct index *idx)
{
	return index_read_version(idx, NULL);
}

bool
index_begin(struct index *idx, GError **error)
{
	return index_run_id(idx, INDEX_STMT_BEGIN, error);
}

bool
index_commit(struct index *idx, GError **error)
{
	if (index_run_id(idx, INDEX_STMT_COMMIT, error))
		return true;
	index_rollback(idx);
	return false;
}

void
index_rollback(struct index *idx)
{
	if (!sqlite3_get_autocommit(idx->db))
		index_run_id(idx, INDEX_STMT_ROLLBACK, NULL);
}

/*
 * Open a unit of several writes: a savepoint inside the caller's transaction,
 * else a transaction of its own that takes the write lock at once (a deferred
 * one could fail on another writer without waiting).  *OWN says which.
 */
static bool
index_write_begin(struct index *idx, bool *own, GError **error)
{
	*own = sqlite3_get_autocommit(idx->db) != 0;
	return index_run_id(idx, *own ? INDEX_STMT_BEGIN : INDEX_STMT_SAVEPOINT, error);
}

/* Close the unit opened by index_write_begin, keeping its writes. */
static bool
index_write_end(struct index *idx, bool own, GError **error)
{
	return index_run_id(idx, own ? INDEX_STMT_COMMIT : INDEX_STMT_RELEASE, error);
}

/* Undo the unit opened by index_write_begin. */
static void
index_write_undo(struct index *idx, bool own)
{
	if (own) {
		index_rollback(idx);
		return;
	}
	index_run_id(idx, INDEX_STMT_ROLLBACK_TO, NULL);
	index_run_id(idx, INDEX_STMT_RELEASE, NULL);
}

/* Bind the row fields of MSG to the INSERT or UPDATE statement STMT. */
static void
index_bind_message(sqlite3_stmt *stmt, const struct index_message *msg)
{
	index_bind_text0(stmt, 1, msg->account);
	index_bind_text0(stmt, 2, msg->subdir != NULL ? msg->subdir : "new");
	index_bind_text0(stmt, 3, msg->base);
	index_bind_text0(stmt, 4, msg->flags);
	index_bind_text(stmt, 5, msg->uidl);
	index_bind_text(stmt, 6, msg->message_id);
	index_bind_text(stmt, 7, msg->in_reply_to);
	index_bind_text(stmt, 8, msg->references);
	sqlite3_bind_int64(stmt, 9, msg->date);
	sqlite3_bind_int64(stmt, 10, msg->arrival);
	index_bind_text0(stmt, 11, msg->from);
	index_bind_text0(stmt, 12, msg->from_addr);
	index_bind_text0(stmt, 13, msg->to);
	index_bind_text0(stmt, 14, msg->subject);
	sqlite3_bind_int64(stmt, 15, msg->size);
	sqlite3_bind_int64(stmt, 16, msg->mtime);
	sqlite3_bind_int(stmt, 17, msg->has_attachment ? 1 : 0);
	sqlite3_bind_int(stmt, 18, msg->partial ? 1 : 0);
	sqlite3_bind_int(stmt, 19, (int)msg->state);
}

/* The id of ACCOUNT's row for BASE: 0 when absent, -1 on error. */
static int64_t
index_find_base(struct index *idx, const char *account, const char *base, GError **error)
{
	sqlite3_stmt *stmt = index_stmt(idx, INDEX_STMT_FIND_BASE, error);
	int64_t id = 0;
	int rc;

	if (stmt == NULL)
		return -1;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, base);
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

bool
index_put(struct index *idx, struct index_message *msg, const char *body_text, GError **error)
{
	sqlite3_stmt *stmt;
	int64_t id;
	char *sender;
	bool own;

	if (msg->account == NULL || msg->base == NULL) {
		g_set_error(error, INDEX_ERROR, INDEX_ERROR_DB,
		    "index %s: a row needs an account and a base name", idx->path);
		return false;
	}
	if (!index_write_begin(idx, &own, error))
		return false;
	id = index_find_base(idx, msg->account, msg->base, error);
	if (id < 0)
		goto fail;
	stmt = index_stmt(idx, id > 0 ? INDEX_STMT_UPDATE : INDEX_STMT_INSERT, error);
	if (stmt == NULL)
		goto fail;
	index_bind_message(stmt, msg);
	if (id > 0)
		sqlite3_bind_int64(stmt, 20, id);
	if (!index_run(idx, stmt, error))
		goto fail;
	if (id == 0) {
		id = sqlite3_last_insert_rowid(idx->db);
	} else {
		if ((stmt = index_stmt(idx, INDEX_STMT_FTS_DELETE, error)) == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, id);
		if (!index_run(idx, stmt, error))
			goto fail;
	}
	if ((stmt = index_stmt(idx, INDEX_STMT_FTS_INSERT, error)) == NULL)
		goto fail;
	/* Search finds a sender by name or by address. */
	sender = g_strdup_printf("%s %s", msg->from != NULL ? msg->from : "",
	    msg->from_addr != NULL ? msg->from_addr : "");
	sqlite3_bind_int64(stmt, 1, id);
	index_bind_text0(stmt, 2, msg->subject);
	sqlite3_bind_text(stmt, 3, sender, -1, g_free);
	index_bind_text0(stmt, 4, msg->to);
	index_bind_text0(stmt, 5, body_text);
	if (!index_run(idx, stmt, error))
		goto fail;
	if (!index_write_end(idx, own, error))
		goto fail;
	msg->id = id;
	return true;
fail:
	index_write_undo(idx, own);
	return false;
}

/* Run the fixed statement ID bound to ID (and TEXT/STATE), changing one row. */
static bool
index_update_row(struct index *idx, enum index_stmt which, int64_t id, const char *a,
    const char *b, int n, GError **error)
{
	sqlite3_stmt *stmt = index_stmt(idx, which, error);

	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	if (which == INDEX_STMT_SET_FLAGS) {
		index_bind_text0(stmt, 2, a);
		index_bind_text0(stmt, 3, b);
	} else if (which == INDEX_STMT_SET_STATE) {
		sqlite3_bind_int(stmt, 2, n);
	}
	return index_run(idx, stmt, error);
}

bool
index_delete(struct index *idx, int64_t id, GError **error)
{
	/* The trigger messages_fts_delete removes the full-text entry. */
	return index_update_row(idx, INDEX_STMT_DELETE, id, NULL, NULL, 0, error);
}

bool
index_bury(struct index *idx, int64_t id, GError **error)
{
	sqlite3_stmt *stmt;
	bool own;

	if (!index_write_begin(idx, &own, error))
		return false;
	if ((stmt = index_stmt(idx, INDEX_STMT_BURY, error)) == NULL)
		goto fail;
	sqlite3_bind_int64(stmt, 1, id);
	if (!index_run(idx, stmt, error))
		goto fail;
	if (sqlite3_changes(idx->db) == 0) {
		/* No UIDL to remember: the row simply goes. */
		if ((stmt = index_stmt(idx, INDEX_STMT_DELETE, error)) == NULL)
			goto fail;
	} else if ((stmt = index_stmt(idx, INDEX_STMT_FTS_DELETE, error)) == NULL) {
		goto fail;
	}
	sqlite3_bind_int64(stmt, 1, id);
	if (!index_run(idx, stmt, error) || !index_write_end(idx, own, error))
		goto fail;
	return true;
fail:
	index_write_undo(idx, own);
	return false;
}

bool
index_set_flags(struct index *idx, int64_t id, const char *subdir, const char *flags,
    GError **error)
{
	return index_update_row(idx, INDEX_STMT_SET_FLAGS, id, subdir, flags, 0, error);
}

bool
index_set_state(struct index *idx, int64_t id, enum index_state state, GError **error)
{
	return index_update_row(idx, INDEX_STMT_SET_STATE, id, NULL, NULL, (int)state, error);
}

bool
index_get(struct index *idx, int64_t id, struct index_message *msg, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	index_message_clear(msg);
	if ((stmt = index_stmt(idx, INDEX_STMT_GET, error)) == NULL)
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
	if ((stmt = index_stmt(idx, INDEX_STMT_HAS_UIDL, error)) == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	index_bind_text0(stmt, 2, uidl);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW;
}

/* Append the full rows STMT (bound to ACCOUNT) returns to ROWS. */
static bool
index_collect_rows(struct index *idx, enum index_stmt which, const char *account, GPtrArray *rows,
    GError **error)
{
	sqlite3_stmt *stmt = index_stmt(idx, which, error);
	int rc;

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct index_message *msg = g_new0(struct index_message, 1);

		index_read_row(stmt, msg);
		g_ptr_array_add(rows, msg);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return false;
	}
	return true;
}

bool
index_account_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error)
{
	return index_collect_rows(idx, INDEX_STMT_ACCOUNT_ROWS, account, rows, error);
}

bool
index_pending_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error)
{
	return index_collect_rows(idx, INDEX_STMT_PENDING_ROWS, account, rows, error);
}

bool
index_account_files(struct index *idx, const char *account, GPtrArray *rows, GError **error)
{
	sqlite3_stmt *stmt = index_stmt(idx, INDEX_STMT_ACCOUNT_FILES, error);
	int rc;

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, account);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct index_message *msg = g_new0(struct index_message, 1);

		msg->id = sqlite3_column_int64(stmt, 0);
		msg->account = g_strdup(account);
		msg->subdir = index_column_text(stmt, 1);
		msg->base = index_column_text(stmt, 2);
		msg->flags = index_column_text(stmt, 3);
		msg->uidl = index_column_text(stmt, 4);
		msg->arrival = sqlite3_column_int64(stmt, 5);
		msg->size = sqlite3_column_int64(stmt, 6);
		msg->mtime = sqlite3_column_int64(stmt, 7);
		msg->partial = sqlite3_column_int(stmt, 8) != 0;
		msg->state = index_state_of(sqlite3_column_int(stmt, 9));
		g_ptr_array_add(rows, msg);
	}
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return false;
	}
	return true;
}

bool
index_accounts(struct index *idx, GPtrArray *names, GError **error)
{
	sqlite3_stmt *stmt = index_stmt(idx, INDEX_STMT_ACCOUNTS, error);
	int rc;

	if (stmt == NULL)
		return false;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(names, index_column_text(stmt, 0));
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return false;
	}
	return true;
}

/*
 * The FTS5 query for the search TEXT: each word a quoted string (quotes
 * doubled), so no user input is ever FTS5 syntax, matched as a prefix, all
 * ANDed.  Words with nothing the tokenizer indexes are dropped.  NULL when
 * TEXT has no words; a query that matches nothing when no word is searchable.
 */
static char *
index_fts_query(const char *text)
{
	GString *q;
	char **words;
	int i, n = 0, given = 0;

	if (text == NULL)
		return NULL;
	words = g_strsplit_set(text, " \t\r\n\f\v", -1);
	q = g_string_new(NULL);
	for (i = 0; words[i] != NULL && n < INDEX_QUERY_WORDS_MAX; i++) {
		const char *w = words[i], *p;
		bool searchable = false;

		if (w[0] == '\0')
			continue;
		given++;
		if (!g_utf8_validate(w, -1, NULL) || strlen(w) > INDEX_QUERY_WORD_MAX)
			continue;
		for (p = w; *p != '\0' && !searchable; p = g_utf8_next_char(p))
			searchable = g_unichar_isalnum(g_utf8_get_char(p));
		if (!searchable)
			continue;
		if (n++ > 0)
			g_string_append(q, " AND ");
		g_string_append_c(q, '"');
		for (p = w; *p != '\0'; p++) {
			if (*p == '"')
				g_string_append_c(q, '"');
			g_string_append_c(q, *p);
		}
		g_string_append(q, "\" *");
	}
	g_strfreev(words);
	if (given == 0) {
		g_string_free(q, TRUE);
		return NULL;
	}
	if (n == 0)
		g_string_assign(q, "\"\"");
	return g_string_free(q, FALSE);
}

/* The bit pattern of a filter's shape, indexing the query cache. */
static int
index_shape(const struct index_filter *filter, bool has_text, enum index_sort sort, bool reverse)
{
	return (filter != NULL && filter->account != NULL ? 1 : 0) |
	    (filter != NULL && filter->unread_only ? 2 : 0) | (has_text ? 4 : 0) |
	    (sort == INDEX_SORT_ARRIVAL ? 8 : 0) | (reverse ? 16 : 0);
}

/* The SQL of query KIND for the filter SHAPE. */
static char *
index_query_sql(enum index_query kind, int shape)
{
	bool arrival = (shape & 8) != 0, reverse = (shape & 16) != 0;
	const char *dir = reverse ? "DESC" : "ASC";
	GString *sql = g_string_new("SELECT ");

	switch (kind) {
	case INDEX_QUERY_PAGE:
		g_string_append(sql, INDEX_COLUMNS);
		break;
	case INDEX_QUERY_ROW:
		g_string_append(sql, "m.date, m.arrival");
		break;
	default:
		g_string_append(sql, "count(*)");
		break;
	}
	/* The literal terms match the partial indexes' WHERE clauses. */
	g_string_append(sql, " FROM messages m WHERE m.state = 1");
	if (shape & 1)
		g_string_append(sql, " AND m.account = :account");
	if ((shape & 2) || kind == INDEX_QUERY_UNREAD)
		g_string_append(sql, " AND instr(m.flags, 'S') = 0");
	if (shape & 4)
		g_string_append(sql, " AND m.id IN (SELECT rowid FROM messages_fts"
				     " WHERE messages_fts MATCH :match)");
	switch (kind) {
	case INDEX_QUERY_PAGE:
		if (arrival)
			g_string_append_printf(sql, " ORDER BY m.arrival %s, m.id %s", dir, dir);
		else
			g_string_append_printf(sql, " ORDER BY m.date %s, m.arrival %s, m.id %s",
			    dir, dir, dir);
		g_string_append(sql, " LIMIT :limit OFFSET :offset");
		break;
	case INDEX_QUERY_ROW:
		g_string_append(sql, " AND m.id = :id");
		break;
	case INDEX_QUERY_BEFORE:
		if (arrival)
			g_string_append_printf(sql, " AND (m.arrival, m.id) %s (:arrival, :id)",
			    reverse ? ">" : "<");
		else
			g_string_append_printf(sql,
			    " AND (m.date, m.arrival, m.id) %s (:date, :arrival, :id)",
			    reverse ? ">" : "<");
		break;
	default:
		break;
	}
	return g_string_free(sql, FALSE);
}

/* Bind :NAME of STMT to V, when STMT has it. */
static void
index_bind_named_int64(sqlite3_stmt *stmt, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (i > 0)
		sqlite3_bind_int64(stmt, i, v);
}

/*
 * The cached statement of KIND for FILTER (with MATCH, the FTS5 query or
 * NULL), reset and bound to the filter.
 */
static sqlite3_stmt *
index_query(struct index *idx, enum index_query kind, const struct index_filter *filter,
    const char *match, enum index_sort sort, bool reverse, GError **error)
{
	int shape = index_shape(filter, match != NULL, sort, reverse);
	sqlite3_stmt *stmt = idx->queries[kind][shape];
	int i;

	if (stmt == NULL) {
		char *sql = index_query_sql(kind, shape);
		int rc = sqlite3_prepare_v3(idx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
		    NULL);

		g_free(sql);
		if (rc != SQLITE_OK) {
			index_set_error(idx, error, INDEX_ERROR_DB, NULL);
			return NULL;
		}
		idx->queries[kind][shape] = stmt;
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	if ((i = sqlite3_bind_parameter_index(stmt, ":account")) > 0)
		index_bind_text0(stmt, i, filter->account);
	if ((i = sqlite3_bind_parameter_index(stmt, ":match")) > 0)
		index_bind_text0(stmt, i, match);
	return stmt;
}

/* Set ERROR after a failed step of a filtered query. */
static void
index_query_error(struct index *idx, const char *match, GError **error)
{
	/* With a text filter, a plain SQL error is FTS5 refusing the query. */
	if (match != NULL && sqlite3_errcode(idx->db) == SQLITE_ERROR)
		index_set_error(idx, error, INDEX_ERROR_QUERY, "cannot search");
	else
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
}

/* Run a count(*) query; -1 on error. */
static int64_t
index_count_query(struct index *idx, sqlite3_stmt *stmt, const char *match, GError **error)
{
	int64_t n = -1;

	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		index_query_error(idx, match, error);
	sqlite3_reset(stmt);
	return n;
}

static const struct index_filter index_no_filter;

bool
index_count(struct index *idx, const struct index_filter *filter, int64_t *total,
    int64_t *unread, GError **error)
{
	char *match;
	sqlite3_stmt *stmt;
	int64_t n_total = -1, n_unread = -1;

	if (filter == NULL)
		filter = &index_no_filter;
	match = index_fts_query(filter->text);
	stmt = index_query(idx, INDEX_QUERY_COUNT, filter, match, INDEX_SORT_DATE, false, error);
	if (stmt != NULL)
		n_total = index_count_query(idx, stmt, match, error);
	if (n_total >= 0 && filter->unread_only) {
		n_unread = n_total;
	} else if (n_total >= 0) {
		stmt = index_query(idx, INDEX_QUERY_UNREAD, filter, match, INDEX_SORT_DATE, false,
		    error);
		if (stmt != NULL)
			n_unread = index_count_query(idx, stmt, match, error);
	}
	g_free(match);
	if (n_total < 0 || n_unread < 0)
		return false;
	if (total != NULL)
		*total = n_total;
	if (unread != NULL)
		*unread = n_unread;
	return true;
}

bool
index_page(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t offset, int64_t limit, GPtrArray *rows, GError **error)
{
	char *match;
	sqlite3_stmt *stmt;
	int rc;

	if (filter == NULL)
		filter = &index_no_filter;
	if (limit <= 0)
		return true;
	match = index_fts_query(filter->text);
	stmt = index_query(idx, INDEX_QUERY_PAGE, filter, match, sort, reverse, error);
	if (stmt == NULL) {
		g_free(match);
		return false;
	}
	index_bind_named_int64(stmt, ":limit", limit);
	index_bind_named_int64(stmt, ":offset", offset > 0 ? offset : 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct index_message *msg = g_new0(struct index_message, 1);

		index_read_row(stmt, msg);
		g_ptr_array_add(rows, msg);
	}
	if (rc != SQLITE_DONE)
		index_query_error(idx, match, error);
	sqlite3_reset(stmt);
	g_free(match);
	return rc == SQLITE_DONE;
}

bool
index_foreach(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, index_row_fn fn, void *data, GError **error)
{
	struct index_message msg = { 0 };
	char *match;
	sqlite3_stmt *stmt;
	int rc;

	if (filter == NULL)
		filter = &index_no_filter;
	match = index_fts_query(filter->text);
	stmt = index_query(idx, INDEX_QUERY_PAGE, filter, match, sort, reverse, error);
	if (stmt == NULL) {
		g_free(match);
		return false;
	}
	/* A negative LIMIT is no limit in SQLite. */
	index_bind_named_int64(stmt, ":limit", -1);
	index_bind_named_int64(stmt, ":offset", 0);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		bool more;

		index_read_row(stmt, &msg);
		more = fn(&msg, data);
		index_message_clear(&msg);
		if (!more) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		index_query_error(idx, match, error);
	sqlite3_reset(stmt);
	g_free(match);
	return rc == SQLITE_DONE;
}

int64_t
index_position(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t id, GError **error)
{
	char *match;
	sqlite3_stmt *stmt;
	int64_t date, arrival, pos = -1;
	int rc;

	if (filter == NULL)
		filter = &index_no_filter;
	match = index_fts_query(filter->text);
	stmt = index_query(idx, INDEX_QUERY_ROW, filter, match, sort, reverse, error);
	if (stmt == NULL)
		goto out;
	index_bind_named_int64(stmt, ":id", id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		if (rc != SQLITE_DONE)
			index_query_error(idx, match, error);
		sqlite3_reset(stmt);
		goto out;
	}
	date = sqlite3_column_int64(stmt, 0);
	arrival = sqlite3_column_int64(stmt, 1);
	sqlite3_reset(stmt);
	stmt = index_query(idx, INDEX_QUERY_BEFORE, filter, match, sort, reverse, error);
	if (stmt == NULL)
		goto out;
	index_bind_named_int64(stmt, ":date", date);
	index_bind_named_int64(stmt, ":arrival", arrival);
	index_bind_named_int64(stmt, ":id", id);
	pos = index_count_query(idx, stmt, match, error);
out:
	g_free(match);
	return pos;
}
