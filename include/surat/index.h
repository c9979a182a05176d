/*
 * index: the SQLite index at <store>/index.db (WAL).  One row per message
 * with what the index pane shows and sorts by, plus an FTS5 table over
 * subject, from, to, cc and body text.  The schema is versioned with
 * PRAGMA user_version and migrated forward on open.
 *
 * The index knows rows only: it never opens a message file and never touches
 * the network.  It can always be rebuilt from the Maildirs (reindex.h); what
 * only the index holds (tags, thread links it can recompute, the undo log,
 * the UIDLs of expunged messages still on a server) is said where it is.
 *
 * Rows live in mailboxes: (account, folder), folder "" being the account's
 * inbox <store>/<account>/ and any other folder a Maildir++ subfolder
 * <store>/<account>/.<folder>/ (folder.h).
 *
 * Every list function takes a struct index_filter (which rows), an enum
 * index_sort and a direction, and reads only the rows it returns, so a screen
 * costs the same at 100 or 100,000 messages (doc/internals/store.md has the
 * figures).
 */
#ifndef SURAT_INDEX_H
#define SURAT_INDEX_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

#define INDEX_ERROR (index_error_quark())
GQuark index_error_quark(void);

enum index_error_code {
	INDEX_ERROR_DB,      /* SQLite failed; the message has sqlite3_errmsg */
	INDEX_ERROR_SCHEMA,  /* the file is newer than this surat or not an index */
	INDEX_ERROR_QUERY,   /* a search query SQLite could not use */
	INDEX_ERROR_CORRUPT, /* the file is damaged (truncated, garbage): rebuild it */
};

/*
 * 1: messages + FTS.  2: folders, Cc, tags, threads, sort keys, the undo log,
 * the moves journal and the UIDLs of expunged messages (the DELE queue).
 * 3: each mailbox's counts, kept by triggers; the bulk load's deferred
 * indexes.  4: the folders' times a store watch last found in step.  5:
 * an index of what a limit's count needs.  6: the bodies waiting to be
 * indexed (index_body_later).  7: the Outbox's envelopes.  8: the
 * address book the completion of addresses ranks (index_contacts_*).
 * 9: Sender and the list headers, for mutt's ~e and ~l.
 */
#define INDEX_SCHEMA_VERSION 9

/* Where a row is in its life (deliver.h and folder.h explain the order). */
enum index_state {
	INDEX_STATE_PENDING = 0,   /* written to tmp/, not yet renamed into new/ */
	INDEX_STATE_STORED = 1,    /* the file is in new/ or cur/ */
	INDEX_STATE_EXPUNGING = 2, /* being removed for good: never listed; folder_recover finishes it */
};

/*
 * One message as the index knows it.  Strings are owned by the struct.
 * The thread_* fields are filled by every read; thread_count, thread_unread
 * and thread_collapsed only by reads in INDEX_SORT_THREAD order (else 0).
 */
