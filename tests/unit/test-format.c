/* Unit tests for format.c: mutt's line formats, compiled and laid out in columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <glib.h>

#include "surat/format.h"
#include "surat/width.h"

/* The values a fake message gives; a NULL one is "". */
struct fake {
	const char *name, *subject, *tree, *size, *lines, *list;
	int64_t date;
	int last_cols; /* what %s was offered */
};

static void
fake_field(void *data, char code, const char *arg, int cols, struct format_field *out)
{
	struct fake *f = data;
	const char *v = NULL;

	switch (code) {
	case 'n':
		v = f->name;
		break;
	case 'c':
		v = f->size;
		break;
	case 'l':
		v = f->lines;
		break;
	case 'L':
		v = f->list;
		break;
	case 's':
		f->last_cols = cols;
		if (f->tree != NULL && (cols < 0 || cols > 8)) {
			char *t = width_fit(f->tree, cols < 0 ? width_of(f->tree) :
			    MIN(width_of(f->tree), cols / 2), 0);

			out->mark_start = (gssize)out->text->len;
			g_string_append(out->text, t);
			out->mark_end = (gssize)out->text->len;
			g_free(t);
		}
		v = f->subject;
		break;
	case '{':
		format_date(out->text, f->date, arg, f->date);
		return;
	default:
		v = "?";
	}
	g_string_append(out->text, v != NULL ? v : "");
}

/* TEXT compiled for the index and expanded for F into COLS columns (g_free). */
static char *
expand(const char *text, struct fake *f, int cols, GArray *marks)
{
	GError *error = NULL;
	struct format *fmt = format_compile(text, FORMAT_INDEX, &error);
	GString *out = g_string_new(NULL);

	assert_null(error);
	assert_non_null(fmt);
	format_expand(fmt, cols, fake_field, f, out, marks);
	format_free(fmt);
	return g_string_free(out, FALSE);
}

/* The error compiling TEXT for KIND (g_free), or fail. */
static char *
compile_error(const char *text, enum format_kind kind)
{
	GError *error = NULL;
	struct format *fmt = format_compile(text, kind, &error);
	char *msg;

	assert_null(fmt);
	assert_non_null(error);
	msg = g_strdup(error->message);
	g_error_free(error);
	return msg;
}

static void
test_widths_and_justify(void **state)
{
	struct fake f = { .name = "Alice Example", .size = "12K", .subject = "Hi" };
	char *s;

	(void)state;
	s = expand("[%-8.8n]", &f, -1, NULL);
	assert_string_equal(s, "[Alice Ex]");
	g_free(s);
	s = expand("[%6c][%-6c][%c]", &f, -1, NULL);
	assert_string_equal(s, "[   12K][12K   ][12K]");
	g_free(s);
	s = expand("[%.3n] 100%%", &f, -1, NULL);
	assert_string_equal(s, "[Ali] 100%");
	g_free(s);
	/* Without a fill the line is cut, never padded. */
	s = expand("%n %s", &f, 8, NULL);
	assert_string_equal(s, "Alice Ex");
	g_free(s);
}

static void
test_wide_characters(void **state)
{
	struct fake f = { .name = "山田太郎", .subject = "会議の日程" };
	char *s;

	(void)state;
	/* Five columns hold two CJK characters and a space, never half of one. */
	s = expand("[%-5.5n]", &f, -1, NULL);
	assert_string_equal(s, "[山田 ]");
	g_free(s);
	s = expand("[%5.5n]", &f, -1, NULL);
	assert_string_equal(s, "[ 山田]");
	g_free(s);
	s = expand("%-10.10n|%s", &f, 15, NULL);
	assert_string_equal(s, "山田太郎  |会議");
	assert_true(width_of(s) <= 15);
	g_free(s);
}

