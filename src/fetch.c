/*
 * fetch: the policy of one account's fetch.  pop3.c speaks, deliver.c
 * stores; this file decides, in the order DESIGN promise 1 asks:
 *
 *   lock the account -> recover unfinished deliveries -> connect and log in
 *   -> STAT, UIDL, LIST -> RETR what the index does not know (TOP n 0 for
 *   messages over max_size), delivered in batches (group commit) -> DELE
 *   only what is durably stored, and what was expunged here while
 *   delete_on_server_when_deleted is on -> QUIT, which commits the DELEs ->
 *   forget the expunged UIDLs the server no longer has.
 *
 * An error or an abort before QUIT leaves the server untouched (no QUIT, so
 * it rolls the DELEs back); what was committed stays committed and is known
 * by its UIDL next time.  Never prints: progress goes to the observer.
 */
#include "surat/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "surat/command.h"
#include "surat/deliver.h"
#include "surat/index.h"
#include "surat/sanitize.h"
#include "surat/store.h"

G_DEFINE_QUARK(surat-fetch-error-quark, fetch_error)

/* Group commit: a batch is made durable every so many messages or bytes. */
#define FETCH_BATCH_MESSAGES 400
#define FETCH_BATCH_BYTES    (48 * 1024 * 1024)
/* A quiet moment this long commits what is queued, so slow mail shows up. */
#define FETCH_IDLE_COMMIT_US (200 * 1000)
/*
 * Messages received but not yet written, at most (the network waits): so
 * many bytes, and so many messages, so that tiny messages cannot pile up
 * and leave the server idle (and its autologout timer running) while the
 * store catches up before QUIT.
 */
#define FETCH_IN_FLIGHT_MAX   (4 * 1024 * 1024)
#define FETCH_IN_FLIGHT_ITEMS FETCH_BATCH_MESSAGES
/* SQLite's page cache for the fetch's writes, in KB (index_set_cache_kb). */
#define FETCH_INDEX_CACHE_KB  2048
#define FETCH_SECRET_MAX     8192

/*
 * One received message on its way to the Maildir.  The network thread
 * receives, parses and writes it to its tmp file; the store thread writes
 * its row and commits (deliver.c), so the index's work overlaps with the
 * network.
 */
struct fetch_item {
	char *buf;                       /* the message (--rest), or NULL when in a file */
	struct deliver_stream *stream;   /* the message, already in a tmp file */
	bool written;                    /* ... written whole for the batch (deliver_add_written) */
	size_t len;                      /* its size */
	size_t held;                     /* bytes of memory it holds (copy and summary) */
	char *uidl;
	bool partial;
	const struct index_message *row; /* --rest: the headers-only row to replace */
	struct deliver_summary summary;  /* parsed on the network thread (held messages) */
};

/* The store thread and what the network thread shares with it. */
struct fetch_store {
	GThread *thread;
	GAsyncQueue *queue;     /* struct fetch_item *; the end marker is &fetch_end */
	GMutex lock;
	GCond room;             /* signalled when in_flight drops */
	size_t in_flight;       /* bytes queued and not yet written */
	size_t in_flight_items; /* ... and how many messages */
	GError *error;          /* the first failure; guarded by lock */
	bool failed;            /* guarded by lock */
};

static struct fetch_item fetch_end;

/* What the index knows of one UIDL of the account. */
struct fetch_known {
	int64_t id;
	int64_t arrival;
	bool partial;
	bool stored;
	bool gone;     /* expunged here (index_gone): never fetched again */
	bool dele;     /* ... with a DELE queued */
};

/* One run over one account. */
struct fetch_run {
	const struct surat_config *config;
	const struct account_config *account;
	const struct fetch_options *options;
	struct index *idx;
	struct deliver *deliver;
	struct pop3_session *session;
	GArray *msgs;           /* struct pop3_msg in number order: find by number (fetch_msg) */
	GHashTable *known;      /* uidl -> struct fetch_known * */
	GHashTable *rows;       /* uidl -> struct index_message * (partial rows, --rest) */
	bool digest_uidls;      /* the server has no UIDL: UIDLs are header digests */
	bool listed;            /* the sizes (LIST) are in msgs */
	GHashTable *digests;    /* digest UIDLs given out in this session */
	unsigned int received;  /* messages received in this run */
	unsigned int stored;    /* messages committed in this run (store thread) */
	unsigned int deleted;
	uint64_t batch_bytes;   /* store thread */
	GPtrArray *deleled;     /* the UIDLs DELE'd in this run (borrowed from msgs) */
	struct deliver_stream *stream; /* network thread: the large message arriving now */
	EVP_MD_CTX *head_md;    /* digest UIDLs: the header block hashed so far */
	bool head_done;         /* ... up to its empty line */
	bool head_nl;           /* ... and the last piece ended with a newline */
	struct fetch_store store;
};

static void
fetch_observe_stored(struct fetch_run *run)
{
	const struct fetch_observer *o = run->options->observer;

	if (o != NULL && o->stored != NULL)
		o->stored(o->data, run->account->name, run->stored);
}

static void
fetch_warn(struct fetch_run *run, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Tell the observer about something that works but is unwise. */
static void
fetch_warn(struct fetch_run *run, const char *fmt, ...)
{
	const struct fetch_observer *o = run->options->observer;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (o != NULL && o->warning != NULL)
		o->warning(o->data, run->account->name, text);
	g_free(text);
}

/* True when the caller asked to stop. */
static bool
fetch_aborted(const struct fetch_run *run, GError **error)
{
	if (run->options->abort != NULL && *run->options->abort) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_ABORT, "interrupted");
		return true;
	}
	return false;
}

