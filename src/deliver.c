/*
 * deliver: messages into a Maildir and the index, in the order that keeps
 * DESIGN promise 1 through a crash at any instant (deliver.h has the order).
 *
 * Why each step is where it is:
 *   - the batch's sync fd is opened before any of its files is written, so
 *     its syncfs reports every write of theirs that failed (a sync through
 *     an fd opened afterwards would not, since Linux 5.8); a file another
 *     thread wrote while a commit ran keeps the sync point it was written
 *     under, and its batch syncs through the oldest point it holds;
 *   - the UIDL journal (uidls.h) gets the batch's records before the sync
 *     that covers them, so a file in new/ always has its UIDL in the
 *     Maildir itself, whatever happens to the index;
 *   - files are synced before any row names them, so a PENDING row always
 *     points at a complete file;
 *   - rows (with the UIDL) are committed before the rename, so every file
 *     that can appear in new/ is already known to the index: recovery never
 *     has to guess whether a file in new/ is a copy the server still holds;
 *   - new/ is synced before the rows become STORED, so STORED means the name
 *     in new/ survives power loss, and only then may the caller DELE.
 *
 * What it must never do: replace a message file (but in deliver_replace, on
 * purpose and atomically), leave a row that points at nothing after recovery,
 * or know anything of POP3.
 */
#include "surat/deliver.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "surat/reindex.h"
#include "surat/store.h"
#include "surat/summary.h"
#include "surat/uidls.h"

G_DEFINE_QUARK(surat-deliver-error-quark, deliver_error)

/*
 * A sync point: the Maildir opened before some files were written, so a
 * syncfs through it reports any of their writes that failed.  Shared by the
 * files written under it; the last one to let go closes it.
 */
struct deliver_syncpoint {
	int fd;
	gint refs;    /* atomic */
	guint64 seq;  /* points made later have larger numbers */
};

/* One message written to tmp/ and waiting for deliver_commit. */
struct deliver_item {
	struct store_tmpfile tmp;
	struct index_message msg; /* the row, with its summary */
	char *body_text;          /* for full-text search */
	struct deliver_syncpoint *sync; /* written by another thread under this point, or NULL */
};

struct deliver {
	struct index *idx;  /* borrowed */
	char *account;
	char *maildir;
	GPtrArray *queue;   /* struct deliver_item *, in order of deliver_add */
	GHashTable *queued; /* the UIDLs in QUEUE (borrowed from its items) */
	struct deliver_syncpoint *batch; /* opened before the batch's first write; under lock */
	GMutex lock;        /* batch, against deliver_stream_open_batched on another thread */
	guint64 points;     /* sync points made so far */
	bool sync_each;     /* syncfs reports no errors here: fsync each file */
	bool bodies_later;  /* rows get their full-text bodies later (index_body_later) */
	const char *const *fallbacks; /* charset_fallbacks for summary.h (borrowed) */
	enum deliver_crash_point crash;
};

/* A new sync point for FD, the Maildir just opened (store_batch_open). */
static struct deliver_syncpoint *
deliver_syncpoint_new(struct deliver *d, int fd)
{
	struct deliver_syncpoint *p = g_new0(struct deliver_syncpoint, 1);

	p->fd = fd;
	p->refs = 1;
	p->seq = ++d->points;
	return p;
}

/* Let go of P (NULL is fine); the last hold closes it. */
static void
deliver_syncpoint_unref(struct deliver_syncpoint *p)
{
	if (p != NULL && g_atomic_int_dec_and_test(&p->refs)) {
		close(p->fd);
		g_free(p);
	}
}

/* Free ITEM; with DISCARD its tmp file is removed too. */
static void
deliver_item_free(struct deliver_item *item, bool discard)
{
	if (item == NULL)
		return;
	deliver_syncpoint_unref(item->sync);
	if (discard)
		store_tmp_discard(&item->tmp);
	else
		store_tmp_clear(&item->tmp);
	index_message_clear(&item->msg);
	g_free(item->body_text);
	g_free(item);
}

