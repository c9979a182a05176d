/*
 * Unit tests for uidls.c: the per-account UIDL journal.  Records round-trip
 * (escaping included), later records win, a half-written record never joins
 * the next one, and an append that races a compaction is not lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "surat/uidls.h"

/* This program's path (argv[0]), to run it again as another process. */
static const char *test_program;

static int
setup(void **state)
{
	char *dir = g_dir_make_tmp("surat-uidls-XXXXXX", NULL);

	assert_non_null(dir);
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	testlib_rmtree(*state);
	g_free(*state);
	return 0;
}

/* The journal's text in DIR. */
static char *
journal_text(const char *dir)
{
	char *path = g_build_filename(dir, UIDLS_FILE, NULL);
	char *text = NULL;

	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	g_free(path);
	return text;
}

/* Append raw TEXT to the journal in DIR, as a crash or a failed write leaves it. */
static void
journal_raw(const char *dir, const char *text)
{
	char *path = g_build_filename(dir, UIDLS_FILE, NULL);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	g_free(path);
}

/* The UIDL the journal in DIR gives BASE, or NULL. */
static const char *
stored_uidl(const struct uidls *u, const char *base)
{
	const struct uidls_stored *s = g_hash_table_lookup(u->stored, base);

	return s != NULL ? s->uidl : NULL;
}

static void
test_no_journal(void **state)
{
	struct uidls *u = uidls_read(*state, NULL);

	assert_non_null(u);
	assert_int_equal(g_hash_table_size(u->stored), 0);
	assert_false(uidls_exists(*state));
	assert_false(uidls_wants_compaction(*state));
	uidls_free(u);
}

static void
test_records_round_trip(void **state)
{
	const char *dir = *state;
	GString *r = g_string_new(NULL);
	/* Bytes a hostile or odd server or host name could bring: space, %, newline, 8-bit. */
	const char *odd = "a b%c\nd\xc3\xa9";
	struct uidls *u;
	const struct uidls_gone *g;
	struct stat st;
	char *text, *path;

	uidls_add_stored(r, "1700000000.M1P2Q3.host", "UID-1", false);
	uidls_add_stored(r, "1700000001.M1P2Q4.host", "UID-2", true);
	uidls_add_stored(r, "odd base", odd, false);
	uidls_add_gone(r, "UID-9", 1700000009, true);
	uidls_add_gone(r, "UID-8", 1700000008, false);
	uidls_add_back(r, "UID-8");
	assert_true(uidls_append(dir, r->str, true, NULL));
	g_string_free(r, TRUE);
	/* One line per record; nothing unescaped but printable ASCII. */
	text = journal_text(dir);
	assert_true(g_str_has_prefix(text, "surat-uidls 1 0\n"));
	assert_non_null(strstr(text, "S odd%20base a%20b%25c%0Ad%C3%A9\n"));
	g_free(text);
	path = g_build_filename(dir, UIDLS_FILE, NULL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	g_free(path);

	u = uidls_read(dir, NULL);
	assert_non_null(u);
	assert_string_equal(stored_uidl(u, "1700000000.M1P2Q3.host"), "UID-1");
	assert_false(((struct uidls_stored *)g_hash_table_lookup(u->stored,
	    "1700000000.M1P2Q3.host"))->partial);
	assert_true(((struct uidls_stored *)g_hash_table_lookup(u->stored,
	    "1700000001.M1P2Q4.host"))->partial);
	assert_string_equal(stored_uidl(u, "odd base"), odd);
	g = g_hash_table_lookup(u->gone, "UID-9");
	assert_non_null(g);
	assert_int_equal(g->arrival, 1700000009);
	assert_true(g->dele);
	/* Withdrawn. */
	assert_null(g_hash_table_lookup(u->gone, "UID-8"));
	assert_true(uidls_exists(dir));
	uidls_free(u);
}

/* A later record wins: headers only, then whole (fetch --rest). */
static void
test_later_record_wins(void **state)
{
	const char *dir = *state;
	GString *r = g_string_new(NULL);
	struct uidls *u;

	uidls_add_stored(r, "b1", "U1", true);
	assert_true(uidls_append(dir, r->str, false, NULL));
	g_string_truncate(r, 0);
	uidls_add_stored(r, "b1", "U1", false);
	assert_true(uidls_append(dir, r->str, true, NULL));
	g_string_free(r, TRUE);
	u = uidls_read(dir, NULL);
	assert_false(((struct uidls_stored *)g_hash_table_lookup(u->stored, "b1"))->partial);
	uidls_free(u);
}

/*
 * A record cut short (a failed write, a crash) is ignored, and the next
 * append cuts it off: it must never join the next record, or "S b 12" cut
 * to "S b 1" would give the file another message's UIDL.
 */
static void
test_incomplete_record(void **state)
{
	const char *dir = *state;
	GString *r = g_string_new(NULL);
	struct uidls *u;
	char *text;

	uidls_add_stored(r, "b1", "U1", false);
	assert_true(uidls_append(dir, r->str, true, NULL));
	journal_raw(dir, "S b2 U2-cut-sh");
	u = uidls_read(dir, NULL);
	assert_null(stored_uidl(u, "b2"));
	assert_string_equal(stored_uidl(u, "b1"), "U1");
	uidls_free(u);
	g_string_truncate(r, 0);
	uidls_add_stored(r, "b3", "U3", false);
	assert_true(uidls_append(dir, r->str, true, NULL));
	text = journal_text(dir);
	assert_null(strstr(text, "cut-sh"));
	g_free(text);
	u = uidls_read(dir, NULL);
	assert_null(stored_uidl(u, "b2"));
	assert_string_equal(stored_uidl(u, "b3"), "U3");
	uidls_free(u);
	g_string_free(r, TRUE);
}

/* Malformed lines are skipped; a header that is not ours, or newer, is an error. */
static void
test_malformed(void **state)
{
	const char *dir = *state;
	GError *error = NULL;
	struct uidls *u;
	char *path = g_build_filename(dir, UIDLS_FILE, NULL);

	journal_raw(dir, "surat-uidls 1 0\nS onlybase\nX b U\nS b%zz U\nG U notanumber 0\n"
			 "G U 5 2\nS  b U\nS good U-good\n");
	u = uidls_read(dir, NULL);
	assert_non_null(u);
	assert_int_equal(g_hash_table_size(u->stored), 1);
	assert_string_equal(stored_uidl(u, "good"), "U-good");
	assert_int_equal(g_hash_table_size(u->gone), 0);
	uidls_free(u);

	assert_true(g_file_set_contents(path, "surat-uidls 7 0\nS b U\n", -1, NULL));
	assert_null(uidls_read(dir, &error));
	assert_non_null(strstr(error->message, "newer surat"));
	g_clear_error(&error);
	assert_true(g_file_set_contents(path, "something else\n", -1, NULL));
	assert_null(uidls_read(dir, &error));
	assert_non_null(strstr(error->message, path));
	g_clear_error(&error);
	g_free(path);
}

/* The compaction callback of the tests: keep the records of even bases; append meanwhile. */
static bool
build_even(const struct uidls *current, GString *records, void *data, GError **error)
{
	const char *dir = data;
	GHashTableIter it;
	gpointer key, value;
	pid_t child;

	(void)error;
	/* Another process appends while the journal is being compacted: it waits. */
	child = fork();
	if (child == 0) {
		/* Another program: this test run again (main's --append), sharing nothing. */
		execl(test_program, test_program, "--append", dir, (char *)NULL);
		_exit(127);
	}
	g_usleep(100 * 1000);
	g_hash_table_iter_init(&it, current->stored);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		const char *base = key;

		if ((base[strlen(base) - 1] - '0') % 2 == 0)
			uidls_add_stored(records, base, ((struct uidls_stored *)value)->uidl, false);
	}
	return true;
}

