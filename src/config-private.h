/*
 * config-private: what the configuration's files share (config.c: the
 * top-level tables, loading, collecting errors; config-parse.c: the walk
 * that applies a table to a group; config-check.c: the checks of top-level
 * values; config-account.c: the accounts list; config-send.c: an account's
 * keys for sending).  Only src/config*.c include it.
 */
#ifndef SURAT_CONFIG_PRIVATE_H
#define SURAT_CONFIG_PRIVATE_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "surat/config.h"

#define CONFIG_MAX_KEYS      48  /* keys in one table */
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
	CONFIG_KEY_GROUP,    /* one group, parsed with list->keys into a new struct */
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
	const struct config_list *list; /* of a CONFIG_KEY_LIST or CONFIG_KEY_GROUP */
};

/*
 * A list of groups (mailboxes, bind): one array of structs and its length.
 * Also a lone group (an account's smtp): one struct, its pointer at the
 * key's field; count_offset and max do not apply.
 */
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
	struct account_config *account; /* being filled, while its group is parsed; or NULL */
};

/* One table row per key; see doc/internals/config.md. */
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
	/* A group; its struct is allocated when the group is there, else the field stays NULL. */
#define KEY_GROUP(name, field, group) \
	{ name, CONFIG_KEY_GROUP, false, 0, 0, field, 0, NULL, NULL, NULL, group }

/*
 * Note one error "FILE:LINE: KEY: message" about setting S, where KEY is
 * PREFIX.NAME (NAME defaults to S's own name; either may be NULL).
 */
void config_error(struct config_parse *p, const config_setting_t *s, const char *prefix,
    const char *name, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* Note one warning, worded and placed as config_error's errors; dropped without WARNINGS. */
void config_warning(struct config_parse *p, const config_setting_t *s, const char *prefix,
    const char *name, const char *fmt, ...) G_GNUC_PRINTF(5, 6);

/* A bad value, cut short for quoting in an error (g_free). */
char *config_quote(const char *value);

/* What setting S is, for an error ("a string", "an integer"...). */
const char *config_parse_type_name(const config_setting_t *s);

/* Apply the table KEYS to GROUP, filling BASE; PREFIX names the group in errors. */
void config_parse_group(struct config_parse *p, const config_setting_t *group,
    const struct config_key *keys, size_t n_keys, const char *prefix, void *base);

/* The accounts list: one group per account (config-account.c). */
void config_account_parse_list(struct config_parse *p, const config_setting_t *list);

/* Why PATH is not a file to read ("PATH: No such file or directory"; g_free), or NULL. */
char *config_file_unusable(const char *path);

/* Checks across an account's keys for sending, and what is derived from them (config-send.c). */
void config_finish_send(struct config_parse *p, const config_setting_t *group, const char *prefix,
    struct account_config *a);

/* The checks of config-check.c that the tables name. */
#define CONFIG_CHECK(f) \
	bool f(struct config_parse *, const config_setting_t *, const char *, void *)
CONFIG_CHECK(config_check_header_names);
CONFIG_CHECK(config_check_types);
CONFIG_CHECK(config_check_charsets);
CONFIG_CHECK(config_check_paths);
CONFIG_CHECK(config_check_sort);
CONFIG_CHECK(config_check_folder);
CONFIG_CHECK(config_check_text);
CONFIG_CHECK(config_check_command);
CONFIG_CHECK(config_check_regexes);
CONFIG_CHECK(config_check_new_mail_command);
CONFIG_CHECK(config_check_attribution);
CONFIG_CHECK(config_check_index_format);
CONFIG_CHECK(config_check_status_format);
CONFIG_CHECK(config_check_pager_format);
CONFIG_CHECK(config_check_mailbox_name);
CONFIG_CHECK(config_check_contexts);
CONFIG_CHECK(config_check_keys);
CONFIG_CHECK(config_check_action);
CONFIG_CHECK(config_check_macro_keys);
CONFIG_CHECK(config_check_macro_sequence);
CONFIG_CHECK(config_check_color);
CONFIG_CHECK(config_check_attrs);

/* The checks of config-send.c that config-account.c's table names. */
CONFIG_CHECK(config_check_from);
CONFIG_CHECK(config_check_signature);

/* Warn when two of trash, record and postponed name one folder (ROOT: the file's top). */
void config_check_folder_names(struct config_parse *p, const config_setting_t *root);

/* The finish of the mailboxes and bind lists: checks across one element's keys. */
void config_check_mailbox(struct config_parse *p, const config_setting_t *group,
    const char *prefix, void *elem);
void config_check_binding(struct config_parse *p, const config_setting_t *group,
    const char *prefix, void *elem);
void config_check_macro(struct config_parse *p, const config_setting_t *group,
    const char *prefix, void *elem);
/* The finish of the color list: the object's pattern, unset colours, the line. */
void config_check_color_rule(struct config_parse *p, const config_setting_t *group,
    const char *prefix, void *elem);

#endif
