/*
 * muttrc: a mutt configuration translated into surat.conf(5) settings
 * (muttrc.h).  The file is read as mutt reads it (muttrc_words), each
 * command goes to its translator, and what comes out is gathered per
 * setting so each list (bind, macro, color...) is written once.
 */
#include "surat/muttrc.h"

#include <string.h>

#include "surat/keymap.h"
#include "surat/sanitize.h"

/* What the translation gathers. */
struct muttrc {
	GPtrArray *binds;    /* group text of each list */
	GPtrArray *macros;
	GPtrArray *colors;
	GPtrArray *mailboxes;
	GPtrArray *alternates;
	GPtrArray *alternative_order;
	GPtrArray *auto_view;
	GPtrArray *headers_shown;
	GString *notes;      /* a comment for each line left */
	GHashTable *seen;    /* settings already written (the last one wins, as in mutt) */
	unsigned int translated, left;
	int depth;
};

/* mutt's menus and surat's contexts; NULL where surat has no such view. */
static const struct {
	const char *mutt, *surat;
} muttrc_menus[] = {
	{ "index", "index" },
	{ "pager", "pager" },
	{ "attach", "attachments" },
	{ "compose", "compose" },
	{ "generic", "index" },
	{ "editor", "prompt" },
	{ "alias", NULL },
	{ "query", NULL },
	{ "browser", NULL },
	{ "postpone", NULL },
	{ "pgp", NULL },
	{ "smime", NULL },
	{ "mix", NULL },
};

/* mutt's functions that surat calls by another name. */
static const struct {
	const char *mutt, *surat;
} muttrc_functions[] = {
	{ "next-undeleted", "next-entry" },
	{ "previous-undeleted", "previous-entry" },
	{ "next-new", "next-unread" },
	{ "next-new-then-unread", "next-unread" },
	{ "sync-mailbox", "expunge" },
	{ "fetch-mail", "fetch-mail" },
	{ "imap-fetch-mail", "fetch-mail" },
	{ "sidebar-toggle-visible", "sidebar-toggle" },
	{ "first-entry", "first-entry" },
	{ "view-attachments", "view-attachments" },
	{ "edit", "edit-as-new" },
	{ "resend-message", "edit-as-new" },
	{ "toggle-quoted", "toggle-quoted" },
};

/* mutt's options with a surat setting of the same meaning: mutt name, surat name, kind. */
enum muttrc_kind { MUTTRC_STRING, MUTTRC_BOOL, MUTTRC_NUMBER, MUTTRC_FOLDER, MUTTRC_SORT };

static const struct {
	const char *mutt, *surat;
	enum muttrc_kind kind;
} muttrc_options[] = {
	{ "pager_index_lines", "index_lines", MUTTRC_NUMBER },
	{ "date_format", "date_format", MUTTRC_STRING },
	{ "index_format", "index_format", MUTTRC_STRING },
	{ "pager_format", "pager_format", MUTTRC_STRING },
	{ "status_format", "status_format", MUTTRC_STRING },
	{ "sort", "sort", MUTTRC_SORT },
	{ "record", "record", MUTTRC_FOLDER },
	{ "postponed", "postponed", MUTTRC_FOLDER },
	{ "trash", "trash", MUTTRC_FOLDER },
	{ "realname", "realname", MUTTRC_STRING },
	{ "editor", "editor", MUTTRC_STRING },
	{ "attribution", "attribution", MUTTRC_STRING },
	{ "forward_format", "forward_format", MUTTRC_STRING },
	{ "text_flowed", "text_flowed", MUTTRC_BOOL },
	{ "user_agent", "user_agent", MUTTRC_BOOL },
	{ "alias_file", "alias_file", MUTTRC_STRING },
	{ "query_command", "query_command", MUTTRC_STRING },
	{ "sidebar_visible", "sidebar", MUTTRC_BOOL },
	{ "sidebar_width", "sidebar_width", MUTTRC_NUMBER },
	{ "mailcap_path", "mailcap_path", MUTTRC_STRING },
	{ "new_mail_command", "new_mail_command", MUTTRC_STRING },
	{ "delete", "delete", MUTTRC_STRING },
	{ "pipe_split", "pipe_split", MUTTRC_BOOL },
	{ "mouse", "mouse", MUTTRC_BOOL },
};

