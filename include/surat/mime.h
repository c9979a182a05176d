/*
 * mime: the GMime pieces that render.c, attach.c and summary.c share, so that
 * the pager, attachments and the index read a message the same way and number
 * its parts alike: reading a file with a cap, the lenient parse with its work
 * cap, the part numbering, decoding a part, and a part's type, name and size.
 * Charset conversion to UTF-8 with the fallbacks lives here too.
 *
 * Not for the interface: use render.h and attach.h.  Nothing here prints.
 */
#ifndef SURAT_MIME_H
#define SURAT_MIME_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>
#include "surat/mime-lib.h"

#define MIME_MAX_INPUT   (256 * 1024 * 1024) /* bytes of a message read */
#define MIME_MAX_DEPTH   20                  /* MIME nesting followed */
#define MIME_MAX_PARTS   1000                /* MIME parts numbered */
#define MIME_EXACT_SIZE  (1024 * 1024)       /* encoded bytes decoded to size a part */

/* One numbered part. */
struct mime_numbered {
	GMimeObject *object; /* borrowed from the message */
	int depth;           /* 0 in the message, +1 per forwarded message */
};

/*
 * Read the file PATH ("-": standard input), at most MIME_MAX_INPUT bytes.
 * Returns the bytes, or NULL with errno set (EISDIR for a folder, ENOENT for
 * an empty PATH).
 */
GByteArray *mime_read_file(const char *path);

/*
 * Parse LEN bytes at BUF (borrowed; must outlive the message) as a message,
 * with headers in raw 8-bit read as UTF-8, else each charset of FALLBACKS
 * (NULL: windows-1252).  *CUT is set when the input was cut because its
 * boundary structure would cost GMime too much work (see render.md).
 * Returns NULL when no message can be read.
 */
GMimeMessage *mime_parse(const char *buf, size_t len, const char *const *fallbacks, bool *cut);

/*
 * mime_parse over the file PATH, read as GMime needs it, so a large message
 * is never held whole in memory (the message's parts read from the file
 * while it lives).  *MESSAGE is NULL when no message can be read.  False
 * with ERROR only when the file cannot be read, or GMime cannot be loaded
 * (mime-lib.h).
 */
bool mime_parse_file(const char *path, const char *const *fallbacks, GMimeMessage **message,
    bool *cut, GError **error);

/*
 * The numbered parts of MESSAGE in number order (element i is number i + 1):
 * leaves and message/rfc822 parts, depth first, MIME_MAX_DEPTH levels and
 * MIME_MAX_PARTS parts at most.  An array of struct mime_numbered (free it).
 */
GArray *mime_number(GMimeMessage *message);

/* Decode the content of PART (transfer encoding undone), at most MAX bytes. */
GByteArray *mime_decode(GMimePart *part, size_t max);

/*
 * Write OBJECT's decoded bytes to OUT: a part's content decoded, a
 * message/rfc822 part's message as it is.  False when OUT fails (errno).
 */
bool mime_write_decoded(GMimeObject *object, GMimeStream *out);

/* Decoded size of OBJECT: exact up to MIME_EXACT_SIZE encoded bytes, estimated above. */
int64_t mime_size(GMimeObject *object);

/* The lowercase "type/subtype" of OBJECT, sanitized (g_free). */
char *mime_type(GMimeObject *object);

/* OBJECT's file name as written (decoded), or NULL: filename=, else name=. */
const char *mime_raw_name(GMimeObject *object);

/* True when OBJECT says Content-Disposition: attachment. */
bool mime_is_attachment(GMimeObject *object);

/* True when OBJECT is TYPE/SUBTYPE ("*" matches any subtype). */
bool mime_is_type(GMimeObject *object, const char *type, const char *subtype);

/*
 * Text in CHARSET (may be NULL) as UTF-8 (g_free; *OUT_LEN its length): the
 * declared charset when it converts cleanly; else UTF-8 when the text looks
 * so; else the declared charset (UTF-8 too) when at most 1% of the bytes, or
 * one, failed; else the first of FALLBACKS (NULL: windows-1252) that
 * converts cleanly, else the last one with replacements.  Latin-1 labels
 * read as windows-1252; an ASCII label counts as none (8-bit bytes under it
 * are UTF-8 or a fallback).  The result may still hold invalid bytes when
 * nothing converts; sanitize_text replaces them.
 */
char *mime_to_utf8(const char *s, size_t len, const char *charset, const char *const *fallbacks,
    size_t *out_len);

/*
 * The LEN decoded bytes at DATA of the text leaf OBJECT as UTF-8 (g_free;
 * *OUT_LEN its length), the same for the pager and for search: read in the
 * declared charset with FALLBACKS (mime_to_utf8); text/html made valid UTF-8,
 * since libxml2 stops at the first bad byte.  With HTML_META, HTML that
 * declares no charset and does not look like UTF-8 comes back as it is and
 * *RAW_HTML is set: the HTML parser is to read the charset from the
 * document's own <meta>.
 */
char *mime_text_utf8(GMimeObject *object, const char *data, size_t len,
    const char *const *fallbacks, bool html_meta, size_t *out_len, bool *raw_html);

/* True when LEN bytes at S read best as UTF-8 (valid, or more valid multi-byte characters than stray bytes). */
bool mime_looks_utf8(const char *s, size_t len);

#endif
