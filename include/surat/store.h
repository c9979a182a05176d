/*
 * store: Maildir files.  One Maildir per account at <store>/<account>/
 * {tmp,new,cur}; names and flags per the Maildir spec
 * (https://cr.yp.to/proto/maildir.html): a unique base name, then ":2," and
 * the flag letters in ASCII order in cur/.
 *
 * The store knows files and directories only: no SQLite, no network.  The
 * steps a delivery takes are separate calls so deliver.c can order them for
 * DESIGN promise 1 (tmp -> fsync -> rename into new/).
 */
#ifndef SURAT_STORE_H
#define SURAT_STORE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <glib.h>

#define STORE_ERROR (store_error_quark())
GQuark store_error_quark(void);

enum store_error_code {
	STORE_ERROR_IO,      /* a system call failed; the message says which file */
	STORE_ERROR_EXISTS,  /* a file that must not exist does */
	STORE_ERROR_NAME,    /* a file name that is not a Maildir name */
	STORE_ERROR_FULL,    /* the disk is full or the file too large (ENOSPC, EDQUOT, EFBIG) */
	STORE_ERROR_BUSY,    /* another process holds a lock */
};

/* Maildir flags, as letters in the info part. */
#define STORE_FLAG_DRAFT   'D'
#define STORE_FLAG_FLAGGED 'F'
#define STORE_FLAG_PASSED  'P'
#define STORE_FLAG_REPLIED 'R'
#define STORE_FLAG_SEEN    'S'
#define STORE_FLAG_TRASHED 'T'

/*
 * Make the store at STORE private: it holds every message, and index.db
 * their text.  The store folder, each Maildir under it (an account), its
 * tmp/, new/ and cur/ and its Maildir++ folders become 0700 where others
 * could enter them, and index.db (with -wal, -shm and copies moved aside),
 * fetch.log, each account's .lock and surat-uidls 0600 where others could
 * read them (only what the user owns).  When anything changed, a line
 * naming it (and its old mode) is appended to STORE/fetch.log.
 */
bool store_make_private(const char *store, GError **error);

/* Create DIR and DIR/{tmp,new,cur} (mode 0700) as needed. */
bool store_maildir_create(const char *dir, GError **error);

/* True when DIR has tmp/, new/ and cur/. */
bool store_is_maildir(const char *dir);

/*
 * A new unique base name: "SECONDS.MmicrosPpidQseq.HOST", with '/' and ':' in
 * the host name written as \057 and \072 (as the spec asks).
 */
char *store_unique_name(void);

/* The same with HOST in place of this machine's name (tests use it). */
char *store_unique_name_host(const char *host);

/*
 * Split a file name from new/ or cur/ into base and flags.  "BASE:2,FS"
 * gives BASE and "FS" (as written; see store_flags_normalize); a name without
 * info gives BASE and "".  *BASE and *FLAGS are new strings.  Fails
 * (STORE_ERROR_NAME) on names starting with '.', empty names, names with '/',
 * and names whose info is not ":2," (experimental ":1," semantics).
 */
bool store_parse_name(const char *name, char **base, char **flags, GError **error);

/*
 * FLAGS with unknown characters dropped, duplicates removed and letters in
 * ASCII order, as the spec asks.  Flags are ASCII letters: the six the spec
 * names in upper case, and the lower-case keyword letters Dovecot writes,
 * which are kept so another tool's keywords survive.  Returns a new string.
 */
char *store_flags_normalize(const char *flags);

/*
 * The path of a message: DIR/SUBDIR/BASE, plus ":2,FLAGS" when SUBDIR is
 * "cur".  Returns a new string.
 */
char *store_message_path(const char *dir, const char *subdir, const char *base, const char *flags);

/* A message file being written in DIR/tmp. */
struct store_tmpfile {
	int fd;     /* open for writing; -1 once closed */
	char *base; /* its unique base name */
	char *path; /* DIR/tmp/BASE */
};

