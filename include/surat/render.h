/*
 * render: turn one message into display lines tagged with a role (header,
 * body, quote level, signature, attachment, ...).  The pager colours the
 * roles; `surat show` prints the text.  One code path for both.
 *
 * Parsing is GMime's.  Every line comes out of sanitize.h: valid UTF-8, no
 * control characters, no newline.  Malformed mail renders what can be read.
 *
 * The rendering also carries the links found in the text (URLs in plain text,
 * anchors in HTML), numbered in order of appearance, with the places where
 * each appears (line and byte range), so the pager can highlight them, wrap
 * them in OSC 8 and open one with url_command (see command.h).
 *
 * Width: with options->width > 0, format=flowed paragraphs are reflowed and
 * over-long lines wrapped at word boundaries to that many columns (quoted
 * lines keep their "> " prefix on each piece).  A pager whose width changes
 * renders again; the output of html_command and auto_view viewers is cached
 * (the last few, by content), so that does not run them again.
 *
 * What it never does: draw, or run a command other than the configured
 * html_command and auto_view mailcap viewers (argv, no shell of its own,
 * with a timeout, output sanitized).
 */
#ifndef SURAT_RENDER_H
#define SURAT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

struct mailcap;
struct surat_config;

enum render_role {
	RENDER_HEADER,     /* "Name: value"; name_len bytes are the name and colon */
	RENDER_BODY,       /* ordinary text */
	RENDER_QUOTE,      /* quoted text; quote_level >= 1 */
	RENDER_SIGNATURE,  /* from the "-- " line on */
	RENDER_ATTACHMENT, /* an entry of the attachment list */
	RENDER_SEPARATOR,  /* between headers and body, between parts */
	RENDER_LINK,       /* an entry of the link list under an HTML body */
	RENDER_NOTE,       /* surat's own words: "[signed part ...]", "[... not shown]" */
};

struct render_line {
	enum render_role role;
	int quote_level;  /* RENDER_QUOTE: 1 for "> ", 2 for "> > " ... */
	int name_len;     /* RENDER_HEADER: bytes of "Name:" at the start of text */
	char *text;       /* sanitized UTF-8, no newline */
	guint span_first; /* this line's link places: rendering->spans[span_first] ... */
	guint span_count; /* ... and the span_count after it (0: none) */
};

/*
 * A link: numbered from 1 in order of first appearance across the whole
 * message (text and HTML parts alike).  The same URL seen again in plain text
 * keeps its number; each HTML anchor shows "[N]" after its text.
 */
struct render_link {
	int number;   /* 1-based; links->pdata[number - 1] */
	char *url;    /* as written, sanitized; at most 2,048 bytes; for display */
	char *target; /* printable ASCII (0x21..0x7e, other bytes %-encoded), safe for
	                 url_command and OSC 8; NULL when the scheme is not http, https,
	                 ftp or mailto (javascript:, data:, cid: ... are never opened) */
	guint line;   /* index of the first line where it appears */
};

/* One place where a link appears: bytes [start, end) of one line's text. */
struct render_span {
	guint line;  /* index into rendering->lines */
	guint start; /* byte offset in that line's text */
	guint end;   /* byte offset past the end (> start) */
	int link;    /* the link's number */
};

struct render_attachment {
	int number;   /* the part number, as attach.h numbers parts (--part N) */
	char *name;   /* safe file name (attach_safe_name rules), or "" */
	char *type;   /* "image/png" */
	int64_t size; /* decoded size in bytes (estimated for parts over 1 MB encoded) */
};

struct rendering {
	GPtrArray *lines;       /* struct render_line * */
	GPtrArray *attachments; /* struct render_attachment * */
	GPtrArray *links;       /* struct render_link *, in number order */
	GArray *spans;          /* struct render_span, in line order */
};

/*
 * How to render.  All pointers are borrowed for the duration of the call; a
 * NULL list or string means the default shown.  render_options_init() fills
 * one from the configuration; a zeroed struct gives the defaults.
 */
struct render_options {
	bool full_headers;                    /* every header as in the file */
	int width;                            /* reflow/wrap width in columns; 0: none */
	const char *date_format;              /* strftime; "%a, %d %b %Y %H:%M" */
	const char *const *headers_shown;     /* From To Cc Date Subject, in that order */
	const char *const *alternative_order; /* text/plain text/html text/enriched */
	const char *const *charset_fallbacks; /* windows-1252 */
	const char *html_command;             /* e.g. "w3m -dump -T text/html"; NULL: built in */
	const char *const *auto_view;         /* types shown through a copiousoutput viewer */
	const struct mailcap *mailcap;        /* where auto_view finds viewers; NULL: none */
	int command_timeout_ms;               /* for html_command and viewers; 0: 10,000 */
};

#define RENDER_DATE_FORMAT "%a, %d %b %Y %H:%M"

#define RENDER_ERROR (render_error_quark())
GQuark render_error_quark(void);

enum render_error_code {
	RENDER_ERROR_READ, /* the file could not be opened or read */
};

/*
 * Fill OPTIONS from CONFIG (may be NULL: the defaults): date_format,
 * headers_shown, alternative_order, charset_fallbacks, html_command and
 * auto_view are borrowed from CONFIG, which must outlive every use of
 * OPTIONS.  width, full_headers and mailcap are left 0/false/NULL for the
 * caller to set.
 */
void render_options_init(struct render_options *options, const struct surat_config *config);

/*
 * Render LEN bytes at BUF.  Never fails: garbage gives what could be read
 * (at least the headers block, possibly empty).  OPTIONS may be NULL.
 */
struct rendering *render_bytes(const char *buf, size_t len, const struct render_options *options);

/*
 * Render the file PATH ("-" is standard input); fails only when it cannot be
 * read, with RENDER_ERROR_READ and the message "PATH: <strerror>", or when
 * GMime cannot be loaded (mime-lib.h).  At most the first 256 MB are read.
 * The result is the caller's (render_free).
 */
struct rendering *render_file(const char *path, const struct render_options *options, GError **error);

void render_free(struct rendering *r);

/*
 * DATE in local time with FORMAT (strftime; NULL or "": RENDER_DATE_FORMAT),
 * as the pager shows a Date (g_free); NULL when DATE is NULL or does not
 * format.
 */
char *render_date_text(GDateTime *date, const char *format);

/* The lines joined with '\n' (and a final newline): what `surat show` prints. */
char *render_to_text(const struct rendering *r);

/* Link NUMBER of R, or NULL when there is none. */
const struct render_link *render_link_get(const struct rendering *r, int number);

#endif
