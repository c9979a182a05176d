/*
 * pop3-private: what the POP3 session's files share (pop3.c: the state,
 * commands and replies, the opening, NOOP, RSET and QUIT; pop3-auth.c:
 * login; pop3-transfer.c: STAT, UIDL, LIST, RETR, TOP and DELE).  Only
 * src/pop3.c and src/pop3-*.c include it; the parsers of pop3-parse.c need
 * nothing of it.
 */
#ifndef SURAT_POP3_PRIVATE_H
#define SURAT_POP3_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "surat/pop3-parse.h"
#include "surat/pop3.h"

struct net_conn;

/* Where a session is; changed only by pop3_set_state(). */
enum pop3_state {
	POP3_STATE_CONNECT,       /* connecting */
	POP3_STATE_TLS,           /* TLS handshake (implicit or after STLS) */
	POP3_STATE_GREETING,      /* waiting for the greeting */
	POP3_STATE_CAPA,          /* CAPA sent */
	POP3_STATE_STLS,          /* STLS sent */
	POP3_STATE_AUTHORIZATION, /* ready to log in */
	POP3_STATE_AUTH,          /* a login exchange in progress */
	POP3_STATE_TRANSACTION,   /* logged in */
	POP3_STATE_QUIT,          /* QUIT sent */
	POP3_STATE_CLOSED,        /* QUIT answered: the server committed */
	POP3_STATE_DEAD,          /* after a failure: only pop3_session_free */
};

/* The session of pop3.h, opaque outside the pop3 files. */
struct pop3_session {
	enum pop3_state state;
	struct net_conn *conn;
	char *host;
	int port;
	enum pop3_tls tls;
	bool pipelining;              /* the caller allows it */
	pop3_trace_fn trace;
	void *trace_data;
	volatile sig_atomic_t *abort; /* borrowed; may be NULL */
	struct pop3_caps caps;
	bool caps_per_user;           /* LOGIN-DELAY or EXPIRE may change after login */
	struct pop3_tls_info tls_info;
	bool have_tls_info;
	char *greeting;               /* sanitized */
	char *apop_timestamp;         /* validated msg-id from the greeting, or NULL */
	const char *auth_used;        /* static string */
	bool top_works;               /* a TOP succeeded (servers without CAPA) */
	bool stat_known;
	unsigned int stat_count;
	guint32 *list_sizes;          /* [num]: the size LIST announced (capped), for deadlines */
	unsigned int list_sizes_n;    /* entries in list_sizes */
	struct pop3_body body;        /* the message buffer, reused */
	const char *login_secret;     /* during pop3_login only: scrubbed from server text */
	GString *out;                 /* the command batch being built */
	unsigned int commands;
};

/* Hand LINE to the trace callback, if any. */
void pop3_trace(struct pop3_session *s, char direction, const char *line);

/* The server's TEXT (LEN bytes) quoted in an error: scrubbed, sanitized, capped. */
char *pop3_server_quote(const struct pop3_session *s, const char *text, size_t len);

/* The one place the state changes; the trace notes each change. */
void pop3_set_state(struct pop3_session *s, enum pop3_state state);

/* The session cannot go on: mark it and return false. */
bool pop3_die(struct pop3_session *s);

/* Turn an error of net.c or tls.c into a POP3 error, and kill the session. */
bool pop3_fail_net(struct pop3_session *s, GError *in, GError **error);

/* Set ERROR to CODE (printf-style message) and kill the session. */
bool pop3_fail(struct pop3_session *s, GError **error, int code, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/*
 * Set ERROR for a -ERR reply ST to WHAT: the RESP-CODE decides the code and
 * our words, else FALLBACK and WORDS; the server's text follows, quoted.
 */
void pop3_set_err_reply(struct pop3_session *s, GError **error, const char *what,
    const struct pop3_status *st, int fallback, const char *words);

/* Check that S may run a command now: alive, in state A or B, not aborted. */
bool pop3_ready(struct pop3_session *s, enum pop3_state a, enum pop3_state b, const char *what,
    GError **error);

/* Queue the command CMD (no CRLF) in the batch; TRACE_AS is what the trace shows (NULL: CMD). */
void pop3_queue(struct pop3_session *s, const char *cmd, const char *trace_as);

/* Send the batch with one write, zero it (it may have held a secret) and empty it. */
bool pop3_flush(struct pop3_session *s, GError **error);

/* Send one command now. */
bool pop3_send(struct pop3_session *s, const char *cmd, const char *trace_as, GError **error);

/*
 * Read the status line of the reply to WHAT into ST (pointing into the
 * connection's buffer until the next read); with ALLOW_CONT a SASL
 * challenge is a status too.  The whole reply (status, lines or body) must
 * arrive within the timeout plus what ANNOUNCED bytes (or more, once sent)
 * take at the slowest honest rate: a server that trickles cannot hold the
 * fetch, and the account's lock, for ever.
 */
bool pop3_read_reply(struct pop3_session *s, const char *what, bool allow_cont, uint64_t announced,
    struct pop3_status *st, GError **error);

/* pop3_read_reply for a reply of no announced size. */
bool pop3_read_status(struct pop3_session *s, const char *what, bool allow_cont,
    struct pop3_status *st, GError **error);

/*
 * Read the lines of a multi-line reply to WHAT up to its ".", calling LINE_FN
 * on each unstuffed line; at most MAX_LINES lines.
 */
bool pop3_read_multi(struct pop3_session *s, const char *what, size_t max_lines,
    bool (*line_fn)(struct pop3_session *, const char *, size_t, void *, GError **),
    void *data, GError **error);

/* CAPA: what the server can do (-ERR means nothing is known); then state NEXT. */
bool pop3_capa(struct pop3_session *s, enum pop3_state next, GError **error);

/*
 * Send CMD and read the status of its reply (ANNOUNCED bytes expected in
 * all); -ERR sets ERROR (session alive).  ST gets the reply.
 */
bool pop3_simple(struct pop3_session *s, const char *cmd, uint64_t announced,
    struct pop3_status *st, GError **error);

#endif
