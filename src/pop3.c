/*
 * pop3: the POP3 client session (pop3.h has the call order).
 *
 * One explicit state, changed only by pop3_set_state(), which notes every
 * change in the trace.  A reply is read with a capped line reader; message
 * bodies stream through the decoder of pop3-parse.c straight out of the
 * connection's buffer.  With PIPELINING, RETR, TOP and DELE keep a window of
 * commands in flight, each batch sent with one write.
 *
 * What it must never do: send a secret before the configured TLS is up or
 * over a channel the caller did not allow, put a secret into the trace or an
 * error, send QUIT after a failure or abort, or trust a number, a length or
 * a string from the server without a cap.
 */
#include "surat/pop3.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "surat/net.h"
#include "surat/pop3-parse.h"
#include "surat/sanitize.h"
#include "surat/sasl.h"
#include "surat/tls.h"

G_DEFINE_QUARK(surat-pop3-error-quark, pop3_error)

#define POP3_WINDOW      64  /* commands in flight with PIPELINING */
#define POP3_MAX_AUTH    255 /* RFC 5034: an AUTH command with its initial response */
#define POP3_MAX_ROUNDS  16  /* challenges in one SASL exchange */
#define POP3_MAX_TRACE   512 /* bytes of a server line shown in the trace */
#define POP3_REDACTED    SANITIZE_REDACTED
#define POP3_KEEP_BUFFER (32 * 1024 * 1024) /* a larger message buffer is not kept */
#define POP3_LISTING_LINE 32 /* bytes a UIDL or LIST line is counted as, for the deadline */

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

static const char *const pop3_state_names[] = {
	[POP3_STATE_CONNECT] = "CONNECT",
	[POP3_STATE_TLS] = "TLS",
	[POP3_STATE_GREETING] = "GREETING",
	[POP3_STATE_CAPA] = "CAPA",
	[POP3_STATE_STLS] = "STLS",
	[POP3_STATE_AUTHORIZATION] = "AUTHORIZATION",
	[POP3_STATE_AUTH] = "AUTH",
	[POP3_STATE_TRANSACTION] = "TRANSACTION",
	[POP3_STATE_QUIT] = "QUIT",
	[POP3_STATE_CLOSED] = "CLOSED",
	[POP3_STATE_DEAD] = "DEAD",
};

/* Hand LINE to the trace callback, if any. */
static void
pop3_trace(struct pop3_session *s, char direction, const char *line)
{
	if (s->trace != NULL)
		s->trace(s->trace_data, direction, line);
}

/* Replace every SECRET in *TEXT (g_free'd string) by the redaction mark. */
static void
pop3_scrub(char **text, const char *secret)
{
	gchar **parts;

	if (secret == NULL || *secret == '\0' || strstr(*text, secret) == NULL)
		return;
	parts = g_strsplit(*text, secret, -1);
	g_free(*text);
	*text = g_strjoinv(POP3_REDACTED, parts);
	g_strfreev(parts);
}

/*
 * The long base64 or hex words that, during login, are scrubbed from what
 * the server says: a server that echoes what it was sent (a SASL response,
 * an APOP digest) would otherwise put an encoding of the secret into an
 * error or the trace.  Raw, as it runs on the server's bytes.
 */
static const GRegex *
pop3_login_words(void)
{
	static GRegex *words;

	if (g_once_init_enter(&words)) {
		GRegex *re = g_regex_new("[A-Za-z0-9+/=_-]{16,}", G_REGEX_RAW | G_REGEX_OPTIMIZE, 0,
		    NULL);

		g_once_init_leave(&words, re);
	}
	return words;
}

/* During login, scrub every long base64 or hex word from *TEXT (g_free'd string). */
static void
pop3_scrub_login_words(char **text)
{
	char *clean = sanitize_scrubbed(*text, strlen(*text), strlen(*text), NULL,
	    pop3_login_words(), 0, NULL);

	g_free(*text);
	*text = clean;
}

/*
 * The server's TEXT (LEN bytes) fit for an error or the trace: during login
 * the secret, and with WORDS the long words that may encode it, are scrubbed
 * from the raw bytes first; then it is cut to MAX bytes and sanitized.
 * *CUT (may be NULL) tells whether it was cut.
 */
static char *
pop3_server_text(const struct pop3_session *s, const char *text, size_t len, size_t max,
    bool words, bool *cut)
{
	return sanitize_scrubbed(text, len, max, s->login_secret,
	    words && s->login_secret != NULL ? pop3_login_words() : NULL, 0, cut);
}

/* The server's TEXT (LEN bytes) quoted in an error: scrubbed, sanitized, capped. */
static char *
pop3_server_quote(const struct pop3_session *s, const char *text, size_t len)
{
	bool cut;
	char *q = pop3_server_text(s, text, len, POP3_MAX_QUOTE, true, &cut);

	if (cut) {
		char *more = g_strconcat(q, "...", NULL);

		g_free(q);
		q = more;
	}
	return q;
}

/* Trace a server line (LEN bytes), sanitized and capped; an echoed secret is scrubbed. */
static void
pop3_trace_server(struct pop3_session *s, const char *line, size_t len)
{
	char *clean;
	bool cut;

	if (s->trace == NULL)
		return;
	/* A challenge ("+ ...") is the server's own; an echo would be in a status line. */
	clean = pop3_server_text(s, line, len, POP3_MAX_TRACE, len == 0 || line[0] != '+', &cut);
	if (cut) {
		char *more = g_strdup_printf("%s... (%zu bytes)", clean, len);

		g_free(clean);
		clean = more;
	}
	s->trace(s->trace_data, 'S', clean);
	g_free(clean);
}

/* The one place the state changes; the trace notes each change. */
static void
pop3_set_state(struct pop3_session *s, enum pop3_state state)
{
	char *note;

	if (s->state == state)
		return;
	if (s->trace != NULL) {
		note = g_strdup_printf("state %s -> %s", pop3_state_names[s->state],
		    pop3_state_names[state]);
		pop3_trace(s, '*', note);
		g_free(note);
	}
	s->state = state;
}

/* The session cannot go on: mark it and return false. */
static bool
pop3_die(struct pop3_session *s)
{
	pop3_set_state(s, POP3_STATE_DEAD);
	return false;
}

/* Turn an error of net.c or tls.c into a POP3 error, and kill the session. */
static bool
pop3_fail_net(struct pop3_session *s, GError *in, GError **error)
{
	int code = POP3_ERROR_IO;

	if (in->domain == NET_ERROR) {
		switch (in->code) {
		case NET_ERROR_TIMEOUT:
			code = POP3_ERROR_TIMEOUT;
			break;
		case NET_ERROR_ABORT:
			code = POP3_ERROR_ABORT;
			break;
		case NET_ERROR_TOO_LONG:
			code = POP3_ERROR_PROTOCOL;
			break;
		default:
			code = POP3_ERROR_IO;
			break;
		}
	} else if (in->domain == TLS_ERROR) {
		code = in->code == TLS_ERROR_IO ? POP3_ERROR_IO : POP3_ERROR_TLS;
	}
	g_set_error_literal(error, POP3_ERROR, code, in->message);
	g_error_free(in);
	return pop3_die(s);
}

