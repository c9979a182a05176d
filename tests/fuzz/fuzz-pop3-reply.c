/*
 * fuzz-pop3-reply: libFuzzer target over everything pop3.c parses from a
 * server: status lines with RESP-CODES, CAPA, STAT, LIST and UIDL lines,
 * multi-line bodies (decoded whole and in pieces, which must agree), the
 * APOP timestamp, and SASL challenges.  No global setup; the replay driver
 * (replay.c) runs the corpus under the normal ASan build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "surat/pop3-parse.h"
#include "surat/sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_BODY 4096 /* small, so the cap is reached too */

/* Every line parser on one line. */
static void
fuzz_line(struct pop3_caps *caps, const char *line, size_t len)
{
	struct pop3_status st;
	char uidl[POP3_MAX_UIDL + 1];
	unsigned int num, count;
	uint64_t size;
	const char *l = line;
	size_t n = len;
	GError *error = NULL;
	char *q;

	if (pop3_parse_status(line, len, true, &st)) {
		if (st.text_len > len || (st.code_text != NULL && st.code_len == 0))
			abort();
		if (pop3_parse_stat(st.text, st.text_len, &count, &size, &error) &&
		    count > POP3_MAX_MESSAGES)
			abort();
		g_clear_error(&error);
		q = pop3_quote(st.text, st.text_len);
		g_free(q);
	}
	(void)pop3_unstuff_line(&l, &n);
	pop3_caps_parse_line(caps, l, n, NULL);
	if (pop3_parse_uidl_line(l, n, &num, uidl, &error)) {
		size_t i, ul = strlen(uidl);

		if (ul == 0 || ul > POP3_MAX_UIDL || num == 0 || num > POP3_MAX_MESSAGES)
			abort();
		for (i = 0; i < ul; i++)
			if (uidl[i] < 0x21 || uidl[i] > 0x7e)
				abort();
	}
	g_clear_error(&error);
	(void)pop3_parse_list_line(l, n, &num, &size, &error);
	g_clear_error(&error);
}

/* The body decoder, whole and in pieces whose sizes come from the input: both must agree. */
static void
fuzz_body(const char *data, size_t size)
{
	struct pop3_body whole, parts;
	enum pop3_body_result r1, r2 = POP3_BODY_MORE;
	size_t used1, used2 = 0, off = 0, step, used;

	pop3_body_init(&whole, FUZZ_MAX_BODY);
	pop3_body_init(&parts, FUZZ_MAX_BODY);
	pop3_body_reset(&whole);
	pop3_body_reset(&parts);
	r1 = pop3_body_feed(&whole, data, size, &used1);
	while (off < size && r2 == POP3_BODY_MORE) {
		step = 1 + (unsigned char)data[off] % 7;
		if (step > size - off)
			step = size - off;
		r2 = pop3_body_feed(&parts, data + off, step, &used);
		off += used;
		used2 += used;
	}
	if (r1 != r2 || whole.len > FUZZ_MAX_BODY || used1 > size)
		abort();
	if (r1 == POP3_BODY_DONE &&
	    (used1 != used2 || whole.len != parts.len || whole.len > used1 ||
		(whole.len > 0 && memcmp(whole.data, parts.data, whole.len) != 0)))
		abort();
	pop3_body_clear(&whole);
	pop3_body_clear(&parts);
}

/* SASL mechanisms answering the input as a challenge. */
static void
fuzz_sasl(const uint8_t *data, size_t size)
{
	static const enum sasl_mech mechs[] = { SASL_PLAIN, SASL_LOGIN, SASL_CRAM_MD5,
		SASL_SCRAM_SHA_1, SASL_XOAUTH2, SASL_OAUTHBEARER };
	const unsigned char *out;
	size_t i, len;
	struct sasl *s;
	GError *error = NULL;

	for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++) {
		s = sasl_new(mechs[i], "user", "pencil", "host", 110);
		sasl_set_client_nonce(s, "fyko+d2lbbFgONRv9qkxdawL");
		(void)sasl_initial(s, &out, &len);
		if (sasl_step(s, data, size, &out, &len, &error))
			(void)sasl_step(s, data, size, &out, &len, NULL);
		g_clear_error(&error);
		(void)sasl_finish(s, NULL);
		sasl_free(s);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct pop3_caps caps;
	char *ts;

	pop3_caps_init(&caps);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		fuzz_line(&caps, p, (size_t)((nl != NULL ? nl : end) - p));
		p = nl != NULL ? nl + 1 : end;
	}
	if (caps.sasl != NULL && g_strv_length(caps.sasl) > POP3_MAX_SASL)
		abort();
	pop3_caps_clear(&caps);
	fuzz_body((const char *)data, size);
	ts = sasl_apop_timestamp((const char *)data, size);
	if (ts != NULL && (ts[0] != '<' || strchr(ts, '@') == NULL ||
			      ts[strlen(ts) - 1] != '>' || strlen(ts) > SASL_APOP_MAX_TIMESTAMP))
		abort();
	g_free(ts);
	if (size <= 4096)
		fuzz_sasl(data, size);
	return 0;
}
