/* Unit tests for store.c: Maildir names, flags, tmp files and renames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "testlib.h"
#include "surat/store.h"

/* A fresh temporary Maildir for each test. */
static int
setup(void **state)
{
	char *dir = g_dir_make_tmp("surat-store-XXXXXX", NULL);
	char *md;

	assert_non_null(dir);
	md = g_build_filename(dir, "acct", NULL);
	assert_true(store_maildir_create(md, NULL));
	g_free(dir);
	*state = md;
	return 0;
}

/* Remove the temporary tree. */
static int
teardown(void **state)
{
	char *md = *state;
	char *top = g_path_get_dirname(md);

	testlib_rmtree(top);
	g_free(top);
	g_free(md);
	return 0;
}

/* Write a file DIR/SUB/NAME holding TEXT. */
static void
put_file(const char *dir, const char *sub, const char *name, const char *text)
{
	char *path = g_build_filename(dir, sub, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	g_free(path);
}

/* True when DIR/SUB/NAME exists. */
static bool
exists(const char *dir, const char *sub, const char *name)
{
	char *path = g_build_filename(dir, sub, name, NULL);
	bool ok = g_file_test(path, G_FILE_TEST_EXISTS);

	g_free(path);
	return ok;
}

/* Number of entries (dot files included) in DIR/SUB. */
static int
count_files(const char *dir, const char *sub)
{
	char *path = g_build_filename(dir, sub, NULL);
	GDir *d = g_dir_open(path, 0, NULL);
	int n = 0;

	assert_non_null(d);
	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	g_free(path);
	return n;
}

static void
test_create_and_detect(void **state)
{
	char *md = *state;
	char *other = g_strconcat(md, "-not", NULL);

	assert_true(store_is_maildir(md));
	assert_true(store_maildir_create(md, NULL)); /* again: fine */
	assert_false(store_is_maildir(other));
	assert_int_equal(g_mkdir(other, 0700), 0);
	assert_false(store_is_maildir(other));
	g_rmdir(other);
	g_free(other);
}

static void
test_unique_names(void **state)
{
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GRegex *re = g_regex_new("^[0-9]+\\.M[0-9]+P[0-9]+Q[0-9]+\\.[^/:]+$", 0, 0, NULL);
	int i;

	for (i = 0; i < 2000; i++) {
		char *name = store_unique_name();

		assert_true(g_regex_match(re, name, 0, NULL));
		assert_null(strchr(name, '/'));
		assert_null(strchr(name, ':'));
		assert_false(g_hash_table_contains(names, name));
		g_hash_table_add(names, name);
	}
	g_regex_unref(re);
	g_hash_table_unref(names);
}

static void
test_unique_name_host_escaped(void **state)
{
	/* The spec: '/' and ':' in the host name become \057 and \072. */
	char *name = store_unique_name_host("a/b:c.example");
	char *other = store_unique_name_host("a/b:c.example");
	char *empty = store_unique_name_host("");
	char *base, *flags;

	assert_null(strchr(name, '/'));
	assert_null(strchr(name, ':'));
	assert_true(g_str_has_suffix(name, ".a\\057b\\072c.example"));
	assert_string_not_equal(name, other);
	assert_true(g_str_has_suffix(empty, ".localhost"));
	/* And the result is a name parse_name accepts as a whole base. */
	assert_true(store_parse_name(name, &base, &flags, NULL));
	assert_string_equal(base, name);
	assert_string_equal(flags, "");
	g_free(base);
	g_free(flags);
	g_free(empty);
	g_free(other);
	g_free(name);
}

static void
test_parse_name_good(void **state)
{
	static const struct {
		const char *name, *base, *flags;
	} cases[] = {
		{ "1700000000.M1P2Q3.host:2,FS", "1700000000.M1P2Q3.host", "FS" },
		{ "1700000000.M1P2Q3.host", "1700000000.M1P2Q3.host", "" },
		{ "1700000000.M1P2Q3.host:2,", "1700000000.M1P2Q3.host", "" },
		{ "1700000000.P123Q4M56789.host,S=1234:2,S", "1700000000.P123Q4M56789.host,S=1234", "S" },
		{ "1700000000.12345_1.host", "1700000000.12345_1.host", "" },
		{ "x\\057y:2,RS", "x\\057y", "RS" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *base, *flags;

		assert_true(store_parse_name(cases[i].name, &base, &flags, NULL));
		assert_string_equal(base, cases[i].base);
		assert_string_equal(flags, cases[i].flags);
		g_free(base);
		g_free(flags);
	}
}

static void
test_parse_name_bad(void **state)
{
	static const char *const bad[] = { "", ".hidden", ".", "..", "a/b", ":2,S", "abc:1,xyz",
		"abc:2,S:2,F", "abc:" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *error = NULL;
		char *base, *flags;

		assert_false(store_parse_name(bad[i], &base, &flags, &error));
		assert_null(base);
		assert_null(flags);
		assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_NAME));
		g_clear_error(&error);
	}
	assert_false(store_parse_name(NULL, &(char *){ NULL }, &(char *){ NULL }, NULL));
}

