/*
 * compose-answer: the drafts that answer or pass on a message: reply,
 * group reply, list reply, forward inline and as attachments.  The
 * message is read with GMime (the pager's lenient parse); what the draft
 * takes from it goes through sanitize_text, and what it quotes through the
 * renderer.
 */
#include <string.h>

#include "compose-private.h"
#include "surat/mime.h"
#include "surat/sanitize.h"

#define COMPOSE_REFERENCES_KEPT 10   /* the last ids of References a reply keeps (and the first) */
#define COMPOSE_MAX_ADDRESSES   1000 /* addresses read from one field */
#define COMPOSE_ATTRIBUTION     "On %d, %n wrote:"

/* TEXT made safe for one line of the editor's file, or NULL for NULL. */
char *
compose_clean(const char *text)
{
	char *clean;

	if (text == NULL)
		return NULL;
	clean = sanitize_text(text, -1, 0);
	return g_strstrip(clean);
}

/* The message in TEXT (LEN bytes, borrowed by it), or NULL with COMPOSE_ERROR_MESSAGE. */
GMimeMessage *
compose_parse(const char *text, size_t len, GError **error)
{
	GMimeMessage *message;

	if (!mime_lib_load(error))
		return NULL;
	message = text != NULL && len > 0 ? mime_parse(text, len, NULL, NULL) : NULL;
	if (message == NULL)
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_MESSAGE,
		    "the message cannot be read: it is empty or has no header; choose another");
	return message;
}

/* Append the mailboxes of LIST (group members too) to OUT (InternetAddress refs). */
static void
compose_mailboxes(InternetAddressList *list, GPtrArray *out)
{
	int i, n = list != NULL ? internet_address_list_length(list) : 0;

	for (i = 0; i < n && out->len < COMPOSE_MAX_ADDRESSES; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(a))
			compose_mailboxes(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)), out);
		else if (INTERNET_ADDRESS_IS_MAILBOX(a))
			g_ptr_array_add(out, g_object_ref(a));
	}
}

/* The mailboxes of MESSAGE's address field TYPE (a new array of refs). */
static GPtrArray *
compose_field_mailboxes(GMimeMessage *message, GMimeAddressType type)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_object_unref);

	compose_mailboxes(g_mime_message_get_addresses(message, type), out);
	return out;
}

/* The address of the mailbox A ("" when it has none). */
static const char *
compose_addr(gpointer a)
{
	const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));

	return addr != NULL ? addr : "";
}

/* True when the mailboxes in LIST have ADDR already. */
static bool
compose_has_addr(GPtrArray *list, const char *addr)
{
	guint i;

	for (i = 0; i < list->len; i++)
		if (g_ascii_strcasecmp(compose_addr(g_ptr_array_index(list, i)), addr) == 0)
			return true;
	return false;
}

/*
 * Add the mailboxes of FROM to TO: each address once (also not one in
 * EXCEPT, may be NULL), none of IDENTITY's own when NOT_OWN, and none that
 * is not local@domain (no answer could reach it).
 */
static void
compose_add_mailboxes(GPtrArray *to, GPtrArray *from, GPtrArray *except,
    const struct compose_identity *identity, bool not_own)
{
	guint i;

	for (i = 0; i < from->len; i++) {
		gpointer a = g_ptr_array_index(from, i);
		const char *addr = compose_addr(a);

		if (!compose_addr_ok(addr) || compose_has_addr(to, addr) ||
		    (except != NULL && compose_has_addr(except, addr)) ||
		    (not_own && compose_is_own(identity, addr)))
			continue;
		g_ptr_array_add(to, g_object_ref(a));
	}
}

/* The mailboxes in LIST as the editor shows them ("Name <addr>, addr"), or NULL when none. */
static char *
compose_mailboxes_text(GPtrArray *list)
{
	InternetAddressList *l = internet_address_list_new();
	char *text;
	guint i;

	for (i = 0; i < list->len; i++)
		internet_address_list_add(l, g_ptr_array_index(list, i));
	text = compose_list_text(l);
	g_object_unref(l);
	return text;
}

/* The values of every header NAME of MESSAGE, in order (borrowed). */
GPtrArray *
compose_header_values(GMimeMessage *message, const char *name)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	GPtrArray *out = g_ptr_array_new();
	int i, n = g_mime_header_list_get_count(headers);

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *value = g_mime_header_get_value(h);

		if (g_ascii_strcasecmp(g_mime_header_get_name(h), name) == 0 && value != NULL)
			g_ptr_array_add(out, (gpointer)value);
	}
	return out;
}

