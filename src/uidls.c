/*
 * uidls: the per-account UIDL journal (uidls.h has the format).  Appends
 * under flock, a reader that skips what a failed write or a crash left
 * half-written, and compaction by writing a new file and renaming it over.
 *
 * What it must never do: let an incomplete record join the next one (a
 * UIDL cut short could name another message), or lose an append that races
 * a compaction.
 */
#include "surat/uidls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define UIDLS_MAGIC   "surat-uidls"
#define UIDLS_VERSION 1
/* A journal smaller than this is never worth compacting. */
#define UIDLS_SLACK   (64 * 1024)

G_DEFINE_QUARK(surat-uidls-error-quark, uidls_error)

/* Set ERROR from errno ERR for the operation WHAT on PATH. */
static void
uidls_set_errno(GError **error, int err, const char *what, const char *path)
{
	bool full = err == ENOSPC || err == EDQUOT || err == EFBIG;

	g_set_error(error, UIDLS_ERROR, full ? UIDLS_ERROR_FULL : UIDLS_ERROR_IO, "%s %s: %s%s",
	    what, path, g_strerror(err),
	    full ? " (free some space or raise the limit, then try again)" : "");
}

/* Append S to OUT with every byte outside '!'..'~', and '%', as %XX. */
static void
uidls_escape(GString *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '%')
			g_string_append_printf(out, "%%%02X", *p);
		else
			g_string_append_c(out, (char)*p);
	}
}

/* The unescaped text of the LEN bytes at S, or NULL when malformed or empty. */
static char *
uidls_unescape(const char *s, size_t len)
{
	GString *out;
	size_t i;

	if (len == 0)
		return NULL;
	out = g_string_sized_new(len);
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len)
				goto bad;
			hi = g_ascii_xdigit_value(s[i + 1]);
			lo = g_ascii_xdigit_value(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				goto bad;
			g_string_append_c(out, (char)(hi * 16 + lo));
			i += 2;
		} else if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e) {
			goto bad;
		} else {
			g_string_append_c(out, s[i]);
		}
	}
	return g_string_free(out, FALSE);
bad:
	g_string_free(out, TRUE);
	return NULL;
}

void
uidls_add_stored(GString *out, const char *base, const char *uidl, bool partial)
{
	g_string_append(out, partial ? "P " : "S ");
	uidls_escape(out, base);
	g_string_append_c(out, ' ');
	uidls_escape(out, uidl);
	g_string_append_c(out, '\n');
}

void
uidls_add_gone(GString *out, const char *uidl, int64_t arrival, bool dele)
{
	g_string_append(out, "G ");
	uidls_escape(out, uidl);
	g_string_append_printf(out, " %" G_GINT64_FORMAT " %d\n", arrival, dele ? 1 : 0);
}

void
uidls_add_back(GString *out, const char *uidl)
{
	g_string_append(out, "U ");
	uidls_escape(out, uidl);
	g_string_append_c(out, '\n');
}

/* The journal's path in MAILDIR (a new string). */
static char *
uidls_path(const char *maildir)
{
	return g_build_filename(maildir, UIDLS_FILE, NULL);
}

/*
 * Open PATH with FLAGS and take flock LOCK on it, making sure the name still
 * points at the file locked (a compaction may have renamed another over it
 * while we waited).  Returns the fd, or -1 with ERROR set (or, without
 * O_CREAT, -1 and errno ENOENT with no error when there is no file).
 */
static int
uidls_open_locked(const char *path, int flags, int lock, GError **error)
{
	for (;;) {
		struct stat fst, pst;
		int fd = open(path, flags | O_CLOEXEC, 0600);

		if (fd < 0) {
			if (errno == ENOENT && !(flags & O_CREAT))
				return -1;
			uidls_set_errno(error, errno, "cannot open", path);
			return -1;
		}
		while (flock(fd, lock) != 0) {
			if (errno != EINTR) {
				uidls_set_errno(error, errno, "cannot lock", path);
				close(fd);
				return -1;
			}
		}
		if (fstat(fd, &fst) != 0) {
			uidls_set_errno(error, errno, "cannot stat", path);
			close(fd);
			return -1;
		}
		if (stat(path, &pst) == 0 && pst.st_dev == fst.st_dev && pst.st_ino == fst.st_ino)
			return fd;
		/* Replaced (or removed) while we waited for the lock: again. */
		close(fd);
	}
}

