/*
 * smtp: the SMTP submission client session (smtp.h has the call order).
 *
 * A reply is read with net.c's capped line reader: every line must carry
 * the same three-digit code, at most SMTP_MAX_REPLY_LINES of them.  The
 * text of a message is written in batches of about SMTP_CHUNK bytes, with
 * LF turned into CRLF and a leading dot doubled on the way; the final dot
 * goes in a write of its own, so a failure can tell "not sent" (the server
 * drops a transaction without its dot) from "sent, not answered", which
 * RFC 5321 section 4.1.1.4 leaves to the client.
 *
 * What it must never do: send a secret or an address before the configured
 * TLS is up, put a secret into the trace or an error, send a command built
 * from an address with a line break in it, or send part of a transaction
 * when a recipient was refused.
 */
#include "surat/smtp.h"

#include <stdarg.h>
#include <string.h>

#include <openssl/crypto.h>

#include "surat/net.h"
#include "surat/sanitize.h"
#include "surat/sasl.h"
#include "surat/tls.h"

G_DEFINE_QUARK(surat-smtp-error-quark, smtp_error)

#define SMTP_MAX_TRACE         512   /* bytes of a server line shown in the trace */
#define SMTP_MAX_REPLY_TEXT    16384 /* bytes of one reply's text kept */
#define SMTP_MAX_ROUNDS        16    /* challenges in one SASL exchange */
#define SMTP_MAX_AUTH_LINE     12288 /* RFC 4954 section 4: what servers must take */
#define SMTP_MAX_ADDRESS       512   /* an address in MAIL or RCPT */
#define SMTP_CHUNK             (64 * 1024)
#define SMTP_REDACTED          SANITIZE_REDACTED
#define SMTP_B64_START_MIN     4     /* letters of the secret's base64 taken for it, cut short */

struct smtp_session {
	bool dead;
	struct net_conn *conn;
	char *host;
	int port;
	char *helo;
	smtp_trace_fn trace;
	void *trace_data;
	volatile sig_atomic_t *abort;
	struct smtp_caps caps;
	char *greeting;
	char *tls_summary;
	const char *auth_used;   /* static string */
	const char *login_secret; /* during smtp_login only: scrubbed from server text */
	char *login_secret_b64;   /* and its base64, as AUTH LOGIN sends it */
	GString *out;            /* the command batch being built */
	unsigned int commands;
};

/* A reply: its code and its lines' text joined by ' ' (raw bytes, capped). */
struct smtp_reply {
	int code;
	GString *text;
};

static void
smtp_trace(struct smtp_session *s, char direction, const char *line)
{
	if (s->trace != NULL)
		s->trace(s->trace_data, direction, line);
}

/*
 * TEXT with every word of base64 letters that is the start of B64, the
 * secret's base64, redacted, from SMTP_B64_START_MIN letters (3 bytes of the
 * secret) up to the whole: a server that cuts its echo short ("535 bad
 * credentials (aHVudGVy...)") still shows most of the secret.
 */
static char *
smtp_scrub_b64_starts(const char *text, const char *b64)
{
	static const char letters[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	GString *out = g_string_sized_new(strlen(text));
	size_t whole = strlen(b64);
	const char *p = text;

	while (*p != '\0') {
		size_t n = strspn(p, letters);

		if (n == 0) {
			g_string_append_c(out, *p++);
			continue;
		}
		if (n >= SMTP_B64_START_MIN && n <= whole && strncmp(p, b64, n) == 0)
			g_string_append(out, SMTP_REDACTED);
		else
			g_string_append_len(out, p, (gssize)n);
		p += n;
	}
	return g_string_free(out, FALSE);
}

/* The server's TEXT (LEN bytes) fit for an error or the trace; *CUT tells whether it was cut. */
static char *
smtp_server_text(const struct smtp_session *s, const char *text, size_t len, size_t max,
    bool *cut)
{
	char *once, *twice, *out;

	if (s->login_secret == NULL)
		return sanitize_scrubbed(text, len, max, NULL, NULL, 0, cut);
	/*
	 * The secret in the raw bytes first (sanitizing may rewrite them), then its
	 * base64, whole or cut short: AUTH LOGIN sends that alone, and for a short
	 * password it is too short to be one of the secret words a server's echo
	 * is searched for.
	 */
	once = sanitize_scrubbed(text, len, SIZE_MAX, s->login_secret, NULL, 0, NULL);
	twice = smtp_scrub_b64_starts(once, s->login_secret_b64);
	out = sanitize_scrubbed(twice, strlen(twice), max, s->login_secret_b64,
	    sanitize_secret_words(), 0, cut);
	g_free(twice);
	g_free(once);
	return out;
}

/* The server's reply R quoted in an error: "550 5.1.1 no such user", scrubbed and capped. */
static char *
smtp_reply_quote(const struct smtp_session *s, const struct smtp_reply *r)
{
	bool cut;
	char *text = smtp_server_text(s, r->text->str, r->text->len, SMTP_MAX_QUOTE, &cut);
	char *q = g_strdup_printf("%d%s%s%s", r->code, text[0] != '\0' ? " " : "", text,
	    cut ? "..." : "");

	g_free(text);
	return q;
}

static bool
smtp_die(struct smtp_session *s)
{
	if (!s->dead)
		smtp_trace(s, '*', "the session is over");
	s->dead = true;
	return false;
}

/* Set ERROR to CODE (printf-style message) and end the session. */
static bool G_GNUC_PRINTF(4, 5)
smtp_fail(struct smtp_session *s, GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, SMTP_ERROR, code, msg);
	g_free(msg);
	return smtp_die(s);
}

