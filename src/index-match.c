/*
 * index-match: the SQL functions behind the query language's mutt patterns
 * (index-search.c compiles them):
 *
 *   surat_regexp(pattern, how, text)   1 when TEXT matches; HOW's bits:
 *                                      1 any case, 2 a plain string, 4 ^ and $
 *                                      at every line
 *   surat_headers(account, folder, subdir, base, flags)
 *                                      the message's header block, read by
 *                                      the caller's reader (index.h)
 *   surat_header_field(name, headers)  the values of the NAME: lines
 *   surat_own(addresses)               1 when one of the space-separated
 *                                      addresses is the user's (~p, ~P)
 *   surat_body_set(pattern, how, like, words)
 *                                      the ids of the rows whose body text
 *                                      (kept by the full-text table) matches,
 *                                      as a JSON array, made once until the
 *                                      index changes: a limit's count, page
 *                                      and cursor place each ask for it
 *   surat_file_match(pattern, how, field, id, account, folder, subdir, base,
 *                    flags)            surat_regexp over the message's header
 *                                      block (or its FIELD: lines), read from
 *                                      the file once per pattern: a limit
 *                                      counts, pages and finds the cursor's
 *                                      place, and each would read every file
 *
 * Each pattern is compiled once per statement (SQLite's auxiliary data
 * keeps it between rows).
 */
#include <string.h>

#include "index-private.h"

/* The bits of surat_regexp's second argument. */
enum {
	INDEX_MATCH_CASELESS = 1,
	INDEX_MATCH_STRING = 2,
	INDEX_MATCH_LINES = 4,
};

/* The pattern of argument 0 compiled for HOW, or NULL (an error is set on CTX). */
static GRegex *
index_match_regex(sqlite3_context *ctx, sqlite3_value **argv, int how)
{
	const char *pattern = (const char *)sqlite3_value_text(argv[0]);
	GRegexCompileFlags cflags = G_REGEX_OPTIMIZE;
	GError *err = NULL;
	GRegex *re;
	char *escaped = NULL;

	if (pattern == NULL)
		pattern = "";
	if (how & INDEX_MATCH_CASELESS)
		cflags |= G_REGEX_CASELESS;
	if (how & INDEX_MATCH_LINES)
		cflags |= G_REGEX_MULTILINE;
	if (how & INDEX_MATCH_STRING)
		pattern = escaped = g_regex_escape_string(pattern, -1);
	re = g_regex_new(pattern, cflags, 0, &err);
	g_free(escaped);
	if (re == NULL) {
		sqlite3_result_error(ctx, err->message, -1);
		g_error_free(err);
	}
	return re;
}

/* SQL surat_regexp(pattern, how, text). */
static void
index_fn_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *text = (const char *)sqlite3_value_text(argv[2]);
	GRegex *re = sqlite3_get_auxdata(ctx, 0);
	bool fresh = false, hit;

	(void)argc;
	if (re == NULL) {
		if ((re = index_match_regex(ctx, argv, sqlite3_value_int(argv[1]))) == NULL)
			return;
		fresh = true;
	}
	hit = text != NULL && text[0] != '\0' && g_regex_match(re, text, 0, NULL);
	sqlite3_result_int(ctx, hit ? 1 : 0);
	/* Kept for the next row; SQLite may free it at once, so it is set last. */
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, re, (void (*)(void *))g_regex_unref);
}