/* Set ERROR to CODE (printf-style message) and kill the session. */
static bool G_GNUC_PRINTF(4, 5)
pop3_fail(struct pop3_session *s, GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, POP3_ERROR, code, msg);
	g_free(msg);
	return pop3_die(s);
}

/*
 * Set ERROR for a -ERR reply ST to WHAT: the RESP-CODE decides the code and
 * our words, else FALLBACK and WORDS; the server's text follows, quoted.
 */
static void
pop3_set_err_reply(struct pop3_session *s, GError **error, const char *what,
    const struct pop3_status *st, int fallback, const char *words)
{
	char *text = pop3_server_quote(s, st->text, st->text_len), *delay = NULL;
	int code = fallback;

	switch (st->code) {
	case POP3_RESP_IN_USE:
		code = POP3_ERROR_IN_USE;
		words = "[IN-USE] another client is using the mailbox; try again when it has "
			"finished";
		break;
	case POP3_RESP_LOGIN_DELAY:
		code = POP3_ERROR_LOGIN_DELAY;
		if (s->caps.login_delay > 0)
			words = delay = g_strdup_printf("[LOGIN-DELAY] logged in too soon: the "
							"server allows one login every %d seconds",
			    s->caps.login_delay);
		else
			words = "[LOGIN-DELAY] logged in too soon after the last login; wait "
				"before trying again";
		break;
	case POP3_RESP_SYS_TEMP:
		code = POP3_ERROR_SYS_TEMP;
		words = "[SYS/TEMP] the server has a temporary problem; try again later";
		break;
	case POP3_RESP_SYS_PERM:
		code = POP3_ERROR_SYS_PERM;
		words = "[SYS/PERM] the server has a lasting problem; ask its administrator";
		break;
	case POP3_RESP_AUTH:
		code = POP3_ERROR_AUTH;
		words = "[AUTH] the user name or password was not accepted";
		break;
	default:
		break;
	}
	if (text[0] != '\0')
		g_set_error(error, POP3_ERROR, code, "%s: %s; the server said: \"%s\"", what, words,
		    text);
	else
		g_set_error(error, POP3_ERROR, code, "%s: %s", what, words);
	g_free(delay);
	g_free(text);
}

/* Check that S may run a command now: alive, in state A or B, not aborted. */
static bool
pop3_ready(struct pop3_session *s, enum pop3_state a, enum pop3_state b, const char *what,
    GError **error)
{
	if (s->state == POP3_STATE_DEAD) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_IO,
		    "%s: the connection to %s is closed after an earlier error", what, s->host);
		return false;
	}
	if (s->abort != NULL && *s->abort != 0)
		return pop3_fail(s, error, POP3_ERROR_ABORT, "%s: cancelled", what);
	if (s->state != a && s->state != b) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "%s: not possible in state %s", what, pop3_state_names[s->state]);
		return false;
	}
	return true;
}

/* Queue the command CMD (no CRLF) in the batch; TRACE_AS is what the trace shows (NULL: CMD). */
static void
pop3_queue(struct pop3_session *s, const char *cmd, const char *trace_as)
{
	g_string_append(s->out, cmd);
	g_string_append(s->out, "\r\n");
	s->commands++;
	pop3_trace(s, 'C', trace_as != NULL ? trace_as : cmd);
}

/* Send the batch with one write, zero it (it may have held a secret) and empty it. */
static bool
pop3_flush(struct pop3_session *s, GError **error)
{
	GError *e = NULL;
	bool ok = net_write(s->conn, s->out->str, s->out->len, &e);

	OPENSSL_cleanse(s->out->str, s->out->len);
	g_string_truncate(s->out, 0);
	if (!ok)
		return pop3_fail_net(s, e, error);
	return true;
}

/* Send one command now. */
static bool
pop3_send(struct pop3_session *s, const char *cmd, const char *trace_as, GError **error)
{
	pop3_queue(s, cmd, trace_as);
	return pop3_flush(s, error);
}

/* Read one line of at most MAX bytes. */
static bool
pop3_read_line(struct pop3_session *s, size_t max, const char **line, size_t *len,
    GError **error)
{
	GError *e = NULL;

	if (!net_read_line(s->conn, max, line, len, &e)) {
		if (e->domain == NET_ERROR && e->code == NET_ERROR_TOO_LONG) {
			g_error_free(e);
			return pop3_fail(s, error, POP3_ERROR_PROTOCOL,
			    "%s sent a line longer than %zu bytes", s->host, max);
		}
		return pop3_fail_net(s, e, error);
	}
	return true;
}

/*
 * Read the status line of the reply to WHAT into ST (pointing into the
 * connection's buffer until the next read); with ALLOW_CONT a SASL
 * challenge is a status too.  The whole reply (status, lines or body) must
 * arrive within the timeout plus what ANNOUNCED bytes (or more, once sent)
 * take at the slowest honest rate: a server that trickles cannot hold the
 * fetch, and the account's lock, for ever.
 */
static bool
pop3_read_reply(struct pop3_session *s, const char *what, bool allow_cont, uint64_t announced,
    struct pop3_status *st, GError **error)
{
	const char *line;
	size_t len;
	char *q;

	net_reply_begin(s->conn, announced);
	if (!pop3_read_line(s, POP3_MAX_LINE, &line, &len, error))
		return false;
	pop3_trace_server(s, line, len);
	if (!pop3_parse_status(line, len, allow_cont, st)) {
		q = pop3_server_quote(s, line, len);
		pop3_fail(s, error, POP3_ERROR_PROTOCOL,
		    "%s: the server's reply is not +OK or -ERR: \"%s\"", what, q);
		g_free(q);
		return false;
	}
	return true;
}

/* pop3_read_reply for a reply of no announced size. */
static bool
pop3_read_status(struct pop3_session *s, const char *what, bool allow_cont,
    struct pop3_status *st, GError **error)
{
	return pop3_read_reply(s, what, allow_cont, 0, st, error);
}

/*
 * Read the lines of a multi-line reply to WHAT up to its ".", calling LINE_FN
 * on each unstuffed line; at most MAX_LINES lines.
 */
static bool
pop3_read_multi(struct pop3_session *s, const char *what, size_t max_lines,
    bool (*line_fn)(struct pop3_session *, const char *, size_t, void *, GError **),
    void *data, GError **error)
{
	const char *line;
	size_t len, n = 0;

	for (;;) {
		if (!pop3_read_line(s, POP3_MAX_LINE, &line, &len, error))
			return false;
		pop3_trace_server(s, line, len);
		if (pop3_unstuff_line(&line, &len))
			return true;
		if (++n > max_lines)
			return pop3_fail(s, error, POP3_ERROR_PROTOCOL,
			    "%s: the server sent more than %zu lines", what, max_lines);
		if (!line_fn(s, line, len, data, error))
			return pop3_die(s);
	}
}

/* Take one CAPA line into the session's caps. */
static bool
pop3_capa_line(struct pop3_session *s, const char *line, size_t len, void *data, GError **error)
{
	pop3_caps_parse_line(&s->caps, line, len, &s->caps_per_user);
	return true;
}

