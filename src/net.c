/*
 * net: connect, wait, read into one large buffer, write whole batches; plain
 * or TLS underneath (net.h).
 *
 * Every wait is a poll() in slices of at most NET_POLL_SLICE milliseconds, so
 * the abort flag is seen promptly even when the signal that set it landed
 * just before poll() started; the timeout counts from the last progress,
 * and the reply deadline (net_reply_begin) from the start of the reply, so
 * a peer that trickles a byte now and then cannot hold a connection for
 * ever.
 *
 * What it must never do: block without a timeout (getaddrinfo aside), raise
 * SIGPIPE, or hand out bytes read before STARTTLS as if they came after.
 */
#include "surat/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

G_DEFINE_QUARK(surat-net-error-quark, net_error)

#define NET_POLL_SLICE 250      /* ms: the longest an abort can go unseen */
#define NET_MIN_READ   16384    /* compact the buffer when less room is left */

struct net_conn {
	int fd;
	char *name;                    /* "host:port", for messages */
	int timeout;                   /* seconds without progress */
	volatile sig_atomic_t *abort;  /* borrowed; may be NULL */
	struct tls_conn *tls;          /* NULL: plain */
	char *buf;                     /* NET_BUFFER_SIZE bytes */
	size_t start, end;             /* unconsumed bytes are buf[start..end) */
	size_t scanned;                /* bytes after start known to hold no LF */
	struct net_stats stats;
	int64_t reply_start;           /* ms: when the current reply began */
	uint64_t reply_announced;      /* its announced size, or 0 */
	uint64_t reply_in;             /* stats.bytes_in when it began */
};

/* Milliseconds on the monotonic clock. */
static int64_t
net_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True (with ERROR set) when the abort flag is up. */
static bool
net_aborted(const struct net_conn *c, GError **error)
{
	if (c->abort == NULL || *c->abort == 0)
		return false;
	g_set_error(error, NET_ERROR, NET_ERROR_ABORT, "%s: cancelled", c->name);
	return true;
}

/*
 * Wait until FD is ready for EVENTS, within TIMEOUT seconds, watching ABORT;
 * and before REPLY_DEADLINE (ms on the monotonic clock; 0: none), which
 * SLOW says the peer missed by sending too slowly rather than not at all.
 */
static bool
net_wait_fd(int fd, short events, int timeout, int64_t reply_deadline, bool slow,
    volatile sig_atomic_t *abort, const char *name, GError **error)
{
	int64_t deadline = net_now_ms() + (int64_t)timeout * 1000;
	struct pollfd pfd;
	int64_t left;
	int rc;

	for (;;) {
		if (abort != NULL && *abort != 0) {
			g_set_error(error, NET_ERROR, NET_ERROR_ABORT, "%s: cancelled", name);
			return false;
		}
		if (reply_deadline > 0 && net_now_ms() >= reply_deadline) {
			if (slow)
				g_set_error(error, NET_ERROR, NET_ERROR_TIMEOUT,
				    "%s: the reply is still not complete: it is coming slower than "
				    "%d KB/s (timeout %d s)", name, NET_REPLY_MIN_RATE / 1024, timeout);
			else
				g_set_error(error, NET_ERROR, NET_ERROR_TIMEOUT,
				    "%s: no answer within %d s", name, timeout);
			return false;
		}
		left = deadline - net_now_ms();
		if (left <= 0) {
			g_set_error(error, NET_ERROR, NET_ERROR_TIMEOUT,
			    "%s: no answer within %d s", name, timeout);
			return false;
		}
		if (reply_deadline > 0)
			left = MIN(left, reply_deadline - net_now_ms());
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		rc = poll(&pfd, 1, (int)MIN(left, NET_POLL_SLICE));
		if (rc > 0)
			return true;
		if (rc < 0 && errno != EINTR && errno != EAGAIN) {
			g_set_error(error, NET_ERROR, NET_ERROR_IO, "%s: poll: %s", name,
			    g_strerror(errno));
			return false;
		}
	}
}

