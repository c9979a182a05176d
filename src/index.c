/*
 * index: the SQLite index of every message (index.h).  This file owns the
 * connection, its statement cache, the schema and its migrations, and the
 * writes and reads of single rows.  Views are in index-query.c, threads in
 * index-thread.c, tags, the undo log, the moves journal and the gone UIDLs
 * in index-log.c.
 *
 * What it must never do: open a message file, build SQL from message or user
 * text (everything is bound), or hand FTS5 raw user input as query syntax.
 */
#include "index-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "surat/thread.h"

/* How long a writer waits for another (the TUI and a fetcher share the file). */
#define INDEX_BUSY_TIMEOUT_MS 10000

G_DEFINE_QUARK(surat-index-error-quark, index_error)

/* The version-2 indexes and triggers (also the end of migration 1 -> 2). */
#define INDEX_V2_INDEXES                                                                    \
	/* Paging: only STORED rows are listed, so these hold only those; the */           \
	/* rowid ends every entry and breaks ties.  "box" = (account, folder). */          \
	"CREATE INDEX messages_date ON messages (date, arrival) WHERE state = 1;"          \
	"CREATE INDEX messages_box_date ON messages (account, folder, date, arrival)"      \
	"  WHERE state = 1;"                                                               \
	"CREATE INDEX messages_arrival ON messages (arrival) WHERE state = 1;"             \
	"CREATE INDEX messages_box_arrival ON messages (account, folder, arrival)"         \
	"  WHERE state = 1;"                                                               \
	"CREATE INDEX messages_from ON messages (from_key, date) WHERE state = 1;"         \
	"CREATE INDEX messages_box_from ON messages (account, folder, from_key, date)"     \
	"  WHERE state = 1;"                                                               \
	"CREATE INDEX messages_subject ON messages (subject_key, date) WHERE state = 1;"   \
	"CREATE INDEX messages_box_subject ON messages (account, folder, subject_key, date)" \
	"  WHERE state = 1;"                                                               \
	"CREATE INDEX messages_size ON messages (size) WHERE state = 1;"                   \
	/* is:flagged and is:deleted (what expunge looks for) without a scan. */           \
	"CREATE INDEX messages_flagged ON messages (date, arrival)"                        \
	"  WHERE state = 1 AND instr(flags, 'F') > 0;"                                     \
	"CREATE INDEX messages_deleted ON messages (date, arrival)"                        \
	"  WHERE state = 1 AND instr(flags, 'T') > 0;"                                     \
	/* Covers the sidebar's counts (index_mailbox_counts). */                         \
	"CREATE INDEX messages_box_flags ON messages (account, folder, flags)"             \
	"  WHERE state = 1;"                                                               \
	/* And the counts of All inboxes (a folder without an account). */               \
	"CREATE INDEX messages_folder_flags ON messages (folder, flags) WHERE state = 1;"   \
	"CREATE INDEX messages_box_size ON messages (account, folder, size) WHERE state = 1;" \
	"CREATE INDEX messages_thread ON messages (thread_date, thread_id, thread_pos)"    \
	"  WHERE state = 1;"                                                               \
	"CREATE INDEX messages_thread_rev ON messages"                                     \
	"  (thread_date DESC, thread_id DESC, thread_pos) WHERE state = 1;"                \
	"CREATE INDEX messages_box_thread ON messages"                                     \
	"  (account, folder, thread_date, thread_id, thread_pos) WHERE state = 1;"         \
	"CREATE INDEX messages_box_thread_rev ON messages"                                 \
	"  (account, folder, thread_date DESC, thread_id DESC, thread_pos) WHERE state = 1;" \
	"CREATE INDEX messages_unread_date ON messages (date, arrival)"                    \
	"  WHERE state = 1 AND instr(flags, 'S') = 0;"                                     \
	"CREATE INDEX messages_unread_box_date ON messages (account, folder, date, arrival)" \
	"  WHERE state = 1 AND instr(flags, 'S') = 0;"                                     \
	"CREATE INDEX messages_tagged ON messages (date) WHERE state = 1 AND tagged = 1;"  \
	/* The fetcher, recovery, threading. */                                            \
	"CREATE INDEX messages_uidl ON messages (account, uidl);"                          \
	"CREATE INDEX messages_pending ON messages (account) WHERE state = 0;"             \
	"CREATE INDEX messages_expunging ON messages (account) WHERE state = 2;"           \
	"CREATE INDEX messages_msgid ON messages (account, folder, message_id)"            \
	"  WHERE message_id IS NOT NULL;"                                                  \
	"CREATE INDEX messages_thread_rows ON messages (thread_id, thread_pos);"           \
	"CREATE INDEX messages_unthreaded ON messages (account, folder)"                   \
	"  WHERE state = 1 AND thread_id = 0;"                                             \
	"CREATE INDEX messages_top_subject ON messages (account, folder, subject_key)"     \
	"  WHERE state = 1 AND thread_parent = 0;"                                         \
	"CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"                \
	"  DELETE FROM messages_fts WHERE rowid = old.id;"                                 \
	"END;"                                                                             \
	/* A row that leaves, or whose threading fields change, redoes its thread. */      \
	"CREATE TRIGGER messages_thread_delete AFTER DELETE ON messages"                   \
	"  WHEN old.thread_id > 0 BEGIN"                                                   \
	"  INSERT OR IGNORE INTO thread_dirty (thread_id) VALUES (old.thread_id);"         \
	"END;"                                                                             \
	"CREATE TRIGGER messages_thread_change AFTER UPDATE OF account, folder, message_id," \
	"  in_reply_to, refs, subject, date, state ON messages"                            \
	"  WHEN old.account IS NOT new.account OR old.folder IS NOT new.folder"            \
	"    OR old.message_id IS NOT new.message_id"                                      \
	"    OR old.in_reply_to IS NOT new.in_reply_to OR old.refs IS NOT new.refs"        \
	"    OR old.subject IS NOT new.subject OR old.date IS NOT new.date"                \
	"    OR old.state IS NOT new.state BEGIN"                                          \
	"  INSERT OR IGNORE INTO thread_dirty (thread_id)"                                 \
	"    SELECT old.thread_id WHERE old.thread_id > 0;"                                \
	"  UPDATE messages SET thread_id = 0, thread_parent = 0, thread_pos = 0,"          \
	"    thread_depth = 0, thread_tree = '', thread_repeat = 0,"                       \
	"    thread_date = new.date WHERE id = new.id;"                                    \
	"END;"

