/*
 * faultfs: an LD_PRELOAD library that makes file system calls fail, for
 * tests/integration/durability.sh.  It is not part of surat.
 *
 * FAULTFS="OP:ERRNO:PATH[:NTH[:COUNT]]" makes the NTH call of kind OP
 * (1 by default) on a file whose path contains PATH fail with ERRNO (EIO or
 * ENOSPC), and COUNT calls after it (0, the default: every later one).
 * Several rules are separated by ';'.  OP is one of
 *
 *   write    write, pwrite, pwrite64, writev: nothing is written
 *   fsync    fsync and fdatasync
 *   syncfs   syncfs on an fd whose path contains PATH
 *   rename   rename, renameat, renameat2, link, linkat (either path)
 *   wb       a writeback error, as a failing disk gives: the write
 *            succeeds, and the error is reported later the way Linux (5.8
 *            and later) reports it: once by fsync to each fd of the file
 *            that has not seen it (a file opened afterwards sees it too, as
 *            long as no fsync reported it), and once by syncfs on each fd
 *            opened before the error
 *   uname    ERRNO is a kernel release (uname:5.4.0:): uname() says so
 *
 * FAULTFS_LOG=FILE appends one line per injected fault to FILE, so a test
 * can tell that its fault was reached.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#define FAULTFS_RULES 8
#define FAULTFS_FDS   4096
#define FAULTFS_FILES 1024

enum faultfs_op { OP_WRITE, OP_FSYNC, OP_SYNCFS, OP_RENAME, OP_WB, OP_UNAME };

struct faultfs_rule {
	enum faultfs_op op;
	int err;
	char path[PATH_MAX];
	char release[65];
	long nth;
	long count;
	long seen; /* matching calls so far */
};

/* A file with a pending writeback error (wb). */
struct faultfs_file {
	dev_t dev;
	ino_t ino;
	unsigned long seq;  /* the error's number */
	bool seen;          /* reported by some fsync */
};

static struct faultfs_rule rules[FAULTFS_RULES];
static int n_rules = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* wb: the file system's error counter, what each fd has seen of it and of its file. */
static unsigned long fs_seq;
static unsigned long fd_fs_seen[FAULTFS_FDS];
static unsigned long fd_file_seen[FAULTFS_FDS];
static struct faultfs_file files[FAULTFS_FILES];
static int n_files;

/* The next definition of NAME (libc, or a sanitizer's interceptor). */
static void *
faultfs_next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define REAL(type, name, ...)                                                                 \
	static type (*real_##name)(__VA_ARGS__);                                              \
	if (real_##name == NULL)                                                              \
		real_##name = (type(*)(__VA_ARGS__))faultfs_next(#name)

/* Parse FAULTFS once. */
static void
faultfs_init(void)
{
	const char *spec;
	char *copy, *rule, *save = NULL;

	if (__atomic_load_n(&n_rules, __ATOMIC_ACQUIRE) >= 0)
		return;
	pthread_mutex_lock(&lock);
	if (n_rules >= 0) {
		pthread_mutex_unlock(&lock);
		return;
	}
	spec = getenv("FAULTFS");
	copy = strdup(spec != NULL ? spec : "");
	n_rules = 0;
	for (rule = strtok_r(copy, ";", &save); rule != NULL && n_rules < FAULTFS_RULES;
	     rule = strtok_r(NULL, ";", &save)) {
		struct faultfs_rule *r = &rules[n_rules];
		char *f[5] = { 0 }, *p = rule;
		int i;

		for (i = 0; i < 5 && p != NULL; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p != NULL)
				*p++ = '\0';
		}
		if (f[0] == NULL || f[1] == NULL)
			continue;
		if (strcmp(f[0], "write") == 0)
			r->op = OP_WRITE;
		else if (strcmp(f[0], "fsync") == 0)
			r->op = OP_FSYNC;
		else if (strcmp(f[0], "syncfs") == 0)
			r->op = OP_SYNCFS;
		else if (strcmp(f[0], "rename") == 0)
			r->op = OP_RENAME;
		else if (strcmp(f[0], "wb") == 0)
			r->op = OP_WB;
		else if (strcmp(f[0], "uname") == 0)
			r->op = OP_UNAME;
		else
			continue;
		if (r->op == OP_UNAME)
			snprintf(r->release, sizeof r->release, "%s", f[1]);
		else
			r->err = strcmp(f[1], "ENOSPC") == 0 ? ENOSPC : EIO;
		snprintf(r->path, sizeof r->path, "%s", f[2] != NULL ? f[2] : "");
		r->nth = f[3] != NULL && *f[3] != '\0' ? atol(f[3]) : 1;
		r->count = f[4] != NULL ? atol(f[4]) : 0;
		n_rules++;
	}
	free(copy);
	__atomic_store_n(&n_rules, n_rules, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
}

/* Note an injected fault in FAULTFS_LOG. */
static void
faultfs_log(const char *what, const char *path, int err)
{
	const char *log = getenv("FAULTFS_LOG");
	char line[PATH_MAX + 128];
	int fd, n;

	if (log == NULL)
		return;
	n = snprintf(line, sizeof line, "%ld %s %s %s\n", (long)getpid(), what, path,
	    strerror(err));
	fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		REAL(ssize_t, write, int, const void *, size_t);
		real_write(fd, line, (size_t)n);
		close(fd);
	}
}

/* The path of FD (empty when unknown). */
static void
faultfs_fd_path(int fd, char *out, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 1);
	out[n > 0 ? n : 0] = '\0';
}

