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
 * (g_free'd char *) in reference order.  Returns a new string, or NULL with
 * ERROR set when libxml2 cannot be loaded (it is loaded at the first call).
 */
char *html_to_text(const char *html, size_t len, const char *charset, GPtrArray *links,
    GError **error);

/*
 * With HTML_MARK_ANCHORS, html_render() writes no "[N]": the text of each
 * anchor with a target is put between HTML_ANCHOR_OPEN and HTML_ANCHOR_CLOSE
 * (private-use characters U+E000 and U+E001, which are taken out of the
 * document's own text first, so only surat's marks remain), and its target
 * appended to LINKS, for render.c to number and place.
 */
#define HTML_MARK_ANCHORS 0x1
#define HTML_ANCHOR_OPEN  "\xee\x80\x80" /* U+E000 */
#define HTML_ANCHOR_CLOSE "\xee\x80\x81" /* U+E001 */

/* html_to_text() with FLAGS (HTML_MARK_ANCHORS or 0). */
char *html_render(const char *html, size_t len, const char *charset, GPtrArray *links,
    unsigned int flags, GError **error);

#endif