/*
 * The forward migrations: entry N takes a file from user_version N to N + 1,
 * inside one transaction that also sets the new version.  A new schema
 * version is one more entry here (and INDEX_SCHEMA_VERSION + 1).  Entries
 * may use the SQL functions of index_add_functions.
 */
static const char *const index_migrations[] = {
	/* 0 -> 1: everything (as it was in version 1). */
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

	/*
	 * 1 -> 2: the table is rebuilt (the unique key gains the folder), the
	 * full-text table gains cc.  mtime is cleared so the next reindex
	 * parses each file again (for Cc); threads are computed after the
	 * migration (index_open), the sort keys here.
	 */
	"CREATE TABLE messages2 ("
	"  id INTEGER PRIMARY KEY,"
	"  account TEXT NOT NULL,"
	"  folder TEXT NOT NULL DEFAULT '',"
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
	"  to_addr TEXT NOT NULL DEFAULT '',"
	"  cc_list TEXT NOT NULL DEFAULT '',"
	"  cc_addr TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  size INTEGER NOT NULL DEFAULT 0,"
	"  mtime INTEGER NOT NULL DEFAULT 0,"
	"  has_attachment INTEGER NOT NULL DEFAULT 0,"
	"  partial INTEGER NOT NULL DEFAULT 0,"
	"  state INTEGER NOT NULL DEFAULT 1,"
	"  tagged INTEGER NOT NULL DEFAULT 0,"
	"  from_key TEXT NOT NULL DEFAULT '',"
	"  subject_key TEXT NOT NULL DEFAULT '',"
	"  reply INTEGER NOT NULL DEFAULT 0,"
	"  thread_id INTEGER NOT NULL DEFAULT 0,"
	"  thread_parent INTEGER NOT NULL DEFAULT 0,"
	"  thread_pos INTEGER NOT NULL DEFAULT 0,"
	"  thread_depth INTEGER NOT NULL DEFAULT 0,"
	"  thread_tree TEXT NOT NULL DEFAULT '',"
	"  thread_date INTEGER NOT NULL DEFAULT 0,"
	"  thread_repeat INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (account, folder, base));"
	"INSERT INTO messages2 (id, account, subdir, base, flags, uidl, message_id,"
	"  in_reply_to, refs, date, arrival, from_name, from_addr, to_list, subject, size,"
	"  mtime, has_attachment, partial, state, from_key, subject_key, reply, thread_date)"
	"  SELECT id, account, subdir, base, flags, uidl, message_id, in_reply_to, refs,"
	"  date, arrival, from_name, from_addr, to_list, subject, size, 0, has_attachment,"
	"  partial, state, surat_fold(from_name), surat_subject_key(subject),"
	"  surat_subject_reply(subject), date FROM messages WHERE state <> 2;"
	/* Version 1's tombstones (state 2, "gone") move to the gone table. */
	"CREATE TABLE gone ("
	"  account TEXT NOT NULL, uidl TEXT NOT NULL, arrival INTEGER NOT NULL DEFAULT 0,"
	"  dele INTEGER NOT NULL DEFAULT 0, time INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (account, uidl)) WITHOUT ROWID;"
	"INSERT OR IGNORE INTO gone (account, uidl, arrival, dele, time)"
	"  SELECT account, uidl, arrival, 0, strftime('%s', 'now') FROM messages"
	"  WHERE state = 2 AND uidl IS NOT NULL;"
	"CREATE VIRTUAL TABLE messages_fts2 USING fts5("
	"  subject, sender, recipients, cc, body,"
	"  tokenize = 'unicode61 remove_diacritics 2');"
	"INSERT INTO messages_fts2 (rowid, subject, sender, recipients, cc, body)"
	"  SELECT rowid, subject, sender, recipients, '', body FROM messages_fts"
	"  WHERE rowid IN (SELECT id FROM messages2);"
	"DROP TABLE messages_fts;"
	"DROP TABLE messages;"
	"ALTER TABLE messages2 RENAME TO messages;"
	"ALTER TABLE messages_fts2 RENAME TO messages_fts;"
	"CREATE TABLE thread_dirty (thread_id INTEGER PRIMARY KEY);"
	"CREATE TABLE thread_missing ("
	"  account TEXT NOT NULL, folder TEXT NOT NULL, message_id TEXT NOT NULL,"
	"  thread_id INTEGER NOT NULL);"
	"CREATE INDEX thread_missing_id ON thread_missing (account, folder, message_id);"
	"CREATE INDEX thread_missing_thread ON thread_missing (thread_id);"
	"CREATE TABLE moves ("
	"  id INTEGER PRIMARY KEY, account TEXT NOT NULL, folder TEXT NOT NULL,"
	"  subdir TEXT NOT NULL, base TEXT NOT NULL, flags TEXT NOT NULL, uidl TEXT);"
	"CREATE TABLE undo_actions (action INTEGER PRIMARY KEY, label TEXT NOT NULL);"
	"CREATE TABLE undo_entries ("
	"  seq INTEGER PRIMARY KEY, action INTEGER NOT NULL, id INTEGER NOT NULL,"
	"  kind INTEGER NOT NULL, account TEXT, folder TEXT, subdir TEXT, flags TEXT,"
	"  uidl TEXT, tagged INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX undo_entries_action ON undo_entries (action);" INDEX_V2_INDEXES,
	/*
	 * 2 -> 3: each mailbox's counts of STORED rows (all, unread, flagged),
	 * so the status line and the sidebar read a few rows instead of
	 * counting 100,000 at every start and every change.  Triggers keep them
	 * on DELETE and UPDATE; an INSERT adds itself (index_count_added): a
	 * trigger on INSERT would make every insert keep a statement journal of
	 * each page it touches, half again the time of a reindex.
	 */
	"CREATE TABLE mailbox_counts ("
	"  account TEXT NOT NULL, folder TEXT NOT NULL,"
	"  total INTEGER NOT NULL DEFAULT 0, unread INTEGER NOT NULL DEFAULT 0,"
	"  flagged INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (account, folder)) WITHOUT ROWID;"
	"INSERT INTO mailbox_counts (account, folder, total, unread, flagged)"
	"  SELECT account, folder, count(*), sum(instr(flags, 'S') = 0),"
	"  sum(instr(flags, 'F') > 0) FROM messages WHERE state = 1 GROUP BY account, folder;"
	"CREATE TRIGGER messages_count_delete AFTER DELETE ON messages"
	"  WHEN old.state = 1 BEGIN"
	"  UPDATE mailbox_counts SET total = total - 1,"
	"    unread = unread - (instr(old.flags, 'S') = 0),"
	"    flagged = flagged - (instr(old.flags, 'F') > 0)"
	"    WHERE account = old.account AND folder = old.folder;"
	"END;"
	/* The view indexes a bulk load dropped, to build again (index_bulk_begin). */
	"CREATE TABLE index_deferred (name TEXT PRIMARY KEY, sql TEXT NOT NULL);"

	"CREATE TRIGGER messages_count_update AFTER UPDATE OF account, folder, state, flags"
	"  ON messages WHEN old.state = 1 OR new.state = 1 BEGIN"
	"  UPDATE mailbox_counts SET total = total - 1,"
	"    unread = unread - (instr(old.flags, 'S') = 0),"
	"    flagged = flagged - (instr(old.flags, 'F') > 0)"
	"    WHERE old.state = 1 AND account = old.account AND folder = old.folder;"
	"  INSERT INTO mailbox_counts (account, folder, total, unread, flagged)"
	"    SELECT new.account, new.folder, 1, instr(new.flags, 'S') = 0,"
	"    instr(new.flags, 'F') > 0 WHERE new.state = 1"
	"    ON CONFLICT (account, folder) DO UPDATE SET total = total + 1,"
	"    unread = unread + excluded.unread, flagged = flagged + excluded.flagged;"
	"END;",
	/*
	 * 3 -> 4: the folders' times when a store watch last found a mailbox in
	 * step with the index (reindex.h), so a new session does not scan every
	 * file of an unchanged mailbox again.
	 */
	"CREATE TABLE mailbox_seen (account TEXT NOT NULL, folder TEXT NOT NULL,"
	"  new_ns INTEGER NOT NULL, cur_ns INTEGER NOT NULL,"
	"  PRIMARY KEY (account, folder)) WITHOUT ROWID;",
	/*
	 * 4 -> 5: what a limit's count needs of a row, by its id: the full-text
	 * matches are looked up here, not in the wide table (index_count).
	 */
	"CREATE INDEX messages_flags_by_id ON messages (id, state, flags, account, folder);",
};

