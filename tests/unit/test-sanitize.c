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

/* sanitize_scrubbed on the C string IN (cut at MAX) must give WANT, and say whether it cut. */
static void
check_scrubbed(const char *in, size_t max, const char *secret, const GRegex *words,
    const char *want, bool want_cut)
{
	bool cut = !want_cut;
	char *out = sanitize_scrubbed(in, strlen(in), max, secret, words, 0, &cut);

	assert_string_equal(out, want);
	assert_int_equal(cut, want_cut);
	g_free(out);
}

/* The secret is scrubbed from the raw text, before the cut and before the sanitizer. */
static void
test_scrubbed(void **state)
{
	GString *in = g_string_new(NULL);
	GRegex *words = g_regex_new("[A-Za-z0-9+/=_-]{16,}", G_REGEX_RAW, 0, NULL);
	char *out;

	check_scrubbed("wrong password hunter2", 200, "hunter2", NULL,
	    "wrong password ********", false);
	check_scrubbed("hunter2 and hunter2hunter2", 200, "hunter2", NULL,
	    "******** and ****************", false);
	check_scrubbed("no echo", 200, NULL, NULL, "no echo", false);
	check_scrubbed("no echo", 200, "", NULL, "no echo", false);

	/* An echo straddling the cut: cutting first would leave "hunt" for all to see. */
	g_string_append_printf(in, "%0196d hunter2 more", 0);
	out = sanitize_scrubbed(in->str, in->len, 200, "hunter2", NULL, 0, NULL);
	assert_int_equal(strlen(out), 200);
	assert_null(strstr(out, "hun"));
	assert_true(g_str_has_suffix(out, " ***"));
	g_free(out);

	/* Bytes the sanitizer rewrites: a tab, an ESC, a C1 control in the secret. */
	check_scrubbed("bad: pa\tss!", 200, "pa\tss", NULL, "bad: ********!", false);
	check_scrubbed("bad: pa\x1bss!", 200, "pa\x1bss", NULL, "bad: ********!", false);
	check_scrubbed("bad: pa\xc2\x9bss!", 200, "pa\xc2\x9bss", NULL, "bad: ********!", false);
	/* ... and the rest of the text is still made safe. */
	check_scrubbed("\x1b[2Jpa\tss\xc2\x9b", 200, "pa\tss", NULL, "^[[2J********<U+009B>",
	    false);

	/* Long words that may encode the secret, also before the cut. */
	g_string_assign(in, "-ERR ");
	while (in->len < 195)
		g_string_append(in, "x ");
	g_string_append(in, "cGFzc3dvcmQxMjM0NTY3OA==");
	out = sanitize_scrubbed(in->str, in->len, 200, NULL, words, 0, NULL);
	assert_null(strstr(out, "cGFz"));
	assert_true(g_str_has_suffix(out, "x *****"));
	g_free(out);
	check_scrubbed("bad \xff cGFzc3dvcmQxMjM0NTY3OA== \xff", 200, NULL, words,
	    "bad \xef\xbf\xbd ******** \xef\xbf\xbd", false);

	/* Cut: at MAX bytes of what the scrubbing left; NUL bytes and NULL are fine. */
	check_scrubbed("abcdef", 3, NULL, NULL, "abc", true);
	out = sanitize_scrubbed("a\0hunter2", 9, 200, "hunter2", NULL, 0, NULL);
	assert_string_equal(out, "a^@********");
	g_free(out);
	out = sanitize_scrubbed(NULL, 5, 200, "x", NULL, 0, NULL);
	assert_string_equal(out, "");
	g_free(out);
	g_regex_unref(words);
	g_string_free(in, TRUE);
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
		cmocka_unit_test(test_scrubbed),
		cmocka_unit_test(test_random_bytes_are_safe),
	};

	return cmocka_run_group_tests_name("sanitize", tests, NULL, NULL);
}
