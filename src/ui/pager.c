/*
 * pager: the open message, rendered by render.c into role-tagged lines,
 * wrapped at word boundaries to the pane width (wide and combining
 * characters measured by width.c) and coloured by role.
 */
#include <curses.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "surat/folder.h"
#include "surat/store.h"
#include "surat/width.h"

/* Wrap every rendered line to WIDTH columns into pager->screen. */
static void
pager_wrap(struct ui_pager *pager, int width)
{
	guint i;

	g_array_set_size(pager->screen, 0);
	pager->width = width;
	for (i = 0; i < pager->rendering->lines->len; i++) {
		const struct render_line *l = g_ptr_array_index(pager->rendering->lines, i);
		const char *text = l->text;
		size_t len = strlen(text), pos = 0;

		if (pager->hide_quoted && l->role == RENDER_QUOTE) {
			/* The whole block is one line saying how long it is. */
			struct ui_pager_line s = { i, 0, 0, 0 };
			guint k = i;

			while (k < pager->rendering->lines->len &&
			    ((const struct render_line *)g_ptr_array_index(pager->rendering->lines,
			    k))->role == RENDER_QUOTE)
				k++;
			s.hidden = k - i;
			g_array_append_val(pager->screen, s);
			i = k - 1;
			continue;
		}
		if (len == 0) {
			struct ui_pager_line s = { i, 0, 0, 0 };
			g_array_append_val(pager->screen, s);
			continue;
		}
		while (pos < len) {
			struct ui_pager_line s = { i, (unsigned int)pos, 0, 0 };
			size_t n = width_prefix(text + pos, width, NULL);
			size_t cut = n;

			if (n == 0) /* a wide character in a one-column pane */
				n = cut = (size_t)(g_utf8_next_char(text + pos) - (text + pos));
			if (pos + n < len) {
				/* Break after the last space that fits, if there is one. */
				size_t k;

				for (k = n; k > 0; k--)
					if (text[pos + k - 1] == ' ')
						break;
				if (k > 0)
					cut = k;
			}
			s.len = (unsigned int)cut;
			g_array_append_val(pager->screen, s);
			pos += cut;
		}
	}
}

/*
 * Render the message of PAGER for a pane WIDTH columns wide (format=flowed
 * is reflowed to it), again after a headers toggle or a change of width.
 */
static bool
pager_render(struct ui *ui, struct ui_pager *pager, const struct index_message *msg, int width,
    GError **error)
{
	struct render_options options;
	char *maildir = ui_index_maildir(ui, msg->account, msg->folder);
	char *path = store_message_path(maildir, msg->subdir, msg->base, msg->flags);
	struct index_message here = { 0 };
	struct rendering *r;

	/* Another program (mutt) may have renamed it since the row was read: follow it. */
	if (access(path, F_OK) != 0 && index_get(ui->idx, msg->id, &here, NULL) &&
	    folder_locate(ui->idx, ui->config->store, &here, NULL)) {
		g_free(path);
		path = store_message_path(maildir, here.subdir, here.base, here.flags);
		ui->dirty |= UI_RELOAD_ROWS;
	}
	index_message_clear(&here);
	ui_view_render_options(ui, &options);
	options.full_headers = pager->full_headers;
	options.date_format = ui->date_format; /* :set date_format */
	options.width = width;
	r = render_file(path, &options, error);
	g_free(path);
	g_free(maildir);
	if (r == NULL)
		return false;
	render_free(pager->rendering);
	pager->rendering = r;
	pager->width = -1;
	pager->render_width = width;
	return true;
}

