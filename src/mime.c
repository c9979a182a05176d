/*
 * mime: what render.c and attach.c share about reading a message with GMime.
 * One parse, one numbering of parts, one decoder, one charset policy, so the
 * pager's "Attachment #N" and `surat show --part N` always mean the same part.
 *
 * What it never does: print, or trust a size from the message.
 */
#include "surat/mime.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "surat/sanitize.h"

#define MIME_MAX_SCAN_WORK   20000000 /* boundary comparisons GMime may make */
#define MIME_GMIME_MAX_LEVEL 1024     /* GMime's own nesting limit */
#define MIME_MAX_FALLBACKS   16

static GMutex mime_lock;
static GHashTable *mime_options; /* joined fallback list -> GMimeParserOptions */

/* This module's table of parser options, made once (GMime starts as it loads). */
static gpointer
mime_init_once(gpointer unused)
{
	mime_options = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_mime_parser_options_free);
	return NULL;
}

/*
 * The lenient parser options for FALLBACKS, made once per list and kept for
 * the life of the process: GMime's headers refer to the options they were
 * parsed with.
 */
static GMimeParserOptions *
mime_parser_options(const char *const *fallbacks)
{
	static GOnce once = G_ONCE_INIT;
	static const char *const defaults[] = { "windows-1252", NULL };
	const char *list[MIME_MAX_FALLBACKS + 2];
	GMimeParserOptions *options;
	char *key;
	int i, n = 0;

	g_once(&once, mime_init_once, NULL);
	if (fallbacks == NULL)
		fallbacks = defaults;
	list[n++] = "UTF-8";
	for (i = 0; fallbacks[i] != NULL && n < MIME_MAX_FALLBACKS + 1; i++)
		list[n++] = fallbacks[i];
	list[n] = NULL;
	key = g_strjoinv(" ", (char **)list);
	g_mutex_lock(&mime_lock);
	options = g_hash_table_lookup(mime_options, key);
	if (options == NULL) {
		options = g_mime_parser_options_new();
		/* Real mail breaks the rules: encoded words in quotes, raw 8-bit. */
		g_mime_parser_options_set_rfc2047_compliance_mode(options,
		    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_address_compliance_mode(options,
		    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_parameter_compliance_mode(options,
		    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_allow_addresses_without_domain(options, TRUE);
		g_mime_parser_options_set_fallback_charsets(options, list);
		g_hash_table_insert(mime_options, key, options);
		key = NULL;
	}
	g_mutex_unlock(&mime_lock);
	g_free(key);
	return options;
}

GByteArray *
mime_read_file(const char *path)
{
	GByteArray *out;
	struct stat st;
	char buf[65536];
	bool is_stdin;
	ssize_t n;
	int fd, saved;

	if (path == NULL || *path == '\0') {
		errno = ENOENT;
		return NULL;
	}
	is_stdin = strcmp(path, "-") == 0;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			close(fd);
		errno = EISDIR;
		return NULL;
	}
	/* A regular file's size is a hint for one allocation, never trusted. */
	out = g_byte_array_sized_new(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ?
	    (guint)MIN(st.st_size + 1, (off_t)MIME_MAX_INPUT) : 65536);
	while (out->len < MIME_MAX_INPUT) {
		n = read(fd, buf, MIN(sizeof buf, (size_t)(MIME_MAX_INPUT - out->len)));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			if (!is_stdin)
				close(fd);
			g_byte_array_free(out, TRUE);
			errno = saved;
			return NULL;
		}
		if (n == 0)
			break;
		g_byte_array_append(out, (const guint8 *)buf, (guint)n);
	}
	if (!is_stdin)
		close(fd);
	return out;
}

/*
 * How many bytes of BUF to give GMime.  Its parser compares every line that
 * starts with "--" against each open boundary, so a hostile message with a
 * thousand nested multiparts and a million such lines costs 10^9 steps.  The
 * count of "boundary" words seen so far bounds the open boundaries; once the
 * comparisons they could cost pass MIME_MAX_SCAN_WORK, the input is cut at
 * that line.  Real mail stays orders of magnitude below.
 */
struct mime_scan {
	uint64_t work;     /* comparisons GMime could make so far */
	size_t boundaries; /* "boundary" words seen so far */
};

/*
 * Scan LEN bytes at BUF, whole lines but for the last, which may go on in
 * the next call; CONTINUED says that BUF goes on a line begun in the last
 * call.  Returns where to cut, or LEN.
 */
static size_t
mime_scan_lines(struct mime_scan *scan, const char *buf, size_t len, bool continued)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end, *q;

		if (!continued && stop - p >= 2 && p[0] == '-' && p[1] == '-') {
			scan->work += MIN(scan->boundaries, (size_t)MIME_GMIME_MAX_LEVEL);
			if (scan->work > MIME_MAX_SCAN_WORK)
				return (size_t)(p - buf);
		}
		continued = false;
		for (q = p; q + 8 <= stop; q++) {
			q = memchr(q, 'o', (size_t)(stop - q));
			if (q == NULL)
				break;
			/* "boundary" has its 'o' second. */
			if (q > p && q + 7 <= stop && (q[-1] == 'b' || q[-1] == 'B') &&
			    g_ascii_strncasecmp(q - 1, "boundary", 8) == 0)
				scan->boundaries++;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return len;
}

/*
 * How many bytes of BUF to give GMime.  Its parser compares every line that
 * starts with "--" against each open boundary, so a hostile message with a
 * thousand nested multiparts and a million such lines costs 10^9 steps.  The
 * count of "boundary" words seen so far bounds the open boundaries; once the
 * comparisons they could cost pass MIME_MAX_SCAN_WORK, the input is cut at
 * that line.  Real mail stays orders of magnitude below.
 */
static size_t
mime_scan_limit(const char *buf, size_t len)
{
	struct mime_scan scan = { 0, 0 };

	if (buf == NULL || len == 0)
		return 0;
	return mime_scan_lines(&scan, buf, len, false);
}

/*
 * mime_scan_limit over the file FD, read a piece at a time so a large
 * message is never held whole.  A line longer than the buffer is scanned
 * in pieces (a "boundary" cut in two there is not counted).  Returns the
 * bytes to give GMime, or -1 with errno.
 */
static off_t
mime_scan_fd(int fd)
{
	enum { MIME_SCAN_BUF = 1024 * 1024 };
	struct mime_scan scan = { 0, 0 };
	char *buf = g_malloc(MIME_SCAN_BUF);
	size_t have = 0, cut;
	off_t offset = 0; /* of buf[0] in the file */
	bool continued = false, eof = false;
	ssize_t n;

	while (!eof) {
		const char *last;
		size_t take;

		/* A read of 0 bytes (the end, or MIME_MAX_INPUT reached) ends the scan. */
		n = read(fd, buf + have, MIN((size_t)(MIME_SCAN_BUF - have),
		    (size_t)((off_t)MIME_MAX_INPUT - offset - (off_t)have)));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;

			g_free(buf);
			errno = saved;
			return -1;
		}
		eof = n == 0;
		have += (size_t)n;
		if (have == 0)
			break;
		/* Whole lines; at the end, or when one line fills the buffer, all of it. */
		last = memrchr(buf, '\n', have);
		if (eof || (last == NULL && have == MIME_SCAN_BUF))
			take = have;
		else if (last != NULL)
			take = (size_t)(last - buf) + 1;
		else
			continue;
		cut = mime_scan_lines(&scan, buf, take, continued);
		if (cut < take) {
			g_free(buf);
			return offset + (off_t)cut;
		}
		continued = buf[take - 1] != '\n';
		memmove(buf, buf + take, have - take);
		have -= take;
		offset += (off_t)take;
	}
	g_free(buf);
	return offset;
}

