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
 * it too.  Rows of vanished files leave their UIDL in the journal as well.
 *
 * What it must never do: touch PENDING rows (delivery recovery settles
 * those), write into tmp/, or rename a file onto another.
 */
#include "surat/reindex.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "surat/folder.h"
#include "surat/store.h"
#include "surat/summary.h"
#include "surat/uidls.h"

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
static int64_t
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
static bool
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
static bool
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

/*
 * The journal's G records the index does not have: messages gone from the
 * store (expunged, moved away, deleted by another program) whose UIDLs the
 * server may still list.  One with a queued DELE goes back even when the
 * message is still stored (moved to the trash).
 */
static bool
reindex_restore_gone(struct index *idx, const char *account, const struct uidls *uidls,
    GError **error)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	GHashTable *known = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTableIter iter;
	gpointer key, value;
	bool ok = false, in_txn = false;
	guint i;

	if (g_hash_table_size(uidls->gone) == 0) {
		ok = true;
		goto out;
	}
	if (!index_gone_list(idx, account, gone, error))
		goto out;
	for (i = 0; i < gone->len; i++)
		g_hash_table_add(known, ((struct index_gone *)g_ptr_array_index(gone, i))->uidl);
	g_hash_table_iter_init(&iter, uidls->gone);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const struct uidls_gone *g = value;
		GError *local = NULL;

		if (g_hash_table_contains(known, key))
			continue;
		if (!g->dele && index_has_uidl(idx, account, key, &local))
			continue;
		if (local != NULL) {
			g_propagate_error(error, local);
			goto out;
		}
		if (!in_txn && !index_begin(idx, error))
			goto out;
		in_txn = true;
		if (!index_gone_add(idx, account, key, g->arrival, g->dele, error))
			goto out;
	}
	ok = !in_txn || index_commit(idx, error);
	in_txn = false;
out:
	if (in_txn)
		index_rollback(idx);
	g_hash_table_unref(known);
	g_ptr_array_unref(gone);
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
	    reindex_restore_gone(idx, name, uidls, error);
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

/* What reindex_compact_uidls gives uidls_compact's callback. */
struct reindex_compact {
	struct index *idx;
	const char *account;
	const char *maildir;
};

/* Add the bases of the message files of every mailbox of the account to BASES. */
static bool
reindex_bases_on_disk(const char *maildir, GHashTable *bases, GError **error)
{
	char *store = g_path_get_dirname(maildir), *name = g_path_get_basename(maildir);
	GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	bool ok = store_scan(maildir, entries, error) && folder_list(store, name, folders, error);
	guint i;

	for (i = 0; ok && i < folders->len; i++) {
		char *dir = folder_maildir(store, name, g_ptr_array_index(folders, i));

		ok = store_scan(dir, entries, error);
		g_free(dir);
	}
	for (i = 0; ok && i < entries->len; i++) {
		struct store_entry *e = g_ptr_array_index(entries, i);

		g_hash_table_add(bases, g_strdup(e->base));
	}
	g_ptr_array_unref(entries);
	g_ptr_array_unref(folders);
	g_free(name);
	g_free(store);
	return ok;
}

/*
 * The records a compacted journal keeps: the index's UIDL of every row
 * and every gone UIDL, and a record the index lacks whose file is still
 * there (an index older than the journal, restored from a backup, say).
 */
static bool
reindex_compact_build(const struct uidls *current, GString *records, void *data,
    GError **error)
{
	struct reindex_compact *c = data;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	GHashTable *row_bases = g_hash_table_new(g_str_hash, g_str_equal);
	GHashTable *on_disk = NULL;
	GHashTableIter iter;
	gpointer key, value;
	bool ok = false;
	guint i;

	if (!index_account_files(c->idx, c->account, rows, error) ||
	    !index_gone_list(c->idx, c->account, gone, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		const struct index_message *m = g_ptr_array_index(rows, i);

		g_hash_table_add(row_bases, m->base);
		if (m->uidl != NULL)
			uidls_add_stored(records, m->base, m->uidl, m->partial);
	}
	g_hash_table_iter_init(&iter, current->stored);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const struct uidls_stored *st = value;

		if (g_hash_table_contains(row_bases, key))
			continue;
		if (on_disk == NULL) {
			on_disk = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
			if (!reindex_bases_on_disk(c->maildir, on_disk, error))
				goto out;
		}
		if (g_hash_table_contains(on_disk, key))
			uidls_add_stored(records, key, st->uidl, st->partial);
	}
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);

		uidls_add_gone(records, g->uidl, g->arrival, g->dele);
	}
	ok = true;