/* Empty the queue; with DISCARD the tmp files go too. */
static void
deliver_clear_queue(struct deliver *d, bool discard)
{
	guint i;

	g_hash_table_remove_all(d->queued);
	for (i = 0; i < d->queue->len; i++)
		deliver_item_free(g_ptr_array_index(d->queue, i), discard);
	g_ptr_array_set_size(d->queue, 0);
}

/* Die here, as a crash would, when the test asked for POINT. */
static void
deliver_crash_at(struct deliver *d, enum deliver_crash_point point)
{
	if (d->crash != DELIVER_CRASH_NONE && d->crash == point)
		_exit(99);
}

/* True when PATH names an existing file. */
static bool
deliver_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Where recovery found the file of a PENDING row. */
enum deliver_found {
	DELIVER_FOUND_NONE, /* never renamed: drop the row */
	DELIVER_FOUND_NEW,  /* in new/ (perhaps just renamed from tmp/) */
	DELIVER_FOUND_CUR,  /* moved on to cur/ by another reader */
};

/*
 * Find the file of the PENDING row ROW: new/, else tmp/ (renamed into new/
 * now), else cur/ (CUR, scanned on first need).  *FLAGS gets the flags of a
 * file found in cur/ (borrowed from CUR).
 */
static bool
deliver_find(struct deliver *d, const struct index_message *row, GPtrArray **cur,
    enum deliver_found *found, const char **flags, GError **error)
{
	char *path = g_strdup_printf("%s/new/%s", d->maildir, row->base);
	char *tmp_path = g_strdup_printf("%s/tmp/%s", d->maildir, row->base);
	bool in_new = deliver_exists(path), in_tmp = !in_new && deliver_exists(tmp_path);
	guint j;

	g_free(path);
	g_free(tmp_path);
	*found = DELIVER_FOUND_NONE;
	*flags = "";
	if (in_new) {
		*found = DELIVER_FOUND_NEW;
		return true;
	}
	if (in_tmp) {
		/* Complete: it was synced before its row was written. */
		if (!store_tmp_commit(d->maildir, row->base, error))
			return false;
		*found = DELIVER_FOUND_NEW;
		return true;
	}
	if (*cur == NULL) {
		*cur = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
		if (!store_scan(d->maildir, *cur, error))
			return false;
	}
	for (j = 0; j < (*cur)->len; j++) {
		struct store_entry *e = g_ptr_array_index(*cur, j);
		const char *subdir;

		if (strcmp(e->subdir, "cur") != 0 || strcmp(e->base, row->base) != 0)
			continue;
		if (!store_fix_name(d->maildir, e->subdir, e->name, &subdir, error))
			return false;
		*found = DELIVER_FOUND_CUR;
		*flags = e->flags;
		return true;
	}
	return true;
}

/*
 * Finish what a crash interrupted (deliver.h, "Recovery"): settle every
 * PENDING row of the account, then remove the tmp/ files left by writes
 * that never finished: surat's own from processes that are gone, and
 * anything untouched for 36 hours (store_tmp_is_leftover).  Another
 * program's delivery in progress is left alone.
 */