/* SQL surat_headers(account, folder, subdir, base, flags). */
static void
index_fn_headers(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct index *idx = sqlite3_user_data(ctx);
	char *headers;

	(void)argc;
	if (idx->headers_fn == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	headers = idx->headers_fn(index_value_text(argv, 0), index_value_text(argv, 1),
	    index_value_text(argv, 2), index_value_text(argv, 3), index_value_text(argv, 4),
	    idx->headers_data);
	if (headers == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, headers, -1, g_free);
}

/* The values of the NAME: lines of the header block LINE, one per line, or NULL. */
static char *
index_match_field(const char *name, const char *line)
{
	const char *end;
	size_t n = strlen(name);
	GString *out = NULL;

	for (; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		const char *v;

		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if ((size_t)(end - line) <= n || line[n] != ':' || g_ascii_strncasecmp(line, name, n) != 0)
			continue;
		for (v = line + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		if (out == NULL)
			out = g_string_new(NULL);
		else
			g_string_append_c(out, '\n');
		g_string_append_len(out, v, end - v);
	}
	return out != NULL ? g_string_free(out, FALSE) : NULL;
}

/* SQL surat_header_field(name, headers): the values of its NAME: lines, one per line. */
static void
index_fn_header_field(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char *values = index_match_field(index_value_text(argv, 0), index_value_text(argv, 1));

	(void)argc;
	if (values == NULL)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, values, -1, g_free);
}

/* Patterns whose file results are kept; past it, all are dropped (a new query). */
#define INDEX_MATCH_MEMOS 4

/*
 * The results of one pattern over files: row id -> the base name's hash,
 * shifted, with bit 0 set and bit 1 the answer.  The hash tells a row id
 * given out again to another message.
 */
static GHashTable *
index_match_memo(struct index *idx, const char *pattern, int how, const char *field)
{
	char *key = g_strdup_printf("%d\x1f%s\x1f%s", how, field, pattern);
	GHashTable *memo;

	if (idx->file_memo == NULL)
		idx->file_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    (GDestroyNotify)g_hash_table_unref);
	if ((memo = g_hash_table_lookup(idx->file_memo, key)) != NULL) {
		g_free(key);
		return memo;
	}
	if (g_hash_table_size(idx->file_memo) >= INDEX_MATCH_MEMOS)
		g_hash_table_remove_all(idx->file_memo);
	memo = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	g_hash_table_insert(idx->file_memo, key, memo);
	return memo;
}

/* SQL surat_file_match(pattern, how, field, id, account, folder, subdir, base, flags). */
static void
index_fn_file_match(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct index *idx = sqlite3_user_data(ctx);
	const char *pattern = index_value_text(argv, 0), *field = index_value_text(argv, 2);
	const char *base = index_value_text(argv, 7);
	int how = sqlite3_value_int(argv[1]);
	gint64 id = sqlite3_value_int64(argv[3]);
	guint mark = (g_str_hash(base) << 2) | 1;
	GHashTable *memo = index_match_memo(idx, pattern, how, field);
	gpointer known;
	GRegex *re;
	char *headers, *text;
	bool hit = false, fresh = false;

	(void)argc;
	known = g_hash_table_lookup(memo, &id);
	if (known != NULL && (GPOINTER_TO_UINT(known) | 2) == (mark | 2)) {
		sqlite3_result_int(ctx, (GPOINTER_TO_UINT(known) & 2) ? 1 : 0);
		return;
	}
	if ((re = sqlite3_get_auxdata(ctx, 0)) == NULL) {
		if ((re = index_match_regex(ctx, argv, how)) == NULL)
			return;
		fresh = true;
	}
	headers = idx->headers_fn == NULL ? NULL
	    : idx->headers_fn(index_value_text(argv, 4), index_value_text(argv, 5),
		  index_value_text(argv, 6), base, index_value_text(argv, 8), idx->headers_data);
	text = headers != NULL && field[0] != '\0' ? index_match_field(field, headers) : NULL;
	if (field[0] == '\0')
		hit = headers != NULL && g_regex_match(re, headers, 0, NULL);
	else
		hit = text != NULL && g_regex_match(re, text, 0, NULL);
	g_free(text);
	/* A file that could not be read is not remembered: it may be back. */
	if (headers != NULL)
		g_hash_table_insert(memo, g_memdup2(&id, sizeof id),
		    GUINT_TO_POINTER(mark | (hit ? 2 : 0)));
	g_free(headers);
	sqlite3_result_int(ctx, hit ? 1 : 0);
	if (fresh)
		sqlite3_set_auxdata(ctx, 0, re, (void (*)(void *))g_regex_unref);
}

