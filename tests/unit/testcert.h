/*
 * testcert: test certificates made in memory with OpenSSL (a CA, servers
 * signed by it, expired, not yet valid or self-signed ones), and a TLS
 * server that runs in a thread on one end of a socketpair.  Header-only,
 * for test-tls.c and testpeer.c.
 */
#ifndef SURAT_TESTCERT_H
#define SURAT_TESTCERT_H

#include <glib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "surat/tls.h"

struct testcert {
	EVP_PKEY *key;
	X509 *cert;
};

/* A new P-256 key. */
static inline EVP_PKEY *
testcert_key(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	EVP_PKEY *key = NULL;

	g_assert(ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) == 1 &&
	    EVP_PKEY_keygen(ctx, &key) == 1);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

/* Add the extension NID with VALUE (openssl.cnf syntax) to CERT, issued by ISSUER. */
static inline void
testcert_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	g_assert(ext != NULL);
	X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
}

/*
 * Make OUT: a certificate for CN with subjectAltName SAN (NULL: none), valid
 * from FROM_DAYS to TO_DAYS relative to now, signed by ISSUER (NULL:
 * self-signed); a CA when CA is true.
 */
static inline void
testcert_make(struct testcert *out, const char *cn, const char *san, long from_days,
    long to_days, const struct testcert *issuer, bool ca)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	out->key = testcert_key();
	out->cert = x;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"surat tests",
	    -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer->cert) : name);
	X509_NAME_free(name);
	X509_set_pubkey(x, out->key);
	if (ca) {
		testcert_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		testcert_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		testcert_ext(x, issuer != NULL ? issuer->cert : x, NID_basic_constraints,
		    "CA:FALSE");
		testcert_ext(x, issuer != NULL ? issuer->cert : x, NID_ext_key_usage,
		    "serverAuth");
	}
	if (san != NULL)
		testcert_ext(x, issuer != NULL ? issuer->cert : x, NID_subject_alt_name, san);
	g_assert(X509_sign(x, issuer != NULL ? issuer->key : out->key, EVP_sha256()) > 0);
}

static inline void
testcert_free(struct testcert *c)
{
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	memset(c, 0, sizeof *c);
}

/* Write CERT as PEM to PATH. */
static inline void
testcert_write(X509 *cert, const char *path)
{
	FILE *f = fopen(path, "w");

	g_assert(f != NULL);
	g_assert(PEM_write_X509(f, cert) == 1);
	fclose(f);
}

/* CERT's "SHA256:<hex>" into OUT (TLS_FINGERPRINT_LEN + 1 bytes). */
static inline void
testcert_fingerprint(X509 *cert, char *out)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);

	g_assert(len > 0);
	tls_fingerprint_der(der, (size_t)len, out);
	OPENSSL_free(der);
}

/* A TLS server on one end of a socketpair, in a thread. */
struct testcert_server {
	int fd;                   /* its end (owned; closed at the end) */
	const struct testcert *cert;
	int max_version;          /* 0: any */
	const char *send;         /* written after the handshake, or NULL */
	size_t bulk;              /* then this many bytes of pattern */
	bool handshake_ok;        /* out: SSL_accept succeeded */
	GString *received;        /* out: what the client sent over TLS */
};

/* The server thread: accept TLS, send, read until the client goes away. */
static inline gpointer
testcert_server_run(gpointer data)
{
	struct testcert_server *srv = data;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL *ssl;
	char buf[4096];
	sigset_t set;
	int n;

	/* the client may hang up first: that is not this test's business */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	srv->received = g_string_new(NULL);
	SSL_CTX_use_certificate(ctx, srv->cert->cert);
	SSL_CTX_use_PrivateKey(ctx, srv->cert->key);
	if (srv->max_version != 0) {
		SSL_CTX_set_security_level(ctx, 0);
		SSL_CTX_set_min_proto_version(ctx, 0);
		SSL_CTX_set_max_proto_version(ctx, srv->max_version);
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, srv->fd);
	if (SSL_accept(ssl) == 1) {
		srv->handshake_ok = true;
		if (srv->send != NULL)
			SSL_write(ssl, srv->send, (int)strlen(srv->send));
		if (srv->bulk > 0) {
			char *pattern = g_malloc(srv->bulk);
			size_t i;

			for (i = 0; i < srv->bulk; i++)
				pattern[i] = (char)(i % 251);
			SSL_write(ssl, pattern, (int)srv->bulk);
			g_free(pattern);
		}
		while ((n = SSL_read(ssl, buf, sizeof buf)) > 0)
			g_string_append_len(srv->received, buf, n);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	close(srv->fd);
	return NULL;
}

#endif
