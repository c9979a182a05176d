/*
 * index-query: the views of the index (index.h), each an index_query_*
 * function: count, page, foreach, position, find, thread spans, ids and the
 * sidebar's counts.  Each builds
 * its SQL from fixed pieces chosen by the filter's shape (and the compiled
 * search query's own SQL), binds every value, and lets the statement cache
 * keep what it prepared.
 *
 * What it must never do: put user text into SQL, or hand FTS5 raw user
 * input as query syntax (the legacy text filter quotes each word).
 */
#include "index-private.h"

#include <string.h>

#include "surat/search.h"

/* Most words of a legacy text search that become FTS5 terms, and their longest length. */
#define INDEX_QUERY_WORDS_MAX 32
#define INDEX_QUERY_WORD_MAX 256

static const struct index_filter index_no_filter;

/* One column of a sort order. */
struct index_key {
	const char *column; /* "date": m.date */
	bool desc;          /* with REVERSE off */
};

/* The columns of each order (the last makes it total). */
static const struct index_key index_keys[INDEX_SORT_COUNT][3] = {
	[INDEX_SORT_DATE] = { { "date", false }, { "arrival", false }, { "id", false } },
	[INDEX_SORT_ARRIVAL] = { { "arrival", false }, { "id", false }, { NULL, false } },
	[INDEX_SORT_FROM] = { { "from_key", false }, { "date", false }, { "id", false } },
	[INDEX_SORT_SUBJECT] = { { "subject_key", false }, { "date", false }, { "id", false } },
	[INDEX_SORT_SIZE] = { { "size", false }, { "id", false }, { NULL, false } },
	[INDEX_SORT_THREAD] = { { "thread_date", false }, { "thread_id", false },
	    { "thread_pos", false } },
};

/* A query being built: its SQL and what to bind. */
struct index_build {
	GString *sql;
	const struct index_filter *filter;
	enum index_sort sort;
	bool reverse;
	char *match;      /* the legacy text filter as FTS5, or NULL */
	char *threads;    /* the collapsed set as a JSON array, or NULL */
	bool collapse;    /* collapsed threads are hidden (thread sort with a set) */
	/*
	 * The text and query conditions are written so that SQLite cannot
	 * start from them ("+m.id IN ..."): it walks the order's index and
	 * tests each row, which is cheaper than reading and sorting every
	 * match when the matches are dense (index_query_page).
	 */
	bool walk;
	const struct search_query *extra; /* index_query_find's query, bound as :f1.. */
	struct index_search *query_sql, *extra_sql; /* the two compiled, as last written */
	/*
	 * A costly query (index_search_is_costly) is answered by its rows,
	 * found once per change of the index (index_query_set) and bound as
	 * :qset, a JSON array: a limit's count, page and cursor place would
	 * each read every row (or file) again.
	 */
	struct index_search *set_sql;
};

/*
 * The FTS5 query for the legacy search TEXT: each word a quoted string
 * (quotes doubled), so no user input is ever FTS5 syntax, matched as a
 * prefix, all ANDed.  Words with nothing the tokenizer indexes are dropped.
 * NULL when TEXT has no words; a query that matches nothing when no word is
 * searchable.
 */
static char *
index_query_fts(const char *text)
{
	GString *q;
	char **words;
	int i, n = 0, given = 0;

	if (text == NULL)
		return NULL;
	words = g_strsplit_set(text, " \t\r\n\f\v", -1);
	q = g_string_new(NULL);
	for (i = 0; words[i] != NULL && n < INDEX_QUERY_WORDS_MAX; i++) {
		const char *w = words[i], *p;
		bool searchable = false;

		if (w[0] == '\0')
			continue;
		given++;
		if (!g_utf8_validate(w, -1, NULL) || strlen(w) > INDEX_QUERY_WORD_MAX)
			continue;
		for (p = w; *p != '\0' && !searchable; p = g_utf8_next_char(p))
			searchable = g_unichar_isalnum(g_utf8_get_char(p));
		if (!searchable)
			continue;
		if (n++ > 0)
			g_string_append(q, " AND ");
		g_string_append_c(q, '"');
		for (p = w; *p != '\0'; p++) {
			if (*p == '"')
				g_string_append_c(q, '"');
			g_string_append_c(q, *p);
		}
		g_string_append(q, "\" *");
	}
	g_strfreev(words);
	if (given == 0) {
		g_string_free(q, TRUE);
		return NULL;
	}
	if (n == 0)
		g_string_assign(q, "\"\"");
	return g_string_free(q, FALSE);
}

