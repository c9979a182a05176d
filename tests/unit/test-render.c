/* Unit tests for render.c: a message becomes role-tagged, safe lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "surat/render.h"
#include "surat/sanitize.h"
#include "testlib.h"

/*
 * Runaway (quadratic) work on the inputs below costs hours: stop the test
 * after minutes, under valgrind too.  Speed itself is bench/render's business,
 * not a test's (a timer fails under load).
 */
static void
hang_bound(void)
{
	alarm(15 * 60);
}

/* Render the NUL-terminated message S with default options. */
static struct rendering *
rs(const char *s)
{
	return render_bytes(s, strlen(s), NULL);
}

/* Render the NUL-terminated message S with OPTIONS. */
static struct rendering *
rs_opt(const char *s, const struct render_options *options)
{
	return render_bytes(s, strlen(s), options);
}

/* Line I of R. */
static const struct render_line *
line_at(const struct rendering *r, guint i)
{
	assert_true(i < r->lines->len);
	return g_ptr_array_index(r->lines, i);
}

/* Index of the first line whose text is TEXT, or -1. */
static int
find_line(const struct rendering *r, const char *text)
{
	guint i;

	for (i = 0; i < r->lines->len; i++)
		if (strcmp(line_at(r, i)->text, text) == 0)
			return (int)i;
	return -1;
}

/* Index of the first line whose text contains TEXT, or -1. */
static int
find_substr(const struct rendering *r, const char *text)
{
	guint i;

	for (i = 0; i < r->lines->len; i++)
		if (strstr(line_at(r, i)->text, text) != NULL)
			return (int)i;
	return -1;
}

/* Assert that the line TEXT exists with ROLE (and LEVEL for quotes). */
static void
assert_line(const struct rendering *r, const char *text, enum render_role role, int level)
{
	int i = find_line(r, text);

	if (i < 0)
		fail_msg("no line \"%s\"", text);
	assert_int_equal(line_at(r, (guint)i)->role, role);
	assert_int_equal(line_at(r, (guint)i)->quote_level, level);
}

/* Every line valid UTF-8, one line, and unchanged by the sanitizer: nothing raw. */
static void
assert_all_clean(const struct rendering *r)
{
	guint i;

	for (i = 0; i < r->lines->len; i++) {
		const char *t = line_at(r, i)->text;
		const unsigned char *p;

		assert_true(g_utf8_validate(t, -1, NULL));
		assert_null(strchr(t, '\n'));
		assert_true(sanitize_is_clean(t, 0));
		for (p = (const unsigned char *)t; *p != '\0'; p++) {
			assert_true(*p >= 0x20 && *p != 0x7f);
			/* C1 controls are U+0080..U+009F: 0xc2 0x80..0x9f in UTF-8. */
			assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
		}
	}
}

static const char plain_msg[] =
    "Subject: Re: plan\n"
    "Date: Fri, 27 Nov 2026 09:14:31 +0100\n"
    "X-Mailer: test\n"
    "Cc: \"Doe, Jane\" <jane@example.org>, bob@example.org\n"
    "To: Tom <tom@example.net>\n"
    "From: Maria Lopez <maria@example.org>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Hi,\n"
    "> one\n"
    "> > two\n"
    ">> two again\n"
    ">>> three\n"
    ">\n"
    "a > b is not a quote\n"
    " > indented is not a quote\n"
    "--not a signature\n"
    "-- \n"
    "Maria\n"
    "> quoted in the signature\n";

static void
test_headers_order_and_name_len(void **state)
{
	struct rendering *r = rs(plain_msg);

	assert_string_equal(line_at(r, 0)->text, "From: Maria Lopez <maria@example.org>");
	assert_string_equal(line_at(r, 1)->text, "To: Tom <tom@example.net>");
	assert_string_equal(line_at(r, 2)->text, "Cc: Doe, Jane <jane@example.org>, bob@example.org");
	assert_string_equal(line_at(r, 3)->text, "Date: Fri, 27 Nov 2026 08:14");
	assert_string_equal(line_at(r, 4)->text, "Subject: Re: plan");
	assert_int_equal(line_at(r, 0)->name_len, 5);
	assert_int_equal(line_at(r, 1)->name_len, 3);
	assert_int_equal(line_at(r, 3)->name_len, 5);
	assert_int_equal(line_at(r, 4)->name_len, 8);
	for (guint i = 0; i < 5; i++)
		assert_int_equal(line_at(r, i)->role, RENDER_HEADER);
	assert_int_equal(line_at(r, 5)->role, RENDER_SEPARATOR);
	assert_string_equal(line_at(r, 5)->text, "");
	assert_int_equal(line_at(r, 6)->role, RENDER_BODY);
	assert_string_equal(line_at(r, 6)->text, "Hi,");
	/* Only those five, and only those present. */
	assert_int_equal(find_substr(r, "X-Mailer"), -1);
	render_free(r);

	r = rs("Subject: only\n\nbody\n");
	assert_string_equal(line_at(r, 0)->text, "Subject: only");
	assert_int_equal(line_at(r, 1)->role, RENDER_SEPARATOR);
	assert_string_equal(line_at(r, 2)->text, "body");
	assert_int_equal(r->lines->len, 3);
	render_free(r);
}