/* Free the header of a GByteArray whose bytes are borrowed. */
static void
mime_free_borrowed(gpointer data)
{
	g_byte_array_free(data, FALSE);
}

GMimeMessage *
mime_parse(const char *buf, size_t len, const char *const *fallbacks, bool *cut)
{
	GMimeParserOptions *options = mime_parser_options(fallbacks);
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *message;
	GByteArray *borrowed;
	size_t limit;

	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	if (len > MIME_MAX_INPUT)
		len = MIME_MAX_INPUT;
	limit = mime_scan_limit(buf, len);
	if (cut != NULL)
		*cut = limit < len;
	/*
	 * The stream borrows the bytes (no copy of a large message); the array
	 * header lives as long as the message, whose parts read from it.
	 */
	borrowed = g_byte_array_new_take((guint8 *)buf, limit);
	stream = g_mime_stream_mem_new();
	g_mime_stream_mem_set_byte_array(GMIME_STREAM_MEM(stream), borrowed);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_object_unref(stream);
	if (message != NULL)
		g_object_set_data_full(G_OBJECT(message), "surat-borrowed", borrowed,
		    mime_free_borrowed);
	else
		mime_free_borrowed(borrowed);
	return message;
}

bool
mime_parse_file(const char *path, const char *const *fallbacks, GMimeMessage **message,
    bool *cut, GError **error)
{
	GMimeParserOptions *options;
	GMimeStream *file, *stream;
	GMimeParser *parser;
	struct stat st;
	off_t limit;
	int fd, err;

	*message = NULL;
	if (!mime_lib_load(error))
		return false;
	options = mime_parser_options(fallbacks);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		goto fail;
	}
	if ((limit = mime_scan_fd(fd)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		goto fail;
	}
	if (cut != NULL)
		*cut = fstat(fd, &st) == 0 && st.st_size > limit;
	/*
	 * GMime reads the file as it parses, and the parts read their content
	 * from it when asked (the stream is seekable), so nothing is held whole.
	 */
	file = g_mime_stream_fs_new(fd); /* owns FD */
	stream = g_mime_stream_substream(file, 0, (gint64)limit);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	*message = g_mime_parser_construct_message(parser, options);
	g_object_unref(parser);
	g_object_unref(stream);
	g_object_unref(file);
	return true;
fail:
	err = errno;
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot read %s: %s", path,
	    g_strerror(err));
	return false;
}

