/* Unit tests for pop3-parse.c: status lines, RESP-CODES, CAPA, STAT/LIST/UIDL lines and the body decoder at every split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "surat/pop3-parse.h"

/* Status lines: indicators, challenges, RESP-CODES and the text after them. */
static void
test_status(void **state)
{
	static const struct {
		const char *line;
		bool cont, ok;
		enum pop3_status_kind kind;
		enum pop3_resp_code code;
		const char *text;
	} cases[] = {
		{ "+OK", false, true, POP3_STATUS_OK, POP3_RESP_NONE, "" },
		{ "+OK 2 messages", false, true, POP3_STATUS_OK, POP3_RESP_NONE, "2 messages" },
		{ "+ok lower case", false, true, POP3_STATUS_OK, POP3_RESP_NONE, "lower case" },
		{ "+OKAY", false, false, 0, 0, NULL },
		{ "-ERR", false, true, POP3_STATUS_ERR, POP3_RESP_NONE, "" },
		{ "-ERR [IN-USE] Unable to lock maildrop", false, true, POP3_STATUS_ERR,
		    POP3_RESP_IN_USE, "Unable to lock maildrop" },
		{ "-ERR [LOGIN-DELAY] wait", false, true, POP3_STATUS_ERR, POP3_RESP_LOGIN_DELAY,
		    "wait" },
		{ "-ERR [SYS/TEMP] later", false, true, POP3_STATUS_ERR, POP3_RESP_SYS_TEMP,
		    "later" },
		{ "-ERR [sys/perm/quota] never", false, true, POP3_STATUS_ERR, POP3_RESP_SYS_PERM,
		    "never" },
		{ "-ERR [AUTH] Authentication failed.", false, true, POP3_STATUS_ERR,
		    POP3_RESP_AUTH, "Authentication failed." },
		{ "-ERR [AUTHX] no", false, true, POP3_STATUS_ERR, POP3_RESP_OTHER, "no" },
		{ "-ERR [UTF8] x", false, true, POP3_STATUS_ERR, POP3_RESP_OTHER, "x" },
		{ "-ERR [IN-USE", false, true, POP3_STATUS_ERR, POP3_RESP_NONE, "[IN-USE" },
		{ "-ERR []", false, true, POP3_STATUS_ERR, POP3_RESP_NONE, "[]" },
		{ "-ERRx", false, false, 0, 0, NULL },
		{ "+ ", true, true, POP3_STATUS_CONT, POP3_RESP_NONE, "" },
		{ "+", true, true, POP3_STATUS_CONT, POP3_RESP_NONE, "" },
		{ "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+  ", true, true, POP3_STATUS_CONT,
		    POP3_RESP_NONE, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+" },
		{ "+ abc", false, false, 0, 0, NULL },
		{ "", true, false, 0, 0, NULL },
		{ "hello", true, false, 0, 0, NULL },
	};
	struct pop3_status st;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool ok = pop3_parse_status(cases[i].line, strlen(cases[i].line), cases[i].cont,
		    &st);

		if (ok != cases[i].ok)
			print_error("case \"%s\"\n", cases[i].line);
		assert_int_equal(ok, cases[i].ok);
		if (!ok)
			continue;
		assert_int_equal(st.kind, cases[i].kind);
		assert_int_equal(st.code, cases[i].code);
		assert_int_equal(st.text_len, strlen(cases[i].text));
		assert_memory_equal(st.text, cases[i].text, st.text_len);
	}
	/* a long code in brackets is not a code */
	{
		GString *line = g_string_new("-ERR [");

		while (line->len < 200)
			g_string_append_c(line, 'A');
		g_string_append(line, "] x");
		assert_true(pop3_parse_status(line->str, line->len, false, &st));
		assert_int_equal(st.code, POP3_RESP_NONE);
		g_string_free(line, TRUE);
	}
}