static void
test_date_local_or_raw(void **state)
{
	struct rendering *r;

	r = rs("Date: Sun, 3 Jan 2027 23:59:59 -0800\n\nx\n");
	assert_line(r, "Date: Mon, 04 Jan 2027 07:59", RENDER_HEADER, 0);
	render_free(r);
	r = rs("Date: sometime last week\n\nx\n");
	assert_line(r, "Date: sometime last week", RENDER_HEADER, 0);
	render_free(r);
}

static void
test_full_headers(void **state)
{
	struct render_options options = { .full_headers = true };
	struct rendering *r = render_bytes(plain_msg, strlen(plain_msg), &options);

	assert_string_equal(line_at(r, 0)->text, "Subject: Re: plan");
	assert_string_equal(line_at(r, 1)->text, "Date: Fri, 27 Nov 2026 09:14:31 +0100");
	assert_string_equal(line_at(r, 2)->text, "X-Mailer: test");
	assert_string_equal(line_at(r, 5)->text, "From: Maria Lopez <maria@example.org>");
	assert_string_equal(line_at(r, 6)->text, "MIME-Version: 1.0");
	/* GMime keeps Content-* apart; they still come in file order. */
	assert_string_equal(line_at(r, 7)->text, "Content-Type: text/plain; charset=utf-8");
	assert_int_equal(line_at(r, 7)->name_len, 13);
	assert_int_equal(line_at(r, 8)->role, RENDER_SEPARATOR);
	render_free(r);

	r = rs_opt("X-Test: =?UTF-8?Q?caf=C3=A9?=\n  folded\n\nx\n", &options);
	assert_line(r, "X-Test: café  folded", RENDER_HEADER, 0);
	render_free(r);
}

static void
test_rfc2047_headers(void **state)
{
	struct rendering *r;

	r = rs("From: =?UTF-8?B?0JDQu9C10LrRgdC10Lk=?= <a@example.ru>\n"
	       "To: =?ISO-8859-1?Q?Bj=F6rn?= <b@example.se>, =?windows-1252?Q?=93Q=94?= <q@x.org>\n"
	       "Cc: \"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\" <g@example.de>\n"
	       "Subject: =?ISO-2022-JP?B?GyRCMnE1RBsoQg==?= =?Shift_JIS?B?lr6T+g==?=\n"
	       "\nx\n");
	assert_line(r, "From: Алексей <a@example.ru>", RENDER_HEADER, 0);
	assert_line(r, "To: Björn <b@example.se>, “Q” <q@x.org>", RENDER_HEADER, 0);
	assert_line(r, "Cc: Grüße <g@example.de>", RENDER_HEADER, 0);
	assert_line(r, "Subject: 会議明日", RENDER_HEADER, 0);
	render_free(r);

	/* Raw 8-bit: UTF-8 when it is, else windows-1252. */
	r = rs("From: Jos\xe9 <j@example.es>\nSubject: caf\xc3\xa9\n\nx\n");
	assert_line(r, "From: José <j@example.es>", RENDER_HEADER, 0);
	assert_line(r, "Subject: café", RENDER_HEADER, 0);
	assert_all_clean(r);
	render_free(r);
}