/* The rule of kind OP for PATH that fires now, or NULL (counts the call). */
static struct faultfs_rule *
faultfs_match(enum faultfs_op op, const char *path)
{
	int i;

	faultfs_init();
	for (i = 0; i < n_rules; i++) {
		struct faultfs_rule *r = &rules[i];
		long k;

		if (r->op != op || strstr(path, r->path) == NULL)
			continue;
		k = __atomic_add_fetch(&r->seen, 1, __ATOMIC_SEQ_CST);
		if (k >= r->nth && (r->count == 0 || k < r->nth + r->count))
			return r;
	}
	return NULL;
}

/* The wb entry of the file open at FD, made when MAKE. */
static struct faultfs_file *
faultfs_file(int fd, bool make)
{
	struct stat st;
	int i;

	if (fstat(fd, &st) != 0)
		return NULL;
	for (i = 0; i < n_files; i++)
		if (files[i].dev == st.st_dev && files[i].ino == st.st_ino)
			return &files[i];
	if (!make || n_files == FAULTFS_FILES)
		return NULL;
	files[n_files].dev = st.st_dev;
	files[n_files].ino = st.st_ino;
	return &files[n_files++];
}

/* A new fd: what it has seen of the errors so far (Linux's errseq_sample). */
static void
faultfs_opened(int fd)
{
	struct faultfs_file *f;

	if (fd < 0 || fd >= FAULTFS_FDS)
		return;
	pthread_mutex_lock(&lock);
	fd_fs_seen[fd] = fs_seq;
	f = faultfs_file(fd, false);
	/* An error no fsync has reported yet is reported to new openers too. */
	fd_file_seen[fd] = f != NULL && f->seen ? f->seq : 0;
	pthread_mutex_unlock(&lock);
}

