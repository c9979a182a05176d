/*
 * links: the link view (view-links, C-b) and the pager's OSC 8 hyperlinks.
 *
 * The view lists the links render.c numbered in the message (number and
 * URL as written, sanitized); Enter opens the chosen one with url_command
 * (an argv, no shell; the link's target is one argument), but a mailto:
 * link in surat's own compose screen (a draft from compose_from_mailto,
 * from the message's account, as neomutt does: the mail stays in surat),
 * y copies it to the clipboard with OSC 52, and typing a number selects
 * that link.
 *
 * OSC 8 (osc8_links): curses cannot write escape sequences into its cells,
 * so after each screen update surat writes each visible link again itself:
 * the cursor moved to the link's first cell, "ESC ] 8 ; ; TARGET ESC \",
 * the same cells with the same attributes as curses drew them (read back
 * from stdscr), "ESC ] 8 ; ; ESC \", then the attributes reset through
 * curses (so its idea of them stays true) and the cursor put back where
 * curses left it.  TARGET is the renderer's link target (printable ASCII,
 * %-encoded), never bytes from the message.
 */
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "private.h"
#include "surat/command.h"
#include "surat/keymap.h"
#include "surat/width.h"

struct links_view {
	/*
	 * The open message's rendering (the pager's, which nothing frees while
	 * this list has the keys), or the list's own (OWN).
	 */
	const struct rendering *r;
	struct rendering *own;
};

/* Link NUMBER's line: number and URL as written, and whether it can be opened. */
static char *
links_row(struct ui *ui, void *data, int number)
{
	struct links_view *v = data;
	const struct render_link *link = render_link_get(v->r, number);

	(void)ui;
	if (link == NULL)
		return g_strdup("");
	return g_strdup_printf("%3d  %s%s", link->number, link->url,
	    link->target == NULL ? "  (not a web link: not opened)" : "");
}

static char *
links_status(struct ui *ui, void *data, int cursor, int count)
{
	struct keymap *km = ui_views_keymap(ui);
	char *open = keymap_keys_for(km, KEYMAP_CONTEXT_LINKS, KEYMAP_ACTION_OPEN_LINK);
	char *copy = keymap_keys_for(km, KEYMAP_CONTEXT_LINKS, KEYMAP_ACTION_COPY_LINK);
	char *status;

	(void)data;
	status = g_strdup_printf("-- surat: links -- %d/%d -- %s:open %s:copy 0-9:select q:back "
	    "?:help ", cursor, count, open != NULL ? open : "-", copy != NULL ? copy : "-");
	g_free(open);
	g_free(copy);
	return status;
}

/* Write to the mailto: link LINK: the editor, then the compose screen over this list. */
static void
links_mailto(struct ui *ui, const struct render_link *link)
{
	const struct index_message *cur = ui_index_current(ui);
	const struct account_config *account;
	struct compose_draft *d;
	GError *error = NULL;

	d = ui_compose_mailto(ui, link->target, cur != NULL ? cur->account : NULL, &account,
	    &error);
	if (d == NULL) {
		ui_set_message(ui, true, "Link %d: %s", link->number, error->message);
		g_clear_error(&error);
		return;
	}
	ui_compose_open(ui, d, account);
}

/* Open link LINK with url_command (a mailto: link in the compose screen). */
static void
links_open(struct ui *ui, const struct render_link *link)
{
	GError *error = NULL;
	char **argv;
	int status = 0;

	if (link->target == NULL) {
		ui_set_message(ui, true, "Link %d is not a web link; surat opens http, https, ftp "
		    "and mailto links only.", link->number);
		return;
	}
	if (g_ascii_strncasecmp(link->target, "mailto:", 7) == 0) {
		links_mailto(ui, link);
		return;
	}
	if (ui->config->url_command == NULL || ui->config->url_command[0] == '\0') {
		ui_set_message(ui, true, "url_command is not set; set it in the configuration, "
		    "e.g. url_command = \"xdg-open %%u\";");
		return;
	}
	argv = command_url_argv(ui->config->url_command, link->target, &error);
	if (argv == NULL || !ui_view_run_terminal(ui, argv, NULL, 0, false, &status, &error)) {
		ui_set_message(ui, true, "Cannot open link %d: %s", link->number, error->message);
		g_clear_error(&error);
	} else if (status != 0) {
		ui_set_message(ui, true, "url_command exited with status %d for link %d.", status,
		    link->number);
	} else {
		ui_set_message(ui, false, "Opened link %d with url_command.", link->number);
	}
	g_strfreev(argv);
}

