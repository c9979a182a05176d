/*
 * cmdline: the : command line.  A line is an action's name (run as if its
 * key was typed), `set OPTION VALUE` (and mutt's `set invOPTION`, `unset`,
 * `toggle`, `reset`) for the options that make sense while surat runs,
 * `bind CONTEXT KEYS ACTION`, `unbind CONTEXT KEYS`, `macro CONTEXT KEYS
 * SEQUENCE [DESCRIPTION]`, `push KEYS`, `exec ACTION...`, `source FILE`,
 * `color OBJECT FG BG PATTERN` (colour.c), `help` or `quit`.  A bad line
 * changes nothing and says why in one line.  Tab completes command words,
 * action names, option names and their values.
 */
#include <curses.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "surat/path.h"
#include "surat/sanitize.h"

#define CMDLINE_WORD_MAX    64           /* bytes of a word quoted back in an error */
#define CMDLINE_SOURCE_MAX  (256 * 1024) /* bytes of a file for :source */
#define CMDLINE_SOURCE_DEEP 8            /* :source inside :source */
#define CMDLINE_TEXT_MAX    4096         /* bytes of a string option */

/* The kinds of value an option takes. */
enum cmdline_type {
	CMDLINE_BOOL,
	CMDLINE_INT,
	CMDLINE_STRING,
	CMDLINE_SORT,
	CMDLINE_THEME,
	CMDLINE_FORMAT, /* a line format (format.h), compiled when set */
	/* Options read from ui->config (the settings copy), at OFFSET there; these come last: */
	CMDLINE_CFG_BOOL,    /* a bool */
	CMDLINE_CFG_COMMAND, /* a char *, split as sh would; "" is none (NULL) */
	CMDLINE_CFG_TEXT,    /* a char * of text, no control characters */
	CMDLINE_CFG_PATH,    /* a char *, ~ expanded, absolute */
	CMDLINE_CFG_WORDS,   /* a char ** of words (header names, types) */
	CMDLINE_CFG_FORWARD, /* enum config_forward */
	CMDLINE_CFG_DELETE,  /* enum config_delete */
};

#define CMDLINE_RENDER 1u /* render the open message again after a change */

struct cmdline_option {
	const char *name;
	enum cmdline_type type;
	int min, max;  /* of an int */
	size_t offset; /* in struct surat_config, of a CMDLINE_CFG_* option */
	unsigned int flags;
};

#define CFG(name, type, field, flags) \
	{ name, type, 0, 0, offsetof(struct surat_config, field), flags }

/*
 * Every option of surat.conf(5) that can change while surat runs.  Left
 * out: store, accounts, mailboxes, bind and macro (the : commands do
 * those), trash (the undo log's handles are made with it at start), record
 * and postponed (the background sender reads them from the file),
 * realname (folded into each account's From at load), charset_fallbacks
 * (the store watch's thread holds them), mailcap_path, alternates and
 * alias_file (read once, on first use), new_mail_command (split at load).
 */
static const struct cmdline_option cmdline_options[] = {
	CFG("alternative_order", CMDLINE_CFG_WORDS, alternative_order, CMDLINE_RENDER),
	CFG("attribution", CMDLINE_CFG_TEXT, attribution, 0),
	CFG("auto_view", CMDLINE_CFG_WORDS, auto_view, CMDLINE_RENDER),
	{ "date_format", CMDLINE_STRING, 0, 0, 0, 0 },
	CFG("delete", CMDLINE_CFG_DELETE, delete_marked, 0),
	CFG("download_dir", CMDLINE_CFG_PATH, download_dir, 0),
	CFG("editor", CMDLINE_CFG_COMMAND, editor, 0),
	CFG("forward_format", CMDLINE_CFG_FORWARD, forward_format, 0),
	CFG("headers_shown", CMDLINE_CFG_WORDS, headers_shown, CMDLINE_RENDER),
	CFG("html_command", CMDLINE_CFG_COMMAND, html_command, CMDLINE_RENDER),
	{ "index_format", CMDLINE_FORMAT, 0, 0, 0, 0 },
	{ "index_lines", CMDLINE_INT, 1, CONFIG_INDEX_LINES_MAX, 0, 0 },
	{ "mouse", CMDLINE_BOOL, 0, 0, 0, 0 },
	{ "osc8_links", CMDLINE_BOOL, 0, 0, 0, 0 },
	{ "pager_format", CMDLINE_FORMAT, 0, 0, 0, 0 },
	CFG("pipe_split", CMDLINE_CFG_BOOL, pipe_split, 0),
	CFG("query_command", CMDLINE_CFG_COMMAND, query_command, 0),
	{ "sidebar", CMDLINE_BOOL, 0, 0, 0, 0 },
	{ "sidebar_width", CMDLINE_INT, CONFIG_SIDEBAR_WIDTH_MIN, CONFIG_SIDEBAR_WIDTH_MAX, 0, 0 },
	{ "sort", CMDLINE_SORT, 0, 0, 0, 0 },
	{ "status_format", CMDLINE_FORMAT, 0, 0, 0, 0 },
	CFG("tags_across_views", CMDLINE_CFG_BOOL, tags_across_views, 0),
	CFG("text_flowed", CMDLINE_CFG_BOOL, text_flowed, 0),
	{ "theme", CMDLINE_THEME, 0, 0, 0, 0 },
	CFG("url_command", CMDLINE_CFG_COMMAND, url_command, 0),
	CFG("user_agent", CMDLINE_CFG_BOOL, user_agent, 0),
};

