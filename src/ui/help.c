/*
 * help: full screens of text over the index: the key bindings of the index
 * and the pager, read from the live key tables (keys.c) so the screen never
 * disagrees with what the keys do; and the fetch log (fetch.c).
 */
#include <curses.h>

#include "private.h"
#include "surat/width.h"

/* The text of the overlay: the help, the context the reader came from first, or the log. */
static GPtrArray *
help_text(struct ui *ui)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	enum ui_context first = ui->pager != NULL ? UI_CONTEXT_PAGER : UI_CONTEXT_INDEX;

	if (ui->overlay == UI_OVERLAY_LOG) {
		GPtrArray *log = ui_fetch_log(ui);
		guint i;

		g_ptr_array_add(lines, g_strdup("Fetch log (q closes it)"));
		g_ptr_array_add(lines, g_strdup(""));
		for (i = 0; i < log->len; i++)
			g_ptr_array_add(lines, g_strdup(g_ptr_array_index(log, i)));
		if (log->len == 0)
			g_ptr_array_add(lines, g_strdup("Nothing yet."));
		return lines;
	}

	g_ptr_array_add(lines, g_strdup("surat help (q or ? closes it)"));
	g_ptr_array_add(lines, g_strdup(""));
	ui_keys_help(first, lines);
	g_ptr_array_add(lines, g_strdup(""));
	ui_keys_help(first == UI_CONTEXT_PAGER ? UI_CONTEXT_INDEX : UI_CONTEXT_PAGER, lines);
	return lines;
}

int
ui_help_lines(struct ui *ui)
{
	GPtrArray *lines = help_text(ui);
	int n = (int)lines->len;

	g_ptr_array_free(lines, TRUE);
	return n;
}

void
ui_help_draw(struct ui *ui, int y, int height, int width)
{
	GPtrArray *lines = help_text(ui);
	int i;

	for (i = 0; i < height; i++) {
		guint k = (guint)(ui->help_top + i);

		move(y + i, 0);
		attrset(ui_term_attr(THEME_HELP));
		clrtoeol();
		if (k < lines->len) {
			char *line = width_fit(g_ptr_array_index(lines, k), width, 0);

			addstr(line);
			g_free(line);
		}
	}
	attrset(A_NORMAL);
	g_ptr_array_free(lines, TRUE);
}
