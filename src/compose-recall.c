/*
 * compose-recall: a draft from a whole message, for "edit as new" and
 * for a draft recalled from Drafts: its fields decoded, its first
 * text/plain part as the body, every other part a file in the caller's
 * folder (attach.h saves it: a safe name that replaces no file).
 *
 * What it never does: write outside the folder it is given.
 */
#include <string.h>
#include <glib/gstdio.h>

#include "compose-private.h"
#include "surat/attach.h"
#include "surat/mime.h"
#include "surat/sanitize.h"

/* Fields a draft does not keep: trace and transport, or made again when it is sent. */
static const char *const compose_recall_dropped[] = {
	"Return-Path", "Received", "Delivered-To", "Date", "Message-ID", "MIME-Version",
	"In-Reply-To", "References", "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Sender",
	"Status", "X-Status", "X-Keywords", "X-UID", "Lines", "Content-Length", "DKIM-Signature",
	"DomainKey-Signature", "Authentication-Results", "Received-SPF", "User-Agent", "X-Mailer",
	"Errors-To", "Precedence", "Delivery-Date", "Envelope-To", "Autocrypt",
};

/* ... and every field that starts so. */
static const char *const compose_recall_dropped_prefixes[] = {
	"Content-", "Resent-", "List-", "ARC-", "X-Spam-", "X-Original-", "X-Virus-",
};

/* Parts that only make sense with the rest of their signed container. */
static const char *const compose_recall_signatures[] = {
	"application/pgp-signature", "application/pkcs7-signature",
	"application/x-pkcs7-signature",
};

/* True when a draft leaves the field NAME out. */
static bool
compose_recall_drops(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(compose_recall_dropped); i++)
		if (g_ascii_strcasecmp(name, compose_recall_dropped[i]) == 0)
			return true;
	for (i = 0; i < G_N_ELEMENTS(compose_recall_dropped_prefixes); i++) {
		const char *prefix = compose_recall_dropped_prefixes[i];

		if (g_ascii_strncasecmp(name, prefix, strlen(prefix)) == 0)
			return true;
	}
	/* A name that is not printable ASCII could not be written back. */
	for (; *name != '\0'; name++)
		if (*name <= ' ' || *name > '~' || *name == ':')
			return true;
	return false;
}

/* MESSAGE's address field TYPE as the editor shows it, or NULL when it is empty. */
static char *
compose_recall_addresses(GMimeMessage *message, GMimeAddressType type)
{
	return compose_list_text(g_mime_message_get_addresses(message, type));
}

/*
 * The first text/plain part under OBJECT that is not an attachment;
 * *ALTERNATIVE gets the multipart/alternative it is an alternative in.
 */
static GMimeObject *
compose_recall_body(GMimeObject *object, GMimeObject **alternative, int depth)
{
	if (object == NULL || depth > MIME_MAX_DEPTH)
		return NULL;
	if (GMIME_IS_MULTIPART(object)) {
		GMimeMultipart *mp = GMIME_MULTIPART(object);
		int i, n = g_mime_multipart_get_count(mp);

		for (i = 0; i < n; i++) {
			GMimeObject *found = compose_recall_body(g_mime_multipart_get_part(mp, i),
			    alternative, depth + 1);

			if (found == NULL)
				continue;
			if (*alternative == NULL &&
			    mime_is_type(object, "multipart", "alternative"))
				*alternative = object;
			return found;
		}
		return NULL;
	}
	if (GMIME_IS_PART(object) && mime_is_type(object, "text", "plain") &&
	    !mime_is_attachment(object))
		return object;
	return NULL;
}

/* Put OBJECT and everything in it into SET. */
static void
compose_recall_collect(GMimeObject *object, GHashTable *set, int depth)
{
	if (object == NULL || depth > MIME_MAX_DEPTH)
		return;
	g_hash_table_add(set, object);
	if (GMIME_IS_MULTIPART(object)) {
		GMimeMultipart *mp = GMIME_MULTIPART(object);
		int i, n = g_mime_multipart_get_count(mp);

		for (i = 0; i < n; i++)
			compose_recall_collect(g_mime_multipart_get_part(mp, i), set, depth + 1);
	}
}

/* The text of the text/plain part BODY as UTF-8, made safe, format=flowed undone. */
static char *
compose_recall_text(GMimeObject *body)
{
	GByteArray *raw = mime_decode(GMIME_PART(body), MIME_MAX_INPUT);
	const char *format = g_mime_object_get_content_type_parameter(body, "format");
	const char *delsp = g_mime_object_get_content_type_parameter(body, "delsp");
	char *utf8, *clean;
	bool raw_html;
	size_t n;

	utf8 = mime_text_utf8(body, raw->len > 0 ? (const char *)raw->data : "", raw->len, NULL,
	    false, &n, &raw_html);
	g_byte_array_free(raw, TRUE);
	clean = sanitize_text(utf8, (ssize_t)n, SANITIZE_MULTILINE);
	g_free(utf8);
	if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0) {
		char *plain = compose_flowed_decode(clean,
		    delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0);

		g_free(clean);
		clean = plain;
	}
	return clean;
}

