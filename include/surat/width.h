/*
 * width: display columns of UTF-8 text as a terminal draws it: CJK and other
 * wide characters take two columns, combining marks and zero-width characters
 * none.  Used by every place that lines up columns (TUI and `surat list`).
 *
 * Input must be valid UTF-8 (run it through sanitize.h first).
 */
#ifndef SURAT_WIDTH_H
#define SURAT_WIDTH_H

#include <stddef.h>
#include <glib.h>

/* Columns taken by one character (0, 1 or 2). */
int width_char(gunichar c);

/* Columns taken by S (NUL-terminated). */
int width_of(const char *s);

/*
 * Bytes of S that fit in COLS columns without splitting a character; a
 * combining mark stays with its base.  *USED (may be NULL) gets the columns
 * those bytes take (less than COLS when a wide character would not fit).
 */
size_t width_prefix(const char *s, int cols, int *used);

/*
 * A new string (g_free) holding S cut to COLS columns; with PAD, spaces are
 * added so it takes exactly COLS columns.
 */
char *width_fit(const char *s, int cols, int pad);

#endif
