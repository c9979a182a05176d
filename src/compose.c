/*
 * compose: drafts, who writes them, a new message and a bounce.  The
 * module's other files: compose-answer.c (reply, forward),
 * compose-recall.c (edit as new, recall), compose-mailto.c (a draft from a
 * mailto: URL), compose-editor.c (the editor's file, address checks),
 * compose-build.c (the MIME message).
 *
 * A message is read with GMime (mime.h: the same lenient parse as the
 * pager); what a draft takes from it (names, subject, header values) goes
 * through sanitize_text, and what it quotes through the renderer, so no
 * byte of a message reaches the editor raw.
 *
 * What it never does: run the editor, touch the network or the index.
 */
#include "surat/compose.h"

#include <string.h>

#include "compose-private.h"
#include "surat/outbox.h"

G_DEFINE_QUARK(surat-compose-error-quark, compose_error)

struct compose_draft *
compose_draft_new(void)
{
	struct compose_draft *d = g_new0(struct compose_draft, 1);

	d->headers = g_ptr_array_new_with_free_func(g_free);
	d->attachments = g_ptr_array_new_with_free_func((GDestroyNotify)compose_attachment_free);
	d->forwarded = g_ptr_array_new_with_free_func(g_free);
	return d;
}

void
compose_draft_free(struct compose_draft *d)
{
	if (d == NULL)
		return;
	g_free(d->from);
	g_free(d->to);
	g_free(d->cc);
	g_free(d->bcc);
	g_free(d->reply_to);
	g_free(d->subject);
	g_ptr_array_unref(d->headers);
	g_free(d->in_reply_to);
	g_free(d->references);
	g_free(d->body);
	g_ptr_array_unref(d->attachments);
	g_ptr_array_unref(d->forwarded);
	g_free(d);
}

void
compose_attachment_free(struct compose_attachment *a)
{
	if (a == NULL)
		return;
	g_free(a->path);
	g_free(a->name);
	g_free(a->type);
	g_free(a);
}

