/*
 * uidls: the UIDL journal an account's Maildir carries, so the index can be
 * lost (deleted, truncated, garbage) without any kept mail being downloaded
 * twice: `surat reindex` (reindex.h) reads it back.
 *
 * <store>/<account>/surat-uidls is a text file of one record per line,
 * appended by the programs that change what the account holds, and
 * rewritten (compacted) only by uidls_compact:
 *
 *   surat-uidls 1 BYTES      the header; BYTES is the size the file had when
 *                            it was last compacted (0 if never)
 *   S BASE UIDL              the message with the unique name BASE came from
 *                            the server as UIDL, whole
 *   P BASE UIDL              ... headers only (max_size): the rest is still
 *                            on the server, so it must never be DELE'd
 *   G UIDL ARRIVAL DELE      a message gone from the store (expunged, moved
 *                            to another account, deleted by another program)
 *                            that the server may still have; DELE 1: a DELE
 *                            is queued (delete_on_server_when_deleted)
 *   U UIDL                   the G entry of UIDL is withdrawn (an undone
 *                            expunge or move: the message is back)
 *
 * Later records win.  BASE and UIDL have every byte outside '!'..'~' and
 * '%' itself written as %XX.  A line that is not complete (no newline at the
 * end of the file, after a failed write or a crash) or not well formed is
 * ignored; the next append cuts an incomplete tail off first, so it never
 * joins a later record.
 *
 * Appends and compaction take flock on the file; compaction writes a new
 * file and renames it over the old one, and an appender that finds the name
 * pointing at another file than the one it locked starts again.
 *
 * Knows files only: no SQLite, no POP3.  Who writes what, and the crash
 * order, is in doc/internals/durability.md.
 */
#ifndef SURAT_UIDLS_H
#define SURAT_UIDLS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define UIDLS_ERROR (uidls_error_quark())
GQuark uidls_error_quark(void);

enum uidls_error_code {
	UIDLS_ERROR_IO,   /* a system call failed; the message names the file */
	UIDLS_ERROR_FULL, /* the disk is full (ENOSPC, EDQUOT, EFBIG) */
};

/* The journal's name in an account's Maildir. */
#define UIDLS_FILE "surat-uidls"

/* Append the record "S BASE UIDL" (or "P ..." when PARTIAL) to OUT. */
void uidls_add_stored(GString *out, const char *base, const char *uidl, bool partial);

/* Append the record "G UIDL ARRIVAL DELE" to OUT. */
void uidls_add_gone(GString *out, const char *uidl, int64_t arrival, bool dele);

/* Append the record "U UIDL" to OUT. */
void uidls_add_back(GString *out, const char *uidl);

/*
 * Append RECORDS (whole lines made by the uidls_add_* functions) to the
 * journal of MAILDIR, creating it (mode 0600) with its header if needed.
 * With SYNC the file is fsync'ed before returning; without, the caller makes
 * it durable (deliver.c: the batch's sync covers it).  Empty RECORDS: no-op.
 */
bool uidls_append(const char *maildir, const char *records, bool sync, GError **error);

/* What the journal of one account says, records replayed in order. */
struct uidls {
	GHashTable *stored; /* base -> struct uidls_stored * */
	GHashTable *gone;   /* uidl -> struct uidls_gone * (withdrawn ones removed) */
};

struct uidls_stored {
	char *uidl;
	bool partial;
};

struct uidls_gone {
	int64_t arrival;
	bool dele;
};

/* Read the journal of MAILDIR (none: an empty struct uidls). */
struct uidls *uidls_read(const char *maildir, GError **error);
void uidls_free(struct uidls *uidls);

/* True when MAILDIR has a journal with at least one record. */
bool uidls_exists(const char *maildir);

/*
 * True when the journal of MAILDIR has grown to more than twice its size
 * after the last compaction (plus some slack): reads the header only.
 */
bool uidls_wants_compaction(const char *maildir);

/*
 * Rewrite the journal of MAILDIR: with the journal locked, call BUILD with
 * what it says now (CURRENT) and a string to fill with the records to keep,
 * then write those to a new file, fsync it, rename it over the journal and
 * fsync the Maildir.  Appenders wait meanwhile, so none is lost.  BUILD
 * returns false (with ERROR set) to leave the journal as it is.
 */
typedef bool (*uidls_build_fn)(const struct uidls *current, GString *records, void *data,
    GError **error);
bool uidls_compact(const char *maildir, uidls_build_fn build, void *data, GError **error);

#endif