/* Number OBJECT at DEPTH (the renderer's depth) and what it holds into OUT. */
static void
mime_number_object(GArray *out, GMimeObject *object, int depth, int level)
{
	struct mime_numbered n = { object, level };

	if (object == NULL || depth > MIME_MAX_DEPTH || out->len >= MIME_MAX_PARTS)
		return;
	if (GMIME_IS_MULTIPART(object)) {
		GMimeMultipart *mp = GMIME_MULTIPART(object);
		int i, count = g_mime_multipart_get_count(mp);

		for (i = 0; i < count && out->len < MIME_MAX_PARTS; i++)
			mime_number_object(out, g_mime_multipart_get_part(mp, i), depth + 1, level);
		return;
	}
	g_array_append_val(out, n);
	if (GMIME_IS_MESSAGE_PART(object)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));

		if (inner != NULL)
			mime_number_object(out, g_mime_message_get_mime_part(inner), depth + 2,
			    level + 1);
	}
}

GArray *
mime_number(GMimeMessage *message)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct mime_numbered));

	if (message != NULL)
		mime_number_object(out, g_mime_message_get_mime_part(message), 1, 0);
	return out;
}

/* A stream of PART's decoded content (the caller unrefs), or NULL when it has none. */
static GMimeStream *
mime_decoded_stream(GMimePart *part)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeContentEncoding encoding;
	GMimeStream *stream, *filtered;

	if (content == NULL || (stream = g_mime_data_wrapper_get_stream(content)) == NULL)
		return NULL;
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
	return filtered;
}