/* mutt's options that belong to an account in surat (said so in the note). */
static const char *const muttrc_account_options[] = { "from", "signature", "smtp_url",
	"smtp_pass", "pop_host", "pop_user", "pop_pass", "sendmail", "hostname", NULL };

/* ---- reading as mutt reads ---------------------------------------------- */

/*
 * Split LINE into commands (';') of words, as mutt's parser does: white
 * space between words, "double quotes" with backslash escapes (\n \t \e
 * \Cx and \X for X), 'single quotes' taken as they are, a backslash outside
 * quotes escaping one character, # to the end of the line.  Appends one
 * GPtrArray of words per command to COMMANDS.  False when a quote is left
 * open or the line uses ` or $ (which mutt would expand).
 */
static bool
muttrc_words(const char *line, GPtrArray *commands, const char **why)
{
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);
	GString *word = NULL;
	const char *p = line;
	char quote = 0;

	for (;; p++) {
		char c = *p;

		if (quote == 0 && (c == '\0' || c == '#' || c == ';' || c == ' ' || c == '\t')) {
			if (word != NULL)
				g_ptr_array_add(words, g_string_free(word, FALSE));
			word = NULL;
			if (c == ' ' || c == '\t')
				continue;
			if (words->len > 0)
				g_ptr_array_add(commands, words);
			else
				g_ptr_array_unref(words);
			if (c != ';')
				return true;
			words = g_ptr_array_new_with_free_func(g_free);
			continue;
		}
		if (c == '\0') {
			*why = "a quote is not closed";
			goto fail;
		}
		if (word == NULL)
			word = g_string_new(NULL);
		if (quote == 0 && (c == '"' || c == '\'')) {
			quote = c;
			continue;
		}
		if (c == quote) {
			quote = 0;
			continue;
		}
		if (quote != '\'' && (c == '`' || (c == '$' && g_ascii_isalpha(p[1])))) {
			*why = c == '`' ? "it runs a command (`...`), which surat does not do"
					: "it uses a variable ($...), which surat does not expand";
			goto fail;
		}
		if (c == '\\' && quote != '\'' && p[1] != '\0') {
			c = *++p;
			switch (c) {
			case 'n':
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'e':
			case 'E':
				c = '\033';
				break;
			case 'c':
			case 'C':
				if (p[1] != '\0') {
					c = (char)(g_ascii_toupper(*++p) & 0x1f);
					break;
				}
				break;
			default:
				break;
			}
		}
		g_string_append_c(word, c);
	}
fail:
	if (word != NULL)
		g_string_free(word, TRUE);
	g_ptr_array_unref(words);
	return false;
}

/* ---- writing libconfig -------------------------------------------------- */

/* S as a libconfig string (quotes and backslashes escaped); appended to OUT. */
static void
muttrc_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		if ((unsigned char)*s < 0x20)
			g_string_append_printf(out, "\\x%02x", (unsigned char)*s);
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

