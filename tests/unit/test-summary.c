/* Unit tests for summary.c: index fields and search text from messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "surat/render.h"
#include "surat/sanitize.h"
#include "surat/summary.h"
#include "testlib.h"

/* Summarize TEXT with arrival time 777 and charset FALLBACKS; *BODY gets the search text. */
static void
summarize_with(const char *text, const char *const *fallbacks, struct index_message *m,
    char **body)
{
	memset(m, 0, sizeof *m);
	m->arrival = 777;
	summary_from_bytes(text, strlen(text), fallbacks, m, body);
}

/* Summarize TEXT with the default fallbacks. */
static void
summarize(const char *text, struct index_message *m, char **body)
{
	summarize_with(text, NULL, m, body);
}

/* Every string field of M passes the sanitizer unchanged. */
static void
assert_clean(const struct index_message *m, const char *body)
{
	const char *fields[] = { m->message_id, m->in_reply_to, m->references, m->from,
		m->from_addr, m->to, m->subject };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(fields); i++) {
		if (fields[i] != NULL)
			assert_true(sanitize_is_clean(fields[i], 0));
	}
	if (body != NULL)
		assert_true(sanitize_is_clean(body, SANITIZE_MULTILINE));
}

static void
test_plain_headers(void **state)
{
	struct index_message m;
	char *body;

	summarize("Message-ID: <abc@example.org>\n"
		  "In-Reply-To: <parent@example.org>\n"
		  "References: <root@example.org> <parent@example.org>\n"
		  "Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
		  "From: \"Alice Example\" <alice@example.org>\n"
		  "To: Bob <bob@example.org>, carol@example.org\n"
		  "Subject: Hello there\n"
		  "\n"
		  "Body line one.\nLine two.\n",
	    &m, &body);
	assert_string_equal(m.message_id, "abc@example.org");
	assert_string_equal(m.in_reply_to, "parent@example.org");
	assert_string_equal(m.references, "root@example.org parent@example.org");
	assert_int_equal(m.date, 1700000000);
	assert_string_equal(m.from, "Alice Example");
	assert_string_equal(m.from_addr, "alice@example.org");
	assert_string_equal(m.to, "Bob, carol@example.org");
	assert_string_equal(m.subject, "Hello there");
	assert_false(m.has_attachment);
	/* No Sender, no list: "" (known to be none), not NULL (not known). */
	assert_string_equal(m.sender, "");
	assert_string_equal(m.list, "");
	assert_non_null(strstr(body, "Body line one.\nLine two."));
	assert_clean(&m, body);
	g_free(body);
	index_message_clear(&m);
}

/* Sender and the list headers, kept for mutt's ~e and ~l: List-Id first, else List-Post. */
static void
test_sender_and_list(void **state)
{
	struct index_message m;

	(void)state;
	summarize("From: a@example.org\nSender: dev-bounces@lists.example\n"
		  "List-Post: <mailto:dev@lists.example>\nList-Id: Dev\n <dev.lists.example>\n"
		  "Subject: s\n\nb\n",
	    &m, NULL);
	assert_string_equal(m.sender, "dev-bounces@lists.example");
	assert_string_equal(m.list, "Dev <dev.lists.example>");
	index_message_clear(&m);
	summarize("From: a@example.org\nList-Post: <mailto:dev@lists.example>\n\nb\n", &m, NULL);
	assert_string_equal(m.list, "<mailto:dev@lists.example>");
	index_message_clear(&m);
}

static void
test_from_without_name(void **state)
{
	struct index_message m;

	summarize("From: alice@example.org\nSubject: x\n\nbody\n", &m, NULL);
	assert_string_equal(m.from, "alice@example.org");
	assert_string_equal(m.from_addr, "alice@example.org");
	assert_null(m.message_id);
	assert_null(m.in_reply_to);
	assert_null(m.references);
	index_message_clear(&m);
}

static void
test_rfc2047_subject_one_line(void **state)
{
	struct index_message m;

	summarize("From: =?UTF-8?B?SsO8cmdlbg==?= <j@example.de>\n"
		  "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\n"
		  " aus =?ISO-8859-1?Q?M=FCnchen?=\n\tund mehr\n"
		  "\n"
		  "x\n",
	    &m, NULL);
	assert_string_equal(m.subject, "Grüße aus München und mehr");
	assert_string_equal(m.from, "Jürgen");
	assert_null(strchr(m.subject, '\n'));
	index_message_clear(&m);
}