struct index_message {
	int64_t id;          /* rowid; 0 before insertion */
	char *account;       /* Maildir folder name under the store */
	char *subdir;        /* "new" or "cur" */
	char *base;          /* unique Maildir base name (no ":2,") */
	char *flags;         /* normalized Maildir flag letters */
	char *uidl;          /* POP3 UIDL, or NULL for mail from elsewhere */
	char *message_id;    /* without <>, or NULL */
	char *in_reply_to;   /* without <>, or NULL */
	char *references;    /* space-separated ids without <>, or NULL */
	int64_t date;        /* Date: as Unix time; arrival time when missing */
	int64_t arrival;     /* when the file arrived (its base name's time, or mtime) */
	char *from;          /* display form: name, else address; sanitized */
	char *from_addr;     /* address only */
	char *to;            /* display form of To:; sanitized */
	char *subject;       /* decoded, sanitized, one line */
	int64_t size;        /* file size in bytes */
	int64_t mtime;       /* file mtime, for incremental reindex */
	bool has_attachment;
	bool partial;        /* headers only; the rest is still on the server */
	enum index_state state;
	/* Schema 2. */
	char *folder;        /* "" (or NULL when writing): the inbox; else a local folder */
	char *cc;            /* display form of Cc:; sanitized; NULL reads as "" */
	char *to_addr;       /* the addresses of To:, space-separated (for search) */
	char *cc_addr;       /* the addresses of Cc:, space-separated (for search) */
	/*
	 * Schema 9, for ~e and ~l (written by index_put, not read back into
	 * views): Sender: as one line, and the List-Id (else List-Post) value;
	 * "" when the message has none, NULL when not known (rows written
	 * before schema 9: the patterns read the file for those).
	 */
	char *sender;
	char *list;
	bool tagged;         /* the user's tag (t, T, ;); kept by the index only */
	int64_t thread_id;   /* the thread: its smallest row id; 0 until threaded */
	int64_t thread_parent; /* row id of the parent message; 0 at the top or under a missing one */
	int thread_pos;      /* place in the thread's tree order, 0 first */
	int thread_depth;    /* columns of tree before the subject; 0 at the top */
	char *thread_tree;   /* thread_depth characters; thread.h says what each means */
	bool thread_subject_repeat; /* same subject as the row above it in the thread */
	int64_t thread_count;  /* INDEX_SORT_THREAD only: stored messages in the thread */
	int64_t thread_unread; /* INDEX_SORT_THREAD only: of those, without S */
	bool thread_collapsed; /* INDEX_SORT_THREAD only: this row stands for its collapsed thread */
};

/* Free the strings of MSG and zero it. */
void index_message_clear(struct index_message *msg);
/* Free a heap struct index_message (NULL is fine). */
void index_message_free(struct index_message *msg);

/* True when MSG's flags contain the letter FLAG. */
bool index_message_has_flag(const struct index_message *msg, char flag);

/*
 * Open or create the index at PATH, migrating an older schema forward (from
 * version 1 this rebuilds the tables once: a few seconds at 100,000
 * messages; rows from before version 2 have no Cc until `surat reindex`
 * parses them again, which the migration arranges).  Rows not yet threaded
 * are threaded before it returns.  The file is created mode 0600 (it holds
 * the text of every message; store_make_private fixes an older one).
 * Fails with INDEX_ERROR_SCHEMA when the file was written by a newer surat
 * or is another program's database, and with INDEX_ERROR_CORRUPT when it is
 * not a database or is damaged (truncated); the message says to run
 * `surat reindex`, which moves such a file aside (index_move_aside).
 */
struct index *index_open(const char *path, GError **error);
void index_free(struct index *idx);

/*
 * What the patterns that read a message's file (~h, ~e, ~l) call: the
 * header block of the message in ACCOUNT's FOLDER ("" the inbox) under
 * SUBDIR with base name BASE and FLAGS, its lines unfolded, "\n" between
 * them; a new string, or NULL when the file cannot be read (it matches
 * nothing).  The index knows no files; folder.h gives it this.
 */
typedef char *(*index_headers_fn)(const char *account, const char *folder, const char *subdir,
    const char *base, const char *flags, void *data);

/* Set IDX's reader of header blocks; FREE_DATA (may be NULL) frees DATA with IDX or the next call. */
void index_set_headers_reader(struct index *idx, index_headers_fn fn, void *data,
    GDestroyNotify free_data);

/*
 * The addresses ~p and ~P take as the user's own: ADDRESSES (NULL-ended;
 * compared without case) and ALTERNATES (a regular expression matched
 * against each address as written, as mutt's alternates: its own flags
 * say whether case counts; config_alternates makes it caseless; may be
 * NULL).  Copied.
 */
void index_set_own_addresses(struct index *idx, const char *const *addresses,
    const GRegex *alternates);

/* True when ERROR says the file at hand is no usable index (INDEX_ERROR_SCHEMA or _CORRUPT). */
bool index_error_is_unusable(const GError *error);

/*
 * Rename the index file PATH and its -wal and -shm files to
 * PATH.broken-YYYYMMDD-HHMMSS(-wal, -shm), so a new index can be built in
 * its place and nothing is destroyed.  *MOVED_TO gets the new name.
 */
bool index_move_aside(const char *path, char **moved_to, GError **error);


/* The schema version of the open file (PRAGMA user_version). */
int index_schema_version(struct index *idx);

