/*
 * contacts: the address books a person keeps outside surat's index, in
 * mutt's formats, so the ones they have work as they are:
 *
 *   alias files   `alias KEY ADDRESS[, ADDRESS...]` lines (alias_file),
 *                 read whole, appended to by the index's `a`;
 *   query_command a program that prints matches for what was typed
 *                 (abook --mutt-query, khard email --parsable, notmuch
 *                 address, `surat addresses`): a first line for people,
 *                 then ADDRESS<Tab>NAME[<Tab>ANYTHING] lines.
 *
 * It reads and appends files and runs a command through command.h; it
 * knows nothing of the index, of messages or of the screen.  Addresses are
 * text here; compose.h checks them.
 */
#ifndef SURAT_CONTACTS_H
#define SURAT_CONTACTS_H

#include <stdbool.h>
#include <glib.h>

#define CONTACTS_ERROR (contacts_error_quark())
GQuark contacts_error_quark(void);

enum contacts_error_code {
	CONTACTS_ERROR_FILE,    /* the alias file cannot be read or written */
	CONTACTS_ERROR_ALIAS,   /* a key that cannot be an alias, or one already there */
	CONTACTS_ERROR_COMMAND, /* query_command failed or cannot be split */
};

/* One match: an alias (KEY set) or an address with its name. */
struct contact_entry {
	char *key;     /* the alias, or NULL */
	char *name;    /* a display name, or NULL */
	char *address; /* an address; for an alias, its whole list as written */
};

void contact_entry_free(struct contact_entry *e);

struct contacts_aliases;

/*
 * The aliases of the file PATH (NULL or a missing file: none).  Lines
 * joined by a trailing backslash; `#` at the start of a line or after a
 * space (outside quotes) starts a comment; `-group NAME` options are
 * skipped; lines other than alias (unalias, set, source...) are left alone,
 * as a file shared with mutt has them.  A later alias of a key replaces an
 * earlier one.  Fails only when the file exists and cannot be read.
 */
struct contacts_aliases *contacts_aliases_load(const char *path, GError **error);
void contacts_aliases_free(struct contacts_aliases *aliases);

/* The address list of alias KEY (any case), or NULL. */
const char *contacts_alias_lookup(const struct contacts_aliases *aliases, const char *key);

/*
 * The aliases whose key, or whose list's text at a word's start, begins
 * with PREFIX (any case), keys in order, appended to OUT (struct
 * contact_entry *, the caller's).
 */
void contacts_aliases_complete(const struct contacts_aliases *aliases, const char *prefix,
    GPtrArray *out);

/*
 * Check KEY as a new alias: 1 to 64 bytes of printable UTF-8 without
 * spaces, commas, quotes, `#`, `<`, `>` or `@` (what would be read back as
 * something else).  CONTACTS_ERROR_ALIAS says what is wrong.
 */
bool contacts_alias_key_ok(const char *key, GError **error);

/*
 * Append "alias KEY ADDRESSES" to the file PATH (created 0600 with its
 * folder when missing), synced.  KEY is checked as contacts_alias_key_ok
 * does and must not be in the file already (read again: another program
 * may have written it); ADDRESSES must be one line.
 */
bool contacts_alias_add(const char *path, const char *key, const char *addresses,
    GError **error);

/*
 * Run COMMAND (an argv string as config.h keeps it: every argument that is
 * exactly "%s" becomes TEXT, else TEXT is appended; TEXT stays one argument)
 * for up to TIMEOUT_MS, and append its matches to OUT (struct contact_entry
 * *): every line after the first with an address before a tab.  A program
 * that exits 1 having printed one line (mutt's "no matches") found nothing;
 * other failures are CONTACTS_ERROR_COMMAND, naming the program.
 */
bool contacts_query(const char *command, const char *text, int timeout_ms, GPtrArray *out,
    GError **error);

#endif
