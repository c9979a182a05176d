/*
 * testpeer: the scripted server of the protocol tests and the case files it
 * plays (testpeer.h has the script's words and the common keys).
 */
#include "testpeer.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "testcert.h"

static struct testcert test_cert;
static char test_fp[TLS_FINGERPRINT_LEN + 1];

GString *
testpeer_unescape(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p;
	char *end;
	unsigned long n;

	for (p = text; *p != '\0'; p++) {
		if (*p != '\\' || p[1] == '\0') {
			g_string_append_c(out, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'r':
			g_string_append_c(out, '\r');
			break;
		case 'n':
			g_string_append_c(out, '\n');
			break;
		case 't':
			g_string_append_c(out, '\t');
			break;
		case '0':
			g_string_append_c(out, '\0');
			break;
		case 'x':
			g_string_append_c(out, (char)strtoul((char[]){ p[1], p[2], 0 }, NULL, 16));
			p += 2;
			break;
		case '*':
			n = strtoul(p + 1, &end, 10);
			assert_true(*end == ':' && end[1] != '\0');
			while (n-- > 0)
				g_string_append_c(out, end[1]);
			p = end + 1;
			break;
		default:
			g_string_append_c(out, *p);
			break;
		}
	}
	return out;
}

/* The scripted server. */
struct testpeer {
	int fd;
	gchar **script; /* the lines after "---" */
	const struct testpeer_dialect *dialect;
	SSL_CTX *ctx;
	SSL *ssl;          /* after "tls" */
	GString *in;       /* bytes read, not yet matched */
	GString *problems; /* mismatches, for the failure message */
	GString *extra;    /* what the client sent after the script */
	bool eof;
	GThread *thread;
};

/* Read more from the client into p->in, within 10 s; false at EOF or error. */
static bool
test_peer_fill(struct testpeer *p)
{
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	char buf[65536];
	int n;

	if (p->eof)
		return false;
	if ((p->ssl == NULL || SSL_pending(p->ssl) == 0) && poll(&pfd, 1, 10000) <= 0) {
		g_string_append(p->problems, "the client sent nothing for 10 s\n");
		return false;
	}
	n = p->ssl != NULL ? SSL_read(p->ssl, buf, sizeof buf) : (int)read(p->fd, buf, sizeof buf);
	if (n <= 0) {
		p->eof = true;
		return false;
	}
	g_string_append_len(p->in, buf, n);
	return true;
}

/* The next line from the client, with its CRLF (g_string_free), or NULL at EOF. */
static GString *
test_peer_line(struct testpeer *p)
{
	const char *nl;
	GString *line;

	while ((nl = memchr(p->in->str, '\n', p->in->len)) == NULL)
		if (!test_peer_fill(p))
			return NULL;
	line = g_string_new_len(p->in->str, nl - p->in->str + 1);
	g_string_erase(p->in, 0, nl - p->in->str + 1);
	return line;
}

/* Send LEN bytes. */
static void
test_peer_send(struct testpeer *p, const char *data, size_t len)
{
	if (p->ssl != NULL)
		SSL_write(p->ssl, data, (int)len);
	else if (write(p->fd, data, len) < 0)
		return; /* the client hung up: the C: lines tell whether it should have */
}

/* Send the line TEXT with CRLF. */
static void
test_peer_send_line(struct testpeer *p, const char *text)
{
	char *line = g_strconcat(text, "\r\n", NULL);

	test_peer_send(p, line, strlen(line));
	g_free(line);
}

/* Note a problem with what the client sent. */
static void
test_peer_mismatch(struct testpeer *p, const char *expected, const GString *got)
{
	char *e = g_strescape(expected, NULL);
	char *raw = got != NULL ? g_strndup(got->str, got->len) : NULL;
	char *g = raw != NULL ? g_strescape(raw, NULL) : g_strdup("(end of stream)");

	g_string_append_printf(p->problems, "expected \"%s\", the client sent \"%s\"\n", e, g);
	g_free(e);
	g_free(raw);
	g_free(g);
}

/* Base64 of LEN bytes (g_free). */
static char *
test_b64(const void *data, size_t len)
{
	return g_base64_encode(data, len);
}

/* Send the challenge DATA (LEN bytes) base64-encoded after the dialect's prefix. */
static void
test_peer_challenge(struct testpeer *p, const void *data, size_t len)
{
	char *b64 = test_b64(data, len);
	char *line = g_strconcat(p->dialect->challenge, b64, NULL);

	test_peer_send_line(p, line);
	g_free(line);
	g_free(b64);
}

/*
 * Play the server side of SCRAM (RFC 5802) after "AUTH SCRAM-..."; false on
 * a mismatch.  With FORGE, the proof is not checked and the server's
 * signature is wrong: the client must notice, and the script goes on.
 */
static bool
test_peer_scram(struct testpeer *p, const char *hash, const char *password, bool forge)
{
	const EVP_MD *md = strcmp(hash, "SHA-1") == 0 ? EVP_sha1() : EVP_sha256();
	int hlen = EVP_MD_size(md);
	unsigned char salted[EVP_MAX_MD_SIZE], ckey[EVP_MAX_MD_SIZE], skey[EVP_MAX_MD_SIZE];
	unsigned char stored[EVP_MAX_MD_SIZE], csig[EVP_MAX_MD_SIZE], ssig[EVP_MAX_MD_SIZE];
	unsigned char proof[EVP_MAX_MD_SIZE];
	unsigned int n;
	GString *line = test_peer_line(p), *reply;
	char *prefix = g_strdup_printf("AUTH SCRAM-%s ", hash), *first, *bare, *server_first;
	char *final = NULL, *without, *auth, *expect_proof = NULL, *b64;
	gsize len;
	bool ok = false;
	int i;

	if (line == NULL || !g_str_has_prefix(line->str, prefix)) {
		test_peer_mismatch(p, prefix, line);
		goto out;
	}
	g_strchomp(line->str);
	first = (char *)g_base64_decode(line->str + strlen(prefix), &len);
	first = g_realloc(first, len + 1);
	first[len] = '\0';
	bare = g_strdup(first + 3); /* after "n,," */
	server_first = g_strdup_printf("%s%s,s=QSXCR+Q6sek8bf92,i=4096", strstr(bare, "r=") ?
	    strstr(bare, "r=") : "r=", "SERVERNONCE");
	test_peer_challenge(p, server_first, strlen(server_first));
	g_string_free(line, TRUE);
	line = test_peer_line(p);
	if (line == NULL) {
		test_peer_mismatch(p, "client-final", NULL);
		goto out2;
	}
	g_strchomp(line->str);
	final = (char *)g_base64_decode(line->str, &len);
	final = g_realloc(final, len + 1);
	final[len] = '\0';
	{
		gsize salt_len;
		guchar *salt = g_base64_decode("QSXCR+Q6sek8bf92", &salt_len);

		PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, 4096, md,
		    hlen, salted);
		g_free(salt);
	}
	HMAC(md, salted, hlen, (const unsigned char *)"Client Key", 10, ckey, &n);
	EVP_Digest(ckey, (size_t)hlen, stored, &n, md, NULL);
	without = g_strndup(final, strstr(final, ",p=") != NULL ? strstr(final, ",p=") - final :
								  (long)strlen(final));
	auth = g_strconcat(bare, ",", server_first, ",", without, NULL);
	HMAC(md, stored, hlen, (const unsigned char *)auth, strlen(auth), csig, &n);
	for (i = 0; i < hlen; i++)
		proof[i] = ckey[i] ^ csig[i];
	b64 = test_b64(proof, (size_t)hlen);
	expect_proof = g_strconcat(without, ",p=", b64, NULL);
	g_free(b64);
	if (!forge && strcmp(final, expect_proof) != 0) {
		/* a wrong password: the client learns it from the refusal */
		test_peer_send_line(p, p->dialect->bad);
	} else {
		HMAC(md, salted, hlen, (const unsigned char *)"Server Key", 10, skey, &n);
		HMAC(md, skey, hlen, (const unsigned char *)auth, strlen(auth), ssig, &n);
		if (forge)
			ssig[0] ^= 1;
		b64 = test_b64(ssig, (size_t)hlen);
		reply = g_string_new(NULL);
		g_string_printf(reply, "v=%s", b64);
		g_free(b64);
		test_peer_challenge(p, reply->str, reply->len);
		g_string_free(reply, TRUE);
		if (forge) {
			ok = true;
		} else {
			g_string_free(line, TRUE);
			line = test_peer_line(p);
			if (line == NULL || strcmp(line->str, "\r\n") != 0) {
				test_peer_mismatch(p, "\r\n", line);
			} else {
				test_peer_send_line(p, p->dialect->ok);
				ok = true;
			}
		}
	}
	g_free(without);
	g_free(auth);
out2:
	g_free(first);
	g_free(bare);
	g_free(server_first);
out:
	if (line != NULL)
		g_string_free(line, TRUE);
	g_free(final);
	g_free(expect_proof);
	g_free(prefix);
	return ok;
}