/* Quoting sanitizes and caps. */
static void
test_quote(void **state)
{
	char big[1000], *q;

	q = pop3_quote("evil\x1b[31mred\r\nx", 16);
	assert_null(strchr(q, '\x1b'));
	assert_null(strchr(q, '\n'));
	g_free(q);
	memset(big, 'a', sizeof big);
	q = pop3_quote(big, sizeof big);
	assert_int_equal(strlen(q), POP3_MAX_QUOTE + 3);
	assert_true(g_str_has_suffix(q, "..."));
	g_free(q);
	q = pop3_quote("a\0b", 3);
	assert_string_equal(q, "a^@b");
	g_free(q);
}

/* Multi-line reply lines: the final ".", and byte-stuffing removed. */
static void
test_unstuff(void **state)
{
	const char *line;
	size_t len;

	line = ".";
	len = 1;
	assert_true(pop3_unstuff_line(&line, &len));
	line = "..";
	len = 2;
	assert_false(pop3_unstuff_line(&line, &len));
	assert_int_equal(len, 1);
	assert_memory_equal(line, ".", 1);
	line = "TOP";
	len = 3;
	assert_false(pop3_unstuff_line(&line, &len));
	assert_int_equal(len, 3);
	line = "";
	len = 0;
	assert_false(pop3_unstuff_line(&line, &len));
}

/* Feed the C string LINE to CAPS. */
static void
test_capa(struct pop3_caps *caps, const char *line, bool *per_user)
{
	pop3_caps_parse_line(caps, line, strlen(line), per_user);
}

/* CAPA lines, Dovecot's and odd ones. */
static void
test_caps(void **state)
{
	struct pop3_caps caps;
	bool per_user = false;
	char name[32];
	int i;

	pop3_caps_init(&caps);
	assert_int_equal(caps.login_delay, -1);
	assert_int_equal(caps.expire, POP3_EXPIRE_NONE);
	test_capa(&caps, "TOP", &per_user);
	test_capa(&caps, "uidl", &per_user);
	test_capa(&caps, "RESP-CODES", &per_user);
	test_capa(&caps, "PIPELINING", &per_user);
	test_capa(&caps, "AUTH-RESP-CODE", &per_user);
	test_capa(&caps, "STLS", &per_user);
	test_capa(&caps, "USER", &per_user);
	test_capa(&caps, "UTF8 USER", &per_user);
	test_capa(&caps, "SASL plain LOGIN  SCRAM-SHA-256 bad/name PLAIN "
			 "AVERYLONGMECHANISMNAMEOVER20", &per_user);
	test_capa(&caps, "SASL CRAM-MD5", &per_user);
	test_capa(&caps, "TOPX", &per_user);
	test_capa(&caps, "", &per_user);
	test_capa(&caps, "   ", &per_user);
	test_capa(&caps, "LOGIN-DELAY 900", &per_user);
	test_capa(&caps, "EXPIRE NEVER", &per_user);
	test_capa(&caps, "IMPLEMENTATION Evil\x1b[31m Server", &per_user);
	assert_true(caps.top && caps.uidl && caps.resp_codes && caps.pipelining &&
	    caps.auth_resp_code && caps.stls && caps.user && caps.utf8);
	assert_false(per_user);
	assert_int_equal(g_strv_length(caps.sasl), 4);
	assert_string_equal(caps.sasl[0], "PLAIN");
	assert_string_equal(caps.sasl[1], "LOGIN");
	assert_string_equal(caps.sasl[2], "SCRAM-SHA-256");
	assert_string_equal(caps.sasl[3], "CRAM-MD5");
	assert_true(pop3_caps_has_sasl(&caps, "scram-sha-256"));
	assert_false(pop3_caps_has_sasl(&caps, "SCRAM-SHA-1"));
	assert_int_equal(caps.login_delay, 900);
	assert_int_equal(caps.expire, POP3_EXPIRE_NEVER);
	assert_null(strchr(caps.implementation, '\x1b'));
	assert_non_null(strstr(caps.implementation, "Server"));

	test_capa(&caps, "EXPIRE 0", &per_user);
	assert_int_equal(caps.expire, 0);
	test_capa(&caps, "EXPIRE 31 USER", &per_user);
	assert_int_equal(caps.expire, 31);
	assert_true(per_user);
	test_capa(&caps, "EXPIRE x", NULL);
	test_capa(&caps, "LOGIN-DELAY 99999999999", NULL);
	test_capa(&caps, "LOGIN-DELAY -5", NULL);
	assert_int_equal(caps.expire, 31);
	assert_int_equal(caps.login_delay, 900);
	pop3_caps_clear(&caps);
	assert_null(caps.sasl);
	assert_false(caps.top);

	/* at most POP3_MAX_SASL mechanisms */
	for (i = 0; i < 100; i++) {
		g_snprintf(name, sizeof name, "SASL M%d", i);
		test_capa(&caps, name, NULL);
	}
	assert_int_equal(g_strv_length(caps.sasl), POP3_MAX_SASL);
	pop3_caps_clear(&caps);
}

