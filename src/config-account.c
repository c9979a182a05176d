/*
 * config-account: the accounts list of the configuration (accounts = (
 * { name = ...; host = ...; }, ... );): one account's key table and its
 * smtp group's, the checks of their values (name, secrets, ca_file,
 * fingerprint) and across them, the walk over the list, and the public
 * helpers about accounts (config_account, config_account_name_valid, the
 * tls and auth names).  The checks of the keys for sending are
 * config-send.c's.
 */
#include "config-private.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>

#define CONFIG_MAX_ACCOUNTS  256

static const char *const config_tls_names[] = { "implicit", "starttls", "none", NULL };
static const char *const config_auth_names[] = { "auto", "user", "apop", "plain", "login",
	"cram-md5", "scram-sha-1", "scram-sha-256", "xoauth2", "oauthbearer", NULL };
static const char *const config_smtp_tls_names[] = { "starttls", "implicit", "none", NULL };
static const char *const config_smtp_auth_names[] = { "auto", "none", "plain", "login",
	"cram-md5", "scram-sha-1", "scram-sha-256", "xoauth2", "oauthbearer", NULL };

_Static_assert(sizeof(enum pop3_tls) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum pop3_auth) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum smtp_tls) == sizeof(int), "enum keys are stored as int");
_Static_assert(sizeof(enum smtp_auth) == sizeof(int), "enum keys are stored as int");
_Static_assert(G_N_ELEMENTS(config_smtp_tls_names) == SMTP_TLS_NONE + 2, "a name per smtp_tls");
_Static_assert(G_N_ELEMENTS(config_smtp_auth_names) == SMTP_AUTH_OAUTHBEARER + 2,
    "a name per smtp_auth");

static CONFIG_CHECK(config_check_name);
static CONFIG_CHECK(config_check_secret);
static CONFIG_CHECK(config_check_file);
static CONFIG_CHECK(config_check_fingerprint);
static void config_finish_smtp(struct config_parse *, const config_setting_t *, const char *,
    void *);

#define ACCOUNT(f) offsetof(struct account_config, f)
#define SMTP(f)    offsetof(struct smtp_config, f)

/*
 * The keys of a connection to a server, the same in an account (POP3) and
 * in its smtp group: TYPE is the struct (its fields have the keys' names).
 * A port of 0 after parsing means "not set": the finish picks it by tls.
 */
#define KEYS_SERVER(type, user_required, tls_names, tls_default, auth_names, auth_default) \
	KEY_STRING("host", true, 1, 255, offsetof(type, host), NULL), \
	KEY_INT("port", 1, 65535, offsetof(type, port), 0), \
	KEY_ENUM("tls", tls_names, offsetof(type, tls), tls_default), \
	KEY_STRING("user", user_required, 1, 1024, offsetof(type, user), NULL), \
	KEY_STRING("password", false, 0, 1024, offsetof(type, password), config_check_secret), \
	KEY_STRING("password_command", false, 1, CONFIG_PATH_MAX, \
	    offsetof(type, password_command), config_check_secret), \
	KEY_ENUM("auth", auth_names, offsetof(type, auth), auth_default), \
	KEY_PATH("ca_file", offsetof(type, ca_file), NULL, config_check_file), \
	KEY_STRING("fingerprint", false, 1, 128, offsetof(type, fingerprint), \
	    config_check_fingerprint)

/*
 * An account's submission server: smtp = { host = ...; };  A timeout of 0
 * after parsing means "not set": config_finish_send gives it the account's,
 * and the user, secrets and ca_file that are not set.
 */
static const struct config_key config_smtp_keys[] = {
	KEYS_SERVER(struct smtp_config, false, config_smtp_tls_names, SMTP_TLS_STARTTLS,
	    config_smtp_auth_names, SMTP_AUTH_AUTO),
	KEY_INT("timeout", 1, 3600, SMTP(timeout), 0),
};

static const struct config_list config_smtp = { config_smtp_keys,
	G_N_ELEMENTS(config_smtp_keys), sizeof(struct smtp_config), 0, 1, "smtp group",
	"a group, smtp = { host = \"...\"; ... };", config_finish_smtp };

