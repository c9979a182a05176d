/*
 * reindex: bring the index in step with the Maildirs under the store.
 *
 * Each file is compared with its row by base name, folder, flags, size and
 * mtime; only new or changed files are parsed.  Parsing (GMime, the costly
 * part) runs on a pool of worker threads, one per processor, while this
 * thread writes rows in file order, one transaction per REINDEX_BATCH.
 *
 * The UIDL journal an account's Maildir carries (uidls.h) gives a file its
 * UIDL (and headers-only state) when its row is made anew, so a lost index
 * costs no download; UIDLs of messages gone from the store come back from
 * it too (reindex-journal.c, which also compacts it).  Rows of vanished
 * files leave their UIDL in the journal as well.
 *
 * What it must never do: touch PENDING rows (delivery recovery settles
 * those), write into tmp/, or rename a file onto another.
 *
 * The store watch, which runs this for the mailboxes that changed, is
 * reindex-watch.c (reindex-private.h).
 */
#include "reindex-private.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "surat/folder.h"
#include "surat/mime-lib.h"
#include "surat/store.h"
#include "surat/summary.h"

G_DEFINE_QUARK(surat-reindex-error-quark, reindex_error)

/* Rows written per transaction. */
#define REINDEX_BATCH 1000
/* Parsed files waiting to be written, at most (bounds memory). */
#define REINDEX_WINDOW 64

/* One file to parse, filled in by a worker. */
struct reindex_job {
	char *path;
	struct index_message msg; /* file fields set before; summary after */
	char *body_text;
	bool ok;                  /* false: the file could not be read */
	bool done;                /* set by the worker under the lock */
};

/* The parse pool and what the writer waits on. */
struct reindex_pool {
	GThreadPool *pool;
	GMutex lock;
	GCond cond;
	const char *const *fallbacks; /* charset_fallbacks, for summary.h */
};

/* Parse one job (runs on a worker thread). */
static void
reindex_parse(gpointer data, gpointer user_data)
{
	struct reindex_job *job = data;
	struct reindex_pool *p = user_data;
	bool ok = summary_from_file(job->path, p->fallbacks, &job->msg, &job->body_text, NULL);

	g_mutex_lock(&p->lock);
	job->ok = ok;
	job->done = true;
	g_cond_broadcast(&p->cond);
	g_mutex_unlock(&p->lock);
}

/* Free JOB. */
static void
reindex_job_free(struct reindex_job *job)
{
	if (job == NULL)
		return;
	g_free(job->path);
	index_message_clear(&job->msg);
	g_free(job->body_text);
	g_free(job);
}

/*
 * When the file arrived: the leading seconds of its unique name (every
 * Maildir writer starts names that way), else its mtime.
 */
static int64_t
reindex_arrival(const char *base, int64_t mtime)
{
	const char *p = base;
	int64_t t = 0;

	while (g_ascii_isdigit(*p) && p - base < 12)
		t = t * 10 + (*p++ - '0');
	if (p == base || *p != '.' || t <= 0)
		return mtime;
	return t;
}

/* The state of one reindex_folder run. */
struct reindex_run {
	struct index *idx;
	const char *account;
	const char *folder;
	struct reindex_stats *stats;
	const char *account_dir;     /* the account's Maildir, which holds the journal */
	const struct uidls *uidls;   /* what the journal says */
	GString *journal;            /* records to append once the rows are committed */
	int writes;   /* in the open transaction */
	bool in_txn;
};

/* Append the records waiting in RUN's journal buffer (after a commit). */
static bool
reindex_flush_journal(struct reindex_run *run, GError **error)
{
	bool ok = uidls_append(run->account_dir, run->journal->str, true, error);

	g_string_truncate(run->journal, 0);
	return ok;
}

/* Count one write, committing and opening a transaction every REINDEX_BATCH. */
static bool
reindex_wrote(struct reindex_run *run, GError **error)
{
	if (++run->writes < REINDEX_BATCH)
		return true;
	run->writes = 0;
	run->in_txn = false;
	if (!index_commit(run->idx, error) || !reindex_flush_journal(run, error) ||
	    !index_begin(run->idx, error))
		return false;
	run->in_txn = true;
	return true;
}