/*
 * From for an answer to MESSAGE: the own address it was sent to (To, Cc,
 * Delivered-To), with the identity's name; else the identity's.
 */
static char *
compose_answer_from(const struct compose_identity *identity, GMimeMessage *message)
{
	static const GMimeAddressType types[] = { GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC };
	GPtrArray *seen = g_ptr_array_new_with_free_func(g_object_unref), *delivered;
	const struct account_config *account = identity != NULL ? identity->account : NULL;
	char *found = NULL, *from;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(types); i++)
		compose_mailboxes(g_mime_message_get_addresses(message, types[i]), seen);
	delivered = compose_header_values(message, "Delivered-To");
	for (i = 0; i < delivered->len; i++) {
		InternetAddressList *list = internet_address_list_parse(NULL,
		    g_ptr_array_index(delivered, i));

		if (list != NULL) {
			compose_mailboxes(list, seen);
			g_object_unref(list);
		}
	}
	g_ptr_array_unref(delivered);
	for (i = 0; i < seen->len && found == NULL; i++)
		if (compose_is_own(identity, compose_addr(g_ptr_array_index(seen, i))))
			found = compose_clean(compose_addr(g_ptr_array_index(seen, i)));
	g_ptr_array_unref(seen);
	if (found == NULL || (account != NULL && account->from_address != NULL &&
	    g_ascii_strcasecmp(found, account->from_address) == 0)) {
		g_free(found);
		return compose_identity_from(identity);
	}
	from = compose_mailbox_text(account != NULL ? account->from_name : NULL, found);
	g_free(found);
	return from;
}

/*
 * True when SUBJECT starts with a reply prefix in any language and case:
 * "Re:", "RE[2]:", "Aw:", "Sv:".
 */
static bool
compose_has_reply_prefix(const char *subject)
{
	static const char *const prefixes[] = { "re", "aw", "sv" };
	const char *p = subject;
	size_t i;

	while (*p == ' ' || *p == '\t')
		p++;
	for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		const char *q = p + 2;

		if (g_ascii_strncasecmp(p, prefixes[i], 2) != 0)
			continue;
		if (*q == '[') {
			/* A count some clients keep: "Re[3]:". */
			for (q++; g_ascii_isdigit(*q); q++)
				;
			if (*q++ != ']')
				continue;
		}
		while (*q == ' ')
			q++;
		if (*q == ':')
			return true;
	}
	return false;
}

/* MESSAGE's subject decoded and made safe, or "" (g_free). */
static char *
compose_subject_of(GMimeMessage *message)
{
	const char *subject = g_mime_message_get_subject(message);

	return compose_clean(subject != NULL ? subject : "");
}

/* A message id safe to write back (no space, control or '<>'), or NULL. */
static char *
compose_clean_id(const char *id)
{
	const char *p;

	if (id == NULL || *id == '\0' || strlen(id) > 998)
		return NULL;
	for (p = id; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return NULL;
	return g_strdup(id);
}

/* Append the ids of the header VALUE (may be NULL) to IDS (g_free'd, without <>). */
void
compose_parse_ids(const char *value, GPtrArray *ids)
{
	GMimeReferences *refs;
	int i, n;

	if (value == NULL || (refs = g_mime_references_parse(NULL, value)) == NULL)
		return;
	n = g_mime_references_length(refs);
	for (i = 0; i < n; i++) {
		char *id = compose_clean_id(g_mime_references_get_message_id(refs, i));

		if (id != NULL)
			g_ptr_array_add(ids, id);
	}
	g_mime_references_free(refs);
}

/* IDS (may be empty) space-separated, or NULL when empty. */
char *
compose_join_ids(GPtrArray *ids)
{
	GString *out;
	guint i;

	if (ids->len == 0)
		return NULL;
	out = g_string_new(NULL);
	for (i = 0; i < ids->len; i++)
		g_string_append_printf(out, "%s%s", i > 0 ? " " : "", (char *)ids->pdata[i]);
	return g_string_free(out, FALSE);
}

/*
 * Set D's In-Reply-To and References for an answer to MESSAGE (RFC 5322
 * 3.6.4): its References (or its In-Reply-To when that is a single id),
 * the first and the last 10 kept, then its own id.
 */
static void
compose_answer_ids(struct compose_draft *d, GMimeMessage *message)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *values = compose_header_values(message, "References");

	if (values->len > 0)
		compose_parse_ids(g_ptr_array_index(values, 0), ids);
	g_ptr_array_unref(values);
	if (ids->len == 0) {
		values = compose_header_values(message, "In-Reply-To");
		if (values->len > 0)
			compose_parse_ids(g_ptr_array_index(values, 0), ids);
		g_ptr_array_unref(values);
		if (ids->len > 1)
			g_ptr_array_set_size(ids, 0);
	}
	if (ids->len > COMPOSE_REFERENCES_KEPT + 1)
		g_ptr_array_remove_range(ids, 1, ids->len - COMPOSE_REFERENCES_KEPT - 1);
	d->in_reply_to = compose_clean_id(g_mime_message_get_message_id(message));
	if (d->in_reply_to != NULL &&
	    (ids->len == 0 || strcmp(ids->pdata[ids->len - 1], d->in_reply_to) != 0))
		g_ptr_array_add(ids, g_strdup(d->in_reply_to));
	d->references = compose_join_ids(ids);
	g_ptr_array_unref(ids);
}