/* True when ADDRESS (LEN bytes) is one of IDX's own. */
static bool
index_match_own(struct index *idx, const char *address, size_t len)
{
	char lower[256], *fold = NULL;
	const char *key = lower;
	bool own;
	size_t i;

	/* Most addresses are ASCII: folded on the stack, as ~p runs for every row. */
	for (i = 0; i < len && i < sizeof lower - 1 && (unsigned char)address[i] < 0x80; i++)
		lower[i] = g_ascii_tolower(address[i]);
	lower[i] = '\0';
	if (i < len)
		key = fold = g_utf8_casefold(address, (gssize)len);
	own = idx->own != NULL && g_hash_table_contains(idx->own, key);
	/* alternates is made caseless (config_alternates): one match does. */
	if (!own && idx->alternates != NULL)
		own = g_regex_match_full(idx->alternates, address, (gssize)len, 0, 0, NULL, NULL);
	g_free(fold);
	return own;
}

/* SQL surat_own(addresses): 1 when one of them is the user's. */
static void
index_fn_own(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct index *idx = sqlite3_user_data(ctx);
	const char *s = index_value_text(argv, 0);
	bool own = false;

	(void)argc;
	while (!own && *s != '\0') {
		size_t n = strcspn(s, " ,");

		if (n > 0 && g_utf8_validate(s, (gssize)n, NULL))
			own = index_match_own(idx, s, n);
		s += n;
		s += strspn(s, " ,");
	}
	sqlite3_result_int(ctx, own ? 1 : 0);
}

/* A body pattern's ids, and the index's change stamp when they were found. */
struct index_body_set {
	guint64 stamp;
	char *json;
};

static void
index_body_set_free(gpointer data)
{
	struct index_body_set *set = data;

	g_free(set->json);
	g_free(set);
}

/* A number that changes whenever any connection writes the index (index_change_stamp's). */
static guint64
index_match_stamp(struct index *idx)
{
	unsigned int version = 0;

	/* No statement: this runs inside one. */
	sqlite3_file_control(idx->db, "main", SQLITE_FCNTL_DATA_VERSION, &version);
	return (guint64)version + (guint64)sqlite3_total_changes64(idx->db);
}

