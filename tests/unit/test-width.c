/* Unit tests for width.c: columns as a terminal draws them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "surat/width.h"

static void
test_ascii(void **state)
{
	assert_int_equal(width_of("hello"), 5);
	assert_int_equal(width_of(""), 0);
	assert_int_equal(width_of(NULL), 0);
}

static void
test_cjk_is_double(void **state)
{
	assert_int_equal(width_of("日本語"), 6);
	assert_int_equal(width_of("a日b"), 4);
	assert_int_equal(width_of("한국어"), 6);
}

static void
test_combining_is_zero(void **state)
{
	/* "e" + COMBINING ACUTE ACCENT, and a zero-width joiner. */
	assert_int_equal(width_of("e\xcc\x81"), 1);
	assert_int_equal(width_of("a\xe2\x80\x8d" "b"), 2);
}

static void
test_prefix_never_splits_wide(void **state)
{
	int used;
	size_t n = width_prefix("日本語", 5, &used);

	assert_int_equal(n, 6); /* two characters, three bytes each */
	assert_int_equal(used, 4);
	n = width_prefix("e\xcc\x81x", 1, &used);
	assert_int_equal(n, 3); /* the accent stays with its e */
	assert_int_equal(used, 1);
}

static void
test_fit_pads(void **state)
{
	char *s = width_fit("日本語", 5, 1);

	assert_string_equal(s, "日本 ");
	assert_int_equal(width_of(s), 5);
	g_free(s);
	s = width_fit("abc", 5, 0);
	assert_string_equal(s, "abc");
	g_free(s);
	s = width_fit("abcdef", 3, 1);
	assert_string_equal(s, "abc");
	g_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_cjk_is_double),
		cmocka_unit_test(test_combining_is_zero),
		cmocka_unit_test(test_prefix_never_splits_wide),
		cmocka_unit_test(test_fit_pads),
	};

	return cmocka_run_group_tests_name("width", tests, NULL, NULL);
}