/* The sender of MESSAGE for attributions: the first From, else Sender (a ref, or NULL). */
static InternetAddress *
compose_sender(GMimeMessage *message)
{
	static const GMimeAddressType types[] = { GMIME_ADDRESS_TYPE_FROM,
		GMIME_ADDRESS_TYPE_SENDER };
	InternetAddress *sender = NULL;
	guint i;

	for (i = 0; i < G_N_ELEMENTS(types) && sender == NULL; i++) {
		GPtrArray *list = compose_field_mailboxes(message, types[i]);

		if (list->len > 0)
			sender = g_object_ref(g_ptr_array_index(list, 0));
		g_ptr_array_unref(list);
	}
	return sender;
}

/* The sender's name, else address, made safe ("" when there is none). */
static char *
compose_sender_name(InternetAddress *sender)
{
	const char *name;

	if (sender == NULL)
		return g_strdup("");
	name = internet_address_get_name(sender);
	return compose_clean(name != NULL && *name != '\0' ? name : compose_addr(sender));
}

/* MESSAGE's date as the pager shows it (FORMAT), else as written, else "" (g_free). */
static char *
compose_date_text(GMimeMessage *message, const char *format)
{
	char *text = render_date_text(g_mime_message_get_date(message), format);
	GPtrArray *values;

	if (text != NULL)
		return text;
	values = compose_header_values(message, "Date");
	text = compose_clean(values->len > 0 ? g_ptr_array_index(values, 0) : "");
	g_ptr_array_unref(values);
	return text;
}

/* ATTRIBUTION with %d %n %a %s %% expanded for MESSAGE (g_free); an unknown %x stays. */
static char *
compose_attribution(GMimeMessage *message, const char *attribution, const char *date_format)
{
	InternetAddress *sender = compose_sender(message);
	GString *out = g_string_new(NULL);
	const char *p;

	for (p = attribution; *p != '\0'; p++) {
		char *value = NULL;

		if (*p != '%' || p[1] == '\0') {
			g_string_append_c(out, *p);
			continue;
		}
		switch (*++p) {
		case 'd':
			value = compose_date_text(message, date_format);
			break;
		case 'n':
			value = compose_sender_name(sender);
			break;
		case 'a':
			value = compose_clean(sender != NULL ? compose_addr(sender) : "");
			break;
		case 's':
			value = compose_subject_of(message);
			break;
		case '%':
			value = g_strdup("%");
			break;
		default:
			value = g_strdup_printf("%%%c", *p);
			break;
		}
		g_string_append(out, value);
		g_free(value);
	}
	if (sender != NULL)
		g_object_unref(sender);
	return g_string_free(out, FALSE);
}

/* TEXT without its quote marks (">", "> >", ">>"); *DEPTH gets how many. */
const char *
compose_unquote(const char *text, int *depth)
{
	*depth = 0;
	while (*text == '>') {
		(*depth)++;
		text++;
		if (*text == ' ')
			text++;
	}
	return text;
}

/*
 * Append the body of R quoted to OUT: body lines with "> ", quoted lines
 * one level deeper, in the house style; the signature, headers, attachment
 * and link lists and surat's own notes left out, and blank lines at either
 * end too.
 */
