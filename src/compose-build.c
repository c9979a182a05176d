/*
 * compose-build: the MIME message a draft describes, built by GMime
 * (GMimeMessage, its address lists, GMimeTextPart, GMimeMultipart): header
 * encoding (RFC 2047) and folding, attachment names (RFC 2231), the
 * Message-ID and the transfer encodings are GMime's; the text's charset,
 * format=flowed (RFC 3676) and the choice of encodings are ours.
 *
 * The text goes out as us-ascii when it is, else as utf-8, and then in
 * quoted-printable rather than 8bit: 8bit needs a server that offers
 * 8BITMIME, and smtp.c does not turn it into 7 bits for one that does not;
 * quoted-printable reaches every server and keeps the trailing spaces of
 * format=flowed from being stripped on the way.
 *
 * What it never does: read a file other than the attachments and
 * forwarded messages the draft names.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose-private.h"
#include "surat/mime.h"
#include "surat/outbox.h"

#define COMPOSE_LINE_MAX  998  /* bytes of a line in 7bit (RFC 5322 2.1.1) */
#define COMPOSE_GUESS_LEN 4096 /* bytes of a file read to guess its type */

/* --- format=flowed (RFC 3676) -------------------------------------------- */

/* True when a piece of an unquoted flowed line must be space-stuffed (RFC 3676 4.4). */
static bool
compose_needs_stuffing(const char *piece)
{
	return *piece == ' ' || *piece == '>' || g_str_has_prefix(piece, "From ");
}

/*
 * Where to break TEXT so that the piece, with the space that ends it, is
 * at most AVAIL characters: after the last space that fits, else after
 * the first space (a longer word stays whole); NULL when it fits or has
 * no space to break at.  Reads no further than it must, so a long line
 * costs its length once.
 */
static const char *
compose_flowed_break(const char *text, long avail)
{
	const char *p, *fit = NULL;
	long n = 0;

	for (p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		if (++n > avail && fit != NULL)
			return fit;
		if (*p == ' ' && p[1] != '\0') {
			if (n > avail)
				return p + 1;
			fit = p + 1;
		}
	}
	return NULL;
}

/* Append the logical line TEXT at quote DEPTH to OUT as flowed lines. */
static void
compose_flowed_line(GString *out, int depth, const char *text)
{
	GString *prefix = g_string_new(NULL);
	const char *p = text;
	int i;

	for (i = 0; i < depth; i++)
		g_string_append_c(prefix, '>');
	if (depth > 0)
		g_string_append_c(prefix, ' '); /* stuffs every quoted piece alike */
	for (;;) {
		bool stuff = depth == 0 && compose_needs_stuffing(p);
		long avail = COMPOSE_FLOWED_WIDTH - (long)prefix->len - (stuff ? 1 : 0);
		const char *cut = compose_flowed_break(p, avail);
		size_t n = cut != NULL ? (size_t)(cut - p) : strlen(p);

		if (depth > 0 && n == 0 && cut == NULL) {
			/* An empty quoted line: the marks alone, no space that would flow. */
			g_string_append_len(out, prefix->str, depth);
		} else {
			g_string_append(out, prefix->str);
			if (stuff)
				g_string_append_c(out, ' ');
			g_string_append_len(out, p, (gssize)n);
		}
		g_string_append_c(out, '\n');
		if (cut == NULL)
			break;
		p = cut;
	}
	g_string_free(prefix, TRUE);
}

char *
compose_flowed_encode(const char *body)
{
	GString *out = g_string_sized_new(strlen(body) + strlen(body) / 16 + 2);
	const char *p = body;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		char *line = nl != NULL ? g_strndup(p, (gsize)(nl - p)) : g_strdup(p);

		if (strcmp(line, "-- ") == 0) {
			/* The signature separator keeps its space and never flows. */
			g_string_append(out, "-- \n");
		} else {
			int depth;
			const char *text = compose_unquote(line, &depth);
			char *hard = g_strdup(text);

			/* A space at the end would say the line flows on: a hard break has none. */
			compose_flowed_line(out, depth, g_strchomp(hard));
			g_free(hard);
		}
		g_free(line);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return g_string_free(out, FALSE);
}