/* Create DIR/tmp/<unique> with O_CREAT|O_EXCL, mode 0600. */
bool store_tmp_open(const char *dir, struct store_tmpfile *tmp, GError **error);

/* Write all LEN bytes of BUF (any byte values). */
bool store_tmp_write(struct store_tmpfile *tmp, const void *buf, size_t len, GError **error);

/* fsync (when SYNC) and close the file. */
bool store_tmp_close(struct store_tmpfile *tmp, bool sync, GError **error);

/* Close (if open) and unlink the file, free its names; for failed writes. */
void store_tmp_discard(struct store_tmpfile *tmp);

/* Free the names of TMP (the file stays). */
void store_tmp_clear(struct store_tmpfile *tmp);

/*
 * Move DIR/tmp/BASE to DIR/new/BASE.  Fails (STORE_ERROR_EXISTS) rather than
 * replace a file already in new/ or cur/ with that base (in cur/ the names
 * BASE and BASE:2, are checked; the rename itself never replaces a file).
 */
bool store_tmp_commit(const char *dir, const char *base, GError **error);

/*
 * An exclusive flock on PATH (created 0600 if missing), waiting up to
 * TIMEOUT seconds; ABORT (may be NULL) stops the wait.  The locked fd (close
 * it to let go), or -1: STORE_ERROR_BUSY when another process still holds
 * it, STORE_ERROR_IO when it cannot be opened.
 */
int store_lock(const char *path, int timeout, volatile sig_atomic_t *abort, GError **error);

/*
 * Move DIR/tmp/BASE to DIR/cur/BASE:2,FLAGS (never replacing a file): a
 * message written by this program, whose flags are known at once (a draft,
 * a message to send, a copy of one sent).  The caller syncs cur/.
 */
bool store_tmp_commit_cur(const char *dir, const char *base, const char *flags, GError **error);

/*
 * Put DIR/tmp/TMP_BASE in place of the existing message
 * DIR/SUBDIR/BASE(:2,FLAGS) in one atomic exchange (a reader sees the old
 * content or the new, never neither), then remove the old content.  Fails
 * with STORE_ERROR_EXISTS when no message has that name any more (renamed
 * meanwhile): look the name up again and retry.  Only for replacing a
 * message on purpose (the rest of a partial message).
 */
bool store_tmp_replace(const char *dir, const char *tmp_base, const char *subdir,
    const char *base, const char *flags, GError **error);

/* fsync the directory DIR/SUBDIR, so renames in it are durable. */
bool store_sync_dir(const char *dir, const char *subdir, GError **error);

/*
 * Group commit: many files written without fsync, then one sync that makes
 * them all durable and reports every write of theirs that failed.
 *
 * syncfs() reports a writeback error (EIO, ENOSPC) recorded on the file
 * system since the fd it is called on was opened (Linux 5.8 and later), and
 * before 5.8 none at all.  So a batch opens its fd with store_batch_open
 * before its first write, and store_batch_sync calls syncfs on that fd:
 * every failed write of the batch's files in between is reported (so is
 * another program's on the same file system: the batch fails, safely).
 * Where syncfs cannot report errors (store_syncfs_reports_errors false),
 * the batch fsyncs each file instead (store_sync_file).
 */

/* Open DIR for a batch's store_batch_sync; -1 with ERROR set on failure. */
int store_batch_open(const char *dir, GError **error);

/* syncfs on FD (from store_batch_open on DIR), reporting any write error since it was opened. */
bool store_batch_sync(int fd, const char *dir, GError **error);

/* True when this kernel's syncfs reports writeback errors (Linux 5.8 or later). */
bool store_syncfs_reports_errors(void);

/*
 * fsync the file PATH through a new fd: reports a failed write of it that
 * no one has been told of yet (the kernel keeps it for new openers).
 */
bool store_sync_file(const char *path, GError **error);

/*
 * Set the flags of the message at DIR/SUBDIR/BASE(:2,OLD_FLAGS) to NEW_FLAGS:
 * the file moves to cur/BASE:2,<normalized NEW_FLAGS> (a file in new/ moves to
 * cur/, as the spec asks once a reader has seen it).
 */
