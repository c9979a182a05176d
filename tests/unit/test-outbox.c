/*
 * Unit tests for outbox.c's header work on bytes: the envelope a file's
 * header gives and the text that goes on the wire, for LF and for CRLF
 * files (one put in the Outbox by hand).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "surat/outbox.h"

/* The header ends at the first empty line, LF or CRLF: the body's lines are not fields. */
static void
test_header_end(void **state)
{
	static const char *const texts[] = {
		"From: a@example.org\nTo: b@example.org\nBcc: c@example.org\n\n"
		"To: mallory@example.org\nBcc: kept in the body\n",
		"From: a@example.org\r\nTo: b@example.org\r\nBcc: c@example.org\r\n\r\n"
		"To: mallory@example.org\r\nBcc: kept in the body\r\n",
		/* the obsolete space before the colon (RFC 5322 4.5.8), as readers take it */
		"From : a@example.org\nTo\t: b@example.org\nBcc : c@example.org\n\n"
		"To: mallory@example.org\nBcc: kept in the body\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(texts); i++) {
		const char *text = texts[i];
		GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
		GError *error = NULL;
		char *sender = NULL;
		GString *wire;

		assert_true(outbox_envelope(text, strlen(text), &sender, rcpts, &error));
		assert_null(error);
		assert_string_equal(sender, "a@example.org");
		assert_int_equal(rcpts->len, 2);
		assert_string_equal(g_ptr_array_index(rcpts, 0), "b@example.org");
		assert_string_equal(g_ptr_array_index(rcpts, 1), "c@example.org");
		wire = outbox_wire_text(text, strlen(text));
		assert_null(strstr(wire->str, "c@example.org"));
		assert_non_null(strstr(wire->str, "Bcc: kept in the body"));
		g_string_free(wire, TRUE);
		g_free(sender);
		g_ptr_array_unref(rcpts);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
