/* Unit tests for thread.c (JWZ threading) and the index's incremental threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "testlib.h"
#include "surat/index.h"
#include "surat/thread.h"

/* The row of message ID in SET. */
static const struct thread_row *
row_of(const struct thread_set *set, int64_t id)
{
	guint i;

	for (i = 0; i < set->rows->len; i++) {
		const struct thread_row *r = &g_array_index(set->rows, struct thread_row, i);

		if (r->id == id)
			return r;
	}
	fail_msg("message %lld has no row", (long long)id);
	return NULL;
}

/*
 * The set as one line per thread, rows in tree order as "id/depth/parent"
 * joined by spaces, threads joined by " | ": a picture tests compare.
 */
static char *
picture(const struct thread_set *set)
{
	GString *s = g_string_new(NULL);
	int64_t thread = -1;
	guint i;

	for (i = 0; i < set->rows->len; i++) {
		const struct thread_row *r = &g_array_index(set->rows, struct thread_row, i);

		if (r->thread_id != thread && thread != -1)
			g_string_append(s, " | ");
		else if (i > 0)
			g_string_append_c(s, ' ');
		thread = r->thread_id;
		g_string_append_printf(s, "%lld/%d/%lld", (long long)r->id, r->depth,
		    (long long)r->parent);
	}
	return g_string_free(s, FALSE);
}

/* Thread N messages and compare the picture with WANT. */
static void
assert_threads(const struct thread_msg *msgs, size_t n, const char *want)
{
	struct thread_set *set = thread_compute(msgs, n);
	char *got = picture(set);

	assert_int_equal(set->rows->len, n);
	if (strcmp(got, want) != 0)
		fail_msg("threads\n  got  %s\n  want %s", got, want);
	g_free(got);
	thread_set_free(set);
}

static void
test_simple_tree(void **state)
{
	const struct thread_msg msgs[] = {
		{ 1, "a@x", NULL, NULL, "hello", 100 },
		{ 2, "b@x", "a@x", "a@x", "Re: hello", 200 },
		{ 3, "c@x", "b@x", "a@x b@x", "Re: hello", 300 },
		{ 4, "d@x", "a@x", "a@x", "Re: hello", 400 },
	};
	struct thread_set *set = thread_compute(msgs, 4);

	(void)state;
	assert_threads(msgs, 4, "1/0/0 2/1/1 3/2/2 4/1/1");
	/* 2 has a later sibling (4): tee; 3 under 2: blank then corner; 4: corner. */
	assert_string_equal(row_of(set, 1)->tree, "");
	assert_string_equal(row_of(set, 2)->tree, "+");
	assert_string_equal(row_of(set, 3)->tree, "|`");
	assert_string_equal(row_of(set, 4)->tree, "`");
	assert_true(row_of(set, 2)->subject_repeat);
	assert_int_equal(row_of(set, 1)->thread_date, 400);
	thread_set_free(set);
}

static void
test_missing_parent(void **state)
{
	/* Both reply to a message we do not have: they hang from an invisible root. */
	const struct thread_msg msgs[] = {
		{ 5, "b@x", "gone@x", "gone@x", "Re: lost", 200 },
		{ 6, "c@x", "gone@x", "gone@x", "Re: lost", 300 },
	};
	struct thread_set *set = thread_compute(msgs, 2);

	(void)state;
	assert_threads(msgs, 2, "5/1/0 6/1/0");
	assert_int_equal(set->missing->len, 1);
	assert_string_equal(((struct thread_missing *)g_ptr_array_index(set->missing, 0))->message_id,
	    "gone@x");
	thread_set_free(set);
}

static void
test_missing_middle(void **state)
{
	/*
	 * c's References name a and b; b is missing: its empty container is
	 * pruned and c is promoted to a child of a (JWZ step 4).
	 */
	const struct thread_msg msgs[] = {
		{ 1, "a@x", NULL, NULL, "topic", 100 },
		{ 3, "c@x", "b@x", "a@x b@x", "Re: topic", 300 },
	};

	(void)state;
	assert_threads(msgs, 2, "1/0/0 3/1/1");
}

static void
test_reference_loop(void **state)
{
	/* a says it replies to b and b to a: no loop, no message lost. */
	const struct thread_msg msgs[] = {
		{ 1, "a@x", "b@x", "b@x", "loop", 100 },
		{ 2, "b@x", "a@x", "a@x", "Re: loop", 200 },
		{ 3, "c@x", "c@x", "c@x a@x c@x", "self", 300 },
	};
	struct thread_set *set = thread_compute(msgs, 3);
	guint i;

	(void)state;
	assert_int_equal(set->rows->len, 3);
	/* Every row's parent chain ends at a top row, within the set. */
	for (i = 0; i < set->rows->len; i++) {
		const struct thread_row *r = &g_array_index(set->rows, struct thread_row, i);
		int steps = 0;
		int64_t p = r->parent;

		while (p != 0 && steps++ < 10)
			p = row_of(set, p)->parent;
		assert_int_equal(p, 0);
	}
	/* The self-reference is ignored; c joins a's thread through a@x. */
	assert_int_equal(row_of(set, 3)->thread_id, row_of(set, 1)->thread_id);
	thread_set_free(set);
}

