/* Unit tests for index.c: schema and migrations, rows, search, paging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "testlib.h"
#include "surat/index.h"

/* A temporary folder; the index file is DIR/index.db. */
struct fixture {
	char *dir;
	char *path;
	struct index *idx;
};

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->dir = g_dir_make_tmp("surat-index-XXXXXX", NULL);
	assert_non_null(f->dir);
	f->path = g_build_filename(f->dir, "index.db", NULL);
	*state = f;
	return 0;
}

/* Set up with an open index. */
static int
setup_open(void **state)
{
	struct fixture *f;

	setup(state);
	f = *state;
	f->idx = index_open(f->path, NULL);
	assert_non_null(f->idx);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_free(f->idx);
	testlib_rmtree(f->dir);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* Run SQL on the file PATH with a separate connection. */
static void
raw_sql(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Insert a STORED row; returns its id. */
static int64_t
put(struct index *idx, const char *account, const char *base, int64_t date, const char *flags,
    const char *subject, const char *body)
{
	struct index_message m = { 0 };
	int64_t id;

	m.account = g_strdup(account);
	m.subdir = g_strdup(flags[0] != '\0' ? "cur" : "new");
	m.base = g_strdup(base);
	m.flags = g_strdup(flags);
	m.uidl = g_strdup_printf("uidl-%s", base);
	m.date = date;
	m.arrival = 1000;
	m.from = g_strdup("Alice Example");
	m.from_addr = g_strdup("alice@example.org");
	m.to = g_strdup("Bob");
	m.subject = g_strdup(subject);
	m.size = 100;
	m.mtime = 5;
	m.state = INDEX_STATE_STORED;
	assert_true(index_put(idx, &m, body, NULL));
	assert_true(m.id > 0);
	id = m.id;
	index_message_clear(&m);
	return id;
}

/* Number of rows the search TEXT finds (all accounts). */
static int64_t
search_count(struct index *idx, const char *text)
{
	struct index_filter filter = { .text = text };
	GError *error = NULL;
	int64_t total = -1, unread = -1;

	assert_true(index_query_count(idx, &filter, &total, &unread, &error));
	assert_null(error);
	return total;
}

static void
test_fresh_open_version(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	int64_t total = -1, unread = -1;

	f->idx = index_open(f->path, NULL);
	assert_non_null(f->idx);
	assert_int_equal(index_schema_version(f->idx), INDEX_SCHEMA_VERSION);
	assert_true(index_query_count(f->idx, &all, &total, &unread, NULL));
	assert_int_equal(total, 0);
	assert_int_equal(unread, 0);
}

static void
test_reopen_keeps_data(void **state)
{
	struct fixture *f = *state;
	struct index_message m = { 0 };
	int64_t id;

	f->idx = index_open(f->path, NULL);
	id = put(f->idx, "work", "b1", 100, "S", "Kept", "persistent body");
	index_free(f->idx);
	f->idx = index_open(f->path, NULL);
	assert_non_null(f->idx);
	assert_int_equal(index_schema_version(f->idx), INDEX_SCHEMA_VERSION);
	assert_true(index_get(f->idx, id, &m, NULL));
	assert_string_equal(m.subject, "Kept");
	assert_string_equal(m.account, "work");
	assert_string_equal(m.flags, "S");
	assert_string_equal(m.uidl, "uidl-b1");
	assert_string_equal(m.from_addr, "alice@example.org");
	assert_int_equal(m.date, 100);
	assert_int_equal(m.state, INDEX_STATE_STORED);
	index_message_clear(&m);
	assert_int_equal(search_count(f->idx, "persistent"), 1);
}

static void
test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;
	char *sql = g_strdup_printf("CREATE TABLE x (a); PRAGMA user_version = %d;",
	    INDEX_SCHEMA_VERSION + 1);

	raw_sql(f->path, sql);
	g_free(sql);
	assert_null(index_open(f->path, &error));
	assert_true(g_error_matches(error, INDEX_ERROR, INDEX_ERROR_SCHEMA));
	assert_true(index_error_is_unusable(error));
	assert_non_null(strstr(error->message, f->path));
	assert_non_null(strstr(error->message, "newer"));
	assert_non_null(strstr(error->message, "run surat reindex"));
	g_clear_error(&error);
}

static void
test_not_a_database(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;
	char junk[4096];

	memset(junk, 'x', sizeof junk);
	assert_true(g_file_set_contents(f->path, junk, sizeof junk, NULL));
	assert_null(index_open(f->path, &error));
	assert_true(g_error_matches(error, INDEX_ERROR, INDEX_ERROR_CORRUPT));
	assert_true(index_error_is_unusable(error));
	assert_non_null(strstr(error->message, f->path));
	assert_non_null(strstr(error->message, "run surat reindex"));
	assert_null(strchr(error->message, '\n'));
	g_clear_error(&error);
}

/* A file cut short (a full disk, a bad copy) is refused at open, not misread later. */
static void
test_truncated_refused(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;
	char *data;
	gsize len;
	int i;

	f->idx = index_open(f->path, NULL);
	assert_non_null(f->idx);
	for (i = 0; i < 300; i++) {
		char *base = g_strdup_printf("b%d", i);

		put(f->idx, "a", base, i, "", "a subject long enough to fill some pages", "word");
		g_free(base);
	}
	index_free(f->idx);
	f->idx = NULL;
	assert_true(g_file_get_contents(f->path, &data, &len, NULL));
	assert_true(len > 8 * 4096);
	assert_true(g_file_set_contents(f->path, data, (gssize)(len / 2), NULL));
	g_free(data);
	assert_null(index_open(f->path, &error));
	assert_true(g_error_matches(error, INDEX_ERROR, INDEX_ERROR_CORRUPT));
	assert_non_null(strstr(error->message, f->path));
	assert_non_null(strstr(error->message, "run surat reindex"));
	g_clear_error(&error);
}

/* index.db holds the text of every message: 0600 whatever the umask, -wal and -shm too. */
static void
test_private_modes(void **state)
{
	struct fixture *f = *state;
	const char *const suffixes[] = { "", "-wal", "-shm" };
	mode_t old = umask(022);
	struct stat st;
	char *aside = NULL;
	size_t i;

	f->idx = index_open(f->path, NULL);
	put(f->idx, "a", "b", 1, "", "s", "word");
	for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		char *file = g_strconcat(f->path, suffixes[i], NULL);

		assert_int_equal(stat(file, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		g_free(file);
	}
	index_free(f->idx);
	f->idx = NULL;
	umask(old);
	/* Moved aside whole, -wal and -shm along. */
	assert_true(index_move_aside(f->path, &aside, NULL));
	assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
	assert_true(g_file_test(aside, G_FILE_TEST_EXISTS));
	assert_non_null(strstr(aside, "index.db.broken-"));
	g_free(aside);
}

static void
test_cannot_open_names_file(void **state)
{
	GError *error = NULL;

	assert_null(index_open("/nonexistent/surat/dir/index.db", &error));
	assert_true(g_error_matches(error, INDEX_ERROR, INDEX_ERROR_DB));
	assert_non_null(strstr(error->message, "/nonexistent/surat/dir/index.db"));
	g_clear_error(&error);
}

static void
test_version0_with_stray_tables_migrates(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	sqlite3_stmt *stmt;

	raw_sql(f->path, "CREATE TABLE stray (a, b); INSERT INTO stray VALUES (1, 2);"
			 "CREATE TABLE notes (t TEXT);");
	f->idx = index_open(f->path, NULL);
	assert_non_null(f->idx);
	assert_int_equal(index_schema_version(f->idx), INDEX_SCHEMA_VERSION);
	put(f->idx, "a", "b", 1, "", "s", "word");
	assert_int_equal(search_count(f->idx, "word"), 1);
	/* The stray data is left alone. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT b FROM stray", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(stmt, 0), 2);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static void
test_version0_foreign_messages_table(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;

	/* Someone else's file that happens to have a table of our name. */
	raw_sql(f->path, "CREATE TABLE messages (whatever);");
	assert_null(index_open(f->path, &error));
	assert_true(g_error_matches(error, INDEX_ERROR, INDEX_ERROR_SCHEMA));
	assert_non_null(strstr(error->message, f->path));
	g_clear_error(&error);
}

static void
test_wal_mode(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	sqlite3_stmt *stmt;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static void
test_put_replace_delete(void **state)
{
	struct fixture *f = *state;
	struct index_message m = { 0 };
	int64_t id, id2;
	GError *error = NULL;

	id = put(f->idx, "work", "base1", 100, "", "First", "alpha");
	/* Same (account, base): replaced in place, same id. */
	id2 = put(f->idx, "work", "base1", 200, "S", "Second", "beta");
	assert_int_equal(id, id2);
	assert_true(index_get(f->idx, id, &m, NULL));
	assert_string_equal(m.subject, "Second");
	assert_int_equal(m.date, 200);
	index_message_clear(&m);
	assert_int_equal(search_count(f->idx, "alpha"), 0);
	assert_int_equal(search_count(f->idx, "beta"), 1);
	/* Same base in another account: another row. */
	id2 = put(f->idx, "home", "base1", 100, "", "Other", "gamma");
	assert_true(id2 != id);
	assert_true(index_has_uidl(f->idx, "work", "uidl-base1", NULL));
	assert_false(index_has_uidl(f->idx, "work", "uidl-nope", NULL));
	assert_false(index_has_uidl(f->idx, "work", NULL, NULL));

	/* A replacement without a UIDL keeps the one the row has. */
	assert_true(index_get(f->idx, id, &m, NULL));
	g_clear_pointer(&m.uidl, g_free);
	assert_true(index_put(f->idx, &m, NULL, NULL));
	index_message_clear(&m);
	assert_true(index_get(f->idx, id, &m, NULL));
	assert_string_equal(m.uidl, "uidl-base1");
	index_message_clear(&m);

	assert_true(index_delete(f->idx, id, NULL));
	assert_false(index_get(f->idx, id, &m, &error));
	assert_null(error);
	assert_int_equal(search_count(f->idx, "beta"), 0);
	assert_false(index_has_uidl(f->idx, "work", "uidl-base1", NULL));
	assert_true(index_delete(f->idx, id, NULL)); /* gone already: fine */
	/* A row without account or base is refused. */
	assert_false(index_put(f->idx, &m, NULL, &error));
	assert_non_null(error);
	g_clear_error(&error);
}

static void
test_fts_body_word_and_delete(void **state)
{
	struct fixture *f = *state;
	int64_t id;

	id = put(f->idx, "work", "b", 100, "", "Quarterly report", "the zanzibar shipment is late");
	put(f->idx, "work", "c", 100, "", "Lunch", "pizza");
	assert_int_equal(search_count(f->idx, "zanzibar"), 1);
	assert_int_equal(search_count(f->idx, "ZANZIBAR"), 1);
	assert_int_equal(search_count(f->idx, "zanz"), 1); /* prefix */
	assert_int_equal(search_count(f->idx, "zanzibar shipment"), 1);
	assert_int_equal(search_count(f->idx, "zanzibar pizza"), 0); /* AND */
	assert_int_equal(search_count(f->idx, "quarterly"), 1);  /* subject */
	assert_int_equal(search_count(f->idx, "alice@example.org"), 2); /* from address */
	assert_int_equal(search_count(f->idx, "  "), 2);        /* no words: no condition */
	assert_true(index_delete(f->idx, id, NULL));
	assert_int_equal(search_count(f->idx, "zanzibar"), 0);
	assert_int_equal(search_count(f->idx, "pizza"), 1);
	/* The newest row's id can be given out again: no stale words may follow it. */
	id = put(f->idx, "work", "d", 100, "", "Latest", "xylophone");
	assert_true(index_delete(f->idx, id, NULL));
	assert_int_equal(put(f->idx, "work", "e", 100, "", "Reused", "plain"), id);
	assert_int_equal(search_count(f->idx, "xylophone"), 0);
	assert_int_equal(search_count(f->idx, "latest"), 0);
	assert_int_equal(search_count(f->idx, "reused"), 1);
}

/* A body left for later: headers searchable at once, the body once given. */
static void
test_body_later(void **state)
{
	struct fixture *f = *state;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_message *row, changed = { 0 };
	int64_t id, other;

	id = put(f->idx, "work", "b", 100, "", "Quarterly report", NULL);
	other = put(f->idx, "work", "c", 100, "", "Lunch", NULL);
	assert_true(index_body_later(f->idx, id, NULL));
	assert_true(index_body_later(f->idx, other, NULL));
	assert_true(index_body_later(f->idx, id, NULL)); /* twice is once */
	assert_int_equal(index_bodies_waiting(f->idx, NULL), 2);
	assert_int_equal(search_count(f->idx, "quarterly"), 1);
	assert_true(index_bodies_next(f->idx, 0, 1, rows, NULL));
	assert_int_equal(rows->len, 1);
	row = g_ptr_array_index(rows, 0);
	assert_int_equal(row->id, id); /* oldest first */
	assert_true(index_set_body(f->idx, row, "the zanzibar shipment", NULL));
	assert_int_equal(search_count(f->idx, "zanzibar"), 1);
	assert_int_equal(search_count(f->idx, "quarterly zanzibar"), 1); /* headers kept */
	assert_int_equal(index_bodies_waiting(f->idx, NULL), 1);
	/* Read before its file changed (size): nothing is written, it still waits. */
	g_ptr_array_set_size(rows, 0);
	assert_true(index_bodies_next(f->idx, 0, 10, rows, NULL));
	assert_int_equal(rows->len, 1);
	assert_true(index_get(f->idx, other, &changed, NULL));
	changed.size = 999;
	assert_true(index_set_body(f->idx, &changed, "pizza", NULL));
	assert_int_equal(search_count(f->idx, "pizza"), 0);
	assert_int_equal(index_bodies_waiting(f->idx, NULL), 1);
	/* A copy (a move to a folder) of a waiting row waits too. */
	{
		int64_t copy = 0;

		assert_true(index_copy_row(f->idx, other, "work", "Archive", "cur", "c2", "S",
		    &copy, NULL));
		assert_int_equal(index_bodies_waiting(f->idx, NULL), 2);
		assert_true(index_delete(f->idx, copy, NULL));
		assert_int_equal(index_bodies_waiting(f->idx, NULL), 1);
	}
	/* A row gone meanwhile: dropped from the list, nothing indexed for it. */
	assert_true(index_delete(f->idx, other, NULL));
	assert_true(index_set_body(f->idx, g_ptr_array_index(rows, 0), "pizza", NULL));
	assert_int_equal(search_count(f->idx, "pizza"), 0);
	g_ptr_array_set_size(rows, 0);
	assert_true(index_bodies_next(f->idx, 0, 10, rows, NULL));
	assert_int_equal(rows->len, 0);
	assert_int_equal(index_bodies_waiting(f->idx, NULL), 0);
	index_message_clear(&changed);
	g_ptr_array_free(rows, TRUE);
}

static void
test_fts_diacritics_and_utf8(void **state)
{
	struct fixture *f = *state;

	put(f->idx, "w", "b", 1, "", "Caf\xc3\xa9 au lait", "\xe6\x97\xa5\xe6\x9c\xac");
	assert_int_equal(search_count(f->idx, "cafe"), 1);
	assert_int_equal(search_count(f->idx, "caf\xc3\xa9"), 1);
}

static void
test_hostile_query_text(void **state)
{
	struct fixture *f = *state;
	static const char *const hostile[] = { "\"", "NEAR(", "*", "a\"b", "OR", "AND NOT",
		"subject:x", "^", "(", ")", "NEAR(a b, 2)", "\"\"\"", "-x", "{subject body}: x",
		"\xff\xfe", "a AND", "col:*" };
	size_t i;

	put(f->idx, "w", "b", 1, "", "or and not near", "x subject col");
	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		struct index_filter filter = { .text = hostile[i] };
		GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
		GError *error = NULL;
		int64_t total, unread;

		assert_true(index_query_count(f->idx, &filter, &total, &unread, &error));
		assert_null(error);
		assert_true(index_query_page(f->idx, &filter, INDEX_SORT_DATE, false, 0, 10, -1,
		    rows, &error));
		assert_null(error);
		assert_int_equal(rows->len, total);
		g_ptr_array_unref(rows);
	}
	/* Operators are plain words: "or" finds the subject that has it. */
	assert_int_equal(search_count(f->idx, "OR"), 1);
	assert_int_equal(search_count(f->idx, "NEAR("), 1);
	/* Words with nothing searchable match nothing. */
	assert_int_equal(search_count(f->idx, "*"), 0);
}

static void
test_pending_rows_hidden(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	struct index_message m = { 0 };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t total, unread, id;

	put(f->idx, "w", "stored", 1, "", "s", "visible");
	m.account = g_strdup("w");
	m.base = g_strdup("pending");
	m.uidl = g_strdup("u-pending");
	m.subject = g_strdup("p");
	m.state = INDEX_STATE_PENDING;
	assert_true(index_put(f->idx, &m, "hiddenword", NULL));
	id = m.id;
	index_message_clear(&m);
	assert_true(index_query_count(f->idx, &all, &total, &unread, NULL));
	assert_int_equal(total, 1);
	assert_int_equal(search_count(f->idx, "hiddenword"), 0);
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_DATE, false, 0, 10, -1, rows, NULL));
	assert_int_equal(rows->len, 1);
	assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_DATE, false, id, NULL), -1);
	/* Still known by UIDL, and listed for recovery. */
	assert_true(index_has_uidl(f->idx, "w", "u-pending", NULL));
	g_ptr_array_set_size(rows, 0);
	assert_true(index_pending_rows(f->idx, "w", rows, NULL));
	assert_int_equal(rows->len, 1);
	assert_int_equal(((struct index_message *)g_ptr_array_index(rows, 0))->id, id);
	/* STORED makes it visible. */
	assert_true(index_set_state(f->idx, id, INDEX_STATE_STORED, NULL));
	assert_true(index_query_count(f->idx, &all, &total, &unread, NULL));
	assert_int_equal(total, 2);
	assert_int_equal(search_count(f->idx, "hiddenword"), 1);
	g_ptr_array_unref(rows);
}

