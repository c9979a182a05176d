/* Unit tests for reindex.c: Maildirs of other tools, incremental updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "testlib.h"
#include "surat/index.h"
#include "surat/reindex.h"
#include "surat/store.h"
#include "surat/uidls.h"

struct fixture {
	char *store;   /* temporary store folder */
	char *maildir; /* STORE/mpop */
	struct index *idx;
};

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	char *db;

	f->store = g_dir_make_tmp("surat-reindex-XXXXXX", NULL);
	assert_non_null(f->store);
	f->maildir = g_build_filename(f->store, "mpop", NULL);
	assert_true(store_maildir_create(f->maildir, NULL));
	db = g_build_filename(f->store, "index.db", NULL);
	f->idx = index_open(db, NULL);
	assert_non_null(f->idx);
	g_free(db);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_free(f->idx);
	testlib_rmtree(f->store);
	g_free(f->maildir);
	g_free(f->store);
	g_free(f);
	return 0;
}

/* Write MAILDIR/SUB/NAME: a message with SUBJECT, its mtime set to MTIME. */
static void
put_mail(const char *maildir, const char *sub, const char *name, const char *subject,
    time_t mtime)
{
	char *path = g_build_filename(maildir, sub, name, NULL);
	char *text = g_strdup_printf("From: Someone <s@example.org>\nSubject: %s\n"
				     "Date: Tue, 14 Nov 2023 22:13:20 +0000\n\nbody of %s\n",
	    subject, subject);
	struct utimbuf times = { mtime, mtime };

	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(utime(path, &times), 0);
	g_free(text);
	g_free(path);
}

/* The row of ACCOUNT with base BASE (full), or fail. */
static void
get_row(struct index *idx, const char *account, const char *base, struct index_message *out)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	guint i;

	memset(out, 0, sizeof *out);
	assert_true(index_account_rows(idx, account, rows, NULL));
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);

		if (strcmp(m->base, base) == 0) {
			*out = *m;
			memset(m, 0, sizeof *m);
			g_ptr_array_unref(rows);
			return;
		}
	}
	g_ptr_array_unref(rows);
	fail_msg("no row for %s", base);
}

/* Number of rows of ACCOUNT (any state). */
static guint
row_count(struct index *idx, const char *account)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	guint n;

	assert_true(index_account_files(idx, account, rows, NULL));
	n = rows->len;
	g_ptr_array_unref(rows);
	return n;
}

/* Reindex the fixture's Maildir and return the stats. */
static struct reindex_stats
run(struct fixture *f)
{
	struct reindex_stats stats = { 0 };
	GError *error = NULL;

	if (!reindex_maildir(f->idx, "mpop", f->maildir, NULL, &stats, &error))
		fail_msg("reindex: %s", error->message);
	return stats;
}

/* The files other tools leave behind. */
static void
fill_foreign(struct fixture *f)
{
	put_mail(f->maildir, "new", "1700000000.M123P456Q7.host", "mpop", 1700000100);
	put_mail(f->maildir, "new", "1700000001.12345_1.host", "procmail", 1700000100);
	put_mail(f->maildir, "cur", "1700000002.P123Q4M56789.host,S=1234:2,S", "getmail",
	    1700000100);
	put_mail(f->maildir, "cur", "1700000003.M1P2.host:2,SR", "mutt", 1700000100);
	put_mail(f->maildir, "cur", "odd-name", "odd", 1600000000);
	put_mail(f->maildir, "cur", ".hidden", "hidden", 1700000100);
	put_mail(f->maildir, "new", ".nfs1234", "nfs", 1700000100);
	put_mail(f->maildir, "tmp", "1700000009.M1P1.host", "unfinished", 1700000100);
}