/*
 * Take the account's lock (<maildir>/.lock), waiting up to the account's
 * timeout.  Returns the lock's fd, or -1.
 */
static int
fetch_lock(const struct account_config *account, volatile sig_atomic_t *abort, GError **error)
{
	char *path = g_build_filename(account->maildir, ".lock", NULL);
	gint64 deadline = g_get_monotonic_time() + (gint64)account->timeout * G_USEC_PER_SEC;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		g_set_error(error, FETCH_ERROR, FETCH_ERROR_STORE, "cannot open the lock %s: %s", path,
		    g_strerror(errno));
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			g_set_error(error, FETCH_ERROR, FETCH_ERROR_STORE, "cannot lock %s: %s", path,
			    g_strerror(errno));
			close(fd);
			fd = -1;
			goto out;
		}
		if (g_get_monotonic_time() >= deadline || (abort != NULL && *abort)) {
			g_set_error(error, FETCH_ERROR, FETCH_ERROR_LOCK,
			    "another fetch is running (lock %s); gave up after %d s", path,
			    account->timeout);
			close(fd);
			fd = -1;
			goto out;
		}
		g_usleep(50 * 1000);
	}
out:
	g_free(path);
	return fd;
}

char *
fetch_secret(const struct account_config *account, GError **error)
{
	const char *argv[] = { "/bin/sh", "-c", account->password_command, NULL };
	GError *local = NULL;
	char *out, *nl;

	if (account->password_command == NULL)
		return g_strdup(account->password != NULL ? account->password : "");
	/*
	 * The command is the user's own configuration, run as they wrote it, by
	 * the one process runner: a deadline (the account's timeout), so a stuck
	 * pinentry cannot hold the account's lock for ever, and no copy of the
	 * secret left in its buffers.
	 */
	out = command_run_secret((char **)argv, "password_command", account->timeout * 1000,
	    FETCH_SECRET_MAX, &local);
	if (out == NULL) {
		g_set_error(error, FETCH_ERROR, FETCH_ERROR_SECRET, "%s", local->message);
		g_error_free(local);
		return NULL;
	}
	nl = strpbrk(out, "\r\n");
	if (nl != NULL)
		OPENSSL_cleanse(nl, strlen(nl));
	if (out[0] == '\0') {
		g_set_error(error, FETCH_ERROR, FETCH_ERROR_SECRET,
		    "password_command printed no password");
		fetch_secret_free(out);
		return NULL;
	}
	return out;
}

void
fetch_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	g_free(secret);
}

const char *
fetch_error_word(const GError *error)
{
	static const char *const pop3_words[] = {
		[POP3_ERROR_IO] = "io",
		[POP3_ERROR_TIMEOUT] = "timeout",
		[POP3_ERROR_TLS] = "tls",
		[POP3_ERROR_INSECURE] = "insecure",
		[POP3_ERROR_PROTOCOL] = "protocol",
		[POP3_ERROR_AUTH] = "auth",
		[POP3_ERROR_IN_USE] = "in-use",
		[POP3_ERROR_LOGIN_DELAY] = "login-delay",
		[POP3_ERROR_SYS_TEMP] = "sys-temp",
		[POP3_ERROR_SYS_PERM] = "sys-perm",
		[POP3_ERROR_SERVER] = "server",
		[POP3_ERROR_UNSUPPORTED] = "unsupported",
		[POP3_ERROR_ABORT] = "abort",
	};

	if (error == NULL)
		return "io";
	if (error->domain == POP3_ERROR && error->code >= 0 &&
	    (size_t)error->code < G_N_ELEMENTS(pop3_words) && pop3_words[error->code] != NULL)
		return pop3_words[error->code];
	if (error->domain == FETCH_ERROR)
		return error->code == FETCH_ERROR_LOCK ? "lock" :
		    error->code == FETCH_ERROR_SECRET ? "config" : "store";
	return "store";
}

/* The pop3_open options for ACCOUNT. */
static void
fetch_open_options(const struct account_config *account, bool pipelining, pop3_trace_fn trace,
    void *trace_data, volatile sig_atomic_t *abort, struct pop3_open_options *o)
{
	memset(o, 0, sizeof *o);
	o->host = account->host;
	o->port = account->port;
	o->tls = account->tls;
	o->ca_file = account->ca_file;
	o->fingerprint = account->fingerprint;
	o->timeout = account->timeout;
	o->pipelining = pipelining;
	o->trace = trace;
	o->trace_data = trace_data;
	o->abort = abort;
}

/* Connect and log in; the secret lives only as long as this call. */
static struct pop3_session *
fetch_connect(struct fetch_run *run, GError **error)
{
	const struct account_config *a = run->account;
	const struct fetch_observer *o = run->options->observer;
	struct pop3_open_options opts;
	struct pop3_session *s;
	const struct pop3_caps *caps;
	char *secret;
	bool ok;

	fetch_open_options(a, run->options->pipelining, run->options->trace,
	    run->options->trace_data, run->options->abort, &opts);
	s = pop3_open(&opts, error);
	if (s == NULL)
		return NULL;
	caps = pop3_caps(s);
	if (caps->login_delay > 0 && o != NULL && o->login_delay != NULL)
		o->login_delay(o->data, a->name, caps->login_delay);
	if (a->keep && caps->expire == 0)
		fetch_warn(run, "the server says EXPIRE 0: it may delete mail once fetched, "
				"although keep = true");
	else if (a->keep && caps->expire > 0 && a->delete_after_days == 0)
		fetch_warn(run, "the server deletes mail %d days after it is fetched (EXPIRE %d)",
		    caps->expire, caps->expire);
	secret = fetch_secret(a, error);
	if (secret == NULL) {
		pop3_session_free(s);
		return NULL;
	}
	ok = pop3_login(s, a->auth, a->user, secret, a->tls == POP3_TLS_NONE, error);
	fetch_secret_free(secret);
	if (!ok) {
		pop3_session_free(s);
		return NULL;
	}
	return s;
}

