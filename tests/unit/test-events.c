/* Unit tests for events.c: the fetcher-to-display protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "surat/events.h"

/* Parse LINE, expecting success. */
static struct event
parse_ok(const char *line)
{
	struct event ev;
	GError *error = NULL;

	assert_true(events_parse(line, strlen(line), &ev, &error));
	assert_null(error);
	return ev;
}

/* Parse LINE, expecting a malformed-event error. */
static void
parse_bad(const char *line, size_t len)
{
	struct event ev;
	GError *error = NULL;

	assert_false(events_parse(line, len, &ev, &error));
	assert_non_null(error);
	g_error_free(error);
}

static void
test_every_kind_round_trips(void **state)
{
	const char *lines[] = {
		"hello 1\n",
		"start work 120 5242880\n",
		"msg work 17 4096\n",
		"stored work 17\n",
		"deleted home.2 3\n",
		"delay work 300\n",
		"warning work the server says EXPIRE 0\n",
		"error work auth the server rejected the password: -ERR [AUTH] nope\n",
		"done work 120 0\n",
		"send work 2\n",
		"sent work 41\n",
		"wait work 42 451 4.7.1 try again later\n",
		"refused work 43 550 5.1.1 no such user\n",
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(lines); i++) {
		char *line = g_strndup(lines[i], strlen(lines[i]) - 1);
		struct event ev = parse_ok(line);
		char *again = events_format(&ev);

		g_free(line);

		assert_string_equal(again, lines[i]);
		g_free(again);
	}
}

static void
test_fields(void **state)
{
	struct event ev = parse_ok("start work 120 5242880");

	assert_int_equal(ev.kind, EVENT_START);
	assert_string_equal(ev.account, "work");
	assert_int_equal(ev.a, 120);
	assert_int_equal(ev.b, 5242880);
	ev = parse_ok("error work tls certificate expired on 2026-01-01");
	assert_int_equal(ev.kind, EVENT_ERROR);
	assert_string_equal(ev.code, "tls");
	assert_string_equal(ev.text, "certificate expired on 2026-01-01");
	/* The sender's: the Outbox row, then why. */
	ev = parse_ok("wait work 42 451 4.7.1 try again later");
	assert_int_equal(ev.kind, EVENT_WAIT);
	assert_int_equal(ev.a, 42);
	assert_string_equal(ev.text, "451 4.7.1 try again later");
	ev = parse_ok("sent work 41");
	assert_int_equal(ev.kind, EVENT_SENT);
	assert_int_equal(ev.a, 41);
}

static void
test_unknown_event_is_not_an_error(void **state)
{
	struct event ev = parse_ok("sparkle work 1 2 3");

	assert_int_equal(ev.kind, EVENT_UNKNOWN);
}

static void
test_malformed_known_events(void **state)
{
	parse_bad("start work 12", 13);
	parse_bad("start work x 1", 14);
	parse_bad("start work -1 1", 15);
	parse_bad("start ../etc 1 1", 16);
	parse_bad("msg work 1 2 3", 14);
	parse_bad("hello", 5);
	parse_bad("stored work 99999999999999999999999", 35);
	parse_bad("", 0);
	parse_bad("done w\0rk 1 1", 13);
	parse_bad("sent work", 9);
	parse_bad("wait work x reason", 18);
	parse_bad("refused ../x 1 no", 17);
}

static void
test_long_line_rejected(void **state)
{
	GString *s = g_string_new("warning work ");

	while (s->len <= EVENTS_LINE_MAX)
		g_string_append_c(s, 'x');
	parse_bad(s->str, s->len);
	g_string_free(s, TRUE);
}

static void
test_hostile_text_made_safe(void **state)
{
	struct event ev;
	char *line;

	memset(&ev, 0, sizeof ev);
	ev.kind = EVENT_ERROR;
	g_strlcpy(ev.account, "work", sizeof ev.account);
	g_strlcpy(ev.code, "server", sizeof ev.code);
	g_strlcpy(ev.text, "-ERR \x1b[2J\nfake line\r\n", sizeof ev.text);
	line = events_format(&ev);
	/* One line, no escape: the server cannot forge a second event. */
	assert_string_equal(line, "error work server -ERR ^[[2J fake line \n");
	g_free(line);
	ev = parse_ok("warning work caf\xe9 \x1b]0;t\x07");
	assert_string_equal(ev.text, "caf\xef\xbf\xbd ^[]0;t^G");
}

