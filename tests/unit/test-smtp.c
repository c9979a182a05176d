/*
 * Unit tests for smtp.c: testpeer.c's scripted peer plays each case of
 * tests/data/smtp/NAME.txt (server lines in, the exact client transcript
 * expected, the result of each call checked); testpeer.h has the script's
 * words and the keys every protocol test shares.
 *
 * SMTP's keys: do (calls in order: login send rset quit), from, rcpt (one
 * a recipient), text (the message, escaped; the Nth send takes the Nth
 * text, or the last), tls (none|starttls|implicit), helo, auth
 * (auto|none|plain|login|cram-md5|scram-sha-1|scram-sha-256|xoauth2|
 * oauthbearer), user, secret (escaped), cleartext, reply (what each
 * successful send returned, in order), caps (struct smtp_caps in a line),
 * greeting, auth-used, tls-info, writes, abort-after (a trace line such as
 * "C: DATA": the abort flag goes up as the trace shows it, which is before
 * the line is written).  From and the recipients take the escapes too, so
 * a case can try a line break in an address.
 */
#include "testpeer.h"

#include <string.h>

#include "surat/smtp.h"

#define DATA SURAT_TEST_DATA "/smtp/"

/* An SMTP case: the shared part and what SMTP's calls give. */
struct test_case {
	struct testcase t;
	struct smtp_session *s;
	unsigned int sends;   /* send calls so far */
	GPtrArray *replies;   /* what each successful send returned */
	const char *abort_at; /* the trace line that raises the abort flag */
};

/* SMTP's SASL lines (RFC 4954), for the peer's SCRAM. */
static const struct testpeer_dialect test_dialect = {
	"334 ",
	"235 2.7.0 Authentication successful",
	"535 5.7.8 Authentication credentials invalid",
};

/* The code of E as the "error" key names it: smtp.h's names without SMTP_ERROR_. */
static const char *
test_code_name(const GError *e)
{
	static const char *const names[] = {
		[SMTP_ERROR_IO] = "IO", [SMTP_ERROR_TIMEOUT] = "TIMEOUT",
		[SMTP_ERROR_TLS] = "TLS", [SMTP_ERROR_INSECURE] = "INSECURE",
		[SMTP_ERROR_PROTOCOL] = "PROTOCOL", [SMTP_ERROR_AUTH] = "AUTH",
		[SMTP_ERROR_TEMPORARY] = "TEMPORARY", [SMTP_ERROR_REJECTED] = "REJECTED",
		[SMTP_ERROR_TOO_BIG] = "TOO_BIG", [SMTP_ERROR_UNANSWERED] = "UNANSWERED",
		[SMTP_ERROR_ABORT] = "ABORT",
	};

	if (e->domain != SMTP_ERROR || e->code < 0 || (size_t)e->code >= G_N_ELEMENTS(names))
		return "?";
	return names[e->code];
}

/* The trace callback: keep the line, and raise the abort flag at the case's line. */
static void
test_trace(void *data, char direction, const char *line)
{
	struct test_case *c = data;
	char *shown = g_strdup_printf("%c: %s", direction, line);

	testcase_trace(&c->t, direction, line);
	if (c->abort_at != NULL && strcmp(shown, c->abort_at) == 0)
		c->t.abort = 1;
	g_free(shown);
}

/* The Nth value of KEY, or its last when there are fewer; unescaped (g_string_free). */
static GString *
test_nth(struct test_case *c, const char *key, guint n, const char *def)
{
	GPtrArray *v = testcase_values(&c->t, key);

	if (v->len == 0)
		return testpeer_unescape(def);
	return testpeer_unescape(g_ptr_array_index(v, MIN(n, v->len - 1)));
}

/* smtp_send with the case's envelope and its text for this send. */
static bool
test_send(struct test_case *c, GError **error)
{
	GPtrArray *v = testcase_values(&c->t, "rcpt");
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	GString *from = test_nth(c, "from", 0, "alice@example.org");
	GString *text = test_nth(c, "text", c->sends++, "Subject: hi\\n\\nhello\\n");
	char *reply = NULL;
	guint i;
	bool ok;

	for (i = 0; i < v->len; i++)
		g_ptr_array_add(rcpts, g_string_free(testpeer_unescape(v->pdata[i]), FALSE));
	if (v->len == 0)
		g_ptr_array_add(rcpts, g_strdup("bob@example.org"));
	ok = smtp_send(c->s, from->str, (const char *const *)rcpts->pdata, rcpts->len, text->str,
	    text->len, &reply, error);
	/* a reply only on success, and then always one */
	assert_true(ok == (reply != NULL));
	if (ok)
		g_ptr_array_add(c->replies, reply);
	g_string_free(from, TRUE);
	g_string_free(text, TRUE);
	g_ptr_array_free(rcpts, TRUE);
	return ok;
}

/* Run one call NAME of the "do" list on C (a struct test_case). */
static bool
test_call(void *data, const char *name, GError **error)
{
	static const char *const auths[] = { "auto", "none", "plain", "login", "cram-md5",
		"scram-sha-1", "scram-sha-256", "xoauth2", "oauthbearer" };
	struct test_case *c = data;

	if (strcmp(name, "login") == 0) {
		/* The secret takes the escapes: bytes the sanitizer would rewrite. */
		GString *secret = testpeer_unescape(testcase_value(&c->t, "secret", "hunter2"));
		bool ok = smtp_login(c->s,
		    testcase_enum(testcase_value(&c->t, "auth", "auto"), auths, G_N_ELEMENTS(auths)),
		    testcase_value(&c->t, "user", "alice"), secret->str,
		    testcase_yes(&c->t, "cleartext", true), error);

		g_string_free(secret, TRUE);
		return ok;
	}
	if (strcmp(name, "send") == 0)
		return test_send(c, error);
	if (strcmp(name, "rset") == 0)
		return smtp_rset(c->s, error);
	if (strcmp(name, "quit") == 0)
		return smtp_quit(c->s, error);
	fail_msg("unknown call %s", name);
	return false;
}