/*
 * A number that changes whenever rows may have changed: a write on IDX's
 * connection, or a commit by another connection (a fetcher).  Reads no
 * table; for the sidebar, to count again only after a change.
 */
uint64_t index_change_stamp(struct index *idx);

/*
 * Let SQLite keep at most KB kilobytes of pages in memory (index_open's
 * default is 16 MB, for the interface's views): the fetcher, which writes a
 * few hundred rows per batch, keeps to 1 MB (fetch.c, FETCH_INDEX_CACHE_KB).
 */
bool index_set_cache_kb(struct index *idx, int kb, GError **error);

/* One transaction around many writes (group commit).  Not nested. */
bool index_begin(struct index *idx, GError **error);
bool index_commit(struct index *idx, GError **error);
void index_rollback(struct index *idx);

/*
 * A unit of writes that nests: a savepoint inside the caller's transaction,
 * else a transaction of its own that takes the write lock at once.  *OWN
 * says which; pass it on to index_write_end (keep the writes) or
 * index_write_undo (drop them).
 */
bool index_write_begin(struct index *idx, bool *own, GError **error);
bool index_write_end(struct index *idx, bool own, GError **error);
void index_write_undo(struct index *idx, bool own);

/* True while a transaction is open on IDX's connection. */
bool index_in_transaction(struct index *idx);

/*
 * Bulk loading, for a reindex into an empty index: when the messages table
 * is empty, drop the indexes of the views (sorts, unread, flags...), keeping
 * their SQL in the index, and set *STARTED; index_bulk_end builds them again
 * from that SQL (once over every row: far cheaper than keeping twenty
 * indexes up to date row by row).  Should the process die in between,
 * index_open builds them.  Both outside any transaction.
 */
bool index_bulk_begin(struct index *idx, bool *started, GError **error);
bool index_bulk_end(struct index *idx, GError **error);

/*
 * Insert MSG, or replace the row with the same (account, folder, base),
 * keeping its id, tag and thread.  A UIDL the row has is never replaced by
 * NULL (a lost UIDL would mean a message fetched twice).  BODY_TEXT (may be
 * NULL) is the plain text for full-text search.  MSG->id is set.  A new
 * STORED row, or one whose threading fields changed, is threaded at the next
 * index_threads_update.  Outside a transaction it is one; inside the
 * caller's it takes no savepoint (each would make FTS5 write a segment), so
 * after a failure the caller must roll its transaction back.
 */
bool index_put(struct index *idx, struct index_message *msg, const char *body_text, GError **error);

/*
 * Bodies indexed later: a fetch stores each row with a full-text entry of
 * its subject and people only, and leaves the body to a pass after it
 * (reindex_bodies), so the fetch does not wait on tokenizing every text.
 * index_body_later puts row ID on the waiting list (in the caller's
 * transaction, with its row; a row that goes takes its mark along, a copy
 * made by index_copy_row gets one too); index_bodies_waiting counts the
 * STORED rows on it (-1 on error); index_bodies_next appends up to MAX of
 * them with ids above AFTER, in id order, to ROWS (struct index_message *,
 * the caller frees them); index_set_body gives MSG (as read by
 * index_bodies_next) its whole full-text entry with BODY_TEXT (may be NULL)
 * and takes it off the list, unless the row went, or its size or mtime in
 * the index changed since MSG was read (another file: --rest): then it
 * does nothing.  Call it in a transaction, the bodies read outside one.
 */
bool index_body_later(struct index *idx, int64_t id, GError **error);
int64_t index_bodies_waiting(struct index *idx, GError **error);
bool index_bodies_next(struct index *idx, int64_t after, unsigned int max, GPtrArray *rows,
    GError **error);
bool index_set_body(struct index *idx, const struct index_message *msg, const char *body_text,
    GError **error);

/* Delete the row ID (its full-text entry and waiting mark with it); its thread is redone. */
bool index_delete(struct index *idx, int64_t id, GError **error);

/*
 * The message of row ID was deleted here (its file is gone): the row and
 * its full-text entry go, and a UIDL it had is remembered for its account
 * (index_gone_add, no DELE queued), so the fetcher does not fetch it again
 * while the server still lists it.
 */
bool index_bury(struct index *idx, int64_t id, GError **error);