/*
 * Whether ROW, read before the scan, is still as it was.  Another surat (or
 * this one's interface, while its store watch scans) may have moved,
 * renamed or expunged it since; a write by its id would undo that.  Asked
 * inside the write transaction, so nothing changes it before the write.
 */
static bool
reindex_row_unchanged(struct reindex_run *run, const struct index_message *row, bool *same,
    GError **error)
{
	struct index_message now = { 0 };
	GError *local = NULL;

	*same = false;
	if (!index_get(run->idx, row->id, &now, &local)) {
		index_message_clear(&now);
		if (local == NULL)
			return true; /* gone */
		g_propagate_error(error, local);
		return false;
	}
	*same = now.state == row->state && g_strcmp0(now.account, row->account) == 0 &&
	    g_strcmp0(now.folder, row->folder) == 0 && g_strcmp0(now.subdir, row->subdir) == 0 &&
	    g_strcmp0(now.base, row->base) == 0 && g_strcmp0(now.flags, row->flags) == 0;
	index_message_clear(&now);
	return true;
}

/* Write the row of the parsed JOB. */
static bool
reindex_store_job(struct reindex_run *run, struct reindex_job *job, GError **error)
{
	if (!job->ok)
		return true; /* gone or unreadable since the scan: nothing to show */
	if (!index_put(run->idx, &job->msg, job->body_text, error))
		return false;
	run->stats->parsed++;
	return reindex_wrote(run, error);
}

/* Wait for the oldest queued job, write it, and drop it from QUEUE. */
static bool
reindex_drain_one(struct reindex_run *run, struct reindex_pool *p, GQueue *queue,
    GError **error)
{
	struct reindex_job *job = g_queue_pop_head(queue);
	bool ok;

	g_mutex_lock(&p->lock);
	while (!job->done)
		g_cond_wait(&p->cond, &p->lock);
	g_mutex_unlock(&p->lock);
	ok = reindex_store_job(run, job, error);
	reindex_job_free(job);
	return ok;
}

/*
 * Make ENTRY's name canonical (other tools may leave cur/ files without
 * ":2," or flags out of order), so base, folder and flags address the file.
 * False when it cannot be renamed; the file is then left out of the index.
 */
static bool
reindex_fix_entry(const char *maildir, struct store_entry *entry)
{
	char *want = store_message_path(maildir, entry->subdir, entry->base, entry->flags);
	char *have = g_strdup_printf("%s/%s/%s", maildir, entry->subdir, entry->name);
	const char *subdir = entry->subdir;
	bool ok = true;

	if (strcmp(want, have) != 0) {
		ok = store_fix_name(maildir, entry->subdir, entry->name, &subdir, NULL);
		if (ok && strcmp(subdir, entry->subdir) != 0) {
			g_free(entry->subdir);
			entry->subdir = g_strdup(subdir);
		}
	}
	g_free(have);
	g_free(want);
	return ok;
}

/* What the journal says of the file BASE: its UIDL, or NULL. */
static const struct uidls_stored *
reindex_journal_entry(const struct uidls *uidls, const char *base)
{
	return uidls != NULL ? g_hash_table_lookup(uidls->stored, base) : NULL;
}