static void
test_fills(void **state)
{
	struct fake f = { .name = "Bob", .size = "1.2K",
		.subject = "A rather long subject that does not fit" };
	char *s;

	(void)state;
	/* %* : the subject gives way, the size stays at the right edge. */
	s = expand("%n %s%*  %5c", &f, 30, NULL);
	assert_string_equal(s, "Bob A rather long subjec  1.2K");
	g_free(s);
	assert_int_equal(f.last_cols, 30 - 4 - 6);
	/* %> pads with its character. */
	f.subject = "Hi";
	s = expand("%n %s%>.%c", &f, 16, NULL);
	assert_string_equal(s, "Bob Hi......1.2K");
	g_free(s);
	/* %| pads to the end of the line. */
	s = expand("-- %n %|-", &f, 12, NULL);
	assert_string_equal(s, "-- Bob -----");
	g_free(s);
	/* %> when the fixed part is too wide: the right part is what gives way (mutt). */
	f.name = "Maximilian Mustermann";
	s = expand("%n%> %c", &f, 12, NULL);
	assert_string_equal(s, "Maximilian M");
	g_free(s);
	/* %* : the left part gives way (neomutt). */
	s = expand("%n%*  %c", &f, 12, NULL);
	assert_string_equal(s, "Maximil 1.2K");
	g_free(s);
	/* A wide pad character fills whole columns, a space what it leaves. */
	f.name = "ab";
	s = expand("%n%>日%c", &f, 11, NULL);
	assert_string_equal(s, "ab日日 1.2K");
	g_free(s);
}

static void
test_tree_mark(void **state)
{
	struct fake f = { .name = "Ann", .size = "9", .tree = "└─>", .subject = "Re: plan" };
	GArray *marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
	const struct format_mark *m;
	char *s;

	(void)state;
	s = expand("%-5.5n%s%* %c", &f, 24, marks);
	assert_string_equal(s, "Ann  └─>Re: plan       9");
	assert_int_equal(marks->len, 1);
	m = &g_array_index(marks, struct format_mark, 0);
	assert_int_equal(m->start, 5);
	assert_int_equal(m->end - m->start, strlen("└─>"));
	assert_memory_equal(s + m->start, "└─>", m->end - m->start);
	g_free(s);
	/* Right-justified: the mark moves with the padding. */
	g_array_set_size(marks, 0);
	s = expand("%12.12s|", &f, -1, marks);
	assert_string_equal(s, " └─>Re: plan|");
	m = &g_array_index(marks, struct format_mark, 0);
	assert_int_equal(m->start, 1);
	g_free(s);
	/* A cut line keeps only what is left of the mark. */
	g_array_set_size(marks, 0);
	s = expand("%s", &f, 2, marks);
	assert_int_equal(marks->len, 0); /* 2 columns: too narrow for a tree */
	g_free(s);
	g_array_free(marks, TRUE);
}

static void
test_conditionals(void **state)
{
	struct fake f = { .size = "3K", .lines = "0", .list = "" };
	char *s;

	(void)state;
	/* mutt's example: %l is 0 (not known), so the size shows. */
	s = expand("(%?l?%4l&%4c?)", &f, -1, NULL);
	assert_string_equal(s, "(  3K)");
	g_free(s);
	f.lines = "42";
	s = expand("(%?l?%4l&%4c?)", &f, -1, NULL);
	assert_string_equal(s, "(  42)");
	g_free(s);
	s = expand("[%?L?list %L?]", &f, -1, NULL);
	assert_string_equal(s, "[]");
	g_free(s);
	f.list = "debian";
	s = expand("[%?L?list %L?]", &f, -1, NULL);
	assert_string_equal(s, "[list debian]");
	g_free(s);
	/* neomutt's %<x?yes&no>, its default; and conditionals inside conditionals. */
	f.lines = "0";
	s = expand("(%<l?%4l&%4c>)", &f, -1, NULL);
	assert_string_equal(s, "(  3K)");
	g_free(s);
	s = expand("%<l?lines&%<L?on %L&%?c?size?>>", &f, -1, NULL);
	assert_string_equal(s, "on debian");
	g_free(s);
	f.list = "";
	s = expand("%<l?lines&%<L?on %L&%?c?size?>>", &f, -1, NULL);
	assert_string_equal(s, "size");
	g_free(s);
}

static void
test_mutt_default(void **state)
{
	struct fake f = { .name = "Tomás García", .size = "802", .lines = "0",
		.subject = "Mail relay migration plan", .date = 0 };
	GError *error = NULL;
	struct format *fmt = format_compile("%4C %Z %{%b %d} %-15.15L (%?l?%4l&%4c?) %s",
	    FORMAT_INDEX, &error);

	(void)state;
	assert_null(error);
	format_free(fmt);
	/* neomutt's default, and mutt's pager default for pager_format. */
	fmt = format_compile("%4C %Z %{%b %d} %-15.15L (%<l?%4l&%4c>) %s", FORMAT_INDEX, &error);
	assert_null(error);
	format_free(fmt);
	fmt = format_compile("-%Z- %C/%m: %-20.20n   %s%*  -- (%P)", FORMAT_PAGER, &error);
	assert_null(error);
	format_free(fmt);
	(void)f;
}

