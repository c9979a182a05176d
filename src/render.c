/*
 * render: one message becomes role-tagged display lines.  GMime parses; this
 * file only decides what is shown and in which order: the headers block, the
 * body text parts, the links of HTML parts, and the attachment list.
 *
 * Every line passes sanitize_text() here and nowhere else, so nothing raw
 * reaches the pager or `surat show`.  Malformed mail renders what can be read;
 * every size that comes from the message is capped.  Never draws, never runs
 * a command.
 */
#include "surat/render.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "surat/html.h"
#include "surat/sanitize.h"
#include "surat/width.h"

#define RENDER_MAX_INPUT	(256 * 1024 * 1024) /* bytes of a message read */
#define RENDER_MAX_DEPTH	20		     /* MIME nesting followed */
#define RENDER_MAX_PARTS	1000		     /* MIME parts visited */
#define RENDER_MAX_PART_TEXT	(8 * 1024 * 1024)  /* decoded bytes shown of one part */
#define RENDER_MAX_TEXT		(32 * 1024 * 1024) /* decoded bytes shown in all */
#define RENDER_MAX_LINES	500000		     /* body lines in all */
#define RENDER_MAX_HEADERS	1000		     /* headers shown with full_headers */
#define RENDER_MAX_HEADER_VALUE (64 * 1024)	     /* bytes of one header value */
#define RENDER_MAX_LINKS	1000		     /* links listed under one HTML part */
#define RENDER_MAX_NAME		255		     /* bytes of an attachment name */
#define RENDER_EXACT_SIZE	(1024 * 1024)	     /* encoded bytes decoded to size a part */
#define RENDER_TAB_STOP		8
#define RENDER_MAX_SCAN_WORK	20000000 /* boundary comparisons GMime may make */
#define RENDER_GMIME_MAX_LEVEL	1024	 /* GMime's own nesting limit */

struct render_ctx {
	struct rendering *r;
	const struct render_options *options;
	size_t text_left; /* decoded text bytes still allowed */
	int lines;        /* body lines so far */
	int parts;        /* MIME parts visited */
	int shown;        /* text parts shown in the current message */
	bool noted_depth; /* "nested too deeply" said */
	bool noted_parts; /* "too many parts" said */
	bool noted_lines; /* "too many lines" said */
	bool cut_input;   /* the input was cut short before parsing */
};

G_DEFINE_QUARK(surat-render-error-quark, render_error)

static const char *const render_days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char *const render_months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	"Aug", "Sep", "Oct", "Nov", "Dec" };

/* Start GMime once for this module and build the lenient parser options. */
static gpointer
render_init_once(gpointer unused)
{
	static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	GMimeParserOptions *options;

	g_mime_init();
	options = g_mime_parser_options_new();
	/* Real mail breaks the rules: encoded words in quotes, raw 8-bit. */
	g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(options, TRUE);
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	return options;
}

/* The parser options, GMime started on first use. */
static GMimeParserOptions *
render_parser_options(void)
{
	static GOnce once = G_ONCE_INIT;

	return g_once(&once, render_init_once, NULL);
}

/* Free one line. */
static void
render_line_free(gpointer data)
{
	struct render_line *line = data;

	if (line == NULL)
		return;
	g_free(line->text);
	g_free(line);
}

/* Free one attachment entry. */
static void
render_attachment_free(gpointer data)
{
	struct render_attachment *a = data;

	if (a == NULL)
		return;
	g_free(a->name);
	g_free(a->type);
	g_free(a);
}

/* Append a line; takes TEXT, which must already be sanitized. */
static void
render_add(struct render_ctx *ctx, enum render_role role, int quote_level, int name_len, char *text)
{
	struct render_line *line = g_new0(struct render_line, 1);

	line->role = role;
	line->quote_level = quote_level;
	line->name_len = name_len;
	line->text = text;
	g_ptr_array_add(ctx->r->lines, line);
}

/* Append a separator, unless it would only double an empty one. */
static void
render_separator(struct render_ctx *ctx, const char *text)
{
	GPtrArray *lines = ctx->r->lines;

	if (*text == '\0' && lines->len > 0) {
		struct render_line *last = g_ptr_array_index(lines, lines->len - 1);

		if (last->role == RENDER_SEPARATOR && *last->text == '\0')
			return;
	}
	render_add(ctx, RENDER_SEPARATOR, 0, 0, g_strdup(text));
}

/* Append a note of ours (never message text) as a body line. */
static void
render_note(struct render_ctx *ctx, const char *text)
{
	render_add(ctx, RENDER_BODY, 0, 0, g_strdup(text));
}

