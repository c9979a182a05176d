/*
 * sanitize: make text from outside safe for a terminal (DESIGN promise 2).
 * Everything drawn or printed passes through sanitize_text().
 */
#include "surat/sanitize.h"

#include <glib.h>
#include <string.h>

/* True for the bidi controls that can reorder text that follows them. */
static bool
sanitize_is_bidi(gunichar c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200E || c == 0x200F || c == 0x061C;
}

/* Append C as visible "<U+XXXX>" text. */
static void
sanitize_append_codepoint(GString *out, gunichar c)
{
	g_string_append_printf(out, "<U+%04X>", (unsigned int)c);
}

char *
sanitize_text(const char *in, ssize_t len, unsigned int flags)
{
	GString *out;
	const char *p, *end;

	if (in == NULL)
		return g_strdup("");
	if (len < 0)
		len = (ssize_t)strlen(in);
	out = g_string_sized_new((gsize)len + 16);
	p = in;
	end = in + len;
	while (p < end) {
		unsigned char b = (unsigned char)*p;
		gunichar c;

		if (b < 0x80) {
			if (b == '\n' || b == '\t') {
				g_string_append_c(out, (flags & SANITIZE_MULTILINE) ? (char)b : ' ');
			} else if (b == '\r' && p + 1 < end && p[1] == '\n') {
				/* CRLF: the LF alone stands for the line end. */
			} else if (b < 0x20 || b == 0x7f) {
				g_string_append_c(out, '^');
				g_string_append_c(out, b == 0x7f ? '?' : (char)(b + '@'));
			} else {
				g_string_append_c(out, (char)b);
			}
			p++;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append(out, "\xef\xbf\xbd"); /* U+FFFD */
			p++;
			continue;
		}
		if ((c >= 0x80 && c <= 0x9f) || sanitize_is_bidi(c))
			sanitize_append_codepoint(out, c);
		else
			g_string_append_unichar(out, c);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

/*
 * Copy IN (LEN bytes) into a new GString with every match of WORDS (or,
 * WORDS NULL, every occurrence of the N bytes of SECRET) replaced by
 * SANITIZE_REDACTED.
 */
static GString *
sanitize_redact(const char *in, size_t len, const char *secret, size_t n, const GRegex *words)
{
	GString *out = g_string_sized_new(len);
	size_t at = 0;

	if (words != NULL) {
		GMatchInfo *match = NULL;
		gint start, end;

		g_regex_match_full(words, in, (gssize)len, 0, 0, &match, NULL);
		while (g_match_info_matches(match) && g_match_info_fetch_pos(match, 0, &start, &end)) {
			g_string_append_len(out, in + at, (gssize)((size_t)start - at));
			g_string_append(out, SANITIZE_REDACTED);
			at = (size_t)end;
			if (!g_match_info_next(match, NULL))
				break;
		}
		g_match_info_free(match);
	} else {
		const char *found;

		while (at + n <= len && (found = memmem(in + at, len - at, secret, n)) != NULL) {
			g_string_append_len(out, in + at, found - (in + at));
			g_string_append(out, SANITIZE_REDACTED);
			at = (size_t)(found - in) + n;
		}
	}
	g_string_append_len(out, in + at, (gssize)(len - at));
	return out;
}

char *
sanitize_scrubbed(const char *in, size_t len, size_t max, const char *secret,
    const GRegex *words, unsigned int flags, bool *cut)
{
	size_t n = secret != NULL ? strlen(secret) : 0;
	GString *raw;
	char *out;

	if (in == NULL)
		len = 0;
	/* The raw bytes: the secret as the peer echoed it, before anything rewrites it. */
	raw = n > 0 ? sanitize_redact(in, len, secret, n, NULL) :
	    g_string_new_len(in != NULL ? in : "", (gssize)len);
	if (words != NULL) {
		GString *scrubbed = sanitize_redact(raw->str, raw->len, NULL, 0, words);

		g_string_free(raw, TRUE);
		raw = scrubbed;
	}
	if (cut != NULL)
		*cut = raw->len > max;
	out = sanitize_text(raw->str, (ssize_t)MIN(raw->len, max), flags);
	g_string_free(raw, TRUE);
	return out;
}

const GRegex *
sanitize_secret_words(void)
{
	static GRegex *words;

	if (g_once_init_enter(&words)) {
		GRegex *re = g_regex_new("[A-Za-z0-9+/=_-]{16,}", G_REGEX_RAW | G_REGEX_OPTIMIZE, 0,
		    NULL);

		g_once_init_leave(&words, re);
	}
	return words;
}

void
sanitize_scrub_secret(char **text, const char *secret)
{
	char *clean = sanitize_scrubbed(*text, strlen(*text), strlen(*text), secret,
	    sanitize_secret_words(), 0, NULL);

	g_free(*text);
	*text = clean;
}

int
sanitize_is_clean(const char *s, unsigned int flags)
{
	char *clean;
	int same;

	if (s == NULL)
		return 1;
	clean = sanitize_text(s, -1, flags);
	same = strcmp(clean, s) == 0;
	g_free(clean);
	return same;
}