/* Record where the file of row ID is now and its flags. */
bool index_set_flags(struct index *idx, int64_t id, const char *subdir, const char *flags, GError **error);

/* Change the state of row ID. */
bool index_set_state(struct index *idx, int64_t id, enum index_state state, GError **error);

/*
 * Move row ID to the mailbox (ACCOUNT, FOLDER) with its file now at SUBDIR,
 * BASE and FLAGS; UIDL replaces the row's UIDL (NULL clears it: a UIDL means
 * nothing in another account).  Both mailboxes' threads are redone at the
 * next index_threads_update.  For folder.c; the file must already be there.
 */
bool index_set_location(struct index *idx, int64_t id, const char *account, const char *folder,
    const char *subdir, const char *base, const char *flags, const char *uidl, GError **error);

/*
 * Copy row ID and its full-text entry into a new STORED row of (ACCOUNT,
 * FOLDER) whose file is SUBDIR/BASE with FLAGS: no UIDL, untagged, to be
 * threaded; a copy of a row whose body waits (index_body_later) waits too.
 * *NEW_ID gets its id.  For folder.c; the file must be there.
 */
bool index_copy_row(struct index *idx, int64_t id, const char *account, const char *folder,
    const char *subdir, const char *base, const char *flags, int64_t *new_id, GError **error);

/* Load row ID into *MSG (cleared first).  False with no error when absent. */
bool index_get(struct index *idx, int64_t id, struct index_message *msg, GError **error);

/* True when ACCOUNT already has a row (in any state and folder) for UIDL. */
bool index_has_uidl(struct index *idx, const char *account, const char *uidl, GError **error);

/*
 * *KNOWN gets whether the index knows anything of ACCOUNT: a row, or a
 * UIDL of a message gone from its store.  False when index.db was made anew.
 */
bool index_account_known(struct index *idx, const char *account, bool *known, GError **error);

/*
 * Every row of ACCOUNT (any state, every folder), appended to ROWS as struct
 * index_message * (free with index_message_free).  Costs memory in
 * proportion to the account.
 */
bool index_account_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error);

/*
 * The rows of ACCOUNT (every folder) as reindex and fetch need them: only id,
 * account, folder, subdir, base, flags, uidl, arrival, size, mtime, partial
 * and state are filled.  Cheaper than index_account_rows for a large account.
 */
bool index_account_files(struct index *idx, const char *account, GPtrArray *rows, GError **error);

/* What a fetch compares with the server's listing, of one row with a UIDL. */
struct index_uidl_row {
	int64_t id;
	const char *uidl; /* valid during the call only */
	int64_t arrival;
	bool partial;
	enum index_state state;
};

typedef void (*index_uidl_fn)(const struct index_uidl_row *row, void *data);

/*
 * Call FN for each row of ACCOUNT that has a UIDL, copying nothing: mail from
 * elsewhere, indexed from its files, has none and is not read at all.  FN must
 * not use the index.
 */
bool index_account_uidls(struct index *idx, const char *account, index_uidl_fn fn, void *data,
    GError **error);

/* The same for the one mailbox (ACCOUNT, FOLDER); FOLDER "" is the inbox. */
bool index_folder_files(struct index *idx, const char *account, const char *folder, GPtrArray *rows,
    GError **error);

/* The PENDING rows of ACCOUNT (full rows), for delivery recovery. */
bool index_pending_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error);

/* The EXPUNGING rows of every account (full rows), for folder_recover. */
bool index_expunging_rows(struct index *idx, GPtrArray *rows, GError **error);

/* Account names that have rows, appended to NAMES (g_free'd char *). */
bool index_accounts(struct index *idx, GPtrArray *names, GError **error);

/*
 * Orders of a view.  Each has a fixed tie-break, so the order is total and
 * paging is exact; REVERSE turns the whole order round, except that
 * INDEX_SORT_THREAD reverses the order of threads but keeps each thread's
 * tree top-down.  The same list as config.h's enum config_sort.
 */