/* Ids of 40 rows, dates shuffled, two per date (ties broken by arrival, id). */
static void
fill_for_paging(struct index *idx, int64_t *ids_in_order)
{
	int i;

	assert_true(index_begin(idx, NULL));
	for (i = 0; i < 40; i++) {
		int k = (i * 17) % 40; /* insertion order differs from date order */
		char base[32];
		struct index_message m = { 0 };

		g_snprintf(base, sizeof base, "m%02d", k);
		m.account = g_strdup(k % 2 ? "odd" : "even");
		m.base = g_strdup(base);
		m.flags = g_strdup(k % 3 == 0 ? "S" : "");
		m.date = 1000 + k / 2; /* pairs share a date */
		m.arrival = 50 + (k % 2); /* and the arrival breaks the tie */
		m.subject = g_strdup(base);
		m.state = INDEX_STATE_STORED;
		assert_true(index_put(idx, &m, k % 4 == 0 ? "quad" : "other", NULL));
		ids_in_order[k] = m.id;
		index_message_clear(&m);
	}
	assert_true(index_commit(idx, NULL));
}

static void
test_paging_exact_slices(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	int64_t ids[40];
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t offset;
	guint i;

	fill_for_paging(f->idx, ids);
	for (offset = 0; offset < 45; offset += 7) {
		g_ptr_array_set_size(rows, 0);
		assert_true(index_query_page(f->idx, &all, INDEX_SORT_DATE, false, offset, 7, -1,
		    rows, NULL));
		assert_int_equal(rows->len, MIN(7, MAX(0, 40 - offset)));
		for (i = 0; i < rows->len; i++) {
			struct index_message *m = g_ptr_array_index(rows, i);

			assert_int_equal(m->id, ids[offset + i]);
		}
		/* Newest first is the exact mirror. */
		g_ptr_array_set_size(rows, 0);
		assert_true(index_query_page(f->idx, &all, INDEX_SORT_DATE, true, offset, 7, -1,
		    rows, NULL));
		for (i = 0; i < rows->len; i++) {
			struct index_message *m = g_ptr_array_index(rows, i);

			assert_int_equal(m->id, ids[39 - offset - i]);
		}
	}
	/* Nothing past the end; a zero limit reads nothing. */
	g_ptr_array_set_size(rows, 0);
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_DATE, false, 40, 10, -1, rows, NULL));
	assert_int_equal(rows->len, 0);
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_DATE, false, 0, 0, -1, rows, NULL));
	assert_int_equal(rows->len, 0);
	g_ptr_array_unref(rows);
}