/* The peer thread: play the script, then collect what else the client sends. */
static gpointer
test_peer_run(gpointer data)
{
	struct testpeer *p = data;
	gchar **l;
	GString *text, *got;
	sigset_t set;
	bool stop = false;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (l = p->script; *l != NULL && !stop; l++) {
		const char *line = *l;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (g_str_has_prefix(line, "S:") || g_str_has_prefix(line, "S+")) {
			text = testpeer_unescape(line[2] == ' ' ? line + 3 : line + 2);
			if (line[1] == ':')
				g_string_append(text, "\r\n");
			test_peer_send(p, text->str, text->len);
			g_string_free(text, TRUE);
		} else if (g_str_has_prefix(line, "C:") || g_str_has_prefix(line, "C~")) {
			text = testpeer_unescape(line[2] == ' ' ? line + 3 : line + 2);
			if (line[1] == ':')
				g_string_append(text, "\r\n");
			got = test_peer_line(p);
			if (got == NULL || (line[1] == ':' && !g_string_equal(got, text)) ||
			    (line[1] == '~' && !g_str_has_prefix(got->str, text->str))) {
				test_peer_mismatch(p, text->str, got);
				stop = true;
			}
			if (got != NULL)
				g_string_free(got, TRUE);
			g_string_free(text, TRUE);
		} else if (strcmp(line, "tls") == 0 || strcmp(line, "tls-fail") == 0) {
			p->ctx = SSL_CTX_new(TLS_server_method());
			SSL_CTX_use_certificate(p->ctx, test_cert.cert);
			SSL_CTX_use_PrivateKey(p->ctx, test_cert.key);
			p->ssl = SSL_new(p->ctx);
			SSL_set_fd(p->ssl, p->fd);
			if (SSL_accept(p->ssl) != 1) {
				if (strcmp(line, "tls") == 0)
					g_string_append(p->problems, "TLS handshake failed\n");
				ERR_clear_error();
				SSL_free(p->ssl);
				p->ssl = NULL;
				stop = true;
			} else if (strcmp(line, "tls-fail") == 0) {
				g_string_append(p->problems, "the client accepted TLS\n");
				stop = true;
			}
		} else if (g_str_has_prefix(line, "scram ")) {
			gchar **w = g_strsplit(line, " ", 4);
			bool forge = g_strv_length(w) > 3 && strcmp(w[3], "forge") == 0;

			if (g_strv_length(w) < 3 || !test_peer_scram(p, w[1], w[2], forge))
				stop = true;
			g_strfreev(w);
		} else if (strcmp(line, "close") == 0) {
			shutdown(p->fd, SHUT_RDWR);
			stop = true;
		} else if (strcmp(line, "cut") == 0) {
			/* hung up in the middle of what the client sends: the rest is not looked at */
			shutdown(p->fd, SHUT_RDWR);
			g_string_truncate(p->in, 0);
			p->eof = true;
			stop = true;
		} else if (strcmp(line, "stall") == 0) {
			while (test_peer_fill(p))
				;
			stop = true;
		} else if (strcmp(line, "drain") == 0) {
			/* take whatever the client sends (a TLS hello) as expected */
			while (test_peer_fill(p))
				g_string_truncate(p->in, 0);
			stop = true;
		} else {
			g_string_append_printf(p->problems, "unknown script line \"%s\"\n", line);
			stop = true;
		}
	}
	/* whatever the client sends from now on was not in the script */
	if (p->ssl == NULL || !stop)
		while (test_peer_fill(p))
			;
	g_string_append_len(p->extra, p->in->str, p->in->len);
	if (p->ssl != NULL)
		SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	ERR_clear_error();
	close(p->fd);
	return NULL;
}