/* Sanitize LEN bytes of one line, expanding tabs to 8-column stops. */
static char *
render_clean_line(const char *s, size_t len)
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
 * Read LEN bytes at S as UTF-8 (NUL bytes allowed): *MULTI gets the number of
 * valid multi-byte characters, and the result is the number of bytes that
 * are not UTF-8.
 */
static size_t
render_utf8_errors(const char *s, size_t len, size_t *multi)
{
	const char *end = s + len;
	size_t errors = 0;

	*multi = 0;
	while (s < end) {
		gunichar c;

		if ((unsigned char)*s < 0x80) {
			s++;
			continue;
		}
		c = g_utf8_get_char_validated(s, end - s);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			errors++;
			s++;
		} else {
			(*multi)++;
			s = g_utf8_next_char(s);
		}
	}
	return errors;
}

/*
 * True when LEN bytes at S read best as UTF-8: valid, or more valid
 * multi-byte characters than stray bytes (which sanitize_text then shows as
 * U+FFFD), so one bad byte does not turn a UTF-8 text into mojibake.
 */
static bool
render_looks_utf8(const char *s, size_t len)
{
	size_t multi, errors = render_utf8_errors(s, len, &multi);

	return errors == 0 || multi > errors;
}

/* A NUL-terminated copy of LEN bytes at S (which may hold NUL bytes). */
static char *
render_memdup0(const char *s, size_t len)
{
	char *out = g_malloc(len + 1);

	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

/*
 * Convert LEN bytes at S from CHARSET to UTF-8, each byte that does not
 * convert replaced by U+FFFD and counted in *ERRORS.  NULL when iconv does not
 * know CHARSET.
 */
static char *
render_convert(const char *s, size_t len, const char *charset, size_t *out_len, size_t *errors)
{
	GIConv cd = g_iconv_open("UTF-8", charset);
	GString *out;
	gchar *in = (gchar *)s;
	gsize in_left = len;
	char buf[4096];

	*errors = 0;
	if (cd == (GIConv)-1)
		return NULL;
	out = g_string_sized_new(len + len / 2 + 16);
	for (;;) {
		gchar *o = buf;
		gsize o_left = sizeof buf, n;

		/* A NULL input flushes the converter's state at the end. */
		n = g_iconv(cd, in_left > 0 ? &in : NULL, &in_left, &o, &o_left);
		g_string_append_len(out, buf, (gssize)(sizeof buf - o_left));
		if (n != (gsize)-1) {
			if (in_left == 0)
				break;
			continue;
		}
		if (errno == E2BIG)
			continue;
		if (in_left == 0)
			break;
		/* EILSEQ, EINVAL: skip the byte, keep the shift state. */
		g_string_append(out, "\xef\xbf\xbd");
		(*errors)++;
		in++;
		in_left--;
		if (in_left == 0) {
			o = buf;
			o_left = sizeof buf;
			g_iconv(cd, NULL, NULL, &o, &o_left);
			g_string_append_len(out, buf, (gssize)(sizeof buf - o_left));
			break;
		}
	}
	g_iconv_close(cd);
	*out_len = out->len;
	return g_string_free(out, FALSE);
}

/*
 * Text in CHARSET (may be NULL) as UTF-8: the declared charset when it
 * converts cleanly; else UTF-8 when the text looks so (the label was wrong);
 * else the declared charset when under 1% of the bytes failed; else
 * windows-1252, bytes it lacks replaced.  Latin-1 and ASCII labels read as
 * windows-1252, as browsers do, since that is what such mail holds.
 */
static char *
render_to_utf8(const char *s, size_t len, const char *charset, size_t *out_len)
{
	const char *name = NULL;
	char *out = NULL;
	size_t errors = 0;

	if (charset != NULL && *charset != '\0') {
		name = g_mime_charset_iconv_name(charset);
		if (g_ascii_strcasecmp(name, "iso-8859-1") == 0 ||
		    g_ascii_strcasecmp(name, "us-ascii") == 0 ||
		    g_ascii_strcasecmp(name, "ascii") == 0)
			name = "WINDOWS-1252";
		if (g_ascii_strcasecmp(name, "utf-8") == 0 || g_ascii_strcasecmp(name, "utf8") == 0)
			name = NULL;
	}
	if (name != NULL && (out = render_convert(s, len, name, out_len, &errors)) != NULL &&
	    errors == 0)
		return out;
	if (render_looks_utf8(s, len)) {
		g_free(out);
		*out_len = len;
		return render_memdup0(s, len);
	}
	if (out != NULL && errors <= len / 100)
		return out;
	g_free(out);
	if ((out = render_convert(s, len, "WINDOWS-1252", out_len, &errors)) != NULL)
		return out;
	/* No iconv at all: sanitize_text still replaces what is invalid. */
	*out_len = len;
	return render_memdup0(s, len);
}

/* Number of '>' that open LINE ("> >" and ">>" alike). */
static int
render_quote_level(const char *line, size_t len)
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

/*
 * Append LEN bytes of UTF-8 text as body lines: split on newlines, each line
 * tagged as quote (by its '>' count), signature (from a "-- " line to the
 * end) or body.  Trailing blank lines are dropped.
 */
static void
render_text(struct render_ctx *ctx, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool in_signature = false;

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
		enum render_role role = RENDER_BODY;
		int level;

		if (ctx->lines >= RENDER_MAX_LINES) {
			if (!ctx->noted_lines)
				render_note(ctx, "[more lines not shown: the message is too long]");
			ctx->noted_lines = true;
			return;
		}
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!in_signature && n == 3 && memcmp(p, "-- ", 3) == 0)
			in_signature = true;
		level = render_quote_level(p, n);
		if (in_signature)
			role = RENDER_SIGNATURE;
		else if (level > 0)
			role = RENDER_QUOTE;
		render_add(ctx, role, role == RENDER_QUOTE ? level : 0, 0, render_clean_line(p, n));
		ctx->lines++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* Decode the content of PART (transfer encoding undone), at most MAX bytes. */
static GByteArray *
render_decode(GMimePart *part, size_t max)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GByteArray *out = g_byte_array_new();
	GMimeContentEncoding encoding;
	GMimeStream *stream, *filtered;
	char buf[8192];
	ssize_t n;

	if (content == NULL || (stream = g_mime_data_wrapper_get_stream(content)) == NULL)
		return out;
	encoding = g_mime_data_wrapper_get_encoding(content);
	g_mime_stream_reset(stream);
	filtered = g_mime_stream_filter_new(stream);
	if (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
	    encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    encoding == GMIME_CONTENT_ENCODING_UUENCODE) {
		GMimeFilter *decoder = g_mime_filter_basic_new(encoding, FALSE);

		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), decoder);
		g_object_unref(decoder);
	}
	while (out->len < max && (n = g_mime_stream_read(filtered, buf, sizeof buf)) > 0)
		g_byte_array_append(out, (const guint8 *)buf, (guint)MIN((size_t)n, max - out->len));
	g_object_unref(filtered);
	return out;
}