static void
test_in_reply_to_only(void **state)
{
	/*
	 * Clients that send In-Reply-To and no References; subjects that do not
	 * match, so only In-Reply-To can link them.  d has References that stop
	 * short of its parent: In-Reply-To comes after them.
	 */
	const struct thread_msg msgs[] = {
		{ 1, "a@x", NULL, NULL, "Lunch", 100 },
		{ 2, "b@x", "a@x", NULL, "Pizza?", 200 },
		{ 3, "c@x", "b@x", NULL, "Sounds good", 300 },
		{ 4, "d@x", "c@x", "a@x", "Count me in", 400 },
	};

	(void)state;
	assert_threads(msgs, 4, "1/0/0 2/1/1 3/2/2 4/3/3");
}

static void
test_subject_only(void **state)
{
	/* No headers link them: a "Re:" joins the original by subject. */
	const struct thread_msg msgs[] = {
		{ 1, "a@x", NULL, NULL, "Lunch plans", 100 },
		{ 2, "b@x", NULL, NULL, "Re: lunch   PLANS", 200 },
		{ 3, "c@x", NULL, NULL, "Weekly report", 300 },
		{ 4, "d@x", NULL, NULL, "Weekly report", 400 },
	};

	(void)state;
	/* Two originals with one subject stay two threads. */
	assert_threads(msgs, 4, "1/0/0 2/1/1 | 3/0/0 | 4/0/0");
}

static void
test_child_before_parent(void **state)
{
	/* The reply comes first in the input and has an earlier id. */
	const struct thread_msg a[] = {
		{ 1, "b@x", "a@x", "a@x", "Re: early", 200 },
		{ 2, "a@x", NULL, NULL, "early", 100 },
	};
	const struct thread_msg b[] = {
		{ 2, "a@x", NULL, NULL, "early", 100 },
		{ 1, "b@x", "a@x", "a@x", "Re: early", 200 },
	};

	(void)state;
	/* The thread id is its smallest id; input order does not matter. */
	assert_threads(a, 2, "2/0/0 1/1/2");
	assert_threads(b, 2, "2/0/0 1/1/2");
}

static void
test_duplicate_message_id(void **state)
{
	const struct thread_msg msgs[] = {
		{ 1, "a@x", NULL, NULL, "dup", 100 },
		{ 2, "a@x", NULL, NULL, "dup", 100 },
	};
	struct thread_set *set = thread_compute(msgs, 2);

	(void)state;
	assert_int_equal(set->rows->len, 2);
	row_of(set, 1);
	row_of(set, 2);
	thread_set_free(set);
}

static void
test_depth_cap(void **state)
{
	struct thread_msg msgs[THREAD_DEPTH_MAX + 10];
	char *ids[THREAD_DEPTH_MAX + 10];
	struct thread_set *set;
	size_t i, n = THREAD_DEPTH_MAX + 10;

	(void)state;
	for (i = 0; i < n; i++) {
		ids[i] = g_strdup_printf("m%zu@x", i);
		msgs[i] = (struct thread_msg){ (int64_t)i + 1, ids[i], i > 0 ? ids[i - 1] : NULL,
			i > 0 ? ids[i - 1] : NULL, "deep", (int64_t)i };
	}
	set = thread_compute(msgs, n);
	assert_int_equal(set->rows->len, n);
	assert_int_equal(row_of(set, (int64_t)n)->depth, THREAD_DEPTH_MAX);
	assert_int_equal(strlen(row_of(set, (int64_t)n)->tree), THREAD_DEPTH_MAX);
	thread_set_free(set);
	for (i = 0; i < n; i++)
		g_free(ids[i]);
}

static void
test_subject_key(void **state)
{
	bool reply;
	char *k;

	(void)state;
	k = thread_subject_key("Re: RE[2]: Aw: [list] Hello   World", &reply);
	assert_string_equal(k, "hello world");
	assert_true(reply);
	g_free(k);
	k = thread_subject_key("Hello", &reply);
	assert_string_equal(k, "hello");
	assert_false(reply);
	g_free(k);
	k = thread_subject_key(NULL, NULL);
	assert_string_equal(k, "");
	g_free(k);
}

