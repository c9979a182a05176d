/* Unit tests for net.c over socketpairs and 127.0.0.1: lines, caps, streaming, timeouts, abort, writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "surat/net.h"

/* What a peer thread sends: pieces with pauses, then maybe a close. */
struct test_peer {
	int fd;
	const char *const *pieces; /* NULL-terminated */
	int pause_ms;              /* between pieces */
	bool close_after;
	const char *data;          /* or: LEN bytes at DATA in one write */
	size_t len;
	size_t received;           /* bytes the peer read (read mode) */
	bool read_mode;            /* read until EOF instead of writing */
};

/* The peer: write the pieces (or read everything), then close if asked. */
static gpointer
test_peer_run(gpointer data)
{
	struct test_peer *p = data;
	const char *const *piece;
	char buf[65536];
	ssize_t n;
	size_t off = 0;

	if (p->read_mode) {
		while ((n = read(p->fd, buf, sizeof buf)) > 0) {
			p->received += (size_t)n;
			if (p->pause_ms > 0)
				g_usleep((gulong)p->pause_ms * 1000);
		}
	} else if (p->data != NULL) {
		while (off < p->len && (n = write(p->fd, p->data + off, p->len - off)) > 0)
			off += (size_t)n;
	} else {
		for (piece = p->pieces; piece != NULL && *piece != NULL; piece++) {
			if (write(p->fd, *piece, strlen(*piece)) < 0)
				break;
			if (p->pause_ms > 0)
				g_usleep((gulong)p->pause_ms * 1000);
		}
	}
	if (p->close_after)
		close(p->fd);
	return NULL;
}

/* A connection over one end of a socketpair; the other end in *PEER_FD. */
static struct net_conn *
test_pair(int *peer_fd, int timeout, volatile sig_atomic_t *abort)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	*peer_fd = sv[1];
	return net_conn_new_fd(sv[0], "test:1", timeout, abort);
}

/* Read a line and expect TEXT. */
static void
test_expect_line(struct net_conn *c, size_t max, const char *text)
{
	const char *line;
	size_t len;
	GError *error = NULL;

	if (!net_read_line(c, max, &line, &len, &error))
		print_error("%s\n", error->message);
	assert_null(error);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(line, text, len);
}

/* Expect the next read to fail with CODE. */
static void
test_expect_line_error(struct net_conn *c, size_t max, int code, const char *fragment)
{
	const char *line;
	size_t len;
	GError *error = NULL;

	assert_false(net_read_line(c, max, &line, &len, &error));
	assert_non_null(error);
	assert_int_equal(error->domain, NET_ERROR);
	if (error->code != code || strstr(error->message, fragment) == NULL)
		print_error("%d: %s\n", error->code, error->message);
	assert_int_equal(error->code, code);
	assert_non_null(strstr(error->message, fragment));
	g_error_free(error);
}

/* CRLF and bare LF lines, lines split across writes, NUL bytes, EOF mid-line. */
static void
test_lines(void **state)
{
	static const char *const pieces[] = { "+OK a\r\nb\n", "par", "tial\r", "\n\r\n",
		"nul\0", "c", NULL };
	struct test_peer p = { .pieces = pieces, .pause_ms = 20, .close_after = true };
	struct net_conn *c = test_pair(&p.fd, 5, NULL);
	GThread *t = g_thread_new("peer", test_peer_run, &p);

	test_expect_line(c, 100, "+OK a");
	test_expect_line(c, 100, "b");
	test_expect_line(c, 100, "partial");
	test_expect_line(c, 100, "");
	/* "nul\0" is written with strlen: only "nul" arrives, then "c", then EOF */
	test_expect_line_error(c, 100, NET_ERROR_CLOSED, "closed");
	g_thread_join(t);
	assert_string_equal(net_conn_name(c), "test:1");
	assert_null(net_tls(c));
	net_conn_free(c);
	net_conn_free(NULL);
}

