/* Unit tests for html.c: HTML becomes readable text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "surat/html.h"

static void
check(const char *html, const char *want)
{
	char *got = html_to_text(html, strlen(html), "UTF-8", NULL, NULL);

	assert_string_equal(got, want);
	g_free(got);
}

static void
test_paragraphs_and_breaks(void **state)
{
	check("<p>One   two\nthree</p><p>Four<br>five</p>", "One two three\n\nFour\nfive");
}

static void
test_script_and_style_dropped(void **state)
{
	check("<html><head><title>T</title><style>p{}</style></head>"
	      "<body><script>alert(1)</script><p>Visible</p></body></html>",
	    "Visible");
}

static void
test_entities_decoded(void **state)
{
	check("<p>Fish &amp; chips &lt;3 &eacute;t&eacute; &#x263A;</p>", "Fish & chips <3 été ☺");
}

static void
test_lists(void **state)
{
	check("<ul><li>apples</li><li>pears</li></ul>", "* apples\n* pears");
	check("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second");
}

static void
test_links_numbered(void **state)
{
	GPtrArray *links = g_ptr_array_new_with_free_func(g_free);
	const char *html = "<p>See <a href=\"https://example.org/a\">this</a> and "
			   "<a href=\"https://example.org/b\">that</a>.</p>";
	char *got = html_to_text(html, strlen(html), NULL, links, NULL);

	assert_string_equal(got, "See this[1] and that[2].");
	assert_int_equal(links->len, 2);
	assert_string_equal(g_ptr_array_index(links, 0), "https://example.org/a");
	assert_string_equal(g_ptr_array_index(links, 1), "https://example.org/b");
	g_free(got);
	g_ptr_array_free(links, TRUE);
}

static void
test_blockquote_and_pre(void **state)
{
	check("<p>Reply</p><blockquote><p>quoted line</p></blockquote>", "Reply\n\n> quoted line");
	check("<pre>a  b\n  c</pre>", "a  b\n  c");
}

static void
test_table_rows(void **state)
{
	check("<table><tr><td>Name</td><td>Size</td></tr><tr><td>x</td><td>1</td></tr></table>",
	    "Name  Size\nx  1");
}

static void
test_garbage_and_empty(void **state)
{
	char *got = html_to_text("", 0, NULL, NULL, NULL);

	assert_string_equal(got, "");
	g_free(got);
	got = html_to_text("<<<>>><p<<a href=>", 18, NULL, NULL, NULL);
	assert_non_null(got);
	g_free(got);
}

static void
test_deep_nesting_bounded(void **state)
{
	GString *s = g_string_new(NULL);
	char *got;
	int i;

	/* Deeper than the walker follows: the text is still there. */
	for (i = 0; i < 100; i++)
		g_string_append(s, "<span><b>");
	g_string_append(s, "deep");
	got = html_to_text(s->str, s->len, NULL, NULL, NULL);
	assert_string_equal(got, "deep");
	g_free(got);
	/* Far deeper than libxml2 parses: bounded, no crash. */
	for (i = 0; i < 100000; i++)
		g_string_append(s, "<div>");
	got = html_to_text(s->str, s->len, NULL, NULL, NULL);
	assert_non_null(strstr(got, "deep"));
	g_free(got);
	g_string_free(s, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paragraphs_and_breaks),
		cmocka_unit_test(test_script_and_style_dropped),
		cmocka_unit_test(test_entities_decoded),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_links_numbered),
		cmocka_unit_test(test_blockquote_and_pre),
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_garbage_and_empty),
		cmocka_unit_test(test_deep_nesting_bounded),
	};

	return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