/* Write all LEN bytes of BUF to FD. */
static bool
uidls_write_all(int fd, const char *buf, size_t len, const char *path, GError **error)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			uidls_set_errno(error, errno, "cannot write", path);
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * The offset just after the last newline of the first SIZE bytes of FD (0
 * if none), or -1 on a read error.
 */
static off_t
uidls_last_newline(int fd, off_t size)
{
	char buf[4096];

	while (size > 0) {
		off_t start = size > (off_t)sizeof buf ? size - (off_t)sizeof buf : 0;
		ssize_t n = pread(fd, buf, (size_t)(size - start), start);

		if (n != (ssize_t)(size - start))
			return -1;
		while (n > 0) {
			if (buf[n - 1] == '\n')
				return start + n;
			n--;
		}
		size = start;
	}
	return 0;
}

/* The header line of a journal whose compacted size is BYTES. */
static char *
uidls_header(uint64_t bytes)
{
	return g_strdup_printf(UIDLS_MAGIC " %d %" G_GUINT64_FORMAT "\n", UIDLS_VERSION, bytes);
}

bool
uidls_append(const char *maildir, const char *records, bool sync, GError **error)
{
	char *path;
	struct stat st;
	off_t end;
	bool ok = false;
	int fd;

	if (records == NULL || records[0] == '\0')
		return true;
	path = uidls_path(maildir);
	fd = uidls_open_locked(path, O_RDWR | O_APPEND | O_CREAT, LOCK_EX, error);
	if (fd < 0)
		goto out;
	if (fstat(fd, &st) != 0) {
		uidls_set_errno(error, errno, "cannot stat", path);
		goto out;
	}
	/* Cut off what a failed write or a crash left half-written. */
	end = uidls_last_newline(fd, st.st_size);
	if (end < 0) {
		uidls_set_errno(error, errno != 0 ? errno : EIO, "cannot read", path);
		goto out;
	}
	if (end != st.st_size && ftruncate(fd, end) != 0) {
		uidls_set_errno(error, errno, "cannot repair", path);
		goto out;
	}
	if (end == 0) {
		char *header = uidls_header(0);

		ok = uidls_write_all(fd, header, strlen(header), path, error);
		g_free(header);
		if (!ok)
			goto out;
		ok = false;
	}
	if (!uidls_write_all(fd, records, strlen(records), path, error)) {
		/* Best effort: take the half-written records back now. */
		if (ftruncate(fd, end == 0 ? 0 : end) != 0) {
			/* The next append cuts it off. */
		}
		goto out;
	}
	if (sync && fsync(fd) != 0) {
		uidls_set_errno(error, errno, "cannot sync", path);
		goto out;
	}
	ok = true;
out:
	if (fd >= 0 && close(fd) != 0 && ok) {
		uidls_set_errno(error, errno, "cannot write", path);
		ok = false;
	}
	g_free(path);
	return ok;
}

static void
uidls_stored_free(struct uidls_stored *s)
{
	g_free(s->uidl);
	g_free(s);
}

/* A new, empty struct uidls. */
static struct uidls *
uidls_new(void)
{
	struct uidls *u = g_new0(struct uidls, 1);

	u->stored = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)uidls_stored_free);
	u->gone = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	return u;
}

void
uidls_free(struct uidls *uidls)
{
	if (uidls == NULL)
		return;
	g_hash_table_unref(uidls->stored);
	g_hash_table_unref(uidls->gone);
	g_free(uidls);
}

/* Split the LEN bytes at LINE into at most MAX words; returns how many. */
static int
uidls_words(const char *line, size_t len, const char **word, size_t *wlen, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		size_t start = i;

		while (i < len && line[i] != ' ')
			i++;
		if (n == max || i == start)
			return -1; /* too many words, or two spaces in a row */
		word[n] = line + start;
		wlen[n] = i - start;
		n++;
		if (i < len)
			i++;
	}
	return n;
}

