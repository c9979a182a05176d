/*
 * Unit tests for deliver.c: DESIGN promise 1.  A child process delivers a
 * batch and dies at each crash point (or is killed at a random instant, or
 * hits a file size limit); the parent recovers and checks that no message is
 * lost or doubled, then "refetches" what the index does not know.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "surat/deliver.h"
#include "surat/index.h"
#include "surat/store.h"

#define BATCH 5

struct fixture {
	char *dir;     /* temporary top folder */
	char *maildir; /* DIR/acct */
	char *db;      /* DIR/index.db */
};

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->dir = g_dir_make_tmp("surat-deliver-XXXXXX", NULL);
	assert_non_null(f->dir);
	f->maildir = g_build_filename(f->dir, "acct", NULL);
	f->db = g_build_filename(f->dir, "index.db", NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	testlib_rmtree(f->dir);
	g_free(f->db);
	g_free(f->maildir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* Message number K: unique marker line, some binary bytes, a UIDL of its own. */
static GString *
message(int k)
{
	GString *s = g_string_new(NULL);
	int i;

	g_string_append_printf(s, "Message-ID: <m%d@test>\nSubject: message %d\n"
				  "From: Sender <s@test>\n\nMARKER-%d\n", k, k, k);
	for (i = 0; i < 300; i++)
		g_string_append_c(s, (char)(i % 256 == '\n' ? 'x' : i % 256));
	g_string_append_c(s, '\n');
	return s;
}

/* The UIDL of message K. */
static char *
uidl(int k)
{
	return g_strdup_printf("uidl-%d", k);
}

/* Queue messages FIRST..FIRST+N-1 on D. */
static void
add_messages(struct deliver *d, int first, int n)
{
	int k;

	for (k = first; k < first + n; k++) {
		GString *m = message(k);
		char *u = uidl(k);
		GError *error = NULL;

		if (!deliver_add(d, m->str, m->len, u, false, &error))
			fail_msg("deliver_add: %s", error->message);
		g_free(u);
		g_string_free(m, TRUE);
	}
}

/* Names of the files in DIR/SUB. */
static GPtrArray *
list_dir(const char *dir, const char *sub)
{
	char *path = g_build_filename(dir, sub, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d != NULL) {
		while ((name = g_dir_read_name(d)) != NULL)
			g_ptr_array_add(names, g_strdup(name));
		g_dir_close(d);
	}
	g_free(path);
	return names;
}

/* The message number in TEXT (its MARKER line), or -1. */
static int
marker_of(const char *text, gsize len)
{
	const char *p = g_strstr_len(text, (gssize)len, "\nMARKER-");

	return p != NULL ? atoi(p + 8) : -1;
}

/* Count the files in new/ and cur/ holding message K into COUNTS[K]. */
static void
count_copies(const char *maildir, int *counts, int n)
{
	static const char *const subs[] = { "new", "cur" };
	size_t s;
	guint i;

	for (s = 0; s < G_N_ELEMENTS(subs); s++) {
		GPtrArray *names = list_dir(maildir, subs[s]);

		for (i = 0; i < names->len; i++) {
			char *path = g_build_filename(maildir, subs[s], g_ptr_array_index(names, i), NULL);
			char *text;
			gsize len;
			int k;

			assert_true(g_file_get_contents(path, &text, &len, NULL));
			k = marker_of(text, len);
			assert_true(k >= 0 && k < n);
			counts[k]++;
			g_free(text);
			g_free(path);
		}
		g_ptr_array_unref(names);
	}
}

/*
 * The invariant after recovery: for every message at most one file and at
 * most one row; a row exists iff its file does (and is STORED); tmp/ empty.
 * Returns how many of messages 0..N-1 the index knows.
 */
static int
check_invariant(struct index *idx, const char *maildir, int n)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)store_entry_free);
	GPtrArray *tmp = list_dir(maildir, "tmp");
	GHashTable *row_bases = g_hash_table_new(g_str_hash, g_str_equal);
	int *copies = g_new0(int, n), *row_count = g_new0(int, n);
	int k, known = 0;
	guint i;

	assert_int_equal(tmp->len, 0);
	assert_true(index_account_rows(idx, "acct", rows, NULL));
	assert_true(store_scan(maildir, entries, NULL));
	count_copies(maildir, copies, n);
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);
		char *path = store_message_path(maildir, row->subdir, row->base, row->flags);

		assert_int_equal(row->state, INDEX_STATE_STORED);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			fail_msg("row %s has no file %s", row->uidl, path);
		g_free(path);
		g_hash_table_add(row_bases, row->base);
		assert_non_null(row->uidl);
		assert_true(g_str_has_prefix(row->uidl, "uidl-"));
		k = atoi(row->uidl + 5);
		assert_true(k >= 0 && k < n);
		row_count[k]++;
	}
	for (i = 0; i < entries->len; i++) {
		struct store_entry *e = g_ptr_array_index(entries, i);

		if (!g_hash_table_contains(row_bases, e->base))
			fail_msg("file %s/%s has no row", e->subdir, e->name);
	}
	for (k = 0; k < n; k++) {
		assert_true(copies[k] <= 1);
		assert_true(row_count[k] <= 1);
		assert_int_equal(copies[k], row_count[k]);
		known += row_count[k];
	}
	g_free(row_count);
	g_free(copies);
	g_hash_table_unref(row_bases);
	g_ptr_array_unref(tmp);
	g_ptr_array_unref(entries);
	g_ptr_array_unref(rows);
	return known;
}

