/*
 * summary: the index fields and search text of one message, from GMime 3.
 *
 * What it must never do: hand back a string that has not passed
 * sanitize_text, fail on malformed mail, or read more of a message than the
 * caps below allow into memory.
 */
#include "surat/summary.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <string.h>
#include <unistd.h>

#include "surat/html.h"
#include "surat/sanitize.h"

/* Longest header display string kept (From, To, Subject, ids), in bytes. */
#define SUMMARY_FIELD_MAX 2048
/* Most addresses of To: shown, and most ids of References: kept. */
#define SUMMARY_ADDRESSES_MAX 50
#define SUMMARY_REFERENCES_MAX 64
/* How deep MIME nesting is followed and how many parts are looked at. */
#define SUMMARY_DEPTH_MAX 32
#define SUMMARY_PARTS_MAX 1000
/* Raw bytes read from one part: text, and HTML (markup takes room). */
#define SUMMARY_TEXT_RAW_MAX (SUMMARY_BODY_MAX + 16)
#define SUMMARY_HTML_RAW_MAX (4 * SUMMARY_BODY_MAX)

/* What walking the MIME tree collects. */
struct summary_walk {
	GString *body;       /* search text so far; NULL when not wanted */
	bool has_attachment;
	int parts;           /* parts looked at, against SUMMARY_PARTS_MAX */
};

static void summary_walk_object(GMimeObject *obj, struct summary_walk *w, int depth,
    bool want_body);

/* Start GMime and libxml2 once for this module (g_mime_init is reference counted). */
static void
summary_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		g_mime_init();
		/* html.c's libxml2 must be set up before threads use it (reindex). */
		xmlInitParser();
		g_once_init_leave(&once, 1);
	}
}

/* S cut to at most MAX bytes on a UTF-8 character boundary (in place). */
static void
summary_cut(GString *s, size_t max)
{
	const char *end;

	if (s->len <= max)
		return;
	end = g_utf8_find_prev_char(s->str, s->str + max + 1);
	g_string_truncate(s, end != NULL ? (gsize)(end - s->str) : 0);
}

/*
 * A display string: whitespace runs (folding, tabs, newlines) become one
 * space, the ends trimmed, sanitized and capped.  NULL becomes "".
 */
static char *
summary_one_line(const char *in)
{
	GString *s = g_string_new(NULL);
	char *safe;
	const char *p;
	bool space = false;

	for (p = in; p != NULL && *p != '\0' && s->len < 4 * SUMMARY_FIELD_MAX; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			space = s->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(s, ' ');
		space = false;
		g_string_append_c(s, *p);
	}
	safe = sanitize_text(s->str, (ssize_t)s->len, 0);
	g_string_assign(s, safe);
	g_free(safe);
	summary_cut(s, SUMMARY_FIELD_MAX);
	return g_string_free(s, FALSE);
}

/* A message id fit for the index: sanitized, no spaces, capped; NULL if empty. */
static char *
summary_id(const char *id)
{
	GString *s;
	char *safe, *p;

	if (id == NULL || id[0] == '\0')
		return NULL;
	safe = sanitize_text(id, -1, 0);
	s = g_string_new(NULL);
	for (p = safe; *p != '\0'; p++) {
		if (*p != ' ' && *p != '<' && *p != '>')
			g_string_append_c(s, *p);
	}
	g_free(safe);
	summary_cut(s, SUMMARY_FIELD_MAX);
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* The first mailbox of LIST, looking inside groups. */
static InternetAddressMailbox *
summary_first_mailbox(InternetAddressList *list, int depth)
{
	int i, n;

	if (list == NULL || depth > 2)
		return NULL;
	n = internet_address_list_length(list);
	for (i = 0; i < n && i < SUMMARY_ADDRESSES_MAX; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		InternetAddressMailbox *mb;

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			return INTERNET_ADDRESS_MAILBOX(ia);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			mb = summary_first_mailbox(
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
			    depth + 1);
			if (mb != NULL)
				return mb;
		}
	}
	return NULL;
}

/* Set MSG->from and MSG->from_addr from the From: list. */
static void
summary_from(GMimeMessage *message, struct index_message *msg)
{
	InternetAddressMailbox *mb = summary_first_mailbox(g_mime_message_get_from(message), 0);
	const char *name = NULL, *addr = NULL;

	if (mb != NULL) {
		name = internet_address_get_name(INTERNET_ADDRESS(mb));
		addr = internet_address_mailbox_get_addr(mb);
	}
	g_free(msg->from_addr);
	msg->from_addr = summary_one_line(addr);
	g_free(msg->from);
	if (name != NULL && name[0] != '\0')
		msg->from = summary_one_line(name);
	else
		msg->from = g_strdup(msg->from_addr);
}

