/* Unit tests for size.c: byte counts for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "surat/size.h"

static void
expect_text(uint64_t bytes, const char *want)
{
	char *got = size_text(bytes);

	assert_string_equal(got, want);
	g_free(got);
}

static void
expect_short(uint64_t bytes, const char *want)
{
	char buf[16];

	size_text_short(bytes, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_true(strlen(buf) <= 5);
}

static void
test_text_units(void **state)
{
	(void)state;
	expect_text(0, "0 B");
	expect_text(1023, "1023 B");
	expect_text(1024, "1 KB");
	expect_text(1025, "2 KB"); /* rounded up: a 1,025-byte file is not "1 KB" */
	expect_text(16 * 1024, "16 KB");
	expect_text(1024 * 1024, "1.0 MB");
	expect_text(1395864, "1.3 MB");
	expect_text((uint64_t)5 * 1024 * 1024 * 1024 / 2, "2.5 GB");
}

static void
test_short_fits_five_columns(void **state)
{
	(void)state;
	expect_short(0, "0");
	expect_short(999, "999");
	expect_short(1000, "1.0K");
	expect_short(4300, "4.2K");
	expect_short(12 * 1024, "12K");
	expect_short(999 * 1024, "999K");
	expect_short(1395864, "1.3M");
	expect_short((uint64_t)120 * 1024 * 1024, "120M");
	expect_short((uint64_t)3 * 1024 * 1024 * 1024, "3.0G");
	expect_short(UINT64_MAX, "9999G");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_units),
		cmocka_unit_test(test_short_fits_five_columns),
	};

	return cmocka_run_group_tests_name("size", tests, NULL, NULL);
}
