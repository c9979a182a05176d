/*
 * config: read the libconfig file into explicit structs (surat.conf(5)).
 *
 * Every key is parsed and validated here, once; modules receive a
 * const struct surat_config or const struct account_config and never look an
 * option up by string.  Errors are collected, one line each, in the form
 * "FILE:LINE: key: what is wrong", so a user sees every mistake at once.
 *
 * What it never does: print, or touch the network or the store.
 */
#ifndef SURAT_CONFIG_H
#define SURAT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "keymap.h"
#include "pop3.h"
#include "smtp.h"

#define ACCOUNT_NAME_MAX 64

/* The index's order (`sort`); each also reversed ("reverse-date"). */
enum config_sort {
	CONFIG_SORT_DATE,    /* the Date: header; the default */
	CONFIG_SORT_ARRIVAL, /* when surat stored it */
	CONFIG_SORT_FROM,
	CONFIG_SORT_SUBJECT,
	CONFIG_SORT_SIZE,
	CONFIG_SORT_THREAD,  /* threads, each ordered by date */
	CONFIG_SORT_COUNT
};

/* The ranges of the options `:set` also takes (one range in the file and at run time). */
#define CONFIG_INDEX_LINES_MAX   200
#define CONFIG_SIDEBAR_WIDTH_MIN 10
#define CONFIG_SIDEBAR_WIDTH_MAX 80

#define CONFIG_MAILBOX_NAME_MAX 64
#define CONFIG_QUERY_MAX        1024

/* A saved search shown in the sidebar (`mailboxes`). */
struct config_mailbox {
	char *name;  /* 1..64 bytes of UTF-8, no control characters, unique */
	char *query; /* the search query, as written; the interface checks its syntax */
	int line;    /* of its group in the file */
};

/* A key binding from the file (`bind`), checked with keymap.c. */
struct config_binding {
	unsigned int contexts;     /* KEYMAP_IN() bits: "index,pager" gives two */
	struct keymap_seq keys;    /* never empty */
	enum keymap_action action; /* applies in every context of CONTEXTS; NONE unbinds */
	int line;                  /* of its group in the file */
};

/* A macro from the file (`macro`): keys that type a sequence, checked with keymap.c. */
struct config_macro {
	unsigned int contexts; /* KEYMAP_IN() bits */
	struct keymap_seq keys; /* never empty */
	char *sequence;        /* as written; keymap_steps_parse() takes it */
	char *description;     /* for the help screen, or NULL */
	int line;              /* of its group in the file */
};

/* What a colour rule (`color`) colours. */
enum config_color_object {
	CONFIG_COLOR_INDEX,  /* index rows matching a search query */
	CONFIG_COLOR_BODY,   /* spans of the pager's body lines matching a regex */
	CONFIG_COLOR_HEADER, /* pager header lines in which a regex matches: the whole line */
	CONFIG_COLOR_OBJECT_COUNT
};

#define CONFIG_COLOR_UNSET (-2) /* fg or bg left out: the theme's colour of the element stays */

/* A colour rule from the file (`color`): checked here, compiled by the interface. */
struct config_color {
	enum config_color_object object;
	int fg, bg;         /* theme.h colours (THEME_COLOR_DEFAULT...), or CONFIG_COLOR_UNSET */
	unsigned int attrs; /* THEME_ATTR_* bits, added to the element's own */
	char **attr_names;  /* attrs as written (NULL-terminated), or NULL */
	char *query;        /* index: the search query as written (it parses); else NULL */
	char *regex;        /* body, header: the regular expression (it compiles); else NULL */
	int line;           /* of its group in the file */
};

/*
 * An account's submission server (its `smtp` group).  A key the group
 * leaves out takes the account's value where there is one: user, the pair
 * password and password_command (both, only when the group sets neither),
 * ca_file and timeout; never the fingerprint, which names the POP3 server's
 * certificate.
 */
struct smtp_config {
	char *host;             /* required in the group */
	int port;               /* 1..65535; default 587 (starttls), 465 (implicit), 25 (none) */
	enum smtp_tls tls;      /* default starttls */
	char *user;             /* default: the account's */
	char *password;         /* NULL unless set here or inherited; never logged */
	char *password_command; /* likewise; run with sh -c */
	enum smtp_auth auth;    /* default auto */
	char *ca_file;          /* ~ expanded; default: the account's; NULL = system trust store */
	char *fingerprint;      /* "SHA256:" + 64 lowercase hex digits; or NULL (no default) */
	int timeout;            /* seconds, 1..3600; default: the account's */
};