/*
 * Append the display form of LIST to S (names, else addresses, ", " between)
 * and its addresses to ADDRS (space-separated).
 */
static void
summary_address_list(InternetAddressList *list, GString *s, GString *addrs, int *count)
{
	int i, n = list != NULL ? internet_address_list_length(list) : 0;

	for (i = 0; i < n && *count < SUMMARY_ADDRESSES_MAX; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		const char *name = internet_address_get_name(ia);
		const char *show = name, *addr = NULL;

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		if (show == NULL || show[0] == '\0')
			show = addr;
		if ((name == NULL || name[0] == '\0') && INTERNET_ADDRESS_IS_GROUP(ia)) {
			summary_address_list(
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), s,
			    addrs, count);
			continue;
		}
		if (addr != NULL && addr[0] != '\0') {
			if (addrs->len > 0)
				g_string_append_c(addrs, ' ');
			g_string_append(addrs, addr);
		}
		if (show == NULL || show[0] == '\0')
			continue;
		if (s->len > 0)
			g_string_append(s, ", ");
		g_string_append(s, show);
		(*count)++;
	}
}

/* Fill *DISPLAY and *ADDRS (freeing what they held) from the address LIST. */
static void
summary_addresses(InternetAddressList *list, char **display, char **addrs)
{
	GString *s = g_string_new(NULL), *a = g_string_new(NULL);
	int count = 0;

	summary_address_list(list, s, a, &count);
	g_free(*display);
	g_free(*addrs);
	*display = summary_one_line(s->str);
	*addrs = summary_one_line(a->str);
	g_string_free(s, TRUE);
	g_string_free(a, TRUE);
}

/* The ids of header NAME (In-Reply-To, References), up to SUMMARY_REFERENCES_MAX. */
static GPtrArray *
summary_ids(GMimeMessage *message, GMimeParserOptions *options, const char *name)
{
	const char *value = g_mime_object_get_header(GMIME_OBJECT(message), name);
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GMimeReferences *refs;
	int i, n;

	if (value == NULL)
		return ids;
	refs = g_mime_references_parse(options, value);
	if (refs == NULL)
		return ids;
	n = g_mime_references_length(refs);
	for (i = 0; i < n; i++) {
		char *id;

		/* Keep the root and the most recent ids: threading needs those. */
		if (n > SUMMARY_REFERENCES_MAX && i > 0 && i < n - (SUMMARY_REFERENCES_MAX - 1))
			continue;
		id = summary_id(g_mime_references_get_message_id(refs, i));
		if (id != NULL)
			g_ptr_array_add(ids, id);
	}
	g_mime_references_free(refs);
	return ids;
}

/* Read the decoded content of PART, at most MAX bytes. */
static GByteArray *
summary_part_bytes(GMimePart *part, size_t max)
{
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GByteArray *out = g_byte_array_new();
	GMimeStream *raw, *filtered;
	GMimeContentEncoding encoding;
	char buf[8192];

	if (content == NULL || (raw = g_mime_data_wrapper_get_stream(content)) == NULL)
		return out;
	encoding = g_mime_data_wrapper_get_encoding(content);
	g_mime_stream_reset(raw);
	filtered = g_mime_stream_filter_new(raw);
	if (encoding != GMIME_CONTENT_ENCODING_DEFAULT) {
		GMimeFilter *decoder = g_mime_filter_basic_new(encoding, FALSE);

		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), decoder);
		g_object_unref(decoder);
	}
	while (out->len < max) {
		ssize_t n = g_mime_stream_read(filtered, buf, MIN(sizeof buf, max - out->len));

		if (n <= 0)
			break;
		g_byte_array_append(out, (const guint8 *)buf, (guint)n);
	}
	g_object_unref(filtered);
	return out;
}

/* True for names of charsets that promise plain ASCII (often wrongly). */
static bool
summary_charset_is_ascii(const char *charset)
{
	return g_ascii_strcasecmp(charset, "us-ascii") == 0 ||
	    g_ascii_strcasecmp(charset, "ascii") == 0 || g_ascii_strcasecmp(charset, "ansi_x3.4-1968") == 0;
}

/* LEN bytes at IN converted from CHARSET to UTF-8, or NULL when that fails. */
static char *
summary_convert(const char *in, size_t len, const char *charset)
{
	GError *error = NULL;
	gsize done = 0;
	char *out = g_convert(in, (gssize)len, "UTF-8", charset, &done, NULL, &error);

	if (out == NULL && error != NULL &&
	    g_error_matches(error, G_CONVERT_ERROR, G_CONVERT_ERROR_PARTIAL_INPUT) && done > 0) {
		/* The cap cut a character in two: keep what came before it. */
		out = g_convert(in, (gssize)done, "UTF-8", charset, NULL, NULL, NULL);
	}
	g_clear_error(&error);
	return out;
}

