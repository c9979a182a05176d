/*
 * mouse: clicks and the wheel, when the `mouse` option is on.  A click on
 * an index row selects it; a click on the row already selected (so the
 * second click of a double click) opens it.  The wheel scrolls the pane
 * under the pointer: the index, or the pager; over the sidebar it moves its
 * highlight.  A click on a sidebar entry opens it.  Clicks on the status and
 * message lines, and on the pager, do nothing.
 */
#include <curses.h>

#include "private.h"

#define MOUSE_WHEEL_LINES 3

/* The sidebar's hook: a click on sidebar row Y highlights and opens its entry. */
static void
mouse_sidebar_click(struct ui *ui, int y)
{
	ui_sidebar_click(ui, y);
}

/* A click on index row Y of the layout L. */
static void
mouse_index_click(struct ui *ui, const struct ui_layout *l, int y)
{
	int64_t position = ui_index_top(ui) + (y - l->index_y);

	if (position < 0 || position >= ui_index_total(ui))
		return;
	if (position == ui_index_cursor(ui)) {
		ui_action_open(ui);
		return;
	}
	ui_index_move(ui, position);
	/* With the pager open, the message clicked is shown there. */
	if (ui->pager != NULL)
		ui_action_open(ui);
}

/* The wheel over the pane at row Y: LINES down (or up when negative). */
static void
mouse_wheel(struct ui *ui, const struct ui_layout *l, int x, int y, int lines)
{
	if (x < l->sidebar_w && y < l->status_y) {
		/* Over the sidebar: the highlight moves, as M-j and M-k. */
		ui_sidebar_action(ui, lines > 0 ? KEYMAP_ACTION_SIDEBAR_NEXT :
		    KEYMAP_ACTION_SIDEBAR_PREVIOUS);
		return;
	}
	if (ui_mode_top(ui) != NULL) {
		ui_action_run(ui, lines > 0 ? KEYMAP_ACTION_NEXT_LINE : KEYMAP_ACTION_PREVIOUS_LINE);
		return;
	}
	if (l->pager_h > 0 && y >= l->pager_y && y < l->pager_y + l->pager_h) {
		ui_pager_scroll(ui, lines);
		return;
	}
	if (l->index_h > 0 && y >= l->index_y && y < l->index_y + l->index_h)
		ui_index_scroll(ui, lines);
}

void
ui_mouse_event(struct ui *ui)
{
	struct ui_layout l;
	MEVENT ev;

	if (getmouse(&ev) != OK || !ui->mouse)
		return;
	if (ui->prompt.kind != UI_PROMPT_NONE)
		return;
	ui_layout_compute(ui, &l);
	if (ev.bstate & BUTTON4_PRESSED) {
		mouse_wheel(ui, &l, ev.x, ev.y, -MOUSE_WHEEL_LINES);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		mouse_wheel(ui, &l, ev.x, ev.y, MOUSE_WHEEL_LINES);
		return;
	}
#endif
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return;
	if (ev.x < l.sidebar_w && ev.y < l.status_y) {
		mouse_sidebar_click(ui, ev.y);
		return;
	}
	if (ui_mode_top(ui) != NULL)
		return;
	if (l.index_h > 0 && ev.y >= l.index_y && ev.y < l.index_y + l.index_h)
		mouse_index_click(ui, &l, ev.y);
	/* The pager, the rule, the status and message lines: nothing. */
}
