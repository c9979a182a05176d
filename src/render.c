/*
 * render: one message becomes role-tagged display lines.  GMime parses
 * (mime.c); this file decides what is shown and in which order: the headers
 * block, the body parts the MIME structure calls for, markers for signed and
 * encrypted parts, nested messages, the links of HTML parts, and the
 * attachment list.  render-headers.c writes each headers block;
 * render-text.c turns each text into lines.
 *
 * Every line passes sanitize_text(); nothing raw reaches the pager or `surat
 * show`.  Malformed mail renders what can be read; every size that comes from
 * the message is capped.  Never draws; runs only the configured html_command
 * and auto_view viewers (argv, timeout, output sanitized).
 */
#include "surat/render.h"

#include <errno.h>
#include <string.h>

#include "render-private.h"
#include "surat/attach.h"
#include "surat/command.h"
#include "surat/config.h"
#include "surat/html.h"
#include "surat/mailcap.h"
#include "surat/mime.h"
#include "surat/sanitize.h"
#include "surat/size.h"

#define RENDER_MAX_PART_TEXT	(8 * 1024 * 1024)  /* decoded bytes shown of one part */
#define RENDER_MAX_TEXT		(32 * 1024 * 1024) /* decoded bytes shown in all */
#define RENDER_MAX_OUTPUT	(8 * 1024 * 1024)  /* bytes kept of a command's output */
#define RENDER_TIMEOUT_MS	10000
#define RENDER_CACHE_SIZE	8		     /* command outputs kept */

static const char *const render_default_order[] = { "text/plain", "text/html", "text/enriched",
	NULL };

G_DEFINE_QUARK(surat-render-error-quark, render_error)

static void render_object(struct render_ctx *ctx, GMimeObject *object, int depth);
static void render_message(struct render_ctx *ctx, GMimeMessage *message, int depth);

/* Free one line. */
static void
render_line_free(gpointer data)
{
	struct render_line *line = data;

	if (line == NULL)
		return;
	g_free(line->text);
	g_free(line);
}

/* Free one attachment entry. */
static void
render_attachment_free(gpointer data)
{
	struct render_attachment *a = data;

	if (a == NULL)
		return;
	g_free(a->name);
	g_free(a->type);
	g_free(a);
}

/* Free one link. */
static void
render_link_free(gpointer data)
{
	struct render_link *link = data;

	if (link == NULL)
		return;
	g_free(link->url);
	g_free(link->target);
	g_free(link);
}

/* A command's output, kept so rendering again at another width does not run it again. */
struct render_cached {
	char *key;    /* the argv joined, a NUL, the input's SHA-256 */
	GBytes *output;
};

static GMutex render_cache_lock;
static struct render_cached render_cache[RENDER_CACHE_SIZE];
static guint render_cache_next;

/* The cache key of ARGV run on LEN bytes of INPUT. */
static char *
render_cache_key(char *const *argv, const void *input, size_t len)
{
	char *joined = g_strjoinv("\x1f", (char **)argv);
	char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, input, len);
	char *key = g_strconcat(joined, "\x1e", sum, NULL);

	g_free(joined);
	g_free(sum);
	return key;
}

/* Run ARGV on INPUT through the cache; NULL with ERROR when it fails. */
static GBytes *
render_run(const struct render_ctx *ctx, char *const *argv, const void *input, size_t len,
    GError **error)
{
	char *key = render_cache_key(argv, input, len);
	GBytes *out = NULL;
	guint i;

	g_mutex_lock(&render_cache_lock);
	for (i = 0; i < RENDER_CACHE_SIZE && out == NULL; i++)
		if (render_cache[i].key != NULL && strcmp(render_cache[i].key, key) == 0)
			out = g_bytes_ref(render_cache[i].output);
	g_mutex_unlock(&render_cache_lock);
	if (out != NULL) {
		g_free(key);
		return out;
	}
	out = command_run(argv, input, len, ctx->options->command_timeout_ms > 0 ?
	    ctx->options->command_timeout_ms : RENDER_TIMEOUT_MS, RENDER_MAX_OUTPUT, NULL, error);
	if (out == NULL) {
		g_free(key);
		return NULL;
	}
	g_mutex_lock(&render_cache_lock);
	i = render_cache_next++ % RENDER_CACHE_SIZE;
	g_free(render_cache[i].key);
	if (render_cache[i].output != NULL)
		g_bytes_unref(render_cache[i].output);
	render_cache[i].key = key;
	render_cache[i].output = g_bytes_ref(out);
	g_mutex_unlock(&render_cache_lock);
	return out;
}

