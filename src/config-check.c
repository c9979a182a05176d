/*
 * config-check: the checks that config.c's top-level rows name (and a few
 * an account's rows share), run once a value has passed config-parse.c's
 * type and range checks: header names, MIME types, charsets, paths and
 * commands for reading mail; sort, the folders, new_mail_command, saved
 * searches and key bindings for triage; text for headers.  Each reports its
 * own errors and may normalize or parse the value in place.
 */
#include "config-private.h"
#include "surat/format.h"
#include "surat/path.h"
#include "surat/search.h"
#include "surat/theme.h"

#include <string.h>

/* A command string (html_command, url_command, sendmail_command) must split into an argv. */
bool
config_check_command(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	char **argv = NULL;
	char *quoted;

	if (g_shell_parse_argv(*(char **)field, NULL, &argv, &error)) {
		g_strfreev(argv);
		return true;
	}
	quoted = config_quote(*(char **)field);
	config_error(p, s, prefix, NULL, "\"%s\" cannot be split into a command and its "
	    "arguments (%s); it is not run by a shell, so quote as in sh but expect no "
	    "expansion", quoted, error->message);
	g_free(quoted);
	g_error_free(error);
	return false;
}

/* Entry I of the list setting S, for errors (the list itself when missing). */
static const config_setting_t *
config_list_elem(const config_setting_t *s, guint i)
{
	const config_setting_t *e = config_setting_get_elem(s, i);

	return e != NULL ? e : s;
}

/* Regular expressions (alternates): each one GRegex compiles. */
bool
config_check_regexes(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char **patterns = *(char ***)field;
	bool ok = true;
	guint i;

	for (i = 0; patterns[i] != NULL; i++) {
		GError *error = NULL;
		GRegex *regex = g_regex_new(patterns[i], G_REGEX_CASELESS, 0, &error);
		char *quoted;

		if (regex != NULL) {
			g_regex_unref(regex);
			continue;
		}
		quoted = config_quote(patterns[i]);
		config_error(p, config_list_elem(s, i), prefix, config_setting_name(s),
		    "\"%s\" is not a regular expression (%s); write one as in mutt, such as "
		    "\"me@example\\\\.org\"", quoted, error->message);
		g_free(quoted);
		g_error_free(error);
		ok = false;
	}
	return ok;
}

/* Header names: printable ASCII without spaces or colons. */
bool
config_check_header_names(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char **names = *(char ***)field;
	bool ok = true;
	guint i;

	for (i = 0; names[i] != NULL; i++) {
		const char *c;

		for (c = names[i]; *c > ' ' && *c < 0x7f && *c != ':'; c++)
			;
		if (*c != '\0') {
			char *quoted = config_quote(names[i]);

			config_error(p, config_list_elem(s, i), prefix, config_setting_name(s),
			    "\"%s\" is not a header name; write it as in a message, \"Reply-To\"",
			    quoted);
			g_free(quoted);
			ok = false;
		}
	}
	return ok;
}

/* MIME types: "type/subtype" or "type/" and a star, of letters, digits and . + -; lowercased. */
bool
config_check_types(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.+-";
	char **types = *(char ***)field;
	bool ok = true;
	guint i;

	for (i = 0; types[i] != NULL; i++) {
		const char *t = types[i];
		size_t a = strspn(t, chars), b = t[a] == '/' ? strspn(t + a + 1, chars) : 0;
		char *lower;

		if (a > 0 && t[a] == '/' && ((b > 0 && t[a + 1 + b] == '\0') ||
		    strcmp(t + a + 1, "*") == 0)) {
			lower = g_ascii_strdown(t, -1);
			g_free(types[i]);
			types[i] = lower;
			continue;
		}
		lower = config_quote(t);
		config_error(p, config_list_elem(s, i), prefix, config_setting_name(s),
		    "\"%s\" is not a MIME type; write type/subtype, such as \"text/html\"", lower);
		g_free(lower);
		ok = false;
	}
	return ok;
}