struct account_config {
	char *name;             /* [A-Za-z0-9._-]{1,64}, unique */
	char *host;             /* required */
	int port;               /* 1..65535; default 995 (implicit) or 110 */
	enum pop3_tls tls;   /* default implicit */
	char *user;             /* required */
	char *password;         /* NULL unless set; never logged */
	char *password_command; /* NULL unless set; run with sh -c */
	enum pop3_auth auth; /* default auto */
	char *ca_file;          /* ~ expanded; NULL = system trust store */
	char *fingerprint;      /* "SHA256:" + 64 lowercase hex digits, no colons; or NULL */
	bool keep;              /* leave mail on the server; default true */
	int delete_after_days;  /* with keep: 0 = never (default) */
	int64_t max_size;       /* bytes; 0 = no limit (default) */
	int poll_interval;      /* seconds, default 300 */
	int timeout;            /* seconds, default 30 */
	bool delete_on_server_when_deleted; /* with keep: deleting here queues a DELE */
	/* Sending (issue 12); nothing here loads GMime. */
	char *from;             /* as written: "Name <local@domain>" or local@domain; or NULL */
	char *from_address;     /* its local@domain; unset: user when it has an '@', else NULL */
	char *from_name;        /* its display name, else realname (the account's, then the
	                           global one), else NULL */
	char *realname;         /* as written, or NULL */
	char *signature_file;   /* ~ expanded, absolute; NULL unless set (may not exist) */
	struct smtp_config *smtp; /* NULL when the account has no smtp group */
	char *sendmail_command; /* as written, or NULL; never with smtp */
	char **sendmail_argv;   /* it split into words (NULL-terminated), or NULL; no shell */
	char *maildir;          /* <store>/<name>, derived */
	int line;               /* line of the account's group in the file */
};

/* How f forwards: the text in the body, or each message attached as message/rfc822. */
enum config_forward {
	CONFIG_FORWARD_INLINE,
	CONFIG_FORWARD_ATTACH,
};

/* The line formats' defaults: the index and status bar as surat drew them before formats. */
#define CONFIG_INDEX_FORMAT "%Z %-10.10{%Y-%m-%d}  %-20.20n  %s%*  %6c"
#define CONFIG_STATUS_FORMAT \
	"-- surat: %f -- %C/%m -- %n new %?t?-- %t tagged%G ?-- %s %?V?-- limit: %V ?%?A?-- %A ?" \
	"%?k?-- keys: %k ?" \
	"%?P?-- %P ?%?y?-- %y ?%?j?-- %j ?%?q?-- %q ?%?E?-- (E: log) %E ?" \
	"%?I?-- indexing %I left ?-- ?:help q:quit %|-"

/* What q does with messages marked deleted (`delete`, mutt's $delete): purge them, or ask. */
enum config_delete {
	CONFIG_DELETE_YES,     /* purge without asking */
	CONFIG_DELETE_NO,      /* keep the marks, ask nothing */
	CONFIG_DELETE_ASK_YES, /* ask; Enter means yes (the default) */
	CONFIG_DELETE_ASK_NO,  /* ask; Enter means no */
};

struct surat_config {
	char *path;        /* the file read */
	char *store;       /* ~ expanded, absolute; default ~/.local/share/surat */
	char *theme;       /* the name or path as written; default "default" */
	char *theme_path;  /* the theme file it resolved to; NULL = built-in default */
	int index_lines;   /* index rows above the pager in split view; default 10 */
	/* Rendering and attachments (render.h, attach.h, mailcap.h); lists are NULL-terminated. */
	char *date_format;        /* strftime format of Date, or "relative"; default "%a, %d %b %Y %H:%M" */
	/* Line formats (format.h, checked): the index's rows, the status bar, the pager's bar. */
	char *index_format;       /* default CONFIG_INDEX_FORMAT */
	char *status_format;      /* default CONFIG_STATUS_FORMAT */
	char *pager_format;       /* NULL (the default): status_format while a message is open */
	char **headers_shown;     /* header names in order; default From To Cc Date Subject */
	char **alternative_order; /* types; default text/plain text/html text/enriched */
	char **charset_fallbacks; /* iconv names tried after UTF-8; default windows-1252 */
	char *html_command;       /* argv string; NULL = the built-in converter */
	char *url_command;        /* argv string, %u or appended URL; NULL = none */
	bool osc8_links;          /* OSC 8 hyperlinks in the pager; default false */
	char *download_dir;       /* ~ expanded, absolute; default ~/Downloads */
	char **auto_view;         /* types rendered inline by a copiousoutput entry; default none */
	char **mailcap_path;      /* ~ expanded, absolute; default ~/.mailcap /etc/mailcap */
	enum config_sort sort;              /* default date */
	bool sort_reverse;                  /* "reverse-date" and the like */
	struct config_mailbox *mailboxes;   /* saved searches, in file order */
	size_t n_mailboxes;
	char *trash;                        /* folder name; NULL when trash = "" */
	enum config_delete delete_marked;   /* `delete`: at q; default ask-yes */
	bool tags_across_views;             /* ; and the tag count: every view's; default false */
	bool pipe_split;                    /* ;| runs the command once a message; default false */
	char *record;                       /* sent mail's folder, default "Sent"; NULL when "" */
	char *postponed;                    /* drafts' folder; default "Drafts" */
	char *realname;                     /* the display name of every account's from; or NULL */
	/* Writing (compose.h): the editor, the quote's first line, forwards, the body's form. */
	char *editor;                       /* argv string, or NULL: config_editor() */
	char *attribution;                  /* default "On %d, %n wrote:" (%d %n %a %s %%) */
	enum config_forward forward_format; /* default inline */
	bool text_flowed;                   /* format=flowed bodies; default false */
	bool user_agent;                    /* a "User-Agent: surat VERSION" field; default false */
	/* Addresses (contacts.h): the person's other addresses, aliases, an address book. */
	char **alternates;                  /* regular expressions (checked); default none */
	char *alias_file;                   /* ~ expanded, or NULL: config_alias_file() */
	char *query_command;                /* argv string, %s or appended text; or NULL */
	struct config_color *colors;        /* colour rules in file order: the first match wins */
	size_t n_colors;
	struct config_binding *bindings;    /* in file order: a later one wins */
	size_t n_bindings;
	struct config_macro *macros;        /* in file order, bound after the bindings */
	size_t n_macros;
	bool mouse;                         /* default false */
	char *new_mail_command;             /* as written, or NULL */
	char **new_mail_argv;               /* it split into words (NULL-terminated), or NULL */
	bool sidebar;                       /* shown at start; default false */
	int sidebar_width;                  /* columns, 10..80; default 24 */
	struct account_config *accounts;
	size_t n_accounts;
};