static void
test_foreign_maildir_names(void **state)
{
	struct fixture *f = *state;
	struct reindex_stats stats;
	struct index_message m;
	char *path;

	fill_foreign(f);
	stats = run(f);
	assert_int_equal(stats.scanned, 5);
	assert_int_equal(stats.parsed, 5);
	assert_int_equal(stats.renamed, 0);
	assert_int_equal(stats.removed, 0);
	assert_int_equal(row_count(f->idx, "mpop"), 5);

	get_row(f->idx, "mpop", "1700000000.M123P456Q7.host", &m);
	assert_string_equal(m.subdir, "new");
	assert_string_equal(m.flags, "");
	assert_string_equal(m.subject, "mpop");
	assert_int_equal(m.arrival, 1700000000);
	assert_int_equal(m.date, 1700000000);
	assert_int_equal(m.mtime, 1700000100);
	assert_null(m.uidl);
	assert_int_equal(m.state, INDEX_STATE_STORED);
	index_message_clear(&m);

	get_row(f->idx, "mpop", "1700000001.12345_1.host", &m);
	assert_int_equal(m.arrival, 1700000001);
	index_message_clear(&m);

	get_row(f->idx, "mpop", "1700000002.P123Q4M56789.host,S=1234", &m);
	assert_string_equal(m.subdir, "cur");
	assert_string_equal(m.flags, "S");
	assert_string_equal(m.subject, "getmail");
	index_message_clear(&m);

	/* Flags out of order: the file gets its canonical name. */
	get_row(f->idx, "mpop", "1700000003.M1P2.host", &m);
	assert_string_equal(m.flags, "RS");
	path = store_message_path(f->maildir, m.subdir, m.base, m.flags);
	assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
	index_message_clear(&m);

	/* No number in front: arrival is the mtime; cur/ name gains ":2,". */
	get_row(f->idx, "mpop", "odd-name", &m);
	assert_int_equal(m.arrival, 1600000000);
	path = store_message_path(f->maildir, m.subdir, m.base, m.flags);
	assert_string_equal(m.subdir, "cur");
	assert_true(g_str_has_suffix(path, "/cur/odd-name:2,"));
	assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
	g_free(path);
	index_message_clear(&m);
}

static void
test_second_run_parses_nothing(void **state)
{
	struct fixture *f = *state;
	struct reindex_stats stats;

	fill_foreign(f);
	run(f);
	stats = run(f);
	assert_int_equal(stats.scanned, 5);
	assert_int_equal(stats.parsed, 0);
	assert_int_equal(stats.renamed, 0);
	assert_int_equal(stats.removed, 0);
}

static void
test_external_flag_change(void **state)
{
	struct fixture *f = *state;
	struct reindex_stats stats;
	struct index_message m;
	int64_t id;
	char *from, *to;

	fill_foreign(f);
	run(f);
	get_row(f->idx, "mpop", "1700000000.M123P456Q7.host", &m);
	id = m.id;
	index_message_clear(&m);
	/* mutt reads it: new/ -> cur/ with S; then flags it in cur/. */
	from = g_build_filename(f->maildir, "new", "1700000000.M123P456Q7.host", NULL);
	to = g_build_filename(f->maildir, "cur", "1700000000.M123P456Q7.host:2,S", NULL);
	assert_int_equal(g_rename(from, to), 0);
	g_free(from);
	g_free(to);
	from = g_build_filename(f->maildir, "cur", "1700000002.P123Q4M56789.host,S=1234:2,S", NULL);
	to = g_build_filename(f->maildir, "cur", "1700000002.P123Q4M56789.host,S=1234:2,FS", NULL);
	assert_int_equal(g_rename(from, to), 0);
	stats = run(f);
	assert_int_equal(stats.parsed, 0);
	assert_int_equal(stats.renamed, 2);
	get_row(f->idx, "mpop", "1700000000.M123P456Q7.host", &m);
	assert_int_equal(m.id, id); /* the same row, so the cursor stays */
	assert_string_equal(m.subdir, "cur");
	assert_string_equal(m.flags, "S");
	assert_string_equal(m.subject, "mpop");
	index_message_clear(&m);
	get_row(f->idx, "mpop", "1700000002.P123Q4M56789.host,S=1234", &m);
	assert_string_equal(m.flags, "FS");
	index_message_clear(&m);
	g_free(from);
	g_free(to);
}

static void
test_vanished_and_changed_files(void **state)
{
	struct fixture *f = *state;
	struct reindex_stats stats;
	struct index_message m;
	struct index_filter filter = { .text = "procmail" };
	int64_t total, id;
	char *path;

	fill_foreign(f);
	run(f);
	path = g_build_filename(f->maildir, "new", "1700000001.12345_1.host", NULL);
	g_unlink(path);
	g_free(path);
	get_row(f->idx, "mpop", "1700000000.M123P456Q7.host", &m);
	id = m.id;
	index_message_clear(&m);
	/* Rewritten in place (size and mtime change): parsed again, same row. */
	put_mail(f->maildir, "new", "1700000000.M123P456Q7.host", "edited by hand", 1700000200);
	stats = run(f);
	assert_int_equal(stats.removed, 1);
	assert_int_equal(stats.parsed, 1);
	assert_int_equal(stats.scanned, 4);
	assert_int_equal(row_count(f->idx, "mpop"), 4);
	get_row(f->idx, "mpop", "1700000000.M123P456Q7.host", &m);
	assert_int_equal(m.id, id);
	assert_string_equal(m.subject, "edited by hand");
	index_message_clear(&m);
	/* The full-text entry went with the row. */
	assert_true(index_query_count(f->idx, &filter, &total, NULL, NULL));
	assert_int_equal(total, 0);
}

