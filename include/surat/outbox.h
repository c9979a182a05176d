/*
 * outbox: the queue of messages to send, and its policy (DESIGN promise 5:
 * a message you wrote is never lost and never sent twice), as fetch.c is
 * the fetch's.
 *
 * A message to send is first a file in the account's Outbox folder
 * (Maildir++ .Outbox, flag S), written and synced before its row and its
 * envelope (index.h, "The Outbox") are committed.  A run then, under the
 * account's send lock:
 *   1. finishes what a crash interrupted: an entry marked sent whose file
 *      is still in the Outbox goes to the record folder, never out again;
 *   2. submits each waiting message over one SMTP session (smtp.h), or
 *      hands it to sendmail_command: what goes out is the file without its
 *      Bcc and Resent-Bcc fields;
 *   3. once the server accepted one, marks its entry sent (committed), then
 *      sets the flags it asks for on the messages it answered (R) or passed
 *      on (P), and moves the file to the record folder (`record`, default
 *      Sent), or removes it when record = "".
 * A 4xx, a lost connection or a failed login leave the message waiting,
 * tried again after a delay that doubles (1 minute to 1 hour); a 5xx
 * leaves it refused, with the server's reason, until the user edits,
 * deletes or sends it again by hand.  A message whose final dot was never
 * answered may have been delivered: it is sent again (RFC 5321 leaves this
 * to the client), and the log says so.
 *
 * Uses folder.h and index.h for files and rows, smtp.h for the network;
 * never prints.
 */
#ifndef SURAT_OUTBOX_H
#define SURAT_OUTBOX_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"
#include "index.h"

#define OUTBOX_ERROR (outbox_error_quark())
GQuark outbox_error_quark(void);

enum outbox_error_code {
	OUTBOX_ERROR_MESSAGE, /* a message that cannot be sent as it is (no sender, no recipient) */
	OUTBOX_ERROR_CONFIG,  /* the account cannot send: no from, no smtp or sendmail_command */
	OUTBOX_ERROR_LOCK,    /* another run holds the account's send lock */
};

#define OUTBOX_FOLDER      "Outbox"
#define OUTBOX_RETRY_FIRST 60   /* seconds before the first retry */
#define OUTBOX_RETRY_MAX   3600 /* the longest wait between tries */
#define OUTBOX_MAX_SIZE    (256 * 1024 * 1024) /* a message to send, in bytes */

/*
 * Make TEXT (LEN bytes, a whole message as a person or a program wrote it)
 * ready to queue for ACCOUNT: LF line ends, and the header fields a sent
 * message needs added when missing: From (the account's), Date (now) and
 * Message-ID (at the sender's domain).  A new string (g_free), *OUT_LEN
 * its length; NULL with OUTBOX_ERROR_MESSAGE when TEXT has no header.
 */
char *outbox_prepare(const struct account_config *account, const char *text, size_t len,
    size_t *out_len, GError **error);

/* The domain of ADDRESS ("example.org") for a Message-ID, or "localhost". */
const char *outbox_domain(const char *address);

/*
 * ACCOUNT's From field value ("Name <address>"), RFC 2047-encoded (UTF-8)
 * where the name needs it; NULL when the account has no address.  GMime
 * must be loaded.
 */
char *outbox_from_field(const struct account_config *account);

/*
 * The envelope from TEXT's header: *SENDER gets the address of Sender,
 * else of From, and RCPTS (g_free'd strings) the addresses of To, Cc and
 * Bcc, each once; for a bounce (a Resent-To, Resent-Cc or Resent-Bcc is
 * there), the Resent- fields instead.  False with OUTBOX_ERROR_MESSAGE
 * when there is no sender or no recipient.
 */
bool outbox_envelope(const char *text, size_t len, char **sender, GPtrArray *rcpts,
    GError **error);

/* TEXT without its Bcc and Resent-Bcc fields: what goes out (a new GString). */
GString *outbox_wire_text(const char *text, size_t len);

/*
 * Queue TEXT (as outbox_prepare or compose_build made it) in ACCOUNT's
 * Outbox with the envelope SENDER and RCPTS[0..N-1] (NULL-terminated too)
 * and MARKS (may be NULL: the flags to set on other rows once it is sent,
 * "R:12 P:13", index.h): the file durable first, then its row and entry in
 * one transaction.  *ID gets the row.
 */
bool outbox_queue(struct index *idx, const struct surat_config *config,
    const struct account_config *account, const char *text, size_t len, const char *sender,
    const char *const *rcpts, size_t n, const char *marks, int64_t *id, GError **error);

/* What a run does, as it happens (for the status line, -v and the events). */
enum outbox_event_kind {
	OUTBOX_EVENT_CONNECT, /* TEXT: "host:port" */
	OUTBOX_EVENT_SENT,    /* ID was accepted; TEXT: the server's answer */
	OUTBOX_EVENT_WAITING, /* ID stays for a later try; TEXT: why */
	OUTBOX_EVENT_REFUSED, /* ID was refused for good; TEXT: why */
	OUTBOX_EVENT_TRACE,   /* TEXT: a line of the SMTP dialogue ("C: ...", "S: ...") */
};

typedef void (*outbox_event_fn)(void *data, enum outbox_event_kind kind, int64_t id,
    const char *text);

struct outbox_options {
	bool all;                     /* also what waits for a later try or was refused */
	bool trace;                   /* OUTBOX_EVENT_TRACE for each line of the dialogue */
	outbox_event_fn event;        /* may be NULL */
	void *event_data;
	volatile sig_atomic_t *abort; /* may be NULL */
};

struct outbox_result {
	unsigned int sent;
	unsigned int waiting; /* left for a later try */
	unsigned int refused;
};

/*
 * Run ACCOUNT's Outbox (the order above).  True when the run itself
 * worked, even if messages stay waiting or refused (RESULT says how many,
 * and the events why); false with ERROR (which does not name the account:
 * the caller does) when it could not run (the lock,
 * the index, a file), or when it could not reach or log in to the server:
 * then the message it was for records that reason and waits, and the ones
 * after it wait as they were, untried.
 */
bool outbox_run(struct index *idx, const struct surat_config *config,
    const struct account_config *account, const struct outbox_options *options,
    struct outbox_result *result, GError **error);

#endif