/* The new job that parses ENTRY, keeping what ROW (may be NULL) or the journal knows. */
static struct reindex_job *
reindex_job_new(const char *account, const char *folder, const char *maildir,
    const struct store_entry *entry, const struct index_message *row,
    const struct uidls_stored *journal)
{
	struct reindex_job *job = g_new0(struct reindex_job, 1);

	job->path = store_message_path(maildir, entry->subdir, entry->base, entry->flags);
	job->msg.account = g_strdup(account);
	job->msg.folder = g_strdup(folder);
	job->msg.subdir = g_strdup(entry->subdir);
	job->msg.base = g_strdup(entry->base);
	job->msg.flags = g_strdup(entry->flags);
	job->msg.size = entry->size;
	job->msg.mtime = entry->mtime;
	job->msg.state = INDEX_STATE_STORED;
	if (row != NULL) {
		job->msg.uidl = g_strdup(row->uidl);
		job->msg.arrival = row->arrival;
		job->msg.partial = row->partial;
	} else {
		job->msg.arrival = reindex_arrival(entry->base, entry->mtime);
	}
	/* A row made anew (the index was lost): the journal knows where it came from. */
	if (job->msg.uidl == NULL && journal != NULL) {
		job->msg.uidl = g_strdup(journal->uidl);
		job->msg.partial = journal->partial;
	}
	return job;
}

/* The number of parse threads: one per processor, at least one. */
static int
reindex_threads(void)
{
	guint n = g_get_num_processors();

	return (int)CLAMP(n, 1, 16);
}

bool
reindex_maildir(struct index *idx, const char *account, const char *maildir,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error)
{
	return reindex_folder(idx, account, "", maildir, fallbacks, stats, error);
}

/*
 * Order store entries by base name, cur/ before new/ for the same base (the
 * first of two copies is the one kept, as when cur/ is scanned first).
 */
static gint
reindex_entry_cmp(gconstpointer a, gconstpointer b)
{
	const struct store_entry *x = *(const struct store_entry *const *)a;
	const struct store_entry *y = *(const struct store_entry *const *)b;
	int c = strcmp(x->base, y->base);

	return c != 0 ? c : strcmp(x->subdir, y->subdir);
}

/*
 * Reindex the mailbox (ACCOUNT, FOLDER) at MAILDIR with the journal UIDLS of
 * ACCOUNT_DIR.  NEW_NS and CUR_NS are the times of its new/ and cur/, taken
 * before the scan: once the mailbox is in step, settled ones are kept in the
 * index, and the next session's store watch (reindex_watch_check) does not
 * scan every file again.
 */
static bool
reindex_mailbox(struct index *idx, const char *account, const char *folder, const char *maildir,
    int64_t new_ns, int64_t cur_ns, const char *account_dir, const struct uidls *uidls,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error);

/* The modification time of DIR/SUB in ns, or -1. */
int64_t
reindex_mtime_ns(const char *dir, const char *sub)
{
	char *path = g_build_filename(dir, sub, NULL);
	struct stat st;
	int64_t t = -1;

	if (stat(path, &st) == 0)
		t = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	g_free(path);
	return t;
}

/* reindex_folder with the folders' times NEW_NS and CUR_NS taken already. */
bool
reindex_folder_at(struct index *idx, const char *account, const char *folder, const char *maildir,
    int64_t new_ns, int64_t cur_ns, const char *const *fallbacks, struct reindex_stats *stats,
    GError **error)
{
	/* A local folder's journal is its account's: <store>/<account>/.<folder>/.. */
	char *account_dir = folder[0] != '\0' ? g_path_get_dirname(maildir) : g_strdup(maildir);
	struct uidls *uidls = uidls_read(account_dir, error);
	bool ok = uidls != NULL &&
	    reindex_mailbox(idx, account, folder, maildir, new_ns, cur_ns, account_dir, uidls,
	    fallbacks, stats, error);

	if (uidls == NULL)
		g_prefix_error(error, "account %s: ", account);
	uidls_free(uidls);
	g_free(account_dir);
	return ok;
}

bool
reindex_folder(struct index *idx, const char *account, const char *folder, const char *maildir,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error)
{
	return reindex_folder_at(idx, account, folder, maildir, reindex_mtime_ns(maildir, "new"),
	    reindex_mtime_ns(maildir, "cur"), fallbacks, stats, error);
}

