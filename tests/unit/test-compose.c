/*
 * Unit tests for compose*.c: new drafts, the three kinds of reply,
 * attribution, References, forward both ways, edit as new, the editor's
 * file and its address errors, bounce, drafts from mailto: URLs, and built
 * messages against golden files (Date, Message-Id and the boundary
 * normalised; GENERATE=1 writes the goldens anew) and parsed back with
 * GMime.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "surat/attach.h"
#include "surat/compose.h"
#include "surat/mime.h"
#include "surat/render.h"
#include "testlib.h"

#define DATA SURAT_TEST_DATA "/compose/"

/* The identity the tests write as: tom@example.net, tom.work@ and tom+anything@ are his too. */
struct test_identity {
	struct account_config account;
	GRegex *alternates;
	struct compose_identity identity;
};

static const char *const test_own[] = { "tom@home.example", NULL };

static void
test_identity_init(struct test_identity *t)
{
	memset(t, 0, sizeof *t);
	t->account.name = "work";
	t->account.from_address = "tom@example.net";
	t->account.from_name = "Tom Baker";
	t->alternates = g_regex_new("tom\\.work@example\\.net|tom\\+[a-z]+@example\\.net", 0, 0,
	    NULL);
	assert_non_null(t->alternates);
	t->identity.account = &t->account;
	t->identity.alternates = t->alternates;
	t->identity.own = test_own;
}

static void
test_identity_clear(struct test_identity *t)
{
	g_regex_unref(t->alternates);
}

/* The bytes of the test data file NAME (under tests/data), *LEN their length. */
static char *
test_read(const char *name, size_t *len)
{
	char *path = g_build_filename(SURAT_TEST_DATA, name, NULL), *text = NULL;
	gsize n = 0;

	if (!g_file_get_contents(path, &text, &n, NULL))
		fail_msg("cannot read %s", path);
	g_free(path);
	*len = n;
	return text;
}

/* A reply of KIND to the test data file NAME, with no attribution or signature. */
static struct compose_draft *
test_reply(const struct compose_identity *identity, const char *name,
    enum compose_reply_kind kind, GError **error)
{
	size_t len;
	char *text = test_read(name, &len);
	struct rendering *r = render_bytes(text, len, NULL);
	struct compose_draft *d = compose_reply(identity, text, len, r, kind, "", NULL, NULL,
	    error);

	render_free(r);
	g_free(text);
	return d;
}

/* Compare GOT with the golden file NAME (tests/data/compose), or write it with GENERATE=1. */
static void
test_golden(const char *name, const char *got)
{
	char *path = g_build_filename(DATA, name, NULL), *want = NULL;

	if (getenv("GENERATE") != NULL) {
		assert_true(g_file_set_contents(path, got, -1, NULL));
	} else {
		if (!g_file_get_contents(path, &want, NULL, NULL))
			fail_msg("cannot read %s (GENERATE=1 writes it)", path);
		if (strcmp(got, want) != 0)
			fail_msg("%s differs; got:\n%s", name, got);
	}
	g_free(want);
	g_free(path);
}

static void
test_new(void **state)
{
	struct test_identity t;
	struct compose_draft *d;

	(void)state;
	test_identity_init(&t);
	d = compose_new(&t.identity, "Tom\r\n-- not a separator\n\n");
	assert_string_equal(d->from, "Tom Baker <tom@example.net>");
	assert_null(d->to);
	assert_string_equal(d->body, "\n-- \nTom\n-- not a separator\n");
	assert_int_equal(d->attachments->len, 0);
	compose_draft_free(d);
	/* A signature file with its own separator keeps one; none gives an empty body. */
	d = compose_new(&t.identity, "-- \nTom\n");
	assert_string_equal(d->body, "\n-- \nTom\n");
	compose_draft_free(d);
	d = compose_new(&t.identity, NULL);
	assert_string_equal(d->body, "");
	compose_draft_free(d);
	/* A name with specials is quoted. */
	t.account.from_name = "Baker, \"Tom\"";
	d = compose_new(&t.identity, "  \n");
	assert_string_equal(d->from, "\"Baker, \\\"Tom\\\"\" <tom@example.net>");
	assert_string_equal(d->body, "");
	compose_draft_free(d);
	t.account.from_name = NULL;
	d = compose_new(&t.identity, NULL);
	assert_string_equal(d->from, "tom@example.net");
	compose_draft_free(d);
	d = compose_new(NULL, NULL);
	assert_null(d->from);
	compose_draft_free(d);
	test_identity_clear(&t);
}

static void
test_is_own(void **state)
{
	struct test_identity t;

	(void)state;
	test_identity_init(&t);
	assert_true(compose_is_own(&t.identity, "tom@example.net"));
	assert_true(compose_is_own(&t.identity, "TOM@Example.NET"));
	assert_true(compose_is_own(&t.identity, "tom@home.example"));
	assert_true(compose_is_own(&t.identity, "tom.work@example.net"));
	assert_true(compose_is_own(&t.identity, "Tom+Lists@example.net"));
	/* The whole address must match, not a part of it. */
	assert_false(compose_is_own(&t.identity, "xtom.work@example.net"));
	assert_false(compose_is_own(&t.identity, "tom.work@example.net.evil"));
	assert_false(compose_is_own(&t.identity, "bob@example.net"));
	assert_false(compose_is_own(&t.identity, ""));
	assert_false(compose_is_own(&t.identity, NULL));
	assert_false(compose_is_own(NULL, "tom@example.net"));
	test_identity_clear(&t);
}

static void
test_reply_kinds(void **state)
{
	struct test_identity t;
	struct compose_draft *d;
	GError *error = NULL;

	(void)state;
	test_identity_init(&t);
	/* Reply-To wins; From is the own address the message went to (an alternate). */
	d = test_reply(&t.identity, "compose/reply.eml", COMPOSE_REPLY, &error);
	assert_non_null(d);
	assert_string_equal(d->to, "Alice Replies <alice-replies@example.org>");
	assert_null(d->cc);
	assert_string_equal(d->from, "Tom Baker <tom.work@example.net>");
	assert_string_equal(d->subject, "Re: Grüße from the list");
	compose_draft_free(d);
	/* Group: plus To and Cc, without Tom's own addresses or a second bob@. */
	d = test_reply(&t.identity, "compose/reply.eml", COMPOSE_GROUP_REPLY, &error);
	assert_non_null(d);
	assert_string_equal(d->to,
	    "Alice Replies <alice-replies@example.org>, Bob <bob@example.org>");
	assert_string_equal(d->cc, "Carol <carol@example.org>");
	compose_draft_free(d);
	/* List: the List-Post mailto:, without its ?subject. */
	d = test_reply(&t.identity, "compose/reply.eml", COMPOSE_LIST_REPLY, &error);
	assert_non_null(d);
	assert_string_equal(d->to, "dev@lists.example.org");
	assert_null(d->cc);
	compose_draft_free(d);
	/* List-Post: NO, but the List-Id's list is in Cc. */
	d = test_reply(&t.identity, "compose/list-id.eml", COMPOSE_LIST_REPLY, &error);
	assert_non_null(d);
	assert_string_equal(d->to, "Team <team@lists.example.org>");
	assert_string_equal(d->from, "Tom Baker <tom@example.net>");
	assert_string_equal(d->subject, "Re: standup");
	compose_draft_free(d);
	/* No list at all. */
	assert_null(test_reply(&t.identity, "mail/plain-quotes.eml", COMPOSE_LIST_REPLY, &error));
	assert_true(error->domain == COMPOSE_ERROR);
	assert_int_equal(error->code, COMPOSE_ERROR_MESSAGE);
	assert_non_null(strstr(error->message, "use reply or group reply"));
	g_clear_error(&error);
	/* No Reply-To: From; the To is Tom, the message's own To, so From is Tom's. */
	d = test_reply(&t.identity, "mail/plain-quotes.eml", COMPOSE_GROUP_REPLY, &error);
	assert_non_null(d);
	assert_string_equal(d->to, "Maria Lopez <maria.lopez@example.org>");
	assert_string_equal(d->cc, "Release Team <release@example.org>, ops@example.org");
	assert_string_equal(d->from, "Tom Baker <tom@example.net>");
	assert_string_equal(d->subject, "Re: Release checklist for 2.4");
	compose_draft_free(d);
	/* An answer to one's own message goes to where it went. */
	d = test_reply(&t.identity, "compose/own.eml", COMPOSE_GROUP_REPLY, &error);
	assert_non_null(d);
	assert_string_equal(d->to, "Erin <erin@example.org>");
	assert_string_equal(d->cc, "Frank <frank@example.org>");
	compose_draft_free(d);
	/* Not a message. */
	assert_null(compose_reply(&t.identity, "", 0, NULL, COMPOSE_REPLY, NULL, NULL, NULL,
	    &error));
	assert_int_equal(error->code, COMPOSE_ERROR_MESSAGE);
	g_clear_error(&error);
	test_identity_clear(&t);
}

