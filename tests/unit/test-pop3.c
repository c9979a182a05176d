/*
 * Unit tests for pop3.c: testpeer.c's scripted peer plays each case of
 * tests/data/pop3/NAME.txt (server lines in, the exact client transcript
 * expected, the result of each call checked); testpeer.h has the script's
 * words and the keys every protocol test shares.
 *
 * POP3's keys: do (calls in order: login stat uidl list retr:1,2 top:0:1,2
 * pieces:1,2 (RETR in pieces) dele:1,2 noop rset quit), pieces-at-least (N
 * pieces before the last, none much over POP3_PIECE), tls, auth, user,
 * secret, cleartext, pipelining, timeout, pin (good|bad|none), message (N
 * escaped-content), size (N BYTES), stat (COUNT SIZE), uidl (N UIDL), list
 * (N SIZE), caps, auth-used, writes, fail-callback (N), abort-after (N),
 * greeting, tls-info.
 */
#include <string.h>

#include "testpeer.h"
#include "surat/pop3.h"

#define DATA SURAT_TEST_DATA "/pop3/"

/* A POP3 case: the shared part and what POP3's calls give. */
struct test_case {
	struct testcase t;
	struct pop3_session *s;
	GArray *msgs;        /* from UIDL and LIST */
	GPtrArray *messages; /* GString * per message delivered, "N:" + content */
	int fail_callback;
	int abort_after;
	int delivered;
	GString *piece;      /* the message being received in pieces */
	int pieces;          /* pieces that were not the last */
	size_t piece_max;    /* the largest piece */
	char *stat;          /* what STAT gave: "COUNT SIZE" */
};

/* POP3's SASL lines, for the peer's SCRAM. */
static const struct testpeer_dialect test_dialect = {
	"+ ",
	"+OK Logged in.",
	"-ERR [AUTH] bad proof",
};

/* Free a GString (for a GPtrArray). */
static void
test_gstring_free(gpointer s)
{
	g_string_free(s, TRUE);
}

/* The message callback: keep "N:" and the content; fail or abort when asked. */
static bool
test_message(void *data, unsigned int num, const char *buf, size_t len, GError **error)
{
	struct test_case *c = data;
	GString *m = g_string_new(NULL);

	g_string_printf(m, "%u:", num);
	g_string_append_len(m, buf, len);
	g_ptr_array_add(c->messages, m);
	c->delivered++;
	if (c->fail_callback > 0 && c->delivered == c->fail_callback) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "disk full (test)");
		return false;
	}
	if (c->abort_after > 0 && c->delivered == c->abort_after)
		c->t.abort = 1;
	return true;
}

/* The piece callback: gather the pieces, then deliver as test_message does. */
static bool
test_piece(void *data, unsigned int num, const char *buf, size_t len, bool last, GError **error)
{
	struct test_case *c = data;
	bool ok;

	if (c->piece == NULL)
		c->piece = g_string_new(NULL);
	g_string_append_len(c->piece, buf, len);
	c->piece_max = MAX(c->piece_max, len);
	if (!last) {
		c->pieces++;
		return true;
	}
	ok = test_message(c, num, c->piece->str, c->piece->len, error);
	g_string_truncate(c->piece, 0);
	return ok;
}

static const char *const test_code_names[] = {
	[POP3_ERROR_IO] = "IO",
	[POP3_ERROR_TIMEOUT] = "TIMEOUT",
	[POP3_ERROR_TLS] = "TLS",
	[POP3_ERROR_INSECURE] = "INSECURE",
	[POP3_ERROR_PROTOCOL] = "PROTOCOL",
	[POP3_ERROR_AUTH] = "AUTH",
	[POP3_ERROR_IN_USE] = "IN_USE",
	[POP3_ERROR_LOGIN_DELAY] = "LOGIN_DELAY",
	[POP3_ERROR_SYS_TEMP] = "SYS_TEMP",
	[POP3_ERROR_SYS_PERM] = "SYS_PERM",
	[POP3_ERROR_SERVER] = "SERVER",
	[POP3_ERROR_UNSUPPORTED] = "UNSUPPORTED",
	[POP3_ERROR_ABORT] = "ABORT",
};

