/*
 * config: the libconfig file read into struct surat_config (surat.conf(5)).
 *
 * Every key is described once, in a table (config_top_keys here,
 * config_account_keys in config-account.c): its type, whether it is
 * required, its range, its default, where it lands in the struct, and an
 * optional check (config-check.c).  One walk over a group applies the table
 * (config-parse.c), so adding a key is one line there plus its field.
 * Errors are collected, one line each, never stopping at the first.  This
 * file holds the top-level tables, the loading (with its checks of the
 * files themselves), the collecting of errors, and freeing.
 *
 * What it never does: print, create files, or touch the network or the store.
 */
#include "config-private.h"
#include "surat/path.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "surat/sanitize.h"
#include "surat/theme.h"

#define CONFIG_MAX_FILE_SIZE (1024 * 1024) /* a configuration is never this big */
#define CONFIG_MAX_ERRORS    100
#define CONFIG_MAX_QUOTED    80  /* bytes of a bad value quoted in an error */

struct config_found {
	int line;   /* sort key */
	guint seq;  /* order found, for errors on one line */
	char *text; /* the error line */
};

_Static_assert(sizeof(enum config_sort) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum keymap_action) == sizeof(int), "parsed keys store an int");

/* The sort orders, then each reversed, as config_check_sort splits them. */
static const char *const config_sort_names[] = { "date", "arrival", "from", "subject", "size",
	"thread", "reverse-date", "reverse-arrival", "reverse-from", "reverse-subject",
	"reverse-size", "reverse-thread", NULL };

_Static_assert(G_N_ELEMENTS(config_sort_names) == 2 * CONFIG_SORT_COUNT + 1,
    "each sort order and its reverse");

static const char *const config_forward_names[] = { "inline", "attach", NULL };
static const char *const config_delete_names[] = { "yes", "no", "ask-yes", "ask-no", NULL };

_Static_assert(sizeof(enum config_forward) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum config_delete) == sizeof(int), "enum keys are stored as int");

#define TOP(f)     offsetof(struct surat_config, f)
#define MAILBOX(f) offsetof(struct config_mailbox, f)
#define BINDING(f) offsetof(struct config_binding, f)
#define MACRO(f)   offsetof(struct config_macro, f)

/* One saved search: mailboxes = ( { name = "..."; query = "..."; } ); */
static const struct config_key config_mailbox_keys[] = {
	KEY_STRING("name", true, 1, CONFIG_MAILBOX_NAME_MAX, MAILBOX(name),
	    config_check_mailbox_name),
	KEY_STRING("query", true, 1, CONFIG_QUERY_MAX, MAILBOX(query), NULL),
};

static const struct config_list config_mailboxes = { config_mailbox_keys,
	G_N_ELEMENTS(config_mailbox_keys), sizeof(struct config_mailbox), TOP(n_mailboxes), 1000,
	"mailbox", "a list of groups, mailboxes = ( { name = \"...\"; query = \"...\"; } );",
	config_check_mailbox };

/* One key binding: bind = ( { context = "index"; key = "g g"; action = "..."; } ); */
static const struct config_key config_binding_keys[] = {
	KEY_PARSED("context", 200, BINDING(contexts), config_check_contexts),
	KEY_PARSED("key", 200, BINDING(keys), config_check_keys),
	KEY_PARSED("action", 64, BINDING(action), config_check_action),
};

static const struct config_list config_bindings = { config_binding_keys,
	G_N_ELEMENTS(config_binding_keys), sizeof(struct config_binding), TOP(n_bindings), 1000,
	"binding", "a list of groups, bind = ( { context = \"index\"; key = \"...\"; action = "
	"\"...\"; } );", config_check_binding };

/* One macro: macro = ( { context = "index"; keys = ",a"; sequence = "..."; } ); */
static const struct config_key config_macro_keys[] = {
	KEY_PARSED("context", 200, MACRO(contexts), config_check_contexts),
	KEY_PARSED("keys", 200, MACRO(keys), config_check_macro_keys),
	KEY_PARSED("sequence", 4096, MACRO(sequence), config_check_macro_sequence),
	KEY_STRING("description", false, 1, 200, MACRO(description), config_check_text),
};

