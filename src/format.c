/*
 * format: mutt's line formats compiled once and expanded per row
 * (include/surat/format.h).  A compiled format is the items left of its
 * first fill, the fill, and the format right of it (itself compiled the same
 * way); a conditional holds its two branches as formats without fills.
 *
 * Expanding lays a line out in two passes: the fixed pieces first (literal
 * text, codes, conditionals) and the part right of a fill, then the codes
 * that fit themselves (%s) into what is left, so a subject gives way to the
 * size column instead of pushing it off the screen.
 */
#include "surat/format.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "surat/sanitize.h"
#include "surat/width.h"

#define FORMAT_MAX_ITEMS 256 /* items of one format: far more than a line holds */
#define FORMAT_DATE_MAX  256 /* bytes of one expanded date */

G_DEFINE_QUARK(surat-format-error-quark, format_error)

enum format_item_kind {
	FORMAT_ITEM_TEXT,
	FORMAT_ITEM_CODE,
	FORMAT_ITEM_COND,
};

struct format_item {
	enum format_item_kind kind;
	char code;          /* CODE, COND: the letter, or '{' '[' '(' */
	char *text;         /* TEXT: the literal (safe); CODE: a date's strftime text */
	bool left;          /* %-...: justify left (default right, as printf) */
	int min, max;       /* %MIN.MAXx: columns at least and at most; -1 when not given */
	bool flex;          /* the code fits itself into what the line leaves */
	int cols;           /* TEXT: its columns */
	struct format *yes, *no; /* COND */
};

enum format_fill {
	FORMAT_FILL_NONE,
	FORMAT_FILL_HARD, /* %>X: the right part gives way when the left is too wide (mutt) */
	FORMAT_FILL_SOFT, /* %*X: the left part gives way (neomutt) */
	FORMAT_FILL_END,  /* %|X: pad to the end of the line */
};

struct format {
	GArray *items; /* struct format_item */
	enum format_fill fill;
	char pad[8];           /* the fill's character, UTF-8 */
	int pad_cols;          /* its columns: 1 or 2 */
	struct format *right;  /* HARD, SOFT: what follows the fill */
};

/* The letters of each kind; a date's brackets are allowed where dates are. */
static const char format_index_codes[] = "abcCdDeEfFilLmMnrRsStTuvXZ";
static const char format_status_codes[] = "ACEfGhIjkmMnPqstuVvy";

const char *
format_codes(enum format_kind kind)
{
	switch (kind) {
	case FORMAT_INDEX:
		return "%a %b %c %C %d %D %e %E %f %F %i %l %L %m %M %n %r %R %s %S %t %T %u %v %X "
		    "%Z, dates %{...} %[...] %(...), %?x?yes&no? or %<x?yes&no>, fills %>X %*X %|X, "
		    "and %% for a percent sign";
	case FORMAT_PAGER:
		return "%a %b %c %C %d %D %e %E %f %F %i %l %L %m %M %n %P %r %R %s %S %t %T %u %v "
		    "%X %Z, dates %{...} %[...] %(...), %?x?yes&no? or %<x?yes&no>, fills %>X %*X "
		    "%|X, and %% for a percent sign";
	case FORMAT_STATUS:
		return "%A %C %E %f %G %h %I %j %k %m %M %n %P %q %s %t %u %V %v %y, %?x?yes&no? or "
		    "%<x?yes&no>, fills %>X %*X %|X, and %% for a percent sign";
	}
	return "";
}

/* True when KIND takes the letter CODE. */
static bool
format_known(enum format_kind kind, char code)
{
	if (code == '\0')
		return false;
	if (kind == FORMAT_STATUS)
		return strchr(format_status_codes, code) != NULL;
	return strchr(format_index_codes, code) != NULL || (kind == FORMAT_PAGER && code == 'P');
}

static void
format_item_clear(struct format_item *item)
{
	g_free(item->text);
	format_free(item->yes);
	format_free(item->no);
}

void
format_free(struct format *f)
{
	guint i;

	if (f == NULL)
		return;
	for (i = 0; i < f->items->len; i++)
		format_item_clear(&g_array_index(f->items, struct format_item, i));
	g_array_free(f->items, TRUE);
	format_free(f->right);
	g_free(f);
}

/* The parser's place in the text, for errors. */
struct format_parser {
	const char *start;
	const char *p;
	enum format_kind kind;
	int depth; /* inside a conditional: no fill there */
};

