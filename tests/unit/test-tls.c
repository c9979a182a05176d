/* Unit tests for tls.c (through net.c): each verification outcome and its words, pinning, timeouts, abort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testcert.h"
#include "surat/net.h"
#include "surat/tls.h"

static struct testcert test_ca, test_good, test_expired, test_future, test_self, test_other_ca,
    test_by_other;
static char *test_dir, *test_ca_file, *test_other_ca_file;

/* Make the certificates and write the CAs to a temporary directory. */
static int
test_setup(void **state)
{
	testcert_make(&test_ca, "surat test CA", NULL, -1, 30, NULL, true);
	testcert_make(&test_good, "localhost", "DNS:localhost,DNS:pop.test,IP:127.0.0.1", -1, 30,
	    &test_ca, false);
	testcert_make(&test_expired, "localhost", "DNS:localhost", -30, -1, &test_ca, false);
	testcert_make(&test_future, "localhost", "DNS:localhost", 2, 30, &test_ca, false);
	testcert_make(&test_self, "localhost", "DNS:localhost", -1, 30, NULL, false);
	testcert_make(&test_other_ca, "another CA", NULL, -1, 30, NULL, true);
	testcert_make(&test_by_other, "localhost", "DNS:localhost", -1, 30, &test_other_ca, false);
	test_dir = g_dir_make_tmp("surat-test-tls-XXXXXX", NULL);
	test_ca_file = g_build_filename(test_dir, "ca.pem", NULL);
	test_other_ca_file = g_build_filename(test_dir, "other.pem", NULL);
	testcert_write(test_ca.cert, test_ca_file);
	testcert_write(test_other_ca.cert, test_other_ca_file);
	return 0;
}

/* Remove what test_setup made. */
static int
test_teardown(void **state)
{
	g_unlink(test_ca_file);
	g_unlink(test_other_ca_file);
	g_rmdir(test_dir);
	g_free(test_ca_file);
	g_free(test_other_ca_file);
	g_free(test_dir);
	testcert_free(&test_ca);
	testcert_free(&test_good);
	testcert_free(&test_expired);
	testcert_free(&test_future);
	testcert_free(&test_self);
	testcert_free(&test_other_ca);
	testcert_free(&test_by_other);
	return 0;
}

/* One client/server pair. */
struct test_run {
	struct testcert_server srv;
	GThread *thread;
	struct net_conn *c;
};

/* Start a TLS server with CERT and connect a client to it (not yet handshaken). */
static void
test_start(struct test_run *r, const struct testcert *cert, int timeout,
    volatile sig_atomic_t *abort)
{
	int sv[2];

	memset(r, 0, sizeof *r);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	r->srv.fd = sv[1];
	r->srv.cert = cert;
	r->srv.send = "+OK hello over TLS\r\n";
	r->c = net_conn_new_fd(sv[0], "test:995", timeout, abort);
	if (cert != NULL)
		r->thread = g_thread_new("tls-server", testcert_server_run, &r->srv);
}

/* Close the client, wait for the server; what the server received (g_free), or NULL. */
static char *
test_finish(struct test_run *r)
{
	net_conn_free(r->c);
	if (r->thread == NULL) {
		close(r->srv.fd);
		return NULL;
	}
	g_thread_join(r->thread);
	return g_string_free(r->srv.received, FALSE);
}

/* Handshake as HOST with CA_FILE and FINGERPRINT; expect failure CODE (-1: success) and FRAGMENTS. */
static void
test_handshake(const struct testcert *cert, const char *host, const char *ca_file,
    const char *fingerprint, GQuark domain, int code, const char *const *fragments)
{
	struct tls_options o = { host, ca_file, fingerprint };
	struct test_run r;
	GError *error = NULL;
	char *received;
	bool ok;

	test_start(&r, cert, 5, NULL);
	ok = net_start_tls(r.c, &o, &error);
	if (code < 0) {
		if (!ok)
			print_error("%s\n", error->message);
		assert_true(ok);
	} else {
		assert_false(ok);
		assert_non_null(error);
		if (error->domain != domain || error->code != code)
			print_error("got %d: %s\n", error->code, error->message);
		if (g_getenv("TEST_VERBOSE") != NULL)
			print_message("%s\n", error->message);
		assert_int_equal(error->domain, domain);
		assert_int_equal(error->code, code);
		for (; fragments != NULL && *fragments != NULL; fragments++) {
			if (strstr(error->message, *fragments) == NULL)
				print_error("\"%s\" not in: %s\n", *fragments, error->message);
			assert_non_null(strstr(error->message, *fragments));
		}
		/* the queue was drained at the boundary */
		assert_int_equal(ERR_peek_error(), 0);
		g_error_free(error);
	}
	received = test_finish(&r);
	/* a refused server never gets a byte of application data */
	assert_string_equal(received != NULL ? received : "", "");
	g_free(received);
}

