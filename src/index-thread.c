/*
 * index-thread: keeps every STORED row's thread columns right (index.h,
 * thread.h).  Threads live within one mailbox (account, folder), as in mutt:
 * a thread view of a folder is exactly that folder's messages.
 *
 * Triggers (index.c) mark what needs doing: a new or changed row has
 * thread_id 0, a thread that lost a row is in thread_dirty.  An update
 * threads, per mailbox, the smallest set of rows whose result can change:
 * the unthreaded rows, the dirty threads, every thread sharing a container
 * with them (found by Message-ID in messages and in thread_missing, the ids
 * a thread refers to that no message has), and every thread whose top rows
 * have a subject key one of the new roots has (subject grouping), until
 * nothing new joins.  thread_compute on that set gives what a full rebuild
 * gives, because threads outside it share neither a container nor a subject
 * group with it.  Only rows whose thread columns change are written.
 */
#include "index-private.h"

#include <string.h>

#include "surat/thread.h"

/* Past this many unthreaded rows in a mailbox, thread it whole instead. */
#define INDEX_THREAD_WHOLE 2000

/* A row loaded for threading, with its current thread columns. */
struct index_trow {
	int64_t id;
	char *message_id;
	char *in_reply_to;
	char *refs;
	char *subject;
	char *subject_key;
	int64_t date;
	int64_t thread_id;
	int64_t parent;
	int pos;
	int depth;
	char *tree;
	int64_t thread_date;
	bool repeat;
};

/* Free a loaded row. */
static void
index_trow_free(gpointer data)
{
	struct index_trow *r = data;

	g_free(r->message_id);
	g_free(r->in_reply_to);
	g_free(r->refs);
	g_free(r->subject);
	g_free(r->subject_key);
	g_free(r->tree);
	g_free(r);
}

/* What one mailbox's update holds. */
struct index_tbox {
	struct index *idx;
	const char *account;
	const char *folder;
	GHashTable *rows;      /* id -> struct index_trow * (owned) */
	GHashTable *threads;   /* old thread ids in the set (int64_t *, owned) */
	GHashTable *probed;    /* Message-IDs and subject keys already looked up */
};

#define INDEX_TROW_COLUMNS                                                                  \
	"id, message_id, in_reply_to, refs, subject, subject_key, date, thread_id,"        \
	" thread_parent, thread_pos, thread_depth, thread_tree, thread_date, thread_repeat"

/* A row of INDEX_TROW_COLUMNS into the set DATA, unless it is there (index_step_fn). */
static bool
index_tload_row(sqlite3_stmt *stmt, void *data)
{
	struct index_tbox *b = data;
	int64_t id = sqlite3_column_int64(stmt, 0);
	struct index_trow *r;

	if (g_hash_table_contains(b->rows, &id))
		return true;
	r = g_new0(struct index_trow, 1);
	r->id = id;
	r->message_id = index_column_text(stmt, 1);
	r->in_reply_to = index_column_text(stmt, 2);
	r->refs = index_column_text(stmt, 3);
	r->subject = index_column_text(stmt, 4);
	r->subject_key = index_column_text(stmt, 5);
	r->date = sqlite3_column_int64(stmt, 6);
	r->thread_id = sqlite3_column_int64(stmt, 7);
	r->parent = sqlite3_column_int64(stmt, 8);
	r->pos = sqlite3_column_int(stmt, 9);
	r->depth = sqlite3_column_int(stmt, 10);
	r->tree = index_column_text(stmt, 11);
	r->thread_date = sqlite3_column_int64(stmt, 12);
	r->repeat = sqlite3_column_int(stmt, 13) != 0;
	g_hash_table_insert(b->rows, &r->id, r);
	return true;
}

/* Load the rows STMT yields (INDEX_TROW_COLUMNS) into B. */
static bool
index_tload(struct index_tbox *b, sqlite3_stmt *stmt, GError **error)
{
	return index_each(b->idx, stmt, index_tload_row, b, error);
}

