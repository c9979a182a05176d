/*
 * sasl: client mechanisms as state machines over bytes (sasl.h).
 *
 * SCRAM follows RFC 5802 section 3 step by step: SaltedPassword by PBKDF2,
 * ClientKey, StoredKey, the AuthMessage, the proof, and the server's
 * signature compared in constant time; the server must prove it knows the
 * password before a "+OK" counts.  Names are prepared with NFKC (GLib), the
 * part of SASLprep that matters for real user names and passwords.
 *
 * What it must never do: leave a secret or a key in freed memory, or accept
 * a SCRAM server that did not sign.
 */
#include "surat/sasl.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "surat/sanitize.h"

G_DEFINE_QUARK(surat-sasl-error-quark, sasl_error)

#define SASL_NONCE_BYTES 18  /* 24 base64 characters of client nonce */
#define SASL_MAX_QUOTE   200 /* bytes of the server's error text quoted */

enum sasl_state {
	SASL_STATE_START,    /* nothing sent */
	SASL_STATE_INITIAL,  /* the first message sent */
	SASL_STATE_SECOND,   /* LOGIN: the password sent; SCRAM: client-final sent */
	SASL_STATE_VERIFIED, /* SCRAM: the server's signature checked */
	SASL_STATE_FAILED,   /* OAuth: the server's error JSON answered */
};

struct sasl {
	enum sasl_mech mech;
	enum sasl_state state;
	char *user;
	char *secret;
	char *host;
	int port;
	GByteArray *out;        /* the last response; zeroed before reuse */
	char *nonce;            /* SCRAM client nonce */
	char *client_first_bare;
	unsigned char server_signature[EVP_MAX_MD_SIZE];
	unsigned int sig_len;
	char *server_error;     /* OAuth error JSON */
};

/* Zero LEN bytes at P and free it (NULL is fine). */
static void
sasl_cleanse_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	g_free(p);
}

/* Zero and free a string (NULL is fine). */
static void
sasl_free_string(char *s)
{
	if (s != NULL)
		sasl_cleanse_free(s, strlen(s));
}

const char *
sasl_mech_name(enum sasl_mech mech)
{
	static const char *const names[] = {
		[SASL_PLAIN] = "PLAIN",
		[SASL_LOGIN] = "LOGIN",
		[SASL_CRAM_MD5] = "CRAM-MD5",
		[SASL_SCRAM_SHA_1] = "SCRAM-SHA-1",
		[SASL_SCRAM_SHA_256] = "SCRAM-SHA-256",
		[SASL_XOAUTH2] = "XOAUTH2",
		[SASL_OAUTHBEARER] = "OAUTHBEARER",
	};

	return (size_t)mech < G_N_ELEMENTS(names) ? names[mech] : "?";
}

bool
sasl_mech_sends_secret(enum sasl_mech mech)
{
	return mech == SASL_PLAIN || mech == SASL_LOGIN || mech == SASL_XOAUTH2 ||
	    mech == SASL_OAUTHBEARER;
}

bool
sasl_is_base64(const char *text, size_t len)
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

/* S prepared for SCRAM: NFKC when it is not ASCII (g_free; zero it). */
static char *
sasl_prep(const char *s)
{
	const char *p;
	char *n;

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			break;
	if (*p == '\0' || !g_utf8_validate(s, -1, NULL))
		return g_strdup(s);
	n = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	return n != NULL ? n : g_strdup(s);
}

struct sasl *
sasl_new(enum sasl_mech mech, const char *user, const char *secret, const char *host, int port)
{
	struct sasl *s = g_new0(struct sasl, 1);
	bool scram = mech == SASL_SCRAM_SHA_1 || mech == SASL_SCRAM_SHA_256;

	s->mech = mech;
	s->user = scram ? sasl_prep(user != NULL ? user : "") : g_strdup(user != NULL ? user : "");
	s->secret = scram ? sasl_prep(secret != NULL ? secret : "") :
			    g_strdup(secret != NULL ? secret : "");
	s->host = g_strdup(host != NULL ? host : "");
	s->port = port;
	s->out = g_byte_array_new();
	return s;
}

/* Zero the last response and empty it. */
static void
sasl_out_reset(struct sasl *s)
{
	if (s->out->len > 0)
		OPENSSL_cleanse(s->out->data, s->out->len);
	g_byte_array_set_size(s->out, 0);
}

