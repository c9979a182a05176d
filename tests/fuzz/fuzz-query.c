/*
 * fuzz-query: libFuzzer target over the query language (search.h), from the
 * text a user types to rows of a real index (index.h).
 *
 * Text that does not parse gets an error whose column points into the text
 * (column - 1 characters before its byte offset) and whose message is one
 * sanitized line.  Text that parses compiles (index-search.c, through
 * index-private.h, the one private header this target reads) to SQL in
 * which nothing comes from the user: every word of it is an SQL keyword, a table, column or
 * index of the schema, a function or the alias; every literal is a fixed one
 * (a flag letter, 'new', 'cur'); every parameter is one of the query's own.
 * And that SQL runs: counting and listing the rows of a small index in a
 * temporary folder must succeed (an FTS5 syntax error from a user's word
 * would fail it).
 *
 * The index is made on the first input and removed at exit; replay.c runs
 * the corpus in every build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "surat/index.h"
#include "surat/sanitize.h"
#include "surat/search.h"
#include "../../src/index-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1767225600 /* 2026-01-01: relative dates count from here */

static char *fuzz_dir;
static struct index *fuzz_index;
static GHashTable *fuzz_names; /* words the SQL may hold: the schema's names and functions */

/* Remove the index and its folder. */
static void
fuzz_cleanup(void)
{
	const char *suffix[] = { "", "-wal", "-shm", "-journal" };
	size_t i;

	index_free(fuzz_index);
	for (i = 0; i < G_N_ELEMENTS(suffix); i++) {
		char *path = g_strdup_printf("%s/index.db%s", fuzz_dir, suffix[i]);

		g_unlink(path);
		g_free(path);
	}
	g_rmdir(fuzz_dir);
	g_free(fuzz_dir);
	g_hash_table_destroy(fuzz_names);
}

/* Add one row. */
static void
fuzz_put(const char *account, const char *folder, const char *subdir, const char *flags,
    const char *from, const char *to, const char *subject, const char *body, int64_t date,
    int64_t size)
{
	static int n;
	struct index_message msg = { 0 };
	GError *error = NULL;

	msg.account = g_strdup(account);
	msg.folder = g_strdup(folder);
	msg.subdir = g_strdup(subdir);
	msg.base = g_strdup_printf("%" G_GINT64_FORMAT ".M%dP1.host", date, ++n);
	msg.flags = g_strdup(flags);
	msg.message_id = g_strdup_printf("id%d@example.org", n);
	msg.from = g_strdup(from);
	msg.from_addr = g_strdup(from);
	msg.to = g_strdup(to);
	msg.to_addr = g_strdup(to);
	msg.cc = g_strdup("");
	msg.cc_addr = g_strdup("");
	msg.subject = g_strdup(subject);
	msg.date = date;
	msg.arrival = date;
	msg.size = size;
	msg.state = INDEX_STATE_STORED;
	if (!index_put(fuzz_index, &msg, body, &error)) {
		fprintf(stderr, "fuzz-query: %s\n", error->message);
		abort();
	}
	index_message_clear(&msg);
}