out:
	if (on_disk != NULL)
		g_hash_table_unref(on_disk);
	g_hash_table_unref(row_bases);
	g_ptr_array_unref(gone);
	g_ptr_array_unref(rows);
	return ok;
}

bool
reindex_compact_uidls(struct index *idx, const char *account, const char *maildir,
    GError **error)
{
	struct reindex_compact c = { idx, account, maildir };

	return uidls_compact(maildir, reindex_compact_build, &c, error);
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
	ok = true;
out:
	/* Built again even after a failure: the rows stored so far are listed. */
	if (bulk && !index_bulk_end(idx, ok ? error : NULL))
		ok = false;
	g_hash_table_unref(present);
	g_ptr_array_unref(indexed);
	g_ptr_array_unref(names);
	return ok;
}

/* What a watch last saw of one mailbox's folders. */
struct reindex_seen {
	int64_t new_ns, cur_ns; /* modification times of new/ and cur/, in ns */
	bool settled;           /* old enough that a change in the same tick is ruled out */
	bool mine;              /* unchanged at reindex_watch_mine_begin */
	bool kept;              /* these times are the index's (index_set_mailbox_seen) */
};

struct reindex_watch {
	char *store;
	const char *const *fallbacks; /* charset_fallbacks (borrowed) */
	/*
	 * Guards SEEN and its entries: a watcher's thread checks while the
	 * interface marks its own changes (reindex_watch_mine_*).  Never held
	 * over a scan or an index write.  Entries are never removed.
	 */
	GMutex lock;
	GHashTable *seen; /* "account\nfolder" -> struct reindex_seen * */
	const gint *cancel; /* the scans' reindex_stats.cancel (a watcher's stop) */
};

struct reindex_watch *
reindex_watch_new(const char *store, const char *const *fallbacks)
{
	struct reindex_watch *w = g_new0(struct reindex_watch, 1);

	w->store = g_strdup(store);
	w->fallbacks = fallbacks;
	g_mutex_init(&w->lock);
	w->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return w;
}

void
reindex_watch_free(struct reindex_watch *watch)
{
	if (watch == NULL)
		return;
	g_hash_table_unref(watch->seen);
	g_mutex_clear(&watch->lock);
	g_free(watch->store);
	g_free(watch);
}

/* Call FN for every mailbox under the store: (account, folder, its Maildir). */
static bool
reindex_watch_each(struct reindex_watch *w, bool (*fn)(struct reindex_watch *, const char *,
    const char *, const char *, void *), void *data, GError **error)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	bool ok = reindex_list_maildirs(w->store, names, error);
	guint i, j;

	for (i = 0; ok && i < names->len; i++) {
		const char *account = g_ptr_array_index(names, i);
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
		char *top = g_build_filename(w->store, account, NULL);

		ok = fn(w, account, "", top, data) && folder_list(w->store, account, folders, error);
		for (j = 0; ok && j < folders->len; j++) {
			char *dir = folder_maildir(w->store, account, g_ptr_array_index(folders, j));

			ok = fn(w, account, g_ptr_array_index(folders, j), dir, data);
			g_free(dir);
		}
		g_free(top);
		g_ptr_array_unref(folders);
	}
	g_ptr_array_unref(names);
	return ok;
}

/* What reindex_watch_check's callback needs. */
struct reindex_watch_run {
	struct index *idx;
	bool changed;
	GError **error;
};

/*
 * True while a fetch holds ACCOUNT's lock (<store>/<account>/.lock): its
 * deliveries change new/ all the time and index themselves; the mailbox is
 * looked at again once the fetch is over.
 */
static bool
reindex_watch_fetching(struct reindex_watch *w, const char *account)
{
	char *path = g_build_filename(w->store, account, ".lock", NULL);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool held = false;

	g_free(path);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		held = errno == EWOULDBLOCK;
	close(fd); /* releases the probe's lock */
	return held;
}

/*
 * Take NEW_NS and CUR_NS as what was last seen of the mailbox KEY (taken),
 * SETTLED and KEPT as said; the entry is made the first time.
 */
static void
reindex_watch_note(struct reindex_watch *w, char *key, int64_t new_ns, int64_t cur_ns,
    bool settled, bool kept)
{
	struct reindex_seen *seen;

	g_mutex_lock(&w->lock);
	seen = g_hash_table_lookup(w->seen, key);
	if (seen == NULL) {
		seen = g_new0(struct reindex_seen, 1);
		g_hash_table_insert(w->seen, key, seen);
	} else {
		g_free(key);
	}
	seen->new_ns = new_ns;
	seen->cur_ns = cur_ns;
	seen->settled = settled;
	seen->kept = kept;
	g_mutex_unlock(&w->lock);
}

