/*
 * testlib: what several unit test programs share.  Header-only, included by
 * test files after cmocka.h.
 */
#ifndef SURAT_TESTLIB_H
#define SURAT_TESTLIB_H

#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "surat/index.h"

/*
 * Run the FIXED tests, then one test FUNC per entry of CASES (N entries of
 * SIZE bytes each, whose first member is the fixture's file name), named
 * "error <file>" and given its entry as the initial state.
 */
static inline int
testlib_run_with_cases(const char *group, const struct CMUnitTest *fixed, size_t n_fixed,
    const void *cases, size_t n, size_t size, CMUnitTestFunction func,
    CMFixtureFunction setup, CMFixtureFunction teardown)
{
	GArray *tests = g_array_new(FALSE, FALSE, sizeof(struct CMUnitTest));
	struct CMUnitTest t = { 0 };
	size_t i;
	int failed;

	g_array_append_vals(tests, fixed, (guint)n_fixed);
	for (i = 0; i < n; i++) {
		const void *entry = (const char *)cases + i * size;
		const char *file;

		/* scan-build false positive: a pointer read through the byte offset is "uninitialized". */
		memcpy(&file, entry, sizeof file); /* the entry's first member */
		t.name = g_strconcat("error ", file, NULL);
		t.test_func = func;
		t.initial_state = (void *)entry;
		g_array_append_val(tests, t);
	}
	failed = _cmocka_run_group_tests(group, (struct CMUnitTest *)tests->data, tests->len,
	    setup, teardown);
	for (i = n_fixed; i < tests->len; i++)
		g_free((char *)g_array_index(tests, struct CMUnitTest, i).name);
	g_array_free(tests, TRUE);
	return failed;
}

/* Remove DIR and everything in it (a test's temporary store); the test fails if that fails. */
static inline void
testlib_rmtree(const char *dir)
{
	char *cmd = g_strdup_printf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	g_free(cmd);
}

/* A new temporary folder made from TEMPLATE ("surat-x-XXXXXX") in *DIR, and a new index.db in it. */
static inline struct index *
testlib_index_new(const char *template, char **dir)
{
	struct index *idx;
	char *path;

	*dir = g_dir_make_tmp(template, NULL);
	assert_non_null(*dir);
	path = g_build_filename(*dir, "index.db", NULL);
	idx = index_open(path, NULL);
	assert_non_null(idx);
	g_free(path);
	return idx;
}

/*
 * Append to S the body of a multipart/mixed with boundary "b0": DEPTH
 * multiparts nested one in the next around one text part ("deep text"),
 * then DASH_LINES lines that look like boundaries but are not, then every
 * closing boundary.  What a hostile sender writes to make a parser recurse
 * and rescan.
 */
static inline void
testlib_append_nested(GString *s, int depth, int dash_lines)
{
	int i;

	for (i = 1; i < depth; i++)
		g_string_append_printf(s, "--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n",
		    i - 1, i);
	g_string_append_printf(s, "--b%d\nContent-Type: text/plain\n\ndeep text\n", depth - 1);
	for (i = 0; i < dash_lines; i++)
		g_string_append(s, "--not-a-boundary-line\n");
	for (i = depth - 1; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\n", i);
}

#endif
