/*
 * help: the text of two screens shown in the text pager (text.c): the key
 * bindings of the view the reader came from and the others, generated from
 * the live key map (keymap_help) so the screen never disagrees with what
 * the keys do, a binding made in the config or with :bind included; and the
 * fetch log (fetcher.c), read again at each draw so it stays live, its long
 * lines wrapped (an error is read whole, not cut at the screen's edge).
 */
#include "private.h"
#include "surat/sanitize.h"

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
		[KEYMAP_CONTEXT_COMPOSE] = "Keys on the compose screen:",
	};

	g_ptr_array_add(lines, g_strdup(""));
	g_ptr_array_add(lines, g_strdup(titles[context]));
	g_ptr_array_add(lines, g_strdup(""));
	keymap_help(ui->keymap, context, lines);
}

/* The fetch log's lines (a text mode's source: read again at each draw). */
static GPtrArray *
help_log_lines(struct ui *ui, void *data)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *log = ui_fetcher_log(ui);
	guint i;

	(void)data;
	g_ptr_array_add(lines, g_strdup("Fetch log (q closes it)"));
	g_ptr_array_add(lines, g_strdup(""));
	/* Wrapped lines are drawn as they are: made safe here, as ui_term_fit would. */
	for (i = 0; i < log->len; i++)
		g_ptr_array_add(lines, sanitize_text(g_ptr_array_index(log, i), -1, 0));
	if (log->len == 0)
		g_ptr_array_add(lines, g_strdup("Nothing yet."));
	return lines;
}

/* The help's lines: the keys of FIRST (the view the reader came from) first, then the others. */
static GPtrArray *
help_lines(struct ui *ui, enum keymap_context first)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	static const enum keymap_context order[] = {
		KEYMAP_CONTEXT_INDEX, KEYMAP_CONTEXT_PAGER, KEYMAP_CONTEXT_PROMPT, KEYMAP_CONTEXT_HELP,
	};
	size_t i;

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
	g_ptr_array_add(lines, g_strdup("  set invOPTION, toggle OPTION, unset OPTION, reset OPTION"));
	g_ptr_array_add(lines, g_strdup("  bind CONTEXT KEYS ACTION   bind keys until surat quits"));
	g_ptr_array_add(lines, g_strdup("  unbind CONTEXT KEYS        unbind keys or a macro (* for every context)"));
	g_ptr_array_add(lines, g_strdup("  macro CONTEXT KEYS \"SEQ\" [\"DESCRIPTION\"]   type SEQ for KEYS"));
	g_ptr_array_add(lines, g_strdup("  push \"SEQ\", exec ACTION... type keys and <actions>; run actions"));
	g_ptr_array_add(lines, g_strdup("  source FILE                run a file of these commands"));
	g_ptr_array_add(lines, g_strdup("  color OBJECT FG BG PATTERN colour index rows (a query), body text or"));
	g_ptr_array_add(lines, g_strdup("                             header lines (a regex); the last match wins"));
	g_ptr_array_add(lines, g_strdup("  help, quit                 this help; leave surat"));
	return lines;
}

void
ui_help_push(struct ui *ui, enum keymap_context first)
{
	struct ui_text_options o = {
		.tag = "help", .context = KEYMAP_CONTEXT_HELP, .element = THEME_HELP,
	};

	ui_text_push(ui, &o, help_lines(ui, first));
}

void
ui_help_push_log(struct ui *ui)
{
	struct ui_text_options o = {
		.tag = "fetch log", .context = KEYMAP_CONTEXT_HELP, .element = THEME_HELP,
		.wrap = true, .at_end = true, .lines_fn = help_log_lines,
	};

	ui_text_push(ui, &o, NULL);
}