G_STATIC_ASSERT(G_N_ELEMENTS(index_migrations) == INDEX_SCHEMA_VERSION);

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

/* The text of argument I of an SQL function call, "" for NULL. */
static const char *
index_fn_arg(sqlite3_value **argv, int i)
{
	const unsigned char *s = sqlite3_value_text(argv[i]);

	return s != NULL ? (const char *)s : "";
}

/* SQL surat_subject_key(subject): thread_subject_key. */
static void
index_fn_subject_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(ctx, thread_subject_key(index_fn_arg(argv, 0), NULL), -1, g_free);
}

/* SQL surat_subject_reply(subject): 1 when it starts with a reply prefix. */
static void
index_fn_subject_reply(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	bool reply = false;

	(void)argc;
	g_free(thread_subject_key(index_fn_arg(argv, 0), &reply));
	sqlite3_result_int(ctx, reply ? 1 : 0);
}

/* SQL surat_fold(text): the case-folded, normalized text, for sorting by name. */
static void
index_fn_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = index_fn_arg(argv, 0);
	char *norm, *fold;

	(void)argc;
	if (!g_utf8_validate(s, -1, NULL)) {
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
		return;
	}
	norm = g_utf8_normalize(s, -1, G_NORMALIZE_DEFAULT);
	fold = g_utf8_casefold(norm != NULL ? norm : "", -1);
	g_free(norm);
	sqlite3_result_text(ctx, fold, -1, g_free);
}