/* Group fixtures: make and free the certificate the peer's TLS uses. */
static int
testpeer_setup(void **state)
{
	(void)state;
	testcert_make(&test_cert, "localhost", "DNS:localhost", -1, 30, NULL, false);
	testcert_fingerprint(test_cert.cert, test_fp);
	return 0;
}

static int
testpeer_teardown(void **state)
{
	(void)state;
	testcert_free(&test_cert);
	return 0;
}

const char *
testpeer_fingerprint(void)
{
	return test_fp;
}

GPtrArray *
testcase_values(struct testcase *c, const char *key)
{
	GPtrArray *v = g_hash_table_lookup(c->keys, key);

	if (v == NULL) {
		v = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_insert(c->keys, g_strdup(key), v);
	}
	return v;
}

const char *
testcase_value(struct testcase *c, const char *key, const char *def)
{
	GPtrArray *v = testcase_values(c, key);

	return v->len > 0 ? g_ptr_array_index(v, v->len - 1) : def;
}

bool
testcase_yes(struct testcase *c, const char *key, bool def)
{
	return strcmp(testcase_value(c, key, def ? "yes" : "no"), "yes") == 0;
}

void
testcase_load(struct testcase *c, const char *dir, const char *file)
{
	char *path = g_strconcat(dir, file, NULL), *text = NULL, *sep;
	gchar **lines, **l;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("cannot read %s", path);
	memset(c, 0, sizeof *c);
	c->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_ptr_array_unref);
	sep = strstr(text, "\n---\n");
	assert_non_null(sep);
	*sep = '\0';
	c->script = g_strsplit(sep + 5, "\n", -1);
	lines = g_strsplit(text, "\n", -1);
	for (l = lines; *l != NULL; l++) {
		char *colon = strchr(*l, ':');

		if ((*l)[0] == '#' || (*l)[0] == '\0')
			continue;
		assert_non_null(colon);
		*colon = '\0';
		g_ptr_array_add(testcase_values(c, g_strstrip(*l)), g_strdup(g_strstrip(colon + 1)));
	}
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	c->trace = g_string_new(NULL);
	c->errors = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
}