static void
test_paging_filters(void **state)
{
	struct fixture *f = *state;
	struct index_filter odd = { .account = "odd" };
	struct index_filter unread = { .unread_only = true };
	struct index_filter quad = { .account = "even", .text = "quad" };
	int64_t ids[40];
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	guint i;
	int k, n;

	fill_for_paging(f->idx, ids);
	assert_true(index_query_page(f->idx, &odd, INDEX_SORT_DATE, false, 0, 100, -1, rows, NULL));
	assert_int_equal(rows->len, 20);
	for (i = 0, k = 1; i < rows->len; i++, k += 2)
		assert_int_equal(((struct index_message *)g_ptr_array_index(rows, i))->id, ids[k]);
	g_ptr_array_set_size(rows, 0);
	assert_true(index_query_page(f->idx, &unread, INDEX_SORT_DATE, true, 0, 100, -1, rows,
	    NULL));
	for (i = 0, k = 39, n = 0; k >= 0; k--) {
		if (k % 3 == 0)
			continue;
		assert_int_equal(((struct index_message *)g_ptr_array_index(rows, i++))->id, ids[k]);
		n++;
	}
	assert_int_equal(rows->len, n);
	g_ptr_array_set_size(rows, 0);
	assert_true(index_query_page(f->idx, &quad, INDEX_SORT_DATE, false, 1, 3, -1, rows, NULL));
	assert_int_equal(rows->len, 3);
	assert_int_equal(((struct index_message *)g_ptr_array_index(rows, 0))->id, ids[4]);
	assert_int_equal(((struct index_message *)g_ptr_array_index(rows, 2))->id, ids[12]);
	g_ptr_array_unref(rows);
}

