/*
 * net: one client connection, plain or TLS, with a buffered reader.
 *
 * A connection is a non-blocking socket driven with poll(): every wait honours
 * the timeout (seconds without progress) and the abort flag, which is checked
 * whenever poll() returns, so a SIGINT or SIGTERM whose handler sets the flag
 * stops a wait promptly (EINTR, or within a quarter of a second).  Reads fill
 * a large buffer (NET_BUFFER_SIZE) with as much as is available; callers look
 * at the buffered bytes in place (net_peek/net_consume) or take whole lines
 * (net_read_line), so the hot path neither allocates nor copies per line.
 * Writes send a whole batch of commands with one write call.  TLS (tls.h)
 * slides in underneath with net_start_tls(); callers never ask which.
 *
 * What it never does: know POP3, or print.
 */
#ifndef SURAT_NET_H
#define SURAT_NET_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "tls.h"

#define NET_ERROR (net_error_quark())
GQuark net_error_quark(void);

enum net_error_code {
	NET_ERROR_RESOLVE,  /* the host name did not resolve */
	NET_ERROR_CONNECT,  /* no address accepted the connection */
	NET_ERROR_IO,       /* a read or write failed */
	NET_ERROR_CLOSED,   /* the peer closed the connection */
	NET_ERROR_TIMEOUT,  /* no progress within the timeout */
	NET_ERROR_ABORT,    /* *abort was set */
	NET_ERROR_TOO_LONG, /* a line longer than the caller's cap */
};

#define NET_BUFFER_SIZE (256 * 1024) /* the read buffer; lines may be up to this long */

struct net_conn;

/* Byte and call counts of a connection (for tests and -v). */
struct net_stats {
	uint64_t bytes_in;  /* after TLS */
	uint64_t bytes_out;
	unsigned int reads;  /* read calls that returned data */
	unsigned int writes; /* net_write calls */
};

/*
 * Connect to HOST:PORT, trying every address getaddrinfo gives (IPv6 and
 * IPv4) in turn, each with TIMEOUT seconds (> 0) to answer.  ABORT (may be
 * NULL, borrowed for the life of the connection) cancels.  Fails with
 * NET_ERROR_RESOLVE, _CONNECT (naming the host and the last reason),
 * _TIMEOUT or _ABORT.
 */
struct net_conn *net_connect(const char *host, int port, int timeout, volatile sig_atomic_t *abort,
    GError **error);

/*
 * A connection over FD, a connected stream socket (takes ownership: closed by
 * net_conn_free), for tests and tunnels.  NAME is what errors call the peer.
 */
struct net_conn *net_conn_new_fd(int fd, const char *name, int timeout,
    volatile sig_atomic_t *abort);

/*
 * The opening step of a protocol session: when FD < 0, net_connect to
 * HOST:PORT; otherwise net_conn_new_fd over FD, named "HOST:PORT".  Fails
 * (FD < 0 only) as net_connect does; the caller maps the NET_ERROR code to
 * its own.
 */
struct net_conn *net_open(int fd, const char *host, int port, int timeout,
    volatile sig_atomic_t *abort, GError **error);

/* Close and free C (NULL is fine); a TLS connection is closed without waiting. */
void net_conn_free(struct net_conn *c);

/* "host:port" (or the name given to net_conn_new_fd), for messages. */
const char *net_conn_name(const struct net_conn *c);

void net_set_timeout(struct net_conn *c, int timeout);

/*
 * The slowest a peer may send, on average, bytes per second: a reply must be
 * complete within the timeout plus the time this rate needs for what the
 * peer announced or sent, whichever is more (net_reply_begin).
 */
#define NET_REPLY_MIN_RATE 8192

/*
 * Start the deadline of one reply, of ANNOUNCED bytes (0 when unknown): from
 * now, every wait on C fails with NET_ERROR_TIMEOUT once timeout +
 * max(ANNOUNCED, bytes received since) / NET_REPLY_MIN_RATE seconds have
 * passed, however often bytes trickle in (the timeout alone counts from the
 * last progress).  A new connection, and a TLS handshake, start one each.
 */
void net_reply_begin(struct net_conn *c, uint64_t announced);

/*
 * Start TLS on C with OPTIONS (host name, ca_file, fingerprint), handshaking
 * within the timeout.  Anything still buffered from the plain connection must
 * have been dropped (net_drop_buffered) first; this refuses otherwise.  Fails
 * with TLS_ERROR (verification: the message says why, tls.h) or NET_ERROR
 * (_TIMEOUT, _ABORT, _CLOSED, _IO).
 */
bool net_start_tls(struct net_conn *c, const struct tls_options *options, GError **error);

/* The TLS channel, or NULL for a plain connection. */
const struct tls_conn *net_tls(const struct net_conn *c);

/*
 * Drop whatever is buffered and not yet consumed; returns how many bytes.
 * Used after "+OK" to STLS, so nothing an attacker injected before the
 * handshake is read as if it came over TLS (CVE-2020-14954).
 */
size_t net_drop_buffered(struct net_conn *c);

/*
 * The next line, without its LF and a CR before it: *LINE points into the
 * buffer (LEN bytes; may contain NUL bytes; valid until the next call on C).
 * A line with more than MAX bytes (MAX < NET_BUFFER_SIZE) fails with
 * NET_ERROR_TOO_LONG; end of stream mid-line or before it, NET_ERROR_CLOSED.
 */
bool net_read_line(struct net_conn *c, size_t max, const char **line, size_t *len,
    GError **error);

/*
 * Everything buffered, reading (and waiting) first when nothing is: *DATA
 * points into the buffer, *LEN > 0.  Consume what was used with
 * net_consume.  End of stream is NET_ERROR_CLOSED.
 */
bool net_peek(struct net_conn *c, const char **data, size_t *len, GError **error);

/* Mark the first N bytes of what net_peek gave as used. */
void net_consume(struct net_conn *c, size_t n);

/* Send all LEN bytes of BUF (one write call when the socket takes them). */
bool net_write(struct net_conn *c, const void *buf, size_t len, GError **error);

void net_get_stats(const struct net_conn *c, struct net_stats *stats);

#endif
