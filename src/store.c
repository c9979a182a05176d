/*
 * store: Maildir files (https://cr.yp.to/proto/maildir.html).  Unique names,
 * ":2," info with flags in ASCII order, tmp files created with O_EXCL, renames
 * that never replace a message, and the fsyncs that make them durable.
 *
 * What it must never do: open the index, parse a message, or replace an
 * existing message file.
 */
#include "surat/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* How often store_tmp_open tries a fresh name when one is taken. */
#define STORE_TMP_TRIES 8

G_DEFINE_QUARK(surat-store-error-quark, store_error)

static const char *const store_subdirs[] = { "tmp", "new", "cur" };

/* Set ERROR from errno ERR for the operation WHAT on PATH. */
static void
store_set_errno(GError **error, int err, const char *what, const char *path)
{
	if (err == ENOSPC || err == EDQUOT || err == EFBIG) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_FULL,
		    "%s %s: %s (free some space or raise the limit, then try again)", what, path,
		    g_strerror(err));
		return;
	}
	g_set_error(error, STORE_ERROR, err == EEXIST ? STORE_ERROR_EXISTS : STORE_ERROR_IO,
	    "%s %s: %s", what, path, g_strerror(err));
}

/*
 * Make PATH (a folder when DIR, else a file) 0700 or 0600 if others may use
 * it and it is ours; add "PATH (was MODE)" to FIXED.
 */
static void
store_private_path(const char *path, bool dir, GString *fixed)
{
	struct stat st;

	if (lstat(path, &st) != 0 || st.st_uid != geteuid() || (st.st_mode & 077) == 0)
		return;
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return;
	if (chmod(path, dir ? 0700 : 0600) == 0)
		g_string_append_printf(fixed, "%s%s (was %04o)", fixed->len > 0 ? ", " : "", path,
		    (unsigned int)(st.st_mode & 07777));
}

/* store_private_path for the Maildir DIR, its tmp/, new/ and cur/. */
static void
store_private_maildir(const char *dir, GString *fixed)
{
	size_t i;

	store_private_path(dir, true, fixed);
	for (i = 0; i < G_N_ELEMENTS(store_subdirs); i++) {
		char *sub = g_build_filename(dir, store_subdirs[i], NULL);

		store_private_path(sub, true, fixed);
		g_free(sub);
	}
}

/* The account Maildir DIR: itself, its files of surat's, and its Maildir++ folders. */
static void
store_private_account(const char *dir, GString *fixed)
{
	static const char *const files[] = { ".lock", "surat-uidls", "surat-uidls.new" };
	GDir *d;
	const char *name;
	size_t i;

	store_private_maildir(dir, fixed);
	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		char *path = g_build_filename(dir, files[i], NULL);

		store_private_path(path, false, fixed);
		g_free(path);
	}
	if ((d = g_dir_open(dir, 0, NULL)) == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path;

		if (name[0] != '.')
			continue;
		path = g_build_filename(dir, name, NULL);
		if (store_is_maildir(path))
			store_private_maildir(path, fixed);
		g_free(path);
	}
	g_dir_close(d);
}

bool
store_make_private(const char *store, GError **error)
{
	GString *fixed = g_string_new(NULL);
	GDir *d;
	const char *name;
	bool ok = true;

	/* A store that is the home folder (or /) is the user's business, not ours. */
	if (g_strcmp0(store, g_get_home_dir()) != 0 && strcmp(store, "/") != 0)
		store_private_path(store, true, fixed);
	if ((d = g_dir_open(store, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char *path = g_build_filename(store, name, NULL);

			if (g_str_has_prefix(name, "index.db") || strcmp(name, "fetch.log") == 0)
				store_private_path(path, false, fixed);
			else if (name[0] != '.' && store_is_maildir(path))
				store_private_account(path, fixed);
			g_free(path);
		}
		g_dir_close(d);
	}
	if (fixed->len > 0) {
		char *log = g_build_filename(store, "fetch.log", NULL);
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		char *line;
		int fd;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
		line = g_strdup_printf("%s surat: others could read the store; made private "
				       "(folders 0700, files 0600): %s\n", stamp, fixed->str);
		fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
			store_set_errno(error, errno, "cannot write", log);
			ok = false;
		}
		if (fd >= 0)
			close(fd);
		g_free(line);
		g_free(log);
	}
	g_string_free(fixed, TRUE);
	return ok;
}