static void
test_paging_by_arrival(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_message m = { 0 };
	int64_t a, b, c;

	/* Arrival order differs from date order. */
	a = put(f->idx, "w", "a", 300, "", "a", NULL);
	b = put(f->idx, "w", "b", 100, "", "b", NULL);
	c = put(f->idx, "w", "c", 200, "", "c", NULL);
	assert_true(index_get(f->idx, a, &m, NULL));
	g_free(m.base);
	m.base = g_strdup("a");
	m.arrival = 5;
	assert_true(index_put(f->idx, &m, NULL, NULL));
	index_message_clear(&m);
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_ARRIVAL, false, 0, 10, -1, rows,
	    NULL));
	assert_int_equal(rows->len, 3);
	assert_int_equal(((struct index_message *)g_ptr_array_index(rows, 0))->id, a);
	assert_int_equal(((struct index_message *)g_ptr_array_index(rows, 1))->id, b);
	assert_int_equal(((struct index_message *)g_ptr_array_index(rows, 2))->id, c);
	assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_ARRIVAL, false, c, NULL), 2);
	assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_ARRIVAL, true, c, NULL), 0);
	assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_DATE, false, a, NULL), 2);
	g_ptr_array_unref(rows);
}

/* Collects the ids index_query_foreach hands over; stops after STOP of them. */
struct collect {
	GArray *ids;
	guint stop;
};

