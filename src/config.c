/*
 * config: the libconfig file read into struct surat_config (surat.conf(5)).
 *
 * Every key is described once, in a table (config_top_keys and
 * config_account_keys): its type, whether it is required, its range, its
 * default, where it lands in the struct, and an optional check.  One walk over
 * a group applies the table, so adding a key is one line there plus its
 * field.  Errors are collected, one line each, never stopping at the first.
 *
 * What it never does: print, create files, or touch the network or the store.
 */
#include "surat/config.h"
#include "surat/path.h"
#include "surat/suggest.h"

#include <errno.h>
#include <libconfig.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "surat/sanitize.h"
#include "surat/theme.h"

#define CONFIG_MAX_FILE_SIZE (1024 * 1024) /* a configuration is never this big */
#define CONFIG_MAX_ACCOUNTS  256
#define CONFIG_MAX_ERRORS    100
#define CONFIG_MAX_QUOTED    80  /* bytes of a bad value quoted in an error */
#define CONFIG_MAX_KEYS      32  /* keys in one table */
#define CONFIG_PATH_MAX      4096

enum config_key_type {
	CONFIG_KEY_STRING,
	CONFIG_KEY_PATH,     /* a string, ~ expanded, then absolute */
	CONFIG_KEY_INT,      /* stored in an int */
	CONFIG_KEY_INT64,    /* stored in an int64_t */
	CONFIG_KEY_BOOL,     /* stored in a bool */
	CONFIG_KEY_ENUM,     /* a string of values[], stored as its index (an enum) */
	CONFIG_KEY_ACCOUNTS, /* the list of account groups */
	CONFIG_KEY_STRINGS,  /* an array or list of strings, stored as a NULL-terminated strv */
	CONFIG_KEY_LIST,     /* a list of groups, each parsed with list->keys */
	CONFIG_KEY_PARSED,   /* a string the check parses, storing what it means */
};

struct config_parse;

/* Extra validation of a value that passed its type and range checks. */
typedef bool (*config_check_fn)(struct config_parse *, const config_setting_t *,
    const char *prefix, void *field);

struct config_key {
	const char *name;
	enum config_key_type type;
	bool required;
	long long min, max;        /* the value's range; for strings, the length's */
	size_t offset;             /* of the field in the struct being filled */
	long long def;             /* default of an int, bool or enum key */
	const char *def_str;       /* default of a string key */
	const char *const *values; /* an enum's names, NULL-terminated */
	config_check_fn check;     /* or NULL */
	const struct config_list *list; /* of a CONFIG_KEY_LIST */
};

/* A list of groups (mailboxes, bind): one array of structs and its length. */
struct config_list {
	const struct config_key *keys; /* of one group */
	size_t n_keys;
	size_t size;         /* of one element */
	size_t count_offset; /* of its size_t length, in the struct holding the array */
	unsigned int max;    /* groups allowed */
	const char *noun;    /* for "every NOUN needs one" */
	const char *example; /* for "expected ..., got ..." */
	/* Checks across the keys of one element; sets its line. */
	void (*finish)(struct config_parse *, const config_setting_t *, const char *, void *);
};

struct config_found {
	int line;   /* sort key */
	guint seq;  /* order found, for errors on one line */
	char *text; /* the error line */
};

struct config_parse {
	const char *path;            /* the file being read */
	GPtrArray *errors;           /* where error lines go */
	char *include_dir;           /* for @include: the file's folder */
	GArray *found;               /* struct config_found, until sorted into errors */
	char **lines;                /* the file's lines, for config_int_literal */
	GHashTable *names;           /* account name -> its line */
	GPtrArray *warnings;         /* the caller's, or NULL */
	const char *noun;            /* what the group being parsed is; NULL: an account */
	struct surat_config *config; /* being filled */
};

static const char *const config_tls_names[] = { "implicit", "starttls", "none", NULL };
static const char *const config_auth_names[] = { "auto", "user", "apop", "plain", "login",
	"cram-md5", "scram-sha-1", "scram-sha-256", "xoauth2", "oauthbearer", NULL };

_Static_assert(sizeof(enum pop3_tls) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum pop3_auth) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum config_sort) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum keymap_action) == sizeof(int), "parsed keys store an int");

/* The sort orders, then each reversed, as config_check_sort splits them. */
static const char *const config_sort_names[] = { "date", "arrival", "from", "subject", "size",
	"thread", "reverse-date", "reverse-arrival", "reverse-from", "reverse-subject",
	"reverse-size", "reverse-thread", NULL };

_Static_assert(G_N_ELEMENTS(config_sort_names) == 2 * CONFIG_SORT_COUNT + 1,
    "each sort order and its reverse");

#define CONFIG_CHECK(f) \
	static bool f(struct config_parse *, const config_setting_t *, const char *, void *)