/* Register the SQL functions the statements and migrations use. */
static bool
index_add_functions(struct index *idx, GError **error)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

	if (sqlite3_create_function(idx->db, "surat_subject_key", 1, flags, NULL,
		index_fn_subject_key, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_subject_reply", 1, flags, NULL,
		index_fn_subject_reply, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_fold", 1, flags, NULL, index_fn_fold, NULL,
		NULL) != SQLITE_OK) {
		index_set_error(idx, error, INDEX_ERROR_DB, "cannot register functions");
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

	/* Not a database, or damaged (truncated): INDEX_ERROR_CORRUPT (index_set_error). */
	if (sqlite3_prepare_v2(idx->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK) {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	else
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
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
	    "use a newer surat, or run surat reindex to rebuild it from the Maildirs",
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
			    version == 0 ? " (is this a surat index? run surat reindex to rebuild it)" :
			    "");

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

/* True when some STORED row is not threaded yet (after a migration, say). */
static bool
index_has_unthreaded(struct index *idx)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT EXISTS (SELECT 1 FROM messages WHERE state = 1 AND thread_id = 0)"
	    " OR EXISTS (SELECT 1 FROM thread_dirty)",
	    NULL);

	return stmt != NULL && index_query_int(idx, stmt, NULL) > 0;
}