static void
compose_quote_rendering(GString *out, const struct rendering *r)
{
	GString *quote = g_string_new(NULL);
	size_t kept = 0; /* bytes of QUOTE up to its last line with text */
	bool pending_blank = false;
	guint i;

	for (i = 0; i < r->lines->len; i++) {
		const struct render_line *line = g_ptr_array_index(r->lines, i);
		const char *text = line->text;
		int depth = 0;

		if (line->role == RENDER_SEPARATOR && quote->len > 0) {
			/* Between two parts: one blank quoted line. */
			pending_blank = true;
			continue;
		}
		if (line->role != RENDER_BODY && line->role != RENDER_QUOTE)
			continue;
		if (line->role == RENDER_QUOTE)
			text = compose_unquote(text, &depth);
		if (quote->len == 0 && *text == '\0')
			continue;
		if (pending_blank && *text != '\0')
			g_string_append(quote, ">\n");
		pending_blank = false;
		compose_append_quoted(quote, depth + 1, text);
		g_string_append_c(quote, '\n');
		if (*text != '\0')
			kept = quote->len;
	}
	g_string_append_len(out, quote->str, (gssize)kept);
	g_string_free(quote, TRUE);
}

/* R, or when it is NULL a rendering of TEXT made here into *OWN (free it). */
static const struct rendering *
compose_rendering(const struct rendering *r, const char *text, size_t len,
    struct rendering **own)
{
	*own = NULL;
	if (r != NULL)
		return r;
	*own = render_bytes(text, len, NULL);
	return *own;
}

/* The List-Post mailto: address of MESSAGE (RFC 2369), or NULL (g_free). */
static char *
compose_list_post(GMimeMessage *message)
{
	GPtrArray *values = compose_header_values(message, "List-Post");
	const char *p = values->len > 0 ? g_ptr_array_index(values, 0) : "";
	char *found = NULL;

	/* "<mailto:list@host?subject=x>, <https://...>", or "NO" (posting is not allowed). */
	while (found == NULL && (p = strchr(p, '<')) != NULL) {
		const char *end = strchr(++p, '>');

		if (end == NULL)
			break;
		if (g_ascii_strncasecmp(p, "mailto:", 7) == 0) {
			size_t n = strcspn(p + 7, "?>");
			char *raw = g_strndup(p + 7, n);

			found = g_uri_unescape_string(raw, NULL);
			g_free(raw);
			if (found != NULL && strchr(found, '@') == NULL)
				g_clear_pointer(&found, g_free);
		}
		p = end + 1;
	}
	g_ptr_array_unref(values);
	return found;
}

/* The mailbox of To or Cc whose address is the List-Id of MESSAGE (a ref), or NULL. */
static InternetAddress *
compose_list_id_mailbox(GMimeMessage *message)
{
	static const GMimeAddressType types[] = { GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC };
	GPtrArray *values = compose_header_values(message, "List-Id");
	GPtrArray *seen = g_ptr_array_new_with_free_func(g_object_unref);
	InternetAddress *found = NULL;
	char *id;
	guint i;

	if (values->len == 0) {
		g_ptr_array_unref(values);
		g_ptr_array_unref(seen);
		return NULL;
	}
	/* "Description <list.host>": the id is in the last <>, else the whole value. */
	id = g_strdup(g_ptr_array_index(values, 0));
	if (strrchr(id, '<') != NULL) {
		char *start = strrchr(id, '<') + 1;

		memmove(id, start, strlen(start) + 1);
		if (strchr(id, '>') != NULL)
			*strchr(id, '>') = '\0';
	}
	g_strstrip(id);
	for (i = 0; i < G_N_ELEMENTS(types); i++)
		compose_mailboxes(g_mime_message_get_addresses(message, types[i]), seen);
	for (i = 0; i < seen->len && found == NULL; i++) {
		/* list@host has the id list.host */
		char *dotted = g_strdup(compose_addr(g_ptr_array_index(seen, i)));

		g_strdelimit(dotted, "@", '.');
		if (*id != '\0' && g_ascii_strcasecmp(dotted, id) == 0)
			found = g_object_ref(g_ptr_array_index(seen, i));
		g_free(dotted);
	}
	g_free(id);
	g_ptr_array_unref(seen);
	g_ptr_array_unref(values);
	return found;
}

/*
 * Set D's To and Cc for an answer of KIND to MESSAGE; false with
 * COMPOSE_ERROR_MESSAGE for a list reply to a message of no list.
 */
