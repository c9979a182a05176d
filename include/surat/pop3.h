/*
 * pop3: the POP3 client protocol (RFC 1939, 2449, 2595, 5034, 8314): one
 * function per command on a struct pop3_session.  It speaks; it never
 * decides what to fetch, keep or delete (fetch.c does), and it knows nothing
 * of files.  Everything the server sends is untrusted: every reply is capped,
 * checked and sanitized before it reaches an error message.
 *
 * Call order:
 *   pop3_open()        connect (IPv4/IPv6, timeout), TLS as asked (implicit:
 *                      handshake first; starttls: greeting, CAPA, STLS, drop
 *                      anything buffered, handshake, CAPA again), greeting,
 *                      CAPA.  Verification failures end here, before any
 *                      secret is sent.
 *   pop3_login()       authenticate.
 *   pop3_stat(), pop3_uidl(), pop3_list()
 *   pop3_retr_many(), pop3_top_many()   many commands in flight when the
 *                      server offers PIPELINING and the caller allows it
 *   pop3_dele_many()
 *   pop3_quit()        the server commits the DELEs only now
 *   pop3_session_free()  without QUIT after an error or abort, so the server
 *                      rolls the DELEs back
 * After any failure other than a -ERR to a single command, the session is
 * dead: only pop3_session_free() may follow.
 */
#ifndef SURAT_POP3_H
#define SURAT_POP3_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "pop3-parse.h" /* POP3_ERROR, the caps on the server, struct pop3_caps */

/* How the connection is secured (an account's `tls`). */
enum pop3_tls {
	POP3_TLS_IMPLICIT, /* POP3S; the default */
	POP3_TLS_STARTTLS, /* STLS, refused if not offered */
	POP3_TLS_NONE,     /* explicit choice only */
};

/* How to log in (an account's `auth`). */
enum pop3_auth {
	POP3_AUTH_AUTO,
	POP3_AUTH_USER,
	POP3_AUTH_APOP,
	POP3_AUTH_PLAIN,
	POP3_AUTH_LOGIN,
	POP3_AUTH_CRAM_MD5,
	POP3_AUTH_SCRAM_SHA_1,
	POP3_AUTH_SCRAM_SHA_256,
	POP3_AUTH_XOAUTH2,
	POP3_AUTH_OAUTHBEARER,
};

/*
 * A line of the protocol dialogue for -v: DIRECTION is 'C' (client), 'S'
 * (server) or '*' (a note of ours: a state change, bytes dropped before
 * TLS).  LINE has no CRLF and is sanitized; secrets are "********"; a
 * message body is one "<N octets>" line.
 */
typedef void (*pop3_trace_fn)(void *data, char direction, const char *line);

struct pop3_open_options {
	const char *host;
	int port;
	enum pop3_tls tls;
	const char *ca_file;      /* NULL: the system trust store */
	const char *fingerprint;  /* "SHA256:<64 hex>": trust exactly this certificate */
	int timeout;              /* seconds, for connect and for each reply */
	bool pipelining;          /* allow PIPELINING when the server offers it */
	pop3_trace_fn trace;      /* NULL: no trace; secrets are always redacted */
	void *trace_data;
	volatile sig_atomic_t *abort; /* checked between commands and reads; may be NULL */
};

/* The TLS channel, for serverinfo. */
struct pop3_tls_info {
	char *protocol;     /* "TLSv1.3" */
	char *cipher;
	char *subject;      /* one line, sanitized */
	char *issuer;
	char *not_before;   /* "2026-01-01 00:00:00 UTC" */
	char *not_after;
	char *fingerprint;  /* "SHA256:<64 lower-case hex>" of the certificate */
};

struct pop3_msg {
	unsigned int num;   /* message number in this session */
	uint64_t size;      /* octets as the server counts them (CRLF) */
	char *uidl;         /* NULL until pop3_uidl() */
};

/* Connect and get ready to log in (see the call order above). */
struct pop3_session *pop3_open(const struct pop3_open_options *options, GError **error);

/*
 * As pop3_open, over FD, an already connected stream socket (takes
 * ownership, also on failure): for tests and tunnels.  OPTIONS->host is
 * still the name TLS verifies; OPTIONS->port only names the peer.  FD < 0
 * connects, as pop3_open.
 */
struct pop3_session *pop3_open_fd(int fd, const struct pop3_open_options *options,
    GError **error);

/* NULL-safe; closes without QUIT unless pop3_quit() succeeded. */
void pop3_session_free(struct pop3_session *s);

const struct pop3_caps *pop3_caps(const struct pop3_session *s);
/* NULL when the connection is not TLS. */
const struct pop3_tls_info *pop3_tls_info(const struct pop3_session *s);
/* The server's greeting text, sanitized. */
const char *pop3_greeting(const struct pop3_session *s);