/*
 * Size of the decoded content of PART: exact up to RENDER_EXACT_SIZE encoded
 * bytes (decoding that much costs little), estimated from the encoded length
 * above it.
 */
static int64_t
render_part_size(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentEncoding encoding;
	GMimeStream *stream;
	gint64 len;

	if (content == NULL || (stream = g_mime_data_wrapper_get_stream(content)) == NULL)
		return 0;
	len = g_mime_stream_length(stream);
	if (len < 0)
		return 0;
	encoding = g_mime_data_wrapper_get_encoding(content);
	if (len <= RENDER_EXACT_SIZE && (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
	    encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    encoding == GMIME_CONTENT_ENCODING_UUENCODE)) {
		GMimeStream *null = g_mime_stream_null_new();
		int64_t size;

		g_mime_data_wrapper_write_to_stream(content, null);
		size = (int64_t)GMIME_STREAM_NULL(null)->written;
		g_object_unref(null);
		return size;
	}
	switch (encoding) {
	case GMIME_CONTENT_ENCODING_BASE64:
		/* 57 bytes become 76 characters and a newline. */
		return len / 77 * 57 + (len % 77) * 3 / 4;
	case GMIME_CONTENT_ENCODING_UUENCODE:
		return len / 62 * 45 + (len % 62) * 3 / 4;
	default:
		return len;
	}
}

/* Size of a whole object (a forwarded message) as it would be written out. */
static int64_t
render_object_size(GMimeObject *object)
{
	GMimeStream *null = g_mime_stream_null_new();
	int64_t size;

	g_mime_object_write_to_stream(object, NULL, null);
	size = (int64_t)GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
	return size;
}