/* index_query_foreach callback: record the id, go on until STOP ids. */
static bool
collect_row(const struct index_message *msg, void *data)
{
	struct collect *c = data;

	assert_non_null(msg->subject);
	g_array_append_val(c->ids, msg->id);
	return c->ids->len < c->stop;
}

static void
test_foreach(void **state)
{
	struct fixture *f = *state;
	struct index_filter odd = { .account = "odd" };
	struct index_filter quad = { .text = "quad" };
	struct collect c = { g_array_new(FALSE, FALSE, sizeof(int64_t)), 1000 };
	int64_t ids[40];
	guint i;

	fill_for_paging(f->idx, ids);
	assert_true(index_query_foreach(f->idx, NULL, INDEX_SORT_DATE, true, collect_row, &c,
	    NULL));
	assert_int_equal(c.ids->len, 40);
	for (i = 0; i < 40; i++)
		assert_int_equal(g_array_index(c.ids, int64_t, i), ids[39 - i]);
	g_array_set_size(c.ids, 0);
	assert_true(index_query_foreach(f->idx, &odd, INDEX_SORT_DATE, false, collect_row, &c,
	    NULL));
	assert_int_equal(c.ids->len, 20);
	assert_int_equal(g_array_index(c.ids, int64_t, 19), ids[39]);
	g_array_set_size(c.ids, 0);
	c.stop = 3; /* stopping early is a success */
	assert_true(index_query_foreach(f->idx, &quad, INDEX_SORT_DATE, false, collect_row, &c,
	    NULL));
	assert_int_equal(c.ids->len, 3);
	assert_int_equal(g_array_index(c.ids, int64_t, 2), ids[8]);
	/* And the statement is usable again afterwards. */
	g_array_set_size(c.ids, 0);
	c.stop = 1000;
	assert_true(index_query_foreach(f->idx, &quad, INDEX_SORT_DATE, false, collect_row, &c,
	    NULL));
	assert_int_equal(c.ids->len, 10);
	g_array_unref(c.ids);
}

static void
test_position(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	struct index_filter odd = { .account = "odd" };
	struct index_filter quad = { .text = "quad" };
	int64_t ids[40];
	int k;

	fill_for_paging(f->idx, ids);
	for (k = 0; k < 40; k++) {
		assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_DATE, false, ids[k],
		    NULL), k);
		assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_DATE, true, ids[k],
		    NULL), 39 - k);
		assert_int_equal(index_query_position(f->idx, &odd, INDEX_SORT_DATE, false, ids[k],
		    NULL), k % 2 ? k / 2 : -1);
		assert_int_equal(index_query_position(f->idx, &quad, INDEX_SORT_DATE, false, ids[k],
		    NULL), k % 4 == 0 ? k / 4 : -1);
	}
	assert_int_equal(index_query_position(f->idx, &all, INDEX_SORT_DATE, false, 999999, NULL),
	    -1);
}