static void
test_flags_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "SF", "FS" }, { "SSRF", "FRS" }, { "", "" }, { "T,D.P!S1", "DPST" },
		{ "ba", "ab" }, { "aS", "Sa" }, { "\xc3\xa9S", "S" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = store_flags_normalize(cases[i].in);

		assert_string_equal(got, cases[i].out);
		g_free(got);
	}
	{
		char *got = store_flags_normalize(NULL);

		assert_string_equal(got, "");
		g_free(got);
	}
}

static void
test_message_path(void **state)
{
	char *p = store_message_path("/m", "cur", "b", "FS");

	assert_string_equal(p, "/m/cur/b:2,FS");
	g_free(p);
	p = store_message_path("/m", "new", "b", "");
	assert_string_equal(p, "/m/new/b");
	g_free(p);
	p = store_message_path("/m", "cur", "b", NULL);
	assert_string_equal(p, "/m/cur/b:2,");
	g_free(p);
}

static void
test_binary_bytes_exact(void **state)
{
	char *md = *state;
	struct store_tmpfile tmp;
	char buf[512], *got, *path;
	gsize len;
	int i;

	for (i = 0; i < 512; i++)
		buf[i] = (char)(i * 7 + 3); /* every byte value, NUL and CR included */
	assert_true(store_tmp_open(md, &tmp, NULL));
	assert_true(store_tmp_write(&tmp, buf, sizeof buf, NULL));
	assert_true(store_tmp_write(&tmp, "\r\n\0", 3, NULL));
	assert_true(store_tmp_close(&tmp, true, NULL));
	assert_int_equal(tmp.fd, -1);
	assert_true(store_tmp_commit(md, tmp.base, NULL));
	path = store_message_path(md, "new", tmp.base, "");
	assert_true(g_file_get_contents(path, &got, &len, NULL));
	assert_int_equal(len, sizeof buf + 3);
	assert_memory_equal(got, buf, sizeof buf);
	assert_memory_equal(got + sizeof buf, "\r\n\0", 3);
	g_free(got);
	g_free(path);
	store_tmp_clear(&tmp);
	assert_int_equal(count_files(md, "tmp"), 0);
}