/* True when TEXT has a control character other than newline and tab. */
static bool
test_has_controls(const char *text)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			return true;
	return false;
}

static void
test_reply_hostile(void **state)
{
	static const char *const names[] = { "mail/hostile-headers.eml",
		"mail/hostile-controls.eml", "mail/malformed-bad-date.eml",
		"mail/malformed-nul.eml", "mail/rfc2047-broken.eml" };
	struct test_identity t;
	GError *error = NULL;
	size_t i;

	(void)state;
	test_identity_init(&t);
	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		struct compose_draft *d = test_reply(&t.identity, names[i], COMPOSE_GROUP_REPLY,
		    &error), *back = compose_draft_new();
		char *text;

		assert_non_null(d);
		text = compose_editor_text(d);
		/* Nothing raw from the message, and what the draft holds reads back. */
		if (test_has_controls(text))
			fail_msg("%s: a control character in:\n%s", names[i], text);
		if (!compose_editor_parse(back, text, strlen(text), &error))
			fail_msg("%s: %s", names[i], error->message);
		g_free(text);
		compose_draft_free(back);
		compose_draft_free(d);
	}
	/* Display names with bidi marks and escapes are shown, quoted. */
	{
		struct compose_draft *d = test_reply(&t.identity, names[0], COMPOSE_GROUP_REPLY,
		    NULL);

		assert_non_null(strstr(d->cc, "\"<U+200F><U+2066>Isolate\" <iso@example.net>"));
		compose_draft_free(d);
	}
	test_identity_clear(&t);
}

/* A reply to a message with SUBJECT (raw header text); returns the draft's subject (g_free). */
static char *
test_reply_subject_of(const struct compose_identity *identity, const char *subject)
{
	char *text = g_strdup_printf(
	    "From: a@example.org\nSubject: %s\nMessage-ID: <s@x>\n\nbody\n", subject);
	struct compose_draft *d = compose_reply(identity, text, strlen(text), NULL, COMPOSE_REPLY,
	    NULL, NULL, NULL, NULL);
	char *out;

	assert_non_null(d);
	out = g_strdup(d->subject);
	compose_draft_free(d);
	g_free(text);
	return out;
}

static void
test_reply_subject(void **state)
{
	static const struct {
		const char *subject, *want;
	} cases[] = {
		{ "Hello", "Re: Hello" },
		{ "Re: Hello", "Re: Hello" },
		{ "RE: Hello", "RE: Hello" },
		{ "re: Hello", "re: Hello" },
		{ "Re:Hello", "Re:Hello" },
		{ "Re : Hello", "Re : Hello" },
		{ "Aw: Hallo", "Aw: Hallo" },
		{ "AW: Hallo", "AW: Hallo" },
		{ "Sv: Hej", "Sv: Hej" },
		{ "SV: Hej", "SV: Hej" },
		{ "Re[2]: Hello", "Re[2]: Hello" },
		{ "Reply needed", "Re: Reply needed" },
		{ "Resent", "Re: Resent" },
		{ "Fwd: Re: Hello", "Re: Fwd: Re: Hello" },
		{ "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=", "Re: Grüße" },
		{ "", "Re: " },
	};
	struct test_identity t;
	size_t i;

	(void)state;
	test_identity_init(&t);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = test_reply_subject_of(&t.identity, cases[i].subject);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
		g_free(got);
	}
	test_identity_clear(&t);
}

static void
test_attribution(void **state)
{
	static const char text[] = "Date: Tue, 01 Dec 2026 10:30:00 +0100\n"
				   "From: \"M\xc3\xbcller, Alice\" <alice@example.org>\n"
				   "Subject: Plans\nMessage-ID: <a@x>\n\nLine one\n";
	static const char bare[] = "Date: never\nFrom: bob@example.org\n\nHi\n";
	struct test_identity t;
	struct compose_draft *d;

	(void)state;
	test_identity_init(&t);
	d = compose_reply(&t.identity, text, strlen(text), NULL, COMPOSE_REPLY,
	    "%d|%n|%a|%s|%%|%x|%", "%Y-%m-%d %H:%M", "sig", NULL);
	assert_non_null(d);
	assert_string_equal(d->body,
	    "2026-12-01 09:30|Müller, Alice|alice@example.org|Plans|%|%x|%\n"
	    "> Line one\n\n-- \nsig\n");
	compose_draft_free(d);
	/* The default, and a date that cannot be read: as written; no name: the address. */
	d = compose_reply(&t.identity, bare, strlen(bare), NULL, COMPOSE_REPLY, NULL, NULL, NULL,
	    NULL);
	assert_string_equal(d->body, "On never, bob@example.org wrote:\n> Hi\n\n");
	compose_draft_free(d);
	/* An empty attribution: no line. */
	d = compose_reply(&t.identity, bare, strlen(bare), NULL, COMPOSE_REPLY, "", NULL, NULL,
	    NULL);
	assert_string_equal(d->body, "> Hi\n\n");
	compose_draft_free(d);
	test_identity_clear(&t);
}

static void
test_references(void **state)
{
	GString *text = g_string_new("From: a@example.org\nSubject: long thread\nReferences:");
	GString *want = g_string_new("id1@x");
	struct test_identity t;
	struct compose_draft *d;
	int i;

	(void)state;
	test_identity_init(&t);
	for (i = 1; i <= 25; i++)
		g_string_append_printf(text, "\n <id%d@x>", i);
	g_string_append(text, "\nIn-Reply-To: <id25@x>\nMessage-ID: <self@x>\n\nbody\n");
	/* The first, the last 10, then the message's own id. */
	for (i = 16; i <= 25; i++)
		g_string_append_printf(want, " id%d@x", i);
	g_string_append(want, " self@x");
	d = compose_reply(&t.identity, text->str, text->len, NULL, COMPOSE_REPLY, NULL, NULL, NULL,
	    NULL);
	assert_non_null(d);
	assert_string_equal(d->in_reply_to, "self@x");
	assert_string_equal(d->references, want->str);
	compose_draft_free(d);
	/* Without References, a single In-Reply-To stands for them (RFC 5322 3.6.4). */
	g_string_assign(text,
	    "From: a@example.org\nIn-Reply-To: <parent@x>\nMessage-ID: <self@x>\n\nb\n");
	d = compose_reply(&t.identity, text->str, text->len, NULL, COMPOSE_REPLY, NULL, NULL, NULL,
	    NULL);
	assert_string_equal(d->references, "parent@x self@x");
	compose_draft_free(d);
	/* Nothing to answer to: neither. */
	g_string_assign(text, "From: a@example.org\n\nb\n");
	d = compose_reply(&t.identity, text->str, text->len, NULL, COMPOSE_REPLY, NULL, NULL, NULL,
	    NULL);
	assert_null(d->in_reply_to);
	assert_null(d->references);
	compose_draft_free(d);
	g_string_free(want, TRUE);
	g_string_free(text, TRUE);
	test_identity_clear(&t);
}