/* Note that the command TEXT was left, and why. */
static void
muttrc_leave(struct muttrc *m, const char *where, const char *text, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
muttrc_leave(struct muttrc *m, const char *where, const char *text, const char *fmt, ...)
{
	va_list ap;
	char *why, *line;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	line = g_strdup_printf("%s: %s", where, text);
	/* The file may hold anything: a comment line is one clean line. */
	{
		char *clean = sanitize_text(line, -1, 0), *clean_why = sanitize_text(why, -1, 0);

		g_string_append_printf(m->notes, "# not translated: %s\n#   (%s)\n", clean, clean_why);
		g_free(clean);
		g_free(clean_why);
	}
	g_free(line);
	g_free(why);
	m->left++;
}

/* ---- keys --------------------------------------------------------------- */

/* mutt's <key names> and surat's. */
static const struct {
	const char *mutt, *surat;
} muttrc_keys[] = {
	{ "up", "Up" }, { "down", "Down" }, { "left", "Left" }, { "right", "Right" },
	{ "pageup", "PageUp" }, { "pagedown", "PageDown" }, { "home", "Home" }, { "end", "End" },
	{ "insert", "Insert" }, { "delete", "Delete" }, { "backspace", "Backspace" },
	{ "enter", "Enter" }, { "return", "Enter" }, { "tab", "Tab" }, { "backtab", "BackTab" },
	{ "esc", "Esc" }, { "space", "Space" },
};

/* mutt's key string KEYS as a surat key sequence ("g g", "C-x", "Esc v"); NULL if it cannot be. */
static char *
muttrc_keys_text(const char *keys)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	struct keymap_seq seq;
	const char *p = keys;
	char *out = NULL;

	while (*p != '\0') {
		unsigned char c = (unsigned char)*p;

		if (c == '<' && strchr(p, '>') != NULL) {
			const char *end = strchr(p, '>');
			char *name = g_ascii_strdown(p + 1, end - p - 1);
			size_t i;

			for (i = 0; i < G_N_ELEMENTS(muttrc_keys); i++)
				if (strcmp(name, muttrc_keys[i].mutt) == 0)
					break;
			if (i < G_N_ELEMENTS(muttrc_keys))
				g_ptr_array_add(names, g_strdup(muttrc_keys[i].surat));
			else if (name[0] == 'f' && g_ascii_isdigit(name[1]))
				g_ptr_array_add(names, g_ascii_strup(name, -1));
			else {
				g_free(name);
				goto out;
			}
			g_free(name);
			p = end + 1;
			continue;
		}
		if (c == '^' && p[1] != '\0' && p[1] != '^') {
			g_ptr_array_add(names, g_strdup_printf("C-%c", g_ascii_tolower(p[1])));
			p += 2;
			continue;
		}
		if (c == '\033')
			g_ptr_array_add(names, g_strdup("Esc"));
		else if (c == '\r' || c == '\n')
			g_ptr_array_add(names, g_strdup("Enter"));
		else if (c == '\t')
			g_ptr_array_add(names, g_strdup("Tab"));
		else if (c == 0x7f || c == 0x08)
			g_ptr_array_add(names, g_strdup("Backspace"));
		else if (c < 0x20)
			g_ptr_array_add(names, g_strdup_printf("C-%c", c + 0x60));
		else if (c == ' ')
			g_ptr_array_add(names, g_strdup("Space"));
		else {
			const char *next = g_utf8_next_char(p);

			g_ptr_array_add(names, g_strndup(p, next - p));
			p = next;
			continue;
		}
		p++;
	}
	g_ptr_array_add(names, NULL);
	out = g_strjoinv(" ", (char **)names->pdata);
	if (!keymap_seq_parse(out, &seq, NULL)) {
		g_free(out);
		out = NULL;
	}
out:
	g_ptr_array_unref(names);
	return out;
}

/* The surat contexts of mutt's comma-separated MENUS ("index,pager"), or NULL (*BAD names one). */
static char *
muttrc_contexts(const char *menus, char **bad)
{
	char **list = g_strsplit(menus, ",", -1), **m;
	GString *out = g_string_new(NULL);

	*bad = NULL;
	for (m = list; *m != NULL; m++) {
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(muttrc_menus); i++)
			if (g_ascii_strcasecmp(*m, muttrc_menus[i].mutt) == 0)
				break;
		if (i == G_N_ELEMENTS(muttrc_menus) || muttrc_menus[i].surat == NULL) {
			*bad = g_strdup(*m);
			g_strfreev(list);
			g_string_free(out, TRUE);
			return NULL;
		}
		if (strstr(out->str, muttrc_menus[i].surat) == NULL)
			g_string_append_printf(out, "%s%s", out->len > 0 ? "," : "",
			    muttrc_menus[i].surat);
	}
	g_strfreev(list);
	return g_string_free(out, FALSE);
}

/* surat's name of mutt's function NAME, or NULL. */
static const char *
muttrc_function(const char *name)
{
	enum keymap_action action;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(muttrc_functions); i++)
		if (strcmp(name, muttrc_functions[i].mutt) == 0 &&
		    keymap_action_parse(muttrc_functions[i].surat, &action, NULL))
			return keymap_action_name(action);
	if (keymap_action_parse(name, &action, NULL))
		return keymap_action_name(action);
	return NULL;
}

/*
 * The menus (word 1) and keys (word 2) of bind or macro W as surat's
 * contexts and key sequence (new strings), or false with the line left.
 */
static bool
muttrc_menu_keys(struct muttrc *m, const char *where, const char *text, GPtrArray *w,
    char **contexts, char **keys)
{
	char *bad = NULL;

	if ((*contexts = muttrc_contexts(g_ptr_array_index(w, 1), &bad)) == NULL) {
		muttrc_leave(m, where, text, "surat has no %s menu", bad);
		g_free(bad);
		return false;
	}
	if ((*keys = muttrc_keys_text(g_ptr_array_index(w, 2))) == NULL) {
		muttrc_leave(m, where, text, "surat cannot read that key");
		g_free(*contexts);
		return false;
	}
	return true;
}