static void
test_long_header_stays_one_line(void **state)
{
	GString *s = g_string_new("Subject: ");
	struct rendering *r;
	int i;

	for (i = 0; i < 100000; i++)
		g_string_append(s, "word ");
	g_string_append(s, "\n\nbody\n");
	r = rs(s->str);
	assert_int_equal(line_at(r, 0)->role, RENDER_HEADER);
	assert_true(g_str_has_prefix(line_at(r, 0)->text, "Subject: word word"));
	assert_int_equal(line_at(r, 1)->role, RENDER_SEPARATOR);
	assert_string_equal(line_at(r, 2)->text, "body");
	render_free(r);

	/* A 1 MB header line, unbroken: bounded and quick. */
	g_string_assign(s, "From: ");
	for (i = 0; i < 1024 * 1024; i++)
		g_string_append_c(s, "ab<>\",;@ ("[i % 10]);
	g_string_append(s, "\nSubject: ");
	for (i = 0; i < 1024 * 1024; i++)
		g_string_append_c(s, 'x');
	g_string_append(s, "\n\nbody\n");
	hang_bound();
	r = rs(s->str);
	alarm(0);
	assert_int_equal(find_line(r, "body"), (int)r->lines->len - 1);
	for (i = 0; i < (int)r->lines->len; i++)
		assert_true(strlen(line_at(r, (guint)i)->text) <= 70 * 1024);
	assert_all_clean(r);
	render_free(r);
	g_string_free(s, TRUE);
}

static void
test_quote_levels(void **state)
{
	struct rendering *r = rs(plain_msg);

	assert_line(r, "> one", RENDER_QUOTE, 1);
	assert_line(r, "> > two", RENDER_QUOTE, 2);
	assert_line(r, ">> two again", RENDER_QUOTE, 2);
	assert_line(r, ">>> three", RENDER_QUOTE, 3);
	assert_line(r, ">", RENDER_QUOTE, 1);
	assert_line(r, "a > b is not a quote", RENDER_BODY, 0);
	assert_line(r, " > indented is not a quote", RENDER_BODY, 0);
	render_free(r);
}

static void
test_signature(void **state)
{
	struct rendering *r = rs(plain_msg);

	assert_line(r, "--not a signature", RENDER_BODY, 0);
	assert_line(r, "-- ", RENDER_SIGNATURE, 0);
	assert_line(r, "Maria", RENDER_SIGNATURE, 0);
	assert_line(r, "> quoted in the signature", RENDER_SIGNATURE, 0);
	render_free(r);

	/* CRLF line ends: "-- \r" still opens the signature. */
	r = rs("Subject: s\r\n\r\nbody\r\n-- \r\nsig\r\n");
	assert_line(r, "body", RENDER_BODY, 0);
	assert_line(r, "-- ", RENDER_SIGNATURE, 0);
	assert_line(r, "sig", RENDER_SIGNATURE, 0);
	render_free(r);

	/* "--" and "-- x" are not markers; the signature ends with its part. */
	r = rs("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n--\n-- x\n-- \nsig\n"
	       "--b\n\nnext part\n--b--\n");
	assert_line(r, "--", RENDER_BODY, 0);
	assert_line(r, "-- x", RENDER_BODY, 0);
	assert_line(r, "sig", RENDER_SIGNATURE, 0);
	assert_line(r, "next part", RENDER_BODY, 0);
	render_free(r);
}

static void
test_tabs_expanded(void **state)
{
	struct rendering *r = rs("Subject: t\n\n\tone\na\tb\nabcdefgh\ti\n\xe8\xa1\xa8\tx\n"
				 "\x1b\tz\n");

	assert_line(r, "        one", RENDER_BODY, 0);
	assert_line(r, "a       b", RENDER_BODY, 0);
	assert_line(r, "abcdefgh        i", RENDER_BODY, 0);
	/* A wide character takes two columns. */
	assert_line(r, "表      x", RENDER_BODY, 0);
	/* Widths are counted after sanitizing: "^[" takes two. */
	assert_line(r, "^[      z", RENDER_BODY, 0);
	assert_int_equal(find_substr(r, "\t"), -1);
	render_free(r);
}

static void
test_charset_declared(void **state)
{
	struct rendering *r;

	r = rs("Content-Type: text/plain; charset=ISO-8859-1\n"
	       "Content-Transfer-Encoding: quoted-printable\n\nBj=F6rn =E0 Gen=E8ve =80\n");
	/* Latin-1 labels read as windows-1252, so 0x80 is the euro sign. */
	assert_line(r, "Björn à Genève €", RENDER_BODY, 0);
	render_free(r);
	r = rs("Content-Type: text/plain; charset=Shift_JIS\n\n\x96\xbe\x93\xfa\n");
	assert_line(r, "明日", RENDER_BODY, 0);
	render_free(r);
	r = rs("Content-Type: text/plain; charset=iso-2022-jp\n\n\x1b$B2q5D\x1b(B\n");
	assert_line(r, "会議", RENDER_BODY, 0);
	render_free(r);
	r = rs("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
	       "0J/RgNC40LLQtdGC\n");
	assert_line(r, "Привет", RENDER_BODY, 0);
	render_free(r);
}