static bool
format_fail(struct format_parser *ps, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* Set ERROR to FMT and where in the text it is; false. */
static bool
format_fail(struct format_parser *ps, GError **error, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, FORMAT_ERROR, 0, "%s (at character %ld)", msg,
	    (long)g_utf8_pointer_to_offset(ps->start, ps->p) + 1);
	g_free(msg);
	return false;
}

/* Add the literal LIT (made safe) to F and empty LIT. */
static void
format_flush(struct format *f, GString *lit)
{
	struct format_item item = { .kind = FORMAT_ITEM_TEXT, .min = -1, .max = -1 };

	if (lit->len == 0)
		return;
	item.text = sanitize_text(lit->str, (gssize)lit->len, 0);
	item.cols = width_of(item.text);
	g_array_append_val(f->items, item);
	g_string_truncate(lit, 0);
}

static struct format *format_parse(struct format_parser *ps, const char *stops, GError **error);

/* A number of columns after %, -, or . ; at most 3 digits (a line is not wider). */
static int
format_number(struct format_parser *ps)
{
	int n = 0, digits = 0;

	while (g_ascii_isdigit(*ps->p) && digits < 3) {
		n = n * 10 + (*ps->p++ - '0');
		digits++;
	}
	return n;
}

/*
 * After "%?" (mutt) or "%<" (neomutt, OPEN): the code, its branches and the
 * closing '?' or '>'.  The branches are parsed as formats, so either kind may
 * hold the other, or itself.
 */
static bool
format_parse_cond(struct format_parser *ps, struct format *f, char open, GError **error)
{
	struct format_item item = { .kind = FORMAT_ITEM_COND, .min = -1, .max = -1 };
	char close = open == '<' ? '>' : '?';
	const char *yes_stops = open == '<' ? "&>" : "&?", *no_stops = open == '<' ? ">" : "?";
	bool ok;

	item.code = *ps->p;
	if (!format_known(ps->kind, item.code))
		return format_fail(ps, error, "%%%c%c is not a code; the codes are %s", open,
		    item.code != '\0' && g_ascii_isprint(item.code) ? item.code : '?',
		    format_codes(ps->kind));
	ps->p++;
	if (*ps->p != '?')
		return format_fail(ps, error, "%%%c%c must be followed by ?: %%%c%c?yes&no%c", open,
		    item.code, open, item.code, close);
	ps->p++;
	ps->depth++;
	item.yes = format_parse(ps, yes_stops, error);
	ok = item.yes != NULL;
	if (ok && *ps->p == '&') {
		ps->p++;
		item.no = format_parse(ps, no_stops, error);
		ok = item.no != NULL;
	}
	ps->depth--;
	if (!ok) {
		format_item_clear(&item);
		return false;
	}
	if (*ps->p != close) {
		format_item_clear(&item);
		return format_fail(ps, error, "%%%c%c?...%c is not closed with a %c", open, item.code,
		    close, close);
	}
	ps->p++;
	g_array_append_val(f->items, item);
	return true;
}

/* After "%" and a width: a date's strftime text up to its closing bracket. */
static bool
format_parse_date(struct format_parser *ps, struct format_item *item, GError **error)
{
	char close = *ps->p == '{' ? '}' : *ps->p == '[' ? ']' : ')';
	const char *end = strchr(ps->p + 1, close);

	if (ps->kind == FORMAT_STATUS)
		return format_fail(ps, error, "%%%c...%c is a message's date; the codes are %s",
		    *ps->p, close, format_codes(ps->kind));
	if (end == NULL)
		return format_fail(ps, error, "%%%c is not closed with %c", *ps->p, close);
	item->code = *ps->p;
	item->text = g_strndup(ps->p + 1, (gsize)(end - ps->p - 1));
	ps->p = end + 1;
	return true;
}

/* After "%" and the fill letter: the pad character and what follows. */
static bool
format_parse_fill(struct format_parser *ps, struct format *f, char letter, const char *stops,
    GError **error)
{
	const char *next;
	gunichar c;

	if (ps->depth > 0)
		return format_fail(ps, error, "a fill (%%%c) cannot be inside a %%? conditional",
		    letter);
	if (*ps->p == '\0' || (c = g_utf8_get_char_validated(ps->p, -1)) == (gunichar)-1 ||
	    c == (gunichar)-2 || c < 0x20 || c == 0x7f || width_char(c) == 0)
		return format_fail(ps, error, "%%%c needs the character to fill with, as in %%%c-",
		    letter, letter);
	next = g_utf8_next_char(ps->p);
	memcpy(f->pad, ps->p, (size_t)(next - ps->p));
	f->pad_cols = width_char(c);
	ps->p = next;
	if (letter == '|') {
		f->fill = FORMAT_FILL_END;
		if (*ps->p != '\0')
			return format_fail(ps, error, "%%|%s pads to the end of the line: nothing may "
			    "follow it", f->pad);
		return true;
	}
	f->fill = letter == '>' ? FORMAT_FILL_HARD : FORMAT_FILL_SOFT;
	f->right = format_parse(ps, stops, error);
	return f->right != NULL;
}