bool store_set_flags(const char *dir, const char *subdir, const char *base,
    const char *old_flags, const char *new_flags, GError **error);

/*
 * Move the message DIR/SUBDIR/BASE(:2,FLAGS) to TO_DIR/TO_SUBDIR/BASE with
 * TO_FLAGS (normalized) in one rename that never replaces a file.  The two
 * Maildirs are in one store (one file system).  A message already at the
 * destination (and gone from the source) counts as moved; one at neither
 * place fails (STORE_ERROR_IO, naming the file, saying to run reindex).
 */
bool store_move(const char *dir, const char *subdir, const char *base, const char *flags,
    const char *to_dir, const char *to_subdir, const char *to_flags, GError **error);

/*
 * Copy the message file FROM into the Maildir DIR as a new message in cur/
 * with FLAGS: a hard link into tmp/ where the file system allows it, else a
 * copy written and fsync'ed there; then renamed into cur/ (never replacing).
 * *BASE gets the copy's new unique base name.  The caller syncs cur/.
 */
bool store_copy(const char *from, const char *dir, const char *flags, char **base, GError **error);

/* Remove the message file; a file already gone is not an error. */
bool store_remove(const char *dir, const char *subdir, const char *base,
    const char *flags, GError **error);

/*
 * Give the file DIR/SUBDIR/NAME its canonical name, the one
 * store_message_path builds from its base and normalized flags (cur/ files
 * get ":2,", a file in new/ that carries flags moves to cur/).  Never replaces
 * a file.  *NEW_SUBDIR (may be NULL) gets the folder it is in afterwards
 * (borrowed static string).  For Maildirs written by other tools.
 */
bool store_fix_name(const char *dir, const char *subdir, const char *name,
    const char **new_subdir, GError **error);

/*
 * Find the message with base name BASE in DIR's new/ or cur/, whatever its
 * flags now (another program may have renamed it), giving it its canonical
 * name (store_fix_name) if it has not.  True with *SUBDIR ("new" or "cur",
 * static) and *FLAGS (a new string, normalized) when found; false without
 * an error when no file has that base, with ERROR set on a read error.
 */
bool store_find(const char *dir, const char *base, const char **subdir, char **flags,
    GError **error);

/* One message file found by store_scan. */
struct store_entry {
	char *subdir;  /* "new" or "cur" */
	char *name;    /* the file name as found */
	char *base;
	char *flags;   /* normalized; "" in new/ unless the name carries flags */
	int64_t size;  /* bytes */
	int64_t mtime; /* seconds */
};

/*
 * Every message file in DIR/new and DIR/cur, appended to ENTRIES (a GPtrArray
 * of struct store_entry *, freed with store_entry_free).  Names that are not
 * Maildir names (dot files) and anything but regular files are skipped.
 * An entry whose NAME differs from the name store_message_path builds needs
 * store_fix_name before the index can address it.
 */
bool store_scan(const char *dir, GPtrArray *entries, GError **error);

/*
 * Base names of the files in DIR/tmp, appended to NAMES (g_free'd char *).
 */
bool store_scan_tmp(const char *dir, GPtrArray *names, GError **error);

/* How long a file may sit in tmp/ before anyone may remove it (the Maildir spec: 36 hours). */
#define STORE_TMP_MAX_AGE (36 * 3600)

/*
 * True when DIR/tmp/NAME may be removed as a write that never finished:
 * one of surat's own names (store_unique_name) made on this host by a
 * process that is gone (its pid is not running, or is running a process that
 * started after the name was made), or any file neither read nor written
 * for STORE_TMP_MAX_AGE seconds.  Anything else may be another
 * program's delivery in progress, or a copy surat's interface is making.
 */
bool store_tmp_is_leftover(const char *dir, const char *name);

void store_entry_free(struct store_entry *entry);

#endif