/* Number of message files in new/ and cur/ (no checks on content). */
static int
check_invariant_files(const char *maildir)
{
	GPtrArray *a = list_dir(maildir, "new"), *b = list_dir(maildir, "cur");
	int n = (int)(a->len + b->len);

	g_ptr_array_unref(a);
	g_ptr_array_unref(b);
	return n;
}

/* Fetch again every message 0..N-1 the index does not know; then exactly one of each. */
static void
refetch_and_check(struct index *idx, const char *maildir, int n)
{
	struct deliver *d = deliver_open(idx, "acct", maildir, NULL, NULL);
	int *copies = g_new0(int, n);
	int k;

	assert_non_null(d);
	for (k = 0; k < n; k++) {
		char *u = uidl(k);

		if (!index_has_uidl(idx, "acct", u, NULL))
			add_messages(d, k, 1);
		g_free(u);
	}
	assert_true(deliver_commit(d, NULL, NULL));
	deliver_free(d);
	assert_int_equal(check_invariant(idx, maildir, n), n);
	count_copies(maildir, copies, n);
	for (k = 0; k < n; k++)
		assert_int_equal(copies[k], 1);
	g_free(copies);
}

/* In a child: deliver messages 0..BATCH-1 and die at POINT.  Returns the exit status. */
static int
deliver_in_child(struct fixture *f, enum deliver_crash_point point)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct index *idx = index_open(f->db, NULL);
		struct deliver *d = idx != NULL ? deliver_open(idx, "acct", f->maildir, NULL, NULL) : NULL;

		if (d == NULL)
			_exit(3);
		deliver_set_crash_point(d, point);
		add_messages(d, 0, BATCH);
		if (!deliver_commit(d, NULL, NULL))
			_exit(4);
		_exit(0); /* not reached when POINT is a crash point */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Crash at POINT, recover, check, refetch, check. */
static void
crash_at(struct fixture *f, enum deliver_crash_point point, int expect_known)
{
	struct index *idx;
	struct deliver *d;
	int known;

	assert_int_equal(deliver_in_child(f, point), 99);
	idx = index_open(f->db, NULL);
	assert_non_null(idx);
	d = deliver_open(idx, "acct", f->maildir, NULL, NULL); /* recovery */
	assert_non_null(d);
	deliver_free(d);
	known = check_invariant(idx, f->maildir, BATCH);
	assert_int_equal(known, expect_known);
	refetch_and_check(idx, f->maildir, BATCH);
	index_free(idx);
}

static void
test_crash_after_tmp_write(void **state)
{
	crash_at(*state, DELIVER_CRASH_AFTER_TMP_WRITE, 0);
}

static void
test_crash_after_sync(void **state)
{
	crash_at(*state, DELIVER_CRASH_AFTER_SYNC, 0);
}

