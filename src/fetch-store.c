/*
 * fetch-store: the store thread of one account's fetch and the queue the
 * network thread hands it received messages through (fetch-private.h).
 * The network thread parses a message and writes it to its tmp file
 * (fetch_store_queue); the store thread writes its row and makes the
 * batch durable (deliver.c), every so many messages or bytes and whenever
 * the network is quiet, so the index's work overlaps with the network.
 * What waits between the two is bounded: the network waits for room.
 */
#include "fetch-private.h"

#include <string.h>

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

static struct fetch_item fetch_end;

static void
fetch_observe_stored(struct fetch_run *run)
{
	const struct fetch_observer *o = run->options->observer;

	if (o != NULL && o->stored != NULL)
		o->stored(o->data, run->account->name, run->stored);
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

void
fetch_store_start(struct fetch_run *run)
{
	struct fetch_store *st = &run->store;

	g_mutex_init(&st->lock);
	g_cond_init(&st->room);
	st->queue = g_async_queue_new();
	st->thread = g_thread_new("surat-store", fetch_store_main, run);
}

/* Wait for the store thread to write everything; false if it failed. */
bool
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
bool
fetch_store_queue(struct fetch_run *run, const char *buf, size_t len,
    struct deliver_stream *stream, const char *uidl, bool partial,
    const struct index_message *row, GError **error)
{
	struct fetch_store *st = &run->store;
	struct deliver_summary summary = { 0 };
	struct fetch_item *item;
	bool written = false;
	size_t held = 0;

	if (row == NULL && stream == NULL) {
		deliver_summarize(buf, len, (const char *const *)run->config->charset_fallbacks,
		    false, &summary);
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
