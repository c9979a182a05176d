/*
 * pop3-auth: logging in (pop3_login of pop3.h): USER/PASS, APOP and
 * SASL AUTH (RFC 1939, 5034) with the mechanisms of sasl.c, the choice for
 * auth = auto, and the refusal to send a secret over a channel the caller
 * did not allow.  TLS and STLS come before, in pop3.c's opening.
 *
 * What it must never do: put a secret, or a server's echo of one, into the
 * trace or an error; leave a secret in a buffer it frees.
 */
#include "pop3-private.h"

#include <string.h>

#include <openssl/crypto.h>

#include "surat/net.h"
#include "surat/sanitize.h"
#include "surat/sasl.h"

#define POP3_MAX_AUTH    255 /* RFC 5034: an AUTH command with its initial response */
#define POP3_MAX_ROUNDS  16  /* challenges in one SASL exchange */
#define POP3_REDACTED    SANITIZE_REDACTED

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
		if (!sasl_is_base64(st.text, st.text_len)) {
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
			sanitize_scrub_secret(&(*error)->message, secret);
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

const char *
pop3_auth_used(const struct pop3_session *s)
{
	return s->auth_used;
}
