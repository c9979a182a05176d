/*
 * compose-mailto: a new message from a mailto: URL (RFC 6068), for
 * `surat mailto:URL` (surat as the desktop's mailto handler) and the link
 * view's mailto: links.
 *
 * A URL is text from outside, whether a web page or a message wrote it:
 * only the fields a person sees on the compose screen are taken (To, Cc,
 * Bcc, Subject, the body, In-Reply-To), never From, Sender or any other
 * header, and every value goes through sanitize_text, so neither an
 * escape nor a line break that would start another header reaches the
 * editor's file.
 */
#include <string.h>

#include "compose-private.h"
#include "surat/mime.h"
#include "surat/sanitize.h"

#define MAILTO_SCHEME "mailto:"

/* A field of the URL: an address list to join, or a value whose first one wins. */
struct mailto_fields {
	GString *to, *cc, *bcc;
	char *subject, *body, *in_reply_to;
};

static void
mailto_fields_clear(struct mailto_fields *f)
{
	g_string_free(f->to, TRUE);
	g_string_free(f->cc, TRUE);
	g_string_free(f->bcc, TRUE);
	g_free(f->subject);
	g_free(f->body);
	g_free(f->in_reply_to);
}

/* The LEN bytes at S with every %XX undone ("+" stays), or NULL with COMPOSE_ERROR_URL. */
static GString *
mailto_decode(const char *s, size_t len, GError **error)
{
	GString *out = g_string_sized_new(len);
	size_t i;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			g_string_append_c(out, s[i]);
			continue;
		}
		hi = i + 1 < len ? g_ascii_xdigit_value(s[i + 1]) : -1;
		lo = i + 2 < len ? g_ascii_xdigit_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			char *bad = g_strndup(s + i, MIN(len - i, 3)), *shown = compose_shown(bad);

			g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_URL,
			    "mailto: \"%s\" is not a %%-escape; write %% and two hex digits "
			    "(%%25 for a %%)", shown);
			g_free(shown);
			g_free(bad);
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append_c(out, (char)(hi * 16 + lo));
		i += 2;
	}
	return out;
}

/* True when the LEN bytes at S are UTF-8, NUL bytes allowed (sanitize_text shows them). */
static bool
mailto_is_utf8(const char *s, size_t len)
{
	const char *end = s + len, *nul;

	while ((nul = memchr(s, '\0', (size_t)(end - s))) != NULL) {
		if (!g_utf8_validate(s, nul - s, NULL))
			return false;
		s = nul + 1;
	}
	return g_utf8_validate(s, end - s, NULL);
}

/*
 * The decoded bytes RAW as safe UTF-8 (g_free): not UTF-8 is read as
 * windows-1252 (mime_to_utf8); MULTILINE (the body) keeps line breaks, all
 * of them \n, and tabs; otherwise one line, stripped.
 */
static char *
mailto_text(const GString *raw, bool multiline)
{
	char *utf8 = NULL, *safe;
	const char *s = raw->str;
	size_t len = raw->len, i;
	GString *lf;

	if (!mailto_is_utf8(raw->str, raw->len))
		s = utf8 = mime_to_utf8(raw->str, raw->len, NULL, NULL, &len);
	if (!multiline) {
		safe = sanitize_text(s, (ssize_t)len, 0);
		g_free(utf8);
		return g_strstrip(safe);
	}
	/* CR LF, and a CR alone (an old Mac's), are line breaks: sanitize_text would show ^M. */
	lf = g_string_sized_new(len);
	for (i = 0; i < len; i++)
		if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
			g_string_append_c(lf, s[i] == '\r' ? '\n' : s[i]);
	safe = sanitize_text(lf->str, (ssize_t)lf->len, SANITIZE_MULTILINE);
	g_string_free(lf, TRUE);
	g_free(utf8);
	return safe;
}

/* Append the address list VALUE to LIST, after a comma when LIST has some. */
static void
mailto_join(GString *list, const char *value)
{
	if (value[0] == '\0')
		return;
	if (list->len > 0)
		g_string_append(list, ", ");
	g_string_append(list, value);
}