struct ui_pager *
ui_pager_open(struct ui *ui, const struct index_message *msg, GError **error)
{
	struct ui_pager *pager = g_new0(struct ui_pager, 1);

	pager->id = msg->id;
	pager->screen = g_array_new(FALSE, FALSE, sizeof(struct ui_pager_line));
	pager->width = -1;
	if (ui->pager != NULL) {
		/* Keep the reader's choices from one message to the next. */
		pager->full_headers = ui->pager->full_headers;
		pager->hide_quoted = ui->pager->hide_quoted;
		pager->search = g_strdup(ui->pager->search);
	}
	if (!pager_render(ui, pager, msg, COLS, error)) {
		ui_pager_free(pager);
		return NULL;
	}
	return pager;
}

void
ui_pager_free(struct ui_pager *pager)
{
	if (pager == NULL)
		return;
	render_free(pager->rendering);
	g_array_free(pager->screen, TRUE);
	g_free(pager->search);
	g_free(pager);
}

/* Render the open message again at WIDTH; false (message set) when it cannot be. */
static bool
pager_rerender_at(struct ui *ui, int width)
{
	struct index_message msg = { 0 };
	GError *error = NULL;
	bool ok;

	ok = index_get(ui->idx, ui->pager->id, &msg, &error) &&
	    pager_render(ui, ui->pager, &msg, width, &error);
	if (!ok) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "the message is gone");
		g_clear_error(&error);
	}
	index_message_clear(&msg);
	return ok;
}

void
ui_pager_rerender(struct ui *ui)
{
	if (ui->pager == NULL)
		return;
	pager_rerender_at(ui, ui->pager->render_width);
	ui->pager->top = 0;
	ui->dirty |= UI_DIRTY_PAGER;
}

/*
 * The screen lines, wrapped for WIDTH; a new width renders the message again
 * first, so flowed paragraphs fill the pane (the reader keeps their place
 * by proportion).
 */
static void
pager_ensure_wrapped(struct ui *ui, int width)
{
	struct ui_pager *pager = ui->pager;

	if (width <= 0)
		width = 1;
	if (pager->render_width != width) {
		guint old_len = pager->screen->len;
		int old_top = pager->top;

		if (pager_rerender_at(ui, width) && old_len > 0 && old_top > 0) {
			pager_wrap(pager, width);
			pager->top = (int)((int64_t)old_top * pager->screen->len / old_len);
		}
		pager->render_width = width; /* also after a failure: said once, not at every draw */
	}
	if (pager->width != width)
		pager_wrap(pager, width);
}

/* The width the pager was last drawn at (the screen's before the first draw). */
static int
pager_width(const struct ui_pager *pager)
{
	return pager->width > 0 ? pager->width : COLS;
}

void
ui_pager_scroll(struct ui *ui, int lines)
{
	struct ui_pager *pager = ui->pager;
	int height = ui_pager_height(ui), max;

	if (pager == NULL)
		return;
	pager_ensure_wrapped(ui, pager_width(pager));
	max = (int)pager->screen->len - height;
	if (max < 0)
		max = 0;
	pager->top += lines;
	if (pager->top > max)
		pager->top = max;
	if (pager->top < 0)
		pager->top = 0;
	ui->dirty |= UI_DIRTY_PAGER;
}

/* Byte offset of NEEDLE in the LEN bytes at HAY, ASCII case folded, or -1. */
static long
pager_find(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n == 0 || n > len)
		return -1;
	for (i = 0; i + n <= len; i++)
		if (g_ascii_strncasecmp(hay + i, needle, n) == 0)
			return (long)i;
	return -1;
}

/* The text of screen line S. */
static const char *
pager_text(const struct ui_pager *pager, const struct ui_pager_line *s)
{
	const struct render_line *l = g_ptr_array_index(pager->rendering->lines, s->line);

	return l->text + s->start;
}

