/*
 * reindex: bring the index in step with the Maildirs under the store.
 *
 * Each file is compared with its row by base name, folder, flags, size and
 * mtime; only new or changed files are parsed.  Parsing (GMime, the costly
 * part) runs on a pool of worker threads, one per processor, while this
 * thread writes rows in file order, one transaction per REINDEX_BATCH.
 *
 * What it must never do: touch PENDING rows (delivery recovery settles
 * those), write into tmp/, or rename a file onto another.
 */
#include "surat/reindex.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>

#include "surat/folder.h"
#include "surat/store.h"
#include "surat/summary.h"

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
	int writes;   /* in the open transaction */
	bool in_txn;
};

/* Count one write, committing and opening a transaction every REINDEX_BATCH. */
static bool
reindex_wrote(struct reindex_run *run, GError **error)
{
	if (++run->writes < REINDEX_BATCH)
		return true;
	run->writes = 0;
	run->in_txn = false;
	if (!index_commit(run->idx, error) || !index_begin(run->idx, error))
		return false;
	run->in_txn = true;
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

/* The new job that parses ENTRY, keeping what ROW (may be NULL) knows. */
static struct reindex_job *
reindex_job_new(const char *account, const char *folder, const char *maildir,
    const struct store_entry *entry, const struct index_message *row)
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

bool
reindex_folder(struct index *idx, const char *account, const char *folder, const char *maildir,
    const char *const *fallbacks, struct reindex_stats *stats, GError **error)
{
	struct reindex_stats local = { 0 };
	struct reindex_run run = { idx, account, folder, stats != NULL ? stats : &local, 0, false };
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GHashTable *by_base = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	GQueue queue = G_QUEUE_INIT;
	struct reindex_pool p;
	bool ok = false;
	guint i;

	g_mutex_init(&p.lock);
	g_cond_init(&p.cond);
	p.pool = NULL;
	p.fallbacks = fallbacks;
	if (!store_scan(maildir, entries, error) ||
	    !index_folder_files(idx, account, folder, rows, error))
		goto out;
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
		struct index_message *row;

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
		if (row != NULL && row->size == entry->size && row->mtime == entry->mtime) {
			if (strcmp(row->subdir, entry->subdir) == 0 &&
			    strcmp(row->flags, entry->flags) == 0)
				continue;
			/* Another tool moved it or changed its flags: no need to parse. */
			if (!index_set_flags(idx, row->id, entry->subdir, entry->flags, error))
				goto out;
			run.stats->renamed++;
			if (!reindex_wrote(&run, error))
				goto out;
			continue;
		}
		g_queue_push_tail(&queue, reindex_job_new(account, folder, maildir, entry, row));
		g_thread_pool_push(p.pool, g_queue_peek_tail(&queue), NULL);
		if (queue.length >= REINDEX_WINDOW && !reindex_drain_one(&run, &p, &queue, error))
			goto out;
	}
	while (queue.length > 0) {
		if (!reindex_drain_one(&run, &p, &queue, error))
			goto out;
	}
	/*
	 * Rows whose file is gone; PENDING rows are recovery's business.  A row
	 * with a UIDL is remembered (index_bury), so the fetcher does not fetch it again.
	 */
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);

		if (row->state != INDEX_STATE_STORED || g_hash_table_contains(seen, row->base))
			continue;
		if (!index_bury(idx, row->id, error))
			goto out;
		run.stats->removed++;
		if (!reindex_wrote(&run, error))
			goto out;
	}
	if (!index_threads_update(idx, error))
		goto out;
	run.in_txn = false;
	if (!index_commit(idx, error))
		goto out;
	ok = true;
out:
	if (run.in_txn)
		index_rollback(idx);
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
static bool
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
reindex_account(struct index *idx, const char *store, const char *name,
    const char *const *fallbacks, GHashTable *present, struct reindex_stats *stats,
    GError **error)
{
	GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
	char *maildir = g_build_filename(store, name, NULL);
	bool ok = reindex_folder(idx, name, "", maildir, fallbacks, stats, error) &&
	    folder_list(store, name, folders, error);
	guint i;

	for (i = 0; ok && i < folders->len; i++) {
		const char *folder = g_ptr_array_index(folders, i);
		char *dir = folder_maildir(store, name, folder);

		ok = reindex_folder(idx, name, folder, dir, fallbacks, stats, error);
		g_hash_table_add(present, g_strconcat(name, "\n", folder, NULL));
		stats->folders++;
		g_free(dir);
	}
	ok = ok && reindex_drop_folders(idx, name, present, stats, error);
	g_free(maildir);
	g_ptr_array_unref(folders);
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
	bool ok = false;
	guint i;

	if (stats == NULL)
		stats = &local;
	/* Moves and expunges a crash interrupted are settled first. */
	if (!folder_recover(idx, store, error) || !reindex_list_maildirs(store, names, error))
		goto out;
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);

		if (!reindex_account(idx, store, name, fallbacks, present, stats, error))
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
	ok = true;
out:
	g_hash_table_unref(present);
	g_ptr_array_unref(indexed);
	g_ptr_array_unref(names);
	return ok;
}