/* A line of exactly MAX bytes passes, one more is too long; NUL bytes are data. */
static void
test_line_cap(void **state)
{
	GString *data = g_string_new(NULL);
	struct test_peer p = { .close_after = true };
	struct net_conn *c;
	GThread *t;
	const char *line;
	size_t len;
	int i;

	for (i = 0; i < 100; i++)
		g_string_append_c(data, 'x');
	g_string_append(data, "\r\n");
	g_string_append_len(data, "a\0b\r\n", 5);
	for (i = 0; i < 101; i++)
		g_string_append_c(data, 'y');
	g_string_append(data, "\r\n");
	p.data = data->str;
	p.len = data->len;
	c = test_pair(&p.fd, 5, NULL);
	t = g_thread_new("peer", test_peer_run, &p);
	assert_true(net_read_line(c, 100, &line, &len, NULL));
	assert_int_equal(len, 100);
	assert_true(net_read_line(c, 100, &line, &len, NULL));
	assert_int_equal(len, 3);
	assert_memory_equal(line, "a\0b", 3);
	test_expect_line_error(c, 100, NET_ERROR_TOO_LONG, "longer than 100");
	g_thread_join(t);
	net_conn_free(c);
	g_string_free(data, TRUE);
}

/* A line with no end at all is refused once it passes the cap, without waiting for more. */
static void
test_line_endless(void **state)
{
	char *junk = g_malloc(200000);
	struct test_peer p = { .data = junk, .len = 200000 };
	struct net_conn *c;
	GThread *t;

	memset(junk, 'z', 200000);
	c = test_pair(&p.fd, 5, NULL);
	t = g_thread_new("peer", test_peer_run, &p);
	test_expect_line_error(c, 65536, NET_ERROR_TOO_LONG, "longer than 65536");
	net_conn_free(c);
	g_thread_join(t);
	close(p.fd);
	g_free(junk);
}

/* 8 MB through net_peek/net_consume arrive whole, in large reads. */
static void
test_stream(void **state)
{
	size_t total = 8 * 1024 * 1024, got = 0, len;
	char *big = g_malloc(total);
	struct test_peer p = { .data = big, .close_after = true, .len = total };
	struct net_conn *c;
	struct net_stats st;
	GThread *t;
	const char *data;
	GError *error = NULL;
	size_t i;

	for (i = 0; i < total; i++)
		big[i] = (char)(i * 7);
	c = test_pair(&p.fd, 5, NULL);
	t = g_thread_new("peer", test_peer_run, &p);
	while (net_peek(c, &data, &len, &error)) {
		assert_true(len > 0);
		assert_memory_equal(data, big + got, len);
		got += len;
		/* consume in two steps, as a decoder stopping at a message end would */
		net_consume(c, len / 2);
		net_consume(c, len - len / 2);
	}
	assert_int_equal(error->code, NET_ERROR_CLOSED);
	g_error_free(error);
	assert_int_equal(got, total);
	net_get_stats(c, &st);
	assert_int_equal(st.bytes_in, total);
	assert_true(st.reads < total / 4096);
	g_thread_join(t);
	net_conn_free(c);
	g_free(big);
}

/* Milliseconds since START. */
static int64_t
test_ms_since(int64_t start)
{
	return g_get_monotonic_time() / 1000 - start;
}

/* A silent peer: the read fails with a timeout after the timeout, not before. */
static void
test_timeout(void **state)
{
	int peer;
	struct net_conn *c = test_pair(&peer, 1, NULL);
	int64_t start = g_get_monotonic_time() / 1000, ms;

	test_expect_line_error(c, 100, NET_ERROR_TIMEOUT, "no answer within 1 s");
	ms = test_ms_since(start);
	assert_true(ms >= 950);
	assert_true(ms < 3000);
	net_set_timeout(c, 1);
	net_conn_free(c);
	close(peer);
}

/*
 * A peer that trickles a byte every 300 ms, each within the 1 s timeout:
 * the reply's deadline (timeout + size / NET_REPLY_MIN_RATE) ends the read
 * long before the peer would finish; the timeout alone never would.
 */