static void
test_charset_fallback(void **state)
{
	struct rendering *r;

	/* Declared UTF-8, really Latin-1. */
	r = rs("Content-Type: text/plain; charset=utf-8\n\nZ\xfcrich \x93q\x94\n");
	assert_line(r, "Zürich “q”", RENDER_BODY, 0);
	render_free(r);
	/* No charset, Latin-1 bytes. */
	r = rs("Subject: x\n\nma\xf1" "ana caf\xe9\n");
	assert_line(r, "mañana café", RENDER_BODY, 0);
	render_free(r);
	/* Unknown charset, really UTF-8. */
	r = rs("Content-Type: text/plain; charset=x-no-such-charset\n\nZ\xc3\xbcrich\n");
	assert_line(r, "Zürich", RENDER_BODY, 0);
	render_free(r);
	/* ASCII label with 8-bit bytes: read as if unlabelled. */
	r = rs("Content-Type: text/plain; charset=us-ascii\n\nna\xefve\n");
	assert_line(r, "naïve", RENDER_BODY, 0);
	render_free(r);
	r = rs("Content-Type: text/plain; charset=us-ascii\n\n\xe6\x97\xa5\xe6\x9c\xac\n");
	assert_line(r, "日本", RENDER_BODY, 0);
	render_free(r);
	/* Mostly UTF-8 with one stray byte: stays UTF-8, the byte becomes U+FFFD. */
	r = rs("Content-Type: text/plain; charset=utf-8\n\n\xc3\xa9t\xc3\xa9 \x9b ok\n");
	assert_line(r, "été \xef\xbf\xbd ok", RENDER_BODY, 0);
	render_free(r);
	/* Bytes no windows-1252 has (0x81) still come out valid. */
	r = rs("Subject: x\n\n\x81\x8d\x8f\x90\x9d\xff\n");
	assert_all_clean(r);
	render_free(r);
}

static const char html_msg[] =
    "Subject: shipped\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<html><head><style>p { color: red }</style><script>alert('x')</script></head>"
    "<body><p>Fish &amp; chips &euro;5</p><ul><li>one</li><li>two</li></ul>"
    "<table><tr><td>a</td><td>b</td></tr></table>"
    "<p>See <a href=\"https://example.org/a\">this</a> and "
    "<a href=\"https://example.org/b\">that</a>.</p></body></html>\n";

static void
test_html_only(void **state)
{
	struct rendering *r = rs(html_msg);
	int i;

	assert_line(r, "Fish & chips €5", RENDER_BODY, 0);
	assert_line(r, "* one", RENDER_BODY, 0);
	assert_line(r, "a  b", RENDER_BODY, 0);
	assert_line(r, "See this[1] and that[2].", RENDER_BODY, 0);
	assert_int_equal(find_substr(r, "alert"), -1);
	assert_int_equal(find_substr(r, "color"), -1);
	i = find_line(r, "[1] https://example.org/a");
	assert_true(i > 0);
	assert_int_equal(line_at(r, (guint)i)->role, RENDER_LINK);
	assert_int_equal(line_at(r, (guint)i - 1)->role, RENDER_SEPARATOR);
	assert_line(r, "[2] https://example.org/b", RENDER_LINK, 0);
	assert_int_equal(r->attachments->len, 0);
	render_free(r);

	/* No charset and Latin-1 bytes: the <meta> charset is read. */
	r = rs("Content-Type: text/html\n\n<html><head><meta charset=\"iso-8859-1\"></head>"
	       "<body><p>caf\xe9</p></body></html>\n");
	assert_line(r, "café", RENDER_BODY, 0);
	render_free(r);
}

