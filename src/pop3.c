/*
 * pop3: the POP3 client session (pop3.h has the call order): its state,
 * the commands and replies every other part goes through, the opening
 * (connect, TLS or STLS, greeting, CAPA), NOOP, RSET and QUIT.  Login is
 * pop3-auth.c's; the listings and the pipelined RETR, TOP and DELE are
 * pop3-transfer.c's; the three share pop3-private.h.
 *
 * One explicit state, changed only by pop3_set_state(), which notes every
 * change in the trace.  A reply is read with a capped line reader; message
 * bodies stream through the decoder of pop3-parse.c straight out of the
 * connection's buffer.
 *
 * What it must never do: send a secret before the configured TLS is up or
 * over a channel the caller did not allow, put a secret into the trace or an
 * error, send QUIT after a failure or abort, or trust a number, a length or
 * a string from the server without a cap.
 */
#include "pop3-private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "surat/net.h"
#include "surat/sanitize.h"
#include "surat/sasl.h"
#include "surat/tls.h"

#define POP3_MAX_TRACE   512 /* bytes of a server line shown in the trace */

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

void
pop3_trace(struct pop3_session *s, char direction, const char *line)
{
	if (s->trace != NULL)
		s->trace(s->trace_data, direction, line);
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
	    words && s->login_secret != NULL ? sanitize_secret_words() : NULL, 0, cut);
}

char *
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

void
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

bool
pop3_die(struct pop3_session *s)
{
	pop3_set_state(s, POP3_STATE_DEAD);
	return false;
}

bool
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

bool G_GNUC_PRINTF(4, 5)
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

void
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

bool
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

void
pop3_queue(struct pop3_session *s, const char *cmd, const char *trace_as)
{
	g_string_append(s->out, cmd);
	g_string_append(s->out, "\r\n");
	s->commands++;
	pop3_trace(s, 'C', trace_as != NULL ? trace_as : cmd);
}

bool
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

bool
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

bool
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

bool
pop3_read_status(struct pop3_session *s, const char *what, bool allow_cont,
    struct pop3_status *st, GError **error)
{
	return pop3_read_reply(s, what, allow_cont, 0, st, error);
}

bool
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

bool
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
	return pop3_open_fd(-1, options, error);
}

struct pop3_session *
pop3_open_fd(int fd, const struct pop3_open_options *options, GError **error)
{
	GError *e = NULL;
	struct net_conn *conn;
	int code;

	conn = net_open(fd, options->host, options->port, options->timeout, options->abort, &e);
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

bool
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