static void
test_reply_deadline(void **state)
{
	static const char *const pieces[] = { "+", "O", "K", " ", "s", "l", "o", "w", " ", "a",
		"n", "d", " ", "s", "l", "o", "w", "e", "r", " ", "s", "t", "i", "l", "l", "\r\n",
		NULL };
	struct test_peer peer = { .pieces = pieces, .pause_ms = 300 };
	struct net_conn *c = test_pair(&peer.fd, 1, NULL);
	int64_t start = g_get_monotonic_time() / 1000;
	GThread *t;

	/* The peer writes on after the connection is closed. */
	signal(SIGPIPE, SIG_IGN);
	net_reply_begin(c, 0);
	t = g_thread_new("peer", test_peer_run, &peer);
	test_expect_line_error(c, 100, NET_ERROR_TIMEOUT, "slower than 8 KB/s");
	assert_true(test_ms_since(start) < 25 * 300);
	net_conn_free(c);
	g_thread_join(t);
	close(peer.fd);
}

static volatile sig_atomic_t test_abort_flag;

/* Set the abort flag after 150 ms, from another thread. */
static gpointer
test_abort_later(gpointer data)
{
	g_usleep(150 * 1000);
	test_abort_flag = 1;
	return NULL;
}

/* The abort flag stops a wait promptly, long before the timeout. */
static void
test_abort_thread(void **state)
{
	int peer;
	struct net_conn *c;
	GThread *t;
	int64_t start = g_get_monotonic_time() / 1000, ms;

	test_abort_flag = 0;
	c = test_pair(&peer, 30, &test_abort_flag);
	t = g_thread_new("abort", test_abort_later, NULL);
	test_expect_line_error(c, 100, NET_ERROR_ABORT, "cancelled");
	ms = test_ms_since(start);
	assert_true(ms < 1000);
	g_thread_join(t);
	/* and once set, nothing waits at all */
	test_expect_line_error(c, 100, NET_ERROR_ABORT, "cancelled");
	assert_false(net_write(c, "x", 1, NULL));
	net_conn_free(c);
	close(peer);
	test_abort_flag = 0;
}

/* A SIGALRM handler that sets the abort flag, as the fetcher's SIGTERM handler does. */
static void
test_on_alarm(int sig)
{
	test_abort_flag = 1;
}

/* A signal interrupts poll (EINTR) and the flag it set ends the wait at once. */
static void
test_abort_signal(void **state)
{
	struct sigaction sa = { 0 }, old;
	struct itimerval it = { { 0, 0 }, { 0, 100 * 1000 } };
	int peer;
	struct net_conn *c;
	int64_t start = g_get_monotonic_time() / 1000, ms;

	test_abort_flag = 0;
	sa.sa_handler = test_on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	c = test_pair(&peer, 30, &test_abort_flag);
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	test_expect_line_error(c, 100, NET_ERROR_ABORT, "cancelled");
	ms = test_ms_since(start);
	assert_true(ms < 400);
	sigaction(SIGALRM, &old, NULL);
	net_conn_free(c);
	close(peer);
	test_abort_flag = 0;
}

/* One net_write sends everything, even more than the socket buffer holds. */
static void
test_write(void **state)
{
	size_t total = 4 * 1024 * 1024;
	char *big = g_malloc0(total);
	struct test_peer p = { .read_mode = true, .close_after = true };
	struct net_conn *c = test_pair(&p.fd, 5, NULL);
	GThread *t = g_thread_new("peer", test_peer_run, &p);
	struct net_stats st;
	GError *error = NULL;

	assert_true(net_write(c, big, total, &error));
	net_get_stats(c, &st);
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.bytes_out, total);
	net_conn_free(c); /* EOF for the peer */
	g_thread_join(t);
	assert_int_equal(p.received, total);
	g_free(big);
}