/* bind MENUS KEY FUNCTION */
static void
muttrc_bind(struct muttrc *m, const char *where, const char *text, GPtrArray *w)
{
	char *contexts, *keys;
	const char *action;
	GString *g;

	if (w->len != 4) {
		muttrc_leave(m, where, text, "bind takes a menu, a key and a function");
		return;
	}
	if (!muttrc_menu_keys(m, where, text, w, &contexts, &keys))
		return;
	if ((action = muttrc_function(g_ptr_array_index(w, 3))) == NULL) {
		muttrc_leave(m, where, text, "surat has no function %s (surat(1) lists its actions)",
		    (const char *)g_ptr_array_index(w, 3));
		g_free(contexts);
		g_free(keys);
		return;
	}
	g = g_string_new("  { context = ");
	muttrc_string(g, contexts);
	g_string_append(g, "; key = ");
	muttrc_string(g, keys);
	g_string_append(g, "; action = ");
	muttrc_string(g, action);
	g_string_append(g, "; }");
	g_ptr_array_add(m->binds, g_string_free(g, FALSE));
	m->translated++;
	g_free(contexts);
	g_free(keys);
}

/* macro MENUS KEY SEQUENCE [DESCRIPTION] */
static void
muttrc_macro(struct muttrc *m, const char *where, const char *text, GPtrArray *w)
{
	char *contexts, *keys;
	GString *g;

	if (w->len != 4 && w->len != 5) {
		muttrc_leave(m, where, text, "macro takes a menu, a key, a sequence and a description");
		return;
	}
	if (!muttrc_menu_keys(m, where, text, w, &contexts, &keys))
		return;
	g = g_string_new("  { context = ");
	muttrc_string(g, contexts);
	g_string_append(g, "; keys = ");
	muttrc_string(g, keys);
	g_string_append(g, "; sequence = ");
	muttrc_string(g, g_ptr_array_index(w, 3));
	if (w->len == 5) {
		g_string_append(g, "; description = ");
		muttrc_string(g, g_ptr_array_index(w, 4));
	}
	g_string_append(g, "; }");
	g_ptr_array_add(m->macros, g_string_free(g, FALSE));
	m->translated++;
	g_free(contexts);
	g_free(keys);
}

/* mutt's colour NAME as a theme writes it: brightred is bright-red. */
static char *
muttrc_colour_name(const char *name)
{
	if (g_str_has_prefix(name, "bright") && name[6] != '\0' && name[6] != '-')
		return g_strconcat("bright-", name + 6, NULL);
	return g_strdup(name);
}

/* color OBJECT FG BG [PATTERN] */
static void
muttrc_color(struct muttrc *m, const char *where, const char *text, GPtrArray *w)
{
	const char *object = w->len > 1 ? g_ptr_array_index(w, 1) : "";
	const char *kind;
	char *fg, *bg;
	GString *g;

	if (strcmp(object, "index") == 0)
		kind = "query";
	else if (strcmp(object, "body") == 0 || strcmp(object, "header") == 0)
		kind = "regex";
	else {
		muttrc_leave(m, where, text,
		    "%s is a theme element in surat: set its colour in a theme (surat.conf(5), theme)",
		    object);
		return;
	}
	if (w->len != 5) {
		muttrc_leave(m, where, text, "color %s takes a foreground, a background and a %s",
		    object, strcmp(kind, "query") == 0 ? "pattern" : "regular expression");
		return;
	}
	g = g_string_new("  { object = ");
	muttrc_string(g, object);
	g_string_append(g, "; fg = ");
	fg = muttrc_colour_name(g_ptr_array_index(w, 2));
	bg = muttrc_colour_name(g_ptr_array_index(w, 3));
	muttrc_string(g, fg);
	g_string_append(g, "; bg = ");
	muttrc_string(g, bg);
	g_free(fg);
	g_free(bg);
	g_string_append_printf(g, "; %s = ", kind);
	muttrc_string(g, g_ptr_array_index(w, 4));
	g_string_append(g, "; }");
	g_ptr_array_add(m->colors, g_string_free(g, FALSE));
	m->translated++;
}

