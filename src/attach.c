/*
 * attach: a message's parts as bytes and files.  Parts are numbered by
 * mime_number() (as the renderer numbers them); saving picks a safe base
 * name and never replaces a file (O_EXCL); a file for a viewer lives in a
 * private folder under a name surat chose.
 *
 * What it never does: run a command, follow a path from the message, or
 * write outside the folder it was given.
 */
#include "surat/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "surat/mime.h"
#include "surat/sanitize.h"

#define ATTACH_MAX_EXT	  16   /* bytes of an extension kept apart when cutting a name */
#define ATTACH_MAX_SUFFIX 9999 /* " (N)" tried before giving up */

struct attach {
	GByteArray *bytes;     /* the message; the parse borrows it */
	GMimeMessage *message; /* or NULL */
	GArray *numbered;      /* struct mime_numbered, in number order */
	GPtrArray *parts;      /* struct attach_part *, in number order */
};

G_DEFINE_QUARK(surat-attach-error-quark, attach_error)

/* The extensions surat gives to types it knows. */
static const struct {
	const char *type;
	const char *ext;
} attach_extensions[] = {
	{ "text/plain", "txt" }, { "text/html", "html" }, { "text/enriched", "txt" },
	{ "text/calendar", "ics" }, { "text/csv", "csv" }, { "text/x-diff", "diff" },
	{ "text/x-patch", "patch" }, { "text/xml", "xml" }, { "text/vcard", "vcf" },
	{ "text/x-vcard", "vcf" }, { "text/markdown", "md" },
	{ "application/pdf", "pdf" }, { "application/zip", "zip" }, { "application/gzip", "gz" },
	{ "application/x-gzip", "gz" }, { "application/x-tar", "tar" },
	{ "application/json", "json" }, { "application/xml", "xml" }, { "application/rtf", "rtf" },
	{ "application/msword", "doc" }, { "application/vnd.ms-excel", "xls" },
	{ "application/vnd.ms-powerpoint", "ppt" },
	{ "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx" },
	{ "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx" },
	{ "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx" },
	{ "application/vnd.oasis.opendocument.text", "odt" },
	{ "application/vnd.oasis.opendocument.spreadsheet", "ods" },
	{ "application/pgp-signature", "asc" }, { "application/pgp-encrypted", "pgp" },
	{ "application/pgp-keys", "asc" }, { "application/pkcs7-signature", "p7s" },
	{ "application/pkcs7-mime", "p7m" }, { "application/ics", "ics" },
	{ "image/png", "png" }, { "image/jpeg", "jpg" }, { "image/gif", "gif" },
	{ "image/webp", "webp" }, { "image/svg+xml", "svg" }, { "image/bmp", "bmp" },
	{ "image/tiff", "tif" }, { "audio/mpeg", "mp3" }, { "audio/ogg", "ogg" },
	{ "audio/wav", "wav" }, { "video/mp4", "mp4" }, { "video/webm", "webm" },
	{ "message/rfc822", "eml" },
};

const char *
attach_type_extension(const char *type)
{
	size_t i;

	if (type == NULL)
		return "bin";
	for (i = 0; i < G_N_ELEMENTS(attach_extensions); i++)
		if (g_ascii_strcasecmp(type, attach_extensions[i].type) == 0)
			return attach_extensions[i].ext;
	if (g_ascii_strncasecmp(type, "text/", 5) == 0)
		return "txt";
	return "bin";
}

/* True for a character a file name must not hold: controls, bidi, invisible format, separators. */
static bool
attach_is_unsafe(gunichar c)
{
	GUnicodeType t = g_unichar_type(c);

	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || t == G_UNICODE_FORMAT ||
	    t == G_UNICODE_LINE_SEPARATOR || t == G_UNICODE_PARAGRAPH_SEPARATOR ||
	    t == G_UNICODE_UNASSIGNED || t == G_UNICODE_SURROGATE || c == '/' || c == '\\';
}

