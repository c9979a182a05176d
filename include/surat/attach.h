/*
 * attach: the parts of one message as files, headless.  The attachment view
 * (key v) and `surat show --attachments/--part` are built on it.
 *
 * Parts are numbered from 1 depth first, as the renderer numbers them in its
 * "Attachment #N" lines: every leaf part (the body text too) and every
 * message/rfc822 part (then the parts inside it), down to the renderer's
 * nesting limit.  Multipart containers get no number.
 *
 * DESIGN promise 3: a saved part gets a sanitized base name (attach_safe_name)
 * in the folder asked for and never replaces a file; a part opened with a
 * viewer is written to a temporary file whose name surat chose, in a private
 * folder (0700), mode 0600.  Nothing here runs a command.
 *
 * Typical use (the attachment view):
 *     a = attach_new(path, &error);
 *     for (n = 1; n <= attach_count(a); n++) p = attach_get(a, n); ...
 *     saved = attach_save(a, n, config->download_dir, NULL, &error);
 *     tmp = attach_write_temp(a, n, &error);  ...run the viewer...
 *     attach_remove_temp(tmp);
 *     attach_free(a);
 */
#ifndef SURAT_ATTACH_H
#define SURAT_ATTACH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

#define ATTACH_NAME_MAX 200 /* bytes of a safe name before any " (N)" suffix */

struct attach_part {
	int number;      /* 1-based; attach_get(a, number) */
	int depth;       /* 0 in the message, 1 inside a forwarded message, ... */
	char *name;      /* the safe file name from the part's own name (RFC 2231/2047
	                    decoded, attach_safe_name rules), "" when it has none */
	char *type;      /* lowercase "type/subtype", sanitized */
	char *charset;   /* the charset parameter, sanitized, or "" (display only) */
	int64_t size;    /* decoded bytes; exact up to 1 MB encoded, estimated above */
	bool attachment; /* Content-Disposition: attachment (else inline) */
	bool message;    /* message/rfc822: the bytes are the whole forwarded message */
};

struct attach;

#define ATTACH_ERROR (attach_error_quark())
GQuark attach_error_quark(void);

enum attach_error_code {
	ATTACH_ERROR_READ,    /* the message file could not be read */
	ATTACH_ERROR_NO_PART, /* no part with that number */
	ATTACH_ERROR_WRITE,   /* the file could not be created or written */
};

/*
 * Read and parse the message file PATH ("-": standard input; at most 256 MB).
 * Fails only when it cannot be read: ATTACH_ERROR_READ, "PATH: <strerror>";
 * or when GMime cannot be loaded (mime-lib.h).
 * A malformed message gives the parts that could be read (maybe none).
 */
struct attach *attach_new(const char *path, GError **error);

/* The same from LEN bytes at BUF (copied). Never fails. */
struct attach *attach_new_bytes(const char *buf, size_t len);

void attach_free(struct attach *a);

/* How many parts A has (the highest number). */
int attach_count(const struct attach *a);

/* Part NUMBER, borrowed until attach_free; NULL when out of range. */
const struct attach_part *attach_get(const struct attach *a, int number);

/*
 * The decoded bytes of part NUMBER (transfer encoding undone, no charset
 * conversion; a message/rfc822 part gives the message).  At most 256 MB.
 * Fails with ATTACH_ERROR_NO_PART.
 */
GBytes *attach_bytes(struct attach *a, int number, GError **error);

/*
 * Write the decoded bytes of part NUMBER to FD (as attach_bytes, streamed).
 * Fails with ATTACH_ERROR_NO_PART or ATTACH_ERROR_WRITE ("<strerror>").
 */
bool attach_write_fd(struct attach *a, int number, int fd, GError **error);

/*
 * Save part NUMBER in the folder DIR under NAME (NULL: the part's own name)
 * made safe by attach_safe_name.  Never replaces a file: when the name is
 * taken, " (1)", " (2)" ... go before the extension (O_CREAT|O_EXCL, mode
 * 0644 less the umask).  Returns the path used (g_free).  Fails with
 * ATTACH_ERROR_NO_PART, or ATTACH_ERROR_WRITE naming the path ("DIR: No such
 * file or directory"); a partly written file is removed.
 */
char *attach_save(struct attach *a, int number, const char *dir, const char *name,
    GError **error);

/*
 * Write part NUMBER to a new temporary file for a viewer: in a new private
 * folder ($TMPDIR or /tmp, "surat-XXXXXX", mode 0700), named
 * "part-XXXXXX.EXT" (mode 0600) where EXT comes from the type (or the name's
 * extension when it is 1 to 8 letters and digits), so no other string from
 * the message is in the path.  text parts (text/anything) are converted to UTF-8 (an HTML
 * part gets a byte order mark so a <meta> charset cannot contradict it), which
 * is why mailcap.h gives %{charset} as "utf-8".  Returns the path (g_free);
 * remove it with attach_remove_temp.
 */
char *attach_write_temp(struct attach *a, int number, GError **error);

/*
 * The same for LEN bytes at DATA of type TYPE, written as they are (the
 * renderer's auto_view uses it).
 */
char *attach_temp_file(const void *data, size_t len, const char *type, const char *name,
    GError **error);

/* Remove a file made by attach_write_temp/attach_temp_file and its private folder. */
void attach_remove_temp(const char *path);

/*
 * A safe file name from RAW (a decoded name from a message or typed by the
 * user; may be NULL): only the part after the last '/' or '\'; control
 * characters, bidi and other invisible format characters, line separators
 * and invalid UTF-8 become '_'; leading dots and spaces, trailing dots and
 * spaces dropped; cut to ATTACH_NAME_MAX bytes on a character boundary,
 * keeping a short extension.  When nothing is left, "attachment-NUMBER.EXT"
 * with EXT from TYPE (".bin" when unknown).  Returns a new string, never
 * empty, never "." or "..".
 */
char *attach_safe_name(const char *raw, int number, const char *type);

/* The file extension surat uses for TYPE ("pdf" for application/pdf), or "bin". */
const char *attach_type_extension(const char *type);

#endif