/* An error of net.c or tls.c as an SMTP error; ends the session. */
static bool
smtp_fail_net(struct smtp_session *s, GError *in, GError **error)
{
	int code = SMTP_ERROR_IO;

	if (in->domain == NET_ERROR) {
		if (in->code == NET_ERROR_TIMEOUT)
			code = SMTP_ERROR_TIMEOUT;
		else if (in->code == NET_ERROR_ABORT)
			code = SMTP_ERROR_ABORT;
		else if (in->code == NET_ERROR_TOO_LONG)
			code = SMTP_ERROR_PROTOCOL;
	} else if (in->domain == TLS_ERROR) {
		code = in->code == TLS_ERROR_IO ? SMTP_ERROR_IO : SMTP_ERROR_TLS;
	}
	g_set_error_literal(error, SMTP_ERROR, code, in->message);
	g_error_free(in);
	return smtp_die(s);
}

/* Check that S may run WHAT now: alive and not aborted. */
static bool
smtp_ready(struct smtp_session *s, const char *what, GError **error)
{
	if (s->dead) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_IO,
		    "%s: the connection to %s is closed after an earlier error", what, s->host);
		return false;
	}
	if (s->abort != NULL && *s->abort != 0)
		return smtp_fail(s, error, SMTP_ERROR_ABORT, "%s: cancelled", what);
	return true;
}

/* Queue CMD (no CRLF) in the batch; TRACE_AS is what the trace shows (NULL: CMD). */
static void
smtp_queue(struct smtp_session *s, const char *cmd, const char *trace_as)
{
	g_string_append(s->out, cmd);
	g_string_append(s->out, "\r\n");
	s->commands++;
	smtp_trace(s, 'C', trace_as != NULL ? trace_as : cmd);
}

/* Send the batch with one write, zero it (it may have held a secret) and empty it. */
static bool
smtp_flush(struct smtp_session *s, GError **error)
{
	GError *e = NULL;
	bool ok = s->out->len == 0 || net_write(s->conn, s->out->str, s->out->len, &e);

	OPENSSL_cleanse(s->out->str, s->out->len);
	g_string_truncate(s->out, 0);
	return ok || smtp_fail_net(s, e, error);
}

static bool
smtp_command(struct smtp_session *s, const char *cmd, const char *trace_as, GError **error)
{
	smtp_queue(s, cmd, trace_as);
	return smtp_flush(s, error);
}

/* Trace a server line, scrubbed, sanitized and capped. */
static void
smtp_trace_server(struct smtp_session *s, const char *line, size_t len)
{
	char *clean;
	bool cut;

	if (s->trace == NULL)
		return;
	clean = smtp_server_text(s, line, len, SMTP_MAX_TRACE, &cut);
	if (cut) {
		char *more = g_strdup_printf("%s... (%zu bytes)", clean, len);

		g_free(clean);
		clean = more;
	}
	s->trace(s->trace_data, 'S', clean);
	g_free(clean);
}

static void
smtp_reply_clear(struct smtp_reply *r)
{
	if (r->text != NULL)
		g_string_free(r->text, TRUE);
	r->text = NULL;
}

/*
 * Read the reply to WHAT into R (smtp_reply_clear it): lines "NNN-text"
 * up to "NNN text" or "NNN", all with the same code, 2xx to 5xx.  With
 * LINE_FN, each line's text is handed over as it comes (EHLO's keywords).
 */
static bool
smtp_read_reply(struct smtp_session *s, const char *what, struct smtp_reply *r,
    void (*line_fn)(struct smtp_session *, unsigned int, const char *, size_t), GError **error)
{
	const char *line;
	size_t len;
	unsigned int n;
	GError *e = NULL;

	r->code = 0;
	r->text = g_string_new(NULL);
	net_reply_begin(s->conn, 0);
	for (n = 0;; n++) {
		int code;
		bool last;

		if (!net_read_line(s->conn, SMTP_MAX_LINE, &line, &len, &e)) {
			if (e->domain == NET_ERROR && e->code == NET_ERROR_TOO_LONG) {
				g_error_free(e);
				return smtp_fail(s, error, SMTP_ERROR_PROTOCOL,
				    "%s: %s sent a line longer than %d bytes", what, s->host,
				    SMTP_MAX_LINE);
			}
			return smtp_fail_net(s, e, error);
		}
		smtp_trace_server(s, line, len);
		if (len < 3 || line[0] < '2' || line[0] > '5' || !g_ascii_isdigit(line[1]) ||
		    !g_ascii_isdigit(line[2]) || (len > 3 && line[3] != ' ' && line[3] != '-')) {
			char *q = smtp_server_text(s, line, len, SMTP_MAX_QUOTE, NULL);

			smtp_fail(s, error, SMTP_ERROR_PROTOCOL,
			    "%s: %s's reply is not an SMTP reply: \"%s\"", what, s->host, q);
			g_free(q);
			return false;
		}
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (n > 0 && code != r->code)
			return smtp_fail(s, error, SMTP_ERROR_PROTOCOL,
			    "%s: %s's reply changes its code from %d to %d mid-reply", what,
			    s->host, r->code, code);
		r->code = code;
		last = len == 3 || line[3] == ' ';
		if (len > 4) {
			if (r->text->len > 0 && r->text->len < SMTP_MAX_REPLY_TEXT)
				g_string_append_c(r->text, ' ');
			if (r->text->len < SMTP_MAX_REPLY_TEXT)
				g_string_append_len(r->text, line + 4,
				    (gssize)MIN(len - 4, SMTP_MAX_REPLY_TEXT - r->text->len));
			if (line_fn != NULL)
				line_fn(s, n, line + 4, len - 4);
		}
		if (last)
			return true;
		if (n + 1 >= SMTP_MAX_REPLY_LINES)
			return smtp_fail(s, error, SMTP_ERROR_PROTOCOL,
			    "%s: %s sent a reply of more than %d lines", what, s->host,
			    SMTP_MAX_REPLY_LINES);
	}
}