/* Bytes of the extension (".pdf") at the end of NAME (LEN bytes), 0 when none. */
static size_t
attach_ext_len(const char *name, size_t len)
{
	size_t i;

	for (i = len; i > 1 && len - i < ATTACH_MAX_EXT; i--) {
		if (name[i - 1] == '.')
			return len - (i - 1);
		if (!g_ascii_isalnum(name[i - 1]))
			return 0;
	}
	return 0;
}

char *
attach_safe_name(const char *raw, int number, const char *type)
{
	const char *base = raw != NULL ? raw : "", *p, *end;
	GString *out;
	size_t start, stop, ext;

	for (p = base; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	out = g_string_new(NULL);
	end = base + strlen(base);
	for (p = base; p < end;) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_c(out, '_');
			p++;
			continue;
		}
		if (attach_is_unsafe(c))
			g_string_append_c(out, '_');
		else
			g_string_append_unichar(out, c);
		p = g_utf8_next_char(p);
	}
	for (start = 0; start < out->len && (out->str[start] == '.' || out->str[start] == ' ');
	    start++)
		;
	for (stop = out->len; stop > start && (out->str[stop - 1] == '.' ||
	    out->str[stop - 1] == ' '); stop--)
		;
	g_string_truncate(out, stop);
	g_string_erase(out, 0, (gssize)start);
	if (out->len > ATTACH_NAME_MAX) {
		/* Keep the extension: cut the stem on a character boundary. */
		char *keep;
		size_t cut;

		ext = attach_ext_len(out->str, out->len);
		keep = g_strdup(out->str + out->len - ext);
		cut = ATTACH_NAME_MAX - ext;
		while (cut > 0 && ((unsigned char)out->str[cut] & 0xc0) == 0x80)
			cut--;
		g_string_truncate(out, cut);
		while (out->len > 0 && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append(out, keep);
		g_free(keep);
	}
	if (out->len == 0 || strspn(out->str, "_") == out->len) {
		g_string_free(out, TRUE);
		if (number > 0)
			return g_strdup_printf("attachment-%d.%s", number, attach_type_extension(type));
		return g_strdup_printf("attachment.%s", attach_type_extension(type));
	}
	return g_string_free(out, FALSE);
}

/* Free one part entry. */
static void
attach_part_free(gpointer data)
{
	struct attach_part *p = data;

	g_free(p->name);
	g_free(p->type);
	g_free(p->charset);
	g_free(p);
}

/* Build A's parts from its bytes. */
static struct attach *
attach_build(GByteArray *bytes)
{
	struct attach *a = g_new0(struct attach, 1);
	guint i;

	a->bytes = bytes;
	a->message = mime_parse(bytes->len > 0 ? (const char *)bytes->data : "", bytes->len, NULL,
	    NULL);
	a->numbered = mime_number(a->message);
	a->parts = g_ptr_array_new_with_free_func(attach_part_free);
	for (i = 0; i < a->numbered->len; i++) {
		struct mime_numbered *n = &g_array_index(a->numbered, struct mime_numbered, i);
		struct attach_part *p = g_new0(struct attach_part, 1);
		const char *raw = mime_raw_name(n->object);
		const char *charset = g_mime_object_get_content_type_parameter(n->object, "charset");

		p->number = (int)i + 1;
		p->depth = n->depth;
		p->type = mime_type(n->object);
		p->name = raw != NULL ? attach_safe_name(raw, p->number, p->type) : g_strdup("");
		p->charset = sanitize_text(charset != NULL && strlen(charset) < 64 ? charset : "",
		    -1, 0);
		p->size = mime_size(n->object);
		p->attachment = mime_is_attachment(n->object);
		p->message = GMIME_IS_MESSAGE_PART(n->object);
		g_ptr_array_add(a->parts, p);
	}
	return a;
}