enum index_sort {
	INDEX_SORT_DATE,     /* Date:, then arrival, then id */
	INDEX_SORT_ARRIVAL,  /* arrival, then id */
	INDEX_SORT_FROM,     /* sender's display name (case-folded), then date */
	INDEX_SORT_SUBJECT,  /* subject without Re:/[list] prefixes (case-folded), then date */
	INDEX_SORT_SIZE,     /* bytes, then id */
	INDEX_SORT_THREAD,   /* threads by their latest message's date, each in tree order */
	INDEX_SORT_COUNT
};

struct search_query;

/*
 * Which rows a view shows.  Only STORED rows are ever listed.  All
 * conditions are ANDed; zeroed fields (NULL, false) add none, so
 * `struct index_filter f = { 0 }` is every message.  Borrowed pointers must
 * live as long as the call.
 */
struct index_filter {
	const char *account; /* NULL: every account */
	const char *text;    /* NULL: no text condition; else words, all must match (FTS5) */
	bool unread_only;
	/* Schema 2. */
	const char *folder;  /* NULL: every folder; "": the inbox; else that local folder */
	const struct search_query *query; /* NULL, or a parsed query (search.h) */
	/*
	 * INDEX_SORT_THREAD only: collapsed threads show as one row, the first
	 * of the thread in the view, with thread_collapsed set.  THREADS holds
	 * int64_t thread ids: the collapsed ones, or with COLLAPSE_ALL the
	 * expanded ones.  The set lives in the interface; it may hold ids that
	 * are no threads (any more).
	 */
	bool collapse_all;
	const GArray *threads;
};

/* Number of rows matching FILTER, and how many of them lack the S flag. */
bool index_query_count(struct index *idx, const struct index_filter *filter,
    int64_t *total, int64_t *unread, GError **error);

/*
 * Number of rows FILTER shows in SORT order: with INDEX_SORT_THREAD and
 * collapsed threads, fewer than index_query_count (a collapsed thread is one row).
 * Use it, not index_query_count, as the length of a view for paging.
 */
bool index_query_count_rows(struct index *idx, const struct index_filter *filter,
    enum index_sort sort, int64_t *rows, GError **error);

/*
 * Rows OFFSET .. OFFSET+LIMIT-1 of FILTER in SORT order (REVERSE: newest
 * first), appended to ROWS as struct index_message *.  Reads only those rows,
 * so a screen costs the same at 100 or 100,000 messages.  VIEW_ROWS is the
 * view's length as index_query_count_rows gave it, or -1 when not known: with it
 * a page in the far half of the view is read from the other end, and a
 * limit's page is found the cheaper way for how many rows match.
 */
bool index_query_page(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t offset, int64_t limit, int64_t view_rows, GPtrArray *rows,
    GError **error);

/*
 * Call FN for every row of FILTER in SORT order (REVERSE: newest first), one
 * row at a time, in one query: constant memory however many rows match (for
 * `surat list`).  MSG is borrowed for the call; FN must not use IDX.  Stops
 * early, successfully, when FN returns false.
 */
typedef bool (*index_row_fn)(const struct index_message *msg, void *data);
bool index_query_foreach(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, index_row_fn fn, void *data, GError **error);

/*
 * The position of row ID in FILTER/SORT/REVERSE order, or -1 when it is not
 * in the view (used to keep the cursor on a message when rows move).  In a
 * threaded view, a row hidden in a collapsed thread is not in the view: ask
 * for its thread's first row (index_query_thread_span) instead.
 */
int64_t index_query_position(struct index *idx, const struct index_filter *filter,
    enum index_sort sort, bool reverse, int64_t id, GError **error);

/*
 * Search (`/`, n, N): the first row after row FROM_ID (before it, with
 * BACKWARD) in the FILTER/SORT/REVERSE order that also matches QUERY,
 * wrapping round the end when WRAP; FROM_ID itself comes last.  FROM_ID 0
 * starts before the first row (after the last, with BACKWARD).  Rows hidden
 * in collapsed threads count: *FOUND_ID may be one, so expand its thread
 * (its thread_id is in *FOUND_THREAD, may be NULL) before asking its
 * position.  Returns false with no error and *FOUND_ID 0 when nothing
 * matches.
 */
bool index_query_find(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, const struct search_query *query, int64_t from_id, bool backward, bool wrap,
    int64_t *found_id, int64_t *found_thread, GError **error);