bool
ui_pager_search(struct ui *ui, bool from_next)
{
	struct ui_pager *pager = ui->pager;
	guint n, i, start;

	if (pager == NULL || pager->search == NULL || pager->search[0] == '\0')
		return false;
	pager_ensure_wrapped(ui, pager_width(pager));
	n = pager->screen->len;
	start = (guint)pager->top + (from_next ? 1 : 0);
	for (i = 0; i < n; i++) {
		guint k = (start + i) % n;
		const struct ui_pager_line *s = &g_array_index(pager->screen, struct ui_pager_line, k);

		if (pager_find(pager_text(pager, s), s->len, pager->search) >= 0) {
			pager->top = (int)k;
			if (k < start)
				ui_set_message(ui, false, "Search wrapped to top.");
			ui->dirty |= UI_DIRTY_PAGER;
			return true;
		}
	}
	ui_set_message(ui, true, "Not found: %s", pager->search);
	return false;
}

/* The theme element for a rendered line. */
static enum theme_element
pager_element(const struct render_line *l)
{
	switch (l->role) {
	case RENDER_HEADER:
		return THEME_HEADER_VALUE;
	case RENDER_QUOTE:
		return l->quote_level <= 1 ? THEME_QUOTE1 : l->quote_level == 2 ? THEME_QUOTE2 :
		    l->quote_level == 3 ? THEME_QUOTE3 : THEME_QUOTE4;
	case RENDER_SIGNATURE:
		return THEME_SIGNATURE;
	case RENDER_ATTACHMENT:
		return THEME_ATTACHMENT;
	case RENDER_LINK:
		return THEME_LINK;
	case RENDER_SEPARATOR:
		return THEME_SEPARATOR;
	case RENDER_BODY:
	default:
		return THEME_BODY;
	}
}

/*
 * Draw the screen line S of the rendered line L: in its element (a header's
 * name and value apart), the colour rules over it (a header rule colours
 * the whole line, a body rule its matches), search matches over all.
 */
static void
pager_draw_line(struct ui *ui, const struct render_line *l, const struct ui_pager_line *s,
    const char *search)
{
	const char *text = l->text + s->start;
	enum theme_element element = pager_element(l);
	size_t len = s->len, name = 0, i, j;
	int *attrs = g_new(int, MAX(len, 1)), rule = -1;

	if (l->role == RENDER_HEADER) {
		if (s->start == 0 && l->name_len > 0)
			name = MIN((size_t)l->name_len, len);
		rule = ui_colour_header(ui, l->text);
	}
	for (i = 0; i < len; i++)
		attrs[i] = ui_colour_rule_attr(ui, rule, i < name ? THEME_HEADER_NAME : element);
	if (l->role != RENDER_HEADER && l->role != RENDER_SEPARATOR)
		ui_colour_body(ui, l->text, s->start, len, element, attrs);
	for (i = 0; search != NULL && search[0] != '\0' && i < len;) {
		long hit = pager_find(text + i, len - i, search);
		size_t n = strlen(search);

		if (hit < 0)
			break;
		for (j = i + (size_t)hit; j < i + (size_t)hit + n; j++)
			attrs[j] = ui_term_attr(THEME_SEARCH);
		i += (size_t)hit + n;
	}
	/* Runs of one look, each drawn once. */
	for (i = 0; i < len; i = j) {
		for (j = i + 1; j < len && attrs[j] == attrs[i]; j++)
			;
		attrset(attrs[i]);
		addnstr(text + i, (int)(j - i));
	}
	g_free(attrs);
}

void
ui_pager_draw(struct ui *ui, int y, int height, int width)
{
	struct ui_pager *pager = ui->pager;
	int i;

	if (pager == NULL)
		return;
	pager_ensure_wrapped(ui, width);
	for (i = 0; i < height; i++) {
		guint k = (guint)(pager->top + i);
		const struct ui_pager_line *s;
		const struct render_line *l;

		move(y + i, ui->pane_x);
		attrset(ui_term_attr(THEME_BODY));
		clrtoeol();
		if (k >= pager->screen->len) {
			if (k == pager->screen->len && i > 0) {
				attrset(ui_term_attr(THEME_SEPARATOR));
				addstr("~");
			}
			continue;
		}
		s = &g_array_index(pager->screen, struct ui_pager_line, k);
		l = g_ptr_array_index(pager->rendering->lines, s->line);
		if (s->hidden > 0) {
			char *said = g_strdup_printf("[-- %u line%s of quoted text hidden --]", s->hidden,
			    s->hidden == 1 ? "" : "s");
			char *fit = ui_term_fit(said, width, 0);

			attrset(ui_term_attr(pager_element(l)));
			addstr(fit);
			g_free(fit);
			g_free(said);
		} else {
			pager_draw_line(ui, l, s, pager->search);
		}
	}
	attrset(A_NORMAL);
}