int
testcase_enum(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	fail_msg("unknown value %s", name);
	return -1;
}

const char *
testcase_pin(struct testcase *c)
{
	const char *pin = testcase_value(c, "pin", "good");

	if (strcmp(pin, "good") == 0)
		return test_fp;
	if (strcmp(pin, "bad") == 0)
		return "SHA256:0000000000000000000000000000000000000000000000000000000000000000";
	return NULL;
}

int
testcase_peer_start(struct testcase *c, const struct testpeer_dialect *dialect)
{
	struct testpeer *p = g_new0(struct testpeer, 1);
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->fd = sv[1];
	p->script = c->script;
	p->dialect = dialect;
	p->in = g_string_new(NULL);
	p->problems = g_string_new(NULL);
	p->extra = g_string_new(NULL);
	p->thread = g_thread_new("peer", test_peer_run, p);
	c->peer = p;
	return sv[0];
}

void
testcase_trace(void *data, char direction, const char *line)
{
	struct testcase *c = data;

	g_string_append_printf(c->trace, "%c: %s\n", direction, line);
}

void
testcase_failed(struct testcase *c, GError *error)
{
	assert_non_null(error);
	g_ptr_array_add(c->errors, error);
}

void
testcase_run_calls(struct testcase *c, testcase_call_fn call, void *data)
{
	gchar **ops = g_strsplit(testcase_value(c, "do", ""), " ", -1), **op;
	bool keep_going = testcase_yes(c, "keep-going", false);
	GError *error = NULL;

	for (op = ops; *op != NULL && (keep_going || c->errors->len == 0); op++) {
		if (**op == '\0' || call(data, *op, &error))
			continue;
		testcase_failed(c, error);
		error = NULL;
	}
	g_strfreev(ops);
}

void
testcase_expect(struct testcase *c, const char *key, const char *got)
{
	GPtrArray *v = testcase_values(c, key);

	if (v->len == 0)
		return;
	if (got == NULL)
		got = "(none)";
	if (strcmp(got, g_ptr_array_index(v, 0)) != 0)
		print_error("%s: got \"%s\"\n", key, got);
	assert_string_equal(got, g_ptr_array_index(v, 0));
}