/* Start building for FILTER in SORT/REVERSE order. */
static void
index_build_init(struct index_build *b, const struct index_filter *filter, enum index_sort sort,
    bool reverse)
{
	memset(b, 0, sizeof *b);
	b->sql = g_string_new(NULL);
	b->filter = filter != NULL ? filter : &index_no_filter;
	b->sort = (unsigned int)sort < INDEX_SORT_COUNT ? sort : INDEX_SORT_DATE;
	b->reverse = reverse;
	b->match = index_query_fts(b->filter->text);
	if (b->sort == INDEX_SORT_THREAD &&
	    (b->filter->collapse_all || (b->filter->threads != NULL && b->filter->threads->len > 0))) {
		GString *j = g_string_new("[");
		guint i;

		for (i = 0; b->filter->threads != NULL && i < b->filter->threads->len; i++)
			g_string_append_printf(j, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
			    (gint64)g_array_index(b->filter->threads, int64_t, i));
		g_string_append_c(j, ']');
		b->threads = g_string_free(j, FALSE);
		b->collapse = true;
	}
}

static void
index_build_clear(struct index_build *b)
{
	index_search_free(b->query_sql);
	index_search_free(b->extra_sql);
	index_search_free(b->set_sql);
	g_string_free(b->sql, TRUE);
	g_free(b->match);
	g_free(b->threads);
}

/* True when the filter can hide some rows of a mailbox (or of a thread) and not others. */
static bool
index_build_narrows(const struct index_build *b)
{
	return b->match != NULL ||
	    (b->filter->query != NULL && search_query_root(b->filter->query) != NULL) ||
	    b->filter->unread_only;
}

/* Append the filter's conditions on the rows named ALIAS (no collapsing). */
static void
index_build_where(struct index_build *b, const char *alias)
{
	const struct index_filter *f = b->filter;

	/* The literal term matches the partial indexes' WHERE clauses. */
	g_string_append_printf(b->sql, " %s.state = 1", alias);
	if (f->account != NULL)
		g_string_append_printf(b->sql, " AND %s.account = :account", alias);
	if (f->folder != NULL)
		g_string_append_printf(b->sql, " AND %s.folder = :folder", alias);
	if (f->unread_only)
		g_string_append_printf(b->sql, " AND instr(%s.flags, 'S') = 0", alias);
	if (b->match != NULL)
		g_string_append_printf(b->sql,
		    " AND %s%s.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH :match)",
		    b->walk ? "+" : "", alias);
	if (f->query != NULL && index_search_is_costly(f->query)) {
		if (b->set_sql == NULL)
			b->set_sql = index_search_compile(f->query, "m", "s");
		g_string_append_printf(b->sql,
		    " AND %s%s.id IN (SELECT value FROM json_each(:qset))", b->walk ? "+" : "", alias);
	} else if (f->query != NULL && search_query_root(f->query) != NULL) {
		char *term = g_strconcat(b->walk ? "+" : "", alias, NULL);

		/* Each alias gets the same parameters: binding the last compiled binds them all. */
		index_search_free(b->query_sql);
		b->query_sql = index_search_compile(f->query, term, "q");
		g_string_append_printf(b->sql, " AND (%s)", index_search_sql(b->query_sql));
		g_free(term);
	}
}

/* Append whether the thread ID_EXPR is collapsed (an SQL truth value). */
static void
index_build_collapsed(struct index_build *b, const char *id_expr)
{
	g_string_append_printf(b->sql, "(%s %sIN (SELECT value FROM json_each(:threads)))", id_expr,
	    b->filter->collapse_all ? "NOT " : "");
}

/* Append the conditions of a view: the filter's, and collapsed threads hidden. */
static void
index_build_view(struct index_build *b, bool collapse)
{
	g_string_append(b->sql, " WHERE");
	index_build_where(b, "m");
	if (!collapse || !b->collapse)
		return;
	/* A collapsed thread shows its first row in the view. */
	g_string_append(b->sql, " AND (NOT ");
	index_build_collapsed(b, "m.thread_id");
	if (!index_build_narrows(b)) {
		/* Every row of a thread is in the view, so its first is the top. */
		g_string_append(b->sql, " OR m.thread_pos = 0 OR m.thread_id = 0)");
		return;
	}
	g_string_append(b->sql, " OR m.thread_id = 0 OR NOT EXISTS (SELECT 1 FROM messages x"
				" WHERE x.thread_id = m.thread_id AND x.thread_pos < m.thread_pos AND");
	index_build_where(b, "x");
	g_string_append(b->sql, "))");
}

/* Append ORDER BY for the build's order; BACKWARD turns it round. */
static void
index_build_order(struct index_build *b, bool backward)
{
	const struct index_key *k = index_keys[b->sort];
	int i;

	g_string_append(b->sql, " ORDER BY ");
	for (i = 0; i < 3 && k[i].column != NULL; i++) {
		bool desc = k[i].desc != b->reverse;

		/* Threads turn round as wholes; each tree stays top-down. */
		if (b->sort == INDEX_SORT_THREAD && i == 2)
			desc = false;
		if (backward)
			desc = !desc;
		g_string_append_printf(b->sql, "%sm.%s %s", i > 0 ? ", " : "", k[i].column,
		    desc ? "DESC" : "ASC");
	}
}