/* True when a bulk load's indexes wait to be built again. */
static bool
index_has_deferred(struct index *idx)
{
	sqlite3_stmt *stmt = index_sql(idx, "SELECT EXISTS (SELECT 1 FROM index_deferred)", NULL);

	return stmt != NULL && index_query_int(idx, stmt, NULL) > 0;
}

/* A row's first column, copied, onto the GPtrArray DATA (index_step_fn). */
static bool
index_text_row(sqlite3_stmt *stmt, void *data)
{
	g_ptr_array_add(data, index_column_text(stmt, 0));
	return true;
}

/* The first column of every row SQL yields, appended to OUT (g_free'd strings). */
static bool
index_texts(struct index *idx, const char *sql, GPtrArray *out, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx, sql, error);

	return stmt != NULL && index_each(idx, stmt, index_text_row, out, error);
}

/* FTS5's automerge: its default, and while a reindex loads an empty index. */
#define INDEX_FTS_AUTOMERGE "4"
#define INDEX_BULK_AUTOMERGE "16"

/*
 * The indexes a reindex and the threading it ends with use (the unique
 * (account, folder, base) one has no SQL and is never dropped).
 */
#define INDEX_BULK_KEEP                                                                    \
	"'messages_msgid', 'messages_unthreaded', 'messages_top_subject',"                 \
	" 'messages_thread_rows', 'messages_pending', 'messages_expunging', 'messages_uidl'"

