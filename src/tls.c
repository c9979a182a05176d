/*
 * tls: an OpenSSL client with verification that explains itself (tls.h).
 *
 * Verification runs inside the handshake: the callback remembers the first
 * failure (its code, depth and certificate) and fails the handshake, so the
 * server gets an alert and we get a reason to put in words.  With a pinned
 * fingerprint the callback accepts everything and the fingerprint is
 * compared as soon as the handshake ends, before a single byte of ours is
 * sent over the channel.
 *
 * What it must never do: accept a certificate the configuration did not
 * trust, leave errors on OpenSSL's queue, or raise SIGPIPE.
 */
#include "surat/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "surat/sanitize.h"

G_DEFINE_QUARK(surat-tls-error-quark, tls_error)

#define TLS_MAX_NAMES 12 /* names listed in a hostname mismatch */

struct tls_conn {
	SSL_CTX *ctx;
	SSL *ssl;
	char *host;
	bool pinned;                               /* a fingerprint is the trust */
	char fingerprint[TLS_FINGERPRINT_LEN + 1]; /* the configured one, normalised */
	int verify_error;                          /* the first failure, or X509_V_OK */
	int verify_depth;
	X509 *verify_cert;                         /* the certificate it concerns (owned) */
	bool done;                                 /* handshake finished and accepted */
	struct tls_info info;
};

/* Block SIGPIPE in this thread while OpenSSL writes to the socket; *PENDING says whether one was pending already. */
static void
tls_sigpipe_block(sigset_t *old, bool *pending)
{
	sigset_t set, now;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&now);
	*pending = sigismember(&now, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Swallow a SIGPIPE our write raised, then restore the mask. */
static void
tls_sigpipe_restore(const sigset_t *old, bool pending)
{
	struct timespec zero = { 0, 0 };
	sigset_t set, now;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigpending(&now);
	if (!pending && sigismember(&now, SIGPIPE) == 1)
		(void)sigtimedwait(&set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Everything on OpenSSL's error queue as one line (g_free), emptying it; NULL if empty. */
static char *
tls_drain_errors(void)
{
	GString *s = NULL;
	unsigned long e;
	char buf[256];
	const char *reason;

	while ((e = ERR_get_error()) != 0) {
		reason = ERR_reason_error_string(e);
		if (reason == NULL) {
			ERR_error_string_n(e, buf, sizeof buf);
			reason = buf;
		}
		if (s == NULL)
			s = g_string_new(reason);
		else if (strstr(s->str, reason) == NULL)
			g_string_append_printf(s, "; %s", reason);
	}
	return s != NULL ? g_string_free(s, FALSE) : NULL;
}

/* Set ERROR to CODE with "HOST: WHAT" followed by OpenSSL's reasons, if any. */
static void
tls_set_error(struct tls_conn *t, GError **error, int code, const char *what)
{
	char *reasons = tls_drain_errors();

	g_set_error(error, TLS_ERROR, code, "%s: %s%s%s", t->host, what,
	    reasons != NULL ? ": " : "", reasons != NULL ? reasons : "");
	g_free(reasons);
}

void
tls_fingerprint_der(const unsigned char *der, size_t len, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(der, len, md, &n, EVP_sha256(), NULL);
	memcpy(out, "SHA256:", 7);
	for (i = 0; i < n && i < 32; i++)
		g_snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	out[TLS_FINGERPRINT_LEN] = '\0';
}

/* The fingerprint of CERT into OUT (TLS_FINGERPRINT_LEN + 1 bytes). */
static void
tls_fingerprint_cert(X509 *cert, char *out)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der);

	if (len <= 0) {
		ERR_clear_error();
		g_strlcpy(out, "SHA256:?", TLS_FINGERPRINT_LEN + 1);
		return;
	}
	tls_fingerprint_der(der, (size_t)len, out);
	OPENSSL_free(der);
}

bool
tls_fingerprint_parse(const char *in, char *out)
{
	size_t n = 0;
	const char *p;

	if (in == NULL || g_ascii_strncasecmp(in, "SHA256:", 7) != 0)
		return false;
	memcpy(out, "SHA256:", 7);
	for (p = in + 7; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!g_ascii_isxdigit(*p) || n == 64)
			return false;
		out[7 + n++] = g_ascii_tolower(*p);
	}
	out[7 + n] = '\0';
	return n == 64;
}