void
sasl_free(struct sasl *s)
{
	if (s == NULL)
		return;
	sasl_out_reset(s);
	g_byte_array_free(s->out, TRUE);
	sasl_free_string(s->user);
	sasl_free_string(s->secret);
	g_free(s->host);
	g_free(s->nonce);
	sasl_free_string(s->client_first_bare);
	OPENSSL_cleanse(s->server_signature, sizeof s->server_signature);
	g_free(s->server_error);
	g_free(s);
}

void
sasl_set_client_nonce(struct sasl *s, const char *nonce)
{
	g_free(s->nonce);
	s->nonce = g_strdup(nonce);
}

const char *
sasl_server_error(const struct sasl *s)
{
	return s->server_error;
}

/* Append the C string STR to the response. */
static void
sasl_out_str(struct sasl *s, const char *str)
{
	g_byte_array_append(s->out, (const guint8 *)str, (guint)strlen(str));
}

/* Append one byte to the response. */
static void
sasl_out_byte(struct sasl *s, unsigned char c)
{
	g_byte_array_append(s->out, &c, 1);
}

/* Append NAME as an RFC 5801 saslname (',' as "=2C", '=' as "=3D"). */
static void
sasl_out_saslname(struct sasl *s, const char *name)
{
	const char *p;

	for (p = name; *p != '\0'; p++) {
		if (*p == ',')
			sasl_out_str(s, "=2C");
		else if (*p == '=')
			sasl_out_str(s, "=3D");
		else
			sasl_out_byte(s, (unsigned char)*p);
	}
}

/* The SCRAM client-first message into the response (a fresh nonce unless set). */
static void
sasl_scram_first(struct sasl *s)
{
	unsigned char raw[SASL_NONCE_BYTES];
	GString *bare;

	if (s->nonce == NULL) {
		if (RAND_bytes(raw, sizeof raw) != 1)
			g_error("sasl: the random number generator failed");
		s->nonce = g_base64_encode(raw, sizeof raw);
	}
	sasl_out_reset(s);
	sasl_out_str(s, "n,,n=");
	sasl_out_saslname(s, s->user);
	sasl_out_str(s, ",r=");
	sasl_out_str(s, s->nonce);
	/* client-first-message-bare is all after the gs2 header "n,," */
	bare = g_string_new_len((const char *)s->out->data + 3, s->out->len - 3);
	sasl_free_string(s->client_first_bare);
	s->client_first_bare = g_string_free(bare, FALSE);
}

/* The whole initial message of the mechanism into the response. */
static void
sasl_initial_message(struct sasl *s)
{
	char port[16];

	sasl_out_reset(s);
	switch (s->mech) {
	case SASL_PLAIN:
		/* RFC 4616: authzid NUL authcid NUL passwd, no authzid */
		sasl_out_byte(s, 0);
		sasl_out_str(s, s->user);
		sasl_out_byte(s, 0);
		sasl_out_str(s, s->secret);
		break;
	case SASL_SCRAM_SHA_1:
	case SASL_SCRAM_SHA_256:
		sasl_scram_first(s);
		break;
	case SASL_XOAUTH2:
		sasl_out_str(s, "user=");
		sasl_out_str(s, s->user);
		sasl_out_str(s, "\001auth=Bearer ");
		sasl_out_str(s, s->secret);
		sasl_out_str(s, "\001\001");
		break;
	case SASL_OAUTHBEARER:
		/* RFC 7628 section 3.1: gs2 header, then kvpairs */
		sasl_out_str(s, "n,a=");
		sasl_out_saslname(s, s->user);
		sasl_out_str(s, ",\001host=");
		sasl_out_str(s, s->host);
		g_snprintf(port, sizeof port, "%d", s->port);
		sasl_out_str(s, "\001port=");
		sasl_out_str(s, port);
		sasl_out_str(s, "\001auth=Bearer ");
		sasl_out_str(s, s->secret);
		sasl_out_str(s, "\001\001");
		break;
	case SASL_LOGIN:
	case SASL_CRAM_MD5:
		break;
	}
}

bool
sasl_initial(struct sasl *s, const unsigned char **out, size_t *len)
{
	if (s->mech == SASL_LOGIN || s->mech == SASL_CRAM_MD5)
		return false;
	sasl_initial_message(s);
	s->state = SASL_STATE_INITIAL;
	*out = s->out->data;
	*len = s->out->len;
	return true;
}