static bool
deliver_recover(struct deliver *d, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *tmp_names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *cur = NULL;
	enum deliver_found *found = NULL;
	const char **flags = NULL;
	bool ok = false, any_new = false, any_cur = false;
	guint i;

	if (!index_pending_rows(d->idx, d->account, rows, error))
		goto out;
	found = g_new0(enum deliver_found, rows->len + 1);
	flags = g_new0(const char *, rows->len + 1);
	for (i = 0; i < rows->len; i++) {
		if (!deliver_find(d, g_ptr_array_index(rows, i), &cur, &found[i], &flags[i], error))
			goto out;
		any_new |= found[i] == DELIVER_FOUND_NEW;
		any_cur |= found[i] == DELIVER_FOUND_CUR;
	}
	/* STORED promises a durable name, as in deliver_commit. */
	if ((any_new && !store_sync_dir(d->maildir, "new", error)) ||
	    (any_cur && !store_sync_dir(d->maildir, "cur", error)))
		goto out;
	if (rows->len > 0) {
		if (!index_begin(d->idx, error))
			goto out;
		for (i = 0; i < rows->len; i++) {
			struct index_message *row = g_ptr_array_index(rows, i);
			bool step;

			if (found[i] == DELIVER_FOUND_NONE)
				step = index_delete(d->idx, row->id, error);
			else
				step = index_set_flags(d->idx, row->id,
					   found[i] == DELIVER_FOUND_CUR ? "cur" : "new", flags[i],
					   error) &&
				    index_set_state(d->idx, row->id, INDEX_STATE_STORED, error);
			if (!step) {
				index_rollback(d->idx);
				goto out;
			}
		}
		if (!index_threads_update(d->idx, error)) {
			index_rollback(d->idx);
			goto out;
		}
		if (!index_commit(d->idx, error))
			goto out;
	}
	if (!store_scan_tmp(d->maildir, tmp_names, error))
		goto out;
	for (i = 0; i < tmp_names->len; i++) {
		const char *name = g_ptr_array_index(tmp_names, i);
		char *path;

		if (!store_tmp_is_leftover(d->maildir, name))
			continue;
		path = g_strdup_printf("%s/tmp/%s", d->maildir, name);
		if (unlink(path) != 0 && errno != ENOENT) {
			g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO, "cannot remove %s: %s",
			    path, g_strerror(errno));
			g_free(path);
			goto out;
		}
		g_free(path);
	}
	ok = true;
out:
	g_free(flags);
	g_free(found);
	if (cur != NULL)
		g_ptr_array_unref(cur);
	g_ptr_array_unref(tmp_names);
	g_ptr_array_unref(rows);
	return ok;
}

/*
 * When the index knows nothing of the account (index.db was lost and made
 * anew) but the Maildir's UIDL journal has records, index the account's
 * Maildirs first: the journal gives back the UIDL of every stored message,
 * so nothing is fetched twice.  Then, if the journal has grown well past
 * what it holds, compact it (the caller holds the account's lock, so no
 * other delivery runs).
 */
static bool
deliver_restore(struct deliver *d, GError **error)
{
	char *store = g_path_get_dirname(d->maildir);
	char *name = g_path_get_basename(d->maildir);
	bool ok = false, known;

	if (!index_account_known(d->idx, d->account, &known, error))
		goto out;
	if (!known && uidls_exists(d->maildir)) {
		if (strcmp(name, d->account) == 0)
			ok = reindex_account(d->idx, store, d->account, d->fallbacks, NULL, error);
		else
			ok = reindex_maildir(d->idx, d->account, d->maildir, d->fallbacks, NULL, error);
		if (!ok) {
			g_prefix_error(error, "restoring the index from %s/" UIDLS_FILE ": ",
			    d->maildir);
			goto out;
		}
	}
	ok = !uidls_wants_compaction(d->maildir) ||
	    reindex_compact_uidls(d->idx, d->account, d->maildir, error);
out:
	g_free(name);
	g_free(store);
	return ok;
}

struct deliver *
deliver_open(struct index *idx, const char *account, const char *maildir,
    const char *const *fallbacks, GError **error)
{
	struct deliver *d;

	if (!store_maildir_create(maildir, error))
		return NULL;
	{
		/* The store holds every message: only its owner may read it (noted in fetch.log). */
		char *store = g_path_get_dirname(maildir);
		bool ok = store_make_private(store, error);

		g_free(store);
		if (!ok)
			return NULL;
	}
	d = g_new0(struct deliver, 1);
	d->idx = idx;
	d->fallbacks = fallbacks;
	d->account = g_strdup(account);
	d->maildir = g_strdup(maildir);
	d->queue = g_ptr_array_new();
	d->queued = g_hash_table_new(g_str_hash, g_str_equal);
	d->sync_each = !store_syncfs_reports_errors();
	g_mutex_init(&d->lock);
	/* Opened before anything is written, so the first commit's sync covers it all. */
	{
		int fd = store_batch_open(maildir, error);

		if (fd < 0) {
			deliver_free(d);
			return NULL;
		}
		d->batch = deliver_syncpoint_new(d, fd);
	}
	if (!deliver_recover(d, error)) {
		g_prefix_error(error, "recovering an interrupted delivery: ");
		deliver_free(d);
		return NULL;
	}
	if (!deliver_restore(d, error)) {
		deliver_free(d);
		return NULL;
	}
	return d;
}