/* Before a write to FD: true (errno set) when it must fail; a wb rule records an error. */
static bool
faultfs_write_fails(int fd)
{
	char path[PATH_MAX];
	struct faultfs_rule *r;

	faultfs_init();
	if (n_rules == 0)
		return false;
	faultfs_fd_path(fd, path, sizeof path);
	if ((r = faultfs_match(OP_WRITE, path)) != NULL) {
		faultfs_log("write", path, r->err);
		errno = r->err;
		return true;
	}
	if ((r = faultfs_match(OP_WB, path)) != NULL) {
		struct faultfs_file *f;

		pthread_mutex_lock(&lock);
		f = faultfs_file(fd, true);
		if (f != NULL) {
			f->seq = ++fs_seq;
			f->seen = false;
		}
		pthread_mutex_unlock(&lock);
		faultfs_log("wb", path, r->err);
	}
	return false;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);
	if (faultfs_write_fails(fd))
		return -1;
	return real_write(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
	if (faultfs_write_fails(fd))
		return -1;
	return real_pwrite(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	REAL(ssize_t, pwrite64, int, const void *, size_t, off64_t);
	if (faultfs_write_fails(fd))
		return -1;
	return real_pwrite64(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	REAL(ssize_t, writev, int, const struct iovec *, int);
	if (faultfs_write_fails(fd))
		return -1;
	return real_writev(fd, iov, n);
}

/* fsync and fdatasync: true (errno set) when the call must fail. */
static bool
faultfs_sync_fails(int fd)
{
	char path[PATH_MAX];
	struct faultfs_rule *r;
	struct faultfs_file *f;
	int err = 0;

	faultfs_init();
	if (n_rules == 0)
		return false;
	faultfs_fd_path(fd, path, sizeof path);
	if ((r = faultfs_match(OP_FSYNC, path)) != NULL) {
		faultfs_log("fsync", path, r->err);
		errno = r->err;
		return true;
	}
	pthread_mutex_lock(&lock);
	f = fd >= 0 && fd < FAULTFS_FDS ? faultfs_file(fd, false) : NULL;
	if (f != NULL && f->seq > fd_file_seen[fd]) {
		fd_file_seen[fd] = f->seq;
		f->seen = true;
		err = EIO;
	}
	pthread_mutex_unlock(&lock);
	if (err != 0) {
		faultfs_log("fsync-wb", path, err);
		errno = err;
		return true;
	}
	return false;
}

int
fsync(int fd)
{
	REAL(int, fsync, int);
	if (faultfs_sync_fails(fd))
		return -1;
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	REAL(int, fdatasync, int);
	if (faultfs_sync_fails(fd))
		return -1;
	return real_fdatasync(fd);
}

int
syncfs(int fd)
{
	char path[PATH_MAX];
	struct faultfs_rule *r;
	int err = 0;

	REAL(int, syncfs, int);
	faultfs_init();
	if (n_rules > 0) {
		faultfs_fd_path(fd, path, sizeof path);
		if ((r = faultfs_match(OP_SYNCFS, path)) != NULL) {
			faultfs_log("syncfs", path, r->err);
			errno = r->err;
			return -1;
		}
		pthread_mutex_lock(&lock);
		if (fd >= 0 && fd < FAULTFS_FDS && fs_seq > fd_fs_seen[fd]) {
			fd_fs_seen[fd] = fs_seq;
			err = EIO;
		}
		pthread_mutex_unlock(&lock);
		if (err != 0) {
			faultfs_log("syncfs-wb", path, err);
			errno = err;
			return -1;
		}
	}
	return real_syncfs(fd);
}

/* A rename or link from FROM to TO: true (errno set) when it must fail. */
static bool
faultfs_rename_fails(const char *from, const char *to)
{
	struct faultfs_rule *r;
	char both[2 * PATH_MAX + 8];

	faultfs_init();
	if (n_rules == 0)
		return false;
	snprintf(both, sizeof both, "%s -> %s", from, to);
	if ((r = faultfs_match(OP_RENAME, both)) == NULL)
		return false;
	faultfs_log("rename", both, r->err);
	errno = r->err;
	return true;
}

int
rename(const char *from, const char *to)
{
	REAL(int, rename, const char *, const char *);
	if (faultfs_rename_fails(from, to))
		return -1;
	return real_rename(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	REAL(int, renameat, int, const char *, int, const char *);
	if (faultfs_rename_fails(from, to))
		return -1;
	return real_renameat(fromfd, from, tofd, to);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags)
{
	REAL(int, renameat2, int, const char *, int, const char *, unsigned int);
	if (faultfs_rename_fails(from, to))
		return -1;
	return real_renameat2(fromfd, from, tofd, to, flags);
}

int
link(const char *from, const char *to)
{
	REAL(int, link, const char *, const char *);
	if (faultfs_rename_fails(from, to))
		return -1;
	return real_link(from, to);
}

int
linkat(int fromfd, const char *from, int tofd, const char *to, int flags)
{
	REAL(int, linkat, int, const char *, int, const char *, int);
	if (faultfs_rename_fails(from, to))
		return -1;
	return real_linkat(fromfd, from, tofd, to, flags);
}

/* The mode argument of an open call, when it has one. */
#define FAULTFS_MODE(flags, ap, mode)                                                          \
	do {                                                                                   \
		if ((flags) & (O_CREAT | O_TMPFILE)) {                                         \
			va_start(ap, flags);                                                   \
			mode = va_arg(ap, mode_t);                                             \
			va_end(ap);                                                            \
		}                                                                              \
	} while (0)

int
open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;
	int fd;

	REAL(int, open, const char *, int, ...);
	FAULTFS_MODE(flags, ap, mode);
	fd = real_open(path, flags, mode);
	faultfs_opened(fd);
	return fd;
}

int
open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;
	int fd;

	REAL(int, open64, const char *, int, ...);
	FAULTFS_MODE(flags, ap, mode);
	fd = real_open64(path, flags, mode);
	faultfs_opened(fd);
	return fd;
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;
	int fd;

	REAL(int, openat, int, const char *, int, ...);
	FAULTFS_MODE(flags, ap, mode);
	fd = real_openat(dirfd, path, flags, mode);
	faultfs_opened(fd);
	return fd;
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode = 0;
	int fd;

	REAL(int, openat64, int, const char *, int, ...);
	FAULTFS_MODE(flags, ap, mode);
	fd = real_openat64(dirfd, path, flags, mode);
	faultfs_opened(fd);
	return fd;
}

int
uname(struct utsname *u)
{
	int i, rc;

	REAL(int, uname, struct utsname *);
	rc = real_uname(u);
	faultfs_init();
	for (i = 0; rc == 0 && i < n_rules; i++)
		if (rules[i].op == OP_UNAME)
			snprintf(u->release, sizeof u->release, "%s", rules[i].release);
	return rc;
}
