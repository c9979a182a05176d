/* Unit tests for folder.c and change.c: folders, moves, copies, expunge, crash recovery, tags, undo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "testlib.h"
#include "surat/change.h"
#include "surat/config.h"
#include "surat/folder.h"
#include "surat/index.h"
#include "surat/search.h"
#include "surat/store.h"

struct fixture {
	char *dir;   /* the store */
	struct index *idx;
	struct account_config account;
	struct surat_config config;
};

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->idx = testlib_index_new("surat-folder-XXXXXX", &f->dir);
	f->account.name = "acct";
	f->account.keep = true;
	f->config.store = f->dir;
	f->config.accounts = &f->account;
	f->config.n_accounts = 1;
	assert_true(folder_create(f->dir, "acct", "", NULL));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_free(f->idx);
	testlib_rmtree(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* A message file in the inbox's cur/ with FLAGS and its row; returns the id. */
static int64_t
add(struct fixture *f, const char *base, const char *flags, const char *uidl, const char *subject)
{
	struct index_message m = { 0 };
	char *path, *text;
	int64_t id;

	path = g_strdup_printf("%s/acct/cur/%s:2,%s", f->dir, base, flags);
	text = g_strdup_printf("From: a@x\nSubject: %s\n\nbody of %s\n", subject, base);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	m.account = g_strdup("acct");
	m.subdir = g_strdup("cur");
	m.base = g_strdup(base);
	m.flags = g_strdup(flags);
	m.uidl = g_strdup(uidl);
	m.subject = g_strdup(subject);
	m.from = g_strdup("a");
	m.date = 1000;
	m.arrival = 1000;
	m.size = (int64_t)strlen(text);
	m.state = INDEX_STATE_STORED;
	assert_true(index_put(f->idx, &m, subject, NULL));
	assert_true(index_threads_update(f->idx, NULL));
	id = m.id;
	index_message_clear(&m);
	g_free(text);
	g_free(path);
	return id;
}

/* The ids as a GArray. */
static GArray *
ids_of(int n, ...)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		int64_t id = va_arg(ap, int64_t);

		g_array_append_val(ids, id);
	}
	va_end(ap);
	return ids;
}

/* True when the file of row ID is where its row says. */
static bool
file_ok(struct fixture *f, int64_t id)
{
	struct index_message m = { 0 };
	char *path;
	bool ok;

	if (!index_get(f->idx, id, &m, NULL))
		return false;
	path = folder_message_path(f->dir, &m);
	ok = g_file_test(path, G_FILE_TEST_IS_REGULAR);
	g_free(path);
	index_message_clear(&m);
	return ok;
}

/* The number of entries in DIR. */
static int
count_files(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	int n = 0;

	if (d == NULL)
		return 0;
	while (g_dir_read_name(d) != NULL)
		n++;
	g_dir_close(d);
	return n;
}

/* True when ACCOUNT has a gone entry for UIDL; *DELE gets its flag. */
static bool
gone_has(struct fixture *f, const char *uidl, bool *dele)
{
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	bool found = false;
	guint i;

	assert_true(index_gone_list(f->idx, "acct", gone, NULL));
	for (i = 0; i < gone->len; i++) {
		const struct index_gone *g = g_ptr_array_index(gone, i);

		if (strcmp(g->uidl, uidl) == 0) {
			found = true;
			if (dele != NULL)
				*dele = g->dele;
		}
	}
	g_ptr_array_unref(gone);
	return found;
}

static void
test_names(void **state)
{
	GError *error = NULL;

	(void)state;
	assert_true(folder_name_valid("Archive", NULL));
	assert_true(folder_name_valid("Lists.surat", NULL));
	assert_false(folder_name_valid("", NULL));
	assert_false(folder_name_valid("a/b", NULL));
	assert_false(folder_name_valid(".hidden", NULL));
	assert_false(folder_name_valid("a..b", NULL));
	assert_false(folder_name_valid("INBOX", &error));
	assert_true(g_error_matches(error, FOLDER_ERROR, FOLDER_ERROR_NAME));
	g_clear_error(&error);
	assert_false(folder_name_valid("tab\there", NULL));
	/* A folder named "lock" would be the account's lock file, .lock. */
	assert_false(folder_name_valid("lock", NULL));
	assert_true(folder_name_valid("Lock", NULL));
}