CONFIG_CHECK(config_check_name);
CONFIG_CHECK(config_check_secret);
CONFIG_CHECK(config_check_file);
CONFIG_CHECK(config_check_fingerprint);
CONFIG_CHECK(config_check_header_names);
CONFIG_CHECK(config_check_types);
CONFIG_CHECK(config_check_charsets);
CONFIG_CHECK(config_check_paths);
CONFIG_CHECK(config_check_sort);
CONFIG_CHECK(config_check_folder);
CONFIG_CHECK(config_check_command);
CONFIG_CHECK(config_check_new_mail_command);
CONFIG_CHECK(config_check_mailbox_name);
CONFIG_CHECK(config_check_contexts);
CONFIG_CHECK(config_check_keys);
CONFIG_CHECK(config_check_action);
static void config_finish_mailbox(struct config_parse *, const config_setting_t *, const char *,
    void *);
static void config_finish_binding(struct config_parse *, const config_setting_t *, const char *,
    void *);

/* One table row per key; see doc/internals/config.md. */
#define TOP(f)     offsetof(struct surat_config, f)
#define ACCOUNT(f) offsetof(struct account_config, f)
#define KEY_STRING(name, required, min, max, field, check) \
	{ name, CONFIG_KEY_STRING, required, min, max, field, 0, NULL, NULL, check, NULL }
#define KEY_PATH(name, field, def, check) \
	{ name, CONFIG_KEY_PATH, false, 1, CONFIG_PATH_MAX, field, 0, def, NULL, check, NULL }
#define KEY_INT(name, min, max, field, def) \
	{ name, CONFIG_KEY_INT, false, min, max, field, def, NULL, NULL, NULL, NULL }
#define KEY_INT64(name, min, max, field, def) \
	{ name, CONFIG_KEY_INT64, false, min, max, field, def, NULL, NULL, NULL, NULL }
#define KEY_BOOL(name, field, def) \
	{ name, CONFIG_KEY_BOOL, false, 0, 1, field, def, NULL, NULL, NULL, NULL }
#define KEY_ENUM(name, values, field, def) \
	{ name, CONFIG_KEY_ENUM, false, 1, 64, field, def, NULL, values, NULL, NULL }
	/* A list of strings of 1..MAX bytes; DEF is its default, words split on spaces. */
#define KEY_STRINGS(name, max, field, def, check) \
	{ name, CONFIG_KEY_STRINGS, false, 1, max, field, 0, def, NULL, check, NULL }
#define KEY_ENUM_CHECK(name, values, field, def, check) \
	{ name, CONFIG_KEY_ENUM, false, 1, 64, field, def, NULL, values, check, NULL }
#define KEY_PARSED(name, max, field, check) \
	{ name, CONFIG_KEY_PARSED, true, 1, max, field, 0, NULL, NULL, check, NULL }
#define KEY_LIST(name, field, list) \
	{ name, CONFIG_KEY_LIST, false, 0, 0, field, 0, NULL, NULL, NULL, list }
#define MAILBOX(f) offsetof(struct config_mailbox, f)
#define BINDING(f) offsetof(struct config_binding, f)

/* One saved search: mailboxes = ( { name = "..."; query = "..."; } ); */
static const struct config_key config_mailbox_keys[] = {
	KEY_STRING("name", true, 1, CONFIG_MAILBOX_NAME_MAX, MAILBOX(name),
	    config_check_mailbox_name),
	KEY_STRING("query", true, 1, CONFIG_QUERY_MAX, MAILBOX(query), NULL),
};

static const struct config_list config_mailboxes = { config_mailbox_keys,
	G_N_ELEMENTS(config_mailbox_keys), sizeof(struct config_mailbox), TOP(n_mailboxes), 1000,
	"mailbox", "a list of groups, mailboxes = ( { name = \"...\"; query = \"...\"; } );",
	config_finish_mailbox };

/* One key binding: bind = ( { context = "index"; key = "g g"; action = "..."; } ); */
static const struct config_key config_binding_keys[] = {
	KEY_PARSED("context", 200, BINDING(contexts), config_check_contexts),
	KEY_PARSED("key", 200, BINDING(keys), config_check_keys),
	KEY_PARSED("action", 64, BINDING(action), config_check_action),
};

static const struct config_list config_bindings = { config_binding_keys,
	G_N_ELEMENTS(config_binding_keys), sizeof(struct config_binding), TOP(n_bindings), 1000,
	"binding", "a list of groups, bind = ( { context = \"index\"; key = \"...\"; action = "
	"\"...\"; } );", config_finish_binding };

