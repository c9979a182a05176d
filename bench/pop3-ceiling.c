/*
 * pop3-ceiling: how fast can the server send?  Logs in over POP3S (the
 * certificate verified against CAFILE for 127.0.0.1), then keeps RETR
 * commands for every message in flight (batches of 64, two batches ahead)
 * and throws the data away, counting only the end of each reply.  Prints
 * "messages bytes seconds" on stdout.  A tool of bench/fetch, not part of
 * surat: the fastest a client could possibly be against this server.
 *
 * usage: pop3-ceiling HOST PORT USER PASSWORD CAFILE
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define BATCH 64
#define BUFSIZE (256 * 1024)

static SSL *ssl;
static char buf[BUFSIZE];
static size_t buf_len, buf_pos;

/* Print a message and the OpenSSL error queue, and exit. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pop3-ceiling: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* Refill the buffer; dies at end of stream. */
static void
fill(void)
{
	int n = SSL_read(ssl, buf, sizeof buf);

	if (n <= 0)
		die("read failed or connection closed");
	buf_len = (size_t)n;
	buf_pos = 0;
}

/* Read one reply line; dies unless it starts with +OK. */
static void
expect_ok(const char *what)
{
	char line[1024];
	size_t n = 0;

	for (;;) {
		if (buf_pos == buf_len)
			fill();
		char c = buf[buf_pos++];
		if (c == '\n')
			break;
		if (n < sizeof line - 1)
			line[n++] = c;
	}
	line[n] = '\0';
	if (strncmp(line, "+OK", 3) != 0)
		die("%s: %s", what, line);
}

/* Write all of S. */
static void
send_str(const char *s, size_t len)
{
	if (SSL_write(ssl, s, (int)len) != (int)len)
		die("write failed");
}

/* Send RETR for messages FIRST..LAST in one write. */
static void
send_batch(unsigned int first, unsigned int last)
{
	static char cmds[BATCH * 24];
	size_t n = 0;

	for (unsigned int i = first; i <= last; i++)
		n += (size_t)snprintf(cmds + n, sizeof cmds - n, "RETR %u\r\n", i);
	send_str(cmds, n);
}

int
main(int argc, char **argv)
{
	if (argc != 6) {
		fputs("usage: pop3-ceiling HOST PORT USER PASSWORD CAFILE\n", stderr);
		return 2;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0)
		die("cannot resolve %s", argv[1]);
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		die("cannot connect to %s:%s", argv[1], argv[2]);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_load_verify_locations(ctx, argv[5], NULL) != 1)
		die("cannot read %s", argv[5]);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	ssl = SSL_new(ctx);
	X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), argv[1]);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		die("TLS handshake failed");

	char cmd[512];
	expect_ok("greeting");
	send_str(cmd, (size_t)snprintf(cmd, sizeof cmd, "USER %s\r\n", argv[3]));
	expect_ok("USER");
	send_str(cmd, (size_t)snprintf(cmd, sizeof cmd, "PASS %s\r\n", argv[4]));
	expect_ok("PASS");
	send_str("STAT\r\n", 6);
	/* "+OK count size" */
	char line[256];
	size_t n = 0;
	for (;;) {
		if (buf_pos == buf_len)
			fill();
		char c = buf[buf_pos++];
		if (c == '\n')
			break;
		if (n < sizeof line - 1)
			line[n++] = c;
	}
	line[n] = '\0';
	unsigned int count = 0;
	if (sscanf(line, "+OK %u", &count) != 1)
		die("STAT: %s", line);

	/* Two batches ahead; each reply ends with "\n.\r\n". */
	unsigned int sent = 0, done = 0;
	unsigned long long bytes = 0;
	for (int b = 0; b < 2 && sent < count; b++) {
		unsigned int last = sent + BATCH < count ? sent + BATCH : count;
		send_batch(sent + 1, last);
		sent = last;
	}
	static const char end[] = "\n.\r\n";
	int st = 0; /* how much of END the bytes so far end with */
	while (done < count) {
		if (buf_pos == buf_len)
			fill();
		bytes += buf_len - buf_pos;
		const char *p = buf + buf_pos, *e = buf + buf_len;
		buf_pos = buf_len;
		while (p < e) {
			if (st > 0) {
				if (*p == end[st]) {
					p++;
					if (++st == 4) {
						st = 0;
						done++;
						if (done % BATCH == 0 && sent < count) {
							unsigned int last = sent + BATCH < count ? sent + BATCH : count;
							send_batch(sent + 1, last);
							sent = last;
						}
					}
					continue;
				}
				st = 0;
				continue;
			}
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			if (nl == NULL)
				break;
			p = nl + 1;
			st = 1;
		}
	}
	send_str("QUIT\r\n", 6);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%u %llu %.3f\n", done, bytes,
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	freeaddrinfo(ai);
	close(fd);
	return 0;
}
