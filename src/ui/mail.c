/*
 * mail: the mail mode, the bottom of the mode stack and never popped: the
 * sidebar at the left, the index and the open message's pager beside it
 * (one above the other, or the pager alone when zoomed), the status line
 * under them.  Its keys follow the focus (sidebar, pager or index) and run
 * the action table of actions.c; its mouse is mouse.c's.  The modes pushed
 * over it (text.c, list.c) cover all of it but the message line.
 */
#include <curses.h>
#include <string.h>

#include "private.h"

void
ui_layout_compute(const struct ui *ui, struct ui_layout *l)
{
	int content = LINES - 2;

	if (content < 1)
		content = 1;
	memset(l, 0, sizeof *l);
	l->sep_y = -1;
	l->status_y = LINES - 2;
	l->message_y = LINES - 1;
	l->sidebar_w = ui_sidebar_width(ui, COLS);
	/* A mode over this one leaves the panes' shape (and the index's rows) as they were. */
	if (ui->pager == NULL) {
		l->index_h = content;
	} else if (ui->zoom || content < 6) {
		l->pager_h = content;
	} else {
		l->index_h = MIN(ui->index_lines, content - 4);
		l->sep_y = l->index_h;
		l->pager_y = l->index_h + 1;
		l->pager_h = content - l->index_h - 1;
	}
}

int
ui_pager_height(const struct ui *ui)
{
	struct ui_layout l;

	ui_layout_compute(ui, &l);
	return MAX(1, l.pager_h);
}

/* The rule between index and pager: the subject of the open message. */
static void
mail_draw_separator(struct ui *ui, int y, int width)
{
	GString *s = g_string_new("--");
	int i;

	for (i = 2; i < width; i++)
		g_string_append_c(s, '-');
	attrset(ui_term_attr(THEME_SEPARATOR));
	mvaddnstr(y, ui->pane_x, s->str, width);
	attrset(A_NORMAL);
	g_string_free(s, TRUE);
}

/* Sidebar, pager or index: what has the keys. */
static enum keymap_context
mail_focus(const struct ui *ui, const struct ui_mode *mode)
{
	(void)mode;
	if (ui->sidebar_focus && ui->sidebar)
		return KEYMAP_CONTEXT_SIDEBAR;
	if (ui->pager != NULL)
		return KEYMAP_CONTEXT_PAGER;
	return KEYMAP_CONTEXT_INDEX;
}

static void
mail_draw(struct ui *ui, struct ui_mode *mode)
{
	struct ui_layout l;

	(void)mode;
	ui_layout_compute(ui, &l);
	if (l.sidebar_w > 0)
		ui_sidebar_draw(ui, 0, l.status_y, l.sidebar_w);
	if (l.index_h > 0)
		ui_index_draw(ui, l.index_y, l.index_h, COLS - l.sidebar_w);
	if (l.sep_y >= 0)
		mail_draw_separator(ui, l.sep_y, COLS - l.sidebar_w);
	if (l.pager_h > 0)
		ui_pager_draw(ui, l.pager_y, l.pager_h, COLS - l.sidebar_w);
	ui_status_draw(ui, l.status_y, COLS);
}

static const struct ui_mode_class mail_class = {
	.name = "mail",
	.context = KEYMAP_CONTEXT_INDEX,
	.focus = mail_focus,
	.draw = mail_draw,
	.key = ui_action_mail,
	.mouse = ui_mouse_mail,
};

void
ui_mail_push(struct ui *ui)
{
	ui_mode_push(ui, &mail_class, NULL);
}
