/*
 * Unit tests for deliver.c's stream: a large message written into tmp/ piece
 * by piece, then added (deliver_add_stream: its row parsed from the file) or
 * put in place of a headers-only copy (deliver_replace_stream), or discarded
 * (no file left); and a message written whole for a batch by another thread
 * (deliver_stream_open_batched, deliver_add_written), also across a commit.
 * The content must end up byte for byte as written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "surat/deliver.h"
#include "surat/index.h"
#include "surat/store.h"

/* A message of about SIZE bytes: headers, then numbered lines. */
static GString *
test_message(const char *subject, size_t size)
{
	GString *s = g_string_new(NULL);
	unsigned int i;

	g_string_append_printf(s, "From: Big Sender <big@test>\nSubject: %s\n"
				  "Message-ID: <%s@test>\n\n", subject, subject);
	for (i = 0; s->len < size; i++)
		g_string_append_printf(s, "line %u of %s, with bytes \001\377 and more text\n", i,
		    subject);
	return s;
}

/* Write M into a new stream in pieces of PIECE bytes; the stream, finished. */
static struct deliver_stream *
test_stream(struct deliver *d, const struct index_message *row, const GString *m, size_t piece)
{
	struct deliver_stream *s = deliver_stream_open(d, row, NULL);
	size_t off;

	assert_non_null(s);
	for (off = 0; off < m->len; off += piece)
		assert_true(deliver_stream_write(s, m->str + off, MIN(piece, m->len - off), NULL));
	assert_int_equal(deliver_stream_size(s), m->len);
	assert_true(deliver_stream_finish(s, NULL));
	return s;
}

/* The files in MAILDIR/SUB. */
static guint
test_count(const char *maildir, const char *sub)
{
	char *path = g_build_filename(maildir, sub, NULL);
	GDir *dir = g_dir_open(path, 0, NULL);
	guint n = 0;

	while (dir != NULL && g_dir_read_name(dir) != NULL)
		n++;
	if (dir != NULL)
		g_dir_close(dir);
	g_free(path);
	return n;
}

/* The content of the only row of "acct", and the row. */
static char *
test_row_content(struct index *idx, const char *maildir, struct index_message **row,
    size_t *len)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_message *m;
	char *path, *content = NULL;

	assert_true(index_account_files(idx, "acct", rows, NULL));
	assert_int_equal(rows->len, 1);
	/* The whole row (the list holds the file fields only). */
	m = g_new0(struct index_message, 1);
	assert_true(index_get(idx, ((struct index_message *)g_ptr_array_index(rows, 0))->id, m,
	    NULL));
	path = store_message_path(maildir, m->subdir, m->base, m->flags);
	assert_true(g_file_get_contents(path, &content, len, NULL));
	g_free(path);
	g_ptr_array_free(rows, TRUE);
	*row = m;
	return content;
}

static void
test_add_stream(void **state)
{
	char *dir, *maildir, *content;
	struct index *idx = testlib_index_new("surat-stream-XXXXXX", &dir);
	struct deliver *d;
	struct index_message *row;
	GString *m = test_message("big", 3 * 1024 * 1024 + 17);
	GError *error = NULL;
	size_t len;

	maildir = g_build_filename(dir, "acct", NULL);
	d = deliver_open(idx, "acct", maildir, NULL, NULL);
	assert_non_null(d);
	assert_true(deliver_add_stream(d, test_stream(d, NULL, m, 65536 + 3), "u-big", false,
	    NULL));
	assert_int_equal(deliver_pending(d), 1);
	/* The same UIDL again is refused, and its file removed. */
	assert_false(deliver_add_stream(d, test_stream(d, NULL, m, 1 << 20), "u-big", false,
	    &error));
	assert_true(g_error_matches(error, DELIVER_ERROR, DELIVER_ERROR_DUPLICATE));
	g_clear_error(&error);
	assert_true(deliver_commit(d, NULL, NULL));
	assert_int_equal(test_count(maildir, "tmp"), 0);
	content = test_row_content(idx, maildir, &row, &len);
	assert_int_equal(len, m->len);
	assert_memory_equal(content, m->str, m->len);
	/* The row was parsed from the file. */
	assert_string_equal(row->subject, "big");
	assert_string_equal(row->from_addr, "big@test");
	assert_string_equal(row->uidl, "u-big");
	assert_int_equal(row->size, (int64_t)m->len);
	assert_false(row->partial);
	index_message_free(row);
	g_free(content);

	/* Discarded (a dropped connection): no file left. */
	deliver_stream_discard(test_stream(d, NULL, m, 1 << 20));
	deliver_stream_discard(NULL);
	assert_int_equal(test_count(maildir, "tmp"), 0);
	assert_int_equal(test_count(maildir, "new"), 1);

	deliver_free(d);
	index_free(idx);
	g_string_free(m, TRUE);
	testlib_rmtree(dir);
	g_free(maildir);
	g_free(dir);
}

