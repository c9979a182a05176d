/*
 * render-headers: the headers block at the top of a message (and of each
 * message inside it).  By default the headers of headers_shown, in that
 * order, addresses as "Name <addr>" and the date in local time with
 * date_format; with full_headers every header in file order.  Values are
 * decoded, sanitized and capped like every other line (render.c).
 */
#include <string.h>
#include <time.h>

#include "render-private.h"
#include "surat/format.h"
#include "surat/sanitize.h"

#define RENDER_MAX_HEADERS	1000	   /* headers shown with full_headers */
#define RENDER_MAX_HEADER_VALUE (64 * 1024) /* bytes of one header value */

static const char *const render_default_headers[] = { "From", "To", "Cc", "Date", "Subject",
	NULL };

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
	render_text_add(ctx, RENDER_HEADER, 0, (int)strlen(clean_name) + 1,
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

/* The address type of header NAME, or -1 for a header that holds no addresses. */
static int
render_address_type(const char *name)
{
	static const struct {
		const char *name;
		GMimeAddressType type;
	} types[] = {
		{ "From", GMIME_ADDRESS_TYPE_FROM }, { "To", GMIME_ADDRESS_TYPE_TO },
		{ "Cc", GMIME_ADDRESS_TYPE_CC }, { "Bcc", GMIME_ADDRESS_TYPE_BCC },
		{ "Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO }, { "Sender", GMIME_ADDRESS_TYPE_SENDER },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(types); i++)
		if (g_ascii_strcasecmp(name, types[i].name) == 0)
			return (int)types[i].type;
	return -1;
}

/* Append an address header, or its decoded text when no address could be read. */
static void
render_address_header(struct render_ctx *ctx, GMimeMessage *message, const char *name,
    const char *value, GMimeAddressType type)
{
	InternetAddressList *list = g_mime_message_get_addresses(message, type);
	GString *out = g_string_new(NULL);

	if (list != NULL)
		render_addresses(out, list, 0);
	render_header(ctx, name, out->len > 0 ? out->str : value);
	g_string_free(out, TRUE);
}

char *
render_date_text(GDateTime *date, const char *format)
{
	char buf[512];
	struct tm tm;
	time_t t;

	if (date == NULL)
		return NULL;
	/* "relative" is for lists of dates (the index): one date is shown in full. */
	if (format == NULL || *format == '\0' || strcmp(format, FORMAT_DATE_RELATIVE) == 0)
		format = RENDER_DATE_FORMAT;
	t = (time_t)g_date_time_to_unix(date);
	/* strftime takes no arguments: a format from the configuration is safe. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (localtime_r(&t, &tm) == NULL || strftime(buf, sizeof buf, format, &tm) == 0)
		return NULL;
#pragma GCC diagnostic pop
	return g_strdup(buf);
}

/* Append the Date header in local time with date_format, or as written when unreadable. */
static void
render_date_header(struct render_ctx *ctx, const char *name, const char *value)
{
	GDateTime *date = strlen(value) < 256 ? g_mime_utils_header_decode_date(value) : NULL;
	char *text = render_date_text(date, ctx->options->date_format);

	render_header(ctx, name, text != NULL ? text : value);
	g_free(text);
	if (date != NULL)
		g_date_time_unref(date);
}

/* The value of header NAME on OBJECT, else on the body part (Content-* live there). */
static const char *
render_header_value(GMimeMessage *message, const char *name)
{
	const char *value = g_mime_object_get_header(GMIME_OBJECT(message), name);
	GMimeObject *body;

	if (value == NULL && (body = g_mime_message_get_mime_part(message)) != NULL)
		value = g_mime_object_get_header(body, name);
	return value;
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
		render_text_note(ctx, "[more headers not shown]");
	g_ptr_array_free(all, TRUE);
}

/* Append the headers of headers_shown, in that order, those present. */
static void
render_chosen_headers(struct render_ctx *ctx, GMimeMessage *message)
{
	const char *const *names = ctx->options->headers_shown != NULL ?
	    ctx->options->headers_shown : render_default_headers;
	int i;

	for (i = 0; i < 64 && names[i] != NULL; i++) {
		const char *value = render_header_value(message, names[i]);
		int type;

		if (value == NULL)
			continue;
		if ((type = render_address_type(names[i])) >= 0)
			render_address_header(ctx, message, names[i], value, (GMimeAddressType)type);
		else if (g_ascii_strcasecmp(names[i], "Date") == 0)
			render_date_header(ctx, names[i], value);
		else if (g_ascii_strcasecmp(names[i], "Subject") == 0)
			render_header(ctx, names[i], g_mime_message_get_subject(message));
		else
			render_header(ctx, names[i], value);
	}
}

void
render_headers_add(struct render_ctx *ctx, GMimeMessage *message)
{
	if (ctx->options->full_headers)
		render_all_headers(ctx, message);
	else
		render_chosen_headers(ctx, message);
}