static void
test_crash_after_pending(void **state)
{
	crash_at(*state, DELIVER_CRASH_AFTER_PENDING, BATCH);
}

static void
test_crash_after_rename(void **state)
{
	crash_at(*state, DELIVER_CRASH_AFTER_RENAME, BATCH);
}

static void
test_crash_after_dir_sync(void **state)
{
	crash_at(*state, DELIVER_CRASH_AFTER_DIR_SYNC, BATCH);
}

static void
test_crash_after_stored(void **state)
{
	crash_at(*state, DELIVER_CRASH_AFTER_STORED, BATCH);
}

static void
test_crash_points_all_covered(void **state)
{
	/* A new crash point needs a test above: this fails until it has one. */
	assert_int_equal(DELIVER_CRASH_AFTER_STORED, 6);
}

static void
test_recovery_drops_row_whose_file_is_lost(void **state)
{
	struct fixture *f = *state;
	GPtrArray *tmp;
	struct index *idx;
	struct deliver *d;
	char *path;

	/* Rows PENDING, files in tmp/; one file is lost (a tmp cleaner, a bad disk). */
	assert_int_equal(deliver_in_child(f, DELIVER_CRASH_AFTER_PENDING), 99);
	tmp = list_dir(f->maildir, "tmp");
	assert_int_equal(tmp->len, BATCH);
	path = g_build_filename(f->maildir, "tmp", g_ptr_array_index(tmp, 0), NULL);
	assert_int_equal(g_unlink(path), 0);
	g_free(path);
	g_ptr_array_unref(tmp);
	idx = index_open(f->db, NULL);
	d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	assert_non_null(d);
	deliver_free(d);
	/* Its row is gone, so the fetcher fetches it again: one copy of each. */
	assert_int_equal(check_invariant(idx, f->maildir, BATCH), BATCH - 1);
	refetch_and_check(idx, f->maildir, BATCH);
	index_free(idx);
}

static void
test_no_crash(void **state)
{
	struct fixture *f = *state;
	struct index *idx;

	assert_int_equal(deliver_in_child(f, DELIVER_CRASH_NONE), 0);
	idx = index_open(f->db, NULL);
	assert_int_equal(check_invariant(idx, f->maildir, BATCH), BATCH);
	index_free(idx);
}

static void
test_recovery_finds_file_moved_to_cur(void **state)
{
	struct fixture *f = *state;
	GPtrArray *names, *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index *idx;
	struct deliver *d;
	char *from, *to, *moved;
	guint i;

	/* Rows PENDING, files in new/; then a mail reader moves one to cur/. */
	assert_int_equal(deliver_in_child(f, DELIVER_CRASH_AFTER_DIR_SYNC), 99);
	names = list_dir(f->maildir, "new");
	assert_int_equal(names->len, BATCH);
	moved = g_ptr_array_index(names, 0);
	from = g_build_filename(f->maildir, "new", moved, NULL);
	to = g_strdup_printf("%s/cur/%s:2,S", f->maildir, moved);
	assert_int_equal(rename(from, to), 0);
	idx = index_open(f->db, NULL);
	d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	assert_non_null(d);
	deliver_free(d);
	assert_int_equal(check_invariant(idx, f->maildir, BATCH), BATCH);
	assert_true(index_account_rows(idx, "acct", rows, NULL));
	for (i = 0; i < rows->len; i++) {
		struct index_message *row = g_ptr_array_index(rows, i);

		if (strcmp(row->base, moved) == 0) {
			assert_string_equal(row->subdir, "cur");
			assert_string_equal(row->flags, "S");
		} else {
			assert_string_equal(row->subdir, "new");
		}
	}
	g_ptr_array_unref(rows);
	g_free(to);
	g_free(from);
	g_ptr_array_unref(names);
	index_free(idx);
}

