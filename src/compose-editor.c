/*
 * compose-editor: a draft as the editor's file and back, and the check of
 * address fields.  The file is what the person reads and writes: UTF-8,
 * nothing encoded, one "Name: value" line per field, an empty line, the
 * body.  Reading it back changes the draft only when all of it is right,
 * so a mistake costs the person nothing: the caller keeps the file and
 * opens the editor again with the error.
 *
 * Address fields are checked strictly (GMime's strict parser, and more):
 * a person's typing mistake ("bob@", a missing comma, an open quote)
 * must be an error here, not a guess on the wire.
 */
#include <stddef.h>
#include <string.h>

#include "compose-private.h"
#include "surat/mime.h"
#include "surat/sanitize.h"

#define COMPOSE_SHOWN_MAX 60 /* bytes of a wrong line or address quoted in an error */

/* The fields every editor's file has, in this order, and where a draft keeps them. */
static const struct {
	const char *name;
	size_t offset;
	bool addresses;
} compose_fields[] = {
	{ "From", offsetof(struct compose_draft, from), true },
	{ "To", offsetof(struct compose_draft, to), true },
	{ "Cc", offsetof(struct compose_draft, cc), true },
	{ "Bcc", offsetof(struct compose_draft, bcc), true },
	{ "Subject", offsetof(struct compose_draft, subject), false },
	{ "Reply-To", offsetof(struct compose_draft, reply_to), true },
};

#define COMPOSE_N_FIELDS G_N_ELEMENTS(compose_fields)

/* The field I of D. */
static char **
compose_field(struct compose_draft *d, size_t i)
{
	return (char **)((char *)d + compose_fields[i].offset);
}

GMimeParserOptions *
compose_strict_options(void)
{
	GMimeParserOptions *options = g_mime_parser_options_new();

	g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_STRICT);
	g_mime_parser_options_set_allow_addresses_without_domain(options, FALSE);
	return options;
}

/* Have LIST's names (and its groups' members' names) encoded as UTF-8. */
static void
compose_set_utf8(InternetAddressList *list)
{
	int i, n = internet_address_list_length(list);

	for (i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		internet_address_set_charset(a, "utf-8");
		if (INTERNET_ADDRESS_IS_GROUP(a))
			compose_set_utf8(internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)));
	}
}

InternetAddressList *
compose_parse_addresses(GMimeParserOptions *options, const char *value)
{
	InternetAddressList *list = NULL;

	if (value != NULL && *value != '\0')
		list = internet_address_list_parse(options, value);
	if (list == NULL)
		return internet_address_list_new();
	compose_set_utf8(list);
	return list;
}

/*
 * The first STOP in P outside quotes, comments and <>; with GROUPS also
 * outside a group's ':' ... ';'.  The end of P when there is none; then
 * *OPEN says whether a quote, comment, <> or group was left open.
 */
static const char *
compose_scan(const char *p, char stop, bool groups, bool *open)
{
	bool quoted = false, group = false;
	int comment = 0, angle = 0;

	for (; *p != '\0'; p++) {
		if ((quoted || comment > 0) && *p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (quoted) {
			quoted = *p != '"';
			continue;
		}
		if (*p == '(' || (comment > 0 && *p == ')')) {
			comment += *p == '(' ? 1 : -1;
			continue;
		}
		if (comment > 0)
			continue;
		if (*p == stop && angle == 0 && !group)
			return p;
		if (*p == '"')
			quoted = true;
		else if (*p == '<')
			angle++;
		else if (*p == '>' && angle > 0)
			angle--;
		else if (groups && angle == 0 && (*p == ':' || *p == ';'))
			group = *p == ':';
	}
	*open = quoted || comment > 0 || angle > 0 || group;
	return p;
}

static bool compose_list_ok(GMimeParserOptions *options, const char *value, char **wrong);

bool
compose_addr_ok(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	return at != NULL && at != addr && at[1] != '\0' && strpbrk(at + 1, " \t") == NULL;
}

/* True when ELEMENT (one, between commas) is exactly one mailbox or group. */
static bool
compose_element_ok(GMimeParserOptions *options, const char *element, char **wrong)
{
	InternetAddressList *list = internet_address_list_parse(options, element);
	InternetAddress *a;
	bool ok = false, open = false;

	if (list == NULL)
		return false;
	if (internet_address_list_length(list) != 1) {
		/* "a@b c@d": GMime reads two where a comma is missing. */
		g_object_unref(list);
		return false;
	}
	a = internet_address_list_get_address(list, 0);
	if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
		ok = compose_addr_ok(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a)));
	} else if (INTERNET_ADDRESS_IS_GROUP(a)) {
		/* "name: member, member;": each member is checked as a list of its own. */
		const char *colon = compose_scan(element, ':', false, &open);
		const char *semi = *colon != '\0' ? compose_scan(colon + 1, ';', false, &open) :
						    colon;

		if (*semi == ';' && semi[1 + strspn(semi + 1, " \t")] == '\0') {
			char *members = g_strndup(colon + 1, (gsize)(semi - colon - 1));

			ok = compose_list_ok(options, members, wrong);
			g_free(members);
		}
	}
	g_object_unref(list);
	return ok;
}