/* mutt's folder shorthand (+name, =name) as a local folder name, or NULL for a path. */
static char *
muttrc_folder(const char *value)
{
	if ((value[0] == '+' || value[0] == '=') && value[1] != '\0' && strchr(value, '/') == NULL)
		return g_strdup(value + 1);
	return NULL;
}

/* Write the single setting NAME = VALUE (a libconfig value as text), the last one winning. */
static void
muttrc_setting(struct muttrc *m, const char *name, const char *value)
{
	g_hash_table_insert(m->seen, g_strdup(name), g_strdup(value));
	m->translated++;
}

/* One "set" word: NAME, noNAME, invNAME, NAME=VALUE, or NAME with VALUE in the next word. */
static void
muttrc_set_one(struct muttrc *m, const char *where, const char *text, const char *command,
    const char *name, const char *value)
{
	bool negate = false, on = true;
	size_t i;
	GString *v;

	if (strcmp(command, "unset") == 0) {
		on = false;
	} else if (strcmp(command, "toggle") == 0 || strcmp(command, "reset") == 0) {
		muttrc_leave(m, where, text, "%s changes a setting at run time: :%s works at surat's "
		    "prompt", command, command);
		return;
	} else if (value == NULL && g_str_has_prefix(name, "no")) {
		negate = true;
		on = false;
	} else if (value == NULL && g_str_has_prefix(name, "inv")) {
		muttrc_leave(m, where, text, "inv flips a setting at run time; write the value you want");
		return;
	}
	for (i = 0; i < G_N_ELEMENTS(muttrc_options); i++) {
		const char *n = muttrc_options[i].mutt;

		if (strcmp(name, n) == 0 || (negate && strcmp(name + 2, n) == 0))
			break;
	}
	if (i == G_N_ELEMENTS(muttrc_options)) {
		const char *bare = negate ? name + 2 : name;

		if (g_strv_contains(muttrc_account_options, bare))
			muttrc_leave(m, where, text, "%s belongs to an account in surat (accounts = ( { "
			    "... } ); see surat.conf(5))", bare);
		else
			muttrc_leave(m, where, text, "surat has no option like %s", bare);
		return;
	}
	v = g_string_new(NULL);
	switch (muttrc_options[i].kind) {
	case MUTTRC_BOOL:
		if (value != NULL)
			on = g_ascii_strcasecmp(value, "yes") == 0 || strcmp(value, "1") == 0;
		g_string_append(v, on ? "true" : "false");
		break;
	case MUTTRC_NUMBER: {
		char *end;
		long n = value != NULL ? strtol(value, &end, 10) : 0;

		if (value == NULL || *end != '\0' || !on) {
			muttrc_leave(m, where, text, "%s takes a number", name);
			g_string_free(v, TRUE);
			return;
		}
		g_string_append_printf(v, "%ld", n);
		break;
	}
	case MUTTRC_FOLDER: {
		char *folder = value != NULL ? muttrc_folder(value) : NULL;

		if (folder == NULL) {
			muttrc_leave(m, where, text, "surat keeps %s as a local folder of each account "
			    "(+name or =name); a path is not one", muttrc_options[i].surat);
			g_string_free(v, TRUE);
			return;
		}
		muttrc_string(v, folder);
		g_free(folder);
		break;
	}
	case MUTTRC_SORT: {
		static const char *const sorts[][2] = { { "date", "date" }, { "date-sent", "date" },
			{ "date-received", "arrival" }, { "mailbox-order", "arrival" },
			{ "from", "from" }, { "subject", "subject" }, { "size", "size" },
			{ "threads", "thread" } };
		const char *s = value != NULL ? value : "";
		bool reverse = g_str_has_prefix(s, "reverse-");
		size_t k;

		if (reverse)
			s += 8;
		for (k = 0; k < G_N_ELEMENTS(sorts); k++)
			if (strcmp(s, sorts[k][0]) == 0)
				break;
		if (k == G_N_ELEMENTS(sorts)) {
			muttrc_leave(m, where, text, "surat sorts by date, arrival, from, subject, size "
			    "or thread");
			g_string_free(v, TRUE);
			return;
		}
		g_string_append_printf(v, "\"%s%s\"", reverse ? "reverse-" : "", sorts[k][1]);
		break;
	}
	case MUTTRC_STRING:
		if (value == NULL || !on) {
			muttrc_leave(m, where, text, "%s takes a value", name);
			g_string_free(v, TRUE);
			return;
		}
		muttrc_string(v, value);
		break;
	}
	muttrc_setting(m, muttrc_options[i].surat, v->str);
	g_string_free(v, TRUE);
}