/* The code of E as the "error" key names it. */
static const char *
test_code_name(const GError *e)
{
	if (e->domain == POP3_ERROR)
		return test_code_names[e->code];
	return e->domain == G_FILE_ERROR ? "CALLBACK" : "?";
}

/* Message numbers "1,2,3" into an array (g_free); *N gets the count. */
static unsigned int *
test_nums(const char *list, size_t *n)
{
	gchar **parts = g_strsplit(list, ",", -1);
	unsigned int *nums = g_new0(unsigned int, g_strv_length(parts) + 1);
	size_t i;

	for (i = 0; parts[i] != NULL; i++)
		nums[i] = (unsigned int)strtoul(parts[i], NULL, 10);
	*n = i;
	g_strfreev(parts);
	return nums;
}

/* CAPS in one line, to compare with a case's "caps:". */
static char *
test_caps_line(const struct pop3_caps *caps)
{
	GString *s = g_string_new(caps->capa ? "capa" : "no-capa");
	char *sasl;

	if (caps->top)
		g_string_append(s, " top");
	if (caps->uidl)
		g_string_append(s, " uidl");
	if (caps->user)
		g_string_append(s, " user");
	if (caps->pipelining)
		g_string_append(s, " pipelining");
	if (caps->resp_codes)
		g_string_append(s, " resp-codes");
	if (caps->auth_resp_code)
		g_string_append(s, " auth-resp-code");
	if (caps->stls)
		g_string_append(s, " stls");
	if (caps->utf8)
		g_string_append(s, " utf8");
	if (caps->sasl != NULL) {
		sasl = g_strjoinv(",", caps->sasl);
		g_string_append_printf(s, " sasl=%s", sasl);
		g_free(sasl);
	}
	if (caps->login_delay >= 0)
		g_string_append_printf(s, " login-delay=%d", caps->login_delay);
	if (caps->expire != POP3_EXPIRE_NONE)
		g_string_append_printf(s, " expire=%d", caps->expire);
	if (caps->implementation != NULL)
		g_string_append_printf(s, " implementation=%s", caps->implementation);
	return g_string_free(s, FALSE);
}

/* Run one call OP of the "do" list on C (a struct test_case); false with ERROR when it failed. */
static bool
test_op(void *data, const char *op, GError **error)
{
	static const char *const auths[] = { "auto", "user", "apop", "plain", "login",
		"cram-md5", "scram-sha-1", "scram-sha-256", "xoauth2", "oauthbearer" };
	struct test_case *c = data;
	struct pop3_session *s = c->s;
	unsigned int count, *nums;
	uint64_t size;
	size_t n;
	bool ok;

	if (strcmp(op, "login") == 0) {
		/* The secret takes the script's escapes: bytes the sanitizer would rewrite. */
		GString *secret = testpeer_unescape(testcase_value(&c->t, "secret", "hunter2"));

		ok = pop3_login(s,
		    testcase_enum(testcase_value(&c->t, "auth", "auto"), auths, G_N_ELEMENTS(auths)),
		    testcase_value(&c->t, "user", "alice"), secret->str,
		    testcase_yes(&c->t, "cleartext", true), error);
		g_string_free(secret, TRUE);
		return ok;
	}
	if (strcmp(op, "stat") == 0) {
		if (!pop3_stat(s, &count, &size, error))
			return false;
		g_free(c->stat);
		c->stat = g_strdup_printf("%u %" G_GUINT64_FORMAT, count, size);
		return true;
	}
	if (strcmp(op, "uidl") == 0)
		return pop3_uidl(s, c->msgs, error);
	if (strcmp(op, "list") == 0)
		return pop3_list(s, c->msgs, error);
	if (strcmp(op, "noop") == 0)
		return pop3_noop(s, error);
	if (strcmp(op, "rset") == 0)
		return pop3_rset(s, error);
	if (strcmp(op, "quit") == 0)
		return pop3_quit(s, error);
	if (g_str_has_prefix(op, "retr:")) {
		nums = test_nums(op + 5, &n);
		ok = pop3_retr_many(s, nums, n, test_message, c, error);
		g_free(nums);
		return ok;
	}
	if (g_str_has_prefix(op, "pieces:")) {
		nums = test_nums(op + 7, &n);
		ok = pop3_retr_pieces(s, nums, n, test_piece, c, error);
		g_free(nums);
		return ok;
	}
	if (g_str_has_prefix(op, "top:")) {
		char *colon = strchr(op + 4, ':');

		nums = test_nums(colon + 1, &n);
		ok = pop3_top_many(s, nums, n, (unsigned int)atoi(op + 4), test_message, c, error);
		g_free(nums);
		return ok;
	}
	if (g_str_has_prefix(op, "dele:")) {
		nums = test_nums(op + 5, &n);
		ok = pop3_dele_many(s, nums, n, error);
		g_free(nums);
		return ok;
	}
	fail_msg("unknown call %s", op);
	return false;
}