bool
store_maildir_create(const char *dir, GError **error)
{
	size_t i;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		store_set_errno(error, errno, "cannot create folder", dir);
		return false;
	}
	for (i = 0; i < G_N_ELEMENTS(store_subdirs); i++) {
		char *path = g_build_filename(dir, store_subdirs[i], NULL);

		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			store_set_errno(error, errno, "cannot create folder", path);
			g_free(path);
			return false;
		}
		g_free(path);
	}
	return true;
}

bool
store_is_maildir(const char *dir)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(store_subdirs); i++) {
		char *path = g_build_filename(dir, store_subdirs[i], NULL);
		bool ok = g_file_test(path, G_FILE_TEST_IS_DIR);

		g_free(path);
		if (!ok)
			return false;
	}
	return true;
}

/* HOST as the host part of a unique name: '/' and ':' as octal escapes. */
static char *
store_escape_host(const char *host)
{
	GString *s = g_string_new(NULL);
	const char *p;

	for (p = host; *p != '\0'; p++) {
		if (*p == '/')
			g_string_append(s, "\\057");
		else if (*p == ':')
			g_string_append(s, "\\072");
		else
			g_string_append_c(s, *p);
	}
	if (s->len == 0)
		g_string_append(s, "localhost");
	return g_string_free(s, FALSE);
}

/* This machine's host part, computed once. */
static const char *
store_host(void)
{
	static gsize once;
	static char *host;
	char buf[256];

	if (!g_once_init_enter(&once))
		return host;
	if (gethostname(buf, sizeof buf) != 0)
		buf[0] = '\0';
	buf[sizeof buf - 1] = '\0';
	host = store_escape_host(buf);
	g_once_init_leave(&once, 1);
	return host;
}

/* A unique name with the escaped host part HOST. */
static char *
store_unique_name_with(const char *host)
{
	static gint seq;
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return g_strdup_printf("%lld.M%ldP%ldQ%d.%s", (long long)tv.tv_sec, (long)tv.tv_usec,
	    (long)getpid(), g_atomic_int_add(&seq, 1) + 1, host);
}

char *
store_unique_name(void)
{
	return store_unique_name_with(store_host());
}

char *
store_unique_name_host(const char *host)
{
	char *escaped = store_escape_host(host != NULL ? host : "");
	char *name = store_unique_name_with(escaped);

	g_free(escaped);
	return name;
}

bool
store_parse_name(const char *name, char **base, char **flags, GError **error)
{
	const char *colon;

	*base = NULL;
	*flags = NULL;
	if (name == NULL || name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NAME, "'%s' is not a Maildir file name",
		    name == NULL ? "" : name);
		return false;
	}
	colon = strchr(name, ':');
	if (colon == NULL) {
		*base = g_strdup(name);
		*flags = g_strdup("");
		return true;
	}
	if (colon == name || strncmp(colon, ":2,", 3) != 0 || strchr(colon + 3, ':') != NULL) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NAME,
		    "'%s' is not a Maildir file name (its info is not ':2,FLAGS')", name);
		return false;
	}
	*base = g_strndup(name, (gsize)(colon - name));
	*flags = g_strdup(colon + 3);
	return true;
}

