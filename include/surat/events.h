/*
 * events: the line protocol from a fetcher (surat fetch --events-fd N, and
 * each account's child inside surat fetch) to whoever shows progress.  One
 * event per line, fields separated by one space; the first line is
 * "hello 1".  Account names are checked at config load ([A-Za-z0-9._-]), so
 * no field needs quoting; a free text, sanitized and capped, comes last.
 *
 *   hello VERSION
 *   start ACCOUNT COUNT BYTES     COUNT messages (BYTES in all) will be fetched
 *   msg ACCOUNT N BYTES           the Nth of them arrived (BYTES long)
 *   stored ACCOUNT N              N messages are now durable and in the index
 *   deleted ACCOUNT N             N messages were deleted on the server (at QUIT)
 *   delay ACCOUNT SECONDS         the server allows a login every SECONDS
 *   warning ACCOUNT TEXT          something works but is unwise
 *   error ACCOUNT CODE TEXT       the fetch of ACCOUNT failed; CODE is one word
 *                                 (io timeout tls insecure protocol auth in-use
 *                                 login-delay sys-temp sys-perm server
 *                                 unsupported abort lock store config)
 *   done ACCOUNT FETCHED DELETED  the fetch of ACCOUNT ended well
 *
 * The sender (surat send --queue --events-fd N) speaks the same language:
 *
 *   send ACCOUNT COUNT            COUNT messages of ACCOUNT's Outbox are due
 *   sent ACCOUNT ID               the server accepted Outbox row ID
 *   wait ACCOUNT ID TEXT          row ID stays for a later try, TEXT says why
 *   refused ACCOUNT ID TEXT       row ID was refused for good, TEXT says why
 *   error ACCOUNT CODE TEXT       the run could not send (CODE: send, lock, config)
 *   done ACCOUNT SENT LEFT        the run ended; LEFT messages stay in the Outbox
 *
 * The parser is pure and total: any bytes in, an event or an error out.  An
 * unknown event name is not an error (EVENT_UNKNOWN), so newer fetchers can
 * add events; a known event with bad fields is.
 */
#ifndef SURAT_EVENTS_H
#define SURAT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"

#define EVENTS_VERSION   1
#define EVENTS_TEXT_MAX  512   /* bytes of free text kept */
#define EVENTS_LINE_MAX  1024  /* a longer line is malformed */

#define EVENTS_ERROR (events_error_quark())
GQuark events_error_quark(void);

enum events_kind {
	EVENT_UNKNOWN,
	EVENT_HELLO,
	EVENT_START,
	EVENT_MSG,
	EVENT_STORED,
	EVENT_DELETED,
	EVENT_DELAY,
	EVENT_WARNING,
	EVENT_ERROR,
	EVENT_DONE,
	EVENT_SEND,
	EVENT_SENT,
	EVENT_WAIT,
	EVENT_REFUSED,
};

struct event {
	enum events_kind kind;
	char account[ACCOUNT_NAME_MAX + 1];
	int64_t a;                      /* VERSION, COUNT, N, SECONDS, FETCHED, ID, SENT */
	int64_t b;                      /* BYTES, DELETED, LEFT */
	char code[24];                  /* error code word */
	char text[EVENTS_TEXT_MAX + 1]; /* warning/error/wait/refused text, sanitized */
};

/*
 * Parse one line (LEN bytes, without the newline; any byte values) into *EV.
 * Fails (EVENTS_ERROR) on a malformed known event.
 */
bool events_parse(const char *line, size_t len, struct event *ev, GError **error);

/*
 * The line for EV, with its newline (g_free).  Text is sanitized and capped
 * here, so whatever a server said cannot break the protocol.
 */
char *events_format(const struct event *ev);

/* Write EV to FD as one write() (the line is short, so it is atomic on a pipe). */
bool events_write(int fd, const struct event *ev);

/* Convenience writers: fill a struct event and write it to FD. */
void events_send(int fd, enum events_kind kind, const char *account, int64_t a, int64_t b);
void events_send_text(int fd, enum events_kind kind, const char *account, const char *code,
    const char *text);
/* wait and refused: ACCOUNT, the row ID and TEXT. */
void events_send_id_text(int fd, enum events_kind kind, const char *account, int64_t id,
    const char *text);

/* The name of a kind as written on the line ("start"). */
const char *events_kind_name(enum events_kind kind);

/*
 * The reading end: one reader per fetcher's pipe keeps the part of a line
 * that has not fully arrived.  `surat fetch` reads its children with it,
 * and the interface its fetcher.
 */
struct events_reader;

enum events_read {
	EVENTS_READ_MORE,  /* bytes came: on a non-blocking fd, read again */
	EVENTS_READ_AGAIN, /* nothing now (EAGAIN, EINTR) */
	EVENTS_READ_END,   /* the writer closed its end, or read() failed */
};

/* Called for each complete line: EV parsed, or ERROR (malformed, over-long) and EV NULL. */
typedef void (*events_line_fn)(const struct event *ev, const GError *error, void *data);

struct events_reader *events_reader_new(void);
void events_reader_free(struct events_reader *reader);
/* Forget a partial line (its writer is gone; the next fd starts afresh). */
void events_reader_reset(struct events_reader *reader);
/* One read() from FD, then FN for each line it completed. */
enum events_read events_reader_read(struct events_reader *reader, int fd, events_line_fn fn,
    void *data);

#endif