/* Add the UIDLs of messages expunged here to what is known (they are not fetched again). */
static bool
fetch_load_gone(struct fetch_run *run, GError **error)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	guint i;

	if (!index_gone_list(run->idx, run->account->name, gone, error)) {
		g_ptr_array_free(gone, TRUE);
		return false;
	}
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);
		struct fetch_known *k;

		/* Still stored (moved to the trash): a DELE may be queued all the same. */
		if ((k = g_hash_table_lookup(run->known, g->uidl)) != NULL) {
			k->dele = k->dele || g->dele;
			continue;
		}
		k = g_new0(struct fetch_known, 1);
		k->arrival = g->arrival;
		k->stored = true;
		k->gone = true;
		k->dele = g->dele;
		g_hash_table_replace(run->known, g_strdup(g->uidl), k);
	}
	g_ptr_array_free(gone, TRUE);
	return true;
}

/* One row of index_account_uidls into the known UIDLs. */
static void
fetch_known_add(const struct index_uidl_row *row, void *data)
{
	struct fetch_run *run = data;
	struct fetch_known *k = g_new0(struct fetch_known, 1);

	k->id = row->id;
	k->arrival = row->arrival;
	k->partial = row->partial;
	k->stored = row->state == INDEX_STATE_STORED;
	g_hash_table_replace(run->known, g_strdup(row->uidl), k);
}

/*
 * Load what the index knows of the account's UIDLs: five columns of each row,
 * and the whole row only of the partial ones, which --rest completes.
 */
static bool
fetch_load_known(struct fetch_run *run, GError **error)
{
	GHashTableIter iter;
	gpointer uidl, value;

	if (!index_account_uidls(run->idx, run->account->name, fetch_known_add, run, error))
		return false;
	g_hash_table_iter_init(&iter, run->known);
	while (g_hash_table_iter_next(&iter, &uidl, &value)) {
		const struct fetch_known *k = value;
		struct index_message *m;
		GError *local = NULL;

		if (!k->partial)
			continue;
		m = g_new0(struct index_message, 1);
		if (!index_get(run->idx, k->id, m, &local)) {
			index_message_free(m);
			/* Gone since (another process expunged it): nothing to complete. */
			if (local == NULL)
				continue;
			g_propagate_error(error, local);
			return false;
		}
		g_hash_table_replace(run->rows, g_strdup(uidl), m);
	}
	return fetch_load_gone(run, error);
}

/*
 * The pop3_msg of message NUM, or NULL when the server did not list it.
 * The number is the key, never the position: a listing may skip numbers
 * (pop3_uidl and pop3_list leave MSGS in number order).
 */