static void
test_create_and_list(void **state)
{
	struct fixture *f = *state;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char *maildirfolder;

	assert_true(folder_create(f->dir, "acct", "Zeta", NULL));
	assert_true(folder_create(f->dir, "acct", "Archive", NULL));
	maildirfolder = g_strdup_printf("%s/acct/.Archive/maildirfolder", f->dir);
	assert_true(g_file_test(maildirfolder, G_FILE_TEST_EXISTS));
	assert_true(folder_list(f->dir, "acct", names, NULL));
	assert_int_equal(names->len, 2);
	assert_string_equal(g_ptr_array_index(names, 0), "Archive");
	assert_string_equal(g_ptr_array_index(names, 1), "Zeta");
	g_free(maildirfolder);
	g_ptr_array_unref(names);
}

static void
test_move(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", "u1", "one"), b = add(f, "2.b", "", NULL, "two");
	GArray *ids = ids_of(2, a, b);
	struct index_filter archive = { .folder = "Archive" };
	struct index_message m = { 0 };
	char *cur;
	int64_t total, unread;
	guint done = 0;

	assert_true(folder_move(f->idx, f->dir, ids, NULL, "Archive", NULL, 0, &done, NULL));
	assert_int_equal(done, 2);
	assert_true(file_ok(f, a));
	assert_true(file_ok(f, b));
	cur = g_strdup_printf("%s/acct/cur", f->dir);
	assert_int_equal(count_files(cur), 0);
	assert_true(index_query_count(f->idx, &archive, &total, &unread, NULL));
	assert_int_equal(total, 2);
	assert_int_equal(unread, 1);
	/* Within its account, a moved message keeps its UIDL. */
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.uidl, "u1");
	assert_string_equal(m.folder, "Archive");
	index_message_clear(&m);
	/* Moving again to where it is does nothing. */
	assert_true(folder_move(f->idx, f->dir, ids, NULL, "Archive", NULL, 0, &done, NULL));
	assert_int_equal(done, 0);
	g_free(cur);
	g_array_free(ids, TRUE);
}

static void
test_move_to_other_account_remembers_uidl(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", "u1", "one");
	GArray *ids = ids_of(1, a);
	struct index_message m = { 0 };
	bool dele = true;

	assert_true(folder_move(f->idx, f->dir, ids, "local", "", NULL, 0, NULL, NULL));
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.account, "local");
	assert_null(m.uidl);
	index_message_clear(&m);
	assert_true(file_ok(f, a));
	/* acct's fetcher must not fetch u1 again, and must not DELE it. */
	assert_true(gone_has(f, "u1", &dele));
	assert_false(dele);
	g_array_free(ids, TRUE);
}

static void
test_copy(void **state)
{
	struct fixture *f = *state;
	/* Marked deleted: the copy is not (as mutt's), the original stays marked. */
	int64_t a = add(f, "1.a", "ST", "u1", "one");
	GArray *ids = ids_of(1, a), *copies = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct index_message m = { 0 };
	struct index_filter text = { .text = "one", .folder = "Saved" };
	int64_t total, unread, c;
	char *path;

	assert_true(folder_copy(f->idx, f->dir, ids, NULL, "Saved", 0, copies, NULL));
	assert_int_equal(copies->len, 1);
	c = g_array_index(copies, int64_t, 0);
	assert_true(c != a);
	assert_true(file_ok(f, a));
	assert_true(file_ok(f, c));
	assert_true(index_get(f->idx, c, &m, NULL));
	assert_string_equal(m.folder, "Saved");
	assert_null(m.uidl);
	assert_true(index_message_has_flag(&m, 'S'));
	assert_false(index_message_has_flag(&m, 'T'));
	path = folder_message_path(f->dir, &m);
	assert_true(g_str_has_suffix(path, ":2,S"));
	g_free(path);
	index_message_clear(&m);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_true(index_message_has_flag(&m, 'T'));
	index_message_clear(&m);
	/* The copy has its full-text entry. */
	assert_true(index_query_count(f->idx, &text, &total, &unread, NULL));
	assert_int_equal(total, 1);
	g_array_free(copies, TRUE);
	g_array_free(ids, TRUE);
}