static void
test_kill_at_random_instants(void **state)
{
	struct fixture *f = *state;
	int round, max = 0;

	/* kill -9 while batches are being delivered, five times. */
	for (round = 0; round < 5; round++) {
		int pipefd[2], status, first = round * 1000;
		pid_t pid;
		struct index *idx;
		struct deliver *d;
		char c;

		assert_int_equal(pipe(pipefd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct index *cidx = index_open(f->db, NULL);
			struct deliver *cd = deliver_open(cidx, "acct", f->maildir, NULL, NULL);
			int k;

			close(pipefd[0]);
			if (write(pipefd[1], "r", 1) != 1)
				_exit(5);
			for (k = first; k < first + 1000; k += 4) {
				add_messages(cd, k, 4);
				if (!deliver_commit(cd, NULL, NULL))
					_exit(4);
			}
			_exit(0);
		}
		close(pipefd[1]);
		assert_int_equal(read(pipefd[0], &c, 1), 1);
		close(pipefd[0]);
		g_usleep(2000 + g_random_int_range(0, 40000));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);

		idx = index_open(f->db, NULL);
		assert_non_null(idx);
		d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
		assert_non_null(d);
		deliver_free(d);
		max = first + 1000;
		print_message("# round %d: %d known\n", round, check_invariant(idx, f->maildir, max));
		index_free(idx);
	}
	{
		struct index *idx = index_open(f->db, NULL);
		int k, *copies = g_new0(int, max);
		struct deliver *d = deliver_open(idx, "acct", f->maildir, NULL, NULL);

		/* Refetch only what the child had reached in each round: count what is known. */
		for (k = 0; k < max; k++) {
			char *u = uidl(k);

			copies[k] = index_has_uidl(idx, "acct", u, NULL);
			g_free(u);
		}
		deliver_free(d);
		count_copies(f->maildir, copies, max); /* now files + rows: 0 or 2 */
		for (k = 0; k < max; k++)
			assert_true(copies[k] == 0 || copies[k] == 2);
		g_free(copies);
		index_free(idx);
	}
}

static void
test_full_disk(void **state)
{
	struct fixture *f = *state;
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct index *idx = index_open(f->db, NULL);
		struct deliver *d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
		struct rlimit rl;
		GString *big = g_string_new("Subject: big\n\n");
		GString *small = message(0);
		GError *error = NULL;
		char *u = uidl(0);

		if (d == NULL || !deliver_add(d, small->str, small->len, u, false, NULL))
			_exit(10);
		while (big->len < 256 * 1024)
			g_string_append(big, "0123456789abcdef0123456789abcdef\n");
		/* The file size limit stands in for a full disk: write() fails with EFBIG. */
		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = 64 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(11);
		if (deliver_add(d, big->str, big->len, "uidl-big", false, &error))
			_exit(12);
		if (!g_error_matches(error, STORE_ERROR, STORE_ERROR_FULL))
			_exit(13);
		/* The message says what failed, where, and what to do (the caller names the account). */
		if (strstr(error->message, "account acct") != NULL ||
		    strstr(error->message, f->maildir) == NULL ||
		    strstr(error->message, g_strerror(EFBIG)) == NULL ||
		    strstr(error->message, "free some space") == NULL)
			_exit(14);
		if (deliver_pending(d) != 1)
			_exit(15);
		/* Space again: the rest of the batch still goes through. */
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_FSIZE, &rl);
		if (!deliver_commit(d, NULL, NULL))
			_exit(16);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	{
		struct index *idx = index_open(f->db, NULL);
		GPtrArray *news = list_dir(f->maildir, "new");

		/* Only the small message: no trace of the big one anywhere. */
		assert_int_equal(check_invariant(idx, f->maildir, 1), 1);
		assert_int_equal(news->len, 1);
		assert_false(index_has_uidl(idx, "acct", "uidl-big", NULL));
		g_ptr_array_unref(news);
		index_free(idx);
	}
}