static void
test_text_capped_at_a_character(void **state)
{
	struct event ev;
	GString *s = g_string_new("warning work ");
	size_t i;

	for (i = 0; i < 400; i++)
		g_string_append(s, "é"); /* two bytes each: 800 bytes */
	ev = parse_ok(s->str);
	assert_true(strlen(ev.text) <= EVENTS_TEXT_MAX);
	assert_true(g_utf8_validate(ev.text, -1, NULL));
	g_string_free(s, TRUE);
}

static void
test_write_to_pipe(void **state)
{
	int p[2];
	char buf[128];
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	events_send(p[1], EVENT_STORED, "work", 5, 0);
	events_send_text(p[1], EVENT_WARNING, "work", NULL, "careful");
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "stored work 5\nwarning work careful\n");
	close(p[0]);
}

/* What a reader handed to reader_line: each event's line again, or "!" and the error. */
static void
reader_line(const struct event *ev, const GError *error, void *data)
{
	GString *seen = data;
	char *line;

	if (ev == NULL) {
		g_string_append_printf(seen, "! %s\n", error->message);
		return;
	}
	if (ev->kind == EVENT_UNKNOWN) {
		g_string_append(seen, "?\n");
		return;
	}
	line = events_format(ev);
	g_string_append(seen, line);
	g_free(line);
}

static void
test_reader_joins_lines_across_reads(void **state)
{
	struct events_reader *reader = events_reader_new();
	GString *seen = g_string_new(NULL);
	GString *big = g_string_new("warning work ");
	int p[2];

	assert_int_equal(pipe(p), 0);
	/* A line in two writes: nothing until its newline. */
	assert_int_equal(write(p[1], "stored wo", 9), 9);
	assert_int_equal(events_reader_read(reader, p[0], reader_line, seen), EVENTS_READ_MORE);
	assert_string_equal(seen->str, "");
	assert_int_equal(write(p[1], "rk 5\nbogus line\nmsg work 1 200\nstart", 36), 36);
	assert_int_equal(events_reader_read(reader, p[0], reader_line, seen), EVENTS_READ_MORE);
	assert_string_equal(seen->str, "stored work 5\n?\nmsg work 1 200\n");
	/* A line with no end in sight is dropped with an error, not kept forever. */
	g_string_truncate(seen, 0);
	while (big->len <= EVENTS_LINE_MAX)
		g_string_append_c(big, 'x');
	assert_int_equal(write(p[1], big->str, big->len), (ssize_t)big->len);
	assert_int_equal(events_reader_read(reader, p[0], reader_line, seen), EVENTS_READ_MORE);
	assert_non_null(strstr(seen->str, "! an over-long line"));
	/* After a reset, what was partial is forgotten. */
	g_string_truncate(seen, 0);
	assert_int_equal(write(p[1], "done wo", 7), 7);
	assert_int_equal(events_reader_read(reader, p[0], reader_line, seen), EVENTS_READ_MORE);
	events_reader_reset(reader);
	assert_int_equal(write(p[1], "done work 3 1\n", 14), 14);
	close(p[1]);
	assert_int_equal(events_reader_read(reader, p[0], reader_line, seen), EVENTS_READ_MORE);
	assert_string_equal(seen->str, "done work 3 1\n");
	assert_int_equal(events_reader_read(reader, p[0], reader_line, seen), EVENTS_READ_END);
	close(p[0]);
	g_string_free(big, TRUE);
	g_string_free(seen, TRUE);
	events_reader_free(reader);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind_round_trips),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_unknown_event_is_not_an_error),
		cmocka_unit_test(test_malformed_known_events),
		cmocka_unit_test(test_long_line_rejected),
		cmocka_unit_test(test_hostile_text_made_safe),
		cmocka_unit_test(test_text_capped_at_a_character),
		cmocka_unit_test(test_write_to_pipe),
		cmocka_unit_test(test_reader_joins_lines_across_reads),
	};

	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