/* Whether folder times NEW_NS and CUR_NS are old enough that a change in the same tick is ruled out. */
bool
reindex_times_settled(int64_t new_ns, int64_t cur_ns)
{
	int64_t now = g_get_real_time() * 1000;

	return new_ns >= 0 && cur_ns >= 0 && now - MAX(new_ns, cur_ns) > 2 * (int64_t)1000000000;
}

static bool
reindex_mailbox(struct index *idx, const char *account, const char *folder, const char *maildir,
    int64_t new_ns, int64_t cur_ns, const char *account_dir, const struct uidls *uidls,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error)
{
	struct reindex_stats local = { 0 };
	struct reindex_run run = { idx, account, folder, stats != NULL ? stats : &local,
		account_dir, uidls, g_string_new(NULL), 0, false };
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GHashTable *by_base = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GQueue queue = G_QUEUE_INIT;
	struct reindex_pool p;
	bool ok = false, same;
	guint i;

	g_mutex_init(&p.lock);
	g_cond_init(&p.cond);
	p.pool = NULL;
	p.fallbacks = fallbacks;
	if (!store_scan(maildir, entries, error) ||
	    !index_folder_files(idx, account, folder, rows, error))
		goto out;
	/*
	 * In name order, not the directory's hash order: names start with the
	 * arrival time, so new rows get ids in arrival order, the unique key's
	 * B-tree grows at its end instead of at random pages, and on ext4 the
	 * files are read roughly in the order they were written.
	 */
	g_ptr_array_sort(entries, reindex_entry_cmp);
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);

		g_hash_table_insert(by_base, row->base, row);
	}
	p.pool = g_thread_pool_new(reindex_parse, &p, reindex_threads(), FALSE, NULL);
	if (!index_begin(idx, error))
		goto out;
	run.in_txn = true;

	for (i = 0; i < entries->len; i++) {
		struct store_entry *entry = g_ptr_array_index(entries, i);
		const struct uidls_stored *journal;
		struct index_message *row;

		if (i % REINDEX_PROGRESS_EVERY == 0 && run.stats->cancel != NULL &&
		    g_atomic_int_get(run.stats->cancel)) {
			g_set_error(error, REINDEX_ERROR, REINDEX_ERROR_CANCELLED, "%s: cancelled",
			    maildir);
			goto out;
		}
		if (run.stats->progress != NULL && i % REINDEX_PROGRESS_EVERY == 0)
			run.stats->progress(account, folder, i, entries->len,
			    run.stats->progress_data);
		/* The same base twice (copied by hand?): the first one wins. */
		if (g_hash_table_contains(seen, entry->base))
			continue;
		if (!reindex_fix_entry(maildir, entry))
			continue;
		g_hash_table_add(seen, entry->base);
		run.stats->scanned++;
		row = g_hash_table_lookup(by_base, entry->base);
		/* Rows being delivered or expunged are their recovery's business. */
		if (row != NULL && row->state != INDEX_STATE_STORED)
			continue;
		journal = reindex_journal_entry(uidls, entry->base);
		/* A row without the UIDL the journal has (a lost one) is made again. */
		if (row != NULL && row->uidl == NULL && journal != NULL)
			row->mtime = -1;
		if (row != NULL && row->size == entry->size && row->mtime == entry->mtime) {
			if (strcmp(row->subdir, entry->subdir) == 0 &&
			    strcmp(row->flags, entry->flags) == 0)
				continue;
			/* Another tool moved it or changed its flags: no need to parse. */
			if (!reindex_row_unchanged(&run, row, &same, error))
				goto out;
			if (!same)
				continue; /* changed by its owner meanwhile: the next look sees it */
			if (!index_set_flags(idx, row->id, entry->subdir, entry->flags, error))
				goto out;
			run.stats->renamed++;
			if (!reindex_wrote(&run, error))
				goto out;
			continue;
		}
		/* The first file to parse loads GMime: a folder that did not change never does. */
		if (queue.length == 0 && !mime_lib_load(error))
			goto out;
		g_queue_push_tail(&queue,
		    reindex_job_new(account, folder, maildir, entry, row, journal));
		g_thread_pool_push(p.pool, g_queue_peek_tail(&queue), NULL);
		if (queue.length >= REINDEX_WINDOW && !reindex_drain_one(&run, &p, &queue, error))
			goto out;
	}
	while (queue.length > 0) {
		if (!reindex_drain_one(&run, &p, &queue, error))
			goto out;
	}
	if (run.stats->progress != NULL)
		run.stats->progress(account, folder, entries->len, entries->len,
		    run.stats->progress_data);
	/*
	 * Rows whose file is gone; PENDING rows are recovery's business.  A row
	 * with a UIDL is remembered (index_bury), so the fetcher does not fetch it again.
	 */
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);

		if (row->state != INDEX_STATE_STORED || g_hash_table_contains(seen, row->base))
			continue;
		/* Moved to another folder or expunged meanwhile: not this scan's to drop. */
		if (!reindex_row_unchanged(&run, row, &same, error))
			goto out;
		if (!same)
			continue;
		if (!index_bury(idx, row->id, error))
			goto out;
		/* The journal remembers it too, once the index has (reindex_flush_journal). */
		if (row->uidl != NULL)
			uidls_add_gone(run.journal, row->uidl, row->arrival, false);
		run.stats->removed++;
		if (!reindex_wrote(&run, error))
			goto out;
	}
	if (!index_threads_update(idx, error))
		goto out;
	if (reindex_times_settled(new_ns, cur_ns) &&
	    !index_set_mailbox_seen(idx, account, folder, new_ns, cur_ns, error))
		goto out;
	run.in_txn = false;
	if (!index_commit(idx, error) || !reindex_flush_journal(&run, error))
		goto out;
	ok = true;