char *
compose_lf(const char *text, size_t len)
{
	GString *out = g_string_sized_new(len + 1);
	size_t i;

	for (i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			g_string_append_c(out, text[i]);
	return g_string_free(out, FALSE);
}

/* True when NAME can stand unquoted as a display name: atext, spaces and UTF-8. */
static bool
compose_name_is_phrase(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (!(g_ascii_isalnum(*p) || *p >= 0x80 || *p == ' ' ||
		    strchr("!#$%&'*+-/=?^_`{|}~", *p) != NULL))
			return false;
	return name[0] != ' ' && name[strlen(name) - 1] != ' ';
}

void
compose_append_phrase(GString *out, const char *name)
{
	const char *p;

	if (compose_name_is_phrase(name)) {
		g_string_append(out, name);
		return;
	}
	/* RFC 5322 quoted-string: only '"' and '\' need a backslash. */
	g_string_append_c(out, '"');
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

char *
compose_mailbox_text(const char *name, const char *address)
{
	GString *out;

	if (address == NULL || *address == '\0')
		return NULL;
	if (name == NULL || *name == '\0')
		return g_strdup(address);
	out = g_string_new(NULL);
	compose_append_phrase(out, name);
	g_string_append_printf(out, " <%s>", address);
	return g_string_free(out, FALSE);
}

void
compose_append_quoted(GString *out, int depth, const char *text)
{
	int i;

	for (i = 0; i < depth; i++)
		g_string_append(out, i + 1 < depth || *text != '\0' ? "> " : ">");
	g_string_append(out, text);
}

/* True when the whole of ADDRESS matches ALTERNATES, in any case. */
static bool
compose_alternate_matches(const GRegex *alternates, const char *address)
{
	char *pattern = g_strdup_printf("\\A(?:%s)\\z", g_regex_get_pattern(alternates));
	GRegexCompileFlags flags = g_regex_get_compile_flags(alternates) | G_REGEX_CASELESS;
	GRegex *whole = g_regex_new(pattern, flags, 0, NULL);
	bool match = whole != NULL && g_regex_match(whole, address, 0, NULL);

	if (whole != NULL)
		g_regex_unref(whole);
	g_free(pattern);
	return match;
}

bool
compose_is_own(const struct compose_identity *identity, const char *address)
{
	const char *const *own;

	if (identity == NULL || address == NULL || *address == '\0')
		return false;
	if (identity->account != NULL && identity->account->from_address != NULL &&
	    g_ascii_strcasecmp(identity->account->from_address, address) == 0)
		return true;
	for (own = identity->own; own != NULL && *own != NULL; own++)
		if (g_ascii_strcasecmp(*own, address) == 0)
			return true;
	return identity->alternates != NULL &&
	    compose_alternate_matches(identity->alternates, address);
}

/* The identity's From: "Name <address>", or NULL when the account has no address. */
char *
compose_identity_from(const struct compose_identity *identity)
{
	const struct account_config *account = identity != NULL ? identity->account : NULL;

	if (account == NULL)
		return NULL;
	return compose_mailbox_text(account->from_name, account->from_address);
}

/* Append "-- \n" and SIGNATURE (may be NULL or blank: nothing) to BODY. */
void
compose_append_signature(GString *body, const char *signature)
{
	char *sig;

	if (signature == NULL)
		return;
	sig = compose_lf(signature, strlen(signature));
	g_strchomp(sig);
	if (*sig != '\0') {
		/* A signature file that has its own separator keeps it, once. */
		if (!g_str_has_prefix(sig, "-- \n"))
			g_string_append(body, "-- \n");
		g_string_append(body, sig);
		g_string_append_c(body, '\n');
	}
	g_free(sig);
}

struct compose_draft *
compose_new(const struct compose_identity *identity, const char *signature)
{
	struct compose_draft *d = compose_draft_new();
	GString *body = g_string_new(NULL);

	d->from = compose_identity_from(identity);
	compose_append_signature(body, signature);
	if (body->len > 0) {
		/* The empty first line is where the person writes. */
		g_string_prepend_c(body, '\n');
	}
	d->body = g_string_free(body, FALSE);
	return d;
}

/* --- bounce -------------------------------------------------------------- */

char *
compose_bounce(const struct compose_identity *identity, const char *text, size_t len,
    const char *to, size_t *out_len, GError **error)
{
	const struct account_config *account = identity != NULL ? identity->account : NULL;
	GMimeParserOptions *options;
	InternetAddressList *list;
	GString *out;
	GDateTime *now;
	char *from_text, *to_text, *date, *id;
	const char *nl;

	if (!mime_lib_load(error))
		return NULL;
	nl = text != NULL ? memchr(text, '\n', len) : NULL;
	if (text == NULL || len == 0 || memchr(text, ':', nl != NULL ? (size_t)(nl - text) : len) ==
	    NULL) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_MESSAGE,
		    "the message to bounce has no header; choose another");
		return NULL;
	}
	if (account == NULL || account->from_address == NULL) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_ADDRESS,
		    "Resent-From: the account has no address; set from = \"Name <address>\"");
		return NULL;
	}
	if (!compose_check_addresses("Resent-To", to, error))
		return NULL;
	options = compose_strict_options();
	list = compose_parse_addresses(options, to);
	g_mime_parser_options_free(options);
	if (compose_count_mailboxes(list) == 0) {
		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_ADDRESS,
		    "Resent-To: no address; give the address to bounce the message to");
		g_object_unref(list);
		return NULL;
	}
	to_text = internet_address_list_to_string(list, NULL, TRUE);
	g_object_unref(list);
	from_text = outbox_from_field(account);
	now = g_date_time_new_now_local();
	date = g_mime_utils_header_format_date(now);
	g_date_time_unref(now);
	id = g_mime_utils_generate_message_id(outbox_domain(account->from_address));
	out = g_string_sized_new(len + 512);
	g_string_append_printf(out, "Resent-From: %s\nResent-To: %s\nResent-Date: %s\n"
	    "Resent-Message-ID: <%s>\n", from_text, to_text, date, id);
	g_string_append_len(out, text, (gssize)len);
	g_free(id);
	g_free(date);
	g_free(from_text);
	g_free(to_text);
	*out_len = out->len;
	return g_string_free(out, FALSE);
}
