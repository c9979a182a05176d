/* Unit tests for sasl.c: the RFC test vectors of every mechanism, and each way a server can break one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "surat/sasl.h"

/* Expect the bytes OUT (LEN) to equal the LEN_E bytes of EXPECTED. */
static void
test_expect_bytes(const unsigned char *out, size_t len, const char *expected, size_t len_e)
{
	if (len != len_e || memcmp(out, expected, len) != 0) {
		char *raw = g_strndup((const char *)out, len), *a = g_strescape(raw, NULL);

		print_error("got %zu bytes: \"%s\"\n", len, a);
		g_free(a);
		g_free(raw);
	}
	assert_int_equal(len, len_e);
	assert_memory_equal(out, expected, len);
}

/* Step S with the C string CHALLENGE and expect the C string RESPONSE. */
static void
test_step(struct sasl *s, const char *challenge, const char *response)
{
	const unsigned char *out;
	size_t len;
	GError *error = NULL;

	if (!sasl_step(s, (const unsigned char *)challenge, strlen(challenge), &out, &len, &error))
		print_error("%s\n", error->message);
	assert_null(error);
	test_expect_bytes(out, len, response, strlen(response));
}

/* Step S with the C string CHALLENGE and expect the LEN bytes of RESPONSE. */
static void
test_step_bytes(struct sasl *s, const char *challenge, const char *response, size_t len_e)
{
	const unsigned char *out;
	size_t len;
	GError *error = NULL;

	assert_true(sasl_step(s, (const unsigned char *)challenge, strlen(challenge), &out, &len,
	    &error));
	test_expect_bytes(out, len, response, len_e);
}

/* Step S with CHALLENGE and expect failure CODE with FRAGMENT in the message. */
static void
test_step_fails(struct sasl *s, const char *challenge, int code, const char *fragment)
{
	const unsigned char *out;
	size_t len;
	GError *error = NULL;

	assert_false(sasl_step(s, (const unsigned char *)challenge, strlen(challenge), &out, &len,
	    &error));
	assert_non_null(error);
	assert_int_equal(error->domain, SASL_ERROR);
	assert_int_equal(error->code, code);
	if (strstr(error->message, fragment) == NULL)
		print_error("message: %s\n", error->message);
	assert_non_null(strstr(error->message, fragment));
	g_error_free(error);
}

/* RFC 4616 section 4: PLAIN, and the re-send when the server ignores the initial response. */
static void
test_plain(void **state)
{
	struct sasl *s = sasl_new(SASL_PLAIN, "tim", "tanstaaftanstaaf", "h", 110);
	const unsigned char *out;
	size_t len;

	assert_true(sasl_initial(s, &out, &len));
	test_expect_bytes(out, len, "\0tim\0tanstaaftanstaaf", 21);
	test_step_bytes(s, "", "\0tim\0tanstaaftanstaaf", 21);
	test_step_fails(s, "", SASL_ERROR_PROTOCOL, "PLAIN");
	assert_true(sasl_finish(s, NULL));
	sasl_free(s);

	/* no initial response sent: the empty challenge asks for it */
	s = sasl_new(SASL_PLAIN, "tim", "tanstaaftanstaaf", "h", 110);
	test_step_bytes(s, "", "\0tim\0tanstaaftanstaaf", 21);
	sasl_free(s);
	s = sasl_new(SASL_PLAIN, "tim", "x", "h", 110);
	test_step_fails(s, "garbage", SASL_ERROR_PROTOCOL, "unexpected");
	sasl_free(s);
	assert_true(sasl_mech_sends_secret(SASL_PLAIN));
	assert_string_equal(sasl_mech_name(SASL_PLAIN), "PLAIN");
}

/* LOGIN: the user name, then the password, whatever the prompts say. */
static void
test_login(void **state)
{
	struct sasl *s = sasl_new(SASL_LOGIN, "alice", "secret", "h", 110);
	const unsigned char *out;
	size_t len;

	assert_false(sasl_initial(s, &out, &len));
	test_step(s, "Username:", "alice");
	test_step(s, "Password:", "secret");
	test_step_fails(s, "More:", SASL_ERROR_PROTOCOL, "more than");
	sasl_free(s);
}