static void
test_expunge(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one"), b = add(f, "2.b", "T", NULL, "two");
	GArray *ids = ids_of(2, a, b);
	struct index_message m = { 0 };
	char *cur = g_strdup_printf("%s/acct/cur", f->dir);
	guint done = 0;
	bool dele = true;

	assert_true(folder_expunge(f->idx, f->dir, &f->config, ids, &done, NULL));
	assert_int_equal(done, 2);
	assert_false(index_get(f->idx, a, &m, NULL));
	assert_false(index_get(f->idx, b, &m, NULL));
	assert_int_equal(count_files(cur), 0);
	/* Remembered, without a DELE: the account does not have the option. */
	assert_true(gone_has(f, "u1", &dele));
	assert_false(dele);
	g_free(cur);
	g_array_free(ids, TRUE);
}

static void
test_expunge_queues_dele(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one");
	GArray *ids = ids_of(1, a);
	bool dele = false;

	f->account.delete_on_server_when_deleted = true;
	assert_true(folder_expunge(f->idx, f->dir, &f->config, ids, NULL, NULL));
	assert_true(gone_has(f, "u1", &dele));
	assert_true(dele);
	/* The fetcher forgets it once the server no longer lists it. */
	{
		const char *uidls[] = { "u1" };

		assert_true(index_gone_forget(f->idx, "acct", uidls, 1, NULL));
	}
	assert_false(gone_has(f, "u1", NULL));
	g_array_free(ids, TRUE);
}

static void
test_bury(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", "u1", "one"), b = add(f, "2.b", "S", NULL, "two");
	struct index_message m = { 0 };

	assert_true(index_bury(f->idx, a, NULL));
	assert_true(index_bury(f->idx, b, NULL));
	assert_false(index_get(f->idx, a, &m, NULL));
	assert_false(index_get(f->idx, b, &m, NULL));
	assert_true(gone_has(f, "u1", NULL));
	/* has_uidl stays false for a gone one: the fetcher asks the gone table. */
	assert_false(index_has_uidl(f->idx, "acct", "u1", NULL));
}

static void
test_recover_move_done(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", "u1", "one");
	struct index_move mv = { a, "acct", "Archive", "cur", "1.a", "S", "u1" };
	struct index_message m = { 0 };
	char *from = g_strdup_printf("%s/acct/cur/1.a:2,S", f->dir);
	char *to = g_strdup_printf("%s/acct/.Archive/cur/1.a:2,S", f->dir);
	GPtrArray *moves = g_ptr_array_new_with_free_func((GDestroyNotify)index_move_free);

	/* A crash after the journal and the rename, before the row changed. */
	assert_true(folder_create(f->dir, "acct", "Archive", NULL));
	assert_true(index_move_begin(f->idx, &mv, NULL));
	assert_int_equal(g_rename(from, to), 0);
	assert_true(folder_recover(f->idx, f->dir, NULL));
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "Archive");
	assert_true(file_ok(f, a));
	assert_true(index_moves(f->idx, moves, NULL));
	assert_int_equal(moves->len, 0);
	index_message_clear(&m);
	g_ptr_array_unref(moves);
	g_free(from);
	g_free(to);
}

static void
test_recover_move_not_done(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", "u1", "one");
	struct index_move mv = { a, "acct", "Archive", "cur", "1.a", "S", "u1" };
	struct index_message m = { 0 };
	GPtrArray *moves = g_ptr_array_new_with_free_func((GDestroyNotify)index_move_free);

	/* A crash after the journal, before the rename: the move is forgotten. */
	assert_true(index_move_begin(f->idx, &mv, NULL));
	assert_true(folder_recover(f->idx, f->dir, NULL));
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "");
	assert_true(file_ok(f, a));
	assert_true(index_moves(f->idx, moves, NULL));
	assert_int_equal(moves->len, 0);
	index_message_clear(&m);
	g_ptr_array_unref(moves);
}

static void
test_recover_expunging(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one");
	struct index_message m = { 0 };
	char *path = g_strdup_printf("%s/acct/cur/1.a:2,ST", f->dir);

	/* A crash after the rows were marked, before the file went. */
	assert_true(index_gone_add(f->idx, "acct", "u1", 1000, false, NULL));
	assert_true(index_set_state(f->idx, a, INDEX_STATE_EXPUNGING, NULL));
	assert_true(folder_recover(f->idx, f->dir, NULL));
	assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
	assert_false(index_get(f->idx, a, &m, NULL));
	assert_true(gone_has(f, "u1", NULL));
	g_free(path);
}