out:
	if (run.in_txn)
		index_rollback(idx);
	g_string_free(run.journal, TRUE);
	if (p.pool != NULL)
		g_thread_pool_free(p.pool, FALSE, TRUE); /* waits for running jobs */
	g_queue_clear_full(&queue, (GDestroyNotify)reindex_job_free);
	g_mutex_clear(&p.lock);
	g_cond_clear(&p.cond);
	g_hash_table_unref(seen);
	g_hash_table_unref(by_base);
	g_ptr_array_unref(rows);
	g_ptr_array_unref(entries);
	if (!ok && folder[0] != '\0')
		g_prefix_error(error, "account %s, folder %s: ", account, folder);
	else if (!ok)
		g_prefix_error(error, "account %s: ", account);
	return ok;
}

/* Compare two strings for g_ptr_array_sort. */
static gint
reindex_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the names of the Maildirs directly under STORE to NAMES, sorted. */
bool
reindex_list_maildirs(const char *store, GPtrArray *names, GError **error)
{
	DIR *d = opendir(store);
	struct dirent *de;

	if (d == NULL) {
		int err = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
		    "cannot read the store %s: %s", store, g_strerror(err));
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = g_build_filename(store, de->d_name, NULL);
		if (store_is_maildir(path))
			g_ptr_array_add(names, g_strdup(de->d_name));
		g_free(path);
	}
	closedir(d);
	g_ptr_array_sort(names, reindex_cmp);
	return true;
}

/* Drop the rows in ROWS (their Maildir is gone), in one transaction, threads redone. */
static bool
reindex_drop_rows(struct index *idx, GPtrArray *rows, struct reindex_stats *stats,
    GError **error)
{
	guint i;

	if (rows->len == 0)
		return true;
	if (!index_begin(idx, error))
		return false;
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);

		if (!index_delete(idx, row->id, error)) {
			index_rollback(idx);
			return false;
		}
		stats->removed++;
	}
	if (!index_threads_update(idx, error)) {
		index_rollback(idx);
		return false;
	}
	return index_commit(idx, error);
}

/* Drop every row of ACCOUNT, whose Maildir is gone. */
static bool
reindex_drop_account(struct index *idx, const char *account, struct reindex_stats *stats,
    GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	bool ok = index_account_files(idx, account, rows, error) &&
	    reindex_drop_rows(idx, rows, stats, error);

	g_ptr_array_unref(rows);
	return ok;
}