static void
test_tmp_file_mode_and_discard(void **state)
{
	char *md = *state;
	struct store_tmpfile tmp;
	struct stat st;

	assert_true(store_tmp_open(md, &tmp, NULL));
	assert_int_equal(stat(tmp.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(store_tmp_write(&tmp, "x", 1, NULL));
	store_tmp_discard(&tmp);
	assert_null(tmp.path);
	assert_int_equal(count_files(md, "tmp"), 0);
	store_tmp_discard(&tmp); /* twice is harmless */
}

static void
test_commit_never_overwrites(void **state)
{
	char *md = *state;
	struct store_tmpfile tmp;
	GError *error = NULL;
	char *got, *cur_name;

	assert_true(store_tmp_open(md, &tmp, NULL));
	assert_true(store_tmp_write(&tmp, "new mail", 8, NULL));
	assert_true(store_tmp_close(&tmp, false, NULL));
	/* A message with that base is already in new/. */
	put_file(md, "new", tmp.base, "precious");
	assert_false(store_tmp_commit(md, tmp.base, &error));
	assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS));
	assert_non_null(strstr(error->message, tmp.base));
	g_clear_error(&error);
	got = NULL;
	{
		char *path = g_build_filename(md, "new", tmp.base, NULL);

		assert_true(g_file_get_contents(path, &got, NULL, NULL));
		g_free(path);
	}
	assert_string_equal(got, "precious");
	g_free(got);
	assert_true(exists(md, "tmp", tmp.base));

	/* Or in cur/ with empty info. */
	{
		char *path = g_build_filename(md, "new", tmp.base, NULL);

		g_unlink(path);
		g_free(path);
	}
	cur_name = g_strconcat(tmp.base, ":2,", NULL);
	put_file(md, "cur", cur_name, "seen before");
	assert_false(store_tmp_commit(md, tmp.base, &error));
	assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS));
	g_clear_error(&error);
	assert_true(exists(md, "tmp", tmp.base));
	g_free(cur_name);
	store_tmp_discard(&tmp);
}

static void
test_commit_missing_tmp(void **state)
{
	GError *error = NULL;

	assert_false(store_tmp_commit(*state, "no-such-file", &error));
	assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_IO));
	assert_non_null(strstr(error->message, "no-such-file"));
	g_clear_error(&error);
}

static void
test_set_flags_moves_to_cur(void **state)
{
	char *md = *state;
	GError *error = NULL;

	put_file(md, "new", "1700000000.M1P1Q1.h", "m");
	assert_true(store_set_flags(md, "new", "1700000000.M1P1Q1.h", "", "SF", NULL));
	assert_false(exists(md, "new", "1700000000.M1P1Q1.h"));
	assert_true(exists(md, "cur", "1700000000.M1P1Q1.h:2,FS"));
	/* cur -> cur with other flags; duplicates and junk dropped. */
	assert_true(store_set_flags(md, "cur", "1700000000.M1P1Q1.h", "FS", "TRRS", NULL));
	assert_true(exists(md, "cur", "1700000000.M1P1Q1.h:2,RST"));
	assert_false(exists(md, "cur", "1700000000.M1P1Q1.h:2,FS"));
	/* Same flags: nothing to do. */
	assert_true(store_set_flags(md, "cur", "1700000000.M1P1Q1.h", "RST", "STR", NULL));
	assert_true(exists(md, "cur", "1700000000.M1P1Q1.h:2,RST"));
	/* A target that exists is never replaced. */
	put_file(md, "cur", "1700000000.M1P1Q1.h:2,S", "other");
	assert_false(store_set_flags(md, "cur", "1700000000.M1P1Q1.h", "RST", "S", &error));
	assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_EXISTS));
	g_clear_error(&error);
	assert_true(exists(md, "cur", "1700000000.M1P1Q1.h:2,RST"));
	/* A file that is gone says so. */
	assert_false(store_set_flags(md, "new", "gone", "", "S", &error));
	assert_non_null(strstr(error->message, "gone"));
	g_clear_error(&error);
}

static void
test_remove(void **state)
{
	char *md = *state;

	put_file(md, "cur", "b:2,S", "m");
	assert_true(store_remove(md, "cur", "b", "S", NULL));
	assert_false(exists(md, "cur", "b:2,S"));
	assert_true(store_remove(md, "cur", "b", "S", NULL)); /* already gone: fine */
}