/* Numbers, STAT, LIST: digits only, bounded, overflow refused. */
static void
test_numbers(void **state)
{
	unsigned int count, num;
	uint64_t v, size;
	size_t used;
	GError *error = NULL;

	assert_true(pop3_parse_number("18446744073709551615", 20, UINT64_MAX, &v, &used));
	assert_true(v == UINT64_MAX);
	assert_false(pop3_parse_number("18446744073709551616", 20, UINT64_MAX, &v, &used));
	assert_false(pop3_parse_number("11", 2, 10, &v, &used));
	assert_false(pop3_parse_number("-1", 2, 10, &v, &used));
	assert_false(pop3_parse_number("", 0, 10, &v, &used));
	assert_true(pop3_parse_number("007x", 4, 10, &v, &used));
	assert_int_equal(v, 7);
	assert_int_equal(used, 3);

	assert_true(pop3_parse_stat("2 320", 5, &count, &size, NULL));
	assert_int_equal(count, 2);
	assert_int_equal(size, 320);
	assert_true(pop3_parse_stat("0 0 extra", 9, &count, &size, NULL));
	assert_false(pop3_parse_stat("1000001 5", 9, &count, &size, &error));
	assert_non_null(strstr(error->message, "1000001 messages"));
	g_clear_error(&error);
	assert_false(pop3_parse_stat("4294967297 5", 12, &count, &size, &error));
	g_clear_error(&error);
	assert_false(pop3_parse_stat("2", 1, &count, &size, &error));
	assert_int_equal(error->code, POP3_ERROR_PROTOCOL);
	assert_non_null(strstr(error->message, "not \"count size\""));
	g_clear_error(&error);
	assert_false(pop3_parse_stat("two 3", 5, &count, &size, NULL));

	assert_true(pop3_parse_list_line("1 100", 5, &num, &size, NULL));
	assert_int_equal(num, 1);
	assert_int_equal(size, 100);
	assert_true(pop3_parse_list_line("7 100 extra", 11, &num, &size, NULL));
	assert_false(pop3_parse_list_line("1 100x", 6, &num, &size, NULL));
	assert_false(pop3_parse_list_line("1", 1, &num, &size, NULL));
	assert_false(pop3_parse_list_line("0 5", 3, &num, &size, NULL));
	assert_false(pop3_parse_list_line("1 18446744073709551616", 22, &num, &size, &error));
	assert_non_null(strstr(error->message, "LIST"));
	g_clear_error(&error);
	/* A size near 2^63 (or 2^64) is taken as the cap: sums cannot overflow. */
	assert_true(pop3_parse_list_line("2 9223372036854775807", 21, &num, &size, NULL));
	assert_true(size == POP3_MAX_SIZE);
	assert_true(pop3_parse_list_line("2 18446744073709551615", 22, &num, &size, NULL));
	assert_true(size == POP3_MAX_SIZE);
	assert_true(pop3_parse_list_line("2 1099511627776", 15, &num, &size, NULL));
	assert_true(size == POP3_MAX_SIZE);
	assert_true(pop3_parse_stat("3 18446744073709551615", 22, &count, &size, NULL));
	assert_true(size == POP3_MAX_SIZE * POP3_MAX_MESSAGES);
}