static struct pop3_msg *
fetch_msg(struct fetch_run *run, unsigned int num)
{
	guint lo = 0, hi = run->msgs->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, mid);

		if (m->num == num)
			return m;
		if (m->num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Make the queued messages durable, and say so (store thread). */
static bool
fetch_commit(struct fetch_run *run, GError **error)
{
	size_t n = deliver_pending(run->deliver);

	if (n == 0)
		return true;
	if (!deliver_commit(run->deliver, NULL, error))
		return false;
	run->stored += (unsigned int)n;
	run->batch_bytes = 0;
	fetch_observe_stored(run);
	return true;
}

/*
 * Write one message (store thread): index a new one written whole by the
 * network thread, finish and index a large one it streamed, or put one in
 * place of its headers-only copy (--rest).
 */
static bool
fetch_store_item(struct fetch_run *run, struct fetch_item *item, GError **error)
{
	struct deliver_stream *stream = item->stream;
	bool ok;

	item->stream = NULL;
	if (item->written) {
		ok = deliver_add_written(run->deliver, stream, item->uidl, item->partial,
		    &item->summary, error);
	} else if (stream != NULL && !deliver_stream_finish(stream, error)) {
		deliver_stream_discard(stream);
		return false;
	} else if (item->row != NULL) {
		ok = stream != NULL ? deliver_replace_stream(run->deliver, item->row, stream, error) :
		    deliver_replace(run->deliver, item->row, item->buf, item->len, error);
		if (!ok)
			return false;
		run->stored++;
		fetch_observe_stored(run);
		return true;
	} else {
		ok = deliver_add_stream(run->deliver, stream, item->uidl, item->partial, error);
	}
	if (!ok)
		return false;
	run->batch_bytes += item->len;
	if (deliver_pending(run->deliver) >= FETCH_BATCH_MESSAGES ||
	    run->batch_bytes >= FETCH_BATCH_BYTES)
		return fetch_commit(run, error);
	return true;
}

static void
fetch_item_free(struct fetch_item *item)
{
	deliver_summary_clear(&item->summary);
	deliver_stream_discard(item->stream);
	g_free(item->buf);
	g_free(item->uidl);
	g_free(item);
}

/* The store thread: write what arrives, commit in batches and when idle. */
static gpointer
fetch_store_main(gpointer data)
{
	struct fetch_run *run = data;
	struct fetch_store *st = &run->store;
	GError *error = NULL;

	for (;;) {
		struct fetch_item *item = g_async_queue_timeout_pop(st->queue, FETCH_IDLE_COMMIT_US);
		bool ok = true, end = false;

		if (item == NULL) {
			ok = fetch_commit(run, &error);
		} else if (item == &fetch_end) {
			end = true;
			ok = fetch_commit(run, &error);
			if (ok)
				break;
		} else {
			bool failed;

			g_mutex_lock(&st->lock);
			failed = st->failed;
			g_mutex_unlock(&st->lock);
			/* After a failure, drain the queue without writing. */
			if (!failed)
				ok = fetch_store_item(run, item, &error);
			g_mutex_lock(&st->lock);
			st->in_flight -= item->held;
			st->in_flight_items--;
			g_cond_broadcast(&st->room);
			g_mutex_unlock(&st->lock);
			fetch_item_free(item);
		}
		if (!ok) {
			g_mutex_lock(&st->lock);
			if (!st->failed) {
				st->failed = true;
				st->error = error;
				error = NULL;
			}
			g_cond_broadcast(&st->room);
			g_mutex_unlock(&st->lock);
			g_clear_error(&error);
			/* Keep draining until the end marker, unless it was this one. */
			while (!end && (item = g_async_queue_pop(st->queue)) != &fetch_end) {
				g_mutex_lock(&st->lock);
				st->in_flight -= item->held;
				st->in_flight_items--;
				g_cond_broadcast(&st->room);
				g_mutex_unlock(&st->lock);
				fetch_item_free(item);
			}
			break;
		}
	}
	return NULL;
}

static void
fetch_store_start(struct fetch_run *run)
{
	struct fetch_store *st = &run->store;

	g_mutex_init(&st->lock);
	g_cond_init(&st->room);
	st->queue = g_async_queue_new();
	st->thread = g_thread_new("surat-store", fetch_store_main, run);
}

/* Wait for the store thread to write everything; false if it failed. */
static bool
fetch_store_finish(struct fetch_run *run, GError **error)
{
	struct fetch_store *st = &run->store;
	bool ok = true;

	if (st->thread == NULL)
		return true;
	g_async_queue_push(st->queue, &fetch_end);
	g_thread_join(st->thread);
	st->thread = NULL;
	if (st->failed) {
		if (error != NULL && *error == NULL)
			g_propagate_error(error, st->error);
		else
			g_clear_error(&st->error);
		st->error = NULL;
		ok = false;
	}
	g_async_queue_unref(st->queue);
	g_cond_clear(&st->room);
	g_mutex_clear(&st->lock);
	return ok;
}

/* The memory a summary holds, near enough: its text and its longest header fields. */
static size_t
fetch_summary_bytes(const struct deliver_summary *summary)
{
	const struct index_message *m = &summary->msg;
	const char *const texts[] = { summary->body_text, m->subject, m->from, m->from_addr, m->to,
		m->to_addr, m->cc, m->cc_addr, m->references, m->message_id, m->in_reply_to };
	size_t bytes = sizeof *summary;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(texts); i++)
		bytes += texts[i] != NULL ? strlen(texts[i]) + 1 : 0;
	return bytes;
}

/*
 * Hand a received message to the store thread (network thread): LEN bytes
 * at BUF, or STREAM, a large message already written to a tmp file (taken,
 * also on failure).  A new message in memory is parsed for its index row
 * and written to its tmp file here, while the server sends the next one, so
 * the store thread only writes rows and what waits between the threads is
 * the rows' text, not the messages.  For --rest (ROW) the bytes are copied:
 * deliver_replace writes and syncs its file alone.
 */
static bool
fetch_queue(struct fetch_run *run, const char *buf, size_t len, struct deliver_stream *stream,
    const char *uidl, bool partial, const struct index_message *row, GError **error)
{
	struct fetch_store *st = &run->store;
	struct deliver_summary summary = { 0 };
	struct fetch_item *item;
	bool written = false;
	size_t held = 0;

	if (row == NULL && stream == NULL) {
		deliver_summarize(buf, len, (const char *const *)run->config->charset_fallbacks,
		    &summary);
		held = fetch_summary_bytes(&summary);
		stream = deliver_stream_open_batched(run->deliver, error);
		if (stream == NULL || !deliver_stream_write(stream, buf, len, error)) {
			deliver_summary_clear(&summary);
			deliver_stream_discard(stream);
			return false;
		}
		written = true;
	} else if (stream == NULL) {
		held = len;
	}
	g_mutex_lock(&st->lock);
	while (!st->failed && st->in_flight_items > 0 &&
	    (st->in_flight + held > FETCH_IN_FLIGHT_MAX ||
		st->in_flight_items >= FETCH_IN_FLIGHT_ITEMS))
		g_cond_wait(&st->room, &st->lock);
	if (st->failed) {
		g_set_error(error, FETCH_ERROR, FETCH_ERROR_STORE, "%s", st->error->message);
		g_mutex_unlock(&st->lock);
		deliver_summary_clear(&summary);
		deliver_stream_discard(stream);
		return false;
	}
	st->in_flight += held;
	st->in_flight_items++;
	g_mutex_unlock(&st->lock);
	item = g_new0(struct fetch_item, 1);
	item->buf = stream != NULL ? NULL : g_memdup2(buf, len);
	item->stream = stream;
	item->written = written;
	item->len = len;
	item->held = held;
	item->uidl = g_strdup(uidl);
	item->partial = partial;
	item->row = row;
	item->summary = summary;
	g_async_queue_push(st->queue, item);
	return true;
}