/* Replay one record line (without its newline) into U; malformed lines are skipped. */
static void
uidls_replay(struct uidls *u, const char *line, size_t len)
{
	const char *w[4];
	size_t wl[4];
	int n = uidls_words(line, len, w, wl, 4);
	char *a = NULL, *b = NULL;

	if (n < 2 || wl[0] != 1)
		return;
	switch (w[0][0]) {
	case 'S':
	case 'P':
		if (n != 3 || (a = uidls_unescape(w[1], wl[1])) == NULL ||
		    (b = uidls_unescape(w[2], wl[2])) == NULL)
			break;
		{
			struct uidls_stored *s = g_new0(struct uidls_stored, 1);

			s->uidl = b;
			s->partial = w[0][0] == 'P';
			g_hash_table_replace(u->stored, a, s);
			a = b = NULL;
		}
		break;
	case 'G':
		if (n != 4 || (a = uidls_unescape(w[1], wl[1])) == NULL || wl[3] != 1 ||
		    (w[3][0] != '0' && w[3][0] != '1'))
			break;
		{
			char *num = g_strndup(w[2], wl[2]), *end = NULL;
			gint64 arrival = g_ascii_strtoll(num, &end, 10);
			bool good = end != num && *end == '\0';

			g_free(num);
			if (good) {
				struct uidls_gone *g = g_new0(struct uidls_gone, 1);

				g->arrival = arrival;
				g->dele = w[3][0] == '1';
				g_hash_table_replace(u->gone, a, g);
				a = NULL;
			}
		}
		break;
	case 'U':
		if (n != 2 || (a = uidls_unescape(w[1], wl[1])) == NULL)
			break;
		g_hash_table_remove(u->gone, a);
		break;
	default:
		break;
	}
	g_free(a);
	g_free(b);
}

/* Parse the header line (without its newline); *BYTES gets the compacted size. */
static bool
uidls_parse_header(const char *line, size_t len, uint64_t *bytes, int *version)
{
	char *text = g_strndup(line, len);
	int v = 0;
	unsigned long long b = 0;
	int end = 0;
	bool ok = sscanf(text, UIDLS_MAGIC " %d %llu%n", &v, &b, &end) == 2 &&
	    (size_t)end == len;

	g_free(text);
	*version = v;
	*bytes = (uint64_t)b;
	return ok;
}

/* Replay the LEN bytes of journal text at DATA into U. */
static bool
uidls_parse(struct uidls *u, const char *data, size_t len, const char *path, GError **error)
{
	const char *p = data, *end = data + len, *nl;
	bool first = true;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (first) {
			uint64_t bytes;
			int version;

			if (!uidls_parse_header(p, (size_t)(nl - p), &bytes, &version)) {
				g_set_error(error, UIDLS_ERROR, UIDLS_ERROR_IO,
				    "%s: not a surat UIDL journal (its first line is wrong)", path);
				return false;
			}
			if (version > UIDLS_VERSION) {
				g_set_error(error, UIDLS_ERROR, UIDLS_ERROR_IO,
				    "%s: written by a newer surat (version %d); use that one",
				    path, version);
				return false;
			}
			first = false;
		} else {
			uidls_replay(u, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
	/* What follows the last newline is an incomplete record: ignored. */
	return true;
}

/* Read all of FD into *DATA (*LEN bytes). */
static bool
uidls_read_fd(int fd, const char *path, char **data, size_t *len, GError **error)
{
	GString *s = g_string_new(NULL);
	char buf[65536];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0) {
		uidls_set_errno(error, errno, "cannot read", path);
		g_string_free(s, TRUE);
		return false;
	}
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			uidls_set_errno(error, errno, "cannot read", path);
			g_string_free(s, TRUE);
			return false;
		}
		g_string_append_len(s, buf, n);
	}
	*len = s->len;
	*data = g_string_free(s, FALSE);
	return true;
}