/* RFC 2195 section 2: the CRAM-MD5 example. */
static void
test_cram_md5(void **state)
{
	struct sasl *s = sasl_new(SASL_CRAM_MD5, "tim", "tanstaaftanstaaf", "h", 110);
	const unsigned char *out;
	size_t len;

	assert_false(sasl_initial(s, &out, &len));
	test_step(s, "<1896.697170952@postoffice.reston.mci.net>",
	    "tim b913a602c7eda7a495b4e6e7334d3890");
	test_step_fails(s, "<again@x>", SASL_ERROR_PROTOCOL, "repeated");
	sasl_free(s);
	s = sasl_new(SASL_CRAM_MD5, "tim", "x", "h", 110);
	test_step_fails(s, "", SASL_ERROR_PROTOCOL, "empty");
	sasl_free(s);
	assert_false(sasl_mech_sends_secret(SASL_CRAM_MD5));
}

/* RFC 5802 section 5: the SCRAM-SHA-1 example, byte for byte, with the server proved. */
static void
test_scram_sha1(void **state)
{
	struct sasl *s = sasl_new(SASL_SCRAM_SHA_1, "user", "pencil", "h", 110);
	const unsigned char *out;
	size_t len;

	sasl_set_client_nonce(s, "fyko+d2lbbFgONRv9qkxdawL");
	assert_true(sasl_initial(s, &out, &len));
	test_expect_bytes(out, len, "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", 36);
	assert_false(sasl_finish(s, NULL));
	test_step(s, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
	    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
	test_step(s, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", "");
	assert_true(sasl_finish(s, NULL));
	test_step_fails(s, "v=again", SASL_ERROR_PROTOCOL, "after the exchange");
	sasl_free(s);
}

/* RFC 7677 section 3: the SCRAM-SHA-256 example. */
static void
test_scram_sha256(void **state)
{
	struct sasl *s = sasl_new(SASL_SCRAM_SHA_256, "user", "pencil", "h", 110);
	const unsigned char *out;
	size_t len;

	sasl_set_client_nonce(s, "rOprNGfwEbeRWgbNEkqO");
	/* the server did not take the initial response: the empty challenge repeats it */
	assert_true(sasl_initial(s, &out, &len));
	test_step(s, "", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
	test_step(s,
	    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
	    "i=4096",
	    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
	    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
	test_step(s, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "");
	assert_true(sasl_finish(s, NULL));
	sasl_free(s);
}

/* A SCRAM exchange up to the server-first message FIRST, expected to fail with CODE. */
static void
test_scram_bad_first(const char *first, int code, const char *fragment)
{
	struct sasl *s = sasl_new(SASL_SCRAM_SHA_256, "user", "pencil", "h", 110);
	const unsigned char *out;
	size_t len;

	sasl_set_client_nonce(s, "abc");
	assert_true(sasl_initial(s, &out, &len));
	test_step_fails(s, first, code, fragment);
	sasl_free(s);
}

/* Each way a SCRAM server can break the exchange. */
static void
test_scram_errors(void **state)
{
	struct sasl *s;
	const unsigned char *out;
	size_t len;
	GError *error = NULL;

	test_scram_bad_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=4095", SASL_ERROR_PROTOCOL,
	    "iteration count");
	test_scram_bad_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=1000001", SASL_ERROR_PROTOCOL,
	    "iteration count");
	test_scram_bad_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=99999999999999999999999",
	    SASL_ERROR_PROTOCOL, "iteration count");
	test_scram_bad_first("r=abcdef,s=QSXCR+Q6sek8bf92,i=-4096", SASL_ERROR_PROTOCOL,
	    "iteration count");
	test_scram_bad_first("r=xyzdef,s=QSXCR+Q6sek8bf92,i=4096", SASL_ERROR_PROTOCOL, "nonce");
	test_scram_bad_first("r=abc,s=QSXCR+Q6sek8bf92,i=4096", SASL_ERROR_PROTOCOL, "nonce");
	test_scram_bad_first("r=abc\x01x,s=QSXCR+Q6sek8bf92,i=4096", SASL_ERROR_PROTOCOL, "nonce");
	test_scram_bad_first("r=abcdef,s=,i=4096", SASL_ERROR_PROTOCOL, "salt");
	test_scram_bad_first("r=abcdef,i=4096", SASL_ERROR_PROTOCOL, "lacks");
	test_scram_bad_first("m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", SASL_ERROR_PROTOCOL,
	    "extension");
	test_scram_bad_first("garbage", SASL_ERROR_PROTOCOL, "lacks");

	/* a wrong server signature, and a server-side error */
	s = sasl_new(SASL_SCRAM_SHA_1, "user", "pencil", "h", 110);
	sasl_set_client_nonce(s, "fyko+d2lbbFgONRv9qkxdawL");
	assert_true(sasl_initial(s, &out, &len));
	test_step(s, "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
	    "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
	test_step_fails(s, "v=AAAApqV8S7suAoZWja4dJRkFsKQ=", SASL_ERROR_PROOF, "prove");
	test_step_fails(s, "e=invalid-proof", SASL_ERROR_SERVER, "invalid-proof");
	/* The server's words are made safe, capped, and never show the password. */
	test_step_fails(s, "e=x\x1b]0;pwned\x07\xc2\x9b\xe2\x80\xaey", SASL_ERROR_SERVER,
	    "the server says x^[]0;pwned^G<U+009B><U+202E>y");
	test_step_fails(s, "e=not pencil here", SASL_ERROR_SERVER,
	    "the server says not ******** here");
	{
		GString *e = g_string_new("e=");

		while (e->len < 400)
			g_string_append(e, "a ");
		g_string_append(e, "pencil");
		assert_false(sasl_step(s, (const unsigned char *)e->str, e->len, &out, &len, &error));
		assert_true(g_str_has_suffix(error->message, "a a ..."));
		assert_true(strlen(error->message) < 250);
		g_clear_error(&error);
		g_string_free(e, TRUE);
	}
	test_step_fails(s, "x=1", SASL_ERROR_PROOF, "prove");
	assert_false(sasl_finish(s, &error));
	assert_int_equal(error->code, SASL_ERROR_PROOF);
	g_clear_error(&error);
	sasl_free(s);
}

/* The client nonce is random, 24 characters, and user names are escaped (RFC 5802 5.1). */
static void
test_scram_nonce_and_name(void **state)
{
	struct sasl *a = sasl_new(SASL_SCRAM_SHA_1, "a,b=c", "p", "h", 110);
	struct sasl *b = sasl_new(SASL_SCRAM_SHA_1, "a,b=c", "p", "h", 110);
	const unsigned char *out;
	size_t len;
	char *first;

	assert_true(sasl_initial(a, &out, &len));
	first = g_strndup((const char *)out, len);
	assert_true(g_str_has_prefix(first, "n,,n=a=2Cb=3Dc,r="));
	assert_int_equal(strlen(first), strlen("n,,n=a=2Cb=3Dc,r=") + 24);
	assert_true(sasl_initial(b, &out, &len));
	assert_true(len != strlen(first) || memcmp(out, first, len) != 0);
	g_free(first);
	sasl_free(a);
	sasl_free(b);
}

/* XOAUTH2: the token string, and the empty answer to the error JSON. */
static void
test_xoauth2(void **state)
{
	static const char expected[] =
	    "user=someuser@example.com\001auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
	    "\001\001";
	struct sasl *s = sasl_new(SASL_XOAUTH2, "someuser@example.com",
	    "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg", "h", 995);

	/* two steps: the empty "+ " asks for the token */
	test_step(s, "", expected);
	assert_null(sasl_server_error(s));
	test_step(s, "{\"status\":\"401\",\"schemes\":\"bearer\"}", "");
	assert_string_equal(sasl_server_error(s), "{\"status\":\"401\",\"schemes\":\"bearer\"}");
	test_step_fails(s, "more", SASL_ERROR_PROTOCOL, "after the exchange");
	sasl_free(s);
	assert_true(sasl_mech_sends_secret(SASL_XOAUTH2));
}

/* RFC 7628 section 4.1: the OAUTHBEARER example; section 3.2.3: 0x01 after a failure. */
static void
test_oauthbearer(void **state)
{
	static const char expected[] = "n,a=user@example.com,\001host=server.example.com\001port=143"
				       "\001auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
				       "\001\001";
	struct sasl *s = sasl_new(SASL_OAUTHBEARER, "user@example.com",
	    "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", "server.example.com", 143);
	const unsigned char *out;
	size_t len;

	assert_true(sasl_initial(s, &out, &len));
	test_expect_bytes(out, len, expected, sizeof expected - 1);
	test_step(s, "{\"status\":\"invalid_token\"}", "\001");
	assert_string_equal(sasl_server_error(s), "{\"status\":\"invalid_token\"}");
	sasl_free(s);
}

/* A NUL byte in a text challenge is refused. */
static void
test_nul_challenge(void **state)
{
	struct sasl *s = sasl_new(SASL_SCRAM_SHA_1, "u", "p", "h", 110);
	const unsigned char *out;
	size_t len;
	GError *error = NULL;

	assert_true(sasl_initial(s, &out, &len));
	assert_false(sasl_step(s, (const unsigned char *)"r=a\0b", 5, &out, &len, &error));
	assert_int_equal(error->code, SASL_ERROR_PROTOCOL);
	g_error_free(error);
	sasl_free(s);
	sasl_free(NULL);
}

/* RFC 1939 section 7: the APOP example. */
static void
test_apop_digest(void **state)
{
	char digest[33];

	sasl_apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf", digest);
	assert_string_equal(digest, "c4c9334bac560ecc979e58001b3e22fb");
}

/* The greeting's timestamp: a msg-id or nothing (CVE-2007-1558). */
static void
test_apop_timestamp(void **state)
{
	static const struct {
		const char *greeting;
		const char *timestamp; /* NULL: refused */
	} cases[] = {
		{ "POP3 server ready <1896.697170952@dbc.mtview.ca.us>",
		    "<1896.697170952@dbc.mtview.ca.us>" },
		{ "<a@b> and <c@d>", "<a@b>" },
		{ "ready", NULL },
		{ "ready <1896.697170952>", NULL },
		{ "ready <a@b", NULL },
		{ "ready <a b@c>", NULL },
		{ "ready <a\x80@b>", NULL },
		{ "ready <a\x01@b>", NULL },
		{ "ready <@b>", NULL },
		{ "ready <a@>", NULL },
		{ "ready <a<b@c>", NULL },
		{ "ready <>", NULL },
	};
	GString *long_ts = g_string_new("<");
	char *ts;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		ts = sasl_apop_timestamp(cases[i].greeting, strlen(cases[i].greeting));
		if (cases[i].timestamp == NULL) {
			if (ts != NULL)
				print_error("%s: accepted %s\n", cases[i].greeting, ts);
			assert_null(ts);
		} else {
			assert_non_null(ts);
			assert_string_equal(ts, cases[i].timestamp);
		}
		g_free(ts);
	}
	/* a NUL byte ends nothing: the length does */
	ts = sasl_apop_timestamp("x\0<a@b>", 7);
	assert_string_equal(ts, "<a@b>");
	g_free(ts);
	ts = sasl_apop_timestamp("<a\0@b>", 6);
	assert_null(ts);
	while (long_ts->len < SASL_APOP_MAX_TIMESTAMP)
		g_string_append_c(long_ts, 'x');
	g_string_append(long_ts, "@b>");
	assert_null(sasl_apop_timestamp(long_ts->str, long_ts->len));
	g_string_free(long_ts, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_cram_md5),
		cmocka_unit_test(test_scram_sha1),
		cmocka_unit_test(test_scram_sha256),
		cmocka_unit_test(test_scram_errors),
		cmocka_unit_test(test_scram_nonce_and_name),
		cmocka_unit_test(test_xoauth2),
		cmocka_unit_test(test_oauthbearer),
		cmocka_unit_test(test_nul_challenge),
		cmocka_unit_test(test_apop_digest),
		cmocka_unit_test(test_apop_timestamp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