char *
compose_flowed_decode(const char *text, bool delsp)
{
	GString *out = g_string_sized_new(strlen(text) + 1);
	GString *para = g_string_new(NULL);
	const char *p = text;
	int para_depth = -1;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n'), *end = nl != NULL ? nl : p + strlen(p), *q = p;
		size_t n;
		int depth = 0;
		bool soft;

		while (q < end && *q == '>')
			depth++, q++;
		if (q < end && *q == ' ')
			q++; /* space-stuffing */
		n = (size_t)(end - q);
		soft = n > 0 && q[n - 1] == ' ' && !(n == 3 && memcmp(q, "-- ", 3) == 0);
		if (para_depth >= 0 && depth != para_depth) {
			/* A soft break into another quote depth is a hard one (RFC 3676 4.5). */
			compose_append_quoted(out, para_depth, para->str);
			g_string_append_c(out, '\n');
			g_string_truncate(para, 0);
		}
		g_string_append_len(para, q, (gssize)(soft && delsp ? n - 1 : n));
		para_depth = depth;
		if (!soft) {
			compose_append_quoted(out, depth, para->str);
			g_string_append_c(out, '\n');
			g_string_truncate(para, 0);
			para_depth = -1;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (para_depth >= 0) {
		compose_append_quoted(out, para_depth, para->str);
		g_string_append_c(out, '\n');
	}
	g_string_free(para, TRUE);
	return g_string_free(out, FALSE);
}

/* --- attachments --------------------------------------------------------- */

/* The MIME type of the file NAME whose first LEN bytes are DATA ("application/octet-stream"). */
static char *
compose_guess_type(const char *name, const guchar *data, size_t len)
{
	char *guess = g_content_type_guess(name, data, len, NULL);
	char *type = guess != NULL ? g_content_type_get_mime_type(guess) : NULL;

	g_free(guess);
	if (type == NULL || strchr(type, '/') == NULL) {
		g_free(type);
		return g_strdup("application/octet-stream");
	}
	return type;
}

/* Open PATH for reading as a regular file; -1 with COMPOSE_ERROR_FILE. *ST gets its status. */
static int
compose_open_file(const char *path, struct stat *st, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

	if (fd >= 0 && fstat(fd, st) == 0 && S_ISREG(st->st_mode))
		return fd;
	saved = fd < 0 ? errno : S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
	if (fd >= 0)
		close(fd);
	g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_FILE,
	    "%s: %s; attach a file that can be read", path,
	    saved == EINVAL ? "not a regular file" : g_strerror(saved));
	return -1;
}

struct compose_attachment *
compose_attachment_new(const char *path, GError **error)
{
	struct compose_attachment *a;
	guchar head[COMPOSE_GUESS_LEN];
	struct stat st;
	ssize_t n;
	int fd;

	if (!mime_lib_load(error))
		return NULL;
	if ((fd = compose_open_file(path, &st, error)) < 0)
		return NULL;
	do
		n = read(fd, head, sizeof head);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		int saved = errno;

		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_FILE,
		    "%s: %s; attach a file that can be read", path, g_strerror(saved));
		return NULL;
	}
	a = g_new0(struct compose_attachment, 1);
	a->path = g_canonicalize_filename(path, NULL);
	a->name = g_path_get_basename(a->path);
	a->type = compose_guess_type(a->name, head, (size_t)n);
	a->size = (int64_t)st.st_size;
	return a;
}