static void
test_pending_rows_untouched(void **state)
{
	struct fixture *f = *state;
	struct index_message p = { 0 }, got = { 0 };
	struct reindex_stats stats;
	int64_t id_nofile, id_file;

	/* A delivery in flight: one PENDING row with its file in new/, one without. */
	p.account = g_strdup("mpop");
	p.base = g_strdup("1700000005.M1P1Q1.host");
	p.subdir = g_strdup("new");
	p.flags = g_strdup("");
	p.uidl = g_strdup("u-in-flight");
	p.subject = g_strdup("from the fetcher");
	p.state = INDEX_STATE_PENDING;
	assert_true(index_put(f->idx, &p, NULL, NULL));
	id_file = p.id;
	put_mail(f->maildir, "new", "1700000005.M1P1Q1.host", "on disk", 1700000100);
	g_free(p.base);
	p.base = g_strdup("1700000006.M1P1Q1.host");
	g_free(p.uidl);
	p.uidl = g_strdup("u-in-tmp");
	p.id = 0;
	assert_true(index_put(f->idx, &p, NULL, NULL));
	id_nofile = p.id;
	put_mail(f->maildir, "tmp", "1700000006.M1P1Q1.host", "in tmp", 1700000100);
	index_message_clear(&p);

	stats = run(f);
	assert_int_equal(stats.parsed, 0);
	assert_int_equal(stats.removed, 0);
	assert_true(index_get(f->idx, id_file, &got, NULL));
	assert_int_equal(got.state, INDEX_STATE_PENDING);
	assert_string_equal(got.subject, "from the fetcher");
	assert_string_equal(got.uidl, "u-in-flight");
	index_message_clear(&got);
	assert_true(index_get(f->idx, id_nofile, &got, NULL));
	assert_int_equal(got.state, INDEX_STATE_PENDING);
	index_message_clear(&got);
}

static void
test_uidl_kept_on_reparse(void **state)
{
	struct fixture *f = *state;
	struct index_message m = { 0 };

	put_mail(f->maildir, "new", "1700000007.M1P1Q1.host", "fetched", 1700000100);
	m.account = g_strdup("mpop");
	m.base = g_strdup("1700000007.M1P1Q1.host");
	m.subdir = g_strdup("new");
	m.flags = g_strdup("");
	m.uidl = g_strdup("u-7");
	m.partial = true;
	m.size = 1; /* differs from the file: forces a parse */
	m.arrival = 42;
	m.state = INDEX_STATE_STORED;
	assert_true(index_put(f->idx, &m, NULL, NULL));
	index_message_clear(&m);
	assert_int_equal(run(f).parsed, 1);
	get_row(f->idx, "mpop", "1700000007.M1P1Q1.host", &m);
	assert_string_equal(m.uidl, "u-7");
	assert_true(m.partial);
	assert_int_equal(m.arrival, 42);
	assert_string_equal(m.subject, "fetched");
	index_message_clear(&m);
}

static void
test_store_accounts(void **state)
{
	struct fixture *f = *state;
	struct reindex_stats stats = { 0 };
	char *other = g_build_filename(f->store, "work", NULL);
	char *notmd = g_build_filename(f->store, "not-a-maildir", NULL);
	GError *error = NULL;

	fill_foreign(f);
	assert_true(store_maildir_create(other, NULL));
	put_mail(other, "new", "1700000010.M1P1Q1.host", "work mail", 1700000100);
	g_mkdir(notmd, 0700);
	assert_true(reindex_store(f->idx, f->store, NULL, &stats, &error));
	assert_null(error);
	assert_int_equal(stats.accounts, 2);
	assert_int_equal(stats.scanned, 6);
	assert_int_equal(row_count(f->idx, "work"), 1);
	/* The work Maildir goes away: its rows go too. */
	testlib_rmtree(other);
	memset(&stats, 0, sizeof stats);
	assert_true(reindex_store(f->idx, f->store, NULL, &stats, NULL));
	assert_int_equal(stats.accounts, 1);
	assert_int_equal(stats.removed, 1);
	assert_int_equal(stats.parsed, 0);
	assert_int_equal(row_count(f->idx, "work"), 0);
	assert_int_equal(row_count(f->idx, "mpop"), 5);
	g_free(notmd);
	g_free(other);
}

static void
test_store_missing(void **state)
{
	struct fixture *f = *state;
	GError *error = NULL;

	assert_false(reindex_store(f->idx, "/nonexistent/surat/store", NULL, NULL, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, "/nonexistent/surat/store"));
	g_clear_error(&error);
	assert_false(reindex_maildir(f->idx, "x", "/nonexistent/surat/md", NULL, NULL, &error));
	assert_non_null(strstr(error->message, "/nonexistent/surat/md"));
	assert_non_null(strstr(error->message, "account x"));
	g_clear_error(&error);
}