/* CAPA: what the server can do (-ERR means nothing is known); then state NEXT. */
static bool
pop3_capa(struct pop3_session *s, enum pop3_state next, GError **error)
{
	struct pop3_status st;

	pop3_caps_clear(&s->caps);
	s->caps_per_user = false;
	pop3_set_state(s, POP3_STATE_CAPA);
	if (!pop3_send(s, "CAPA", NULL, error) || !pop3_read_status(s, "CAPA", false, &st, error))
		return false;
	if (st.kind == POP3_STATUS_OK) {
		s->caps.capa = true;
		if (!pop3_read_multi(s, "CAPA", POP3_MAX_CAPA, pop3_capa_line, NULL, error))
			return false;
	}
	pop3_set_state(s, next);
	return true;
}

/* Read and check the greeting; remember it and its APOP timestamp. */
static bool
pop3_greeting_read(struct pop3_session *s, GError **error)
{
	struct pop3_status st;
	const char *line;
	size_t len;
	char *q;
	GError *e = NULL;

	pop3_set_state(s, POP3_STATE_GREETING);
	net_reply_begin(s->conn, 0);
	if (!net_read_line(s->conn, POP3_MAX_GREETING, &line, &len, &e)) {
		if (e->domain == NET_ERROR && e->code == NET_ERROR_TOO_LONG) {
			g_error_free(e);
			return pop3_fail(s, error, POP3_ERROR_PROTOCOL,
			    "%s: the greeting is longer than %d bytes: is this a POP3 server?",
			    s->host, POP3_MAX_GREETING);
		}
		if (e->domain == NET_ERROR && e->code == NET_ERROR_TIMEOUT &&
		    s->tls != POP3_TLS_IMPLICIT) {
			/* the classic: a POP3S port waits for our TLS hello */
			pop3_fail(s, error, POP3_ERROR_TIMEOUT,
			    "%s (no greeting: a port that expects TLS first, such as 995, needs "
			    "tls = \"implicit\")",
			    e->message);
			g_error_free(e);
			return false;
		}
		return pop3_fail_net(s, e, error);
	}
	pop3_trace_server(s, line, len);
	if (!pop3_parse_status(line, len, false, &st)) {
		q = pop3_quote(line, len);
		pop3_fail(s, error, POP3_ERROR_PROTOCOL,
		    "%s does not greet like a POP3 server: \"%s\"", s->host, q);
		g_free(q);
		return false;
	}
	if (st.kind == POP3_STATUS_ERR) {
		q = g_strdup_printf("%s refused the connection", s->host);
		pop3_set_err_reply(s, error, q, &st, POP3_ERROR_SERVER, "the greeting was -ERR");
		g_free(q);
		return pop3_die(s);
	}
	s->greeting = pop3_quote(st.text, st.text_len);
	s->apop_timestamp = sasl_apop_timestamp(st.text, st.text_len);
	return true;
}

/* Handshake TLS on the connection (implicit, or after STLS). */
static bool
pop3_start_tls(struct pop3_session *s, const struct pop3_open_options *o, GError **error)
{
	struct tls_options to = { o->host, o->ca_file, o->fingerprint };
	const struct tls_info *info;
	GError *e = NULL;

	pop3_set_state(s, POP3_STATE_TLS);
	if (!net_start_tls(s->conn, &to, &e))
		return pop3_fail_net(s, e, error);
	info = tls_conn_info(net_tls(s->conn));
	if (info != NULL) {
		s->tls_info.protocol = g_strdup(info->protocol);
		s->tls_info.cipher = g_strdup(info->cipher);
		s->tls_info.subject = g_strdup(info->subject);
		s->tls_info.issuer = g_strdup(info->issuer);
		s->tls_info.not_before = g_strdup(info->not_before);
		s->tls_info.not_after = g_strdup(info->not_after);
		s->tls_info.fingerprint = g_strdup(info->fingerprint);
		s->have_tls_info = true;
		if (s->trace != NULL) {
			char *note = g_strdup_printf("%s %s, certificate %s, %s", info->protocol,
			    info->cipher, info->subject, info->fingerprint);

			pop3_trace(s, '*', note);
			g_free(note);
		}
	}
	return true;
}

/* STLS (RFC 2595): refuse when it is not offered; drop what came before the handshake. */
static bool
pop3_stls(struct pop3_session *s, const struct pop3_open_options *o, GError **error)
{
	struct pop3_status st;
	size_t dropped;
	char *note;

	if (!s->caps.stls)
		return pop3_fail(s, error, POP3_ERROR_INSECURE,
		    "%s does not offer STLS, and tls = starttls: refusing to go on without TLS "
		    "(nothing was sent)",
		    s->host);
	pop3_set_state(s, POP3_STATE_STLS);
	if (!pop3_send(s, "STLS", NULL, error) || !pop3_read_status(s, "STLS", false, &st, error))
		return false;
	if (st.kind != POP3_STATUS_OK) {
		char *what = g_strdup_printf("%s: STLS", s->host);

		pop3_set_err_reply(s, error, what, &st, POP3_ERROR_TLS, "the server refused TLS");
		g_free(what);
		return pop3_die(s);
	}
	/* CVE-2020-14954: nothing read before the handshake may count as after it. */
	dropped = net_drop_buffered(s->conn);
	if (dropped > 0) {
		note = g_strdup_printf("dropped %zu bytes the server sent before the TLS handshake",
		    dropped);
		pop3_trace(s, '*', note);
		g_free(note);
	}
	return pop3_start_tls(s, o, error);
}

/* Set up a session on CONN (taken) and run the opening of pop3.h's call order. */
static struct pop3_session *
pop3_open_conn(struct net_conn *conn, const struct pop3_open_options *o, GError **error)
{
	struct pop3_session *s = g_new0(struct pop3_session, 1);

	s->state = POP3_STATE_CONNECT;
	s->conn = conn;
	s->host = g_strdup(o->host);
	s->port = o->port;
	s->tls = o->tls;
	s->pipelining = o->pipelining;
	s->trace = o->trace;
	s->trace_data = o->trace_data;
	s->abort = o->abort;
	s->out = g_string_sized_new(1024);
	pop3_caps_init(&s->caps);
	pop3_body_init(&s->body, POP3_MAX_MESSAGE);
	if (o->tls == POP3_TLS_IMPLICIT && !pop3_start_tls(s, o, error))
		goto fail;
	if (!pop3_greeting_read(s, error) || !pop3_capa(s, POP3_STATE_AUTHORIZATION, error))
		goto fail;
	if (o->tls == POP3_TLS_STARTTLS &&
	    (!pop3_stls(s, o, error) || !pop3_capa(s, POP3_STATE_AUTHORIZATION, error)))
		goto fail;
	return s;
fail:
	pop3_session_free(s);
	return NULL;
}

struct pop3_session *
pop3_open(const struct pop3_open_options *options, GError **error)
{
	GError *e = NULL;
	struct net_conn *conn;
	int code;

	conn = net_connect(options->host, options->port, options->timeout, options->abort, &e);
	if (conn == NULL) {
		code = e->code == NET_ERROR_TIMEOUT ? POP3_ERROR_TIMEOUT :
		    e->code == NET_ERROR_ABORT	    ? POP3_ERROR_ABORT :
						      POP3_ERROR_IO;
		g_set_error_literal(error, POP3_ERROR, code, e->message);
		g_error_free(e);
		return NULL;
	}
	return pop3_open_conn(conn, options, error);
}