/* When the current reply must be complete, in ms on the monotonic clock. */
static int64_t
net_reply_deadline(const struct net_conn *c)
{
	uint64_t got = c->stats.bytes_in - c->reply_in;
	uint64_t bytes = MAX(got, c->reply_announced);

	return c->reply_start + (int64_t)c->timeout * 1000 +
	    (int64_t)(MIN(bytes, (uint64_t)1 << 50) * 1000 / NET_REPLY_MIN_RATE);
}

/*
 * Wait on C's socket for EVENTS.  Reading waits under the reply deadline;
 * writing a command only under the timeout (the reply has not begun).
 */
static bool
net_wait(struct net_conn *c, short events, GError **error)
{
	return net_wait_fd(c->fd, events, c->timeout,
	    events == POLLOUT ? 0 : net_reply_deadline(c), c->stats.bytes_in > c->reply_in,
	    c->abort, c->name, error);
}

void
net_reply_begin(struct net_conn *c, uint64_t announced)
{
	c->reply_start = net_now_ms();
	c->reply_announced = announced;
	c->reply_in = c->stats.bytes_in;
}

/* A new connection object around the connected non-blocking FD. */
static struct net_conn *
net_conn_alloc(int fd, const char *name, int timeout, volatile sig_atomic_t *abort)
{
	struct net_conn *c = g_new0(struct net_conn, 1);
	int one = 1;

	c->fd = fd;
	c->name = g_strdup(name);
	c->timeout = timeout > 0 ? timeout : 30;
	c->abort = abort;
	c->buf = g_malloc(NET_BUFFER_SIZE);
	/* Commands are small and batched: never wait for Nagle (fails on non-TCP). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	net_reply_begin(c, 0);
	return c;
}

/* Try to connect a new socket to AI within TIMEOUT; the socket, or -1 with *ERR set. */
static int
net_try_address(const struct addrinfo *ai, int timeout, volatile sig_atomic_t *abort,
    const char *name, int *err, GError **error)
{
	socklen_t len = sizeof *err;
	int fd;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EINTR) {
		*err = errno;
		close(fd);
		return -1;
	}
	if (!net_wait_fd(fd, POLLOUT, timeout, 0, false, abort, name, error)) {
		*err = ETIMEDOUT;
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) < 0)
		*err = errno;
	if (*err != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct net_conn *
net_connect(const char *host, int port, int timeout, volatile sig_atomic_t *abort, GError **error)
{
	struct addrinfo hints = { 0 }, *list = NULL, *ai;
	char service[16], *name;
	struct net_conn *c;
	GError *wait_error = NULL;
	int rc, fd = -1, err = 0, tried = 0;

	if (timeout <= 0)
		timeout = 30;
	name = g_strdup_printf(strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d", host, port);
	g_snprintf(service, sizeof service, "%d", port);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	rc = getaddrinfo(host, service, &hints, &list);
	if (rc != 0) {
		g_set_error(error, NET_ERROR, NET_ERROR_RESOLVE, "%s: cannot resolve the host: %s",
		    name, rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
		g_free(name);
		return NULL;
	}
	for (ai = list; ai != NULL && fd < 0; ai = ai->ai_next) {
		tried++;
		g_clear_error(&wait_error);
		fd = net_try_address(ai, timeout, abort, name, &err, &wait_error);
		if (wait_error != NULL && wait_error->code == NET_ERROR_ABORT)
			break;
	}
	freeaddrinfo(list);
	if (fd < 0) {
		if (wait_error != NULL && (wait_error->code == NET_ERROR_ABORT || tried == 1)) {
			g_propagate_error(error, wait_error);
		} else {
			g_clear_error(&wait_error);
			g_set_error(error, NET_ERROR, NET_ERROR_CONNECT, "%s: cannot connect: %s%s",
			    name, g_strerror(err), tried > 1 ? " (tried every address)" : "");
		}
		g_free(name);
		return NULL;
	}
	g_clear_error(&wait_error);
	c = net_conn_alloc(fd, name, timeout, abort);
	g_free(name);
	return c;
}

struct net_conn *
net_conn_new_fd(int fd, const char *name, int timeout, volatile sig_atomic_t *abort)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	return net_conn_alloc(fd, name != NULL ? name : "peer", timeout, abort);
}

struct net_conn *
net_open(int fd, const char *host, int port, int timeout, volatile sig_atomic_t *abort,
    GError **error)
{
	char *name;
	struct net_conn *c;

	if (fd < 0)
		return net_connect(host, port, timeout, abort, error);
	name = g_strdup_printf("%s:%d", host, port);
	c = net_conn_new_fd(fd, name, timeout, abort);
	g_free(name);
	return c;
}

void
net_conn_free(struct net_conn *c)
{
	if (c == NULL)
		return;
	tls_conn_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	g_free(c->name);
	g_free(c->buf);
	g_free(c);
}

const char *
net_conn_name(const struct net_conn *c)
{
	return c->name;
}

void
net_set_timeout(struct net_conn *c, int timeout)
{
	c->timeout = timeout > 0 ? timeout : 30;
}

const struct tls_conn *
net_tls(const struct net_conn *c)
{
	return c->tls;
}

size_t
net_drop_buffered(struct net_conn *c)
{
	size_t n = c->end - c->start;

	c->start = c->end = c->scanned = 0;
	return n;
}

/* Wait for what a TLS step asked for. */
static bool
net_wait_tls(struct net_conn *c, enum tls_status st, GError **error)
{
	return net_wait(c, st == TLS_WANT_WRITE ? POLLOUT : POLLIN, error);
}

bool
net_start_tls(struct net_conn *c, const struct tls_options *options, GError **error)
{
	enum tls_status st;

	if (c->tls != NULL || c->start != c->end) {
		/* A caller bug, but one that would undo the STLS rule: refuse. */
		g_set_error(error, NET_ERROR, NET_ERROR_IO,
		    "%s: unread bytes before the TLS handshake", c->name);
		return false;
	}
	c->tls = tls_conn_new(c->fd, options, error);
	if (c->tls == NULL)
		return false;
	/* The handshake as a whole is one reply: it cannot be trickled out either. */
	net_reply_begin(c, 0);
	for (;;) {
		if (net_aborted(c, error))
			return false;
		st = tls_handshake(c->tls, error);
		if (st == TLS_DONE)
			return true;
		if (st == TLS_FAILED)
			return false;
		if (st == TLS_CLOSED) {
			g_set_error(error, NET_ERROR, NET_ERROR_CLOSED,
			    "%s: the server closed the connection during the TLS handshake",
			    c->name);
			return false;
		}
		if (!net_wait_tls(c, st, error))
			return false;
	}
}

/* Set ERROR for the end of the stream. */
static void
net_set_closed(struct net_conn *c, GError **error)
{
	g_set_error(error, NET_ERROR, NET_ERROR_CLOSED, "%s: the server closed the connection",
	    c->name);
}

/*
 * Read at least one byte into the buffer, waiting as needed, then whatever
 * else TLS already holds, up to the room left.
 */
static bool
net_fill(struct net_conn *c, GError **error)
{
	enum tls_status st;
	size_t got;
	ssize_t n;

	if (c->start == c->end) {
		c->start = c->end = c->scanned = 0;
	} else if (c->start > 0 && NET_BUFFER_SIZE - c->end < NET_MIN_READ) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == NET_BUFFER_SIZE) {
		g_set_error(error, NET_ERROR, NET_ERROR_TOO_LONG, "%s: the read buffer is full",
		    c->name);
		return false;
	}
	for (;;) {
		if (net_aborted(c, error))
			return false;
		if (c->tls == NULL) {
			n = read(c->fd, c->buf + c->end, NET_BUFFER_SIZE - c->end);
			if (n > 0) {
				c->end += (size_t)n;
				c->stats.bytes_in += (uint64_t)n;
				c->stats.reads++;
				return true;
			}
			if (n == 0) {
				net_set_closed(c, error);
				return false;
			}
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				g_set_error(error, NET_ERROR, NET_ERROR_IO, "%s: read: %s",
				    c->name, g_strerror(errno));
				return false;
			}
			if (!net_wait(c, POLLIN, error))
				return false;
			continue;
		}
		st = tls_read(c->tls, c->buf + c->end, NET_BUFFER_SIZE - c->end, &got, error);
		if (st == TLS_DONE) {
			c->end += got;
			c->stats.bytes_in += got;
			c->stats.reads++;
			/* Take the records OpenSSL already holds, without a syscall each. */
			while (c->end < NET_BUFFER_SIZE && tls_pending(c->tls) &&
			    tls_read(c->tls, c->buf + c->end, NET_BUFFER_SIZE - c->end, &got,
				NULL) == TLS_DONE) {
				c->end += got;
				c->stats.bytes_in += got;
			}
			return true;
		}
		if (st == TLS_CLOSED) {
			net_set_closed(c, error);
			return false;
		}
		if (st == TLS_FAILED)
			return false;
		if (!net_wait_tls(c, st, error))
			return false;
	}
}