static const char *const cmdline_commands[] = { "bind", "color", "exec", "help", "macro", "push",
	"quit", "reset", "set", "source", "toggle", "unbind", "unset", NULL };
static const char *const cmdline_forwards[] = { "inline", "attach", NULL };
/* In enum config_delete's order. */
static const char *const cmdline_deletes[] = { "yes", "no", "ask-yes", "ask-no", NULL };
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

/* Where option O lives in the settings C. */
#define CMDLINE_FIELD(c, o, type) ((type *)(void *)((char *)(c) + (o)->offset))

/* The value of the CMDLINE_CFG_* option O in C, as `set OPTION?` shows it (g_free). */
static char *
cmdline_cfg_value(const struct surat_config *c, const struct cmdline_option *o)
{
	const char *s;

	switch (o->type) {
	case CMDLINE_CFG_BOOL:
		return g_strdup(*CMDLINE_FIELD(c, o, const bool) ? "yes" : "no");
	case CMDLINE_CFG_WORDS:
		return *CMDLINE_FIELD(c, o, char *const *) != NULL ?
		    g_strjoinv(" ", *CMDLINE_FIELD(c, o, char **const)) : g_strdup("");
	case CMDLINE_CFG_FORWARD:
		return g_strdup(cmdline_forwards[*CMDLINE_FIELD(c, o, const int) ? 1 : 0]);
	case CMDLINE_CFG_DELETE:
		return g_strdup(cmdline_deletes[MIN((unsigned int)*CMDLINE_FIELD(c, o, const int), 3u)]);
	default:
		s = *CMDLINE_FIELD(c, o, const char *const);
		return g_strdup(s != NULL && *s != '\0' ? s : "\"\"");
	}
}

