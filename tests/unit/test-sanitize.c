/* Unit tests for sanitize.c: nothing unsafe survives, text stays readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "surat/sanitize.h"

static void
check(const char *in, ssize_t len, unsigned int flags, const char *want)
{
	char *got = sanitize_text(in, len, flags);

	assert_string_equal(got, want);
	assert_true(g_utf8_validate(got, -1, NULL));
	g_free(got);
}

static void
test_plain_text_unchanged(void **state)
{
	check("Hello, world", -1, 0, "Hello, world");
	check("Grüße, 日本語", -1, 0, "Grüße, 日本語");
	check("", -1, 0, "");
	check(NULL, -1, 0, "");
}

static void
test_escape_sequences(void **state)
{
	/* CSI clear screen, OSC 52 clipboard write, and a title change. */
	check("a\x1b[2Jb", -1, 0, "a^[[2Jb");
	check("\x1b]52;c;ZXZpbA==\x07", -1, 0, "^[]52;c;ZXZpbA==^G");
	check("\x1b]0;pwned\x1b\\", -1, 0, "^[]0;pwned^[\\");
}

static void
test_c0_controls(void **state)
{
	check("a\x01\x08\x7f" "b", -1, 0, "a^A^H^?b");
	check("line1\nline2\tx", -1, 0, "line1 line2 x");
	check("line1\nline2\tx", -1, SANITIZE_MULTILINE, "line1\nline2\tx");
	check("crlf\r\nnext", -1, SANITIZE_MULTILINE, "crlf\nnext");
	check("lone\rcr", -1, SANITIZE_MULTILINE, "lone^Mcr");
	check("nul\0byte", 8, 0, "nul^@byte");
}

static void
test_c1_controls(void **state)
{
	/* U+009B is the 8-bit CSI; U+0085 is NEL. */
	check("a\xc2\x9b" "2Jb", -1, 0, "a<U+009B>2Jb");
	check("\xc2\x85", -1, 0, "<U+0085>");
	/* A raw 0x9b byte is not UTF-8 at all. */
	check("a\x9b" "b", -1, 0, "a\xef\xbf\xbd" "b");
}

static void
test_invalid_utf8(void **state)
{
	check("\xff\xfe", -1, 0, "\xef\xbf\xbd\xef\xbf\xbd");
	check("caf\xe9", -1, 0, "caf\xef\xbf\xbd");
	/* Truncated multi-byte sequence at the end. */
	check("ok\xe6\x97", -1, 0, "ok\xef\xbf\xbd\xef\xbf\xbd");
	/* Overlong encoding of '/'. */
	check("\xc0\xaf", -1, 0, "\xef\xbf\xbd\xef\xbf\xbd");
	/* A surrogate encoded in UTF-8 is invalid. */
	check("\xed\xa0\x80", -1, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_bidi_overrides_visible(void **state)
{
	/* "invoice_\u202Efdp.exe" would display as "invoice_exe.pdf". */
	check("invoice_\xe2\x80\xae" "fdp.exe", -1, 0, "invoice_<U+202E>fdp.exe");
	check("\xe2\x81\xa6x\xe2\x81\xa9", -1, 0, "<U+2066>x<U+2069>");
	check("\xe2\x80\x8f", -1, 0, "<U+200F>");
}

static void
test_is_clean(void **state)
{
	assert_true(sanitize_is_clean("plain ü", 0));
	assert_false(sanitize_is_clean("a\x1b", 0));
	assert_false(sanitize_is_clean("a\nb", 0));
	assert_true(sanitize_is_clean("a\nb", SANITIZE_MULTILINE));
}

/* Whatever comes in, the output has no ESC, no C0 but tab/newline, no C1. */
static void
test_random_bytes_are_safe(void **state)
{
	GRand *rand = g_rand_new_with_seed(42);
	int round;

	for (round = 0; round < 2000; round++) {
		char buf[64];
		size_t i, n = (size_t)g_rand_int_range(rand, 0, sizeof buf);
		char *out;
		const char *p;

		for (i = 0; i < n; i++)
			buf[i] = (char)g_rand_int_range(rand, 0, 256);
		out = sanitize_text(buf, (ssize_t)n, SANITIZE_MULTILINE);
		assert_true(g_utf8_validate(out, -1, NULL));
		for (p = out; *p != '\0'; p = g_utf8_next_char(p)) {
			gunichar c = g_utf8_get_char(p);

			assert_false(c < 0x20 && c != '\n' && c != '\t');
			assert_false(c >= 0x7f && c <= 0x9f);
		}
		g_free(out);
	}
	g_rand_free(rand);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_unchanged),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c0_controls),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_bidi_overrides_visible),
		cmocka_unit_test(test_is_clean),
		cmocka_unit_test(test_random_bytes_are_safe),
	};

	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