static void
test_missing_or_bad_date(void **state)
{
	struct index_message m;

	summarize("Subject: none\n\nx\n", &m, NULL);
	assert_int_equal(m.date, 777);
	index_message_clear(&m);
	summarize("Date: not a date at all\nSubject: bad\n\nx\n", &m, NULL);
	assert_int_equal(m.date, 777);
	index_message_clear(&m);
}

static void
test_escape_sequences_sanitized(void **state)
{
	struct index_message m;
	char *body;

	summarize("From: \"Evil\x1b[31m\" <e@example.org>\n"
		  "Subject: =?UTF-8?B?G10wO3B3bmVkBw==?= \xe2\x80\xae" "gpj.exe\n"
		  "Message-ID: <id\x1b@x>\n"
		  "\n"
		  "text \x1b[2J with \x9b csi and \x07 bell\n",
	    &m, &body);
	assert_null(strchr(m.subject, '\x1b'));
	assert_null(strchr(m.from, '\x1b'));
	assert_null(strchr(m.message_id, '\x1b'));
	assert_null(strchr(body, '\x1b'));
	assert_null(strchr(body, '\x07'));
	assert_non_null(strstr(m.subject, "<U+202E>"));
	assert_clean(&m, body);
	g_free(body);
	index_message_clear(&m);
}

static void
test_charsets(void **state)
{
	struct index_message m;
	char *body;

	/* Declared ISO-8859-1. */
	summarize("Content-Type: text/plain; charset=iso-8859-1\n\nna\xefve caf\xe9\n", &m, &body);
	assert_non_null(strstr(body, "naïve café"));
	g_free(body);
	index_message_clear(&m);
	/* Declared nothing, valid UTF-8. */
	summarize("Content-Type: text/plain\n\nna\xc3\xafve\n", &m, &body);
	assert_non_null(strstr(body, "naïve"));
	g_free(body);
	index_message_clear(&m);
	/* Declared nothing, not UTF-8: windows-1252 (curly quotes, euro). */
	summarize("Subject: x\n\n\x93quoted\x94 \x80" "5\n", &m, &body);
	assert_non_null(strstr(body, "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac" "5"));
	g_free(body);
	index_message_clear(&m);
	/* Declared a charset that does not exist. */
	summarize("Content-Type: text/plain; charset=x-no-such\n\ncaf\xe9\n", &m, &body);
	assert_non_null(strstr(body, "café"));
	g_free(body);
	index_message_clear(&m);
	/* Declared us-ascii, but 8-bit UTF-8 inside. */
	summarize("Content-Type: text/plain; charset=us-ascii\n\n\xe6\x97\xa5\xe6\x9c\xac\n", &m,
	    &body);
	assert_non_null(strstr(body, "日本"));
	assert_clean(&m, body);
	g_free(body);
	index_message_clear(&m);
}

/* Text without a usable label is read with the configuration's charset_fallbacks. */
static void
test_charset_fallbacks(void **state)
{
	static const char *const koi8[] = { "koi8-r", NULL };
	static const char koi8_msg[] = "Subject: \xd0\xd2\xc9\xd7\xc5\xd4\n\n"
	    "\xd0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2\n";
	struct index_message m;
	char *body;

	/* KOI8-R, unlabelled: the user's fallback reads it. */
	summarize_with(koi8_msg, koi8, &m, &body);
	assert_string_equal(m.subject, "привет");
	assert_non_null(strstr(body, "привет, мир"));
	g_free(body);
	index_message_clear(&m);
	/* Without it, the default (windows-1252) does, and it is not Russian. */
	summarize(koi8_msg, &m, &body);
	assert_null(strstr(m.subject, "привет"));
	assert_null(strstr(body, "привет"));
	g_free(body);
	index_message_clear(&m);
	/* A label iconv does not know (unknown-8bit): the fallbacks decide. */
	summarize_with("Content-Type: text/plain; charset=unknown-8bit\n\n"
		       "\xd0\xd2\xc9\xd7\xc5\xd4\n", koi8, &m, &body);
	assert_non_null(strstr(body, "привет"));
	g_free(body);
	index_message_clear(&m);
	/* windows-1252, unlabelled, with the default list: the accented words. */
	summarize("Subject: Gr\xfc\xdf" "e aus K\xf6ln\n\nIm Caf\xe9 \x84" "drau\xdf" "en\x93.\n", &m,
	    &body);
	assert_string_equal(m.subject, "Grüße aus Köln");
	assert_non_null(strstr(body, "Im Café „draußen“."));
	assert_clean(&m, body);
	g_free(body);
	index_message_clear(&m);
}