struct pop3_session *
pop3_open_fd(int fd, const struct pop3_open_options *options, GError **error)
{
	char *name = g_strdup_printf("%s:%d", options->host, options->port);
	struct net_conn *conn = net_conn_new_fd(fd, name, options->timeout, options->abort);

	g_free(name);
	return pop3_open_conn(conn, options, error);
}

void
pop3_session_free(struct pop3_session *s)
{
	if (s == NULL)
		return;
	net_conn_free(s->conn);
	pop3_caps_clear(&s->caps);
	g_free(s->tls_info.protocol);
	g_free(s->tls_info.cipher);
	g_free(s->tls_info.subject);
	g_free(s->tls_info.issuer);
	g_free(s->tls_info.not_before);
	g_free(s->tls_info.not_after);
	g_free(s->tls_info.fingerprint);
	g_free(s->greeting);
	g_free(s->apop_timestamp);
	g_free(s->host);
	g_free(s->list_sizes);
	pop3_body_clear(&s->body);
	OPENSSL_cleanse(s->out->str, s->out->allocated_len);
	g_string_free(s->out, TRUE);
	g_free(s);
}

const struct pop3_caps *
pop3_caps(const struct pop3_session *s)
{
	return &s->caps;
}

const struct pop3_tls_info *
pop3_tls_info(const struct pop3_session *s)
{
	return s->have_tls_info ? &s->tls_info : NULL;
}

const char *
pop3_greeting(const struct pop3_session *s)
{
	return s->greeting;
}

const char *
pop3_auth_used(const struct pop3_session *s)
{
	return s->auth_used;
}

void
pop3_get_stats(const struct pop3_session *s, struct pop3_stats *stats)
{
	struct net_stats ns;

	net_get_stats(s->conn, &ns);
	stats->bytes_in = ns.bytes_in;
	stats->bytes_out = ns.bytes_out;
	stats->writes = ns.writes;
	stats->commands = s->commands;
}

/* The login methods auth = auto may pick, strongest first. */
static const struct {
	enum sasl_mech mech;
	const char *name;
} pop3_auto_mechs[] = {
	{ SASL_SCRAM_SHA_256, "SCRAM-SHA-256" },
	{ SASL_SCRAM_SHA_1, "SCRAM-SHA-1" },
	{ SASL_PLAIN, "PLAIN" },
	{ SASL_LOGIN, "LOGIN" },
};

/* The -ERR to a login step: [AUTH] and the other codes, else "not accepted". */
static bool
pop3_login_refused(struct pop3_session *s, const char *mech, const char *user,
    const struct pop3_status *st, GError **error)
{
	char *what = g_strdup_printf("%s: login as %s (%s)", s->host, user, mech);

	pop3_set_err_reply(s, error, what, st, POP3_ERROR_AUTH,
	    "the user name or password was not accepted");
	g_free(what);
	pop3_set_state(s, POP3_STATE_AUTHORIZATION);
	return false;
}

/* Read the reply to a USER, PASS or APOP command; false with ERROR on -ERR. */
static bool
pop3_login_reply(struct pop3_session *s, const char *mech, const char *user, GError **error)
{
	struct pop3_status st;

	if (!pop3_read_status(s, mech, false, &st, error))
		return false;
	if (st.kind == POP3_STATUS_ERR)
		return pop3_login_refused(s, mech, user, &st, error);
	return true;
}

/* USER and PASS (RFC 1939). */
static bool
pop3_login_user(struct pop3_session *s, const char *user, const char *secret, GError **error)
{
	char *cmd;
	bool ok;

	cmd = g_strconcat("USER ", user, NULL);
	ok = pop3_send(s, cmd, NULL, error) && pop3_login_reply(s, "USER", user, error);
	g_free(cmd);
	if (!ok)
		return false;
	cmd = g_strconcat("PASS ", secret, NULL);
	ok = pop3_send(s, cmd, "PASS " POP3_REDACTED, error);
	OPENSSL_cleanse(cmd, strlen(cmd));
	g_free(cmd);
	return ok && pop3_login_reply(s, "USER", user, error);
}

/* APOP (RFC 1939 section 7), with the greeting's timestamp validated. */
static bool
pop3_login_apop(struct pop3_session *s, const char *user, const char *secret, GError **error)
{
	char digest[33], *cmd, *shown;
	bool ok;

	if (s->apop_timestamp == NULL) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
		    "%s: the greeting has no valid APOP timestamp (\"<...@...>\"), so APOP "
		    "cannot be used",
		    s->host);
		pop3_set_state(s, POP3_STATE_AUTHORIZATION);
		return false;
	}
	sasl_apop_digest(s->apop_timestamp, secret, digest);
	cmd = g_strconcat("APOP ", user, " ", digest, NULL);
	shown = g_strconcat("APOP ", user, " " POP3_REDACTED, NULL);
	ok = pop3_send(s, cmd, shown, error);
	OPENSSL_cleanse(cmd, strlen(cmd));
	OPENSSL_cleanse(digest, sizeof digest);
	g_free(cmd);
	g_free(shown);
	return ok && pop3_login_reply(s, "APOP", user, error);
}

