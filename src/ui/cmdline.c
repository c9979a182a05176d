/*
 * cmdline: the : command line.  A line is an action's name (run as if its
 * key was typed), `set OPTION VALUE` for the options that make sense while
 * surat runs, `bind CONTEXT KEYS ACTION`, `help` or `quit`.  A bad line
 * changes nothing and says why in one line.  Tab completes command words,
 * action names, option names and their values.
 */
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "surat/sanitize.h"

#define CMDLINE_WORD_MAX 64 /* bytes of a word quoted back in an error */

/* The kinds of value an option takes. */
enum cmdline_type {
	CMDLINE_BOOL,
	CMDLINE_INT,
	CMDLINE_STRING,
	CMDLINE_SORT,
	CMDLINE_THEME,
};

struct cmdline_option {
	const char *name;
	enum cmdline_type type;
	int min, max; /* of an int */
};

static const struct cmdline_option cmdline_options[] = {
	{ "date_format", CMDLINE_STRING, 0, 0 },
	{ "index_lines", CMDLINE_INT, 1, 1000 },
	{ "mouse", CMDLINE_BOOL, 0, 0 },
	{ "osc8_links", CMDLINE_BOOL, 0, 0 },
	{ "sidebar", CMDLINE_BOOL, 0, 0 },
	{ "sidebar_width", CMDLINE_INT, 10, 80 },
	{ "sort", CMDLINE_SORT, 0, 0 },
	{ "theme", CMDLINE_THEME, 0, 0 },
};

static const char *const cmdline_commands[] = { "bind", "help", "quit", "set", NULL };
static const char *const cmdline_bools[] = { "no", "yes", NULL };

/* The option named NAME, or NULL. */
static const struct cmdline_option *
cmdline_option(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cmdline_options); i++)
		if (strcmp(cmdline_options[i].name, name) == 0)
			return &cmdline_options[i];
	return NULL;
}

/* An error on the message line quoting WORD, cut and made safe. */
static void
cmdline_error(struct ui *ui, const char *fmt, const char *word)
{
	char *safe = sanitize_text(word, (gssize)MIN(strlen(word), CMDLINE_WORD_MAX), 0);

	/* fmt is ours, with one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	ui_set_message(ui, true, fmt, safe);
#pragma GCC diagnostic pop
	g_free(safe);
}

/* The value of OPTION as set now, as `set OPTION?` shows it (g_free). */
static char *
cmdline_value(struct ui *ui, const struct cmdline_option *o)
{
	if (strcmp(o->name, "date_format") == 0)
		return g_strdup(ui->date_format != NULL ? ui->date_format : RENDER_DATE_FORMAT);
	if (strcmp(o->name, "index_lines") == 0)
		return g_strdup_printf("%d", ui->index_lines);
	if (strcmp(o->name, "mouse") == 0)
		return g_strdup(ui->mouse ? "yes" : "no");
	if (strcmp(o->name, "osc8_links") == 0)
		return g_strdup(ui->osc8_links ? "yes" : "no");
	if (strcmp(o->name, "sidebar") == 0)
		return g_strdup(ui->sidebar ? "yes" : "no");
	if (strcmp(o->name, "sidebar_width") == 0)
		return g_strdup_printf("%d", ui->sidebar_width);
	if (strcmp(o->name, "sort") == 0)
		return ui_browse_sort_name(ui);
	return g_strdup(ui->theme_name != NULL ? ui->theme_name : "default");
}

/* Parse a yes/no value. */
static bool
cmdline_bool(const char *text, bool *value)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(yes); i++) {
		if (g_ascii_strcasecmp(text, yes[i]) == 0) {
			*value = true;
			return true;
		}
		if (g_ascii_strcasecmp(text, no[i]) == 0) {
			*value = false;
			return true;
		}
	}
	return false;
}

/* `set sort VALUE`: any order, each also reversed. */
static bool
cmdline_set_sort(struct ui *ui, const char *value)
{
	enum config_sort sort;
	bool reverse;

	if (!config_sort_parse(value, &sort, &reverse)) {
		cmdline_error(ui, "sort: unknown order \"%s\"; use date, arrival, from, subject, "
		    "size or thread, each also as reverse-date...", value);
		return false;
	}
	ui_browse_set_sort(ui, sort, reverse);
	return true;
}