/* The base name of RAW made safe to show and later to save: no directory, no leading dot. */
static char *
render_safe_name(const char *raw)
{
	const char *base, *p;
	char *clean;
	size_t keep;

	if (raw == NULL)
		return g_strdup("");
	base = raw;
	for (p = raw; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	while (*base == '.' || *base == ' ')
		base++;
	clean = sanitize_text(base, -1, 0);
	g_strstrip(clean);
	if (strlen(clean) > RENDER_MAX_NAME) {
		keep = RENDER_MAX_NAME;
		while (keep > 0 && (clean[keep] & 0xc0) == 0x80)
			keep--;
		clean[keep] = '\0';
	}
	return clean;
}

/* "12 KB" style size for the attachment list. */
static char *
render_format_size(int64_t size)
{
	if (size < 1024)
		return g_strdup_printf("%d B", (int)size);
	if (size < 1024 * 1024)
		return g_strdup_printf("%d KB", (int)((size + 1023) / 1024));
	if (size < (int64_t)1024 * 1024 * 1024)
		return g_strdup_printf("%.1f MB", (double)size / (1024.0 * 1024.0));
	return g_strdup_printf("%.1f GB", (double)size / (1024.0 * 1024.0 * 1024.0));
}

/* The lowercase "type/subtype" of OBJECT, sanitized. */
static char *
render_mime_type(GMimeObject *object)
{
	GMimeContentType *ct = g_mime_object_get_content_type(object);
	char *type, *lower, *clean;

	if (ct == NULL)
		return g_strdup("application/octet-stream");
	type = g_mime_content_type_get_mime_type(ct);
	lower = g_ascii_strdown(type, -1);
	clean = sanitize_text(lower, -1, 0);
	g_free(type);
	g_free(lower);
	return clean;
}

/* List OBJECT as an attachment. */
static void
render_attachment(struct render_ctx *ctx, GMimeObject *object)
{
	struct render_attachment *a = g_new0(struct render_attachment, 1);
	const char *raw;

	if (GMIME_IS_PART(object)) {
		raw = g_mime_part_get_filename(GMIME_PART(object));
		a->size = render_part_size(GMIME_PART(object));
	} else {
		raw = g_mime_object_get_content_disposition_parameter(object, "filename");
		if (raw == NULL)
			raw = g_mime_object_get_content_type_parameter(object, "name");
		a->size = render_object_size(object);
	}
	a->number = (int)ctx->r->attachments->len + 1;
	a->name = render_safe_name(raw);
	a->type = render_mime_type(object);
	g_ptr_array_add(ctx->r->attachments, a);
}

/* True when OBJECT says Content-Disposition: attachment. */
static bool
render_is_attachment(GMimeObject *object)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(object);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

/* True when OBJECT is TYPE/SUBTYPE ("*" matches any subtype). */
static bool
render_is_type(GMimeObject *object, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(object);

	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

/* True for a leaf whose text is shown as body: text, inline, and not an extra named file. */
static bool
render_is_body_text(struct render_ctx *ctx, GMimeObject *object)
{
	if (!GMIME_IS_PART(object) || GMIME_IS_MESSAGE_PARTIAL(object))
		return false;
	if (!render_is_type(object, "text", "*") || render_is_attachment(object))
		return false;
	return ctx->shown == 0 || g_mime_part_get_filename(GMIME_PART(object)) == NULL;
}

/* Append an HTML part's text and then its links. */
static void
render_html(struct render_ctx *ctx, const char *html, size_t len, const char *charset)
{
	GPtrArray *links = g_ptr_array_new_with_free_func(g_free);
	char *text;
	guint i;

	text = html_to_text(html, len, charset, links);
	render_text(ctx, text, strlen(text));
	g_free(text);
	if (links->len > 0)
		render_separator(ctx, "");
	for (i = 0; i < links->len && i < RENDER_MAX_LINKS; i++) {
		char *clean = sanitize_text(g_ptr_array_index(links, i), -1, 0);

		render_add(ctx, RENDER_LINK, 0, 0, g_strdup_printf("[%u] %s", i + 1, clean));
		g_free(clean);
	}
	if (links->len > RENDER_MAX_LINKS)
		render_note(ctx, "[more links not shown]");
	g_ptr_array_free(links, TRUE);
}

/* Append the text of a text leaf: plain as it is, HTML through html_to_text(). */
static void
render_text_part(struct render_ctx *ctx, GMimePart *part)
{
	GMimeObject *object = GMIME_OBJECT(part);
	const char *charset = g_mime_object_get_content_type_parameter(object, "charset");
	size_t max = MIN((size_t)RENDER_MAX_PART_TEXT, ctx->text_left);
	GByteArray *raw;
	const char *data;
	bool cut;

	if (ctx->shown > 0)
		render_separator(ctx, "");
	ctx->shown++;
	raw = render_decode(part, max + 1);
	cut = raw->len > max;
	if (cut)
		g_byte_array_set_size(raw, (guint)max);
	ctx->text_left -= raw->len;
	/* An empty GByteArray has no data at all. */
	data = raw->len > 0 ? (const char *)raw->data : "";
	if (render_is_type(object, "text", "html") &&
	    (charset == NULL || *charset == '\0') && !render_looks_utf8(data, raw->len)) {
		/* No declared charset: let libxml2 read a <meta> one. */
		render_html(ctx, data, raw->len, NULL);
	} else {
		size_t len;
		char *utf8 = render_to_utf8(data, raw->len, charset, &len);

		if (render_is_type(object, "text", "html")) {
			/* libxml2 stops at bytes that are not UTF-8: replace them first. */
			char *valid = g_utf8_make_valid(utf8, (gssize)len);

			render_html(ctx, valid, strlen(valid), "UTF-8");
			g_free(valid);
		} else {
			render_text(ctx, utf8, len);
		}
		g_free(utf8);
	}
	if (cut)
		render_note(ctx, "[more text not shown: the part is too large]");
	g_byte_array_free(raw, TRUE);
}

static void render_object(struct render_ctx *ctx, GMimeObject *object, int depth);
static void render_message(struct render_ctx *ctx, GMimeMessage *message, int depth);

/* True when the walk may enter OBJECT at DEPTH; says once why not. */
static bool
render_may_enter(struct render_ctx *ctx, int depth)
{
	if (depth > RENDER_MAX_DEPTH) {
		if (!ctx->noted_depth)
			render_note(ctx, "[parts nested too deeply are not shown]");
		ctx->noted_depth = true;
		return false;
	}
	if (++ctx->parts > RENDER_MAX_PARTS) {
		if (!ctx->noted_parts)
			render_note(ctx, "[more parts not shown: the message has too many]");
		ctx->noted_parts = true;
		return false;
	}
	return true;
}

/*
 * List the attachments inside OBJECT, a branch not shown (an unchosen
 * alternative, a related part): everything but plain or HTML body text.
 */
static void
render_collect(struct render_ctx *ctx, GMimeObject *object, int depth)
{
	int i, n;

	if (!render_may_enter(ctx, depth))
		return;
	if (GMIME_IS_MULTIPART(object)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(object));
		for (i = 0; i < n; i++)
			render_collect(ctx, g_mime_multipart_get_part(GMIME_MULTIPART(object), i),
			    depth + 1);
		return;
	}
	if (GMIME_IS_PART(object) && !render_is_attachment(object) &&
	    (render_is_type(object, "text", "plain") || render_is_type(object, "text", "html")) &&
	    g_mime_part_get_filename(GMIME_PART(object)) == NULL)
		return;
	render_attachment(ctx, object);
}

/* The child of a multipart/alternative to show: text/plain, else HTML, else a multipart. */
static int
render_pick_alternative(GMimeMultipart *mp)
{
	int i, n = g_mime_multipart_get_count(mp);
	const char *const kinds[] = { "plain", "html" };
	size_t k;

	for (k = 0; k < G_N_ELEMENTS(kinds); k++) {
		for (i = 0; i < n; i++) {
			GMimeObject *child = g_mime_multipart_get_part(mp, i);

			if (GMIME_IS_PART(child) && render_is_type(child, "text", kinds[k]) &&
			    !render_is_attachment(child))
				return i;
		}
	}
	for (i = 0; i < n; i++)
		if (GMIME_IS_MULTIPART(g_mime_multipart_get_part(mp, i)))
			return i;
	return n > 0 ? 0 : -1;
}

/* The root of a multipart/related: the part named by start=, else the first. */
static int
render_pick_related(GMimeMultipart *mp)
{
	const char *start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp), "start");
	int i, n = g_mime_multipart_get_count(mp);

	if (start != NULL) {
		char *id = g_strdup(start);
		size_t len;

		g_strstrip(id);
		len = strlen(id);
		if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
			memmove(id, id + 1, len - 2);
			id[len - 2] = '\0';
		}
		for (i = 0; i < n; i++) {
			const char *cid = g_mime_object_get_content_id(g_mime_multipart_get_part(mp, i));

			if (cid != NULL && strcmp(cid, id) == 0)
				break;
		}
		g_free(id);
		if (i < n)
			return i;
	}
	return n > 0 ? 0 : -1;
}

