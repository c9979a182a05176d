/*
 * summary: the index fields and search text of one message, from GMime 3.
 *
 * Parsing, decoding and charsets are mime.c's, as for the pager, so the index
 * and search see the words the pager shows.
 *
 * What it must never do: hand back a string that has not passed
 * sanitize_text, fail on malformed mail, or decode more of a part than the
 * caps below allow.
 */
#include "surat/summary.h"

#include <errno.h>
#include <string.h>

#include "surat/html.h"
#include "surat/mime.h"
#include "surat/sanitize.h"

/* Longest header display string kept (From, To, Subject, ids), in bytes. */
#define SUMMARY_FIELD_MAX 2048
/* Most addresses of To: shown, and most ids of References: kept. */
#define SUMMARY_ADDRESSES_MAX 50
#define SUMMARY_REFERENCES_MAX 64
/* Raw bytes read from one part: text, and HTML (markup takes room). */
#define SUMMARY_TEXT_RAW_MAX (SUMMARY_BODY_MAX + 16)
#define SUMMARY_HTML_RAW_MAX (4 * SUMMARY_BODY_MAX)

/* What walking the MIME tree collects. */
struct summary_walk {
	GString *body;                /* search text so far; NULL when not wanted */
	const char *const *fallbacks; /* charsets tried after UTF-8 (mime_to_utf8) */
	bool has_attachment;
	int parts;                    /* parts looked at, against MIME_MAX_PARTS */
};

static void summary_walk_object(GMimeObject *obj, struct summary_walk *w, int depth,
    bool want_body);

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
summary_ids(GMimeMessage *message, const char *name)
{
	const char *value = g_mime_object_get_header(GMIME_OBJECT(message), name);
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GMimeReferences *refs;
	int i, n;

	if (value == NULL)
		return ids;
	refs = g_mime_references_parse(NULL, value);
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

/* Append the search text of a text/plain or text/html PART to W->body. */
static void
summary_text_part(GMimePart *part, bool html, struct summary_walk *w)
{
	GMimeObject *obj = GMIME_OBJECT(part);
	GByteArray *raw;
	size_t len;
	bool raw_html;
	char *text;

	if (w->body == NULL || w->body->len >= SUMMARY_BODY_MAX)
		return;
	raw = mime_decode(part, html ? SUMMARY_HTML_RAW_MAX : SUMMARY_TEXT_RAW_MAX);
	/* The pager's conversion, so search finds the words the pager shows. */
	text = mime_text_utf8(obj, raw->len > 0 ? (const char *)raw->data : "", raw->len,
	    w->fallbacks, true, &len, &raw_html);
	g_byte_array_unref(raw);
	if (html) {
		char *plain = html_to_text(text, len, raw_html ? NULL : "UTF-8", NULL, NULL);

		/* Without libxml2 the source is indexed: its words are still found. */
		if (plain != NULL) {
			g_free(text);
			text = plain;
			len = strlen(plain);
		}
	}
	if (w->body->len > 0)
		g_string_append_c(w->body, '\n');
	g_string_append_len(w->body, text, (gssize)len);
	g_free(text);
}

/* The child of the multipart/alternative MP whose text is best for search. */
static int
summary_best_alternative(GMimeMultipart *mp)
{
	int i, n = g_mime_multipart_get_count(mp), html = -1, other = -1;

	for (i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		GMimeContentType *type = g_mime_object_get_content_type(child);

		if (mime_is_attachment(child))
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

	if (mime_is_attachment(obj)) {
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
	if (obj == NULL || depth > MIME_MAX_DEPTH || ++w->parts > MIME_MAX_PARTS)
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
		if (mime_is_attachment(obj) ||
		    g_mime_object_get_content_disposition_parameter(obj, "filename") != NULL ||
		    g_mime_object_get_content_type_parameter(obj, "name") != NULL)
			w->has_attachment = true;
		if (inner != NULL)
			summary_walk_object(g_mime_message_get_mime_part(inner), w, depth + 1,
			    want_body && !mime_is_attachment(obj));
		return;
	}
	if (GMIME_IS_PART(obj))
		summary_walk_part(GMIME_PART(obj), w, want_body);
}

/* MSG's Sender and list headers ("" for none), for mutt's ~e and ~l. */
static void
summary_lists(GMimeMessage *message, struct index_message *msg)
{
	GMimeObject *obj = GMIME_OBJECT(message);
	const char *list = g_mime_object_get_header(obj, "List-Id");

	if (list == NULL)
		list = g_mime_object_get_header(obj, "List-Post");
	g_free(msg->sender);
	g_free(msg->list);
	/* summary_one_line gives "" for a missing header: known to be none. */
	msg->sender = summary_one_line(g_mime_object_get_header(obj, "Sender"));
	msg->list = summary_one_line(list);
}

/* The fields of MSG and the search text from MESSAGE (may be NULL: none). */
static void
summary_from_message(GMimeMessage *message, const char *const *fallbacks,
    struct index_message *msg, char **body_text)
{
	struct summary_walk walk = { NULL, fallbacks, false, 0 };
	GDateTime *date;
	GPtrArray *ids;

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
		ids = summary_ids(message, "In-Reply-To");
		if (ids->len > 0)
			msg->in_reply_to = g_strdup(g_ptr_array_index(ids, 0));
		g_ptr_array_unref(ids);
		ids = summary_ids(message, "References");
		if (ids->len > 0) {
			g_ptr_array_add(ids, NULL);
			msg->references = g_strjoinv(" ", (char **)ids->pdata);
		}
		g_ptr_array_unref(ids);
		date = g_mime_message_get_date(message);
		if (date != NULL && g_date_time_to_unix(date) > 0)
			msg->date = g_date_time_to_unix(date);
		summary_from(message, msg);
		summary_lists(message, msg);
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
		gsize len;

		summary_cut(walk.body, SUMMARY_BODY_MAX);
		safe = sanitize_text(walk.body->str, (ssize_t)walk.body->len, SANITIZE_MULTILINE);
		g_string_assign(walk.body, safe);
		g_free(safe);
		summary_cut(walk.body, SUMMARY_BODY_MAX);
		/*
		 * Without the GString's spare room (up to as much again as the
		 * text): a fetch or reindex holds hundreds of these at once.
		 */
		len = walk.body->len;
		*body_text = g_realloc(g_string_free(walk.body, FALSE), len + 1);
	}
}

/*
 * Parsed as the pager parses (mime_parse): the same charsets, the same guard
 * against boundary structures that would cost GMime hours.
 */
void
summary_from_bytes(const char *buf, size_t len, const char *const *fallbacks,
    struct index_message *msg, char **body_text)
{
	GMimeMessage *message = mime_parse(buf, len, fallbacks, NULL);

	summary_from_message(message, fallbacks, msg, body_text);
	/* The message reads from BUF: it goes first. */
	g_clear_object(&message);
}

/* As summary_from_bytes, reading the file as GMime needs it (never whole). */
bool
summary_from_file(const char *path, const char *const *fallbacks, struct index_message *msg,
    char **body_text, GError **error)
{
	GMimeMessage *message;

	if (!mime_parse_file(path, fallbacks, &message, NULL, error))
		return false;
	summary_from_message(message, fallbacks, msg, body_text);
	g_clear_object(&message);
	return true;
}