static void
test_action_flags_and_undo(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "", NULL, "one"), b = add(f, "2.b", "", NULL, "two");
	struct change *act = change_new(f->idx, &f->config, NULL);
	GArray *ids = ids_of(2, a, b);
	struct index_message m = { 0 };
	char *label = NULL;
	guint done = 0;

	assert_true(change_flags(act, ids, "FS", NULL, true, &done, NULL));
	assert_int_equal(done, 2);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.flags, "FS");
	assert_true(file_ok(f, a));
	index_message_clear(&m);
	assert_true(change_undo(act, &label, &done, NULL));
	assert_non_null(label);
	assert_int_equal(done, 2);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.flags, "");
	assert_true(file_ok(f, a));
	index_message_clear(&m);
	g_free(label);
	label = NULL;
	/* Nothing more to undo. */
	assert_false(change_undo(act, &label, &done, NULL));
	assert_null(label);
	/* Not undoable: nothing recorded. */
	assert_true(change_flags(act, ids, "S", NULL, false, &done, NULL));
	assert_false(change_undo(act, NULL, NULL, NULL));
	change_free(act);
	g_array_free(ids, TRUE);
}

static void
test_action_tags(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "", NULL, "alpha"), b = add(f, "2.b", "", NULL, "beta");
	struct change *act = change_new(f->idx, &f->config, NULL);
	GArray *ids = ids_of(1, a), *tagged = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct index_filter beta = { .text = "beta" };
	int64_t changed = 0;
	guint done;

	assert_true(change_tag(act, ids, true, &done, NULL));
	assert_int_equal(done, 1);
	assert_true(index_tagged(f->idx, tagged, NULL));
	assert_int_equal(tagged->len, 1);
	assert_int_equal(g_array_index(tagged, int64_t, 0), a);
	/* Tag by query adds b. */
	assert_true(change_tag_filter(act, &beta, true, &changed, NULL));
	assert_int_equal(changed, 1);
	g_array_set_size(tagged, 0);
	assert_true(index_tagged(f->idx, tagged, NULL));
	assert_int_equal(tagged->len, 2);
	assert_int_equal(g_array_index(tagged, int64_t, 1), b);
	/* Undo takes back only the last action. */
	assert_true(change_undo(act, NULL, NULL, NULL));
	g_array_set_size(tagged, 0);
	assert_true(index_tagged(f->idx, tagged, NULL));
	assert_int_equal(tagged->len, 1);
	/* A bulk action on the tagged rows. */
	assert_true(change_flags(act, tagged, "T", NULL, true, &done, NULL));
	assert_int_equal(done, 1);
	change_free(act);
	g_array_free(tagged, TRUE);
	g_array_free(ids, TRUE);
}

static void
test_action_move_undo(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one");
	struct change *act = change_new(f->idx, &f->config, NULL);
	GArray *ids = ids_of(1, a);
	struct index_message m = { 0 };
	guint done;

	/* Marked deleted, it arrives unmarked; undo puts the mark back. */
	assert_true(change_move(act, ids, NULL, "Archive", &done, NULL));
	assert_int_equal(done, 1);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "Archive");
	assert_string_equal(m.flags, "S");
	index_message_clear(&m);
	assert_true(file_ok(f, a));
	assert_true(change_undo(act, NULL, &done, NULL));
	assert_int_equal(done, 1);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "");
	assert_string_equal(m.flags, "ST");
	assert_string_equal(m.uidl, "u1");
	index_message_clear(&m);
	assert_true(file_ok(f, a));
	change_free(act);
	g_array_free(ids, TRUE);
}

static void
test_action_copy_undo(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", NULL, "one");
	struct change *act = change_new(f->idx, &f->config, NULL);
	GArray *ids = ids_of(1, a);
	struct index_filter saved = { .folder = "Saved" };
	int64_t total, unread;
	char *cur = g_strdup_printf("%s/acct/.Saved/cur", f->dir);
	GError *error = NULL;

	if (!change_copy(act, ids, NULL, "Saved", NULL, &error))
		fail_msg("%s", error->message);
	assert_true(index_query_count(f->idx, &saved, &total, &unread, NULL));
	assert_int_equal(total, 1);
	assert_int_equal(count_files(cur), 1);
	assert_true(change_undo(act, NULL, NULL, NULL));
	assert_true(index_query_count(f->idx, &saved, &total, &unread, NULL));
	assert_int_equal(total, 0);
	assert_int_equal(count_files(cur), 0);
	assert_true(file_ok(f, a));
	g_free(cur);
	change_free(act);
	g_array_free(ids, TRUE);
}