static void
test_many_files_in_batches(void **state)
{
	struct fixture *f = *state;
	struct reindex_stats stats;
	struct index_filter all = { .account = "mpop" };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t total;
	int i;

	/* More than one batch (1000 rows per transaction) and the parse window. */
	for (i = 0; i < 2300; i++) {
		char name[64], subject[32];

		g_snprintf(name, sizeof name, "%d.M%dP1Q1.host", 1700000000 + i, i);
		g_snprintf(subject, sizeof subject, "number %d", i);
		put_mail(f->maildir, i % 2 ? "new" : "cur", name, subject, 1700000100);
	}
	stats = run(f);
	assert_int_equal(stats.parsed, 2300);
	assert_true(index_query_count(f->idx, &all, &total, NULL, NULL));
	assert_int_equal(total, 2300);
	/* Every row has the subject of its own file. */
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_ARRIVAL, false, 0, 3000, -1, rows,
	    NULL));
	for (i = 0; i < 2300; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		char subject[32];

		g_snprintf(subject, sizeof subject, "number %d", i);
		assert_string_equal(m->subject, subject);
	}
	assert_int_equal(run(f).parsed, 0);
	g_ptr_array_unref(rows);
}

/*
 * New rows get ids in name order (arrival order), whatever order the files
 * were written in and whichever of new/ and cur/ holds them; of a base in
 * both, the copy in cur/ is the one indexed.
 */
static void
test_name_order(void **state)
{
	struct fixture *f = *state;
	/* Written out of order, alternating new/ and cur/. */
	static const int order[] = { 7, 2, 11, 0, 5, 9, 3, 12, 1, 8, 6, 10, 4 };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_message dup;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(order); i++) {
		char name[64], subject[32];

		g_snprintf(name, sizeof name, "%d.M%dP1Q1.host", 1700000000 + order[i], order[i]);
		g_snprintf(subject, sizeof subject, "number %d", order[i]);
		put_mail(f->maildir, i % 2 ? "new" : "cur", name, subject, 1700000100);
	}
	put_mail(f->maildir, "new", "1700000099.M99P1Q1.host", "the copy in new", 1700000100);
	put_mail(f->maildir, "cur", "1700000099.M99P1Q1.host:2,S", "the copy in cur", 1700000100);
	assert_int_equal(run(f).parsed, G_N_ELEMENTS(order) + 1);
	assert_true(index_account_rows(f->idx, "mpop", rows, NULL));
	assert_int_equal(rows->len, G_N_ELEMENTS(order) + 1);
	for (i = 1; i < rows->len; i++) {
		const struct index_message *a = g_ptr_array_index(rows, i - 1);
		const struct index_message *b = g_ptr_array_index(rows, i);

		assert_true(a->id < b->id);
		assert_true(strcmp(a->base, b->base) < 0);
	}
	get_row(f->idx, "mpop", "1700000099.M99P1Q1.host", &dup);
	assert_string_equal(dup.subdir, "cur");
	assert_string_equal(dup.subject, "the copy in cur");
	index_message_clear(&dup);
	g_ptr_array_unref(rows);
}

/* The gone entry of UIDL in ACCOUNT, or NULL (free with index_gone_free). */
static struct index_gone *
gone_entry(struct index *idx, const char *account, const char *uidl)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	struct index_gone *found = NULL;
	guint i;

	assert_true(index_gone_list(idx, account, gone, NULL));
	for (i = 0; i < gone->len; i++) {
		struct index_gone *g = g_ptr_array_index(gone, i);

		if (strcmp(g->uidl, uidl) == 0) {
			found = g;
			g_ptr_array_index(gone, i) = NULL;
		}
	}
	g_ptr_array_unref(gone);
	return found;
}

/*
 * A new index (the old one lost) gets back from the Maildir's UIDL journal
 * each file's UIDL and headers-only state, in the inbox and local folders,
 * and the UIDLs of messages gone from the store; a file whose journal
 * record has no file stays unknown (it may be a delivery that failed).
 */