/* The part number of OBJECT, or 0 when it has none (past the caps). */
static int
render_number(const struct render_ctx *ctx, GMimeObject *object)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(ctx->numbers, object));
}

/* List OBJECT as an attachment (once). */
static void
render_attachment(struct render_ctx *ctx, GMimeObject *object)
{
	struct render_attachment *a;
	int number = render_number(ctx, object);
	guint i;

	for (i = 0; number > 0 && i < ctx->r->attachments->len; i++)
		if (((struct render_attachment *)g_ptr_array_index(ctx->r->attachments, i))->number ==
		    number)
			return;
	a = g_new0(struct render_attachment, 1);
	a->number = number;
	a->type = mime_type(object);
	a->size = mime_size(object);
	a->name = mime_raw_name(object) != NULL ?
	    attach_safe_name(mime_raw_name(object), number, a->type) : g_strdup("");
	g_ptr_array_add(ctx->r->attachments, a);
}

/* True when TYPE (lowercase) matches PATTERN ("type/subtype" or "type/" and a star). */
static bool
render_type_matches(const char *type, const char *pattern)
{
	size_t n = strlen(pattern);

	if (n >= 2 && pattern[n - 1] == '*' && pattern[n - 2] == '/')
		return g_ascii_strncasecmp(type, pattern, n - 1) == 0;
	return g_ascii_strcasecmp(type, pattern) == 0;
}

/* True when TYPE is one of LIST. */
static bool
render_type_in(const char *type, const char *const *list)
{
	int i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (render_type_matches(type, list[i]))
			return true;
	return false;
}

/* True for a leaf whose text is shown as body: text, inline, and not an extra named file. */
static bool
render_is_body_text(struct render_ctx *ctx, GMimeObject *object)
{
	if (!GMIME_IS_PART(object) || GMIME_IS_MESSAGE_PARTIAL(object))
		return false;
	if (!mime_is_type(object, "text", "*") || mime_is_attachment(object))
		return false;
	return ctx->shown == 0 || g_mime_part_get_filename(GMIME_PART(object)) == NULL;
}

/* Add the link list of one HTML part: each number in NUMBERS once, in order. */
static void
render_link_list(struct render_ctx *ctx, GArray *numbers)
{
	GHashTable *seen = g_hash_table_new(NULL, NULL);
	guint i;

	for (i = 0; i < numbers->len; i++) {
		int number = g_array_index(numbers, int, i);
		struct render_link *link = g_ptr_array_index(ctx->r->links, number - 1);
		struct render_span span;
		char *prefix;
		guint line;

		if (g_hash_table_contains(seen, GINT_TO_POINTER(number)))
			continue;
		g_hash_table_add(seen, GINT_TO_POINTER(number));
		if (g_hash_table_size(seen) == 1)
			render_text_separator(ctx, "");
		prefix = g_strdup_printf("[%d] ", number);
		line = render_text_add(ctx, RENDER_LINK, 0, 0, g_strconcat(prefix, link->url, NULL));
		span.line = line;
		span.start = (guint)strlen(prefix);
		span.end = span.start + (guint)strlen(link->url);
		span.link = number;
		if (span.end > span.start) {
			g_array_append_val(ctx->r->spans, span);
			((struct render_line *)g_ptr_array_index(ctx->r->lines, line))->span_count = 1;
		}
		g_free(prefix);
	}
	g_hash_table_destroy(seen);
}

/* Append HTML (UTF-8) with the built-in converter: its text, then its links. */
static void
render_html_builtin(struct render_ctx *ctx, const char *html, size_t len, const char *charset)
{
	GPtrArray *anchors = g_ptr_array_new_with_free_func(g_free);
	GArray *numbers = g_array_new(FALSE, FALSE, sizeof(int));
	GError *error = NULL;
	guint next = 0;
	char *text;

	text = html_render(html, len, charset, anchors, HTML_MARK_ANCHORS, &error);
	if (text == NULL) {
		/* The source is still readable, and says it is the source. */
		char *note = g_strdup_printf("[%s; the HTML source follows]", error->message);

		render_text_note(ctx, note);
		g_free(note);
		g_error_free(error);
		render_text_body(ctx, html, len, 0, NULL, NULL, NULL);
	} else {
		render_text_body(ctx, text, strlen(text), RENDER_TEXT_ANCHORS, anchors, &next, numbers);
		g_free(text);
	}
	render_link_list(ctx, numbers);
	g_array_free(numbers, TRUE);
	g_ptr_array_free(anchors, TRUE);
}