/* The message/rfc822 part of the message file PATH, or NULL with COMPOSE_ERROR_FILE. */
static GMimeObject *
compose_message_part(const char *path, GError **error)
{
	GMimeMessage *inner = NULL;
	GMimeMessagePart *part;
	GError *e = NULL;

	if (!mime_parse_file(path, NULL, &inner, NULL, &e) || inner == NULL) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_FILE,
		    "%s%s; forward a message that can be read", e != NULL ? e->message : path,
		    e != NULL ? "" : ": not a message");
		g_clear_error(&e);
		return NULL;
	}
	/* GMime writes a message it parsed as it read it: the bytes go out unchanged. */
	part = g_mime_message_part_new_with_message("rfc822", inner);
	g_object_unref(inner);
	g_mime_object_set_disposition(GMIME_OBJECT(part), "inline");
	return GMIME_OBJECT(part);
}

/* Have the parameter NAME of LIST, when it has one, encoded as UTF-8. */
static void
compose_utf8_param(GMimeParamList *list, const char *name)
{
	GMimeParam *param = list != NULL ? g_mime_param_list_get_parameter(list, name) : NULL;

	if (param != NULL)
		g_mime_param_set_charset(param, "utf-8");
}

/* Have OBJECT's file name parameters encoded as UTF-8, as every other field, never Latin-1. */
static void
compose_utf8_name(GMimeObject *object)
{
	GMimeContentDisposition *disposition = g_mime_object_get_content_disposition(object);

	compose_utf8_param(g_mime_content_type_get_parameters(
	    g_mime_object_get_content_type(object)), "name");
	if (disposition != NULL)
		compose_utf8_param(g_mime_content_disposition_get_parameters(disposition),
		    "filename");
}

/* The MIME part of the attachment A, or NULL with COMPOSE_ERROR_FILE. */
static GMimeObject *
compose_attachment_part(const struct compose_attachment *a, GError **error)
{
	GMimeDataWrapper *content;
	GMimeStream *stream;
	GMimeObject *object;
	GMimePart *part;
	struct stat st;
	char *type, *name;
	int fd;

	if ((fd = compose_open_file(a->path, &st, error)) < 0)
		return NULL;
	name = a->name != NULL && *a->name != '\0' ? g_strdup(a->name) :
						   g_path_get_basename(a->path);
	if (a->type != NULL && strchr(a->type, '/') != NULL && strchr(a->type, '/')[1] != '\0') {
		type = g_ascii_strdown(a->type, -1);
	} else {
		guchar head[COMPOSE_GUESS_LEN];
		ssize_t n = pread(fd, head, sizeof head, 0);

		type = compose_guess_type(name, head, n > 0 ? (size_t)n : 0);
	}
	if (strcmp(type, "message/rfc822") == 0) {
		/* RFC 2046 5.2.1: a message is never base64: it goes as a message. */
		close(fd);
		object = compose_message_part(a->path, error);
	} else {
		*strchr(type, '/') = '\0';
		part = g_mime_part_new_with_type(type, type + strlen(type) + 1);
		object = GMIME_OBJECT(part);
		stream = g_mime_stream_fs_new(fd); /* owns FD */
		content = g_mime_data_wrapper_new_with_stream(stream,
		    GMIME_CONTENT_ENCODING_DEFAULT);
		g_mime_part_set_content(part, content);
		g_object_unref(content);
		g_object_unref(stream);
		/* Text may stay readable (7bit or quoted-printable); the rest is base64. */
		g_mime_part_set_content_encoding(part, strcmp(type, "text") == 0 ?
		    g_mime_part_get_best_content_encoding(part, GMIME_ENCODING_CONSTRAINT_7BIT) :
		    GMIME_CONTENT_ENCODING_BASE64);
	}
	if (object != NULL) {
		g_mime_object_set_disposition(object, a->inline_disp ? "inline" : "attachment");
		/* The name as RFC 2231 parameters: the format options below choose the method. */
		if (GMIME_IS_PART(object))
			g_mime_part_set_filename(GMIME_PART(object), name);
		else
			g_mime_object_set_content_disposition_parameter(object, "filename", name);
		compose_utf8_name(object);
	}
	g_free(type);
	g_free(name);
	return object;
}