/*
 * Append a condition: the row comes before (AFTER false) or after the keys
 * bound as :k1.. in the build's order.
 */
static void
index_build_beyond(struct index_build *b, bool after)
{
	const struct index_key *k = index_keys[b->sort];
	int i, j, n = 0;

	while (n < 3 && k[n].column != NULL)
		n++;
	/*
	 * The first key's bound on its own, so SQLite takes a range of the
	 * order's index: the OR below alone made it read every row (0.5 s at
	 * 100,000 messages for index_query_position in date order).
	 */
	{
		bool desc = k[0].desc != b->reverse;

		g_string_append_printf(b->sql, " AND m.%s %s= :k1", k[0].column,
		    (desc != after) ? ">" : "<");
	}
	g_string_append(b->sql, " AND (");
	for (i = 0; i < n; i++) {
		bool desc = k[i].desc != b->reverse;

		if (b->sort == INDEX_SORT_THREAD && i == 2)
			desc = false;
		g_string_append(b->sql, i > 0 ? " OR (" : "(");
		for (j = 0; j < i; j++)
			g_string_append_printf(b->sql, "m.%s = :k%d AND ", k[j].column, j + 1);
		g_string_append_printf(b->sql, "m.%s %s :k%d)", k[i].column,
		    (desc != after) ? ">" : "<", i + 1);
	}
	g_string_append_c(b->sql, ')');
}

/* Append the key columns of the build's order to a SELECT list. */
static void
index_build_key_columns(struct index_build *b)
{
	const struct index_key *k = index_keys[b->sort];
	int i;

	for (i = 0; i < 3 && k[i].column != NULL; i++)
		g_string_append_printf(b->sql, "%sm.%s", i > 0 ? ", " : "", k[i].column);
}

/* A costly query's rows and the change stamp they were found at. */
struct index_query_rows {
	uint64_t stamp;
	char *json;
};

static void
index_query_rows_free(gpointer data)
{
	struct index_query_rows *r = data;

	g_free(r->json);
	g_free(r);
}

/* Costly queries whose rows are kept at once; past it, all are dropped. */
#define INDEX_QUERY_SETS 4

/*
 * The ids of the stored rows the compiled query SET matches, as a JSON
 * array: found again only when the index changed since (a write of any
 * connection, this one's too).  NULL with ERROR on failure.
 */
static const char *
index_query_set(struct index *idx, const struct index_search *set, GError **error)
{
	GString *key = g_string_new(index_search_sql(set)), *sql, *json;
	uint64_t stamp = index_change_stamp(idx);
	struct index_query_rows *rows;
	sqlite3_stmt *stmt;
	int rc;

	index_search_describe_params(set, key);
	if (idx->set_memo == NULL)
		idx->set_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    index_query_rows_free);
	rows = g_hash_table_lookup(idx->set_memo, key->str);
	if (rows != NULL && rows->stamp == stamp) {
		g_string_free(key, TRUE);
		return rows->json;
	}
	sql = g_string_new("SELECT m.id FROM messages m WHERE m.state = 1 AND (");
	g_string_append(sql, index_search_sql(set));
	g_string_append_c(sql, ')');
	stmt = index_sql(idx, sql->str, error);
	g_string_free(sql, TRUE);
	if (stmt == NULL) {
		g_string_free(key, TRUE);
		return NULL;
	}
	index_search_bind(stmt, set);
	json = g_string_new("[");
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_string_append_printf(json, "%s%" G_GINT64_FORMAT, json->len > 1 ? "," : "",
		    (gint64)sqlite3_column_int64(stmt, 0));
	if (rc != SQLITE_DONE) {
		index_set_error(idx, error, INDEX_ERROR_QUERY, "cannot search");
		sqlite3_reset(stmt);
		g_string_free(json, TRUE);
		g_string_free(key, TRUE);
		return NULL;
	}
	sqlite3_reset(stmt);
	g_string_append_c(json, ']');
	if (g_hash_table_size(idx->set_memo) >= INDEX_QUERY_SETS)
		g_hash_table_remove_all(idx->set_memo);
	rows = g_new0(struct index_query_rows, 1);
	/* The search wrote nothing: the stamp it began with still holds. */
	rows->stamp = stamp;
	rows->json = g_string_free(json, FALSE);
	g_hash_table_replace(idx->set_memo, g_string_free(key, FALSE), rows);
	return rows->json;
}