/* Append an HTML part: through html_command when set, else (or when it fails) built in. */
static void
render_html(struct render_ctx *ctx, const char *html, size_t len, const char *charset)
{
	const char *command = ctx->options->html_command;
	GError *error = NULL;
	char **argv;
	GBytes *out = NULL;

	if (command == NULL || *command == '\0') {
		render_html_builtin(ctx, html, len, charset);
		return;
	}
	if ((argv = command_split(command, &error)) != NULL) {
		/* The command gets UTF-8 and is told so, whatever the document claims. */
		static const char meta[] = "<meta http-equiv=\"Content-Type\" "
		    "content=\"text/html; charset=utf-8\">\n";
		GByteArray *in = g_byte_array_sized_new((guint)(len + sizeof meta));

		g_byte_array_append(in, (const guint8 *)meta, sizeof meta - 1);
		g_byte_array_append(in, (const guint8 *)html, (guint)len);
		out = render_run(ctx, argv, in->data, in->len, &error);
		g_byte_array_free(in, TRUE);
		g_strfreev(argv);
	}
	if (out == NULL) {
		char *note = g_strdup_printf("[html_command failed (%s); shown with the built-in "
		    "converter]", error->message);

		render_text_note(ctx, note);
		g_free(note);
		g_error_free(error);
		render_html_builtin(ctx, html, len, charset);
		return;
	}
	{
		gsize n;
		const char *data = g_bytes_get_data(out, &n);
		size_t ulen;
		char *utf8 = mime_to_utf8(data != NULL ? data : "", n, "UTF-8",
		    ctx->options->charset_fallbacks, &ulen);

		render_text_body(ctx, utf8, ulen, 0, NULL, NULL, NULL);
		g_free(utf8);
	}
	g_bytes_unref(out);
}

/*
 * Show PART through its auto_view copiousoutput viewer; false (nothing
 * added) when it has none, or a note and false when the viewer fails.
 */
static bool
render_auto_view(struct render_ctx *ctx, GMimePart *part, const char *type)
{
	const struct mailcap_entry *entry;
	GError *error = NULL;
	GByteArray *raw;
	GBytes *out = NULL;
	char **argv = NULL, *tmp = NULL;
	bool pipe_file = false, uses_file = false;

	if (ctx->options->mailcap == NULL || !render_type_in(type, ctx->options->auto_view) ||
	    mime_is_attachment(GMIME_OBJECT(part)))
		return false;
	/* A test= that needs the file fails here: the file exists only for the chosen entry. */
	entry = mailcap_find(ctx->options->mailcap, type, MAILCAP_COPIOUSOUTPUT, NULL);
	if (entry == NULL)
		return false;
	raw = mime_decode(part, RENDER_MAX_PART_TEXT);
	g_free(mailcap_expand(entry->view, type, "/dev/null", &uses_file, NULL));
	if (uses_file)
		tmp = attach_temp_file(raw->data, raw->len, type, NULL, &error);
	if (error == NULL)
		argv = mailcap_command(entry, type, tmp != NULL ? tmp : "/dev/null", &pipe_file,
		    &error);
	if (argv != NULL)
		out = render_run(ctx, argv, pipe_file ? raw->data : NULL, pipe_file ? raw->len : 0,
		    &error);
	if (tmp != NULL)
		attach_remove_temp(tmp);
	g_free(tmp);
	g_strfreev(argv);
	g_byte_array_free(raw, TRUE);
	if (out == NULL) {
		char *note = g_strdup_printf("[auto_view of %s failed: %s]", type,
		    error != NULL ? error->message : "no output");

		render_text_note(ctx, note);
		g_free(note);
		g_clear_error(&error);
		return false;
	}
	{
		gsize n;
		const char *data = g_bytes_get_data(out, &n);
		size_t ulen;
		char *utf8 = mime_to_utf8(data != NULL ? data : "", n, "UTF-8",
		    ctx->options->charset_fallbacks, &ulen);

		if (ctx->shown++ > 0)
			render_text_separator(ctx, "");
		render_text_body(ctx, utf8, ulen, 0, NULL, NULL, NULL);
		g_free(utf8);
	}
	g_bytes_unref(out);
	return true;
}

