/*
 * fuzz-events: libFuzzer target over the fetcher -> TUI line protocol
 * (events.h), both ways.
 *
 * Reading: every line of the input goes through events_parse.  Whatever
 * parses as a known event has clean fields (a valid account name, numbers
 * >= 0, a code and a text that are sanitized, one word and capped) and
 * encodes back to one line that parses to the same event, which encodes to
 * the same line again.
 *
 * Writing: an event built from the input (any kind, a valid account, numbers
 * >= 0, and the rest of the input as the text a server sent) encodes to one
 * line that parses back to it, its text sanitized and capped.
 *
 * No global setup; replay.c runs the corpus in every build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "surat/config.h"
#include "surat/events.h"
#include "surat/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless A and B are the same event. */
static void
fuzz_same(const struct event *a, const struct event *b)
{
	if (a->kind != b->kind || strcmp(a->account, b->account) != 0 || a->a != b->a ||
	    a->b != b->b || strcmp(a->code, b->code) != 0 || strcmp(a->text, b->text) != 0)
		abort();
}

/* Abort unless LINE is exactly one event line: not too long, one newline, at its end. */
static size_t
fuzz_one_line(const char *line)
{
	size_t len = strlen(line);

	if (len == 0 || len > EVENTS_LINE_MAX + 1 || line[len - 1] != '\n' ||
	    memchr(line, '\n', len - 1) != NULL)
		abort();
	return len - 1;
}

/* Abort unless the fields of the parsed event EV are clean. */
static void
fuzz_clean(const struct event *ev)
{
	if (ev->kind != EVENT_HELLO && !config_account_name_valid(ev->account))
		abort();
	if (ev->a < 0 || ev->b < 0)
		abort();
	if (!sanitize_is_clean(ev->text, 0) || strlen(ev->text) > EVENTS_TEXT_MAX)
		abort();
	if (!sanitize_is_clean(ev->code, 0) || strchr(ev->code, ' ') != NULL)
		abort();
	if (ev->kind == EVENT_ERROR && ev->code[0] == '\0')
		abort();
}

/* Parse one line; a known event must be clean and survive format -> parse -> format. */
static void
fuzz_parse(const char *line, size_t len)
{
	struct event ev, again;
	GError *error = NULL;
	char *out, *out2;
	size_t n;

	if (!events_parse(line, len, &ev, &error)) {
		if (error == NULL || ev.kind != EVENT_UNKNOWN)
			abort();
		g_error_free(error);
		return;
	}
	if (error != NULL)
		abort();
	if (ev.kind == EVENT_UNKNOWN)
		return;
	fuzz_clean(&ev);
	out = events_format(&ev);
	n = fuzz_one_line(out);
	if (!events_parse(out, n, &again, NULL))
		abort();
	fuzz_same(&ev, &again);
	out2 = events_format(&again);
	if (strcmp(out, out2) != 0)
		abort();
	g_free(out2);
	g_free(out);
}

/* A number >= 0 from up to 8 bytes at *P; small ones are as likely as large. */
static int64_t
fuzz_number(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8 && *p < end; i++, (*p)++)
		v = v << 8 | **p;
	return (int64_t)(v & INT64_MAX);
}

/* Build an event from the input, as a fetcher would send it, and read it back. */
static void
fuzz_write(const uint8_t *data, size_t size)
{
	static const char *const codes[] = { "io", "timeout", "tls", "insecure", "protocol",
		"auth", "in-use", "login-delay", "sys-temp", "sys-perm", "server", "unsupported",
		"abort", "lock", "store", "config" };
	static const char alphabet[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	static const enum events_kind kinds[] = { EVENT_HELLO, EVENT_START, EVENT_MSG,
		EVENT_STORED, EVENT_DELETED, EVENT_DELAY, EVENT_WARNING, EVENT_ERROR, EVENT_DONE,
		EVENT_SEND, EVENT_SENT, EVENT_WAIT, EVENT_REFUSED };
	const uint8_t *p = data, *end = data + size;
	struct event ev, back;
	char *line, *text;
	size_t n, i, alen;

	if (size < 2)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = kinds[*p++ % G_N_ELEMENTS(kinds)];
	alen = 1 + *p++ % ACCOUNT_NAME_MAX;
	for (i = 0; i < alen && p < end; i++)
		ev.account[i] = alphabet[*p++ % (sizeof alphabet - 1)];
	if (ev.kind != EVENT_HELLO && !config_account_name_valid(ev.account))
		return;
	ev.a = fuzz_number(&p, end);
	ev.b = fuzz_number(&p, end);
	if (p < end)
		g_strlcpy(ev.code, codes[*p++ % G_N_ELEMENTS(codes)], sizeof ev.code);
	/* The text as a server may have sent it: any bytes but NUL (it is a C string). */
	text = g_strndup((const char *)p, (size_t)(end - p));
	g_strlcpy(ev.text, text, sizeof ev.text);
	g_free(text);
	switch (ev.kind) {
	case EVENT_HELLO:
		ev.account[0] = '\0';
		/* fall through */
	case EVENT_STORED:
	case EVENT_DELETED:
	case EVENT_DELAY:
	case EVENT_SEND:
	case EVENT_SENT:
		ev.b = 0;
		/* fall through */
	case EVENT_START:
	case EVENT_MSG:
	case EVENT_DONE:
		ev.code[0] = '\0';
		ev.text[0] = '\0';
		break;
	case EVENT_WARNING:
		ev.code[0] = '\0';
		/* fall through */
	case EVENT_ERROR:
		ev.a = ev.b = 0;
		break;
	case EVENT_WAIT:
	case EVENT_REFUSED:
		ev.code[0] = '\0';
		ev.b = 0;
		break;
	case EVENT_UNKNOWN:
		return;
	}
	line = events_format(&ev);
	n = fuzz_one_line(line);
	if (!events_parse(line, n, &back, NULL))
		abort();
	fuzz_clean(&back);
	if (ev.kind == EVENT_ERROR && ev.code[0] == '\0')
		g_strlcpy(ev.code, "io", sizeof ev.code); /* what events_format writes for none */
	/* The text comes back sanitized and cut, nothing else changed. */
	text = sanitize_text(ev.text, -1, 0);
	if (strncmp(back.text, text, strlen(back.text)) != 0 ||
	    (strlen(text) <= EVENTS_TEXT_MAX && strcmp(back.text, text) != 0) ||
	    (strlen(text) > EVENTS_TEXT_MAX && strlen(back.text) + 3 < EVENTS_TEXT_MAX))
		abort();
	g_free(text);
	g_strlcpy(ev.text, back.text, sizeof ev.text);
	fuzz_same(&ev, &back);
	g_free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct event ev;

	/* The whole input as one line (it may hold NUL and newlines), then each line. */
	if (events_parse((const char *)data, size, &ev, NULL) && ev.kind != EVENT_UNKNOWN)
		fuzz_clean(&ev);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		fuzz_parse(p, (size_t)((nl != NULL ? nl : end) - p));
		p = nl != NULL ? nl + 1 : end;
	}
	fuzz_write(data, size);
	return 0;
}