bool
index_bulk_begin(struct index *idx, bool *started, GError **error)
{
	sqlite3_stmt *stmt;
	GPtrArray *names;
	int64_t empty;
	bool ok = false;
	guint i;

	*started = false;
	if (!index_begin(idx, error))
		return false;
	stmt = index_sql(idx, "SELECT NOT EXISTS (SELECT 1 FROM messages)", error);
	empty = stmt != NULL ? index_query_int(idx, stmt, error) : -1;
	if (empty < 0)
		goto out;
	if (empty == 0) {
		ok = true;
		goto out;
	}
	/* Their SQL is kept first, in the same transaction: a crash loses nothing. */
	if (!index_run_sql(idx,
	    "INSERT OR IGNORE INTO index_deferred (name, sql) SELECT name, sql FROM sqlite_master"
	    " WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL"
	    " AND name NOT IN (" INDEX_BULK_KEEP ")",
	    error))
		goto out;
	names = g_ptr_array_new_with_free_func(g_free);
	ok = index_texts(idx, "SELECT name FROM index_deferred", names, error);
	for (i = 0; ok && i < names->len; i++) {
		char *sql = sqlite3_mprintf("DROP INDEX IF EXISTS \"%w\"",
		    (const char *)g_ptr_array_index(names, i));

		ok = index_run_sql(idx, sql, error);
		sqlite3_free(sql);
	}
	g_ptr_array_free(names, TRUE);
	/*
	 * FTS5 merges its segments when 4 of a size pile up (automerge), so
	 * each word's entries are rewritten at every level; 16 halves the
	 * levels for the load (a fifth of a 100,000-message reindex went to
	 * merging).  The setting is kept in the table: index_bulk_end puts
	 * the default back, and further writes merge the rest in small steps.
	 */
	ok = ok && index_run_sql(idx,
	    "INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', "
	    INDEX_BULK_AUTOMERGE ")",
	    error);
	*started = ok;
out:
	if (ok)
		return index_commit(idx, error);
	*started = false;
	index_rollback(idx);
	return false;
}

bool
index_bulk_end(struct index *idx, GError **error)
{
	GPtrArray *sqls = g_ptr_array_new_with_free_func(g_free);
	bool ok;
	guint i;

	if (!index_begin(idx, error)) {
		g_ptr_array_free(sqls, TRUE);
		return false;
	}
	/* Read again inside the lock: another process may have built them already. */
	ok = index_texts(idx, "SELECT sql FROM index_deferred", sqls, error);
	for (i = 0; ok && i < sqls->len; i++)
		ok = index_run_sql(idx, g_ptr_array_index(sqls, i), error);
	g_ptr_array_free(sqls, TRUE);
	ok = ok && index_run_sql(idx, "DELETE FROM index_deferred", error) &&
	    index_run_sql(idx,
		"INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', "
		INDEX_FTS_AUTOMERGE ")",
		error);
	if (!ok) {
		index_rollback(idx);
		return false;
	}
	return index_commit(idx, error);
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
	 * as the file does (DESIGN promise 1).  Statement journals stay in
	 * memory: in a file under /var/tmp they were most of a fetch's writes
	 * (a page image for every page each INSERT or UPDATE touched).
	 */
	if (!index_exec(idx, "PRAGMA journal_mode = WAL", INDEX_ERROR_DB, error) ||
	    !index_exec(idx, "PRAGMA synchronous = FULL", INDEX_ERROR_DB, error) ||
	    !index_exec(idx, "PRAGMA cache_size = -16384", INDEX_ERROR_DB, error) ||
	    !index_exec(idx, "PRAGMA temp_store = MEMORY", INDEX_ERROR_DB, error) ||
	    !index_migrate(idx, error))
		return false;
	/* A bulk load that did not finish (a crash, a kill) left its indexes out. */
	if (index_has_deferred(idx) && !index_bulk_end(idx, error))
		return false;
	/* Rows a migration (or an older writer) left unthreaded. */
	if (index_has_unthreaded(idx) && !index_threads_update(idx, error))
		return false;
	return true;
}

/*
 * Create the index file PATH mode 0600 before SQLite would create it 0644
 * (the WAL and shared-memory files SQLite makes take its mode).  An
 * existing file others can read is store_make_private's to fix (and note).
 */
static bool
index_create_private(const char *path, GError **error)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	if (errno == EEXIST)
		return true;
	g_set_error(error, INDEX_ERROR, INDEX_ERROR_DB, "index %s: cannot create: %s", path,
	    g_strerror(errno));
	return false;
}

bool
index_error_is_unusable(const GError *error)
{
	return g_error_matches(error, INDEX_ERROR, INDEX_ERROR_SCHEMA) ||
	    g_error_matches(error, INDEX_ERROR, INDEX_ERROR_CORRUPT);
}