static bool
compose_answer_recipients(struct compose_draft *d, const struct compose_identity *identity,
    GMimeMessage *message, enum compose_reply_kind kind, GError **error)
{
	GPtrArray *to = g_ptr_array_new_with_free_func(g_object_unref);
	GPtrArray *cc = g_ptr_array_new_with_free_func(g_object_unref);
	GPtrArray *list;
	char *post;

	if (kind == COMPOSE_LIST_REPLY) {
		InternetAddress *mailbox;

		if ((post = compose_list_post(message)) != NULL) {
			d->to = compose_clean(post);
			g_free(post);
		} else if ((mailbox = compose_list_id_mailbox(message)) != NULL) {
			g_ptr_array_add(to, mailbox);
			d->to = compose_mailboxes_text(to);
		} else {
			g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_MESSAGE,
			    "the message names no mailing list (no List-Post, no List-Id in To "
			    "or Cc); use reply or group reply");
			g_ptr_array_unref(to);
			g_ptr_array_unref(cc);
			return false;
		}
		g_ptr_array_unref(to);
		g_ptr_array_unref(cc);
		return true;
	}
	list = compose_field_mailboxes(message, GMIME_ADDRESS_TYPE_REPLY_TO);
	if (list->len == 0) {
		g_ptr_array_unref(list);
		list = compose_field_mailboxes(message, GMIME_ADDRESS_TYPE_FROM);
	}
	if (list->len == 0) {
		g_ptr_array_unref(list);
		list = compose_field_mailboxes(message, GMIME_ADDRESS_TYPE_SENDER);
	}
	if (list->len > 0 && compose_is_own(identity, compose_addr(g_ptr_array_index(list, 0)))) {
		/* An answer to one's own message goes where it went (as mutt does). */
		g_ptr_array_unref(list);
		list = compose_field_mailboxes(message, GMIME_ADDRESS_TYPE_TO);
	}
	compose_add_mailboxes(to, list, NULL, identity, false);
	g_ptr_array_unref(list);
	if (kind == COMPOSE_GROUP_REPLY) {
		list = compose_field_mailboxes(message, GMIME_ADDRESS_TYPE_TO);
		compose_add_mailboxes(to, list, NULL, identity, true);
		g_ptr_array_unref(list);
		list = compose_field_mailboxes(message, GMIME_ADDRESS_TYPE_CC);
		compose_add_mailboxes(cc, list, to, identity, true);
		g_ptr_array_unref(list);
	}
	d->to = compose_mailboxes_text(to);
	d->cc = compose_mailboxes_text(cc);
	g_ptr_array_unref(to);
	g_ptr_array_unref(cc);
	return true;
}

struct compose_draft *
compose_reply(const struct compose_identity *identity, const char *text, size_t len,
    const struct rendering *rendered, enum compose_reply_kind kind, const char *attribution,
    const char *date_format, const char *signature, GError **error)
{
	GMimeMessage *message = compose_parse(text, len, error);
	struct compose_draft *d;
	struct rendering *own;
	char *subject, *line;
	GString *body;

	if (message == NULL)
		return NULL;
	d = compose_draft_new();
	if (!compose_answer_recipients(d, identity, message, kind, error)) {
		compose_draft_free(d);
		g_object_unref(message);
		return NULL;
	}
	d->from = compose_answer_from(identity, message);
	subject = compose_subject_of(message);
	d->subject = compose_has_reply_prefix(subject) ? g_strdup(subject) :
							 g_strconcat("Re: ", subject, NULL);
	g_free(subject);
	compose_answer_ids(d, message);
	body = g_string_new(NULL);
	line = compose_attribution(message, attribution != NULL ? attribution : COMPOSE_ATTRIBUTION,
	    date_format != NULL && *date_format != '\0' ? date_format : RENDER_DATE_FORMAT);
	if (*line != '\0')
		g_string_append_printf(body, "%s\n", line);
	g_free(line);
	compose_quote_rendering(body, compose_rendering(rendered, text, len, &own));
	render_free(own);
	g_string_append_c(body, '\n');
	compose_append_signature(body, signature);
	d->body = g_string_free(body, FALSE);
	g_object_unref(message);
	return d;
}

/* --- forward ------------------------------------------------------------- */

/* Append "NAME: value" for MESSAGE's address field TYPE to OUT, when it has one. */
static void
compose_forward_addresses(GString *out, GMimeMessage *message, const char *name,
    GMimeAddressType type)
{
	GPtrArray *list = compose_field_mailboxes(message, type);
	char *text = compose_mailboxes_text(list);

	if (text != NULL)
		g_string_append_printf(out, "%s: %s\n", name, text);
	g_free(text);
	g_ptr_array_unref(list);
}

