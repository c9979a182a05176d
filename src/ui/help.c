/*
 * help: full screens of text over the index: the key bindings of the view
 * the reader came from and the others, generated from the live key map
 * (keymap_help) so the screen never disagrees with what the keys do, a
 * binding made in the config or with :bind included; and the fetch log
 * (fetcher.c).
 */
#include <curses.h>

#include "private.h"
#include "surat/width.h"

/* Append the title and the live bindings of CONTEXT. */
static void
help_context(struct ui *ui, enum keymap_context context, GPtrArray *lines)
{
	static const char *const titles[KEYMAP_CONTEXT_COUNT] = {
		[KEYMAP_CONTEXT_INDEX] = "Keys in the index:",
		[KEYMAP_CONTEXT_PAGER] = "Keys in the pager:",
		[KEYMAP_CONTEXT_ATTACHMENTS] = "Keys in the attachment list:",
		[KEYMAP_CONTEXT_LINKS] = "Keys in the link list:",
		[KEYMAP_CONTEXT_SIDEBAR] = "Keys in the sidebar:",
		[KEYMAP_CONTEXT_PROMPT] = "Keys while typing a line (:, /):",
		[KEYMAP_CONTEXT_HELP] = "Keys in this help and the log:",
	};

	g_ptr_array_add(lines, g_strdup(""));
	g_ptr_array_add(lines, g_strdup(titles[context]));
	g_ptr_array_add(lines, g_strdup(""));
	keymap_help(ui->keymap, context, lines);
}

/* The text of the overlay: the help, the context the reader came from first, or the log. */
static GPtrArray *
help_text(struct ui *ui)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	static const enum keymap_context order[] = {
		KEYMAP_CONTEXT_INDEX, KEYMAP_CONTEXT_PAGER, KEYMAP_CONTEXT_PROMPT, KEYMAP_CONTEXT_HELP,
	};
	enum keymap_context first = ui->pager != NULL ? KEYMAP_CONTEXT_PAGER : KEYMAP_CONTEXT_INDEX;
	size_t i;

	if (ui->overlay == UI_OVERLAY_LOG) {
		GPtrArray *log = ui_fetcher_log(ui);

		g_ptr_array_add(lines, g_strdup("Fetch log (q closes it)"));
		g_ptr_array_add(lines, g_strdup(""));
		for (i = 0; i < log->len; i++)
			g_ptr_array_add(lines, g_strdup(g_ptr_array_index(log, (guint)i)));
		if (log->len == 0)
			g_ptr_array_add(lines, g_strdup("Nothing yet."));
		return lines;
	}

	g_ptr_array_add(lines, g_strdup("surat help (q or ? closes it)"));
	help_context(ui, first, lines);
	for (i = 0; i < G_N_ELEMENTS(order); i++)
		if (order[i] != first)
			help_context(ui, order[i], lines);
	g_ptr_array_add(lines, g_strdup(""));
	g_ptr_array_add(lines, g_strdup("Commands after : (Tab completes):"));
	g_ptr_array_add(lines, g_strdup(""));
	g_ptr_array_add(lines, g_strdup("  ACTION-NAME                run the action, as its key would"));
	g_ptr_array_add(lines, g_strdup("  set OPTION VALUE           change an option now (set OPTION? shows it)"));
	g_ptr_array_add(lines, g_strdup("  set OPTION, set noOPTION   turn a yes/no option on or off"));
	g_ptr_array_add(lines, g_strdup("  bind CONTEXT KEYS ACTION   bind keys until surat quits"));
	g_ptr_array_add(lines, g_strdup("  help, quit                 this help; leave surat"));
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
			char *line = ui_term_fit(g_ptr_array_index(lines, k), width, 0);

			addstr(line);
			g_free(line);
		}
	}
	attrset(A_NORMAL);
	g_ptr_array_free(lines, TRUE);
}