bool
index_move_aside(const char *path, char **moved_to, GError **error)
{
	const char *const suffixes[] = { "", "-wal", "-shm" };
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char *aside;
	size_t i;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	aside = g_strdup_printf("%s.broken-%s", path, stamp);
	for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		char *from = g_strconcat(path, suffixes[i], NULL);
		char *to = g_strconcat(aside, suffixes[i], NULL);
		int rc = rename(from, to);

		if (rc != 0 && errno != ENOENT) {
			g_set_error(error, INDEX_ERROR, INDEX_ERROR_DB, "cannot move %s to %s: %s",
			    from, to, g_strerror(errno));
			g_free(to);
			g_free(from);
			g_free(aside);
			return false;
		}
		g_free(to);
		g_free(from);
	}
	if (moved_to != NULL)
		*moved_to = aside;
	else
		g_free(aside);
	return true;
}

struct index *
index_open(const char *path, GError **error)
{
	struct index *idx = g_new0(struct index, 1);
	gint64 deadline;
	int rc;

	idx->path = g_strdup(path);
	idx->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, index_finalize);
	if (!index_create_private(path, error))
		goto fail;
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
	if (!index_add_functions(idx, error))
		goto fail;
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
	if (idx == NULL)
		return;
	/* Statements go before the connection they belong to. */
	g_hash_table_destroy(idx->stmts);
	sqlite3_close(idx->db);
	g_free(idx->path);
	g_free(idx);
}

int
index_schema_version(struct index *idx)
{
	return index_read_version(idx, NULL);
}

uint64_t
index_change_stamp(struct index *idx)
{
	sqlite3_stmt *stmt = index_sql(idx, "PRAGMA data_version", NULL);
	int64_t version = stmt != NULL ? index_query_int(idx, stmt, NULL) : -1;

	/* Both only grow: their sum changes whenever either does. */
	return (uint64_t)MAX(version, 0) + (uint64_t)sqlite3_total_changes64(idx->db);
}

/* The columns index_put writes, ?1..?23 in this order. */
#define INDEX_PUT_COLUMNS                                                                  \
	"account, folder, subdir, base, flags, uidl, message_id, in_reply_to, refs, date,"  \
	" arrival, from_name, from_addr, to_list, to_addr, cc_list, cc_addr, subject, size," \
	" mtime, has_attachment, partial, state"

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
		    " from_key = surat_fold(?12), subject_key = surat_subject_key(?18),"
		    " reply = surat_subject_reply(?18) WHERE id = ?24",
		    error);
	else
		stmt = index_sql(idx,
		    "INSERT INTO messages (" INDEX_PUT_COLUMNS ", from_key, subject_key, reply,"
		    " thread_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, surat_fold(?12),"
		    " surat_subject_key(?18), surat_subject_reply(?18), ?10)",
		    error);
	if (stmt == NULL)
		goto fail;
	index_bind_message(stmt, msg);
	if (id > 0)
		sqlite3_bind_int64(stmt, 24, id);
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
	stmt = index_sql(idx,
	    "INSERT INTO messages_fts (rowid, subject, sender, recipients, cc, body)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    error);
	if (stmt == NULL)
		goto fail;
	/* Search finds people by name or by address. */
	sqlite3_bind_int64(stmt, 1, id);
	index_bind_text0(stmt, 2, msg->subject);
	sqlite3_bind_text(stmt, 3, index_join2(msg->from, msg->from_addr), -1, g_free);
	sqlite3_bind_text(stmt, 4, index_join2(msg->to, msg->to_addr), -1, g_free);
	sqlite3_bind_text(stmt, 5, index_join2(msg->cc, msg->cc_addr), -1, g_free);
	index_bind_text0(stmt, 6, body_text);
	if (!index_run(idx, stmt, error))
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
	    " subject_key, reply, thread_date)"
	    " SELECT ?2, ?3, ?4, ?5, ?6, NULL, message_id, in_reply_to, refs, date, arrival,"
	    " from_name, from_addr, to_list, to_addr, cc_list, cc_addr, subject, size, mtime,"
	    " has_attachment, partial, 1, from_key, subject_key, reply, date"
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