/* `set theme NAME-OR-PATH`: load it and colour the screen with it at once. */
static bool
cmdline_set_theme(struct ui *ui, const char *value)
{
	char *path = strcmp(value, THEME_BUILTIN) == 0 ? NULL : theme_resolve(value);
	struct theme *theme;
	GError *error = NULL;

	if (path == NULL && strcmp(value, THEME_BUILTIN) != 0) {
		char *dirs = theme_search_path();
		char *safe = sanitize_text(value, (gssize)MIN(strlen(value), CMDLINE_WORD_MAX), 0);

		ui_set_message(ui, true, "theme: no theme named \"%s\" in %s", safe, dirs);
		g_free(safe);
		g_free(dirs);
		return false;
	}
	if (path == NULL) {
		theme = theme_load_builtin();
	} else if ((theme = theme_load(path, &error)) == NULL) {
		g_free(path);
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return false;
	}
	g_free(path);
	theme_free(ui->theme);
	ui->theme = theme;
	g_free(ui->theme_name);
	ui->theme_name = g_strdup(value);
	ui_term_apply_theme(theme);
	clearok(curscr, TRUE);
	return true;
}

/* Set OPTION to VALUE (NULL: a bare `set OPTION`, only for yes/no options). */
static bool
cmdline_set_value(struct ui *ui, const struct cmdline_option *o, const char *value)
{
	bool b = true;
	char *end;
	long n;

	switch (o->type) {
	case CMDLINE_BOOL:
		if (value != NULL && !cmdline_bool(value, &b)) {
			ui_set_message(ui, true, "%s: expected yes or no", o->name);
			return false;
		}
		if (strcmp(o->name, "mouse") == 0) {
			ui->mouse = b;
			ui_term_mouse(b);
		} else if (strcmp(o->name, "osc8_links") == 0) {
			ui->osc8_links = b;
		} else {
			ui->sidebar = b;
		}
		return true;
	case CMDLINE_INT:
		if (value == NULL) {
			ui_set_message(ui, true, "%s needs a number: set %s N", o->name, o->name);
			return false;
		}
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < o->min || n > o->max) {
			ui_set_message(ui, true, "%s: expected a number from %d to %d", o->name, o->min,
			    o->max);
			return false;
		}
		if (strcmp(o->name, "index_lines") == 0)
			ui->index_lines = (int)n;
		else
			ui->sidebar_width = (int)n;
		return true;
	case CMDLINE_STRING:
		if (value == NULL || strlen(value) > 200) {
			ui_set_message(ui, true, "%s needs a value of at most 200 bytes", o->name);
			return false;
		}
		g_free(ui->date_format);
		ui->date_format = g_strdup(value);
		ui_pager_rerender(ui);
		return true;
	case CMDLINE_SORT:
		if (value == NULL) {
			ui_set_message(ui, true, "sort needs an order: set sort date");
			return false;
		}
		return cmdline_set_sort(ui, value);
	case CMDLINE_THEME:
		if (value == NULL) {
			ui_set_message(ui, true, "theme needs a name or a path: set theme mono");
			return false;
		}
		return cmdline_set_theme(ui, value);
	}
	return false;
}

/* Strip one pair of quotes around TEXT, in place. */
static char *
cmdline_unquote(char *text)
{
	size_t n = strlen(text);

	if (n >= 2 && (text[0] == '"' || text[0] == '\'') && text[n - 1] == text[0]) {
		text[n - 1] = '\0';
		return text + 1;
	}
	return text;
}

/* `set` ARGS: OPTION VALUE, OPTION=VALUE, OPTION, noOPTION, OPTION? */
static void
cmdline_set(struct ui *ui, char *args)
{
	const struct cmdline_option *o;
	char *name = args, *value = NULL, *shown;
	bool query = false, negate = false;
	size_t n;

	if (*name == '\0') {
		GString *all = g_string_new(NULL);
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(cmdline_options); i++) {
			char *v = cmdline_value(ui, &cmdline_options[i]);

			g_string_append_printf(all, "%s%s=%s", i > 0 ? " " : "", cmdline_options[i].name, v);
			g_free(v);
		}
		ui_set_message(ui, false, "%s", all->str);
		g_string_free(all, TRUE);
		return;
	}
	n = strcspn(name, " \t=");
	if (name[n] != '\0') {
		value = name + n + 1;
		name[n] = '\0';
		value = cmdline_unquote(g_strstrip(value));
		if (*value == '\0')
			value = NULL;
	}
	n = strlen(name);
	if (n > 0 && name[n - 1] == '?') {
		name[n - 1] = '\0';
		query = true;
	}
	o = cmdline_option(name);
	if (o == NULL && g_str_has_prefix(name, "no")) {
		o = cmdline_option(name + 2);
		if (o != NULL && o->type != CMDLINE_BOOL)
			o = NULL;
		negate = o != NULL;
	}
	if (o == NULL) {
		cmdline_error(ui, "set: unknown option \"%s\"; Tab after set lists them", name);
		return;
	}
	if (query || (value == NULL && !negate && o->type != CMDLINE_BOOL)) {
		/* `set OPTION?`, or `set OPTION` of an option that needs a value: show it. */
		shown = cmdline_value(ui, o);
		ui_set_message(ui, false, "%s = %s", o->name, shown);
		g_free(shown);
		return;
	}
	if (negate) {
		if (value != NULL) {
			ui_set_message(ui, true, "set no%s takes no value", o->name);
			return;
		}
		value = "no";
	}
	if (!cmdline_set_value(ui, o, value))
		return;
	shown = cmdline_value(ui, o);
	ui_set_message(ui, false, "%s = %s", o->name, shown);
	g_free(shown);
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