/* One account. */
static const struct config_key config_account_keys[] = {
	KEY_STRING("name", true, 1, ACCOUNT_NAME_MAX, ACCOUNT(name), config_check_name),
	KEYS_SERVER(struct account_config, true, config_tls_names, POP3_TLS_IMPLICIT,
	    config_auth_names, POP3_AUTH_AUTO),
	KEY_BOOL("keep", ACCOUNT(keep), true),
	KEY_INT("delete_after_days", 0, INT32_MAX, ACCOUNT(delete_after_days), 0),
	KEY_INT64("max_size", 0, INT64_MAX, ACCOUNT(max_size), 0),
	KEY_INT("poll_interval", 10, 86400, ACCOUNT(poll_interval), 300),
	KEY_INT("timeout", 1, 3600, ACCOUNT(timeout), 30),
	KEY_BOOL("delete_on_server_when_deleted", ACCOUNT(delete_on_server_when_deleted), false),
	/* issue 12: sending */
	KEY_STRING("from", false, 1, 1024, ACCOUNT(from), config_check_from),
	KEY_STRING("realname", false, 1, 256, ACCOUNT(realname), config_check_text),
	KEY_PATH("signature_file", ACCOUNT(signature_file), NULL, config_check_signature),
	KEY_GROUP("smtp", ACCOUNT(smtp), &config_smtp),
	KEY_STRING("sendmail_command", false, 1, CONFIG_PATH_MAX, ACCOUNT(sendmail_command),
	    config_check_command),
};

_Static_assert(G_N_ELEMENTS(config_account_keys) <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");
_Static_assert(G_N_ELEMENTS(config_smtp_keys) <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

/*
 * What NAME would collide with at the top of the store, where each account's
 * Maildir lives beside files surat keeps: the index and the files SQLite
 * makes beside it (-wal, -shm, -journal, and any other suffix: index.c), and
 * the background fetch's log (ui/fetcher.c).  Compared without regard to case,
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

/* Why PATH is not a file to read ("PATH: No such file or directory"; g_free), or NULL. */
char *
config_file_unusable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return g_strdup_printf("%s: %s", path, g_strerror(errno));
	if (!S_ISREG(st.st_mode))
		return g_strdup_printf("%s is not a file", path);
	return NULL;
}

/* A file the account names (ca_file) must exist. */
static bool
config_check_file(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char *why = config_file_unusable(*(char **)field);

	if (why == NULL)
		return true;
	config_error(p, s, prefix, NULL, "%s", why);
	g_free(why);
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

/* At most one of PASSWORD and PASSWORD_COMMAND, the keys of GROUP. */
static void
config_check_secrets(struct config_parse *p, const config_setting_t *group, const char *prefix,
    const char *password, const char *password_command)
{
	if (password != NULL && password_command != NULL)
		config_error(p, config_setting_get_member(group, "password_command"), prefix, NULL,
		    "set either password or password_command, not both");
}

/* The finish of the smtp group: its own port default and secrets; the account's are later. */
static void
config_finish_smtp(struct config_parse *p, const config_setting_t *group, const char *prefix,
    void *elem)
{
	static const int ports[] = { [SMTP_TLS_STARTTLS] = 587, [SMTP_TLS_IMPLICIT] = 465,
		[SMTP_TLS_NONE] = 25 };
	struct smtp_config *smtp = elem;

	if (smtp->port == 0)
		smtp->port = ports[smtp->tls];
	config_check_secrets(p, group, prefix, smtp->password, smtp->password_command);
}

/* Checks across keys of account A, and what is derived from them. */
static void
config_finish_account(struct config_parse *p, const config_setting_t *group, const char *prefix,
    struct account_config *a)
{
	if (a->port == 0)
		a->port = a->tls == POP3_TLS_IMPLICIT ? 995 : 110;
	config_check_secrets(p, group, prefix, a->password, a->password_command);
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
	config_finish_send(p, group, prefix, a);
}

/* The accounts list: one group per account. */
void
config_account_parse_list(struct config_parse *p, const config_setting_t *list)
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
			    "... }, got %s", config_parse_type_name(group));
		} else {
			a = &config->accounts[config->n_accounts++];
			a->line = (int)config_setting_source_line(group);
			p->account = a;
			config_parse_group(p, group, config_account_keys,
			    G_N_ELEMENTS(config_account_keys), prefix, a);
			config_finish_account(p, group, prefix, a);
			p->account = NULL;
		}
		g_free(prefix);
	}
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

/* NAMES[VALUE] of the N - 1 names before NAMES' NULL, or "?". */
static const char *
config_enum_name(const char *const *names, size_t n, int value)
{
	return value >= 0 && (size_t)value < n - 1 ? names[value] : "?";
}

const char *
config_tls_name(enum pop3_tls tls)
{
	return config_enum_name(config_tls_names, G_N_ELEMENTS(config_tls_names), (int)tls);
}

const char *
config_auth_name(enum pop3_auth auth)
{
	return config_enum_name(config_auth_names, G_N_ELEMENTS(config_auth_names), (int)auth);
}

const char *
config_smtp_tls_name(enum smtp_tls tls)
{
	return config_enum_name(config_smtp_tls_names, G_N_ELEMENTS(config_smtp_tls_names),
	    (int)tls);
}

const char *
config_smtp_auth_name(enum smtp_auth auth)
{
	return config_enum_name(config_smtp_auth_names, G_N_ELEMENTS(config_smtp_auth_names),
	    (int)auth);
}
