/*
 * tls: the OpenSSL client end of a connection (DESIGN promise 4).
 *
 * The system trust store (or ca_file alone), TLS 1.2 or newer, SNI, and the
 * host name checked against the certificate (DNS names, or IP addresses when
 * the host is one).  With a fingerprint configured, that fingerprint is the
 * trust: chain and name are not required, but the SHA-256 of the server's
 * DER certificate must match.  A failure says why and for which host
 * (expired on DATE, not yet valid, self-signed, unknown CA with the issuer,
 * names the certificate is for, the server's fingerprint), and OpenSSL's
 * error queue is drained into the message here, at the boundary.
 *
 * The socket is non-blocking: the handshake, reads and writes are single
 * steps that say what they wait for; net.c does the waiting (timeout, abort).
 *
 * What it never does: poll, sleep, or send application data before the
 * certificate was accepted.
 */
#ifndef SURAT_TLS_H
#define SURAT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#define TLS_ERROR (tls_error_quark())
GQuark tls_error_quark(void);

enum tls_error_code {
	TLS_ERROR_SETUP,         /* ca_file or fingerprint unusable */
	TLS_ERROR_HANDSHAKE,     /* the handshake failed (protocol, alert, EOF) */
	TLS_ERROR_EXPIRED,       /* the certificate expired */
	TLS_ERROR_NOT_YET_VALID, /* the certificate is not valid yet */
	TLS_ERROR_SELF_SIGNED,   /* self-signed, not trusted */
	TLS_ERROR_UNKNOWN_CA,    /* issued by an authority not trusted */
	TLS_ERROR_HOSTNAME,      /* issued for other names */
	TLS_ERROR_FINGERPRINT,   /* differs from the configured fingerprint */
	TLS_ERROR_VERIFY,        /* any other verification failure */
	TLS_ERROR_IO,            /* a read or write failed after the handshake */
};

/* "SHA256:" and 64 lower-case hex digits, and its NUL. */
#define TLS_FINGERPRINT_LEN (7 + 64)

struct tls_options {
	const char *host;        /* the name to verify and send (SNI); an IP address works */
	const char *ca_file;     /* NULL: the system trust store */
	const char *fingerprint; /* "SHA256:<64 hex>" (colons and case are ignored), or NULL */
};

/* What a step did. */
enum tls_status {
	TLS_DONE,       /* finished (or moved bytes) */
	TLS_WANT_READ,  /* wait until the socket is readable, then call again */
	TLS_WANT_WRITE, /* wait until the socket is writable, then call again */
	TLS_CLOSED,     /* the peer closed the connection */
	TLS_FAILED,     /* ERROR is set */
};

/* The channel, for serverinfo (strings owned by the struct). */
struct tls_info {
	char *protocol;    /* "TLSv1.3" */
	char *cipher;      /* "TLS_AES_256_GCM_SHA384" */
	char *subject;     /* one line, sanitized */
	char *issuer;      /* one line, sanitized */
	char *not_before;  /* "2026-01-01 00:00:00 UTC" */
	char *not_after;
	char *fingerprint; /* "SHA256:<64 lower-case hex>" */
};

struct tls_conn;

/*
 * A TLS client over FD (borrowed, non-blocking, connected), set up but not
 * yet handshaken.  Fails with TLS_ERROR_SETUP when CA_FILE cannot be loaded
 * or the fingerprint is malformed.
 */
struct tls_conn *tls_conn_new(int fd, const struct tls_options *options, GError **error);

/* Free T (NULL is fine), sending close_notify if the socket takes it now. */
void tls_conn_free(struct tls_conn *t);

/*
 * One step of the handshake.  TLS_DONE means the handshake finished and the
 * certificate was accepted; TLS_FAILED says why in ERROR (TLS_ERROR_*).
 */
enum tls_status tls_handshake(struct tls_conn *t, GError **error);

/* Read up to LEN bytes into BUF; *GOT is set with TLS_DONE. */
enum tls_status tls_read(struct tls_conn *t, void *buf, size_t len, size_t *got, GError **error);

/* True when OpenSSL holds bytes that tls_read can return without reading the socket. */
bool tls_pending(const struct tls_conn *t);

/* Write up to LEN (> 0) bytes; *PUT is set with TLS_DONE.  Retry with the same bytes. */
enum tls_status tls_write(struct tls_conn *t, const void *buf, size_t len, size_t *put,
    GError **error);

/* The channel after a successful handshake (borrowed from T). */
const struct tls_info *tls_conn_info(const struct tls_conn *t);

/* Free INFO's strings (not INFO). */
void tls_info_clear(struct tls_info *info);

/*
 * "SHA256:<64 lower-case hex>" of the DER bytes (LEN) of a certificate,
 * into OUT (TLS_FINGERPRINT_LEN + 1 bytes).
 */
void tls_fingerprint_der(const unsigned char *der, size_t len, char *out);

/*
 * Normalise a configured fingerprint ("SHA256:" and 64 hex digits, colons
 * allowed, any case) into OUT (TLS_FINGERPRINT_LEN + 1 bytes); false when
 * it is malformed.
 */
bool tls_fingerprint_parse(const char *in, char *out);

#endif