/* Read the journal open at FD into a new struct uidls. */
static struct uidls *
uidls_read_locked(int fd, const char *path, GError **error)
{
	struct uidls *u = uidls_new();
	char *data = NULL;
	size_t len = 0;

	if (!uidls_read_fd(fd, path, &data, &len, error) ||
	    !uidls_parse(u, data, len, path, error)) {
		g_free(data);
		uidls_free(u);
		return NULL;
	}
	g_free(data);
	return u;
}

struct uidls *
uidls_read(const char *maildir, GError **error)
{
	char *path = uidls_path(maildir);
	struct uidls *u;
	int fd = uidls_open_locked(path, O_RDONLY, LOCK_SH, error);

	if (fd < 0) {
		u = error == NULL || *error == NULL ? uidls_new() : NULL;
		g_free(path);
		return u;
	}
	u = uidls_read_locked(fd, path, error);
	close(fd);
	g_free(path);
	return u;
}

bool
uidls_exists(const char *maildir)
{
	char *path = uidls_path(maildir);
	char *header = uidls_header(0);
	struct stat st;
	/* More than a header: at least one record. */
	bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > strlen(header);

	g_free(header);
	g_free(path);
	return ok;
}

bool
uidls_wants_compaction(const char *maildir)
{
	char *path = uidls_path(maildir);
	char buf[128];
	struct stat st;
	uint64_t bytes = 0;
	int version, fd = open(path, O_RDONLY | O_CLOEXEC);
	bool wants = false;

	g_free(path);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && st.st_size > UIDLS_SLACK) {
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		const char *nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;

		if (nl == NULL || !uidls_parse_header(buf, (size_t)(nl - buf), &bytes, &version))
			bytes = 0;
		wants = (uint64_t)st.st_size > 2 * bytes + UIDLS_SLACK;
	}
	close(fd);
	return wants;
}

/* fsync the folder DIR. */
static bool
uidls_sync_dir(const char *dir, GError **error)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && fsync(fd) == 0;

	if (!ok)
		uidls_set_errno(error, errno, "cannot sync folder", dir);
	if (fd >= 0)
		close(fd);
	return ok;
}

bool
uidls_compact(const char *maildir, uidls_build_fn build, void *data, GError **error)
{
	char *path = uidls_path(maildir);
	char *tmp = g_strconcat(path, ".new", NULL);
	GString *records = g_string_new(NULL);
	struct uidls *current = NULL;
	char *header = NULL;
	size_t total, prev = 0;
	bool ok = false;
	int fd, out = -1;

	fd = uidls_open_locked(path, O_RDWR | O_CREAT, LOCK_EX, error);
	if (fd < 0)
		goto out;
	current = uidls_read_locked(fd, path, error);
	if (current == NULL || !build(current, records, data, error))
		goto out;
	/* The header holds the new file's own size, digits included. */
	total = records->len;
	do {
		prev = total;
		g_free(header);
		header = uidls_header(prev);
		total = strlen(header) + records->len;
	} while (total != prev);
	/* A .new a crash left behind is an unfinished compaction: start over. */
	if (unlink(tmp) != 0 && errno != ENOENT) {
		uidls_set_errno(error, errno, "cannot remove", tmp);
		goto out;
	}
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		uidls_set_errno(error, errno, "cannot create", tmp);
		goto out;
	}
	if (!uidls_write_all(out, header, strlen(header), tmp, error) ||
	    !uidls_write_all(out, records->str, records->len, tmp, error))
		goto fail;
	if (fsync(out) != 0) {
		uidls_set_errno(error, errno, "cannot sync", tmp);
		goto fail;
	}
	if (close(out) != 0) {
		out = -1;
		uidls_set_errno(error, errno, "cannot write", tmp);
		goto fail;
	}
	out = -1;
	if (rename(tmp, path) != 0) {
		uidls_set_errno(error, errno, "cannot replace", path);
		goto fail;
	}
	ok = uidls_sync_dir(maildir, error);
	goto out;
fail:
	if (out >= 0)
		close(out);
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	uidls_free(current);
	g_string_free(records, TRUE);
	g_free(header);
	g_free(tmp);
	g_free(path);
	return ok;
}