/*
 * Set ERROR for the refusal R of WHAT: 4xx SMTP_ERROR_TEMPORARY, 5xx
 * SMTP_ERROR_REJECTED (or CODE5 when given), quoting the server.
 */
static void
smtp_set_refused(struct smtp_session *s, GError **error, const char *what,
    const struct smtp_reply *r, int code5)
{
	char *q = smtp_reply_quote(s, r);

	g_set_error(error, SMTP_ERROR, r->code < 500 ? SMTP_ERROR_TEMPORARY : code5,
	    "%s: %s %s; the server said: \"%s\"", s->host, what,
	    r->code < 500 ? "was refused for now (try again later)" : "was refused", q);
	g_free(q);
	/* 421: the server is closing the connection (RFC 5321 3.8), whatever the command */
	if (r->code == 421)
		smtp_die(s);
}

/*
 * The end of the line of TEXT (LEN bytes) that starts at I, *NEXT where the
 * next one starts: a line ends at LF, CRLF, or a CR alone, since RFC 5321
 * 4.1.1.4 lets no CR or LF out but in CRLF (a bare CR before a dot is how
 * a second message is smuggled into the transaction).
 */
static size_t
smtp_line_end(const char *text, size_t len, size_t i, size_t *next)
{
	size_t end = i;

	while (end < len && text[end] != '\n' && text[end] != '\r')
		end++;
	if (end + 1 < len && text[end] == '\r' && text[end + 1] == '\n')
		*next = end + 2;
	else
		*next = MIN(end + 1, len);
	return end;
}

/* The size (bytes) the text of LEN bytes takes on the wire: CRLF and dot-stuffed, with the dot. */
static uint64_t
smtp_wire_size(const char *text, size_t len)
{
	uint64_t size = 3;
	size_t i = 0, next, end;

	while (i < len) {
		end = smtp_line_end(text, len, i, &next);
		size += (end - i) + 2 + (text[i] == '.');
		i = next;
	}
	return size;
}

/* Take one EHLO line (after the first) into the caps. */
static void
smtp_ehlo_line(struct smtp_session *s, unsigned int n, const char *line, size_t len)
{
	char *text, **words;
	struct smtp_caps *c = &s->caps;

	if (n == 0 || len == 0)
		return;
	text = g_strndup(line, len);
	words = g_strsplit_set(g_strstrip(text), " =", -1);
	if (words[0] == NULL) {
		g_strfreev(words);
		g_free(text);
		return;
	}
	if (g_ascii_strcasecmp(words[0], "STARTTLS") == 0)
		c->starttls = true;
	else if (g_ascii_strcasecmp(words[0], "PIPELINING") == 0)
		c->pipelining = true;
	else if (g_ascii_strcasecmp(words[0], "8BITMIME") == 0)
		c->eightbitmime = true;
	else if (g_ascii_strcasecmp(words[0], "SMTPUTF8") == 0)
		c->smtputf8 = true;
	else if (g_ascii_strcasecmp(words[0], "ENHANCEDSTATUSCODES") == 0)
		c->enhancedstatuscodes = true;
	else if (g_ascii_strcasecmp(words[0], "SIZE") == 0) {
		c->size = true;
		if (words[1] != NULL && words[1][0] != '\0') {
			guint64 max = 0;

			if (g_ascii_string_to_unsigned(words[1], 10, 0, G_MAXUINT64, &max, NULL))
				c->size_max = max;
		}
	} else if (g_ascii_strcasecmp(words[0], "AUTH") == 0 && c->auth == NULL) {
		/* "AUTH=PLAIN LOGIN" is the old form of the same; the first line wins */
		char *mechs = g_strjoinv(" ", words + 1);

		c->auth = g_ascii_strup(g_strstrip(mechs), -1);
		g_free(mechs);
	}
	g_strfreev(words);
	g_free(text);
}

static void
smtp_caps_clear(struct smtp_caps *c)
{
	g_free(c->auth);
	memset(c, 0, sizeof(*c));
}

/* True when the server offered MECH in AUTH. */
static bool
smtp_offers(const struct smtp_session *s, const char *mech)
{
	char **words;
	bool found = false;
	size_t i;

	if (s->caps.auth == NULL)
		return false;
	words = g_strsplit(s->caps.auth, " ", -1);
	for (i = 0; words[i] != NULL && !found; i++)
		found = strcmp(words[i], mech) == 0;
	g_strfreev(words);
	return found;
}

