/*
 * mode: the stack of modes over the index and pager (private.h, struct
 * ui_mode).  Pushing one shows it at the next draw; popping one frees it
 * and draws again what is below.  The loop that runs them is ui_loop
 * (and, until they become modes too, the attachment and link views' own).
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
	if (ui->modes == NULL || ui->modes->len == 0)
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

void
ui_modes_clear(struct ui *ui)
{
	while (ui_mode_top(ui) != NULL)
		ui_mode_pop(ui);
	if (ui->modes != NULL)
		g_ptr_array_free(ui->modes, TRUE);
	ui->modes = NULL;
}