/* UIDL lines: 1..70 printable ASCII, numbers in range. */
static void
test_uidl_lines(void **state)
{
	static const struct {
		const char *line;
		const char *uidl;     /* NULL: refused */
		const char *fragment; /* in the error */
	} cases[] = {
		{ "1 whqtswO00WBw418f9t5JxYwZ", "whqtswO00WBw418f9t5JxYwZ", NULL },
		{ "2 ../x", "../x", NULL },
		{ "3 abc  ", "abc", NULL },
		{ "4  two-spaces", "two-spaces", NULL },
		{ "1 ", NULL, "empty" },
		{ "1", NULL, "malformed" },
		{ "0 abc", NULL, "malformed" },
		{ "1000001 abc", NULL, "malformed" },
		{ "x abc", NULL, "malformed" },
		{ "1 a b", NULL, "0x20" },
		{ "1 a\tb", NULL, "0x09" },
		{ "1 a\x7f", NULL, "0x7f" },
		{ "1 caf\xc3\xa9", NULL, "0xc3" },
	};
	char uidl[POP3_MAX_UIDL + 1], line[100];
	unsigned int num;
	GError *error = NULL;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		bool ok = pop3_parse_uidl_line(cases[i].line, strlen(cases[i].line), &num, uidl,
		    &error);

		if (ok != (cases[i].uidl != NULL))
			print_error("case \"%s\": %s\n", cases[i].line,
			    error != NULL ? error->message : "accepted");
		assert_int_equal(ok, cases[i].uidl != NULL);
		if (ok) {
			assert_string_equal(uidl, cases[i].uidl);
		} else {
			assert_int_equal(error->code, POP3_ERROR_PROTOCOL);
			assert_non_null(strstr(error->message, cases[i].fragment));
			g_clear_error(&error);
		}
	}
	/* a NUL byte inside */
	assert_false(pop3_parse_uidl_line("1 a\0b", 5, &num, uidl, &error));
	assert_non_null(strstr(error->message, "0x00"));
	g_clear_error(&error);
	/* 70 characters pass, 71 do not */
	memset(line, 'u', sizeof line);
	line[0] = '9';
	line[1] = ' ';
	assert_true(pop3_parse_uidl_line(line, 2 + 70, &num, uidl, NULL));
	assert_int_equal(strlen(uidl), 70);
	assert_false(pop3_parse_uidl_line(line, 2 + 71, &num, uidl, &error));
	assert_non_null(strstr(error->message, "71 bytes"));
	g_clear_error(&error);
}

/* Decode WIRE (LEN) fed at every split point and byte by byte; expect OUT and USED. */
static void
test_body_case(const char *wire, size_t len, const char *out, size_t out_len, size_t used_e)
{
	struct pop3_body b;
	enum pop3_body_result r;
	size_t split, used, total, i;

	pop3_body_init(&b, POP3_MAX_MESSAGE);
	for (split = 0; split <= len; split++) {
		pop3_body_reset(&b);
		r = pop3_body_feed(&b, wire, split, &used);
		total = used;
		if (r == POP3_BODY_MORE) {
			assert_int_equal(used, split);
			r = pop3_body_feed(&b, wire + split, len - split, &used);
			total += used;
		}
		assert_int_equal(r, POP3_BODY_DONE);
		assert_int_equal(total, used_e);
		assert_int_equal(b.wire, used_e);
		if (b.len != out_len || (out_len > 0 && memcmp(b.data, out, out_len) != 0)) {
			char *raw = g_strndup(b.data, b.len), *e = g_strescape(raw, NULL);

			print_error("split %zu: got \"%s\"\n", split, e);
			g_free(raw);
			g_free(e);
		}
		assert_int_equal(b.len, out_len);
		assert_memory_equal(b.data != NULL ? b.data : "", out, out_len);
	}
	pop3_body_reset(&b);
	for (i = 0, total = 0, r = POP3_BODY_MORE; i < len && r == POP3_BODY_MORE; i++) {
		r = pop3_body_feed(&b, wire + i, 1, &used);
		total += used;
	}
	assert_int_equal(r, POP3_BODY_DONE);
	assert_int_equal(total, used_e);
	assert_int_equal(b.len, out_len);
	pop3_body_clear(&b);
}