/* set/unset/toggle/reset with any number of words. */
static void
muttrc_set(struct muttrc *m, const char *where, const char *text, GPtrArray *w)
{
	const char *command = g_ptr_array_index(w, 0);
	guint i;

	for (i = 1; i < w->len; i++) {
		const char *word = g_ptr_array_index(w, i), *eq = strchr(word, '=');
		char *name;

		if (eq != NULL) {
			name = g_strndup(word, eq - word);
			/* set name = value: the value is the next word. */
			if (eq[1] == '\0' && i + 1 < w->len)
				muttrc_set_one(m, where, text, command, name, g_ptr_array_index(w, ++i));
			else
				muttrc_set_one(m, where, text, command, name, eq + 1);
		} else if (i + 2 < w->len && strcmp(g_ptr_array_index(w, i + 1), "=") == 0) {
			name = g_strdup(word);
			muttrc_set_one(m, where, text, command, name, g_ptr_array_index(w, i + 2));
			i += 2;
		} else {
			name = g_strdup(word);
			muttrc_set_one(m, where, text, command, name, NULL);
		}
		g_free(name);
	}
}

/* Add the words of W after the first to LIST (as libconfig strings), unless there. */
static void
muttrc_words_to(struct muttrc *m, GPtrArray *list, GPtrArray *w)
{
	guint i;

	for (i = 1; i < w->len; i++) {
		GString *g = g_string_new(NULL);

		muttrc_string(g, g_ptr_array_index(w, i));
		if (!g_ptr_array_find_with_equal_func(list, g->str, g_str_equal, NULL))
			g_ptr_array_add(list, g_string_free(g, FALSE));
		else
			g_string_free(g, TRUE);
	}
	m->translated++;
}

/* unignore NAME...: headers to show, written as surat writes them ("reply-to:" is Reply-To). */
static void
muttrc_headers(struct muttrc *m, GPtrArray *w)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	guint i;
	char *p;

	g_ptr_array_add(names, g_strdup("unignore"));
	for (i = 1; i < w->len; i++) {
		char *name = g_ascii_strdown(g_ptr_array_index(w, i), -1);
		bool start = true;

		if (g_str_has_suffix(name, ":"))
			name[strlen(name) - 1] = '\0';
		for (p = name; *p != '\0'; p++) {
			if (start)
				*p = g_ascii_toupper(*p);
			start = *p == '-';
		}
		g_ptr_array_add(names, name);
	}
	muttrc_words_to(m, m->headers_shown, names);
	g_ptr_array_unref(names);
}

/* mailboxes: mutt's folders become saved searches of those folders. */
static void
muttrc_mailboxes(struct muttrc *m, const char *where, const char *text, GPtrArray *w)
{
	guint i;

	for (i = 1; i < w->len; i++) {
		const char *box = g_ptr_array_index(w, i);
		char *folder = muttrc_folder(box), *query;
		GString *g;

		if (strcmp(box, "!") == 0 || strcmp(box, "+") == 0 || strcmp(box, "=") == 0)
			continue; /* the spool file: surat's inboxes are always there */
		if (folder == NULL) {
			muttrc_leave(m, where, box, "only folders of the mail folder (+name, =name) "
			    "become saved searches; surat's accounts hold their own Maildirs");
			continue;
		}
		query = g_strdup_printf("folder:%s", folder);
		g = g_string_new("  { name = ");
		muttrc_string(g, folder);
		g_string_append(g, "; query = ");
		muttrc_string(g, query);
		g_string_append(g, "; }");
		g_ptr_array_add(m->mailboxes, g_string_free(g, FALSE));
		m->translated++;
		g_free(query);
		g_free(folder);
	}
	(void)text;
}

static void muttrc_file(struct muttrc *m, const char *path, GError **error);

