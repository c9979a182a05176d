/*
 * smtp: the SMTP submission client (RFC 5321, 6409, 3207, 4954, 2920, 1870,
 * 6152, 6531, 2034): one function per step on a struct smtp_session.  It
 * speaks; it never decides what to send or when to try again (outbox.c
 * does), and it knows nothing of files.  Everything the server sends is
 * untrusted: every reply is capped, checked and sanitized before it reaches
 * an error message, and a secret the server echoes is scrubbed.
 *
 * Call order:
 *   smtp_open()        connect, TLS as asked (implicit: handshake first;
 *                      starttls: greeting, EHLO, STARTTLS, drop anything
 *                      buffered, handshake, EHLO again), greeting, EHLO.
 *                      Verification failures end here, before any secret
 *                      or address is sent.
 *   smtp_login()       authenticate (or not, for a server without AUTH).
 *   smtp_send()        one message: MAIL, RCPT..., DATA, the text, the dot;
 *                      as many times as there are messages.
 *   smtp_quit()
 *   smtp_session_free()
 * After a failure whose code is not SMTP_ERROR_REJECTED, _TEMPORARY or
 * _TOO_BIG, and after a 421, the session is dead (smtp_alive): only
 * smtp_session_free() may follow.
 */
#ifndef SURAT_SMTP_H
#define SURAT_SMTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define SMTP_ERROR (smtp_error_quark())
GQuark smtp_error_quark(void);

/* What went wrong; outbox.c decides by the code (retry or not), people read the message. */
enum smtp_error_code {
	SMTP_ERROR_IO,         /* connect failed, connection lost before the final dot */
	SMTP_ERROR_TIMEOUT,    /* no reply within the timeout, before the final dot */
	SMTP_ERROR_TLS,        /* handshake or verification failed (says why) */
	SMTP_ERROR_INSECURE,   /* would send a secret or mail unprotected: refused */
	SMTP_ERROR_PROTOCOL,   /* a reply that breaks the protocol or a cap */
	SMTP_ERROR_AUTH,       /* credentials rejected (535), or no mechanism in common */
	SMTP_ERROR_TEMPORARY,  /* a 4xx: try again later (session alive unless it was the greeting) */
	SMTP_ERROR_REJECTED,   /* a 5xx to MAIL, RCPT or the data: do not try again as is */
	SMTP_ERROR_TOO_BIG,    /* larger than the server's SIZE: refused before sending */
	SMTP_ERROR_UNANSWERED, /* the text was sent in full, but no reply to the final dot came:
	                          the server may have accepted it (RFC 5321 4.1.1.4) */
	SMTP_ERROR_ABORT,      /* *abort was set */
};

/* Caps on what a server controls. */
#define SMTP_MAX_LINE        4096 /* a reply line (RFC 5321 says 512; servers stretch it) */
#define SMTP_MAX_REPLY_LINES 100  /* lines of one multi-line reply */
#define SMTP_MAX_QUOTE       300  /* bytes of the server's text quoted in an error */

/* How the connection is secured (`smtp.tls`). */
enum smtp_tls {
	SMTP_TLS_STARTTLS, /* submission on 587; the default */
	SMTP_TLS_IMPLICIT, /* submissions on 465 (RFC 8314) */
	SMTP_TLS_NONE,     /* explicit choice only */
};

/* How to log in (`smtp.auth`). */
enum smtp_auth {
	SMTP_AUTH_AUTO, /* the strongest offered; none when the server offers no AUTH */
	SMTP_AUTH_NONE, /* never log in (a relay that trusts the address) */
	SMTP_AUTH_PLAIN,
	SMTP_AUTH_LOGIN,
	SMTP_AUTH_CRAM_MD5,
	SMTP_AUTH_SCRAM_SHA_1,
	SMTP_AUTH_SCRAM_SHA_256,
	SMTP_AUTH_XOAUTH2,
	SMTP_AUTH_OAUTHBEARER,
};

/*
 * A line of the dialogue for -v: DIRECTION is 'C' (client), 'S' (server)
 * or '*' (a note of ours).  LINE has no CRLF and is sanitized; secrets are
 * "********"; a message's text is one "<N octets>" line.
 */
typedef void (*smtp_trace_fn)(void *data, char direction, const char *line);

