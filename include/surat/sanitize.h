/*
 * sanitize: the one gate every string from outside passes before it is drawn
 * or printed (DESIGN promise 2).  Message headers and bodies, file names and
 * server replies all come out as valid UTF-8 with no escape sequence, no C0
 * control but tab and newline, no C1 control, and bidi controls made visible.
 *
 * What it never does: decide layout or width (see width.h).
 */
#ifndef SURAT_SANITIZE_H
#define SURAT_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <glib.h>

#define SANITIZE_MULTILINE 0x1 /* keep '\n' and '\t'; else both become ' ' */
#define SANITIZE_REDACTED  "********" /* what stands for a scrubbed secret */

/*
 * Return a newly allocated (g_free) safe copy of IN (LEN bytes, or up to the
 * NUL when LEN is -1):
 *   - invalid UTF-8 bytes become U+FFFD;
 *   - C0 controls and DEL become caret notation ("^[", "^?"), except tab and
 *     newline with SANITIZE_MULTILINE; a CR before LF is dropped;
 *   - C1 controls (U+0080..U+009F) become "<U+009B>"-style text;
 *   - bidi embedding, override and isolate controls (U+202A..U+202E,
 *     U+2066..U+2069) and the marks U+200E, U+200F, U+061C become visible
 *     "<U+202E>"-style text, so text cannot reorder what follows it.
 * IN may contain NUL bytes when LEN is given; they become "^@".
 */
char *sanitize_text(const char *in, ssize_t len, unsigned int flags);

/*
 * Text from a peer that may echo a secret, made fit for an error line or a
 * trace (g_free): in the raw bytes IN (LEN bytes) every occurrence of SECRET
 * (NULL or "": none) and every match of WORDS (NULL: none; compiled with
 * G_REGEX_RAW, for what may encode the secret) becomes SANITIZE_REDACTED
 * first; only then is the result cut to MAX bytes and made safe as
 * sanitize_text does with FLAGS.  *CUT (may be NULL) tells whether anything
 * was cut off.  Scrubbing before the cut and the rewriting means an echo can
 * neither straddle the cut nor hide behind bytes the sanitizer changed.
 */
char *sanitize_scrubbed(const char *in, size_t len, size_t max, const char *secret,
    const GRegex *words, unsigned int flags, bool *cut);

/*
 * The long base64 or hex words that may encode a secret a peer echoed (a
 * SASL response, an APOP digest), for sanitize_scrubbed's WORDS during a
 * login.  Compiled once, G_REGEX_RAW.
 */
const GRegex *sanitize_secret_words(void);

/*
 * Scrub *TEXT (a g_free'd string, replaced): every SECRET and every
 * sanitize_secret_words() match becomes SANITIZE_REDACTED, and the rest is
 * made safe as sanitize_text does on one line.  For an error a login
 * failed with, which may quote the server anywhere in it.
 */
void sanitize_scrub_secret(char **text, const char *secret);

/* True when S (NUL-terminated) would pass through sanitize_text unchanged. */
int sanitize_is_clean(const char *s, unsigned int flags);

#endif