/* Add the old thread T (and all its rows) to the set; *ADDED when it was new. */
static bool
index_tadd_thread(struct index_tbox *b, int64_t t, bool *added, GError **error)
{
	sqlite3_stmt *stmt;
	int64_t *key;

	if (t <= 0 || g_hash_table_contains(b->threads, &t))
		return true;
	key = g_new(int64_t, 1);
	*key = t;
	g_hash_table_add(b->threads, key);
	*added = true;
	/*
	 * Without INDEXED BY the planner prefers a (account, folder) view index,
	 * which reads the whole mailbox: 190 ms a thread at 100,000 messages.
	 */
	stmt = index_sql(b->idx,
	    "SELECT " INDEX_TROW_COLUMNS " FROM messages INDEXED BY messages_thread_rows"
	    " WHERE thread_id = ?1 AND state = 1 AND account = ?2 AND folder = ?3",
	    error);
	if (stmt == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, t);
	index_bind_text0(stmt, 2, b->account);
	index_bind_text0(stmt, 3, b->folder);
	return index_tload(b, stmt, error);
}

/* The thread ids SQL yields for the mailbox and KEY (bound ?1 ?2 ?3), into OUT. */
static bool
index_tlookup(struct index_tbox *b, const char *sql, const char *key, GArray *out,
    GError **error)
{
	sqlite3_stmt *stmt = index_sql(b->idx, sql, error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, b->account);
	index_bind_text0(stmt, 2, b->folder);
	index_bind_text0(stmt, 3, key);
	return index_each(b->idx, stmt, index_step_int64, out, error);
}

/* Add the threads that have a message or a missing reference with Message-ID ID. */
static bool
index_tprobe_id(struct index_tbox *b, const char *id, bool *added, GError **error)
{
	GArray *found;
	bool ok;
	guint i;

	if (id == NULL || id[0] == '\0' || strlen(id) > THREAD_ID_MAX)
		return true;
	if (g_hash_table_contains(b->probed, id))
		return true;
	g_hash_table_add(b->probed, g_strdup(id));
	found = g_array_new(FALSE, FALSE, sizeof(int64_t));
	ok = index_tlookup(b,
		 "SELECT thread_id FROM messages WHERE account = ?1 AND folder = ?2"
		 " AND message_id = ?3 AND state = 1 AND thread_id > 0",
		 id, found, error) &&
	    index_tlookup(b,
		"SELECT thread_id FROM thread_missing WHERE account = ?1 AND folder = ?2"
		" AND message_id = ?3",
		id, found, error);
	for (i = 0; ok && i < found->len; i++)
		ok = index_tadd_thread(b, g_array_index(found, int64_t, i), added, error);
	g_array_free(found, TRUE);
	return ok;
}

/* Probe the ids a row names: its own, In-Reply-To and References. */
static bool
index_tprobe_row(struct index_tbox *b, const struct index_trow *r, bool *added, GError **error)
{
	char **refs;
	bool ok;
	int i;

	if (!index_tprobe_id(b, r->message_id, added, error) ||
	    !index_tprobe_id(b, r->in_reply_to, added, error))
		return false;
	if (r->refs == NULL)
		return true;
	refs = g_strsplit_set(r->refs, " \t", THREAD_REFS_MAX + 1);
	for (ok = true, i = 0; ok && refs[i] != NULL && i < THREAD_REFS_MAX; i++)
		ok = index_tprobe_id(b, refs[i], added, error);
	g_strfreev(refs);
	return ok;
}

/* Add the threads whose top rows have the subject KEY. */
static bool
index_tprobe_subject(struct index_tbox *b, const char *key, bool *added, GError **error)
{
	GArray *found;
	char *probe;
	bool ok;
	guint i;

	if (key == NULL || key[0] == '\0')
		return true;
	/* Subject keys and ids share the probed set; the prefix keeps them apart. */
	probe = g_strconcat("\x01", key, NULL);
	if (g_hash_table_contains(b->probed, probe)) {
		g_free(probe);
		return true;
	}
	g_hash_table_add(b->probed, probe);
	found = g_array_new(FALSE, FALSE, sizeof(int64_t));
	ok = index_tlookup(b,
	    "SELECT DISTINCT thread_id FROM messages WHERE account = ?1 AND folder = ?2"
	    " AND subject_key = ?3 AND state = 1 AND thread_parent = 0 AND thread_id > 0",
	    key, found, error);
	for (i = 0; ok && i < found->len; i++)
		ok = index_tadd_thread(b, g_array_index(found, int64_t, i), added, error);
	g_array_free(found, TRUE);
	return ok;
}

