/*
 * render-text: decoded UTF-8 text becomes role-tagged lines.  Quote levels
 * (also in text that is not flowed), the signature from "-- " on,
 * format=flowed paragraphs (RFC 3676, DelSp) joined and reflowed, URLs found
 * and numbered, HTML anchors (marked by html.c) numbered, and lines wrapped
 * at word boundaries to the width, measured by width.c.
 *
 * Every line passes sanitize_text() (via render_text_clean_line) before
 * anything else looks at it, so link places are byte ranges of the text as
 * shown.  Every function here starts render_text_; render.c calls the ones
 * render-private.h declares.
 * Every loop is linear in its input.
 */
#include <string.h>

#include "render-private.h"
#include "surat/html.h"
#include "surat/sanitize.h"
#include "surat/width.h"

#define RENDER_TAB_STOP 8

/* A link's place in one logical line, before wrapping. */
struct render_range {
	size_t start, end;
	int link;
};

guint
render_text_add(struct render_ctx *ctx, enum render_role role, int quote_level, int name_len,
    char *text)
{
	struct render_line *line = g_new0(struct render_line, 1);

	line->role = role;
	line->quote_level = quote_level;
	line->name_len = name_len;
	line->text = text;
	line->span_first = ctx->r->spans->len;
	g_ptr_array_add(ctx->r->lines, line);
	return ctx->r->lines->len - 1;
}

void
render_text_separator(struct render_ctx *ctx, const char *text)
{
	GPtrArray *lines = ctx->r->lines;

	if (*text == '\0' && lines->len > 0) {
		struct render_line *last = g_ptr_array_index(lines, lines->len - 1);

		if (last->role == RENDER_SEPARATOR && *last->text == '\0')
			return;
	}
	render_text_add(ctx, RENDER_SEPARATOR, 0, 0, g_strdup(text));
}

void
render_text_note(struct render_ctx *ctx, const char *text)
{
	render_text_add(ctx, RENDER_NOTE, 0, 0, sanitize_text(text, -1, 0));
}

/* Sanitize LEN bytes of one line, expanding tabs to 8-column stops. */
static char *
render_text_clean_line(const char *s, size_t len)
{
	GString *out;
	const char *end = s + len;
	int col = 0;

	if (memchr(s, '\t', len) == NULL)
		return sanitize_text(s, (ssize_t)len, 0);
	out = g_string_sized_new(len + 16);
	while (s < end) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		const char *stop = tab != NULL ? tab : end;
		char *seg = sanitize_text(s, stop - s, 0);

		col += width_of(seg);
		g_string_append(out, seg);
		g_free(seg);
		if (tab == NULL)
			break;
		do {
			g_string_append_c(out, ' ');
			col++;
		} while (col % RENDER_TAB_STOP != 0);
		s = tab + 1;
	}
	return g_string_free(out, FALSE);
}

/*
 * The target of URL for url_command and OSC 8: http, https, ftp and mailto
 * only ("www." reads as http://www.), every byte outside 0x21..0x7e
 * %-encoded.  NULL for any other scheme or none.
 */
static char *
render_text_link_target(const char *url, size_t len)
{
	static const char *const schemes[] = { "http://", "https://", "ftp://", "mailto:", NULL };
	GString *out;
	size_t i;
	int k;

	for (k = 0; schemes[k] != NULL; k++)
		if (len > strlen(schemes[k]) && g_ascii_strncasecmp(url, schemes[k],
		    strlen(schemes[k])) == 0)
			break;
	if (schemes[k] == NULL && !(len > 4 && g_ascii_strncasecmp(url, "www.", 4) == 0))
		return NULL;
	out = g_string_sized_new(len + 8);
	if (schemes[k] == NULL)
		g_string_append(out, "http://");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];

		if (c > 0x20 && c < 0x7f)
			g_string_append_c(out, (char)c);
		else
			g_string_append_printf(out, "%%%02X", c);
	}
	return g_string_free(out, FALSE);
}