/* One command W of the line TEXT at WHERE ("FILE:LINE"). */
static void
muttrc_command(struct muttrc *m, const char *where, const char *text, GPtrArray *w,
    const char *dir)
{
	const char *c = g_ptr_array_index(w, 0);

	if (strcmp(c, "bind") == 0)
		muttrc_bind(m, where, text, w);
	else if (strcmp(c, "macro") == 0)
		muttrc_macro(m, where, text, w);
	else if (strcmp(c, "color") == 0)
		muttrc_color(m, where, text, w);
	else if (strcmp(c, "set") == 0 || strcmp(c, "unset") == 0 || strcmp(c, "toggle") == 0 ||
	    strcmp(c, "reset") == 0)
		muttrc_set(m, where, text, w);
	else if (strcmp(c, "mailboxes") == 0 || strcmp(c, "named-mailboxes") == 0)
		muttrc_mailboxes(m, where, text, w);
	else if (strcmp(c, "alternates") == 0)
		muttrc_words_to(m, m->alternates, w);
	else if (strcmp(c, "alternative_order") == 0)
		muttrc_words_to(m, m->alternative_order, w);
	else if (strcmp(c, "auto_view") == 0)
		muttrc_words_to(m, m->auto_view, w);
	else if (strcmp(c, "unignore") == 0 && w->len > 1 && strcmp(g_ptr_array_index(w, 1), "*"))
		muttrc_headers(m, w);
	else if (strcmp(c, "source") == 0 && w->len == 2) {
		const char *file = g_ptr_array_index(w, 1);
		char *path = file[0] == '~' && file[1] == '/'
		    ? g_build_filename(g_get_home_dir(), file + 2, NULL)
		    : g_path_is_absolute(file) ? g_strdup(file) : g_build_filename(dir, file, NULL);
		GError *err = NULL;

		if (m->depth >= MUTTRC_SOURCE_DEPTH) {
			muttrc_leave(m, where, text, "sourced more than %d deep", MUTTRC_SOURCE_DEPTH);
		} else {
			muttrc_file(m, path, &err);
			if (err != NULL) {
				muttrc_leave(m, where, text, "%s", err->message);
				g_error_free(err);
			} else {
				m->translated++;
			}
		}
		g_free(path);
	} else if (strcmp(c, "alias") == 0) {
		muttrc_leave(m, where, text, "aliases stay in their file: set alias_file to it "
		    "(surat reads mutt's alias files)");
	} else if (g_str_has_suffix(c, "-hook") || strcmp(c, "hook") == 0) {
		muttrc_leave(m, where, text, "surat has no hooks");
	} else if (strcmp(c, "ignore") == 0 || strcmp(c, "unignore") == 0 || strcmp(c, "hdr_order") == 0) {
		muttrc_leave(m, where, text, "surat shows the headers listed in headers_shown, in "
		    "that order");
	} else if (strcmp(c, "my_hdr") == 0) {
		muttrc_leave(m, where, text, "surat writes its own headers; add others in the editor");
	} else if (strcmp(c, "uncolor") == 0 || strcmp(c, "unbind") == 0 || strcmp(c, "unmacro") == 0) {
		muttrc_leave(m, where, text, "only the colours, bindings and macros set here are "
		    "written; leave this one out");
	} else {
		muttrc_leave(m, where, text, "surat has no %s command", c);
	}
}

void
muttrc_each_line(const char *text, muttrc_line_fn fn, void *data)
{
	char **lines = g_strsplit(text, "\n", -1);
	GString *logical = g_string_new(NULL);
	guint i, first = 1;

	for (i = 0; lines[i] != NULL; i++) {
		size_t n = strlen(lines[i]);

		if (n > 0 && lines[i][n - 1] == '\r')
			lines[i][--n] = '\0';
		if (logical->len == 0)
			first = i + 1;
		/* A backslash at the end joins the next line (when there is one). */
		if (n > 0 && lines[i][n - 1] == '\\' && lines[i + 1] != NULL) {
			g_string_append_len(logical, lines[i], (gssize)n - 1);
			continue;
		}
		g_string_append(logical, lines[i]);
		fn(logical->str, first, data);
		g_string_truncate(logical, 0);
	}
	g_string_free(logical, TRUE);
	g_strfreev(lines);
}

/* Where muttrc_line is: the translation, the file and its folder. */
struct muttrc_reading {
	struct muttrc *m;
	const char *path, *dir;
};

/* One logical line of a muttrc into the translation (muttrc_line_fn). */
static void
muttrc_line(char *line, unsigned int first, void *data)
{
	struct muttrc_reading *r = data;
	GPtrArray *commands = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	char *where = g_strdup_printf("%s:%u", r->path, first);
	const char *why = NULL;
	guint k;

	if (!muttrc_words(line, commands, &why))
		muttrc_leave(r->m, where, line, "%s", why);
	else
		for (k = 0; k < commands->len; k++)
			muttrc_command(r->m, where, line, g_ptr_array_index(commands, k), r->dir);
	g_free(where);
	g_ptr_array_unref(commands);
}