bool
net_read_line(struct net_conn *c, size_t max, const char **line, size_t *len, GError **error)
{
	const char *nl;
	size_t n;

	g_assert(max < NET_BUFFER_SIZE - 1);
	for (;;) {
		nl = memchr(c->buf + c->start + c->scanned, '\n', c->end - c->start - c->scanned);
		if (nl != NULL) {
			*line = c->buf + c->start;
			n = (size_t)(nl - *line);
			c->start += n + 1;
			c->scanned = 0;
			if (n > 0 && (*line)[n - 1] == '\r')
				n--;
			if (n > max)
				break;
			*len = n;
			return true;
		}
		c->scanned = c->end - c->start;
		if (c->scanned > max + 1)
			break;
		if (!net_fill(c, error))
			return false;
	}
	g_set_error(error, NET_ERROR, NET_ERROR_TOO_LONG, "%s: a line longer than %zu bytes",
	    c->name, max);
	return false;
}

bool
net_peek(struct net_conn *c, const char **data, size_t *len, GError **error)
{
	if (c->start == c->end && !net_fill(c, error))
		return false;
	*data = c->buf + c->start;
	*len = c->end - c->start;
	return true;
}

void
net_consume(struct net_conn *c, size_t n)
{
	g_assert(n <= c->end - c->start);
	c->start += n;
	c->scanned = 0;
}