/* RFC 2195: "user hex(HMAC-MD5(secret, challenge))". */
static void
sasl_cram_md5(struct sasl *s, const unsigned char *in, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	char hex[3];

	HMAC(EVP_md5(), s->secret, (int)strlen(s->secret), in, len, md, &n);
	sasl_out_reset(s);
	sasl_out_str(s, s->user);
	sasl_out_byte(s, ' ');
	for (i = 0; i < n; i++) {
		g_snprintf(hex, sizeof hex, "%02x", md[i]);
		sasl_out_str(s, hex);
	}
	OPENSSL_cleanse(md, sizeof md);
}

/* The value of attribute NAME ("r", "s"...) in a SCRAM message: a new string, or NULL. */
static char *
sasl_scram_attr(const char *msg, char name)
{
	const char *p = msg, *end;

	while (*p != '\0') {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		if (end - p >= 2 && p[0] == name && p[1] == '=')
			return g_strndup(p + 2, (gsize)(end - p - 2));
		p = *end == ',' ? end + 1 : end;
	}
	return NULL;
}

/* Set a protocol error about the SCRAM challenge. */
static bool
sasl_scram_fail(GError **error, const char *what)
{
	g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL, "SCRAM: the server's %s", what);
	return false;
}

/* True when NONCE is printable ASCII without ','. */
static bool
sasl_nonce_valid(const char *nonce)
{
	const char *p;

	for (p = nonce; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e || *p == ',')
			return false;
	return true;
}

/* Parse the server-first message MSG and answer with client-final (RFC 5802 3). */
static bool
sasl_scram_final(struct sasl *s, const char *msg, GError **error)
{
	const EVP_MD *md = s->mech == SASL_SCRAM_SHA_1 ? EVP_sha1() : EVP_sha256();
	unsigned char salted[EVP_MAX_MD_SIZE], client_key[EVP_MAX_MD_SIZE];
	unsigned char stored_key[EVP_MAX_MD_SIZE], client_sig[EVP_MAX_MD_SIZE];
	unsigned char server_key[EVP_MAX_MD_SIZE], proof[EVP_MAX_MD_SIZE];
	char *nonce = NULL, *salt64 = NULL, *iter = NULL, *auth_msg = NULL, *without_proof = NULL;
	char *proof64 = NULL, *end;
	guchar *salt = NULL;
	gsize salt_len = 0;
	unsigned int n, i;
	int hlen = EVP_MD_size(md);
	gint64 iterations;
	bool ok = false;

	if (msg[0] == 'm' && msg[1] == '=') {
		sasl_scram_fail(error, "first message demands an unknown extension (m=)");
		goto out;
	}
	nonce = sasl_scram_attr(msg, 'r');
	salt64 = sasl_scram_attr(msg, 's');
	iter = sasl_scram_attr(msg, 'i');
	if (nonce == NULL || salt64 == NULL || iter == NULL) {
		sasl_scram_fail(error, "first message lacks r=, s= or i=");
		goto out;
	}
	if (strlen(nonce) <= strlen(s->nonce) || strncmp(nonce, s->nonce, strlen(s->nonce)) != 0 ||
	    !sasl_nonce_valid(nonce)) {
		sasl_scram_fail(error, "nonce does not extend ours");
		goto out;
	}
	iterations = g_ascii_strtoll(iter, &end, 10);
	if (*iter < '0' || *iter > '9' || *end != '\0' || iterations < SASL_SCRAM_MIN_ITERATIONS ||
	    iterations > SASL_SCRAM_MAX_ITERATIONS) {
		g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
		    "SCRAM: the server's iteration count is not between %d and %d",
		    SASL_SCRAM_MIN_ITERATIONS, SASL_SCRAM_MAX_ITERATIONS);
		goto out;
	}
	if (salt64[0] != '\0')
		salt = g_base64_decode(salt64, &salt_len);
	if (salt_len == 0) {
		sasl_scram_fail(error, "salt is empty or not base64");
		goto out;
	}
	if (PKCS5_PBKDF2_HMAC(s->secret, (int)strlen(s->secret), salt, (int)salt_len,
		(int)iterations, md, hlen, salted) != 1) {
		sasl_scram_fail(error, "parameters do not work with PBKDF2");
		goto out;
	}
	HMAC(md, salted, hlen, (const unsigned char *)"Client Key", 10, client_key, &n);
	EVP_Digest(client_key, (size_t)hlen, stored_key, &n, md, NULL);
	without_proof = g_strconcat("c=biws,r=", nonce, NULL);
	auth_msg = g_strconcat(s->client_first_bare, ",", msg, ",", without_proof, NULL);
	HMAC(md, stored_key, hlen, (const unsigned char *)auth_msg, strlen(auth_msg), client_sig,
	    &n);
	for (i = 0; i < (unsigned int)hlen; i++)
		proof[i] = client_key[i] ^ client_sig[i];
	HMAC(md, salted, hlen, (const unsigned char *)"Server Key", 10, server_key, &n);
	HMAC(md, server_key, hlen, (const unsigned char *)auth_msg, strlen(auth_msg),
	    s->server_signature, &s->sig_len);
	proof64 = g_base64_encode(proof, (gsize)hlen);
	sasl_out_reset(s);
	sasl_out_str(s, without_proof);
	sasl_out_str(s, ",p=");
	sasl_out_str(s, proof64);
	ok = true;
