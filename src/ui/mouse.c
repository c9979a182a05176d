/*
 * mouse: clicks and the wheel, when the `mouse` option is on.  A click on
 * an index row selects it; a click on the row already selected (so the
 * second click of a double click) opens it.  The wheel scrolls the pane
 * under the pointer: the index, or the pager; over the sidebar it moves its
 * highlight.  A click on a sidebar entry opens it.  Clicks on the status and
 * message lines, and on the pager, do nothing.  Over another mode (the
 * text pager, a list) the wheel moves a line a turn.  Each event goes to
 * the top mode's mouse function.
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

void
ui_mouse_mail(struct ui *ui, struct ui_mode *mode, const struct ui_mouse *event)
{
	struct ui_layout l;
	int x = event->x, y = event->y;

	(void)mode;
	ui_layout_compute(ui, &l);
	if (event->wheel != 0) {
		if (x < l.sidebar_w && y < l.status_y)
			/* Over the sidebar: the highlight moves, as M-j and M-k. */
			ui_sidebar_action(ui, event->wheel > 0 ? KEYMAP_ACTION_SIDEBAR_NEXT :
			    KEYMAP_ACTION_SIDEBAR_PREVIOUS);
		else if (l.pager_h > 0 && y >= l.pager_y && y < l.pager_y + l.pager_h)
			ui_pager_scroll(ui, event->wheel);
		else if (l.index_h > 0 && y >= l.index_y && y < l.index_y + l.index_h)
			/* The rows move under a cursor that stays on screen. */
			ui_index_scroll(ui, event->wheel);
		return;
	}
	if (x < l.sidebar_w && y < l.status_y)
		mouse_sidebar_click(ui, y);
	else if (l.index_h > 0 && y >= l.index_y && y < l.index_y + l.index_h)
		mouse_index_click(ui, &l, y);
	/* The pager, the rule, the status and message lines: nothing. */
}

void
ui_mouse_event(struct ui *ui)
{
	struct ui_mode *mode = ui_mode_top(ui);
	struct ui_mouse event = { 0, 0, 0, false };
	MEVENT ev;

	if (getmouse(&ev) != OK || !ui->mouse)
		return;
	if (ui->prompt.kind != UI_PROMPT_NONE || mode == NULL || mode->cls->mouse == NULL)
		return;
	event.x = ev.x;
	event.y = ev.y;
	if (ev.bstate & BUTTON4_PRESSED)
		event.wheel = -MOUSE_WHEEL_LINES;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		event.wheel = MOUSE_WHEEL_LINES;
#endif
	else if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED))
		event.click = true;
	else
		return;
	mode->cls->mouse(ui, mode, &event);
}