struct smtp_open_options {
	const char *host;
	int port;
	enum smtp_tls tls;
	const char *ca_file;      /* NULL: the system trust store */
	const char *fingerprint;  /* "SHA256:<64 hex>": trust exactly this certificate */
	const char *helo;         /* the EHLO name: the From address's domain; NULL: "localhost" */
	int timeout;              /* seconds, for connect and for each reply */
	smtp_trace_fn trace;      /* NULL: no trace */
	void *trace_data;
	volatile sig_atomic_t *abort; /* checked between commands and reads; may be NULL */
};

/* What EHLO said the server can do. */
struct smtp_caps {
	bool ehlo;                /* EHLO was answered (else HELO: none of the below) */
	bool starttls;
	bool pipelining;          /* RFC 2920 */
	bool eightbitmime;        /* RFC 6152 */
	bool smtputf8;            /* RFC 6531 */
	bool enhancedstatuscodes; /* RFC 2034 */
	bool size;                /* RFC 1870 */
	uint64_t size_max;        /* 0: no limit announced */
	char *auth;               /* the AUTH mechanisms, space-separated, upper case; NULL */
};

struct smtp_session;

/* Connect and get ready to log in (see the call order above). */
struct smtp_session *smtp_open(const struct smtp_open_options *options, GError **error);

/*
 * As smtp_open, over FD, a connected stream socket (taken, also on failure):
 * for tests.  FD < 0 connects, as smtp_open.
 */
struct smtp_session *smtp_open_fd(int fd, const struct smtp_open_options *options,
    GError **error);

/* NULL-safe; closes without QUIT. */
void smtp_session_free(struct smtp_session *s);

/*
 * False once the session has ended: after a failure that ends it (see the
 * call order), and after a 421 to any command, with which the server says
 * it is closing the connection.
 */
bool smtp_alive(const struct smtp_session *s);

const struct smtp_caps *smtp_caps(const struct smtp_session *s);
/* The server's greeting text, sanitized. */
const char *smtp_greeting(const struct smtp_session *s);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384", or NULL for a plain connection. */
const char *smtp_tls_summary(const struct smtp_session *s);

/*
 * Log in as USER with SECRET (a password, or an OAuth token for XOAUTH2 and
 * OAUTHBEARER; borrowed, never logged).  SMTP_AUTH_AUTO picks the strongest
 * mechanism offered: SCRAM-SHA-256, SCRAM-SHA-1, PLAIN, LOGIN; never
 * CRAM-MD5, XOAUTH2 or OAUTHBEARER unless asked; and does nothing when the
 * server offers no AUTH at all.  SMTP_AUTH_NONE does nothing.  A cleartext
 * mechanism without TLS is refused with SMTP_ERROR_INSECURE unless
 * ALLOW_CLEARTEXT (tls = none by explicit choice).
 */
bool smtp_login(struct smtp_session *s, enum smtp_auth auth, const char *user,
    const char *secret, bool allow_cleartext, GError **error);

/* The mechanism smtp_login() used ("PLAIN"), or NULL when it did not log in. */
const char *smtp_auth_used(const struct smtp_session *s);

/*
 * Submit one message: MAIL FROM:<FROM> (with SIZE, BODY=8BITMIME and
 * SMTPUTF8 as the text and the addresses need and the server offers), RCPT
 * TO for each of RCPTS[0..N-1], DATA, then TEXT (LEN bytes, lines ending in
 * LF or CRLF; sent with CRLF, dot-stuffed) and the final dot.  With
 * PIPELINING, MAIL and the RCPTs go in one write.  All or nothing: when any
 * recipient is refused, the transaction is reset and nothing is sent
 * (SMTP_ERROR_REJECTED or _TEMPORARY naming the first refused address).
 * On success, *REPLY (may be NULL) gets the server's answer to the dot,
 * sanitized (g_free): it usually carries the queue id.
 */
bool smtp_send(struct smtp_session *s, const char *from, const char *const *rcpts, size_t n,
    const char *text, size_t len, char **reply, GError **error);

/* RSET: after a refused message, before the next. */
bool smtp_rset(struct smtp_session *s, GError **error);

/* QUIT; the session is over either way. */
bool smtp_quit(struct smtp_session *s, GError **error);

/* Traffic of a session so far (for -v, benchmarks and tests). */
struct smtp_stats {
	uint64_t bytes_in;
	uint64_t bytes_out;
	unsigned int writes;
	unsigned int commands;
};

void smtp_get_stats(const struct smtp_session *s, struct smtp_stats *stats);

#endif