/* NAME on one line (g_free), sanitized; "?" when it cannot be printed. */
static char *
tls_name_line(const X509_NAME *name)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *line;
	long len;

	if (bio == NULL || X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
		BIO_free(bio);
		ERR_clear_error();
		return g_strdup("?");
	}
	len = BIO_get_mem_data(bio, &data);
	line = sanitize_text(data, len, 0);
	BIO_free(bio);
	return line;
}

/* TIME as "2026-01-01 00:00:00 UTC" (g_free). */
static char *
tls_time_line(const ASN1_TIME *time)
{
	struct tm tm;
	char buf[64];

	if (time == NULL || ASN1_TIME_to_tm(time, &tm) != 1) {
		ERR_clear_error();
		return g_strdup("?");
	}
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return g_strdup(buf);
}

/* The names CERT is for: "DNS:a, IP:b" (or its CN when it has no names), g_free. */
static char *
tls_cert_names(X509 *cert)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	GString *s = g_string_new(NULL);
	char addr[INET6_ADDRSTRLEN], *clean;
	int i, n = names != NULL ? sk_GENERAL_NAME_num(names) : 0, shown = 0;

	for (i = 0; i < n; i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
		const unsigned char *d;
		int len;

		if (shown == TLS_MAX_NAMES) {
			g_string_append(s, ", ...");
			break;
		}
		if (gn->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(gn->d.dNSName);
			len = ASN1_STRING_length(gn->d.dNSName);
			clean = sanitize_text((const char *)d, len, 0);
			g_string_append_printf(s, "%sDNS:%s", shown > 0 ? ", " : "", clean);
			g_free(clean);
			shown++;
		} else if (gn->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(gn->d.iPAddress);
			len = ASN1_STRING_length(gn->d.iPAddress);
			if ((len != 4 && len != 16) ||
			    inet_ntop(len == 4 ? AF_INET : AF_INET6, d, addr, sizeof addr) == NULL)
				continue;
			g_string_append_printf(s, "%sIP:%s", shown > 0 ? ", " : "", addr);
			shown++;
		}
	}
	GENERAL_NAMES_free(names);
	if (shown == 0) {
		char *subject = tls_name_line(X509_get_subject_name(cert));

		g_string_append_printf(s, "no names (subject %s)", subject);
		g_free(subject);
	}
	ERR_clear_error();
	return g_string_free(s, FALSE);
}

/* Remember the first verification failure; accept everything when pinned. */
static int
tls_verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_conn *t = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	X509 *cert;

	if (t == NULL)
		return ok;
	if (t->pinned) {
		/* The pin is the trust: check it on the leaf, so a mismatch fails the handshake. */
		char fp[TLS_FINGERPRINT_LEN + 1];

		cert = X509_STORE_CTX_get_current_cert(store);
		if (X509_STORE_CTX_get_error_depth(store) != 0 || cert == NULL)
			return 1;
		tls_fingerprint_cert(cert, fp);
		if (strcmp(fp, t->fingerprint) == 0)
			return 1;
		if (t->verify_error == X509_V_OK) {
			t->verify_error = X509_V_ERR_APPLICATION_VERIFICATION;
			t->verify_depth = 0;
			if (X509_up_ref(cert) == 1)
				t->verify_cert = cert;
		}
		return 0;
	}
	if (!ok && t->verify_error == X509_V_OK) {
		t->verify_error = X509_STORE_CTX_get_error(store);
		t->verify_depth = X509_STORE_CTX_get_error_depth(store);
		cert = X509_STORE_CTX_get_current_cert(store);
		if (cert != NULL && X509_up_ref(cert) == 1)
			t->verify_cert = cert;
	}
	return ok;
}

