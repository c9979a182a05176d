/*
 * html: HTML to readable plain text with libxml2's HTML parser.  Block
 * elements start lines, <br> breaks them, lists get markers, script and style
 * are dropped, entities are decoded; links are collected as numbered
 * references "[N]" whose targets are appended to LINKS.
 *
 * The output is UTF-8 but not yet sanitized: callers pass it through
 * sanitize.h like any other text from a message.
 */
#ifndef SURAT_HTML_H
#define SURAT_HTML_H

#include <stddef.h>
#include <glib.h>

/*
 * Convert LEN bytes of HTML in CHARSET (NULL: UTF-8, or what the document
 * declares) to text.  LINKS (may be NULL) receives the link targets
 * (g_free'd char *) in reference order.  Returns a new string.
 */
char *html_to_text(const char *html, size_t len, const char *charset, GPtrArray *links);

#endif