/*
 * A piece of message NUM (pop3_piece_fn): whole or headers-only (PARTIAL),
 * or for --rest the rest of ROW.  A message that comes in one piece is
 * queued from memory; a larger one is written to a tmp file piece by piece
 * (deliver_stream), so no message is ever held whole: the memory a fetch
 * needs does not grow with the largest message.
 */
static bool
fetch_piece(struct fetch_run *run, unsigned int num, const char *buf, size_t len, bool last,
    bool partial, bool rest, GError **error)
{
	const struct fetch_observer *o = run->options->observer;
	struct pop3_msg *m = fetch_msg(run, num);
	const struct index_message *row = NULL;
	struct deliver_stream *stream;
	size_t size;

	if (m == NULL || m->uidl == NULL ||
	    (rest && (row = g_hash_table_lookup(run->rows, m->uidl)) == NULL)) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "the server sent message %u, which %s", num,
		    rest ? "was not asked for" : "it did not list");
		return false;
	}
	if (run->stream == NULL && !last) {
		run->stream = deliver_stream_open(run->deliver, row, error);
		if (run->stream == NULL)
			return false;
	}
	if (run->stream != NULL && !deliver_stream_write(run->stream, buf, len, error))
		return false;
	if (!last)
		return true;
	stream = run->stream;
	run->stream = NULL;
	size = stream != NULL ? deliver_stream_size(stream) : len;
	run->received++;
	if (o != NULL && o->message != NULL)
		o->message(o->data, run->account->name, run->received, size);
	return fetch_queue(run, buf, len, stream, m->uidl, partial, row, error);
}

/* RETR callback: a whole message. */
static bool
fetch_on_message(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	return fetch_piece(data, num, buf, len, last, false, false, error);
}

/* TOP n 0 callback: the headers of a message over max_size. */
static bool
fetch_on_top(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	return fetch_piece(data, num, buf, len, last, true, false, error);
}

/* RETR callback for --rest: the whole of a message stored headers-only. */
static bool
fetch_on_rest(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	return fetch_piece(data, num, buf, len, last, false, true, error);
}

/* After RETR or TOP: a message cut off by an error is not delivered. */
static void
fetch_pieces_end(struct fetch_run *run)
{
	deliver_stream_discard(run->stream);
	run->stream = NULL;
}

/*
 * TOP (or RETR) callback when the server has no UIDL: name the message by
 * a digest of its header block, the bytes up to the first empty line (TOP
 * n 0 may add an empty body line), hashed piece by piece as they come.
 */
static bool
fetch_on_headers(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	struct fetch_run *run = data;
	struct pop3_msg *m = fetch_msg(run, num);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;
	const char *end;
	size_t head = len;
	GString *uidl;

	if (m == NULL) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "the server sent message %u, which it did not list", num);
		return false;
	}
	if (run->head_md == NULL) {
		run->head_md = EVP_MD_CTX_new();
		if (run->head_md == NULL || !EVP_DigestInit_ex(run->head_md, EVP_sha256(), NULL))
			goto digest_failed;
		run->head_done = false;
		run->head_nl = false;
	}
	if (!run->head_done && len > 0) {
		if (run->head_nl && buf[0] == '\n') {
			head = 0;
			run->head_done = true;
		} else if ((end = memmem(buf, len, "\n\n", 2)) != NULL) {
			head = (size_t)(end - buf) + 1;
			run->head_done = true;
		}
		if (!EVP_DigestUpdate(run->head_md, buf, head))
			goto digest_failed;
		run->head_nl = buf[len - 1] == '\n';
	}
	if (!last)
		return true;
	if (!EVP_DigestFinal_ex(run->head_md, md, &md_len))
		goto digest_failed;
	EVP_MD_CTX_free(run->head_md);
	run->head_md = NULL;
	/*
	 * The headers' digest and the size: two different messages would need
	 * the same Received:, Message-ID: and Date: lines and the same length.
	 * The same key twice on one server (a message delivered twice) gets a
	 * suffix, so each copy is fetched and stored once.
	 */
	uidl = g_string_new("sha256-");
	for (i = 0; i < 20 && i < md_len; i++)
		g_string_append_printf(uidl, "%02x", md[i]);
	g_string_append_printf(uidl, "-%" G_GUINT64_FORMAT, m->size);
	for (i = 2; g_hash_table_contains(run->digests, uidl->str); i++) {
		char *base = g_strdup(uidl->str);
		char *dash = strrchr(base, '+');

		if (dash != NULL && i > 2)
			*dash = '\0';
		g_string_printf(uidl, "%s+%u", base, i);
		g_free(base);
	}
	g_hash_table_add(run->digests, g_strdup(uidl->str));
	g_free(m->uidl);
	m->uidl = g_string_free(uidl, FALSE);
	return true;
digest_failed:
	g_set_error(error, FETCH_ERROR, FETCH_ERROR_STORE, "cannot compute a digest");
	return false;
}

/*
 * Give each message a UIDL: the server's, or without UIDL support a digest
 * of its headers (the same message gives the same digest every time).
 */