/* Thread the rows of B: the set's messages, as thread.h wants them. */
static struct thread_set *
index_tcompute(struct index_tbox *b)
{
	GArray *msgs = g_array_sized_new(FALSE, TRUE, sizeof(struct thread_msg),
	    g_hash_table_size(b->rows));
	struct thread_set *set;
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, b->rows);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		const struct index_trow *r = value;
		struct thread_msg m = { r->id, r->message_id, r->in_reply_to, r->refs, r->subject,
			r->date };

		g_array_append_val(msgs, m);
	}
	set = thread_compute((const struct thread_msg *)(void *)msgs->data, msgs->len);
	g_array_free(msgs, TRUE);
	return set;
}

/* Write what changed in SET, and the set's missing ids, for mailbox B. */
static bool
index_twrite(struct index_tbox *b, const struct thread_set *set, bool whole, GError **error)
{
	sqlite3_stmt *stmt;
	GHashTableIter it;
	gpointer key;
	guint i;

	for (i = 0; i < set->rows->len; i++) {
		const struct thread_row *t = &g_array_index(set->rows, struct thread_row, i);
		const struct index_trow *r = g_hash_table_lookup(b->rows, &t->id);

		if (r != NULL && r->thread_id == t->thread_id && r->parent == t->parent &&
		    r->pos == t->pos && r->depth == t->depth && r->thread_date == t->thread_date &&
		    r->repeat == t->subject_repeat && g_strcmp0(r->tree, t->tree) == 0)
			continue;
		stmt = index_sql(b->idx,
		    "UPDATE messages SET thread_id = ?2, thread_parent = ?3, thread_pos = ?4,"
		    " thread_depth = ?5, thread_tree = ?6, thread_date = ?7, thread_repeat = ?8"
		    " WHERE id = ?1",
		    error);
		if (stmt == NULL)
			return false;
		sqlite3_bind_int64(stmt, 1, t->id);
		sqlite3_bind_int64(stmt, 2, t->thread_id);
		sqlite3_bind_int64(stmt, 3, t->parent);
		sqlite3_bind_int(stmt, 4, t->pos);
		sqlite3_bind_int(stmt, 5, t->depth);
		sqlite3_bind_text(stmt, 6, t->tree, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 7, t->thread_date);
		sqlite3_bind_int(stmt, 8, t->subject_repeat ? 1 : 0);
		if (!index_run(b->idx, stmt, error))
			return false;
	}
	if (whole) {
		stmt = index_sql(b->idx,
		    "DELETE FROM thread_missing WHERE account = ?1 AND folder = ?2", error);
		if (stmt == NULL)
			return false;
		index_bind_text0(stmt, 1, b->account);
		index_bind_text0(stmt, 2, b->folder);
		if (!index_run(b->idx, stmt, error))
			return false;
	} else {
		g_hash_table_iter_init(&it, b->threads);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			stmt = index_sql(b->idx, "DELETE FROM thread_missing WHERE thread_id = ?1",
			    error);
			if (stmt == NULL)
				return false;
			sqlite3_bind_int64(stmt, 1, *(int64_t *)key);
			if (!index_run(b->idx, stmt, error))
				return false;
		}
	}
	for (i = 0; i < set->missing->len; i++) {
		const struct thread_missing *m = g_ptr_array_index(set->missing, i);

		stmt = index_sql(b->idx,
		    "INSERT INTO thread_missing (account, folder, message_id, thread_id)"
		    " VALUES (?1, ?2, ?3, ?4)",
		    error);
		if (stmt == NULL)
			return false;
		index_bind_text0(stmt, 1, b->account);
		index_bind_text0(stmt, 2, b->folder);
		index_bind_text0(stmt, 3, m->message_id);
		sqlite3_bind_int64(stmt, 4, m->thread_id);
		if (!index_run(b->idx, stmt, error))
			return false;
	}
	return true;
}

/*
 * Thread the mailbox B: WHOLE, or from its unthreaded rows and the dirty
 * threads in DIRTY (int64_t, those of this mailbox).
 */