static void
test_journal_restores_uidls(void **state)
{
	struct fixture *f = *state;
	char *trash = g_build_filename(f->maildir, ".Trash", NULL);
	GString *r = g_string_new(NULL);
	struct index_message m;
	struct index_gone *g;

	assert_true(store_maildir_create(trash, NULL));
	put_mail(f->maildir, "new", "1700000001.M1P1Q1.h", "whole", 1700000001);
	put_mail(f->maildir, "cur", "1700000002.M1P1Q2.h:2,S", "headers", 1700000002);
	put_mail(trash, "cur", "1700000003.M1P1Q3.h:2,ST", "trashed", 1700000003);
	put_mail(f->maildir, "new", "1700000004.M1P1Q4.h", "from mutt", 1700000004);
	uidls_add_stored(r, "1700000001.M1P1Q1.h", "U1", false);
	uidls_add_stored(r, "1700000002.M1P1Q2.h", "U2", true);
	uidls_add_stored(r, "1700000003.M1P1Q3.h", "U3", false);
	uidls_add_stored(r, "1700000009.M1P1Q9.h", "U9-failed", false);
	uidls_add_gone(r, "U3", 1700000003, true);
	uidls_add_gone(r, "U5-expunged", 1700000005, false);
	uidls_add_gone(r, "U6-undone", 1700000006, true);
	uidls_add_back(r, "U6-undone");
	assert_true(uidls_append(f->maildir, r->str, true, NULL));
	g_string_free(r, TRUE);

	assert_true(reindex_store(f->idx, f->store, NULL, NULL, NULL));
	get_row(f->idx, "mpop", "1700000001.M1P1Q1.h", &m);
	assert_string_equal(m.uidl, "U1");
	assert_false(m.partial);
	index_message_clear(&m);
	get_row(f->idx, "mpop", "1700000002.M1P1Q2.h", &m);
	assert_string_equal(m.uidl, "U2");
	assert_true(m.partial);
	index_message_clear(&m);
	get_row(f->idx, "mpop", "1700000003.M1P1Q3.h", &m);
	assert_string_equal(m.uidl, "U3");
	assert_string_equal(m.folder, "Trash");
	index_message_clear(&m);
	get_row(f->idx, "mpop", "1700000004.M1P1Q4.h", &m);
	assert_null(m.uidl);
	index_message_clear(&m);
	/* Gone, with the DELE queued when the message went to the trash. */
	g = gone_entry(f->idx, "mpop", "U3");
	assert_non_null(g);
	assert_true(g->dele);
	index_gone_free(g);
	g = gone_entry(f->idx, "mpop", "U5-expunged");
	assert_non_null(g);
	assert_false(g->dele);
	assert_int_equal(g->arrival, 1700000005);
	index_gone_free(g);
	assert_null(gone_entry(f->idx, "mpop", "U6-undone"));
	/* No file, no row and no gone entry: fetched again rather than lost. */
	assert_false(index_has_uidl(f->idx, "mpop", "U9-failed", NULL));
	assert_null(gone_entry(f->idx, "mpop", "U9-failed"));
	g_free(trash);
}

/* A row whose file vanished (another program deleted it) leaves its UIDL in the journal. */
static void
test_vanished_file_journaled(void **state)
{
	struct fixture *f = *state;
	struct index_message m = { 0 };
	struct uidls *u;
	const struct uidls_gone *g;
	char *path;

	put_mail(f->maildir, "new", "1700000001.M1P1Q1.h", "one", 1700000001);
	run(f);
	get_row(f->idx, "mpop", "1700000001.M1P1Q1.h", &m);
	g_free(m.uidl);
	m.uidl = g_strdup("U-vanished");
	assert_true(index_put(f->idx, &m, NULL, NULL));
	index_message_clear(&m);
	path = g_build_filename(f->maildir, "new", "1700000001.M1P1Q1.h", NULL);
	assert_int_equal(unlink(path), 0);
	g_free(path);
	run(f);
	u = uidls_read(f->maildir, NULL);
	g = g_hash_table_lookup(u->gone, "U-vanished");
	assert_non_null(g);
	assert_false(g->dele);
	uidls_free(u);
}

/*
 * Compaction rewrites the journal from the index: a record per row with a
 * UIDL and per gone UIDL, plus a record the index lacks while its file is
 * there; records of files that left (and gone UIDLs the fetcher forgot)
 * go.  What the journal says afterwards restores the same index.
 */
