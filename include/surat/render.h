/*
 * render: turn one message into display lines tagged with a role (header,
 * body, quote level, signature, attachment, ...).  The pager colours the
 * roles; `surat show` prints the text.  One code path for both.
 *
 * Parsing is GMime's.  Every line comes out of sanitize.h: valid UTF-8, no
 * control characters, no newline.  Malformed mail renders what can be read.
 *
 * What it never does: draw, or run a command.
 */
#ifndef SURAT_RENDER_H
#define SURAT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

enum render_role {
	RENDER_HEADER,     /* "Name: value"; name_len bytes are the name and colon */
	RENDER_BODY,       /* ordinary text */
	RENDER_QUOTE,      /* quoted text; quote_level >= 1 */
	RENDER_SIGNATURE,  /* from the "-- " line on */
	RENDER_ATTACHMENT, /* an entry of the attachment list */
	RENDER_SEPARATOR,  /* between headers and body, between parts */
	RENDER_LINK,       /* an entry of the link list under an HTML body */
};

struct render_line {
	enum render_role role;
	int quote_level; /* RENDER_QUOTE: 1 for "> ", 2 for "> > " ... */
	int name_len;    /* RENDER_HEADER: bytes of "Name:" at the start of text */
	char *text;      /* sanitized UTF-8, no newline */
};

struct render_attachment {
	int number;      /* 1-based, as listed */
	char *name;      /* sanitized base name (no directory, no leading dot), or "" */
	char *type;      /* "image/png" */
	int64_t size;    /* decoded size in bytes (estimated for encoded parts) */
};

struct rendering {
	GPtrArray *lines;       /* struct render_line * */
	GPtrArray *attachments; /* struct render_attachment * */
};

struct render_options {
	bool full_headers; /* every header as in the file, else From To Cc Date Subject */
};

#define RENDER_ERROR (render_error_quark())
GQuark render_error_quark(void);

enum render_error_code {
	RENDER_ERROR_READ, /* the file could not be opened or read */
};

/*
 * Render LEN bytes at BUF.  Never fails: garbage gives what could be read
 * (at least the headers block, possibly empty).
 */
struct rendering *render_bytes(const char *buf, size_t len, const struct render_options *options);

/*
 * Render the file PATH ("-" is standard input); fails only when it cannot be
 * read, with RENDER_ERROR_READ and the message "PATH: <strerror>".  At most
 * the first 256 MB are read.  The result is the caller's (render_free).
 */
struct rendering *render_file(const char *path, const struct render_options *options, GError **error);

void render_free(struct rendering *r);

/* The lines joined with '\n' (and a final newline): what `surat show` prints. */
char *render_to_text(const struct rendering *r);

#endif