static void
test_alternative_prefers_plain(void **state)
{
	struct rendering *r;

	/* text/plain first: "the last part" (RFC 2046's best) would be the HTML. */
	r = rs("Content-Type: multipart/alternative; boundary=a\n\n"
	       "--a\nContent-Type: text/plain\n\nPlain version\n"
	       "--a\nContent-Type: text/html\n\n<p>HTML version</p>\n"
	       "--a--\n");
	assert_line(r, "Plain version", RENDER_BODY, 0);
	assert_int_equal(find_substr(r, "HTML version"), -1);
	assert_int_equal(r->attachments->len, 0);
	render_free(r);

	/* text/plain last: "the first part" would be the HTML. */
	r = rs("Content-Type: multipart/alternative; boundary=a\n\n"
	       "--a\nContent-Type: text/html\n\n<p>HTML version</p>\n"
	       "--a\nContent-Type: text/plain\n\nPlain version\n"
	       "--a--\n");
	assert_line(r, "Plain version", RENDER_BODY, 0);
	assert_int_equal(find_substr(r, "HTML version"), -1);
	assert_int_equal(r->attachments->len, 0);
	render_free(r);

	/* No text/plain: the HTML, inside a related part, and its image listed. */
	r = rs("Content-Type: multipart/alternative; boundary=a\n\n"
	       "--a\nContent-Type: multipart/related; boundary=r\n\n"
	       "--r\nContent-Type: text/html\n\n<p>Only <a href=\"http://x.org/\">HTML</a></p>\n"
	       "--r\nContent-Type: image/png\nContent-ID: <logo>\n"
	       "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
	       "--r--\n--a--\n");
	assert_line(r, "Only HTML[1]", RENDER_BODY, 0);
	assert_line(r, "[1] http://x.org/", RENDER_LINK, 0);
	assert_int_equal(r->attachments->len, 1);
	assert_line(r, "Attachment #2: (no name) (image/png, 8 B)", RENDER_ATTACHMENT, 0);
	render_free(r);
}

static const char mixed_msg[] =
    "Subject: report\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\n"
    "\n"
    "prologue is not shown\n"
    "--XX\n"
    "Content-Type: text/plain\n"
    "\n"
    "First part.\n"
    "--XX\n"
    "Content-Type: application/pdf; name=\"ignored.pdf\"\n"
    "Content-Disposition: attachment; filename=\"report.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\n"
    "Y29kZT4+CnN0cmVhbQp4nDPQM1Qo5ypUMFAwALJMLU31jBQsTAz1LBSKUrnCtRTyuAIBAKqTCIoK\n"
    "--XX\n"
    "Content-Type: text/plain\n"
    "Content-Disposition: inline\n"
    "\n"
    "Second inline part.\n"
    "--XX\n"
    "Content-Type: text/plain; name=\"notes.txt\"\n"
    "\n"
    "An extra text part with a name is an attachment.\n"
    "--XX\n"
    "Content-Type: image/jpeg\n"
    "Content-Disposition: inline; filename*=UTF-8''%C5%BC%C3%B3%C5%82w.jpg\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "/9j/4AAQSkZJRgABAQ==\n"
    "--XX--\n"
    "epilogue is not shown\n";

static void
test_mixed_parts_and_attachments(void **state)
{
	struct rendering *r = rs(mixed_msg);
	const struct render_attachment *a;
	int first, second;

	first = find_line(r, "First part.");
	second = find_line(r, "Second inline part.");
	assert_true(first > 0 && second == first + 2);
	assert_int_equal(line_at(r, (guint)first + 1)->role, RENDER_SEPARATOR);
	assert_int_equal(find_substr(r, "prologue"), -1);
	assert_int_equal(find_substr(r, "epilogue"), -1);
	assert_int_equal(find_substr(r, "An extra text part"), -1);

	assert_int_equal(r->attachments->len, 3);
	a = g_ptr_array_index(r->attachments, 0);
	assert_int_equal(a->number, 2); /* part 1 is the first text */
	assert_string_equal(a->name, "report.pdf");
	assert_string_equal(a->type, "application/pdf");
	assert_int_equal(a->size, 114);
	a = g_ptr_array_index(r->attachments, 1);
	assert_int_equal(a->number, 4);
	assert_string_equal(a->name, "notes.txt");
	assert_string_equal(a->type, "text/plain");
	assert_int_equal(a->size, 48);
	a = g_ptr_array_index(r->attachments, 2);
	assert_string_equal(a->name, "żółw.jpg"); /* RFC 2231 */
	assert_string_equal(a->type, "image/jpeg");

	/* The list closes the rendering, after a separator. */
	assert_int_equal(line_at(r, r->lines->len - 4)->role, RENDER_SEPARATOR);
	assert_line(r, "Attachment #2: report.pdf (application/pdf, 114 B)", RENDER_ATTACHMENT, 0);
	assert_line(r, "Attachment #4: notes.txt (text/plain, 48 B)", RENDER_ATTACHMENT, 0);
	assert_line(r, "Attachment #5: żółw.jpg (image/jpeg, 13 B)", RENDER_ATTACHMENT, 0);
	render_free(r);
}