GByteArray *
mime_decode(GMimePart *part, size_t max)
{
	GMimeStream *filtered = mime_decoded_stream(part);
	GByteArray *out = g_byte_array_new();
	char buf[16384];
	ssize_t n;

	if (filtered == NULL)
		return out;
	while (out->len < max && (n = g_mime_stream_read(filtered, buf, sizeof buf)) > 0)
		g_byte_array_append(out, (const guint8 *)buf, (guint)MIN((size_t)n, max - out->len));
	g_object_unref(filtered);
	return out;
}

bool
mime_write_decoded(GMimeObject *object, GMimeStream *out)
{
	GMimeStream *in;
	bool ok;

	if (GMIME_IS_MESSAGE_PART(object)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));

		if (inner == NULL)
			return true;
		/* No flush: GMime's would fsync, which a pipe refuses. */
		return g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, out) >= 0;
	}
	if (!GMIME_IS_PART(object) || (in = mime_decoded_stream(GMIME_PART(object))) == NULL)
		return true;
	ok = g_mime_stream_write_to_stream(in, out) >= 0;
	g_object_unref(in);
	return ok;
}

/* Size of a whole object (a forwarded message) as it would be written out. */
static int64_t
mime_object_size(GMimeObject *object)
{
	GMimeStream *null = g_mime_stream_null_new();
	int64_t size;

	g_mime_object_write_to_stream(object, NULL, null);
	size = (int64_t)GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
	return size;
}