/* The top level, in the order parsed: store comes before the accounts. */
static const struct config_key config_top_keys[] = {
	KEY_PATH("store", TOP(store), "~/.local/share/surat", NULL),
	{ "theme", CONFIG_KEY_STRING, false, 1, CONFIG_PATH_MAX, TOP(theme), 0, "default", NULL,
	    NULL, NULL },
	KEY_INT("index_lines", 1, 200, TOP(index_lines), 10),
	/* rendering, attachments, mailcap (issue 4) */
	{ "date_format", CONFIG_KEY_STRING, false, 1, 256, TOP(date_format), 0,
	    "%a, %d %b %Y %H:%M", NULL, NULL, NULL },
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
		{ "accounts", CONFIG_KEY_ACCOUNTS, false, 0, 0, 0, 0, NULL, NULL, NULL, NULL },
	/* issue 5: triage */
	KEY_ENUM_CHECK("sort", config_sort_names, TOP(sort), CONFIG_SORT_DATE, config_check_sort),
	KEY_LIST("mailboxes", TOP(mailboxes), &config_mailboxes),
	{ "trash", CONFIG_KEY_STRING, false, 0, 200, TOP(trash), 0, "Trash", NULL,
	    config_check_folder, NULL },
	KEY_LIST("bind", TOP(bindings), &config_bindings),
	KEY_BOOL("mouse", TOP(mouse), false),
	KEY_STRING("new_mail_command", false, 1, CONFIG_PATH_MAX, TOP(new_mail_command),
	    config_check_new_mail_command),
	KEY_BOOL("sidebar", TOP(sidebar), false),
	KEY_INT("sidebar_width", 10, 80, TOP(sidebar_width), 24),
};

/* One account.  A port of 0 after parsing means "not set": 995 or 110 by tls. */
static const struct config_key config_account_keys[] = {
	KEY_STRING("name", true, 1, ACCOUNT_NAME_MAX, ACCOUNT(name), config_check_name),
	KEY_STRING("host", true, 1, 255, ACCOUNT(host), NULL),
	KEY_INT("port", 1, 65535, ACCOUNT(port), 0),
	KEY_ENUM("tls", config_tls_names, ACCOUNT(tls), POP3_TLS_IMPLICIT),
	KEY_STRING("user", true, 1, 1024, ACCOUNT(user), NULL),
	KEY_STRING("password", false, 0, 1024, ACCOUNT(password), config_check_secret),
	KEY_STRING("password_command", false, 1, CONFIG_PATH_MAX, ACCOUNT(password_command),
	    config_check_secret),
	KEY_ENUM("auth", config_auth_names, ACCOUNT(auth), POP3_AUTH_AUTO),
	KEY_PATH("ca_file", ACCOUNT(ca_file), NULL, config_check_file),
	KEY_STRING("fingerprint", false, 1, 128, ACCOUNT(fingerprint), config_check_fingerprint),
	KEY_BOOL("keep", ACCOUNT(keep), true),
	KEY_INT("delete_after_days", 0, INT32_MAX, ACCOUNT(delete_after_days), 0),
	KEY_INT64("max_size", 0, INT64_MAX, ACCOUNT(max_size), 0),
	KEY_INT("poll_interval", 10, 86400, ACCOUNT(poll_interval), 300),
	KEY_INT("timeout", 1, 3600, ACCOUNT(timeout), 30),
	KEY_BOOL("delete_on_server_when_deleted", ACCOUNT(delete_on_server_when_deleted), false),
};

_Static_assert(G_N_ELEMENTS(config_account_keys) <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");
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
static void G_GNUC_PRINTF(5, 6)
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
static void G_GNUC_PRINTF(5, 6)
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
static char *
config_quote(const char *value)
{
	if (strlen(value) <= CONFIG_MAX_QUOTED)
		return g_strdup(value);
	return g_strdup_printf("%.*s...", CONFIG_MAX_QUOTED, value);
}

/* What each libconfig type is called in an error. */
static const char *const config_type_names[] = {
	[CONFIG_TYPE_NONE] = "nothing",
	[CONFIG_TYPE_GROUP] = "a group",
	[CONFIG_TYPE_INT] = "an integer",
	[CONFIG_TYPE_INT64] = "an integer",
	[CONFIG_TYPE_FLOAT] = "a floating-point number",
	[CONFIG_TYPE_STRING] = "a string",
	[CONFIG_TYPE_BOOL] = "a boolean",
	[CONFIG_TYPE_ARRAY] = "an array",
	[CONFIG_TYPE_LIST] = "a list",
};

/* What setting S is, for an error. */
static const char *
config_type_name(const config_setting_t *s)
{
	unsigned int type = (unsigned int)config_setting_type(s);

	return type < G_N_ELEMENTS(config_type_names) ? config_type_names[type] : "nothing";
}

/* The libconfig types each kind of key takes, and what to call them in an error. */
static const struct {
	int type, alt;
	const char *expected;
} config_key_types[] = {
	[CONFIG_KEY_STRING] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_PATH] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_INT] = { CONFIG_TYPE_INT, CONFIG_TYPE_INT64, "an integer" },
	[CONFIG_KEY_INT64] = { CONFIG_TYPE_INT, CONFIG_TYPE_INT64, "an integer" },
	[CONFIG_KEY_BOOL] = { CONFIG_TYPE_BOOL, CONFIG_TYPE_BOOL, "true or false" },
	[CONFIG_KEY_ENUM] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_ACCOUNTS] = { CONFIG_TYPE_LIST, CONFIG_TYPE_LIST,
	    "a list of groups, accounts = ( { ... }, { ... } );" },
	[CONFIG_KEY_STRINGS] = { CONFIG_TYPE_ARRAY, CONFIG_TYPE_LIST,
	    "a list of strings, [ \"a\", \"b\" ]" },
	[CONFIG_KEY_LIST] = { CONFIG_TYPE_LIST, CONFIG_TYPE_LIST, NULL }, /* list->example */
	[CONFIG_KEY_PARSED] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
};