static void
test_journal_compaction(void **state)
{
	struct fixture *f = *state;
	GString *r = g_string_new(NULL);
	struct index_message m = { 0 };
	struct uidls *u;
	const struct uidls_stored *st;
	char *text, *path;
	int i;

	put_mail(f->maildir, "new", "1700000001.M1P1Q1.h", "kept", 1700000001);
	put_mail(f->maildir, "new", "1700000002.M1P1Q2.h", "no row yet", 1700000002);
	run(f);
	get_row(f->idx, "mpop", "1700000001.M1P1Q1.h", &m);
	g_free(m.uidl);
	m.uidl = g_strdup("U-kept");
	m.partial = true;
	assert_true(index_put(f->idx, &m, NULL, NULL));
	index_message_clear(&m);
	get_row(f->idx, "mpop", "1700000002.M1P1Q2.h", &m);
	assert_true(index_delete(f->idx, m.id, NULL));
	index_message_clear(&m);
	assert_true(index_gone_add(f->idx, "mpop", "U-gone", 1700000005, true, NULL));
	uidls_add_stored(r, "1700000001.M1P1Q1.h", "U-kept", true);
	uidls_add_stored(r, "1700000002.M1P1Q2.h", "U-file-only", false);
	/* Thousands of records of messages long gone, and a forgotten gone UIDL. */
	for (i = 0; i < 3000; i++) {
		char *base = g_strdup_printf("1600000000.M%dP1Q1.old", i);

		uidls_add_stored(r, base, "U-old-long-enough-to-take-some-room", false);
		g_free(base);
	}
	uidls_add_gone(r, "U-forgotten", 1600000000, false);
	assert_true(uidls_append(f->maildir, r->str, true, NULL));
	g_string_free(r, TRUE);
	assert_true(uidls_wants_compaction(f->maildir));

	assert_true(reindex_compact_uidls(f->idx, "mpop", f->maildir, NULL));
	assert_false(uidls_wants_compaction(f->maildir));
	path = g_build_filename(f->maildir, UIDLS_FILE, NULL);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_null(strstr(text, "U-old"));
	assert_null(strstr(text, "U-forgotten"));
	g_free(text);
	g_free(path);
	u = uidls_read(f->maildir, NULL);
	st = g_hash_table_lookup(u->stored, "1700000001.M1P1Q1.h");
	assert_non_null(st);
	assert_string_equal(st->uidl, "U-kept");
	assert_true(st->partial);
	st = g_hash_table_lookup(u->stored, "1700000002.M1P1Q2.h");
	assert_non_null(st);
	assert_string_equal(st->uidl, "U-file-only");
	assert_true(((struct uidls_gone *)g_hash_table_lookup(u->gone, "U-gone"))->dele);
	assert_int_equal(g_hash_table_size(u->stored), 2);
	assert_int_equal(g_hash_table_size(u->gone), 1);
	uidls_free(u);
}

/* Set the modification time of MAILDIR/SUB (a folder) to WHEN. */
static void
set_dir_time(const char *maildir, const char *sub, time_t when)
{
	char *path = g_build_filename(maildir, sub, NULL);
	struct utimbuf times = { when, when };

	assert_int_equal(utime(path, &times), 0);
	g_free(path);
}

/* Rows of the mpop inbox. */
static int64_t
inbox_rows(struct index *idx)
{
	struct index_filter inbox = { .account = "mpop", .folder = "" };
	int64_t total = -1;

	assert_true(index_query_count(idx, &inbox, &total, NULL, NULL));
	return total;
}

/* A new session's first look at the store (a fresh watch): whether it found news. */
static bool
watch_first_look(struct fixture *f)
{
	struct reindex_watch *w = reindex_watch_new(f->store, NULL);
	bool changed = false;

	assert_true(reindex_watch_check(w, f->idx, &changed, NULL));
	reindex_watch_free(w);
	return changed;
}

/* Drop the inbox row of BASE behind the watch's back (its file stays). */
static void
lose_row(struct fixture *f, const char *base)
{
	struct index_message row = { 0 };

	get_row(f->idx, "mpop", base, &row);
	assert_true(index_delete(f->idx, row.id, NULL));
	index_message_clear(&row);
}

/*
 * A new session's watch trusts the folders' times an earlier one kept in the
 * index: an unchanged mailbox is not scanned again (a row deleted behind its
 * back stays deleted), a changed one is.
 */
static void
test_watch_kept_times(void **state)
{
	struct fixture *f = *state;
	time_t old = time(NULL) - 3600;
	bool found = false;
	int64_t new_ns = 0, cur_ns = 0;

	put_mail(f->maildir, "cur", "1700000000.M1P1Q1.host:2,S", "one", old);
	put_mail(f->maildir, "cur", "1700000001.M1P1Q1.host:2,S", "two", old);
	set_dir_time(f->maildir, "new", old);
	set_dir_time(f->maildir, "cur", old);
	assert_true(watch_first_look(f));
	assert_int_equal(inbox_rows(f->idx), 2);
	assert_true(index_mailbox_seen(f->idx, "mpop", "", &found, &new_ns, &cur_ns, NULL));
	assert_true(found);
	assert_int_equal(cur_ns, (int64_t)old * 1000000000);

	/* Next session, nothing changed on disk: no scan, so the lost row stays lost. */
	lose_row(f, "1700000000.M1P1Q1.host");
	assert_false(watch_first_look(f));
	assert_int_equal(inbox_rows(f->idx), 1);

	/* A file another program added while no session ran: scanned, all found. */
	put_mail(f->maildir, "cur", "1700000002.M1P1Q1.host:2,S", "three", old);
	set_dir_time(f->maildir, "cur", old + 60);
	assert_true(watch_first_look(f));
	assert_int_equal(inbox_rows(f->idx), 3);
}