static void
test_prefix(void **state)
{
	char *p;

	(void)state;
	p = thread_prefix("|`", true);
	assert_string_equal(p, "|  `->");
	g_free(p);
	p = thread_prefix("+", false);
	assert_string_equal(p, "├─>");
	g_free(p);
	p = thread_prefix("", false);
	assert_string_equal(p, "");
	g_free(p);
}

/* ---- the index: incremental threads equal a rebuild ---- */

struct fixture {
	char *dir;
	struct index *idx;
};

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->idx = testlib_index_new("surat-thread-XXXXXX", &f->dir);
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

/* Store a message with these threading headers. */
static int64_t
put(struct index *idx, const char *base, const char *mid, const char *irt, const char *refs,
    const char *subject, int64_t date)
{
	struct index_message m = { 0 };
	int64_t id;

	m.account = g_strdup("a");
	m.subdir = g_strdup("new");
	m.base = g_strdup(base);
	m.flags = g_strdup("");
	m.message_id = g_strdup(mid);
	m.in_reply_to = g_strdup(irt);
	m.references = g_strdup(refs);
	m.subject = g_strdup(subject);
	m.from = g_strdup("x");
	m.date = date;
	m.arrival = date;
	m.state = INDEX_STATE_STORED;
	assert_true(index_put(idx, &m, NULL, NULL));
	id = m.id;
	index_message_clear(&m);
	return id;
}

/* Every row's thread columns in the thread view, as one string. */
static char *
view(struct index *idx)
{
	struct index_filter all = { 0 };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GString *s = g_string_new(NULL);
	guint i;

	assert_true(index_query_page(idx, &all, INDEX_SORT_THREAD, false, 0, 1000, -1, rows, NULL));
	for (i = 0; i < rows->len; i++) {
		const struct index_message *m = g_ptr_array_index(rows, i);

		g_string_append_printf(s, "%s:%lld/%lld/%d/%d/'%s' ", m->base,
		    (long long)m->thread_id, (long long)m->thread_parent, m->thread_pos,
		    m->thread_depth, m->thread_tree != NULL ? m->thread_tree : "");
	}
	g_ptr_array_unref(rows);
	return g_string_free(s, FALSE);
}

static void
test_incremental_equals_rebuild(void **state)
{
	struct fixture *f = *state;
	char *incremental, *rebuilt;

	/* Children first, parents later, a subject-only reply, a loop, a deletion. */
	put(f->idx, "c", "c@x", "b@x", "a@x b@x", "Re: plan", 300);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "s", "s@x", NULL, NULL, "Re: plan", 500);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "a", "a@x", NULL, NULL, "plan", 100);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "l1", "l1@x", "l2@x", "l2@x", "loop", 50);
	put(f->idx, "l2", "l2@x", "l1@x", "l1@x", "Re: loop", 60);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "b", "b@x", "a@x", "a@x", "Re: plan", 200);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "x", "x@x", NULL, NULL, "other", 400);
	assert_true(index_threads_update(f->idx, NULL));
	incremental = view(f->idx);
	/* The parent that came last now has its children under it. */
	assert_non_null(strstr(incremental, "b:"));
	assert_true(index_threads_rebuild(f->idx, NULL));
	rebuilt = view(f->idx);
	assert_string_equal(incremental, rebuilt);
	g_free(incremental);
	g_free(rebuilt);
}

static void
test_incremental_in_reply_to_only(void **state)
{
	struct fixture *f = *state;
	char *incremental, *rebuilt;

	/* Replies first, linked to their parents by In-Reply-To alone; subjects differ. */
	put(f->idx, "c", "c@x", "b@x", NULL, "Sounds good", 300);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "b", "b@x", "a@x", NULL, "Pizza?", 200);
	assert_true(index_threads_update(f->idx, NULL));
	put(f->idx, "a", "a@x", NULL, NULL, "Lunch", 100);
	assert_true(index_threads_update(f->idx, NULL));
	/* And a later reply to the thread, by In-Reply-To alone. */
	put(f->idx, "d", "d@x", "c@x", NULL, "Count me in", 400);
	assert_true(index_threads_update(f->idx, NULL));
	incremental = view(f->idx);
	/* One thread: a, b under a, c under b, d under c (base:thread/parent/pos/depth/tree). */
	if (!g_regex_match_simple("^a:(\\d+)/0/0/0/'' b:\\1/\\d+/1/1/'`' c:\\1/\\d+/2/2/' `' "
	    "d:\\1/\\d+/3/3/'  `' $", incremental, 0, 0))
		fail_msg("thread view: %s", incremental);
	assert_true(index_threads_rebuild(f->idx, NULL));
	rebuilt = view(f->idx);
	assert_string_equal(incremental, rebuilt);
	g_free(incremental);
	g_free(rebuilt);
}