/* How far through the message the bottom of the pane is, in percent. */
int
ui_pager_percent(const struct ui *ui)
{
	const struct ui_pager *pager = ui->pager;
	int height = ui_pager_height(ui);
	int shown;

	if (pager == NULL || pager->screen->len == 0)
		return 100;
	shown = pager->top + height;
	if (shown >= (int)pager->screen->len)
		return 100;
	return (int)((int64_t)shown * 100 / pager->screen->len);
}

/* True when screen line K is quoted text, shown or hidden. */
static bool
pager_quoted(const struct ui_pager *pager, guint k)
{
	const struct ui_pager_line *s = &g_array_index(pager->screen, struct ui_pager_line, k);
	const struct render_line *l = g_ptr_array_index(pager->rendering->lines, s->line);

	return s->hidden > 0 || l->role == RENDER_QUOTE;
}

void
ui_pager_skip_quoted(struct ui *ui)
{
	struct ui_pager *pager = ui->pager;
	guint k, n;

	if (pager == NULL)
		return;
	pager_ensure_wrapped(ui, pager_width(pager));
	n = pager->screen->len;
	k = (guint)pager->top;
	/* As mutt: past the headers, to the next quoted block, then past it. */
	while (k < n && ((const struct render_line *)g_ptr_array_index(pager->rendering->lines,
	    g_array_index(pager->screen, struct ui_pager_line, k).line))->role == RENDER_HEADER)
		k++;
	while (k < n && !pager_quoted(pager, k))
		k++;
	if (k >= n) {
		ui_set_message(ui, false, "No more quoted text.");
		return;
	}
	while (k < n && pager_quoted(pager, k))
		k++;
	if (k >= n) {
		ui_set_message(ui, false, "No more unquoted text after quoted text.");
		return;
	}
	pager->top = 0;
	ui_pager_scroll(ui, (int)k);
}

void
ui_pager_toggle_quoted(struct ui *ui)
{
	struct ui_pager *pager = ui->pager;
	guint i, line = 0, n;
	bool any = false;

	if (pager == NULL)
		return;
	pager_ensure_wrapped(ui, pager_width(pager));
	for (i = 0; i < pager->rendering->lines->len && !any; i++)
		any = ((const struct render_line *)g_ptr_array_index(pager->rendering->lines,
		    i))->role == RENDER_QUOTE;
	if (!any && !pager->hide_quoted) {
		ui_set_message(ui, false, "No quoted text in this message.");
		return;
	}
	/* The rendered line at the top stays at the top (or its hidden block does). */
	if ((guint)pager->top < pager->screen->len)
		line = g_array_index(pager->screen, struct ui_pager_line, (guint)pager->top).line;
	pager->hide_quoted = !pager->hide_quoted;
	pager_wrap(pager, pager_width(pager));
	n = pager->screen->len;
	for (i = 0; i + 1 < n; i++) {
		const struct ui_pager_line *next = &g_array_index(pager->screen, struct ui_pager_line,
		    i + 1);

		if (next->line > line)
			break;
	}
	pager->top = 0;
	ui_pager_scroll(ui, (int)MIN(i, n));
	ui_set_message(ui, false, "%s", pager->hide_quoted ? "Quoted text hidden." :
	    "Quoted text shown.");
}