/* EHLO (HELO when the server does not know it): the caps anew. */
static bool
smtp_ehlo(struct smtp_session *s, GError **error)
{
	struct smtp_reply r = { 0 };
	char *cmd = g_strdup_printf("EHLO %s", s->helo);
	bool ok;

	smtp_caps_clear(&s->caps);
	ok = smtp_command(s, cmd, NULL, error) &&
	    smtp_read_reply(s, "EHLO", &r, smtp_ehlo_line, error);
	g_free(cmd);
	if (!ok) {
		smtp_reply_clear(&r);
		return false;
	}
	if (r.code == 250) {
		s->caps.ehlo = true;
		smtp_reply_clear(&r);
		return true;
	}
	if (r.code >= 400 && r.code < 500) {
		smtp_set_refused(s, error, "EHLO", &r, SMTP_ERROR_REJECTED);
		smtp_reply_clear(&r);
		return smtp_die(s);
	}
	/* an old server: HELO, and none of the extensions */
	smtp_caps_clear(&s->caps);
	smtp_reply_clear(&r);
	cmd = g_strdup_printf("HELO %s", s->helo);
	ok = smtp_command(s, cmd, NULL, error) && smtp_read_reply(s, "HELO", &r, NULL, error);
	g_free(cmd);
	if (ok && r.code != 250) {
		smtp_set_refused(s, error, "HELO", &r, SMTP_ERROR_REJECTED);
		ok = smtp_die(s);
	}
	smtp_reply_clear(&r);
	return ok;
}

/* Handshake TLS on the connection (implicit, or after STARTTLS). */
static bool
smtp_start_tls(struct smtp_session *s, const struct smtp_open_options *o, GError **error)
{
	struct tls_options to = { o->host, o->ca_file, o->fingerprint };
	const struct tls_info *info;
	GError *e = NULL;

	smtp_trace(s, '*', "TLS handshake");
	if (!net_start_tls(s->conn, &to, &e))
		return smtp_fail_net(s, e, error);
	info = tls_conn_info(net_tls(s->conn));
	if (info != NULL) {
		s->tls_summary = g_strdup_printf("%s %s", info->protocol, info->cipher);
		if (s->trace != NULL) {
			char *note = g_strdup_printf("%s %s, certificate %s, %s", info->protocol,
			    info->cipher, info->subject, info->fingerprint);

			smtp_trace(s, '*', note);
			g_free(note);
		}
	}
	return true;
}

/* STARTTLS (RFC 3207): refused when not offered; what came before the handshake is dropped. */
static bool
smtp_starttls(struct smtp_session *s, const struct smtp_open_options *o, GError **error)
{
	struct smtp_reply r = { 0 };
	size_t dropped;

	if (!s->caps.starttls)
		return smtp_fail(s, error, SMTP_ERROR_INSECURE,
		    "%s does not offer STARTTLS, and tls = starttls: refusing to go on without "
		    "TLS (no address or password was sent)",
		    s->host);
	if (!smtp_command(s, "STARTTLS", NULL, error) ||
	    !smtp_read_reply(s, "STARTTLS", &r, NULL, error)) {
		smtp_reply_clear(&r);
		return false;
	}
	if (r.code != 220) {
		char *q = smtp_reply_quote(s, &r);

		smtp_fail(s, error, SMTP_ERROR_TLS,
		    "%s refused STARTTLS: refusing to go on without TLS; the server said: \"%s\"",
		    s->host, q);
		g_free(q);
		smtp_reply_clear(&r);
		return false;
	}
	smtp_reply_clear(&r);
	/* CVE-2011-0411 and kin: nothing read before the handshake may count as after it. */
	dropped = net_drop_buffered(s->conn);
	if (dropped > 0) {
		char *note = g_strdup_printf(
		    "dropped %zu bytes the server sent before the TLS handshake", dropped);

		smtp_trace(s, '*', note);
		g_free(note);
	}
	return smtp_start_tls(s, o, error);
}

/* Read and check the greeting (220); remember its text. */
static bool
smtp_greeting_read(struct smtp_session *s, const struct smtp_open_options *o, GError **error)
{
	struct smtp_reply r = { 0 };
	GError *e = NULL;

	if (!smtp_read_reply(s, "greeting", &r, NULL, &e)) {
		smtp_reply_clear(&r);
		if (e->domain == SMTP_ERROR && e->code == SMTP_ERROR_TIMEOUT &&
		    o->tls != SMTP_TLS_IMPLICIT) {
			/* the classic: a port that waits for our TLS hello */
			g_set_error(error, SMTP_ERROR, SMTP_ERROR_TIMEOUT,
			    "%s (no greeting: a port that expects TLS first, such as 465, needs "
			    "tls = \"implicit\")",
			    e->message);
			g_error_free(e);
			return false;
		}
		if (e->domain == SMTP_ERROR && e->code == SMTP_ERROR_PROTOCOL) {
			g_set_error(error, SMTP_ERROR, SMTP_ERROR_PROTOCOL,
			    "%s does not greet like an SMTP server (%s)", s->host, e->message);
			g_error_free(e);
			return false;
		}
		g_propagate_error(error, e);
		return false;
	}
	if (r.code != 220) {
		char *q = smtp_reply_quote(s, &r);

		smtp_fail(s, error, r.code < 500 ? SMTP_ERROR_TEMPORARY : SMTP_ERROR_REJECTED,
		    "%s refused the connection; the server said: \"%s\"", s->host, q);
		g_free(q);
		smtp_reply_clear(&r);
		return false;
	}
	s->greeting = smtp_server_text(s, r.text->str, r.text->len, SMTP_MAX_QUOTE, NULL);
	smtp_reply_clear(&r);
	return true;
}

/* True when NAME may follow EHLO: a domain or an address literal, nothing else. */
static bool
smtp_helo_valid(const char *name)
{
	const char *p;

	if (name == NULL || name[0] == '\0' || strlen(name) > 255)
		return false;
	for (p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr(".-_[]:", *p) == NULL)
			return false;
	return true;
}