/* The one number SQL (with ?1 bound to ARG unless NULL) gives, or -1. */
static gint64
index_match_count(struct index *idx, const char *sql, const char *arg)
{
	sqlite3_stmt *stmt;
	gint64 n = -1;

	/* Prepared here, not from the cache: this runs inside another statement. */
	if (sqlite3_prepare_v2(idx->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	if (arg != NULL)
		sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

/* SQL surat_body_set(pattern, how, like, words): "[id,...]" of the bodies that match. */
static void
index_fn_body_set(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct index *idx = sqlite3_user_data(ctx);
	const char *pattern = index_value_text(argv, 0);
	const unsigned char *like = sqlite3_value_text(argv[2]);
	const unsigned char *words = sqlite3_value_text(argv[3]);
	int how = sqlite3_value_int(argv[1]);
	guint64 stamp = index_match_stamp(idx);
	char *key = g_strdup_printf("%d\x1f%s\x1f%s\x1f%s", how,
	    like != NULL ? (const char *)like : "", words != NULL ? (const char *)words : "",
	    pattern);
	GString *select;
	struct index_body_set *set;
	sqlite3_stmt *stmt = NULL;
	GString *json;
	GRegex *re;
	int rc;

	(void)argc;
	if (idx->body_memo == NULL)
		idx->body_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
		    index_body_set_free);
	set = g_hash_table_lookup(idx->body_memo, key);
	if (set != NULL && set->stamp == stamp) {
		sqlite3_result_text(ctx, set->json, -1, SQLITE_TRANSIENT);
		g_free(key);
		return;
	}
	if ((re = index_match_regex(ctx, argv, how)) == NULL) {
		g_free(key);
		return;
	}
	select = g_string_new("SELECT rowid, body FROM messages_fts WHERE 1");
	/*
	 * The word index's candidates first, when they are few: reading the
	 * bodies of most messages one by one costs more than reading them all
	 * in order.  Then the LIKE (as index-search.c does for the other
	 * fields), then the regular expression.
	 */
	if (words != NULL && index_match_count(idx, "SELECT count(*) FROM messages_fts WHERE "
	    "messages_fts MATCH ?1", (const char *)words) * 8 >
	    index_match_count(idx, "SELECT coalesce(sum(total), 0) FROM mailbox_counts", NULL))
		words = NULL;
	if (words != NULL)
		g_string_append(select, " AND messages_fts MATCH ?1");
	if (like != NULL)
		g_string_append(select, " AND body LIKE ?2");
	rc = sqlite3_prepare_v2(idx->db, select->str, -1, &stmt, NULL);
	g_string_free(select, TRUE);
	if (rc == SQLITE_OK && words != NULL)
		sqlite3_bind_text(stmt, 1, (const char *)words, -1, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK && like != NULL)
		sqlite3_bind_text(stmt, 2, (const char *)like, -1, SQLITE_TRANSIENT);
	json = g_string_new("[");
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(stmt, 1);

		if (body != NULL && body[0] != '\0' && g_regex_match(re, body, 0, NULL))
			g_string_append_printf(json, "%s%" G_GINT64_FORMAT, json->len > 1 ? "," : "",
			    (gint64)sqlite3_column_int64(stmt, 0));
		rc = SQLITE_OK;
	}
	g_string_append_c(json, ']');
	g_regex_unref(re);
	if (rc != SQLITE_DONE) {
		sqlite3_result_error(ctx, sqlite3_errmsg(idx->db), -1);
		sqlite3_finalize(stmt);
		g_string_free(json, TRUE);
		g_free(key);
		return;
	}
	sqlite3_finalize(stmt);
	if (g_hash_table_size(idx->body_memo) >= INDEX_MATCH_MEMOS)
		g_hash_table_remove_all(idx->body_memo);
	set = g_new0(struct index_body_set, 1);
	set->stamp = stamp;
	set->json = g_string_free(json, FALSE);
	sqlite3_result_text(ctx, set->json, -1, SQLITE_TRANSIENT);
	g_hash_table_replace(idx->body_memo, key, set);
}

bool
index_match_add_functions(struct index *idx, GError **error)
{
	int pure = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

	if (sqlite3_create_function(idx->db, "surat_regexp", 3, pure, NULL, index_fn_regexp, NULL,
		NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_header_field", 2, pure, NULL,
		index_fn_header_field, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_headers", 5, SQLITE_UTF8, idx, index_fn_headers,
		NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_own", 1, SQLITE_UTF8, idx, index_fn_own, NULL,
		NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_file_match", 9, SQLITE_UTF8, idx,
		index_fn_file_match, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(idx->db, "surat_body_set", 4, SQLITE_UTF8, idx,
		index_fn_body_set, NULL, NULL) != SQLITE_OK) {
		index_set_error(idx, error, INDEX_ERROR_DB, "cannot register functions");
		return false;
	}
	return true;
}

void
index_match_clear(struct index *idx)
{
	if (idx->headers_free != NULL)
		idx->headers_free(idx->headers_data);
	idx->headers_fn = NULL;
	idx->headers_data = NULL;
	idx->headers_free = NULL;
	g_clear_pointer(&idx->file_memo, g_hash_table_destroy);
	g_clear_pointer(&idx->body_memo, g_hash_table_destroy);
	g_clear_pointer(&idx->set_memo, g_hash_table_destroy);
	g_clear_pointer(&idx->own, g_hash_table_destroy);
	g_clear_pointer(&idx->alternates, g_regex_unref);
}

void
index_set_headers_reader(struct index *idx, index_headers_fn fn, void *data,
    GDestroyNotify free_data)
{
	if (idx->headers_free != NULL)
		idx->headers_free(idx->headers_data);
	/* Other files, other answers. */
	g_clear_pointer(&idx->file_memo, g_hash_table_destroy);
	idx->headers_fn = fn;
	idx->headers_data = data;
	idx->headers_free = free_data;
}

void
index_set_own_addresses(struct index *idx, const char *const *addresses,
    const GRegex *alternates)
{
	g_clear_pointer(&idx->own, g_hash_table_destroy);
	g_clear_pointer(&idx->alternates, g_regex_unref);
	idx->own = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (; addresses != NULL && *addresses != NULL; addresses++) {
		if (g_utf8_validate(*addresses, -1, NULL))
			g_hash_table_add(idx->own, g_utf8_casefold(*addresses, -1));
	}
	if (alternates != NULL)
		idx->alternates = g_regex_ref((GRegex *)alternates);
}