/* The editor's file of a reply to the test data file NAME, for a golden file. */
static void
test_reply_golden(const char *name, const char *golden)
{
	struct test_identity t;
	size_t len;
	char *text = test_read(name, &len), *editor;
	struct rendering *r = render_bytes(text, len, NULL);
	struct compose_draft *d;

	test_identity_init(&t);
	d = compose_reply(&t.identity, text, len, r, COMPOSE_REPLY, NULL, "%Y-%m-%d %H:%M",
	    "Tom Baker\nexample.net", NULL);
	assert_non_null(d);
	editor = compose_editor_text(d);
	test_golden(golden, editor);
	g_free(editor);
	compose_draft_free(d);
	render_free(r);
	g_free(text);
	test_identity_clear(&t);
}

static void
test_reply_quote(void **state)
{
	(void)state;
	/* Quotes one level deeper, the sender's signature left out. */
	test_reply_golden("mail/plain-quotes.eml", "reply-plain-quotes.golden");
	test_reply_golden("compose/reply.eml", "reply-utf8.golden");
	/* HTML-only mail quotes as the pager shows it, without the link list. */
	test_reply_golden("mail/html-only.eml", "reply-html-only.golden");
	/* Parts that are not text are not quoted. */
	test_reply_golden("mail/mixed-attachments.eml", "reply-attachments.golden");
}

static void
test_forward_inline(void **state)
{
	const char *names[] = { "mail/plain-quotes.eml", "compose/reply.eml" };
	const char *texts[2];
	size_t lens[2];
	struct rendering *r[2];
	struct test_identity t;
	struct compose_draft *d;
	GError *error = NULL;
	char *editor;
	size_t i;

	(void)state;
	test_identity_init(&t);
	for (i = 0; i < 2; i++) {
		texts[i] = test_read(names[i], &lens[i]);
		r[i] = render_bytes(texts[i], lens[i], NULL);
	}
	d = compose_forward(&t.identity, texts, lens, NULL, (const struct rendering *const *)r, 2,
	    false, "Tom", &error);
	assert_non_null(d);
	assert_string_equal(d->subject, "Fwd: Re: Release checklist for 2.4");
	assert_null(d->to);
	assert_int_equal(d->forwarded->len, 0);
	editor = compose_editor_text(d);
	test_golden("forward-inline.golden", editor);
	g_free(editor);
	compose_draft_free(d);
	/* No rendering given: the forward renders itself. */
	d = compose_forward(&t.identity, texts, lens, NULL, NULL, 1, false, NULL, &error);
	assert_non_null(d);
	assert_non_null(strstr(d->body, "> Can we freeze the branch on Monday?\n"));
	compose_draft_free(d);
	assert_null(compose_forward(&t.identity, texts, lens, NULL, NULL, 0, false, NULL, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_MESSAGE);
	g_clear_error(&error);
	for (i = 0; i < 2; i++) {
		render_free(r[i]);
		g_free((char *)texts[i]);
	}
	test_identity_clear(&t);
}

/* Normalise what changes from run to run in a built message: Date, Message-Id, the boundary. */
static char *
test_normalise(const char *message)
{
	const char *end = strstr(message, "\n\n"), *b;
	size_t hlen = end != NULL ? (size_t)(end - message) + 1 : strlen(message);
	char *header = g_strndup(message, hlen), **lines = g_strsplit(header, "\n", -1);
	GString *out = g_string_new(NULL);
	char *boundary = NULL, *text;
	guint i;

	/* The message's own header only: a forwarded message keeps its Date. */
	for (i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++) {
		if (g_str_has_prefix(lines[i], "Date: "))
			g_string_append(out, "Date: DATE\n");
		else if (g_str_has_prefix(lines[i], "Message-Id: "))
			g_string_append(out, "Message-Id: <ID>\n");
		else
			g_string_append_printf(out, "%s\n", lines[i]);
	}
	g_string_append(out, message + hlen);
	if ((b = strstr(header, "boundary=\"")) != NULL) {
		b += strlen("boundary=\"");
		boundary = g_strndup(b, strcspn(b, "\""));
	}
	g_strfreev(lines);
	g_free(header);
	text = g_string_free(out, FALSE);
	if (boundary != NULL) {
		char **parts = g_strsplit(text, boundary, -1);

		g_free(text);
		text = g_strjoinv("BOUNDARY", parts);
		g_strfreev(parts);
		g_free(boundary);
	}
	return text;
}

/* A draft of the fields given (NULL: none) and BODY. */
static struct compose_draft *
test_draft(const char *from, const char *to, const char *subject, const char *body)
{
	struct compose_draft *d = compose_draft_new();

	d->from = g_strdup(from);
	d->to = g_strdup(to);
	d->subject = g_strdup(subject);
	d->body = g_strdup(body);
	return d;
}

/* Build D with O and compare it, normalised, with the golden file NAME. */
static char *
test_build_golden(const struct compose_draft *d, const struct compose_build_options *o,
    const char *name)
{
	GError *error = NULL;
	size_t len = 0;
	char *built = compose_build(d, o, &len, &error), *normal;

	if (built == NULL)
		fail_msg("%s: %s", name, error->message);
	assert_int_equal(len, strlen(built));
	assert_null(strchr(built, '\r'));
	normal = test_normalise(built);
	test_golden(name, normal);
	g_free(normal);
	return built;
}

/* The draft with every kind of header field, in UTF-8. */
static struct compose_draft *
test_utf8_draft(void)
{
	struct compose_draft *d = test_draft("Tömas Bäker <tom@example.net>",
	    "Zoë Ärger <zoe@example.org>, \"Baker, Tom\" <tom2@example.org>",
	    "Grüße – naïve café, and a subject long enough to be folded by GMime when written",
	    "Grüße aus Köln!\n\nA line with a tab\there.\n");
	GString *refs = g_string_new(NULL);
	int i;

	d->cc = g_strdup("team: a@example.org, b@example.org;");
	d->bcc = g_strdup("boss@example.org");
	d->reply_to = g_strdup("Tom Replies <tom-replies@example.net>");
	g_ptr_array_add(d->headers, g_strdup("X-Note: naïve"));
	g_ptr_array_add(d->headers, g_strdup("X-Priority: 1"));
	g_ptr_array_add(d->headers, g_strdup("Content-Type: text/html"));
	d->in_reply_to = g_strdup("parent@example.org");
	for (i = 1; i <= 12; i++)
		g_string_append_printf(refs, "%sthread-%d@example.org", i > 1 ? " " : "", i);
	d->references = g_string_free(refs, FALSE);
	return d;
}

/* The flowed test body, and what comes back of it (trailing spaces are not kept). */
#define TEST_FLOWED_LONG \
	"This is a long line of text that goes on and on past the seventy-eight column limit " \
	"of format=flowed text, so it is wrapped."
#define TEST_FLOWED_BODY(trailing) \
	TEST_FLOWED_LONG "\n" \
	"From the start of a line\n" \
	" indented by one\n" \
	"> > a deep quote that is also rather long, long enough to be wrapped at the width of " \
	"seventy-eight\n" \
	">\n" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa > bbbb\n" \
	"trailing spaces" trailing "\n" \
	"a-very-long-word-a-very-long-word-a-very-long-word-a-very-long-word-a-very-long-word\n" \
	"\n-- \nTom\n"

static void
test_build(void **state)
{
	struct compose_build_options o = { false, "surat 1.0", false };
	struct compose_draft *d;
	GString *long_line = g_string_new("A line too long for 7bit: ");
	char *built;

	(void)state;
	d = test_draft("Tom Baker <tom@example.net>", "bob@example.org", "Plain",
	    "Hello Bob,\n\nsee you.");
	built = test_build_golden(d, &o, "build-ascii.golden");
	g_free(built);
	compose_draft_free(d);
	/* A line over 998 bytes goes quoted-printable, even in ASCII. */
	while (long_line->len < 1100)
		g_string_append(long_line, "word ");
	d = test_draft("tom@example.net", "bob@example.org", "Long", long_line->str);
	o.user_agent = NULL;
	built = test_build_golden(d, &o, "build-long.golden");
	g_free(built);
	compose_draft_free(d);
	d = test_utf8_draft();
	built = test_build_golden(d, &o, "build-utf8.golden");
	g_free(built);
	compose_draft_free(d);
	o.flowed = true;
	d = test_draft("tom@example.net", "bob@example.org", "Flowed", TEST_FLOWED_BODY("   "));
	built = test_build_golden(d, &o, "build-flowed.golden");
	g_free(built);
	compose_draft_free(d);
	/* A draft for Drafts: no Date, no Message-ID, no recipient needed. */
	o.flowed = false;
	o.draft = true;
	d = test_draft("Tom <tom@example.net>", NULL, NULL, "unfinished");
	built = test_build_golden(d, &o, "build-draft.golden");
	assert_null(strstr(built, "Date:"));
	assert_null(strstr(built, "Message-Id:"));
	g_free(built);
	compose_draft_free(d);
	g_string_free(long_line, TRUE);
}

/* Write LEN bytes of DATA to DIR/NAME; returns the path (g_free). */
static char *
test_write(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = g_build_filename(dir, name, NULL);

	assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	return path;
}

/* An attachment of PATH named NAME, of TYPE, inline or not. */
static struct compose_attachment *
test_attachment(const char *path, const char *name, const char *type, bool inline_disp)
{
	struct compose_attachment *a = g_new0(struct compose_attachment, 1);

	a->path = g_strdup(path);
	a->name = g_strdup(name);
	a->type = g_strdup(type);
	a->inline_disp = inline_disp;
	return a;
}

/* The bytes of part NUMBER of the message A, as a new string (LEN bytes). */
static char *
test_part(struct attach *a, int number, size_t *len)
{
	GBytes *bytes = attach_bytes(a, number, NULL);
	gsize n;
	const char *data;
	char *copy;

	assert_non_null(bytes);
	data = g_bytes_get_data(bytes, &n);
	copy = g_malloc(n + 1);
	if (n > 0)
		memcpy(copy, data, n);
	copy[n] = '\0';
	*len = n;
	g_bytes_unref(bytes);
	return copy;
}

static void
test_build_attachments(void **state)
{
	struct compose_build_options o = { false, NULL, false };
	guchar binary[1024];
	char *dir = g_dir_make_tmp("surat-compose-XXXXXX", NULL), *pdf, *txt, *built, *got, *fwd;
	struct compose_draft *d;
	struct attach *a;
	size_t i, len, fwd_len;

	(void)state;
	for (i = 0; i < sizeof binary; i++)
		binary[i] = (guchar)(i * 7);
	pdf = test_write(dir, "binary.bin", binary, sizeof binary);
	txt = test_write(dir, "notes.txt", "line one\nline two  \n", 20);
	d = test_draft("Tom Baker <tom@example.net>", "bob@example.org", "Files",
	    "See attached.\n");
	g_ptr_array_add(d->attachments, test_attachment(pdf, "Bericht für März.pdf",
	    "application/pdf", false));
	g_ptr_array_add(d->attachments, test_attachment(txt, "notes.txt", "text/plain", true));
	g_ptr_array_add(d->forwarded, g_strdup(DATA "own.eml"));
	built = test_build_golden(d, &o, "build-attach.golden");
	/* Parsed back: names decoded, bytes exact, the forwarded message as it was. */
	a = attach_new_bytes(built, strlen(built));
	assert_int_equal(attach_count(a), 5);
	assert_string_equal(attach_get(a, 2)->name, "Bericht für März.pdf");
	assert_string_equal(attach_get(a, 2)->type, "application/pdf");
	assert_true(attach_get(a, 2)->attachment);
	got = test_part(a, 2, &len);
	assert_int_equal(len, sizeof binary);
	assert_memory_equal(got, binary, sizeof binary);
	g_free(got);
	assert_false(attach_get(a, 3)->attachment);
	got = test_part(a, 3, &len);
	assert_string_equal(got, "line one\nline two  \n");
	g_free(got);
	assert_true(attach_get(a, 4)->message);
	got = test_part(a, 4, &len);
	fwd = test_read("compose/own.eml", &fwd_len);
	assert_int_equal(len, fwd_len);
	assert_memory_equal(got, fwd, len);
	g_free(fwd);
	g_free(got);
	attach_free(a);
	g_free(built);
	compose_draft_free(d);
	g_free(pdf);
	g_free(txt);
	testlib_rmtree(dir);
	g_free(dir);
}

/* The name of the address I of LIST, and its address. */
static void
test_address(InternetAddressList *list, int i, const char *name, const char *addr)
{
	InternetAddress *a = internet_address_list_get_address(list, i);
	const char *got = internet_address_get_name(a);

	assert_string_equal(got != NULL ? got : "", name);
	assert_string_equal(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a)), addr);
}