/* True when HOST is an IPv4 or IPv6 address. */
static bool
tls_host_is_ip(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

struct tls_conn *
tls_conn_new(int fd, const struct tls_options *options, GError **error)
{
	struct tls_conn *t = g_new0(struct tls_conn, 1);
	X509_VERIFY_PARAM *param;
	bool ip;

	t->host = g_strdup(options->host != NULL ? options->host : "");
	t->verify_error = X509_V_OK;
	ERR_clear_error();
	if (options->fingerprint != NULL) {
		if (!tls_fingerprint_parse(options->fingerprint, t->fingerprint)) {
			g_set_error(error, TLS_ERROR, TLS_ERROR_SETUP,
			    "%s: fingerprint is not \"SHA256:\" and 64 hex digits", t->host);
			goto fail;
		}
		t->pinned = true;
	}
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (t->ctx == NULL) {
		tls_set_error(t, error, TLS_ERROR_SETUP, "cannot set up TLS");
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, tls_verify_cb);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* POP3 ends its replies itself; a cut is caught there. */
	SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	/* Fewer, larger socket reads while a message streams in. */
	SSL_CTX_set_read_ahead(t->ctx, 1);
	SSL_CTX_set_default_read_buffer_len(t->ctx, 64 * 1024);
	if (!t->pinned) {
		if (options->ca_file != NULL) {
			FILE *f = fopen(options->ca_file, "r");

			if (f == NULL) {
				g_set_error(error, TLS_ERROR, TLS_ERROR_SETUP,
				    "%s: cannot read ca_file %s: %s", t->host, options->ca_file,
				    g_strerror(errno));
				goto fail;
			}
			fclose(f);
			if (SSL_CTX_load_verify_locations(t->ctx, options->ca_file, NULL) != 1) {
				char *what = g_strdup_printf("cannot load ca_file %s",
				    options->ca_file);

				tls_set_error(t, error, TLS_ERROR_SETUP, what);
				g_free(what);
				goto fail;
			}
		} else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
			tls_set_error(t, error, TLS_ERROR_SETUP,
			    "cannot load the system's trusted certificates");
			goto fail;
		}
	}
	t->ssl = SSL_new(t->ctx);
	if (t->ssl == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		tls_set_error(t, error, TLS_ERROR_SETUP, "cannot set up TLS");
		goto fail;
	}
	SSL_set_app_data(t->ssl, t);
	param = SSL_get0_param(t->ssl);
	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	ip = tls_host_is_ip(t->host);
	if (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, t->host) != 1 :
		 (SSL_set1_host(t->ssl, t->host) != 1 ||
		     SSL_set_tlsext_host_name(t->ssl, t->host) != 1)) {
		tls_set_error(t, error, TLS_ERROR_SETUP, "cannot use this host name for TLS");
		goto fail;
	}
	return t;
fail:
	tls_conn_free(t);
	return NULL;
}

void
tls_conn_free(struct tls_conn *t)
{
	sigset_t old;
	bool pending;

	if (t == NULL)
		return;
	if (t->ssl != NULL) {
		if (t->done) {
			tls_sigpipe_block(&old, &pending);
			(void)SSL_shutdown(t->ssl);
			tls_sigpipe_restore(&old, pending);
		}
		SSL_free(t->ssl);
	}
	SSL_CTX_free(t->ctx);
	ERR_clear_error();
	X509_free(t->verify_cert);
	tls_info_clear(&t->info);
	g_free(t->host);
	g_free(t);
}

/* "the server's certificate" or "the certificate SUBJECT in the server's chain" (g_free). */
static char *
tls_which_cert(const struct tls_conn *t, X509 *cert)
{
	char *subject, *s;

	if (cert == NULL)
		return g_strdup("the server's certificate");
	subject = tls_name_line(X509_get_subject_name(cert));
	if (t->verify_depth == 0)
		s = g_strdup_printf("the server's certificate (%s)", subject);
	else
		s = g_strdup_printf("the certificate %s in the server's chain", subject);
	g_free(subject);
	return s;
}