static void
test_compaction(void **state)
{
	const char *dir = *state;
	GString *r = g_string_new(NULL);
	struct uidls *u;
	struct stat st;
	char *path = g_build_filename(dir, UIDLS_FILE, NULL), *text;
	int i, status;

	/* Small journals are left alone. */
	uidls_add_stored(r, "b0", "U0", false);
	assert_true(uidls_append(dir, r->str, true, NULL));
	assert_false(uidls_wants_compaction(dir));
	g_string_truncate(r, 0);
	for (i = 1; i < 4000; i++) {
		char *base = g_strdup_printf("1700000000.M%dP1Q%d.host-%d", i, i, i);

		uidls_add_stored(r, base, "UIDL", false);
		g_free(base);
	}
	assert_true(uidls_append(dir, r->str, true, NULL));
	assert_true(uidls_wants_compaction(dir));

	assert_true(uidls_compact(dir, build_even, (void *)dir, NULL));
	/* The child's append waited for the compaction and landed in the new file. */
	while (wait(&status) > 0)
		assert_int_equal(WEXITSTATUS(status), 0);
	u = uidls_read(dir, NULL);
	assert_non_null(u);
	assert_string_equal(stored_uidl(u, "raced"), "U-raced");
	assert_string_equal(stored_uidl(u, "b0"), "U0");
	assert_null(stored_uidl(u, "1700000000.M1P1Q1.host-1"));
	assert_non_null(stored_uidl(u, "1700000000.M2P1Q2.host-2"));
	uidls_free(u);
	/* The header holds the compacted file's own size. */
	assert_int_equal(stat(path, &st), 0);
	text = journal_text(dir);
	{
		char *want = g_strdup_printf("surat-uidls 1 %lld\n",
		    (long long)(st.st_size - (off_t)strlen("S raced U-raced\n")));

		assert_true(g_str_has_prefix(text, want));
		g_free(want);
	}
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(uidls_wants_compaction(dir));
	g_free(text);
	g_free(path);
	g_string_free(r, TRUE);
}

/* test-uidls --append DIR: append one record to DIR's journal (test_compaction's racer). */
static int
append_one(const char *dir)
{
	GString *r = g_string_new(NULL);
	bool ok;

	uidls_add_stored(r, "raced", "U-raced", false);
	ok = uidls_append(dir, r->str, true, NULL);
	g_string_free(r, TRUE);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_record_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incomplete_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
	};

	if (argc == 3 && strcmp(argv[1], "--append") == 0)
		return append_one(argv[2]);
	test_program = argv[0];
	return cmocka_run_group_tests_name("uidls", tests, NULL, NULL);
}
