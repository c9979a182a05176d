/*
 * index: the SQLite index at <store>/index.db (WAL).  One row per message
 * with what the index pane shows and sorts by, plus an FTS5 table over
 * subject, from, to and body text.  The schema is versioned with
 * PRAGMA user_version and migrated forward on open.
 *
 * The index knows rows only: it never opens a message file and never touches
 * the network.  It can always be rebuilt from the Maildirs (reindex.h).
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
};

#define INDEX_SCHEMA_VERSION 1

/* Where a row is in its life (deliver.h explains the order). */
enum index_state {
	INDEX_STATE_PENDING = 0, /* written to tmp/, not yet renamed into new/ */
	INDEX_STATE_STORED = 1,  /* the file is in new/ or cur/ */
	INDEX_STATE_GONE = 2,    /* deleted here (expunged, or its file vanished): no
				    file, never listed; the row keeps its UIDL so the
				    message is not fetched again while the server has it */
};

/* One message as the index knows it.  Strings are owned by the struct. */
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
};

/* Free the strings of MSG and zero it. */
void index_message_clear(struct index_message *msg);
/* Free a heap struct index_message (NULL is fine). */
void index_message_free(struct index_message *msg);

/* True when MSG's flags contain the letter FLAG. */
bool index_message_has_flag(const struct index_message *msg, char flag);

/*
 * Open or create the index at PATH, migrating an older schema forward.
 * Fails with INDEX_ERROR_SCHEMA when the file was written by a newer surat.
 */
struct index *index_open(const char *path, GError **error);
void index_free(struct index *idx);

/* The schema version of the open file (PRAGMA user_version). */
int index_schema_version(struct index *idx);

/* One transaction around many writes (group commit).  Not nested. */
bool index_begin(struct index *idx, GError **error);
bool index_commit(struct index *idx, GError **error);
void index_rollback(struct index *idx);

/*
 * Insert MSG, or replace the row with the same (account, base), keeping its
 * id.  A UIDL the row has is never replaced by NULL (a lost UIDL would mean a
 * message fetched twice).  BODY_TEXT (may be NULL) is the plain text for
 * full-text search.  MSG->id is set.
 */
bool index_put(struct index *idx, struct index_message *msg, const char *body_text, GError **error);

/* Delete the row ID (and its full-text entry). */
bool index_delete(struct index *idx, int64_t id, GError **error);

/*
 * The message of row ID was deleted here: a row with a UIDL becomes
 * INDEX_STATE_GONE (its full-text entry goes), so the fetcher does not fetch
 * it again while the server still lists it; a row without one is deleted.
 */
bool index_bury(struct index *idx, int64_t id, GError **error);

/* Record where the file of row ID is now and its flags. */
bool index_set_flags(struct index *idx, int64_t id, const char *subdir, const char *flags, GError **error);

/* Change the state of row ID. */
bool index_set_state(struct index *idx, int64_t id, enum index_state state, GError **error);

/* Load row ID into *MSG (cleared first).  False with no error when absent. */
bool index_get(struct index *idx, int64_t id, struct index_message *msg, GError **error);

/* True when ACCOUNT already has a row (in any state) for UIDL. */
bool index_has_uidl(struct index *idx, const char *account, const char *uidl, GError **error);

/*
 * Every row of ACCOUNT (any state), appended to ROWS as struct
 * index_message * (free with index_message_free).  Used by reindex and
 * delivery recovery; costs memory in proportion to the account.
 */
bool index_account_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error);

/*
 * The rows of ACCOUNT as reindex needs them: only id, account, subdir, base,
 * flags, uidl, arrival, size, mtime, partial and state are filled.  Cheaper than
 * index_account_rows for a large account.
 */
bool index_account_files(struct index *idx, const char *account, GPtrArray *rows, GError **error);

/* The PENDING rows of ACCOUNT (full rows), for delivery recovery. */
bool index_pending_rows(struct index *idx, const char *account, GPtrArray *rows, GError **error);

/* Account names that have rows, appended to NAMES (g_free'd char *). */
bool index_accounts(struct index *idx, GPtrArray *names, GError **error);

enum index_sort {
	INDEX_SORT_DATE,     /* Date:, then arrival */
	INDEX_SORT_ARRIVAL,
};

/* Which rows a view shows.  Only stored rows are ever listed. */
struct index_filter {
	const char *account; /* NULL: every account */
	const char *text;    /* NULL: no text condition; else words, all must match (FTS5) */
	bool unread_only;
};

/* Number of rows matching FILTER, and how many of them lack the S flag. */
bool index_count(struct index *idx, const struct index_filter *filter,
    int64_t *total, int64_t *unread, GError **error);

/*
 * Rows OFFSET .. OFFSET+LIMIT-1 of FILTER in SORT order (REVERSE: newest
 * first), appended to ROWS as struct index_message *.  Reads only those rows,
 * so a screen costs the same at 100 or 100,000 messages.
 */
bool index_page(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t offset, int64_t limit, GPtrArray *rows, GError **error);

/*
 * Call FN for every row of FILTER in SORT order (REVERSE: newest first), one
 * row at a time, in one query: constant memory however many rows match (for
 * `surat list`).  MSG is borrowed for the call; FN must not use IDX.  Stops
 * early, successfully, when FN returns false.
 */
typedef bool (*index_row_fn)(const struct index_message *msg, void *data);
bool index_foreach(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, index_row_fn fn, void *data, GError **error);

/*
 * The position of row ID in FILTER/SORT/REVERSE order, or -1 when it is not
 * in the view (used to keep the cursor on a message when rows move).
 */
int64_t index_position(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t id, GError **error);

#endif