/* The field NAME=VALUE (raw, LEN bytes each) into F; false with COMPOSE_ERROR_URL. */
static bool
mailto_field(struct mailto_fields *f, const char *name, size_t name_len, const char *value,
    size_t value_len, GError **error)
{
	GString *n = mailto_decode(name, name_len, error), *v = NULL;
	char *text = NULL, **first = NULL;
	bool ok = false;

	if (n == NULL || (v = mailto_decode(value, value_len, error)) == NULL)
		goto out;
	ok = true;
	if (g_ascii_strcasecmp(n->str, "subject") == 0)
		first = &f->subject;
	else if (g_ascii_strcasecmp(n->str, "body") == 0)
		first = &f->body;
	else if (g_ascii_strcasecmp(n->str, "in-reply-to") == 0)
		first = &f->in_reply_to;
	else if (g_ascii_strcasecmp(n->str, "to") != 0 && g_ascii_strcasecmp(n->str, "cc") != 0 &&
	    g_ascii_strcasecmp(n->str, "bcc") != 0)
		goto out; /* from=, sender=, x-...=: never taken */
	text = mailto_text(v, first == &f->body);
	if (first != NULL) {
		/* The first one wins: a second subject= cannot replace what shows first. */
		if (*first == NULL)
			*first = g_steal_pointer(&text);
	} else {
		mailto_join(g_ascii_strcasecmp(n->str, "to") == 0 ? f->to :
		    g_ascii_strcasecmp(n->str, "cc") == 0 ? f->cc : f->bcc, text);
	}
out:
	g_free(text);
	if (n != NULL)
		g_string_free(n, TRUE);
	if (v != NULL)
		g_string_free(v, TRUE);
	return ok;
}

/* URL's addresses and fields into F; false with COMPOSE_ERROR_URL. */
static bool
mailto_parse(const char *url, struct mailto_fields *f, GError **error)
{
	const char *p, *query;
	GString *path;
	char *text;

	if (url == NULL || g_ascii_strncasecmp(url, MAILTO_SCHEME, strlen(MAILTO_SCHEME)) != 0) {
		char *shown = compose_shown(url != NULL ? url : "");

		g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_URL,
		    "mailto: \"%s\" is not a mailto: URL; give one such as "
		    "mailto:name@example.org?subject=Hello", shown);
		g_free(shown);
		return false;
	}
	p = url + strlen(MAILTO_SCHEME);
	query = strchr(p, '?');
	path = mailto_decode(p, query != NULL ? (size_t)(query - p) : strlen(p), error);
	if (path == NULL)
		return false;
	text = mailto_text(path, false);
	mailto_join(f->to, text);
	g_free(text);
	g_string_free(path, TRUE);
	for (p = query != NULL ? query + 1 : NULL; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, "&");
		const char *eq = memchr(p, '=', n);

		/* "&&" and a field without "=" say nothing: skipped. */
		if (eq != NULL && !mailto_field(f, p, (size_t)(eq - p), eq + 1,
		    n - (size_t)(eq - p) - 1, error))
			return false;
		p += n;
		if (*p == '&')
			p++;
	}
	return true;
}

/* A draft field from LIST: NULL when empty, else a copy of LIST's text. */
static char *
mailto_list(GString *list)
{
	return list->len > 0 ? g_strdup(list->str) : NULL;
}

struct compose_draft *
compose_from_mailto(const struct compose_identity *identity, const char *url,
    const char *signature, GError **error)
{
	struct mailto_fields f = { g_string_new(NULL), g_string_new(NULL), g_string_new(NULL),
		NULL, NULL, NULL };
	struct compose_draft *d = NULL;
	GString *body, *sig;

	if (!mime_lib_load(error) || !mailto_parse(url, &f, error))
		goto out;
	if (!compose_check_addresses("To", f.to->str, error) ||
	    !compose_check_addresses("Cc", f.cc->str, error) ||
	    !compose_check_addresses("Bcc", f.bcc->str, error)) {
		g_prefix_error(error, "mailto: ");
		goto out;
	}
	d = compose_draft_new();
	d->from = compose_identity_from(identity);
	d->to = mailto_list(f.to);
	d->cc = mailto_list(f.cc);
	d->bcc = mailto_list(f.bcc);
	if (f.subject != NULL && f.subject[0] != '\0')
		d->subject = g_steal_pointer(&f.subject);
	if (f.in_reply_to != NULL) {
		GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);

		compose_parse_ids(f.in_reply_to, ids);
		if (ids->len > 0)
			d->in_reply_to = g_strdup(g_ptr_array_index(ids, 0));
		g_ptr_array_unref(ids);
	}
	body = g_string_new(f.body);
	if (body->len > 0 && body->str[body->len - 1] != '\n')
		g_string_append_c(body, '\n');
	sig = g_string_new(NULL);
	compose_append_signature(sig, signature);
	if (sig->len > 0) {
		/* As compose_new: an empty line to write on, then the signature. */
		g_string_append_c(body, '\n');
		g_string_append_len(body, sig->str, (gssize)sig->len);
	}
	g_string_free(sig, TRUE);
	d->body = g_string_free(body, FALSE);
out:
	mailto_fields_clear(&f);
	return d;
}