/* Stands in for the interface moving rows while a scan runs (same connection, in its transaction). */
struct mover {
	struct index *idx;
	int64_t ids[2];
	bool done;
};

static void
move_on_first_progress(const char *account, const char *folder, int64_t done, int64_t total,
    void *data)
{
	struct mover *m = data;
	int i;

	if (m->done)
		return;
	m->done = true;
	for (i = 0; i < 2; i++)
		assert_true(index_set_location(m->idx, m->ids[i], "mpop", "Archive", "cur",
		    i == 0 ? "1700000000.M1P1Q1.host" : "1700000001.M1P1Q1.host", "S", NULL, NULL));
}

/*
 * Rows read before a scan and moved by their owner during it are left as
 * the owner left them: the scan neither drops the one whose file left the
 * inbox nor writes another program's new flags over the other (fails when
 * the scan trusts its first read).
 */
static void
test_scan_leaves_rows_moved_meanwhile(void **state)
{
	struct fixture *f = *state;
	time_t old = time(NULL) - 3600;
	struct mover m = { .idx = f->idx };
	struct reindex_stats stats = { .progress = move_on_first_progress, .progress_data = &m };
	struct index_message row = { 0 };
	char *from, *to;
	int i;

	put_mail(f->maildir, "cur", "1700000000.M1P1Q1.host:2,S", "one", old);
	put_mail(f->maildir, "cur", "1700000001.M1P1Q1.host:2,S", "two", old);
	assert_true(reindex_folder(f->idx, "mpop", "", f->maildir, NULL, NULL, NULL));
	get_row(f->idx, "mpop", "1700000000.M1P1Q1.host", &row);
	m.ids[0] = row.id;
	index_message_clear(&row);
	get_row(f->idx, "mpop", "1700000001.M1P1Q1.host", &row);
	m.ids[1] = row.id;
	index_message_clear(&row);
	/* One's file is gone from the inbox; another program flagged two. */
	from = g_build_filename(f->maildir, "cur", "1700000000.M1P1Q1.host:2,S", NULL);
	assert_int_equal(g_unlink(from), 0);
	g_free(from);
	from = g_build_filename(f->maildir, "cur", "1700000001.M1P1Q1.host:2,S", NULL);
	to = g_build_filename(f->maildir, "cur", "1700000001.M1P1Q1.host:2,FS", NULL);
	assert_int_equal(g_rename(from, to), 0);
	g_free(from);
	g_free(to);
	assert_true(reindex_folder(f->idx, "mpop", "", f->maildir, NULL, &stats, NULL));
	assert_true(m.done);
	assert_int_equal(stats.removed, 0);
	assert_int_equal(stats.renamed, 0);
	for (i = 0; i < 2; i++) {
		assert_true(index_get(f->idx, m.ids[i], &row, NULL));
		assert_string_equal(row.folder, "Archive");
		assert_string_equal(row.flags, "S");
		index_message_clear(&row);
	}
}

/*
 * A cancelled scan (a watcher being stopped) fails with its own error,
 * commits nothing it had not, and keeps no times: the next look scans again.
 */
static void
test_reindex_cancel(void **state)
{
	struct fixture *f = *state;
	time_t old = time(NULL) - 3600;
	gint cancel = 1;
	struct reindex_stats stats = { .cancel = &cancel };
	GError *error = NULL;
	bool found = true;
	int64_t new_ns = 0, cur_ns = 0;

	put_mail(f->maildir, "cur", "1700000000.M1P1Q1.host:2,S", "one", old);
	set_dir_time(f->maildir, "new", old);
	set_dir_time(f->maildir, "cur", old);
	assert_false(reindex_folder(f->idx, "mpop", "", f->maildir, NULL, &stats, &error));
	assert_true(g_error_matches(error, REINDEX_ERROR, REINDEX_ERROR_CANCELLED));
	assert_non_null(strstr(error->message, "cancelled"));
	g_clear_error(&error);
	assert_int_equal(inbox_rows(f->idx), 0);
	assert_true(index_mailbox_seen(f->idx, "mpop", "", &found, &new_ns, &cur_ns, NULL));
	assert_false(found);
	g_atomic_int_set(&cancel, 0);
	assert_true(reindex_folder(f->idx, "mpop", "", f->maildir, NULL, &stats, NULL));
	assert_int_equal(inbox_rows(f->idx), 1);
}

/* Wait (up to 20 s) for the watcher's news; whether rows changed. */
static bool
watcher_news(struct reindex_watcher *w)
{
	struct pollfd p = { .fd = reindex_watcher_fd(w), .events = POLLIN };
	GError *error = NULL;
	bool changed = false;

	assert_int_equal(poll(&p, 1, 20000), 1);
	assert_true(reindex_watcher_take(w, &changed, &error));
	assert_null(error);
	return changed;
}