static void
test_errors(void **state)
{
	char *msg;

	(void)state;
	msg = compile_error("%4C %Q %s", FORMAT_INDEX);
	assert_non_null(strstr(msg, "unknown code %Q"));
	assert_non_null(strstr(msg, "%a %b %c %C %d %D"));
	assert_non_null(strstr(msg, "at character 5"));
	g_free(msg);
	msg = compile_error("%{%Y-%m-%d", FORMAT_INDEX);
	assert_non_null(strstr(msg, "not closed with }"));
	g_free(msg);
	msg = compile_error("%?l?%4l&%4c", FORMAT_INDEX);
	assert_non_null(strstr(msg, "not closed with a ?"));
	g_free(msg);
	msg = compile_error("(%<l?%4l&%4c)", FORMAT_INDEX);
	assert_non_null(strstr(msg, "%<l?...> is not closed with a >"));
	g_free(msg);
	msg = compile_error("%?l?%>-?", FORMAT_INDEX);
	assert_non_null(strstr(msg, "cannot be inside"));
	g_free(msg);
	msg = compile_error("50%", FORMAT_INDEX);
	assert_non_null(strstr(msg, "write %% for a percent sign"));
	g_free(msg);
	msg = compile_error("%|- then", FORMAT_STATUS);
	assert_non_null(strstr(msg, "nothing may follow"));
	g_free(msg);
	/* Each kind knows its own codes: %Z is a message's, %V the view's. */
	msg = compile_error("%Z", FORMAT_STATUS);
	assert_non_null(strstr(msg, "%A %C %E %f"));
	g_free(msg);
	msg = compile_error("%V", FORMAT_INDEX);
	assert_non_null(strstr(msg, "unknown code %V"));
	g_free(msg);
	msg = compile_error("%P", FORMAT_INDEX);
	assert_non_null(strstr(msg, "unknown code %P"));
	g_free(msg);
	msg = compile_error("%{%H}", FORMAT_STATUS);
	assert_non_null(strstr(msg, "a message's date"));
	g_free(msg);
}

/* T as FORMAT, counted from NOW (UTC). */
static char *
date(int64_t t, const char *format, int64_t now)
{
	GString *out = g_string_new(NULL);

	format_date(out, t, format, now);
	return g_string_free(out, FALSE);
}

static void
test_dates(void **state)
{
	/* Wed 2026-12-02 15:30 UTC. */
	const int64_t now = 1796225400;
	char *s;

	(void)state;
	s = date(now - 3600, "relative", now);
	assert_string_equal(s, "14:30");
	g_free(s);
	s = date(now - 15 * 3600 - 1800, "relative", now); /* 00:00 the same day */
	assert_string_equal(s, "00:00");
	g_free(s);
	s = date(now - 16 * 3600, "relative", now); /* Tue 23:30 */
	assert_string_equal(s, "Tue 23:30");
	g_free(s);
	s = date(now - 6 * 86400, "relative", now); /* Thu a week before: still this week */
	assert_string_equal(s, "Thu 15:30");
	g_free(s);
	s = date(now - 7 * 86400, "relative", now);
	assert_string_equal(s, "Nov 25");
	g_free(s);
	s = date(now + 3 * 86400, "relative", now); /* from a clock ahead of ours */
	assert_string_equal(s, "Dec 05");
	g_free(s);
	s = date(now - 400 * 86400, "relative", now);
	assert_string_equal(s, "2025-10-28");
	g_free(s);
	s = date(now, "%Y-%m-%d %H:%M", now);
	assert_string_equal(s, "2026-12-02 15:30");
	g_free(s);
	/* A date code in a format, cut by its width. */
	{
		struct fake f = { .date = now };

		s = expand("[%-6.6{%a, %d %b}]", &f, -1, NULL);
		assert_string_equal(s, "[Wed, 0]");
		g_free(s);
	}
}

/* A literal escape in the format never reaches the terminal. */
static void
test_literal_is_sanitized(void **state)
{
	struct fake f = { .name = "x" };
	char *s;

	(void)state;
	s = expand("\x1b[2J%n", &f, -1, NULL);
	assert_null(strchr(s, '\x1b'));
	g_free(s);
}

/*
 * Formats put together at random from the pieces a person writes, expanded
 * at random widths over values with wide and combining characters: every
 * line is valid UTF-8, no wider than asked, its marks inside it, and ASan
 * sees no byte out of place.
 */
