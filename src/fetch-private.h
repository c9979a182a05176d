/*
 * fetch-private: what the files of one account's fetch share (fetch.c: the
 * order of a run, the connection, the UIDLs and the messages as they
 * arrive; fetch-plan.c: what to fetch, DELE and forget; fetch-store.c: the
 * store thread and the queue to it).  Only src/fetch*.c include it.
 */
#ifndef SURAT_FETCH_PRIVATE_H
#define SURAT_FETCH_PRIVATE_H

#include <openssl/evp.h>

#include "surat/deliver.h"
#include "surat/fetch.h"
#include "surat/index.h"

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
	GHashTable *rows;       /* uidl -> struct index_message *: --rest, the partial rows listed */
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

/* fetch.c */

/* Tell the observer about something that works but is unwise. */
void fetch_warn(struct fetch_run *run, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * pop3_piece_fn callbacks, DATA the run: a whole message (RETR), the
 * headers of one over max_size (TOP n 0), and for --rest the whole of a
 * message stored headers-only.
 */
bool fetch_on_message(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error);
bool fetch_on_top(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error);
bool fetch_on_rest(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error);

/* After RETR or TOP: a message cut off by an error is not delivered. */
void fetch_pieces_end(struct fetch_run *run);

/* fetch-plan.c */

/* Load what the index knows of the account's UIDLs into KNOWN. */
bool fetch_plan_load_known(struct fetch_run *run, GError **error);

/*
 * --rest, before the store thread starts: the whole rows of the
 * headers-only messages the server lists into ROWS (their files are
 * completed in place).  Only those: a store of 200,000 headers-only
 * messages costs no memory for the ones the server no longer has.
 */
bool fetch_plan_load_rest(struct fetch_run *run, GError **error);

/* Fetch what is new: whole messages, or headers only above max_size. */
bool fetch_plan_new(struct fetch_run *run, GError **error);

/* Fetch the rest of every message stored headers-only (--rest). */
bool fetch_plan_rest(struct fetch_run *run, GError **error);

/* DELE what policy allows: only messages durably stored, never partial ones. */
bool fetch_plan_delete(struct fetch_run *run, GError **error);

/* After QUIT: forget the expunged UIDLs the server no longer has. */
bool fetch_plan_forget_gone(struct fetch_run *run, GError **error);

/* fetch-store.c */

/* Start the store thread. */
void fetch_store_start(struct fetch_run *run);

/* Wait for the store thread to write everything; false if it failed. */
bool fetch_store_finish(struct fetch_run *run, GError **error);

/*
 * Hand a received message to the store thread (network thread): LEN bytes
 * at BUF, or STREAM, a large message already in a tmp file (taken, also on
 * failure); ROW for --rest.  Waits while the queue is full.
 */
bool fetch_store_queue(struct fetch_run *run, const char *buf, size_t len,
    struct deliver_stream *stream, const char *uidl, bool partial,
    const struct index_message *row, GError **error);

#endif
