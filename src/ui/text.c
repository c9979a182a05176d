/*
 * text: the text pager mode, the one screen of text surat has: the help and
 * the fetch log (help.c), a command's output and a text part (view.c).  It
 * scrolls by line, page, half page and to either end; q or Escape pops it.
 *
 * Lines are sanitized on the way in (ui_text_lines); a live source (the
 * log) is read again at each draw.  Long lines are cut (the help: its
 * columns) or wrapped (what a command wrote).
 */
#include <curses.h>
#include <limits.h>
#include <string.h>

#include "private.h"
#include "surat/sanitize.h"
#include "surat/width.h"

#define TEXT_MAX_LINES 200000

struct text_view {
	struct ui_text_options o;
	char *title;
	char *tag;
	GPtrArray *lines;  /* the fixed lines, or NULL: o.lines_fn's */
	GArray *screen;    /* struct ui_pager_line: the rows, when wrapping */
	int width;         /* what the fixed lines in SCREEN were wrapped to, or -1 */
	int top;           /* first row shown */
};

GPtrArray *
ui_text_lines(const char *text, size_t len)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	size_t pos = 0;

	while (pos < len && lines->len < TEXT_MAX_LINES) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		GString *line = g_string_sized_new(n);
		size_t i;

		if (n > 0 && text[pos + n - 1] == '\r')
			n--;
		/* Tabs to spaces (stops every 8 bytes: near enough for viewer output). */
		for (i = 0; i < n; i++) {
			if (text[pos + i] == '\t') {
				do
					g_string_append_c(line, ' ');
				while (line->len % 8 != 0);
			} else {
				g_string_append_c(line, text[pos + i]);
			}
		}
		g_ptr_array_add(lines, sanitize_text(line->str, (ssize_t)line->len, 0));
		g_string_free(line, TRUE);
		pos += (nl != NULL ? (size_t)(nl - (text + pos)) + 1 : n);
	}
	return lines;
}

/* LINES wrapped to WIDTH columns: (line, byte offset, length) rows in OUT. */
static void
text_wrap(GPtrArray *lines, int width, GArray *out)
{
	guint i;

	g_array_set_size(out, 0);
	for (i = 0; i < lines->len; i++) {
		const char *t = g_ptr_array_index(lines, i);
		size_t len = strlen(t), pos = 0;

		do {
			struct ui_pager_line s = { i, (unsigned int)pos, 0, 0 };
			size_t n = len > pos ? width_prefix(t + pos, width, NULL) : 0;

			if (n == 0 && pos < len)
				n = (size_t)(g_utf8_next_char(t + pos) - (t + pos));
			s.len = (unsigned int)n;
			g_array_append_val(out, s);
			pos += n;
		} while (pos < len);
	}
}

/* The lines to show now (the caller frees them when they are the source's). */
static GPtrArray *
text_current(struct ui *ui, struct text_view *v)
{
	if (v->lines != NULL)
		return v->lines;
	return v->o.lines_fn(ui, v->o.lines_data);
}

static void
text_done_with(struct text_view *v, GPtrArray *lines)
{
	if (lines != v->lines)
		g_ptr_array_free(lines, TRUE);
}

/*
 * The rows of LINES at this width (wrapped ones in v->screen).  The fixed
 * lines are wrapped again only when the width changed, not at every key.
 */
static int
text_rows(struct text_view *v, GPtrArray *lines)
{
	if (!v->o.wrap)
		return (int)lines->len;
	if (v->lines == NULL || v->width != COLS) {
		text_wrap(lines, MAX(1, COLS), v->screen);
		v->width = v->lines != NULL ? COLS : -1;
	}
	return (int)v->screen->len;
}

static int
text_height(void)
{
	return MAX(1, LINES - 2);
}

/* Keep the top row within the text. */
static void
text_clamp(struct text_view *v, int rows)
{
	v->top = CLAMP(v->top, 0, MAX(0, rows - text_height()));
}

static void
text_draw(struct ui *ui, struct ui_mode *mode)
{
	struct text_view *v = mode->data;
	GPtrArray *lines = text_current(ui, v);
	int rows = text_rows(v, lines), height = text_height(), i;

	text_clamp(v, rows);
	if (v->o.wrap)
		erase();
	for (i = 0; i < height; i++) {
		int k = v->top + i;

		if (v->o.wrap) {
			const struct ui_pager_line *s;

			if (k >= rows)
				break;
			s = &g_array_index(v->screen, struct ui_pager_line, k);
			attrset(ui_term_attr(v->o.element));
			mvaddnstr(i, 0, (const char *)g_ptr_array_index(lines, s->line) + s->start,
			    (int)s->len);
			continue;
		}
		move(i, 0);
		attrset(ui_term_attr(v->o.element));
		clrtoeol();
		if (k < rows) {
			char *line = ui_term_fit(g_ptr_array_index(lines, (guint)k), COLS, 0);

			addstr(line);
			g_free(line);
		}
	}
	attrset(A_NORMAL);
	if (v->title != NULL) {
		char *status = g_strdup_printf("-- surat: %s -- %d%% -- q:back ", v->title,
		    rows == 0 || v->top + height >= rows ? 100 :
		    (int)((int64_t)(v->top + height) * 100 / rows));

		ui_view_status(LINES - 2, status);
		g_free(status);
	} else {
		ui_status_draw(ui, LINES - 2, COLS);
	}
	text_done_with(v, lines);
}