/* True when TEXT (LEN bytes) is well-formed base64 (RFC 4648, padded). */
static bool
pop3_is_base64(const char *text, size_t len)
{
	size_t i, pad = 0;

	if (len % 4 != 0)
		return false;
	for (i = 0; i < len; i++) {
		if (text[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || !(g_ascii_isalnum(text[i]) || text[i] == '+' || text[i] == '/'))
			return false;
	}
	return pad <= 2;
}

/* Send the SASL response OUT (LEN bytes) base64-encoded; the trace shows it redacted. */
static bool
pop3_sasl_respond(struct pop3_session *s, const unsigned char *out, size_t len, GError **error)
{
	char *b64 = len > 0 ? g_base64_encode(out, len) : g_strdup("");
	bool ok = pop3_send(s, b64, len > 0 ? POP3_REDACTED : "", error);

	OPENSSL_cleanse(b64, strlen(b64));
	g_free(b64);
	return ok;
}

/* Cancel a SASL exchange ("*", RFC 5034) after CAUSE; read the -ERR and fail. */
static bool
pop3_sasl_cancel(struct pop3_session *s, GError *cause, GError **error)
{
	struct pop3_status st;
	int code = cause->code == SASL_ERROR_PROTOCOL ? POP3_ERROR_PROTOCOL : POP3_ERROR_AUTH;

	if (pop3_send(s, "*", NULL, NULL))
		(void)pop3_read_status(s, "AUTH", true, &st, NULL);
	g_set_error(error, POP3_ERROR, code, "%s: %s", s->host, cause->message);
	g_error_free(cause);
	/* After a broken exchange the server's state is unknown. */
	return pop3_die(s);
}

/*
 * AUTH with MECH (RFC 5034): the initial response on the command line when
 * the server is known (CAPA) and the line stays within 255 octets; XOAUTH2
 * always in two steps.  With no CAPA, a -ERR to the bare command means the
 * mechanism is not supported.
 */
static bool
pop3_login_sasl(struct pop3_session *s, enum sasl_mech mech, const char *user, const char *secret,
    GError **error)
{
	struct sasl *sasl = sasl_new(mech, user, secret, s->host, s->port);
	const char *name = sasl_mech_name(mech);
	const unsigned char *out;
	size_t out_len;
	struct pop3_status st;
	GString *cmd = g_string_new("AUTH ");
	char *b64 = NULL, *shown = NULL;
	bool sent_ir = false, ok = false, two_step = mech == SASL_XOAUTH2 || !s->caps.capa;
	int round;
	GError *e = NULL;

	g_string_append(cmd, name);
	shown = g_strdup(cmd->str);
	if (!two_step && sasl_initial(sasl, &out, &out_len)) {
		b64 = out_len > 0 ? g_base64_encode(out, out_len) : g_strdup("=");
		if (cmd->len + 1 + strlen(b64) + 2 <= POP3_MAX_AUTH) {
			g_string_append_printf(cmd, " %s", b64);
			g_free(shown);
			shown = g_strconcat("AUTH ", name, " " POP3_REDACTED, NULL);
			sent_ir = true;
		}
		OPENSSL_cleanse(b64, strlen(b64));
	}
	ok = pop3_send(s, cmd->str, shown, error);
	OPENSSL_cleanse(cmd->str, cmd->len);
	if (!ok)
		goto out;
	ok = false;
	for (round = 0;; round++) {
		if (!pop3_read_status(s, "AUTH", true, &st, error))
			goto out;
		if (st.kind == POP3_STATUS_OK) {
			if (!sasl_finish(sasl, &e)) {
				g_set_error(error, POP3_ERROR, POP3_ERROR_AUTH, "%s: %s", s->host,
				    e->message);
				g_error_free(e);
				/* logged in to a server that could not prove itself: leave */
				pop3_die(s);
				goto out;
			}
			ok = true;
			goto out;
		}
		if (st.kind == POP3_STATUS_ERR) {
			if (round == 0 && !sent_ir && !s->caps.capa && st.code == POP3_RESP_NONE) {
				char *q = pop3_server_quote(s, st.text, st.text_len);

				g_set_error(error, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
				    "%s does not support AUTH %s; the server said: \"%s\"", s->host,
				    name, q);
				g_free(q);
				pop3_set_state(s, POP3_STATE_AUTHORIZATION);
			} else if (sasl_server_error(sasl) != NULL &&
			    (st.code == POP3_RESP_NONE || st.code == POP3_RESP_AUTH)) {
				/* the OAuth JSON says more than [AUTH] does */
				struct pop3_status plain = st;
				char *q = pop3_server_quote(s, sasl_server_error(sasl),
				    strlen(sasl_server_error(sasl)));
				char *what = g_strdup_printf("%s: login as %s (%s)", s->host, user,
				    name);
				char *words = g_strdup_printf("%sthe token was not accepted (%s)",
				    st.code == POP3_RESP_AUTH ? "[AUTH] " : "", q);

				plain.code = POP3_RESP_NONE;
				pop3_set_err_reply(s, error, what, &plain, POP3_ERROR_AUTH, words);
				pop3_set_state(s, POP3_STATE_AUTHORIZATION);
				g_free(q);
				g_free(what);
				g_free(words);
			} else {
				pop3_login_refused(s, name, user, &st, error);
			}
			goto out;
		}
		if (round >= POP3_MAX_ROUNDS) {
			pop3_fail(s, error, POP3_ERROR_PROTOCOL,
			    "%s: AUTH %s: the server sent more than %d challenges", s->host, name,
			    POP3_MAX_ROUNDS);
			goto out;
		}
		if (!pop3_is_base64(st.text, st.text_len)) {
			pop3_sasl_cancel(s,
			    g_error_new(SASL_ERROR, SASL_ERROR_PROTOCOL,
				"AUTH %s: the server's challenge is not base64", name),
			    error);
			goto out;
		}
		{
			char *text = g_strndup(st.text, st.text_len);
			gsize clen = 0;
			guchar *challenge = st.text_len > 0 ? g_base64_decode(text, &clen) :
							      (guchar *)g_strdup("");

			g_free(text);
			ok = sasl_step(sasl, challenge, clen, &out, &out_len, &e);
			g_free(challenge);
		}
		if (!ok) {
			pop3_sasl_cancel(s, e, error);
			goto out;
		}
		ok = pop3_sasl_respond(s, out, out_len, error);
		if (!ok)
			goto out;
		ok = false;
	}
out:
	g_free(b64);
	g_free(shown);
	g_string_free(cmd, TRUE);
	sasl_free(sasl);
	return ok;
}

/* The SASL mechanism for AUTH, or -1 for USER/PASS or APOP. */
static int
pop3_auth_mech(enum pop3_auth auth)
{
	switch (auth) {
	case POP3_AUTH_PLAIN:
		return SASL_PLAIN;
	case POP3_AUTH_LOGIN:
		return SASL_LOGIN;
	case POP3_AUTH_CRAM_MD5:
		return SASL_CRAM_MD5;
	case POP3_AUTH_SCRAM_SHA_1:
		return SASL_SCRAM_SHA_1;
	case POP3_AUTH_SCRAM_SHA_256:
		return SASL_SCRAM_SHA_256;
	case POP3_AUTH_XOAUTH2:
		return SASL_XOAUTH2;
	case POP3_AUTH_OAUTHBEARER:
		return SASL_OAUTHBEARER;
	default:
		return -1;
	}
}

/* The mechanisms CAPA offered, for messages (g_free). */
static char *
pop3_offered(const struct pop3_session *s)
{
	if (s->caps.sasl == NULL || s->caps.sasl[0] == NULL)
		return g_strdup(s->caps.user ? "USER" : "nothing");
	return g_strjoinv(" ", s->caps.sasl);
}

/* Choose the method for auth = auto; false with ERROR when none fits. */
static bool
pop3_auto_choose(struct pop3_session *s, bool cleartext_ok, enum pop3_auth *auth,
    GError **error)
{
	const char *skipped = NULL;
	char *offered;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(pop3_auto_mechs); i++) {
		if (!pop3_caps_has_sasl(&s->caps, pop3_auto_mechs[i].name))
			continue;
		if (sasl_mech_sends_secret(pop3_auto_mechs[i].mech) && !cleartext_ok) {
			if (skipped == NULL)
				skipped = pop3_auto_mechs[i].name;
			continue;
		}
		*auth = pop3_auto_mechs[i].mech == SASL_SCRAM_SHA_256 ? POP3_AUTH_SCRAM_SHA_256 :
		    pop3_auto_mechs[i].mech == SASL_SCRAM_SHA_1	      ? POP3_AUTH_SCRAM_SHA_1 :
		    pop3_auto_mechs[i].mech == SASL_PLAIN	      ? POP3_AUTH_PLAIN :
									POP3_AUTH_LOGIN;
		return true;
	}
	/* USER/PASS: offered, or nothing is known about the server */
	if (s->caps.user || !s->caps.capa) {
		if (cleartext_ok) {
			*auth = POP3_AUTH_USER;
			return true;
		}
		if (skipped == NULL)
			skipped = "USER";
	}
	if (skipped != NULL) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_INSECURE,
		    "%s offers only %s on a connection without TLS: refusing to send the "
		    "password in the clear (use tls = \"implicit\" or \"starttls\")",
		    s->host, skipped);
		return false;
	}
	offered = pop3_offered(s);
	g_set_error(error, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
	    "%s offers no login method surat can choose by itself (it offers: %s); set auth",
	    s->host, offered);
	g_free(offered);
	return false;
}