/* Show a multipart: one child of an alternative or related, else all in order. */
static void
render_multipart(struct render_ctx *ctx, GMimeMultipart *mp, int depth)
{
	GMimeObject *object = GMIME_OBJECT(mp);
	int i, n = g_mime_multipart_get_count(mp), pick = -1;

	if (n == 0) {
		/* No boundary found: what there is sits in the prologue. */
		const char *prologue = g_mime_multipart_get_prologue(mp);

		if (prologue != NULL && *prologue != '\0') {
			size_t len;
			char *utf8 = render_to_utf8(prologue, strlen(prologue), NULL, &len);

			if (ctx->shown++ > 0)
				render_separator(ctx, "");
			render_text(ctx, utf8, len);
			g_free(utf8);
		}
		return;
	}
	if (render_is_type(object, "multipart", "alternative"))
		pick = render_pick_alternative(mp);
	else if (render_is_type(object, "multipart", "related"))
		pick = render_pick_related(mp);
	for (i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);

		if (pick < 0 || i == pick)
			render_object(ctx, child, depth + 1);
		else
			render_collect(ctx, child, depth + 1);
	}
}

/* Show one MIME object: a text leaf as body, another leaf as attachment, containers walked. */
static void
render_object(struct render_ctx *ctx, GMimeObject *object, int depth)
{
	if (object == NULL || !render_may_enter(ctx, depth))
		return;
	if (GMIME_IS_MULTIPART(object)) {
		render_multipart(ctx, GMIME_MULTIPART(object), depth);
	} else if (GMIME_IS_MESSAGE_PART(object)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));

		if (render_is_attachment(object))
			render_attachment(ctx, object);
		if (inner != NULL) {
			render_separator(ctx, "");
			render_separator(ctx, "--- Forwarded message ---");
			render_message(ctx, inner, depth + 1);
			ctx->shown++;
		}
	} else if (render_is_body_text(ctx, object)) {
		render_text_part(ctx, GMIME_PART(object));
	} else {
		render_attachment(ctx, object);
	}
}