bool
reindex_drop(struct index *idx, const char *account, GError **error)
{
	struct reindex_stats stats = { 0 };

	return reindex_drop_account(idx, account, &stats, error);
}

/* Drop the STORED rows of local folders of ACCOUNT not in PRESENT ("account\nfolder"). */
static bool
reindex_drop_folders(struct index *idx, const char *account, GHashTable *present,
    struct reindex_stats *stats, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *gone = g_ptr_array_new();
	bool ok = false;
	guint i;

	if (!index_account_files(idx, account, rows, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);
		char *key;

		if (row->folder[0] == '\0' || row->state != INDEX_STATE_STORED)
			continue;
		key = g_strconcat(account, "\n", row->folder, NULL);
		if (!g_hash_table_contains(present, key))
			g_ptr_array_add(gone, row);
		g_free(key);
	}
	ok = reindex_drop_rows(idx, gone, stats, error);
out:
	g_ptr_array_free(gone, TRUE);
	g_ptr_array_unref(rows);
	return ok;
}

/* Reindex the account NAME's inbox and local folders; their keys go into PRESENT. */
static bool
reindex_account_in(struct index *idx, const char *store, const char *name,
    const char *const *fallbacks, GHashTable *present, struct reindex_stats *stats,
    GError **error)
{
	GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
	char *maildir = g_build_filename(store, name, NULL);
	struct uidls *uidls = uidls_read(maildir, error);
	bool ok = uidls != NULL &&
	    reindex_mailbox(idx, name, "", maildir, reindex_mtime_ns(maildir, "new"),
	    reindex_mtime_ns(maildir, "cur"), maildir, uidls, fallbacks, stats, error) &&
	    folder_list(store, name, folders, error);
	guint i;

	for (i = 0; ok && i < folders->len; i++) {
		const char *folder = g_ptr_array_index(folders, i);
		char *dir = folder_maildir(store, name, folder);

		ok = reindex_mailbox(idx, name, folder, dir, reindex_mtime_ns(dir, "new"),
		    reindex_mtime_ns(dir, "cur"), maildir, uidls, fallbacks, stats, error);
		g_hash_table_add(present, g_strconcat(name, "\n", folder, NULL));
		stats->folders++;
		g_free(dir);
	}
	ok = ok && reindex_drop_folders(idx, name, present, stats, error) &&
	    reindex_journal_restore_gone(idx, name, uidls, error);
	if (!ok && uidls == NULL)
		g_prefix_error(error, "account %s: ", name);
	uidls_free(uidls);
	g_free(maildir);
	g_ptr_array_unref(folders);
	return ok;
}

bool
reindex_account(struct index *idx, const char *store, const char *account,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error)
{
	struct reindex_stats local = { 0 };
	GHashTable *present = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool ok;

	if (stats == NULL)
		stats = &local;
	/* Moves and expunges a crash interrupted are settled first. */
	ok = folder_recover(idx, store, error) &&
	    reindex_account_in(idx, store, account, fallbacks, present, stats, error);
	g_hash_table_unref(present);
	return ok;
}

/*
 * ROW's body text, its file where the row says or, renamed by another
 * program since, where its base name is now (folder_locate, which updates
 * the row); NULL when it is not there or cannot be read.
 */
static char *
reindex_body_read(struct index *idx, const char *store, const char *const *fallbacks,
    struct index_message *row)
{
	struct index_message parsed = { 0 };
	char *path, *body = NULL;

	if (!folder_locate(idx, store, row, NULL))
		return NULL;
	path = folder_message_path(store, row);
	if (!summary_from_file(path, fallbacks, &parsed, &body, NULL))
		body = NULL;
	index_message_clear(&parsed);
	g_free(path);
	return body;
}