struct attach *
attach_new(const char *path, GError **error)
{
	GByteArray *bytes;

	if (!mime_lib_load(error))
		return NULL;
	if ((bytes = mime_read_file(path)) == NULL) {
		int saved = errno;

		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_READ, "%s: %s",
		    path != NULL ? path : "(null)", g_strerror(saved));
		return NULL;
	}
	return attach_build(bytes);
}

struct attach *
attach_new_bytes(const char *buf, size_t len)
{
	GByteArray *bytes = g_byte_array_new();

	if (buf != NULL && len > 0)
		g_byte_array_append(bytes, (const guint8 *)buf, (guint)MIN(len,
		    (size_t)MIME_MAX_INPUT));
	return attach_build(bytes);
}

void
attach_free(struct attach *a)
{
	if (a == NULL)
		return;
	g_ptr_array_free(a->parts, TRUE);
	g_array_free(a->numbered, TRUE);
	g_clear_object(&a->message);
	g_byte_array_free(a->bytes, TRUE);
	g_free(a);
}

int
attach_count(const struct attach *a)
{
	return a != NULL ? (int)a->parts->len : 0;
}

const struct attach_part *
attach_get(const struct attach *a, int number)
{
	if (a == NULL || number < 1 || number > (int)a->parts->len)
		return NULL;
	return g_ptr_array_index(a->parts, number - 1);
}

/* The GMime object of part NUMBER, or NULL with ATTACH_ERROR_NO_PART. */
static GMimeObject *
attach_object(struct attach *a, int number, GError **error)
{
	if (attach_get(a, number) == NULL) {
		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_NO_PART, "no part %d: the message "
		    "has %d part%s", number, attach_count(a), attach_count(a) == 1 ? "" : "s");
		return NULL;
	}
	return g_array_index(a->numbered, struct mime_numbered, number - 1).object;
}

GBytes *
attach_bytes(struct attach *a, int number, GError **error)
{
	GMimeObject *object = attach_object(a, number, error);
	GMimeStream *mem;
	GByteArray *array;
	GBytes *out;

	if (object == NULL)
		return NULL;
	mem = g_mime_stream_mem_new();
	mime_write_decoded(object, mem);
	array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	out = g_bytes_new(array->data, array->len);
	g_object_unref(mem);
	return out;
}

bool
attach_write_fd(struct attach *a, int number, int fd, GError **error)
{
	GMimeObject *object = attach_object(a, number, error);
	GMimeStream *out;
	bool ok;

	if (object == NULL)
		return false;
	/* A pipe stream only writes: fine for files, and pipes refuse seeks. */
	out = g_mime_stream_pipe_new(fd);
	g_mime_stream_pipe_set_owner(GMIME_STREAM_PIPE(out), FALSE);
	errno = 0;
	ok = mime_write_decoded(object, out);
	if (!ok) {
		int saved = errno != 0 ? errno : EIO;

		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s", g_strerror(saved));
	}
	g_object_unref(out);
	return ok;
}

/* Write all LEN bytes at DATA to FD; false with errno. */
static bool
attach_write_all(int fd, const guint8 *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

char *
attach_save(struct attach *a, int number, const char *dir, const char *name, GError **error)
{
	const struct attach_part *part = attach_get(a, number);
	GError *write_error = NULL;
	char *safe, *stem, *path = NULL;
	const char *ext;
	size_t ext_len;
	int i, fd = -1, saved;

	if (attach_object(a, number, error) == NULL)
		return NULL;
	safe = attach_safe_name(name != NULL ? name : part->name, number, part->type);
	ext_len = attach_ext_len(safe, strlen(safe));
	stem = g_strndup(safe, strlen(safe) - ext_len);
	ext = safe + strlen(safe) - ext_len;
	for (i = 0; i <= ATTACH_MAX_SUFFIX; i++) {
		char *file = i == 0 ? g_strdup(safe) : g_strdup_printf("%s (%d)%s", stem, i, ext);

		g_free(path);
		path = g_build_filename(dir != NULL ? dir : ".", file, NULL);
		g_free(file);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	saved = errno;
	g_free(stem);
	g_free(safe);
	if (fd < 0) {
		struct stat st;

		if (i > ATTACH_MAX_SUFFIX)
			saved = EEXIST;
		/* Name the folder when it is the folder that is missing or wrong. */
		if (dir != NULL && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
			saved = stat(dir, &st) != 0 ? errno : ENOTDIR;
			g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", dir,
			    g_strerror(saved));
		} else {
			g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", path,
			    g_strerror(saved));
		}
		g_free(path);
		return NULL;
	}
	if (!attach_write_fd(a, number, fd, &write_error) || close(fd) != 0) {
		saved = errno;
		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", path,
		    write_error != NULL ? write_error->message : g_strerror(saved));
		g_clear_error(&write_error);
		unlink(path);
		g_free(path);
		return NULL;
	}
	return path;
}