/* Put the remembered verification failure into words. */
static void
tls_set_verify_error(struct tls_conn *t, GError **error)
{
	X509 *cert = t->verify_cert;
	char *which = tls_which_cert(t, cert), *a = NULL, *b = NULL;
	char fp[TLS_FINGERPRINT_LEN + 1];

	ERR_clear_error();
	if (t->pinned && cert != NULL) {
		tls_fingerprint_cert(cert, fp);
		g_set_error(error, TLS_ERROR, TLS_ERROR_FINGERPRINT,
		    "%s: the server's certificate fingerprint is %s, not the configured %s",
		    t->host, fp, t->fingerprint);
		g_free(which);
		return;
	}
	switch (t->verify_error) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		a = tls_time_line(cert != NULL ? X509_get0_notAfter(cert) : NULL);
		g_set_error(error, TLS_ERROR, TLS_ERROR_EXPIRED, "%s: %s expired on %s", t->host,
		    which, a);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		a = tls_time_line(cert != NULL ? X509_get0_notBefore(cert) : NULL);
		g_set_error(error, TLS_ERROR, TLS_ERROR_NOT_YET_VALID,
		    "%s: %s is not valid before %s (is the clock right?)", t->host, which, a);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		if (cert != NULL)
			tls_fingerprint_cert(cert, fp);
		else
			g_strlcpy(fp, "?", sizeof fp);
		g_set_error(error, TLS_ERROR, TLS_ERROR_SELF_SIGNED,
		    "%s: %s is self-signed and not trusted; its fingerprint is %s: if the "
		    "server's administrator confirms it, set fingerprint to it",
		    t->host, which, fp);
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		g_set_error(error, TLS_ERROR, TLS_ERROR_SELF_SIGNED,
		    "%s: the server's chain ends in a self-signed authority that is not trusted "
		    "(%s); set ca_file to that authority's certificate",
		    t->host, which);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		a = cert != NULL ? tls_name_line(X509_get_issuer_name(cert)) : g_strdup("?");
		g_set_error(error, TLS_ERROR, TLS_ERROR_UNKNOWN_CA,
		    "%s: %s was issued by an unknown authority (issuer %s); set ca_file to that "
		    "authority's certificate",
		    t->host, which, a);
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		b = cert != NULL ? tls_cert_names(cert) : g_strdup("?");
		g_set_error(error, TLS_ERROR, TLS_ERROR_HOSTNAME,
		    "%s: the server's certificate is for %s, not for %s", t->host, b, t->host);
		break;
	default:
		g_set_error(error, TLS_ERROR, TLS_ERROR_VERIFY,
		    "%s: %s was not accepted: %s", t->host, which,
		    X509_verify_cert_error_string(t->verify_error));
		break;
	}
	g_free(a);
	g_free(b);
	g_free(which);
}

/* Fill T's info from the finished handshake; PEER is the server's certificate. */
static void
tls_fill_info(struct tls_conn *t, X509 *peer, const char *fingerprint)
{
	t->info.protocol = g_strdup(SSL_get_version(t->ssl));
	t->info.cipher = g_strdup(SSL_get_cipher_name(t->ssl));
	t->info.subject = tls_name_line(X509_get_subject_name(peer));
	t->info.issuer = tls_name_line(X509_get_issuer_name(peer));
	t->info.not_before = tls_time_line(X509_get0_notBefore(peer));
	t->info.not_after = tls_time_line(X509_get0_notAfter(peer));
	t->info.fingerprint = g_strdup(fingerprint);
}

/* The handshake ended: check what the callback could not, and record the channel. */
static enum tls_status
tls_accept_peer(struct tls_conn *t, GError **error)
{
	char fp[TLS_FINGERPRINT_LEN + 1];
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	X509 *peer = SSL_get1_peer_certificate(t->ssl);
#else
	X509 *peer = SSL_get_peer_certificate(t->ssl);
#endif

	if (peer == NULL) {
		g_set_error(error, TLS_ERROR, TLS_ERROR_VERIFY,
		    "%s: the server sent no certificate", t->host);
		return TLS_FAILED;
	}
	tls_fingerprint_cert(peer, fp);
	if (t->pinned && strcmp(fp, t->fingerprint) != 0) {
		g_set_error(error, TLS_ERROR, TLS_ERROR_FINGERPRINT,
		    "%s: the server's certificate fingerprint is %s, not the configured %s",
		    t->host, fp, t->fingerprint);
		X509_free(peer);
		return TLS_FAILED;
	}
	if (!t->pinned && SSL_get_verify_result(t->ssl) != X509_V_OK) {
		/* The callback saw it; this is belt and braces. */
		if (t->verify_error == X509_V_OK)
			t->verify_error = (int)SSL_get_verify_result(t->ssl);
		tls_set_verify_error(t, error);
		X509_free(peer);
		return TLS_FAILED;
	}
	tls_fill_info(t, peer, fp);
	X509_free(peer);
	ERR_clear_error();
	t->done = true;
	return TLS_DONE;
}

