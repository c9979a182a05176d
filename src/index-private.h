/*
 * index-private: what the index's files share (index-db.c: the connection,
 * statements, binds, transactions; index-schema.c: the file, schema and
 * migrations; index.c: rows; index-query.c: views; index-thread.c:
 * threads; index-log.c: tags, undo log, moves journal, gone UIDLs).  Only
 * src/index*.c include it.
 */
#ifndef SURAT_INDEX_PRIVATE_H
#define SURAT_INDEX_PRIVATE_H

#include <sqlite3.h>

#include "surat/index.h"

/* Most statements kept prepared; past it, idle ones are finalized. */
#define INDEX_STMT_CACHE_MAX 256

struct index {
	sqlite3 *db;
	char *path;
	GHashTable *stmts; /* SQL text -> sqlite3_stmt *, prepared on first use */
	/* What ~h, ~e, ~l, ~p and ~P read (index-match.c). */
	index_headers_fn headers_fn;
	void *headers_data;
	GDestroyNotify headers_free;
	GHashTable *file_memo; /* what surat_file_match found, per pattern (index-match.c) */
	GHashTable *body_memo; /* what surat_body_set found, per pattern, with the change stamp */
	GHashTable *set_memo;  /* index-query.c: a costly query's rows, with the change stamp */
	GHashTable *own;       /* case-folded own addresses (a set), or NULL */
	GRegex *alternates;    /* or NULL */
};

/* index-match.c: register the SQL functions of the query language's patterns. */
bool index_match_add_functions(struct index *idx, GError **error);
/* index-match.c: free what index_set_headers_reader and index_set_own_addresses set. */
void index_match_clear(struct index *idx);

/* The columns of struct index_message, in index_read_row's order. */
#define INDEX_COLUMNS                                                                        \
	"m.id, m.account, m.subdir, m.base, m.flags, m.uidl, m.message_id, m.in_reply_to, "   \
	"m.refs, m.date, m.arrival, m.from_name, m.from_addr, m.to_list, m.subject, "        \
	"m.size, m.mtime, m.has_attachment, m.partial, m.state, m.folder, m.cc_list, "       \
	"m.to_addr, m.cc_addr, m.tagged, m.thread_id, m.thread_parent, m.thread_pos, "       \
	"m.thread_depth, m.thread_tree, m.thread_repeat"
#define INDEX_N_COLUMNS 31

/* Set ERROR from the connection's last error, naming the index file. */
void index_set_error(struct index *idx, GError **error, int code, const char *what);

/*
 * The statement for SQL, prepared on first use and cached, reset and with
 * its bindings cleared.  Use it at once: preparing another statement may
 * finalize statements that are not running.
 */
sqlite3_stmt *index_sql(struct index *idx, const char *sql, GError **error);

/* Called for each row of a statement; false stops early (not an error). */
typedef bool (*index_step_fn)(sqlite3_stmt *stmt, void *data);

/*
 * Step STMT through its rows, FN (may be NULL) for each, then reset it;
 * false with ERROR set, naming the index, when SQLite fails.
 */
bool index_each(struct index *idx, sqlite3_stmt *stmt, index_step_fn fn, void *data,
    GError **error);

/* An index_step_fn: the row's first column onto DATA, a GArray of int64_t. */
bool index_step_int64(sqlite3_stmt *stmt, void *data);

/* The first column of every row SQL yields, appended to OUT (g_free'd strings). */
bool index_texts(struct index *idx, const char *sql, GPtrArray *out, GError **error);

/* Step STMT to completion (rows ignored) and reset it. */
bool index_run(struct index *idx, sqlite3_stmt *stmt, GError **error);

/* Run SQL (no parameters, no rows wanted) on the connection; CODE for the error. */
bool index_exec(struct index *idx, const char *sql, int code, GError **error);

/* Finalize a cached statement (the statement table's value destructor). */
void index_finalize(gpointer stmt);

/* Prepare and run SQL with no parameters. */
bool index_run_sql(struct index *idx, const char *sql, GError **error);

/* Bind a string, or NULL. */
void index_bind_text(sqlite3_stmt *stmt, int i, const char *s);
/* Bind a string, "" for NULL. */
void index_bind_text0(sqlite3_stmt *stmt, int i, const char *s);
/* Bind :NAME when STMT has it. */
void index_bind_named_int64(sqlite3_stmt *stmt, const char *name, int64_t v);
void index_bind_named_text(sqlite3_stmt *stmt, const char *name, const char *s);

/* A new copy of text column I, or NULL. */
char *index_column_text(sqlite3_stmt *stmt, int i);

/* Fill MSG (already clear) from a row of INDEX_COLUMNS starting at column 0. */
void index_read_row(sqlite3_stmt *stmt, struct index_message *msg);


/* The text of argument I of an SQL function call, "" for NULL (the functions' one reader). */
const char *index_value_text(sqlite3_value **argv, int i);

/* Run a statement that yields one integer; -1 on error. */
int64_t index_query_int(struct index *idx, sqlite3_stmt *stmt, GError **error);

/* index-thread.c: thread rows not threaded yet (no transaction of its own). */
bool index_thread_refresh(struct index *idx, bool all, GError **error);

/*
 * index-search.c: a parsed query (search.h) as an SQL condition over the
 * messages table named ALIAS ("m"), its values bound as parameters named
 * :PREFIX1, :PREFIX2... (so two queries can share a statement under two
 * prefixes); "1" for a query that matches everything (NULL QUERY too).
 */
struct search_query;
struct index_search;
struct index_search *index_search_compile(const struct search_query *query, const char *alias,
    const char *prefix);
const char *index_search_sql(const struct index_search *search);
size_t index_search_n_params(const struct index_search *search);
/* Bind SEARCH's parameters in STMT, under the prefix it was compiled with. */
void index_search_bind(sqlite3_stmt *stmt, const struct index_search *search);
void index_search_free(struct index_search *search);
/* True when all of QUERY is one full-text match (its SQL is one "id IN" term). */
/*
 * True when QUERY has a part that reads every row or file to answer
 * (mutt's patterns, ~m, the thread patterns): index-query.c finds its rows
 * once per change of the index and reuses them (index_query_set).
 */
bool index_search_is_costly(const struct search_query *query);
/* Append SEARCH's parameters to OUT, as a key: what makes two compilations the same query. */
void index_search_describe_params(const struct index_search *search, GString *out);
bool index_search_is_fulltext(const struct search_query *query);

#endif