/* Append one "Name: value" header line; VALUE is raw (decoded) text. */
static void
render_header(struct render_ctx *ctx, const char *name, const char *value)
{
	char *clean_name = sanitize_text(name, -1, 0);
	char *clean_value;
	size_t len = value != NULL ? strlen(value) : 0;
	bool cut = len > RENDER_MAX_HEADER_VALUE;

	if (cut) {
		len = RENDER_MAX_HEADER_VALUE;
		while (len > 0 && ((unsigned char)value[len] & 0xc0) == 0x80)
			len--;
	}
	clean_value = sanitize_text(value != NULL ? value : "", (ssize_t)len, 0);
	g_strstrip(clean_value);
	render_add(ctx, RENDER_HEADER, 0, (int)strlen(clean_name) + 1,
	    g_strdup_printf("%s:%s%s%s", clean_name, *clean_value != '\0' ? " " : "", clean_value,
		cut ? " [...]" : ""));
	g_free(clean_name);
	g_free(clean_value);
}

/* Append LIST as "Name <addr>, ..." to OUT. */
static void
render_addresses(GString *out, InternetAddressList *list, int depth)
{
	int i, n = internet_address_list_length(list);

	for (i = 0; i < n && out->len < RENDER_MAX_HEADER_VALUE; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *name = internet_address_get_name(ia);

		if (out->len > 0 && out->str[out->len - 1] != ':')
			g_string_append(out, ", ");
		else if (out->len > 0)
			g_string_append_c(out, ' ');
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			g_string_append_printf(out, "%s:", name != NULL ? name : "");
			if (depth < 2)
				render_addresses(out, internet_address_group_get_members(
				    INTERNET_ADDRESS_GROUP(ia)), depth + 1);
			g_string_append_c(out, ';');
		} else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia));

			if (name != NULL && *name != '\0')
				g_string_append_printf(out, "%s <%s>", name, addr != NULL ? addr : "");
			else
				g_string_append(out, addr != NULL ? addr : "");
		}
	}
}

/* Append an address header, or its decoded text when no address could be read. */
static void
render_address_header(struct render_ctx *ctx, GMimeMessage *message, const char *name,
    GMimeAddressType type)
{
	const char *value = g_mime_object_get_header(GMIME_OBJECT(message), name);
	InternetAddressList *list;
	GString *out;

	if (value == NULL)
		return;
	list = g_mime_message_get_addresses(message, type);
	out = g_string_new(NULL);
	if (list != NULL)
		render_addresses(out, list, 0);
	render_header(ctx, name, out->len > 0 ? out->str : value);
	g_string_free(out, TRUE);
}

/* Append the Date header in local time, or as written when it cannot be read. */
static void
render_date_header(struct render_ctx *ctx, GMimeMessage *message)
{
	const char *value = g_mime_object_get_header(GMIME_OBJECT(message), "Date");
	GDateTime *date, *local = NULL;
	char *text;

	if (value == NULL)
		return;
	date = strlen(value) < 256 ? g_mime_utils_header_decode_date(value) : NULL;
	if (date != NULL)
		local = g_date_time_to_local(date);
	if (local == NULL) {
		render_header(ctx, "Date", value);
	} else {
		text = g_strdup_printf("%s, %02d %s %04d %02d:%02d",
		    render_days[g_date_time_get_day_of_week(local) - 1],
		    g_date_time_get_day_of_month(local),
		    render_months[g_date_time_get_month(local) - 1], g_date_time_get_year(local),
		    g_date_time_get_hour(local), g_date_time_get_minute(local));
		render_header(ctx, "Date", text);
		g_free(text);
		g_date_time_unref(local);
	}
	if (date != NULL)
		g_date_time_unref(date);
}