/* Check the messages, UIDLs, sizes and other results against the case. */
static void
test_check_results(struct test_case *c)
{
	GPtrArray *want = testcase_values(&c->t, "message"), *sizes = testcase_values(&c->t, "size");
	struct pop3_session *s = c->s;
	GArray *msgs = c->msgs;
	GPtrArray *v;
	guint i;

	if (sizes->len == 0) {
		if (want->len != c->messages->len)
			print_error("%u messages delivered, %u expected\n", c->messages->len,
			    want->len);
		assert_int_equal(want->len, c->messages->len);
		for (i = 0; i < want->len; i++) {
			const char *w = g_ptr_array_index(want, i), *sp = strchr(w, ' ');
			GString *e = testpeer_unescape(sp != NULL ? sp + 1 : "");
			GString *got = g_ptr_array_index(c->messages, i);

			g_string_prepend_c(e, ':');
			g_string_prepend_len(e, w, sp != NULL ? sp - w : (gssize)strlen(w));
			if (!g_string_equal(e, got)) {
				char *raw = g_strndup(got->str, got->len);
				char *esc = g_strescape(raw, NULL);

				print_error("message %u: got \"%s\"\n", i, esc);
				g_free(raw);
				g_free(esc);
			}
			assert_true(g_string_equal(e, got));
			g_string_free(e, TRUE);
		}
	}
	for (i = 0; i < sizes->len; i++) {
		GString *got = g_ptr_array_index(c->messages, i);
		char *expect = g_strdup(g_ptr_array_index(sizes, i));
		char *sp = strchr(expect, ' ');
		char *colon = strchr(got->str, ':');

		*sp = '\0';
		assert_int_equal(strtoul(expect, NULL, 10), strtoul(got->str, NULL, 10));
		assert_int_equal(strtoull(sp + 1, NULL, 10), got->len - (colon + 1 - got->str));
		g_free(expect);
	}
	/* In pieces: at least so many before the last, none much over POP3_PIECE. */
	v = testcase_values(&c->t, "pieces-at-least");
	if (v->len > 0) {
		assert_true(c->pieces >= atoi(g_ptr_array_index(v, 0)));
		assert_true(c->piece_max <= POP3_PIECE + 256 * 1024);
	}
	testcase_expect(&c->t, "stat", c->stat);
	v = testcase_values(&c->t, "uidl");
	for (i = 0; i < v->len; i++) {
		char *expect = g_ptr_array_index(v, i), *got;
		struct pop3_msg *m;

		assert_true(i < msgs->len);
		m = &g_array_index(msgs, struct pop3_msg, i);
		got = g_strdup_printf("%u %s", m->num, m->uidl != NULL ? m->uidl : "(none)");
		assert_string_equal(got, expect);
		g_free(got);
	}
	v = testcase_values(&c->t, "list");
	for (i = 0; i < v->len; i++) {
		char *got;
		struct pop3_msg *m;

		assert_true(i < msgs->len);
		m = &g_array_index(msgs, struct pop3_msg, i);
		got = g_strdup_printf("%u %" G_GUINT64_FORMAT, m->num, m->size);
		assert_string_equal(got, g_ptr_array_index(v, i));
		g_free(got);
	}
	if (s == NULL)
		return;
	{
		char *line = test_caps_line(pop3_caps(s));

		testcase_expect(&c->t, "caps", line);
		g_free(line);
	}
	testcase_expect(&c->t, "auth-used", pop3_auth_used(s));
	testcase_expect(&c->t, "greeting", pop3_greeting(s));
	if ((v = testcase_values(&c->t, "writes"))->len > 0) {
		struct pop3_stats st;

		pop3_get_stats(s, &st);
		assert_int_equal(st.writes, atoi(g_ptr_array_index(v, 0)));
	}
	if (testcase_values(&c->t, "tls-info")->len > 0) {
		const struct pop3_tls_info *info = pop3_tls_info(s);

		assert_non_null(info);
		assert_string_equal(info->fingerprint, testpeer_fingerprint());
		assert_non_null(strstr(info->subject, "CN=localhost"));
	}
}