/*
 * Where thread THREAD_ID is in the threaded view of FILTER (REVERSE as for
 * index_query_page): its first row's position in *FIRST and the rows it shows in
 * *COUNT (1 when collapsed).  For next/previous thread: the next thread
 * starts at *FIRST + *COUNT; the previous one is the thread of the row at
 * *FIRST - 1.  False with no error when the thread shows no row.
 */
bool index_query_thread_span(struct index *idx, const struct index_filter *filter, bool reverse,
    int64_t thread_id, int64_t *first, int64_t *count, GError **error);

/*
 * The ids of every row of FILTER in SORT order (REVERSE...), appended to IDS
 * (int64_t): the rows a bulk action on a limited view applies to.  Rows in
 * collapsed threads are included.
 */
bool index_query_ids(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, GArray *ids, GError **error);

/* ---- threads (thread.h has the algorithm) ---- */

/*
 * Thread what is not threaded yet: new STORED rows and rows whose Message-ID,
 * In-Reply-To, References, subject, date, mailbox or state changed, and
 * redo the threads that lost a row.  Only the threads such a row can touch
 * are recomputed (by Message-ID, by a referenced id, by subject), with the
 * same result as index_threads_rebuild.  Delivery, reindex and folder.c
 * call it; cheap when nothing is to do.  Runs in the caller's transaction,
 * else in its own.
 */
bool index_threads_update(struct index *idx, GError **error);

/* Recompute every thread of every mailbox from scratch. */
bool index_threads_rebuild(struct index *idx, GError **error);

/* ---- tags: a mark per row, kept by the index only ---- */

/* Set or clear the tag of row ID. */
bool index_set_tagged(struct index *idx, int64_t id, bool tagged, GError **error);

/*
 * Set (or clear) the tag of every row FILTER shows (T: tag by query), in one
 * statement.  With UNDO (from index_undo_begin, or 0) the rows that change are
 * recorded for undo.  *CHANGED (may be NULL) gets how many changed.
 */
bool index_query_tag_filter(struct index *idx, const struct index_filter *filter, bool tagged,
    int64_t undo, int64_t *changed, GError **error);

/* The ids of the tagged rows (STORED), oldest first by date, appended to IDS (int64_t). */
bool index_tagged(struct index *idx, GArray *ids, GError **error);

/* ---- counts for the sidebar ---- */

/* One mailbox's counts. */
struct index_mailbox_count {
	char *account;
	char *folder;    /* "" for the inbox */
	int64_t total;   /* STORED rows */
	int64_t unread;  /* of those, without S */
	int64_t flagged; /* with F */
};

void index_mailbox_count_free(struct index_mailbox_count *count);

/*
 * The counts of every mailbox that has rows, in one query, appended to OUT
 * (struct index_mailbox_count *, free with index_mailbox_count_free), by
 * account then folder ("" first).  Empty folders are not listed: folder_list
 * has them.  About 20 ms at 100,000 messages.
 */
bool index_query_mailbox_counts(struct index *idx, GPtrArray *out, GError **error);

/*
 * The modification times (ns) of the mailbox's new/ and cur/ when a store
 * watch last found its rows in step with its files (reindex.h); *FOUND is
 * false when none are kept.  index_set_mailbox_seen keeps them.
 */
bool index_mailbox_seen(struct index *idx, const char *account, const char *folder, bool *found,
    int64_t *new_ns, int64_t *cur_ns, GError **error);
bool index_set_mailbox_seen(struct index *idx, const char *account, const char *folder,
    int64_t new_ns, int64_t cur_ns, GError **error);

/*
 * Counts of N saved searches: TOTAL[i] and UNREAD[i] (either may
 * be NULL) of the rows QUERIES[i] matches (NULL: every row).
 */
bool index_query_counts(struct index *idx, const struct search_query *const *queries, size_t n,
    int64_t *total, int64_t *unread, GError **error);

/* ---- colour rules: which of several queries each row on screen matches ---- */

struct index_rules;

/*
 * N queries (a NULL one matches every row) compiled once to one statement,
 * for index_rules_match.  A new handle (index_rules_free); the queries may
 * be freed after.
 */
struct index_rules *index_rules_new(const struct search_query *const *queries, size_t n);
void index_rules_free(struct index_rules *rules);

