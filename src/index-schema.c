/*
 * index-schema: the index file itself (index.h): creating it private,
 * opening it (recovering a damaged one by moving it aside), the schema and
 * its migrations, the SQL functions the schema calls, and the bulk mode a
 * reindex loads an empty index in.  The rows are index.c's.
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
	/* Covers the sidebar's counts (index_query_mailbox_counts). */                         \
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
	 * matches are looked up here, not in the wide table (index_query_count).
	 */
	"CREATE INDEX messages_flags_by_id ON messages (id, state, flags, account, folder);",
	/*
	 * 5 -> 6: the rows whose full-text entries have no body yet: a fetch
	 * leaves the bodies to a pass after it (index_body_later).  A row that
	 * goes takes its mark along, so an id given out again never inherits it.
	 */
	"CREATE TABLE bodies_waiting (id INTEGER PRIMARY KEY);"
	"CREATE TRIGGER bodies_waiting_delete AFTER DELETE ON messages BEGIN"
	"  DELETE FROM bodies_waiting WHERE id = old.id;"
	"END;",
	/*
	 * 6 -> 7: the envelope and the state of each message waiting in an
	 * Outbox (index_outbox_*): who it goes to, how often it was tried,
	 * whether the server accepted it, which must be on record before the
	 * file moves to Sent (DESIGN promise 5), and the flags its sending puts
	 * on other rows (replied, passed).  It goes with its row.
	 */
	"CREATE TABLE outbox (id INTEGER PRIMARY KEY, sender TEXT NOT NULL,"
	"  rcpts TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_try INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT, marks TEXT);"
	"CREATE TRIGGER outbox_delete AFTER DELETE ON messages BEGIN"
	"  DELETE FROM outbox WHERE id = old.id;"
	"END;",
	/*
	 * 7 -> 8: the address book (index_contacts_*): one row per address,
	 * counted from the messages rows up to contacts_done.upto, so fetching
	 * pays nothing for it.
	 */
	"CREATE TABLE contacts (address TEXT PRIMARY KEY COLLATE NOCASE,"
	"  name TEXT NOT NULL DEFAULT '', written INTEGER NOT NULL DEFAULT 0,"
	"  last_written INTEGER NOT NULL DEFAULT 0, seen INTEGER NOT NULL DEFAULT 0,"
	"  last_seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE TABLE contacts_done (upto INTEGER NOT NULL);"
	"INSERT INTO contacts_done (upto) VALUES (0);",
	/*
	 * 8 -> 9: Sender and the List-Id (or List-Post) of each message, for
	 * mutt's ~e and ~l, which read every file without them.  NULL for the
	 * rows already there: for those the patterns read the file still.
	 */
	"ALTER TABLE messages ADD COLUMN sender TEXT;"
	"ALTER TABLE messages ADD COLUMN list TEXT;",
};

G_STATIC_ASSERT(G_N_ELEMENTS(index_migrations) == INDEX_SCHEMA_VERSION);

/* SQL surat_subject_key(subject): thread_subject_key. */
static void
index_fn_subject_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_text(ctx, thread_subject_key(index_value_text(argv, 0), NULL), -1, g_free);
}

/* SQL surat_subject_reply(subject): 1 when it starts with a reply prefix. */
static void
index_fn_subject_reply(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	bool reply = false;

	(void)argc;
	g_free(thread_subject_key(index_value_text(argv, 0), &reply));
	sqlite3_result_int(ctx, reply ? 1 : 0);
}

/* SQL surat_fold(text): the case-folded, normalized text, for sorting by name. */
static void
index_fn_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *s = index_value_text(argv, 0);
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
		NULL) != SQLITE_OK ||
	    !index_match_add_functions(idx, NULL)) {
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
	index_match_clear(idx);
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