/*
 * LEN bytes of text in the declared CHARSET (may be NULL) as UTF-8: the
 * declared charset when it converts cleanly, else UTF-8 when valid, else
 * windows-1252, else ISO-8859-1 (which takes any byte).
 */
static char *
summary_to_utf8(const char *in, size_t len, const char *charset)
{
	const char *end;
	char *out;

	if (len == 0)
		return g_strdup(""); /* IN may be NULL then (an empty part) */
	if (charset != NULL && !summary_charset_is_ascii(charset) &&
	    g_ascii_strcasecmp(charset, "utf-8") != 0 && g_ascii_strcasecmp(charset, "utf8") != 0) {
		out = summary_convert(in, len, g_mime_charset_iconv_name(charset));
		if (out != NULL)
			return out;
	}
	/* Valid, or valid but for a last character the cap cut in two. */
	if (g_utf8_validate(in, (gssize)len, &end) ||
	    g_utf8_get_char_validated(end, (gssize)(len - (size_t)(end - in))) == (gunichar)-2)
		return g_strndup(in, (gsize)(end - in));
	out = summary_convert(in, len, "WINDOWS-1252");
	if (out == NULL)
		out = summary_convert(in, len, "ISO-8859-1");
	return out != NULL ? out : g_strdup("");
}

/* Append the search text of a text/plain or text/html PART to W->body. */
static void
summary_text_part(GMimePart *part, bool html, struct summary_walk *w)
{
	const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	GByteArray *raw;
	char *text;

	if (w->body == NULL || w->body->len >= SUMMARY_BODY_MAX)
		return;
	raw = summary_part_bytes(part, html ? SUMMARY_HTML_RAW_MAX : SUMMARY_TEXT_RAW_MAX);
	if (html)
		text = html_to_text((const char *)raw->data, raw->len, charset, NULL);
	else
		text = summary_to_utf8((const char *)raw->data, raw->len, charset);
	g_byte_array_unref(raw);
	if (w->body->len > 0)
		g_string_append_c(w->body, '\n');
	g_string_append(w->body, text);
	g_free(text);
}

/* True when OBJ is marked as an attachment by its Content-Disposition. */
static bool
summary_is_attachment(GMimeObject *obj)
{
	GMimeContentDisposition *disposition = g_mime_object_get_content_disposition(obj);

	return disposition != NULL && g_mime_content_disposition_is_attachment(disposition);
}

/* The child of the multipart/alternative MP whose text is best for search. */
static int
summary_best_alternative(GMimeMultipart *mp)
{
	int i, n = g_mime_multipart_get_count(mp), html = -1, other = -1;

	for (i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		GMimeContentType *type = g_mime_object_get_content_type(child);

		if (summary_is_attachment(child))
			continue;
		if (g_mime_content_type_is_type(type, "text", "plain"))
			return i;
		if (g_mime_content_type_is_type(type, "text", "html") && html < 0)
			html = i;
		else if (other < 0)
			other = i;
	}
	return html >= 0 ? html : other;
}

/* Look at the leaf PART: attachment, or text for the search body. */
static void
summary_walk_part(GMimePart *part, struct summary_walk *w, bool want_body)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GMimeContentType *type = g_mime_object_get_content_type(obj);
	bool text = g_mime_content_type_is_type(type, "text", "*");

	if (summary_is_attachment(obj)) {
		w->has_attachment = true;
		return;
	}
	if (!text) {
		if (g_mime_part_get_filename(part) != NULL)
			w->has_attachment = true;
		return;
	}
	if (!want_body)
		return;
	if (g_mime_content_type_is_type(type, "text", "html"))
		summary_text_part(part, true, w);
	else if (g_mime_content_type_is_type(type, "text", "plain") ||
	    g_mime_object_get_content_type_parameter(obj, "charset") != NULL)
		summary_text_part(part, false, w);
}

/* Walk OBJ and what it contains, up to the depth and part caps. */
static void
summary_walk_object(GMimeObject *obj, struct summary_walk *w, int depth, bool want_body)
{
	if (obj == NULL || depth > SUMMARY_DEPTH_MAX || ++w->parts > SUMMARY_PARTS_MAX)
		return;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		GMimeContentType *type = g_mime_object_get_content_type(obj);
		int i, n = g_mime_multipart_get_count(mp), best = -1;

		if (g_mime_content_type_is_type(type, "multipart", "alternative"))
			best = summary_best_alternative(mp);
		for (i = 0; i < n; i++)
			summary_walk_object(g_mime_multipart_get_part(mp, i), w, depth + 1,
			    want_body && (best < 0 || i == best));
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		/* Attached (by disposition or a name), or inline: its text is searchable. */
		if (summary_is_attachment(obj) ||
		    g_mime_object_get_content_disposition_parameter(obj, "filename") != NULL ||
		    g_mime_object_get_content_type_parameter(obj, "name") != NULL)
			w->has_attachment = true;
		if (inner != NULL)
			summary_walk_object(g_mime_message_get_mime_part(inner), w, depth + 1,
			    want_body && !summary_is_attachment(obj));
		return;
	}
	if (GMIME_IS_PART(obj))
		summary_walk_part(GMIME_PART(obj), w, want_body);
}