/* A certificate from a CA in ca_file, for the host name: data flows both ways; info is complete. */
static void
test_good_chain(void **state)
{
	struct tls_options o = { "localhost", test_ca_file, NULL };
	const struct tls_info *info;
	char fp[TLS_FINGERPRINT_LEN + 1];
	struct test_run r;
	const char *line;
	char *received;
	size_t len;
	GError *error = NULL;

	test_start(&r, &test_good, 5, NULL);
	if (!net_start_tls(r.c, &o, &error))
		print_error("%s\n", error->message);
	assert_null(error);
	assert_non_null(net_tls(r.c));
	info = tls_conn_info(net_tls(r.c));
	assert_non_null(info);
	assert_true(g_str_has_prefix(info->protocol, "TLSv1."));
	assert_string_not_equal(info->protocol, "TLSv1.1");
	assert_true(strlen(info->cipher) > 0);
	assert_non_null(strstr(info->subject, "CN=localhost"));
	assert_non_null(strstr(info->issuer, "CN=surat test CA"));
	assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$",
	    info->not_after, 0, 0));
	assert_true(g_str_has_suffix(info->not_before, " UTC"));
	testcert_fingerprint(test_good.cert, fp);
	assert_string_equal(info->fingerprint, fp);
	assert_true(net_read_line(r.c, 100, &line, &len, &error));
	assert_int_equal(len, strlen("+OK hello over TLS"));
	assert_memory_equal(line, "+OK hello over TLS", len);
	assert_true(net_write(r.c, "QUIT\r\n", 6, &error));
	received = test_finish(&r);
	assert_string_equal(received, "QUIT\r\n");
	g_free(received);
}

/* An IP address as the host is checked against the certificate's IP names. */
static void
test_good_ip(void **state)
{
	test_handshake(&test_good, "127.0.0.1", test_ca_file, NULL, 0, -1, NULL);
	test_handshake(&test_good, "pop.test", test_ca_file, NULL, 0, -1, NULL);
}

/* A name the certificate is not for: the error lists the names it is for. */
static void
test_hostname_mismatch(void **state)
{
	static const char *const dns[] = { "other.example", "DNS:localhost", "DNS:pop.test",
		"IP:127.0.0.1", "not for other.example", NULL };
	static const char *const ip[] = { "127.0.0.2", "IP:127.0.0.1", NULL };
	static const char *const wildcard[] = { "x.localhost", NULL };

	test_handshake(&test_good, "other.example", test_ca_file, NULL, TLS_ERROR,
	    TLS_ERROR_HOSTNAME, dns);
	test_handshake(&test_good, "127.0.0.2", test_ca_file, NULL, TLS_ERROR, TLS_ERROR_HOSTNAME,
	    ip);
	test_handshake(&test_good, "x.localhost", test_ca_file, NULL, TLS_ERROR,
	    TLS_ERROR_HOSTNAME, wildcard);
}

/* Expired and not yet valid: the date is in the message. */
static void
test_validity(void **state)
{
	static const char *const expired[] = { "localhost: ", "expired on 20", " UTC", NULL };
	static const char *const future[] = { "not valid before 20", "clock", NULL };

	test_handshake(&test_expired, "localhost", test_ca_file, NULL, TLS_ERROR,
	    TLS_ERROR_EXPIRED, expired);
	test_handshake(&test_future, "localhost", test_ca_file, NULL, TLS_ERROR,
	    TLS_ERROR_NOT_YET_VALID, future);
}

/* Self-signed: the message gives its fingerprint to compare. */
static void
test_self_signed(void **state)
{
	char fp[TLS_FINGERPRINT_LEN + 1];
	const char *fragments[] = { "self-signed", fp, "fingerprint", NULL };

	testcert_fingerprint(test_self.cert, fp);
	test_handshake(&test_self, "localhost", test_ca_file, NULL, TLS_ERROR,
	    TLS_ERROR_SELF_SIGNED, fragments);
	test_handshake(&test_self, "localhost", NULL, NULL, TLS_ERROR, TLS_ERROR_SELF_SIGNED,
	    fragments);
}