static const struct config_list config_macros = { config_macro_keys,
	G_N_ELEMENTS(config_macro_keys), sizeof(struct config_macro), TOP(n_macros), 1000,
	"macro", "a list of groups, macro = ( { context = \"index\"; keys = \"...\"; sequence = "
	"\"...\"; } );", config_check_macro };
#define COLOR(f) offsetof(struct config_color, f)

static const char *const config_color_objects[] = { "index", "body", "header", NULL };

_Static_assert(G_N_ELEMENTS(config_color_objects) == CONFIG_COLOR_OBJECT_COUNT + 1,
    "one name per colour object");
_Static_assert(sizeof(enum config_color_object) == sizeof(int), "enum keys are stored as int");

/* One colour rule: color = ( { object = "index"; fg = "red"; query = "~f boss"; } ); */
static const struct config_key config_color_keys[] = {
	{ "object", CONFIG_KEY_ENUM, true, 1, 64, COLOR(object), 0, NULL, config_color_objects,
	    NULL, NULL },
	{ "fg", CONFIG_KEY_PARSED, false, 1, 64, COLOR(fg), 0, NULL, NULL, config_check_color,
	    NULL },
	{ "bg", CONFIG_KEY_PARSED, false, 1, 64, COLOR(bg), 0, NULL, NULL, config_check_color,
	    NULL },
	KEY_STRINGS("attrs", 32, COLOR(attr_names), "", config_check_attrs),
	KEY_STRING("query", false, 1, CONFIG_QUERY_MAX, COLOR(query), NULL),
	KEY_STRING("regex", false, 1, CONFIG_QUERY_MAX, COLOR(regex), NULL),
};

static const struct config_list config_colors = { config_color_keys,
	G_N_ELEMENTS(config_color_keys), sizeof(struct config_color), TOP(n_colors), 1000,
	"colour rule", "a list of groups, color = ( { object = \"index\"; fg = \"red\"; "
	"query = \"~f boss\"; } );", config_check_color_rule };