/* MESSAGE's other fields into D->headers, decoded, and its In-Reply-To and References. */
static void
compose_recall_fields(struct compose_draft *d, GMimeMessage *message)
{
	GMimeHeaderList *headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free), *values;
	int i, n = g_mime_header_list_get_count(headers);

	for (i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(headers, i);
		const char *name = g_mime_header_get_name(h);
		char *value;

		if (name == NULL || compose_recall_drops(name))
			continue;
		value = compose_clean(g_mime_header_get_value(h) != NULL ?
		    g_mime_header_get_value(h) : "");
		g_ptr_array_add(d->headers, g_strdup_printf("%s: %s", name, value));
		g_free(value);
	}
	values = compose_header_values(message, "In-Reply-To");
	if (values->len > 0)
		compose_parse_ids(g_ptr_array_index(values, 0), ids);
	g_ptr_array_unref(values);
	d->in_reply_to = ids->len > 0 ? g_strdup(ids->pdata[0]) : NULL;
	g_ptr_array_set_size(ids, 0);
	values = compose_header_values(message, "References");
	if (values->len > 0)
		compose_parse_ids(g_ptr_array_index(values, 0), ids);
	g_ptr_array_unref(values);
	d->references = compose_join_ids(ids);
	g_ptr_array_unref(ids);
}

/* True when the part of type TYPE goes only with a signed container. */
static bool
compose_recall_is_signature(const char *type)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(compose_recall_signatures); i++)
		if (g_ascii_strcasecmp(type, compose_recall_signatures[i]) == 0)
			return true;
	return false;
}

/*
 * Save the parts of TEXT other than BODY and the alternatives in SKIP
 * (may be NULL) into DIR: into D's attachments, a message/rfc822 part into
 * D's forwarded.  False with COMPOSE_ERROR_FILE.
 */
static bool
compose_recall_parts(struct compose_draft *d, GMimeMessage *message, const char *text,
    size_t len, GMimeObject *body, GHashTable *skip, const char *dir, GError **error)
{
	GArray *numbered = mime_number(message);
	struct attach *a = attach_new_bytes(text, len);
	bool ok = true;
	guint i;

	for (i = 0; i < numbered->len && ok; i++) {
		const struct mime_numbered *n = &g_array_index(numbered, struct mime_numbered, i);
		const struct attach_part *part = attach_get(a, (int)i + 1);
		struct compose_attachment *file;
		GError *e = NULL;
		char *path;

		/* A part inside a forwarded message goes with that message. */
		if (part == NULL || n->depth > 0 || n->object == body ||
		    (skip != NULL && g_hash_table_contains(skip, n->object)) ||
		    compose_recall_is_signature(part->type))
			continue;
		path = attach_save(a, (int)i + 1, dir, NULL, &e);
		if (path == NULL) {
			g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_FILE,
			    "part %u cannot be saved: %s; check the folder", i + 1, e->message);
			g_error_free(e);
			ok = false;
			break;
		}
		if (part->message) {
			g_ptr_array_add(d->forwarded, path);
			continue;
		}
		file = g_new0(struct compose_attachment, 1);
		file->path = path;
		file->name = *part->name != '\0' ? g_strdup(part->name) : g_path_get_basename(path);
		file->type = g_strdup(part->type);
		file->inline_disp = !part->attachment;
		file->size = part->size;
		g_ptr_array_add(d->attachments, file);
	}
	attach_free(a);
	g_array_free(numbered, TRUE);
	return ok;
}

struct compose_draft *
compose_from_message(const char *text, size_t len, const char *dir, GError **error)
{
	GMimeMessage *message = compose_parse(text, len, error);
	GMimeObject *body, *alternative = NULL;
	GHashTable *skip = NULL;
	struct compose_draft *d;
	bool ok;

	if (message == NULL)
		return NULL;
	d = compose_draft_new();
	d->from = compose_recall_addresses(message, GMIME_ADDRESS_TYPE_FROM);
	d->to = compose_recall_addresses(message, GMIME_ADDRESS_TYPE_TO);
	d->cc = compose_recall_addresses(message, GMIME_ADDRESS_TYPE_CC);
	d->bcc = compose_recall_addresses(message, GMIME_ADDRESS_TYPE_BCC);
	d->reply_to = compose_recall_addresses(message, GMIME_ADDRESS_TYPE_REPLY_TO);
	d->subject = compose_clean(g_mime_message_get_subject(message));
	compose_recall_fields(d, message);
	body = compose_recall_body(g_mime_message_get_mime_part(message), &alternative, 0);
	d->body = body != NULL ? compose_recall_text(body) : g_strdup("");
	if (alternative != NULL) {
		/* The HTML twin of the text is the same message, not an attachment. */
		skip = g_hash_table_new(NULL, NULL);
		compose_recall_collect(alternative, skip, 0);
	}
	ok = compose_recall_parts(d, message, text, len, body, skip, dir, error);
	if (skip != NULL)
		g_hash_table_unref(skip);
	g_object_unref(message);
	if (!ok) {
		guint i;

		/* No half a draft: the files saved so far go too. */
		for (i = 0; i < d->attachments->len; i++)
			g_unlink(((struct compose_attachment *)d->attachments->pdata[i])->path);
		for (i = 0; i < d->forwarded->len; i++)
			g_unlink(d->forwarded->pdata[i]);
		compose_draft_free(d);
		return NULL;
	}
	return d;
}