/* Writing to a closed peer is an error, not a SIGPIPE. */
static void
test_write_closed(void **state)
{
	int peer;
	struct net_conn *c = test_pair(&peer, 5, NULL);
	GError *error = NULL;

	close(peer);
	assert_false(net_write(c, "QUIT\r\n", 6, &error));
	assert_int_equal(error->code, NET_ERROR_CLOSED);
	g_error_free(error);
	net_conn_free(c);
}

/* What came with "+OK" to STLS is dropped, not read later. */
static void
test_drop_buffered(void **state)
{
	static const char *const pieces[] = { "+OK begin TLS\r\n-ERR injected\r\n", NULL };
	struct test_peer p = { .pieces = pieces };
	struct net_conn *c = test_pair(&p.fd, 5, NULL);
	GThread *t = g_thread_new("peer", test_peer_run, &p);
	static const char *const later[] = { "after\r\n", NULL };
	struct test_peer p2 = { .pieces = later, .close_after = true };

	g_thread_join(t);
	test_expect_line(c, 100, "+OK begin TLS");
	assert_int_equal(net_drop_buffered(c), strlen("-ERR injected\r\n"));
	assert_int_equal(net_drop_buffered(c), 0);
	p2.fd = p.fd;
	t = g_thread_new("peer", test_peer_run, &p2);
	test_expect_line(c, 100, "after");
	g_thread_join(t);
	net_conn_free(c);
}

/* A listening TCP socket on 127.0.0.1; its port in *PORT. */
static int
test_listen(int *port)
{
	struct sockaddr_in sin = { 0 };
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Connect to 127.0.0.1 and "localhost" (every address tried), and a refused port. */
static void
test_connect(void **state)
{
	int port, lfd = test_listen(&port), afd;
	struct net_conn *c;
	GError *error = NULL;

	c = net_connect("127.0.0.1", port, 5, NULL, &error);
	assert_non_null(c);
	afd = accept(lfd, NULL, NULL);
	assert_true(afd >= 0);
	assert_int_equal(write(afd, "+OK hi\r\n", 8), 8);
	test_expect_line(c, 100, "+OK hi");
	net_conn_free(c);
	close(afd);

	/* localhost may give ::1 first, which refuses: the next address works */
	c = net_connect("localhost", port, 5, NULL, &error);
	if (error != NULL)
		print_error("%s\n", error->message);
	assert_non_null(c);
	net_conn_free(c);
	close(lfd);

	/* nothing listens there any more */
	c = net_connect("127.0.0.1", port, 5, NULL, &error);
	assert_null(c);
	assert_int_equal(error->code, NET_ERROR_CONNECT);
	assert_non_null(strstr(error->message, "127.0.0.1:"));
	assert_non_null(strstr(error->message, "refused"));
	g_clear_error(&error);

	/* IPv6 literals are named in brackets */
	c = net_connect("::1", port, 5, NULL, &error);
	assert_null(c);
	assert_non_null(strstr(error->message, "[::1]:"));
	g_clear_error(&error);
}

/* An abort already set stops a connect before it starts waiting. */
static void
test_connect_abort(void **state)
{
	int port, lfd = test_listen(&port);
	struct net_conn *c;
	GError *error = NULL;

	/* a listener that never accepts still completes the TCP handshake; use the flag */
	test_abort_flag = 1;
	c = net_connect("127.0.0.1", port, 5, &test_abort_flag, &error);
	if (c != NULL) {
		/* the kernel finished the connect at once: the first read sees the flag */
		test_expect_line_error(c, 100, NET_ERROR_ABORT, "cancelled");
		net_conn_free(c);
	} else {
		assert_int_equal(error->code, NET_ERROR_ABORT);
		g_clear_error(&error);
	}
	test_abort_flag = 0;
	close(lfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_line_cap),
		cmocka_unit_test(test_line_endless),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_reply_deadline),
		cmocka_unit_test(test_abort_thread),
		cmocka_unit_test(test_abort_signal),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_write_closed),
		cmocka_unit_test(test_drop_buffered),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_connect_abort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