static void
test_action_expunge_to_trash(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one"), b = add(f, "2.b", "S", NULL, "two");
	struct change *act = change_new(f->idx, &f->config, "Trash");
	GArray *ids = ids_of(2, a, b);
	struct index_message m = { 0 };
	guint trashed = 0, removed = 0;

	/* Only the marked one goes, into the trash, unmarked; undoable. */
	assert_true(change_expunge(act, ids, &trashed, &removed, NULL));
	assert_int_equal(trashed, 1);
	assert_int_equal(removed, 0);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "Trash");
	assert_false(index_message_has_flag(&m, 'T'));
	index_message_clear(&m);
	assert_true(index_get(f->idx, b, &m, NULL));
	assert_string_equal(m.folder, "");
	index_message_clear(&m);
	assert_true(change_undo(act, NULL, NULL, NULL));
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "");
	assert_true(index_message_has_flag(&m, 'T'));
	index_message_clear(&m);
	/* Expunging in the trash removes for good, and cannot be undone. */
	assert_true(change_expunge(act, ids, &trashed, &removed, NULL));
	assert_true(change_flags(act, ids, "T", NULL, true, NULL, NULL));
	assert_true(index_get(f->idx, a, &m, NULL));
	{
		GArray *in_trash = ids_of(1, a);

		index_message_clear(&m);
		assert_true(change_expunge(act, in_trash, &trashed, &removed, NULL));
		assert_int_equal(trashed, 0);
		assert_int_equal(removed, 1);
		g_array_free(in_trash, TRUE);
	}
	assert_false(index_get(f->idx, a, &m, NULL));
	assert_true(gone_has(f, "u1", NULL));
	assert_false(change_undo(act, NULL, NULL, NULL));
	change_free(act);
	g_array_free(ids, TRUE);
}

static void
test_action_expunge_no_trash(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one");
	struct change *act = change_new(f->idx, &f->config, NULL);
	GArray *ids = ids_of(1, a);
	struct index_message m = { 0 };
	guint trashed = 0, removed = 0;
	bool dele = false;

	f->account.delete_on_server_when_deleted = true;
	assert_true(change_expunge(act, ids, &trashed, &removed, NULL));
	assert_int_equal(removed, 1);
	assert_false(index_get(f->idx, a, &m, NULL));
	assert_true(gone_has(f, "u1", &dele));
	assert_true(dele);
	change_free(act);
	g_array_free(ids, TRUE);
}

static void
test_action_trash_queues_dele(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "ST", "u1", "one");
	struct change *act = change_new(f->idx, &f->config, "Trash");
	GArray *ids = ids_of(1, a);
	struct index_message m = { 0 };
	bool dele = false;

	/* Moved to the trash counts as deleted for the server; the row keeps its UIDL. */
	f->account.delete_on_server_when_deleted = true;
	assert_true(change_expunge(act, ids, NULL, NULL, NULL));
	assert_true(gone_has(f, "u1", &dele));
	assert_true(dele);
	assert_true(index_get(f->idx, a, &m, NULL));
	assert_string_equal(m.folder, "Trash");
	assert_string_equal(m.uidl, "u1");
	index_message_clear(&m);
	/* Undo takes the DELE back. */
	assert_true(change_undo(act, NULL, NULL, NULL));
	assert_false(gone_has(f, "u1", NULL));
	/* Without the option, the trash queues nothing. */
	f->account.delete_on_server_when_deleted = false;
	assert_true(change_expunge(act, ids, NULL, NULL, NULL));
	assert_false(gone_has(f, "u1", NULL));
	change_free(act);
	g_array_free(ids, TRUE);
}

