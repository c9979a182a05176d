/*
 * format: mutt's printf-like line formats (index_format, status_format,
 * pager_format; surat.conf(5)).  A format is compiled once (when the
 * configuration is read, or at `:set`) into a list of items; expanding it
 * for one row walks that list, asks the caller for each code's value and
 * lays the pieces out in the columns given: %-15.15n widths and cuts,
 * %>X %*X %|X fills, %?x?yes&no? and %<x?yes&no> conditionals, %{...}
 * %[...] %(...) dates.
 *
 * It knows which codes each kind of format takes (so an unknown one is an
 * error when the configuration is read) but not what they mean: the caller's
 * format_field_fn gives the text.  Every width is display columns (width.h).
 *
 * What it never does: decide what a code shows, draw, or read the index.
 */
#ifndef SURAT_FORMAT_H
#define SURAT_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define FORMAT_ERROR (format_error_quark())
GQuark format_error_quark(void);

/* date_format (and %{...}) "relative": "14:05" today, "Mon 14:05" this week... */
#define FORMAT_DATE_RELATIVE "relative"

/* Which codes a format takes. */
enum format_kind {
	FORMAT_INDEX,  /* index_format: one message */
	FORMAT_PAGER,  /* pager_format: the open message, as index_format, and %P */
	FORMAT_STATUS, /* status_format: the view (mailbox, counts, sort, limit, work) */
};

struct format;

/*
 * Compile TEXT for KIND (g_free with format_free), or NULL with ERROR saying
 * what is wrong in one line: an unknown code (with the list of known ones), a
 * conditional or a date not closed, a fill inside a conditional.  Literal text is
 * made safe (sanitize.h) here, once.
 */
struct format *format_compile(const char *text, enum format_kind kind, GError **error);
void format_free(struct format *f);

/* The codes KIND takes, as an error or the documentation lists them. */
const char *format_codes(enum format_kind kind);

/* What the caller gives for one code. */
struct format_field {
	GString *text;       /* append the value (made safe: sanitize.h); starts empty */
	gssize mark_start;   /* bytes of TEXT drawn apart (the thread tree, the limit), */
	gssize mark_end;     /* or -1 for none */
};

/*
 * The value of CODE (a letter, or '{' '[' '(' for a date whose strftime text
 * is ARG; ARG is NULL for a letter).  COLS is -1, or for a code that fits
 * itself into what the line leaves (%s: the thread tree takes at most half)
 * the columns it may take.
 */
typedef void (*format_field_fn)(void *data, char code, const char *arg, int cols,
    struct format_field *out);

/* A span of the expanded line (bytes) that a field marked. */
struct format_mark {
	size_t start, end;
};

/*
 * Append F expanded into at most COLS columns (-1: no limit) to OUT, asking
 * FN for the values; MARKS (may be NULL; of struct format_mark) gets the
 * marked spans, as offsets into OUT.  The line is not padded unless F has a
 * fill (%>X %*X %|X); the caller pads.
 */
void format_expand(const struct format *f, int cols, format_field_fn fn, void *data, GString *out,
    GArray *marks);

/*
 * Append the Unix time T in local time to OUT with FORMAT: strftime, or
 * FORMAT_DATE_RELATIVE, which writes "14:05" for a time today, "Mon 14:05"
 * for one in the six days before, "Nov 28" for one earlier this year (or
 * later in it) and "2025-11-28" for any other, counting from NOW.
 */
void format_date(GString *out, int64_t t, const char *format, int64_t now);

#endif
