/*
 * sasl: the client side of the authentication mechanisms POP3 uses, as pure
 * computations (no I/O): PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195),
 * SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, 7677) with the server's signature
 * checked, XOAUTH2 (Google/Microsoft), OAUTHBEARER (RFC 7628), and APOP's
 * digest (RFC 1939) with the greeting's timestamp validated (CVE-2007-1558).
 *
 * Challenges and responses are raw bytes with lengths (the caller does the
 * base64 of RFC 5034).  Every buffer that held a secret is zeroed
 * (OPENSSL_cleanse) before it is freed.
 *
 * What it never does: log, print, or keep the secret after sasl_free().
 */
#ifndef SURAT_SASL_H
#define SURAT_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#define SASL_ERROR (sasl_error_quark())
GQuark sasl_error_quark(void);

enum sasl_error_code {
	SASL_ERROR_PROTOCOL, /* a challenge that breaks the mechanism */
	SASL_ERROR_PROOF,    /* SCRAM: the server's signature is wrong */
	SASL_ERROR_SERVER,   /* the server reported a failure inside the exchange */
};

enum sasl_mech {
	SASL_PLAIN,
	SASL_LOGIN,
	SASL_CRAM_MD5,
	SASL_SCRAM_SHA_1,
	SASL_SCRAM_SHA_256,
	SASL_XOAUTH2,
	SASL_OAUTHBEARER,
};

#define SASL_SCRAM_MIN_ITERATIONS 4096     /* RFC 7677 */
#define SASL_SCRAM_MAX_ITERATIONS 1000000  /* more is a server wasting our time */
#define SASL_APOP_MAX_TIMESTAMP   512      /* "<...@...>" in a greeting */

/* The name on the wire ("SCRAM-SHA-256"). */
const char *sasl_mech_name(enum sasl_mech mech);

/* True when MECH sends the secret itself (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER). */
bool sasl_mech_sends_secret(enum sasl_mech mech);

/* True when TEXT (LEN bytes) is well-formed base64 (RFC 4648, padded): a challenge's form. */
bool sasl_is_base64(const char *text, size_t len);

struct sasl;

/*
 * A client exchange for MECH as USER with SECRET (a password, or a bearer
 * token for XOAUTH2 and OAUTHBEARER); both are copied.  HOST and PORT go into
 * OAUTHBEARER's message.  Never fails.
 */
struct sasl *sasl_new(enum sasl_mech mech, const char *user, const char *secret, const char *host,
    int port);

/* Zero and free S (NULL is fine). */
void sasl_free(struct sasl *s);

/*
 * The initial response (RFC 4422) for mechanisms that have one (PLAIN,
 * SCRAM-*, XOAUTH2, OAUTHBEARER): true with *OUT (*LEN bytes, owned by S,
 * valid until the next call on S); false for LOGIN and CRAM-MD5.
 */
bool sasl_initial(struct sasl *s, const unsigned char **out, size_t *len);

/*
 * Answer the server's challenge IN (LEN bytes, decoded): *OUT and *OUT_LEN
 * as above.  An empty challenge before anything was exchanged asks for the
 * initial response.  After the exchange failed inside an OAuth mechanism
 * (the server's error JSON as the challenge), the answer is the one that
 * lets the server finish (empty for XOAUTH2, 0x01 for OAUTHBEARER) and
 * sasl_server_error() holds the JSON.  Fails with SASL_ERROR_PROTOCOL,
 * _PROOF (SCRAM's server signature is wrong) or _SERVER (SCRAM "e=").
 */
bool sasl_step(struct sasl *s, const unsigned char *in, size_t len, const unsigned char **out,
    size_t *out_len, GError **error);

/*
 * The server said the exchange succeeded: false (SASL_ERROR_PROOF) when the
 * mechanism needed the server to prove itself and it did not (SCRAM).
 */
bool sasl_finish(struct sasl *s, GError **error);

/* The OAuth error JSON the server sent, NUL-terminated raw bytes, or NULL. */
const char *sasl_server_error(const struct sasl *s);

/* Tests only: use NONCE (printable, no ',') instead of a random one (SCRAM). */
void sasl_set_client_nonce(struct sasl *s, const char *nonce);

/*
 * The APOP timestamp of a greeting: the first "<...>" in GREETING (LEN
 * bytes), which must be a msg-id, '<' local '@' domain '>' of printable
 * ASCII and at most SASL_APOP_MAX_TIMESTAMP bytes (CVE-2007-1558).  Returns
 * a new string (g_free) or NULL.
 */
char *sasl_apop_timestamp(const char *greeting, size_t len);

/* MD5(TIMESTAMP SECRET) as 32 lower-case hex digits into OUT (33 bytes). */
void sasl_apop_digest(const char *timestamp, const char *secret, char *out);

#endif