/* An authority we do not trust: the message names the issuer. */
static void
test_unknown_ca(void **state)
{
	static const char *const ours[] = { "unknown authority", "CN=surat test CA", "ca_file",
		NULL };
	static const char *const other[] = { "unknown authority", "CN=another CA", NULL };

	/* the system trust store does not know the test CA */
	test_handshake(&test_good, "localhost", NULL, NULL, TLS_ERROR, TLS_ERROR_UNKNOWN_CA, ours);
	/* ca_file replaces the system store */
	test_handshake(&test_by_other, "localhost", test_ca_file, NULL, TLS_ERROR,
	    TLS_ERROR_UNKNOWN_CA, other);
	test_handshake(&test_by_other, "localhost", test_other_ca_file, NULL, 0, -1, NULL);
}

/* A pinned fingerprint is the trust: chain and name do not matter, the fingerprint does. */
static void
test_pinning(void **state)
{
	char self_fp[TLS_FINGERPRINT_LEN + 1], good_fp[TLS_FINGERPRINT_LEN + 1], upper[100];
	char colons[200];
	const char *fragments[] = { "fingerprint is", self_fp, "not the configured", good_fp,
		NULL };
	size_t i, j;

	testcert_fingerprint(test_self.cert, self_fp);
	testcert_fingerprint(test_good.cert, good_fp);
	/* self-signed, wrong name, no CA: trusted by its fingerprint */
	test_handshake(&test_self, "wrong.example", NULL, self_fp, 0, -1, NULL);
	/* any case, with colons */
	g_strlcpy(upper, self_fp, sizeof upper);
	for (i = 7; upper[i] != '\0'; i++)
		upper[i] = g_ascii_toupper(upper[i]);
	memcpy(colons, "sha256:", 7);
	for (i = 7, j = 7; self_fp[i] != '\0'; i++) {
		colons[j++] = self_fp[i];
		if (i % 2 == 0 && self_fp[i + 1] != '\0')
			colons[j++] = ':';
	}
	colons[j] = '\0';
	test_handshake(&test_self, "localhost", NULL, upper, 0, -1, NULL);
	test_handshake(&test_self, "localhost", NULL, colons, 0, -1, NULL);
	/* a valid chain does not replace a pin that differs */
	test_handshake(&test_self, "localhost", test_ca_file, good_fp, TLS_ERROR,
	    TLS_ERROR_FINGERPRINT, fragments);
}

/* Unusable settings fail before the handshake. */
static void
test_setup_errors(void **state)
{
	static const char *const bad_fp[] = { "fingerprint", "64 hex", NULL };
	static const char *const no_file[] = { "cannot read ca_file /nonexistent/ca.pem: No such file",
		NULL };
	static const char *const not_pem[] = { "cannot load ca_file", NULL };
	char *junk = g_build_filename(test_dir, "junk.pem", NULL);

	test_handshake(&test_good, "localhost", NULL, "SHA256:abc", TLS_ERROR, TLS_ERROR_SETUP,
	    bad_fp);
	test_handshake(&test_good, "localhost", "/nonexistent/ca.pem", NULL, TLS_ERROR,
	    TLS_ERROR_SETUP, no_file);
	assert_true(g_file_set_contents(junk, "not a certificate\n", -1, NULL));
	test_handshake(&test_good, "localhost", junk, NULL, TLS_ERROR, TLS_ERROR_SETUP, not_pem);
	g_unlink(junk);
	g_free(junk);
}