/* The value of OPTION as set now, as `set OPTION?` shows it (g_free). */
static char *
cmdline_value(struct ui *ui, const struct cmdline_option *o)
{
	if (o->type >= CMDLINE_CFG_BOOL)
		return cmdline_cfg_value(ui->config, o);
	if (strcmp(o->name, "date_format") == 0)
		return g_strdup(ui->date_format != NULL ? ui->date_format : RENDER_DATE_FORMAT);
	if (o->type == CMDLINE_FORMAT)
		return g_strdup(ui_formats_text(ui, o->name));
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

/* Set the CMDLINE_CFG_* option O to VALUE (not NULL), checked as the config checks it. */
static bool
cmdline_set_cfg(struct ui *ui, const struct cmdline_option *o, const char *value)
{
	GError *error = NULL;
	char **words, *copy, *c;
	bool b;
	guint i;

	if (strlen(value) > CMDLINE_TEXT_MAX || !g_utf8_validate(value, -1, NULL)) {
		ui_set_message(ui, true, "%s takes at most %d bytes of UTF-8", o->name,
		    CMDLINE_TEXT_MAX);
		return false;
	}
	for (c = (char *)value; *c != '\0'; c = g_utf8_next_char(c)) {
		if (g_unichar_iscntrl(g_utf8_get_char(c))) {
			ui_set_message(ui, true, "%s must not contain control characters", o->name);
			return false;
		}
	}
	switch (o->type) {
	case CMDLINE_CFG_BOOL:
		if (!cmdline_bool(value, &b)) {
			ui_set_message(ui, true, "%s: expected yes or no", o->name);
			return false;
		}
		*CMDLINE_FIELD(ui->settings, o, bool) = b;
		return true;
	case CMDLINE_CFG_FORWARD:
		for (i = 0; cmdline_forwards[i] != NULL; i++) {
			if (g_ascii_strcasecmp(value, cmdline_forwards[i]) == 0) {
				*CMDLINE_FIELD(ui->settings, o, int) = (int)i;
				return true;
			}
		}
		ui_set_message(ui, true, "%s: expected inline or attach", o->name);
		return false;
	case CMDLINE_CFG_DELETE:
		for (i = 0; cmdline_deletes[i] != NULL; i++) {
			if (g_ascii_strcasecmp(value, cmdline_deletes[i]) == 0) {
				*CMDLINE_FIELD(ui->settings, o, int) = (int)i;
				return true;
			}
		}
		ui_set_message(ui, true, "%s: expected yes, no, ask-yes or ask-no", o->name);
		return false;
	case CMDLINE_CFG_WORDS:
		words = g_strsplit_set(value, " \t,", -1);
		copy = g_strjoinv(" ", words);
		g_strfreev(words);
		words = g_strsplit(g_strstrip(copy), " ", -1);
		g_free(copy);
		/* The empty words of several spaces in a row go. */
		for (i = 0; words[i] != NULL;) {
			if (*words[i] == '\0') {
				g_free(words[i]);
				memmove(&words[i], &words[i + 1], (g_strv_length(words + i)) * sizeof *words);
				continue;
			}
			for (c = words[i]; *c > ' ' && *c < 0x7f && *c != ':'; c++)
				;
			if (*c != '\0' || (strcmp(o->name, "headers_shown") != 0 &&
			    strchr(words[i], '/') == NULL)) {
				cmdline_error(ui, strcmp(o->name, "headers_shown") == 0 ?
				    "headers_shown: \"%s\" is not a header name; write it as in a message, "
				    "Reply-To" : "\"%s\" is not a type; write it as type/subtype, "
				    "text/html", words[i]);
				g_strfreev(words);
				return false;
			}
			i++;
		}
		g_ptr_array_add(ui->owned_strv, words);
		*CMDLINE_FIELD(ui->settings, o, char **) = words;
		return true;
	case CMDLINE_CFG_COMMAND:
		if (*value != '\0' && !g_shell_parse_argv(value, NULL, &words, &error)) {
			ui_set_message(ui, true, "%s: cannot be split into a command and its arguments "
			    "(%s); quote as in sh", o->name, error->message);
			g_clear_error(&error);
			return false;
		}
		if (*value != '\0')
			g_strfreev(words);
		copy = *value != '\0' ? g_strdup(value) : NULL;
		break;
	case CMDLINE_CFG_PATH:
		copy = path_expand(value);
		if (!g_path_is_absolute(copy)) {
			g_free(copy);
			ui_set_message(ui, true, "%s: a relative path; write a full path, /... or ~/...",
			    o->name);
			return false;
		}
		break;
	default:
		if (strcmp(o->name, "attribution") == 0) {
			for (c = strchr(value, '%'); c != NULL; c = strchr(c + 2, '%')) {
				if (c[1] == '\0' || strchr("dnas%", c[1]) == NULL) {
					ui_set_message(ui, true, "attribution: after %% comes d (the date), "
					    "n (the sender's name), a (the address), s (the subject) or %%");
					return false;
				}
			}
		}
		copy = g_strdup(value);
		break;
	}
	if (copy != NULL)
		g_ptr_array_add(ui->owned, copy);
	*CMDLINE_FIELD(ui->settings, o, char *) = copy;
	return true;
}

/* `set index_format "..."` (and status_format, pager_format): compiled, or the error. */
static bool
cmdline_set_format(struct ui *ui, const char *name, const char *value)
{
	GError *error = NULL;

	if (value == NULL || strlen(value) > 1024) {
		ui_set_message(ui, true, "%s needs a format of at most 1024 bytes: set %s \"...\"",
		    name, name);
		return false;
	}
	if (!ui_formats_set(ui, name, value, &error)) {
		ui_set_message(ui, true, "%s: %s", name, error->message);
		g_error_free(error);
		return false;
	}
	return true;
}

/* Set OPTION to VALUE (NULL: a bare `set OPTION`, only for yes/no options). */
static bool
cmdline_set_value(struct ui *ui, const struct cmdline_option *o, const char *value)
{
	bool b = true;
	char *end;
	long n;

	if (o->type == CMDLINE_CFG_BOOL && value == NULL)
		value = "yes";
	if (o->type >= CMDLINE_CFG_BOOL && value == NULL) {
		ui_set_message(ui, true, "%s needs a value: set %s VALUE", o->name, o->name);
		return false;
	}
	if (o->type >= CMDLINE_CFG_BOOL) {
		if (!cmdline_set_cfg(ui, o, value))
			return false;
		if (o->flags & CMDLINE_RENDER)
			ui_pager_rerender(ui);
		return true;
	}
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
		ui->dirty |= UI_DIRTY_ALL; /* the index's %d */
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
	case CMDLINE_FORMAT:
		return cmdline_set_format(ui, o->name, value);
	default:
		break;
	}
	return false;
}

