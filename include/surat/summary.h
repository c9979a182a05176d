/*
 * summary: what the index needs from one message file, parsed with GMime:
 * Message-ID, In-Reply-To, References, Date, From, To, Subject, whether it has
 * attachments, and its body as plain text for full-text search.
 *
 * Malformed mail still gives a summary (empty fields where nothing could be
 * read).  Strings come out sanitized (sanitize.h), so the index never holds
 * text that is unsafe to draw.
 */
#ifndef SURAT_SUMMARY_H
#define SURAT_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "index.h"

/* Upper bound on the body text kept for search, in bytes. */
#define SUMMARY_BODY_MAX (256 * 1024)

/*
 * Fill the header fields of MSG (message_id, in_reply_to, references, date,
 * from, from_addr, to, to_addr, cc, cc_addr, subject, has_attachment) from
 * the LEN bytes at BUF, read as the pager reads them (mime.h): text without
 * a usable charset label is UTF-8, else the first of FALLBACKS (the
 * configuration's charset_fallbacks; NULL: windows-1252) that fits.
 * Fields MSG already has for the file (account, base, flags, size, ...) are
 * left alone.  When BODY_TEXT is not NULL it gets a new string with the text
 * for search.  DATE falls back to MSG->arrival when the message has none.
 */
void summary_from_bytes(const char *buf, size_t len, const char *const *fallbacks,
    struct index_message *msg, char **body_text);

/*
 * The same from the file PATH; fails only when the file cannot be read or
 * GMime cannot be loaded (mime-lib.h).  summary_from_bytes expects it
 * loaded: its callers load it first.
 */
bool summary_from_file(const char *path, const char *const *fallbacks, struct index_message *msg,
    char **body_text, GError **error);

#endif