/* The names of the schema (tables, columns, indexes) and SQL's functions. */
static void
fuzz_read_names(const char *path)
{
	static const char *const queries[] = {
		"SELECT name FROM sqlite_schema",
		"SELECT p.name FROM sqlite_schema s, pragma_table_info(s.name) p WHERE s.type = 'table'",
		"SELECT name FROM pragma_function_list",
	};
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t i;

	fuzz_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		abort();
	for (i = 0; i < G_N_ELEMENTS(queries); i++) {
		if (sqlite3_prepare_v2(db, queries[i], -1, &st, NULL) != SQLITE_OK)
			abort();
		while (sqlite3_step(st) == SQLITE_ROW)
			g_hash_table_add(fuzz_names,
			    g_ascii_strdown((const char *)sqlite3_column_text(st, 0), -1));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	if (!g_hash_table_contains(fuzz_names, "messages_fts") ||
	    !g_hash_table_contains(fuzz_names, "flags") || !g_hash_table_contains(fuzz_names, "instr"))
		abort();
}

/* Make the index of a few messages, once. */
static void
fuzz_setup(void)
{
	GError *error = NULL;
	char *path;

	if (fuzz_index != NULL)
		return;
	fuzz_dir = g_dir_make_tmp("surat-fuzz-query-XXXXXX", &error);
	if (fuzz_dir == NULL)
		abort();
	path = g_build_filename(fuzz_dir, "index.db", NULL);
	fuzz_index = index_open(path, &error);
	if (fuzz_index == NULL) {
		fprintf(stderr, "fuzz-query: %s\n", error->message);
		abort();
	}
	fuzz_put("work", "", "new", "", "Alice Example", "bob@example.org", "Meeting tomorrow",
	    "Let's meet at ten.  \"Quoted\" words; a * star.", FUZZ_NOW - 3600, 2048);
	fuzz_put("work", "", "cur", "FRS", "Bob", "alice@example.org", "Re: Meeting tomorrow",
	    "Fine by me.\n> Let's meet at ten.", FUZZ_NOW - 86400 * 10, 1048576 * 2);
	fuzz_put("home", "archive", "cur", "PST", "ünïcödé sender", "carol@example.org",
	    "Rechnung März", "Grüße aus Köln NEAR AND OR NOT", FUZZ_NOW - 86400 * 400, 10);
	fuzz_put("home", "", "cur", "D", "", "", "", "", FUZZ_NOW + 86400, 0);
	fuzz_read_names(path);
	g_free(path);
	atexit(fuzz_cleanup);
}

/*
 * Abort unless SQL holds nothing from the user: words the schema or SQL
 * knows, fixed literals, numbers, the query's N parameters, punctuation.
 */
static void
fuzz_check_sql(const char *sql, size_t n_params)
{
	const char *p = sql, *start;

	while (*p != '\0') {
		start = p;
		if (g_ascii_isspace(*p) || strchr("().,=<>!*+-|", *p) != NULL) {
			p++;
		} else if (g_ascii_isalpha(*p) || *p == '_') {
			char *word;

			while (g_ascii_isalnum(*p) || *p == '_')
				p++;
			word = g_ascii_strdown(start, p - start);
			/* Aliases: m, the thread patterns' t1 t2..., ~m's n. */
			if (strcmp(word, "m") != 0 && strcmp(word, "n") != 0 &&
			    !(word[0] == 't' && g_ascii_isdigit(word[1])) &&
			    strcmp(word, "rowid") != 0 && !g_hash_table_contains(fuzz_names, word) &&
			    !g_str_has_prefix(word, "surat_") && strcmp(word, "json_each") != 0 &&
			    strcmp(word, "value") != 0 &&
			    !sqlite3_keyword_check(start, (int)(p - start)))
				abort();
			g_free(word);
		} else if (g_ascii_isdigit(*p)) {
			while (g_ascii_isdigit(*p))
				p++;
		} else if (*p == ':') {
			unsigned long v;
			char *end;

			if (p[1] != 'q' || !g_ascii_isdigit(p[2]))
				abort();
			v = strtoul(p + 2, &end, 10);
			if (v < 1 || v > n_params)
				abort();
			p = end;
		} else if (*p == '\'') {
			static const char *const literals[] = { "'new'", "'cur'" };
			const char *close = strchr(p + 1, '\'');
			size_t i, len;
			bool known;

			if (close == NULL)
				abort();
			len = (size_t)(close + 1 - p);
			known = len == 3 && g_ascii_isupper(p[1]);
			for (i = 0; i < G_N_ELEMENTS(literals); i++)
				known = known || (len == strlen(literals[i]) && memcmp(p, literals[i], len) == 0);
			if (!known)
				abort();
			p = close + 1;
		} else {
			abort(); /* a quoted identifier, a comment, anything else */
		}
	}
}

/* Abort unless ERROR points into TEXT with a clean message. */
static void
fuzz_check_error(const char *text, const struct search_error *error)
{
	if (error->message == NULL || !sanitize_is_clean(error->message, 0) ||
	    strchr(error->message, '\n') != NULL)
		abort();
	if (error->column < 1 || error->offset > strlen(text))
		abort();
	if (g_utf8_validate(text, -1, NULL) &&
	    (glong)error->column - 1 != g_utf8_strlen(text, (gssize)error->offset))
		abort();
}

/* Run QUERY against the index: count and list, as a view does. */
static void
fuzz_run(const struct search_query *query)
{
	struct index_filter filter = { .query = query };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t total = -1, unread = -1;
	GError *error = NULL;

	if (!index_query_count(fuzz_index, &filter, &total, &unread, &error) ||
	    !index_query_page(fuzz_index, &filter, INDEX_SORT_DATE, true, 0, 10, -1, rows,
	    &error)) {
		fprintf(stderr, "fuzz-query: %s: %s\n", search_query_text(query), error->message);
		abort();
	}
	if (total < 0 || total > 4 || unread < 0 || unread > total || rows->len > (guint)total)
		abort();
	g_ptr_array_free(rows, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size), *describe;
	struct search_error error = { 0 };
	struct search_query *query;
	struct index_search *compiled;
	GPtrArray *words;

	fuzz_setup();
	query = search_parse(text, FUZZ_NOW, &error);
	if (query == NULL) {
		fuzz_check_error(text, &error);
		search_error_clear(&error);
		g_free(text);
		return 0;
	}
	if (error.message != NULL || strcmp(search_query_text(query), text) != 0)
		abort();
	describe = search_query_describe(query);
	g_free(describe);
	words = g_ptr_array_new_with_free_func(g_free);
	search_query_words(query, words);
	g_ptr_array_free(words, TRUE);
	compiled = index_search_compile(query, "m", "q");
	fuzz_check_sql(index_search_sql(compiled), index_search_n_params(compiled));
	index_search_free(compiled);
	fuzz_run(query);
	search_query_free(query);
	g_free(text);
	return 0;
}