static void
test_rows_ready_for_the_index_pane(void **state)
{
	struct fixture *f = *state;
	struct index *idx = index_open(f->db, NULL);
	struct deliver *d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct index_message m = { 0 };
	struct index_filter filter = { .account = "acct", .text = "MARKER" };
	int64_t total, unread, before = (int64_t)time(NULL);
	GString *text = message(7);
	char *path, *got;
	gsize len;

	assert_true(deliver_add(d, text->str, text->len, "u7", true, NULL));
	assert_int_equal(deliver_pending(d), 1);
	assert_true(deliver_commit(d, ids, NULL));
	assert_int_equal(deliver_pending(d), 0);
	assert_int_equal(ids->len, 1);
	assert_true(index_get(idx, g_array_index(ids, int64_t, 0), &m, NULL));
	assert_string_equal(m.account, "acct");
	assert_string_equal(m.subdir, "new");
	assert_string_equal(m.flags, "");
	assert_string_equal(m.uidl, "u7");
	assert_true(m.partial);
	assert_int_equal(m.size, text->len);
	assert_true(m.arrival >= before && m.arrival <= (int64_t)time(NULL));
	assert_true(m.mtime > 0);
	assert_int_equal(m.date, m.arrival); /* no Date: header */
	assert_string_equal(m.subject, "message 7");
	assert_string_equal(m.from, "Sender");
	assert_string_equal(m.message_id, "m7@test");
	assert_int_equal(m.state, INDEX_STATE_STORED);
	/* Searchable at once, and the file is byte-exact. */
	assert_true(index_query_count(idx, &filter, &total, &unread, NULL));
	assert_int_equal(total, 1);
	path = store_message_path(f->maildir, "new", m.base, "");
	assert_true(g_file_get_contents(path, &got, &len, NULL));
	assert_int_equal(len, text->len);
	assert_memory_equal(got, text->str, len);
	g_free(got);
	g_free(path);
	index_message_clear(&m);
	/* An empty commit is fine. */
	assert_true(deliver_commit(d, ids, NULL));
	assert_int_equal(ids->len, 1);
	g_string_free(text, TRUE);
	g_array_unref(ids);
	deliver_free(d);
	index_free(idx);
}

static void
test_free_drops_uncommitted(void **state)
{
	struct fixture *f = *state;
	struct index *idx = index_open(f->db, NULL);
	struct deliver *d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	GPtrArray *tmp;

	add_messages(d, 0, 3);
	tmp = list_dir(f->maildir, "tmp");
	assert_int_equal(tmp->len, 3);
	g_ptr_array_unref(tmp);
	deliver_free(d);
	assert_int_equal(check_invariant(idx, f->maildir, 3), 0);
	deliver_free(NULL);
	index_free(idx);
}

static void
test_duplicate_uidl_refused(void **state)
{
	struct fixture *f = *state;
	struct index *idx = index_open(f->db, NULL);
	struct deliver *d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	GString *m = message(1);
	GError *error = NULL;

	add_messages(d, 0, 1);
	/* Twice in one batch. */
	assert_false(deliver_add(d, m->str, m->len, "uidl-0", false, &error));
	assert_true(g_error_matches(error, DELIVER_ERROR, DELIVER_ERROR_DUPLICATE));
	assert_non_null(strstr(error->message, "uidl-0"));
	/* The account is named once, by the caller (fetch.h). */
	assert_null(strstr(error->message, "account acct"));
	g_clear_error(&error);
	assert_int_equal(deliver_pending(d), 1);
	assert_true(deliver_commit(d, NULL, NULL));
	/* Again after it is in the index. */
	assert_false(deliver_add(d, m->str, m->len, "uidl-0", false, &error));
	assert_true(g_error_matches(error, DELIVER_ERROR, DELIVER_ERROR_DUPLICATE));
	g_clear_error(&error);
	/* Mail without a UIDL is never a duplicate. */
	assert_true(deliver_add(d, m->str, m->len, NULL, false, NULL));
	assert_true(deliver_add(d, m->str, m->len, NULL, false, NULL));
	assert_true(deliver_commit(d, NULL, NULL));
	assert_int_equal(check_invariant_files(f->maildir), 3);
	g_string_free(m, TRUE);
	deliver_free(d);
	index_free(idx);
}

static void
test_open_fails_clearly(void **state)
{
	struct fixture *f = *state;
	struct index *idx = index_open(f->db, NULL);
	GError *error = NULL;
	char *blocker = g_build_filename(f->dir, "file", NULL);
	char *md = g_build_filename(blocker, "acct", NULL);

	/* A Maildir under a regular file cannot be created. */
	assert_true(g_file_set_contents(blocker, "x", 1, NULL));
	assert_null(deliver_open(idx, "acct", md, NULL, &error));
	assert_non_null(error);
	assert_null(strstr(error->message, "account acct"));
	assert_non_null(strstr(error->message, blocker));
	g_clear_error(&error);
	g_free(md);
	g_free(blocker);
	index_free(idx);
}