bool
pop3_login(struct pop3_session *s, enum pop3_auth auth, const char *user, const char *secret,
    bool allow_cleartext, GError **error)
{
	bool secure = net_tls(s->conn) != NULL, cleartext_ok = secure || allow_cleartext, ok;
	int mech;
	char *offered;

	if (!pop3_ready(s, POP3_STATE_AUTHORIZATION, POP3_STATE_AUTHORIZATION, "login", error))
		return false;
	if (user == NULL || secret == NULL || strpbrk(user, "\r\n") != NULL ||
	    strpbrk(secret, "\r\n") != NULL) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_AUTH,
		    "%s: the user name or password is missing or contains a line break", s->host);
		return false;
	}
	if (auth == POP3_AUTH_AUTO && !pop3_auto_choose(s, cleartext_ok, &auth, error))
		return false;
	mech = pop3_auth_mech(auth);
	if (!cleartext_ok &&
	    (auth == POP3_AUTH_USER || (mech >= 0 && sasl_mech_sends_secret(mech)))) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_INSECURE,
		    "%s: refusing to send the %s with %s on a connection without TLS (use tls = "
		    "\"implicit\" or \"starttls\")",
		    s->host, mech == SASL_XOAUTH2 || mech == SASL_OAUTHBEARER ? "token" : "password",
		    mech >= 0 ? sasl_mech_name(mech) : "USER");
		return false;
	}
	if (mech >= 0 && s->caps.capa && !pop3_caps_has_sasl(&s->caps, sasl_mech_name(mech))) {
		offered = pop3_offered(s);
		g_set_error(error, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
		    "%s does not offer %s (it offers: %s)", s->host, sasl_mech_name(mech), offered);
		g_free(offered);
		return false;
	}
	pop3_set_state(s, POP3_STATE_AUTH);
	s->login_secret = secret;
	if (auth == POP3_AUTH_USER) {
		ok = pop3_login_user(s, user, secret, error);
		s->auth_used = "USER";
	} else if (auth == POP3_AUTH_APOP) {
		ok = pop3_login_apop(s, user, secret, error);
		s->auth_used = "APOP";
	} else {
		ok = pop3_login_sasl(s, mech, user, secret, error);
		s->auth_used = sasl_mech_name(mech);
	}
	s->login_secret = NULL;
	if (!ok) {
		/*
		 * The server's text was scrubbed before it was cut and sanitized
		 * (pop3_server_text); this catches the secret in any other words.
		 */
		if (error != NULL && *error != NULL) {
			pop3_scrub(&(*error)->message, secret);
			pop3_scrub_login_words(&(*error)->message);
		}
		s->auth_used = NULL;
		return false;
	}
	pop3_set_state(s, POP3_STATE_TRANSACTION);
	/* LOGIN-DELAY and EXPIRE may be per user: ask again now (RFC 2449 6.5, 6.8). */
	if (s->caps_per_user && !pop3_capa(s, POP3_STATE_TRANSACTION, error))
		return false;
	return true;
}

/*
 * Send CMD and read the status of its reply (ANNOUNCED bytes expected in
 * all); -ERR sets ERROR (session alive).  ST gets the reply.
 */
static bool
pop3_simple(struct pop3_session *s, const char *cmd, uint64_t announced, struct pop3_status *st,
    GError **error)
{
	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, cmd, error) ||
	    !pop3_send(s, cmd, NULL, error) || !pop3_read_reply(s, cmd, false, announced, st, error))
		return false;
	if (st->kind == POP3_STATUS_ERR) {
		pop3_set_err_reply(s, error, cmd, st, POP3_ERROR_SERVER, "the server refused");
		return false;
	}
	return true;
}

bool
pop3_stat(struct pop3_session *s, unsigned int *count, uint64_t *size, GError **error)
{
	struct pop3_status st;

	if (!pop3_simple(s, "STAT", 0, &st, error))
		return false;
	if (!pop3_parse_stat(st.text, st.text_len, count, size, error))
		return pop3_die(s);
	s->stat_known = true;
	s->stat_count = *count;
	return true;
}

/* Free MSG's string (NULL-safe for the GArray clear function). */
void
pop3_msg_clear(struct pop3_msg *msg)
{
	g_free(msg->uidl);
	msg->uidl = NULL;
}

/* Empty MSGS, freeing its strings whether or not it has a clear function. */
static void
pop3_msgs_empty(GArray *msgs)
{
	guint i;

	for (i = 0; i < msgs->len; i++)
		pop3_msg_clear(&g_array_index(msgs, struct pop3_msg, i));
	g_array_set_size(msgs, 0);
}

/* What a UIDL or LIST listing is expected to hold, for its deadline. */
static uint64_t
pop3_listing_size(const struct pop3_session *s)
{
	return s->stat_known ? (uint64_t)s->stat_count * POP3_LISTING_LINE : 0;
}

/* Remember the sizes LIST announced, so each RETR and TOP gets its deadline. */
static void
pop3_keep_sizes(struct pop3_session *s, GArray *msgs)
{
	guint i;

	g_free(s->list_sizes);
	s->list_sizes_n = s->stat_count + 1;
	s->list_sizes = g_new0(guint32, s->list_sizes_n);
	for (i = 0; i < msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(msgs, struct pop3_msg, i);

		if (m->num < s->list_sizes_n)
			s->list_sizes[m->num] = (guint32)MIN(m->size, (uint64_t)G_MAXUINT32);
	}
}

/* The size LIST announced for message NUM, or 0. */
static uint64_t
pop3_announced(const struct pop3_session *s, unsigned int num)
{
	return num < s->list_sizes_n ? s->list_sizes[num] : 0;
}

/* What pop3_uidl_line collects. */
struct pop3_uidl_ctx {
	GArray *msgs;
	GHashTable *seen; /* uidl -> num, borrowed from MSGS */
};

/* Check a message number NUM against STAT's count. */
static bool
pop3_num_in_range(struct pop3_session *s, const char *what, unsigned int num, GError **error)
{
	if (s->stat_known && num > s->stat_count) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "%s: message %u is beyond the %u messages STAT reported", what, num,
		    s->stat_count);
		return false;
	}
	return true;
}

/* Take one UIDL line. */
static bool
pop3_uidl_line(struct pop3_session *s, const char *line, size_t len, void *data, GError **error)
{
	struct pop3_uidl_ctx *ctx = data;
	struct pop3_msg m = { 0 };
	char uidl[POP3_MAX_UIDL + 1];
	gpointer prev;

	if (!pop3_parse_uidl_line(line, len, &m.num, uidl, error) ||
	    !pop3_num_in_range(s, "UIDL", m.num, error))
		return false;
	if (g_hash_table_lookup_extended(ctx->seen, uidl, NULL, &prev)) {
		char *q = pop3_quote(uidl, strlen(uidl));

		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "UIDL: messages %u and %u have the same unique id \"%s\"",
		    GPOINTER_TO_UINT(prev), m.num, q);
		g_free(q);
		return false;
	}
	m.uidl = g_strdup(uidl);
	g_array_append_val(ctx->msgs, m);
	g_hash_table_insert(ctx->seen, m.uidl, GUINT_TO_POINTER(m.num));
	return true;
}