/*
 * Log in as USER with SECRET (a password, or an OAuth token for XOAUTH2 and
 * OAUTHBEARER; borrowed, never logged).  POP3_AUTH_AUTO picks the
 * strongest mechanism offered: SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN,
 * USER/PASS; never APOP or CRAM-MD5, never XOAUTH2/OAUTHBEARER unless asked.
 * A cleartext mechanism (USER, PLAIN, LOGIN) without TLS is refused with
 * POP3_ERROR_INSECURE unless the channel is tls = none by explicit choice
 * (ALLOW_CLEARTEXT).  APOP checks the greeting's timestamp first.
 * XOAUTH2 is sent in two steps (AUTH XOAUTH2, then the token), as Microsoft
 * 365 requires.
 */
bool pop3_login(struct pop3_session *s, enum pop3_auth auth, const char *user,
    const char *secret, bool allow_cleartext, GError **error);

/* The mechanism pop3_login() used ("SCRAM-SHA-256", "USER", "APOP"...). */
const char *pop3_auth_used(const struct pop3_session *s);

bool pop3_stat(struct pop3_session *s, unsigned int *count, uint64_t *size, GError **error);

/*
 * UIDL for every message into MSGS (a GArray of struct pop3_msg, cleared
 * first; num and uidl set), in message-number order whatever order the
 * server listed them in (RFC 1939 fixes none), so callers find a number by
 * binary search, never by position: a listing may skip numbers.  A UIDL
 * that is empty, longer than 70, not printable ASCII, or repeated, and a
 * number listed twice or beyond what STAT reported, are a
 * POP3_ERROR_PROTOCOL (the session is dead).  Without UIDL support:
 * POP3_ERROR_UNSUPPORTED.
 */
bool pop3_uidl(struct pop3_session *s, GArray *msgs, GError **error);

/*
 * LIST: set the size of each message in MSGS (adding entries as needed;
 * MSGS stays in message-number order).  The same checks as pop3_uidl; a
 * size above POP3_MAX_SIZE is taken as POP3_MAX_SIZE.  The sizes are also
 * kept in the session for the reply deadline of RETR and TOP.
 */
bool pop3_list(struct pop3_session *s, GArray *msgs, GError **error);

/*
 * Called once per message with its content: dot-unstuffed, CRLF turned into
 * LF, any byte values (not a C string).  BUF is valid only during the call.
 * Return false (setting ERROR) to stop; the session is then dead.
 */
typedef bool (*pop3_message_fn)(void *data, unsigned int num, const char *buf, size_t len,
    GError **error);

/*
 * The same, for a message handed over in pieces as it arrives, so a large
 * one is never held whole: LAST is false for each piece of about POP3_PIECE
 * bytes while more is coming, and true for the final one.  A message that
 * fits in one piece comes as a single call with LAST true.  Pieces are cut
 * anywhere (mid-line).
 */
typedef bool (*pop3_piece_fn)(void *data, unsigned int num, const char *buf, size_t len,
    bool last, GError **error);

#define POP3_PIECE (1024 * 1024)

/* RETR each of NUMS[0..N-1] in order, pipelined when possible. */
bool pop3_retr_many(struct pop3_session *s, const unsigned int *nums, size_t n,
    pop3_message_fn fn, void *data, GError **error);

/* TOP num LINES for each of NUMS: the headers and LINES body lines. */
bool pop3_top_many(struct pop3_session *s, const unsigned int *nums, size_t n, unsigned int lines,
    pop3_message_fn fn, void *data, GError **error);

/* pop3_retr_many and pop3_top_many, each message in pieces (pop3_piece_fn). */
bool pop3_retr_pieces(struct pop3_session *s, const unsigned int *nums, size_t n,
    pop3_piece_fn fn, void *data, GError **error);
bool pop3_top_pieces(struct pop3_session *s, const unsigned int *nums, size_t n,
    unsigned int lines, pop3_piece_fn fn, void *data, GError **error);

/* DELE each of NUMS (committed only by pop3_quit). */
bool pop3_dele_many(struct pop3_session *s, const unsigned int *nums, size_t n, GError **error);

bool pop3_noop(struct pop3_session *s, GError **error);
bool pop3_rset(struct pop3_session *s, GError **error);

/* QUIT: the server commits the DELEs and closes. */
bool pop3_quit(struct pop3_session *s, GError **error);

/* Traffic of a session so far (for -v, benchmarks and tests). */
struct pop3_stats {
	uint64_t bytes_in;     /* after TLS */
	uint64_t bytes_out;
	unsigned int writes;   /* write calls: a pipelined batch is one */
	unsigned int commands; /* commands sent */
};

void pop3_get_stats(const struct pop3_session *s, struct pop3_stats *stats);

/* Free a GArray of struct pop3_msg's strings (for g_array_set_clear_func). */
void pop3_msg_clear(struct pop3_msg *msg);

#endif