/* Translate the file at PATH into M. */
static void
muttrc_file(struct muttrc *m, const char *path, GError **error)
{
	struct muttrc_reading r = { m, path, NULL };
	char *text = NULL, *dir;

	if (!g_file_get_contents(path, &text, NULL, error))
		return;
	m->depth++;
	r.dir = dir = g_path_get_dirname(path);
	muttrc_each_line(text, muttrc_line, &r);
	g_free(dir);
	g_free(text);
	m->depth--;
}

/* Append the list NAME of groups or strings to OUT. */
static void
muttrc_list(GString *out, const char *name, GPtrArray *items, bool groups)
{
	guint i;

	if (items->len == 0)
		return;
	g_string_append_printf(out, "%s = %c%s", name, groups ? '(' : '[', groups ? "\n" : " ");
	for (i = 0; i < items->len; i++)
		g_string_append_printf(out, "%s%s", (const char *)g_ptr_array_index(items, i),
		    i + 1 < items->len ? (groups ? ",\n" : ", ") : (groups ? "\n" : " "));
	g_string_append_printf(out, "%c;\n", groups ? ')' : ']');
}

char *
muttrc_translate(const char *path, unsigned int *translated, unsigned int *left,
    GError **error)
{
	struct muttrc m = { 0 };
	GString *out = g_string_new(NULL);
	GList *keys, *k;
	char *safe;

	m.binds = g_ptr_array_new_with_free_func(g_free);
	m.macros = g_ptr_array_new_with_free_func(g_free);
	m.colors = g_ptr_array_new_with_free_func(g_free);
	m.mailboxes = g_ptr_array_new_with_free_func(g_free);
	m.alternates = g_ptr_array_new_with_free_func(g_free);
	m.alternative_order = g_ptr_array_new_with_free_func(g_free);
	m.auto_view = g_ptr_array_new_with_free_func(g_free);
	m.headers_shown = g_ptr_array_new_with_free_func(g_free);
	m.notes = g_string_new(NULL);
	m.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	muttrc_file(&m, path, error);
	if (error != NULL && *error != NULL) {
		g_string_free(out, TRUE);
		out = NULL;
		goto done;
	}
	safe = sanitize_text(path, -1, 0);
	g_string_append_printf(out, "# surat.conf settings translated from %s by surat "
	    "import-muttrc:\n# %u commands translated, %u left (each below, with why).\n"
	    "# Add store and accounts (surat.conf(5)), then check with surat check-config.\n\n",
	    safe, m.translated, m.left);
	g_free(safe);
	keys = g_list_sort(g_hash_table_get_keys(m.seen), (GCompareFunc)strcmp);
	for (k = keys; k != NULL; k = k->next)
		g_string_append_printf(out, "%s = %s;\n", (const char *)k->data,
		    (const char *)g_hash_table_lookup(m.seen, k->data));
	g_list_free(keys);
	muttrc_list(out, "alternates", m.alternates, false);
	muttrc_list(out, "alternative_order", m.alternative_order, false);
	muttrc_list(out, "auto_view", m.auto_view, false);
	muttrc_list(out, "headers_shown", m.headers_shown, false);
	muttrc_list(out, "mailboxes", m.mailboxes, true);
	muttrc_list(out, "bind", m.binds, true);
	muttrc_list(out, "macro", m.macros, true);
	muttrc_list(out, "color", m.colors, true);
	if (m.notes->len > 0)
		g_string_append_printf(out, "\n%s", m.notes->str);
	if (translated != NULL)
		*translated = m.translated;
	if (left != NULL)
		*left = m.left;
done:
	g_ptr_array_unref(m.binds);
	g_ptr_array_unref(m.macros);
	g_ptr_array_unref(m.colors);
	g_ptr_array_unref(m.mailboxes);
	g_ptr_array_unref(m.alternates);
	g_ptr_array_unref(m.alternative_order);
	g_ptr_array_unref(m.auto_view);
	g_ptr_array_unref(m.headers_shown);
	g_string_free(m.notes, TRUE);
	g_hash_table_destroy(m.seen);
	return out != NULL ? g_string_free(out, FALSE) : NULL;
}