/* Compare two struct pop3_msg by number. */
static gint
pop3_msg_cmp(gconstpointer a, gconstpointer b)
{
	const struct pop3_msg *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/*
 * Put MSGS in message-number order (RFC 1939 fixes no order for a listing)
 * and fail when a number repeats.  Already ordered: one pass, no sort.
 */
static bool
pop3_msgs_sort(GArray *msgs, const char *what, GError **error)
{
	guint i;

	for (i = 1; i < msgs->len; i++)
		if (g_array_index(msgs, struct pop3_msg, i - 1).num >=
		    g_array_index(msgs, struct pop3_msg, i).num)
			break;
	if (i >= msgs->len)
		return true;
	g_array_sort(msgs, pop3_msg_cmp);
	for (i = 1; i < msgs->len; i++) {
		if (g_array_index(msgs, struct pop3_msg, i - 1).num ==
		    g_array_index(msgs, struct pop3_msg, i).num) {
			g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
			    "%s: message %u is listed twice", what,
			    g_array_index(msgs, struct pop3_msg, i).num);
			return false;
		}
	}
	return true;
}

bool
pop3_uidl(struct pop3_session *s, GArray *msgs, GError **error)
{
	struct pop3_uidl_ctx ctx = { msgs, NULL };
	struct pop3_status st;
	bool ok;

	pop3_msgs_empty(msgs);
	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, "UIDL", error) ||
	    !pop3_send(s, "UIDL", NULL, error) ||
	    !pop3_read_reply(s, "UIDL", false, pop3_listing_size(s), &st, error))
		return false;
	if (st.kind == POP3_STATUS_ERR) {
		pop3_set_err_reply(s, error, "UIDL", &st, POP3_ERROR_UNSUPPORTED,
		    "the server does not support UIDL");
		return false;
	}
	ctx.seen = g_hash_table_new(g_str_hash, g_str_equal);
	ok = pop3_read_multi(s, "UIDL", POP3_MAX_MESSAGES, pop3_uidl_line, &ctx, error) &&
	    pop3_msgs_sort(msgs, "UIDL", error);
	g_hash_table_destroy(ctx.seen);
	if (!ok) {
		pop3_msgs_empty(msgs);
		return pop3_die(s);
	}
	return true;
}

/* What pop3_list_line updates. */
struct pop3_list_ctx {
	GArray *msgs;
	guint pos;          /* where the next number is expected */
	GHashTable *index;  /* num -> position + 1, built on the first miss */
	GHashTable *listed; /* numbers seen in this LIST */
};

/* Take one LIST line. */
static bool
pop3_list_line(struct pop3_session *s, const char *line, size_t len, void *data, GError **error)
{
	struct pop3_list_ctx *ctx = data;
	struct pop3_msg m = { 0 }, *at = NULL;
	guint i;

	if (!pop3_parse_list_line(line, len, &m.num, &m.size, error) ||
	    !pop3_num_in_range(s, "LIST", m.num, error))
		return false;
	if (g_hash_table_contains(ctx->listed, GUINT_TO_POINTER(m.num))) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "LIST: message %u is listed twice", m.num);
		return false;
	}
	g_hash_table_add(ctx->listed, GUINT_TO_POINTER(m.num));
	if (ctx->pos < ctx->msgs->len &&
	    g_array_index(ctx->msgs, struct pop3_msg, ctx->pos).num == m.num) {
		at = &g_array_index(ctx->msgs, struct pop3_msg, ctx->pos);
	} else {
		if (ctx->index == NULL) {
			ctx->index = g_hash_table_new(g_direct_hash, g_direct_equal);
			for (i = 0; i < ctx->msgs->len; i++)
				g_hash_table_insert(ctx->index,
				    GUINT_TO_POINTER(g_array_index(ctx->msgs, struct pop3_msg, i).num),
				    GUINT_TO_POINTER(i + 1));
		}
		i = GPOINTER_TO_UINT(g_hash_table_lookup(ctx->index, GUINT_TO_POINTER(m.num)));
		if (i > 0) {
			at = &g_array_index(ctx->msgs, struct pop3_msg, i - 1);
			ctx->pos = i - 1;
		}
	}
	if (at != NULL) {
		at->size = m.size;
	} else {
		g_array_append_val(ctx->msgs, m);
		ctx->pos = ctx->msgs->len - 1;
		if (ctx->index != NULL)
			g_hash_table_insert(ctx->index, GUINT_TO_POINTER(m.num),
			    GUINT_TO_POINTER(ctx->msgs->len));
	}
	ctx->pos++;
	return true;
}

bool
pop3_list(struct pop3_session *s, GArray *msgs, GError **error)
{
	struct pop3_list_ctx ctx = { msgs, 0, NULL, NULL };
	struct pop3_status st;
	bool ok;

	if (!pop3_simple(s, "LIST", pop3_listing_size(s), &st, error))
		return false;
	ctx.listed = g_hash_table_new(g_direct_hash, g_direct_equal);
	ok = pop3_read_multi(s, "LIST", POP3_MAX_MESSAGES, pop3_list_line, &ctx, error) &&
	    pop3_msgs_sort(msgs, "LIST", error);
	if (ok && s->stat_known)
		pop3_keep_sizes(s, msgs);
	if (ctx.index != NULL)
		g_hash_table_destroy(ctx.index);
	g_hash_table_destroy(ctx.listed);
	return ok ? true : pop3_die(s);
}

/*
 * Read one message body into s->body; the trace gets its size.  With PIECE,
 * every POP3_PIECE bytes decoded are handed to it (LAST false) and the
 * buffer emptied, so a large message never sits in memory whole; what is
 * left at the end stays in s->body for the caller's last call.
 */
static bool
pop3_read_body(struct pop3_session *s, unsigned int num, pop3_piece_fn piece, void *piece_data,
    GError **error)
{
	enum pop3_body_result r;
	const char *data;
	size_t len, used;
	char note[64];
	GError *e = NULL;

	pop3_body_reset(&s->body);
	for (;;) {
		if (!net_peek(s->conn, &data, &len, &e))
			return pop3_fail_net(s, e, error);
		r = pop3_body_feed(&s->body, data, len, &used);
		net_consume(s->conn, used);
		if (r == POP3_BODY_DONE)
			break;
		if (r == POP3_BODY_TOO_BIG)
			return pop3_fail(s, error, POP3_ERROR_PROTOCOL,
			    "message %u is larger than %d MB, more than surat accepts", num,
			    POP3_MAX_MESSAGE / (1024 * 1024));
		if (piece != NULL && s->body.len >= POP3_PIECE) {
			if (!piece(piece_data, num, s->body.data, s->body.len, false, error))
				return pop3_die(s);
			pop3_body_flush(&s->body);
		}
	}
	if (s->trace != NULL) {
		g_snprintf(note, sizeof note, "<%zu octets>", s->body.flushed + s->body.len);
		pop3_trace(s, 'S', note);
	}
	return true;
}

/* How many commands may be in flight. */
static size_t
pop3_window(const struct pop3_session *s)
{
	return s->pipelining && s->caps.pipelining ? POP3_WINDOW : 1;
}