/* Reindex one mailbox if its folders changed since it was last seen. */
static bool
reindex_watch_one(struct reindex_watch *w, const char *account, const char *folder,
    const char *dir, void *data)
{
	struct reindex_watch_run *run = data;
	char *key;
	struct reindex_seen *seen, last = { 0 };
	int64_t new_ns = reindex_mtime_ns(dir, "new"), cur_ns = reindex_mtime_ns(dir, "cur");
	struct reindex_stats stats = { .cancel = w->cancel };
	bool settled;

	if (reindex_watch_fetching(w, account))
		return true;
	key = g_strconcat(account, "\n", folder, NULL);
	g_mutex_lock(&w->lock);
	if ((seen = g_hash_table_lookup(w->seen, key)) != NULL)
		last = *seen;
	g_mutex_unlock(&w->lock);
	if (seen == NULL) {
		/* An earlier session found it in step at these times: no scan of every file. */
		int64_t kept_new = 0, kept_cur = 0;
		bool found;

		if (!index_mailbox_seen(run->idx, account, folder, &found, &kept_new, &kept_cur,
		    run->error)) {
			g_free(key);
			return false;
		}
		if (found && kept_new == new_ns && kept_cur == cur_ns) {
			reindex_watch_note(w, key, new_ns, cur_ns, true, true);
			return true;
		}
	}
	if (seen != NULL && last.settled && last.new_ns == new_ns && last.cur_ns == cur_ns) {
		g_free(key);
		/* Times this session took after its own fetch are kept once they settle. */
		if (!last.kept && reindex_times_settled(new_ns, cur_ns)) {
			if (!index_set_mailbox_seen(run->idx, account, folder, new_ns, cur_ns,
			    run->error))
				return false;
			g_mutex_lock(&w->lock);
			/* Unless surat's own change moved them meanwhile. */
			if (seen->new_ns == new_ns && seen->cur_ns == cur_ns)
				seen->kept = true;
			g_mutex_unlock(&w->lock);
		}
		return true;
	}
	/* The times are taken before the scan: a change during it shows next time. */
	if (!reindex_folder_at(run->idx, account, folder, dir, new_ns, cur_ns, w->fallbacks, &stats,
	    run->error)) {
		g_free(key);
		return false;
	}
	if (stats.parsed > 0 || stats.renamed > 0 || stats.removed > 0)
		run->changed = true;
	/*
	 * A folder changed within the last 2 s may change again within its
	 * clock's tick; settled times reindex_folder_at kept in the index.
	 */
	settled = reindex_times_settled(new_ns, cur_ns);
	reindex_watch_note(w, key, new_ns, cur_ns, settled, settled);
	return true;
}

bool
reindex_watch_check(struct reindex_watch *watch, struct index *idx, bool *changed,
    GError **error)
{
	struct reindex_watch_run run = { idx, false, error };
	bool ok = reindex_watch_each(watch, reindex_watch_one, &run, error);

	*changed = run.changed;
	return ok;
}

/* reindex_watch_mine_begin (DATA NULL) and _end (DATA non-NULL) for one mailbox. */
static bool
reindex_watch_mine(struct reindex_watch *w, const char *account, const char *folder,
    const char *dir, void *data)
{
	char *key = g_strconcat(account, "\n", folder, NULL);
	struct reindex_seen *seen;
	int64_t new_ns, cur_ns;

	g_mutex_lock(&w->lock);
	seen = g_hash_table_lookup(w->seen, key);
	g_mutex_unlock(&w->lock);
	g_free(key);
	if (seen == NULL)
		return true;
	new_ns = reindex_mtime_ns(dir, "new");
	cur_ns = reindex_mtime_ns(dir, "cur");
	g_mutex_lock(&w->lock);
	if (data == NULL) {
		seen->mine = seen->settled && seen->new_ns == new_ns && seen->cur_ns == cur_ns;
	} else if (seen->mine) {
		seen->new_ns = new_ns;
		seen->cur_ns = cur_ns;
		seen->mine = false;
		seen->kept = false;
	}
	g_mutex_unlock(&w->lock);
	return true;
}

void
reindex_watch_mine_begin(struct reindex_watch *watch)
{
	reindex_watch_each(watch, reindex_watch_mine, NULL, NULL);
}

void
reindex_watch_mine_end(struct reindex_watch *watch)
{
	reindex_watch_each(watch, reindex_watch_mine, watch, NULL);
}