static bool
fetch_uidls(struct fetch_run *run, GError **error)
{
	GError *local = NULL;
	unsigned int *nums;
	guint i;
	bool ok;

	/* Sizes (LIST) are read later, and only when something is to be fetched. */
	if (pop3_uidl(run->session, run->msgs, &local))
		return true;
	if (!g_error_matches(local, POP3_ERROR, POP3_ERROR_UNSUPPORTED)) {
		g_propagate_error(error, local);
		return false;
	}
	g_clear_error(&local);
	if (!pop3_list(run->session, run->msgs, error))
		return false;
	run->listed = true;
	run->digest_uidls = true;
	fetch_warn(run, "the server has no UIDL: messages are recognised by a digest of their "
			"headers");
	nums = g_new(unsigned int, run->msgs->len);
	for (i = 0; i < run->msgs->len; i++)
		nums[i] = g_array_index(run->msgs, struct pop3_msg, i).num;
	ok = pop3_top_pieces(run->session, nums, run->msgs->len, 0, fetch_on_headers, run, &local);
	if (!ok && g_error_matches(local, POP3_ERROR, POP3_ERROR_UNSUPPORTED)) {
		/* No TOP either: the whole message gives the headers (hashed as it passes). */
		g_clear_error(&local);
		EVP_MD_CTX_free(run->head_md);
		run->head_md = NULL;
		ok = pop3_retr_pieces(run->session, nums, run->msgs->len, fetch_on_headers, run,
		    &local);
	}
	EVP_MD_CTX_free(run->head_md);
	run->head_md = NULL;
	g_free(nums);
	if (!ok)
		g_propagate_error(error, local);
	return ok;
}

/*
 * LIST the sizes, but only when some UIDL is new (KNOWN lacks it) or, for
 * --rest, wanted: a run with nothing to fetch sends no LIST at all.
 */
static bool
fetch_list_if_new(struct fetch_run *run, GHashTable *known, GError **error)
{
	guint i;

	if (run->listed)
		return true;
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl != NULL && (known == run->known ?
		    !g_hash_table_contains(known, m->uidl) : g_hash_table_contains(known, m->uidl)))
			break;
	}
	if (i == run->msgs->len)
		return true;
	run->listed = true;
	return pop3_list(run->session, run->msgs, error);
}

/* Fetch what is new: whole messages, or headers only above max_size. */
static bool
fetch_new(struct fetch_run *run, GError **error)
{
	const struct fetch_observer *o = run->options->observer;
	GArray *whole = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	GArray *heads = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	uint64_t bytes = 0;
	bool ok = true;
	guint i;

	if (!fetch_list_if_new(run, run->known, error)) {
		g_array_free(whole, TRUE);
		g_array_free(heads, TRUE);
		return false;
	}
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl == NULL || g_hash_table_contains(run->known, m->uidl))
			continue;
		bytes += m->size;
		if (run->account->max_size > 0 && m->size > (uint64_t)run->account->max_size)
			g_array_append_val(heads, m->num);
		else
			g_array_append_val(whole, m->num);
	}
	if (o != NULL && o->start != NULL)
		o->start(o->data, run->account->name, whole->len + heads->len, bytes);
	if (whole->len > 0)
		ok = pop3_retr_pieces(run->session, (unsigned int *)(void *)whole->data,
		    whole->len, fetch_on_message, run, error);
	fetch_pieces_end(run);
	if (ok && heads->len > 0) {
		GError *local = NULL;

		ok = pop3_top_pieces(run->session, (unsigned int *)(void *)heads->data,
		    heads->len, 0, fetch_on_top, run, &local);
		fetch_pieces_end(run);
		if (!ok && g_error_matches(local, POP3_ERROR, POP3_ERROR_UNSUPPORTED)) {
			/* Without TOP there is no headers-only: fetch them whole. */
			g_clear_error(&local);
			fetch_warn(run, "the server has no TOP: messages over max_size are "
					"fetched whole");
			ok = pop3_retr_pieces(run->session, (unsigned int *)(void *)heads->data,
			    heads->len, fetch_on_message, run, &local);
			fetch_pieces_end(run);
		}
		if (!ok)
			g_propagate_error(error, local);
	}
	g_array_free(whole, TRUE);
	g_array_free(heads, TRUE);
	return ok;
}

/* Fetch the rest of every message stored headers-only. */
static bool
fetch_rest(struct fetch_run *run, GError **error)
{
	const struct fetch_observer *o = run->options->observer;
	GArray *nums = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	uint64_t bytes = 0;
	unsigned int missing;
	bool ok = true;
	guint i;

	if (!fetch_list_if_new(run, run->rows, error)) {
		g_array_free(nums, TRUE);
		return false;
	}
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl != NULL && g_hash_table_contains(run->rows, m->uidl)) {
			g_array_append_val(nums, m->num);
			bytes += m->size;
		}
	}
	/* UIDLs are unique on both sides: the rows not found are the rest. */
	missing = g_hash_table_size(run->rows) - nums->len;
	if (missing > 0)
		fetch_warn(run, "%u headers-only message%s no longer on the server", missing,
		    missing == 1 ? " is" : "s are");
	if (o != NULL && o->start != NULL)
		o->start(o->data, run->account->name, nums->len, bytes);
	if (nums->len > 0)
		ok = pop3_retr_pieces(run->session, (unsigned int *)(void *)nums->data,
		    nums->len, fetch_on_rest, run, error);
	fetch_pieces_end(run);
	g_array_free(nums, TRUE);
	return ok;
}

