/*
 * mailcap: RFC 1524 viewer entries from the files of mailcap_path
 * (~/.mailcap, /etc/mailcap), and the command line to view one part.
 *
 * DESIGN promise 3: a mailcap command is a shell command written by the
 * user or the system, so it runs with /bin/sh -c; the only things surat puts
 * into it are the temporary file's path (surat chose it; single-quoted), the
 * MIME type when it is a plain type (else the entry is refused) and the fixed
 * value "utf-8" for %{charset} (attach.h writes text parts as UTF-8).
 * Every other substitution that would carry message text (%{name},
 * %n, %F) makes the entry refused with MAILCAP_ERROR_UNSAFE.  nametemplate
 * is read and ignored: surat names its files itself.
 *
 * A plain type is "type/subtype", each an RFC 2045 token kept to letters,
 * digits and ". + - _" (nothing a shell reads specially), starting with a
 * letter or digit (so a viewer never takes it for an option: "-x/y" is not
 * one) and at most 127 characters long (RFC 6838).
 *
 * Flow (the attachment view's Enter):
 *     m = mailcap_load(config->mailcap_path, warnings);
 *     tmp = attach_write_temp(a, n, &error);
 *     e = mailcap_find(m, part->type, 0, tmp);
 *     argv = mailcap_command(e, part->type, tmp, &use_stdin, &error);
 *     run argv (needsterminal: with the terminal; copiousoutput: output into
 *     a pager), then attach_remove_temp(tmp).
 */
#ifndef SURAT_MAILCAP_H
#define SURAT_MAILCAP_H

#include <stdbool.h>
#include <glib.h>

struct mailcap_entry {
	char *type;         /* lowercase "type/subtype", or "type/" and "*" for any subtype */
	char *view;         /* the view command as written, backslashes kept */
	char *test;         /* the test= command, or NULL */
	bool needsterminal; /* the viewer needs the terminal */
	bool copiousoutput; /* the viewer prints text, fit for a pager or auto_view */
	char *file;         /* where the entry was read ... */
	int line;           /* ... and on which line (the first of a continued entry) */
};

struct mailcap {
	GPtrArray *entries; /* struct mailcap_entry *, in file order: the first match wins */
};

#define MAILCAP_ERROR (mailcap_error_quark())
GQuark mailcap_error_quark(void);

enum mailcap_error_code {
	MAILCAP_ERROR_READ,   /* a mailcap file exists but cannot be read */
	MAILCAP_ERROR_UNSAFE, /* the entry would put message text into a command */
	MAILCAP_ERROR_NONE,   /* no entry for the type */
};

/* An empty set of entries. */
struct mailcap *mailcap_new(void);

void mailcap_free(struct mailcap *m);

/*
 * Add the entries of the file PATH (~ expanded).  A missing file is not an
 * error (returns true, nothing added); an unreadable one is
 * (MAILCAP_ERROR_READ, "PATH: <strerror>").  Lines that cannot be read as an
 * entry (no type, no view field) are skipped, each adding "PATH:LINE: ..." to
 * WARNINGS (may be NULL).  At most 1 MB of a file and 10,000 entries.
 */
bool mailcap_add_file(struct mailcap *m, const char *path, GPtrArray *warnings, GError **error);

/* Add the entries in TEXT as if read from a file called NAME (tests, and one place for the parser). */
void mailcap_add_text(struct mailcap *m, const char *text, const char *name, GPtrArray *warnings);

/*
 * A new set from each file of PATHS (NULL-terminated; NULL: ~/.mailcap then
 * /etc/mailcap), in order.  Problems go to WARNINGS (may be NULL), one line
 * each; never fails.
 */
struct mailcap *mailcap_load(const char *const *paths, GPtrArray *warnings);

#define MAILCAP_COPIOUSOUTPUT 0x1 /* only entries with copiousoutput */
#define MAILCAP_NO_TERMINAL   0x2 /* skip entries with needsterminal */

/*
 * The first entry matching TYPE (exactly, or an entry "type/" + "*") whose test= passes,
 * NULL when none.  A test= command is expanded like a view command (%s is
 * PATH, quoted; a test that needs %s fails when PATH is NULL; a refused
 * expansion fails the test) and run with /bin/sh -c, standard input and
 * output on /dev/null, for at most 5 seconds; exit status 0 passes.  TYPE
 * that is not a plain type matches nothing.  FLAGS:
 * MAILCAP_COPIOUSOUTPUT, MAILCAP_NO_TERMINAL.
 */
const struct mailcap_entry *mailcap_find(const struct mailcap *m, const char *type,
    unsigned int flags, const char *path);

/*
 * The template TEMPLATE expanded for TYPE and PATH: %s becomes PATH in single
 * quotes (PATH NULL: refused; inside the template's own '...' or "..." those
 * are closed around it; right after a backslash refused), %t becomes TYPE
 * when it is a plain type (else refused), %{charset} becomes utf-8, %% a %, a
 * backslash keeps the next character as it is (\% is a %); %{other}, %n and
 * %F are refused.  *USES_FILE (may be NULL) tells whether %s was used.
 * Returns a new string, or NULL with MAILCAP_ERROR_UNSAFE saying what was
 * refused.
 */
char *mailcap_expand(const char *template, const char *type, const char *path, bool *uses_file,
    GError **error);

/*
 * The argv of ENTRY's view command for the file PATH of type TYPE:
 * { "/bin/sh", "-c", expanded, NULL } (g_strfreev).  When the command has no
 * %s, *PIPE_FILE (may be NULL) is set: the caller feeds the file on standard
 * input, as RFC 1524 says.  Fails as mailcap_expand, with the entry's file and
 * line in the message; ENTRY NULL fails with MAILCAP_ERROR_NONE.
 */
char **mailcap_command(const struct mailcap_entry *entry, const char *type, const char *path,
    bool *pipe_file, GError **error);

/* S in single quotes for /bin/sh ("'" becomes '\''). */
char *mailcap_quote(const char *s);

#endif