/* The entry for BASE in ENTRIES, or NULL. */
static struct store_entry *
find_entry(GPtrArray *entries, const char *base)
{
	guint i;

	for (i = 0; i < entries->len; i++) {
		struct store_entry *e = g_ptr_array_index(entries, i);

		if (strcmp(e->base, base) == 0)
			return e;
	}
	return NULL;
}

static void
test_scan_skips_dot_files(void **state)
{
	char *md = *state;
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct store_entry *e;
	char *sub;

	put_file(md, "new", "1700000001.M1P1Q1.h", "one");
	put_file(md, "cur", "1700000002.M1P1Q1.h:2,SF", "two!");
	put_file(md, "cur", ".hidden", "x");
	put_file(md, "new", ".nfs0001", "x");
	put_file(md, "cur", "odd:1,exp", "x");
	sub = g_build_filename(md, "cur", "adir", NULL);
	g_mkdir(sub, 0700);
	g_free(sub);
	put_file(md, "tmp", "1700000003.M1P1Q1.h", "t");
	put_file(md, "tmp", ".dot", "t");

	assert_true(store_scan(md, entries, NULL));
	assert_int_equal(entries->len, 2);
	e = find_entry(entries, "1700000001.M1P1Q1.h");
	assert_non_null(e);
	assert_string_equal(e->subdir, "new");
	assert_string_equal(e->flags, "");
	assert_string_equal(e->name, "1700000001.M1P1Q1.h");
	assert_int_equal(e->size, 3);
	assert_true(e->mtime > 0);
	e = find_entry(entries, "1700000002.M1P1Q1.h");
	assert_non_null(e);
	assert_string_equal(e->subdir, "cur");
	assert_string_equal(e->flags, "FS"); /* normalized */
	assert_string_equal(e->name, "1700000002.M1P1Q1.h:2,SF");
	assert_int_equal(e->size, 4);

	assert_true(store_scan_tmp(md, names, NULL));
	assert_int_equal(names->len, 1);
	assert_string_equal(g_ptr_array_index(names, 0), "1700000003.M1P1Q1.h");
	g_ptr_array_unref(names);
	g_ptr_array_unref(entries);
}

static void
test_scan_missing_dir(void **state)
{
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	GError *error = NULL;

	assert_false(store_scan("/nonexistent/surat/md", entries, &error));
	assert_true(g_error_matches(error, STORE_ERROR, STORE_ERROR_IO));
	assert_non_null(strstr(error->message, "/nonexistent/surat/md"));
	g_clear_error(&error);
	g_ptr_array_unref(entries);
}

static void
test_fix_name(void **state)
{
	char *md = *state;
	const char *sub = NULL;

	/* cur/ without info gets ":2,". */
	put_file(md, "cur", "a.host", "m");
	assert_true(store_fix_name(md, "cur", "a.host", &sub, NULL));
	assert_string_equal(sub, "cur");
	assert_true(exists(md, "cur", "a.host:2,"));
	/* Flags out of order are sorted. */
	put_file(md, "cur", "b.host:2,SRF", "m");
	assert_true(store_fix_name(md, "cur", "b.host:2,SRF", &sub, NULL));
	assert_true(exists(md, "cur", "b.host:2,FRS"));
	assert_false(exists(md, "cur", "b.host:2,SRF"));
	/* A file in new/ carrying flags belongs in cur/. */
	put_file(md, "new", "c.host:2,S", "m");
	assert_true(store_fix_name(md, "new", "c.host:2,S", &sub, NULL));
	assert_string_equal(sub, "cur");
	assert_true(exists(md, "cur", "c.host:2,S"));
	/* Canonical already: untouched. */
	put_file(md, "new", "d.host", "m");
	assert_true(store_fix_name(md, "new", "d.host", &sub, NULL));
	assert_string_equal(sub, "new");
	assert_true(exists(md, "new", "d.host"));
	/* Never onto another file. */
	put_file(md, "cur", "e.host:2,S", "keep");
	put_file(md, "cur", "e.host:2,SS", "dup");
	assert_false(store_fix_name(md, "cur", "e.host:2,SS", &sub, NULL));
	assert_true(exists(md, "cur", "e.host:2,SS"));
}