out:
	OPENSSL_cleanse(salted, sizeof salted);
	OPENSSL_cleanse(client_key, sizeof client_key);
	OPENSSL_cleanse(stored_key, sizeof stored_key);
	OPENSSL_cleanse(client_sig, sizeof client_sig);
	OPENSSL_cleanse(server_key, sizeof server_key);
	OPENSSL_cleanse(proof, sizeof proof);
	sasl_free_string(auth_msg);
	sasl_free_string(proof64);
	g_free(without_proof);
	g_free(salt);
	g_free(nonce);
	g_free(salt64);
	g_free(iter);
	return ok;
}

/* Check the server-final message MSG: "v=" with our expected signature. */
static bool
sasl_scram_verify(struct sasl *s, const char *msg, GError **error)
{
	char *e = sasl_scram_attr(msg, 'e'), *v = sasl_scram_attr(msg, 'v');
	guchar *sig = NULL;
	gsize len = 0;
	bool ok = false;

	if (e != NULL) {
		bool cut;
		char *q;

		/* The server's words: the secret scrubbed from the raw bytes, then cut and made safe. */
		q = sanitize_scrubbed(e, strlen(e), SASL_MAX_QUOTE, s->secret, NULL, 0, &cut);

		g_set_error(error, SASL_ERROR, SASL_ERROR_SERVER, "SCRAM: the server says %s%s", q,
		    cut ? "..." : "");
		g_free(q);
		goto out;
	}
	if (v != NULL && v[0] != '\0')
		sig = g_base64_decode(v, &len);
	if (sig == NULL || len != s->sig_len || CRYPTO_memcmp(sig, s->server_signature, len) != 0) {
		g_set_error(error, SASL_ERROR, SASL_ERROR_PROOF,
		    "SCRAM: the server could not prove that it knows the password");
		goto out;
	}
	s->state = SASL_STATE_VERIFIED;
	sasl_out_reset(s);
	ok = true;
out:
	g_free(sig);
	g_free(e);
	g_free(v);
	return ok;
}

/* A SCRAM step on the challenge MSG (NUL-free text). */
static bool
sasl_scram_step(struct sasl *s, const char *msg, size_t len, GError **error)
{
	switch (s->state) {
	case SASL_STATE_START:
		sasl_scram_first(s);
		s->state = SASL_STATE_INITIAL;
		return true;
	case SASL_STATE_INITIAL:
		if (len == 0) {
			/* the server did not take the initial response: send it now */
			sasl_scram_first(s);
			return true;
		}
		if (!sasl_scram_final(s, msg, error))
			return false;
		s->state = SASL_STATE_SECOND;
		return true;
	case SASL_STATE_SECOND:
		return sasl_scram_verify(s, msg, error);
	default:
		g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
		    "SCRAM: the server sent a challenge after the exchange ended");
		return false;
	}
}

/* An OAuth step: the token message first, then after an error JSON the closing answer. */
static bool
sasl_oauth_step(struct sasl *s, const char *msg, size_t len, GError **error)
{
	if (s->state == SASL_STATE_START || (s->state == SASL_STATE_INITIAL && len == 0)) {
		sasl_initial_message(s);
		s->state = SASL_STATE_INITIAL;
		return true;
	}
	if (s->state == SASL_STATE_INITIAL) {
		g_free(s->server_error);
		s->server_error = g_strndup(msg, len);
		sasl_out_reset(s);
		if (s->mech == SASL_OAUTHBEARER)
			sasl_out_byte(s, 0x01); /* RFC 7628 3.2.3 */
		s->state = SASL_STATE_FAILED;
		return true;
	}
	g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
	    "%s: the server sent a challenge after the exchange ended", sasl_mech_name(s->mech));
	return false;
}