/* Append the text of a text leaf: plain (flowed or not), enriched, or HTML. */
static void
render_text_part(struct render_ctx *ctx, GMimePart *part)
{
	GMimeObject *object = GMIME_OBJECT(part);
	const char *format = g_mime_object_get_content_type_parameter(object, "format");
	const char *delsp = g_mime_object_get_content_type_parameter(object, "delsp");
	const char *command = ctx->options->html_command;
	size_t max = MIN((size_t)RENDER_MAX_PART_TEXT, ctx->text_left), len;
	unsigned int flags = 0;
	GByteArray *raw;
	bool cut, raw_html;
	char *utf8;

	if (ctx->shown > 0)
		render_text_separator(ctx, "");
	ctx->shown++;
	raw = mime_decode(part, max + 1);
	cut = raw->len > max;
	if (cut)
		g_byte_array_set_size(raw, (guint)max);
	ctx->text_left -= raw->len;
	/* An empty GByteArray has no data at all; html_command always gets UTF-8. */
	utf8 = mime_text_utf8(object, raw->len > 0 ? (const char *)raw->data : "", raw->len,
	    ctx->options->charset_fallbacks, command == NULL || *command == '\0', &len, &raw_html);
	if (raw_html) {
		render_html_builtin(ctx, utf8, len, NULL);
	} else if (mime_is_type(object, "text", "html")) {
		render_html(ctx, utf8, len, "UTF-8");
	} else if (mime_is_type(object, "text", "enriched") ||
	    mime_is_type(object, "text", "richtext")) {
		char *plain = render_text_enriched(utf8, len);

		render_text_body(ctx, plain, strlen(plain), 0, NULL, NULL, NULL);
		g_free(plain);
	} else {
		if (format != NULL && g_ascii_strcasecmp(format, "flowed") == 0)
			flags |= RENDER_TEXT_FLOWED;
		if (delsp != NULL && g_ascii_strcasecmp(delsp, "yes") == 0)
			flags |= RENDER_TEXT_DELSP;
		render_text_body(ctx, utf8, len, flags, NULL, NULL, NULL);
	}
	g_free(utf8);
	if (cut)
		render_text_note(ctx, "[more text not shown: the part is too large]");
	g_byte_array_free(raw, TRUE);
}

/* True when the walk may enter OBJECT at DEPTH; says once why not. */
static bool
render_may_enter(struct render_ctx *ctx, int depth)
{
	if (depth > MIME_MAX_DEPTH) {
		if (!ctx->noted_depth)
			render_text_note(ctx, "[parts nested too deeply are not shown]");
		ctx->noted_depth = true;
		return false;
	}
	if (++ctx->parts > MIME_MAX_PARTS) {
		if (!ctx->noted_parts)
			render_text_note(ctx, "[more parts not shown: the message has too many]");
		ctx->noted_parts = true;
		return false;
	}
	return true;
}

/*
 * List the attachments inside OBJECT, a branch not shown (an unchosen
 * alternative, a related part, a signature): everything but plain or HTML
 * body text.
 */
static void
render_collect(struct render_ctx *ctx, GMimeObject *object, int depth)
{
	int i, n;

	if (!render_may_enter(ctx, depth))
		return;
	if (GMIME_IS_MULTIPART(object)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(object));
		for (i = 0; i < n; i++)
			render_collect(ctx, g_mime_multipart_get_part(GMIME_MULTIPART(object), i),
			    depth + 1);
		return;
	}
	if (GMIME_IS_PART(object) && !mime_is_attachment(object) &&
	    mime_is_type(object, "text", "*") && g_mime_part_get_filename(GMIME_PART(object)) == NULL)
		return;
	render_attachment(ctx, object);
}