static void
test_replace_stream(void **state)
{
	char *dir, *maildir, *content;
	struct index *idx = testlib_index_new("surat-stream-XXXXXX", &dir);
	struct deliver *d;
	struct index_message *row, *after;
	GString *m = test_message("rest", 2 * 1024 * 1024);
	const char *blank = strstr(m->str, "\n\n");
	size_t head = (size_t)(blank - m->str) + 2, len;

	maildir = g_build_filename(dir, "acct", NULL);
	d = deliver_open(idx, "acct", maildir, NULL, NULL);
	assert_non_null(d);
	/* Headers only first, as TOP n 0 gives them. */
	assert_true(deliver_add(d, m->str, head, "u-rest", true, NULL));
	assert_true(deliver_commit(d, NULL, NULL));
	content = test_row_content(idx, maildir, &row, &len);
	assert_true(row->partial);
	g_free(content);
	assert_true(deliver_replace_stream(d, row, test_stream(d, row, m, 100000), NULL));
	content = test_row_content(idx, maildir, &after, &len);
	assert_int_equal(len, m->len);
	assert_memory_equal(content, m->str, m->len);
	assert_false(after->partial);
	assert_int_equal(after->id, row->id);
	assert_string_equal(after->uidl, "u-rest");
	assert_int_equal(after->size, (int64_t)m->len);
	assert_int_equal(test_count(maildir, "tmp"), 0);
	assert_int_equal(test_count(maildir, "new") + test_count(maildir, "cur"), 1);
	index_message_free(after);
	index_message_free(row);
	g_free(content);
	deliver_free(d);
	index_free(idx);
	g_string_free(m, TRUE);
	testlib_rmtree(dir);
	g_free(maildir);
	g_free(dir);
}

/* Write M into a stream for a batch (deliver_stream_open_batched); *SUMMARY is M's. */
static struct deliver_stream *
test_written(struct deliver *d, const GString *m, struct deliver_summary *summary)
{
	struct deliver_stream *s = deliver_stream_open_batched(d, NULL);

	assert_non_null(s);
	assert_true(deliver_stream_write(s, m->str, m->len, NULL));
	deliver_summarize(m->str, m->len, NULL, true, summary);
	return s;
}

/* The rows of "acct" by id, whole. */
static GPtrArray *
test_rows(struct index *idx)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);

	assert_true(index_account_rows(idx, "acct", rows, NULL));
	return rows;
}

static void
test_add_written(void **state)
{
	char *dir, *maildir, *path, *content;
	struct index *idx = testlib_index_new("surat-stream-XXXXXX", &dir);
	struct deliver *d;
	struct deliver_stream *early, *late, *plain;
	struct deliver_summary sa = { 0 }, sb = { 0 }, sc = { 0 };
	GString *a = test_message("first", 5000), *b = test_message("second", 70000);
	GError *error = NULL;
	GPtrArray *rows;
	size_t len;
	guint i;

	maildir = g_build_filename(dir, "acct", NULL);
	d = deliver_open(idx, "acct", maildir, NULL, NULL);
	assert_non_null(d);
	/* Both written before the first commit; the second joins the batch after it. */
	early = test_written(d, a, &sa);
	late = test_written(d, b, &sb);
	assert_true(deliver_add_written(d, early, "u-a", false, &sa, NULL));
	assert_null(sa.body_text);
	assert_int_equal(deliver_pending(d), 1);
	assert_true(deliver_commit(d, NULL, NULL));
	assert_true(deliver_add_written(d, late, "u-b", false, &sb, NULL));
	assert_true(deliver_commit(d, NULL, NULL));
	assert_int_equal(test_count(maildir, "tmp"), 0);
	assert_int_equal(test_count(maildir, "new"), 2);
	rows = test_rows(idx);
	assert_int_equal(rows->len, 2);
	for (i = 0; i < rows->len; i++) {
		const struct index_message *row = g_ptr_array_index(rows, i);
		const GString *m = i == 0 ? a : b;

		assert_int_equal(row->state, INDEX_STATE_STORED);
		assert_string_equal(row->uidl, i == 0 ? "u-a" : "u-b");
		/* The row is the summary's: the file was not parsed again. */
		assert_string_equal(row->subject, i == 0 ? "first" : "second");
		assert_int_equal(row->size, (int64_t)m->len);
		path = store_message_path(maildir, row->subdir, row->base, row->flags);
		assert_true(g_file_get_contents(path, &content, &len, NULL));
		assert_int_equal(len, m->len);
		assert_memory_equal(content, m->str, m->len);
		g_free(content);
		g_free(path);
	}
	g_ptr_array_unref(rows);

	/* A UIDL the account has is refused, and the file removed. */
	assert_false(deliver_add_written(d, test_written(d, a, &sc), "u-a", false, &sc, &error));
	assert_true(g_error_matches(error, DELIVER_ERROR, DELIVER_ERROR_DUPLICATE));
	g_clear_error(&error);
	assert_null(sc.body_text);
	/* So is a stream not opened for a batch. */
	plain = test_stream(d, NULL, a, 4096);
	deliver_summarize(a->str, a->len, NULL, true, &sc);
	assert_false(deliver_add_written(d, plain, "u-c", false, &sc, &error));
	assert_true(g_error_matches(error, DELIVER_ERROR, DELIVER_ERROR_IO));
	g_clear_error(&error);
	/* Discarded before it joined a batch: nothing left, nothing held. */
	deliver_stream_discard(test_written(d, b, &sc));
	deliver_summary_clear(&sc);
	assert_int_equal(test_count(maildir, "tmp"), 0);
	assert_int_equal(deliver_pending(d), 0);
	/* Still outstanding when the delivery ends: the stream keeps its point until discarded. */
	late = test_written(d, b, &sc);
	deliver_free(d);
	deliver_stream_discard(late);
	deliver_summary_clear(&sc);
	assert_int_equal(test_count(maildir, "tmp"), 0);
	assert_int_equal(test_count(maildir, "new"), 2);

	index_free(idx);
	g_string_free(a, TRUE);
	g_string_free(b, TRUE);
	testlib_rmtree(dir);
	g_free(maildir);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_stream),
		cmocka_unit_test(test_replace_stream),
		cmocka_unit_test(test_add_written),
	};

	return cmocka_run_group_tests_name("deliver-stream", tests, NULL, NULL);
}