/*
 * NULL when libconfig read the integer literal of S whole, else the literal
 * as written: libconfig 1.5 silently truncates a literal beyond 32 bits that
 * lacks an L suffix, so compare with the text on its line.
 */
static char *
config_int_literal(struct config_parse *p, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s), *name = config_setting_name(s);
	unsigned int line = config_setting_source_line(s);
	char *end, *found = NULL;
	const char *q, *r;
	long long v;

	if ((file != NULL && strcmp(file, p->path) != 0) || line < 1 ||
	    line > g_strv_length(p->lines))
		return NULL; /* an @include'd file: not checked */
	for (q = p->lines[line - 1]; (q = strstr(q, name)) != NULL; q++) {
		if (q > p->lines[line - 1] && (g_ascii_isalnum(q[-1]) || strchr("_-*", q[-1])))
			continue;
		for (r = q + strlen(name); *r == ' ' || *r == '\t'; r++)
			;
		if (*r != '=' && *r != ':')
			continue;
		for (r++; *r == ' ' || *r == '\t'; r++)
			;
		errno = 0;
		if (r[0] == '0' && (r[1] == 'x' || r[1] == 'X'))
			v = (long long)strtoull(r + 2, &end, 16);
		else
			v = strtoll(r, &end, 10);
		if (end == r || *end == 'L')
			continue;
		if (errno == 0 && v == config_setting_get_int64(s)) {
			g_free(found);
			return NULL;
		}
		if (found == NULL)
			found = g_strndup(r, (gsize)(end - r));
	}
	return found;
}

/* Parse integer setting S against K into FIELD; false on error. */
static bool
config_parse_int(struct config_parse *p, const struct config_key *k, const config_setting_t *s,
    const char *prefix, void *field)
{
	long long v = config_setting_get_int64(s);
	char *literal = NULL;

	if (config_setting_type(s) == CONFIG_TYPE_INT)
		literal = config_int_literal(p, s);
	if (literal != NULL && k->type == CONFIG_KEY_INT64)
		config_error(p, s, prefix, NULL, "%s needs an L suffix (%sL): libconfig reads "
		    "numbers beyond 32 bits only with it", literal, literal);
	else if (literal != NULL)
		config_error(p, s, prefix, NULL, "%s is out of range %lld..%lld", literal, k->min,
		    k->max);
	else if (v < k->min && k->max >= INT32_MAX)
		config_error(p, s, prefix, NULL, "%lld is out of range; use %lld or more", v,
		    k->min);
	else if (v < k->min || v > k->max)
		config_error(p, s, prefix, NULL, "%lld is out of range %lld..%lld", v, k->min,
		    k->max);
	else if (k->type == CONFIG_KEY_INT)
		*(int *)field = (int)v;
	else
		*(int64_t *)field = v;
	g_free(literal);
	return literal == NULL && v >= k->min && v <= k->max;
}