/*
 * The watch on its own thread: its first look and another program's later
 * delivery reach the index through the thread's own connection, each with
 * news on the fd; with nothing new the fd stays quiet.
 */
static void
test_watcher_thread(void **state)
{
	struct fixture *f = *state;
	char *db = g_build_filename(f->store, "index.db", NULL);
	struct reindex_watcher *w;
	struct pollfd p = { .events = POLLIN };
	bool changed = true;

	put_mail(f->maildir, "new", "1700000000.M1P1Q1.host", "one", time(NULL) - 60);
	w = reindex_watcher_start(db, f->store, NULL, 50, NULL);
	assert_non_null(w);
	assert_true(watcher_news(w));
	assert_int_equal(inbox_rows(f->idx), 1);
	put_mail(f->maildir, "new", "1700000001.M1P1Q1.host", "two", time(NULL));
	assert_true(watcher_news(w));
	assert_int_equal(inbox_rows(f->idx), 2);
	p.fd = reindex_watcher_fd(w);
	assert_int_equal(poll(&p, 1, 300), 0);
	assert_true(reindex_watcher_take(w, &changed, NULL));
	assert_false(changed);
	reindex_watcher_stop(w);
	reindex_watcher_stop(NULL);
	reindex_watcher_mine_begin(NULL);
	reindex_watcher_mine_end(NULL);
	assert_int_equal(reindex_watcher_fd(NULL), -1);
	g_free(db);
}

/* An index the thread cannot open: said once, with its path, then nothing more. */
static void
test_watcher_no_index(void **state)
{
	struct fixture *f = *state;
	char *db = g_build_filename(f->store, "no-such-folder", "index.db", NULL);
	struct reindex_watcher *w = reindex_watcher_start(db, f->store, NULL, 50, NULL);
	struct pollfd p = { .events = POLLIN };
	GError *error = NULL;
	bool changed = true;

	assert_non_null(w);
	p.fd = reindex_watcher_fd(w);
	assert_int_equal(poll(&p, 1, 20000), 1);
	assert_false(reindex_watcher_take(w, &changed, &error));
	assert_false(changed);
	assert_non_null(error);
	assert_non_null(strstr(error->message, "no-such-folder"));
	g_clear_error(&error);
	assert_int_equal(poll(&p, 1, 300), 0);
	reindex_watcher_stop(w);
	g_free(db);
}

/* `surat reindex` keeps the settled times too: the first session after it scans nothing. */
static void
test_reindex_keeps_times(void **state)
{
	struct fixture *f = *state;
	time_t old = time(NULL) - 3600;
	struct reindex_stats stats = { 0 };
	bool found = false;
	int64_t new_ns = 0, cur_ns = 0;

	put_mail(f->maildir, "cur", "1700000000.M1P1Q1.host:2,S", "one", old);
	put_mail(f->maildir, "new", "1700000001.M1P1Q1.host", "two", old);
	set_dir_time(f->maildir, "new", old);
	set_dir_time(f->maildir, "cur", old + 5);
	assert_true(reindex_store(f->idx, f->store, NULL, &stats, NULL));
	assert_true(index_mailbox_seen(f->idx, "mpop", "", &found, &new_ns, &cur_ns, NULL));
	assert_true(found);
	assert_int_equal(new_ns, (int64_t)old * 1000000000);
	assert_int_equal(cur_ns, ((int64_t)old + 5) * 1000000000);

	/* The watch trusts them: a row lost behind its back stays lost (no scan ran). */
	lose_row(f, "1700000000.M1P1Q1.host");
	assert_false(watch_first_look(f));
	assert_int_equal(inbox_rows(f->idx), 1);

	/* Folders changed a moment ago are not kept: their tick may not be over. */
	set_dir_time(f->maildir, "cur", time(NULL));
	assert_true(reindex_folder(f->idx, "mpop", "", f->maildir, NULL, NULL, NULL));
	assert_int_equal(inbox_rows(f->idx), 2);
	assert_true(index_mailbox_seen(f->idx, "mpop", "", &found, &new_ns, &cur_ns, NULL));
	assert_int_equal(cur_ns, ((int64_t)old + 5) * 1000000000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_foreign_maildir_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_run_parses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_flag_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_and_changed_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_rows_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidl_kept_on_reparse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_accounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_files_in_batches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_restores_uidls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vanished_file_journaled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journal_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_kept_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_leaves_rows_moved_meanwhile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reindex_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watcher_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watcher_no_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reindex_keeps_times, setup, teardown),
	};

	return cmocka_run_group_tests_name("reindex", tests, NULL, NULL);
}