/* Run the case in STATE (its file name). */
static void
test_case_run(void **state)
{
	const char *file = *(const char *const *)*state;
	static const char *const tlss[] = { "implicit", "starttls", "none" };
	struct test_case c = { 0 };
	struct pop3_open_options o = { 0 };
	GError *error = NULL;
	int fd;

	testcase_load(&c.t, DATA, file);
	c.msgs = g_array_new(FALSE, TRUE, sizeof(struct pop3_msg));
	g_array_set_clear_func(c.msgs, (GDestroyNotify)pop3_msg_clear);
	c.messages = g_ptr_array_new_with_free_func(test_gstring_free);
	c.fail_callback = atoi(testcase_value(&c.t, "fail-callback", "0"));
	c.abort_after = atoi(testcase_value(&c.t, "abort-after", "0"));
	fd = testcase_peer_start(&c.t, &test_dialect);

	o.host = "localhost";
	o.port = 110;
	o.tls = testcase_enum(testcase_value(&c.t, "tls", "none"), tlss, G_N_ELEMENTS(tlss));
	o.fingerprint = testcase_pin(&c.t);
	o.timeout = atoi(testcase_value(&c.t, "timeout", "5"));
	o.pipelining = testcase_yes(&c.t, "pipelining", true);
	o.trace = testcase_trace;
	o.trace_data = &c.t;
	o.abort = &c.t.abort;

	c.s = pop3_open_fd(fd, &o, &error);
	if (c.s == NULL)
		testcase_failed(&c.t, error);
	else
		testcase_run_calls(&c.t, test_op, &c);
	test_check_results(&c);
	pop3_session_free(c.s);
	testcase_finish(&c.t, test_code_name);
	g_array_free(c.msgs, TRUE);
	g_ptr_array_free(c.messages, TRUE);
	if (c.piece != NULL)
		g_string_free(c.piece, TRUE);
	g_free(c.stat);
}

/* pop3_msg_clear and NULL-safety. */
static void
test_null(void **state)
{
	struct pop3_msg m = { 1, 2, g_strdup("x") };

	pop3_msg_clear(&m);
	assert_null(m.uidl);
	pop3_msg_clear(&m);
	pop3_session_free(NULL);
}

/* A connect that is refused names the host. */
static void
test_open_refused(void **state)
{
	struct pop3_open_options o = { .host = "127.0.0.1", .port = 1, .tls = POP3_TLS_NONE,
		.timeout = 2 };
	GError *error = NULL;

	assert_null(pop3_open(&o, &error));
	assert_int_equal(error->domain, POP3_ERROR);
	assert_int_equal(error->code, POP3_ERROR_IO);
	assert_non_null(strstr(error->message, "127.0.0.1:1"));
	g_error_free(error);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_open_refused),
	};

	return testcase_main("pop3", DATA, fixed, G_N_ELEMENTS(fixed), test_case_run);
}