/* Parse string setting S against K (a string, path or enum) into FIELD; false on error. */
static bool
config_parse_string(struct config_parse *p, const struct config_key *k,
    const config_setting_t *s, const char *prefix, void *field)
{
	const char *str = config_setting_get_string(s), *c;
	char *quoted = config_quote(str), *value = NULL, *names;
	size_t i;

	for (c = str; *c != '\0' && (unsigned char)*c >= 0x20 && *c != 0x7f; c++)
		;
	if ((long long)strlen(str) < k->min) {
		config_error(p, s, prefix, NULL, "must not be empty");
	} else if ((long long)strlen(str) > k->max) {
		config_error(p, s, prefix, NULL, "longer than %lld bytes", k->max);
	} else if (*c != '\0') {
		/* A CR or LF in a user name or password would end a POP3 command. */
		config_error(p, s, prefix, NULL, "must not contain control characters");
	} else if (k->type == CONFIG_KEY_ENUM) {
		for (i = 0; k->values[i] != NULL; i++) {
			if (g_ascii_strcasecmp(str, k->values[i]) == 0)
				break;
		}
		if (k->values[i] != NULL) {
			*(int *)field = (int)i;
			g_free(quoted);
			return true;
		}
		names = g_strjoinv(", ", (char **)k->values);
		config_error(p, s, prefix, NULL, "\"%s\" is not one of %s", quoted, names);
		g_free(names);
	} else if (k->type == CONFIG_KEY_PARSED) {
		g_free(quoted);
		return true; /* the check reads it */
	} else if (k->type == CONFIG_KEY_PATH) {
		value = path_expand(str);
		if (!g_path_is_absolute(value)) {
			config_error(p, s, prefix, NULL, "\"%s\" is a relative path; write a full "
			    "path, /... or ~/...", quoted);
			g_clear_pointer(&value, g_free);
		}
	} else {
		value = g_strdup(str);
	}
	g_free(quoted);
	if (value == NULL)
		return false;
	*(char **)field = value;
	return true;
}

/* Parse the array or list S of strings against K into FIELD (a strv); false on error. */
static bool
config_parse_strings(struct config_parse *p, const struct config_key *k, const config_setting_t *s,
    const char *prefix, void *field)
{
	unsigned int n = (unsigned int)config_setting_length(s), i;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *name = config_setting_name(s), *str, *c;
	bool ok = n <= 64;

	if (!ok)
		config_error(p, s, prefix, NULL, "%u entries; at most 64 are allowed", n);
	for (i = 0; ok && i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		ok = false;
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			config_error(p, e, prefix, name, "entry %u: expected a string in double "
			    "quotes, got %s", i + 1, config_type_name(e));
			continue;
		}
		str = config_setting_get_string(e);
		for (c = str; *c != '\0' && (unsigned char)*c >= 0x20 && *c != 0x7f; c++)
			;
		if ((long long)strlen(str) < k->min)
			config_error(p, e, prefix, name, "entry %u must not be empty", i + 1);
		else if ((long long)strlen(str) > k->max)
			config_error(p, e, prefix, name, "entry %u is longer than %lld bytes", i + 1,
			    k->max);
		else if (*c != '\0')
			config_error(p, e, prefix, name, "entry %u must not contain control "
			    "characters", i + 1);
		else
			ok = true;
		if (ok)
			g_ptr_array_add(out, g_strdup(str));
	}
	g_ptr_array_add(out, NULL);
	if (ok)
		*(char ***)field = (char **)g_ptr_array_free(out, FALSE);
	else
		g_ptr_array_free(out, TRUE);
	return ok;
}

/* Store K's default at FIELD. */
static void
config_set_default(const struct config_key *k, void *field)
{
	if (k->type == CONFIG_KEY_STRING)
		*(char **)field = g_strdup(k->def_str);
	else if (k->type == CONFIG_KEY_PATH)
		*(char **)field = path_expand(k->def_str);
	else if (k->type == CONFIG_KEY_INT || k->type == CONFIG_KEY_ENUM)
		*(int *)field = (int)k->def;
	else if (k->type == CONFIG_KEY_INT64)
		*(int64_t *)field = k->def;
	else if (k->type == CONFIG_KEY_BOOL)
		*(bool *)field = k->def != 0;
	else if (k->type == CONFIG_KEY_STRINGS)
		*(char ***)field = g_strsplit_set(k->def_str, " ", -1);
	if (k->type == CONFIG_KEY_STRINGS && k->check == config_check_paths)
		config_check_paths(NULL, NULL, NULL, field);
}

static void config_parse_accounts(struct config_parse *, const config_setting_t *);
static void config_parse_list(struct config_parse *, const struct config_key *,
    const config_setting_t *, void *);

/* Parse setting S for key K into FIELD, then run K's check. */
static void
config_parse_value(struct config_parse *p, const struct config_key *k, const config_setting_t *s,
    const char *prefix, void *field)
{
	int type = config_setting_type(s);
	bool ok = true;

	if (type != config_key_types[k->type].type && type != config_key_types[k->type].alt) {
		config_error(p, s, prefix, NULL, "expected %s, got %s", k->type == CONFIG_KEY_LIST ?
		    k->list->example : config_key_types[k->type].expected, config_type_name(s));
		return;
	}
	if (k->type == CONFIG_KEY_ACCOUNTS)
		config_parse_accounts(p, s);
	else if (k->type == CONFIG_KEY_LIST)
		config_parse_list(p, k, s, field);
	else if (k->type == CONFIG_KEY_BOOL)
		*(bool *)field = config_setting_get_bool(s) != 0;
	else if (k->type == CONFIG_KEY_INT || k->type == CONFIG_KEY_INT64)
		ok = config_parse_int(p, k, s, prefix, field);
	else if (k->type == CONFIG_KEY_STRINGS)
		ok = config_parse_strings(p, k, s, prefix, field);
	else
		ok = config_parse_string(p, k, s, prefix, field);
	if (ok && k->check != NULL)
		k->check(p, s, prefix, field);
}