/* How many queries RULES holds (0 for NULL). */
size_t index_rules_count(const struct index_rules *rules);

/*
 * For each of the N_IDS rows IDS (the rows on screen), FIRST[i] gets the
 * position in RULES of the first query row IDS[i] matches, or -1 (also for
 * an id that is no row).  One statement for all the rows: its cost grows
 * with N_IDS, not with the mailbox.
 */
bool index_rules_match(struct index *idx, const struct index_rules *rules, const int64_t *ids,
    size_t n_ids, int *first, GError **error);

/* ---- UIDLs of messages gone from the store but maybe still on a server ---- */

/*
 * A message with a UIDL that leaves its account (expunged for good, or moved
 * to another account) is remembered here, so the next fetch does not fetch it
 * again.  DELE set means it was expunged while delete_on_server_when_deleted
 * was on: the next fetch DELEs it (fetch.c).  The fetcher forgets an entry
 * once the server no longer has the UIDL.
 */
struct index_gone {
	char *uidl;
	int64_t arrival; /* of the message, for delete_after_days */
	bool dele;       /* a DELE is queued */
};

void index_gone_free(struct index_gone *gone);

/* Remember UIDL of ACCOUNT (an existing entry is replaced). */
bool index_gone_add(struct index *idx, const char *account, const char *uidl, int64_t arrival,
    bool dele, GError **error);

/* The entries of ACCOUNT, appended to OUT (struct index_gone *). */
bool index_gone_list(struct index *idx, const char *account, GPtrArray *out, GError **error);

/* Forget the N UIDLS of ACCOUNT (one transaction); unknown ones are ignored. */
bool index_gone_forget(struct index *idx, const char *account, const char *const *uidls, size_t n,
    GError **error);

/* ---- the moves journal (folder.c's crash safety) ---- */

/* Where a row is being moved to (folder.c). */
struct index_move {
	int64_t id;      /* the row */
	char *account;   /* destination */
	char *folder;
	char *subdir;
	char *base;
	char *flags;
	char *uidl;      /* the row's UIDL afterwards */
};

void index_move_free(struct index_move *move);

/* Record MOVE before its file is renamed (replaces an older entry of the row). */
bool index_move_begin(struct index *idx, const struct index_move *move, GError **error);

/* Drop the entry of row ID (after the row was updated, or the move abandoned). */
bool index_move_end(struct index *idx, int64_t id, GError **error);

/* Every entry, appended to OUT (struct index_move *), for recovery. */
bool index_moves(struct index *idx, GPtrArray *out, GError **error);

/* ---- the undo log ---- */

/*
 * The log keeps the last INDEX_UNDO_MAX actions.  An action is a number from
 * index_undo_begin; each changed row records its state before the action
 * (index_undo_record) in the same transaction as the change.  change.c reads
 * the last action back (index_undo_last) to reverse it and then drops it.
 */
#define INDEX_UNDO_MAX 32

enum index_undo_kind {
	INDEX_UNDO_CHANGED = 1, /* restore the row's recorded mailbox, file name, flags, tag, UIDL */
	INDEX_UNDO_CREATED = 2, /* the action made the row (a copy): remove it */
};

struct index_undo_entry {
	int64_t id;
	enum index_undo_kind kind;
	char *account;   /* CHANGED: the values before the action */
	char *folder;
	char *subdir;
	char *flags;
	char *uidl;
	bool tagged;
};

void index_undo_entry_free(struct index_undo_entry *entry);

/* Start a new action described by LABEL ("delete 3 messages"); *ACTION gets its number. */
bool index_undo_begin(struct index *idx, const char *label, int64_t *action, GError **error);

/* Record row MSG's current state (or, with INDEX_UNDO_CREATED, only its id) under ACTION. */
bool index_undo_record(struct index *idx, int64_t action, enum index_undo_kind kind,
    const struct index_message *msg, GError **error);

/*
 * The last action that recorded anything: its number, label (new string) and
 * entries (struct index_undo_entry *, last recorded first).  False with no
 * error when the log is empty.
 */
bool index_undo_last(struct index *idx, int64_t *action, char **label, GPtrArray *entries,
    GError **error);