char *
store_flags_normalize(const char *flags)
{
	bool seen[128] = { false };
	GString *s = g_string_new(NULL);
	const char *p;
	int c;

	for (p = flags; p != NULL && *p != '\0'; p++) {
		c = (unsigned char)*p;
		if (g_ascii_isalpha(c))
			seen[c] = true;
	}
	for (c = 'A'; c <= 'z'; c++) {
		if (seen[c])
			g_string_append_c(s, (char)c);
	}
	return g_string_free(s, FALSE);
}

char *
store_message_path(const char *dir, const char *subdir, const char *base, const char *flags)
{
	if (strcmp(subdir, "cur") == 0)
		return g_strdup_printf("%s/cur/%s:2,%s", dir, base, flags != NULL ? flags : "");
	return g_strdup_printf("%s/%s/%s", dir, subdir, base);
}

bool
store_tmp_open(const char *dir, struct store_tmpfile *tmp, GError **error)
{
	int i, fd;

	tmp->fd = -1;
	tmp->base = NULL;
	tmp->path = NULL;
	for (i = 0; i < STORE_TMP_TRIES; i++) {
		char *base = store_unique_name();
		char *path = g_strdup_printf("%s/tmp/%s", dir, base);

		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			tmp->fd = fd;
			tmp->base = base;
			tmp->path = path;
			return true;
		}
		if (errno != EEXIST || i == STORE_TMP_TRIES - 1) {
			store_set_errno(error, errno, "cannot create", path);
			g_free(base);
			g_free(path);
			return false;
		}
		/* The spec's answer to a name in use: wait, then try another. */
		g_free(base);
		g_free(path);
		g_usleep(2000);
	}
	return false;
}

bool
store_tmp_write(struct store_tmpfile *tmp, const void *buf, size_t len, GError **error)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(tmp->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			store_set_errno(error, errno, "cannot write", tmp->path);
			return false;
		}
		p += n;
		len -= (size_t)n;
	}
	return true;
}

bool
store_tmp_close(struct store_tmpfile *tmp, bool sync, GError **error)
{
	int fd = tmp->fd;

	if (fd < 0)
		return true;
	tmp->fd = -1;
	if (sync && fsync(fd) != 0) {
		store_set_errno(error, errno, "cannot sync", tmp->path);
		close(fd);
		return false;
	}
	/* close() is where some file systems report a failed write. */
	if (close(fd) != 0 && errno != EINTR) {
		store_set_errno(error, errno, "cannot write", tmp->path);
		return false;
	}
	return true;
}

void
store_tmp_discard(struct store_tmpfile *tmp)
{
	if (tmp->fd >= 0)
		close(tmp->fd);
	tmp->fd = -1;
	if (tmp->path != NULL)
		unlink(tmp->path);
	store_tmp_clear(tmp);
}

void
store_tmp_clear(struct store_tmpfile *tmp)
{
	if (tmp->fd >= 0)
		close(tmp->fd);
	tmp->fd = -1;
	g_clear_pointer(&tmp->base, g_free);
	g_clear_pointer(&tmp->path, g_free);
}

/* Rename FROM to TO, failing with EEXIST rather than replacing TO. */
static int
store_rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE here: link() never replaces either. */
	if (link(from, to) != 0)
		return -1;
	if (unlink(from) != 0) {
		int saved = errno;

		unlink(to);
		errno = saved;
		return -1;
	}
	return 0;
}

bool
store_tmp_commit(const char *dir, const char *base, GError **error)
{
	char *from = g_strdup_printf("%s/tmp/%s", dir, base);
	char *to = g_strdup_printf("%s/new/%s", dir, base);
	char *cur = g_strdup_printf("%s/cur/%s", dir, base);
	char *cur_info = g_strdup_printf("%s/cur/%s:2,", dir, base);
	bool ok = false;

	if (access(cur, F_OK) == 0 || access(cur_info, F_OK) == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
		    "cannot move %s into new/: a message named %s is already in cur/", from, base);
		goto out;
	}
	if (store_rename_noreplace(from, to) != 0) {
		store_set_errno(error, errno, "cannot move into new/:", from);
		goto out;
	}
	ok = true;