/* True when UIDL is in the index or the queue (or on error, with ERROR set). */
static bool
deliver_known_uidl(struct deliver *d, const char *uidl, GError **error)
{
	GError *local = NULL;

	if (g_hash_table_contains(d->queued, uidl))
		return true;
	if (index_has_uidl(d->idx, d->account, uidl, &local))
		return true;
	if (local != NULL) {
		g_propagate_error(error, local);
		return true;
	}
	return false;
}

/*
 * Close the tmp file TMP (with SYNC, fsync'ed first); its mtime into *MTIME.
 */
static bool
deliver_tmp_close(struct store_tmpfile *tmp, bool sync, int64_t *mtime, GError **error)
{
	struct stat st;

	if (fstat(tmp->fd, &st) != 0) {
		g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO, "cannot stat %s: %s", tmp->path,
		    g_strerror(errno));
		return false;
	}
	*mtime = (int64_t)st.st_mtime;
	return store_tmp_close(tmp, sync, error);
}

/*
 * True when a message with UIDL must not be delivered: the account has it
 * (DELIVER_ERROR_DUPLICATE) or the index could not say (its error).
 */
static bool
deliver_refuse_known(struct deliver *d, const char *uidl, GError **error)
{
	GError *local = NULL;

	if (uidl == NULL || !deliver_known_uidl(d, uidl, &local))
		return false;
	if (local != NULL)
		g_propagate_error(error, local);
	else
		g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_DUPLICATE,
		    "UIDL %s is already in the index; not delivered twice", uidl);
	return true;
}

void
deliver_summarize(const char *buf, size_t len, const char *const *fallbacks, bool body,
    struct deliver_summary *summary)
{
	memset(summary, 0, sizeof *summary);
	summary_from_bytes(buf, len, fallbacks, &summary->msg, body ? &summary->body_text : NULL);
}

void
deliver_summary_clear(struct deliver_summary *summary)
{
	index_message_clear(&summary->msg);
	g_clear_pointer(&summary->body_text, g_free);
}

bool
deliver_add(struct deliver *d, const char *buf, size_t len, const char *uidl, bool partial,
    GError **error)
{
	return deliver_add_summarized(d, buf, len, uidl, partial, NULL, error);
}

/*
 * Fill the file fields of ITEM, whose tmp file is written and closed: a new
 * message of D's account in new/, no flags, UIDL, arrived now, SIZE and
 * MTIME bytes and time of the file.  The header fields stay as the summary
 * left them.
 */
static void
deliver_item_place(const struct deliver *d, struct deliver_item *item, const char *uidl,
    bool partial, int64_t size, int64_t mtime)
{
	g_free(item->msg.account);
	item->msg.account = g_strdup(d->account);
	g_free(item->msg.subdir);
	item->msg.subdir = g_strdup("new");
	g_free(item->msg.base);
	item->msg.base = g_strdup(item->tmp.base);
	g_free(item->msg.flags);
	item->msg.flags = g_strdup("");
	g_free(item->msg.uidl);
	item->msg.uidl = g_strdup(uidl);
	item->msg.arrival = (int64_t)time(NULL);
	item->msg.size = size;
	item->msg.mtime = mtime;
	item->msg.partial = partial;
	item->msg.state = INDEX_STATE_PENDING;
}

/* Queue ITEM for the next commit. */
static void
deliver_queue(struct deliver *d, struct deliver_item *item)
{
	g_ptr_array_add(d->queue, item);
	if (item->msg.uidl != NULL)
		g_hash_table_add(d->queued, item->msg.uidl);
}