/* Copy link LINK's target to the clipboard with OSC 52. */
static void
links_copy(struct ui *ui, const struct render_link *link)
{
	if (link->target == NULL) {
		ui_set_message(ui, true, "Link %d is not a web link; not copied.", link->number);
		return;
	}
	if (!ui_view_osc52(link->target))
		ui_set_message(ui, true, "Cannot write to the terminal: %s", g_strerror(errno));
	else
		ui_set_message(ui, false, "Copied link %d to the clipboard (OSC 52).", link->number);
}

static void
links_action(struct ui *ui, void *data, enum keymap_action action, int cursor)
{
	struct links_view *v = data;
	const struct render_link *link = render_link_get(v->r, cursor);

	if (link == NULL)
		return;
	if (action == KEYMAP_ACTION_OPEN_LINK)
		links_open(ui, link);
	else if (action == KEYMAP_ACTION_COPY_LINK)
		links_copy(ui, link);
}

/* A number typed: say which link it chose. */
static void
links_chosen(struct ui *ui, void *data, int number)
{
	(void)data;
	ui_set_message(ui, false, "Link %d.", number);
}

static void
links_free(void *data)
{
	struct links_view *v = data;

	render_free(v->own);
	g_free(v);
}

static const struct ui_list_class links_list = {
	.context = KEYMAP_CONTEXT_LINKS,
	.header = "  #  URL",
	.element = THEME_LINK,
	.selected = THEME_LINK_SELECTED,
	.row = links_row,
	.status = links_status,
	.action = links_action,
	.chosen = links_chosen,
	.free = links_free,
};

void
ui_links_push(struct ui *ui)
{
	struct links_view *v;
	struct rendering *own = NULL;
	const struct rendering *r;

	if (ui->pager != NULL) {
		r = ui->pager->rendering;
	} else {
		struct render_options options;
		GError *error = NULL;
		char *path = ui_view_message_path(ui, NULL, &error);

		if (path != NULL) {
			ui_view_render_options(ui, &options);
			own = render_file(path, &options, &error);
			g_free(path);
		}
		if (own == NULL) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
			return;
		}
		r = own;
	}
	if (r->links->len == 0) {
		ui_set_message(ui, false, "This message has no links.");
		render_free(own);
		return;
	}
	v = g_new0(struct links_view, 1);
	v->r = r;
	v->own = own;
	ui_list_push(ui, &links_list, v, (int)r->links->len);
}

/* ---- OSC 8 in the pager ---------------------------------------------------- */

/* Where links_putc writes (vid_puts takes no context). */
static GString *links_out;

/* vid_puts' output function: append to links_out. */
static int
links_putc(int c)
{
	g_string_append_c(links_out, (char)c);
	return c;
}

/* Append the terminal's cursor motion to ROW, COL (terminfo padding dropped). */
static void
links_move(int row, int col)
{
	char *cup = tigetstr("cup");
	const char *s, *p;

	if (cup == NULL || cup == (char *)-1)
		return;
	s = tiparm(cup, row, col);
	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++) {
		if (p[0] == '$' && p[1] == '<' && strchr(p, '>') != NULL) {
			p = strchr(p, '>');
			continue;
		}
		g_string_append_c(links_out, *p);
	}
}