/* `bind` ARGS: CONTEXT KEYS... ACTION, the keys quoted or not. */
static void
cmdline_bind(struct ui *ui, const char *args)
{
	GError *error = NULL;
	char **argv = NULL, *keys;
	int argc = 0;

	if (!g_shell_parse_argv(args, &argc, &argv, NULL) || argc < 3) {
		ui_set_message(ui, true, "bind needs a context, keys and an action: "
		    "bind index \"g g\" first-entry");
		g_strfreev(argv);
		return;
	}
	keys = g_strjoinv(" ", argv + 1);
	/* Keys without quotes: every word between the context and the action. */
	keys[strlen(keys) - strlen(argv[argc - 1]) - 1] = '\0';
	if (keymap_bind_names(ui->keymap, argv[0], keys, argv[argc - 1], &error)) {
		char *safe = sanitize_text(keys, -1, 0);

		ui_set_message(ui, false, "%s: %s is bound to %s", argv[0], safe, argv[argc - 1]);
		g_free(safe);
	} else {
		ui_set_message(ui, true, "bind: %s", error->message);
		g_clear_error(&error);
	}
	g_free(keys);
	g_strfreev(argv);
}

/* An action by name, in the view the : was typed in. */
static void
cmdline_action(struct ui *ui, const char *word, const char *rest)
{
	enum keymap_context context = ui_context(ui);
	enum keymap_action action;
	GError *error = NULL;

	if (!keymap_action_parse(word, &action, &error)) {
		char *safe = sanitize_text(error->message, -1, 0);

		ui_set_message(ui, true, "%s; the commands are an action's name, set, bind, help and "
		    "quit", safe);
		g_free(safe);
		g_clear_error(&error);
		return;
	}
	if (*rest != '\0') {
		cmdline_error(ui, "%s takes nothing after it", word);
		return;
	}
	if (!keymap_action_applies(action, context)) {
		ui_set_message(ui, true, "%s does not apply in the %s", keymap_action_name(action),
		    keymap_context_name(context));
		return;
	}
	ui_action_run(ui, action);
}

void
ui_cmdline_run(struct ui *ui, const char *line)
{
	char *copy = g_strstrip(g_strdup(line)), *rest;
	size_t n = strcspn(copy, " \t");

	rest = copy + n;
	if (*rest != '\0')
		*rest++ = '\0';
	rest = g_strstrip(rest);
	if (copy[0] == '\0')
		;
	else if (strcmp(copy, "set") == 0)
		cmdline_set(ui, rest);
	else if (strcmp(copy, "bind") == 0)
		cmdline_bind(ui, rest);
	else if (strcmp(copy, "quit") == 0 && *rest == '\0')
		ui_folders_quit(ui);
	else
		cmdline_action(ui, copy, rest);
	g_free(copy);
}

/* The names of the actions that apply in CONTEXT (NULL-terminated, borrowed). */
static const char **
cmdline_action_names(enum keymap_context context)
{
	const char **names = g_new0(const char *, KEYMAP_ACTION_COUNT + 1);
	int a, n = 0;

	for (a = 1; a < KEYMAP_ACTION_COUNT; a++)
		if (keymap_action_applies((enum keymap_action)a, context))
			names[n++] = keymap_action_name((enum keymap_action)a);
	return names;
}

/* The themes a bare name finds, for completion. */
static void
cmdline_theme_names(const char *word, GPtrArray *out)
{
	char *joined = theme_search_path();
	char **dirs = g_strsplit(joined, ", ", -1);
	size_t i;

	if (g_str_has_prefix(THEME_BUILTIN, word))
		g_ptr_array_add(out, g_strdup(THEME_BUILTIN));
	for (i = 0; dirs[i] != NULL; i++) {
		GDir *dir = g_dir_open(dirs[i], 0, NULL);
		const char *name;

		if (dir == NULL)
			continue;
		while ((name = g_dir_read_name(dir)) != NULL && out->len < 200) {
			char *base;
			guint k;

			if (!g_str_has_suffix(name, ".theme") || !g_str_has_prefix(name, word))
				continue;
			base = g_strndup(name, strlen(name) - 6);
			for (k = 0; k < out->len; k++)
				if (strcmp(g_ptr_array_index(out, k), base) == 0)
					break;
			if (k < out->len)
				g_free(base);
			else
				g_ptr_array_add(out, base);
		}
		g_dir_close(dir);
	}
	g_ptr_array_sort(out, (GCompareFunc)g_strcmp0);
	g_strfreev(dirs);
	g_free(joined);
}