/* Apply the table KEYS to GROUP, filling BASE; PREFIX names the group in errors. */
static void
config_parse_group(struct config_parse *p, const config_setting_t *group,
    const struct config_key *keys, size_t n_keys, const char *prefix, void *base)
{
	const config_setting_t *seen[CONFIG_MAX_KEYS] = { NULL };
	const char *name, *hint;
	size_t i, j;

	for (i = 0; i < (size_t)config_setting_length(group); i++) {
		name = config_setting_name(config_setting_get_elem(group, (unsigned int)i));
		for (j = 0; j < n_keys && strcmp(keys[j].name, name) != 0; j++)
			;
		if (j < n_keys) {
			seen[j] = config_setting_get_elem(group, (unsigned int)i);
			continue;
		}
		for (hint = NULL, j = 0; j < n_keys; j++) {
			if (suggest_distance(name, keys[j].name) <= 2)
				hint = keys[j].name;
		}
		config_error(p, config_setting_get_elem(group, (unsigned int)i), prefix, NULL,
		    "unknown key%s%s%s", hint ? "; did you mean " : "", hint ? hint : "",
		    hint ? "?" : "");
	}
	for (i = 0; i < n_keys; i++) {
		if (seen[i] != NULL)
			config_parse_value(p, &keys[i], seen[i], prefix, (char *)base + keys[i].offset);
		else if (keys[i].required)
			config_error(p, group, prefix, keys[i].name, "missing; every %s needs one",
			    p->noun != NULL ? p->noun : "account");
		else
			config_set_default(&keys[i], (char *)base + keys[i].offset);
	}
}

/*
 * What NAME would collide with at the top of the store, where each account's
 * Maildir lives beside files surat keeps: the index and the files SQLite
 * makes beside it (-wal, -shm, -journal, and any other suffix: index.c), and
 * the background fetch's log (ui/fetch.c).  Compared without regard to case,
 * for file systems that do not tell the two apart.  NULL when NAME is free.
 * (Lock files and the trash live inside each account's Maildir.)
 */
static const char *
config_store_reserved(const char *name)
{
	static const struct {
		const char *name;
		bool prefix;       /* every name that starts with it */
		const char *what;
	} reserved[] = {
		{ "index.db", true, "the index" },
		{ "fetch.log", false, "the fetch log" },
	};
	size_t i, n;

	for (i = 0; i < G_N_ELEMENTS(reserved); i++) {
		n = strlen(reserved[i].name);
		if (g_ascii_strncasecmp(name, reserved[i].name, n) == 0 &&
		    (reserved[i].prefix || name[n] == '\0'))
			return reserved[i].what;
	}
	return NULL;
}

/* The account name: valid, and not used before. */
static bool
config_check_name(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *name = *(char **)field;
	gpointer line;
	char *quoted;

	if (!config_account_name_valid(name)) {
		quoted = config_quote(name);
		if (config_store_reserved(name) != NULL)
			config_error(p, s, prefix, NULL, "\"%s\" is reserved for %s in the store; "
			    "choose another name", quoted, config_store_reserved(name));
		else if (name[0] == '-')
			config_error(p, s, prefix, NULL, "\"%s\" starts with '-', which commands "
			    "would take for an option; choose another name", quoted);
		else
			config_error(p, s, prefix, NULL, "\"%s\" is not a valid account name; use "
			    "1 to %d of A-Z a-z 0-9 . _ -, not starting with '.' or '-'", quoted,
			    ACCOUNT_NAME_MAX);
		g_free(quoted);
		return false;
	}
	if ((line = g_hash_table_lookup(p->names, name)) != NULL) {
		config_error(p, s, prefix, NULL, "duplicate account name \"%s\"; first used on "
		    "line %d", name, GPOINTER_TO_INT(line));
		return false;
	}
	g_hash_table_insert(p->names, g_strdup(name),
	    GINT_TO_POINTER((int)config_setting_source_line(s)));
	return true;
}

/* Wipe libconfig's copy of a secret now that it has been copied. */
static bool
config_check_secret(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char *copy = (char *)config_setting_get_string(s);

	OPENSSL_cleanse(copy, strlen(copy));
	return true;
}

