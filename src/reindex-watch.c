/*
 * reindex-watch: the store watch (reindex-private.h).  reindex_watch looks
 * at the modification times of every mailbox's new/ and cur/ and reindexes
 * the mailboxes that changed since it last looked (reindex_folder_at), with
 * surat's own changes not counting as news (reindex_watch_mine_*), and a
 * fetch's account left alone while it holds the lock.  reindex_watcher does
 * the same on its own thread, with its own index connection, and tells the
 * interface through a pipe.
 */
#include "reindex-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <sys/file.h>
#include <unistd.h>

#include "surat/folder.h"

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
	gint64 bodies_left; /* bodies still waiting (index_bodies_waiting), -1 before a look */
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

/* Keep LEFT for the caller, with news when what it shows changes (some left or none). */
static void
reindex_watcher_bodies_tell(struct reindex_watcher *w, int64_t left)
{
	g_mutex_lock(&w->lock);
	if (left != w->bodies_left && (left > 0 || w->bodies_left > 0))
		reindex_watcher_poke(w);
	w->bodies_left = left;
	g_mutex_unlock(&w->lock);
}

/*
 * Index up to four batches of the bodies a fetch left for later, telling
 * the caller how many are left before and after (reindex_watcher_bodies_left).
 * *SOON is set when some were indexed and more wait: the next look comes
 * at once instead of after the interval, and the look between batches
 * keeps other programs' changes followed meanwhile.
 */
static bool
reindex_watcher_bodies(struct reindex_watcher *w, struct index *idx, bool *soon,
    GError **error)
{
	int64_t before = index_bodies_waiting(idx, error), left = before;

	*soon = false;
	if (before < 0)
		return false;
	/* Said before the work, so the count shows while it is done. */
	reindex_watcher_bodies_tell(w, before);
	if (before > 0 && !reindex_bodies(idx, w->watch->store, w->watch->fallbacks,
	    4 * REINDEX_BODIES_BATCH, &w->cancel, &left, error))
		return false;
	reindex_watcher_bodies_tell(w, left);
	*soon = left > 0 && left < before;
	return true;
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
		bool changed = false, soon = false, ok;

		if (g_get_monotonic_time() < next) {
			g_cond_wait_until(&w->wake, &w->lock, next);
			continue;
		}
		g_mutex_unlock(&w->lock);
		ok = idx != NULL && reindex_watch_check(w->watch, idx, &changed, &error);
		g_mutex_lock(&w->lock);
		w->changed = w->changed || changed;
		if (changed)
			reindex_watcher_poke(w);
		g_mutex_unlock(&w->lock);
		ok = ok && reindex_watcher_bodies(w, idx, &soon, &error);
		g_mutex_lock(&w->lock);
		if (!ok && g_error_matches(error, REINDEX_ERROR, REINDEX_ERROR_CANCELLED)) {
			g_clear_error(&error); /* stopping: nobody waits for news */
			break;
		}
		if (!ok) {
			g_clear_error(&w->error);
			w->error = error;
			error = NULL;
		}
		if (!ok)
			reindex_watcher_poke(w);
		if (idx == NULL)
			break; /* no index to keep in step: said once */
		next = g_get_monotonic_time() + (soon ? 0 : w->interval_us);
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
	w->bodies_left = -1;
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

int64_t
reindex_watcher_bodies_left(struct reindex_watcher *w)
{
	int64_t left;

	if (w == NULL)
		return -1;
	g_mutex_lock(&w->lock);
	left = w->bodies_left;
	g_mutex_unlock(&w->lock);
	return left;
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