/* The values OPTION takes that begin with WORD. */
static void
cmdline_values(const struct cmdline_option *o, const char *word, GPtrArray *out)
{
	static const char *const sorts[] = { "date", "arrival", "from", "subject", "size", "thread",
		"reverse-date", "reverse-arrival", "reverse-from", "reverse-subject", "reverse-size",
		"reverse-thread", NULL };

	if (o->type == CMDLINE_BOOL)
		ui_prompt_candidates(word, cmdline_bools, out);
	else if (o->type == CMDLINE_SORT)
		ui_prompt_candidates(word, sorts, out);
	else if (o->type == CMDLINE_THEME)
		cmdline_theme_names(word, out);
}

/* Tab on the command line: see ui_prompt_complete_fn. */
static size_t
cmdline_complete(struct ui *ui, const char *line, size_t cursor, GPtrArray *out)
{
	char *head = g_strndup(line, cursor);
	char **words = g_strsplit_set(head, " \t", -1);
	GPtrArray *done = g_ptr_array_new();
	const char *word;
	size_t start, i;
	guint n;

	/* The whole words before the cursor, and the one being typed ("" on an empty line). */
	for (i = 0; words[i] != NULL; i++)
		if (words[i][0] != '\0' || words[i + 1] == NULL)
			g_ptr_array_add(done, words[i]);
	if (done->len == 0)
		g_ptr_array_add(done, (gpointer)"");
	word = g_ptr_array_index(done, done->len - 1);
	n = done->len - 1;
	start = cursor - strlen(word);
	if (n == 0) {
		const struct ui_mode *cover = ui_mode_cover(ui);
		enum keymap_context context = cover != NULL ? cover->context :
		    ui->pager != NULL ? KEYMAP_CONTEXT_PAGER : KEYMAP_CONTEXT_INDEX;
		const char **names = cmdline_action_names(context);

		ui_prompt_candidates(word, cmdline_commands, out);
		ui_prompt_candidates(word, names, out);
		g_free(names);
	} else if (strcmp(g_ptr_array_index(done, 0), "set") == 0 && n == 1) {
		for (i = 0; i < G_N_ELEMENTS(cmdline_options); i++) {
			const char *name = cmdline_options[i].name;

			if (g_str_has_prefix(name, word))
				g_ptr_array_add(out, g_strdup(name));
			else if (cmdline_options[i].type == CMDLINE_BOOL &&
			    g_str_has_prefix(word, "no") && g_str_has_prefix(name, word + 2))
				g_ptr_array_add(out, g_strconcat("no", name, NULL));
		}
	} else if (strcmp(g_ptr_array_index(done, 0), "set") == 0 && n == 2) {
		const struct cmdline_option *o = cmdline_option(g_ptr_array_index(done, 1));

		if (o != NULL)
			cmdline_values(o, word, out);
	} else if (strcmp(g_ptr_array_index(done, 0), "bind") == 0 && n == 1) {
		const char *contexts[KEYMAP_CONTEXT_COUNT + 1] = { NULL };
		int c;

		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++)
			contexts[c] = keymap_context_name((enum keymap_context)c);
		ui_prompt_candidates(word, contexts, out);
	} else if (strcmp(g_ptr_array_index(done, 0), "bind") == 0 && n >= 3) {
		unsigned int mask = 0;
		int c;

		/* The actions that apply in every context named. */
		if (keymap_context_parse(g_ptr_array_index(done, 1), &mask, NULL)) {
			for (c = 1; c < KEYMAP_ACTION_COUNT; c++) {
				const char *name = keymap_action_name((enum keymap_action)c);

				if ((keymap_action_contexts((enum keymap_action)c) & mask) == mask &&
				    g_str_has_prefix(name, word))
					g_ptr_array_add(out, g_strdup(name));
			}
		}
	}
	g_ptr_array_free(done, TRUE);
	g_strfreev(words);
	g_free(head);
	return start;
}

/* The command line was typed. */
static void
cmdline_done(struct ui *ui, const char *text)
{
	ui_cmdline_run(ui, text);
}

void
ui_cmdline_open(struct ui *ui)
{
	ui_prompt_open(ui, UI_PROMPT_COMMAND, ":", NULL, cmdline_complete, cmdline_done);
}