/* DELE what policy allows: only messages durably stored, never partial ones. */
static bool
fetch_delete(struct fetch_run *run, GError **error)
{
	const struct account_config *a = run->account;
	GArray *nums = g_array_new(FALSE, FALSE, sizeof(unsigned int));
	int64_t cutoff = (int64_t)time(NULL) - (int64_t)a->delete_after_days * 86400;
	bool ok = true;
	guint i;

	if (a->keep && a->delete_after_days == 0 && !a->delete_on_server_when_deleted)
		goto out;
	/*
	 * What this run stored is in the index now; read it again when policy
	 * may delete it.  (Expunged UIDLs were loaded at the start; none came since.)
	 */
	if (!a->keep || a->delete_after_days > 0) {
		g_hash_table_remove_all(run->known);
		g_hash_table_remove_all(run->rows);
		if (!fetch_load_known(run, error)) {
			ok = false;
			goto out;
		}
	}
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);
		const struct fetch_known *k;

		if (m->uidl == NULL || (k = g_hash_table_lookup(run->known, m->uidl)) == NULL)
			continue;
		/* Stored whole, or stored once and deleted here since. */
		if (!(k->stored && !k->partial) && !k->gone && !k->dele)
			continue;
		/* Expunged here "until I delete them": its DELE was queued then. */
		if (a->keep && !(k->dele && a->delete_on_server_when_deleted) &&
		    (a->delete_after_days == 0 || k->arrival > cutoff))
			continue;
		g_array_append_val(nums, m->num);
		g_ptr_array_add(run->deleled, m->uidl);
	}
	if (nums->len > 0)
		ok = pop3_dele_many(run->session, (unsigned int *)(void *)nums->data, nums->len, error);
	if (ok)
		run->deleted = nums->len;
	else
		g_ptr_array_set_size(run->deleled, 0);
out:
	g_array_free(nums, TRUE);
	return ok;
}

/*
 * After QUIT: forget the expunged UIDLs the server no longer has (DELE'd
 * now, or gone by other means), so the list does not grow for ever.  Only a
 * committed QUIT may do this: before it, the server still has them all.
 */
static bool
fetch_forget_gone(struct fetch_run *run, GError **error)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	GPtrArray *forget = g_ptr_array_new();
	GHashTable *on_server = g_hash_table_new(g_str_hash, g_str_equal);
	bool ok = false;
	guint i;

	if (!index_gone_list(run->idx, run->account->name, gone, error))
		goto out;
	for (i = 0; i < run->msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, i);

		if (m->uidl != NULL)
			g_hash_table_add(on_server, m->uidl);
	}
	for (i = 0; i < run->deleled->len; i++)
		g_hash_table_remove(on_server, g_ptr_array_index(run->deleled, i));
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);

		if (!g_hash_table_contains(on_server, g->uidl))
			g_ptr_array_add(forget, g->uidl);
	}
	ok = index_gone_forget(run->idx, run->account->name, (const char *const *)forget->pdata,
	    forget->len, error);
out:
	g_hash_table_unref(on_server);
	g_ptr_array_free(forget, TRUE);
	g_ptr_array_free(gone, TRUE);
	return ok;
}

/* The local half of getting ready: the index, recovery, the known UIDLs. */
struct fetch_local {
	struct fetch_run *run;
	const char *path;
	bool ok;
	GError *error;
};

/* Thread: open the index, settle unfinished deliveries, load the UIDLs. */
static gpointer
fetch_local_main(gpointer data)
{
	struct fetch_local *local = data;
	struct fetch_run *run = local->run;

	run->idx = index_open(local->path, &local->error);
	if (run->idx != NULL && !index_set_cache_kb(run->idx, FETCH_INDEX_CACHE_KB, &local->error)) {
		local->ok = false;
		return NULL;
	}
	/* Recovery first: what a crash left half-done is settled before UIDLs are compared. */
	if (run->idx != NULL)
		run->deliver = deliver_open(run->idx, run->account->name, run->account->maildir,
		    (const char *const *)run->config->charset_fallbacks, &local->error);
	local->ok = run->deliver != NULL && fetch_load_known(run, &local->error);
	return NULL;
}

bool
fetch_account(const struct surat_config *config, const struct account_config *account,
    const struct fetch_options *options, GError **error)
{
	struct fetch_run run;
	char *index_path = NULL;
	unsigned int count = 0;
	uint64_t size = 0;
	struct fetch_local local = { 0 };
	GThread *local_thread;
	int lock = -1;
	bool ok = false, fetched;

	memset(&run, 0, sizeof run);
	run.config = config;
	run.account = account;
	run.options = options;
	run.msgs = g_array_new(FALSE, TRUE, sizeof(struct pop3_msg));
	g_array_set_clear_func(run.msgs, (GDestroyNotify)pop3_msg_clear);
	run.known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	run.rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)index_message_free);
	run.deleled = g_ptr_array_new();
	run.digests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!store_maildir_create(account->maildir, error))
		goto out;
	lock = fetch_lock(account, options->abort, error);
	if (lock < 0)
		goto out;
	index_path = g_build_filename(config->store, "index.db", NULL);
	/*
	 * The index is opened, recovered and read on a thread while this one
	 * connects and logs in: neither waits for the other.
	 */
	local.run = &run;
	local.path = index_path;
	local_thread = g_thread_new("surat-index", fetch_local_main, &local);
	if (!fetch_aborted(&run, error))
		run.session = fetch_connect(&run, error);
	g_thread_join(local_thread);
	if (run.session == NULL) {
		g_clear_error(&local.error);
		goto out;
	}
	if (!local.ok) {
		g_propagate_error(error, local.error);
		goto out;
	}
	if (!pop3_stat(run.session, &count, &size, error))
		goto out;
	if (count > 0 && !fetch_uidls(&run, error))
		goto out;
	fetch_store_start(&run);
	fetched = options->rest ? fetch_rest(&run, error) : fetch_new(&run, error);
	/* Whatever arrived complete is stored, even after an error or abort. */
	if (!fetch_store_finish(&run, fetched ? error : NULL) || !fetched)
		goto out;
	if (fetch_aborted(&run, error))
		goto out;
	if (!options->rest && !fetch_delete(&run, error))
		goto out;
	if (!pop3_quit(run.session, error))
		goto out;
	if (!fetch_forget_gone(&run, error))
		goto out;
	if (run.deleted > 0 && options->observer != NULL && options->observer->deleted != NULL)
		options->observer->deleted(options->observer->data, account->name, run.deleted);
	ok = true;