static void
test_build_parse_back(void **state)
{
	struct compose_build_options o = { false, "surat", false };
	struct compose_draft *d = test_utf8_draft();
	GMimeMessage *m;
	InternetAddressList *list;
	size_t len;
	char *built = compose_build(d, &o, &len, NULL);

	(void)state;
	assert_non_null(built);
	m = mime_parse(built, len, NULL, NULL);
	assert_non_null(m);
	assert_string_equal(g_mime_message_get_subject(m), d->subject);
	test_address(g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_FROM), 0, "Tömas Bäker",
	    "tom@example.net");
	list = g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_TO);
	assert_int_equal(internet_address_list_length(list), 2);
	test_address(list, 0, "Zoë Ärger", "zoe@example.org");
	test_address(list, 1, "Baker, Tom", "tom2@example.org");
	test_address(g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_BCC), 0, "",
	    "boss@example.org");
	test_address(g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_REPLY_TO), 0,
	    "Tom Replies", "tom-replies@example.net");
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m), "X-Note"), "naïve");
	assert_string_equal(g_mime_object_get_header(GMIME_OBJECT(m), "User-Agent"), "surat");
	assert_true(g_str_has_suffix(g_mime_message_get_message_id(m), "@example.net"));
	assert_non_null(g_mime_message_get_date(m));
	g_object_unref(m);
	g_free(built);
	compose_draft_free(d);
}

static void
test_flowed_round_trip(void **state)
{
	struct compose_build_options o = { true, NULL, false };
	struct compose_draft *d = test_draft("tom@example.net", "bob@example.org", "Flowed",
	    TEST_FLOWED_BODY("   ")), *back;
	char *dir = g_dir_make_tmp("surat-compose-XXXXXX", NULL), *built, **lines;
	size_t len, i;

	(void)state;
	built = compose_build(d, &o, &len, NULL);
	assert_non_null(built);
	back = compose_from_message(built, len, dir, NULL);
	assert_non_null(back);
	assert_string_equal(back->body, TEST_FLOWED_BODY(""));
	assert_int_equal(back->attachments->len, 0);
	/* No line of the flowed text is longer than 78 but the word that cannot break. */
	lines = g_strsplit(strstr(built, "\n\n") + 2, "\n", -1);
	for (i = 0; lines[i] != NULL; i++)
		if (strlen(lines[i]) > 78 && strstr(lines[i], "a-very-long-word") == NULL)
			fail_msg("line %zu is %zu long: %s", i, strlen(lines[i]), lines[i]);
	g_strfreev(lines);
	compose_draft_free(back);
	compose_draft_free(d);
	g_free(built);
	testlib_rmtree(dir);
	g_free(dir);
}