out:
	g_free(cur_info);
	g_free(cur);
	g_free(to);
	g_free(from);
	return ok;
}

int
store_lock(const char *path, int timeout, volatile sig_atomic_t *abort, GError **error)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout * G_USEC_PER_SEC;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		store_set_errno(error, errno, "cannot open the lock", path);
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			store_set_errno(error, errno, "cannot lock", path);
			close(fd);
			return -1;
		}
		if (g_get_monotonic_time() >= deadline || (abort != NULL && *abort)) {
			g_set_error(error, STORE_ERROR, STORE_ERROR_BUSY,
			    "another process holds the lock %s; gave up after %d s", path, timeout);
			close(fd);
			return -1;
		}
		g_usleep(50 * 1000);
	}
	return fd;
}

bool
store_tmp_commit_cur(const char *dir, const char *base, const char *flags, GError **error)
{
	char *from = g_strdup_printf("%s/tmp/%s", dir, base);
	char *norm = store_flags_normalize(flags);
	char *to = store_message_path(dir, "cur", base, norm);
	bool ok = store_rename_noreplace(from, to) == 0;

	if (!ok)
		store_set_errno(error, errno, "cannot move into cur/:", from);
	g_free(to);
	g_free(norm);
	g_free(from);
	return ok;
}

bool
store_tmp_replace(const char *dir, const char *tmp_base, const char *subdir, const char *base,
    const char *flags, GError **error)
{
	char *from = g_strdup_printf("%s/tmp/%s", dir, tmp_base);
	char *to = store_message_path(dir, subdir, base, flags);
	bool ok = true;

	/*
	 * An exchange, not a plain rename: it fails when the message is not
	 * under that name (another program renamed it meanwhile), so it can
	 * never leave two files; the old content ends up in tmp/ and goes.
	 */
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) != 0) {
		g_set_error(error, STORE_ERROR, errno == ENOENT ? STORE_ERROR_EXISTS : STORE_ERROR_IO,
		    "cannot replace %s: %s", to, g_strerror(errno));
		ok = false;
	} else if (unlink(from) != 0) {
		store_set_errno(error, errno, "cannot remove the replaced copy", from);
		ok = false;
	}
	g_free(to);
	g_free(from);
	return ok;
}

bool
store_sync_dir(const char *dir, const char *subdir, GError **error)
{
	char *path = g_build_filename(dir, subdir, NULL);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = true;

	if (fd < 0 || fsync(fd) != 0) {
		store_set_errno(error, errno, "cannot sync folder", path);
		ok = false;
	}
	if (fd >= 0)
		close(fd);
	g_free(path);
	return ok;
}

int
store_batch_open(const char *dir, GError **error)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		store_set_errno(error, errno, "cannot open", dir);
	return fd;
}

bool
store_batch_sync(int fd, const char *dir, GError **error)
{
	if (syncfs(fd) != 0) {
		store_set_errno(error, errno, "cannot write the files of", dir);
		return false;
	}
	return true;
}

bool
store_syncfs_reports_errors(void)
{
	static gsize once;
	static bool reports;

	if (g_once_init_enter(&once)) {
		struct utsname u;
		int major = 0, minor = 0;

		/* syncfs has reported writeback errors since Linux 5.8 (commit 735e4ae5ba28). */
		if (uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2)
			reports = major > 5 || (major == 5 && minor >= 8);
		g_once_init_leave(&once, 1);
	}
	return reports;
}

bool
store_sync_file(const char *path, GError **error)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = true;

	if (fd < 0 || fsync(fd) != 0) {
		store_set_errno(error, errno, fd < 0 ? "cannot open" : "cannot write", path);
		ok = false;
	}
	if (fd >= 0)
		close(fd);
	return ok;
}