/* The type that stands for OBJECT in a multipart/alternative: a related part's root's. */
static char *
render_effective_type(GMimeObject *object, int depth)
{
	if (depth < 8 && GMIME_IS_MULTIPART(object) &&
	    mime_is_type(object, "multipart", "related")) {
		GMimeMultipart *mp = GMIME_MULTIPART(object);

		if (g_mime_multipart_get_count(mp) > 0)
			return render_effective_type(g_mime_multipart_get_part(mp, 0), depth + 1);
	}
	return mime_type(object);
}

/*
 * The child of a multipart/alternative to show: the first whose type comes
 * earliest in alternative_order, else the first text or multipart child,
 * else the first.
 */
static int
render_pick_alternative(struct render_ctx *ctx, GMimeMultipart *mp)
{
	const char *const *order = ctx->options->alternative_order != NULL ?
	    ctx->options->alternative_order : render_default_order;
	int i, k, n = g_mime_multipart_get_count(mp), best = -1, best_rank = G_MAXINT;

	for (i = 0; i < n && i < 64; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);
		char *type = render_effective_type(child, 0);

		for (k = 0; k < best_rank && order[k] != NULL; k++) {
			if (render_type_matches(type, order[k]) && !mime_is_attachment(child)) {
				best = i;
				best_rank = k;
			}
		}
		g_free(type);
	}
	if (best >= 0)
		return best;
	for (i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);

		if (GMIME_IS_MULTIPART(child) || mime_is_type(child, "text", "*"))
			return i;
	}
	return n > 0 ? 0 : -1;
}

/* The root of a multipart/related: the part named by start=, else the first. */
static int
render_pick_related(GMimeMultipart *mp)
{
	const char *start = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp), "start");
	int i, n = g_mime_multipart_get_count(mp);

	if (start != NULL) {
		char *id = g_strdup(start);
		size_t len;

		g_strstrip(id);
		len = strlen(id);
		if (len >= 2 && id[0] == '<' && id[len - 1] == '>') {
			memmove(id, id + 1, len - 2);
			id[len - 2] = '\0';
		}
		for (i = 0; i < n; i++) {
			const char *cid = g_mime_object_get_content_id(g_mime_multipart_get_part(mp, i));

			if (cid != NULL && strcmp(cid, id) == 0)
				break;
		}
		g_free(id);
		if (i < n)
			return i;
	}
	return n > 0 ? 0 : -1;
}

/* A marker line naming the protocol of a signed or encrypted multipart. */
static void
render_marker(struct render_ctx *ctx, GMimeObject *object, const char *what, const char *rest)
{
	const char *protocol = g_mime_object_get_content_type_parameter(object, "protocol");
	char *clean = sanitize_text(protocol != NULL ? protocol : "unknown", -1, 0);
	char *note = g_strdup_printf("[-- %s (%s)%s --]", what, clean, rest);

	if (strlen(clean) > 80)
		clean[80] = '\0';
	render_text_add(ctx, RENDER_NOTE, 0, 0, note);
	g_free(clean);
}

/* Show a signed multipart: a marker, the content, the signature listed. */
static void
render_signed(struct render_ctx *ctx, GMimeMultipart *mp, int depth)
{
	int i, n = g_mime_multipart_get_count(mp);

	render_marker(ctx, GMIME_OBJECT(mp), "signed part", "; the signature is not checked");
	if (n > 0)
		render_object(ctx, g_mime_multipart_get_part(mp, 0), depth + 1);
	for (i = 1; i < n; i++)
		render_collect(ctx, g_mime_multipart_get_part(mp, i), depth + 1);
	render_text_add(ctx, RENDER_NOTE, 0, 0, g_strdup("[-- end of signed part --]"));
}

/* Show an encrypted multipart: a marker, and its parts listed for saving. */
static void
render_encrypted(struct render_ctx *ctx, GMimeMultipart *mp, int depth)
{
	int i, n = g_mime_multipart_get_count(mp);

	render_marker(ctx, GMIME_OBJECT(mp), "encrypted part",
	    "; surat cannot decrypt it: save the attachment to decrypt it");
	for (i = 0; i < n; i++)
		render_attachment(ctx, g_mime_multipart_get_part(mp, i));
}