/* What SSL_get_error says about RC (errno SAVED), as a status (ERROR set for TLS_FAILED). */
static enum tls_status
tls_status_of(struct tls_conn *t, int rc, int saved, const char *doing, GError **error)
{
	int err = SSL_get_error(t->ssl, rc);
	char *what;

	switch (err) {
	case SSL_ERROR_WANT_READ:
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		return TLS_CLOSED;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0 && (saved == 0 || saved == EPIPE || saved == ECONNRESET))
			return TLS_CLOSED;
		if (ERR_peek_error() == 0) {
			what = g_strdup_printf("%s: %s", doing, g_strerror(saved));
			g_set_error(error, TLS_ERROR, t->done ? TLS_ERROR_IO : TLS_ERROR_HANDSHAKE,
			    "%s: %s", t->host, what);
			g_free(what);
			return TLS_FAILED;
		}
		/* fall through */
	default:
		if (!t->done && ERR_GET_LIB(ERR_peek_error()) == ERR_LIB_SSL &&
		    ERR_GET_REASON(ERR_peek_error()) == SSL_R_WRONG_VERSION_NUMBER) {
			/* plain text where a TLS record was due: say what that means */
			ERR_clear_error();
			g_set_error(error, TLS_ERROR, TLS_ERROR_HANDSHAKE,
			    "%s: the server does not speak TLS on this port (is it a port for "
			    "STARTTLS or plain text, such as 110?)",
			    t->host);
			return TLS_FAILED;
		}
		what = g_strdup_printf("%s failed", doing);
		tls_set_error(t, error, t->done ? TLS_ERROR_IO : TLS_ERROR_HANDSHAKE, what);
		g_free(what);
		return TLS_FAILED;
	}
}

enum tls_status
tls_handshake(struct tls_conn *t, GError **error)
{
	enum tls_status st;
	sigset_t old;
	bool pending;
	int rc, saved;

	if (t->done)
		return TLS_DONE;
	ERR_clear_error();
	tls_sigpipe_block(&old, &pending);
	errno = 0;
	rc = SSL_connect(t->ssl);
	saved = errno;
	tls_sigpipe_restore(&old, pending);
	if (rc == 1)
		return tls_accept_peer(t, error);
	if (t->verify_error != X509_V_OK) {
		tls_set_verify_error(t, error);
		return TLS_FAILED;
	}
	st = tls_status_of(t, rc, saved, "TLS handshake", error);
	if (st == TLS_CLOSED) {
		g_set_error(error, TLS_ERROR, TLS_ERROR_HANDSHAKE,
		    "%s: the server closed the connection during the TLS handshake", t->host);
		return TLS_FAILED;
	}
	return st;
}

enum tls_status
tls_read(struct tls_conn *t, void *buf, size_t len, size_t *got, GError **error)
{
	int rc;

	ERR_clear_error();
	errno = 0;
	rc = SSL_read_ex(t->ssl, buf, len, got);
	if (rc == 1)
		return TLS_DONE;
	return tls_status_of(t, rc, errno, "TLS read", error);
}

bool
tls_pending(const struct tls_conn *t)
{
	return SSL_has_pending(t->ssl) == 1;
}

enum tls_status
tls_write(struct tls_conn *t, const void *buf, size_t len, size_t *put, GError **error)
{
	enum tls_status st;
	sigset_t old;
	bool pending;
	int rc;

	ERR_clear_error();
	tls_sigpipe_block(&old, &pending);
	errno = 0;
	rc = SSL_write_ex(t->ssl, buf, len, put);
	st = rc == 1 ? TLS_DONE : tls_status_of(t, rc, errno, "TLS write", error);
	tls_sigpipe_restore(&old, pending);
	return st;
}

const struct tls_info *
tls_conn_info(const struct tls_conn *t)
{
	return t->done ? &t->info : NULL;
}

void
tls_info_clear(struct tls_info *info)
{
	g_free(info->protocol);
	g_free(info->cipher);
	g_free(info->subject);
	g_free(info->issuer);
	g_free(info->not_before);
	g_free(info->not_after);
	g_free(info->fingerprint);
	memset(info, 0, sizeof *info);
}