/* Charsets: each one iconv can convert to UTF-8. */
bool
config_check_charsets(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char **names = *(char ***)field;
	bool ok = true;
	guint i;

	for (i = 0; names[i] != NULL; i++) {
		GIConv cd = g_iconv_open("UTF-8", names[i]);
		char *quoted;

		if (cd != (GIConv)-1) {
			g_iconv_close(cd);
			continue;
		}
		quoted = config_quote(names[i]);
		config_error(p, config_list_elem(s, i), prefix, config_setting_name(s),
		    "\"%s\" is not a charset this system can convert (see iconv -l)", quoted);
		g_free(quoted);
		ok = false;
	}
	return ok;
}

/* Paths: ~ expanded, then absolute.  P NULL: expand a default, no errors. */
bool
config_check_paths(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char **paths = *(char ***)field;
	bool ok = true;
	guint i;

	for (i = 0; paths[i] != NULL; i++) {
		char *full = path_expand(paths[i]), *quoted;

		g_free(paths[i]);
		paths[i] = full;
		if (p == NULL || g_path_is_absolute(full))
			continue;
		quoted = config_quote(full);
		config_error(p, config_list_elem(s, i), prefix, config_setting_name(s),
		    "\"%s\" is a relative path; write a full path, /... or ~/...", quoted);
		g_free(quoted);
		ok = false;
	}
	return ok;
}

/* ---- issue 5: sort, mailboxes, trash, bind, new_mail_command ---------------- */

/* sort: "reverse-X" is X with sort_reverse set. */
bool
config_check_sort(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	int *sort = field;

	if (*sort >= CONFIG_SORT_COUNT) {
		*sort -= CONFIG_SORT_COUNT;
		p->config->sort_reverse = true;
	}
	return true;
}

/* The keys that name a local folder, and what "" means in each (NULL: "" is not allowed). */
static const struct {
	const char *key;
	size_t offset;
	const char *empty;
} config_folders[] = {
	{ "trash", offsetof(struct surat_config, trash), "\"\" turns the trash off" },
	{ "record", offsetof(struct surat_config, record), "\"\" keeps no copy of sent mail" },
	{ "postponed", offsetof(struct surat_config, postponed), NULL },
};

/*
 * A local folder's name (trash, record, postponed): a Maildir++ subfolder;
 * "" is none, stored as NULL (postponed's row lets no "" through); mutt's
 * "=Name" and "+Name" are "Name".
 */
bool
config_check_folder(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *empty = NULL;
	char **name = field, *quoted;
	size_t i;

	if (**name == '\0') {
		g_clear_pointer(name, g_free);
		return true;
	}
	/* mutt's =Sent and +Sent: the folder Sent (not one named "=Sent"). */
	if ((**name == '=' || **name == '+') && (*name)[1] != '\0')
		memmove(*name, *name + 1, strlen(*name));
	if (g_utf8_validate(*name, -1, NULL) && strchr(*name, '/') == NULL && **name != '.' &&
	    !g_str_has_suffix(*name, ".") && strstr(*name, "..") == NULL)
		return true;
	for (i = 0; i < G_N_ELEMENTS(config_folders); i++) {
		if (strcmp(config_setting_name(s), config_folders[i].key) == 0)
			empty = config_folders[i].empty;
	}
	quoted = config_quote(*name);
	config_error(p, s, prefix, NULL, "\"%s\" is not a folder name: no / or .., no dot first "
	    "or last (a dot separates subfolders)%s%s", quoted, empty != NULL ? "; " : "",
	    empty != NULL ? empty : "");
	g_free(quoted);
	return false;
}

/*
 * Warn when two of trash, record and postponed name one folder: sent mail,
 * drafts and deleted mail would mix there.
 */