/* The statement for the build's SQL, bound to everything the build holds. */
static sqlite3_stmt *
index_build_stmt(struct index *idx, struct index_build *b, GError **error)
{
	const char *set = NULL;
	sqlite3_stmt *stmt;

	/* The costly query's rows first: finding them runs a statement of its own. */
	if (b->set_sql != NULL && (set = index_query_set(idx, b->set_sql, error)) == NULL)
		return NULL;
	if ((stmt = index_sql(idx, b->sql->str, error)) == NULL)
		return NULL;
	/* Copied: the rows kept may be dropped by a later query while this one runs. */
	if (set != NULL)
		sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":qset"), set, -1,
		    SQLITE_TRANSIENT);
	index_bind_named_text(stmt, ":account", b->filter->account);
	index_bind_named_text(stmt, ":folder", b->filter->folder);
	if (b->match != NULL)
		index_bind_named_text(stmt, ":match", b->match);
	if (b->threads != NULL)
		index_bind_named_text(stmt, ":threads", b->threads);
	if (b->query_sql != NULL)
		index_search_bind(stmt, b->query_sql);
	if (b->extra_sql != NULL)
		index_search_bind(stmt, b->extra_sql);
	return stmt;
}

/* Set ERROR after a failed step of a filtered query. */
static void
index_query_error(struct index *idx, const struct index_build *b, GError **error)
{
	/* With a text condition, a plain SQL error is FTS5 refusing the query. */
	if ((b->match != NULL || b->filter->query != NULL || b->extra != NULL) &&
	    sqlite3_errcode(idx->db) == SQLITE_ERROR)
		index_set_error(idx, error, INDEX_ERROR_QUERY, "cannot search");
	else
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
}

/* index_each over the build's statement, its failure told as index_query_error tells it. */
static bool
index_build_each(struct index *idx, const struct index_build *b, sqlite3_stmt *stmt,
    index_step_fn fn, void *data, GError **error)
{
	GError *failed = NULL;

	if (index_each(idx, stmt, fn, data, &failed))
		return true;
	g_error_free(failed);
	index_query_error(idx, b, error);
	return false;
}

/* Run the build's count query; -1 on error. */
static int64_t
index_build_count(struct index *idx, struct index_build *b, GError **error)
{
	sqlite3_stmt *stmt = index_build_stmt(idx, b, error);
	int64_t n = -1;

	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		index_query_error(idx, b, error);
	sqlite3_reset(stmt);
	return n;
}

/* The messages of the build's account and folder, and the unread ones (UNREAD may be NULL; kept by triggers). */
static bool
index_query_scope_counts(struct index *idx, const struct index_build *b, int64_t *total,
    int64_t *unread, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT coalesce(sum(total), 0), coalesce(sum(unread), 0) FROM mailbox_counts"
	    " WHERE (?1 IS NULL OR account = ?1) AND (?2 IS NULL OR folder = ?2)",
	    error);
	bool ok;

	if (stmt == NULL)
		return false;
	index_bind_text(stmt, 1, b->filter->account);
	index_bind_text(stmt, 2, b->filter->folder);
	if ((ok = sqlite3_step(stmt) == SQLITE_ROW)) {
		*total = sqlite3_column_int64(stmt, 0);
		if (unread != NULL)
			*unread = sqlite3_column_int64(stmt, 1);
	} else {
		index_set_error(idx, error, INDEX_ERROR_DB, NULL);
	}
	sqlite3_reset(stmt);
	return ok;
}

bool
index_query_count(struct index *idx, const struct index_filter *filter, int64_t *total,
    int64_t *unread, GError **error)
{
	struct index_build b;
	int64_t n_total, n_unread;

	index_build_init(&b, filter, INDEX_SORT_DATE, false);
	if (!index_build_narrows(&b)) {
		/* Whole mailboxes: their counts, kept by triggers (schema 3). */
		if (!index_query_scope_counts(idx, &b, &n_total, &n_unread, error))
			n_total = n_unread = -1;
		goto out;
	}
	if (b.match != NULL || b.filter->query != NULL) {
		/*
		 * A text or query condition reads each matching row: count both
		 * in that one pass, not two (a limit at 100,000 messages).  When
		 * all of it is full text, the rows are looked up in the narrow
		 * index that covers the count (schema 5): 7 ms instead of 17 for
		 * 6,000 matches at 100,000 messages, which SQLite does not see
		 * by itself.
		 */
		sqlite3_stmt *stmt;

		g_string_append(b.sql, "SELECT count(*), coalesce(sum(instr(m.flags, 'S') = 0), 0)"
				       " FROM messages m");
		if (b.filter->query == NULL || index_search_is_fulltext(b.filter->query))
			g_string_append(b.sql, " INDEXED BY messages_flags_by_id");
		index_build_view(&b, false);
		n_total = n_unread = -1;
		if ((stmt = index_build_stmt(idx, &b, error)) != NULL) {
			if (sqlite3_step(stmt) == SQLITE_ROW) {
				n_total = sqlite3_column_int64(stmt, 0);
				n_unread = sqlite3_column_int64(stmt, 1);
			} else {
				index_query_error(idx, &b, error);
			}
			sqlite3_reset(stmt);
		}
		goto out;
	}
	g_string_append(b.sql, "SELECT count(*) FROM messages m");
	index_build_view(&b, false);
	n_total = index_build_count(idx, &b, error);
	n_unread = n_total;
	if (n_total >= 0 && !b.filter->unread_only) {
		/* The unread rows: a separate count walks the small unread indexes. */
		g_string_append(b.sql, " AND instr(m.flags, 'S') = 0");
		n_unread = index_build_count(idx, &b, error);
	}
out:
	index_build_clear(&b);
	if (n_total < 0 || n_unread < 0)
		return false;
	if (total != NULL)
		*total = n_total;
	if (unread != NULL)
		*unread = n_unread;
	return true;
}