/* Order headers by their offset in the file. */
static gint
render_header_cmp(gconstpointer a, gconstpointer b)
{
	gint64 x = g_mime_header_get_offset(*(GMimeHeader *const *)a);
	gint64 y = g_mime_header_get_offset(*(GMimeHeader *const *)b);

	return x < y ? -1 : x > y;
}

/* Add the headers of LIST to ALL. */
static void
render_gather_headers(GPtrArray *all, GMimeHeaderList *list)
{
	int i, n = list != NULL ? g_mime_header_list_get_count(list) : 0;

	for (i = 0; i < n && all->len < RENDER_MAX_HEADERS + 1; i++)
		g_ptr_array_add(all, g_mime_header_list_get_header_at(list, i));
}

/*
 * Append every header of MESSAGE in file order, decoded.  GMime files the
 * Content-* headers under the body part, so both lists are merged by offset.
 */
static void
render_all_headers(struct render_ctx *ctx, GMimeMessage *message)
{
	GMimeObject *body = g_mime_message_get_mime_part(message);
	GPtrArray *all = g_ptr_array_new();
	guint i;

	render_gather_headers(all, g_mime_object_get_header_list(GMIME_OBJECT(message)));
	if (body != NULL)
		render_gather_headers(all, g_mime_object_get_header_list(body));
	g_ptr_array_sort(all, render_header_cmp);
	for (i = 0; i < all->len && i < RENDER_MAX_HEADERS; i++) {
		GMimeHeader *h = g_ptr_array_index(all, i);

		render_header(ctx, g_mime_header_get_name(h), g_mime_header_get_value(h));
	}
	if (all->len > RENDER_MAX_HEADERS)
		render_note(ctx, "[more headers not shown]");
	g_ptr_array_free(all, TRUE);
}

/* Append the headers block of MESSAGE, a separator, then its body. */
static void
render_message(struct render_ctx *ctx, GMimeMessage *message, int depth)
{
	int shown = ctx->shown;

	if (ctx->options->full_headers) {
		render_all_headers(ctx, message);
	} else {
		render_address_header(ctx, message, "From", GMIME_ADDRESS_TYPE_FROM);
		render_address_header(ctx, message, "To", GMIME_ADDRESS_TYPE_TO);
		render_address_header(ctx, message, "Cc", GMIME_ADDRESS_TYPE_CC);
		render_date_header(ctx, message);
		if (g_mime_object_get_header(GMIME_OBJECT(message), "Subject") != NULL)
			render_header(ctx, "Subject", g_mime_message_get_subject(message));
	}
	render_separator(ctx, "");
	ctx->shown = 0;
	render_object(ctx, g_mime_message_get_mime_part(message), depth + 1);
	ctx->shown = shown;
}

/*
 * How many bytes of BUF to give GMime.  Its parser compares every line that
 * starts with "--" against each open boundary, so a hostile message with a
 * thousand nested multiparts and a million such lines costs 10^9 steps.  The
 * count of "boundary" words seen so far bounds the open boundaries; once the
 * comparisons they could cost pass RENDER_MAX_SCAN_WORK, the input is cut at
 * that line.  Real mail stays orders of magnitude below.
 */
static size_t
render_scan_limit(const char *buf, size_t len)
{
	const char *p, *end;
	uint64_t work = 0;
	size_t boundaries = 0;

	if (buf == NULL || len == 0)
		return 0;
	p = buf;
	end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end, *q;

		if (stop - p >= 2 && p[0] == '-' && p[1] == '-') {
			work += MIN(boundaries, (size_t)RENDER_GMIME_MAX_LEVEL);
			if (work > RENDER_MAX_SCAN_WORK)
				return (size_t)(p - buf);
		}
		for (q = p; q + 8 <= stop; q++)
			if ((*q == 'b' || *q == 'B') && g_ascii_strncasecmp(q, "boundary", 8) == 0)
				boundaries++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return len;
}