/*
 * The file to read: CLI_PATH when given, else $SURAT_CONFIG, else
 * $XDG_CONFIG_HOME/surat/config, else ~/.config/surat/config.  Returns a new
 * string (g_free).
 */
char *config_default_path(const char *cli_path);

/*
 * Read and validate PATH.  Returns the configuration, or NULL when anything is
 * wrong; then ERRORS (a GPtrArray of g_free'd char *, may not be NULL) holds
 * one "FILE:LINE: key: what is wrong" line per problem.  WARNINGS (may be
 * NULL) receives lines about things that work but are unwise, such as a
 * password in a file that group or others can read.
 */
struct surat_config *config_load(const char *path, GPtrArray *errors, GPtrArray *warnings);

/* Free CONFIG (NULL is fine); passwords are zeroed first. */
void config_free(struct surat_config *config);

/* The account named NAME, or NULL. */
const struct account_config *config_account(const struct surat_config *config, const char *name);

/*
 * True when NAME is a valid account name: 1 to 64 of [A-Za-z0-9._-], not
 * starting with '.' (no "." or ".." as a Maildir) or '-' (never taken for an
 * option), and not a name of the files beside the Maildirs in the store: any
 * starting with "index.db" (the index and SQLite's files), "fetch.log"; in
 * any case.
 */
bool config_account_name_valid(const char *name);

/* The names used in the file for an enum value ("implicit", "cram-md5"…); "?" when out of range. */
const char *config_tls_name(enum pop3_tls tls);
const char *config_auth_name(enum pop3_auth auth);
const char *config_smtp_tls_name(enum smtp_tls tls);
const char *config_smtp_auth_name(enum smtp_auth auth);

/* The name of a sort order as written in the file ("date"); "?" when out of range. */
const char *config_sort_name(enum config_sort sort);

/*
 * Parse a sort order as the `sort` key takes it ("subject", "reverse-date";
 * case does not matter), for `:set sort` at run time.  Sets *SORT and
 * *REVERSE and returns true, or returns false.
 */
bool config_sort_parse(const char *text, enum config_sort *sort, bool *reverse);

/*
 * The argv to run for new mail: CONFIG's new_mail_argv with, in each word,
 * %n replaced by N_NEW (messages that just arrived), %u by N_UNREAD (unread
 * messages in all accounts), %a by ACCOUNTS (the names of the accounts they
 * arrived in, comma-separated; may be NULL) and %% by %.  Returns a new
 * NULL-terminated vector (g_strfreev), or NULL when no command is set.
 */
/*
 * The editor to write mail in, an argv string: CONFIG's editor, else
 * $VISUAL, else $EDITOR, else "vi" (CONFIG may be NULL).  Borrowed.
 */
const char *config_editor(const struct surat_config *config);

/*
 * The mutt alias file to read and to add aliases to: CONFIG's alias_file,
 * else $XDG_CONFIG_HOME/surat/aliases, else ~/.config/surat/aliases.  A
 * new string.
 */
char *config_alias_file(const struct surat_config *config);

/* The accounts' from addresses, NULL-terminated (g_strfreev): the person's own. */
char **config_own_addresses(const struct surat_config *config);

/*
 * CONFIG's alternates as one regular expression over a whole address, any
 * case (g_regex_unref), or NULL when there are none.
 */
GRegex *config_alternates(const struct surat_config *config);

/* The name of a colour rule's object ("index"), or "?"; and back (false: no such object). */
const char *config_color_object_name(enum config_color_object object);
bool config_color_object_parse(const char *text, enum config_color_object *object);

/*
 * A colour rule's regular expression compiled as the rules use it: case
 * does not matter when it has no upper-case letter (mutt's rule).  NULL
 * with ERROR set when it is not one.
 */
GRegex *config_color_regex(const char *pattern, GError **error);

char **config_new_mail_argv(const struct surat_config *config, unsigned int n_new,
    unsigned int n_unread, const char *accounts);

#endif