/* The top level, in the order parsed: store comes before the accounts. */
static const struct config_key config_top_keys[] = {
	KEY_PATH("store", TOP(store), "~/.local/share/surat", NULL),
	{ "theme", CONFIG_KEY_STRING, false, 1, CONFIG_PATH_MAX, TOP(theme), 0, "default", NULL,
	    NULL, NULL },
	KEY_INT("index_lines", 1, CONFIG_INDEX_LINES_MAX, TOP(index_lines), 10),
	/* rendering, attachments, mailcap (issue 4) */
	{ "date_format", CONFIG_KEY_STRING, false, 1, 256, TOP(date_format), 0,
	    "%a, %d %b %Y %H:%M", NULL, NULL, NULL },
	/* issue 13: mutt's line formats */
	{ "index_format", CONFIG_KEY_STRING, false, 1, 1024, TOP(index_format), 0,
	    CONFIG_INDEX_FORMAT, NULL, config_check_index_format, NULL },
	{ "status_format", CONFIG_KEY_STRING, false, 1, 1024, TOP(status_format), 0,
	    CONFIG_STATUS_FORMAT, NULL, config_check_status_format, NULL },
	KEY_STRING("pager_format", false, 0, 1024, TOP(pager_format), config_check_pager_format),
	KEY_STRINGS("headers_shown", 128, TOP(headers_shown), "From To Cc Date Subject",
	    config_check_header_names),
	KEY_STRINGS("alternative_order", 128, TOP(alternative_order),
	    "text/plain text/html text/enriched", config_check_types),
	KEY_STRINGS("charset_fallbacks", 64, TOP(charset_fallbacks), "windows-1252",
	    config_check_charsets),
	KEY_STRING("html_command", false, 1, CONFIG_PATH_MAX, TOP(html_command), config_check_command),
	KEY_STRING("url_command", false, 1, CONFIG_PATH_MAX, TOP(url_command), config_check_command),
	KEY_BOOL("osc8_links", TOP(osc8_links), false),
	KEY_PATH("download_dir", TOP(download_dir), "~/Downloads", NULL),
	KEY_STRINGS("auto_view", 128, TOP(auto_view), "", config_check_types),
	KEY_STRINGS("mailcap_path", CONFIG_PATH_MAX, TOP(mailcap_path), "~/.mailcap /etc/mailcap",
	    config_check_paths),
	/* issue 12: sending; realname before the accounts, whose from_name falls back on it */
	KEY_STRING("realname", false, 1, 256, TOP(realname), config_check_text),
	{ "record", CONFIG_KEY_STRING, false, 0, 200, TOP(record), 0, "Sent", NULL,
	    config_check_folder, NULL },
	{ "postponed", CONFIG_KEY_STRING, false, 1, 200, TOP(postponed), 0, "Drafts", NULL,
	    config_check_folder, NULL },
	KEY_STRING("editor", false, 1, CONFIG_PATH_MAX, TOP(editor), config_check_command),
	{ "attribution", CONFIG_KEY_STRING, false, 0, 256, TOP(attribution), 0,
	    "On %d, %n wrote:", NULL, config_check_attribution, NULL },
	KEY_ENUM("forward_format", config_forward_names, TOP(forward_format),
	    CONFIG_FORWARD_INLINE),
	KEY_BOOL("text_flowed", TOP(text_flowed), false),
	KEY_BOOL("user_agent", TOP(user_agent), false),
	/* deleting and tagging (issue 13) */
	KEY_ENUM("delete", config_delete_names, TOP(delete_marked), CONFIG_DELETE_ASK_YES),
	KEY_BOOL("tags_across_views", TOP(tags_across_views), false),
	KEY_BOOL("pipe_split", TOP(pipe_split), false),
	KEY_STRINGS("alternates", 256, TOP(alternates), "", config_check_regexes),
	KEY_PATH("alias_file", TOP(alias_file), NULL, NULL),
	KEY_STRING("query_command", false, 1, CONFIG_PATH_MAX, TOP(query_command),
	    config_check_command),
		{ "accounts", CONFIG_KEY_ACCOUNTS, false, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	/* issue 5: triage */
	KEY_ENUM_CHECK("sort", config_sort_names, TOP(sort), CONFIG_SORT_DATE, config_check_sort),
	KEY_LIST("mailboxes", TOP(mailboxes), &config_mailboxes),
	{ "trash", CONFIG_KEY_STRING, false, 0, 200, TOP(trash), 0, "Trash", NULL,
	    config_check_folder, NULL },
	KEY_LIST("bind", TOP(bindings), &config_bindings),
	KEY_LIST("macro", TOP(macros), &config_macros),
	KEY_LIST("color", TOP(colors), &config_colors),
	KEY_BOOL("mouse", TOP(mouse), false),
	KEY_STRING("new_mail_command", false, 1, CONFIG_PATH_MAX, TOP(new_mail_command),
	    config_check_new_mail_command),
	KEY_BOOL("sidebar", TOP(sidebar), false),
	KEY_INT("sidebar_width", CONFIG_SIDEBAR_WIDTH_MIN, CONFIG_SIDEBAR_WIDTH_MAX,
	    TOP(sidebar_width), 24),
};

_Static_assert(G_N_ELEMENTS(config_top_keys) <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

/* Add TEXT (taken) to LINES, made safe: it quotes the file, which may hold anything. */
static void
config_add_line(GPtrArray *lines, char *text)
{
	g_ptr_array_add(lines, sanitize_text(text, -1, 0));
	g_free(text);
}

/* The path of FILE as libconfig names it (NULL: the main file; g_free). */
static char *
config_source_path(const struct config_parse *p, const char *file)
{
	/* libconfig names an @include'd file as written, relative to include_dir. */
	if (file == NULL)
		file = p->path;
	return g_path_is_absolute(file) || strcmp(file, p->path) == 0 ? g_strdup(file) :
	    g_build_filename(p->include_dir, file, NULL);
}

/* "FILE:LINE: PREFIX.NAME: MSG" about setting S, as config_error says (g_free). */
static char *
config_format(struct config_parse *p, const config_setting_t *s, const char *prefix,
    const char *name, const char *msg)
{
	char *where = config_source_path(p, config_setting_source_file(s)), *text;

	if (name == NULL)
		name = config_setting_name(s);
	text = g_strdup_printf("%s:%d: %s%s%s: %s", where, (int)config_setting_source_line(s),
	    prefix != NULL ? prefix : "", prefix != NULL && name != NULL ? "." : "",
	    name != NULL ? name : "", msg);
	g_free(where);
	return text;
}

/*
 * Note one error "FILE:LINE: KEY: message" about setting S, where KEY is
 * PREFIX.NAME (NAME defaults to S's own name; either may be NULL).
 */
void
config_error(struct config_parse *p, const config_setting_t *s, const char *prefix,
    const char *name, const char *fmt, ...)
{
	struct config_found found;
	va_list ap;
	char *msg;

	if (p->found->len > 10 * CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	found.line = (int)config_setting_source_line(s);
	found.seq = p->found->len;
	found.text = config_format(p, s, prefix, name, msg);
	g_array_append_val(p->found, found);
	g_free(msg);
}

/* Note one warning, worded and placed as config_error's errors; dropped without WARNINGS. */
void
config_warning(struct config_parse *p, const config_setting_t *s, const char *prefix,
    const char *name, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->warnings == NULL || p->warnings->len >= CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	config_add_line(p->warnings, config_format(p, s, prefix, name, msg));
	g_free(msg);
}

/* Order errors by line, and in the order found on one line. */
static gint
config_found_compare(gconstpointer a, gconstpointer b)
{
	const struct config_found *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Move the errors found, in line order and capped, to P's error lines. */
static void
config_report(struct config_parse *p)
{
	struct config_found *found;
	guint i;

	g_array_sort(p->found, config_found_compare);
	for (i = 0; i < p->found->len; i++) {
		found = &g_array_index(p->found, struct config_found, i);
		if (i < CONFIG_MAX_ERRORS)
			config_add_line(p->errors, found->text);
		else
			g_free(found->text);
	}
	if (p->found->len > CONFIG_MAX_ERRORS)
		config_add_line(p->errors, g_strdup_printf("%s: more than %d errors; fix these "
		    "first", p->path, CONFIG_MAX_ERRORS));
	g_array_set_size(p->found, 0);
}

/* A bad value, cut short for quoting in an error (g_free). */
char *
config_quote(const char *value)
{
	if (strlen(value) <= CONFIG_MAX_QUOTED)
		return g_strdup(value);
	return g_strdup_printf("%.*s...", CONFIG_MAX_QUOTED, value);
}

/*
 * Checks across top-level keys; resolve the theme ("default" is built in and
 * needs no file: theme_path stays NULL).
 */
static void
config_finish(struct config_parse *p, const config_setting_t *root)
{
	struct surat_config *config = p->config;
	const config_setting_t *s = config_setting_get_member(root, "theme");
	char *dirs, *quoted;

	config_check_folder_names(p, root);
	if (config->theme == NULL || strcmp(config->theme, THEME_BUILTIN) == 0 ||
	    (config->theme_path = theme_resolve(config->theme)) != NULL)
		return;
	quoted = config_quote(config->theme);
	dirs = theme_search_path();
	if (strchr(config->theme, '/') != NULL)
		config_error(p, s, NULL, NULL, "no theme file %s", quoted);
	else
		config_error(p, s, NULL, NULL, "no theme named %s (looked in %s)", quoted, dirs);
	g_free(dirs);
	g_free(quoted);
}

/*
 * Warn, once per file (WARNED holds those warned about), when the file that
 * holds PASSWORD (a setting, or NULL) can be read by group or others.
 */
static void
config_check_password_mode(struct config_parse *p, const config_setting_t *password,
    GHashTable *warned)
{
	struct stat st;
	char *path;

	if (password == NULL)
		return;
	path = config_source_path(p, config_setting_source_file(password));
	if (!g_hash_table_contains(warned, path) && stat(path, &st) == 0 &&
	    (st.st_mode & (S_IRGRP | S_IROTH))) {
		config_add_line(p->warnings, g_strdup_printf("%s: holds a password but is "
		    "readable by group or others; chmod 600 %s", path, path));
		g_hash_table_add(warned, path);
	} else {
		g_free(path);
	}
}

/*
 * Warn about the files of the configuration (the main one and each one
 * pulled in with @include, as libconfig opened them) that others could read
 * or change: one holding a password (an account's or its smtp group's) that
 * group or others can read, and any that group or others can write, since a
 * line added there (password_command, html_command, new_mail_command...)
 * runs as the user.
 */
static void
config_check_modes(struct config_parse *p, const config_t *cfg)
{
	const config_setting_t *accounts = config_lookup(cfg, "accounts");
	GHashTable *warned;
	struct stat st;
	char *path;
	size_t n = 0;
	int i;

	if (p->warnings == NULL)
		return;
	/* Every file libconfig read, the main one first (a list up to NULL since 1.7). */
#if LIBCONFIG_VER_MAJOR == 1 && LIBCONFIG_VER_MINOR < 7
	n = cfg->num_filenames;
#else
	while (cfg->filenames != NULL && cfg->filenames[n] != NULL)
		n++;
#endif
	for (i = 0; (size_t)i < n; i++) {
		path = config_source_path(p, cfg->filenames[i]);
		if (stat(path, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
			config_add_line(p->warnings, g_strdup_printf("%s: writable by group or "
			    "others, who could make surat run their commands (password_command, "
			    "html_command...); chmod go-w %s", path, path));
		g_free(path);
	}
	/* One warning per file, however many passwords it holds. */
	warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (i = 0; accounts != NULL && i < config_setting_length(accounts); i++) {
		const config_setting_t *account = config_setting_get_elem(accounts, (unsigned int)i);
		const config_setting_t *smtp;

		if (!config_setting_is_group(account))
			continue;
		config_check_password_mode(p, config_setting_get_member(account, "password"),
		    warned);
		smtp = config_setting_get_member(account, "smtp");
		if (smtp != NULL && config_setting_is_group(smtp))
			config_check_password_mode(p, config_setting_get_member(smtp, "password"),
			    warned);
	}
	g_hash_table_destroy(warned);
}

/*
 * The file named by the @include directive whose string starts at TEXT[*AT]
 * (just after its opening quote), as libconfig 1.5 reads it: \\ and \" are
 * escapes and a NUL ends each run of plain bytes.  Sets *AT past the closing
 * quote.  NULL (no name to check) if the string does not end or holds an
 * escape libconfig does not take, which libconfig reports itself.
 */
static char *
config_include_name(const char *text, gsize len, gsize *at)
{
	GString *name = g_string_new(NULL);
	gsize i = *at;

	while (i < len && text[i] != '"') {
		if (text[i] == '\\') {
			if (i + 1 >= len || (text[i + 1] != '\\' && text[i + 1] != '"'))
				break;
			g_string_append_c(name, text[i + 1]);
			i += 2;
			continue;
		}
		/* libconfig appends each run of plain bytes as a C string. */
		gsize run = i;

		while (i < len && text[i] != '"' && text[i] != '\\')
			i++;
		g_string_append_len(name, text + run, (gssize)strnlen(text + run, i - run));
	}
	*at = i + 1;
	if (i >= len || text[i] != '"')
		return g_string_free(name, TRUE), NULL;
	return g_string_free(name, FALSE);
}

/*
 * Why a file with ST is not one to read as configuration, or NULL: the
 * configuration file itself and each @include'd one.
 */
static const char *
config_file_unfit(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_size > CONFIG_MAX_FILE_SIZE)
		return "larger than 1 MiB; is this the right file?";
	return NULL;
}

/*
 * Where the file name of an @include directive starts (just after its
 * quote) when the line at TEXT[AT] is one, as libconfig's scanner matches
 * it (^[ \t]*@include[ \t]+"); else 0.
 */
static gsize
config_include_at(const char *text, gsize len, gsize at)
{
	while (at < len && (text[at] == ' ' || text[at] == '\t'))
		at++;
	if (len - at <= 8 || strncmp(text + at, "@include", 8) != 0 ||
	    (text[at + 8] != ' ' && text[at + 8] != '\t'))
		return 0;
	at += 8;
	while (at < len && (text[at] == ' ' || text[at] == '\t'))
		at++;
	return at < len && text[at] == '"' ? at + 1 : 0;
}

static void config_check_includes(struct config_parse *p, const char *file, const char *shown,
    GHashTable *seen);

/* Check the file NAME that an @include on LINE of SHOWN names, and the files it includes. */
static void
config_check_include(struct config_parse *p, const char *name, const char *shown, int line,
    GHashTable *seen)
{
	char *target = g_strconcat(p->include_dir, G_DIR_SEPARATOR_S, name, NULL), *quoted;
	const char *why;
	struct stat st;

	if (stat(target, &st) != 0) {
		g_free(target);
		return; /* libconfig reports it */
	}
	why = config_file_unfit(&st);
	if (why != NULL && p->errors->len < CONFIG_MAX_ERRORS) {
		quoted = config_quote(name);
		config_add_line(p->errors, g_strdup_printf("%s:%d: @include \"%s\": %s; name a file "
		    "(looked for %s)", shown, line, quoted, why, target));
		g_free(quoted);
	} else if (why == NULL && !g_hash_table_contains(seen, target)) {
		g_hash_table_add(seen, g_strdup(target));
		config_check_includes(p, target, target, seen);
	}
	g_free(target);
}

/*
 * Check, before libconfig reads them, that every file an @include in FILE
 * (shown as SHOWN) names is a regular file of a sane size, and so on down
 * the files those include (each once; SEEN holds them).  libconfig 1.5 opens
 * whatever the name is and, given a folder ("@include \"\"" names
 * include_dir itself) or a device, fails inside its scanner, which ends the
 * process; a FIFO would block it.  A name that does not exist is left to
 * libconfig, which reports it.  Comments and strings are skipped as
 * libconfig's scanner skips them.
 */
static void
config_check_includes(struct config_parse *p, const char *file, const char *shown,
    GHashTable *seen)
{
	gsize len, i = 0, at;
	int line = 1;
	char *text;

	if (!g_file_get_contents(file, &text, &len, NULL))
		return; /* libconfig says why */
	while (i < len) {
		if ((i == 0 || text[i - 1] == '\n') && (at = config_include_at(text, len, i)) != 0) {
			char *name = config_include_name(text, len, &at);

			if (name != NULL)
				config_check_include(p, name, shown, line, seen);
			g_free(name);
			for (; i < at && i < len; i++)
				line += text[i] == '\n';
			continue;
		}
		if (text[i] == '"') { /* a string: its escapes may hide a quote */
			for (i++; i < len && text[i] != '"'; i++) {
				line += text[i] == '\n';
				if (text[i] == '\\' && i + 1 < len)
					line += text[++i] == '\n';
			}
		} else if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i + 1 < len && !(text[i] == '*' && text[i + 1] == '/'); i++)
				line += text[i] == '\n';
			i++;
		} else if (text[i] == '#' || (text[i] == '/' && i + 1 < len && text[i + 1] == '/')) {
			while (i + 1 < len && text[i + 1] != '\n')
				i++;
		} else {
			line += text[i] == '\n';
		}
		i++;
	}
	g_free(text);
}

struct surat_config *
config_load(const char *path, GPtrArray *errors, GPtrArray *warnings)
{
	struct config_parse p = { .path = path, .errors = errors, .warnings = warnings };
	struct surat_config *config = NULL;
	const char *why = NULL;
	GHashTable *seen;
	struct stat st;
	guint had;
	config_t cfg;
	char *text;

	if (stat(path, &st) != 0)
		why = g_strerror(errno);
	else
		why = config_file_unfit(&st);
	if (why != NULL) {
		config_add_line(errors, g_strdup_printf("%s: cannot read: %s", path, why));
		return NULL;
	}
	config_init(&cfg);
	p.found = g_array_new(FALSE, FALSE, sizeof(struct config_found));
	p.names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p.include_dir = g_path_get_dirname(path);
	config_set_include_dir(&cfg, p.include_dir);
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	had = errors->len;
	config_check_includes(&p, path, path, seen);
	g_hash_table_destroy(seen);
	if (errors->len > had)
		goto out;
	if (!config_read_file(&cfg, path)) {
		char *where = config_source_path(&p, config_error_file(&cfg));

		config_add_line(errors, config_error_type(&cfg) == CONFIG_ERR_FILE_IO ?
		    g_strdup_printf("%s: cannot read: %s", path, g_strerror(errno)) :
		    g_strdup_printf("%s:%d: syntax: %s", where, config_error_line(&cfg),
		    config_error_text(&cfg)));
		g_free(where);
		goto out;
	}
	if (!g_file_get_contents(path, &text, NULL, NULL))
		text = g_strdup("");
	p.lines = g_strsplit(text, "\n", -1);
	g_free(text);
	p.config = config = g_new0(struct surat_config, 1);
	config->path = g_strdup(path);
	config_parse_group(&p, config_root_setting(&cfg), config_top_keys,
	    G_N_ELEMENTS(config_top_keys), NULL, config);
	config_finish(&p, config_root_setting(&cfg));
	config_check_modes(&p, &cfg);
out:
	if (p.found->len > 0 || config == NULL)
		g_clear_pointer(&config, config_free);
	config_report(&p);
	g_array_free(p.found, TRUE);
	g_strfreev(p.lines);
	g_hash_table_destroy(p.names);
	g_free(p.include_dir);
	config_destroy(&cfg);
	return config;
}

/* Zero and free a string that may hold a secret. */
static void
config_free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		g_free(s);
	}
}

/* Free an account's smtp group (NULL is fine); its secrets are zeroed first. */
static void
config_free_smtp(struct smtp_config *smtp)
{
	if (smtp == NULL)
		return;
	config_free_secret(smtp->password);
	config_free_secret(smtp->password_command);
	g_free(smtp->host);
	g_free(smtp->user);
	g_free(smtp->ca_file);
	g_free(smtp->fingerprint);
	g_free(smtp);
}

void
config_free(struct surat_config *config)
{
	struct account_config *a;
	size_t i;

	if (config == NULL)
		return;
	for (i = 0; i < config->n_accounts; i++) {
		a = &config->accounts[i];
		config_free_secret(a->password);
		config_free_secret(a->password_command);
		g_free(a->name);
		g_free(a->host);
		g_free(a->user);
		g_free(a->ca_file);
		g_free(a->fingerprint);
		g_free(a->maildir);
		g_free(a->from);
		g_free(a->from_address);
		g_free(a->from_name);
		g_free(a->realname);
		g_free(a->signature_file);
		config_free_smtp(a->smtp);
		g_free(a->sendmail_command);
		g_strfreev(a->sendmail_argv);
	}
	g_free(config->accounts);
	g_free(config->path);
	g_free(config->store);
	g_free(config->theme);
	g_free(config->theme_path);
	g_free(config->date_format);
	g_free(config->index_format);
	g_free(config->status_format);
	g_free(config->pager_format);
	g_strfreev(config->headers_shown);
	g_strfreev(config->alternative_order);
	g_strfreev(config->charset_fallbacks);
	g_free(config->html_command);
	g_free(config->url_command);
	g_free(config->download_dir);
	g_strfreev(config->auto_view);
	g_strfreev(config->mailcap_path);
	for (i = 0; i < config->n_mailboxes; i++) {
		g_free(config->mailboxes[i].name);
		g_free(config->mailboxes[i].query);
	}
	g_free(config->mailboxes);
	g_free(config->bindings);
	for (i = 0; i < config->n_macros; i++) {
		g_free(config->macros[i].sequence);
		g_free(config->macros[i].description);
	}
	g_free(config->macros);
	for (i = 0; i < config->n_colors; i++) {
		g_strfreev(config->colors[i].attr_names);
		g_free(config->colors[i].query);
		g_free(config->colors[i].regex);
	}
	g_free(config->colors);
	g_free(config->trash);
	g_free(config->record);
	g_free(config->postponed);
	g_free(config->realname);
	g_free(config->editor);
	g_free(config->attribution);
	g_free(config->new_mail_command);
	g_strfreev(config->new_mail_argv);
	g_strfreev(config->alternates);
	g_free(config->alias_file);
	g_free(config->query_command);
	g_free(config);
}

char *
config_default_path(const char *cli_path)
{
	const char *env;

	if (cli_path != NULL && *cli_path != '\0')
		return g_strdup(cli_path);
	if ((env = g_getenv("SURAT_CONFIG")) != NULL && *env != '\0')
		return g_strdup(env);
	/* The XDG spec says to ignore a relative XDG_CONFIG_HOME. */
	if ((env = g_getenv("XDG_CONFIG_HOME")) != NULL && g_path_is_absolute(env))
		return g_build_filename(env, "surat", "config", NULL);
	return path_expand("~/.config/surat/config");
}

const char *
config_sort_name(enum config_sort sort)
{
	if ((unsigned int)sort >= CONFIG_SORT_COUNT)
		return "?";
	return config_sort_names[sort];
}

bool
config_sort_parse(const char *text, enum config_sort *sort, bool *reverse)
{
	int i;

	for (i = 0; text != NULL && config_sort_names[i] != NULL; i++) {
		if (g_ascii_strcasecmp(text, config_sort_names[i]) == 0) {
			*sort = (enum config_sort)(i % CONFIG_SORT_COUNT);
			*reverse = i >= CONFIG_SORT_COUNT;
			return true;
		}
	}
	return false;
}

const char *
config_editor(const struct surat_config *config)
{
	const char *env;

	if (config != NULL && config->editor != NULL)
		return config->editor;
	if ((env = g_getenv("VISUAL")) != NULL && *env != '\0')
		return env;
	if ((env = g_getenv("EDITOR")) != NULL && *env != '\0')
		return env;
	return "vi";
}

char *
config_alias_file(const struct surat_config *config)
{
	const char *env;

	if (config != NULL && config->alias_file != NULL)
		return g_strdup(config->alias_file);
	if ((env = g_getenv("XDG_CONFIG_HOME")) != NULL && g_path_is_absolute(env))
		return g_build_filename(env, "surat", "aliases", NULL);
	return path_expand("~/.config/surat/aliases");
}

char **
config_own_addresses(const struct surat_config *config)
{
	GPtrArray *own = g_ptr_array_new();
	size_t i;

	for (i = 0; config != NULL && i < config->n_accounts; i++)
		if (config->accounts[i].from_address != NULL)
			g_ptr_array_add(own, g_strdup(config->accounts[i].from_address));
	g_ptr_array_add(own, NULL);
	return (char **)g_ptr_array_free(own, FALSE);
}

GRegex *
config_alternates(const struct surat_config *config)
{
	GString *pattern;
	GRegex *regex;
	guint i;

	if (config == NULL || config->alternates == NULL || config->alternates[0] == NULL)
		return NULL;
	/* Each whole, in any case, as mutt's alternates match. */
	pattern = g_string_new(NULL);
	for (i = 0; config->alternates[i] != NULL; i++)
		g_string_append_printf(pattern, "%s(?:%s)", i > 0 ? "|" : "",
		    config->alternates[i]);
	regex = g_regex_new(pattern->str, G_REGEX_CASELESS, 0, NULL);
	g_string_free(pattern, TRUE);
	return regex;
}

const char *
config_color_object_name(enum config_color_object object)
{
	if ((unsigned int)object >= CONFIG_COLOR_OBJECT_COUNT)
		return "?";
	return config_color_objects[object];
}

bool
config_color_object_parse(const char *text, enum config_color_object *object)
{
	int i;

	for (i = 0; text != NULL && i < CONFIG_COLOR_OBJECT_COUNT; i++) {
		if (g_ascii_strcasecmp(text, config_color_objects[i]) == 0) {
			*object = (enum config_color_object)i;
			return true;
		}
	}
	return false;
}

GRegex *
config_color_regex(const char *pattern, GError **error)
{
	GRegexCompileFlags flags = G_REGEX_OPTIMIZE;
	const char *c;

	/* mutt's rule: a pattern without an upper-case letter ignores case. */
	for (c = pattern; *c != '\0'; c = g_utf8_next_char(c)) {
		/* \S, \W, \D are classes, not letters. */
		if (c[0] == '\\' && c[1] != '\0')
			c++;
		else if (g_unichar_isupper(g_utf8_get_char(c)))
			break;
	}
	if (*c == '\0')
		flags |= G_REGEX_CASELESS;
	return g_regex_new(pattern, flags, 0, error);
}

char **
config_new_mail_argv(const struct surat_config *config, unsigned int n_new,
    unsigned int n_unread, const char *accounts)
{
	GPtrArray *argv;
	GString *word;
	const char *c;
	guint i;

	if (config == NULL || config->new_mail_argv == NULL)
		return NULL;
	argv = g_ptr_array_new();
	for (i = 0; config->new_mail_argv[i] != NULL; i++) {
		word = g_string_new(NULL);
		for (c = config->new_mail_argv[i]; *c != '\0'; c++) {
			if (c[0] != '%' || c[1] == '\0') {
				g_string_append_c(word, *c);
				continue;
			}
			switch (*++c) {
			case 'n':
				g_string_append_printf(word, "%u", n_new);
				break;
			case 'u':
				g_string_append_printf(word, "%u", n_unread);
				break;
			case 'a':
				g_string_append(word, accounts != NULL ? accounts : "");
				break;
			case '%':
				g_string_append_c(word, '%');
				break;
			default: /* config_check_new_mail_command lets none through */
				g_string_append_c(word, '%');
				g_string_append_c(word, *c);
			}
		}
		g_ptr_array_add(argv, g_string_free(word, FALSE));
	}
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}