/* A store watch on its own thread (reindex_watcher_start). */
struct reindex_watcher {
	struct reindex_watch *watch;
	char *index_path;
	gint64 interval_us;
	GThread *thread;
	int fds[2];     /* readable when there is news for reindex_watcher_take */
	GMutex lock;    /* guards what follows */
	GCond wake;
	bool stop;
	gint cancel;    /* set with stop, read by the scan without the lock */
	bool changed;   /* rows changed since the last take */
	GError *error;  /* the last failure, until taken */
};

/* Make the read end readable (a full pipe is readable already). */
static void
reindex_watcher_poke(struct reindex_watcher *w)
{
	ssize_t n;

	do
		n = write(w->fds[1], "", 1);
	while (n < 0 && errno == EINTR);
}

/* Thread: open its own connection, then check every interval until stopped. */
static gpointer
reindex_watcher_main(gpointer data)
{
	struct reindex_watcher *w = data;
	GError *error = NULL;
	struct index *idx = index_open(w->index_path, &error);
	gint64 next = g_get_monotonic_time();

	g_mutex_lock(&w->lock);
	while (!w->stop) {
		bool changed = false, ok;

		if (g_get_monotonic_time() < next) {
			g_cond_wait_until(&w->wake, &w->lock, next);
			continue;
		}
		g_mutex_unlock(&w->lock);
		ok = idx != NULL && reindex_watch_check(w->watch, idx, &changed, &error);
		g_mutex_lock(&w->lock);
		w->changed = w->changed || changed;
		if (!ok && g_error_matches(error, REINDEX_ERROR, REINDEX_ERROR_CANCELLED)) {
			g_clear_error(&error); /* stopping: nobody waits for news */
			break;
		}
		if (!ok) {
			g_clear_error(&w->error);
			w->error = error;
			error = NULL;
		}
		if (changed || !ok)
			reindex_watcher_poke(w);
		if (idx == NULL)
			break; /* no index to keep in step: said once */
		next = g_get_monotonic_time() + w->interval_us;
	}
	g_mutex_unlock(&w->lock);
	index_free(idx);
	return NULL;
}

struct reindex_watcher *
reindex_watcher_start(const char *index_path, const char *store, const char *const *fallbacks,
    unsigned int interval_ms, GError **error)
{
	struct reindex_watcher *w;
	int fds[2];

	if (!g_unix_open_pipe(fds, FD_CLOEXEC, error))
		return NULL;
	if (!g_unix_set_fd_nonblocking(fds[0], TRUE, error) ||
	    !g_unix_set_fd_nonblocking(fds[1], TRUE, error)) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	w = g_new0(struct reindex_watcher, 1);
	w->fds[0] = fds[0];
	w->fds[1] = fds[1];
	w->watch = reindex_watch_new(store, fallbacks);
	w->watch->cancel = &w->cancel;
	w->index_path = g_strdup(index_path);
	w->interval_us = (gint64)interval_ms * 1000;
	g_mutex_init(&w->lock);
	g_cond_init(&w->wake);
	w->thread = g_thread_new("surat-watch", reindex_watcher_main, w);
	return w;
}

int
reindex_watcher_fd(const struct reindex_watcher *w)
{
	return w != NULL ? w->fds[0] : -1;
}

bool
reindex_watcher_take(struct reindex_watcher *w, bool *changed, GError **error)
{
	char buf[64];
	bool ok;

	while (read(w->fds[0], buf, sizeof buf) > 0)
		;
	g_mutex_lock(&w->lock);
	*changed = w->changed;
	w->changed = false;
	ok = w->error == NULL;
	if (!ok) {
		g_propagate_error(error, w->error);
		w->error = NULL;
	}
	g_mutex_unlock(&w->lock);
	return ok;
}

void
reindex_watcher_mine_begin(struct reindex_watcher *w)
{
	if (w != NULL)
		reindex_watch_mine_begin(w->watch);
}

void
reindex_watcher_mine_end(struct reindex_watcher *w)
{
	if (w != NULL)
		reindex_watch_mine_end(w->watch);
}

void
reindex_watcher_stop(struct reindex_watcher *w)
{
	if (w == NULL)
		return;
	g_mutex_lock(&w->lock);
	w->stop = true;
	g_atomic_int_set(&w->cancel, 1);
	g_cond_signal(&w->wake);
	g_mutex_unlock(&w->lock);
	/* A scan under way stops at its next 500 files; what it committed stays. */
	g_thread_join(w->thread);
	close(w->fds[0]);
	close(w->fds[1]);
	reindex_watch_free(w->watch);
	g_clear_error(&w->error);
	g_cond_clear(&w->wake);
	g_mutex_clear(&w->lock);
	g_free(w->index_path);
	g_free(w);
}