/* Show a multipart: one child of an alternative or related, else all in order. */
static void
render_multipart(struct render_ctx *ctx, GMimeMultipart *mp, int depth)
{
	GMimeObject *object = GMIME_OBJECT(mp);
	int i, n = g_mime_multipart_get_count(mp), pick = -1;

	if (n == 0) {
		/* No boundary found: what there is sits in the prologue. */
		const char *prologue = g_mime_multipart_get_prologue(mp);

		if (prologue != NULL && *prologue != '\0') {
			size_t len;
			char *utf8 = mime_to_utf8(prologue, strlen(prologue), NULL,
			    ctx->options->charset_fallbacks, &len);

			if (ctx->shown++ > 0)
				render_text_separator(ctx, "");
			render_text_body(ctx, utf8, len, 0, NULL, NULL, NULL);
			g_free(utf8);
		}
		return;
	}
	if (mime_is_type(object, "multipart", "signed")) {
		render_signed(ctx, mp, depth);
		return;
	}
	if (mime_is_type(object, "multipart", "encrypted")) {
		render_encrypted(ctx, mp, depth);
		return;
	}
	if (mime_is_type(object, "multipart", "alternative"))
		pick = render_pick_alternative(ctx, mp);
	else if (mime_is_type(object, "multipart", "related"))
		pick = render_pick_related(mp);
	for (i = 0; i < n; i++) {
		GMimeObject *child = g_mime_multipart_get_part(mp, i);

		if (pick < 0 || i == pick)
			render_object(ctx, child, depth + 1);
		else
			render_collect(ctx, child, depth + 1);
	}
}

/* Show one MIME object: a text leaf as body, another leaf as attachment, containers walked. */
static void
render_object(struct render_ctx *ctx, GMimeObject *object, int depth)
{
	if (object == NULL || !render_may_enter(ctx, depth))
		return;
	if (GMIME_IS_MULTIPART(object)) {
		render_multipart(ctx, GMIME_MULTIPART(object), depth);
	} else if (GMIME_IS_MESSAGE_PART(object)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));

		if (mime_is_attachment(object))
			render_attachment(ctx, object);
		if (inner != NULL) {
			render_text_separator(ctx, "");
			render_text_separator(ctx, "--- Forwarded message ---");
			render_message(ctx, inner, depth + 1);
			render_text_separator(ctx, "--- End of forwarded message ---");
			ctx->shown++;
		}
	} else {
		char *type = mime_type(object);

		if (GMIME_IS_PART(object) && render_auto_view(ctx, GMIME_PART(object), type)) {
			/* shown by its viewer */
		} else if (render_is_body_text(ctx, object)) {
			render_text_part(ctx, GMIME_PART(object));
		} else {
			if (render_type_matches(type, "application/pkcs7-mime") ||
			    render_type_matches(type, "application/x-pkcs7-mime"))
				render_text_add(ctx, RENDER_NOTE, 0, 0, g_strdup("[-- S/MIME part "
				    "(application/pkcs7-mime); surat cannot decrypt or check it --]"));
			render_attachment(ctx, object);
		}
		g_free(type);
	}
}

/* Append the headers block of MESSAGE, a separator, then its body. */
static void
render_message(struct render_ctx *ctx, GMimeMessage *message, int depth)
{
	int shown = ctx->shown;

	render_headers_add(ctx, message);
	render_text_separator(ctx, "");
	ctx->shown = 0;
	render_object(ctx, g_mime_message_get_mime_part(message), depth + 1);
	ctx->shown = shown;
}