static void
test_attachment_size_format(void **state)
{
	GString *s = g_string_new("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n"
				  "--b\nContent-Type: application/octet-stream\n"
				  "Content-Disposition: attachment; filename=big.bin\n"
				  "Content-Transfer-Encoding: base64\n\n");
	struct rendering *r;
	int64_t size;
	int i;

	/* 12,288 bytes: 215 lines of 57 bytes, then 33 more. */
	for (i = 0; i < 215; i++)
		g_string_append(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
	g_string_append(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--b--\n");
	r = rs(s->str);
	assert_line(r, "Attachment #2: big.bin (application/octet-stream, 12 KB)", RENDER_ATTACHMENT, 0);
	assert_int_equal(((struct render_attachment *)g_ptr_array_index(r->attachments, 0))->size,
	    12288);
	render_free(r);

	/* Above 1 MB encoded the size is estimated from the encoded length. */
	g_string_truncate(s, strstr(s->str, "base64\n\n") - s->str + 8);
	for (i = 0; i < 40000; i++) /* 40000 * 57 = 2,280,000 bytes */
		g_string_append(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
	g_string_append(s, "--b--\n");
	r = rs(s->str);
	size = ((struct render_attachment *)g_ptr_array_index(r->attachments, 0))->size;
	assert_true(size > 2280000 - 100 && size < 2280000 + 100);
	assert_line(r, "Attachment #2: big.bin (application/octet-stream, 2.2 MB)", RENDER_ATTACHMENT, 0);
	render_free(r);
	g_string_free(s, TRUE);
}

static void
test_forwarded_message(void **state)
{
	struct rendering *r;
	int i;

	r = rs("From: a@example.org\nSubject: Fwd: x\n"
	       "Content-Type: multipart/mixed; boundary=f\n\n"
	       "--f\n\nSee below.\n"
	       "--f\nContent-Type: message/rfc822\n\n"
	       "From: Inner <inner@example.org>\nSubject: =?UTF-8?Q?Inn=C3=A9r?=\n\n"
	       "> quoted inside\ninner body\n"
	       "--f--\n");
	i = find_line(r, "--- Forwarded message ---");
	assert_true(i > 0);
	assert_int_equal(line_at(r, (guint)i)->role, RENDER_SEPARATOR);
	assert_string_equal(line_at(r, (guint)i + 1)->text, "From: Inner <inner@example.org>");
	assert_int_equal(line_at(r, (guint)i + 1)->role, RENDER_HEADER);
	assert_line(r, "Subject: Innér", RENDER_HEADER, 0);
	assert_line(r, "> quoted inside", RENDER_QUOTE, 1);
	assert_line(r, "inner body", RENDER_BODY, 0);
	assert_true(find_line(r, "See below.") < i);
	assert_int_equal(r->attachments->len, 0);
	render_free(r);

	/* Forwarded as an attachment: shown, and listed so it can be saved. */
	r = rs("Subject: fwd\nContent-Type: multipart/mixed; boundary=f\n\n"
	       "--f\n\nAttached.\n"
	       "--f\nContent-Type: message/rfc822\n"
	       "Content-Disposition: attachment; filename=\"original.eml\"\n\n"
	       "Subject: original\n\noriginal body\n"
	       "--f--\n");
	assert_line(r, "Subject: original", RENDER_HEADER, 0);
	assert_line(r, "original body", RENDER_BODY, 0);
	assert_int_equal(r->attachments->len, 1);
	assert_string_equal(((struct render_attachment *)g_ptr_array_index(r->attachments, 0))->type,
	    "message/rfc822");
	assert_true(find_substr(r, "Attachment #2: original.eml (message/rfc822, ") > 0);
	render_free(r);
}

static void
test_hostile_text_made_safe(void **state)
{
	struct rendering *r;

	r = rs("From: =?UTF-8?B?RXZpbBtbMzFtIMKbMko=?= <e@x.org>\n"
	       "Subject: a\x1b]0;title\x07 b =?UTF-8?Q?=1B[2J_=C2=9B1;1H?=\n"
	       "Content-Type: text/plain; charset=utf-8\n\n"
	       "\x1b[2J\x1b[Hclear\n"
	       "\xc2\x9b" "31m c1\n"
	       "bidi \xe2\x80\xae" "fdp.exe\n"
	       "nul \x00 byte\n"
	       "bell\x07 bs\x08 cr\rx\n");
	assert_all_clean(r);
	assert_line(r, "From: Evil^[[31m <U+009B>2J <e@x.org>", RENDER_HEADER, 0);
	assert_line(r, "Subject: a^[]0;title^G b ^[[2J <U+009B>1;1H", RENDER_HEADER, 0);
	assert_line(r, "^[[2J^[[Hclear", RENDER_BODY, 0);
	assert_line(r, "<U+009B>31m c1", RENDER_BODY, 0);
	assert_line(r, "bidi <U+202E>fdp.exe", RENDER_BODY, 0);
	render_free(r);

	/* The NUL byte is given as part of the length. */
	r = render_bytes("Subject: n\n\nnul \0 byte\n", 23, NULL);
	assert_line(r, "nul ^@ byte", RENDER_BODY, 0);
	render_free(r);
}

static void
test_hostile_names(void **state)
{
	struct rendering *r;
	/* File names: controls, bidi and C1 become '_', so they can be saved as shown. */
	const char *names[] = { "bashrc", "invoice_fdp.exe", "_[31mred_.txt", "evil.dll",
		"attachment-6.bin" };
	guint i;

	r = rs("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nbody\n"
	       "--b\nContent-Disposition: attachment; filename=\"../../.bashrc\"\n\nx\n"
	       "--b\nContent-Type: application/x-msdownload\n"
	       "Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe\n\nx\n"
	       "--b\nContent-Type: text/plain\n"
	       "Content-Disposition: attachment; filename*=UTF-8''%1B%5B31mred%C2%9B.txt\n\nx\n"
	       "--b\nContent-Type: application/octet-stream\n"
	       "Content-Disposition: attachment; filename=\"C:\\\\Windows\\\\evil.dll\"\n\nx\n"
	       "--b\nContent-Type: application/octet-stream; name=\"..\"\n\nx\n"
	       "--b--\n");
	assert_int_equal(r->attachments->len, G_N_ELEMENTS(names));
	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		const struct render_attachment *a = g_ptr_array_index(r->attachments, i);

		assert_string_equal(a->name, names[i]);
		assert_int_equal(a->number, (int)i + 2);
	}
	assert_line(r, "Attachment #6: attachment-6.bin (application/octet-stream, 1 B)",
	    RENDER_ATTACHMENT, 0);
	assert_all_clean(r);
	render_free(r);
}

static void
test_malformed_renders(void **state)
{
	static const char *const inputs[] = {
		"",
		"no headers at all, just text\n",
		"\xff\xfe\x00\x01garbage\x1b[2J\x9b",
		/* Missing boundary parameter: the text is still shown. */
		"Content-Type: multipart/mixed\n\n--x\n\nlost text\n--x--\n",
		/* Closing boundary missing, base64 and QP cut short. */
		"Content-Type: multipart/mixed; boundary=b\n\n--b\n"
		"Content-Transfer-Encoding: base64\n\nSGVsbG8gd29y\n--b\n"
		"Content-Transfer-Encoding: quoted-printable\n\ncut =C3=A9 =Z9 =\n--b\n"
		"Content-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBOR",
		"Subject: =?UTF-8?B?broken?= =?x?q?a?= =?UTF-8?Q?=FF?=\n\nbody",
		"Content-Type: text/plain; charset=\"\n\nunterminated parameter\n",
		"Content-Type: message/rfc822\n\n",
		/* Headers only: an empty body. */
		"Subject: only headers\n",
		"Subject: x\nContent-Type: text/html\n\n",
		"Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n",
	};
	struct rendering *r;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(inputs); i++) {
		r = render_bytes(inputs[i], strlen(inputs[i]), NULL);
		assert_non_null(r);
		assert_true(r->lines->len >= 1);
		assert_all_clean(r);
		render_free(r);
	}
	r = render_bytes(NULL, 0, NULL);
	assert_int_equal(r->lines->len, 1);
	assert_int_equal(line_at(r, 0)->role, RENDER_SEPARATOR);
	render_free(r);

	r = rs(inputs[1]);
	assert_line(r, "no headers at all, just text", RENDER_BODY, 0);
	render_free(r);
	r = rs(inputs[3]);
	assert_line(r, "lost text", RENDER_BODY, 0);
	render_free(r);
	r = rs(inputs[4]);
	assert_line(r, "Hello wor", RENDER_BODY, 0);
	assert_line(r, "cut é =Z9 ", RENDER_BODY, 0);
	assert_int_equal(r->attachments->len, 1);
	render_free(r);
}

/* A message of DEPTH nested multiparts around one text part. */
static GString *
nested_message(int depth, int dash_lines)
{
	GString *s = g_string_new("Subject: nest\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n");

	testlib_append_nested(s, depth, dash_lines);
	return s;
}

static void
test_nesting_bounded(void **state)
{
	struct rendering *r;
	GString *s;

	/* Ten levels render. */
	s = nested_message(10, 0);
	r = rs(s->str);
	assert_line(r, "deep text", RENDER_BODY, 0);
	render_free(r);
	g_string_free(s, TRUE);

	/* Fifty levels: bounded depth, a note. */
	hang_bound();
	s = nested_message(50, 0);
	r = rs(s->str);
	assert_int_equal(find_line(r, "deep text"), -1);
	assert_true(find_substr(r, "nested too deeply") > 0);
	render_free(r);
	g_string_free(s, TRUE);

	/* Deep nesting and many "--" lines would cost GMime 10^9 steps: cut short. */
	s = nested_message(1000, 200000);
	r = rs(s->str);
	assert_true(find_substr(r, "too complex") > 0);
	render_free(r);
	g_string_free(s, TRUE);

	/* Forwarded inside forwarded, a thousand times. */
	s = g_string_new(NULL);
	for (int i = 0; i < 1000; i++)
		g_string_append(s, "Subject: level\nContent-Type: message/rfc822\n\n");
	g_string_append(s, "Subject: inner\n\ntext\n");
	r = rs(s->str);
	assert_true(find_substr(r, "nested too deeply") > 0);
	render_free(r);
	g_string_free(s, TRUE);
	alarm(0);
}

static void
test_many_parts_and_lines_bounded(void **state)
{
	GString *s = g_string_new("Content-Type: multipart/mixed; boundary=b\n\n");
	struct rendering *r;
	int i;

	for (i = 0; i < 3000; i++)
		g_string_append(s, "--b\nContent-Type: application/octet-stream\n\nx\n");
	g_string_append(s, "--b--\n");
	r = rs(s->str);
	assert_true(r->attachments->len < 1000);
	assert_true(find_substr(r, "too many") > 0);
	render_free(r);

	g_string_assign(s, "Subject: lines\n\n");
	for (i = 0; i < 600000; i++)
		g_string_append(s, "x\n");
	r = rs(s->str);
	assert_true(r->lines->len < 500010);
	assert_true(find_substr(r, "too long") > 0);
	render_free(r);
	g_string_free(s, TRUE);
}

static void
test_render_file(void **state)
{
	GError *error = NULL;
	struct rendering *r;
	char *path;

	assert_null(render_file("/nonexistent/message.eml", NULL, &error));
	assert_true(g_error_matches(error, RENDER_ERROR, RENDER_ERROR_READ));
	assert_string_equal(error->message, "/nonexistent/message.eml: No such file or directory");
	g_clear_error(&error);

	assert_null(render_file(SURAT_TEST_DATA, NULL, &error));
	assert_string_equal(error->message, SURAT_TEST_DATA ": Is a directory");
	g_clear_error(&error);

	path = g_build_filename(SURAT_TEST_DATA, "mail", "plain-quotes.eml", NULL);
	r = render_file(path, NULL, &error);
	assert_null(error);
	assert_non_null(r);
	assert_line(r, "Subject: Re: Release checklist for 2.4", RENDER_HEADER, 0);
	render_free(r);
	g_free(path);

	path = g_build_filename(SURAT_TEST_DATA, "mail", "malformed-empty.eml", NULL);
	r = render_file(path, NULL, &error);
	assert_non_null(r);
	assert_int_equal(r->lines->len, 1);
	render_free(r);
	g_free(path);
}

static void
test_render_to_text(void **state)
{
	struct rendering *r = rs("Subject: s\n\nline one\n\nline two\n");
	char *text = render_to_text(r);

	assert_string_equal(text, "Subject: s\n\nline one\n\nline two\n");
	g_free(text);
	render_free(r);
	text = render_to_text(NULL);
	assert_string_equal(text, "");
	g_free(text);
	render_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers_order_and_name_len),
		cmocka_unit_test(test_date_local_or_raw),
		cmocka_unit_test(test_full_headers),
		cmocka_unit_test(test_rfc2047_headers),
		cmocka_unit_test(test_long_header_stays_one_line),
		cmocka_unit_test(test_quote_levels),
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_tabs_expanded),
		cmocka_unit_test(test_charset_declared),
		cmocka_unit_test(test_charset_fallback),
		cmocka_unit_test(test_html_only),
		cmocka_unit_test(test_alternative_prefers_plain),
		cmocka_unit_test(test_mixed_parts_and_attachments),
		cmocka_unit_test(test_attachment_size_format),
		cmocka_unit_test(test_forwarded_message),
		cmocka_unit_test(test_hostile_text_made_safe),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_malformed_renders),
		cmocka_unit_test(test_nesting_bounded),
		cmocka_unit_test(test_many_parts_and_lines_bounded),
		cmocka_unit_test(test_render_file),
		cmocka_unit_test(test_render_to_text),
	};

	/* Dates are shown in local time: pin it. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