/* Render from STREAM (taken); BUF/LEN are its bytes, shown raw when no message can be read. */
static struct rendering *
render_stream(GMimeStream *stream, const char *buf, size_t len, bool cut,
    const struct render_options *options)
{
	static const struct render_options defaults = { 0 };
	struct rendering *r = g_new0(struct rendering, 1);
	struct render_ctx ctx;
	GMimeParserOptions *parser_options = render_parser_options();
	GMimeParser *parser;
	GMimeMessage *message;
	guint i;

	r->lines = g_ptr_array_new_with_free_func(render_line_free);
	r->attachments = g_ptr_array_new_with_free_func(render_attachment_free);
	memset(&ctx, 0, sizeof ctx);
	ctx.r = r;
	ctx.options = options != NULL ? options : &defaults;
	ctx.text_left = RENDER_MAX_TEXT;
	ctx.cut_input = cut;

	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, parser_options);
	if (message != NULL) {
		render_message(&ctx, message, 0);
	} else {
		/* Not a message at all: show the bytes as text. */
		size_t n = MIN(len, (size_t)RENDER_MAX_PART_TEXT), out_len;
		char *utf8 = render_to_utf8(buf, n, NULL, &out_len);

		render_separator(&ctx, "");
		render_text(&ctx, utf8, out_len);
		g_free(utf8);
	}
	if (ctx.cut_input)
		render_note(&ctx, "[the rest is not shown: the message structure is too complex]");
	if (r->attachments->len > 0)
		render_separator(&ctx, "");
	for (i = 0; i < r->attachments->len; i++) {
		struct render_attachment *a = g_ptr_array_index(r->attachments, i);
		char *size = render_format_size(a->size);

		render_add(&ctx, RENDER_ATTACHMENT, 0, 0,
		    g_strdup_printf("[%d] %s (%s, %s)", a->number,
			*a->name != '\0' ? a->name : "(no name)", a->type, size));
		g_free(size);
	}
	g_clear_object(&message);
	g_object_unref(parser);
	g_object_unref(stream);
	return r;
}

struct rendering *
render_bytes(const char *buf, size_t len, const struct render_options *options)
{
	GMimeStream *stream;
	size_t limit;

	render_parser_options();
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	if (len > RENDER_MAX_INPUT)
		len = RENDER_MAX_INPUT;
	limit = render_scan_limit(buf, len);
	stream = g_mime_stream_mem_new_with_buffer(buf, limit);
	return render_stream(stream, buf, limit, limit < len, options);
}

/* Read FD to the end, at most RENDER_MAX_INPUT bytes; false with errno set on error. */
static bool
render_read_fd(int fd, GByteArray *out)
{
	char buf[65536];
	ssize_t n;

	while (out->len < RENDER_MAX_INPUT) {
		n = read(fd, buf, MIN(sizeof buf, (size_t)(RENDER_MAX_INPUT - out->len)));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		g_byte_array_append(out, (const guint8 *)buf, (guint)n);
	}
	return true;
}

struct rendering *
render_file(const char *path, const struct render_options *options, GError **error)
{
	GByteArray *bytes;
	GMimeStream *stream;
	struct stat st;
	size_t limit;
	bool cut;
	int fd, saved;
	bool is_stdin = path != NULL && strcmp(path, "-") == 0;

	if (path == NULL || *path == '\0') {
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_READ, "%s: %s",
		    path != NULL ? path : "(null)", g_strerror(ENOENT));
		return NULL;
	}
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_READ, "%s: %s", path, g_strerror(saved));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			close(fd);
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_READ, "%s: %s", path, g_strerror(EISDIR));
		return NULL;
	}
	bytes = g_byte_array_new();
	if (!render_read_fd(fd, bytes)) {
		saved = errno;
		if (!is_stdin)
			close(fd);
		g_byte_array_free(bytes, TRUE);
		g_set_error(error, RENDER_ERROR, RENDER_ERROR_READ, "%s: %s", path, g_strerror(saved));
		return NULL;
	}
	if (!is_stdin)
		close(fd);
	render_parser_options();
	limit = render_scan_limit((const char *)bytes->data, bytes->len);
	cut = limit < bytes->len;
	g_byte_array_set_size(bytes, (guint)limit);
	/* The stream takes the bytes; they stay alive as long as it does. */
	stream = g_mime_stream_mem_new_with_byte_array(bytes);
	return render_stream(stream, bytes->data != NULL ? (const char *)bytes->data : "", limit, cut,
	    options);
}

void
render_free(struct rendering *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->lines, TRUE);
	g_ptr_array_free(r->attachments, TRUE);
	g_free(r);
}

char *
render_to_text(const struct rendering *r)
{
	GString *out = g_string_new(NULL);
	guint i;

	if (r == NULL)
		return g_string_free(out, FALSE);
	for (i = 0; i < r->lines->len; i++) {
		const struct render_line *line = g_ptr_array_index(r->lines, i);

		g_string_append(out, line->text);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}