/* After "%": one code with its width, a conditional, a fill or "%%". */
static bool
format_parse_percent(struct format_parser *ps, struct format *f, GString *lit, const char *stops,
    GError **error)
{
	struct format_item item = { .kind = FORMAT_ITEM_CODE, .min = -1, .max = -1 };
	const char *at = ps->p - 1;

	if (*ps->p == '%') {
		g_string_append_c(lit, '%');
		ps->p++;
		return true;
	}
	format_flush(f, lit);
	if (*ps->p == '?' || *ps->p == '<') {
		char open = *ps->p++;

		return format_parse_cond(ps, f, open, error);
	}
	if (*ps->p == '>' || *ps->p == '*' || *ps->p == '|') {
		char letter = *ps->p++;

		return format_parse_fill(ps, f, letter, stops, error);
	}
	if (*ps->p == '-') {
		item.left = true;
		ps->p++;
	}
	if (g_ascii_isdigit(*ps->p))
		item.min = format_number(ps);
	if (*ps->p == '.') {
		ps->p++;
		item.max = format_number(ps);
	}
	if (*ps->p == '{' || *ps->p == '[' || *ps->p == '(') {
		if (!format_parse_date(ps, &item, error))
			return false;
	} else if (*ps->p == '\0') {
		ps->p = at;
		return format_fail(ps, error, "a %% at the end of the text; write %%%% for a percent "
		    "sign");
	} else if (!format_known(ps->kind, *ps->p)) {
		const char *bad = ps->p;
		char *code = g_strndup(bad, (gsize)(g_utf8_next_char(bad) - bad));
		char *safe = sanitize_text(code, -1, 0);
		bool r;

		ps->p = at;
		r = format_fail(ps, error, "unknown code %%%s; the codes are %s", safe,
		    format_codes(ps->kind));
		g_free(safe);
		g_free(code);
		return r;
	} else {
		item.code = *ps->p++;
		item.flex = item.code == 's' && ps->kind != FORMAT_STATUS;
	}
	if (f->items->len >= FORMAT_MAX_ITEMS) {
		g_free(item.text);
		return format_fail(ps, error, "more than %d codes", FORMAT_MAX_ITEMS);
	}
	g_array_append_val(f->items, item);
	return true;
}

/* Items up to one of STOPS (not taken) or the end. */
static struct format *
format_parse(struct format_parser *ps, const char *stops, GError **error)
{
	struct format *f = g_new0(struct format, 1);
	GString *lit = g_string_new(NULL);
	bool ok = true;

	f->items = g_array_new(FALSE, TRUE, sizeof(struct format_item));
	while (ok && *ps->p != '\0' && f->fill == FORMAT_FILL_NONE &&
	    (stops[0] == '\0' || strchr(stops, *ps->p) == NULL)) {
		if (*ps->p == '%') {
			ps->p++;
			ok = format_parse_percent(ps, f, lit, stops, error);
		} else {
			g_string_append_c(lit, *ps->p++);
		}
	}
	format_flush(f, lit);
	g_string_free(lit, TRUE);
	if (!ok) {
		format_free(f);
		return NULL;
	}
	return f;
}

struct format *
format_compile(const char *text, enum format_kind kind, GError **error)
{
	struct format_parser ps = { .start = text, .p = text, .kind = kind };

	if (!g_utf8_validate(text, -1, NULL)) {
		g_set_error(error, FORMAT_ERROR, 0, "is not valid UTF-8");
		return NULL;
	}
	return format_parse(&ps, "", error);
}

