/*
 * Unit tests for outbox.c's header work on bytes: the envelope a file's
 * header gives and the text that goes on the wire, for LF and for CRLF
 * files (one put in the Outbox by hand); a run through a sendmail_command.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "testlib.h"
#include "surat/folder.h"
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

/* A message bounced again goes to this bounce's Resent- addresses, not to those of the one before. */
static void
test_resent_block(void **state)
{
	static const char text[] =
	    "Resent-From: a@example.org\nResent-To: b@example.org\nResent-Bcc: c@example.org\n"
	    "Received: from x by y; Mon, 7 Dec 2026 10:00:00 +0000\n"
	    "Resent-From: old@example.org\nResent-To: third@example.org\n"
	    "Received: from x by y; Mon, 7 Dec 2026 09:00:00 +0000\n"
	    "From: first@example.org\nTo: orig@example.org\n\nbody\n";
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	GError *error = NULL;
	char *sender = NULL;

	(void)state;
	assert_true(outbox_envelope(text, strlen(text), &sender, rcpts, &error));
	assert_null(error);
	assert_string_equal(sender, "a@example.org");
	assert_int_equal(rcpts->len, 2);
	assert_string_equal(g_ptr_array_index(rcpts, 0), "b@example.org");
	assert_string_equal(g_ptr_array_index(rcpts, 1), "c@example.org");
	g_free(sender);
	g_ptr_array_unref(rcpts);
}

/*
 * A reply whose answered message's file went (another program deleted it)
 * while it waited: sent, it still goes to Sent, and the run goes on; the
 * R mark it cannot set is skipped.
 */
static void
test_run_mark_file_gone(void **state)
{
	static const char answered[] = "From: b@example.org\nSubject: q\n\nq\n";
	static const char reply[] = "From: a@example.org\nTo: b@example.org\nSubject: Re: q\n\na\n";
	char *sendmail[] = { "/bin/sh", "-c", "cat >/dev/null", NULL };
	const char *const rcpts[] = { "b@example.org", NULL };
	struct account_config account = { 0 };
	struct surat_config config = { 0 };
	struct outbox_options options = { 0 };
	struct outbox_result result = { 0 };
	struct index_message m = { 0 };
	struct index *idx;
	GError *error = NULL;
	int64_t q = 0, r = 0;
	char *dir = NULL, *path, *marks;

	(void)state;
	idx = testlib_index_new("surat-outbox-XXXXXX", &dir);
	account.name = "acct";
	account.timeout = 10;
	account.maildir = g_build_filename(dir, "acct", NULL);
	account.sendmail_argv = sendmail;
	account.from_address = "a@example.org";
	config.store = dir;
	config.accounts = &account;
	config.n_accounts = 1;
	config.record = "Sent";
	assert_true(folder_add(idx, dir, "acct", "", answered, strlen(answered), "S", NULL, &q,
	    &error));
	assert_null(error);
	marks = g_strdup_printf("R:%lld", (long long)q);
	assert_true(outbox_queue(idx, &config, &account, reply, strlen(reply), "a@example.org",
	    rcpts, 1, marks, &r, &error));
	assert_null(error);
	/* the answered message's file goes behind surat's back */
	assert_true(index_get(idx, q, &m, NULL));
	path = folder_message_path(dir, &m);
	assert_int_equal(g_unlink(path), 0);
	assert_true(outbox_run(idx, &config, &account, &options, &result, &error));
	assert_null(error);
	assert_int_equal(result.sent, 1);
	index_message_clear(&m);
	assert_true(index_get(idx, r, &m, NULL));
	assert_string_equal(m.folder, "Sent");
	index_message_clear(&m);
	g_free(path);
	g_free(marks);
	g_free(account.maildir);
	index_free(idx);
	testlib_rmtree(dir);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_end),
		cmocka_unit_test(test_resent_block),
		cmocka_unit_test(test_run_mark_file_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