int
render_text_link_number(struct render_ctx *ctx, const char *url, size_t len, guint line)
{
	struct render_link *link;
	char *key;
	gpointer found;

	if (len > RENDER_MAX_URL)
		len = RENDER_MAX_URL;
	key = g_strndup(url, len);
	if ((found = g_hash_table_lookup(ctx->link_urls, key)) != NULL) {
		g_free(key);
		return GPOINTER_TO_INT(found);
	}
	if (ctx->r->links->len >= RENDER_MAX_LINKS) {
		g_free(key);
		ctx->noted_links = true;
		return 0;
	}
	link = g_new0(struct render_link, 1);
	link->number = (int)ctx->r->links->len + 1;
	link->url = sanitize_text(key, -1, 0);
	link->target = render_text_link_target(key, strlen(key));
	link->line = line;
	g_ptr_array_add(ctx->r->links, link);
	g_hash_table_insert(ctx->link_urls, key, GINT_TO_POINTER(link->number));
	return link->number;
}

/* True for a byte that may be part of a URL found in text (ASCII only). */
static bool
render_text_is_url_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("<>\"`{}|\\^", c) == NULL;
}

/* Length of the URL starting at S[I] (LEN bytes in all), or 0. */
static size_t
render_text_url_at(const char *s, size_t i, size_t len)
{
	static const char *const prefixes[] = { "https://", "http://", "ftp://", "mailto:", "www.",
		NULL };
	size_t j, plen = 0, open = 0, close = 0, sq_open = 0, sq_close = 0;
	bool at = false;
	int k;

	for (k = 0; prefixes[k] != NULL; k++) {
		plen = strlen(prefixes[k]);
		if (len - i > plen && g_ascii_strncasecmp(s + i, prefixes[k], plen) == 0)
			break;
	}
	if (prefixes[k] == NULL)
		return 0;
	for (j = i + plen; j < len && render_text_is_url_char((unsigned char)s[j]); j++) {
		open += s[j] == '(';
		close += s[j] == ')';
		sq_open += s[j] == '[';
		sq_close += s[j] == ']';
		at |= s[j] == '@';
	}
	/* Trailing punctuation belongs to the sentence, an unmatched ")" to the text. */
	while (j > i + plen) {
		char c = s[j - 1];

		if (strchr(".,;:!?'*", c) != NULL) {
			j--;
		} else if (c == ')' && close > open) {
			close--;
			j--;
		} else if (c == ']' && sq_close > sq_open) {
			sq_close--;
			j--;
		} else {
			break;
		}
	}
	if (j <= i + plen)
		return 0;
	if (prefixes[k][0] == 'm' && !at)
		return 0;
	if (prefixes[k][0] == 'w' && memchr(s + i + plen, '.', j - i - plen) == NULL)
		return 0;
	return j - i;
}

/* True when [START, END) overlaps a range of RANGES. */
static bool
render_text_in_ranges(GArray *ranges, size_t start, size_t end)
{
	guint i;

	for (i = 0; i < ranges->len; i++) {
		struct render_range *r = &g_array_index(ranges, struct render_range, i);

		if (start < r->end && r->start < end)
			return true;
	}
	return false;
}

/* Add the URLs found in TEXT (outside the anchor ranges already in RANGES). */
static void
render_text_find_urls(struct render_ctx *ctx, const char *text, size_t len, GArray *ranges)
{
	guint anchors = ranges->len;
	size_t i = 0;

	while (i < len) {
		char c = g_ascii_tolower(text[i]);
		size_t n;

		if ((c != 'h' && c != 'f' && c != 'm' && c != 'w') ||
		    (i > 0 && (g_ascii_isalnum(text[i - 1]) || text[i - 1] == '@' ||
		    text[i - 1] == '/' || text[i - 1] == '.'))) {
			i++;
			continue;
		}
		n = render_text_url_at(text, i, len);
		if (n == 0) {
			i++;
			continue;
		}
		if (anchors == 0 || !render_text_in_ranges(ranges, i, i + n)) {
			struct render_range r = { i, i + n,
				render_text_link_number(ctx, text + i, n, ctx->r->lines->len) };

			if (r.link > 0)
				g_array_append_val(ranges, r);
		}
		i += n;
	}
}