/* True when every element of VALUE is right; else *WRONG gets the first that is not (g_free). */
static bool
compose_list_ok(GMimeParserOptions *options, const char *value, char **wrong)
{
	const char *p = value;

	while (*p != '\0') {
		bool open = false;
		const char *end = compose_scan(p, ',', true, &open);
		char *element = g_strstrip(g_strndup(p, (gsize)(end - p)));

		/* Empty elements (",,", a trailing comma) are allowed (RFC 5322 4.4). */
		if (*element != '\0' && (open || !compose_element_ok(options, element, wrong))) {
			if (*wrong == NULL)
				*wrong = element;
			else
				g_free(element);
			return false;
		}
		g_free(element);
		p = *end != '\0' ? end + 1 : end;
	}
	return true;
}

/* Append LIST to OUT as compose_list_text writes it; groups only at the top. */
static void
compose_append_list(GString *out, InternetAddressList *list, bool top)
{
	GString *piece = g_string_new(NULL);
	int i, n = internet_address_list_length(list);

	for (i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);
		char *name = compose_clean(internet_address_get_name(a));

		g_string_truncate(piece, 0);
		if (INTERNET_ADDRESS_IS_GROUP(a) && top) {
			compose_append_phrase(piece, name != NULL && *name != '\0' ? name :
										  "group");
			g_string_append(piece, ": ");
			compose_append_list(piece, internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a)), false);
			g_string_append_c(piece, ';');
		} else if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
			char *addr = compose_clean(internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(a)));
			char *text = compose_mailbox_text(name, addr);

			if (text != NULL)
				g_string_append(piece, text);
			g_free(text);
			g_free(addr);
		}
		g_free(name);
		if (piece->len == 0)
			continue;
		if (out->len > 0 && out->str[out->len - 1] != ' ')
			g_string_append(out, ", ");
		g_string_append_len(out, piece->str, (gssize)piece->len);
	}
	g_string_free(piece, TRUE);
}

