/*
 * list: the one list mode, as tmux's mode-tree: a numbered list of entries
 * 1..COUNT under a line of column heads, one entry selected, a status line.
 * It moves by entry, page and to either end, selects the entry whose number
 * is typed ("1" then "2" is 12 when there is a 12th), and closes on q or
 * Escape; the rest of the keys are the list's own (struct ui_list_class:
 * the attachment list, the link list, and the pickers to come).
 */
#include <curses.h>

#include "private.h"

struct list_view {
	const struct ui_list_class *cls;
	void *data;
	int count;
	int cursor; /* the selected entry, 1-based */
	int top;    /* the first entry shown */
	int digits; /* a number being typed */
};

/* Rows of entries on this screen. */
static int
list_rows(void)
{
	return MAX(1, LINES - 3);
}

static void
list_draw(struct ui *ui, struct ui_mode *mode)
{
	struct list_view *l = mode->data;
	int rows = list_rows(), i;
	char *line, *status;

	if (l->cursor < l->top)
		l->top = l->cursor;
	if (l->cursor >= l->top + rows)
		l->top = l->cursor - rows + 1;
	erase();
	line = ui_term_fit(l->cls->header, COLS, 0);
	attrset(ui_term_attr(THEME_HEADER_NAME));
	mvaddstr(0, 0, line);
	g_free(line);
	for (i = 0; i < rows && l->top + i <= l->count; i++) {
		int number = l->top + i;
		char *text = l->cls->row(ui, l->data, number);

		line = ui_term_fit(text, COLS, 1);
		attrset(ui_term_attr(number == l->cursor ? l->cls->selected : l->cls->element));
		mvaddstr(1 + i, 0, line);
		if (number == l->cursor)
			clrtoeol();
		g_free(line);
		g_free(text);
	}
	attrset(A_NORMAL);
	status = l->cls->status(ui, l->data, l->cursor, l->count);
	ui_view_status(LINES - 2, status);
	g_free(status);
}

/*
 * Apply ACTION, or the key TYPED when ACTION is none, to the selection:
 * true when it was a movement or a number (in range or not yet complete).
 */
static bool
list_move(struct ui *ui, struct list_view *l, enum keymap_action action, int32_t typed)
{
	bool digit = action == KEYMAP_ACTION_NONE && typed >= '0' && typed <= '9';
	int page = MAX(1, list_rows() - 1), n;

	if (!digit)
		l->digits = 0;
	if (typed != KEYMAP_KEY_NONE || action != KEYMAP_ACTION_NONE)
		g_clear_pointer(&ui->message, g_free);
	switch (action) {
	case KEYMAP_ACTION_NEXT_ENTRY:
	case KEYMAP_ACTION_NEXT_LINE:
		l->cursor = MIN(l->cursor + 1, l->count);
		return true;
	case KEYMAP_ACTION_PREVIOUS_ENTRY:
	case KEYMAP_ACTION_PREVIOUS_LINE:
		l->cursor = MAX(l->cursor - 1, 1);
		return true;
	case KEYMAP_ACTION_NEXT_PAGE:
	case KEYMAP_ACTION_HALF_DOWN:
		l->cursor = MIN(l->cursor + page, l->count);
		return true;
	case KEYMAP_ACTION_PREVIOUS_PAGE:
	case KEYMAP_ACTION_HALF_UP:
		l->cursor = MAX(l->cursor - page, 1);
		return true;
	case KEYMAP_ACTION_FIRST_ENTRY:
	case KEYMAP_ACTION_TOP:
		l->cursor = 1;
		return true;
	case KEYMAP_ACTION_LAST_ENTRY:
	case KEYMAP_ACTION_BOTTOM:
		l->cursor = l->count;
		return true;
	case KEYMAP_ACTION_NONE:
		if (!digit)
			return false;
		n = l->digits * 10 + (int)(typed - '0');
		if (n < 1 || n > l->count)
			n = (int)(typed - '0');
		l->digits = n;
		if (n < 1 || n > l->count)
			return false;
		l->cursor = n;
		if (l->cls->chosen != NULL)
			l->cls->chosen(ui, l->data, n);
		return true;
	default:
		return false;
	}
}

static void
list_key(struct ui *ui, struct ui_mode *mode, enum keymap_action action, int32_t typed)
{
	struct list_view *l = mode->data;

	ui->dirty |= UI_DIRTY_ALL;
	if (list_move(ui, l, action, typed))
		return;
	switch (action) {
	case KEYMAP_ACTION_QUIT:
		ui_mode_pop(ui);
		break;
	case KEYMAP_ACTION_HELP:
		ui_help_push(ui, mode->context);
		break;
	case KEYMAP_ACTION_REDRAW:
		clearok(curscr, TRUE);
		break;
	case KEYMAP_ACTION_NONE:
		if (typed == KEYMAP_KEY_ESCAPE)
			ui_mode_pop(ui);
		/* A number is a choice (out of range here), not a key. */
		else if (typed != KEYMAP_KEY_NONE && typed != UI_KEY_MOUSE &&
		    !(typed >= '0' && typed <= '9'))
			ui_say_unbound(ui, mode->context, NULL);
		break;
	default:
		l->cls->action(ui, l->data, action, l->cursor);
		break;
	}
}

static void
list_free(void *data)
{
	struct list_view *l = data;

	if (l->cls->free != NULL)
		l->cls->free(l->data);
	g_free(l);
}

static const struct ui_mode_class list_class = {
	.name = "list",
	.context = KEYMAP_CONTEXT_INDEX, /* the pusher's list class gives its own */
	.draw = list_draw,
	.key = list_key,
	.mouse = ui_mode_mouse_lines,
	.free = list_free,
};

void
ui_list_push(struct ui *ui, const struct ui_list_class *cls, void *data, int count)
{
	struct list_view *l = g_new0(struct list_view, 1);
	struct ui_mode *mode;

	l->cls = cls;
	l->data = data;
	l->count = count;
	l->cursor = l->top = 1;
	g_clear_pointer(&ui->message, g_free);
	mode = ui_mode_push(ui, &list_class, l);
	mode->context = cls->context;
}

void *
ui_list_top(struct ui *ui, const struct ui_list_class *cls)
{
	struct ui_mode *mode = ui_mode_top(ui);
	struct list_view *l;

	if (mode == NULL || mode->cls != &list_class)
		return NULL;
	l = mode->data;
	return l->cls == cls ? l->data : NULL;
}