bool
deliver_add_summarized(struct deliver *d, const char *buf, size_t len, const char *uidl,
    bool partial, struct deliver_summary *summary, GError **error)
{
	struct deliver_item *item;
	int64_t mtime;

	if (deliver_refuse_known(d, uidl, error)) {
		if (summary != NULL)
			deliver_summary_clear(summary);
		return false;
	}
	item = g_new0(struct deliver_item, 1);
	if (summary != NULL) {
		/* The header fields come from the summary; the file fields from here. */
		item->msg = summary->msg;
		item->body_text = summary->body_text;
		memset(summary, 0, sizeof *summary);
	}
	if (!store_tmp_open(d->maildir, &item->tmp, error))
		goto fail;
	/* Not synced here: deliver_commit syncs the whole batch at once (d->batch). */
	if (!store_tmp_write(&item->tmp, buf, len, error))
		goto fail;
	if (!deliver_tmp_close(&item->tmp, false, &mtime, error))
		goto fail;
	deliver_item_place(d, item, uidl, partial, (int64_t)len, mtime);
	if (summary == NULL) {
		summary_from_bytes(buf, len, d->fallbacks, &item->msg,
		    d->bodies_later ? NULL : &item->body_text);
	} else if (item->msg.date == 0) {
		/* summary.h falls back to the arrival time, known only now. */
		item->msg.date = item->msg.arrival;
	}
	deliver_queue(d, item);
	return true;
fail:
	/* A failed write leaves nothing behind: no file, no row. */
	deliver_item_free(item, true);
	return false;
}

size_t
deliver_pending(const struct deliver *d)
{
	return d != NULL ? d->queue->len : 0;
}

/*
 * Step 1 of a commit: the batch's UIDLs into the journal, then one sync that
 * makes every tmp file and the journal durable and reports any of their
 * writes that failed.  The next batch's fd is opened before this sync, so
 * a write failing from now on is reported by one sync or the other.
 */
static bool
deliver_sync(struct deliver *d, GError **error)
{
	GString *records = g_string_new(NULL);
	const struct deliver_syncpoint *via = d->batch;
	int next = -1;
	bool ok = false;
	guint i;

	for (i = 0; i < d->queue->len; i++) {
		const struct deliver_item *item = g_ptr_array_index(d->queue, i);

		if (item->msg.uidl != NULL)
			uidls_add_stored(records, item->msg.base, item->msg.uidl, item->msg.partial);
		/* Written before this batch's point was made: sync through the older one. */
		if (item->sync != NULL && item->sync->seq < via->seq)
			via = item->sync;
	}
	if (!uidls_append(d->maildir, records->str, d->sync_each, error))
		goto out;
	if ((next = store_batch_open(d->maildir, error)) < 0)
		goto out;
	if (d->sync_each) {
		/* No syncfs that reports errors: each file, then their names in tmp/. */
		for (i = 0; i < d->queue->len; i++) {
			const struct deliver_item *item = g_ptr_array_index(d->queue, i);

			if (!store_sync_file(item->tmp.path, error))
				goto out;
		}
		if (!store_sync_dir(d->maildir, "tmp", error))
			goto out;
	} else if (!store_batch_sync(via->fd, d->maildir, error)) {
		goto out;
	}
	ok = true;
out:
	/* A failed batch's fd has said what it knows; the next one starts afresh. */
	if (next >= 0) {
		struct deliver_syncpoint *old, *fresh = deliver_syncpoint_new(d, next);

		g_mutex_lock(&d->lock);
		old = d->batch;
		d->batch = fresh;
		g_mutex_unlock(&d->lock);
		deliver_syncpoint_unref(old);
	}
	g_string_free(records, TRUE);
	return ok;
}