void
format_date(GString *out, int64_t t, const char *format, int64_t now)
{
	char buf[FORMAT_DATE_MAX];
	time_t tt = (time_t)t, tn = (time_t)now;
	struct tm tm, today;
	size_t n;

	if (localtime_r(&tt, &tm) == NULL) {
		g_string_append_c(out, '?');
		return;
	}
	if (strcmp(format, FORMAT_DATE_RELATIVE) == 0) {
		struct tm week;

		if (localtime_r(&tn, &today) == NULL) {
			format = "%Y-%m-%d";
		} else if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday) {
			format = "%H:%M";
		} else {
			/* Midnight six days ago: mktime counts the days across DST. */
			week = today;
			week.tm_hour = week.tm_min = week.tm_sec = 0;
			week.tm_mday -= 6;
			week.tm_isdst = -1;
			if (tt < tn && tt >= mktime(&week))
				format = "%a %H:%M";
			else if (tm.tm_year == today.tm_year)
				format = "%b %d";
			else
				format = "%Y-%m-%d";
		}
	}
	/* strftime takes no arguments: a format from the configuration is safe. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, sizeof buf, format, &tm);
#pragma GCC diagnostic pop
	if (n > 0 && sanitize_is_clean(buf, 0)) {
		g_string_append_len(out, buf, (gssize)n);
	} else if (n > 0) {
		char *safe = sanitize_text(buf, (gssize)n, 0);

		g_string_append(out, safe);
		g_free(safe);
	}
}

/* One piece of a line being laid out: bytes of the scratch buffer. */
struct format_piece {
	size_t off, len;
	int cols;
	gssize mark_start, mark_end; /* relative to off, or -1 */
};

/* What an expansion carries down the recursion. */
struct format_run {
	format_field_fn fn;
	void *data;
	GString *field; /* the caller's value, reused */
};

static int format_expand_into(const struct format *f, int cols, struct format_run *run,
    GString *out, GArray *marks);

/* Add MARK (bytes START..END of OUT) to MARKS when it holds something. */
static void
format_add_mark(GArray *marks, size_t start, size_t end)
{
	struct format_mark m = { start, end };

	if (marks != NULL && end > start)
		g_array_append_val(marks, m);
}

/* True when the value of CODE counts as set: not empty and not 0. */
static bool
format_true(struct format_run *run, char code)
{
	struct format_field out = { run->field, -1, -1 };

	g_string_truncate(run->field, 0);
	run->fn(run->data, code, NULL, -1, &out);
	return run->field->len > 0 && strcmp(run->field->str, "0") != 0;
}

/* N spaces. */
static void
format_spaces(GString *buf, size_t n)
{
	static const char spaces[] = "                                ";

	for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
		g_string_append_len(buf, spaces, sizeof spaces - 1);
	g_string_append_len(buf, spaces, (gssize)n);
}

/* ITEM (with COLS for a flex code) into BUF as PIECE: value, cut, padded. */
static void
format_piece(const struct format_item *item, int cols, struct format_run *run, GString *buf,
    struct format_piece *piece)
{
	struct format_field out = { run->field, -1, -1 };
	const char *text;
	size_t len, pad;
	int used;

	piece->off = buf->len;
	piece->mark_start = piece->mark_end = -1;
	if (item->kind == FORMAT_ITEM_TEXT) {
		g_string_append(buf, item->text);
		piece->len = strlen(item->text);
		piece->cols = item->cols;
		return;
	}
	if (item->kind == FORMAT_ITEM_COND) {
		const struct format *branch = format_true(run, item->code) ? item->yes : item->no;
		GArray *marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));

		piece->cols = branch != NULL ? format_expand_into(branch, -1, run, buf, marks) : 0;
		piece->len = buf->len - piece->off;
		if (marks->len > 0) {
			const struct format_mark *m = &g_array_index(marks, struct format_mark, 0);

			piece->mark_start = (gssize)(m->start - piece->off);
			piece->mark_end = (gssize)(m->end - piece->off);
		}
		g_array_free(marks, TRUE);
		return;
	}
	g_string_truncate(run->field, 0);
	run->fn(run->data, item->code, item->text, item->flex ? cols : -1, &out);
	text = run->field->str;
	len = run->field->len;
	used = width_of(text);
	if (item->max >= 0 && used > item->max)
		len = width_prefix(text, item->max, &used);
	pad = item->min > used ? (size_t)(item->min - used) : 0;
	if (!item->left)
		format_spaces(buf, pad);
	if (out.mark_start >= 0 && out.mark_end > out.mark_start && (size_t)out.mark_start < len) {
		piece->mark_start = out.mark_start + (gssize)(item->left ? 0 : pad);
		piece->mark_end = (gssize)MIN((size_t)out.mark_end, len) + (gssize)(item->left ? 0 : pad);
	}
	g_string_append_len(buf, text, (gssize)len);
	if (item->left)
		format_spaces(buf, pad);
	piece->len = buf->len - piece->off;
	piece->cols = used + (int)pad;
}