bool
net_write(struct net_conn *c, const void *buf, size_t len, GError **error)
{
	const char *p = buf;
	enum tls_status st;
	size_t put;
	ssize_t n;

	c->stats.writes++;
	while (len > 0) {
		if (net_aborted(c, error))
			return false;
		if (c->tls == NULL) {
			n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n >= 0) {
				put = (size_t)n;
			} else if (errno == EINTR) {
				continue;
			} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (!net_wait(c, POLLOUT, error))
					return false;
				continue;
			} else if (errno == EPIPE || errno == ECONNRESET) {
				net_set_closed(c, error);
				return false;
			} else {
				g_set_error(error, NET_ERROR, NET_ERROR_IO, "%s: write: %s",
				    c->name, g_strerror(errno));
				return false;
			}
		} else {
			st = tls_write(c->tls, p, len, &put, error);
			if (st == TLS_CLOSED) {
				net_set_closed(c, error);
				return false;
			}
			if (st == TLS_FAILED)
				return false;
			if (st != TLS_DONE) {
				if (!net_wait_tls(c, st, error))
					return false;
				continue;
			}
		}
		p += put;
		len -= put;
		c->stats.bytes_out += put;
	}
	return true;
}

void
net_get_stats(const struct net_conn *c, struct net_stats *stats)
{
	*stats = c->stats;
}