/* Fill MSG (and *BODY_TEXT) from the message in STREAM. */
static void
summary_from_stream(GMimeStream *stream, struct index_message *msg, char **body_text)
{
	static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
	GMimeParserOptions *options;
	GMimeParser *parser;
	GMimeMessage *message;
	struct summary_walk walk = { NULL, false, 0 };
	GDateTime *date;
	GPtrArray *ids;

	summary_init();
	options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(options, fallback);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	message = g_mime_parser_construct_message(parser, options);

	g_clear_pointer(&msg->message_id, g_free);
	g_clear_pointer(&msg->in_reply_to, g_free);
	g_clear_pointer(&msg->references, g_free);
	g_clear_pointer(&msg->from, g_free);
	g_clear_pointer(&msg->from_addr, g_free);
	g_clear_pointer(&msg->to, g_free);
	g_clear_pointer(&msg->cc, g_free);
	g_clear_pointer(&msg->to_addr, g_free);
	g_clear_pointer(&msg->cc_addr, g_free);
	g_clear_pointer(&msg->subject, g_free);
	msg->date = msg->arrival;
	msg->has_attachment = false;
	if (body_text != NULL)
		walk.body = g_string_new(NULL);

	if (message != NULL) {
		msg->message_id = summary_id(g_mime_message_get_message_id(message));
		ids = summary_ids(message, options, "In-Reply-To");
		if (ids->len > 0)
			msg->in_reply_to = g_strdup(g_ptr_array_index(ids, 0));
		g_ptr_array_unref(ids);
		ids = summary_ids(message, options, "References");
		if (ids->len > 0) {
			g_ptr_array_add(ids, NULL);
			msg->references = g_strjoinv(" ", (char **)ids->pdata);
		}
		g_ptr_array_unref(ids);
		date = g_mime_message_get_date(message);
		if (date != NULL && g_date_time_to_unix(date) > 0)
			msg->date = g_date_time_to_unix(date);
		summary_from(message, msg);
		summary_addresses(g_mime_message_get_to(message), &msg->to, &msg->to_addr);
		summary_addresses(g_mime_message_get_cc(message), &msg->cc, &msg->cc_addr);
		msg->subject = summary_one_line(g_mime_message_get_subject(message));
		summary_walk_object(g_mime_message_get_mime_part(message), &walk, 0, true);
		msg->has_attachment = walk.has_attachment;
	}
	if (msg->from == NULL)
		msg->from = g_strdup("");
	if (msg->from_addr == NULL)
		msg->from_addr = g_strdup("");
	if (msg->to == NULL)
		msg->to = g_strdup("");
	if (msg->cc == NULL)
		msg->cc = g_strdup("");
	if (msg->to_addr == NULL)
		msg->to_addr = g_strdup("");
	if (msg->cc_addr == NULL)
		msg->cc_addr = g_strdup("");
	if (msg->subject == NULL)
		msg->subject = g_strdup("");
	if (body_text != NULL) {
		char *safe;

		summary_cut(walk.body, SUMMARY_BODY_MAX);
		safe = sanitize_text(walk.body->str, (ssize_t)walk.body->len, SANITIZE_MULTILINE);
		g_string_assign(walk.body, safe);
		g_free(safe);
		summary_cut(walk.body, SUMMARY_BODY_MAX);
		*body_text = g_string_free(walk.body, FALSE);
	}
	g_clear_object(&message);
	g_object_unref(parser);
	g_mime_parser_options_free(options);
}

void
summary_from_bytes(const char *buf, size_t len, struct index_message *msg, char **body_text)
{
	GMimeStream *stream;

	summary_init();
	stream = g_mime_stream_mem_new_with_buffer(buf != NULL ? buf : "", buf != NULL ? len : 0);
	summary_from_stream(stream, msg, body_text);
	g_object_unref(stream);
}

bool
summary_from_file(const char *path, struct index_message *msg, char **body_text, GError **error)
{
	GMimeStream *stream;
	int fd;

	summary_init();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot read %s: %s",
		    path, g_strerror(err));
		return false;
	}
	/* The stream owns FD from here. */
	stream = g_mime_stream_fs_new(fd);
	summary_from_stream(stream, msg, body_text);
	g_object_unref(stream);
	return true;
}