/*
 * Append R's body as the pager shows it to OUT: every text line (quotes,
 * signature, the link list, the headers of messages inside) after the
 * message's own headers; blank lines at the end left out.
 */
static void
compose_forward_rendering(GString *out, const struct rendering *r)
{
	size_t start = out->len, kept = out->len;
	bool in_body = false;
	guint i;

	for (i = 0; i < r->lines->len; i++) {
		const struct render_line *line = g_ptr_array_index(r->lines, i);

		if (!in_body) {
			in_body = line->role == RENDER_SEPARATOR;
			continue;
		}
		if (line->role == RENDER_ATTACHMENT || line->role == RENDER_NOTE ||
		    (out->len == start && *line->text == '\0'))
			continue;
		g_string_append_printf(out, "%s\n", line->text);
		if (*line->text != '\0')
			kept = out->len;
	}
	g_string_truncate(out, kept);
}

/* Append the inline forward of MESSAGE (rendered as R) to OUT. */
static void
compose_forward_inline(GString *out, GMimeMessage *message, const struct rendering *r)
{
	InternetAddress *sender = compose_sender(message);
	char *name = compose_sender_name(sender), *value;
	GPtrArray *dates;

	g_string_append_printf(out, "----- Forwarded message from %s -----\n\n", name);
	compose_forward_addresses(out, message, "From", GMIME_ADDRESS_TYPE_FROM);
	dates = compose_header_values(message, "Date");
	if (dates->len > 0) {
		value = compose_clean(g_ptr_array_index(dates, 0));
		g_string_append_printf(out, "Date: %s\n", value);
		g_free(value);
	}
	g_ptr_array_unref(dates);
	compose_forward_addresses(out, message, "To", GMIME_ADDRESS_TYPE_TO);
	compose_forward_addresses(out, message, "Cc", GMIME_ADDRESS_TYPE_CC);
	value = compose_subject_of(message);
	g_string_append_printf(out, "Subject: %s\n\n", value);
	g_free(value);
	compose_forward_rendering(out, r);
	g_string_append(out, "\n----- End forwarded message -----\n");
	g_free(name);
	if (sender != NULL)
		g_object_unref(sender);
}

struct compose_draft *
compose_forward(const struct compose_identity *identity, const char *const *texts,
    const size_t *lens, const char *const *paths, const struct rendering *const *rendered,
    size_t n, bool attach, const char *signature, GError **error)
{
	struct compose_draft *d;
	GString *body, *sig;
	size_t i;

	if (n == 0) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_MESSAGE,
		    "no message to forward; choose one or tag several");
		return NULL;
	}
	d = compose_draft_new();
	body = g_string_new("\n");
	for (i = 0; i < n; i++) {
		GMimeMessage *message = compose_parse(texts[i], lens[i], error);
		struct rendering *own;

		if (message == NULL || (attach && (paths == NULL || paths[i] == NULL))) {
			if (message != NULL)
				g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_MESSAGE,
				    "message %zu to forward has no file; forward it inline", i + 1);
			else
				g_prefix_error(error, "message %zu to forward: ", i + 1);
			g_clear_object(&message);
			g_string_free(body, TRUE);
			compose_draft_free(d);
			return NULL;
		}
		if (i == 0) {
			char *subject = compose_subject_of(message);

			d->from = compose_answer_from(identity, message);
			d->subject = g_ascii_strncasecmp(subject, "Fwd:", 4) == 0 ?
			    g_strdup(subject) : g_strconcat("Fwd: ", subject, NULL);
			g_free(subject);
		}
		if (attach) {
			g_ptr_array_add(d->forwarded, g_strdup(paths[i]));
		} else {
			g_string_append(body, i > 0 ? "\n" : "");
			compose_forward_inline(body, message, compose_rendering(rendered != NULL ?
			    rendered[i] : NULL, texts[i], lens[i], &own));
			render_free(own);
		}
		g_object_unref(message);
	}
	sig = g_string_new(NULL);
	compose_append_signature(sig, signature);
	if (sig->len > 0)
		g_string_append_printf(body, "%s%s", attach ? "" : "\n", sig->str);
	g_string_free(sig, TRUE);
	d->body = g_string_free(body, FALSE);
	return d;
}