/* --- the message --------------------------------------------------------- */

/* BODY as the text part: valid UTF-8 ending in a newline, flowed when FLOWED (g_free). */
static char *
compose_body_text(const char *body, bool flowed)
{
	GString *text = g_string_new(NULL);
	char *valid = g_utf8_make_valid(body != NULL ? body : "", -1);

	g_string_append(text, valid);
	g_free(valid);
	if (text->len > 0 && text->str[text->len - 1] != '\n')
		g_string_append_c(text, '\n');
	if (flowed) {
		char *encoded = compose_flowed_encode(text->str);

		g_string_assign(text, encoded);
		g_free(encoded);
	}
	return g_string_free(text, FALSE);
}

/* True when TEXT has a byte over 127 or a line over COMPOSE_LINE_MAX bytes: no 7bit for it. */
static bool
compose_needs_encoding(const char *text)
{
	const char *p;
	size_t line = 0;

	for (p = text; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			return true;
		line = *p == '\n' ? 0 : line + 1;
		if (line > COMPOSE_LINE_MAX)
			return true;
	}
	return false;
}

/* The text/plain part of BODY. */
static GMimeObject *
compose_text_part(const char *body, bool flowed)
{
	char *text = compose_body_text(body, flowed);
	bool encode = compose_needs_encoding(text);
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
	GMimeDataWrapper *content;

	/* us-ascii when it is, else utf-8: never the "best" Latin-1 GMime would choose. */
	g_mime_text_part_set_charset(part, g_str_is_ascii(text) ? "us-ascii" : "utf-8");
	if (flowed)
		g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "format", "flowed");
	content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
	g_mime_part_set_content(GMIME_PART(part), content);
	g_mime_part_set_content_encoding(GMIME_PART(part), encode ?
	    GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE : GMIME_CONTENT_ENCODING_7BIT);
	g_object_unref(content);
	g_object_unref(stream);
	g_free(text);
	return GMIME_OBJECT(part);
}

int
compose_count_mailboxes(InternetAddressList *list)
{
	int i, n = internet_address_list_length(list), count = 0;

	for (i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(a))
			count += compose_count_mailboxes(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)));
		else
			count++;
	}
	return count;
}

/* The mailboxes VALUE names (strictly parsed; VALUE already checked). */
static int
compose_mailbox_count(GMimeParserOptions *options, const char *value)
{
	InternetAddressList *list = compose_parse_addresses(options, value);
	int n = compose_count_mailboxes(list);

	g_object_unref(list);
	return n;
}

/* Check D before it is sent: its addresses, a From, a recipient; else COMPOSE_ERROR_ADDRESS. */
static bool
compose_build_check(const struct compose_draft *d, GMimeParserOptions *options, GError **error)
{
	if (!compose_check_addresses("From", d->from, error) ||
	    !compose_check_addresses("To", d->to, error) ||
	    !compose_check_addresses("Cc", d->cc, error) ||
	    !compose_check_addresses("Bcc", d->bcc, error) ||
	    !compose_check_addresses("Reply-To", d->reply_to, error))
		return false;
	if (compose_mailbox_count(options, d->from) == 0) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_ADDRESS,
		    "From: no address; write From: Name <local@domain>, or set the account's from");
		return false;
	}
	if (compose_mailbox_count(options, d->to) + compose_mailbox_count(options, d->cc) +
	    compose_mailbox_count(options, d->bcc) == 0) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_ADDRESS,
		    "To: no recipient; write an address in To, Cc or Bcc");
		return false;
	}
	return true;
}

/* Add the addresses of VALUE to MESSAGE's field TYPE. */
static void
compose_build_addresses(GMimeMessage *message, GMimeAddressType type,
    GMimeParserOptions *options, const char *value)
{
	InternetAddressList *list = compose_parse_addresses(options, value);

	if (internet_address_list_length(list) > 0)
		internet_address_list_append(g_mime_message_get_addresses(message, type), list);
	g_object_unref(list);
}