out:
	if (options->fetched != NULL)
		*options->fetched = run.stored;
	if (options->deleted != NULL)
		*options->deleted = ok ? run.deleted : 0;
	/* Without QUIT (error or abort) the server rolls back every DELE. */
	fetch_store_finish(&run, NULL);
	pop3_session_free(run.session);
	/* Messages received but not committed are dropped; the next run gets them. */
	deliver_free(run.deliver);
	index_free(run.idx);
	if (lock >= 0)
		close(lock);
	g_free(index_path);
	g_ptr_array_free(run.deleled, TRUE);
	g_hash_table_destroy(run.digests);
	g_hash_table_destroy(run.rows);
	g_hash_table_destroy(run.known);
	g_array_free(run.msgs, TRUE);
	return ok;
}

/* Append one "name: value" line to OUT. */
static void
fetch_info_line(GString *out, const char *name, const char *value)
{
	char *clean = sanitize_text(value != NULL ? value : "", -1, 0);

	g_string_append_printf(out, "%-16s %s\n", name, clean);
	g_free(clean);
}

bool
fetch_serverinfo(const struct account_config *account, bool login, pop3_trace_fn trace,
    void *trace_data, GString *out, GError **error)
{
	struct pop3_open_options opts;
	const struct pop3_caps *caps;
	const struct pop3_tls_info *tls;
	struct pop3_session *s;
	GString *list;
	char *secret, *text;
	bool ok = true;
	int i;

	fetch_open_options(account, true, trace, trace_data, NULL, &opts);
	s = pop3_open(&opts, error);
	if (s == NULL)
		return false;
	caps = pop3_caps(s);
	text = g_strdup_printf("%s:%d (%s)", account->host, account->port,
	    config_tls_name(account->tls));
	fetch_info_line(out, "server", text);
	g_free(text);
	fetch_info_line(out, "greeting", pop3_greeting(s));
	tls = pop3_tls_info(s);
	if (tls != NULL) {
		text = g_strdup_printf("%s, %s", tls->protocol, tls->cipher);
		fetch_info_line(out, "tls", text);
		g_free(text);
		fetch_info_line(out, "subject", tls->subject);
		fetch_info_line(out, "issuer", tls->issuer);
		text = g_strdup_printf("%s to %s", tls->not_before, tls->not_after);
		fetch_info_line(out, "valid", text);
		g_free(text);
		fetch_info_line(out, "fingerprint", tls->fingerprint);
	} else {
		fetch_info_line(out, "tls", "none: the connection is not encrypted");
	}
	if (!caps->capa) {
		fetch_info_line(out, "capabilities", "(the server does not answer CAPA)");
	} else {
		list = g_string_new(NULL);
		if (caps->user)
			g_string_append(list, "USER ");
		if (caps->top)
			g_string_append(list, "TOP ");
		if (caps->uidl)
			g_string_append(list, "UIDL ");
		if (caps->pipelining)
			g_string_append(list, "PIPELINING ");
		if (caps->resp_codes)
			g_string_append(list, "RESP-CODES ");
		if (caps->auth_resp_code)
			g_string_append(list, "AUTH-RESP-CODE ");
		/* After STLS the server no longer lists it, but it was offered. */
		if (caps->stls || account->tls == POP3_TLS_STARTTLS)
			g_string_append(list, "STLS ");
		if (caps->utf8)
			g_string_append(list, "UTF8 ");
		fetch_info_line(out, "capabilities", g_strstrip(list->str));
		g_string_truncate(list, 0);
		for (i = 0; caps->sasl != NULL && caps->sasl[i] != NULL; i++)
			g_string_append_printf(list, "%s%s", i > 0 ? " " : "", caps->sasl[i]);
		fetch_info_line(out, "sasl", list->len > 0 ? list->str : "(none)");
		g_string_free(list, TRUE);
		fetch_info_line(out, "implementation", caps->implementation != NULL ?
		    caps->implementation : "(not given)");
		text = caps->login_delay >= 0 ?
		    g_strdup_printf("%d s between logins", caps->login_delay) :
		    g_strdup("(not given)");
		fetch_info_line(out, "login-delay", text);
		g_free(text);
		text = caps->expire == POP3_EXPIRE_NONE ? g_strdup("(not given)") :
		    caps->expire == POP3_EXPIRE_NEVER ? g_strdup("never: mail stays on the server") :
		    caps->expire == 0 ? g_strdup("0: mail may be deleted once fetched") :
		    g_strdup_printf("%d days after it is fetched", caps->expire);
		fetch_info_line(out, "expire", text);
		g_free(text);
	}
	if (login) {
		secret = fetch_secret(account, error);
		ok = secret != NULL &&
		    pop3_login(s, account->auth, account->user, secret,
			account->tls == POP3_TLS_NONE, error);
		fetch_secret_free(secret);
		if (ok) {
			unsigned int count = 0;
			uint64_t size = 0;

			fetch_info_line(out, "login", pop3_auth_used(s));
			if (pop3_stat(s, &count, &size, error)) {
				text = g_strdup_printf("%u messages, %" G_GUINT64_FORMAT " bytes", count,
				    size);
				fetch_info_line(out, "mailbox", text);
				g_free(text);
				ok = pop3_quit(s, error);
			} else {
				ok = false;
			}
		}
	}
	pop3_session_free(s);
	return ok;
}