bool
store_set_flags(const char *dir, const char *subdir, const char *base, const char *old_flags,
    const char *new_flags, GError **error)
{
	char *norm = store_flags_normalize(new_flags);
	char *from = store_message_path(dir, subdir, base, old_flags);
	char *to = store_message_path(dir, "cur", base, norm);
	bool ok = true;

	if (strcmp(from, to) != 0 && store_rename_noreplace(from, to) != 0) {
		if (errno == ENOENT)
			g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
			    "cannot set flags of %s: the file is gone (run surat reindex)", from);
		else
			store_set_errno(error, errno, "cannot set flags of", from);
		ok = false;
	}
	g_free(to);
	g_free(from);
	g_free(norm);
	return ok;
}

bool
store_move(const char *dir, const char *subdir, const char *base, const char *flags,
    const char *to_dir, const char *to_subdir, const char *to_flags, GError **error)
{
	char *norm = store_flags_normalize(to_flags);
	char *from = store_message_path(dir, subdir, base, flags);
	char *to = store_message_path(to_dir, to_subdir, base, norm);
	bool ok = true;

	if (strcmp(from, to) != 0 && store_rename_noreplace(from, to) != 0) {
		int err = errno;

		if (err == ENOENT && access(to, F_OK) == 0)
			goto out; /* already moved (a retry after a crash) */
		if (err == ENOENT)
			g_set_error(error, STORE_ERROR, STORE_ERROR_IO,
			    "cannot move %s: the file is gone (run surat reindex)", from);
		else if (err == EEXIST)
			g_set_error(error, STORE_ERROR, STORE_ERROR_EXISTS,
			    "cannot move %s: %s already exists", from, to);
		else
			store_set_errno(error, err, "cannot move", from);
		ok = false;
	}
out:
	g_free(to);
	g_free(from);
	g_free(norm);
	return ok;
}

/* Copy the open file IN into the new file OUT_PATH (O_EXCL) and fsync it. */
static bool
store_copy_data(int in, const char *from, const char *out_path, GError **error)
{
	char buf[65536];
	int out = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t n;

	if (out < 0) {
		store_set_errno(error, errno, "cannot create", out_path);
		return false;
	}
	while ((n = read(in, buf, sizeof buf)) != 0) {
		const char *p = buf;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			store_set_errno(error, errno, "cannot read", from);
			goto fail;
		}
		while (n > 0) {
			ssize_t w = write(out, p, (size_t)n);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				store_set_errno(error, errno, "cannot write", out_path);
				goto fail;
			}
			p += w;
			n -= w;
		}
	}
	if (fsync(out) != 0) {
		store_set_errno(error, errno, "cannot sync", out_path);
		goto fail;
	}
	if (close(out) != 0 && errno != EINTR) {
		store_set_errno(error, errno, "cannot write", out_path);
		unlink(out_path);
		return false;
	}
	return true;
fail:
	close(out);
	unlink(out_path);
	return false;
}

bool
store_copy(const char *from, const char *dir, const char *flags, char **base, GError **error)
{
	char *name = store_unique_name();
	char *tmp = g_strdup_printf("%s/tmp/%s", dir, name);
	char *norm = store_flags_normalize(flags);
	char *to = store_message_path(dir, "cur", name, norm);
	bool ok = false;

	*base = NULL;
	if (link(from, tmp) != 0) {
		int in;

		if (errno == ENOENT) {
			store_set_errno(error, errno, "cannot copy", from);
			goto out;
		}
		/* No hard links here (another file system, a quota...): copy the bytes. */
		if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0) {
			store_set_errno(error, errno, "cannot read", from);
			goto out;
		}
		ok = store_copy_data(in, from, tmp, error);
		close(in);
		if (!ok)
			goto out;
		ok = false;
	}
	if (store_rename_noreplace(tmp, to) != 0) {
		store_set_errno(error, errno, "cannot move into cur/:", tmp);
		unlink(tmp);
		goto out;
	}
	*base = name;
	name = NULL;
	ok = true;