void
config_check_folder_names(struct config_parse *p, const config_setting_t *root)
{
	const config_setting_t *s;
	const char *a, *b, *other;
	size_t i, j;

	for (i = 1; i < G_N_ELEMENTS(config_folders); i++) {
		b = G_STRUCT_MEMBER(const char *, p->config, config_folders[i].offset);
		for (j = 0; b != NULL && j < i; j++) {
			a = G_STRUCT_MEMBER(const char *, p->config, config_folders[j].offset);
			if (a == NULL || strcmp(a, b) != 0)
				continue;
			/* The defaults differ, so the file sets at least one of the two. */
			other = config_folders[j].key;
			if ((s = config_setting_get_member(root, config_folders[i].key)) == NULL) {
				s = config_setting_get_member(root, other);
				other = config_folders[i].key;
			}
			config_warning(p, s, NULL, NULL, "\"%s\" is also the folder of %s; give "
			    "each its own", b, other);
		}
	}
}

/* Text that goes into a message's header (realname, from): UTF-8, no control characters. */
bool
config_check_text(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *text = *(char **)field, *c;

	if (!g_utf8_validate(text, -1, NULL)) {
		config_error(p, s, prefix, NULL, "is not valid UTF-8");
		return false;
	}
	/* config-parse.c let no C0 control through; these are C1. */
	for (c = text; *c != '\0'; c = g_utf8_next_char(c)) {
		if (g_unichar_iscntrl(g_utf8_get_char(c))) {
			config_error(p, s, prefix, NULL, "must not contain control characters");
			return false;
		}
	}
	return true;
}

/* new_mail_command: split as a shell would (it is never run by one); known placeholders. */
bool
config_check_new_mail_command(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	char **argv = NULL, *quoted;
	const char *c;
	int i;

	if (!g_shell_parse_argv(*(char **)field, NULL, &argv, &error)) {
		config_error(p, s, prefix, NULL, "%s; it is split into words as a shell would, and "
		    "never run by one", g_error_matches(error, G_SHELL_ERROR,
		    G_SHELL_ERROR_BAD_QUOTING) ? "a quote is not closed" : g_error_matches(error,
		    G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING) ? "no command" : error->message);
		g_error_free(error);
		return false;
	}
	for (i = 0; argv[i] != NULL; i++) {
		for (c = argv[i]; (c = strchr(c, '%')) != NULL; c += 2) {
			if (c[1] != '\0' && strchr("nua%", c[1]) != NULL)
				continue;
			quoted = config_quote(argv[i]);
			config_error(p, s, prefix, NULL, "\"%s\": after %% comes n (new messages), u "
			    "(unread), a (accounts) or %% (a %%)", quoted);
			g_free(quoted);
			g_strfreev(argv);
			return false;
		}
	}
	p->config->new_mail_argv = argv;
	return true;
}

/* attribution: a line of text whose placeholders compose_reply knows. */
bool
config_check_attribution(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *text = *(char **)field, *c;

	if (!config_check_text(p, s, prefix, field))
		return false;
	for (c = text; (c = strchr(c, '%')) != NULL; c += 2) {
		if (c[1] != '\0' && strchr("dnas%", c[1]) != NULL)
			continue;
		config_error(p, s, prefix, NULL, "after %% comes d (the date), n (the sender's "
		    "name), a (the sender's address), s (the subject) or %% (a %%)");
		return false;
	}
	return true;
}

/* A line format (format.h) of KIND: every code known, every conditional closed. */
static bool
config_check_format(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field, enum format_kind kind)
{
	const char *text = *(char **)field;
	struct format *f;
	GError *error = NULL;

	if (text == NULL)
		return true;
	if ((f = format_compile(text, kind, &error)) == NULL) {
		config_error(p, s, prefix, NULL, "%s", error->message);
		g_error_free(error);
		return false;
	}
	format_free(f);
	return true;
}

bool
config_check_index_format(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	return config_check_format(p, s, prefix, field, FORMAT_INDEX);
}

bool
config_check_status_format(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	return config_check_format(p, s, prefix, field, FORMAT_STATUS);
}

bool
config_check_pager_format(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	return config_check_format(p, s, prefix, field, FORMAT_PAGER);
}