static bool
index_tmailbox(struct index_tbox *b, bool whole, GArray *dirty, GError **error)
{
	struct thread_set *set = NULL;
	sqlite3_stmt *stmt;
	GPtrArray *seeds;
	GHashTableIter it;
	gpointer value;
	bool ok = false, added;
	guint i;

	/* INDEXED BY: left to itself the planner reads the whole mailbox (see index_tadd_thread). */
	stmt = index_sql(b->idx,
	    whole ? "SELECT " INDEX_TROW_COLUMNS " FROM messages WHERE account = ?1"
		    " AND folder = ?2 AND state = 1"
		  : "SELECT " INDEX_TROW_COLUMNS " FROM messages INDEXED BY messages_unthreaded"
		    " WHERE account = ?1 AND folder = ?2 AND state = 1 AND thread_id = 0",
	    error);
	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, b->account);
	index_bind_text0(stmt, 2, b->folder);
	if (!index_tload(b, stmt, error))
		return false;
	if (whole) {
		set = index_tcompute(b);
		ok = index_twrite(b, set, true, error);
		thread_set_free(set);
		return ok;
	}
	added = false;
	for (i = 0; dirty != NULL && i < dirty->len; i++) {
		if (!index_tadd_thread(b, g_array_index(dirty, int64_t, i), &added, error))
			return false;
	}
	/* The seeds: rows not threaded yet; the threads they share a container with. */
	seeds = g_ptr_array_new();
	g_hash_table_iter_init(&it, b->rows);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		if (((struct index_trow *)value)->thread_id == 0)
			g_ptr_array_add(seeds, value);
	}
	for (i = 0; i < seeds->len; i++) {
		if (!index_tprobe_row(b, g_ptr_array_index(seeds, i), &added, error)) {
			g_ptr_array_free(seeds, TRUE);
			return false;
		}
	}
	g_ptr_array_free(seeds, TRUE);
	/* Then whatever a new root's subject can join, until nothing new comes. */
	for (;;) {
		set = index_tcompute(b);
		added = false;
		for (i = 0; i < set->rows->len; i++) {
			const struct thread_row *t = &g_array_index(set->rows, struct thread_row, i);
			const struct index_trow *r = g_hash_table_lookup(b->rows, &t->id);

			if (t->parent == 0 && r != NULL &&
			    !index_tprobe_subject(b, r->subject_key, &added, error)) {
				thread_set_free(set);
				return false;
			}
		}
		if (!added)
			break;
		thread_set_free(set);
	}
	ok = index_twrite(b, set, false, error);
	thread_set_free(set);
	return ok;
}

/* Set up B for the mailbox (ACCOUNT, FOLDER). */
static void
index_tbox_init(struct index_tbox *b, struct index *idx, const char *account, const char *folder)
{
	b->idx = idx;
	b->account = account;
	b->folder = folder;
	b->rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, index_trow_free);
	b->threads = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	b->probed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void
index_tbox_clear(struct index_tbox *b)
{
	g_hash_table_unref(b->rows);
	g_hash_table_unref(b->threads);
	g_hash_table_unref(b->probed);
}

/* One mailbox to thread, and why. */
struct index_tjob {
	char *account;
	char *folder;
	int64_t unthreaded;
	GArray *dirty; /* int64_t thread ids */
};

/* Free a job. */
static void
index_tjob_free(gpointer data)
{
	struct index_tjob *j = data;

	g_free(j->account);
	g_free(j->folder);
	if (j->dirty != NULL)
		g_array_free(j->dirty, TRUE);
	g_free(j);
}

/* The job for (ACCOUNT, FOLDER) in JOBS (by "account\nfolder"), made if new. */
static struct index_tjob *
index_tjob(GHashTable *jobs, const char *account, const char *folder)
{
	char *key = g_strconcat(account, "\n", folder, NULL);
	struct index_tjob *j = g_hash_table_lookup(jobs, key);

	if (j == NULL) {
		j = g_new0(struct index_tjob, 1);
		j->account = g_strdup(account);
		j->folder = g_strdup(folder);
		g_hash_table_insert(jobs, key, j);
	} else {
		g_free(key);
	}
	return j;
}

/* What index_tjob_row fills. */
struct index_tjobs_want {
	GHashTable *jobs;
	bool all;
};

/* A mailbox with rows to thread, and how many (index_step_fn). */
static bool
index_tjob_row(sqlite3_stmt *stmt, void *data)
{
	struct index_tjobs_want *want = data;
	struct index_tjob *j = index_tjob(want->jobs, (const char *)sqlite3_column_text(stmt, 0),
	    (const char *)sqlite3_column_text(stmt, 1));

	j->unthreaded = want->all ? G_MAXINT64 : sqlite3_column_int64(stmt, 2);
	return true;
}