bool
reindex_bodies(struct index *idx, const char *store, const char *const *fallbacks,
    unsigned int max, const gint *cancel, int64_t *left, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *bodies = g_ptr_array_new_with_free_func(g_free);
	unsigned int done = 0;
	int64_t after = 0;
	bool ok = true, more = true;
	guint i;

	/* Each waiting row at most once a call (AFTER): one that cannot be read stays. */
	while (ok && more && (max == 0 || done < max) &&
	    (cancel == NULL || !g_atomic_int_get(cancel))) {
		size_t bytes = 0;

		g_ptr_array_set_size(rows, 0);
		g_ptr_array_set_size(bodies, 0);
		if (!index_bodies_next(idx, after, REINDEX_BODIES_BATCH, rows, error) ||
		    (rows->len > 0 && !mime_lib_load(error))) {
			ok = false;
			break;
		}
		more = rows->len == REINDEX_BODIES_BATCH;
		/* The files are read outside the transaction: the write lock is held briefly. */
		for (i = 0; i < rows->len; i++) {
			char *body = reindex_body_read(idx, store, fallbacks,
			    g_ptr_array_index(rows, i));

			g_ptr_array_add(bodies, body);
			bytes += body != NULL ? strlen(body) : 0;
			/* A batch of long texts is cut short: the rest come next. */
			if (bytes >= REINDEX_BODIES_BYTES && i + 1 < rows->len) {
				g_ptr_array_set_size(rows, i + 1);
				more = true;
				break;
			}
		}
		if (rows->len == 0)
			break;
		after = ((const struct index_message *)g_ptr_array_index(rows, rows->len - 1))->id;
		if (!index_begin(idx, error)) {
			ok = false;
			break;
		}
		/* A file not found (gone, or in a folder not yet rescanned) keeps waiting. */
		for (i = 0; ok && i < rows->len; i++)
			if (g_ptr_array_index(bodies, i) != NULL)
				ok = index_set_body(idx, g_ptr_array_index(rows, i),
				    g_ptr_array_index(bodies, i), error);
		if (!ok || !index_commit(idx, error)) {
			index_rollback(idx);
			ok = false;
			break;
		}
		done += rows->len;
	}
	g_ptr_array_unref(bodies);
	g_ptr_array_unref(rows);
	if (ok && left != NULL && (*left = index_bodies_waiting(idx, error)) < 0)
		ok = false;
	return ok;
}

bool
reindex_store(struct index *idx, const char *store, const char *const *fallbacks,
    struct reindex_stats *stats, GError **error)
{
	struct reindex_stats local = { 0 };
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *indexed = g_ptr_array_new_with_free_func(g_free);
	GHashTable *present = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool ok = false, bulk = false;
	guint i;

	if (stats == NULL)
		stats = &local;
	/* Moves and expunges a crash interrupted are settled first. */
	if (!folder_recover(idx, store, error) || !reindex_list_maildirs(store, names, error))
		goto out;
	/* Into an empty index: the view indexes are built once, at the end. */
	if (names->len > 0 && !index_bulk_begin(idx, &bulk, error))
		goto out;
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);

		if (!reindex_account_in(idx, store, name, fallbacks, present, stats, error))
			goto out;
		g_hash_table_add(present, g_strdup(name));
		stats->accounts++;
	}
	if (!index_accounts(idx, indexed, error))
		goto out;
	for (i = 0; i < indexed->len; i++) {
		const char *name = g_ptr_array_index(indexed, i);

		if (!g_hash_table_contains(present, name) &&
		    !reindex_drop_account(idx, name, stats, error)) {
			g_prefix_error(error, "account %s: ", name);
			goto out;
		}
	}
	/* And the bodies fetches left for later. */
	ok = reindex_bodies(idx, store, fallbacks, 0, stats->cancel, NULL, error);
out:
	/* Built again even after a failure: the rows stored so far are listed. */
	if (bulk && !index_bulk_end(idx, ok ? error : NULL))
		ok = false;
	g_hash_table_unref(present);
	g_ptr_array_unref(indexed);
	g_ptr_array_unref(names);
	return ok;
}