bool
index_query_count_rows(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    int64_t *rows, GError **error)
{
	struct index_build b;
	int64_t n;

	index_build_init(&b, filter, sort, false);
	g_string_append(b.sql, "SELECT count(*) FROM messages m");
	index_build_view(&b, true);
	n = index_build_count(idx, &b, error);
	index_build_clear(&b);
	if (n < 0)
		return false;
	if (rows != NULL)
		*rows = n;
	return true;
}

/* Append the SELECT of full rows (with the thread sort's extra columns). */
static void
index_build_select_rows(struct index_build *b)
{
	g_string_append(b->sql, "SELECT " INDEX_COLUMNS);
	if (b->sort != INDEX_SORT_THREAD) {
		g_string_append(b->sql, " FROM messages m");
		return;
	}
	g_string_append(b->sql,
	    ", CASE WHEN m.thread_id = 0 THEN 1 ELSE (SELECT count(*) FROM messages x"
	    " WHERE x.thread_id = m.thread_id AND x.state = 1) END,"
	    " CASE WHEN m.thread_id = 0 THEN instr(m.flags, 'S') = 0 ELSE (SELECT count(*)"
	    " FROM messages x WHERE x.thread_id = m.thread_id AND x.state = 1"
	    " AND instr(x.flags, 'S') = 0) END, ");
	if (b->collapse)
		index_build_collapsed(b, "m.thread_id");
	else
		g_string_append(b->sql, "0");
	g_string_append(b->sql, " FROM messages m");
}

/* Read the thread sort's extra columns after INDEX_COLUMNS into MSG. */
static void
index_query_read_extra(const struct index_build *b, sqlite3_stmt *stmt, struct index_message *msg)
{
	if (b->sort != INDEX_SORT_THREAD)
		return;
	msg->thread_count = sqlite3_column_int64(stmt, INDEX_N_COLUMNS);
	msg->thread_unread = sqlite3_column_int64(stmt, INDEX_N_COLUMNS + 1);
	msg->thread_collapsed = sqlite3_column_int(stmt, INDEX_N_COLUMNS + 2) != 0;
}

/*
 * Build the page query of FILTER in SORT/REVERSE order (BACKWARD: turned
 * round), LIMIT :limit OFFSET :offset.
 */
static void
index_build_page(struct index_build *b, bool backward)
{
	index_build_select_rows(b);
	index_build_view(b, true);
	index_build_order(b, backward);
	g_string_append(b->sql, " LIMIT :limit OFFSET :offset");
}

/*
 * Whether the page OFFSET..+LIMIT of a narrowed view of VIEW_ROWS rows is
 * cheaper found by walking the order's index (about (OFFSET + LIMIT) *
 * SCOPE / VIEW_ROWS index entries, a fraction of a microsecond each) than by
 * reading every match and sorting them (VIEW_ROWS rows, a few microseconds
 * each).  At 100,000 messages a limit with 6,000 matches reads its first
 * screen in 4 ms instead of 20; one with 26 still sorts its 26.
 */
static bool
index_query_page_walks(int64_t offset, int64_t limit, int64_t view_rows, int64_t scope)
{
	if (view_rows <= 0 || scope <= 0)
		return false;
	return (double)(offset + limit) * (double)scope <= 8.0 * (double)view_rows * (double)view_rows;
}

/* What index_query_page's and index_query_foreach's rows go to. */
struct index_rows_to {
	const struct index_build *build;
	GPtrArray *rows;  /* index_query_page: a new row each */
	index_row_fn fn;  /* index_query_foreach: one row at a time */
	void *data;
};

/* A row of the page onto its array (index_step_fn). */
static bool
index_query_page_row(sqlite3_stmt *stmt, void *data)
{
	struct index_rows_to *to = data;
	struct index_message *msg = g_new0(struct index_message, 1);

	index_read_row(stmt, msg);
	index_query_read_extra(to->build, stmt, msg);
	g_ptr_array_add(to->rows, msg);
	return true;
}