/* Set up a session on CONN (taken) and run the opening of smtp.h's call order. */
static struct smtp_session *
smtp_open_conn(struct net_conn *conn, const struct smtp_open_options *o, GError **error)
{
	struct smtp_session *s = g_new0(struct smtp_session, 1);

	s->conn = conn;
	s->host = g_strdup(o->host);
	s->port = o->port;
	s->helo = g_strdup(smtp_helo_valid(o->helo) ? o->helo : "localhost");
	s->trace = o->trace;
	s->trace_data = o->trace_data;
	s->abort = o->abort;
	s->out = g_string_sized_new(1024);
	if (o->tls == SMTP_TLS_IMPLICIT && !smtp_start_tls(s, o, error))
		goto fail;
	if (!smtp_greeting_read(s, o, error) || !smtp_ehlo(s, error))
		goto fail;
	if (o->tls == SMTP_TLS_STARTTLS && (!smtp_starttls(s, o, error) || !smtp_ehlo(s, error)))
		goto fail;
	return s;
fail:
	smtp_session_free(s);
	return NULL;
}

struct smtp_session *
smtp_open(const struct smtp_open_options *options, GError **error)
{
	return smtp_open_fd(-1, options, error);
}

struct smtp_session *
smtp_open_fd(int fd, const struct smtp_open_options *options, GError **error)
{
	GError *e = NULL;
	struct net_conn *conn;
	int code;

	conn = net_open(fd, options->host, options->port, options->timeout, options->abort, &e);
	if (conn == NULL) {
		code = e->code == NET_ERROR_TIMEOUT ? SMTP_ERROR_TIMEOUT :
		    e->code == NET_ERROR_ABORT	    ? SMTP_ERROR_ABORT :
						      SMTP_ERROR_IO;
		g_set_error_literal(error, SMTP_ERROR, code, e->message);
		g_error_free(e);
		return NULL;
	}
	return smtp_open_conn(conn, options, error);
}

void
smtp_session_free(struct smtp_session *s)
{
	if (s == NULL)
		return;
	net_conn_free(s->conn);
	smtp_caps_clear(&s->caps);
	g_free(s->greeting);
	g_free(s->tls_summary);
	g_free(s->host);
	g_free(s->helo);
	OPENSSL_cleanse(s->out->str, s->out->allocated_len);
	g_string_free(s->out, TRUE);
	g_free(s);
}

const struct smtp_caps *
smtp_caps(const struct smtp_session *s)
{
	return &s->caps;
}

const char *
smtp_greeting(const struct smtp_session *s)
{
	return s->greeting;
}

const char *
smtp_tls_summary(const struct smtp_session *s)
{
	return s->tls_summary;
}

bool
smtp_alive(const struct smtp_session *s)
{
	return !s->dead;
}

const char *
smtp_auth_used(const struct smtp_session *s)
{
	return s->auth_used;
}

void
smtp_get_stats(const struct smtp_session *s, struct smtp_stats *stats)
{
	struct net_stats ns;

	net_get_stats(s->conn, &ns);
	stats->bytes_in = ns.bytes_in;
	stats->bytes_out = ns.bytes_out;
	stats->writes = ns.writes;
	stats->commands = s->commands;
}

/* --- logging in ---------------------------------------------------------- */

/* The SASL mechanism for AUTH (SMTP_AUTH_AUTO and _NONE have none). */
static enum sasl_mech
smtp_mech(enum smtp_auth auth)
{
	switch (auth) {
	case SMTP_AUTH_LOGIN:
		return SASL_LOGIN;
	case SMTP_AUTH_CRAM_MD5:
		return SASL_CRAM_MD5;
	case SMTP_AUTH_SCRAM_SHA_1:
		return SASL_SCRAM_SHA_1;
	case SMTP_AUTH_SCRAM_SHA_256:
		return SASL_SCRAM_SHA_256;
	case SMTP_AUTH_XOAUTH2:
		return SASL_XOAUTH2;
	case SMTP_AUTH_OAUTHBEARER:
		return SASL_OAUTHBEARER;
	default:
		return SASL_PLAIN;
	}
}

/* The mechanisms auth = auto may pick, strongest first. */
static const enum sasl_mech smtp_auto_mechs[] = {
	SASL_SCRAM_SHA_256,
	SASL_SCRAM_SHA_1,
	SASL_PLAIN,
	SASL_LOGIN,
};

/*
 * Choose for auth = auto: *MECH, or *NONE when the server offers no AUTH;
 * false with ERROR when it offers only what cannot be used here.
 */
static bool
smtp_auto_choose(struct smtp_session *s, bool cleartext_ok, enum sasl_mech *mech, bool *none,
    GError **error)
{
	const char *skipped = NULL;
	size_t i;

	*none = false;
	if (s->caps.auth == NULL) {
		*none = true;
		return true;
	}
	for (i = 0; i < G_N_ELEMENTS(smtp_auto_mechs); i++) {
		const char *name = sasl_mech_name(smtp_auto_mechs[i]);

		if (!smtp_offers(s, name))
			continue;
		if (sasl_mech_sends_secret(smtp_auto_mechs[i]) && !cleartext_ok) {
			if (skipped == NULL)
				skipped = name;
			continue;
		}
		*mech = smtp_auto_mechs[i];
		return true;
	}
	if (skipped != NULL)
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_INSECURE,
		    "%s offers only %s on a connection without TLS: refusing to send the "
		    "password in the clear (use tls = \"starttls\" or \"implicit\")",
		    s->host, skipped);
	else
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_AUTH,
		    "%s offers no login method surat can choose by itself (it offers: %s); set "
		    "smtp.auth",
		    s->host, s->caps.auth);
	return false;
}