static void
test_build_errors(void **state)
{
	static const struct {
		const char *from, *to, *want;
		enum compose_error_code code;
	} cases[] = {
		{ NULL, "bob@example.org", "From: no address; ", COMPOSE_ERROR_ADDRESS },
		{ "tom@example.net", NULL, "To: no recipient; ", COMPOSE_ERROR_ADDRESS },
		{ "tom@example.net", "undisclosed-recipients:;", "To: no recipient; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "tom@example.net", "bob@", "To: \"bob@\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "tom@", "bob@example.org", "From: \"tom@\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
	};
	struct compose_build_options o = { false, NULL, false };
	struct compose_draft *d;
	GError *error = NULL;
	size_t i, len;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		d = test_draft(cases[i].from, cases[i].to, "x", "y");
		assert_null(compose_build(d, &o, &len, &error));
		assert_non_null(error);
		assert_int_equal(error->code, cases[i].code);
		if (!g_str_has_prefix(error->message, cases[i].want))
			fail_msg("case %zu: %s", i, error->message);
		g_clear_error(&error);
		compose_draft_free(d);
	}
	d = test_draft("tom@example.net", "bob@example.org", "x", "y");
	g_ptr_array_add(d->attachments, test_attachment("/nonexistent/file.pdf", NULL, NULL,
	    false));
	assert_null(compose_build(d, &o, &len, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_FILE);
	assert_string_equal(error->message, "/nonexistent/file.pdf: No such file or directory; "
					    "attach a file that can be read");
	g_clear_error(&error);
	g_ptr_array_set_size(d->attachments, 0);
	g_ptr_array_add(d->forwarded, g_strdup(SURAT_TEST_DATA));
	assert_null(compose_build(d, &o, &len, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_FILE);
	g_clear_error(&error);
	g_ptr_array_set_size(d->forwarded, 0);
	g_ptr_array_add(d->headers, g_strdup("No colon here"));
	assert_null(compose_build(d, &o, &len, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_HEADER);
	g_clear_error(&error);
	compose_draft_free(d);
}

static void
test_attachment_new(void **state)
{
	char *dir = g_dir_make_tmp("surat-compose-XXXXXX", NULL), *pdf, *txt;
	struct compose_attachment *a;
	GError *error = NULL;

	(void)state;
	pdf = test_write(dir, "report.pdf", "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 15);
	txt = test_write(dir, "notes.txt", "plain words\n", 12);
	a = compose_attachment_new(pdf, &error);
	assert_non_null(a);
	assert_string_equal(a->path, pdf);
	assert_string_equal(a->name, "report.pdf");
	assert_string_equal(a->type, "application/pdf");
	assert_int_equal(a->size, 15);
	assert_false(a->inline_disp);
	compose_attachment_free(a);
	a = compose_attachment_new(txt, &error);
	assert_non_null(a);
	assert_string_equal(a->type, "text/plain");
	compose_attachment_free(a);
	assert_null(compose_attachment_new(dir, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_FILE);
	g_clear_error(&error);
	assert_null(compose_attachment_new("/nonexistent", &error));
	assert_int_equal(error->code, COMPOSE_ERROR_FILE);
	g_clear_error(&error);
	g_free(pdf);
	g_free(txt);
	testlib_rmtree(dir);
	g_free(dir);
}

static void
test_forward_attach(void **state)
{
	const char *paths[] = { SURAT_TEST_DATA "/mail/plain-quotes.eml", DATA "own.eml" };
	const char *texts[2];
	size_t lens[2], len, i;
	struct test_identity t;
	struct compose_draft *d;
	struct attach *a;
	char *built, *got;

	(void)state;
	test_identity_init(&t);
	texts[0] = test_read("mail/plain-quotes.eml", &lens[0]);
	texts[1] = test_read("compose/own.eml", &lens[1]);
	d = compose_forward(&t.identity, texts, lens, paths, NULL, 2, true, "Tom", NULL);
	assert_non_null(d);
	assert_string_equal(d->subject, "Fwd: Re: Release checklist for 2.4");
	assert_string_equal(d->body, "\n-- \nTom\n");
	assert_int_equal(d->forwarded->len, 2);
	assert_string_equal(d->forwarded->pdata[1], paths[1]);
	/* Built: each one a message/rfc822 part, byte for byte. */
	d->to = g_strdup("bob@example.org");
	built = compose_build(d, NULL, &len, NULL);
	assert_non_null(built);
	assert_non_null(strstr(built, "Content-Type: message/rfc822\n"));
	a = attach_new_bytes(built, len);
	for (i = 0; i < 2; i++) {
		int number = i == 0 ? 2 : 4;

		assert_true(attach_get(a, number)->message);
		got = test_part(a, number, &len);
		assert_int_equal(len, lens[i]);
		assert_memory_equal(got, texts[i], len);
		g_free(got);
	}
	attach_free(a);
	g_free(built);
	compose_draft_free(d);
	/* Attach needs the files. */
	assert_null(compose_forward(&t.identity, texts, lens, NULL, NULL, 2, true, NULL, NULL));
	for (i = 0; i < 2; i++)
		g_free((char *)texts[i]);
	test_identity_clear(&t);
}

static void
test_from_message(void **state)
{
	char *dir = g_dir_make_tmp("surat-compose-XXXXXX", NULL), *got, *want, *text;
	const struct compose_attachment *a;
	struct compose_draft *d;
	GError *error = NULL;
	size_t len, got_len, want_len;
	guint i;
	GDir *listing;
	int files = 0;

	(void)state;
	text = test_read("compose/draft.eml", &len);
	d = compose_from_message(text, len, dir, &error);
	assert_non_null(d);
	assert_string_equal(d->from, "Tom Baker <tom@example.net>");
	assert_string_equal(d->to, "Zoë Ärger <zoe@example.org>");
	assert_string_equal(d->cc, "bob@example.org");
	assert_string_equal(d->bcc, "boss@example.org");
	assert_string_equal(d->reply_to, "Tom Replies <tom-replies@example.net>");
	assert_string_equal(d->subject, "Café plans");
	assert_int_equal(d->headers->len, 2);
	assert_string_equal(d->headers->pdata[0], "X-Priority: 1");
	assert_string_equal(d->headers->pdata[1], "X-Note: naïve note");
	assert_string_equal(d->in_reply_to, "parent@example.org");
	assert_string_equal(d->references, "root@example.org parent@example.org");
	/* Latin-1 decoded, format=flowed undone, the HTML twin left out. */
	assert_string_equal(d->body, "Café at noon? This line flows on and ends here.\n"
				     "From the start, stuffed.\n> > a quote that flows too\n"
				     "> back to one\n\n-- \nTom\n");
	assert_int_equal(d->attachments->len, 2);
	a = d->attachments->pdata[0];
	assert_string_equal(a->name, "évil name.pdf");
	assert_string_equal(a->type, "application/pdf");
	assert_false(a->inline_disp);
	assert_true(g_str_has_prefix(a->path, dir));
	assert_true(g_file_get_contents(a->path, &got, &got_len, NULL));
	want = test_read("compose/draft.pdf", &want_len);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
	assert_int_equal(a->size, (int64_t)want_len);
	g_free(got);
	g_free(want);
	a = d->attachments->pdata[1];
	assert_string_equal(a->name, "dot.png");
	assert_string_equal(a->type, "image/png");
	assert_true(a->inline_disp);
	assert_int_equal(d->forwarded->len, 1);
	assert_true(g_file_get_contents(d->forwarded->pdata[0], &got, NULL, NULL));
	assert_true(g_str_has_prefix(got, "Date: Mon, 30 Nov 2026 12:00:00 +0000\n"));
	assert_non_null(strstr(got, "\nThe inner body.\n"));
	g_free(got);
	/* Three files, none outside DIR. */
	listing = g_dir_open(dir, 0, NULL);
	while (g_dir_read_name(listing) != NULL)
		files++;
	g_dir_close(listing);
	assert_int_equal(files, 3);
	compose_draft_free(d);
	/* A folder that cannot be written: an error, nothing left behind. */
	assert_null(compose_from_message(text, len, "/nonexistent", &error));
	assert_int_equal(error->code, COMPOSE_ERROR_FILE);
	g_clear_error(&error);
	g_free(text);
	/* Hostile names: safe base names, every file in DIR. */
	text = test_read("mail/hostile-filenames.eml", &len);
	d = compose_from_message(text, len, dir, &error);
	assert_non_null(d);
	assert_true(d->attachments->len >= 4);
	for (i = 0; i < d->attachments->len; i++) {
		a = d->attachments->pdata[i];
		assert_null(strchr(a->name, '/'));
		assert_false(test_has_controls(a->name));
		assert_true(g_str_has_prefix(a->path, dir));
		assert_null(strchr(a->path + strlen(dir) + 1, '/'));
	}
	compose_draft_free(d);
	g_free(text);
	testlib_rmtree(dir);
	g_free(dir);
}

/* The bytes of the file PATH equal LEN bytes at WANT. */
static void
test_same_file(const char *path, const void *want, size_t len)
{
	char *got;
	gsize got_len;

	assert_true(g_file_get_contents(path, &got, &got_len, NULL));
	assert_int_equal(got_len, len);
	assert_memory_equal(got, want, len);
	g_free(got);
}

/* Compare every field of A and B. */
static void
test_same_draft(const struct compose_draft *a, const struct compose_draft *b)
{
	guint i;

	assert_string_equal(a->from, b->from);
	assert_string_equal(a->to, b->to);
	assert_string_equal(a->cc, b->cc);
	assert_string_equal(a->bcc, b->bcc);
	assert_string_equal(a->reply_to, b->reply_to);
	assert_string_equal(a->subject, b->subject);
	assert_int_equal(a->headers->len, b->headers->len);
	for (i = 0; i < a->headers->len; i++)
		assert_string_equal(a->headers->pdata[i], b->headers->pdata[i]);
	assert_string_equal(a->body, b->body);
}

static void
test_draft_recall(void **state)
{
	struct compose_build_options o = { true, NULL, true };
	char *dir = g_dir_make_tmp("surat-compose-XXXXXX", NULL);
	char *back_dir = g_build_filename(dir, "back", NULL), *pdf, *txt, *built, *own;
	struct compose_draft *d = test_utf8_draft(), *back;
	const struct compose_attachment *a;
	guchar binary[300];
	size_t i, len, own_len;

	(void)state;
	assert_int_equal(g_mkdir(back_dir, 0700), 0);
	for (i = 0; i < sizeof binary; i++)
		binary[i] = (guchar)(255 - i);
	pdf = test_write(dir, "a.bin", binary, sizeof binary);
	txt = test_write(dir, "b.txt", "caf\xc3\xa9\n", 6);
	g_ptr_array_remove_index(d->headers, 2);
	g_free(d->body);
	d->body = g_strdup(TEST_FLOWED_BODY(""));
	g_ptr_array_add(d->attachments, test_attachment(pdf, "Ärger.pdf", "application/pdf",
	    false));
	g_ptr_array_add(d->attachments, test_attachment(txt, "b.txt", "text/plain", true));
	g_ptr_array_add(d->forwarded, g_strdup(DATA "own.eml"));
	/* Filed in Drafts, then recalled: the same draft. */
	built = compose_build(d, &o, &len, NULL);
	assert_non_null(built);
	back = compose_from_message(built, len, back_dir, NULL);
	assert_non_null(back);
	test_same_draft(d, back);
	assert_string_equal(back->in_reply_to, d->in_reply_to);
	assert_string_equal(back->references, d->references);
	assert_int_equal(back->attachments->len, 2);
	a = back->attachments->pdata[0];
	assert_string_equal(a->name, "Ärger.pdf");
	assert_string_equal(a->type, "application/pdf");
	assert_false(a->inline_disp);
	test_same_file(a->path, binary, sizeof binary);
	a = back->attachments->pdata[1];
	assert_string_equal(a->name, "b.txt");
	assert_true(a->inline_disp);
	test_same_file(a->path, "caf\xc3\xa9\n", 6);
	assert_int_equal(back->forwarded->len, 1);
	own = test_read("compose/own.eml", &own_len);
	test_same_file(back->forwarded->pdata[0], own, own_len);
	g_free(own);
	compose_draft_free(back);
	compose_draft_free(d);
	g_free(built);
	g_free(pdf);
	g_free(txt);
	g_free(back_dir);
	testlib_rmtree(dir);
	g_free(dir);
}

static void
test_editor_round_trip(void **state)
{
	struct compose_draft *d = test_utf8_draft(), *back = compose_draft_new();
	char *text, *again;
	GError *error = NULL;

	(void)state;
	g_ptr_array_remove_index(d->headers, 2);
	text = compose_editor_text(d);
	assert_true(g_str_has_prefix(text,
	    "From: Tömas Bäker <tom@example.net>\n"
	    "To: Zoë Ärger <zoe@example.org>, \"Baker, Tom\" <tom2@example.org>\n"
	    "Cc: team: a@example.org, b@example.org;\n"
	    "Bcc: boss@example.org\n"
	    "Subject: Grüße – naïve café, and a subject long enough to be folded by GMime when "
	    "written\n"
	    "Reply-To: Tom Replies <tom-replies@example.net>\n"
	    "X-Note: naïve\nX-Priority: 1\n\nGrüße aus Köln!\n"));
	back->in_reply_to = g_strdup("kept@x");
	assert_true(compose_editor_parse(back, text, strlen(text), &error));
	test_same_draft(d, back);
	/* In-Reply-To and References are not in the file: the draft keeps its own. */
	assert_string_equal(back->in_reply_to, "kept@x");
	assert_null(back->references);
	again = compose_editor_text(back);
	assert_string_equal(again, text);
	g_free(again);
	g_free(text);
	/* Empty fields are written, and read back as none. */
	compose_draft_free(d);
	d = test_draft(NULL, NULL, NULL, NULL);
	text = compose_editor_text(d);
	assert_string_equal(text, "From: \nTo: \nCc: \nBcc: \nSubject: \nReply-To: \n\n");
	assert_true(compose_editor_parse(back, text, strlen(text), &error));
	assert_null(back->from);
	assert_null(back->to);
	assert_null(back->subject);
	assert_int_equal(back->headers->len, 0);
	assert_string_equal(back->body, "");
	g_free(text);
	compose_draft_free(back);
	compose_draft_free(d);
}

static void
test_editor_parse(void **state)
{
	static const char text[] = "FROM: Tom <tom@example.net>\r\n"
				   "to: a@example.org,\r\n"
				   "  b@example.org\r\n"
				   "CC:\r\n"
				   "Subject: Hello\r\n"
				   "\tworld\r\n"
				   "x-custom: one\r\n"
				   "\ttwo\r\n"
				   "X-Empty:\r\n"
				   "To: c@example.org\r\n"
				   "in-reply-to: <p@x> <q@x>\r\n"
				   "References: <r@x>\r\n"
				   " <p@x>\r\n"
				   "  \r\n"
				   "Body: not a field\r\n"
				   "\r\n";
	static const char latin1[] = "Subject: caf\xe9\n\nna\xefve\n";
	struct compose_draft *d = compose_draft_new();
	GError *error = NULL;

	(void)state;
	assert_true(compose_editor_parse(d, text, strlen(text), &error));
	assert_string_equal(d->from, "Tom <tom@example.net>");
	assert_string_equal(d->to, "a@example.org, b@example.org, c@example.org");
	assert_null(d->cc);
	assert_string_equal(d->subject, "Hello world");
	assert_int_equal(d->headers->len, 1);
	assert_string_equal(d->headers->pdata[0], "x-custom: one two");
	assert_string_equal(d->in_reply_to, "p@x");
	assert_string_equal(d->references, "r@x p@x");
	assert_string_equal(d->body, "Body: not a field\n\n");
	assert_true(compose_editor_parse(d, latin1, strlen(latin1), &error));
	assert_string_equal(d->subject, "café");
	assert_string_equal(d->body, "naïve\n");
	/* No empty line at all: all header. */
	assert_true(compose_editor_parse(d, "To: x@example.org", 17, &error));
	assert_string_equal(d->to, "x@example.org");
	assert_string_equal(d->body, "");
	compose_draft_free(d);
}

static void
test_editor_errors(void **state)
{
	static const struct {
		const char *text, *want;
		enum compose_error_code code;
	} cases[] = {
		{ "To: bob@\n\nx", "To: \"bob@\" is not an address; write Name <local@domain>, "
		    "with a comma between addresses", COMPOSE_ERROR_ADDRESS },
		{ "To: a@b.org c@d.org\n\nx", "To: \"a@b.org c@d.org\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "Cc: ok@example.org, \"Bob <bob@example.org>\n\nx",
		    "Cc: \"\"Bob <bob@example.org>\" is not an address; ", COMPOSE_ERROR_ADDRESS },
		{ "Bcc: Bob <bob@example.org\n\nx", "Bcc: \"Bob <bob@example.org\" is not an "
		    "address; ", COMPOSE_ERROR_ADDRESS },
		{ "Reply-To: bob\n\nx", "Reply-To: \"bob\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "From: <bob@example.org> trailing\n\nx", "From: \"<bob@example.org> trailing\" "
		    "is not an address; ", COMPOSE_ERROR_ADDRESS },
		{ "To: team: a@example.org b@example.org;\n\nx",
		    "To: \"a@example.org b@example.org\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "To: team: a@example.org\n\nx", "To: \"team: a@example.org\" is not an "
		    "address; ", COMPOSE_ERROR_ADDRESS },
		{ "To: @example.org\n\nx", "To: \"@example.org\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "To: ok@example.org\nthe body without an empty line\n",
		    "line 2: \"the body without an empty line\" is not a header field; write "
		    "\"Name: value\", and an empty line before the body", COMPOSE_ERROR_HEADER },
		{ " continued\n\nx", "line 1: \" continued\" is not a header field; ",
		    COMPOSE_ERROR_HEADER },
		{ "Bad Name: x\n\nx", "line 1: \"Bad Name: x\" is not a header field; ",
		    COMPOSE_ERROR_HEADER },
	};
	static const char *const good[] = {
		"Zoë Ärger <zoe@example.org>, bob@example.org",
		"\"Baker, Tom\" <tom@example.org>,",
		"team: a@example.org, b@example.org;, c@example.org",
		"undisclosed-recipients:;",
		"bob@example.org (Bob at work)",
		"a@b.org,, c@d.org",
	};
	struct compose_draft *d = test_utf8_draft();
	char *before = compose_editor_text(d), *after;
	GError *error = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_false(compose_editor_parse(d, cases[i].text, strlen(cases[i].text), &error));
		assert_non_null(error);
		assert_int_equal(error->code, cases[i].code);
		if (!g_str_has_prefix(error->message, cases[i].want))
			fail_msg("case %zu: %s", i, error->message);
		g_clear_error(&error);
		/* The draft is as it was. */
		after = compose_editor_text(d);
		assert_string_equal(after, before);
		g_free(after);
	}
	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		char *text = g_strdup_printf("To: %s\n\nx", good[i]);

		if (!compose_editor_parse(d, text, strlen(text), &error))
			fail_msg("good %zu: %s", i, error->message);
		assert_string_equal(d->to, good[i]);
		g_free(text);
	}
	g_free(before);
	compose_draft_free(d);
}

static void
test_bounce(void **state)
{
	struct test_identity t;
	GError *error = NULL;
	size_t len, out_len;
	char *text = test_read("compose/own.eml", &len), *out, **lines;

	(void)state;
	test_identity_init(&t);
	t.account.from_name = "Tömas Baker";
	out = compose_bounce(&t.identity, text, len, "Zoë <zoe@example.org>, bob@example.org",
	    &out_len, &error);
	assert_non_null(out);
	lines = g_strsplit(out, "\n", 5);
	assert_string_equal(lines[0], "Resent-From: =?UTF-8?b?VMO2bWFz?= Baker <tom@example.net>");
	assert_string_equal(lines[1], "Resent-To: =?UTF-8?b?Wm/Dqw==?= <zoe@example.org>, "
				      "bob@example.org");
	assert_true(g_str_has_prefix(lines[2], "Resent-Date: "));
	assert_true(g_str_has_prefix(lines[3], "Resent-Message-ID: <"));
	assert_true(g_str_has_suffix(lines[3], "@example.net>"));
	/* The rest byte for byte. */
	assert_int_equal(strlen(lines[4]), len);
	assert_memory_equal(lines[4], text, len);
	assert_int_equal(out_len, strlen(out));
	g_strfreev(lines);
	g_free(out);
	assert_null(compose_bounce(&t.identity, text, len, "bob@", &out_len, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_ADDRESS);
	assert_true(g_str_has_prefix(error->message, "Resent-To: \"bob@\" is not an address"));
	g_clear_error(&error);
	assert_null(compose_bounce(&t.identity, text, len, " ", &out_len, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_ADDRESS);
	g_clear_error(&error);
	assert_null(compose_bounce(&t.identity, text, len, "undisclosed-recipients:;", &out_len,
	    &error));
	assert_string_equal(error->message,
	    "Resent-To: no address; give the address to bounce the message to");
	g_clear_error(&error);
	assert_null(compose_bounce(&t.identity, "no header\n", 10, "bob@example.org", &out_len,
	    &error));
	assert_int_equal(error->code, COMPOSE_ERROR_MESSAGE);
	g_clear_error(&error);
	t.account.from_address = NULL;
	assert_null(compose_bounce(&t.identity, text, len, "bob@example.org", &out_len, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_ADDRESS);
	g_clear_error(&error);
	g_free(text);
	test_identity_clear(&t);
}

/* compose_from_mailto with the test identity and no signature; NULL with ERROR. */
static struct compose_draft *
test_mailto(const char *url, GError **error)
{
	struct test_identity t;
	struct compose_draft *d;

	test_identity_init(&t);
	d = compose_from_mailto(&t.identity, url, NULL, error);
	test_identity_clear(&t);
	return d;
}

static void
test_mailto_fields(void **state)
{
	struct test_identity t;
	struct compose_draft *d;
	GError *error = NULL;
	char *text;

	(void)state;
	test_identity_init(&t);
	/* The path's addresses and to= join To; the scheme and field names in any case. */
	d = compose_from_mailto(&t.identity, "MailTo:bob@example.org,carol@example.org?To=dave"
	    "%40example.org&cc=eve@example.org&CC=Frank%20%3Cfrank@example.org%3E"
	    "&bcc=gus@example.org&subject=Hi%20there&in-reply-to=%3C1234%40example.org%3E", NULL,
	    &error);
	assert_non_null(d);
	assert_string_equal(d->from, "Tom Baker <tom@example.net>");
	assert_string_equal(d->to, "bob@example.org,carol@example.org, dave@example.org");
	assert_string_equal(d->cc, "eve@example.org, Frank <frank@example.org>");
	assert_string_equal(d->bcc, "gus@example.org");
	assert_string_equal(d->subject, "Hi there");
	assert_string_equal(d->in_reply_to, "1234@example.org");
	assert_string_equal(d->body, "");
	assert_null(d->reply_to);
	assert_int_equal(d->headers->len, 0);
	compose_draft_free(d);
	/* UTF-8 escaped and raw, "+" is a plus, a second subject= does not replace the first. */
	d = compose_from_mailto(&t.identity, "mailto:Zo%C3%AB%20%3Czoe+list@example.org%3E?"
	    "subject=Gr%C3%BC%C3%9Fe+aus%20Z%C3%BCrich&subject=other&body=Hall%C3%B6 Zo%C3%AB",
	    NULL, &error);
	assert_non_null(d);
	assert_string_equal(d->to, "Zoë <zoe+list@example.org>");
	assert_string_equal(d->subject, "Grüße+aus Zürich");
	assert_string_equal(d->body, "Hallö Zoë\n");
	compose_draft_free(d);
	/* Line ends in the body: CR LF, LF and a CR alone; the signature after an empty line. */
	d = compose_from_mailto(&t.identity, "mailto:bob@example.org?body=one%0D%0Atwo%0Athree"
	    "%0Dfour%0D%0A%0D%0A", "Tom\n", &error);
	assert_non_null(d);
	assert_string_equal(d->body, "one\ntwo\nthree\nfour\n\n\n-- \nTom\n");
	compose_draft_free(d);
	/* No address at all is a draft without one; the body is the signature, as compose_new. */
	d = compose_from_mailto(&t.identity, "mailto:?subject=Feedback", "Tom", &error);
	assert_non_null(d);
	assert_null(d->to);
	assert_null(d->cc);
	assert_string_equal(d->subject, "Feedback");
	assert_string_equal(d->body, "\n-- \nTom\n");
	compose_draft_free(d);
	d = compose_from_mailto(&t.identity, "mailto:", NULL, &error);
	assert_non_null(d);
	assert_null(d->to);
	assert_null(d->subject);
	compose_draft_free(d);
	/* Latin-1 escapes (an old page) read as windows-1252. */
	d = compose_from_mailto(&t.identity, "mailto:bob@example.org?subject=caf%E9", NULL,
	    &error);
	assert_non_null(d);
	assert_string_equal(d->subject, "café");
	/* The draft is a message: the editor's file and the built message say so. */
	text = compose_editor_text(d);
	assert_non_null(strstr(text, "To: bob@example.org\n"));
	g_free(text);
	compose_draft_free(d);
	assert_null(error);
	test_identity_clear(&t);
}

static void
test_mailto_hostile(void **state)
{
	struct compose_draft *d;
	GError *error = NULL;
	char *text, *built;
	size_t len;

	(void)state;
	/* Only the fields a person sees are taken: never From, Sender or any other header. */
	d = test_mailto("mailto:bob@example.org?from=mallory@evil.example&sender=x@evil.example"
	    "&reply-to=mallory@evil.example&x-evil=1&attach=/etc/passwd&=novalue&&lone"
	    "&subject=hi", &error);
	assert_non_null(d);
	assert_string_equal(d->from, "Tom Baker <tom@example.net>");
	assert_null(d->reply_to);
	assert_int_equal(d->headers->len, 0);
	assert_int_equal(d->attachments->len, 0);
	assert_string_equal(d->subject, "hi");
	built = compose_build(d, NULL, &len, &error);
	assert_non_null(built);
	assert_null(strstr(built, "evil"));
	assert_null(strstr(built, "passwd"));
	g_free(built);
	compose_draft_free(d);
	/* A line break in a field cannot start a header; escapes and bidi show as text. */
	d = test_mailto("mailto:bob@example.org?subject=hi%0D%0ABcc:%20mallory@evil.example"
	    "&body=a%1B%5B2Jb%E2%80%AEc%00d", &error);
	assert_non_null(d);
	assert_string_equal(d->subject, "hi Bcc: mallory@evil.example");
	assert_null(d->bcc);
	assert_string_equal(d->body, "a^[[2Jb<U+202E>c^@d\n");
	text = compose_editor_text(d);
	assert_null(strstr(text, "\nBcc: mallory"));
	g_free(text);
	compose_draft_free(d);
	/* An address field that smuggles a line break is one line, and checked. */
	d = test_mailto("mailto:?cc=bob@example.org%0ABcc:mallory@evil.example", &error);
	assert_null(d);
	assert_int_equal(error->code, COMPOSE_ERROR_ADDRESS);
	g_clear_error(&error);
}

static void
test_mailto_errors(void **state)
{
	static const struct {
		const char *url, *want;
		enum compose_error_code code;
	} cases[] = {
		{ "http://example.org/", "mailto: \"http://example.org/\" is not a mailto: URL; "
		    "give one such as mailto:name@example.org?subject=Hello", COMPOSE_ERROR_URL },
		{ "bob@example.org", "mailto: \"bob@example.org\" is not a mailto: URL; ",
		    COMPOSE_ERROR_URL },
		{ "", "mailto: \"\" is not a mailto: URL; ", COMPOSE_ERROR_URL },
		{ "mailto:bob%4@example.org", "mailto: \"%4@\" is not a %-escape; write % and two "
		    "hex digits (%25 for a %)", COMPOSE_ERROR_URL },
		{ "mailto:bob@example.org?subject=100%", "mailto: \"%\" is not a %-escape; ",
		    COMPOSE_ERROR_URL },
		{ "mailto:bob@example.org?body=%zz", "mailto: \"%zz\" is not a %-escape; ",
		    COMPOSE_ERROR_URL },
		{ "mailto:bob@example.org?x-evil%=1", "mailto: \"%\" is not a %-escape; ",
		    COMPOSE_ERROR_URL },
		{ "mailto:bob@", "mailto: To: \"bob@\" is not an address; write Name "
		    "<local@domain>, with a comma between addresses", COMPOSE_ERROR_ADDRESS },
		{ "mailto:bob@example.org carol@example.org",
		    "mailto: To: \"bob@example.org carol@example.org\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "mailto:?cc=bob", "mailto: Cc: \"bob\" is not an address; ",
		    COMPOSE_ERROR_ADDRESS },
		{ "mailto:?bcc=%3Cbob@example.org", "mailto: Bcc: \"<bob@example.org\" is not an "
		    "address; ", COMPOSE_ERROR_ADDRESS },
	};
	GError *error = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_null(test_mailto(cases[i].url, &error));
		assert_non_null(error);
		assert_int_equal(error->code, cases[i].code);
		if (!g_str_has_prefix(error->message, cases[i].want))
			fail_msg("case %zu: %s", i, error->message);
		assert_null(strchr(error->message, '\n'));
		g_clear_error(&error);
	}
	assert_null(compose_from_mailto(NULL, NULL, NULL, &error));
	assert_int_equal(error->code, COMPOSE_ERROR_URL);
	g_clear_error(&error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_is_own),
		cmocka_unit_test(test_reply_kinds),
		cmocka_unit_test(test_reply_hostile),
		cmocka_unit_test(test_reply_subject),
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_references),
		cmocka_unit_test(test_reply_quote),
		cmocka_unit_test(test_forward_inline),
		cmocka_unit_test(test_forward_attach),
		cmocka_unit_test(test_from_message),
		cmocka_unit_test(test_draft_recall),
		cmocka_unit_test(test_editor_round_trip),
		cmocka_unit_test(test_editor_parse),
		cmocka_unit_test(test_editor_errors),
		cmocka_unit_test(test_bounce),
		cmocka_unit_test(test_mailto_fields),
		cmocka_unit_test(test_mailto_hostile),
		cmocka_unit_test(test_mailto_errors),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_attachments),
		cmocka_unit_test(test_build_parse_back),
		cmocka_unit_test(test_flowed_round_trip),
		cmocka_unit_test(test_build_errors),
		cmocka_unit_test(test_attachment_new),
	};

	/* Dates in the attributions and the goldens read alike everywhere. */
	setenv("TZ", "UTC", 1);
	tzset();
	if (!mime_lib_load(NULL))
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