bool
index_query_page(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t offset, int64_t limit, int64_t view_rows, GPtrArray *rows,
    GError **error)
{
	struct index_build b;
	struct index_rows_to page = { 0 };
	sqlite3_stmt *stmt;
	guint first = rows->len;
	bool backward = false, ok;

	offset = MAX(offset, 0);
	if (limit <= 0 || (view_rows >= 0 && offset >= view_rows))
		return true;
	index_build_init(&b, filter, sort, reverse);
	if (view_rows >= 0 && offset + limit / 2 > view_rows / 2) {
		/*
		 * The far half is read from the other end: OFFSET makes SQLite
		 * step over every row before the page (9 ms to the end of
		 * 100,000; 100 ms with a limit in the thread view).
		 */
		int64_t end = MIN(offset + limit, view_rows);

		backward = true;
		limit = end - offset;
		offset = view_rows - end;
	}
	if (view_rows >= 0 && index_build_narrows(&b)) {
		int64_t scope;

		if (!index_query_scope_counts(idx, &b, &scope, NULL, error)) {
			index_build_clear(&b);
			return false;
		}
		b.walk = index_query_page_walks(offset, limit, view_rows, scope);
	}
	index_build_page(&b, backward);
	stmt = index_build_stmt(idx, &b, error);
	if (stmt == NULL) {
		index_build_clear(&b);
		return false;
	}
	index_bind_named_int64(stmt, ":limit", limit);
	index_bind_named_int64(stmt, ":offset", offset);
	page.build = &b;
	page.rows = rows;
	ok = index_build_each(idx, &b, stmt, index_query_page_row, &page, error);
	index_build_clear(&b);
	/* Read backward: put the page's rows back in the view's order. */
	for (guint i = first, j = rows->len; backward && j > 0 && i < j - 1; i++, j--) {
		gpointer t = rows->pdata[i];

		rows->pdata[i] = rows->pdata[j - 1];
		rows->pdata[j - 1] = t;
	}
	return ok;
}

/* A row handed to the caller's function, then cleared (index_step_fn). */
static bool
index_query_foreach_row(sqlite3_stmt *stmt, void *data)
{
	struct index_rows_to *to = data;
	struct index_message msg = { 0 };
	bool more;

	index_read_row(stmt, &msg);
	index_query_read_extra(to->build, stmt, &msg);
	more = to->fn(&msg, to->data);
	index_message_clear(&msg);
	return more;
}

bool
index_query_foreach(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, index_row_fn fn, void *data, GError **error)
{
	struct index_build b;
	struct index_rows_to each = { 0 };
	sqlite3_stmt *stmt;
	bool ok;

	index_build_init(&b, filter, sort, reverse);
	index_build_page(&b, false);
	stmt = index_build_stmt(idx, &b, error);
	if (stmt == NULL) {
		index_build_clear(&b);
		return false;
	}
	/* A negative LIMIT is no limit in SQLite. */
	index_bind_named_int64(stmt, ":limit", -1);
	index_bind_named_int64(stmt, ":offset", 0);
	each.build = &b;
	each.fn = fn;
	each.data = data;
	ok = index_build_each(idx, &b, stmt, index_query_foreach_row, &each, error);
	index_build_clear(&b);
	return ok;
}

/*
 * Read the sort keys of row ID into KEYS (3 values), when the row is in the
 * view (IN_VIEW) or at all.  1 found, 0 not, -1 error.
 */