/* A file the account names (ca_file) must exist. */
static bool
config_check_file(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *path = *(char **)field;
	struct stat st;

	if (stat(path, &st) != 0)
		config_error(p, s, prefix, NULL, "%s: %s", path, g_strerror(errno));
	else if (!S_ISREG(st.st_mode))
		config_error(p, s, prefix, NULL, "%s is not a file", path);
	else
		return true;
	return false;
}

/* "SHA256:" and 32 hex byte pairs, colons between pairs allowed; normalized in place. */
static bool
config_check_fingerprint(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	const char *in = *(char **)field;
	GString *out = g_string_new("SHA256:");
	char *quoted;
	int i;

	if (g_ascii_strncasecmp(in, "SHA256:", 7) == 0) {
		for (in += 7, i = 0; i < 32 && g_ascii_isxdigit(in[0]) && g_ascii_isxdigit(in[1]);
		    i++) {
			g_string_append_c(out, g_ascii_tolower(in[0]));
			g_string_append_c(out, g_ascii_tolower(in[1]));
			in += (i < 31 && in[2] == ':') ? 3 : 2;
		}
		if (i == 32 && *in == '\0') {
			g_free(*(char **)field);
			*(char **)field = g_string_free(out, FALSE);
			return true;
		}
	}
	g_string_free(out, TRUE);
	quoted = config_quote(*(char **)field);
	config_error(p, s, prefix, NULL, "\"%s\" is not a SHA-256 fingerprint; write SHA256: and "
	    "64 hex digits, colons between pairs allowed", quoted);
	g_free(quoted);
	return false;
}

/* A command string (html_command, url_command) must split into an argv. */
static bool
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

/* Header names: printable ASCII without spaces or colons. */
static bool
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
static bool
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
static bool
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
static bool
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

/* A list of groups (K->list): one element of the array at FIELD per group. */
static void
config_parse_list(struct config_parse *p, const struct config_key *k,
    const config_setting_t *list, void *field)
{
	const struct config_list *l = k->list;
	unsigned int n = (unsigned int)config_setting_length(list), i;
	size_t *count = (size_t *)((char *)field - k->offset + l->count_offset);
	const config_setting_t *group;
	char *array, *prefix, *el;

	if (n > l->max) {
		config_error(p, list, NULL, NULL, "%u groups; at most %u are allowed", n, l->max);
		return;
	}
	array = n > 0 ? g_malloc0(n * l->size) : NULL;
	*(char **)field = array;
	for (i = 0; i < n; i++) {
		group = config_setting_get_elem(list, i);
		prefix = g_strdup_printf("%s[%u]", k->name, i);
		if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
			config_error(p, group, prefix, NULL, "expected a group { ... }, got %s",
			    config_type_name(group));
		} else {
			el = array + (*count)++ * l->size;
			p->noun = l->noun;
			config_parse_group(p, group, l->keys, l->n_keys, prefix, el);
			p->noun = NULL;
			if (l->finish != NULL)
				l->finish(p, group, prefix, el);
		}
		g_free(prefix);
	}
}

/* sort: "reverse-X" is X with sort_reverse set. */
static bool
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

/* A local folder's name (trash): a Maildir++ subfolder; "" is none, stored as NULL. */
static bool
config_check_folder(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char **name = field, *quoted;

	if (**name == '\0') {
		g_clear_pointer(name, g_free);
		return true;
	}
	if (g_utf8_validate(*name, -1, NULL) && strchr(*name, '/') == NULL && **name != '.' &&
	    !g_str_has_suffix(*name, ".") && strstr(*name, "..") == NULL)
		return true;
	quoted = config_quote(*name);
	config_error(p, s, prefix, NULL, "\"%s\" is not a folder name: no / or .., no dot first "
	    "or last (a dot separates subfolders); \"\" turns the trash off", quoted);
	g_free(quoted);
	return false;
}

/* new_mail_command: split as a shell would (it is never run by one); known placeholders. */
static bool
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

/* A saved search's name: shown in the sidebar, so plain text, and unique. */
static bool
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