char *
attach_temp_file(const void *data, size_t len, const char *type, const char *name,
    GError **error)
{
	const char *ext = attach_type_extension(type);
	char *dir, *path;
	int fd, saved;

	if (strcmp(ext, "bin") == 0 && name != NULL) {
		/* The name's own extension, only when it is a short word of letters and digits. */
		size_t n = attach_ext_len(name, strlen(name));

		if (n >= 2 && n <= 9)
			ext = name + strlen(name) - n + 1;
	}
	dir = g_build_filename(g_get_tmp_dir(), "surat-XXXXXX", NULL);
	if (g_mkdtemp_full(dir, 0700) == NULL) {
		saved = errno;
		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", g_get_tmp_dir(),
		    g_strerror(saved));
		g_free(dir);
		return NULL;
	}
	path = g_strdup_printf("%s/part-XXXXXX.%s", dir, ext);
	fd = mkstemps(path, (int)strlen(ext) + 1);
	if (fd < 0 || fchmod(fd, 0600) != 0 || !attach_write_all(fd, data, len) ||
	    close(fd) != 0) {
		saved = errno;
		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", path,
		    g_strerror(saved));
		if (fd >= 0)
			unlink(path);
		rmdir(dir);
		g_free(dir);
		g_free(path);
		return NULL;
	}
	g_free(dir);
	return path;
}

char *
attach_write_temp(struct attach *a, int number, GError **error)
{
	const struct attach_part *part = attach_get(a, number);
	GBytes *bytes = attach_bytes(a, number, error);
	gsize len;
	const char *data;
	char *path;

	if (bytes == NULL)
		return NULL;
	data = g_bytes_get_data(bytes, &len);
	if (!part->message && g_str_has_prefix(part->type, "text/")) {
		/* Text as UTF-8, so %{charset} can honestly be "utf-8". */
		GMimeObject *object = g_array_index(a->numbered, struct mime_numbered,
		    number - 1).object;
		const char *charset = g_mime_object_get_content_type_parameter(object, "charset");
		size_t n;
		char *utf8 = mime_to_utf8(data != NULL ? data : "", len, charset, NULL, &n);
		GString *text = g_string_sized_new(n + 3);

		if (strcmp(part->type, "text/html") == 0)
			g_string_append(text, "\xef\xbb\xbf");
		g_string_append_len(text, utf8, (gssize)n);
		path = attach_temp_file(text->str, text->len, part->type, part->name, error);
		g_string_free(text, TRUE);
		g_free(utf8);
	} else {
		path = attach_temp_file(data, len, part->type, part->name, error);
	}
	g_bytes_unref(bytes);
	return path;
}

void
attach_remove_temp(const char *path)
{
	char *dir, *base;

	if (path == NULL)
		return;
	unlink(path);
	dir = g_path_get_dirname(path);
	base = g_path_get_basename(dir);
	/* Only the private folder attach_temp_file made. */
	if (g_str_has_prefix(base, "surat-") && strlen(base) == 12)
		rmdir(dir);
	g_free(base);
	g_free(dir);
}