/* Fingerprints as configured: normalised, or refused. */
static void
test_fingerprint_parse(void **state)
{
	char out[TLS_FINGERPRINT_LEN + 1];
	static const char hex[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *in;

	in = g_strconcat("SHA256:", hex, NULL);
	assert_true(tls_fingerprint_parse(in, out));
	assert_string_equal(out, in);
	g_free(in);
	in = g_strconcat("sha256:", hex, NULL);
	in[10] = 'A';
	assert_true(tls_fingerprint_parse(in, out));
	assert_int_equal(out[10], 'a');
	g_free(in);
	assert_false(tls_fingerprint_parse("SHA256:0123", out));
	assert_false(tls_fingerprint_parse(NULL, out));
	in = g_strconcat("SHA1:", hex, NULL);
	assert_false(tls_fingerprint_parse(in, out));
	g_free(in);
	in = g_strconcat("SHA256:", hex, "00", NULL);
	assert_false(tls_fingerprint_parse(in, out));
	g_free(in);
	in = g_strconcat("SHA256:", hex, NULL);
	in[20] = 'g';
	assert_false(tls_fingerprint_parse(in, out));
	g_free(in);
}

/* A server that only speaks TLS 1.1 is refused. */
static void
test_old_protocol(void **state)
{
	struct tls_options o = { "localhost", test_ca_file, NULL };
	struct test_run r;
	GError *error = NULL;
	int sv[2];

	memset(&r, 0, sizeof r);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	r.srv.fd = sv[1];
	r.srv.cert = &test_good;
	r.srv.max_version = TLS1_1_VERSION;
	r.c = net_conn_new_fd(sv[0], "test:995", 5, NULL);
	r.thread = g_thread_new("tls-server", testcert_server_run, &r.srv);
	assert_false(net_start_tls(r.c, &o, &error));
	assert_int_equal(error->domain, TLS_ERROR);
	assert_int_equal(error->code, TLS_ERROR_HANDSHAKE);
	assert_non_null(strstr(error->message, "localhost: TLS handshake failed: "));
	assert_int_equal(ERR_peek_error(), 0);
	g_error_free(error);
	g_free(test_finish(&r));
	assert_false(r.srv.handshake_ok);
}

/* A peer that never answers the ClientHello: the timeout ends the handshake. */
static void
test_handshake_timeout(void **state)
{
	struct tls_options o = { "localhost", test_ca_file, NULL };
	struct test_run r;
	GError *error = NULL;
	gint64 start = g_get_monotonic_time();

	test_start(&r, NULL, 1, NULL);
	assert_false(net_start_tls(r.c, &o, &error));
	assert_int_equal(error->domain, NET_ERROR);
	assert_int_equal(error->code, NET_ERROR_TIMEOUT);
	assert_true(g_get_monotonic_time() - start < 3 * G_USEC_PER_SEC);
	g_error_free(error);
	g_free(test_finish(&r));
}

static volatile sig_atomic_t test_abort_flag;

/* Set the abort flag after 100 ms. */
static gpointer
test_abort_later(gpointer data)
{
	g_usleep(100 * 1000);
	test_abort_flag = 1;
	return NULL;
}

/* The abort flag ends a handshake promptly. */
static void
test_handshake_abort(void **state)
{
	struct tls_options o = { "localhost", test_ca_file, NULL };
	struct test_run r;
	GError *error = NULL;
	gint64 start = g_get_monotonic_time();
	GThread *t;

	test_abort_flag = 0;
	test_start(&r, NULL, 30, &test_abort_flag);
	t = g_thread_new("abort", test_abort_later, NULL);
	assert_false(net_start_tls(r.c, &o, &error));
	assert_int_equal(error->code, NET_ERROR_ABORT);
	assert_true(g_get_monotonic_time() - start < G_USEC_PER_SEC);
	g_error_free(error);
	g_thread_join(t);
	g_free(test_finish(&r));
	test_abort_flag = 0;
}

/* A peer that hangs up during the handshake. */
static void
test_handshake_closed(void **state)
{
	struct tls_options o = { "localhost", test_ca_file, NULL };
	struct test_run r;
	GError *error = NULL;

	test_start(&r, NULL, 5, NULL);
	close(r.srv.fd);
	r.srv.fd = -1;
	assert_false(net_start_tls(r.c, &o, &error));
	assert_non_null(strstr(error->message, "closed the connection during the TLS handshake"));
	g_error_free(error);
	net_conn_free(r.c);
}

/* Megabytes over TLS arrive whole, many records per fill. */
static void
test_bulk(void **state)
{
	struct tls_options o = { "localhost", test_ca_file, NULL };
	struct test_run r;
	struct net_stats st;
	const char *data;
	size_t len, got = 0, total = 2 * 1024 * 1024, i;
	GError *error = NULL;
	int sv[2];

	memset(&r, 0, sizeof r);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	r.srv.fd = sv[1];
	r.srv.cert = &test_good;
	r.srv.bulk = total;
	r.c = net_conn_new_fd(sv[0], "test:995", 5, NULL);
	r.thread = g_thread_new("tls-server", testcert_server_run, &r.srv);
	assert_true(net_start_tls(r.c, &o, &error));
	while (got < total && net_peek(r.c, &data, &len, &error)) {
		for (i = 0; i < len; i++)
			assert_int_equal((unsigned char)data[i], (got + i) % 251);
		got += len;
		net_consume(r.c, len);
	}
	assert_int_equal(got, total);
	net_get_stats(r.c, &st);
	assert_true(st.bytes_in >= total);
	g_free(test_finish(&r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_chain),
		cmocka_unit_test(test_good_ip),
		cmocka_unit_test(test_hostname_mismatch),
		cmocka_unit_test(test_validity),
		cmocka_unit_test(test_self_signed),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_pinning),
		cmocka_unit_test(test_setup_errors),
		cmocka_unit_test(test_fingerprint_parse),
		cmocka_unit_test(test_old_protocol),
		cmocka_unit_test(test_handshake_timeout),
		cmocka_unit_test(test_handshake_abort),
		cmocka_unit_test(test_handshake_closed),
		cmocka_unit_test(test_bulk),
	};

	signal(SIGPIPE, SIG_DFL);
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