bool
deliver_commit(struct deliver *d, GArray *ids, GError **error)
{
	guint i, renamed = 0;
	bool rows_written = false;

	if (d->queue->len == 0)
		return true;
	deliver_crash_at(d, DELIVER_CRASH_AFTER_TMP_WRITE);

	/* 1. The UIDLs into the journal; one sync makes them and every tmp file durable. */
	if (!deliver_sync(d, error))
		goto fail;
	deliver_crash_at(d, DELIVER_CRASH_AFTER_SYNC);

	/* 2. PENDING rows: the UIDLs are known before any file is visible. */
	if (!index_begin(d->idx, error))
		goto fail;
	for (i = 0; i < d->queue->len; i++) {
		struct deliver_item *item = g_ptr_array_index(d->queue, i);

		if (!index_put(d->idx, &item->msg, item->body_text, error) ||
		    (d->bodies_later && item->body_text == NULL &&
		    !index_body_later(d->idx, item->msg.id, error))) {
			index_rollback(d->idx);
			goto fail;
		}
	}
	if (!index_commit(d->idx, error))
		goto fail;
	rows_written = true;
	deliver_crash_at(d, DELIVER_CRASH_AFTER_PENDING);

	/* 3. Into new/; the rename never replaces a file. */
	for (i = 0; i < d->queue->len; i++) {
		struct deliver_item *item = g_ptr_array_index(d->queue, i);

		if (!store_tmp_commit(d->maildir, item->msg.base, error))
			goto fail;
		renamed++;
		/* Half the batch in new/, half in tmp/: the hardest state. */
		if (renamed == (d->queue->len + 1) / 2)
			deliver_crash_at(d, DELIVER_CRASH_AFTER_RENAME);
	}

	/* 4. One fsync of new/ makes every rename durable. */
	if (!store_sync_dir(d->maildir, "new", error))
		goto fail;
	deliver_crash_at(d, DELIVER_CRASH_AFTER_DIR_SYNC);

	/* 5. STORED: visible in the index; the caller may DELE now. */
	if (!index_begin(d->idx, error))
		goto fail;
	for (i = 0; i < d->queue->len; i++) {
		struct deliver_item *item = g_ptr_array_index(d->queue, i);

		if (!index_set_state(d->idx, item->msg.id, INDEX_STATE_STORED, error)) {
			index_rollback(d->idx);
			goto fail;
		}
	}
	/* Threaded in the same transaction: a listed row always has its thread. */
	if (!index_threads_update(d->idx, error)) {
		index_rollback(d->idx);
		goto fail;
	}
	if (!index_commit(d->idx, error))
		goto fail;
	deliver_crash_at(d, DELIVER_CRASH_AFTER_STORED);

	for (i = 0; ids != NULL && i < d->queue->len; i++) {
		struct deliver_item *item = g_ptr_array_index(d->queue, i);

		g_array_append_val(ids, item->msg.id);
	}
	deliver_clear_queue(d, false);
	return true;
fail:
	/*
	 * Without rows the tmp files are unfinished writes: remove them now.
	 * With rows, recovery (the next deliver_open) settles each one.
	 */
	deliver_clear_queue(d, !rows_written);
	return false;
}

/* A message being written into tmp/ as it arrives (deliver.h). */
struct deliver_stream {
	struct store_tmpfile tmp;
	char *dir;    /* the Maildir whose tmp/ holds it */
	size_t len;   /* bytes written */
	int64_t mtime;
	bool finished;
	struct deliver_syncpoint *sync; /* deliver_stream_open_batched: the point it was opened under */
};

/* The Maildir of ROW's folder (Maildir++ .NAME), or the account's for NULL. */
static char *
deliver_dir(const struct deliver *d, const struct index_message *row)
{
	return row != NULL && row->folder != NULL && row->folder[0] != '\0'
	    ? g_strdup_printf("%s/.%s", d->maildir, row->folder)
	    : g_strdup(d->maildir);
}

struct deliver_stream *
deliver_stream_open(struct deliver *d, const struct index_message *row, GError **error)
{
	struct deliver_stream *s = g_new0(struct deliver_stream, 1);

	s->tmp.fd = -1;
	s->dir = deliver_dir(d, row);
	if (!store_tmp_open(s->dir, &s->tmp, error)) {
		g_free(s->dir);
		g_free(s);
		return NULL;
	}
	return s;
}

bool
deliver_stream_write(struct deliver_stream *s, const void *buf, size_t len, GError **error)
{
	if (!store_tmp_write(&s->tmp, buf, len, error))
		return false;
	s->len += len;
	return true;
}

size_t
deliver_stream_size(const struct deliver_stream *s)
{
	return s->len;
}

bool
deliver_stream_finish(struct deliver_stream *s, GError **error)
{
	/* Synced on its own: durable whatever the batch's way of syncing is. */
	if (!deliver_tmp_close(&s->tmp, true, &s->mtime, error))
		return false;
	s->finished = true;
	return true;
}