/* Scroll by DELTA rows (clamped to the text). */
static void
text_scroll(struct ui *ui, struct text_view *v, int delta)
{
	GPtrArray *lines = text_current(ui, v);
	int rows = text_rows(v, lines);

	text_done_with(v, lines);
	v->top = (int)CLAMP((int64_t)v->top + delta, 0, INT_MAX);
	text_clamp(v, rows);
	ui->dirty |= UI_DIRTY_ALL;
}

static void
text_key(struct ui *ui, struct ui_mode *mode, enum keymap_action action, int32_t typed)
{
	struct text_view *v = mode->data;
	int page = MAX(1, text_height() - 1);
	enum keymap_context first;

	switch (action) {
	case KEYMAP_ACTION_QUIT:
		ui_mode_pop(ui);
		break;
	case KEYMAP_ACTION_HELP:
		/* The help over the help or the log replaces it; over other text it goes on top. */
		first = v->o.context;
		if (v->tag != NULL) {
			ui_mode_pop(ui);
			first = ui->pager != NULL ? KEYMAP_CONTEXT_PAGER : KEYMAP_CONTEXT_INDEX;
		}
		ui_help_push(ui, first);
		break;
	case KEYMAP_ACTION_NEXT_LINE:
	case KEYMAP_ACTION_NEXT_ENTRY:
		text_scroll(ui, v, 1);
		break;
	case KEYMAP_ACTION_PREVIOUS_LINE:
	case KEYMAP_ACTION_PREVIOUS_ENTRY:
		text_scroll(ui, v, -1);
		break;
	case KEYMAP_ACTION_NEXT_PAGE:
		text_scroll(ui, v, page);
		break;
	case KEYMAP_ACTION_PREVIOUS_PAGE:
		text_scroll(ui, v, -page);
		break;
	case KEYMAP_ACTION_HALF_DOWN:
		text_scroll(ui, v, MAX(1, page / 2));
		break;
	case KEYMAP_ACTION_HALF_UP:
		text_scroll(ui, v, -MAX(1, page / 2));
		break;
	case KEYMAP_ACTION_TOP:
	case KEYMAP_ACTION_FIRST_ENTRY:
		text_scroll(ui, v, -(1 << 30));
		break;
	case KEYMAP_ACTION_BOTTOM:
	case KEYMAP_ACTION_LAST_ENTRY:
		text_scroll(ui, v, 1 << 30);
		break;
	case KEYMAP_ACTION_REDRAW:
		clearok(curscr, TRUE);
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case KEYMAP_ACTION_ENTER_COMMAND:
		ui_cmdline_open(ui);
		break;
	case KEYMAP_ACTION_NONE:
		if (typed == KEYMAP_KEY_ESCAPE)
			ui_mode_pop(ui);
		else if (typed != KEYMAP_KEY_NONE)
			ui_say_unbound(ui, v->o.context, NULL);
		break;
	default:
		ui_action_unavailable(ui, action);
		break;
	}
}

static void
text_free(void *data)
{
	struct text_view *v = data;

	if (v->lines != NULL)
		g_ptr_array_free(v->lines, TRUE);
	g_array_free(v->screen, TRUE);
	g_free(v->title);
	g_free(v->tag);
	g_free(v);
}

static const struct ui_mode_class text_class = {
	.name = "text",
	.context = KEYMAP_CONTEXT_PAGER,
	.draw = text_draw,
	.key = text_key,
	.mouse = ui_mode_mouse_lines,
	.free = text_free,
};

void
ui_text_push(struct ui *ui, const struct ui_text_options *options, GPtrArray *lines)
{
	struct text_view *v = g_new0(struct text_view, 1);
	struct ui_mode *mode;

	v->o = *options;
	/* The strings are the view's own; v->o's point at the caller's. */
	v->title = g_strdup(options->title);
	v->tag = g_strdup(options->tag);
	v->lines = lines;
	v->screen = g_array_new(FALSE, FALSE, sizeof(struct ui_pager_line));
	v->width = -1;
	v->top = options->at_end ? 1 << 30 : 0;
	mode = ui_mode_push(ui, &text_class, v);
	mode->context = options->context;
	mode->tag = v->tag;
	if (options->at_end) {
		GPtrArray *now = text_current(ui, v);

		text_clamp(v, text_rows(v, now));
		text_done_with(v, now);
	}
}

void
ui_text_show(struct ui *ui, const char *title, const char *text, size_t len)
{
	struct ui_text_options o = {
		.title = title, .context = KEYMAP_CONTEXT_PAGER, .wrap = true,
		.element = THEME_BODY,
	};

	ui_text_push(ui, &o, ui_text_lines(text, len));
}