/* Find the mailboxes to thread (all of them with ALL) into JOBS. */
static bool
index_tjobs(struct index *idx, bool all, GHashTable *jobs, GError **error)
{
	struct index_tjobs_want want;
	sqlite3_stmt *stmt;
	GArray *dirty = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int rc;
	guint i;

	stmt = index_sql(idx,
	    all ? "SELECT account, folder, count(*) FROM messages WHERE state = 1"
		  " GROUP BY account, folder"
		: "SELECT account, folder, count(*) FROM messages WHERE state = 1"
		  " AND thread_id = 0 GROUP BY account, folder",
	    error);
	if (stmt == NULL)
		goto fail;
	want.jobs = jobs;
	want.all = all;
	if (!index_each(idx, stmt, index_tjob_row, &want, error))
		goto fail;
	if ((stmt = index_sql(idx, "SELECT thread_id FROM thread_dirty", error)) == NULL ||
	    !index_each(idx, stmt, index_step_int64, dirty, error))
		goto fail;
	for (i = 0; i < dirty->len; i++) {
		int64_t t = g_array_index(dirty, int64_t, i);
		struct index_tjob *j;

		stmt = index_sql(idx,
		    "SELECT account, folder FROM messages WHERE thread_id = ?1 AND state = 1"
		    " LIMIT 1",
		    error);
		if (stmt == NULL)
			goto fail;
		sqlite3_bind_int64(stmt, 1, t);
		rc = sqlite3_step(stmt);
		if (rc == SQLITE_ROW) {
			j = index_tjob(jobs, (const char *)sqlite3_column_text(stmt, 0),
			    (const char *)sqlite3_column_text(stmt, 1));
			if (j->dirty == NULL)
				j->dirty = g_array_new(FALSE, FALSE, sizeof(int64_t));
			g_array_append_val(j->dirty, t);
		}
		sqlite3_reset(stmt);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			goto db_fail;
		if (rc == SQLITE_DONE) {
			/* No rows left: only its missing ids remain to forget. */
			stmt = index_sql(idx, "DELETE FROM thread_missing WHERE thread_id = ?1", error);
			if (stmt == NULL)
				goto fail;
			sqlite3_bind_int64(stmt, 1, t);
			if (!index_run(idx, stmt, error))
				goto fail;
		}
	}
	g_array_free(dirty, TRUE);
	return true;
db_fail:
	index_set_error(idx, error, INDEX_ERROR_DB, NULL);
fail:
	g_array_free(dirty, TRUE);
	return false;
}

bool
index_thread_refresh(struct index *idx, bool all, GError **error)
{
	GHashTable *jobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, index_tjob_free);
	GHashTableIter it;
	gpointer value;
	bool ok = false;

	if (!index_tjobs(idx, all, jobs, error))
		goto out;
	g_hash_table_iter_init(&it, jobs);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct index_tjob *j = value;
		struct index_tbox b;
		bool step;

		index_tbox_init(&b, idx, j->account, j->folder);
		step = index_tmailbox(&b, all || j->unthreaded > INDEX_THREAD_WHOLE, j->dirty, error);
		index_tbox_clear(&b);
		if (!step) {
			g_prefix_error(error, "threading %s/%s: ", j->account,
			    j->folder[0] != '\0' ? j->folder : "inbox");
			goto out;
		}
	}
	ok = index_run_sql(idx, "DELETE FROM thread_dirty", error);
out:
	g_hash_table_unref(jobs);
	return ok;
}

bool
index_threads_update(struct index *idx, GError **error)
{
	bool own;

	if (!index_write_begin(idx, &own, error))
		return false;
	if (!index_thread_refresh(idx, false, error)) {
		index_write_undo(idx, own);
		return false;
	}
	return index_write_end(idx, own, error);
}

bool
index_threads_rebuild(struct index *idx, GError **error)
{
	bool own;

	if (!index_write_begin(idx, &own, error))
		return false;
	if (!index_thread_refresh(idx, true, error)) {
		index_write_undo(idx, own);
		return false;
	}
	return index_write_end(idx, own, error);
}