/* A saved search's name: shown in the sidebar, so plain text, and unique. */
bool
config_check_mailbox_name(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *name = *(char **)field;
	const struct config_mailbox *m = p->config->mailboxes;
	char *quoted;
	size_t i;

	if (!g_utf8_validate(name, -1, NULL)) {
		config_error(p, s, prefix, NULL, "is not valid UTF-8");
		return false;
	}
	quoted = config_quote(name);
	if (g_ascii_isspace(name[0]) || g_ascii_isspace(name[strlen(name) - 1]))
		config_error(p, s, prefix, NULL, "\"%s\" begins or ends with a space", quoted);
	/* This mailbox is the last one so far. */
	for (i = 0; i + 1 < p->config->n_mailboxes; i++) {
		if (m[i].name != NULL && strcmp(m[i].name, name) == 0) {
			config_error(p, s, prefix, NULL, "duplicate mailbox name \"%s\"; first used "
			    "on line %d", quoted, m[i].line);
			break;
		}
	}
	g_free(quoted);
	return true;
}

/* The finish of the mailboxes list: set a mailbox's line. */
void
config_check_mailbox(struct config_parse *p, const config_setting_t *group, const char *prefix,
    void *elem)
{
	((struct config_mailbox *)elem)->line = (int)config_setting_source_line(group);
}

/* Report ERROR (taken) about setting S; returns OK. */
static bool
config_keymap_result(struct config_parse *p, const config_setting_t *s, const char *prefix,
    bool ok, GError *error)
{
	if (!ok) {
		config_error(p, s, prefix, NULL, "%s", error->message);
		g_error_free(error);
	}
	return ok;
}