static void
test_sync(void **state)
{
	char *md = *state;
	GError *error = NULL;
	char *path;
	int fd;

	assert_true(store_sync_dir(md, "new", NULL));
	fd = store_batch_open(md, NULL);
	assert_true(fd >= 0);
	assert_true(store_batch_sync(fd, md, NULL));
	close(fd);
	assert_int_equal(store_batch_open("/nonexistent-surat-dir", &error), -1);
	g_clear_error(&error);
	put_file(md, "tmp", "synced", "data");
	path = g_build_filename(md, "tmp", "synced", NULL);
	assert_true(store_sync_file(path, NULL));
	g_free(path);
	assert_false(store_sync_dir(md, "nope", &error));
	assert_non_null(strstr(error->message, "nope"));
	g_clear_error(&error);
}

/* Only what surat left there (dead process, this host) or what is old goes from tmp/. */
static void
test_tmp_leftover(void **state)
{
	char *md = *state;
	char *mine = store_unique_name();
	char *other_host = store_unique_name_host("elsewhere.example");
	const char *mda = "1700000000.12345_1.mda.example";
	char *reused, *path, *tag;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct utimbuf old = { 0 };
	bool found = false;
	pid_t child;
	int status;
	guint i;

	/* A name this process made: it may be writing it (an interface's copy). */
	put_file(md, "tmp", mine, "x");
	assert_false(store_tmp_is_leftover(md, mine));
	/* Another program's file (an MDA writing into the same Maildir)... */
	put_file(md, "tmp", mda, "x");
	assert_false(store_tmp_is_leftover(md, mda));
	/* ... unless neither read nor written for more than 36 hours. */
	path = g_build_filename(md, "tmp", mda, NULL);
	old.actime = old.modtime = time(NULL) - STORE_TMP_MAX_AGE - 60;
	assert_int_equal(utime(path, &old), 0);
	assert_true(store_tmp_is_leftover(md, mda));
	g_free(path);
	/* A name from a process that has exited. */
	child = fork();
	if (child == 0) {
		char *name = store_unique_name();

		put_file(md, "tmp", name, "half");
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(store_scan_tmp(md, names, NULL));
	tag = g_strdup_printf("P%ldQ", (long)child);
	for (i = 0; i < names->len; i++) {
		const char *n = g_ptr_array_index(names, i);

		if (strstr(n, tag) != NULL) {
			assert_true(store_tmp_is_leftover(md, n));
			found = true;
		}
	}
	assert_true(found);
	/* The pid of a running process that started after the name was made (2001). */
	reused = g_strdup_printf("1000000000.M1P%ldQ1%s", (long)getppid(), strchr(mine, '.') +
	    strcspn(strchr(mine, '.') + 1, ".") + 1);
	put_file(md, "tmp", reused, "x");
	assert_true(store_tmp_is_leftover(md, reused));
	/* Another host's pids mean nothing here. */
	put_file(md, "tmp", other_host, "x");
	assert_false(store_tmp_is_leftover(md, other_host));
	g_free(tag);
	g_ptr_array_unref(names);
	g_free(reused);
	g_free(other_host);
	g_free(mine);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_detect, setup, teardown),
		cmocka_unit_test(test_unique_names),
		cmocka_unit_test(test_unique_name_host_escaped),
		cmocka_unit_test(test_parse_name_good),
		cmocka_unit_test(test_parse_name_bad),
		cmocka_unit_test(test_flags_normalize),
		cmocka_unit_test(test_message_path),
		cmocka_unit_test_setup_teardown(test_binary_bytes_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_file_mode_and_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_never_overwrites, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_missing_tmp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_flags_moves_to_cur, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan_skips_dot_files, setup, teardown),
		cmocka_unit_test(test_scan_missing_dir),
		cmocka_unit_test_setup_teardown(test_fix_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tmp_leftover, setup, teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
