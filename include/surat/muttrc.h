/*
 * muttrc: what `surat import-muttrc FILE` prints, the lines of a mutt or
 * neomutt configuration translated into surat.conf(5) settings.
 *
 * It reads the file (and the files it sources, as mutt would) and never
 * writes one.  What it understands: bind, unbind, macro, color with a
 * pattern or regular expression, set/unset of the options surat has an
 * equivalent of, mailboxes (as saved searches of those folders),
 * alternates, alternative_order, auto_view, ignore/unignore (as
 * headers_shown) and source.  Every other line comes out as a comment that
 * quotes it and says why it was left (no such option in surat, a hook, a
 * command surat does not need...), so the person can see what is missing.
 *
 * mutt's syntax: commands separated by ';' or lines, '#' comments,
 * backslash-newline continuations, "double" quotes (backslash escapes) and
 * 'single' quotes; `backticks` and $variables are not expanded (such a line
 * is reported, not guessed at).
 */
#ifndef SURAT_MUTTRC_H
#define SURAT_MUTTRC_H

#include <stdbool.h>
#include <glib.h>

/* How deep source may nest before it is taken for a loop. */
#define MUTTRC_SOURCE_DEPTH 8

/*
 * Call FN with each logical line of TEXT as mutt reads a muttrc (and an
 * alias file): a CR before the LF dropped, a backslash at a line's end
 * joining it to the next.  FIRST is the number of its first line (1-based);
 * LINE may be changed by FN.
 */
typedef void (*muttrc_line_fn)(char *line, unsigned int first, void *data);
void muttrc_each_line(const char *text, muttrc_line_fn fn, void *data);

/*
 * Translate the muttrc at PATH.  Returns the configuration text (a new
 * string: libconfig settings with a comment for each line not translated),
 * or NULL with ERROR naming PATH when it cannot be read.  *TRANSLATED and
 * *LEFT (may be NULL) count the commands translated and left as comments.
 */
char *muttrc_translate(const char *path, unsigned int *translated, unsigned int *left,
    GError **error);

#endif