/* Send the SASL response OUT (LEN bytes) base64-encoded; the trace shows it redacted. */
static bool
smtp_sasl_respond(struct smtp_session *s, const unsigned char *out, size_t len, GError **error)
{
	char *b64 = len > 0 ? g_base64_encode(out, len) : g_strdup("");
	bool ok = smtp_command(s, b64, len > 0 ? SMTP_REDACTED : "", error);

	OPENSSL_cleanse(b64, strlen(b64));
	g_free(b64);
	return ok;
}

/* Cancel an exchange ("*", RFC 4954) after CAUSE; read the reply and end the session. */
static bool
smtp_sasl_cancel(struct smtp_session *s, GError *cause, GError **error)
{
	struct smtp_reply r = { 0 };

	if (smtp_command(s, "*", NULL, NULL))
		(void)smtp_read_reply(s, "AUTH", &r, NULL, NULL);
	smtp_reply_clear(&r);
	g_set_error(error, SMTP_ERROR,
	    cause->code == SASL_ERROR_PROTOCOL ? SMTP_ERROR_PROTOCOL : SMTP_ERROR_AUTH, "%s: %s",
	    s->host, cause->message);
	g_error_free(cause);
	/* after a broken exchange the server's state is unknown */
	return smtp_die(s);
}

/* The refusal R of a login: 535 and other 5xx are credentials; 4xx is for now. */
static bool
smtp_login_refused(struct smtp_session *s, struct sasl *sasl, const char *name, const char *user,
    const struct smtp_reply *r, GError **error)
{
	char *q = smtp_reply_quote(s, r), *oauth = NULL;

	if (sasl_server_error(sasl) != NULL)
		oauth = smtp_server_text(s, sasl_server_error(sasl), strlen(sasl_server_error(sasl)),
		    SMTP_MAX_QUOTE, NULL);
	if (r->code < 500)
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_TEMPORARY,
		    "%s: login as %s (%s) failed for now (try again later); the server said: "
		    "\"%s\"",
		    s->host, user, name, q);
	else
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_AUTH,
		    "%s: login as %s (%s): the %s was not accepted%s%s%s; the server said: "
		    "\"%s\"",
		    s->host, user, name,
		    oauth != NULL ? "token" : "user name or password", oauth != NULL ? " (" : "",
		    oauth != NULL ? oauth : "", oauth != NULL ? ")" : "", q);
	g_free(oauth);
	g_free(q);
	return false;
}

/* AUTH with MECH (RFC 4954), the initial response on the command line. */
static bool
smtp_login_sasl(struct smtp_session *s, enum sasl_mech mech, const char *user,
    const char *secret, GError **error)
{
	struct sasl *sasl = sasl_new(mech, user, secret, s->host, s->port);
	const char *name = sasl_mech_name(mech);
	const unsigned char *out;
	size_t out_len;
	struct smtp_reply r = { 0 };
	GString *cmd = g_string_new("AUTH ");
	char *shown;
	bool ok = false;
	int round;
	GError *e = NULL;

	g_string_append(cmd, name);
	shown = g_strdup(cmd->str);
	if (sasl_initial(sasl, &out, &out_len)) {
		char *b64 = out_len > 0 ? g_base64_encode(out, out_len) : g_strdup("=");

		if (cmd->len + 1 + strlen(b64) <= SMTP_MAX_AUTH_LINE) {
			g_string_append_printf(cmd, " %s", b64);
			g_free(shown);
			shown = g_strconcat("AUTH ", name, " " SMTP_REDACTED, NULL);
		}
		OPENSSL_cleanse(b64, strlen(b64));
		g_free(b64);
	}
	ok = smtp_command(s, cmd->str, shown, error);
	OPENSSL_cleanse(cmd->str, cmd->len);
	if (!ok)
		goto out;
	ok = false;
	for (round = 0;; round++) {
		smtp_reply_clear(&r);
		if (!smtp_read_reply(s, "AUTH", &r, NULL, error))
			goto out;
		if (r.code == 235) {
			if (!sasl_finish(sasl, &e)) {
				smtp_fail(s, error, SMTP_ERROR_AUTH, "%s: %s", s->host, e->message);
				g_error_free(e);
				goto out;
			}
			ok = true;
			goto out;
		}
		if (r.code != 334) {
			smtp_login_refused(s, sasl, name, user, &r, error);
			goto out;
		}
		if (round >= SMTP_MAX_ROUNDS) {
			smtp_fail(s, error, SMTP_ERROR_PROTOCOL,
			    "%s: AUTH %s: the server sent more than %d challenges", s->host, name,
			    SMTP_MAX_ROUNDS);
			goto out;
		}
		if (!sasl_is_base64(r.text->str, r.text->len)) {
			smtp_sasl_cancel(s,
			    g_error_new(SASL_ERROR, SASL_ERROR_PROTOCOL,
				"AUTH %s: the server's challenge is not base64", name),
			    error);
			goto out;
		}
		{
			gsize clen = 0;
			guchar *challenge = r.text->len > 0 ? g_base64_decode(r.text->str, &clen) :
							      (guchar *)g_strdup("");

			ok = sasl_step(sasl, challenge, clen, &out, &out_len, &e);
			g_free(challenge);
		}
		if (!ok) {
			smtp_sasl_cancel(s, e, error);
			goto out;
		}
		ok = smtp_sasl_respond(s, out, out_len, error);
		if (!ok)
			goto out;
		ok = false;
	}
out:
	smtp_reply_clear(&r);
	g_free(shown);
	g_string_free(cmd, TRUE);
	sasl_free(sasl);
	return ok;
}