/*
 * Send the commands FMT NUMS[*sent..] (TOP adds LINES) to fill the window
 * while DONE are answered; one write for the batch.
 */
static bool
pop3_refill(struct pop3_session *s, const char *verb, int lines, const unsigned int *nums,
    size_t n, size_t *sent, size_t done, GError **error)
{
	size_t window = pop3_window(s), in_flight = *sent - done;
	char cmd[64];

	if (*sent == n || in_flight > window / 2)
		return true;
	while (*sent < n && *sent - done < window) {
		if (lines >= 0)
			g_snprintf(cmd, sizeof cmd, "%s %u %d", verb, nums[*sent], lines);
		else
			g_snprintf(cmd, sizeof cmd, "%s %u", verb, nums[*sent]);
		pop3_queue(s, cmd, NULL);
		(*sent)++;
	}
	return pop3_flush(s, error);
}

/* Check the caller's message numbers. */
static bool
pop3_nums_valid(struct pop3_session *s, const char *verb, const unsigned int *nums, size_t n,
    GError **error)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (nums[i] == 0 || nums[i] > POP3_MAX_MESSAGES) {
			g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
			    "%s: %u is not a message number", verb, nums[i]);
			return false;
		}
	}
	return true;
}

/*
 * RETR (LINES < 0) or TOP LINES for each of NUMS, pipelined when possible,
 * each message to FN whole or, when PIECE is set instead, in pieces.
 * A -ERR to one command is remembered and the others still run; it is
 * returned at the end with the session alive.
 */
static bool
pop3_fetch_many(struct pop3_session *s, const char *verb, int lines, const unsigned int *nums,
    size_t n, pop3_message_fn fn, pop3_piece_fn piece, void *data, GError **error)
{
	size_t sent = 0, done;
	struct pop3_status st;
	char what[64];
	GError *refused = NULL;
	bool top = lines >= 0;

	g_assert(fn != NULL || piece != NULL);
	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, verb, error) ||
	    !pop3_nums_valid(s, verb, nums, n, error))
		return false;
	if (top && s->caps.capa && !s->caps.top) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
		    "%s does not offer TOP", s->host);
		return false;
	}
	for (done = 0; done < n; done++) {
		if (s->abort != NULL && *s->abort != 0) {
			g_clear_error(&refused);
			return pop3_fail(s, error, POP3_ERROR_ABORT, "%s: cancelled", verb);
		}
		if (!pop3_refill(s, verb, lines, nums, n, &sent, done, error))
			goto dead;
		g_snprintf(what, sizeof what, "%s %u", verb, nums[done]);
		if (!pop3_read_reply(s, what, false, pop3_announced(s, nums[done]), &st, error))
			goto dead;
		if (st.kind == POP3_STATUS_ERR) {
			if (top && !s->caps.capa && !s->top_works) {
				char *q = pop3_quote(st.text, st.text_len);

				g_clear_error(&refused);
				g_set_error(&refused, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
				    "%s does not support TOP; the server said: \"%s\"", s->host, q);
				g_free(q);
			} else if (refused == NULL) {
				pop3_set_err_reply(s, &refused, what, &st, POP3_ERROR_SERVER,
				    "the server refused");
			}
			continue;
		}
		if (!pop3_read_body(s, nums[done], piece, data, error))
			goto dead;
		if (top)
			s->top_works = true;
		if (piece != NULL ? !piece(data, nums[done], s->body.data != NULL ? s->body.data : "",
			s->body.len, true, error) :
		    !fn(data, nums[done], s->body.data != NULL ? s->body.data : "", s->body.len,
			error)) {
			g_clear_error(&refused);
			return pop3_die(s);
		}
		if (s->body.cap > POP3_KEEP_BUFFER)
			pop3_body_clear(&s->body);
	}
	if (refused != NULL) {
		g_propagate_error(error, refused);
		return false;
	}
	return true;
dead:
	g_clear_error(&refused);
	return false;
}

bool
pop3_retr_many(struct pop3_session *s, const unsigned int *nums, size_t n, pop3_message_fn fn,
    void *data, GError **error)
{
	return pop3_fetch_many(s, "RETR", -1, nums, n, fn, NULL, data, error);
}

bool
pop3_top_many(struct pop3_session *s, const unsigned int *nums, size_t n, unsigned int lines,
    pop3_message_fn fn, void *data, GError **error)
{
	return pop3_fetch_many(s, "TOP", (int)MIN(lines, (unsigned int)G_MAXINT), nums, n, fn,
	    NULL, data, error);
}

bool
pop3_retr_pieces(struct pop3_session *s, const unsigned int *nums, size_t n, pop3_piece_fn fn,
    void *data, GError **error)
{
	return pop3_fetch_many(s, "RETR", -1, nums, n, NULL, fn, data, error);
}

bool
pop3_top_pieces(struct pop3_session *s, const unsigned int *nums, size_t n, unsigned int lines,
    pop3_piece_fn fn, void *data, GError **error)
{
	return pop3_fetch_many(s, "TOP", (int)MIN(lines, (unsigned int)G_MAXINT), nums, n, NULL,
	    fn, data, error);
}

bool
pop3_dele_many(struct pop3_session *s, const unsigned int *nums, size_t n, GError **error)
{
	size_t sent = 0, done;
	struct pop3_status st;
	char what[64];
	GError *refused = NULL;

	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, "DELE", error) ||
	    !pop3_nums_valid(s, "DELE", nums, n, error))
		return false;
	for (done = 0; done < n; done++) {
		if (s->abort != NULL && *s->abort != 0) {
			g_clear_error(&refused);
			return pop3_fail(s, error, POP3_ERROR_ABORT, "DELE: cancelled");
		}
		g_snprintf(what, sizeof what, "DELE %u", nums[done]);
		if (!pop3_refill(s, "DELE", -1, nums, n, &sent, done, error) ||
		    !pop3_read_status(s, what, false, &st, error)) {
			g_clear_error(&refused);
			return false;
		}
		if (st.kind == POP3_STATUS_ERR && refused == NULL)
			pop3_set_err_reply(s, &refused, what, &st, POP3_ERROR_SERVER,
			    "the server refused");
	}
	if (refused != NULL) {
		g_propagate_error(error, refused);
		return false;
	}
	return true;
}

bool
pop3_noop(struct pop3_session *s, GError **error)
{
	struct pop3_status st;

	return pop3_simple(s, "NOOP", 0, &st, error);
}

bool
pop3_rset(struct pop3_session *s, GError **error)
{
	struct pop3_status st;

	return pop3_simple(s, "RSET", 0, &st, error);
}

bool
pop3_quit(struct pop3_session *s, GError **error)
{
	struct pop3_status st;

	/* QUIT works before login too; never after an abort (pop3_ready refuses). */
	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_AUTHORIZATION, "QUIT", error))
		return false;
	pop3_set_state(s, POP3_STATE_QUIT);
	if (!pop3_send(s, "QUIT", NULL, error) || !pop3_read_status(s, "QUIT", false, &st, error))
		return false;
	if (st.kind == POP3_STATUS_ERR) {
		pop3_set_err_reply(s, error, "QUIT", &st, POP3_ERROR_SERVER,
		    "the server could not remove the deleted messages");
		return pop3_die(s);
	}
	pop3_set_state(s, POP3_STATE_CLOSED);
	return true;
}