static int
index_query_row_keys(struct index *idx, struct index_build *b, int64_t id, bool in_view,
    sqlite3_value **keys, GError **error)
{
	sqlite3_stmt *stmt;
	int rc, i;

	g_string_assign(b->sql, "SELECT ");
	index_build_key_columns(b);
	g_string_append(b->sql, " FROM messages m");
	if (in_view) {
		index_build_view(b, true);
		g_string_append(b->sql, " AND m.id = :id");
	} else {
		g_string_append(b->sql, " WHERE m.id = :id");
	}
	if ((stmt = index_build_stmt(idx, b, error)) == NULL)
		return -1;
	index_bind_named_int64(stmt, ":id", id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(stmt) && i < 3; i++)
			keys[i] = sqlite3_value_dup(sqlite3_column_value(stmt, i));
	} else if (rc != SQLITE_DONE) {
		index_query_error(idx, b, error);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Bind the keys read by index_query_row_keys as :k1.. and free them. */
static void
index_query_bind_keys(sqlite3_stmt *stmt, sqlite3_value **keys)
{
	int i;

	for (i = 0; i < 3; i++) {
		char name[8];
		int at;

		if (keys[i] == NULL)
			continue;
		g_snprintf(name, sizeof name, ":k%d", i + 1);
		if ((at = sqlite3_bind_parameter_index(stmt, name)) > 0)
			sqlite3_bind_value(stmt, at, keys[i]);
	}
}

/* Free keys read by index_query_row_keys. */
static void
index_query_free_keys(sqlite3_value **keys)
{
	int i;

	for (i = 0; i < 3; i++) {
		sqlite3_value_free(keys[i]);
		keys[i] = NULL;
	}
}

int64_t
index_query_position(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t id, GError **error)
{
	sqlite3_value *keys[3] = { NULL, NULL, NULL };
	struct index_build b;
	sqlite3_stmt *stmt;
	int64_t pos = -1;

	index_build_init(&b, filter, sort, reverse);
	if (index_query_row_keys(idx, &b, id, true, keys, error) <= 0)
		goto out;
	g_string_assign(b.sql, "SELECT count(*) FROM messages m");
	index_build_view(&b, true);
	index_build_beyond(&b, false);
	if ((stmt = index_build_stmt(idx, &b, error)) == NULL)
		goto out;
	index_query_bind_keys(stmt, keys);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		pos = sqlite3_column_int64(stmt, 0);
	else
		index_query_error(idx, &b, error);
	sqlite3_reset(stmt);
out:
	index_query_free_keys(keys);
	index_build_clear(&b);
	return pos;
}

/*
 * The first row of the build's view (no collapsing) that matches its extra
 * query, after the keys (when KEYS[0] is set) in order, or backward.  1 found
 * (*ID, *THREAD set), 0 not, -1 error.
 */
static int
index_query_find_step(struct index *idx, struct index_build *b, sqlite3_value **keys, bool backward,
    int64_t *id, int64_t *thread, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	g_string_assign(b->sql, "SELECT m.id, m.thread_id FROM messages m");
	index_build_view(b, false);
	if (b->extra != NULL && search_query_root(b->extra) != NULL) {
		index_search_free(b->extra_sql);
		b->extra_sql = index_search_compile(b->extra, "m", "f");
		g_string_append_printf(b->sql, " AND (%s)", index_search_sql(b->extra_sql));
	}
	if (keys[0] != NULL)
		index_build_beyond(b, !backward);
	index_build_order(b, backward);
	g_string_append(b->sql, " LIMIT 1");
	if ((stmt = index_build_stmt(idx, b, error)) == NULL)
		return -1;
	index_query_bind_keys(stmt, keys);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(stmt, 0);
		*thread = sqlite3_column_int64(stmt, 1);
	} else if (rc != SQLITE_DONE) {
		index_query_error(idx, b, error);
	}
	sqlite3_reset(stmt);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

bool
index_query_find(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, const struct search_query *query, int64_t from_id, bool backward, bool wrap,
    int64_t *found_id, int64_t *found_thread, GError **error)
{
	sqlite3_value *keys[3] = { NULL, NULL, NULL };
	struct index_build b;
	int64_t id = 0, thread = 0;
	int rc = 0;

	index_build_init(&b, filter, sort, reverse);
	b.extra = query;
	if (from_id > 0 && index_query_row_keys(idx, &b, from_id, false, keys, error) < 0) {
		rc = -1;
		goto out;
	}
	rc = index_query_find_step(idx, &b, keys, backward, &id, &thread, error);
	if (rc == 0 && wrap && keys[0] != NULL) {
		/* Round the end: from the other side, the start row last. */
		index_query_free_keys(keys);
		rc = index_query_find_step(idx, &b, keys, backward, &id, &thread, error);
	}
out:
	index_query_free_keys(keys);
	index_build_clear(&b);
	if (found_id != NULL)
		*found_id = rc == 1 ? id : 0;
	if (found_thread != NULL)
		*found_thread = rc == 1 ? thread : 0;
	return rc == 1;
}

bool
index_query_thread_span(struct index *idx, const struct index_filter *filter, bool reverse,
    int64_t thread_id, int64_t *first, int64_t *count, GError **error)
{
	struct index_build b;
	sqlite3_stmt *stmt;
	int64_t top = 0, n = 0, pos = -1;
	int rc;

	index_build_init(&b, filter, INDEX_SORT_THREAD, reverse);
	g_string_append(b.sql, "SELECT m.id, (SELECT count(*) FROM messages m");
	index_build_view(&b, true);
	g_string_append(b.sql, " AND m.thread_id = :thread) FROM messages m");
	index_build_view(&b, true);
	g_string_append(b.sql, " AND m.thread_id = :thread ORDER BY m.thread_pos LIMIT 1");
	if ((stmt = index_build_stmt(idx, &b, error)) == NULL) {
		index_build_clear(&b);
		return false;
	}
	index_bind_named_int64(stmt, ":thread", thread_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		top = sqlite3_column_int64(stmt, 0);
		n = sqlite3_column_int64(stmt, 1);
	} else if (rc != SQLITE_DONE) {
		index_query_error(idx, &b, error);
	}
	sqlite3_reset(stmt);
	index_build_clear(&b);
	if (rc != SQLITE_ROW || thread_id <= 0)
		return false;
	pos = index_query_position(idx, filter, INDEX_SORT_THREAD, reverse, top, error);
	if (pos < 0)
		return false;
	if (first != NULL)
		*first = pos;
	if (count != NULL)
		*count = n;
	return true;
}

bool
index_query_ids(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, GArray *ids, GError **error)
{
	struct index_build b;
	sqlite3_stmt *stmt;
	bool ok;

	index_build_init(&b, filter, sort, reverse);
	g_string_append(b.sql, "SELECT m.id FROM messages m");
	index_build_view(&b, false);
	index_build_order(&b, false);
	if ((stmt = index_build_stmt(idx, &b, error)) == NULL) {
		index_build_clear(&b);
		return false;
	}
	ok = index_build_each(idx, &b, stmt, index_step_int64, ids, error);
	index_build_clear(&b);
	return ok;
}

bool
index_query_tag_filter(struct index *idx, const struct index_filter *filter, bool tagged,
    int64_t undo, int64_t *changed, GError **error)
{
	struct index_build b;
	sqlite3_stmt *stmt;
	bool own, ok = false;

	if (!index_write_begin(idx, &own, error))
		return false;
	index_build_init(&b, filter, INDEX_SORT_DATE, false);
	if (undo > 0) {
		g_string_append(b.sql,
		    "INSERT INTO undo_entries (action, id, kind, account, folder, subdir, flags,"
		    " uidl, tagged) SELECT :undo, m.id, 1, m.account, m.folder, m.subdir, m.flags,"
		    " m.uidl, m.tagged FROM messages m");
		index_build_view(&b, false);
		g_string_append_printf(b.sql, " AND m.tagged = %d", tagged ? 0 : 1);
		if ((stmt = index_build_stmt(idx, &b, error)) == NULL)
			goto out;
		index_bind_named_int64(stmt, ":undo", undo);
		if (!index_run(idx, stmt, error))
			goto out;
		g_string_truncate(b.sql, 0);
	}
	g_string_append_printf(b.sql, "UPDATE messages SET tagged = %d WHERE id IN (SELECT m.id"
				      " FROM messages m",
	    tagged ? 1 : 0);
	index_build_view(&b, false);
	g_string_append_printf(b.sql, " AND m.tagged = %d)", tagged ? 0 : 1);
	if ((stmt = index_build_stmt(idx, &b, error)) == NULL || !index_run(idx, stmt, error))
		goto out;
	if (changed != NULL)
		*changed = sqlite3_changes(idx->db);
	ok = true;
out:
	index_build_clear(&b);
	if (ok)
		ok = index_write_end(idx, own, error);
	else
		index_write_undo(idx, own);
	return ok;
}

void
index_mailbox_count_free(struct index_mailbox_count *count)
{
	if (count == NULL)
		return;
	g_free(count->account);
	g_free(count->folder);
	g_free(count);
}

/* A row of mailbox_counts onto the GPtrArray DATA (index_step_fn). */
static bool
index_query_mailbox_count_row(sqlite3_stmt *stmt, void *data)
{
	struct index_mailbox_count *c = g_new0(struct index_mailbox_count, 1);

	c->account = index_column_text(stmt, 0);
	c->folder = index_column_text(stmt, 1);
	c->total = sqlite3_column_int64(stmt, 2);
	c->unread = sqlite3_column_int64(stmt, 3);
	c->flagged = sqlite3_column_int64(stmt, 4);
	g_ptr_array_add(data, c);
	return true;
}

bool
index_query_mailbox_counts(struct index *idx, GPtrArray *out, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT account, folder, total, unread, flagged FROM mailbox_counts"
	    " WHERE total > 0 ORDER BY account, folder",
	    error);

	return stmt != NULL && index_each(idx, stmt, index_query_mailbox_count_row, out, error);
}

bool
index_query_counts(struct index *idx, const struct search_query *const *queries, size_t n,
    int64_t *total, int64_t *unread, GError **error)
{
	size_t i;

	/*
	 * One count per query: each uses its own indexes (FTS5, the unread
	 * index...), which beats one pass over every row by far at 100,000.
	 */
	for (i = 0; i < n; i++) {
		struct index_filter filter = { 0 };
		int64_t t = 0, u = 0;

		filter.query = queries[i];
		if (!index_query_count(idx, &filter, &t, &u, error))
			return false;
		if (total != NULL)
			total[i] = t;
		if (unread != NULL)
			unread[i] = u;
	}
	return true;
}