#define BODY(wire, out, used) test_body_case(wire, sizeof wire - 1, out, sizeof out - 1, used)

/* Dot-stuffing, CRLF and bare LF, CRs, NUL and 8-bit bytes, the end of a message. */
static void
test_body(void **state)
{
	BODY("Hello\r\nWorld\r\n.\r\n", "Hello\nWorld\n", 17);
	BODY(".\r\n", "", 3);
	BODY("\r\n.\r\n", "\n", 5);
	BODY("..\r\n.\r\n", ".\n", 7);
	BODY("...\r\n.\r\n", "..\n", 8);
	BODY(".x\r\n.\r\n", "x\n", 7);
	BODY(" .\r\n.\r\n", " .\n", 7);
	BODY("a\r\n.\r\nNEXT", "a\n", 6);
	BODY("a\nb\n.\n", "a\nb\n", 6);
	BODY("a\r\n.\nX", "a\n", 5);
	BODY("a\r\r\n.\r\n", "a\r\n", 7);
	BODY("a\rb\r\n.\r\n", "a\rb\n", 8);
	BODY(".\r\r\n.\r\n", "\r\n", 7);
	BODY("a\r\n.\rb\r\n.\r\n", "a\n\rb\n", 11);
	BODY("x\r\n..\r\n.\r\n", "x\n.\n", 10);
	BODY("\0\x01\xff\r\n\0\r\n.\r\n", "\0\x01\xff\n\0\n", 11);
	BODY("no newline at end.\r\n.\r\n", "no newline at end.\n", 23);
}

/* A message without its final "." needs more; past the cap is TOO_BIG. */
static void
test_body_edges(void **state)
{
	struct pop3_body b;
	size_t used;
	GString *line = g_string_new(NULL);

	pop3_body_init(&b, 10);
	assert_int_equal(pop3_body_feed(&b, "abc\r\n", 5, &used), POP3_BODY_MORE);
	assert_int_equal(used, 5);
	assert_int_equal(pop3_body_feed(&b, "", 0, &used), POP3_BODY_MORE);
	assert_int_equal(pop3_body_feed(&b, "123456\r\n", 8, &used), POP3_BODY_TOO_BIG);
	pop3_body_reset(&b);
	assert_int_equal(pop3_body_feed(&b, "123456789\r\n.\r\n", 14, &used), POP3_BODY_DONE);
	assert_int_equal(b.len, 10);
	/* after DONE, more input is not taken */
	assert_int_equal(pop3_body_feed(&b, "x", 1, &used), POP3_BODY_DONE);
	assert_int_equal(used, 0);
	pop3_body_clear(&b);

	/* one line of 1 MB in 7-byte pieces: no truncation */
	pop3_body_init(&b, POP3_MAX_MESSAGE);
	while (line->len < 1024 * 1024)
		g_string_append(line, "0123456789abcdef");
	g_string_append(line, "\r\n.\r\n");
	{
		size_t off = 0;
		enum pop3_body_result r = POP3_BODY_MORE;

		while (r == POP3_BODY_MORE) {
			size_t n = MIN((size_t)7, line->len - off);

			r = pop3_body_feed(&b, line->str + off, n, &used);
			off += used;
		}
		assert_int_equal(r, POP3_BODY_DONE);
		assert_int_equal(off, line->len);
	}
	assert_int_equal(b.len, 1024 * 1024 + 1);
	assert_int_equal(b.data[b.len - 1], '\n');
	pop3_body_clear(&b);
	g_string_free(line, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_unstuff),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_uidl_lines),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_body_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