static void
test_counts(void **state)
{
	struct fixture *f = *state;
	int64_t a = add(f, "1.a", "S", NULL, "one");
	GPtrArray *counts = g_ptr_array_new_with_free_func((GDestroyNotify)index_mailbox_count_free);
	GArray *ids = ids_of(1, a);
	struct search_error qerr = { 0 };
	struct search_query *queries[2] = { NULL, search_parse("is:unread OR is:flagged", 0, &qerr) };
	const struct index_mailbox_count *c;
	int64_t total[2], unread[2];

	add(f, "2.b", "", NULL, "two");
	add(f, "3.c", "F", NULL, "three");
	assert_true(folder_move(f->idx, f->dir, ids, NULL, "Archive", NULL, 0, NULL, NULL));
	assert_true(index_query_mailbox_counts(f->idx, counts, NULL));
	assert_int_equal(counts->len, 2);
	c = g_ptr_array_index(counts, 0);
	assert_string_equal(c->folder, "");
	assert_int_equal(c->total, 2);
	assert_int_equal(c->unread, 2);
	assert_int_equal(c->flagged, 1);
	c = g_ptr_array_index(counts, 1);
	assert_string_equal(c->folder, "Archive");
	assert_int_equal(c->total, 1);
	assert_int_equal(c->unread, 0);
	/* Saved searches: NULL is everything. */
	assert_true(index_query_counts(f->idx, (const struct search_query *const *)queries, 2,
	    total, unread, NULL));
	assert_int_equal(total[0], 3);
	assert_int_equal(unread[0], 2);
	/* 2.b (unread) and 3.c (unread, flagged); 1.a is read. */
	assert_int_equal(total[1], 2);
	assert_int_equal(unread[1], 2);
	search_query_free(queries[1]);
	g_ptr_array_unref(counts);
	g_array_free(ids, TRUE);
}

/* A version 1 index, as main's surat wrote it, with a tombstone (state 2). */
static const char v1_sql[] =
    "CREATE TABLE messages (id INTEGER PRIMARY KEY, account TEXT NOT NULL,"
    " subdir TEXT NOT NULL, base TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', uidl TEXT,"
    " message_id TEXT, in_reply_to TEXT, refs TEXT, date INTEGER NOT NULL DEFAULT 0,"
    " arrival INTEGER NOT NULL DEFAULT 0, from_name TEXT NOT NULL DEFAULT '',"
    " from_addr TEXT NOT NULL DEFAULT '', to_list TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '', size INTEGER NOT NULL DEFAULT 0,"
    " mtime INTEGER NOT NULL DEFAULT 0, has_attachment INTEGER NOT NULL DEFAULT 0,"
    " partial INTEGER NOT NULL DEFAULT 0, state INTEGER NOT NULL DEFAULT 1,"
    " UNIQUE (account, base));"
    "CREATE VIRTUAL TABLE messages_fts USING fts5(subject, sender, recipients, body,"
    " tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO messages (id, account, subdir, base, uidl, subject, state, arrival)"
    " VALUES (1, 'acct', 'cur', 'kept', 'u-kept', 'Kept message', 1, 5),"
    " (2, 'acct', 'cur', 'gone', 'u-gone', 'Expunged', 2, 7);"
    "INSERT INTO messages_fts (rowid, subject, sender, recipients, body)"
    " VALUES (1, 'Kept message', '', '', 'hello');"
    "PRAGMA user_version = 1;";

static void
test_migrate_v1_tombstones(void **state)
{
	struct fixture *f = *state;
	char *path = g_build_filename(f->dir, "old.db", NULL);
	struct index_filter hello = { .text = "hello" };
	struct index_message m = { 0 };
	struct index *idx;
	sqlite3 *db;
	int64_t total, unread;
	GPtrArray *gone = g_ptr_array_new_with_free_func((GDestroyNotify)index_gone_free);
	const struct index_gone *g;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	idx = index_open(path, NULL);
	assert_non_null(idx);
	assert_int_equal(index_schema_version(idx), INDEX_SCHEMA_VERSION);
	/* The live row and its full text survive; the tombstone is now a gone UIDL. */
	assert_true(index_get(idx, 1, &m, NULL));
	assert_string_equal(m.folder, "");
	assert_true(m.thread_id > 0);
	index_message_clear(&m);
	assert_false(index_get(idx, 2, &m, NULL));
	assert_true(index_query_count(idx, &hello, &total, &unread, NULL));
	assert_int_equal(total, 1);
	assert_true(index_gone_list(idx, "acct", gone, NULL));
	assert_int_equal(gone->len, 1);
	g = g_ptr_array_index(gone, 0);
	assert_string_equal(g->uidl, "u-gone");
	assert_int_equal(g->arrival, 7);
	assert_false(g->dele);
	g_ptr_array_unref(gone);
	index_free(idx);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_create_and_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_to_other_account_remembers_uidl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expunge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expunge_queues_dele, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bury, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_move_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_move_not_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_expunging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_flags_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_move_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_copy_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_expunge_to_trash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_expunge_no_trash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_action_trash_queues_dele, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1_tombstones, setup, teardown),
	};

	return cmocka_run_group_tests_name("folder", tests, NULL, NULL);
}