out:
	g_free(to);
	g_free(norm);
	g_free(tmp);
	g_free(name);
	return ok;
}

bool
store_remove(const char *dir, const char *subdir, const char *base, const char *flags,
    GError **error)
{
	char *path = store_message_path(dir, subdir, base, flags);
	bool ok = true;

	if (unlink(path) != 0 && errno != ENOENT) {
		store_set_errno(error, errno, "cannot remove", path);
		ok = false;
	}
	g_free(path);
	return ok;
}

bool
store_fix_name(const char *dir, const char *subdir, const char *name, const char **new_subdir,
    GError **error)
{
	char *base, *flags, *norm = NULL, *from = NULL, *to = NULL;
	const char *target = strcmp(subdir, "cur") == 0 ? "cur" : "new";
	bool ok = false;

	if (!store_parse_name(name, &base, &flags, error))
		return false;
	norm = store_flags_normalize(flags);
	/* A name with flags has been seen by a reader: it belongs in cur/. */
	if (norm[0] != '\0')
		target = "cur";
	from = g_strdup_printf("%s/%s/%s", dir, subdir, name);
	to = store_message_path(dir, target, base, norm);
	if (strcmp(from, to) != 0 && store_rename_noreplace(from, to) != 0) {
		store_set_errno(error, errno, "cannot rename", from);
		goto out;
	}
	if (new_subdir != NULL)
		*new_subdir = target;
	ok = true;
out:
	g_free(to);
	g_free(from);
	g_free(norm);
	g_free(flags);
	g_free(base);
	return ok;
}

bool
store_find(const char *dir, const char *base, const char **subdir, char **flags,
    GError **error)
{
	static const char *const subdirs[] = { "new", "cur" };
	size_t baselen = strlen(base), i;

	*flags = NULL;
	for (i = 0; i < G_N_ELEMENTS(subdirs); i++) {
		char *path = g_build_filename(dir, subdirs[i], NULL);
		char *name = NULL;
		DIR *d = opendir(path);
		struct dirent *de;

		if (d == NULL) {
			store_set_errno(error, errno, "cannot read folder", path);
			g_free(path);
			return false;
		}
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, base, baselen) == 0 &&
			    (de->d_name[baselen] == '\0' || de->d_name[baselen] == ':')) {
				name = g_strdup(de->d_name);
				break;
			}
		}
		closedir(d);
		g_free(path);
		if (name != NULL) {
			char *b = NULL, *f = NULL;
			bool ok = store_parse_name(name, &b, &f, error) &&
			    store_fix_name(dir, subdirs[i], name, subdir, error);

			if (ok)
				*flags = store_flags_normalize(f);
			g_free(b);
			g_free(f);
			g_free(name);
			return ok;
		}
	}
	return false;
}