static void
test_random_layouts(void **state)
{
	static const char *const pieces[] = { "%s", "%-8.8n", "%5c", "%n", "%-3.3s", " ", "|",
		"%>.", "%*-", "%|=", "%?l?[%l]&(%c)?", "%?L?%L?", "%{%d}", "%-4.4{%b}", "日",
		"e\xcc\x81", "%%", "%12s", "%.1n", "%<l?%<L?%s&y>&%-3.3s>" };
	static const char *const names[] = { "", "Bob", "山田太郎", "e\xcc\x81" "e\xcc\x81",
		"a b c d e f g" };
	static const char *const trees[] = { NULL, "└─>", "│  ├─>", "日本" };
	GRand *rand = g_rand_new_with_seed(13);
	GString *text = g_string_new(NULL), *out = g_string_new(NULL);
	GArray *marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
	int i, j, laid = 0, marked = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		struct fake f = { .name = names[g_rand_int_range(rand, 0, G_N_ELEMENTS(names))],
			.subject = names[g_rand_int_range(rand, 0, G_N_ELEMENTS(names))],
			.tree = trees[g_rand_int_range(rand, 0, G_N_ELEMENTS(trees))],
			.size = "1.2K", .lines = i % 2 ? "0" : "7", .list = i % 3 ? "" : "list",
			.date = 1796225400 };
		int cols = g_rand_int_range(rand, -1, 40);
		struct format *fmt;
		guint k;

		g_string_truncate(text, 0);
		for (j = g_rand_int_range(rand, 1, 7); j > 0; j--)
			g_string_append(text, pieces[g_rand_int_range(rand, 0, G_N_ELEMENTS(pieces))]);
		fmt = format_compile(text->str, FORMAT_INDEX, NULL);
		if (fmt == NULL)
			continue; /* a fill after %|, say: refused, which is fine */
		g_string_truncate(out, 0);
		g_array_set_size(marks, 0);
		format_expand(fmt, cols, fake_field, &f, out, marks);
		laid++;
		marked += marks->len > 0;
		assert_true(g_utf8_validate(out->str, (gssize)out->len, NULL));
		if (cols >= 0)
			assert_true(width_of(out->str) <= cols);
		for (k = 0; k < marks->len; k++) {
			const struct format_mark *m = &g_array_index(marks, struct format_mark, k);

			assert_true(m->start < m->end && m->end <= out->len);
			assert_true(g_utf8_validate(out->str + m->start, (gssize)(m->end - m->start),
			    NULL));
		}
		format_free(fmt);
	}
	/* Most of them were laid out, and trees were marked in many. */
	assert_true(laid > 2000);
	assert_true(marked > 300);
	g_rand_free(rand);
	g_string_free(text, TRUE);
	g_string_free(out, TRUE);
	g_array_free(marks, TRUE);
}

/* SURAT_FORMAT_BENCH=1: 100,000 index rows expanded, timed (a measure, not a test). */
static void
test_bench(void **state)
{
	struct fake f = { .name = "Tomás García", .size = "802", .tree = "└─>",
		.subject = "Mail relay migration plan", .date = 1796225400 };
	GError *error = NULL;
	struct format *fmt = format_compile("%Z %-10.10{%Y-%m-%d}  %-20.20n  %s%*  %6c",
	    FORMAT_INDEX, &error);
	GString *out = g_string_new(NULL);
	GArray *marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
	gint64 t0;
	int i;

	(void)state;
	assert_non_null(fmt);
	if (g_getenv("SURAT_FORMAT_BENCH") != NULL) {
		t0 = g_get_monotonic_time();
		for (i = 0; i < 100000; i++) {
			g_string_truncate(out, 0);
			g_array_set_size(marks, 0);
			format_expand(fmt, 100, fake_field, &f, out, marks);
		}
		print_message("# 100,000 rows expanded in %.1f ms\n",
		    (double)(g_get_monotonic_time() - t0) / 1000.0);
	}
	format_free(fmt);
	g_string_free(out, TRUE);
	g_array_free(marks, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths_and_justify),
		cmocka_unit_test(test_wide_characters),
		cmocka_unit_test(test_fills),
		cmocka_unit_test(test_tree_mark),
		cmocka_unit_test(test_conditionals),
		cmocka_unit_test(test_mutt_default),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_literal_is_sanitized),
		cmocka_unit_test(test_random_layouts),
		cmocka_unit_test(test_bench),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