/* Check the errors of the failed calls against the "error" keys, in order. */
static void
test_check_errors(struct testcase *c, const char *(*code_name)(const GError *e))
{
	GPtrArray *v = testcase_values(c, "error"), *lacks = testcase_values(c, "error-lacks");
	guint i, j;

	for (i = 0; i < c->errors->len; i++) {
		GError *e = c->errors->pdata[i];
		const char *want = i < v->len ? g_ptr_array_index(v, i) : NULL, *sp;
		const char *got_code = code_name(e);
		char *code;

		if (want == NULL)
			fail_msg("unexpected error: %s", e->message);
		sp = strchr(want, ' ');
		code = g_strndup(want, sp != NULL ? sp - want : (long)strlen(want));
		if (strcmp(got_code, code) != 0 || (sp != NULL && strstr(e->message, sp + 1) == NULL))
			print_error("got %s: %s\n", got_code, e->message);
		assert_string_equal(got_code, code);
		if (sp != NULL)
			assert_non_null(strstr(e->message, sp + 1));
		/* the secret never appears in an error, nor what the case names */
		assert_null(strstr(e->message, testcase_value(c, "secret", "hunter2")));
		for (j = 0; j < lacks->len; j++) {
			if (strstr(e->message, g_ptr_array_index(lacks, j)) != NULL)
				print_error("the error has \"%s\": %s\n",
				    (char *)g_ptr_array_index(lacks, j), e->message);
			assert_null(strstr(e->message, g_ptr_array_index(lacks, j)));
		}
		g_free(code);
	}
	if (c->errors->len < v->len)
		fail_msg("expected %s, but it did not happen",
		    (char *)g_ptr_array_index(v, c->errors->len));
}

void
testcase_finish(struct testcase *c, const char *(*code_name)(const GError *e))
{
	struct testpeer *p = c->peer;
	GPtrArray *v;
	guint i;

	g_thread_join(p->thread);
	if (p->problems->len > 0 || p->extra->len > 0 || g_getenv("TEST_VERBOSE") != NULL) {
		char *raw = g_strndup(p->extra->str, p->extra->len), *extra = g_strescape(raw, NULL);

		g_free(raw);
		print_message("trace:\n%s", c->trace->str);
		print_message("peer: %s", p->problems->str);
		if (p->extra->len > 0)
			print_message("the client also sent: \"%s\"\n", extra);
		for (i = 0; i < c->errors->len; i++)
			print_message("error: %s\n", ((GError *)c->errors->pdata[i])->message);
		g_free(extra);
	}
	assert_int_equal(p->problems->len, 0);
	assert_int_equal(p->extra->len, 0);
	test_check_errors(c, code_name);
	v = testcase_values(c, "trace-has");
	for (i = 0; i < v->len; i++) {
		if (strstr(c->trace->str, g_ptr_array_index(v, i)) == NULL)
			print_error("trace lacks \"%s\":\n%s", (char *)g_ptr_array_index(v, i),
			    c->trace->str);
		assert_non_null(strstr(c->trace->str, g_ptr_array_index(v, i)));
	}
	v = testcase_values(c, "trace-lacks");
	for (i = 0; i < v->len; i++)
		assert_null(strstr(c->trace->str, g_ptr_array_index(v, i)));
	assert_null(strstr(c->trace->str, testcase_value(c, "secret", "hunter2")));
	g_string_free(p->in, TRUE);
	g_string_free(p->problems, TRUE);
	g_string_free(p->extra, TRUE);
	g_free(p);
	g_hash_table_destroy(c->keys);
	g_strfreev(c->script);
	g_string_free(c->trace, TRUE);
	g_ptr_array_free(c->errors, TRUE);
}

/* Order file names (g_ptr_array_sort passes pointers to the elements). */
static gint
test_name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
testcase_main(const char *group, const char *dir, const struct CMUnitTest *fixed, size_t n_fixed,
    CMUnitTestFunction run)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GArray *tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
	const char *name;
	struct CMUnitTest t = { 0 };
	const char **states;
	guint i;
	int failed;

	if (d == NULL)
		return 1;
	while ((name = g_dir_read_name(d)) != NULL)
		if (g_str_has_suffix(name, ".txt"))
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, test_name_cmp);
	states = g_new0(const char *, names->len);
	g_array_append_vals(tests, fixed, (guint)n_fixed);
	for (i = 0; i < names->len; i++) {
		states[i] = g_ptr_array_index(names, i);
		t.name = states[i];
		t.test_func = run;
		t.initial_state = (void *)&states[i];
		g_array_append_val(tests, t);
	}
	failed = _cmocka_run_group_tests(group, (struct CMUnitTest *)tests->data, tests->len,
	    testpeer_setup, testpeer_teardown);
	g_array_free(tests, TRUE);
	g_free(states);
	g_ptr_array_free(names, TRUE);
	return failed;
}