/* True when O is a yes/no option. */
static bool
cmdline_is_bool(const struct cmdline_option *o)
{
	return o->type == CMDLINE_BOOL || o->type == CMDLINE_CFG_BOOL;
}

/* `reset OPTION`: back to the config file's value (its default when the file has none). */
static bool
cmdline_reset(struct ui *ui, const struct cmdline_option *o)
{
	const struct surat_config *c = ui->config_file;
	char *text;
	bool ok;

	if (o->type >= CMDLINE_CFG_BOOL) {
		/* The settings share the file's values: point at them again. */
		memcpy((char *)ui->settings + o->offset, (const char *)c + o->offset,
		    o->type == CMDLINE_CFG_BOOL ? sizeof(bool) :
		    o->type == CMDLINE_CFG_FORWARD || o->type == CMDLINE_CFG_DELETE ?
		    sizeof(int) : sizeof(char *));
		if (o->flags & CMDLINE_RENDER)
			ui_pager_rerender(ui);
		return true;
	}
	if (strcmp(o->name, "date_format") == 0)
		text = g_strdup(c->date_format != NULL ? c->date_format : RENDER_DATE_FORMAT);
	else if (strcmp(o->name, "index_format") == 0)
		text = g_strdup(c->index_format != NULL ? c->index_format : CONFIG_INDEX_FORMAT);
	else if (strcmp(o->name, "status_format") == 0)
		text = g_strdup(c->status_format != NULL ? c->status_format : CONFIG_STATUS_FORMAT);
	else if (strcmp(o->name, "pager_format") == 0)
		text = g_strdup(c->pager_format != NULL ? c->pager_format : "");
	else if (strcmp(o->name, "index_lines") == 0)
		text = g_strdup_printf("%d", c->index_lines);
	else if (strcmp(o->name, "sidebar_width") == 0)
		text = g_strdup_printf("%d", c->sidebar_width);
	else if (strcmp(o->name, "mouse") == 0)
		text = g_strdup(c->mouse ? "yes" : "no");
	else if (strcmp(o->name, "osc8_links") == 0)
		text = g_strdup(c->osc8_links ? "yes" : "no");
	else if (strcmp(o->name, "sidebar") == 0)
		text = g_strdup(c->sidebar ? "yes" : "no");
	else if (strcmp(o->name, "sort") == 0)
		text = g_strconcat(c->sort_reverse ? "reverse-" : "", config_sort_name(c->sort), NULL);
	else
		text = g_strdup(c->theme != NULL ? c->theme : THEME_BUILTIN);
	ok = cmdline_set_value(ui, o, text);
	g_free(text);
	return ok;
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

/* Say what option O is now ("mouse = yes"). */
static void
cmdline_show(struct ui *ui, const struct cmdline_option *o)
{
	char *shown = cmdline_value(ui, o), *safe = sanitize_text(shown, -1, 0);

	ui_set_message(ui, false, "%s = %s", o->name, safe);
	g_free(safe);
	g_free(shown);
}

/* The verbs of an option: set, unset, toggle, reset. */
enum cmdline_verb { CMDLINE_VERB_SET, CMDLINE_VERB_UNSET, CMDLINE_VERB_TOGGLE, CMDLINE_VERB_RESET };

static const char *const cmdline_verbs[] = { "set", "unset", "toggle", "reset" };
static const char *const cmdline_verbs_v[] = { "set", "unset", "toggle", "reset", NULL };

/*
 * `set` ARGS: OPTION VALUE, OPTION=VALUE, OPTION, noOPTION, invOPTION,
 * OPTION?; `unset OPTION` (noOPTION), `toggle OPTION` (invOPTION), `reset
 * OPTION` (the file's value; `reset all`: every option).
 */
static void
cmdline_set(struct ui *ui, enum cmdline_verb verb, char *args)
{
	const struct cmdline_option *o;
	const char *how = cmdline_verbs[verb];
	char *name = args, *value = NULL, *shown;
	bool query = false, negate = false, invert = verb == CMDLINE_VERB_TOGGLE, b, empty = false;
	size_t n, i;

	if (*name == '\0' && verb != CMDLINE_VERB_SET) {
		ui_set_message(ui, true, "%s needs an option: %s mouse", how, how);
		return;
	}
	if (*name == '\0') {
		GString *all = g_string_new(NULL);

		for (i = 0; i < G_N_ELEMENTS(cmdline_options); i++) {
			char *v = cmdline_value(ui, &cmdline_options[i]);

			g_string_append_printf(all, "%s%s=%s", i > 0 ? " " : "", cmdline_options[i].name, v);
			g_free(v);
		}
		shown = sanitize_text(all->str, -1, 0);
		ui_set_message(ui, false, "%s", shown);
		g_free(shown);
		g_string_free(all, TRUE);
		return;
	}
	n = strcspn(name, " \t=");
	if (name[n] != '\0') {
		value = name + n + 1;
		name[n] = '\0';
		value = g_strstrip(value);
		empty = strlen(value) == 2 && (value[0] == '"' || value[0] == '\'');
		value = cmdline_unquote(value);
		if (*value == '\0' && verb == CMDLINE_VERB_SET)
			value = NULL;
	}
	if (verb != CMDLINE_VERB_SET && value != NULL) {
		cmdline_error(ui, "%s takes one option and nothing after it", how);
		return;
	}
	if (verb == CMDLINE_VERB_RESET && strcmp(name, "all") == 0) {
		for (i = 0; i < G_N_ELEMENTS(cmdline_options); i++)
			if (!cmdline_reset(ui, &cmdline_options[i]))
				return;
		ui_set_message(ui, false, "every option is as the config file has it");
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		return;
	}
	n = strlen(name);
	if (n > 0 && name[n - 1] == '?' && verb == CMDLINE_VERB_SET) {
		name[n - 1] = '\0';
		query = true;
	}
	o = cmdline_option(name);
	if (o == NULL && verb == CMDLINE_VERB_SET && (g_str_has_prefix(name, "no") ||
	    g_str_has_prefix(name, "inv"))) {
		invert = name[0] == 'i';
		o = cmdline_option(name + (invert ? 3 : 2));
		if (o != NULL && !cmdline_is_bool(o)) {
			ui_set_message(ui, true, "%s is not a yes/no option; set %s VALUE", o->name,
			    o->name);
			return;
		}
		negate = o != NULL && !invert;
	}
	if (o == NULL) {
		char *msg = g_strdup_printf("%s: unknown option \"%%s\"; Tab after %s lists them",
		    how, how);

		cmdline_error(ui, msg, name);
		g_free(msg);
		return;
	}
	/* `set pager_format ""`: back to the status bar's format. */
	if (empty && o->type == CMDLINE_FORMAT)
		value = "";
	if (verb == CMDLINE_VERB_RESET) {
		if (!cmdline_reset(ui, o))
			return;
		cmdline_show(ui, o);
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		return;
	}
	if ((verb == CMDLINE_VERB_UNSET || invert) && !cmdline_is_bool(o)) {
		ui_set_message(ui, true, "%s %s: not a yes/no option; set %s VALUE changes it, "
		    "reset %s gives the config's", how, o->name, o->name, o->name);
		return;
	}
	if (query || (value == NULL && !negate && !invert && verb == CMDLINE_VERB_SET &&
	    !cmdline_is_bool(o))) {
		/* `set OPTION?`, or `set OPTION` of an option that needs a value: show it. */
		cmdline_show(ui, o);
		return;
	}
	if ((negate || invert) && value != NULL) {
		ui_set_message(ui, true, "set %s%s takes no value", invert ? "inv" : "no", o->name);
		return;
	}
	if (verb == CMDLINE_VERB_UNSET)
		negate = true;
	if (invert) {
		shown = cmdline_value(ui, o);
		b = strcmp(shown, "yes") == 0;
		g_free(shown);
		value = b ? "no" : "yes";
	} else if (negate) {
		value = "no";
	}
	if (!cmdline_set_value(ui, o, value))
		return;
	cmdline_show(ui, o);
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

/* `unbind` ARGS: CONTEXT KEYS (CONTEXT may be * for every context): as bind to noop. */
static void
cmdline_unbind(struct ui *ui, const char *args)
{
	GError *error = NULL;
	char **argv = NULL, *keys, *safe;
	struct keymap_seq seq;
	unsigned int mask = 0;
	int argc = 0, c;

	if (!g_shell_parse_argv(args, &argc, &argv, NULL) || argc < 2) {
		ui_set_message(ui, true, "unbind needs a context and keys: unbind index d, "
		    "unbind * \"g g\"");
		g_strfreev(argv);
		return;
	}
	keys = g_strjoinv(" ", argv + 1);
	if (strcmp(argv[0], "*") == 0)
		mask = KEYMAP_IN(KEYMAP_CONTEXT_COUNT) - 1;
	/* The keys as a macro's are written: "g g", or ",a" as mutt writes them. */
	if ((mask != 0 || keymap_context_parse(argv[0], &mask, &error)) &&
	    keymap_macro_keys_parse(keys, &seq, &error)) {
		/* noop applies everywhere; in the index it also hides the fallback. */
		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++)
			if (mask & KEYMAP_IN(c))
				keymap_bind(ui->keymap, (enum keymap_context)c, &seq, KEYMAP_ACTION_NONE,
				    NULL);
		safe = sanitize_text(keys, -1, 0);
		ui_set_message(ui, false, "%s: %s is not bound", strcmp(argv[0], "*") == 0 ?
		    "every context" : argv[0], safe);
	} else {
		safe = sanitize_text(error->message, -1, 0);
		ui_set_message(ui, true, "unbind: %s", safe);
		g_clear_error(&error);
	}
	g_free(safe);
	g_free(keys);
	g_strfreev(argv);
}

/* `macro` ARGS: CONTEXT KEYS SEQUENCE [DESCRIPTION], quoted as in sh. */
static void
cmdline_macro(struct ui *ui, const char *args)
{
	GError *error = NULL;
	char **argv = NULL, *safe;
	int argc = 0;

	if (!g_shell_parse_argv(args, &argc, &argv, NULL) || argc < 3 || argc > 4) {
		ui_set_message(ui, true, "macro needs a context, keys, a sequence and maybe a "
		    "description: macro index ,a \"<limit>~f alice<Enter>\" \"mail from alice\"");
		g_strfreev(argv);
		return;
	}
	if (keymap_macro_names(ui->keymap, argv[0], argv[1], argv[2], argc == 4 ? argv[3] : NULL,
	    &error)) {
		safe = sanitize_text(argv[1], -1, 0);
		ui_set_message(ui, false, "%s: %s is a macro", argv[0], safe);
	} else {
		safe = sanitize_text(error->message, -1, 0);
		ui_set_message(ui, true, "macro: %s", safe);
		g_clear_error(&error);
	}
	g_free(safe);
	g_strfreev(argv);
}

/* `push` ARGS: type the keys (a macro's sequence), one pair of quotes around them removed. */
static void
cmdline_push(struct ui *ui, char *args)
{
	GError *error = NULL;
	GArray *steps;
	char *safe;

	if ((steps = keymap_steps_parse(cmdline_unquote(args), &error)) == NULL) {
		safe = sanitize_text(error->message, -1, 0);
		ui_set_message(ui, true, "push: %s", safe);
		g_free(safe);
		g_clear_error(&error);
		return;
	}
	ui_input_push(ui, (const struct keymap_step *)(void *)steps->data, steps->len, "push");
	g_array_unref(steps);
}

/* `exec` ARGS: run the actions named, one after another, as a macro's <action> would. */
static void
cmdline_exec(struct ui *ui, const char *args)
{
	char **names = g_strsplit_set(args, " \t", -1);
	GArray *steps = g_array_new(FALSE, FALSE, sizeof(struct keymap_step));
	struct keymap_step step = { .key = KEYMAP_KEY_NONE };
	GError *error = NULL;
	guint i;

	for (i = 0; names[i] != NULL; i++) {
		if (*names[i] == '\0')
			continue;
		if (!keymap_action_parse(names[i], &step.action, &error)) {
			char *safe = sanitize_text(error->message, -1, 0);

			ui_set_message(ui, true, "exec: %s", safe);
			g_free(safe);
			g_clear_error(&error);
			goto out;
		}
		g_array_append_val(steps, step);
	}
	if (steps->len == 0)
		ui_set_message(ui, true, "exec needs an action's name: exec last-entry");
	else
		ui_input_push(ui, (const struct keymap_step *)(void *)steps->data, steps->len, "exec");
out:
	g_array_unref(steps);
	g_strfreev(names);
}

/* `source` ARGS: a file of : commands, one a line, # comments; stops at the first bad line. */
static void
cmdline_source(struct ui *ui, const char *args, const char *from)
{
	char *name = g_strdup(args), *path, *text = NULL, **lines, *safe, *dir;
	GError *error = NULL;
	gsize len = 0;
	guint i, n = 0;

	name = g_strstrip(name);
	memmove(name, cmdline_unquote(name), strlen(cmdline_unquote(name)) + 1);
	if (*name == '\0') {
		ui_set_message(ui, true, "source needs a file: source ~/.config/surat/commands");
		g_free(name);
		return;
	}
	path = path_expand(name);
	if (!g_path_is_absolute(path) && from != NULL) {
		/* Relative to the file that sources it, as mutt's source. */
		dir = g_path_get_dirname(from);
		g_free(path);
		path = g_build_filename(dir, name, NULL);
		g_free(dir);
	}
	g_free(name);
	if (ui->source_depth >= CMDLINE_SOURCE_DEEP) {
		safe = sanitize_text(path, -1, 0);
		ui_set_message(ui, true, "source %s: more than %d files sourced inside each other; "
		    "does one source itself?", safe, CMDLINE_SOURCE_DEEP);
		g_free(safe);
		g_free(path);
		return;
	}
	if (!g_file_get_contents(path, &text, &len, &error) || len > CMDLINE_SOURCE_MAX ||
	    !g_utf8_validate(text, (gssize)len, NULL) || memchr(text, '\0', len) != NULL) {
		safe = sanitize_text(error != NULL ? error->message : path, -1, 0);
		ui_set_message(ui, true, error != NULL ? "source: %s" : "source: %s: not a text "
		    "file of : commands (UTF-8, at most 256 KiB)", safe);
		g_free(safe);
		g_clear_error(&error);
		g_free(text);
		g_free(path);
		return;
	}
	lines = g_strsplit(text, "\n", -1);
	g_free(text);
	ui->source_depth++;
	for (i = 0; lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);

		if (*line == '\0' || *line == '#')
			continue;
		g_clear_pointer(&ui->message, g_free);
		ui->message_error = false;
		ui_cmdline_exec(ui, line, path);
		n++;
		if (ui->message_error) {
			/* The first bad line, where it is: FILE:LINE: what the command said. */
			char *msg = ui->message;

			ui->message = NULL;
			safe = sanitize_text(path, -1, 0);
			ui_set_message(ui, true, "%s:%u: %s", safe, i + 1, msg);
			g_free(safe);
			g_free(msg);
			break;
		}
		if (ui->quit)
			break;
	}
	ui->source_depth--;
	if (lines[i] == NULL) {
		safe = sanitize_text(path, -1, 0);
		ui_set_message(ui, false, "%s: %u command%s done", safe, n, n == 1 ? "" : "s");
		g_free(safe);
	}
	g_strfreev(lines);
	g_free(path);
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

		ui_set_message(ui, true, "%s; the commands are an action's name, set, unset, toggle, "
		    "reset, bind, unbind, macro, push, exec, source, help and quit", safe);
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
ui_cmdline_exec(struct ui *ui, const char *line, const char *from)
{
	char *copy = g_strstrip(g_strdup(line)), *rest;
	guint v;
	size_t n = strcspn(copy, " \t");

	rest = copy + n;
	if (*rest != '\0')
		*rest++ = '\0';
	rest = g_strstrip(rest);
	for (v = 0; v < G_N_ELEMENTS(cmdline_verbs); v++)
		if (strcmp(copy, cmdline_verbs[v]) == 0)
			break;
	if (copy[0] == '\0')
		;
	else if (v < G_N_ELEMENTS(cmdline_verbs))
		cmdline_set(ui, (enum cmdline_verb)v, rest);
	else if (strcmp(copy, "bind") == 0)
		cmdline_bind(ui, rest);
	else if (strcmp(copy, "unbind") == 0)
		cmdline_unbind(ui, rest);
	else if (strcmp(copy, "macro") == 0)
		cmdline_macro(ui, rest);
	else if (strcmp(copy, "push") == 0)
		cmdline_push(ui, rest);
	else if (strcmp(copy, "exec") == 0)
		cmdline_exec(ui, rest);
	else if (strcmp(copy, "source") == 0)
		cmdline_source(ui, rest, from);
	else if (strcmp(copy, "color") == 0)
		ui_colour_command(ui, rest);
	else if (strcmp(copy, "quit") == 0 && *rest == '\0')
		ui_folders_quit(ui);
	else
		cmdline_action(ui, copy, rest);
	g_free(copy);
}

void
ui_cmdline_run(struct ui *ui, const char *line)
{
	ui_cmdline_exec(ui, line, NULL);
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

	if (cmdline_is_bool(o))
		ui_prompt_candidates(word, cmdline_bools, out);
	else if (o->type == CMDLINE_CFG_FORWARD)
		ui_prompt_candidates(word, cmdline_forwards, out);
	else if (o->type == CMDLINE_CFG_DELETE)
		ui_prompt_candidates(word, cmdline_deletes, out);
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
	} else if (n == 1 && g_strv_contains(cmdline_verbs_v, g_ptr_array_index(done, 0))) {
		bool set = strcmp(g_ptr_array_index(done, 0), "set") == 0;

		if (strcmp(g_ptr_array_index(done, 0), "reset") == 0 && g_str_has_prefix("all", word))
			g_ptr_array_add(out, g_strdup("all"));
		for (i = 0; i < G_N_ELEMENTS(cmdline_options); i++) {
			const char *name = cmdline_options[i].name;
			bool yesno = cmdline_is_bool(&cmdline_options[i]);

			if (g_str_has_prefix(name, word) && (yesno ||
			    strcmp(g_ptr_array_index(done, 0), "toggle") != 0))
				g_ptr_array_add(out, g_strdup(name));
			else if (set && yesno && g_str_has_prefix(word, "no") &&
			    g_str_has_prefix(name, word + 2))
				g_ptr_array_add(out, g_strconcat("no", name, NULL));
			else if (set && yesno && g_str_has_prefix(word, "inv") &&
			    g_str_has_prefix(name, word + 3))
				g_ptr_array_add(out, g_strconcat("inv", name, NULL));
		}
	} else if (strcmp(g_ptr_array_index(done, 0), "set") == 0 && n == 2) {
		const struct cmdline_option *o = cmdline_option(g_ptr_array_index(done, 1));

		if (o != NULL)
			cmdline_values(o, word, out);
	} else if (strcmp(g_ptr_array_index(done, 0), "color") == 0) {
		ui_colour_complete(n, word, out);
	} else if ((strcmp(g_ptr_array_index(done, 0), "bind") == 0 ||
	    strcmp(g_ptr_array_index(done, 0), "unbind") == 0 ||
	    strcmp(g_ptr_array_index(done, 0), "macro") == 0) && n == 1) {
		const char *contexts[KEYMAP_CONTEXT_COUNT + 1] = { NULL };
		int c;

		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++)
			contexts[c] = keymap_context_name((enum keymap_context)c);
		ui_prompt_candidates(word, contexts, out);
	} else if (strcmp(g_ptr_array_index(done, 0), "exec") == 0 && n >= 1) {
		const char **names = cmdline_action_names(ui_context(ui) == KEYMAP_CONTEXT_PROMPT ?
		    KEYMAP_CONTEXT_INDEX : ui_context(ui));

		ui_prompt_candidates(word, names, out);
		g_free(names);
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
