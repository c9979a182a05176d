/*
 * render-private: what render.c (the MIME walk, attachments),
 * render-headers.c (the headers block) and render-text.c (text to lines:
 * flowed, quotes, signature, links, wrapping) share.  Only those files
 * include it.
 */
#ifndef SURAT_RENDER_PRIVATE_H
#define SURAT_RENDER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include "surat/mime-lib.h"

#include "surat/render.h"

#define RENDER_MAX_LINES 500000 /* body lines in all */
#define RENDER_MAX_LINKS 1000   /* links numbered in one message */
#define RENDER_MAX_URL   2048   /* bytes of a URL kept */

struct render_ctx {
	struct rendering *r;
	const struct render_options *options;
	GHashTable *numbers;   /* GMimeObject * -> part number */
	GHashTable *link_urls; /* url -> number, so one URL keeps one number */
	size_t text_left;      /* decoded text bytes still allowed */
	int lines;             /* body lines so far */
	int parts;             /* MIME parts visited */
	int shown;             /* text parts shown in the current message */
	int anchor;            /* the HTML anchor open across lines (its number), or 0 */
	bool noted_depth;      /* "nested too deeply" said */
	bool noted_parts;      /* "too many parts" said */
	bool noted_lines;      /* "too many lines" said */
	bool noted_links;      /* "too many links" said */
	bool cut_input;        /* the input was cut short before parsing */
};

/* Flags of render_text_body(). */
#define RENDER_TEXT_FLOWED  0x1 /* format=flowed (RFC 3676) */
#define RENDER_TEXT_DELSP   0x2 /* with DelSp=yes */
#define RENDER_TEXT_ANCHORS 0x4 /* html.h anchor marks: anchors in ANCHORS, in order */

/* Append a line (TEXT taken, already sanitized); returns its index. */
guint render_text_add(struct render_ctx *ctx, enum render_role role, int quote_level, int name_len,
    char *text);

/* Append a separator, unless it would only double an empty one. */
void render_text_separator(struct render_ctx *ctx, const char *text);

/* Append a note of ours (never message text). */
void render_text_note(struct render_ctx *ctx, const char *text);

/*
 * Append LEN bytes of UTF-8 text as lines: quotes, signature, links found,
 * flowed paragraphs joined, lines wrapped to the width.  ANCHORS holds the
 * link targets of RENDER_TEXT_ANCHORS marks (char *), consumed from
 * *NEXT_ANCHOR on; the numbers given go to NUMBERS (int, may be NULL).
 */
void render_text_body(struct render_ctx *ctx, const char *text, size_t len, unsigned int flags,
    GPtrArray *anchors, guint *next_anchor, GArray *numbers);

/* The number of URL as a link (a new one, or the one it already has); 0 past the cap. */
int render_text_link_number(struct render_ctx *ctx, const char *url, size_t len, guint line);

/* text/enriched (RFC 1896) as plain text (g_free). */
char *render_text_enriched(const char *s, size_t len);

/* render-headers.c: append the headers block of MESSAGE (headers_shown, or all with full_headers). */
void render_headers_add(struct render_ctx *ctx, GMimeMessage *message);

#endif