/* The field NAME of D's other fields ("Name: value"), its value; NULL when it has none. */
static const char *
compose_extra(const struct compose_draft *d, const char *name)
{
	size_t n = strlen(name);
	guint i;

	for (i = 0; d->headers != NULL && i < d->headers->len; i++) {
		const char *field = g_ptr_array_index(d->headers, i);

		if (g_ascii_strncasecmp(field, name, n) == 0 && field[n] == ':')
			return field + n + 1;
	}
	return NULL;
}

/*
 * Add D's other fields to MESSAGE, but those of MIME's structure, which
 * the parts say themselves.  False with COMPOSE_ERROR_HEADER for a field
 * that is not "Name: value".
 */
static bool
compose_build_extras(GMimeMessage *message, const struct compose_draft *d, GError **error)
{
	guint i;

	for (i = 0; d->headers != NULL && i < d->headers->len; i++) {
		const char *field = g_ptr_array_index(d->headers, i), *p;
		const char *colon = strchr(field, ':');
		char *name, *value;

		for (p = field; p < colon && *p > ' ' && *p <= '~'; p++)
			;
		if (colon == NULL || colon == field || p != colon) {
			g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_HEADER,
			    "\"%.60s\" is not a header field; write \"Name: value\"", field);
			return false;
		}
		name = g_strndup(field, (gsize)(colon - field));
		value = g_strstrip(g_strdup(colon + 1));
		if (g_ascii_strcasecmp(name, "MIME-Version") != 0 &&
		    g_ascii_strncasecmp(name, "Content-", 8) != 0)
			g_mime_object_append_header(GMIME_OBJECT(message), name, value, "utf-8");
		g_free(value);
		g_free(name);
	}
	return true;
}

/* "<a> <b>" from the space-separated IDS (g_free). */
static char *
compose_bracketed_ids(const char *ids)
{
	char **list = g_strsplit(ids, " ", -1), **id;
	GString *out = g_string_new(NULL);

	for (id = list; *id != NULL; id++)
		if (**id != '\0')
			g_string_append_printf(out, "%s<%s>", out->len > 0 ? " " : "", *id);
	g_strfreev(list);
	return g_string_free(out, FALSE);
}

/* Set MESSAGE's header fields from D and O. */
static bool
compose_build_header(GMimeMessage *message, const struct compose_draft *d,
    const struct compose_build_options *o, GMimeParserOptions *options, GError **error)
{
	GMimeObject *object = GMIME_OBJECT(message);

	if (!o->draft && compose_extra(d, "Date") == NULL) {
		GDateTime *now = g_date_time_new_now_local();

		g_mime_message_set_date(message, now);
		g_date_time_unref(now);
	}
	compose_build_addresses(message, GMIME_ADDRESS_TYPE_FROM, options, d->from);
	compose_build_addresses(message, GMIME_ADDRESS_TYPE_TO, options, d->to);
	compose_build_addresses(message, GMIME_ADDRESS_TYPE_CC, options, d->cc);
	compose_build_addresses(message, GMIME_ADDRESS_TYPE_BCC, options, d->bcc);
	compose_build_addresses(message, GMIME_ADDRESS_TYPE_REPLY_TO, options, d->reply_to);
	if (d->subject != NULL && *d->subject != '\0')
		g_mime_message_set_subject(message, d->subject, "utf-8");
	if (!o->draft && compose_extra(d, "Message-ID") == NULL) {
		InternetAddressList *from = compose_parse_addresses(options, d->from);
		InternetAddress *first = internet_address_list_length(from) > 0 ?
		    internet_address_list_get_address(from, 0) : NULL;
		char *id = g_mime_utils_generate_message_id(outbox_domain(
		    first != NULL && INTERNET_ADDRESS_IS_MAILBOX(first) ?
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(first)) : NULL));

		g_mime_message_set_message_id(message, id);
		g_free(id);
		g_object_unref(from);
	}
	if (d->in_reply_to != NULL && *d->in_reply_to != '\0') {
		char *value = compose_bracketed_ids(d->in_reply_to);

		g_mime_object_set_header(object, "In-Reply-To", value, NULL);
		g_free(value);
	}
	if (d->references != NULL && *d->references != '\0') {
		char *value = compose_bracketed_ids(d->references);

		g_mime_object_set_header(object, "References", value, NULL);
		g_free(value);
	}
	if (o->user_agent != NULL && *o->user_agent != '\0')
		g_mime_object_set_header(object, "User-Agent", o->user_agent, "utf-8");
	if (!compose_build_extras(message, d, error))
		return false;
	g_mime_object_set_header(object, "MIME-Version", "1.0", NULL);
	return true;
}