static void
test_incremental_after_delete(void **state)
{
	struct fixture *f = *state;
	char *incremental, *rebuilt;
	int64_t b;

	put(f->idx, "a", "a@x", NULL, NULL, "plan", 100);
	b = put(f->idx, "b", "b@x", "a@x", "a@x", "Re: plan", 200);
	put(f->idx, "c", "c@x", "b@x", "a@x b@x", "Re: plan", 300);
	assert_true(index_threads_update(f->idx, NULL));
	assert_true(index_delete(f->idx, b, NULL));
	assert_true(index_threads_update(f->idx, NULL));
	incremental = view(f->idx);
	assert_true(index_threads_rebuild(f->idx, NULL));
	rebuilt = view(f->idx);
	assert_string_equal(incremental, rebuilt);
	g_free(incremental);
	g_free(rebuilt);
}

static void
test_thread_view_order(void **state)
{
	struct fixture *f = *state;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_filter all = { 0 };
	const struct index_message *m;

	put(f->idx, "a", "a@x", NULL, NULL, "old thread", 100);
	put(f->idx, "x", "x@x", NULL, NULL, "newer", 200);
	put(f->idx, "b", "b@x", "a@x", "a@x", "Re: old thread", 300);
	assert_true(index_threads_update(f->idx, NULL));
	/* Threads by their latest message: a's thread (300) after x (200). */
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_THREAD, false, 0, 10, -1, rows,
	    NULL));
	assert_int_equal(rows->len, 3);
	m = g_ptr_array_index(rows, 0);
	assert_string_equal(m->base, "x");
	m = g_ptr_array_index(rows, 1);
	assert_string_equal(m->base, "a");
	m = g_ptr_array_index(rows, 2);
	assert_string_equal(m->base, "b");
	assert_int_equal(m->thread_depth, 1);
	g_ptr_array_set_size(rows, 0);
	/* Reversed: threads turn round, each tree stays top-down. */
	assert_true(index_query_page(f->idx, &all, INDEX_SORT_THREAD, true, 0, 10, -1, rows, NULL));
	m = g_ptr_array_index(rows, 0);
	assert_string_equal(m->base, "a");
	m = g_ptr_array_index(rows, 1);
	assert_string_equal(m->base, "b");
	m = g_ptr_array_index(rows, 2);
	assert_string_equal(m->base, "x");
	g_ptr_array_unref(rows);
}

static void
test_collapse(void **state)
{
	struct fixture *f = *state;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GArray *threads = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct index_filter filter = { 0 };
	const struct index_message *m;
	int64_t n, a, first, count;

	a = put(f->idx, "a", "a@x", NULL, NULL, "t", 100);
	put(f->idx, "b", "b@x", "a@x", "a@x", "Re: t", 200);
	put(f->idx, "c", "c@x", "a@x", "a@x", "Re: t", 300);
	put(f->idx, "x", "x@x", NULL, NULL, "u", 400);
	assert_true(index_threads_update(f->idx, NULL));
	g_array_append_val(threads, a);
	filter.threads = threads;
	assert_true(index_query_count_rows(f->idx, &filter, INDEX_SORT_THREAD, &n, NULL));
	assert_int_equal(n, 2);
	assert_true(index_query_page(f->idx, &filter, INDEX_SORT_THREAD, false, 0, 10, -1, rows,
	    NULL));
	assert_int_equal(rows->len, 2);
	m = g_ptr_array_index(rows, 0);
	assert_string_equal(m->base, "a");
	assert_true(m->thread_collapsed);
	assert_int_equal(m->thread_count, 3);
	assert_true(index_query_thread_span(f->idx, &filter, false, a, &first, &count, NULL));
	assert_int_equal(first, 0);
	assert_int_equal(count, 1);
	/* collapse_all with the set naming the expanded threads: a is expanded, x collapsed. */
	filter.collapse_all = true;
	assert_true(index_query_count_rows(f->idx, &filter, INDEX_SORT_THREAD, &n, NULL));
	assert_int_equal(n, 4);
	g_array_set_size(threads, 0);
	assert_true(index_query_count_rows(f->idx, &filter, INDEX_SORT_THREAD, &n, NULL));
	assert_int_equal(n, 2);
	g_array_free(threads, TRUE);
	g_ptr_array_unref(rows);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_tree),
		cmocka_unit_test(test_missing_parent),
		cmocka_unit_test(test_missing_middle),
		cmocka_unit_test(test_reference_loop),
		cmocka_unit_test(test_in_reply_to_only),
		cmocka_unit_test(test_subject_only),
		cmocka_unit_test(test_child_before_parent),
		cmocka_unit_test(test_duplicate_message_id),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_subject_key),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test_setup_teardown(test_incremental_equals_rebuild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_in_reply_to_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental_after_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_view_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collapse, setup, teardown),
	};

	return cmocka_run_group_tests_name("thread", tests, NULL, NULL);
}