/* The body lines the pager shows for TEXT, joined by newlines. */
static char *
pager_body(const char *text, const char *const *fallbacks)
{
	struct render_options options;
	struct rendering *r;
	GString *out = g_string_new(NULL);
	guint i;

	memset(&options, 0, sizeof options);
	options.charset_fallbacks = fallbacks;
	r = render_bytes(text, strlen(text), &options);
	for (i = 0; i < r->lines->len; i++) {
		const struct render_line *line = g_ptr_array_index(r->lines, i);

		if (line->role != RENDER_BODY)
			continue;
		if (out->len > 0)
			g_string_append_c(out, '\n');
		g_string_append(out, line->text);
	}
	render_free(r);
	return g_string_free(out, FALSE);
}

/* Search sees the words the pager shows, charset by charset (one MIME path). */
static void
test_same_text_as_pager(void **state)
{
	static const char *const koi8[] = { "koi8-r", NULL };
	static const char *const latin2[] = { "iso-8859-2", NULL };
	static const struct {
		const char *text;
		const char *const *fallbacks;
		const char *word;
	} cases[] = {
		{ "Subject: a\n\nIm Caf\xe9 \x84" "drau\xdf" "en\x93.\n", NULL, "Café" },
		{ "Content-Type: text/plain; charset=unknown-8bit\n\nM\xfcller\n", NULL, "Müller" },
		{ "Content-Type: text/plain; charset=us-ascii\n\n\xe6\x97\xa5\xe6\x9c\xac\n", NULL,
		  "日本" },
		{ "Content-Type: text/plain; charset=utf-8\n\nZ\xfcrich \x93q\x94\n", NULL, "Zürich" },
		{ "Subject: b\n\n\xd0\xd2\xc9\xd7\xc5\xd4\n", koi8, "привет" },
		{ "Subject: c\n\n\xbf\xf3\xb3\xe6\n", latin2, "żółć" },
		{ "Content-Type: text/html\n\n<html><head><meta charset=\"iso-8859-1\"></head>"
		  "<body><p>caf\xe9</p></body></html>\n", NULL, "café" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct index_message m;
		char *body, *shown = pager_body(cases[i].text, cases[i].fallbacks);

		summarize_with(cases[i].text, cases[i].fallbacks, &m, &body);
		print_message("# case %zu: pager \"%s\", search \"%s\"\n", i, shown, body);
		assert_non_null(strstr(shown, cases[i].word));
		assert_non_null(strstr(body, shown));
		g_free(shown);
		g_free(body);
		index_message_clear(&m);
	}
}

static void
test_quoted_printable_and_base64(void **state)
{
	struct index_message m;
	char *body;

	summarize("Content-Type: text/plain; charset=utf-8\n"
		  "Content-Transfer-Encoding: quoted-printable\n\n"
		  "soft=\nbreak and =C3=A9t=C3=A9\n",
	    &m, &body);
	assert_non_null(strstr(body, "softbreak and été"));
	g_free(body);
	index_message_clear(&m);
	summarize("Content-Type: text/plain; charset=utf-8\n"
		  "Content-Transfer-Encoding: base64\n\n"
		  "aGlkZGVuIHdvcmQ=\n",
	    &m, &body);
	assert_non_null(strstr(body, "hidden word"));
	g_free(body);
	index_message_clear(&m);
}

static void
test_html_only(void **state)
{
	struct index_message m;
	char *body;

	summarize("Content-Type: text/html; charset=utf-8\n\n"
		  "<html><head><style>p{color:red}</style></head><body><p>Hello <b>bold</b> "
		  "&amp; world</p><script>evil()</script></body></html>\n",
	    &m, &body);
	assert_non_null(strstr(body, "Hello bold & world"));
	assert_null(strstr(body, "<b>"));
	assert_null(strstr(body, "evil"));
	assert_null(strstr(body, "color"));
	g_free(body);
	index_message_clear(&m);
}

static void
test_alternative_prefers_plain(void **state)
{
	struct index_message m;
	char *body;

	summarize("MIME-Version: 1.0\n"
		  "Content-Type: multipart/alternative; boundary=XX\n\n"
		  "--XX\nContent-Type: text/plain\n\nplainversion\n"
		  "--XX\nContent-Type: text/html\n\n<p>htmlversion</p>\n"
		  "--XX--\n",
	    &m, &body);
	assert_non_null(strstr(body, "plainversion"));
	assert_null(strstr(body, "htmlversion"));
	assert_false(m.has_attachment);
	g_free(body);
	index_message_clear(&m);
}

static void
test_attachments(void **state)
{
	struct index_message m;
	char *body;

	/* Content-Disposition: attachment, even on text. */
	summarize("Content-Type: multipart/mixed; boundary=B\n\n"
		  "--B\nContent-Type: text/plain\n\nmain text\n"
		  "--B\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\n"
		  "attachedwords\n--B--\n",
	    &m, &body);
	assert_true(m.has_attachment);
	assert_non_null(strstr(body, "main text"));
	assert_null(strstr(body, "attachedwords"));
	g_free(body);
	index_message_clear(&m);
	/* A non-text leaf with a name, no disposition. */
	summarize("Content-Type: multipart/mixed; boundary=B\n\n"
		  "--B\nContent-Type: text/plain\n\nsee file\n"
		  "--B\nContent-Type: application/pdf; name=\"r.pdf\"\n"
		  "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--B--\n",
	    &m, NULL);
	assert_true(m.has_attachment);
	index_message_clear(&m);
	/* An inline image without a name is not an attachment; inline text is body. */
	summarize("Content-Type: multipart/related; boundary=B\n\n"
		  "--B\nContent-Type: text/html\n\n<p>picture</p>\n"
		  "--B\nContent-Type: image/png\nContent-ID: <i1>\n\nxx\n--B--\n",
	    &m, &body);
	assert_false(m.has_attachment);
	assert_non_null(strstr(body, "picture"));
	g_free(body);
	index_message_clear(&m);
	/* A forwarded message: attached, or inline (then its text is searched). */
	summarize("Content-Type: multipart/mixed; boundary=B\n\n"
		  "--B\nContent-Type: text/plain\n\nsee below\n"
		  "--B\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
		  "Subject: inner\n\ninnerattached\n--B--\n",
	    &m, &body);
	assert_true(m.has_attachment);
	assert_string_equal(m.subject, "");
	assert_null(strstr(body, "innerattached"));
	g_free(body);
	index_message_clear(&m);
	summarize("Subject: outer\nContent-Type: multipart/mixed; boundary=B\n\n"
		  "--B\nContent-Type: text/plain\n\nsee below\n"
		  "--B\nContent-Type: message/rfc822\n\n"
		  "Subject: inner\n\ninnerinline\n--B--\n",
	    &m, &body);
	assert_false(m.has_attachment);
	assert_string_equal(m.subject, "outer");
	assert_non_null(strstr(body, "innerinline"));
	g_free(body);
	index_message_clear(&m);
}

static void
test_malformed_still_summarized(void **state)
{
	static const char *const inputs[] = {
		"",
		"no headers at all, just text",
		"\n\n\n",
		"Subject: unterminated\nContent-Type: multipart/mixed; boundary=\"Q\"\n\n--Q\n"
		"Content-Type: text/plain\n\nhalf",
		"From: <<<>>>\nTo: ,,,@@@\nDate: 99 Foo 99999\nSubject: =?bogus?Q?x?=\n\nbody",
		"Content-Type: text/plain; charset=\"\n\n\xff\xfe\xfd",
		"Content-Transfer-Encoding: base64\n\n!!!not base64!!!",
		"\x00\x01\x02",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(inputs); i++) {
		struct index_message m;
		char *body = NULL;

		summarize(inputs[i], &m, &body);
		assert_non_null(m.from);
		assert_non_null(m.from_addr);
		assert_non_null(m.to);
		assert_non_null(m.subject);
		assert_non_null(body);
		assert_int_equal(m.date, 777);
		assert_clean(&m, body);
		g_free(body);
		index_message_clear(&m);
	}
}

static void
test_body_capped(void **state)
{
	GString *big = g_string_new("Subject: big\n\n");
	struct index_message m;
	char *body;
	int i;

	for (i = 0; i < SUMMARY_BODY_MAX / 10 + 5000; i++)
		g_string_append(big, "\xc3\xa9word ok\n"); /* 10 bytes, two-byte first char */
	summarize(big->str, &m, &body);
	assert_true(strlen(body) <= SUMMARY_BODY_MAX);
	assert_true(strlen(body) > SUMMARY_BODY_MAX / 2);
	assert_true(g_utf8_validate(body, -1, NULL));
	g_free(body);
	index_message_clear(&m);
	g_string_free(big, TRUE);
}

/*
 * A text part, then DEPTH nested multiparts with DASH_LINES lines starting
 * "--" inside the deepest, then a last text part: the boundary structure
 * that costs GMime DEPTH comparisons per "--" line.
 */
static GString *
hostile_message(int depth, int dash_lines)
{
	GString *s = g_string_new("Subject: nest\nContent-Type: multipart/mixed; boundary=\"top\"\n\n"
	    "--top\nContent-Type: text/plain\n\nearlyword\n"
	    "--top\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");

	testlib_append_nested(s, depth, dash_lines);
	g_string_append(s, "--top\nContent-Type: text/plain\n\nlateword\n--top--\n");
	return s;
}

/* The renderer's guard against hostile boundaries holds for the index too. */
static void
test_hostile_boundaries_bounded(void **state)
{
	struct index_message m;
	GString *s;
	char *body;

	/* A hang bound, not a speed goal: minutes, where unguarded input costs hours. */
	alarm(600);
	/* Shallow and short: every part is read, the last one too. */
	s = hostile_message(10, 100);
	summarize(s->str, &m, &body);
	assert_non_null(strstr(body, "earlyword"));
	assert_non_null(strstr(body, "lateword"));
	g_free(body);
	index_message_clear(&m);
	g_string_free(s, TRUE);

	/* A thousand levels and 200,000 "--" lines: cut where the work cap is reached. */
	s = hostile_message(1000, 200000);
	summarize(s->str, &m, &body);
	assert_string_equal(m.subject, "nest");
	assert_non_null(strstr(body, "earlyword"));
	assert_null(strstr(body, "lateword"));
	assert_clean(&m, body);
	g_free(body);
	index_message_clear(&m);
	g_string_free(s, TRUE);
	alarm(0);
}

static void
test_long_references_capped(void **state)
{
	GString *msg = g_string_new("References:");
	struct index_message m;
	char **ids;
	int i;

	for (i = 0; i < 500; i++)
		g_string_append_printf(msg, " <id%d@x>", i);
	g_string_append(msg, "\nSubject: many\n\nx\n");
	summarize(msg->str, &m, NULL);
	ids = g_strsplit(m.references, " ", -1);
	assert_int_equal(g_strv_length(ids), 64);
	assert_string_equal(ids[0], "id0@x");    /* the root stays */
	assert_string_equal(ids[63], "id499@x"); /* and the latest */
	g_strfreev(ids);
	index_message_clear(&m);
	g_string_free(msg, TRUE);
}

static void
test_fields_kept(void **state)
{
	struct index_message m = { 0 };

	m.account = g_strdup("acct");
	m.base = g_strdup("base");
	m.size = 42;
	m.arrival = 5;
	summary_from_bytes("Subject: s\n\nb\n", 13, NULL, &m, NULL);
	assert_string_equal(m.account, "acct");
	assert_string_equal(m.base, "base");
	assert_int_equal(m.size, 42);
	assert_string_equal(m.subject, "s");
	index_message_clear(&m);
}

static void
test_from_file(void **state)
{
	char *dir = g_dir_make_tmp("surat-summary-XXXXXX", NULL);
	char *path = g_build_filename(dir, "msg", NULL);
	struct index_message m = { 0 };
	GError *error = NULL;
	char *body;

	assert_true(g_file_set_contents(path, "Subject: from a file\n\nfile body\n", -1, NULL));
	assert_true(summary_from_file(path, NULL, &m, &body, NULL));
	assert_string_equal(m.subject, "from a file");
	assert_non_null(strstr(body, "file body"));
	g_free(body);
	index_message_clear(&m);
	g_unlink(path);
	assert_false(summary_from_file(path, NULL, &m, NULL, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, path));
	g_clear_error(&error);
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_headers),
		cmocka_unit_test(test_sender_and_list),
		cmocka_unit_test(test_from_without_name),
		cmocka_unit_test(test_rfc2047_subject_one_line),
		cmocka_unit_test(test_missing_or_bad_date),
		cmocka_unit_test(test_escape_sequences_sanitized),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_charset_fallbacks),
		cmocka_unit_test(test_same_text_as_pager),
		cmocka_unit_test(test_quoted_printable_and_base64),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_alternative_prefers_plain),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_malformed_still_summarized),
		cmocka_unit_test(test_body_capped),
		cmocka_unit_test(test_hostile_boundaries_bounded),
		cmocka_unit_test(test_long_references_capped),
		cmocka_unit_test(test_fields_kept),
		cmocka_unit_test(test_from_file),
	};

	return cmocka_run_group_tests_name("summary", tests, NULL, NULL);
}