/* D's body: its text, in a multipart/mixed when it has files; NULL with COMPOSE_ERROR_FILE. */
static GMimeObject *
compose_build_body(const struct compose_draft *d, const struct compose_build_options *o,
    GError **error)
{
	GMimeObject *text = compose_text_part(d->body, o->flowed);
	GMimeMultipart *mixed;
	guint i;

	if ((d->attachments == NULL || d->attachments->len == 0) &&
	    (d->forwarded == NULL || d->forwarded->len == 0))
		return text;
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, text);
	g_object_unref(text);
	for (i = 0; d->attachments != NULL && i < d->attachments->len; i++) {
		GMimeObject *part = compose_attachment_part(g_ptr_array_index(d->attachments, i),
		    error);

		if (part == NULL) {
			g_object_unref(mixed);
			return NULL;
		}
		g_mime_multipart_add(mixed, part);
		g_object_unref(part);
	}
	for (i = 0; d->forwarded != NULL && i < d->forwarded->len; i++) {
		GMimeObject *part = compose_message_part(g_ptr_array_index(d->forwarded, i), error);

		if (part == NULL) {
			g_object_unref(mixed);
			return NULL;
		}
		g_mime_multipart_add(mixed, part);
		g_object_unref(part);
	}
	return GMIME_OBJECT(mixed);
}

char *
compose_build(const struct compose_draft *d, const struct compose_build_options *o,
    size_t *len, GError **error)
{
	static const struct compose_build_options defaults = { false, NULL, false };
	GMimeParserOptions *options;
	GMimeFormatOptions *format;
	GMimeMessage *message;
	GMimeObject *body;
	GMimeStream *out;
	GByteArray *bytes;
	char *text = NULL;

	if (o == NULL)
		o = &defaults;
	if (!mime_lib_load(error))
		return NULL;
	/* A draft keeps what the person wrote, right or not yet. */
	options = o->draft ? g_mime_parser_options_new() : compose_strict_options();
	if (!o->draft && !compose_build_check(d, options, error)) {
		g_mime_parser_options_free(options);
		return NULL;
	}
	message = g_mime_message_new(FALSE);
	if (!compose_build_header(message, d, o, options, error) ||
	    (body = compose_build_body(d, o, error)) == NULL)
		goto out;
	g_mime_message_set_mime_part(message, body);
	g_object_unref(body);
	format = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(format, GMIME_NEWLINE_FORMAT_UNIX);
	g_mime_format_options_set_param_encoding_method(format,
	    GMIME_PARAM_ENCODING_METHOD_RFC2231);
	out = g_mime_stream_mem_new();
	g_mime_object_write_to_stream(GMIME_OBJECT(message), format, out);
	bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	text = g_malloc(bytes->len + 1);
	memcpy(text, bytes->data, bytes->len);
	text[bytes->len] = '\0';
	*len = bytes->len;
	g_object_unref(out);
	g_mime_format_options_free(format);
out:
	g_object_unref(message);
	g_mime_parser_options_free(options);
	return text;
}