char *
compose_list_text(InternetAddressList *list)
{
	GString *out = g_string_new(NULL);

	if (list != NULL)
		compose_append_list(out, list, true);
	if (out->len == 0) {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

char *
compose_shown(const char *text)
{
	size_t n = strlen(text);
	char *cut, *shown;

	if (n > COMPOSE_SHOWN_MAX) {
		n = COMPOSE_SHOWN_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	cut = g_strndup(text, n);
	shown = sanitize_text(cut, -1, 0);
	g_free(cut);
	if (n < strlen(text)) {
		char *longer = g_strconcat(shown, "...", NULL);

		g_free(shown);
		shown = longer;
	}
	return shown;
}

bool
compose_check_addresses(const char *name, const char *value, GError **error)
{
	GMimeParserOptions *options;
	char *wrong = NULL, *shown;
	bool ok;

	if (value == NULL || value[strspn(value, " \t")] == '\0')
		return true;
	options = compose_strict_options();
	ok = compose_list_ok(options, value, &wrong);
	g_mime_parser_options_free(options);
	if (ok)
		return true;
	shown = compose_shown(wrong != NULL ? wrong : value);
	g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_ADDRESS,
	    "%s: \"%s\" is not an address; write Name <local@domain>, with a comma between "
	    "addresses", name, shown);
	g_free(shown);
	g_free(wrong);
	return false;
}

/* Append VALUE (may be NULL) to OUT on one line. */
static void
compose_append_value(GString *out, const char *value)
{
	const char *p;

	for (p = value != NULL ? value : ""; *p != '\0'; p++)
		g_string_append_c(out, *p == '\n' || *p == '\r' ? ' ' : *p);
}

char *
compose_editor_text(const struct compose_draft *d)
{
	GString *out = g_string_new(NULL);
	size_t i;

	for (i = 0; i < COMPOSE_N_FIELDS; i++) {
		g_string_append_printf(out, "%s: ", compose_fields[i].name);
		compose_append_value(out, *compose_field((struct compose_draft *)d, i));
		g_string_append_c(out, '\n');
	}
	for (i = 0; d->headers != NULL && i < d->headers->len; i++) {
		compose_append_value(out, g_ptr_array_index(d->headers, i));
		g_string_append_c(out, '\n');
	}
	g_string_append_c(out, '\n');
	g_string_append(out, d->body != NULL ? d->body : "");
	return g_string_free(out, FALSE);
}

/* True when the LEN bytes at NAME are a field name: printable ASCII but ':' (RFC 5322 2.2). */
static bool
compose_name_ok(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || name[i] == ':')
			return false;
	return len > 0;
}

/* The index of the field NAME in compose_fields, or -1. */
static int
compose_field_index(const char *name)
{
	size_t i;

	for (i = 0; i < COMPOSE_N_FIELDS; i++)
		if (g_ascii_strcasecmp(name, compose_fields[i].name) == 0)
			return (int)i;
	return -1;
}

/* The header of the editor's file. */
struct compose_header {
	GPtrArray *names;  /* char *, as written */
	GPtrArray *values; /* GString *, continuation lines joined */
	const char *body;  /* where the body starts */
};

/* Free a GString in a GPtrArray. */
static void
compose_gstring_free(gpointer s)
{
	g_string_free(s, TRUE);
}

/*
 * Split the editor's file TEXT into H's fields and body.  False with
 * COMPOSE_ERROR_HEADER at the first line that is neither a field nor a
 * continuation.
 */
static bool
compose_split(const char *text, struct compose_header *h, GError **error)
{
	const char *p = text;
	int line = 1;

	h->body = text + strlen(text);
	for (; *p != '\0'; line++) {
		const char *nl = strchr(p, '\n'), *end = nl != NULL ? nl : p + strlen(p), *colon;
		size_t n = (size_t)(end - p);

		if (strspn(p, " \t") >= n) {
			/* The empty line (blanks count as empty): the body follows. */
			h->body = nl != NULL ? nl + 1 : end;
			return true;
		}
		colon = memchr(p, ':', n);
		if ((*p == ' ' || *p == '\t') && h->values->len > 0) {
			char *more = g_strstrip(g_strndup(p, n));
			GString *value = g_ptr_array_index(h->values, h->values->len - 1);

			g_string_append_printf(value, "%s%s", value->len > 0 ? " " : "", more);
			g_free(more);
		} else if (colon != NULL && compose_name_ok(p, (size_t)(colon - p))) {
			char *value = g_strstrip(g_strndup(colon + 1, (gsize)(end - colon - 1)));

			g_ptr_array_add(h->names, g_strndup(p, (gsize)(colon - p)));
			g_ptr_array_add(h->values, g_string_new(value));
			g_free(value);
		} else {
			char *raw = g_strndup(p, n), *shown = compose_shown(raw);

			g_set_error(error, COMPOSE_ERROR, COMPOSE_ERROR_HEADER,
			    "line %d: \"%s\" is not a header field; write \"Name: value\", and an "
			    "empty line before the body", line, shown);
			g_free(shown);
			g_free(raw);
			return false;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return true;
}

/* The ids of VALUE space-separated, or NULL when it has none. */
static char *
compose_ids_text(const char *value)
{
	GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
	char *text;

	compose_parse_ids(value, ids);
	text = compose_join_ids(ids);
	g_ptr_array_unref(ids);
	return text;
}

/* The elements of the address list VALUE: split at commas outside quotes, <> and comments. */
static GPtrArray *
compose_list_elements(const char *value)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *p, *start = value;
	bool quoted = false;
	int angle = 0, comment = 0;

	for (p = value;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '\0' || (*p == ',' && !quoted && angle == 0 && comment == 0)) {
			g_ptr_array_add(out, g_strstrip(g_strndup(start, (gsize)(p - start))));
			if (*p == '\0')
				break;
			start = p + 1;
		} else if (*p == '"' && comment == 0) {
			quoted = !quoted;
		} else if (!quoted && *p == '<') {
			angle++;
		} else if (!quoted && *p == '>' && angle > 0) {
			angle--;
		} else if (!quoted && *p == '(') {
			comment++;
		} else if (!quoted && *p == ')' && comment > 0) {
			comment--;
		}
	}
	return out;
}

/* Append the expansion of VALUE to OUT; SEEN holds the aliases being expanded. */
static void
compose_expand_into(GString *out, const char *value, compose_alias_fn lookup, void *data,
    GHashTable *seen)
{
	GPtrArray *elements = compose_list_elements(value);
	guint i;

	for (i = 0; i < elements->len; i++) {
		const char *e = g_ptr_array_index(elements, i);
		const char *list = NULL;

		if (*e == '\0')
			continue;
		if (strpbrk(e, "@<>\":;() \t") == NULL && !g_hash_table_contains(seen, e))
			list = lookup(e, data);
		if (list == NULL) {
			/* The alias's own list puts its commas in below. */
			if (out->len > 0)
				g_string_append(out, ", ");
			g_string_append(out, e);
			continue;
		}
		g_hash_table_add(seen, (gpointer)e);
		compose_expand_into(out, list, lookup, data, seen);
		g_hash_table_remove(seen, e);
	}
	g_ptr_array_unref(elements);
}

char *
compose_expand_aliases(const char *value, compose_alias_fn lookup, void *data)
{
	GHashTable *seen;
	GString *out;

	if (value == NULL)
		return NULL;
	if (lookup == NULL)
		return g_strdup(value);
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	out = g_string_new(NULL);
	compose_expand_into(out, value, lookup, data, seen);
	g_hash_table_destroy(seen);
	return g_string_free(out, FALSE);
}

bool
compose_editor_parse(struct compose_draft *d, const char *text, size_t len, GError **error)
{
	return compose_editor_parse_aliases(d, text, len, NULL, NULL, error);
}

bool
compose_editor_parse_aliases(struct compose_draft *d, const char *text, size_t len,
    compose_alias_fn lookup, void *data, GError **error)
{
	struct compose_header h = { NULL, NULL, NULL };
	GString *fields[COMPOSE_N_FIELDS] = { NULL };
	GPtrArray *headers = g_ptr_array_new_with_free_func(g_free);
	char *lf, *in_reply_to = NULL, *references = NULL;
	bool ok = false, have_in_reply_to = false, have_references = false;
	size_t i;

	if (!mime_lib_load(error)) {
		g_ptr_array_unref(headers);
		return false;
	}
	lf = compose_lf(text != NULL ? text : "", text != NULL ? len : 0);
	if (!g_utf8_validate(lf, -1, NULL)) {
		/* An editor that wrote Latin-1: read it as the pager reads such mail. */
		size_t n;
		char *utf8 = mime_to_utf8(lf, strlen(lf), NULL, NULL, &n);

		g_free(lf);
		lf = g_utf8_make_valid(utf8, (gssize)n);
		g_free(utf8);
	}
	h.names = g_ptr_array_new_with_free_func(g_free);
	h.values = g_ptr_array_new_with_free_func(compose_gstring_free);
	if (!compose_split(lf, &h, error))
		goto out;
	for (i = 0; i < h.names->len; i++) {
		const char *name = g_ptr_array_index(h.names, i);
		GString *value = g_ptr_array_index(h.values, i);
		int f = compose_field_index(name);

		if (f >= 0 && fields[f] != NULL && compose_fields[f].addresses) {
			/* The same address field twice: both lists. */
			g_string_append_printf(fields[f], "%s%s", fields[f]->len > 0 &&
			    value->len > 0 ? ", " : "", value->str);
		} else if (f >= 0) {
			if (fields[f] != NULL)
				g_string_free(fields[f], TRUE);
			fields[f] = g_string_new(value->str);
		} else if (g_ascii_strcasecmp(name, "In-Reply-To") == 0) {
			g_free(in_reply_to);
			in_reply_to = compose_ids_text(value->str);
			if (in_reply_to != NULL && strchr(in_reply_to, ' ') != NULL)
				*strchr(in_reply_to, ' ') = '\0';
			have_in_reply_to = true;
		} else if (g_ascii_strcasecmp(name, "References") == 0) {
			g_free(references);
			references = compose_ids_text(value->str);
			have_references = true;
		} else if (value->len > 0) {
			g_ptr_array_add(headers, g_strdup_printf("%s: %s", name, value->str));
		}
	}
	for (i = 0; i < COMPOSE_N_FIELDS; i++) {
		if (!compose_fields[i].addresses || fields[i] == NULL)
			continue;
		if (lookup != NULL) {
			char *expanded = compose_expand_aliases(fields[i]->str, lookup, data);

			g_string_assign(fields[i], expanded);
			g_free(expanded);
		}
		if (!compose_check_addresses(compose_fields[i].name, fields[i]->str, error))
			goto out;
	}
	/* All is right: only now does D change. */
	for (i = 0; i < COMPOSE_N_FIELDS; i++) {
		char **field = compose_field(d, i);

		g_free(*field);
		*field = fields[i] != NULL && fields[i]->len > 0 ? g_strdup(fields[i]->str) : NULL;
	}
	g_ptr_array_unref(d->headers);
	d->headers = g_steal_pointer(&headers);
	if (have_in_reply_to) {
		g_free(d->in_reply_to);
		d->in_reply_to = g_steal_pointer(&in_reply_to);
	}
	if (have_references) {
		g_free(d->references);
		d->references = g_steal_pointer(&references);
	}
	g_free(d->body);
	d->body = g_strdup(h.body);
	ok = true;
out:
	for (i = 0; i < COMPOSE_N_FIELDS; i++)
		if (fields[i] != NULL)
			g_string_free(fields[i], TRUE);
	if (headers != NULL)
		g_ptr_array_unref(headers);
	g_free(in_reply_to);
	g_free(references);
	g_ptr_array_unref(h.names);
	g_ptr_array_unref(h.values);
	g_free(lf);
	return ok;
}
