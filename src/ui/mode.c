/*
 * mode: the stack of modes (private.h, struct ui_mode), the mail mode at
 * the bottom.  Pushing one shows it at the next draw; popping one frees it
 * and draws again what is below.  The loop that runs them all is ui_loop.
 */
#include "private.h"

static void
mode_free(struct ui_mode *mode)
{
	if (mode->cls->free != NULL)
		mode->cls->free(mode->data);
	g_free(mode);
}

struct ui_mode *
ui_mode_push(struct ui *ui, const struct ui_mode_class *cls, void *data)
{
	struct ui_mode *mode = g_new0(struct ui_mode, 1);

	mode->cls = cls;
	mode->data = data;
	mode->context = cls->context;
	if (ui->modes == NULL)
		ui->modes = g_ptr_array_new();
	g_ptr_array_add(ui->modes, mode);
	ui->dirty |= UI_DIRTY_ALL;
	return mode;
}

void
ui_mode_pop(struct ui *ui)
{
	if (ui->modes == NULL || ui->modes->len <= 1)
		return;
	mode_free(g_ptr_array_steal_index(ui->modes, ui->modes->len - 1));
	ui->dirty |= UI_DIRTY_ALL;
}

struct ui_mode *
ui_mode_top(const struct ui *ui)
{
	if (ui->modes == NULL || ui->modes->len == 0)
		return NULL;
	return g_ptr_array_index(ui->modes, ui->modes->len - 1);
}

struct ui_mode *
ui_mode_cover(const struct ui *ui)
{
	if (ui->modes == NULL || ui->modes->len <= 1)
		return NULL;
	return ui_mode_top(ui);
}

enum keymap_context
ui_mode_context(const struct ui *ui, const struct ui_mode *mode)
{
	return mode->cls->focus != NULL ? mode->cls->focus(ui, mode) : mode->context;
}

void
ui_mode_mouse_lines(struct ui *ui, struct ui_mode *mode, const struct ui_mouse *event)
{
	/* A line a turn, whatever the turn's size: these screens are short. */
	if (event->wheel != 0)
		mode->cls->key(ui, mode, event->wheel > 0 ? KEYMAP_ACTION_NEXT_LINE :
		    KEYMAP_ACTION_PREVIOUS_LINE, KEYMAP_KEY_NONE);
}

void
ui_modes_clear(struct ui *ui)
{
	guint i;

	if (ui->modes == NULL)
		return;
	for (i = ui->modes->len; i > 0; i--)
		mode_free(g_ptr_array_index(ui->modes, i - 1));
	g_ptr_array_free(ui->modes, TRUE);
	ui->modes = NULL;
}