static void
test_counts_unread(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	struct index_filter odd = { .account = "odd" };
	struct index_filter unread_only = { .unread_only = true };
	struct index_filter odd_unread = { .account = "odd", .unread_only = true };
	struct index_filter quad = { .text = "quad" };
	int64_t ids[40], total, unread;

	fill_for_paging(f->idx, ids);
	/* k % 3 == 0 are seen: 14 of 40; odd k: 20, of which 7 seen. */
	assert_true(index_query_count(f->idx, &all, &total, &unread, NULL));
	assert_int_equal(total, 40);
	assert_int_equal(unread, 26);
	assert_true(index_query_count(f->idx, &odd, &total, &unread, NULL));
	assert_int_equal(total, 20);
	assert_int_equal(unread, 13);
	assert_true(index_query_count(f->idx, &unread_only, &total, &unread, NULL));
	assert_int_equal(total, 26);
	assert_int_equal(unread, 26);
	assert_true(index_query_count(f->idx, &odd_unread, &total, &unread, NULL));
	assert_int_equal(total, 13);
	/* k % 4 == 0: 10 rows; seen among them k % 12 == 0: 0, 12, 24, 36. */
	assert_true(index_query_count(f->idx, &quad, &total, &unread, NULL));
	assert_int_equal(total, 10);
	assert_int_equal(unread, 6);
	/* Flags change the counts; NULL outputs are fine. */
	assert_true(index_set_flags(f->idx, ids[1], "cur", "FS", NULL));
	assert_true(index_query_count(f->idx, &all, NULL, &unread, NULL));
	assert_int_equal(unread, 25);
	assert_true(index_query_count(f->idx, NULL, &total, NULL, NULL));
	assert_int_equal(total, 40);
}

/*
 * The counts kept by triggers (mailbox_counts) equal a fresh count of the
 * STORED rows per mailbox: "account|folder|total|unread|flagged" lines.
 */