/* Whether this terminal is one that shows OSC 8, or at least ignores it. */
static bool
links_terminal_ok(void)
{
	static const char *const bad[] = { "linux", "dumb", "vt", "cons", "sun", "ansi" };
	const char *term = getenv("TERM");
	size_t i;

	if (term == NULL || term[0] == '\0')
		return false;
	for (i = 0; i < G_N_ELEMENTS(bad); i++)
		if (g_str_has_prefix(term, bad[i]))
			return false;
	return true;
}

/* Write the cells COL0 .. COL0+COLS-1 of screen row ROW again, as they are. */
static void
links_cells(int row, int col0, int ncols, attr_t *last_attrs, short *last_pair)
{
	int col = col0;

	while (col < col0 + ncols && col < COLS) {
		cchar_t cc;
		wchar_t wch[CCHARW_MAX + 1];
		attr_t attrs = 0;
		short pair = 0;
		int i, w;

		if (mvwin_wch(stdscr, row, col, &cc) == ERR ||
		    getcchar(&cc, wch, &attrs, &pair, NULL) == ERR)
			break;
		attrs &= ~A_COLOR;
		if (attrs != *last_attrs || pair != *last_pair) {
			vid_puts(attrs, pair, NULL, links_putc);
			*last_attrs = attrs;
			*last_pair = pair;
		}
		for (i = 0; i < CCHARW_MAX && wch[i] != L'\0'; i++) {
			char utf8[8];
			int n = g_unichar_to_utf8((gunichar)wch[i], utf8);

			g_string_append_len(links_out, utf8, n);
		}
		w = wch[0] != L'\0' ? wcwidth(wch[0]) : 1;
		col += MAX(1, w);
	}
}

void
ui_links_osc8(struct ui *ui, int y, int height)
{
	const struct ui_pager *pager = ui->pager;
	const struct rendering *r;
	attr_t last_attrs = (attr_t)-1;
	short last_pair = -1;
	int i, cy, cx;
	size_t off = 0;

	if (!ui->config->osc8_links || pager == NULL || pager->width < 0 || !links_terminal_ok())
		return;
	r = pager->rendering;
	/* Where curses left the cursor: mvwin_wch below moves stdscr's. */
	getyx(stdscr, cy, cx);
	links_out = g_string_new(NULL);
	for (i = 0; i < height; i++) {
		guint k = (guint)(pager->top + i), j;
		const struct ui_pager_line *s;
		const struct render_line *l;

		if (k >= pager->screen->len)
			break;
		s = &g_array_index(pager->screen, struct ui_pager_line, k);
		l = g_ptr_array_index(r->lines, s->line);
		for (j = l->span_first; j < l->span_first + l->span_count && j < r->spans->len;
		    j++) {
			const struct render_span *sp = &g_array_index(r->spans, struct render_span, j);
			const struct render_link *link = render_link_get(r, sp->link);
			guint a = MAX(sp->start, s->start), b = MIN(sp->end, s->start + s->len);
			char *before, *inside;
			int col, ncols;

			if (link == NULL || link->target == NULL || a >= b)
				continue;
			/* Columns as the pager drew them: each line starts at the pane's left edge. */
			before = g_strndup(l->text + s->start, a - s->start);
			inside = g_strndup(l->text + a, b - a);
			col = ui->pane_x + width_of(before);
			ncols = width_of(inside);
			g_free(before);
			g_free(inside);
			if (col >= COLS || ncols <= 0)
				continue;
			links_move(y + i, col);
			g_string_append_printf(links_out, "\033]8;;%s\033\\", link->target);
			links_cells(y + i, col, ncols, &last_attrs, &last_pair);
			g_string_append(links_out, "\033]8;;\033\\");
		}
	}
	if (links_out->len > 0) {
		/* Attributes back to normal through curses, the cursor where curses left it. */
		vid_puts(A_NORMAL, 0, NULL, links_putc);
		links_move(cy, cx);
		fflush(stdout);
		while (off < links_out->len) {
			ssize_t n = write(STDOUT_FILENO, links_out->str + off, links_out->len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += (size_t)n;
		}
	}
	move(cy, cx);
	g_string_free(links_out, TRUE);
	links_out = NULL;
}