int64_t
mime_size(GMimeObject *object)
{
	GMimeDataWrapper *content;
	GMimeContentEncoding encoding;
	GMimeStream *stream;
	gint64 len;

	if (GMIME_IS_MESSAGE_PART(object)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));

		return inner != NULL ? mime_object_size(GMIME_OBJECT(inner)) : 0;
	}
	if (!GMIME_IS_PART(object))
		return mime_object_size(object);
	content = g_mime_part_get_content(GMIME_PART(object));
	if (content == NULL || (stream = g_mime_data_wrapper_get_stream(content)) == NULL)
		return 0;
	len = g_mime_stream_length(stream);
	if (len < 0)
		return 0;
	encoding = g_mime_data_wrapper_get_encoding(content);
	if (len <= MIME_EXACT_SIZE && (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
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

char *
mime_type(GMimeObject *object)
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

const char *
mime_raw_name(GMimeObject *object)
{
	const char *name;

	if (GMIME_IS_PART(object))
		return g_mime_part_get_filename(GMIME_PART(object));
	name = g_mime_object_get_content_disposition_parameter(object, "filename");
	if (name == NULL)
		name = g_mime_object_get_content_type_parameter(object, "name");
	return name;
}

bool
mime_is_attachment(GMimeObject *object)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(object);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

bool
mime_is_type(GMimeObject *object, const char *type, const char *subtype)
{
	GMimeContentType *ct = g_mime_object_get_content_type(object);

	return ct != NULL && g_mime_content_type_is_type(ct, type, subtype);
}

/*
 * Read LEN bytes at S as UTF-8 (NUL bytes allowed): *MULTI gets the number of
 * valid multi-byte characters, and the result is the number of bytes that
 * are not UTF-8.
 */
static size_t
mime_utf8_errors(const char *s, size_t len, size_t *multi)
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

bool
mime_looks_utf8(const char *s, size_t len)
{
	size_t multi, errors = mime_utf8_errors(s, len, &multi);

	return errors == 0 || multi > errors;
}

/* A NUL-terminated copy of LEN bytes at S (which may hold NUL bytes). */
static char *
mime_memdup0(const char *s, size_t len)
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
mime_convert(const char *s, size_t len, const char *charset, size_t *out_len, size_t *errors)
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

/* True for a label that promises plain ASCII (often wrongly). */
static bool
mime_charset_is_ascii(const char *charset)
{
	return charset != NULL && (g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	    g_ascii_strcasecmp(charset, "ascii") == 0 ||
	    g_ascii_strcasecmp(charset, "ansi_x3.4-1968") == 0);
}

/* The iconv name to read CHARSET with, or NULL for UTF-8 (no conversion). */
static const char *
mime_charset_name(const char *charset)
{
	const char *name;

	if (charset == NULL || *charset == '\0' || strlen(charset) > 64)
		return NULL;
	name = g_mime_charset_iconv_name(charset);
	if (g_ascii_strcasecmp(name, "iso-8859-1") == 0 || g_ascii_strcasecmp(name, "latin1") == 0 ||
	    mime_charset_is_ascii(name))
		return "WINDOWS-1252";
	if (g_ascii_strcasecmp(name, "utf-8") == 0 || g_ascii_strcasecmp(name, "utf8") == 0)
		return NULL;
	return name;
}

char *
mime_to_utf8(const char *s, size_t len, const char *charset, const char *const *fallbacks,
    size_t *out_len)
{
	static const char *const defaults[] = { "windows-1252", NULL };
	const char *name;
	char *out = NULL, *last = NULL;
	size_t errors = 0, last_len = 0;
	int i;

	/* 8-bit bytes under an ASCII label: the label says nothing; read as if unlabelled. */
	if (mime_charset_is_ascii(charset))
		charset = NULL;
	name = mime_charset_name(charset);
	if (name != NULL && (out = mime_convert(s, len, name, out_len, &errors)) != NULL &&
	    errors == 0)
		return out;
	if (mime_looks_utf8(s, len)) {
		g_free(out);
		*out_len = len;
		return mime_memdup0(s, len);
	}
	/* A declared charset keeps a stray byte or 1% of them (shown as U+FFFD). */
	if (out != NULL && errors <= len / 100 + 1)
		return out;
	if (name == NULL && charset != NULL && *charset != '\0') {
		size_t multi;

		if (mime_utf8_errors(s, len, &multi) <= len / 100 + 1) {
			*out_len = len;
			return mime_memdup0(s, len);
		}
	}
	g_free(out);
	if (fallbacks == NULL || fallbacks[0] == NULL)
		fallbacks = defaults;
	for (i = 0; fallbacks[i] != NULL; i++) {
		size_t n;

		out = mime_convert(s, len, mime_charset_name(fallbacks[i]) != NULL ?
		    mime_charset_name(fallbacks[i]) : fallbacks[i], &n, &errors);
		if (out == NULL)
			continue;
		if (errors == 0) {
			g_free(last);
			*out_len = n;
			return out;
		}
		g_free(last);
		last = out;
		last_len = n;
	}
	if (last != NULL) {
		*out_len = last_len;
		return last;
	}
	/* No iconv at all: sanitize_text still replaces what is invalid. */
	*out_len = len;
	return mime_memdup0(s, len);
}

char *
mime_text_utf8(GMimeObject *object, const char *data, size_t len,
    const char *const *fallbacks, bool html_meta, size_t *out_len, bool *raw_html)
{
	const char *charset = g_mime_object_get_content_type_parameter(object, "charset");
	bool html = mime_is_type(object, "text", "html");
	char *utf8, *valid;

	*raw_html = false;
	if (html && html_meta && (charset == NULL || *charset == '\0') &&
	    !mime_looks_utf8(data, len)) {
		/* No declared charset: let libxml2 read a <meta> one. */
		*raw_html = true;
		*out_len = len;
		return mime_memdup0(data, len);
	}
	utf8 = mime_to_utf8(data, len, charset, fallbacks, out_len);
	if (!html)
		return utf8;
	/* libxml2 stops at bytes that are not UTF-8: replace them first. */
	valid = g_utf8_make_valid(utf8, (gssize)*out_len);
	g_free(utf8);
	*out_len = strlen(valid);
	return valid;
}