static void
assert_counts_kept(const char *path)
{
	static const char *const sql[] = {
		"SELECT group_concat(line, ';') FROM (SELECT account || '|' || folder || '|' ||"
		" total || '|' || unread || '|' || flagged AS line FROM mailbox_counts"
		" WHERE total > 0 ORDER BY account, folder)",
		"SELECT group_concat(line, ';') FROM (SELECT account || '|' || folder || '|' ||"
		" count(*) || '|' || sum(instr(flags, 'S') = 0) || '|' || sum(instr(flags, 'F') > 0)"
		" AS line FROM messages WHERE state = 1 GROUP BY account, folder"
		" ORDER BY account, folder)",
	};
	char *got[2];
	sqlite3 *db;
	int i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 0; i < 2; i++) {
		sqlite3_stmt *stmt;

		assert_int_equal(sqlite3_prepare_v2(db, sql[i], -1, &stmt, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
		got[i] = g_strdup((const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	assert_string_equal(got[0] != NULL ? got[0] : "", got[1] != NULL ? got[1] : "");
	g_free(got[0]);
	g_free(got[1]);
}

/* Every kind of change to a row keeps the mailbox counts right, and index_query_count reads them. */
static void
test_counts_kept_by_triggers(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 }, a_inbox = { .account = "a", .folder = "" };
	struct index_message m = { 0 };
	int64_t ids[6], total, unread;

	ids[0] = put(f->idx, "a", "1", 1, "", "s", NULL);
	ids[1] = put(f->idx, "a", "2", 2, "S", "s", NULL);
	ids[2] = put(f->idx, "a", "3", 3, "FS", "s", NULL);
	ids[3] = put(f->idx, "b", "4", 4, "F", "s", NULL);
	assert_counts_kept(f->path);
	/* A PENDING row is not counted until it is STORED. */
	m.account = g_strdup("b");
	m.base = g_strdup("5");
	m.flags = g_strdup("");
	m.state = INDEX_STATE_PENDING;
	assert_true(index_put(f->idx, &m, NULL, NULL));
	ids[4] = m.id;
	index_message_clear(&m);
	assert_counts_kept(f->path);
	assert_true(index_query_count(f->idx, &all, &total, &unread, NULL));
	assert_int_equal(total, 4);
	assert_int_equal(unread, 2);
	assert_true(index_set_state(f->idx, ids[4], INDEX_STATE_STORED, NULL));
	assert_counts_kept(f->path);
	/* Flags, a move to a folder and to another account, a replaced row. */
	assert_true(index_set_flags(f->idx, ids[0], "cur", "F", NULL));
	assert_counts_kept(f->path);
	assert_true(index_set_flags(f->idx, ids[2], "cur", "", NULL));
	assert_counts_kept(f->path);
	assert_true(index_set_location(f->idx, ids[1], "a", "Archive", "cur", "2", "S", NULL, NULL));
	assert_counts_kept(f->path);
	assert_true(index_set_location(f->idx, ids[3], "a", "", "cur", "4", "F", NULL, NULL));
	assert_counts_kept(f->path);
	ids[5] = put(f->idx, "a", "1", 9, "S", "replaced", NULL);
	assert_int_equal(ids[5], ids[0]);
	assert_counts_kept(f->path);
	/* Expunging, gone, a rolled-back change. */
	assert_true(index_set_state(f->idx, ids[2], INDEX_STATE_EXPUNGING, NULL));
	assert_counts_kept(f->path);
	assert_true(index_delete(f->idx, ids[2], NULL));
	assert_true(index_delete(f->idx, ids[4], NULL));
	assert_counts_kept(f->path);
	assert_true(index_begin(f->idx, NULL));
	assert_true(index_set_flags(f->idx, ids[0], "cur", "", NULL));
	index_rollback(f->idx);
	assert_counts_kept(f->path);
	/* a's inbox: 1 (replaced, seen) and 4 (moved from b, flagged, unread). */
	assert_true(index_query_count(f->idx, &a_inbox, &total, &unread, NULL));
	assert_int_equal(total, 2);
	assert_int_equal(unread, 1);
}

/* The names of the indexes on messages, one string ("a,b,c"; g_free). */
static char *
index_names(const char *path)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char *names;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(name, ',') FROM (SELECT name"
	    " FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' ORDER BY name)",
	    -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	names = g_strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return names;
}

/* FTS5's automerge setting of the index at PATH ("" when it is the default). */
static char *
fts_automerge(const char *path)
{
	sqlite3_stmt *stmt;
	sqlite3 *db;
	char *value;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT coalesce((SELECT v FROM messages_fts_config"
	    " WHERE k = 'automerge'), '')", -1, &stmt, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	value = g_strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

/*
 * A bulk load drops the view indexes only into an empty table, builds them
 * again at its end, and a load that never ended (the process died) has them
 * built at the next open.  FTS5 merges less often during the load and as
 * usual after it.
 */
static void
test_bulk_load(void **state)
{
	struct fixture *f = *state;
	char *all = index_names(f->path), *during;
	bool started = true;

	assert_non_null(strstr(all, "messages_date"));
	assert_true(index_bulk_begin(f->idx, &started, NULL));
	assert_true(started);
	during = index_names(f->path);
	assert_null(strstr(during, "messages_date,"));
	assert_non_null(strstr(during, "messages_msgid")); /* threading needs it */
	g_free(during);
	during = fts_automerge(f->path);
	assert_string_equal(during, "16");
	put(f->idx, "a", "1", 1, "", "s", NULL);
	assert_true(index_bulk_end(f->idx, NULL));
	g_free(during);
	during = fts_automerge(f->path);
	assert_string_equal(during, "4");
	g_free(during);
	during = index_names(f->path);
	assert_string_equal(during, all);
	g_free(during);
	/* Not empty now: nothing is dropped. */
	assert_true(index_bulk_begin(f->idx, &started, NULL));
	assert_false(started);
	during = index_names(f->path);
	assert_string_equal(during, all);
	g_free(during);
	/* A load cut short: the next open builds them. */
	assert_true(index_delete(f->idx, 1, NULL));
	assert_true(index_bulk_begin(f->idx, &started, NULL));
	assert_true(started);
	index_free(f->idx);
	f->idx = index_open(f->path, NULL);
	assert_non_null(f->idx);
	during = index_names(f->path);
	assert_string_equal(during, all);
	g_free(during);
	during = fts_automerge(f->path);
	assert_string_equal(during, "4");
	g_free(during);
	g_free(all);
}

static void
test_set_flags_and_get(void **state)
{
	struct fixture *f = *state;
	struct index_message m = { 0 };
	int64_t id = put(f->idx, "w", "b", 1, "", "s", NULL);

	assert_true(index_set_flags(f->idx, id, "cur", "RS", NULL));
	assert_true(index_get(f->idx, id, &m, NULL));
	assert_string_equal(m.subdir, "cur");
	assert_string_equal(m.flags, "RS");
	assert_true(index_message_has_flag(&m, 'S'));
	assert_true(index_message_has_flag(&m, 'R'));
	assert_false(index_message_has_flag(&m, 'F'));
	assert_false(index_message_has_flag(NULL, 'S'));
	index_message_clear(&m);
	index_message_clear(NULL);
	index_message_free(NULL);
}

static void
test_accounts_and_rows(void **state)
{
	struct fixture *f = *state;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_message *m;

	put(f->idx, "zeta", "1", 1, "", "s", NULL);
	put(f->idx, "alpha", "2", 1, "", "s", NULL);
	put(f->idx, "alpha", "3", 1, "S", "subject three", NULL);
	assert_true(index_accounts(f->idx, names, NULL));
	assert_int_equal(names->len, 2);
	assert_string_equal(g_ptr_array_index(names, 0), "alpha");
	assert_string_equal(g_ptr_array_index(names, 1), "zeta");
	assert_true(index_account_rows(f->idx, "alpha", rows, NULL));
	assert_int_equal(rows->len, 2);
	m = g_ptr_array_index(rows, 1);
	assert_string_equal(m->subject, "subject three");
	g_ptr_array_set_size(rows, 0);
	assert_true(index_account_files(f->idx, "alpha", rows, NULL));
	assert_int_equal(rows->len, 2);
	m = g_ptr_array_index(rows, 0);
	assert_string_equal(m->account, "alpha");
	assert_non_null(m->base);
	assert_int_equal(m->size, 100);
	assert_int_equal(m->mtime, 5);
	assert_int_equal(m->arrival, 1000);
	assert_null(m->subject); /* not loaded */
	g_ptr_array_unref(rows);
	g_ptr_array_unref(names);
}

/* index_account_uidls' callback: "uidl id arrival partial state" lines. */
static void
collect_uidl(const struct index_uidl_row *row, void *data)
{
	g_string_append_printf(data, "%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d %d\n",
	    row->uidl, row->id, row->arrival, row->partial, (int)row->state);
}

static void
test_account_uidls(void **state)
{
	struct fixture *f = *state;
	GString *got = g_string_new(NULL);
	int64_t a, b, c;
	char *want, *sql;

	a = put(f->idx, "alpha", "a", 1, "", "s", NULL);
	b = put(f->idx, "alpha", "b", 1, "", "s", NULL);
	c = put(f->idx, "alpha", "c", 1, "", "s", NULL);
	put(f->idx, "beta", "d", 1, "", "s", NULL);
	/* Mail indexed from its files has no UIDL; a partial row; one being expunged. */
	sql = g_strdup_printf("UPDATE messages SET uidl = NULL WHERE id = %" G_GINT64_FORMAT ";"
	    "UPDATE messages SET partial = 1, arrival = 7 WHERE id = %" G_GINT64_FORMAT ";"
	    "UPDATE messages SET state = 2 WHERE id = %" G_GINT64_FORMAT, a, b, c);
	raw_sql(f->path, sql);
	g_free(sql);
	assert_true(index_account_uidls(f->idx, "alpha", collect_uidl, got, NULL));
	want = g_strdup_printf("uidl-b %" G_GINT64_FORMAT " 7 1 1\nuidl-c %" G_GINT64_FORMAT
	    " 1000 0 2\n", b, c);
	assert_string_equal(got->str, want);
	g_free(want);
	g_string_truncate(got, 0);
	assert_true(index_account_uidls(f->idx, "nobody", collect_uidl, got, NULL));
	assert_string_equal(got->str, "");
	g_string_free(got, TRUE);
}

static void
test_transaction_rollback(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;

	assert_true(index_begin(f->idx, NULL));
	put(f->idx, "w", "gone", 1, "", "s", "rolled");
	index_rollback(f->idx);
	assert_int_equal(search_count(f->idx, "rolled"), 0);
	assert_true(index_begin(f->idx, NULL));
	assert_false(index_begin(f->idx, &error)); /* not nested */
	assert_true(g_error_matches(error, INDEX_ERROR, INDEX_ERROR_DB));
	g_clear_error(&error);
	put(f->idx, "w", "kept", 1, "", "s", "committed");
	assert_true(index_commit(f->idx, NULL));
	assert_int_equal(search_count(f->idx, "committed"), 1);
}

static void
test_two_connections(void **state)
{
	struct fixture *f = *state;
	struct index *other = index_open(f->path, NULL);
	struct index_filter all = { 0 };
	int64_t total;

	/* A reader sees what a writer committed (the TUI and a fetcher). */
	assert_non_null(other);
	put(f->idx, "w", "x", 1, "", "s", NULL);
	assert_true(index_query_count(other, &all, &total, NULL, NULL));
	assert_int_equal(total, 1);
	assert_true(index_begin(other, NULL));
	put(other, "w", "y", 1, "", "s", NULL);
	assert_true(index_commit(other, NULL));
	assert_true(index_query_count(f->idx, &all, &total, NULL, NULL));
	assert_int_equal(total, 2);
	index_free(other);
}

static void
test_change_stamp(void **state)
{
	struct fixture *f = *state;
	struct index *other = index_open(f->path, NULL);
	struct index_filter all = { 0 };
	uint64_t before, after;
	int64_t id, total;

	/* The sidebar counts again only when this changes. */
	assert_non_null(other);
	before = index_change_stamp(f->idx);
	assert_int_equal(index_change_stamp(f->idx), before); /* reading changes nothing */
	assert_true(index_query_count(f->idx, &all, &total, NULL, NULL));
	assert_int_equal(index_change_stamp(f->idx), before);
	/* A write on this connection. */
	id = put(f->idx, "w", "a", 1, "", "s", NULL);
	after = index_change_stamp(f->idx);
	assert_true(after != before);
	assert_true(index_set_flags(f->idx, id, "cur", "S", NULL));
	assert_true(index_change_stamp(f->idx) != after);
	/* A commit by another connection (a fetcher). */
	before = index_change_stamp(f->idx);
	put(other, "w", "b", 2, "", "s", NULL);
	assert_true(index_change_stamp(f->idx) != before);
	index_free(other);
}

static void
test_undo_created_entry(void **state)
{
	struct fixture *f = *state;
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)index_undo_entry_free);
	struct index_message msg = { 0 };
	GError *error = NULL;
	int64_t action = 0, last = 0;
	const struct index_undo_entry *e;

	/* A copy records only the new row's id (C, then U removes the copy). */
	msg.id = put(f->idx, "w", "copy", 1, "", "s", NULL);
	assert_true(index_begin(f->idx, NULL));
	assert_true(index_undo_begin(f->idx, "copy 1 message to Archive", &action, NULL));
	assert_true(index_undo_record(f->idx, action, INDEX_UNDO_CREATED, &msg, &error));
	assert_null(error);
	assert_true(index_commit(f->idx, NULL));
	assert_true(index_undo_last(f->idx, &last, NULL, entries, NULL));
	assert_int_equal(last, action);
	assert_int_equal(entries->len, 1);
	e = g_ptr_array_index(entries, 0);
	assert_int_equal(e->kind, INDEX_UNDO_CREATED);
	assert_int_equal(e->id, msg.id);
	assert_false(e->tagged);
	g_ptr_array_free(entries, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_open_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_modes, setup, teardown),
		cmocka_unit_test(test_cannot_open_names_file),
		cmocka_unit_test_setup_teardown(test_version0_with_stray_tables_migrates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_version0_foreign_messages_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_mode, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_put_replace_delete, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_fts_body_word_and_delete, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_body_later, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_fts_diacritics_and_utf8, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_query_text, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_pending_rows_hidden, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_paging_exact_slices, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_paging_filters, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_paging_by_arrival, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_foreach, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_position, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_counts_unread, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_counts_kept_by_triggers, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_load, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_set_flags_and_get, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_accounts_and_rows, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_account_uidls, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_transaction_rollback, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_two_connections, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_change_stamp, setup_open, teardown),
		cmocka_unit_test_setup_teardown(test_undo_created_entry, setup_open, teardown),
	};

	return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