void
deliver_stream_discard(struct deliver_stream *s)
{
	if (s == NULL)
		return;
	deliver_syncpoint_unref(s->sync);
	store_tmp_discard(&s->tmp);
	g_free(s->dir);
	g_free(s);
}

/* Free S but keep its file (now someone else's). */
static void
deliver_stream_release(struct deliver_stream *s)
{
	deliver_syncpoint_unref(s->sync);
	store_tmp_clear(&s->tmp);
	g_free(s->dir);
	g_free(s);
}

struct deliver_stream *
deliver_stream_open_batched(struct deliver *d, GError **error)
{
	struct deliver_syncpoint *point;
	struct deliver_stream *s;

	/* The hold comes first: every write of the file follows the point's open. */
	g_mutex_lock(&d->lock);
	point = d->batch;
	g_atomic_int_inc(&point->refs);
	g_mutex_unlock(&d->lock);
	s = deliver_stream_open(d, NULL, error);
	if (s == NULL) {
		deliver_syncpoint_unref(point);
		return NULL;
	}
	s->sync = point;
	return s;
}

bool
deliver_add_written(struct deliver *d, struct deliver_stream *s, const char *uidl, bool partial,
    struct deliver_summary *summary, GError **error)
{
	struct deliver_item *item;
	int64_t mtime;

	if (s->sync == NULL || s->finished || strcmp(s->dir, d->maildir) != 0) {
		g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO,
		    "%s: not a message written for a batch of this Maildir", s->tmp.path);
		goto fail;
	}
	if (deliver_refuse_known(d, uidl, error))
		goto fail;
	/* Not synced here: deliver_commit syncs the batch through S's point or an older one. */
	if (!deliver_tmp_close(&s->tmp, false, &mtime, error))
		goto fail;
	item = g_new0(struct deliver_item, 1);
	item->msg = summary->msg;
	item->body_text = summary->body_text;
	memset(summary, 0, sizeof *summary);
	item->tmp = s->tmp;
	memset(&s->tmp, 0, sizeof s->tmp);
	s->tmp.fd = -1;
	item->sync = s->sync;
	s->sync = NULL;
	deliver_item_place(d, item, uidl, partial, (int64_t)s->len, mtime);
	if (item->msg.date == 0)
		item->msg.date = item->msg.arrival;
	deliver_stream_release(s);
	deliver_queue(d, item);
	return true;
fail:
	deliver_summary_clear(summary);
	deliver_stream_discard(s);
	return false;
}

bool
deliver_add_stream(struct deliver *d, struct deliver_stream *s, const char *uidl, bool partial,
    GError **error)
{
	struct deliver_item *item;

	if (!s->finished || strcmp(s->dir, d->maildir) != 0) {
		g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO,
		    "%s: not a finished message of this Maildir", s->tmp.path);
		deliver_stream_discard(s);
		return false;
	}
	if (deliver_refuse_known(d, uidl, error)) {
		deliver_stream_discard(s);
		return false;
	}
	item = g_new0(struct deliver_item, 1);
	/* The summary is read from the file: the message was never held whole. */
	if (!summary_from_file(s->tmp.path, d->fallbacks, &item->msg,
	    d->bodies_later ? NULL : &item->body_text, error)) {
		deliver_item_free(item, false);
		deliver_stream_discard(s);
		return false;
	}
	item->tmp = s->tmp;
	memset(&s->tmp, 0, sizeof s->tmp);
	s->tmp.fd = -1;
	deliver_item_place(d, item, uidl, partial, (int64_t)s->len, s->mtime);
	if (item->msg.date == 0)
		item->msg.date = item->msg.arrival;
	deliver_stream_release(s);
	deliver_queue(d, item);
	return true;
}

bool
deliver_replace_stream(struct deliver *d, const struct index_message *row,
    struct deliver_stream *s, GError **error)
{
	struct index_message cur = { 0 };
	char *body_text = NULL, *path = NULL, *dir = deliver_dir(d, row);
	GError *local = NULL;
	struct stat st;
	bool ok = false, swapped = false;
	int tries;