/* Drop ACTION from the log. */
bool index_undo_drop(struct index *idx, int64_t action, GError **error);

/* Empty the log (after something that cannot be undone). */
bool index_undo_clear(struct index *idx, GError **error);

/*
 * The Outbox (outbox.h): for each message waiting in an Outbox folder, the
 * envelope it goes out with and what became of its attempts.  A message
 * whose entry is missing (the index was rebuilt, or the file was put there
 * by hand) goes to the addresses in its headers.  An entry goes with its
 * row (a trigger); one whose row left the Outbox is an orphan.
 */
enum index_outbox_state {
	INDEX_OUTBOX_WAITING = 0,  /* to be sent (again after next_try) */
	INDEX_OUTBOX_SENT = 1,     /* the server accepted it: move it to Sent, never send again */
	INDEX_OUTBOX_REFUSED = 2,  /* refused for good (5xx): waits for the user */
};

struct index_outbox {
	int64_t id;          /* the message's row */
	char *sender;        /* the envelope's MAIL FROM address */
	char *rcpts;         /* the RCPT TO addresses, space-separated */
	enum index_outbox_state state;
	int attempts;        /* submissions tried */
	int64_t next_try;    /* Unix time before which a background run leaves it */
	char *error;         /* the last failure, for the status line; or NULL */
	char *marks;         /* flags to set once it is sent: "R:12 P:13" (replied to row 12,
	                        forwarded row 13); or NULL */
};

void index_outbox_clear(struct index_outbox *o);

/*
 * Record the envelope of row ID (waiting, never tried) and MARKS (may be
 * NULL; struct index_outbox); an old entry is replaced.
 */
bool index_outbox_put(struct index *idx, int64_t id, const char *sender, const char *rcpts,
    const char *marks, GError **error);

/* Row ID's entry into *OUT (cleared first; OUT->id stays 0 when there is none). */
bool index_outbox_get(struct index *idx, int64_t id, struct index_outbox *out, GError **error);

/* Write O's state, attempts, next_try and error. */
bool index_outbox_update(struct index *idx, const struct index_outbox *o, GError **error);

bool index_outbox_drop(struct index *idx, int64_t id, GError **error);

/* The stored rows of (ACCOUNT, FOLDER), oldest first, appended to IDS (int64_t). */
bool index_outbox_ids(struct index *idx, const char *account, const char *folder, GArray *ids,
    GError **error);

/*
 * Entries whose row is gone or is in ACCOUNT but no longer in FOLDER (moved
 * to Sent, or elsewhere by the user), appended to IDS.
 */
bool index_outbox_orphans(struct index *idx, const char *account, const char *folder, GArray *ids,
    GError **error);

/*
 * The address book (Tab in an address prompt, `surat addresses`): every
 * address the person wrote to (To and Cc of a message in the RECORD folder
 * or From one of OWN) and every address mail came from (From of the rest),
 * with how often and when last.  It is counted from the rows themselves,
 * so it needs no work while mail is fetched: index_contacts_update counts
 * the rows added since its last call (all of them the first time: about a
 * second per 100,000), and a rebuilt index counts again.
 */
struct index_contact {
	char *address;
	char *name;  /* the display name last seen with it, or "" */
	int written; /* messages the person sent to it */
	int seen;    /* messages that came from it */
};

void index_contact_free(struct index_contact *c);

/*
 * Count the rows added since the last call.  RECORD is the sent mail's
 * folder (may be NULL); OWN (NULL-terminated, may be NULL) the person's
 * addresses: mail from one of them counts as written wherever it is, but
 * for the drafts in POSTPONED (may be NULL), which count for nothing.
 */
bool index_contacts_update(struct index *idx, const char *record, const char *postponed,
    const char *const *own, GError **error);

/*
 * Up to LIMIT addresses whose address, display name or a word of the name
 * starts with PREFIX (any case), appended to OUT (struct index_contact *,
 * the caller's): the most written to first, then the most heard from, each
 * weighed by how recent it is at NOW (Unix time).  One scan of the book,
 * which holds one row per address, not per message.
 */
bool index_contacts_find(struct index *idx, const char *prefix, guint limit, int64_t now,
    GPtrArray *out, GError **error);

#endif