/* CAPS in one line, to compare with a case's "caps:": "ehlo starttls ... size=N auth=A,B". */
static char *
test_caps_line(const struct smtp_caps *caps)
{
	const struct {
		bool on;
		const char *word;
	} flags[] = {
		{ caps->starttls, "starttls" },
		{ caps->pipelining, "pipelining" },
		{ caps->eightbitmime, "8bitmime" },
		{ caps->smtputf8, "smtputf8" },
		{ caps->enhancedstatuscodes, "enhancedstatuscodes" },
	};
	GString *line = g_string_new(caps->ehlo ? "ehlo" : "helo");
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(flags); i++)
		if (flags[i].on)
			g_string_append_printf(line, " %s", flags[i].word);
	if (caps->size_max > 0)
		g_string_append_printf(line, " size=%" G_GUINT64_FORMAT, (guint64)caps->size_max);
	else if (caps->size)
		g_string_append(line, " size");
	if (caps->auth != NULL) {
		char *mechs = g_strdup(caps->auth);

		g_strdelimit(mechs, " ", ',');
		g_string_append_printf(line, " auth=%s", mechs);
		g_free(mechs);
	}
	return g_string_free(line, FALSE);
}

/* Check what the session says of itself and what the sends returned. */
static void
test_check_session(struct test_case *c)
{
	GPtrArray *v = testcase_values(&c->t, "reply");
	struct smtp_stats st;
	char *caps;
	guint i;

	if (v->len > 0 && v->len != c->replies->len)
		print_error("%u replies, %u expected\n", c->replies->len, v->len);
	assert_true(v->len == 0 || v->len == c->replies->len);
	for (i = 0; i < v->len; i++)
		assert_string_equal(c->replies->pdata[i], v->pdata[i]);
	if (c->s == NULL)
		return;
	caps = test_caps_line(smtp_caps(c->s));
	testcase_expect(&c->t, "caps", caps);
	g_free(caps);
	testcase_expect(&c->t, "auth-used", smtp_auth_used(c->s));
	testcase_expect(&c->t, "greeting", smtp_greeting(c->s));
	smtp_get_stats(c->s, &st);
	if ((v = testcase_values(&c->t, "writes"))->len > 0)
		assert_int_equal(st.writes, atoi(g_ptr_array_index(v, 0)));
	if (testcase_values(&c->t, "tls-info")->len > 0) {
		assert_non_null(smtp_tls_summary(c->s));
		assert_true(g_str_has_prefix(smtp_tls_summary(c->s), "TLSv1."));
	}
}

/* Run the case in STATE (its file name). */
static void
test_case_run(void **state)
{
	static const char *const tlss[] = { "starttls", "implicit", "none" };
	struct test_case c = { 0 };
	struct smtp_open_options o;
	GString *helo;
	GError *error = NULL;
	int fd;

	testcase_load(&c.t, DATA, *(const char *const *)*state);
	c.replies = g_ptr_array_new_with_free_func(g_free);
	c.abort_at = testcase_value(&c.t, "abort-after", NULL);
	helo = testcase_values(&c.t, "helo")->len > 0 ?
	    testpeer_unescape(testcase_value(&c.t, "helo", "")) : NULL;
	fd = testcase_peer_start(&c.t, &test_dialect);
	o = (struct smtp_open_options){
		.host = "localhost",
		.port = 587,
		.tls = testcase_enum(testcase_value(&c.t, "tls", "none"), tlss, G_N_ELEMENTS(tlss)),
		.fingerprint = testcase_pin(&c.t),
		.helo = helo != NULL ? helo->str : NULL,
		.timeout = atoi(testcase_value(&c.t, "timeout", "5")),
		.trace = test_trace,
		.trace_data = &c,
		.abort = &c.t.abort,
	};
	c.s = smtp_open_fd(fd, &o, &error);
	if (c.s != NULL)
		testcase_run_calls(&c.t, test_call, &c);
	else
		testcase_failed(&c.t, error);
	test_check_session(&c);
	smtp_session_free(c.s);
	testcase_finish(&c.t, test_code_name);
	g_ptr_array_free(c.replies, TRUE);
	if (helo != NULL)
		g_string_free(helo, TRUE);
}

/* NULL-safety, and a refused connect that names the host. */
static void
test_open_refused(void **state)
{
	struct smtp_open_options o = { .host = "127.0.0.1", .port = 1, .timeout = 2 };
	GError *error = NULL;

	smtp_session_free(NULL);
	assert_null(smtp_open(&o, &error));
	if (strstr(error->message, "127.0.0.1:1") == NULL)
		fail_msg("the error does not name the host: %s", error->message);
	assert_string_equal(test_code_name(error), "IO");
	g_error_free(error);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = { cmocka_unit_test(test_open_refused) };

	return testcase_main("smtp", DATA, fixed, G_N_ELEMENTS(fixed), test_case_run);
}