/* Set a mailbox's line. */
static void
config_finish_mailbox(struct config_parse *p, const config_setting_t *group, const char *prefix,
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
static bool
config_check_contexts(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_context_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* bind: a binding's keys, "g g". */
static bool
config_check_keys(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_seq_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* bind: a binding's action, "first-entry". */
static bool
config_check_action(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	GError *error = NULL;
	bool ok = keymap_action_parse(config_setting_get_string(s), field, &error);

	return config_keymap_result(p, s, prefix, ok, error);
}

/* A binding's action applies in each of its contexts; set its line. */
static void
config_finish_binding(struct config_parse *p, const config_setting_t *group, const char *prefix,
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

/* Checks across keys of account A, and what is derived from them. */
static void
config_finish_account(struct config_parse *p, const config_setting_t *group, const char *prefix,
    struct account_config *a)
{
	if (a->port == 0)
		a->port = a->tls == POP3_TLS_IMPLICIT ? 995 : 110;
	if (a->password != NULL && a->password_command != NULL)
		config_error(p, config_setting_get_member(group, "password_command"), prefix, NULL,
		    "set either password or password_command, not both");
	if (!a->keep && a->delete_after_days > 0)
		config_error(p, config_setting_get_member(group, "delete_after_days"), prefix, NULL,
		    "applies only with keep = true; with keep = false mail leaves the server as "
		    "soon as it is fetched");
	if (!a->keep && a->delete_on_server_when_deleted)
		config_warning(p, config_setting_get_member(group, "delete_on_server_when_deleted"),
		    prefix, NULL, "does nothing with keep = false: mail leaves the server as soon "
		    "as it is fetched");
	if (a->name != NULL && p->config->store != NULL)
		a->maildir = g_build_filename(p->config->store, a->name, NULL);
}

/* The accounts list: one group per account. */
static void
config_parse_accounts(struct config_parse *p, const config_setting_t *list)
{
	struct surat_config *config = p->config;
	unsigned int n = (unsigned int)config_setting_length(list), i;
	const config_setting_t *group, *name;
	struct account_config *a;
	char *prefix;

	if (n > CONFIG_MAX_ACCOUNTS) {
		config_error(p, list, NULL, NULL, "%u accounts; at most %d are allowed", n,
		    CONFIG_MAX_ACCOUNTS);
		return;
	}
	config->accounts = g_new0(struct account_config, n);
	for (i = 0; i < n; i++) {
		group = config_setting_get_elem(list, i);
		name = config_setting_get_member(group, "name");
		/* Errors name the account, or its index when its name is not usable. */
		if (name != NULL && config_setting_type(name) == CONFIG_TYPE_STRING &&
		    config_account_name_valid(config_setting_get_string(name)))
			prefix = g_strdup_printf("accounts.%s", config_setting_get_string(name));
		else
			prefix = g_strdup_printf("accounts[%u]", i);
		if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
			config_error(p, group, prefix, NULL, "expected a group { name = \"...\"; "
			    "... }, got %s", config_type_name(group));
		} else {
			a = &config->accounts[config->n_accounts++];
			a->line = (int)config_setting_source_line(group);
			config_parse_group(p, group, config_account_keys,
			    G_N_ELEMENTS(config_account_keys), prefix, a);
			config_finish_account(p, group, prefix, a);
		}
		g_free(prefix);
	}
}

/* Resolve the theme; "default" is built in and needs no file (theme_path stays NULL). */
static void
config_finish(struct config_parse *p, const config_setting_t *root)
{
	struct surat_config *config = p->config;
	const config_setting_t *s = config_setting_get_member(root, "theme");
	char *dirs, *quoted;

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
 * Warn about the files of the configuration (the main one and each one
 * pulled in with @include, as libconfig opened them) that others could read
 * or change: one holding a password that group or others can read, and any
 * that group or others can write, since a line added there (password_command,
 * html_command, new_mail_command...) runs as the user.
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
		const config_setting_t *password = config_setting_is_group(account) ?
		    config_setting_get_member(account, "password") : NULL;

		if (password == NULL)
			continue;
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
	}
	g_free(config->accounts);
	g_free(config->path);
	g_free(config->store);
	g_free(config->theme);
	g_free(config->theme_path);
	g_free(config->date_format);
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
	g_free(config->trash);
	g_free(config->new_mail_command);
	g_strfreev(config->new_mail_argv);
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

const struct account_config *
config_account(const struct surat_config *config, const char *name)
{
	size_t i;

	if (config == NULL || name == NULL)
		return NULL;
	for (i = 0; i < config->n_accounts; i++) {
		if (strcmp(config->accounts[i].name, name) == 0)
			return &config->accounts[i];
	}
	return NULL;
}

bool
config_account_name_valid(const char *name)
{
	size_t n;

	if (name == NULL || name[0] == '.' || name[0] == '-' || config_store_reserved(name) != NULL)
		return false;
	n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
	return n >= 1 && n <= ACCOUNT_NAME_MAX && name[n] == '\0';
}

const char *
config_tls_name(enum pop3_tls tls)
{
	if ((size_t)tls >= G_N_ELEMENTS(config_tls_names) - 1)
		return "?";
	return config_tls_names[tls];
}

const char *
config_auth_name(enum pop3_auth auth)
{
	if ((size_t)auth >= G_N_ELEMENTS(config_auth_names) - 1)
		return "?";
	return config_auth_names[auth];
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