/* Remove the index DB and its WAL files, as a user (or a disk) might lose them. */
static void
lose_index(const char *db)
{
	const char *const suffixes[] = { "", "-wal", "-shm" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		char *path = g_strconcat(db, suffixes[i], NULL);

		g_unlink(path);
		g_free(path);
	}
}

/*
 * Delivery writes each message's UIDL into the Maildir's journal with the
 * batch; when the index is lost, the next deliver_open (the next fetch)
 * gets every UIDL back before anything is fetched, headers-only state
 * included, so nothing is delivered twice and nothing partial is taken for
 * whole (and DELE'd).
 */
static void
test_lost_index_restored_at_open(void **state)
{
	struct fixture *f = *state;
	struct index *idx = index_open(f->db, NULL);
	struct deliver *d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GString *head = g_string_new("Message-ID: <big@test>\nSubject: big\n\n");
	GString *whole = g_string_new(head->str);
	GError *error = NULL;
	struct index_message row = { 0 };
	bool known;
	guint i;

	add_messages(d, 0, 4);
	assert_true(deliver_add(d, head->str, head->len, "uidl-big", true, NULL));
	assert_true(deliver_commit(d, NULL, NULL));
	deliver_free(d);
	index_free(idx);
	lose_index(f->db);

	idx = index_open(f->db, NULL);
	assert_true(index_account_known(idx, "acct", &known, NULL));
	assert_false(known);
	d = deliver_open(idx, "acct", f->maildir, NULL, &error);
	if (d == NULL)
		fail_msg("deliver_open: %s", error->message);
	assert_int_equal(check_invariant_files(f->maildir), 5);
	for (i = 0; i < 4; i++) {
		char *u = uidl((int)i);

		assert_true(index_has_uidl(idx, "acct", u, NULL));
		g_free(u);
	}
	assert_true(index_account_files(idx, "acct", rows, NULL));
	assert_int_equal(rows->len, 5);
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);

		assert_int_equal(m->partial, strcmp(m->uidl, "uidl-big") == 0);
		if (m->partial)
			assert_true(index_get(idx, m->id, &row, NULL));
	}
	/* A fetch would not deliver them again. */
	add_messages(d, 10, 1);
	{
		GString *m0 = message(0);

		assert_false(deliver_add(d, m0->str, m0->len, "uidl-0", false, &error));
		assert_true(g_error_matches(error, DELIVER_ERROR, DELIVER_ERROR_DUPLICATE));
		g_clear_error(&error);
		g_string_free(m0, TRUE);
	}
	assert_true(deliver_commit(d, NULL, NULL));
	/* The rest of the big one (fetch --rest): whole now, in the journal too. */
	g_string_append(whole, "the body that was left on the server\n");
	assert_true(deliver_replace(d, &row, whole->str, whole->len, NULL));
	deliver_free(d);
	index_free(idx);
	lose_index(f->db);
	idx = index_open(f->db, NULL);
	d = deliver_open(idx, "acct", f->maildir, NULL, NULL);
	assert_non_null(d);
	index_message_clear(&row);
	g_ptr_array_set_size(rows, 0);
	assert_true(index_account_files(idx, "acct", rows, NULL));
	assert_int_equal(rows->len, 6);
	for (i = 0; i < rows->len; i++)
		assert_false(((struct index_message *)g_ptr_array_index(rows, i))->partial);
	g_ptr_array_unref(rows);
	g_string_free(whole, TRUE);
	g_string_free(head, TRUE);
	deliver_free(d);
	index_free(idx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash_points_all_covered),
		cmocka_unit_test_setup_teardown(test_crash_after_tmp_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_dir_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_after_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_drops_row_whose_file_is_lost, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recovery_finds_file_moved_to_cur, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kill_at_random_instants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_ready_for_the_index_pane, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_drops_uncommitted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_uidl_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_fails_clearly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_index_restored_at_open, setup, teardown),
	};

	return cmocka_run_group_tests_name("deliver", tests, NULL, NULL);
}