bool
smtp_login(struct smtp_session *s, enum smtp_auth auth, const char *user, const char *secret,
    bool allow_cleartext, GError **error)
{
	bool cleartext_ok = net_tls(s->conn) != NULL || allow_cleartext, none = false, ok;
	enum sasl_mech mech = smtp_mech(auth);

	if (!smtp_ready(s, "login", error))
		return false;
	s->auth_used = NULL;
	if (auth == SMTP_AUTH_NONE)
		return true;
	if (user == NULL || secret == NULL || strpbrk(user, "\r\n") != NULL ||
	    strpbrk(secret, "\r\n") != NULL) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_AUTH,
		    "%s: the user name or password is missing or contains a line break", s->host);
		return false;
	}
	if (auth == SMTP_AUTH_AUTO && !smtp_auto_choose(s, cleartext_ok, &mech, &none, error))
		return false;
	if (none) {
		smtp_trace(s, '*', "the server offers no AUTH: sending without logging in");
		return true;
	}
	if (!cleartext_ok && sasl_mech_sends_secret(mech)) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_INSECURE,
		    "%s: refusing to send the %s with %s on a connection without TLS (use tls = "
		    "\"starttls\" or \"implicit\")",
		    s->host, mech == SASL_XOAUTH2 || mech == SASL_OAUTHBEARER ? "token" : "password",
		    sasl_mech_name(mech));
		return false;
	}
	if (!smtp_offers(s, sasl_mech_name(mech))) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_AUTH, "%s does not offer AUTH %s (it offers: %s)",
		    s->host, sasl_mech_name(mech), s->caps.auth != NULL ? s->caps.auth : "no AUTH");
		return false;
	}
	s->login_secret = secret;
	s->login_secret_b64 = g_base64_encode((const guchar *)secret, strlen(secret));
	ok = smtp_login_sasl(s, mech, user, secret, error);
	s->login_secret = NULL;
	OPENSSL_cleanse(s->login_secret_b64, strlen(s->login_secret_b64));
	g_clear_pointer(&s->login_secret_b64, g_free);
	if (!ok) {
		/* the server's text was scrubbed as it came; this catches any other words */
		if (error != NULL && *error != NULL)
			sanitize_scrub_secret(&(*error)->message, secret);
		return false;
	}
	s->auth_used = sasl_mech_name(mech);
	return true;
}

/* --- sending ------------------------------------------------------------- */

/*
 * True when ADDR may go between < and > of MAIL or RCPT: printable, no
 * space, no angle brackets, no line break; non-ASCII (UTF-8) sets *UTF8.
 */