/* Order ranges by where they start. */
static gint
render_text_range_cmp(gconstpointer a, gconstpointer b)
{
	const struct render_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The prefix that continues a wrapped LINE: its quote marks when LEVEL > 0,
 * then as many spaces as its indent and list marker take ("* ", "- ", "12. ").
 */
static char *
render_text_continuation(const char *line, int level, int width)
{
	size_t q = 0, s, m;
	GString *out;

	if (level > 0)
		while (line[q] == '>' || line[q] == ' ')
			q++;
	for (s = q; line[s] == ' '; s++)
		;
	m = s;
	if ((line[m] == '*' || line[m] == '-' || line[m] == '+') && line[m + 1] == ' ') {
		m += 2;
	} else if (g_ascii_isdigit(line[m])) {
		while (g_ascii_isdigit(line[m]) && m - s < 4)
			m++;
		m = (line[m] == '.' || line[m] == ')') && line[m + 1] == ' ' ? m + 2 : s;
	} else if (strncmp(line + m, "\xe2\x80\xa2 ", 4) == 0) { /* a bullet */
		m += 4;
	}
	/* The quote marks are ASCII, so bytes are columns here. */
	if ((int)m >= width / 2)
		m = (int)q < width / 2 ? q : 0;
	out = g_string_new_len(line, (gssize)MIN(q, m));
	while (out->len < m)
		g_string_append_c(out, ' ');
	if (m > q && strncmp(line + s, "\xe2\x80\xa2 ", 4) == 0)
		g_string_truncate(out, out->len - 2); /* the bullet takes one column, not three */
	return g_string_free(out, FALSE);
}

/* Add one screen line made of PREFIX and LEN bytes at TEXT, with the ranges that fall in it. */
static void
render_text_piece(struct render_ctx *ctx, enum render_role role, int level, const char *prefix,
    const char *text, size_t from, size_t len, GArray *ranges, guint *next)
{
	size_t plen = strlen(prefix);
	char *s = g_malloc(plen + len + 1);
	guint line, i;

	memcpy(s, prefix, plen);
	memcpy(s + plen, text + from, len);
	s[plen + len] = '\0';
	line = render_text_add(ctx, role, level, 0, s);
	ctx->lines++;
	while (*next < ranges->len &&
	    g_array_index(ranges, struct render_range, *next).end <= from)
		(*next)++;
	for (i = *next; i < ranges->len; i++) {
		struct render_range *r = &g_array_index(ranges, struct render_range, i);
		struct render_span span;
		struct render_link *link;

		if (r->start >= from + len)
			break;
		span.line = line;
		span.start = (guint)(MAX(r->start, from) - from + plen);
		span.end = (guint)(MIN(r->end, from + len) - from + plen);
		span.link = r->link;
		if (span.end <= span.start)
			continue;
		g_array_append_val(ctx->r->spans, span);
		((struct render_line *)g_ptr_array_index(ctx->r->lines, line))->span_count++;
		link = g_ptr_array_index(ctx->r->links, r->link - 1);
		if (link->line == G_MAXUINT || link->line > line)
			link->line = line;
	}
}

/* Add TEXT (taken) as one line, or several wrapped to the width, with its link RANGES. */
static void
render_text_emit(struct render_ctx *ctx, enum render_role role, int level, char *text,
    GArray *ranges)
{
	int width = ctx->options->width;
	size_t len = strlen(text), pos = 0, min_break;
	guint next = 0;
	char *cont;
	int cont_w;

	if (width <= 0 || width_of(text) <= width) {
		render_text_piece(ctx, role, level, "", text, 0, len, ranges, &next);
		g_free(text);
		return;
	}
	cont = render_text_continuation(text, level, width);
	cont_w = (int)strlen(cont);
	/* Never break inside the line's own prefix. */
	min_break = (size_t)cont_w;
	while (pos < len) {
		int avail = pos == 0 ? width : width - cont_w;
		size_t n = width_prefix(text + pos, avail, NULL), cut, k;

		if (n == 0)
			n = (size_t)(g_utf8_next_char(text + pos) - (text + pos));
		if (pos + n >= len) {
			cut = len - pos;
		} else {
			for (k = pos + n; k > pos + (pos == 0 ? min_break : 0); k--)
				if (text[k] == ' ')
					break;
			cut = k > pos + (pos == 0 ? min_break : 0) ? k - pos : n;
		}
		{
			size_t keep = cut;

			while (keep > 0 && text[pos + keep - 1] == ' ')
				keep--;
			render_text_piece(ctx, role, level, pos == 0 ? "" : cont, text, pos,
			    keep > 0 ? keep : cut, ranges, &next);
		}
		pos += cut;
		while (pos < len && text[pos] == ' ')
			pos++;
	}
	g_free(cont);
	g_free(text);
}

/*
 * Take the anchor marks out of TEXT (taken), giving each anchor "[N]" after
 * its text and a range; an anchor open at the end of the line goes on in the
 * next one.  Returns the new text.
 */
static char *
render_text_take_anchors(struct render_ctx *ctx, char *text, GPtrArray *anchors, guint *next_anchor,
    GArray *numbers, GArray *ranges)
{
	GString *out;
	const char *p;
	size_t start = 0;

	if (strstr(text, HTML_ANCHOR_OPEN) == NULL && strstr(text, HTML_ANCHOR_CLOSE) == NULL &&
	    ctx->anchor == 0)
		return text;
	out = g_string_sized_new(strlen(text) + 16);
	for (p = text; *p != '\0';) {
		bool opens = strncmp(p, HTML_ANCHOR_OPEN, 3) == 0;
		bool closes = strncmp(p, HTML_ANCHOR_CLOSE, 3) == 0;

		if (!opens && !closes) {
			g_string_append_c(out, *p++);
			continue;
		}
		p += 3;
		if (ctx->anchor > 0 && (closes || opens)) {
			struct render_range r = { start, 0, ctx->anchor };

			g_string_append_printf(out, "[%d]", ctx->anchor);
			r.end = out->len;
			g_array_append_val(ranges, r);
			ctx->anchor = 0;
		}
		if (opens && anchors != NULL && *next_anchor < anchors->len) {
			const char *url = g_ptr_array_index(anchors, (*next_anchor)++);

			ctx->anchor = render_text_link_number(ctx, url, strlen(url), ctx->r->lines->len);
			if (ctx->anchor > 0 && numbers != NULL)
				g_array_append_val(numbers, ctx->anchor);
			start = out->len;
		}
	}
	if (ctx->anchor > 0 && out->len > (start)) {
		struct render_range r = { start, out->len, ctx->anchor };

		g_array_append_val(ranges, r);
	}
	g_free(text);
	return g_string_free(out, FALSE);
}

/* Add LEN bytes at RAW as one logical line: sanitized, links found, wrapped. */
static void
render_text_logical(struct render_ctx *ctx, enum render_role role, int level, const char *raw,
    size_t len, unsigned int flags, GPtrArray *anchors, guint *next_anchor, GArray *numbers)
{
	GArray *ranges = g_array_new(FALSE, FALSE, sizeof(struct render_range));
	char *text = render_text_clean_line(raw, len);

	if (flags & RENDER_TEXT_ANCHORS)
		text = render_text_take_anchors(ctx, text, anchors, next_anchor, numbers, ranges);
	render_text_find_urls(ctx, text, strlen(text), ranges);
	if (ranges->len > 1)
		g_array_sort(ranges, render_text_range_cmp);
	render_text_emit(ctx, role, level, text, ranges);
	g_array_free(ranges, TRUE);
}

/* Number of '>' that open LINE ("> >" and ">>" alike). */
static int
render_text_quote_level(const char *line, size_t len)
{
	size_t i = 0;
	int level = 0;

	while (i < len && line[i] == '>') {
		level++;
		i++;
		while (i < len && line[i] == ' ')
			i++;
	}
	return level;
}

/* The role of a line at quote LEVEL, in the signature or not. */
static enum render_role
render_text_role_of(int level, bool signature)
{
	return signature ? RENDER_SIGNATURE : level > 0 ? RENDER_QUOTE : RENDER_BODY;
}

/* Add the flowed paragraph PARA at DEPTH, then empty it. */
static void
render_text_flush_paragraph(struct render_ctx *ctx, GString *para, int depth, bool signature,
    unsigned int flags, GPtrArray *anchors, guint *next_anchor, GArray *numbers)
{
	GString *line = g_string_sized_new(para->len + (gsize)depth + 1);
	int i;

	for (i = 0; i < depth; i++)
		g_string_append_c(line, '>');
	if (depth > 0)
		g_string_append_c(line, ' ');
	g_string_append_len(line, para->str, (gssize)para->len);
	render_text_logical(ctx, render_text_role_of(depth, signature), signature ? 0 : depth, line->str,
	    line->len, flags, anchors, next_anchor, numbers);
	g_string_free(line, TRUE);
	g_string_truncate(para, 0);
}

void
render_text_body(struct render_ctx *ctx, const char *text, size_t len, unsigned int flags,
    GPtrArray *anchors, guint *next_anchor, GArray *numbers)
{
	const char *p = text, *end = text + len;
	bool in_signature = false, open = false;
	GString *para = g_string_new(NULL);
	int para_depth = 0;
	guint first_anchor = 0;

	if (next_anchor == NULL)
		next_anchor = &first_anchor;
	/* Drop trailing blank lines (and the final newline), one line at a time. */
	while (end > p) {
		const char *start = end, *q;

		while (start > p && start[-1] != '\n')
			start--;
		for (q = start; q < end && (*q == ' ' || *q == '\r'); q++)
			;
		if (q < end)
			break;
		end = start > p ? start - 1 : p;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end;
		size_t n = (size_t)(stop - p);

		if (ctx->lines >= RENDER_MAX_LINES) {
			if (!ctx->noted_lines)
				render_text_note(ctx, "[more lines not shown: the message is too long]");
			ctx->noted_lines = true;
			break;
		}
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (flags & RENDER_TEXT_FLOWED) {
			/* RFC 3676: quote marks, then space-stuffing, then a soft break at the end. */
			int depth = 0;
			const char *q = p, *body_end = p + n;
			bool flowed, sig;

			while (q < body_end && *q == '>')
				depth++, q++;
			if (q < body_end && *q == ' ')
				q++;
			sig = body_end - q == 3 && memcmp(q, "-- ", 3) == 0;
			flowed = !sig && body_end > q && body_end[-1] == ' ';
			if (open && (depth != para_depth || sig)) {
				render_text_flush_paragraph(ctx, para, para_depth, in_signature, flags, anchors,
				    next_anchor, numbers);
			}
			if (sig && depth == 0)
				in_signature = true;
			if (flowed && (flags & RENDER_TEXT_DELSP))
				body_end--;
			g_string_append_len(para, q, body_end - q);
			para_depth = depth;
			open = true;
			if (!flowed || ctx->options->width <= 0) {
				/* Width 0 keeps the lines as sent, soft breaks and all. */
				if (flowed && !(flags & RENDER_TEXT_DELSP) && para->len > 0 &&
				    para->str[para->len - 1] == ' ')
					g_string_truncate(para, para->len - 1);
				render_text_flush_paragraph(ctx, para, para_depth, in_signature, flags,
				    anchors, next_anchor, numbers);
				open = false;
			}
		} else {
			int level = render_text_quote_level(p, n);

			if (!in_signature && n == 3 && memcmp(p, "-- ", 3) == 0)
				in_signature = true;
			render_text_logical(ctx, render_text_role_of(level, in_signature),
			    in_signature ? 0 : level, p, n, flags, anchors, next_anchor, numbers);
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (open && !ctx->noted_lines)
		render_text_flush_paragraph(ctx, para, para_depth, in_signature, flags, anchors,
		    next_anchor, numbers);
	g_string_free(para, TRUE);
	ctx->anchor = 0;
}

/* Append N newlines to OUT, as text/enriched counts them. */
static void
render_text_enriched_newlines(GString *out, int n, bool nofill)
{
	int i;

	if (nofill) {
		for (i = 0; i < n; i++)
			g_string_append_c(out, '\n');
	} else if (n == 1) {
		g_string_append_c(out, ' ');
	} else {
		for (i = 1; i < n; i++)
			g_string_append_c(out, '\n');
	}
}

char *
render_text_enriched(const char *s, size_t len)
{
	GString *out = g_string_sized_new(len + 1);
	const char *p = s, *end = s + len;
	int nofill = 0, param = 0;

	while (p < end) {
		if (*p == '<' && p + 1 < end && p[1] == '<') {
			if (param == 0)
				g_string_append_c(out, '<');
			p += 2;
		} else if (*p == '<') {
			const char *close = memchr(p, '>', (size_t)(end - p));
			size_t n;
			bool neg;

			if (close == NULL)
				break;
			neg = p + 1 < close && p[1] == '/';
			n = (size_t)(close - p - 1 - neg);
			if (n == 6 && g_ascii_strncasecmp(p + 1 + neg, "nofill", 6) == 0)
				nofill += neg ? (nofill > 0 ? -1 : 0) : 1;
			else if (n == 5 && g_ascii_strncasecmp(p + 1 + neg, "param", 5) == 0)
				param += neg ? (param > 0 ? -1 : 0) : 1;
			p = close + 1;
		} else if (*p == '\n' || *p == '\r') {
			int n = 0;

			while (p < end && (*p == '\n' || *p == '\r')) {
				if (*p == '\n')
					n++;
				p++;
			}
			if (param == 0)
				render_text_enriched_newlines(out, n, nofill > 0);
		} else {
			if (param == 0)
				g_string_append_c(out, *p);
			p++;
		}
	}
	return g_string_free(out, FALSE);
}