/* Cut OUT from byte BASE to COLS columns, dropping or shortening the marks past it. */
static int
format_cut(GString *out, size_t base, int cols, GArray *marks, guint first_mark)
{
	int used;
	size_t keep = width_prefix(out->str + base, cols, &used);
	guint i;

	g_string_truncate(out, base + keep);
	for (i = marks != NULL ? marks->len : 0; i > first_mark; i--) {
		struct format_mark *m = &g_array_index(marks, struct format_mark, i - 1);

		if (m->start >= out->len)
			g_array_remove_index(marks, i - 1);
		else if (m->end > out->len)
			m->end = out->len;
	}
	return used;
}

/* N columns of F's pad character (spaces for what a wide one leaves). */
static void
format_pad(const struct format *f, GString *out, int n)
{
	for (; n >= f->pad_cols; n -= f->pad_cols)
		g_string_append(out, f->pad);
	for (; n > 0; n--)
		g_string_append_c(out, ' ');
}

/* F laid out into COLS columns (-1: no limit) at the end of OUT; the columns it took. */
static int
format_expand_into(const struct format *f, int cols, struct format_run *run, GString *out,
    GArray *marks)
{
	struct format_piece stack[32], *pieces;
	GString *buf = g_string_sized_new(256), *right = NULL;
	GArray *right_marks = NULL;
	size_t base = out->len;
	guint i, n = f->items->len, first_mark = marks != NULL ? marks->len : 0;
	int fixed = 0, right_cols = 0, left_cols;

	pieces = n <= G_N_ELEMENTS(stack) ? stack : g_new(struct format_piece, n);
	/* The fixed pieces first: what they take is what a flex code may not. */
	for (i = 0; i < n; i++) {
		const struct format_item *item = &g_array_index(f->items, struct format_item, i);

		if (item->flex)
			continue;
		format_piece(item, -1, run, buf, &pieces[i]);
		fixed += pieces[i].cols;
	}
	if (f->right != NULL) {
		int rcols = cols < 0 ? -1 : f->fill == FORMAT_FILL_SOFT ? cols : MAX(cols - fixed, 0);

		right = g_string_new(NULL);
		right_marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
		right_cols = format_expand_into(f->right, rcols, run, right, right_marks);
	}
	for (i = 0; i < n; i++) {
		const struct format_item *item = &g_array_index(f->items, struct format_item, i);
		int budget = cols < 0 ? -1 : MAX(cols - fixed - right_cols, 0);

		if (!item->flex)
			continue;
		if (item->max >= 0)
			budget = budget < 0 ? item->max : MIN(budget, item->max);
		format_piece(item, budget, run, buf, &pieces[i]);
		fixed += pieces[i].cols;
	}
	/* The left part in order, then cut and filled as the fill says. */
	for (i = 0; i < n; i++) {
		size_t at = out->len;

		g_string_append_len(out, buf->str + pieces[i].off, (gssize)pieces[i].len);
		if (pieces[i].mark_start >= 0)
			format_add_mark(marks, at + (size_t)pieces[i].mark_start,
			    at + (size_t)pieces[i].mark_end);
	}
	left_cols = fixed;
	if (cols >= 0) {
		int room = f->fill == FORMAT_FILL_SOFT ? MAX(cols - right_cols, 0) : cols;

		if (left_cols > room)
			left_cols = format_cut(out, base, room, marks, first_mark);
		if (f->fill == FORMAT_FILL_END) {
			format_pad(f, out, cols - left_cols);
			left_cols = cols;
		} else if (f->fill != FORMAT_FILL_NONE) {
			format_pad(f, out, MAX(cols - left_cols - right_cols, 0));
			left_cols = MAX(left_cols, cols - right_cols);
		}
	}
	if (right != NULL) {
		size_t at = out->len;

		g_string_append_len(out, right->str, (gssize)right->len);
		for (i = 0; i < right_marks->len; i++) {
			const struct format_mark *m = &g_array_index(right_marks, struct format_mark, i);

			format_add_mark(marks, at + m->start, at + m->end);
		}
		left_cols += right_cols;
		if (cols >= 0 && left_cols > cols)
			left_cols = format_cut(out, base, cols, marks, first_mark);
		g_string_free(right, TRUE);
		g_array_free(right_marks, TRUE);
	}
	if (pieces != stack)
		g_free(pieces);
	g_string_free(buf, TRUE);
	return left_cols;
}

void
format_expand(const struct format *f, int cols, format_field_fn fn, void *data, GString *out,
    GArray *marks)
{
	struct format_run run = { fn, data, g_string_sized_new(128) };

	format_expand_into(f, cols, &run, out, marks);
	g_string_free(run.field, TRUE);
}