/* bind: a binding's contexts, "index" or "index,pager". */
bool
config_check_contexts(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_context_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* bind: a binding's keys, "g g". */
bool
config_check_keys(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_seq_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* bind: a binding's action, "first-entry". */
bool
config_check_action(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_action_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* The finish of the bind list: the action applies in each context; set the binding's line. */
void
config_check_binding(struct config_parse *p, const config_setting_t *group, const char *prefix,
    void *elem)
{
	const config_setting_t *s = config_setting_get_member(group, "action");
	struct config_binding *b = elem;
	GError *error = NULL;

	b->line = (int)config_setting_source_line(group);
	/* A failed action is noop, which applies everywhere: one error, not two. */
	if (b->contexts != 0 && !keymap_action_check(b->action, b->contexts, &error))
		config_keymap_result(p, s != NULL ? s : group, prefix, false, error);
}

/* macro: the keys, "g g" as bind takes them or ",a" as mutt writes them. */
bool
config_check_macro_keys(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_macro_keys_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* macro: what it types, "<limit>~f alice<Enter>"; kept as written. */
bool
config_check_macro_sequence(struct config_parse *p, const config_setting_t *s,
    const char *prefix, void *field)
{
	const char *text = config_setting_get_string(s);
	GError *error = NULL;
	GArray *steps = keymap_steps_parse(text, &error);

	if (steps == NULL)
		return config_keymap_result(p, s, prefix, false, error);
	g_array_unref(steps);
	*(char **)field = g_strdup(text);
	return true;
}

/* The finish of the macro list: set the macro's line. */
void
config_check_macro(struct config_parse *p, const config_setting_t *group, const char *prefix,
    void *elem)
{
	(void)p;
	(void)prefix;
	((struct config_macro *)elem)->line = (int)config_setting_source_line(group);
}

/* color: a rule's fg or bg, as a theme file writes colours. */
bool
config_check_color(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *text = config_setting_get_string(s);
	char *quoted;

	if (theme_parse_color(text, field))
		return true;
	quoted = config_quote(text);
	config_error(p, s, prefix, NULL, "unknown colour \"%s\"; use default, black, red, green, "
	    "yellow, blue, magenta, cyan, white, bright-black .. bright-white, color0 .. "
	    "color255 or #rrggbb", quoted);
	g_free(quoted);
	return false;
}

/* color: a rule's attrs, as a theme file writes them. */
bool
config_check_attrs(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char **names = *(char ***)field;
	unsigned int attr;
	bool ok = true;
	guint i;

	for (i = 0; names[i] != NULL; i++) {
		char *quoted;

		if (theme_parse_attr(names[i], &attr))
			continue;
		quoted = config_quote(names[i]);
		config_error(p, config_list_elem(s, i), prefix, config_setting_name(s),
		    "unknown attribute \"%s\"; use bold, underline, reverse, dim, italic or blink",
		    quoted);
		g_free(quoted);
		ok = false;
	}
	return ok;
}

/*
 * The finish of the color list: unset colours, the attributes' bits, the
 * object's pattern (a query that parses for index, a regex that compiles
 * for body and header), and the line.
 */
void
config_check_color_rule(struct config_parse *p, const config_setting_t *group,
    const char *prefix, void *elem)
{
	const config_setting_t *object = config_setting_get_member(group, "object");
	const config_setting_t *query = config_setting_get_member(group, "query");
	const config_setting_t *regex = config_setting_get_member(group, "regex");
	struct config_color *c = elem;
	enum config_color_object o;
	unsigned int attr;
	guint i;

	c->line = (int)config_setting_source_line(group);
	if (config_setting_get_member(group, "fg") == NULL)
		c->fg = CONFIG_COLOR_UNSET;
	if (config_setting_get_member(group, "bg") == NULL)
		c->bg = CONFIG_COLOR_UNSET;
	for (i = 0; c->attr_names != NULL && c->attr_names[i] != NULL; i++)
		if (theme_parse_attr(c->attr_names[i], &attr))
			c->attrs |= attr;
	if (config_setting_get_member(group, "fg") == NULL &&
	    config_setting_get_member(group, "bg") == NULL &&
	    config_setting_get_member(group, "attrs") == NULL)
		config_error(p, group, prefix, NULL, "a colour rule needs fg, bg or attrs, as in "
		    "fg = \"red\";");
	/* A bad object was said already: nothing to check its pattern against. */
	if (object == NULL || !config_color_object_parse(config_setting_get_string(object), &o))
		return;
	if (o == CONFIG_COLOR_INDEX) {
		struct search_error error = { 0 };
		struct search_query *q;

		if (regex != NULL)
			config_error(p, regex, prefix, NULL, "index rules take a query (as l does), "
			    "not a regex: query = \"~f boss\";");
		if (query == NULL) {
			if (regex == NULL)
				config_error(p, group, prefix, "query", "missing; an index rule needs "
				    "one, as in query = \"~f boss | is:flagged\";");
			return;
		}
		if (c->query == NULL)
			return;
		if ((q = search_parse(c->query, 0, &error)) == NULL) {
			config_error(p, query, prefix, NULL, "column %d: %s", error.column,
			    error.message);
			search_error_clear(&error);
		}
		search_query_free(q);
		return;
	}
	if (query != NULL)
		config_error(p, query, prefix, NULL, "%s rules take a regex, not a query: "
		    "regex = \"%s\";", config_color_object_name(o),
		    o == CONFIG_COLOR_BODY ? "https?://\\\\S+" : "^Subject:");
	if (regex == NULL) {
		if (query == NULL)
			config_error(p, group, prefix, "regex", "missing; a %s rule needs one, as in "
			    "regex = \"%s\";", config_color_object_name(o),
			    o == CONFIG_COLOR_BODY ? "https?://\\\\S+" : "^Subject:");
		return;
	}
	if (c->regex != NULL) {
		GError *error = NULL;
		GRegex *re = config_color_regex(c->regex, &error);
		char *quoted;

		if (re != NULL) {
			g_regex_unref(re);
			return;
		}
		quoted = config_quote(c->regex);
		config_error(p, regex, prefix, NULL, "\"%s\" is not a regular expression (%s)",
		    quoted, error->message);
		g_free(quoted);
		g_error_free(error);
	}
}