static bool
smtp_address_ok(const char *addr, bool *utf8)
{
	const unsigned char *p;

	if (strlen(addr) > SMTP_MAX_ADDRESS)
		return false;
	for (p = (const unsigned char *)addr; *p != '\0'; p++) {
		if (*p >= 0x80)
			*utf8 = true;
		else if (*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>')
			return false;
	}
	return g_utf8_validate(addr, -1, NULL);
}

/* RSET after a refused step, so the session can take the next message. */
bool
smtp_rset(struct smtp_session *s, GError **error)
{
	struct smtp_reply r = { 0 };
	bool ok;

	if (!smtp_ready(s, "RSET", error))
		return false;
	ok = smtp_command(s, "RSET", NULL, error) && smtp_read_reply(s, "RSET", &r, NULL, error);
	if (ok && r.code != 250) {
		smtp_set_refused(s, error, "RSET", &r, SMTP_ERROR_PROTOCOL);
		ok = smtp_die(s);
	}
	smtp_reply_clear(&r);
	return ok;
}

/* Write TEXT dot-stuffed with CRLF line ends, in batches; the final dot is not part of it. */
static bool
smtp_write_text(struct smtp_session *s, const char *text, size_t len, GError **error)
{
	GString *buf = g_string_sized_new(SMTP_CHUNK + 1024);
	size_t i = 0;
	GError *e = NULL;
	bool ok = true;

	while (i < len && ok) {
		size_t next, end = smtp_line_end(text, len, i, &next);

		if (text[i] == '.')
			g_string_append_c(buf, '.');
		g_string_append_len(buf, text + i, (gssize)(end - i));
		g_string_append(buf, "\r\n");
		i = next;
		if (buf->len >= SMTP_CHUNK || i >= len) {
			ok = net_write(s->conn, buf->str, buf->len, &e);
			g_string_truncate(buf, 0);
		}
	}
	g_string_free(buf, TRUE);
	return ok || smtp_fail_net(s, e, error);
}

/*
 * MAIL and the RCPTs: in one write with PIPELINING, else one by one.
 * False with ERROR (and the transaction reset when the session lives)
 * unless the server took the sender and every recipient.
 */
static bool
smtp_envelope(struct smtp_session *s, const char *mail, const char *const *rcpts, size_t n,
    GError **error)
{
	struct smtp_reply r = { 0 };
	GError *refused = NULL;
	size_t i, sent = 0, read = 0;
	bool ok = true;

	smtp_queue(s, mail, NULL);
	sent++;
	for (i = 0; i <= n && ok; i++) {
		/* step 0 is MAIL's reply, step i the reply to RCPT i-1 */
		if (i > 0) {
			char *cmd = g_strdup_printf("RCPT TO:<%s>", rcpts[i - 1]);

			smtp_queue(s, cmd, NULL);
			g_free(cmd);
			sent++;
		}
		if (s->caps.pipelining && i < n && refused == NULL)
			continue;
		if (!smtp_flush(s, error))
			return false;
		while (read < sent) {
			char *what;

			smtp_reply_clear(&r);
			what = read == 0 ? g_strdup("the sender (MAIL FROM)") :
					   g_strdup_printf("the recipient <%s>", rcpts[read - 1]);
			ok = smtp_read_reply(s, read == 0 ? "MAIL" : "RCPT", &r, NULL, error);
			if (ok && r.code != 250 && r.code != 251 && refused == NULL)
				smtp_set_refused(s, &refused, what, &r, SMTP_ERROR_REJECTED);
			g_free(what);
			if (!ok)
				break;
			read++;
		}
		/* without PIPELINING, nothing more is sent after a refusal */
		if (refused != NULL && !s->caps.pipelining)
			break;
	}
	smtp_reply_clear(&r);
	if (!ok) {
		g_clear_error(&refused);
		return false;
	}
	if (refused == NULL)
		return true;
	g_propagate_error(error, refused);
	(void)smtp_rset(s, NULL);
	return false;
}

bool
smtp_send(struct smtp_session *s, const char *from, const char *const *rcpts, size_t n,
    const char *text, size_t len, char **reply, GError **error)
{
	struct smtp_reply r = { 0 };
	GString *mail;
	bool utf8 = false, eight_bit = false, ok;
	uint64_t size;
	size_t i;
	GError *e = NULL;
	char *note;

	if (reply != NULL)
		*reply = NULL;
	if (!smtp_ready(s, "MAIL", error))
		return false;
	if (n == 0) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_REJECTED, "no recipients");
		return false;
	}
	if (!smtp_address_ok(from, &utf8)) {
		char *q = sanitize_text(from, -1, 0);

		g_set_error(error, SMTP_ERROR, SMTP_ERROR_REJECTED,
		    "the sender \"%s\" is not an address SMTP can carry", q);
		g_free(q);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!smtp_address_ok(rcpts[i], &utf8) || rcpts[i][0] == '\0') {
			char *q = sanitize_text(rcpts[i], -1, 0);

			g_set_error(error, SMTP_ERROR, SMTP_ERROR_REJECTED,
			    "the recipient \"%s\" is not an address SMTP can carry", q);
			g_free(q);
			return false;
		}
	}
	if (utf8 && !s->caps.smtputf8) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_REJECTED,
		    "%s does not take addresses in UTF-8 (no SMTPUTF8): use an ASCII address",
		    s->host);
		return false;
	}
	for (i = 0; i < len && !eight_bit; i++)
		eight_bit = (unsigned char)text[i] >= 0x80;
	size = smtp_wire_size(text, len);
	if (s->caps.size_max > 0 && size > s->caps.size_max) {
		g_set_error(error, SMTP_ERROR, SMTP_ERROR_TOO_BIG,
		    "%s takes messages of at most %" G_GUINT64_FORMAT " bytes; this one is %" G_GUINT64_FORMAT
		    " (nothing was sent)",
		    s->host, (guint64)s->caps.size_max, (guint64)size);
		return false;
	}
	mail = g_string_new(NULL);
	g_string_printf(mail, "MAIL FROM:<%s>", from);
	if (s->caps.size)
		g_string_append_printf(mail, " SIZE=%" G_GUINT64_FORMAT, (guint64)size);
	if (eight_bit && s->caps.eightbitmime)
		g_string_append(mail, " BODY=8BITMIME");
	if (utf8)
		g_string_append(mail, " SMTPUTF8");
	ok = smtp_envelope(s, mail->str, rcpts, n, error);
	g_string_free(mail, TRUE);
	if (!ok)
		return false;
	if (!smtp_command(s, "DATA", NULL, error) || !smtp_read_reply(s, "DATA", &r, NULL, error)) {
		smtp_reply_clear(&r);
		return false;
	}
	if (r.code != 354) {
		smtp_set_refused(s, error, "the message (DATA)", &r, SMTP_ERROR_REJECTED);
		smtp_reply_clear(&r);
		(void)smtp_rset(s, NULL);
		return false;
	}
	smtp_reply_clear(&r);
	note = g_strdup_printf("<%zu octets>", len);
	smtp_trace(s, 'C', note);
	g_free(note);
	if (!smtp_write_text(s, text, len, error))
		return false;
	s->commands++;
	smtp_trace(s, 'C', ".");
	/* A dot that was not written in full was not received: the server drops the transaction. */
	if (!net_write(s->conn, ".\r\n", 3, &e))
		return smtp_fail_net(s, e, error);
	/* From here on a failure may hide a delivery: the server has everything it needs. */
	if (!smtp_read_reply(s, "the final dot", &r, NULL, &e)) {
		if (e->domain == SMTP_ERROR && e->code == SMTP_ERROR_PROTOCOL) {
			g_propagate_error(error, e);
		} else {
			g_set_error(error, SMTP_ERROR, SMTP_ERROR_UNANSWERED,
			    "%s: the message was sent but the server did not answer it (%s): it may "
			    "have been delivered",
			    s->host, e->message);
			g_error_free(e);
		}
		smtp_reply_clear(&r);
		return smtp_die(s);
	}
	if (r.code != 250) {
		smtp_set_refused(s, error, "the message", &r, SMTP_ERROR_REJECTED);
		smtp_reply_clear(&r);
		return false;
	}
	if (reply != NULL)
		*reply = smtp_reply_quote(s, &r);
	smtp_reply_clear(&r);
	return true;
}

bool
smtp_quit(struct smtp_session *s, GError **error)
{
	struct smtp_reply r = { 0 };
	bool ok;

	if (!smtp_ready(s, "QUIT", error))
		return false;
	ok = smtp_command(s, "QUIT", NULL, error) && smtp_read_reply(s, "QUIT", &r, NULL, error);
	smtp_reply_clear(&r);
	smtp_die(s);
	return ok;
}