	if (!s->finished || strcmp(s->dir, dir) != 0) {
		g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO,
		    "%s: not a finished message of the folder of %s", s->tmp.path, row->base);
		goto out;
	}
	/*
	 * The reader may change the message's flags (its file name) at any
	 * time: take the name from the index, and if the exchange finds no file
	 * there, the rename is under way: read the name again.
	 */
	for (tries = 0; tries < 100 && !swapped; tries++) {
		index_message_clear(&cur);
		if (!index_get(d->idx, row->id, &cur, error)) {
			if (error != NULL && *error == NULL)
				g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO,
				    "the message %s was deleted meanwhile", row->base);
			goto out;
		}
		if (g_strcmp0(cur.folder, row->folder != NULL ? row->folder : "") != 0) {
			g_set_error(error, DELIVER_ERROR, DELIVER_ERROR_IO,
			    "the message %s was moved to another folder meanwhile; fetch it again",
			    row->base);
			goto out;
		}
		swapped = store_tmp_replace(dir, s->tmp.base, cur.subdir, cur.base, cur.flags,
		    &local);
		if (!swapped) {
			if (!g_error_matches(local, STORE_ERROR, STORE_ERROR_EXISTS) || tries == 99) {
				g_propagate_error(error, local);
				goto out;
			}
			g_clear_error(&local);
			g_usleep(20 * 1000);
		}
	}
	/* The file is the message's now: nothing of the stream to remove. */
	deliver_stream_release(s);
	s = NULL;
	if (!store_sync_dir(dir, cur.subdir, error))
		goto out;
	/*
	 * Whole now, durably: the journal may say so (before, a lost index
	 * would have made a headers-only copy look whole, and DELE-able).
	 */
	if (cur.uidl != NULL) {
		GString *record = g_string_new(NULL);
		bool appended;

		uidls_add_stored(record, cur.base, cur.uidl, false);
		appended = uidls_append(d->maildir, record->str, true, error);
		g_string_free(record, TRUE);
		if (!appended)
			goto out;
	}
	/*
	 * The new content goes into the row as it is now, in one write
	 * transaction, so a flag change made meanwhile is kept.
	 */
	if (!index_begin(d->idx, error))
		goto out;
	index_message_clear(&cur);
	if (!index_get(d->idx, row->id, &cur, error)) {
		index_rollback(d->idx);
		goto out;
	}
	path = store_message_path(dir, cur.subdir, cur.base, cur.flags);
	if (!summary_from_file(path, d->fallbacks, &cur, d->bodies_later ? NULL : &body_text,
	    error)) {
		index_rollback(d->idx);
		goto out;
	}
	if (stat(path, &st) == 0) {
		cur.size = (int64_t)st.st_size;
		cur.mtime = (int64_t)st.st_mtime;
	}
	cur.partial = false;
	if (!index_put(d->idx, &cur, body_text, error) ||
	    (d->bodies_later && !index_body_later(d->idx, cur.id, error)) ||
	    !index_threads_update(d->idx, error) || !index_commit(d->idx, error)) {
		index_rollback(d->idx);
		goto out;
	}
	ok = true;
out:
	deliver_stream_discard(s);
	index_message_clear(&cur);
	g_free(body_text);
	g_free(path);
	g_free(dir);
	return ok;
}

bool
deliver_replace(struct deliver *d, const struct index_message *row, const char *buf, size_t len,
    GError **error)
{
	struct deliver_stream *s = deliver_stream_open(d, row, error);

	if (s == NULL)
		return false;
	if (!deliver_stream_write(s, buf, len, error) || !deliver_stream_finish(s, error)) {
		deliver_stream_discard(s);
		return false;
	}
	return deliver_replace_stream(d, row, s, error);
}

void
deliver_free(struct deliver *d)
{
	if (d == NULL)
		return;
	deliver_clear_queue(d, true);
	deliver_syncpoint_unref(d->batch);
	g_mutex_clear(&d->lock);
	g_ptr_array_unref(d->queue);
	g_hash_table_unref(d->queued);
	g_free(d->account);
	g_free(d->maildir);
	g_free(d);
}

void
deliver_set_bodies_later(struct deliver *d, bool later)
{
	d->bodies_later = later;
}

void
deliver_set_crash_point(struct deliver *d, enum deliver_crash_point point)
{
	d->crash = point;
}