/* Render LEN bytes at BUF (borrowed until it returns). */
static struct rendering *
render_buffer(const char *buf, size_t len, const struct render_options *options)
{
	static const struct render_options defaults = { 0 };
	struct rendering *r = g_new0(struct rendering, 1);
	struct render_ctx ctx;
	GMimeMessage *message;
	GArray *numbered;
	bool cut = false;
	guint i;

	r->lines = g_ptr_array_new_with_free_func(render_line_free);
	r->attachments = g_ptr_array_new_with_free_func(render_attachment_free);
	r->links = g_ptr_array_new_with_free_func(render_link_free);
	r->spans = g_array_new(FALSE, FALSE, sizeof(struct render_span));
	memset(&ctx, 0, sizeof ctx);
	ctx.r = r;
	ctx.options = options != NULL ? options : &defaults;
	ctx.text_left = RENDER_MAX_TEXT;
	ctx.numbers = g_hash_table_new(NULL, NULL);
	ctx.link_urls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	message = mime_parse(buf, len, ctx.options->charset_fallbacks, &cut);
	ctx.cut_input = cut;
	numbered = mime_number(message);
	for (i = 0; i < numbered->len; i++)
		g_hash_table_insert(ctx.numbers,
		    g_array_index(numbered, struct mime_numbered, i).object, GINT_TO_POINTER(i + 1));
	g_array_free(numbered, TRUE);
	if (message != NULL) {
		render_message(&ctx, message, 0);
	} else {
		/* Not a message at all: show the bytes as text. */
		size_t n = MIN(len, (size_t)RENDER_MAX_PART_TEXT), out_len;
		char *utf8 = mime_to_utf8(buf != NULL ? buf : "", n, NULL,
		    ctx.options->charset_fallbacks, &out_len);

		render_text_separator(&ctx, "");
		render_text_body(&ctx, utf8, out_len, 0, NULL, NULL, NULL);
		g_free(utf8);
	}
	if (ctx.cut_input)
		render_text_note(&ctx, "[the rest is not shown: the message structure is too complex]");
	if (ctx.noted_links)
		render_text_note(&ctx, "[more links are not numbered: the message has too many]");
	if (r->attachments->len > 0)
		render_text_separator(&ctx, "");
	for (i = 0; i < r->attachments->len; i++) {
		struct render_attachment *a = g_ptr_array_index(r->attachments, i);
		char *size = size_text((uint64_t)MAX(a->size, 0));
		char *number = a->number > 0 ? g_strdup_printf(" #%d", a->number) : g_strdup("");

		render_text_add(&ctx, RENDER_ATTACHMENT, 0, 0,
		    g_strdup_printf("Attachment%s: %s (%s, %s)", number,
			*a->name != '\0' ? a->name : "(no name)", a->type, size));
		g_free(number);
		g_free(size);
	}
	for (i = 0; i < r->links->len; i++) {
		struct render_link *link = g_ptr_array_index(r->links, i);

		if (link->line == G_MAXUINT || link->line >= r->lines->len)
			link->line = 0;
	}
	g_clear_object(&message);
	g_hash_table_destroy(ctx.numbers);
	g_hash_table_destroy(ctx.link_urls);
	return r;
}

struct rendering *
render_bytes(const char *buf, size_t len, const struct render_options *options)
{
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	return render_buffer(buf, len, options);
}

struct rendering *
render_file(const char *path, const struct render_options *options, GError **error)
{
	GByteArray *bytes;
	struct rendering *r;

	if (!mime_lib_load(error))
		return NULL;
	if ((bytes = mime_read_file(path)) == NULL) {
		int saved = errno;

		g_set_error(error, RENDER_ERROR, RENDER_ERROR_READ, "%s: %s",
		    path != NULL ? path : "(null)", g_strerror(saved));
		return NULL;
	}
	r = render_buffer(bytes->len > 0 ? (const char *)bytes->data : "", bytes->len, options);
	g_byte_array_free(bytes, TRUE);
	return r;
}

void
render_free(struct rendering *r)
{
	if (r == NULL)
		return;
	g_ptr_array_free(r->lines, TRUE);
	g_ptr_array_free(r->attachments, TRUE);
	g_ptr_array_free(r->links, TRUE);
	g_array_free(r->spans, TRUE);
	g_free(r);
}

char *
render_to_text(const struct rendering *r)
{
	GString *out = g_string_new(NULL);
	guint i;

	if (r == NULL)
		return g_string_free(out, FALSE);
	for (i = 0; i < r->lines->len; i++) {
		const struct render_line *line = g_ptr_array_index(r->lines, i);

		g_string_append(out, line->text);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

const struct render_link *
render_link_get(const struct rendering *r, int number)
{
	if (r == NULL || number < 1 || (guint)number > r->links->len)
		return NULL;
	return g_ptr_array_index(r->links, number - 1);
}

void
render_options_init(struct render_options *options, const struct surat_config *config)
{
	memset(options, 0, sizeof *options);
	if (config == NULL)
		return;
	options->date_format = config->date_format;
	options->headers_shown = (const char *const *)config->headers_shown;
	options->alternative_order = (const char *const *)config->alternative_order;
	options->charset_fallbacks = (const char *const *)config->charset_fallbacks;
	options->html_command = config->html_command;
	options->auto_view = (const char *const *)config->auto_view;
}