/* Append the message files of DIR/SUBDIR to ENTRIES. */
static bool
store_scan_subdir(const char *dir, const char *subdir, GPtrArray *entries, GError **error)
{
	char *path = g_build_filename(dir, subdir, NULL);
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL) {
		store_set_errno(error, errno, "cannot read folder", path);
		g_free(path);
		return false;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		struct store_entry *e;
		struct stat st;
		char *base, *flags;

		if (de->d_name[0] == '.')
			continue;
		/* Follows symlinks; a file moved away meanwhile is skipped. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (!store_parse_name(de->d_name, &base, &flags, NULL))
			continue;
		e = g_new0(struct store_entry, 1);
		e->subdir = g_strdup(subdir);
		e->name = g_strdup(de->d_name);
		e->base = base;
		e->flags = store_flags_normalize(flags);
		e->size = (int64_t)st.st_size;
		e->mtime = (int64_t)st.st_mtime;
		g_free(flags);
		g_ptr_array_add(entries, e);
	}
	if (errno != 0) {
		store_set_errno(error, errno, "cannot read folder", path);
		closedir(d);
		g_free(path);
		return false;
	}
	closedir(d);
	g_free(path);
	return true;
}

bool
store_scan(const char *dir, GPtrArray *entries, GError **error)
{
	return store_scan_subdir(dir, "cur", entries, error) &&
	    store_scan_subdir(dir, "new", entries, error);
}

bool
store_scan_tmp(const char *dir, GPtrArray *names, GError **error)
{
	char *path = g_build_filename(dir, "tmp", NULL);
	DIR *d = opendir(path);
	struct dirent *de;
	bool ok = true;

	if (d == NULL) {
		store_set_errno(error, errno, "cannot read folder", path);
		g_free(path);
		return false;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			g_ptr_array_add(names, g_strdup(de->d_name));
	}
	if (errno != 0) {
		store_set_errno(error, errno, "cannot read folder", path);
		ok = false;
	}
	closedir(d);
	g_free(path);
	return ok;
}

/* When the process PID started, in seconds since the epoch, or -1. */
static int64_t
store_process_start(long pid)
{
	char *path = g_strdup_printf("/proc/%ld/stat", pid), *text = NULL, *boot = NULL;
	const char *p, *btime;
	int64_t start = -1;
	long ticks = sysconf(_SC_CLK_TCK);
	int field;

	if (!g_file_get_contents(path, &text, NULL, NULL) ||
	    !g_file_get_contents("/proc/stat", &boot, NULL, NULL) || ticks <= 0)
		goto out;
	/* Field 22 (starttime, ticks after boot); the name in field 2 may hold spaces. */
	p = strrchr(text, ')');
	for (field = 2; p != NULL && field < 21; field++)
		p = strchr(p + 1, ' ');
	btime = strstr(boot, "\nbtime ");
	if (p != NULL && btime != NULL)
		start = g_ascii_strtoll(btime + 7, NULL, 10) +
		    g_ascii_strtoll(p + 1, NULL, 10) / ticks;
out:
	g_free(boot);
	g_free(text);
	g_free(path);
	return start;
}

/*
 * Parse NAME as a store_unique_name of this host: *SECONDS and *PID from
 * "SECONDS.M<usec>P<pid>Q<n>.HOST".
 */
static bool
store_own_name(const char *name, int64_t *seconds, long *pid)
{
	const char *p = name;
	char *end;

	*seconds = g_ascii_strtoll(p, &end, 10);
	if (end == p || *end != '.' || end[1] != 'M')
		return false;
	p = end + 2;
	g_ascii_strtoll(p, &end, 10);
	if (end == p || *end != 'P')
		return false;
	p = end + 1;
	*pid = (long)g_ascii_strtoll(p, &end, 10);
	if (end == p || *end != 'Q' || *pid <= 0)
		return false;
	p = end + 1;
	g_ascii_strtoll(p, &end, 10);
	if (end == p || *end != '.')
		return false;
	return strcmp(end + 1, store_host()) == 0;
}

bool
store_tmp_is_leftover(const char *dir, const char *name)
{
	char *path = g_strdup_printf("%s/tmp/%s", dir, name);
	struct stat st;
	int64_t seconds, latest, start;
	long pid;
	bool gone = false;

	if (lstat(path, &st) != 0) {
		g_free(path);
		return false;
	}
	g_free(path);
	/* The spec's "not accessed": neither read nor written (a writer updates mtime). */
	latest = MAX((int64_t)st.st_atime, (int64_t)st.st_mtime);
	if ((int64_t)time(NULL) - latest > STORE_TMP_MAX_AGE)
		return true;
	if (!store_own_name(name, &seconds, &pid))
		return false;
	if (pid == (long)getpid())
		return false;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return true;
	/* Running, but a later process that reuses the number? */
	start = store_process_start(pid);
	gone = start > 0 && start > seconds + 2;
	return gone;
}

void
store_entry_free(struct store_entry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->subdir);
	g_free(entry->name);
	g_free(entry->base);
	g_free(entry->flags);
	g_free(entry);
}