bool
sasl_step(struct sasl *s, const unsigned char *in, size_t len, const unsigned char **out,
    size_t *out_len, GError **error)
{
	char *msg = NULL;
	bool ok = true;

	if (memchr(in, '\0', len) != NULL && s->mech != SASL_CRAM_MD5) {
		g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
		    "%s: the server's challenge contains a NUL byte", sasl_mech_name(s->mech));
		return false;
	}
	msg = g_strndup((const char *)in, len);
	switch (s->mech) {
	case SASL_PLAIN:
		if (s->state == SASL_STATE_SECOND || len != 0) {
			g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
			    "PLAIN: the server sent an unexpected challenge");
			ok = false;
			break;
		}
		sasl_initial_message(s);
		s->state = SASL_STATE_SECOND;
		break;
	case SASL_LOGIN:
		/* The prompts vary ("Username:", "User Name"); their order does not. */
		sasl_out_reset(s);
		if (s->state == SASL_STATE_START) {
			sasl_out_str(s, s->user);
			s->state = SASL_STATE_INITIAL;
		} else if (s->state == SASL_STATE_INITIAL) {
			sasl_out_str(s, s->secret);
			s->state = SASL_STATE_SECOND;
		} else {
			g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
			    "LOGIN: the server asked for more than a user name and password");
			ok = false;
		}
		break;
	case SASL_CRAM_MD5:
		if (s->state != SASL_STATE_START || len == 0) {
			g_set_error(error, SASL_ERROR, SASL_ERROR_PROTOCOL,
			    "CRAM-MD5: the server's challenge is %s",
			    len == 0 ? "empty" : "repeated");
			ok = false;
			break;
		}
		sasl_cram_md5(s, in, len);
		s->state = SASL_STATE_SECOND;
		break;
	case SASL_SCRAM_SHA_1:
	case SASL_SCRAM_SHA_256:
		ok = sasl_scram_step(s, msg, len, error);
		break;
	case SASL_XOAUTH2:
	case SASL_OAUTHBEARER:
		ok = sasl_oauth_step(s, msg, len, error);
		break;
	}
	g_free(msg);
	if (!ok)
		return false;
	*out = s->out->data;
	*out_len = s->out->len;
	return true;
}

bool
sasl_finish(struct sasl *s, GError **error)
{
	if ((s->mech == SASL_SCRAM_SHA_1 || s->mech == SASL_SCRAM_SHA_256) &&
	    s->state != SASL_STATE_VERIFIED) {
		g_set_error(error, SASL_ERROR, SASL_ERROR_PROOF,
		    "SCRAM: the server accepted the login without proving that it knows the password");
		return false;
	}
	sasl_out_reset(s);
	return true;
}

char *
sasl_apop_timestamp(const char *greeting, size_t len)
{
	const char *lt = memchr(greeting, '<', len), *p, *at = NULL;
	size_t rest;

	if (lt == NULL)
		return NULL;
	rest = len - (size_t)(lt - greeting);
	for (p = lt + 1; p < lt + rest; p++) {
		if (*p == '>')
			break;
		/* printable ASCII only: no space, control or 8-bit byte, no nested '<' */
		if (*p < 0x21 || *p > 0x7e || *p == '<')
			return NULL;
		if (*p == '@')
			at = p;
	}
	if (p == lt + rest || at == NULL || at == lt + 1 || at + 1 == p)
		return NULL;
	if ((size_t)(p - lt) + 1 > SASL_APOP_MAX_TIMESTAMP)
		return NULL;
	return g_strndup(lt, (gsize)(p - lt) + 1);
}

void
sasl_apop_digest(const char *timestamp, const char *secret, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
	EVP_DigestUpdate(ctx, timestamp, strlen(timestamp));
	EVP_DigestUpdate(ctx, secret, strlen(secret));
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < n && i < 16; i++)
		g_snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[32] = '\0';
	OPENSSL_cleanse(md, sizeof md);
}
